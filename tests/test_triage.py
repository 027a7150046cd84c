"""Caseload triage on constructed data: each flag fires exactly when it should (edges
included), the ranking, and acknowledgement. "now" is Wednesday 18 November 2026, 12:00 in
New York (alice's zone)."""

import datetime as dt
import uuid

import pytest
from django.test import Client

from people import NOW, make_user
from signin import verified_login
from tracker import reminders, services, triage
from tracker.models import AuditEvent, Delivery, FlagAcknowledgement, Participant, PushSubscription, Reminder

TODAY = dt.date(2026, 11, 18)


def checkin(p, day, *, bed=dt.time(22, 0), wake=dt.time(6, 0), awake_min=0):
    return services.checkin_put(participant=p, id=uuid.uuid4(), data={
        "date": day, "in_bed_at": bed, "tried_sleep_at": bed, "final_wake_at": wake, "out_of_bed_at": wake,
        "awake_min": awake_min, "sleep_latency_min": 0, "awakenings": 1 if awake_min else 0}).entry


def urge(p, at, intensity=5, outcome=""):
    return services.urge_put(participant=p, id=uuid.uuid4(), data={
        "occurred_at": at, "intensity": intensity, "outcome": outcome}).entry


def subscribe(p, failures=0):
    PushSubscription.objects.create(user=p.user, endpoint=f"https://push.example/{uuid.uuid4()}", p256dh="k",
                                    auth="a", failures=failures)


def calm(p):
    """Nothing to flag: checked in today, slept well, a phone for reminders, a safety plan."""
    checkin(p, TODAY)
    subscribe(p)
    services.safety_plan_save(participant=p, id=uuid.uuid4(), author=p.user, data={"reasons": ["My kids"]})
    return p


def flags(p):
    return {flag.key: flag for flag in triage.caseload([Participant.objects.get(pk=p.pk)])[0].flags}


@pytest.fixture
def person(alice, now):
    return calm(alice)


def test_a_calm_person_has_no_flags(person):
    assert flags(person) == {}


# -- no check-in


@pytest.mark.parametrize(("last", "flagged"), [(TODAY, False), (TODAY - dt.timedelta(days=1), False),
                                               (TODAY - dt.timedelta(days=2), True),
                                               (TODAY - dt.timedelta(days=9), True)])
def test_no_checkin_for_two_days(alice, now, last, flagged):
    subscribe(alice)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["x"]})
    checkin(alice, last)
    found = flags(alice)
    assert ("no_checkin" in found) is flagged
    if flagged:
        days = (TODAY - last).days
        assert found["no_checkin"].text.startswith(f"No check-in for {days} days")
        assert found["no_checkin"].evidence == f"last:{last.isoformat()}"


@pytest.mark.parametrize(("joined_days_ago", "flagged"), [(1, False), (2, True)])
def test_no_checkin_yet_counts_from_joining(alice, now, joined_days_ago, flagged):
    Participant.objects.filter(pk=alice.pk).update(created_at=NOW - dt.timedelta(days=joined_days_ago))
    assert ("no_checkin" in flags(alice)) is flagged


# -- a strong urge in the last 48 hours


@pytest.mark.parametrize(("age", "intensity", "flagged"), [
    (dt.timedelta(hours=48), 8, True),
    (dt.timedelta(hours=48, seconds=1), 8, False),
    (dt.timedelta(minutes=5), 7, False),
    (dt.timedelta(minutes=5), 10, True),
])
def test_strong_urge_in_48_hours(person, age, intensity, flagged):
    urge(person, NOW - age, intensity)
    found = flags(person)
    assert ("high_urge" in found) is flagged
    if flagged:
        assert f"Urge of {intensity}/10" in found["high_urge"].text


def test_the_threshold_is_a_setting(person, settings):
    urge(person, NOW - dt.timedelta(hours=1), 8)
    settings.TRIAGE_HIGH_URGE = 9
    assert "high_urge" not in flags(person)


# -- intensity rising: the last 7 days against the 21 before


def rising_data(p, recent, before):
    for n, value in enumerate(before):
        urge(p, NOW - dt.timedelta(days=8 + n), value)
    for n, value in enumerate(recent):
        urge(p, NOW - dt.timedelta(days=1 + n), value)


@pytest.mark.parametrize(("recent", "before", "flagged"), [
    ([6, 5], [4, 4, 4], True),      # 5.5 against 4.0: a rise of exactly 1.5
    ([5, 5], [4, 4, 4], False),     # a rise of 1.0
    ([7], [4, 4, 4], False),        # only one recent urge: too few to say
    ([7, 7], [4], False),           # only one earlier urge
])
def test_urge_intensity_rising(person, recent, before, flagged):
    rising_data(person, recent, before)
    found = flags(person)
    assert ("rising" in found) is flagged
    if flagged:
        assert "5.5/10 on average in the last 7 days, 4.0 in the 21 before" in found["rising"].text


def test_urges_older_than_28_days_are_not_the_baseline(person):
    rising_data(person, [6, 5], [])
    for n in range(3):
        urge(person, NOW - dt.timedelta(days=28, minutes=1 + n), 1)
    assert "rising" not in flags(person)


# -- use reported (it took over the older "setback" flag): an urge that ended in use, in the last 7 days
# (the other sources: tests/test_use_flags.py)


@pytest.mark.parametrize(("age", "flagged"), [(dt.timedelta(days=7), True), (dt.timedelta(days=7, minutes=1), False)])
def test_an_urge_that_ended_in_use_in_7_days(person, age, flagged):
    urge(person, NOW - age, 5, outcome="used")
    assert ("use" in flags(person)) is flagged


def test_an_urge_that_passed_is_not_use(person):
    urge(person, NOW - dt.timedelta(days=1), 5, outcome="passed")
    assert "use" not in flags(person)


# -- sleep over 7 days


@pytest.mark.parametrize(("nights", "wake", "awake_min", "expected"), [
    (3, dt.time(3, 59), 0, "5 h 59 min"),  # a minute under 6 hours: flagged
    (3, dt.time(4, 0), 0, None),          # exactly 6 hours: not
    (2, dt.time(2, 0), 0, None),          # too few nights to say
    (3, dt.time(6, 0), 101, "79%"),       # 379 of 480 minutes asleep: 79% efficiency
    (3, dt.time(6, 0), 96, None),         # 384 of 480: exactly 80%
])
def test_poor_sleep(alice, now, nights, wake, awake_min, expected):
    subscribe(alice)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["x"]})
    for n in range(nights):
        checkin(alice, TODAY - dt.timedelta(days=n), wake=wake, awake_min=awake_min)
    found = flags(alice)
    if expected is None:
        assert "sleep" not in found
    else:
        assert "sleep" in found
        suffix = " of time in bed asleep" if expected.endswith("%") else " a night"
        assert f"{expected}{suffix}" in found["sleep"].text


def test_nights_before_the_7_days_do_not_count(alice, now):
    subscribe(alice)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["x"]})
    checkin(alice, TODAY)
    for n in range(7, 10):
        checkin(alice, TODAY - dt.timedelta(days=n), wake=dt.time(1, 0))
    assert "sleep" not in flags(alice)


@pytest.mark.parametrize(("third_night_ago", "flagged"), [
    (6, True),   # the 7th night back is the window's first: three poor nights, flagged
    (7, False),  # the 8th night back is outside it: two poor nights are too few to say
])
def test_the_poor_sleep_window_is_exactly_7_nights(alice, now, third_night_ago, flagged):
    subscribe(alice)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["x"]})
    for n in (0, 1, third_night_ago):
        checkin(alice, TODAY - dt.timedelta(days=n), wake=dt.time(1, 0))  # 3 hours a night
    assert ("sleep" in flags(alice)) is flagged


# -- no weekend plan, Thursday to Sunday (the person's own days)


@pytest.mark.parametrize(("local_noon", "flagged"), [
    (dt.datetime(2026, 11, 18, 17, tzinfo=dt.UTC), False),  # Wednesday
    (dt.datetime(2026, 11, 19, 17, tzinfo=dt.UTC), True),   # Thursday
    (dt.datetime(2026, 11, 22, 17, tzinfo=dt.UTC), True),   # Sunday
    (dt.datetime(2026, 11, 23, 17, tzinfo=dt.UTC), False),  # Monday
    (dt.datetime(2026, 11, 19, 4, 30, tzinfo=dt.UTC), False),  # 23:30 Wednesday in New York (Thursday in UTC)
])
def test_no_weekend_plan_from_thursday(person, now, local_noon, flagged):
    now.move_to(local_noon)
    found = flags(person)
    assert ("weekend_plan" in found) is flagged


def test_a_weekend_plan_clears_the_flag(person, now):
    now.move_to(dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC))
    services.weekend_plan_put(participant=person, id=uuid.uuid4(), data={"weekend_of": dt.date(2026, 11, 20),
                                                                         "saturday": "Football"})
    assert "weekend_plan" not in flags(person)


# -- reminders not reaching them


def failed_deliveries(p, count, age=dt.timedelta(days=1)):
    reminders.reminders_sync(participant=p)
    reminder = Reminder.objects.filter(participant=p).first()
    for n in range(count):
        Delivery.objects.create(reminder=reminder, due_at=NOW - age - dt.timedelta(hours=n), status="failed")


def test_no_phone_for_reminders(alice, now):
    checkin(alice, TODAY)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["x"]})
    # Issue 15: no phone set up is a setup matter (grey), not "Reminders not reaching them".
    found = flags(alice)
    assert found["reminders_setup"].text == "No phone set up for notifications."
    assert found["reminders_setup"].severity == "setup"
    assert "reminders" not in found
    subscribe(alice, failures=5)  # REMINDER_MAX_ATTEMPTS failures in a row: not working
    found = flags(alice)
    assert found["reminders"].text == "The phone stopped accepting notifications."
    assert "reminders_setup" not in found
    subscribe(alice)
    assert "reminders" not in flags(alice)
    assert "reminders_setup" not in flags(alice)


def test_reminders_turned_off_is_a_setup_flag_not_a_failure(person):
    Participant.objects.filter(pk=person.pk).update(
        checkin_reminder_at=None, high_risk_lead_min=None, weekend_plan_reminder_at=None,
        weekend_review_reminder_at=None, task_reminder_at=None)
    found = flags(person)
    assert found["reminders_setup"].text == "Reminders are turned off."
    assert "reminders" not in found
    Participant.objects.filter(pk=person.pk).update(checkin_reminder_at=dt.time(20), remind_by_push=False,
                                                    remind_by_email=False)
    assert flags(person)["reminders_setup"].evidence == "off"
    Participant.objects.filter(pk=person.pk).update(remind_by_email=True)
    assert flags(person) == {}


def test_no_subscription_with_failures_is_setup_and_failing(alice, now):
    """No subscription: the setup chip, not the failing one; the failing one only once sends failed."""
    checkin(alice, TODAY)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["x"]})
    assert set(flags(alice)) == {"reminders_setup"}
    failed_deliveries(alice, 2)
    assert set(flags(alice)) == {"reminders_setup", "reminders"}


def test_unknown_outcomes_are_not_failures(person):
    reminders.reminders_sync(participant=person)
    reminder = Reminder.objects.filter(participant=person).first()
    for n in range(3):
        Delivery.objects.create(reminder=reminder, due_at=NOW - dt.timedelta(hours=n + 1), status="unknown")
    assert "reminders" not in flags(person)
    Delivery.objects.create(reminder=reminder, due_at=NOW - dt.timedelta(hours=5), status="failed")
    Delivery.objects.create(reminder=reminder, due_at=NOW - dt.timedelta(hours=6), status="failed")
    assert flags(person)["reminders"].text == "2 reminders failed in 7 days."


def test_flags_ordered_by_severity_then_weight(alice, now):
    """Setup below attention below urgent, whatever the weights; heavier first within a level."""
    Participant.objects.filter(pk=alice.pk).update(created_at=NOW - dt.timedelta(days=5))
    urge(alice, NOW - dt.timedelta(hours=2), intensity=9, outcome="used")
    keys = [flag.key for flag in triage.caseload([Participant.objects.get(pk=alice.pk)])[0].flags]
    assert keys == ["high_urge", "use", "no_checkin", "safety_plan", "reminders_setup"]
    levels = [triage.SEVERITY[key] for key in keys]
    assert levels == sorted(levels, key=triage.SEVERITY_ORDER.index)


def test_a_risky_answer_comes_before_every_other_flag(alice, now):
    """Issue 17: an answer above 0 to PHQ-9 item 9 outweighs even reported use and a strong urge."""
    Participant.objects.filter(pk=alice.pk).update(created_at=NOW - dt.timedelta(days=5))
    urge(alice, NOW - dt.timedelta(hours=2), intensity=9, outcome="used")
    services.safety_answer_put(participant=alice, id=uuid.uuid4(), data={
        "response_id": uuid.uuid4(), "instrument": "phq9", "version": "1", "item": "9", "value": 3,
        "answered_at": NOW - dt.timedelta(minutes=5)})
    (row,) = triage.caseload([Participant.objects.get(pk=alice.pk)])
    assert [flag.key for flag in row.flags][:3] == ["safety_answer", "high_urge", "use"]
    assert row.flags[0].text == "PHQ-9 item 9: “Nearly every day”, Wed 18 Nov, 16:55."


def test_every_flag_has_a_severity_and_label():
    assert set(triage.SEVERITY) == set(triage.WEIGHTS) == set(triage.LABELS)
    assert set(triage.SEVERITY.values()) == set(triage.SEVERITY_ORDER)
    assert triage.SEVERITY["high_urge"] == triage.SEVERITY["use"] == "urgent"
    assert triage.SEVERITY["reminders"] == "attention" and triage.SEVERITY["reminders_setup"] == "setup"


@pytest.mark.parametrize(("count", "age", "flagged"), [(1, dt.timedelta(days=1), False), (2, dt.timedelta(days=1), True),
                                                       (2, dt.timedelta(days=8), False)])
def test_failing_deliveries(person, count, age, flagged):
    failed_deliveries(person, count, age)
    found = flags(person)
    assert ("reminders" in found) is flagged
    if flagged:
        assert found["reminders"].text == "2 reminders failed in 7 days."


# -- safety plan


def test_empty_safety_plan(alice, now):
    checkin(alice, TODAY)
    subscribe(alice)
    assert flags(alice)["safety_plan"].text == "No safety plan written yet."
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": []})
    assert flags(alice)["safety_plan"].text == "Safety plan is empty."
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"warning_signs": ["Pacing"]})
    assert "safety_plan" not in flags(alice)


# -- ranking and acknowledgement


@pytest.fixture
def three(program, carol, now):
    people = []
    for name in ("ann", "ben", "cat"):
        p = Participant.objects.create(user=make_user(name), program=program, time_zone="America/New_York")
        p.care_team.add(carol)
        people.append(calm(p))
    ann, ben, cat = people
    urge(ann, NOW - dt.timedelta(hours=3), 9)                         # strong urge: weight 8
    ben.checkins.all().delete()                                       # ben: no check-in for 3 days, short nights
    for n in range(3, 6):
        checkin(ben, TODAY - dt.timedelta(days=n), wake=dt.time(2, 0))
    return ann, ben, cat


def order(carol):
    return [row.participant.user.username for row in triage.caseload(carol.caseload.all())]


def test_ranking_follows_need(three, carol):
    assert order(carol) == ["ann", "ben", "cat"]
    rows = {row.participant.user.username: row for row in triage.caseload(carol.caseload.all())}
    assert {f.key for f in rows["ben"].flags} == {"no_checkin", "sleep"}
    assert (rows["ann"].score, rows["ben"].score, rows["cat"].score) == (8, 5, 0)


def test_acknowledged_flags_rank_lower_until_something_new(three, carol):
    ann = three[0]
    client = Client()
    verified_login(client, carol.user)
    flag = flags(ann)["high_urge"]
    response = client.post(f"/care/participants/{ann.pk}/acknowledge/", {
        "flag": "high_urge", "evidence": flag.evidence, "note": "Called her, she is safe", "next": "/care/"})
    assert response.status_code == 302
    assert order(carol) == ["ben", "ann", "cat"]
    shown = flags(ann)["high_urge"]
    assert shown.acknowledgement.note == "Called her, she is safe" and shown.acknowledgement.counselor == carol
    page = client.get("/care/").content.decode()
    assert "Called her, she is safe" in page and "acknowledged" in page

    # Something new: another strong urge. The flag counts in full again.
    urge(ann, NOW - dt.timedelta(minutes=10), 8)
    assert flags(ann)["high_urge"].acknowledgement is None
    assert order(carol) == ["ann", "ben", "cat"]


def test_acknowledging_writes_its_audit_row_and_refuses_stale_evidence(three, carol):
    ann = three[0]
    client = Client()
    verified_login(client, carol.user)
    api = f"/api/v1/care/participants/{ann.pk}/acknowledgements/"
    stale = client.post(api, {"flag": "high_urge", "evidence": "at:2020-01-01T00:00:00+00:00"},
                        content_type="application/json")
    assert stale.status_code == 400 and "evidence" in stale.json()
    unknown = client.post(api, {"flag": "setback", "evidence": "x"}, content_type="application/json")
    assert unknown.status_code == 400 and "flag" in unknown.json()
    assert FlagAcknowledgement.objects.count() == 0
    assert not AuditEvent.objects.filter(action="write").exists()

    evidence = flags(ann)["high_urge"].evidence
    response = client.post(api, {"flag": "high_urge", "evidence": evidence, "note": "Texted"},
                           content_type="application/json")
    assert response.status_code == 201
    assert response.json()["acknowledged"] is True and response.json()["acknowledged_by"] == "Carol"
    writes = AuditEvent.objects.filter(action="write")
    assert [(w.resource, w.participant_id, w.object_id) for w in writes] == [("acknowledgement", ann.pk, "high_urge")]
