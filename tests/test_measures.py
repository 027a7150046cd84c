"""Questionnaire schedules and planning (tracker.measures): which schedule is in force, intake due
at once, every N days from intake, the window and "missed", daylight-saving changes, no backlog
after a long gap, idempotent planning, and one neutral reminder per due questionnaire, withdrawn
when it is done or missed. The real planning and the real reminders tick run with the clock moved
by time-machine.

alice lives in New York; her account was made on Wed 18 Nov 2026 at noon there (17:00 UTC), so
her intake day is 18 Nov, and with the built-in schedule the PHQ-9 and GAD-7 are due on 18 Nov,
2 Dec, 16 Dec, ... (every 14 days) and the BAM (once confirmed) on 18 Nov, 16 Dec, ... (28).
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import NOW, make_user, reminders_only
from test_reminders_due import run_ticks

from tracker import accounts, instruments, measures, reminders
from tracker.models import (
    Delivery,
    Invitation,
    MeasureSchedule,
    Participant,
    Program,
    Questionnaire,
    Reminder,
)

UTC = dt.UTC
NY = zoneinfo.ZoneInfo("America/New_York")


def person(program, name, made_at, zone="America/New_York", **extra):
    """A participant whose account was made at `made_at` (their intake day is its local date)."""
    with time_machine.travel(made_at, tick=False):
        return Participant.objects.create(user=make_user(name), program=program, time_zone=zone, **extra)


def plan(at, **kwargs):
    with time_machine.travel(at, tick=False):
        return measures.plan_questionnaires(**kwargs)


def due(participant, instrument=None, status=None):
    rows = Questionnaire.objects.filter(participant=participant).order_by("due_on", "instrument")
    if instrument:
        rows = rows.filter(instrument=instrument)
    if status:
        rows = rows.filter(status=status)
    return [(q.instrument, q.due_on) for q in rows]


def at_ny(*args):
    return dt.datetime(*args, tzinfo=NY).astimezone(UTC)


def confirm_bam(program, counselor=None):
    program.bam_terms_confirmed_at = NOW
    program.bam_terms_confirmed_by = counselor.user if counselor else None
    program.save()


@pytest.fixture
def alice(program, carol):
    participant = person(program, "alice", NOW)
    participant.care_team.add(carol)
    return participant


# ---------------------------------------------------------------------------------------------
# Which schedule is in force


def test_the_built_in_schedule_holds_when_the_program_set_nothing_and_the_bam_stays_off(alice):
    found = measures.schedules_for(alice)
    assert {key: (s.on, s.at_intake, s.every_days, s.source) for key, s in found.items()} == {
        "phq9": (True, True, 14, "built-in"), "gad7": (True, True, 14, "built-in"),
        "bam": (False, True, 28, "built-in")}  # BAM terms not confirmed: off
    assert not found["bam"].available and found["bam"].active


def test_the_programs_row_replaces_the_built_in_one_and_a_persons_row_replaces_that(program, alice):
    bob = person(program, "bob", NOW)
    MeasureSchedule.objects.create(program=program, instrument="phq9", at_intake=False, every_days=28)
    MeasureSchedule.objects.create(program=program, participant=alice, instrument="phq9", every_days=7)
    MeasureSchedule.objects.create(program=program, participant=alice, instrument="gad7", active=False)
    mine, bobs = measures.schedules_for(alice), measures.schedules_for(bob)
    assert (mine["phq9"].at_intake, mine["phq9"].every_days, mine["phq9"].source) == (True, 7, "participant")
    assert (bobs["phq9"].at_intake, bobs["phq9"].every_days, bobs["phq9"].source) == (False, 28, "program")
    assert not mine["gad7"].on and bobs["gad7"].on and bobs["gad7"].source == "built-in"
    # Another program's default changes nothing here.
    elsewhere = Program.objects.create(name="Elsewhere")
    MeasureSchedule.objects.create(program=elsewhere, instrument="gad7", active=False)
    assert measures.schedules_for(bob)["gad7"].on


def test_the_bam_is_due_only_while_the_program_has_confirmed_its_terms(program, alice):
    MeasureSchedule.objects.create(program=program, participant=alice, instrument="bam", every_days=28)
    assert not measures.schedules_for(alice)["bam"].on
    plan(NOW)
    assert due(alice) == [("gad7", dt.date(2026, 11, 18)), ("phq9", dt.date(2026, 11, 18))]
    confirm_bam(program)
    plan(NOW + dt.timedelta(minutes=5))
    assert ("bam", dt.date(2026, 11, 18)) in due(alice)
    assert measures.schedules_for(alice)["bam"].on


@pytest.mark.parametrize("at_intake, every_days, today, expected", [
    (True, 14, dt.date(2026, 11, 18), dt.date(2026, 11, 18)),  # intake
    (True, 14, dt.date(2026, 12, 1), dt.date(2026, 11, 18)),  # day 13: still the intake one
    (True, 14, dt.date(2026, 12, 2), dt.date(2026, 12, 2)),  # day 14
    (False, 14, dt.date(2026, 11, 30), None),  # not at intake: nothing before day 14
    (False, 14, dt.date(2026, 12, 2), dt.date(2026, 12, 2)),
    (True, None, dt.date(2027, 5, 1), dt.date(2026, 11, 18)),  # at intake only
    (True, 14, dt.date(2026, 11, 17), None),  # before intake
])
def test_the_latest_time_a_schedule_makes_an_instrument_due(at_intake, every_days, today, expected):
    schedule = measures.Schedule("phq9", active=True, at_intake=at_intake, every_days=every_days)
    assert schedule.latest_due_on(dt.date(2026, 11, 18), today) == expected


# ---------------------------------------------------------------------------------------------
# Planning


def test_intake_is_due_at_once_when_a_participant_enrols(program, carol, now):
    confirm_bam(program, carol)
    _invitation, token = accounts.invitation_create(program=program, role=Invitation.Role.PARTICIPANT, name="Erin",
                                                   created_by=carol.user)
    user = accounts.enrol(token=token, username="erin", password="erin-password-1", time_zone="America/Chicago",
                          acknowledged=True)
    erin = user.participant
    # Noon in New York is 11:00 in Chicago: 18 Nov there too, open until midnight 21 Nov (3 days).
    assert due(erin) == [("bam", dt.date(2026, 11, 18)), ("gad7", dt.date(2026, 11, 18)),
                         ("phq9", dt.date(2026, 11, 18))]
    first = Questionnaire.objects.filter(participant=erin).first()
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    assert first.intake and first.status == "open"
    assert first.opens_at == dt.datetime(2026, 11, 18, tzinfo=chicago)
    assert first.closes_at == dt.datetime(2026, 11, 21, tzinfo=chicago)


def test_it_is_due_every_n_days_from_intake_and_only_while_its_window_is_open(program, alice):
    days = {}
    for offset in range(43):
        at = at_ny(2026, 11, 18, 12) + dt.timedelta(days=offset)
        plan(at)
        days[offset] = len(due(alice, "phq9"))
    # PHQ-9 on day 0, 14, 28, 42: one more each time, never in between.
    assert [offset for offset in range(1, 43) if days[offset] != days[offset - 1]] == [14, 28, 42]
    assert due(alice, "phq9") == [("phq9", dt.date(2026, 11, 18)), ("phq9", dt.date(2026, 12, 2)),
                                  ("phq9", dt.date(2026, 12, 16)), ("phq9", dt.date(2026, 12, 30))]
    assert [q.intake for q in Questionnaire.objects.filter(participant=alice, instrument="phq9").order_by("due_on")] \
        == [True, False, False, False]
    # Every one but the last was missed (nobody answered); the last is open.
    assert [s for s in Questionnaire.objects.filter(participant=alice, instrument="phq9")
            .order_by("due_on").values_list("status", flat=True)] == ["missed", "missed", "missed", "open"]


def test_the_window_closes_at_local_midnight_and_then_it_is_missed(program, alice):
    plan(NOW)
    phq = Questionnaire.objects.get(participant=alice, instrument="phq9")
    # Window 3 days: from midnight 18 Nov to midnight 21 Nov, New York time (EST, UTC-5).
    assert (phq.opens_at, phq.closes_at) == (dt.datetime(2026, 11, 18, 5, tzinfo=UTC),
                                             dt.datetime(2026, 11, 21, 5, tzinfo=UTC))
    plan(phq.closes_at - dt.timedelta(seconds=1))
    assert Questionnaire.objects.get(pk=phq.pk).status == "open"
    plan(phq.closes_at)
    assert Questionnaire.objects.get(pk=phq.pk).status == "missed"
    assert Questionnaire.objects.get(participant=alice, instrument="gad7").status == "missed"


def test_a_done_questionnaire_is_never_marked_missed(program, alice):
    plan(NOW)
    Questionnaire.objects.filter(participant=alice, instrument="phq9").update(status="done", completed_at=NOW)
    plan(NOW + dt.timedelta(days=5))
    assert Questionnaire.objects.get(participant=alice, instrument="phq9").status == "done"
    assert Questionnaire.objects.get(participant=alice, instrument="gad7").status == "missed"


def test_the_programs_window_sets_how_long_it_stays_open(program, alice):
    program.questionnaire_window_days = 7
    program.save()
    plan(NOW)
    phq = Questionnaire.objects.get(participant=alice, instrument="phq9")
    assert phq.closes_at == at_ny(2026, 11, 25, 0)


def test_a_window_across_the_spring_change_opens_and_closes_at_local_midnight(program):
    # Intake Sun 28 Feb 2027; every 14 days: due Sun 14 Mar 2027, the day New York springs forward
    # (02:00 EST -> 03:00 EDT). Midnight 14 Mar is still EST (05:00 UTC); midnight 17 Mar is EDT
    # (04:00 UTC): 71 hours, not 72.
    dana = person(program, "dana", at_ny(2027, 2, 28, 9))
    plan(at_ny(2027, 3, 14, 0, 30))
    phq = Questionnaire.objects.get(participant=dana, instrument="phq9", due_on=dt.date(2027, 3, 14))
    assert phq.opens_at == dt.datetime(2027, 3, 14, 5, tzinfo=UTC)
    assert phq.closes_at == dt.datetime(2027, 3, 17, 4, tzinfo=UTC)
    assert phq.closes_at - phq.opens_at == dt.timedelta(hours=71)
    # Its reminder: 20:00 EDT on 14 Mar (the check-in time), which is 00:00 UTC on 15 Mar.
    reminder = Reminder.objects.get(questionnaire=phq)
    assert reminder.next_due_at == dt.datetime(2027, 3, 15, 0, tzinfo=UTC)
    assert (reminder.on_date, reminder.local_time) == (dt.date(2027, 3, 14), dt.time(20))
    # Missed at 00:00 EDT on 17 Mar, not an hour later.
    plan(dt.datetime(2027, 3, 17, 3, 59, tzinfo=UTC))
    assert Questionnaire.objects.get(pk=phq.pk).status == "open"
    plan(dt.datetime(2027, 3, 17, 4, 0, tzinfo=UTC))
    assert Questionnaire.objects.get(pk=phq.pk).status == "missed"


def test_a_window_across_the_autumn_change_opens_and_closes_at_local_midnight(program):
    # Intake Sun 18 Oct 2026; every 14 days: due Sun 1 Nov 2026, the day New York falls back
    # (02:00 EDT -> 01:00 EST). With a one-day window: midnight 1 Nov is EDT (04:00 UTC), midnight
    # 2 Nov is EST (05:00 UTC): 25 hours.
    program.questionnaire_window_days = 1
    program.save()
    ed = person(program, "ed", at_ny(2026, 10, 18, 9))
    plan(at_ny(2026, 11, 1, 0, 30))
    phq = Questionnaire.objects.get(participant=ed, instrument="phq9", due_on=dt.date(2026, 11, 1))
    assert (phq.opens_at, phq.closes_at) == (dt.datetime(2026, 11, 1, 4, tzinfo=UTC),
                                             dt.datetime(2026, 11, 2, 5, tzinfo=UTC))
    plan(dt.datetime(2026, 11, 2, 4, 59, tzinfo=UTC))  # 23:59 EST on 1 Nov: still open
    assert Questionnaire.objects.get(pk=phq.pk).status == "open"
    plan(dt.datetime(2026, 11, 2, 5, tzinfo=UTC))
    assert Questionnaire.objects.get(pk=phq.pk).status == "missed"


def test_no_backlog_after_a_long_gap(program, alice):
    plan(NOW)
    # Nobody planned for two months (the beat was down). On 14 Jan 2027 (day 57) the PHQ-9 of
    # 13 Jan (day 56) is open; the ones of 2 Dec ... 30 Dec are never made.
    plan(at_ny(2027, 1, 14, 9))
    assert due(alice, "phq9") == [("phq9", dt.date(2026, 11, 18)), ("phq9", dt.date(2027, 1, 13))]
    # On 20 Jan (day 63) the window of 13 Jan has closed and 27 Jan is not yet here: nothing new.
    plan(at_ny(2027, 1, 20, 9))
    assert due(alice, "phq9") == [("phq9", dt.date(2026, 11, 18)), ("phq9", dt.date(2027, 1, 13))]
    assert due(alice, "phq9", status="missed") == due(alice, "phq9")


def test_a_window_that_closed_before_the_first_planning_is_never_planned(program):
    bob = person(program, "bob", NOW)
    plan(at_ny(2026, 11, 21, 0))  # the intake window closed at this midnight
    assert due(bob) == []
    plan(at_ny(2026, 12, 2, 0))  # day 14 opens
    assert due(bob) == [("gad7", dt.date(2026, 12, 2)), ("phq9", dt.date(2026, 12, 2))]


def test_planning_again_makes_nothing_more(program, alice):
    plan(NOW)
    first = list(Questionnaire.objects.values_list("pk", "instrument", "due_on", "opens_at", "closes_at"))
    reminders_before = list(Reminder.objects.filter(kind="questionnaire").values_list("pk", "next_due_at"))
    for minutes in (0, 0, 30, 90):
        result = plan(NOW + dt.timedelta(minutes=minutes))
        assert result.planned == 0
    assert list(Questionnaire.objects.values_list("pk", "instrument", "due_on", "opens_at", "closes_at")) == first
    assert list(Reminder.objects.filter(kind="questionnaire").values_list("pk", "next_due_at")) == reminders_before
    assert len(first) == 2


def test_a_row_made_meanwhile_by_another_planner_is_not_made_twice(program, alice):
    opens, closes = measures.window(dt.date(2026, 11, 18), NY, 3)
    Questionnaire.objects.create(participant=alice, instrument="phq9", due_on=dt.date(2026, 11, 18), opens_at=opens,
                                 closes_at=closes, status="done")
    plan(NOW)  # the done one is not open, so the planner tries it too: ON CONFLICT DO NOTHING
    assert due(alice) == [("gad7", dt.date(2026, 11, 18)), ("phq9", dt.date(2026, 11, 18))]


def test_never_two_open_questionnaires_of_one_instrument(program, alice):
    # A 14-day window with a 7-day schedule: the one of 18 Nov is still open on 25 Nov.
    program.questionnaire_window_days = 14
    program.save()
    MeasureSchedule.objects.create(program=program, instrument="phq9", every_days=7)
    plan(NOW)
    plan(at_ny(2026, 11, 25, 9))
    assert due(alice, "phq9") == [("phq9", dt.date(2026, 11, 18))]
    plan(at_ny(2026, 12, 2, 0, 30))  # 18 Nov's closed at midnight 2 Dec: 2 Dec's is made
    assert due(alice, "phq9") == [("phq9", dt.date(2026, 11, 18)), ("phq9", dt.date(2026, 12, 2))]


def test_closed_and_deactivated_accounts_get_no_questionnaires(program, alice):
    bob = person(program, "bob", NOW)
    cy = person(program, "cy", NOW)
    Participant.objects.filter(pk=bob.pk).update(closed_at=NOW)
    cy.user.is_active = False
    cy.user.save()
    plan(NOW)
    assert due(bob) == due(cy) == []
    assert len(due(alice)) == 2


def test_planning_makes_a_fixed_number_of_queries_whatever_the_number_of_people(program):
    def queries_for(count, offset):
        made = [person(program, f"p{offset + n}", NOW) for n in range(count)]
        Questionnaire.objects.all().delete()
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
            measures.plan_questionnaires(participants=made)
        assert Questionnaire.objects.count() == 2 * count
        return len(captured)

    assert queries_for(3, 0) == queries_for(30, 100)


def test_the_beat_plans_questionnaires_every_hour():
    entry = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}["tracker.tasks.plan_questionnaires"]
    assert entry["schedule"] == 3600.0


# ---------------------------------------------------------------------------------------------
# Reminders


def test_questionnaires_due_together_are_reminded_once_at_the_check_in_time_in_neutral_words(program, alice):
    confirm_bam(program)
    reminders_only(alice, checkin_reminder_at=dt.time(19, 30))
    plan(NOW)
    assert Questionnaire.objects.filter(participant=alice).count() == 3
    run_ticks(NOW, NOW + dt.timedelta(days=4), every=dt.timedelta(minutes=30))
    # One reminder for the three (the PHQ-9's, first in order), at 19:30 on their first day.
    (delivery,) = Delivery.objects.filter(reminder__kind="questionnaire")
    assert delivery.due_at.astimezone(NY).replace(tzinfo=None) == dt.datetime(2026, 11, 18, 19, 30)
    phq = Questionnaire.objects.get(participant=alice, instrument="phq9")
    assert delivery.reminder.questionnaire == phq
    payload = reminders.payload_for(delivery)
    assert payload["title"] == "Steady"
    assert payload["body"] == "A 2-minute check on how you've been"
    assert payload["url"] == f"/questionnaires/{phq.pk}/"
    words = f"{payload['title']} {payload['body']} {reminders.EMAIL_SUBJECT}".casefold()
    for definition in instruments.VERSIONS:
        for name in (definition.name, definition.title, definition.key):
            assert name.casefold() not in words
    for clinical in ("depress", "anxi", "alcohol", "drug", "mood", "questionnaire", "addiction"):
        assert clinical not in words


def test_a_questionnaire_planned_later_that_day_adds_no_second_reminder(program, alice):
    reminders_only(alice, checkin_reminder_at=dt.time(20))
    plan(NOW)  # the PHQ-9 and GAD-7 share 20:00
    confirm_bam(program)
    plan(NOW + dt.timedelta(hours=1))  # the BAM turned on at 13:00: due today too
    assert Questionnaire.objects.filter(participant=alice).count() == 3
    run_ticks(at_ny(2026, 11, 18, 20), at_ny(2026, 11, 18, 20))
    assert Delivery.objects.filter(reminder__kind="questionnaire").count() == 1
    # After it fired, another planning or a settings change the same day makes none either.
    with time_machine.travel(at_ny(2026, 11, 18, 21), tick=False):
        reminders_only(alice, checkin_reminder_at=dt.time(22))
    plan(at_ny(2026, 11, 18, 21))
    run_ticks(at_ny(2026, 11, 18, 21), at_ny(2026, 11, 21, 0), every=dt.timedelta(hours=1))
    assert Delivery.objects.filter(reminder__kind="questionnaire").count() == 1


def test_the_reminder_is_at_ten_when_the_check_in_reminder_is_off(program, alice):
    reminders_only(alice)
    plan(NOW - dt.timedelta(hours=3))  # 09:00 in New York
    assert {r.next_due_at for r in Reminder.objects.filter(kind="questionnaire")} == {at_ny(2026, 11, 18, 10)}


def test_a_reminder_in_quiet_hours_waits_for_their_end(program, alice):
    reminders_only(alice, checkin_reminder_at=dt.time(21), quiet_start=dt.time(20), quiet_end=dt.time(8))
    plan(NOW)
    assert {r.next_due_at for r in Reminder.objects.filter(kind="questionnaire")} == {at_ny(2026, 11, 19, 8)}


def test_planned_after_that_days_reminder_time_it_is_reminded_the_next_day_of_its_window(program, alice):
    reminders_only(alice, checkin_reminder_at=dt.time(9))
    plan(NOW)  # noon: 09:00 today has passed
    assert {r.next_due_at for r in Reminder.objects.filter(kind="questionnaire")} == {at_ny(2026, 11, 19, 9)}
    # With a one-day window there is no later moment: no reminder at all.
    program.questionnaire_window_days = 1
    program.save()
    bob = person(program, "bob", NOW)
    reminders_only(bob, checkin_reminder_at=dt.time(9))
    plan(NOW)
    assert not Reminder.objects.filter(participant=bob, kind="questionnaire").exists()
    assert len(due(bob)) == 2


def test_a_questionnaire_done_before_its_reminder_is_never_reminded(program, alice):
    plan(NOW)
    Questionnaire.objects.filter(participant=alice, instrument="phq9").update(status="done", completed_at=NOW)
    plan(NOW + dt.timedelta(hours=1))  # the hourly planning withdraws it
    phq = Reminder.objects.get(questionnaire__instrument="phq9")
    assert not phq.enabled and phq.next_due_at is None
    run_ticks(NOW, NOW + dt.timedelta(days=1), every=dt.timedelta(hours=1))
    assert list(Delivery.objects.values_list("reminder__questionnaire__instrument", flat=True)) == ["gad7"]


def test_a_questionnaire_done_between_the_tick_and_the_send_is_not_sent(program, alice):
    plan(NOW)
    run_ticks(at_ny(2026, 11, 18, 20), at_ny(2026, 11, 18, 20))
    delivery = Delivery.objects.get(reminder__questionnaire__instrument="phq9")
    Questionnaire.objects.filter(pk=delivery.reminder.questionnaire_id).update(status="done")
    with time_machine.travel(at_ny(2026, 11, 18, 20), tick=False):
        assert reminders.delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.sent_at is None and "questionnaire" in delivery.error


def test_the_withdraw_call_for_a_done_questionnaire_hands_a_shared_reminder_to_the_one_still_open(program, alice):
    plan(NOW)
    phq = Questionnaire.objects.get(participant=alice, instrument="phq9")
    assert list(Reminder.objects.filter(kind="questionnaire").values_list("questionnaire__instrument", flat=True)) \
        == ["phq9"]
    Questionnaire.objects.filter(pk=phq.pk).update(status="done")
    assert reminders.questionnaire_reminders_withdraw(questionnaires=[phq.pk], now=NOW) == 1
    assert list(Reminder.objects.filter(kind="questionnaire", enabled=True)
                .values_list("questionnaire__instrument", "next_due_at")) == [("gad7", at_ny(2026, 11, 18, 20))]
    assert not Reminder.objects.get(questionnaire=phq).enabled


def test_a_missed_questionnaire_is_not_reminded_and_its_reminder_stays_listed(program, alice):
    plan(NOW)  # reminders at 20:00 today
    # The ticks stopped (Steady was down) until after the window closed: planning marks both missed
    # and withdraws their reminders, so the tick records nothing for them when it comes back.
    plan(at_ny(2026, 11, 21, 0))
    assert due(alice, status="missed") == due(alice)
    assert Reminder.objects.filter(kind="questionnaire").count() == 1  # shared by both
    assert not Reminder.objects.filter(kind="questionnaire", enabled=True).exists()
    run_ticks(at_ny(2026, 11, 21, 0), at_ny(2026, 11, 21, 1))
    assert not Delivery.objects.exists()


def test_a_new_check_in_time_moves_a_reminder_still_to_come_but_never_repeats_one(program, alice):
    reminders_only(alice, checkin_reminder_at=dt.time(20))
    plan(NOW)
    with time_machine.travel(NOW, tick=False):
        reminders_only(alice, checkin_reminder_at=dt.time(18))
    assert [r.next_due_at for r in Reminder.objects.filter(kind="questionnaire")] == [at_ny(2026, 11, 18, 18)]
    run_ticks(at_ny(2026, 11, 18, 18), at_ny(2026, 11, 18, 18, 30))
    fired = list(Delivery.objects.filter(reminder__kind="questionnaire").values_list("pk", "reminder_id", "due_at"))
    assert [due_at for *_, due_at in fired] == [at_ny(2026, 11, 18, 18)]
    with time_machine.travel(at_ny(2026, 11, 18, 19), tick=False):
        reminders_only(alice, checkin_reminder_at=dt.time(21))  # later today
    with time_machine.travel(at_ny(2026, 11, 18, 19, 5), tick=False):
        reminders_only(alice, checkin_reminder_at=dt.time(17))  # passed today: would be tomorrow
    run_ticks(at_ny(2026, 11, 18, 19), at_ny(2026, 11, 20, 23))
    # The same delivery of the same reminder, and no more: a settings change neither repeats it
    # nor removes it (with what was sent) as a reminder it does not know.
    assert list(Delivery.objects.filter(reminder__kind="questionnaire").values_list("pk", "reminder_id", "due_at")) \
        == fired
