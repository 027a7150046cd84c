"""Aftercare (issue 18, item 3): what the discharge stops, check-ups made and reminded exactly
once per due day up to the agreed end (and not after a stop from Settings), the answers' risk
rule without a BAM score, and the flags going to the counselor of record or the admins."""

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import RequestFactory

import measures_data
from people import make_user, reminders_only
from tracker import aftercare, dates, episodes, measures, reminders, schedule, services
from tracker.models import (
    AftercarePlan,
    AuditEvent,
    Checkup,
    CheckupAnswer,
    Counselor,
    Delivery,
    FlagAcknowledgement,
    Group,
    GroupMembership,
    Questionnaire,
    Reminder,
)

UTC = dt.UTC
NY = zoneinfo.ZoneInfo("America/New_York")
DISCHARGE = dt.date(2026, 11, 18)


def a_request(user):
    request = RequestFactory().post("/care/participants/1/aftercare/")
    request.user = user
    request.request_id = "t"
    return request


def discharged(participant, django_capture_on_commit_callbacks, on=DISCHARGE):
    with django_capture_on_commit_callbacks(execute=True):
        return episodes.discharge(episode=participant.open_episode, discharged_on=on, discharge_type="completed")


def agreed(participant, counselor, **extra):
    episode = aftercare.latest_episode(participant)
    data = {"next_provider": "Dr. Lee, Oak Street Clinic", "checkups": True,
            "checkups_until": dates.add_months(episode.discharged_on, 6), **extra}
    return aftercare.plan_save(request=a_request(counselor.user), episode=episode, data=data, actor=counselor.user)


def handed_over(ids):
    """The workers' part, done at once: what the tick hands over counts as sent (so it is not
    handed over again at every later tick)."""
    Delivery.objects.filter(pk__in=ids).update(status="sent")


def run(start, end, *, plan_every=dt.timedelta(hours=12), tick_every=dt.timedelta(hours=2), each=None):
    """The beat, from `start` to `end`: the planner every `plan_every`, the tick every `tick_every`
    (the reminders' grace is 2 hours, so every delivery is made on time)."""
    moment, next_plan = start, start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            if moment >= next_plan:
                aftercare.plan_checkups(moment)
                next_plan = moment + plan_every
            reminders.reminders_tick(enqueue=handed_over, now=moment)
            if each is not None:
                each(moment)
        moment += tick_every


def checkup_deliveries(participant):
    return list(Delivery.objects.filter(reminder__participant=participant, reminder__kind=Reminder.Kind.CHECKUP)
                .select_related("reminder__checkup").order_by("due_at"))


# ---- The plan


def test_the_plan_defaults_to_six_months_of_checkups_and_refuses_a_bad_end(now, alice, carol, django_capture_on_commit_callbacks):
    episode = discharged(alice, django_capture_on_commit_callbacks)
    plan = aftercare.plan_for(episode)
    assert plan.pk is None and plan.checkups_until == dt.date(2027, 5, 18)
    for until, words in ((DISCHARGE, "after the discharge"), (dt.date(2029, 1, 1), "two years"), (None, "last day")):
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as refused:
            aftercare.plan_save(request=a_request(carol.user), episode=episode, actor=carol.user,
                                data={"checkups": True, "checkups_until": until})
        assert words in " ".join(refused.value.message_dict["checkups_until"])
        assert not AftercarePlan.objects.exists() and AuditEvent.objects.count() == before
    plan = agreed(alice, carol, people="My sister Ana 555-0100")
    assert plan.checkups_on and plan.updated_by == carol.user
    row = AuditEvent.objects.order_by("-pk").first()
    assert (row.action, row.resource, row.participant_id, row.actor_id) == ("write", "aftercare-plan", alice.pk,
                                                                            carol.user.pk)


# ---- What the discharge stops


def test_discharge_stops_session_and_questionnaire_reminders_and_keeps_the_checkin_reminder(now, program, alice, django_capture_on_commit_callbacks):
    reminders_only(alice, checkin_reminder_at=dt.time(20), session_reminder="60")
    program.time_zone = "America/New_York"
    program.save()
    group = Group.objects.create(program=program, name="Evening", weekdays=[0], start_time=dt.time(18),
                                 active_from=dt.date(2026, 1, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 1, 1))
    schedule.plan_sessions(program, now=dt.datetime(2026, 11, 18, 17, tzinfo=UTC), weeks=2)
    reminders.session_reminders_sync(participant=alice)
    # Intake questionnaires: open, one reminder shared by the three of them.
    measures.plan_questionnaires(participants=[alice])
    assert Questionnaire.objects.filter(participant=alice, status="open").count() >= 2
    pending = Reminder.objects.filter(participant=alice, enabled=True, next_due_at__isnull=False)
    assert {r.kind for r in pending} == {"checkin", "session", "questionnaire"}

    discharged(alice, django_capture_on_commit_callbacks)

    pending = Reminder.objects.filter(participant=alice, enabled=True, next_due_at__isnull=False)
    assert {r.kind for r in pending} == {"checkin"}
    # Nothing brings them back: the hourly planning, a change of settings, a week of ticks.
    later = dt.datetime(2026, 11, 25, 17, tzinfo=UTC)
    run(dt.datetime(2026, 11, 18, 18, tzinfo=UTC), later, plan_every=dt.timedelta(days=1))
    with time_machine.travel(later, tick=False):
        assert measures.plan_questionnaires(later).planned == 0
        reminders.reminders_sync(participant=alice)
        services.reminder_settings_update(participant=alice, data={"checkin_reminder_at": dt.time(21)})
    run(later, later + dt.timedelta(days=7), plan_every=dt.timedelta(days=1))
    kinds = set(Delivery.objects.filter(reminder__participant=alice).values_list("reminder__kind", flat=True))
    assert kinds == {"checkin"}
    assert not Questionnaire.objects.filter(participant=alice, created_at__gt=dt.datetime(2026, 11, 19, tzinfo=UTC))


def test_someone_still_in_the_program_keeps_getting_questionnaires(now, alice, bob, django_capture_on_commit_callbacks):
    discharged(alice, django_capture_on_commit_callbacks)
    result = measures.plan_questionnaires(participants=[alice, bob])
    assert Questionnaire.objects.filter(participant=bob).exists()
    assert not Questionnaire.objects.filter(participant=alice).exists() and result.participants == 1


# ---- Check-ups: exactly once per due day, up to the agreed end


def test_checkups_fire_once_per_due_day_and_stop_at_the_agreed_end(now, alice, carol, django_capture_on_commit_callbacks):
    reminders_only(alice, checkin_reminder_at=dt.time(19, 30))
    discharged(alice, django_capture_on_commit_callbacks)
    agreed(alice, carol)
    run(dt.datetime(2026, 11, 18, 18, tzinfo=UTC), dt.datetime(2027, 6, 20, tzinfo=UTC))

    due_days = [dt.date(2026, 12, 18), dt.date(2027, 1, 17), dt.date(2027, 2, 16), dt.date(2027, 3, 18),
                dt.date(2027, 4, 17), dt.date(2027, 5, 17)]  # every 30 days; 2027-06-16 is after 2027-05-18
    assert sorted(Checkup.objects.filter(participant=alice).values_list("due_on", flat=True)) == due_days
    sent = checkup_deliveries(alice)
    assert [d.reminder.checkup.due_on for d in sent] == due_days
    assert [d.due_at.astimezone(NY).replace(tzinfo=None) for d in sent] == [
        dt.datetime.combine(day, dt.time(19, 30)) for day in due_days]
    assert {d.status for d in sent} == {"sent"}  # each made in time (none missed, none skipped)
    payload = reminders.payload_for(sent[0])
    assert payload["body"] == "A quick check-in from your program"
    assert payload["url"] == f"/checkups/{sent[0].reminder.checkup_id}/"
    # Never answered: each was missed after its week.
    assert set(Checkup.objects.values_list("status", flat=True)) == {"missed"}


def test_checkups_stop_when_the_person_stops_them(now, alice, carol, django_capture_on_commit_callbacks):
    reminders_only(alice, checkin_reminder_at=dt.time(20))
    discharged(alice, django_capture_on_commit_callbacks)
    agreed(alice, carol)
    stop_at = dt.datetime(2027, 1, 17, 14, tzinfo=UTC)  # on a tick: the second is open, its reminder (20:00 in New York) still to come

    def stop(moment):
        if moment == stop_at:
            aftercare.checkups_stop(participant=alice)

    run(dt.datetime(2026, 11, 18, 18, tzinfo=UTC), dt.datetime(2027, 3, 1, tzinfo=UTC), each=stop)
    assert [d.reminder.checkup.due_on for d in checkup_deliveries(alice)] == [dt.date(2026, 12, 18)]
    assert sorted(Checkup.objects.values_list("due_on", flat=True)) == [dt.date(2026, 12, 18), dt.date(2027, 1, 17)]
    assert AftercarePlan.objects.get().checkups_stopped_at == stop_at
    # Her own check-in reminder was never touched.
    assert Reminder.objects.get(participant=alice, kind="checkin").enabled


def test_no_checkups_without_agreement_and_none_after_readmission(now, alice, carol, django_capture_on_commit_callbacks):
    discharged(alice, django_capture_on_commit_callbacks)
    agreed(alice, carol, checkups=False)
    run(dt.datetime(2026, 12, 17, tzinfo=UTC), dt.datetime(2026, 12, 20, tzinfo=UTC))
    assert not Checkup.objects.exists()
    AftercarePlan.objects.update(checkups=True)
    with time_machine.travel(dt.datetime(2026, 12, 10, 17, tzinfo=UTC), tick=False):
        episodes.admit(participant=alice, admitted_on=dt.date(2026, 12, 10), level_of_care="op", counselor=carol,
                       actor=carol.user)
    run(dt.datetime(2026, 12, 17, tzinfo=UTC), dt.datetime(2026, 12, 20, tzinfo=UTC))
    assert not Checkup.objects.exists()


def test_a_checkup_without_the_bams_terms_asks_only_the_talk_question(now, program, alice, carol, django_capture_on_commit_callbacks):
    discharged(alice, django_capture_on_commit_callbacks)
    agreed(alice, carol)
    with time_machine.travel(dt.datetime(2026, 12, 18, 15, tzinfo=UTC), tick=False):
        aftercare.plan_checkups()
    assert Checkup.objects.get().items == []
    program.bam_terms_confirmed_at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    program.save()
    with time_machine.travel(dt.datetime(2027, 1, 17, 15, tzinfo=UTC), tick=False):
        aftercare.plan_checkups()
    assert Checkup.objects.order_by("-due_on").first().items == ["4", "5", "6", "8", "9"]


# ---- Answers and flags


@pytest.fixture
def open_checkup(now, program, alice, carol, django_capture_on_commit_callbacks):
    program.bam_terms_confirmed_at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    program.save()
    discharged(alice, django_capture_on_commit_callbacks)
    agreed(alice, carol)
    now.move_to(dt.datetime(2026, 12, 18, 15, tzinfo=UTC))
    aftercare.plan_checkups()
    return Checkup.objects.get()


CALM = {"4": 0, "5": 0, "6": 0, "8": 1, "9": 4}


def answer(participant, checkup, answers, wants_talk=False, id=None):
    return services.checkup_answer_put(participant=participant, id=id or uuid.uuid4(),
                                       data={"checkup": checkup, "answers": answers, "wants_talk": wants_talk})


@pytest.mark.parametrize("changes, wants_talk, risky, flagged", [
    ({}, False, False, False),
    ({}, True, False, True),
    ({"4": 1}, False, True, True),       # a day of drinking
    ({"8": 3}, False, True, True),       # cravings "considerably"
    ({"9": 1}, False, True, True),       # confidence "slightly"
    ({"9": 2, "8": 2}, False, False, False),
])
def test_a_risky_answer_or_wanting_to_talk_flags_the_counselor_of_record(open_checkup, alice, carol, changes, wants_talk, risky, flagged):
    entry = answer(alice, open_checkup, {**CALM, **changes}, wants_talk).entry
    stored = CheckupAnswer.objects.get(pk=entry.pk)
    assert stored.risky is risky and stored.wants_talk is wants_talk
    assert set(stored.answers) == set(CALM)  # the answers as given: no BAM score anywhere
    assert not hasattr(stored, "scores")
    open_checkup.refresh_from_db()
    assert open_checkup.status == "done"
    assert not Reminder.objects.filter(checkup=open_checkup, next_due_at__isnull=False).exists()
    (row,) = aftercare.rows_for(carol)
    assert bool(row.flags) is flagged and row.for_me


def test_the_risk_rule_is_the_programs(program, open_checkup, alice, carol):
    program.checkup_risk = {"8": {"at_least": 4}}
    program.save()
    assert not answer(alice, open_checkup, {**CALM, "4": 3, "8": 3}).entry.risky


def test_answers_are_checked_by_item_and_nothing_is_half_saved(open_checkup, alice):
    for answers, key in (({**CALM, "4": 9}, "4"), ({"4": 0}, "9"), ({**CALM, "1": 0}, "1"), ({**CALM, "8": "2"}, "8")):
        with pytest.raises(aftercare.AnswerErrors) as refused:
            answer(alice, open_checkup, answers)
        assert key in refused.value.by_item
    assert not CheckupAnswer.objects.exists()
    open_checkup.refresh_from_db()
    assert open_checkup.status == "open"


def test_one_answer_per_checkup_and_none_after_it_closed(now, open_checkup, alice, bob):
    first = answer(alice, open_checkup, CALM).entry
    with pytest.raises(services.EntryConflict):
        answer(alice, open_checkup, CALM)
    with pytest.raises(ValidationError):
        answer(bob, open_checkup, CALM)  # not hers... not his
    # A change to her own answer is taken; a new one after the window is not.
    assert answer(alice, open_checkup, {**CALM, "8": 4}, id=first.pk).entry.risky
    now.move_to(dt.datetime(2027, 1, 17, 15, tzinfo=UTC))
    aftercare.plan_checkups()
    late = Checkup.objects.get(due_on=dt.date(2027, 1, 17))
    now.move_to(dt.datetime(2027, 1, 25, 15, tzinfo=UTC))
    aftercare.plan_checkups()
    with pytest.raises(ValidationError) as refused:
        answer(alice, late, CALM)
    assert "closed" in str(refused.value)


def test_when_the_counselor_of_record_left_the_program_admins_get_the_flag(program, open_checkup, alice, carol):
    admin = Counselor.objects.create(user=make_user("hana"), program=program, is_program_admin=True)
    other = Counselor.objects.create(user=make_user("ivan"), program=program)
    answer(alice, open_checkup, CALM, wants_talk=True)
    (row,) = aftercare.rows_for(carol)
    assert row.for_me and not row.orphaned and row.flags
    assert aftercare.rows_for(admin) == [] and aftercare.rows_for(other) == []
    # The caseload's count is the Aftercare page's rows with a flag for the reader.
    assert [flag_count(c) for c in (carol, admin, other)] == [1, 0, 0]
    carol.user.is_active = False
    carol.user.save()
    (row,) = aftercare.rows_for(admin)
    assert row.orphaned and row.for_me and row.flags
    assert aftercare.rows_for(other) == []
    assert [flag_count(c) for c in (carol, admin, other)] == [0, 1, 0]


def test_after_a_readmission_the_flags_go_to_the_latest_counselor_of_record(program, open_checkup, alice, carol,
                                                                            django_capture_on_commit_callbacks):
    other = Counselor.objects.create(user=make_user("ivan"), program=program)
    first = answer(alice, open_checkup, CALM, wants_talk=True).entry
    assert [flag_count(c) for c in (carol, other)] == [1, 0]
    episodes.admit(participant=alice, admitted_on=alice.local_today(), level_of_care="iop", counselor=other,
                   actor=carol.user)
    assert [flag_count(c) for c in (carol, other)] == [0, 0]  # in the program again: no aftercare flags
    discharged(alice, django_capture_on_commit_callbacks, on=alice.local_today())
    assert [flag_count(c) for c in (carol, other)] == [0, 1]
    FlagAcknowledgement.objects.create(participant=alice, flag=aftercare.FLAG, evidence=aftercare.evidence_for(first),
                                       counselor=other)
    assert [flag_count(c) for c in (carol, other)] == [0, 0]


def flag_count(counselor):
    """open_flag_count, checked against the rows of the Aftercare page it stands for."""
    count = aftercare.open_flag_count(counselor)
    assert count == sum(1 for row in aftercare.rows_for(counselor) if row.flags and row.for_me)
    return count


def test_acknowledging_clears_the_flag_with_an_audit_row(open_checkup, alice, carol):
    entry = answer(alice, open_checkup, CALM, wants_talk=True).entry
    with pytest.raises(ValidationError):
        aftercare.flag_acknowledge(request=a_request(carol.user), participant=alice, counselor=carol,
                                   evidence="checkup:nothing")
    aftercare.flag_acknowledge(request=a_request(carol.user), participant=alice, counselor=carol,
                               evidence=aftercare.evidence_for(entry), note="Called her; seeing her Friday")
    (row,) = aftercare.rows_for(carol)
    assert row.flags == []
    audit_row = AuditEvent.objects.order_by("-pk").first()
    assert (audit_row.resource, audit_row.action, audit_row.participant_id) == (
        "aftercare-acknowledgement", "write", alice.pk)


def test_a_bam_questionnaire_is_not_a_checkup(open_checkup, alice):
    # The BAM's own scored questionnaire is untouched by check-ups (and check-ups store no score).
    measures_data.bam(alice, at=dt.datetime(2026, 12, 1, 18, tzinfo=UTC), risk=12)
    answer(alice, open_checkup, CALM)
    assert CheckupAnswer.objects.count() == 1


def test_a_readmission_ends_the_open_check_up_and_its_reminder(open_checkup, alice, carol):
    """Back in the program: the check-up of the aftercare before stops asking (Today, the phone)."""
    assert aftercare.open_checkups(alice) == [open_checkup]
    assert Reminder.objects.filter(checkup=open_checkup, next_due_at__isnull=False).exists()
    episodes.admit(participant=alice, admitted_on=alice.local_today(), level_of_care="iop", counselor=carol,
                   actor=carol.user)
    assert aftercare.open_checkups(alice) == []
    assert Checkup.objects.get(pk=open_checkup.pk).status == Checkup.Status.MISSED
    assert not Reminder.objects.filter(checkup=open_checkup, next_due_at__isnull=False).exists()


def test_a_changed_answer_raises_the_flag_again_for_its_new_reason(open_checkup, alice, carol):
    """Acknowledged as risky, then changed to "I'd like to talk": a new flag."""
    entry_id = uuid.uuid4()
    first = answer(alice, open_checkup, {**CALM, "4": 2}, id=entry_id).entry
    FlagAcknowledgement.objects.create(participant=alice, flag=aftercare.FLAG, evidence=aftercare.evidence_for(first),
                                       counselor=carol)
    assert aftercare.open_flag_count(carol) == 0
    changed = answer(alice, open_checkup, {**CALM, "4": 2}, wants_talk=True, id=entry_id).entry
    assert aftercare.evidence_for(changed) != aftercare.evidence_for(first)
    assert aftercare.open_flag_count(carol) == 1
