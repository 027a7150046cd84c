import uuid

from django.core.management import call_command
from django.db.models import Count

from tracker import services
from tracker.management.commands import _demo_history
from tracker.models import (
    AbsenceNotice,
    AftercarePlan,
    Attendance,
    CheckIn,
    Counselor,
    Episode,
    Group,
    GroupMembership,
    GroupSession,
    LevelChange,
    Participant,
    Program,
    Questionnaire,
    QuestionnaireResponse,
    Urge,
    WeeklyReflection,
)

MODELS = (Program, Counselor, Participant, CheckIn, Urge, WeeklyReflection, Group, GroupMembership, GroupSession,
          Attendance, AbsenceNotice, Episode, LevelChange, AftercarePlan, Questionnaire, QuestionnaireResponse)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_loader_runs_twice_without_duplicating_anything(db, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    # the story's three, the group members, and the past year's people
    assert first["Participant"] == 3 + 21 + _demo_history.PAST_PEOPLE and first["Counselor"] == 1
    assert first["CheckIn"] > 3 * 45  # most of 60 days
    assert "password: steady-demo" in capsys.readouterr().out


def test_the_demo_tells_the_story_the_readme_promises(db):
    call_command("seed_demo")
    sam = Participant.objects.get(user__username="sam")
    setbacks = Urge.objects.filter(participant=sam, outcome=Urge.Outcome.USED)
    assert setbacks.count() == 1
    for participant in Participant.objects.filter(user__username__in=["alex", "sam", "jordan"]):
        urges = list(Urge.objects.filter(participant=participant).order_by("occurred_at"))
        checkins = list(CheckIn.objects.filter(participant=participant).order_by("date"))
        early, late = urges[: len(urges) // 3], urges[-len(urges) // 3:]
        # Urges fade: weaker and shorter at the end than at the start.
        assert sum(u.intensity for u in late) / len(late) < sum(u.intensity for u in early) / len(early)
        assert sum(u.duration_min for u in late) / len(late) < sum(u.duration_min for u in early) / len(early)
        # Sleep improves.
        first, last = checkins[:15], checkins[-15:]
        assert sum(c.sleep_efficiency for c in last) > sum(c.sleep_efficiency for c in first)
        assert any(c.small_win for c in checkins)


def test_a_second_run_adds_what_is_missing_and_never_changes_what_is_there(db, capsys):
    call_command("seed_demo")
    first = counts()
    sam = Participant.objects.get(user__username="sam")
    edited, deleted = CheckIn.objects.filter(participant=sam).order_by("-date")[:2]
    services.checkin_put(participant=sam, id=edited.pk, data={**edited.writable_values(), "small_win": "My own words"})
    deleted_id, gone_urge = deleted.pk, Urge.objects.filter(participant=sam).first()
    gone_urge_id = gone_urge.pk
    services.entry_delete(entry=deleted)  # deleted in the app: it leaves a tombstone
    services.entry_delete(entry=gone_urge)
    urge = Urge.objects.filter(participant=sam).last()
    services.urge_put(participant=sam, id=urge.pk, data={**urge.writable_values(), "intensity": 1, "note": "Mine"})
    sam.user.set_password("sams-own-password")
    sam.user.save()
    # Alex checks in today in the app (the demo has no check-in for Alex today), under a new id.
    alex = Participant.objects.get(user__username="alex")
    services.checkin_put(participant=alex, id=uuid.uuid4(), data={"date": alex.local_today(), "stress": 4})

    call_command("seed_demo")

    edited.refresh_from_db()
    assert edited.small_win == "My own words"
    urge.refresh_from_db()
    assert (urge.intensity, urge.note) == (1, "Mine")
    assert CheckIn.objects.filter(pk=deleted_id).exists() and Urge.objects.filter(pk=gone_urge_id).exists()
    sam.user.refresh_from_db()
    assert sam.user.check_password("sams-own-password")
    assert CheckIn.objects.get(participant=alex, date=alex.local_today()).stress == 4
    assert counts() == {**first, "CheckIn": first["CheckIn"] + 1}  # only Alex's own check-in is new

def test_the_demo_caseload_shows_a_mix_of_reminder_states(db):
    """Issue 15: recent successful deliveries and a phone for some, none for jordan: the caseload
    shows "Reminders not set up" (grey) for jordan only and "not reaching them" for nobody."""
    from tracker import episodes, push, triage
    from tracker.models import Delivery, PushSubscription

    call_command("seed_demo")
    call_command("seed_demo")
    rows = {row.participant.user.username: {flag.key for flag in row.flags}
            # The caseload as the page reads it: people in treatment (the past year's people are in aftercare).
            for row in triage.caseload(episodes.in_treatment(Counselor.objects.get().caseload).select_related("user"))}
    assert set(rows) == {"alex", "sam", "jordan"}
    assert all("reminders" not in keys for keys in rows.values()), rows
    assert {name for name, keys in rows.items() if "reminders_setup" in keys} == {"jordan"}
    for sub in PushSubscription.objects.all():
        assert push.endpoint_problem(sub.endpoint) is None
    sent = Delivery.objects.filter(status="sent", reminder__participant__user__username="alex")
    assert sent.count() == 7 and sent.filter(opened_at__isnull=False).exists()


def test_the_demo_program_runs_two_groups_with_eight_weeks_of_attendance(db):
    """Issue 16, item 8: an evening group (Mon/Wed/Thu 18:00-21:00) and a morning group
    (Tue/Thu/Fri 09:00-12:00) of twelve each, eight weeks of believable attendance with a few
    absences and notices, one person who missed the last two sessions, and next week planned."""
    import datetime as dt

    from django.utils import timezone

    from tracker.models import week_start
    call_command("seed_demo")
    program = Program.objects.get()
    zone = program.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    shapes = {g.name: (g.weekdays, g.start_time, g.length_min, g.memberships.filter(left_on__isnull=True).count())
              for g in Group.objects.all()}
    assert shapes == {"Evening group": ([0, 2, 3], dt.time(18), 180, 12), "Morning group": ([1, 3, 4], dt.time(9), 180, 12)}
    assert set(Group.objects.get(name="Evening group").memberships.values_list("participant__user__username", flat=True)) \
        >= {"alex", "sam", "jordan"}
    for group in Group.objects.all():
        # The current members joined eight weeks ago (the past year's people are in test_the_demo_has_a_past_year).
        eight_weeks = week_start(today) - dt.timedelta(weeks=8)
        members = group.memberships.filter(left_on__isnull=True).values("participant")
        held = group.sessions.filter(ends_at__lt=now, planned_for__gte=eight_weeks).order_by("starts_at")
        assert held.first().starts_at.astimezone(zone).date() <= eight_weeks + dt.timedelta(days=4)
        assert held.count() >= 8 * 3
        assert not Attendance.objects.filter(participant__in=members, session__planned_for__lt=eight_weeks).exists()
        marks = Attendance.objects.filter(session__in=held, participant__in=members)
        assert marks.count() == held.count() * 12  # everyone marked at every held session
        present = marks.filter(status__in=["present", "late", "left_early"]).count()
        assert 0.8 < present / marks.count() < 0.97  # believable: mostly there, a few absences
        # Next week's sessions are planned, at the group's local time.
        monday = week_start(today) + dt.timedelta(days=7)
        ahead = group.sessions.filter(planned_for__range=(monday, monday + dt.timedelta(days=6)))
        assert sorted(s.planned_for.weekday() for s in ahead) == group.weekdays
        assert {s.starts_at.astimezone(zone).time() for s in ahead} == {group.start_time}
    assert AbsenceNotice.objects.count() >= 4
    for notice in AbsenceNotice.objects.select_related("session"):
        assert notice.ahead and Attendance.objects.get(session=notice.session, participant=notice.participant).status == "excused"
    # One person drifting away: two misses in a row, at the last two sessions.
    drifting = [p for p in Participant.objects.filter(group_memberships__left_on__isnull=True)
                if list(Attendance.objects.filter(participant=p).order_by("-session__starts_at")
                        .values_list("status", flat=True)[:2]) == ["absent", "absent"]]
    assert [p.user.username for p in drifting] == ["devon"]


def test_the_demo_has_a_past_year_for_the_program_outcomes(db):
    """Issue 18: enough discharged episodes over the last year for the outcome figures (60 and
    more, over ten months and more, every kind of discharge), with roll marks only while each
    person was in care, questionnaires at admission and near discharge, aftercare plans, a few
    re-admissions."""
    import datetime as dt
    from collections import Counter

    from django.utils import timezone
    call_command("seed_demo")
    today = timezone.now().astimezone(Program.objects.get().zone).date()
    past = Episode.objects.filter(discharged_on__isnull=False)
    assert past.count() >= 60
    months = {(e.discharged_on.year, e.discharged_on.month) for e in past}
    assert len(months) >= 10 and min(e.admitted_on for e in past) >= today - dt.timedelta(days=400)
    kinds = Counter(past.values_list("discharge_type", flat=True))
    assert set(kinds) == set(Episode.Discharge.values)
    assert kinds["completed"] + kinds["stepped_down"] > past.count() / 2    # mostly completed or stepped down
    assert all(14 <= (e.discharged_on - e.admitted_on).days <= 16 * 7 for e in past)
    assert Episode.objects.filter(discharged_on__isnull=True).count() == 3 + 21   # everyone now in care: one open
    assert Participant.objects.annotate(n=Count("episodes")).filter(n__gt=1).count() >= 3  # re-admissions
    assert LevelChange.objects.filter(episode__in=past).count() > past.count()          # some changed level
    # Roll marks only on the days each person was in the group, inside their episode.
    spans = {}
    for episode in Episode.objects.all():
        spans.setdefault(episode.participant_id, []).append((episode.admitted_on, episode.discharged_on or today))
    marks = Attendance.objects.filter(participant__in=past.values("participant"))
    assert marks.count() > 1000
    for participant_id, day in marks.values_list("participant_id", "session__planned_for"):
        assert any(start <= day <= end for start, end in spans[participant_id]), (participant_id, day)
    statuses = Counter(marks.values_list("status", flat=True))
    assert {"present", "late", "absent", "excused"} <= set(statuses) and statuses["present"] > marks.count() / 2
    assert AbsenceNotice.objects.filter(participant__episodes__discharged_on__isnull=False).exists()
    # PHQ-9 and GAD-7 at admission and near discharge for most.
    with_both = 0
    for episode in past:
        days = set(QuestionnaireResponse.objects.filter(participant=episode.participant, complete=True,
                                                        instrument="phq9")
                   .values_list("questionnaire__due_on", flat=True))
        with_both += episode.admitted_on in days and any(
            episode.discharged_on - dt.timedelta(days=7) <= day <= episode.discharged_on for day in days)
    assert with_both > past.count() / 2
    plans = AftercarePlan.objects.all()
    assert {p.episode.discharge_type for p in plans} == {"completed", "stepped_down"}
    assert plans.count() == kinds["completed"] + kinds["stepped_down"] and plans.filter(checkups=True).exists()
    # A second run adds nothing: test_the_demo_loader_runs_twice_without_duplicating_anything counts these too.

