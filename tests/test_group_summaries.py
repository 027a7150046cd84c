"""Group hours and sessions in the weekly summary and the trends page (worked examples), the
caseload's "Next group" column. "now" is Wednesday 18 November 2026, 12:00 in New York."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups import join, make_group, mark, session_at
from people import NOW, make_user
from tracker import schedule
from tracker.models import Attendance, Episode, GroupMembership, GroupSession, Participant

S = Attendance.Status
MONDAY = dt.date(2026, 11, 16)


def at(day, hour, minute=0, zone="America/New_York"):
    import zoneinfo
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.fixture
def group(program, alice, now):
    program.time_zone = "America/New_York"
    program.save()
    g = make_group(program)
    join(g, alice)
    return g


def test_worked_example_hours_and_sessions(group, alice):
    mon = session_at(group, at(MONDAY, 18))
    wed = session_at(group, at(MONDAY + dt.timedelta(days=2), 18))
    thu = session_at(group, at(MONDAY + dt.timedelta(days=3), 18))
    mark(mon, alice, S.PRESENT)  # no minutes typed: the session's 180
    mark(wed, alice, S.LATE, minutes=150)
    mark(thu, alice, S.LEFT_EARLY, minutes=120)
    week = schedule.group_week(alice, MONDAY)
    assert (week.attended, week.scheduled, week.minutes, week.hours, week.target) == (3, 3, 450, 7.5, 9)


def test_worked_example_absences_cancellations_and_the_week_edges(group, alice, program):
    mark(session_at(group, at(MONDAY, 18)), alice, S.EXCUSED)
    mark(session_at(group, at(MONDAY + dt.timedelta(days=2), 18)), alice, S.PRESENT, minutes=90)
    session_at(group, at(MONDAY + dt.timedelta(days=3), 18))  # not marked yet: scheduled, not attended
    cancelled = session_at(group, at(MONDAY + dt.timedelta(days=4), 18), status=GroupSession.Status.CANCELLED)
    mark(cancelled, alice, S.PRESENT)  # a mark on a cancelled session counts nothing
    # Sunday 23:30 is this week; the next Monday 00:00 in New York is not; nor the Sunday before.
    mark(session_at(group, at(MONDAY + dt.timedelta(days=6), 23, 30), minutes=60), alice, S.PRESENT)
    mark(session_at(group, at(MONDAY + dt.timedelta(days=7), 0), minutes=60), alice, S.PRESENT)
    mark(session_at(group, at(MONDAY - dt.timedelta(days=1), 23, 30), minutes=60), alice, S.PRESENT)
    # A walk-in at another group counts as scheduled and attended.
    other = make_group(program, name="Morning group")
    mark(session_at(other, at(MONDAY + dt.timedelta(days=1), 9)), alice, S.PRESENT, minutes=60)
    week = schedule.group_week(alice, MONDAY)
    assert (week.attended, week.scheduled, week.minutes, week.hours) == (3, 5, 90 + 60 + 60, 3.5)


def test_a_session_before_joining_or_after_leaving_is_not_scheduled(group, alice):
    GroupMembership.objects.filter(participant=alice).update(joined_on=MONDAY + dt.timedelta(days=2),
                                                             left_on=MONDAY + dt.timedelta(days=2))
    session_at(group, at(MONDAY, 18))
    session_at(group, at(MONDAY + dt.timedelta(days=2), 18))
    session_at(group, at(MONDAY + dt.timedelta(days=3), 18))
    assert schedule.group_week(alice, MONDAY).scheduled == 1


def test_the_week_is_the_programs_not_the_participants(group, bob, program):
    # bob lives in Los Angeles; the program's week ends Monday 00:00 in New York (Sunday 21:00 his time).
    join(group, bob)
    mark(session_at(group, at(MONDAY + dt.timedelta(days=6), 22, zone="America/Los_Angeles"), minutes=60), bob,
         S.PRESENT)
    assert schedule.group_week(bob, MONDAY).minutes == 0
    assert schedule.group_week(bob, MONDAY + dt.timedelta(days=7)).minutes == 60


def test_the_target_follows_the_level_of_care(group, alice, program):
    program.group_hours_targets = {"iop": 9, "php": 20}
    program.save()
    Episode.objects.filter(participant=alice).update(level_of_care="php")
    assert schedule.group_week(Participant.objects.get(pk=alice.pk), MONDAY).target == 20
    Episode.objects.filter(participant=alice).update(level_of_care="op")
    assert schedule.group_week(Participant.objects.get(pk=alice.pk), MONDAY).target is None


def test_summary_and_trends_show_the_group_week(group, alice, carol_client):
    mark(session_at(group, at(MONDAY, 18)), alice, S.PRESENT)
    mark(session_at(group, at(MONDAY + dt.timedelta(days=2), 18), minutes=90), alice, S.LATE, minutes=90)
    summary = carol_client.get(f"/care/participants/{alice.pk}/summary/?week=2026-11-16").content.decode()
    assert "2 of 2 sessions attended; 4.5 of 9 group hours" in summary
    trends = carol_client.get(f"/care/participants/{alice.pk}/").content.decode()
    assert "2 of 2 sessions attended; 4.5 of 9 group hours" in trends
    before = carol_client.get(f"/care/participants/{alice.pk}/summary/?week=2026-11-09").content.decode()
    assert "0 of 0 sessions attended; 0 of 9 group hours" in before


def test_the_caseload_shows_each_persons_next_group(group, alice, bob, carol, carol_client):
    past = session_at(group, NOW - dt.timedelta(hours=5))
    mark(past, alice, S.PRESENT)
    session_at(group, at(MONDAY + dt.timedelta(days=2), 18), status=GroupSession.Status.CANCELLED)
    nxt = session_at(group, at(MONDAY + dt.timedelta(days=3), 18))
    html = carol_client.get("/care/").content.decode()
    row = re.search(rf'<tr data-participant="{alice.pk}">.*?</tr>', html, re.S).group(0)
    # carol's zone is the default (New York): Thursday 18:00.
    assert f'data-next-session="{nxt.pk}"><span class="case-table__date">Thu 18:00</span> Evening group' in row
    assert html.count(f'data-next-session="{nxt.pk}"') == 2  # the desk row and the phone card
    bobs = re.search(rf'<tr data-participant="{bob.pk}">.*?</tr>', html, re.S).group(0)
    assert "None planned" in bobs


def test_the_caseload_reads_next_groups_in_constant_queries(group, program, carol, carol_client):
    session_at(group, at(MONDAY + dt.timedelta(days=3), 18))

    def count():
        with CaptureQueriesContext(connection) as queries:
            carol_client.get("/care/")
        return len(queries)

    def add(n, start):
        for i in range(start, start + n):
            p = Participant.objects.create(user=make_user(f"n{i}"), program=program)
            p.care_team.add(carol)
            join(group, p)

    add(2, 0)
    few = count()
    add(8, 10)
    assert count() == few
