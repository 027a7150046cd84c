"""Today reads everything it shows in a fixed number of statements (issue 20, target 4), so a
new block on the page, or an old one reading a row twice, shows up here instead of in the timings."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from questionnaires import open_questionnaire, read_the_notice

from tracker import schedule
from tracker.models import AbsenceNotice, Attendance, CheckIn, Group, GroupMembership, GroupSession, Task, WeekendPlan

UTC = dt.UTC

# The signed-in person (the session, then the person in one query; no second factor here): 2. Today:
# the week's check-ins, the reflection, both weekend plans (1), the urge count, the tasks due,
# the program, the memberships (once), the next sessions, the week's attendance, the open episode
# (for the hours' target and aftercare), the recent missed sessions, the notice for the next
# session, the notice acknowledgement, the open questionnaires and their drafts: 15.
TODAY_QUERIES = 17


@pytest.fixture
def busy_alice(program, alice, now):
    """Alice with everything Today shows: a group with a session marked and one ahead with a
    notice, a check-in, a task due, both weekends' plans and an open questionnaire."""
    group = Group.objects.create(program=program, name="Evening group", kind=Group.Kind.PROCESS, weekdays=[0, 2, 3],
                                 start_time=dt.time(18), length_min=180, place="Room 2",
                                 active_from=dt.date(2026, 9, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 10, 1))
    schedule.plan_sessions(program, dt.datetime(2026, 10, 1, 12, tzinfo=UTC), weeks=10)
    monday = GroupSession.objects.get(group=group, planned_for=dt.date(2026, 11, 16))
    Attendance.objects.create(session=monday, participant=alice, status=Attendance.Status.PRESENT,
                              recorded_at=monday.ends_at)
    tonight = GroupSession.objects.get(group=group, planned_for=dt.date(2026, 11, 18))
    AbsenceNotice.objects.create(participant=alice, session=tonight, reason=AbsenceNotice.Reason.WORK)
    today = alice.local_today()
    CheckIn.objects.create(participant=alice, date=today, stress=3, small_win="Walked")
    Task.objects.create(participant=alice, title="Call my sponsor", due_date=today)
    for friday in (dt.date(2026, 11, 13), dt.date(2026, 11, 20)):
        WeekendPlan.objects.create(participant=alice, weekend_of=friday, saturday="Park")
    due = open_questionnaire(read_the_notice(alice))
    return alice, due


def test_today_reads_in_a_fixed_number_of_statements(alice_client, busy_alice):
    alice, due = busy_alice
    alice_client.get("/")
    with CaptureQueriesContext(connection) as captured:
        html = alice_client.get("/").text
    # The page shows what the data holds, so the count is of a full page, not an empty one.
    assert "Group" in html and "Call my sponsor" in html and f"/questionnaires/{due.pk}/" in html
    assert "You told us you can’t make it" in html
    assert len(captured.captured_queries) == TODAY_QUERIES, "\n".join(q["sql"][:120] for q in captured.captured_queries)
