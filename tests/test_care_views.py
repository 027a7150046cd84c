"""The counselor's view of one person: chart data against hand-worked values, the weekly
summary, the export with its Part 2 notice, goals and tasks written by the counselor, private
notes kept private, and a caseload page whose queries do not grow with the caseload."""

import csv
import datetime as dt
import io
import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people import NOW, make_user
from signin import verified_login
from signin import current_code, totp_device
from tracker import care, exports, reminders, services
from tracker.models import AuditEvent, Delivery, FlagAcknowledgement, Goal, Participant, Reminder, Task

NY = dt.timezone(dt.timedelta(hours=-5))  # New York in November (EST)


@pytest.fixture
def week(alice, now):
    """Two nights and three urges, hand-worked:

    17 Nov: bed 22:00, asleep after 30 min, 30 min awake, woke 06:00, up 06:30:
            in bed 510 min, asleep 480 - 30 - 30 = 420 min (7 h), efficiency 420/510 = 82.35%
    18 Nov: bed 23:00, woke 07:00 (quick): 480 min (8 h), 100%
    Urges: Tue 17 Nov 21:00 (8/10, 30 min, stress, a setback), Tue 17 Nov 23:30 (4/10, 20 min,
    no trigger; 04:30 UTC on the 18th but the 17th in New York), Wed 18 Nov 09:00 (6/10, 10 min,
    stress + lonely, called someone, passed).
    """
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": dt.date(2026, 11, 17), "in_bed_at": dt.time(22), "tried_sleep_at": dt.time(22), "sleep_latency_min": 30,
        "awakenings": 1, "awake_min": 30, "final_wake_at": dt.time(6), "out_of_bed_at": dt.time(6, 30),
        "sleep_quality": 2, "stress": 7, "small_win": "Went to group", "note": "PRIVATE-MARKER-1", "note_private": True})
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": dt.date(2026, 11, 18), "in_bed_at": dt.time(23), "final_wake_at": dt.time(7), "sleep_quality": 4,
        "stress": 3, "note": "Shared with Carol"})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, 17, 21, tzinfo=NY), "intensity": 8, "duration_min": 30,
        "triggers": ["stress"], "outcome": "used", "note": "PRIVATE-MARKER-2", "note_private": True})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, 17, 23, 30, tzinfo=NY), "intensity": 4, "duration_min": 20})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, 18, 9, tzinfo=NY), "intensity": 6, "duration_min": 10,
        "triggers": ["stress", "lonely"], "helped": ["called"], "outcome": "passed"})
    return alice


def test_thirty_days_day_by_day(week):
    view = care.overview(participant=week, period=30)
    data = view.data
    assert len(data["labels"]) == 30 and data["labels"][-2:] == ["17 Nov", "18 Nov"]
    assert data["sleep_hours"][-2:] == [7.0, 8.0] and data["sleep_hours"][:-2] == [None] * 28
    assert data["sleep_efficiency"][-2:] == [82.35, 100.0]
    assert data["sleep_quality"][-2:] == [2, 4]
    assert data["stress"][-2:] == [7, 3]
    assert data["urges"][-2:] == [2, 1] and sum(data["urges"]) == 3
    assert data["urge_intensity"][-2:] == [6.0, 6.0]
    assert data["urge_minutes"][-2:] == [25.0, 10.0]
    # Weeks Monday to Sunday; the last runs Mon 16 to Wed 18 Nov: 2 check-ins in 3 days.
    assert data["adherence_labels"][-1] == "Week of 16 Nov" and data["adherence"][-1] == 66.7
    assert data["adherence"][:-1] == [0.0] * (len(data["adherence"]) - 1)
    assert view.triggers == [("Stress", 2, 2 / 3), ("Lonely", 1, 1 / 3)]
    assert [(h.key, h.uses, h.passed) for h in view.figures.helpers_unranked] == [("called", 1, 1)]
    assert view.heat[1][21] == 1 and view.heat[1][23] == 1 and view.heat[2][9] == 1
    assert sum(map(sum, view.heat)) == 3
    assert view.busiest() == [("Wednesday", 9, 1), ("Tuesday", 23, 1), ("Tuesday", 21, 1)]


def test_a_year_week_by_week(week):
    data = care.overview(participant=week, period=365).data
    assert len(data["labels"]) == 53 and data["labels"][-1] == "Week of 16 Nov"
    assert data["sleep_hours"][-1] == 7.5
    assert data["sleep_efficiency"][-1] == pytest.approx(91.175, abs=0.006)   # (82.35 + 100) / 2, to 2 places
    assert data["urges"][-1] == 3 and data["urge_intensity"][-1] == 6.0 and data["urge_minutes"][-1] == 20.0
    assert data["sleep_hours"][:-1] == [None] * 52


def test_reminder_engagement(week):
    reminders.reminders_sync(participant=week)
    reminder = Reminder.objects.filter(participant=week).first()
    for hours, status, opened in ((1, "sent", True), (25, "sent", False), (49, "missed", False),
                                  (73, "failed", False), (97, "unknown", False), (24 * 40, "sent", True)):
        Delivery.objects.create(reminder=reminder, due_at=NOW - dt.timedelta(hours=hours), status=status,
                                opened_at=NOW if opened else None)
    assert care.overview(participant=week, period=30).engagement == {
        "sent": 2, "opened": 1, "missed": 1, "failed": 1, "unknown": 1, "skipped": 0, "open_rate": 0.5}
    assert care.overview(participant=week, period=90).engagement["sent"] == 3


def test_the_page_draws_what_the_numbers_say(week, carol_client):
    page = carol_client.get(f"/care/participants/{week.pk}/?days=365").content.decode()
    assert "Week of 16 Nov</th><td>7.5 h" in page
    assert "Week of 16 Nov</th><td>3<" in page
    assert "Busiest: Wednesday 09:00 (1), Tuesday 23:00 (1), Tuesday 21:00 (1)" in page
    assert "Stress: 2 urges (67%)" in page
    assert 'role="img"' in page and "<desc" in page and "Show the numbers" in page


def test_the_weekly_summary(week, carol_client):
    summary = care.week_summary(participant=week, monday=dt.date(2026, 11, 16))
    assert [d.strongest for d in summary.days[:3]] == [None, 8, 6]
    assert len(summary.setbacks) == 1 and summary.wins == [(dt.date(2026, 11, 17), "Went to group")]
    assert care.default_week(week) == dt.date(2026, 11, 16)            # a Wednesday: this week
    page = carol_client.get(f"/care/participants/{week.pk}/summary/").content.decode()
    assert "Week of Mon 16 Nov to Sun 22 Nov 2026" in page and "1 setback" in page
    assert "2 of 7 days checked in" in page and "3 urges, 6.0/10 on average, 20 min long" in page
    earlier = carol_client.get(f"/care/participants/{week.pk}/summary/", {"week": "2026-11-12"}).content.decode()
    assert "Week of Mon 9 Nov to Sun 15 Nov 2026" in earlier and "0 of 7 days checked in" in earlier
    api = carol_client.get(f"/api/v1/care/participants/{week.pk}/summary/", {"week": "2026-11-18"}).json()
    assert api["week_start"] == "2026-11-16" and [d["urges"] for d in api["days"][:3]] == [0, 2, 1]
    assert carol_client.get(f"/api/v1/care/participants/{week.pk}/summary/", {"week": "18/11"}).status_code == 400


def test_private_notes_never_reach_the_care_team(week, carol_client):
    pid = week.pk
    seen = "".join(
        b"".join(r.streaming_content).decode() if r.streaming else r.content.decode()
        for r in (carol_client.get(url) for url in (
            f"/care/participants/{pid}/", f"/care/participants/{pid}/summary/", f"/care/participants/{pid}/wins/",
            f"/care/participants/{pid}/export.csv", f"/care/participants/{pid}/export.json",
            f"/api/v1/care/participants/{pid}/checkins/", f"/api/v1/care/participants/{pid}/urges/",
            f"/api/v1/care/participants/{pid}/summary/", f"/api/v1/care/participants/{pid}/export/")))
    assert "PRIVATE-MARKER" not in seen
    assert "Shared with Carol" in seen
    # The participant still has her own notes.
    own = Client()
    own.force_login(week.user)
    assert "PRIVATE-MARKER-1" in own.get("/api/v1/checkins/").content.decode()


def test_the_export_carries_the_notice_and_every_record(week, bob, carol_client):
    services.checkin_put(participant=bob, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 18), "stress": 1})
    goal = services.goal_put(participant=week, id=uuid.uuid4(), actor=week.user, data={"title": "Walk"}).entry
    services.task_put(participant=week, id=uuid.uuid4(), actor=week.user, data={"title": "Mon walk", "goal": goal})
    services.safety_plan_save(participant=week, id=uuid.uuid4(), author=week.user, data={
        "helpers": [{"name": "Ana", "phone": "555-0101"}]})
    services.reflection_put(participant=week, id=uuid.uuid4(), data={
        "week_start": dt.date(2026, 11, 16), "wins": ["Went to group"], "hard": "Evenings", "focus": "Sleep by eleven"})
    services.weekend_plan_put(participant=week, id=uuid.uuid4(), data={
        "weekend_of": dt.date(2026, 11, 20), "saturday": "Football, then groceries", "who_to_call": "Ana"})
    services.high_risk_time_put(participant=week, id=uuid.uuid4(), data={
        "label": "After work", "weekdays": [4], "start_time": dt.time(17), "end_time": dt.time(19)})
    services.talk_request_put(participant=week, id=uuid.uuid4(), data={"source": "today"})
    services.reflection_put(participant=bob, id=uuid.uuid4(), data={"week_start": dt.date(2026, 11, 16), "hard": "Bob's"})

    data = carol_client.get(f"/care/participants/{week.pk}/export.json").json()
    assert data["notice"] == exports.PART2_NOTICE and "42 CFR part 2" in data["notice"] and "42 CFR parte 2" in data["notice"]
    counts = {kind: len(rows) for kind, rows in data["records"].items()}
    assert counts == {"checkin": 2, "urge": 3, "reflection": 1, "weekend_plan": 1, "safety_plan_version": 1,
                      "goal": 1, "task": 1, "high_risk_time": 1, "talk_request": 1,
                      "absence_notice": 0, "medication": 0, "attendance": 0, "questionnaire": 0,
                      "questionnaire_response": 0,
                      # Issue 18: the open episode (one level of care so far); nothing reviewed or after it yet.
                      "episode": 1, "level_change": 1, "plan_review": 0, "goal_review": 0, "aftercare_plan": 0,
                      "checkup": 0, "checkup_answer": 0}
    assert {row["date"] for row in data["records"]["checkin"]} == {"2026-11-17", "2026-11-18"}   # none of bob's
    reflection, = data["records"]["reflection"]
    assert (reflection["week_start"], reflection["wins"], reflection["hard"], reflection["focus"]) == (
        "2026-11-16", ["Went to group"], "Evenings", "Sleep by eleven")
    plan, = data["records"]["weekend_plan"]
    assert (plan["weekend_of"], plan["saturday"], plan["who_to_call"]) == ("2026-11-20", "Football, then groceries", "Ana")
    window, = data["records"]["high_risk_time"]
    assert (window["label"], window["weekdays"], window["start_time"], window["end_time"]) == (
        "After work", [4], "17:00:00", "19:00:00")

    response = carol_client.get(f"/care/participants/{week.pk}/export.csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["notice", "", ""] and rows[0][3] == exports.PART2_NOTICE
    records = {(kind, rid) for kind, rid, _, _ in rows[rows.index(["record_type", "record_id", "field", "value"]) + 1:]}
    assert len(records) == 2 + 3 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2  # + the episode and its first level (issue 18)
    assert {kind for kind, _ in records} == {"checkin", "urge", "reflection", "weekend_plan", "safety_plan_version",
                                             "goal", "task", "high_risk_time", "talk_request", "episode",
                                             "level_change"}
    assert ["reflection", reflection["id"], "hard", "Evenings"] in rows
    assert ["weekend_plan", plan["id"], "saturday", "Football, then groceries"] in rows
    assert ["high_risk_time", window["id"], "label", "After work"] in rows
    assert ["safety_plan_version", str(week.safety_plan_versions.get().pk), "helpers",
            json.dumps([{"name": "Ana", "phone": "555-0101"}])] in rows
    assert list(AuditEvent.objects.values_list("action", "resource")) == [("export", "export"), ("export", "export")]
    api = carol_client.get(f"/api/v1/care/participants/{week.pk}/export/").json()
    assert api["notice"] == exports.PART2_NOTICE and len(api["records"]["urge"]) == 3


def test_a_counselor_writes_goals_and_tasks_on_pages(alice, carol, carol_client, now):
    base = f"/care/participants/{alice.pk}"
    form = carol_client.get(f"{base}/goal/").content.decode()
    goal_id = form.split('name="id" value="')[1].split('"')[0]
    # Bad input: the message beside the field, the typed text kept, nothing saved, one read row.
    bad = carol_client.post(f"{base}/goal/", {"id": goal_id, "title": "", "why": "Mornings matter", "status": "active"})
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    assert "Mornings matter" in bad.content.decode() and not Goal.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["read", "read"]

    saved = carol_client.post(f"{base}/goal/", {"id": goal_id, "title": "Morning routine", "why": "", "status": "active"})
    assert saved.status_code == 302 and saved["Location"] == f"{base}/goals/"
    goal = Goal.objects.get(pk=goal_id)
    assert goal.participant == alice and goal.created_by == carol.user
    carol_client.post(f"{base}/task/", {"id": str(uuid.uuid4()), "title": "Alarm at 7", "goal": goal_id})
    task = Task.objects.get()
    carol_client.post(f"{base}/task/{task.pk}/done/", {"done": "1"})
    carol_client.post(f"{base}/goal/{goal_id}/", {"title": "Morning routine", "status": "closed"})
    goal.refresh_from_db()
    task.refresh_from_db()
    assert goal.status == "closed" and task.done and task.goal == goal
    writes = AuditEvent.objects.filter(action="write").values_list("resource", "object_id")
    assert list(writes.order_by("pk")) == [("goals", goal_id), ("tasks", str(task.pk)), ("tasks", str(task.pk)),
                                           ("goals", goal_id)]
    assert "Alarm at 7" in carol_client.get(f"{base}/goals/").content.decode()
    # The participant sees it on her own page.
    own = Client()
    own.force_login(alice.user)
    assert "Morning routine" in own.get("/tasks/").content.decode()


def test_plans_show_the_safety_plan_versions_and_weekend_reviews(alice, carol_client, now):
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["My kids"]})
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "reasons": ["My kids"], "warning_signs": ["Skipping meals"]})
    plan = services.weekend_plan_put(participant=alice, id=uuid.uuid4(), data={
        "weekend_of": dt.date(2026, 11, 13), "saturday": "Football", "how_it_went": "harder",
        "review_note": "Saturday night was long"}).entry
    page = carol_client.get(f"/care/participants/{alice.pk}/plans/").content.decode()
    assert "version 2" in page and "Version 1" in page
    assert '<span class="plan-changes__section">Warning signs</span>' in page
    assert '<span class="plan-change__word">Added:</span> <ins>Skipping meals</ins>' in page
    assert "Harder than I expected: Saturday night was long" in page and "Football" in page
    old = carol_client.get(f"/care/participants/{alice.pk}/safety-plan/1/").content.decode()
    assert "Skipping meals" not in old and "My kids" in old
    assert carol_client.get(f"/care/participants/{alice.pk}/safety-plan/3/").status_code == 404
    api = carol_client.get(f"/api/v1/care/participants/{alice.pk}/weekend-plans/").json()
    assert [p["id"] for p in api["results"]] == [str(plan.pk)]


def test_a_counselor_lands_on_the_caseload(carol, client):
    device = totp_device(carol.user)
    client.post("/signin/", {"username": "carol", "password": "carol-password-1"})
    assert client.get("/").url == "/account/2fa/?next=%2F"
    response = client.post("/account/2fa/", {"code": current_code(device), "next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/care/"


def caseload_of(size, program, counselor):
    for n in range(size):
        p = Participant.objects.create(user=make_user(f"p{size}-{n}"), program=program,
                                       time_zone=("America/New_York", "America/Los_Angeles", "Europe/Berlin")[n % 3])
        p.care_team.add(counselor)
        for day in range(3):
            services.checkin_put(participant=p, id=uuid.uuid4(), data={
                "date": dt.date(2026, 11, 15 + day), "in_bed_at": dt.time(23), "final_wake_at": dt.time(6)})
        services.urge_put(participant=p, id=uuid.uuid4(), data={
            "occurred_at": NOW - dt.timedelta(hours=n % 50 + 1), "intensity": 5 + n % 5, "outcome": "used" if n % 7 == 0 else ""})
        if n % 2:
            services.safety_plan_save(participant=p, id=uuid.uuid4(), author=p.user, data={"reasons": ["x"]})
        services.weekend_plan_put(participant=p, id=uuid.uuid4(), data={"weekend_of": dt.date(2026, 11, 20)})
        if n % 5 == 0:  # issue 17: a risky answer on a questionnaire
            services.safety_answer_put(participant=p, id=uuid.uuid4(), data={
                "response_id": uuid.uuid4(), "instrument": "phq9", "version": "1", "item": "9", "value": 1 + n % 3,
                "answered_at": NOW - dt.timedelta(hours=n % 30)})


def test_the_caseload_page_reads_in_a_fixed_number_of_queries(program, now):
    from tracker.models import Counselor

    counts = {}
    for size in (5, 50):
        counselor = Counselor.objects.create(user=make_user(f"c{size}"), program=program)
        caseload_of(size, program, counselor)
        client = Client()
        verified_login(client, counselor.user)
        client.get("/care/")   # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/care/")
        assert response.status_code == 200 and response.content.decode().count('class="case card"') == size
        counts[size] = len(queries)
    assert counts[5] == counts[50], counts
    # 20 before issue 16; +1 for "I used" notices (setbacks), +1 for the group absences, +2 for each person's next group;
    # issue 17: +2 for the latest questionnaire scores and the questionnaires missed, +1 for complete
    # BAMs with use (medications are read only when a check-in says "No"), +1 for the newest safety answers.
    assert counts[50] <= 28, counts


def test_the_trends_page_reads_in_a_fixed_number_of_queries(program, carol, now):
    """More entries, acknowledgements and plan versions do not mean more queries: each table is
    read once or a fixed number of times for the page (issue 20). The acknowledgements read for
    the flags are the ones the charts mark, not read again."""
    counts = {}
    for size in (2, 20):
        p = Participant.objects.create(user=make_user(f"t{size}"), program=program, time_zone="America/New_York")
        p.care_team.add(carol)
        for n in range(size):
            services.checkin_put(participant=p, id=uuid.uuid4(), data={
                "date": dt.date(2026, 11, 18) - dt.timedelta(days=n), "in_bed_at": dt.time(23),
                "final_wake_at": dt.time(6), "small_win": f"win {n}"})
            services.urge_put(participant=p, id=uuid.uuid4(), data={
                "occurred_at": NOW - dt.timedelta(hours=7 * n + 1), "intensity": 3 + n % 7,
                "outcome": "used" if n % 3 == 0 else ""})
            services.safety_plan_save(participant=p, id=uuid.uuid4(), author=p.user, data={"reasons": [f"r{n}"]})
            FlagAcknowledgement.objects.create(participant=p, flag="no_checkin", evidence=f"last:{n}", counselor=carol,
                                               created_at=NOW - dt.timedelta(days=n))
        client = verified_login(Client(), carol.user)
        client.get(f"/care/participants/{p.pk}/")   # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/care/participants/{p.pk}/")
        assert response.status_code == 200
        counts[size] = len(queries)
    assert counts[2] == counts[20], counts
    # 42 before the second pass of issue 20, which reads the acknowledgements once (the flags' are
    # the charts'); this person has no episode, so the open episode shared with the group week saves nothing here.
    assert counts[20] <= 41, counts


def test_the_trends_page_marks_the_acknowledgements_of_its_period_only(alice, carol, now):
    """The acknowledgements come from the flags' read (tracker.triage.Row), all of them: the page
    keeps those of its period. Hand-worked: 30 days to Wed 18 Nov in New York start on Tue 20 Oct;
    one on 10 Nov (in), one on 10 Oct (before the period, not marked)."""
    alice.care_team.add(carol)
    FlagAcknowledgement.objects.create(participant=alice, flag="sleep", evidence="to:a", counselor=carol,
                                       created_at=dt.datetime(2026, 11, 10, 15, tzinfo=dt.UTC))
    FlagAcknowledgement.objects.create(participant=alice, flag="rising", evidence="to:b", counselor=carol,
                                       created_at=dt.datetime(2026, 10, 10, 15, tzinfo=dt.UTC))
    page = verified_login(Client(), carol.user).get(f"/care/participants/{alice.pk}/").content.decode()
    assert "Tue 10 Nov: Flag acknowledged (Poor sleep)" in page
    assert "Urges getting stronger)" not in page and "10 Oct:" not in page
