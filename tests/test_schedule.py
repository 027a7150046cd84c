"""Planning group sessions (DST-correct, idempotent, closure days) and counting group hours."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import admitted, make_user
from tracker import schedule
from tracker.models import Attendance, ClosureDay, Group, GroupMembership, GroupSession, Participant

UTC = dt.UTC


def evening_group(program, **extra):
    values = dict(program=program, name="Evening group", weekdays=[0, 2, 3], start_time=dt.time(18, 0),
                  length_min=180, active_from=dt.date(2026, 1, 1))
    values.update(extra)
    return Group.objects.create(**values)


def local_starts(group, zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    return [(s.starts_at.astimezone(zone).date(), s.starts_at.astimezone(zone).time(), s.length_min)
            for s in group.sessions.order_by("starts_at")]


@pytest.mark.parametrize("zone_name, change_days", [
    ("America/New_York", (dt.date(2026, 3, 8), dt.date(2026, 11, 1))),
    ("Europe/Berlin", (dt.date(2026, 3, 29), dt.date(2026, 10, 25))),
])
def test_a_group_stays_at_its_local_time_across_both_changes(program, zone_name, change_days):
    program.time_zone = zone_name
    program.save()
    group = evening_group(program)
    for change in change_days:
        now = dt.datetime.combine(change - dt.timedelta(days=10), dt.time(12), tzinfo=UTC)
        schedule.plan_sessions(program, now, weeks=3)
        sessions = local_starts(group, zone_name)
        around = [s for s in sessions if abs((s[0] - change).days) <= 10]
        assert any(day < change for day, _, _ in around) and any(day > change for day, _, _ in around)
        assert {clock for _, clock, _ in around} == {dt.time(18, 0)}
        assert {length for _, _, length in around} == {180}
        assert {day.weekday() for day, _, _ in around} == {0, 2, 3}
    # The UTC offset did change in between, so the sessions really moved in UTC.
    offsets = {s.starts_at.astimezone(zoneinfo.ZoneInfo(zone_name)).utcoffset() for s in group.sessions.all()}
    assert len(offsets) == 2


def test_a_start_in_the_spring_gap_moves_forward_and_the_autumn_hour_happens_once(program):
    program.time_zone = "America/New_York"
    program.save()
    # A Sunday 02:30 group: 2026-03-08 02:30 does not exist in New York, 2026-11-01 01:30 happens twice.
    gap = evening_group(program, name="Gap", weekdays=[6], start_time=dt.time(2, 30), length_min=60)
    twice = evening_group(program, name="Twice", weekdays=[6], start_time=dt.time(1, 30), length_min=60)
    schedule.plan_sessions(program, dt.datetime(2026, 3, 2, tzinfo=UTC), weeks=1)
    schedule.plan_sessions(program, dt.datetime(2026, 10, 26, tzinfo=UTC), weeks=1)
    spring = gap.sessions.get(planned_for=dt.date(2026, 3, 8))
    assert spring.starts_at == dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT, moved forward
    autumn = twice.sessions.filter(planned_for=dt.date(2026, 11, 1))
    assert autumn.count() == 1
    assert autumn.get().starts_at == dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)


def test_planning_again_makes_nothing_new_and_keeps_moves_and_cancellations(program):
    group = evening_group(program)
    now = dt.datetime(2026, 11, 18, 17, tzinfo=UTC)
    made = schedule.plan_sessions(program, now)
    assert made == group.sessions.count() == 3 * 8 + 1  # Wed 18 Nov to Wed 13 Jan, both included
    moved = group.sessions.order_by("starts_at")[1]
    moved.starts_at += dt.timedelta(hours=1)
    moved.ends_at += dt.timedelta(hours=1)
    moved.save()
    cancelled = group.sessions.order_by("starts_at")[2]
    cancelled.status = GroupSession.Status.CANCELLED
    cancelled.save()
    assert schedule.plan_sessions(program, now) == 0
    moved.refresh_from_db()
    cancelled.refresh_from_db()
    assert moved.starts_at.astimezone(program.zone).time() == dt.time(19, 0)
    assert cancelled.status == GroupSession.Status.CANCELLED
    assert group.sessions.count() == 25


def test_a_closure_day_cancels_that_days_session_and_active_dates_bound_the_plan(program):
    program.time_zone = "America/New_York"
    program.save()
    ClosureDay.objects.create(program=program, date=dt.date(2026, 11, 26), reason="Thanksgiving")
    group = evening_group(program, active_to=dt.date(2026, 12, 2))
    later = evening_group(program, name="Later", active_from=dt.date(2026, 12, 1))
    schedule.plan_sessions(program, dt.datetime(2026, 11, 18, 17, tzinfo=UTC), weeks=2)
    days = {s.planned_for: s for s in group.sessions.all()}
    assert sorted(days) == [dt.date(2026, 11, 18), dt.date(2026, 11, 19), dt.date(2026, 11, 23),
                            dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 30), dt.date(2026, 12, 2)]
    assert days[dt.date(2026, 11, 26)].status == GroupSession.Status.CANCELLED
    assert days[dt.date(2026, 11, 26)].cancel_reason == "Thanksgiving"
    assert days[dt.date(2026, 11, 25)].status == GroupSession.Status.SCHEDULED
    assert min(s.planned_for for s in later.sessions.all()) == dt.date(2026, 12, 2)


def test_group_hours_count_attended_minutes_in_the_programs_week(program, alice, bob, carol):
    program.time_zone = "America/New_York"
    program.save()
    group = evening_group(program)
    schedule.plan_sessions(program, dt.datetime(2026, 11, 16, 12, tzinfo=UTC), weeks=1)
    mon, wed, thu = group.sessions.filter(planned_for__lte=dt.date(2026, 11, 19)).order_by("starts_at")
    recorded = dict(recorded_by=carol.user, recorded_at=dt.datetime(2026, 11, 20, tzinfo=UTC))
    Attendance.objects.create(session=mon, participant=alice, status=Attendance.Status.PRESENT, **recorded)
    Attendance.objects.create(session=wed, participant=alice, status=Attendance.Status.LATE, minutes=150, **recorded)
    Attendance.objects.create(session=thu, participant=alice, status=Attendance.Status.ABSENT, **recorded)
    Attendance.objects.create(session=mon, participant=bob, status=Attendance.Status.EXCUSED, **recorded)
    monday = schedule.week_start(dt.date(2026, 11, 19))
    assert monday == dt.date(2026, 11, 16)
    start, end = schedule.week_bounds(program, monday)
    assert start == dt.datetime(2026, 11, 16, 5, tzinfo=UTC)
    assert schedule.attended_minutes([alice.pk, bob.pk], start, end) == {alice.pk: 180 + 150, bob.pk: 0}
    # The next week counts nothing of this one.
    start, end = schedule.week_bounds(program, monday + dt.timedelta(days=7))
    assert schedule.attended_minutes([alice.pk], start, end) == {alice.pk: 0}


def test_group_hours_against_the_target_are_two_queries_for_3_or_12_members(program, carol):
    program.time_zone = "America/New_York"
    program.group_hours_targets = {"iop": 9, "php": 20}
    program.save()
    group = evening_group(program)
    schedule.plan_sessions(program, dt.datetime(2026, 11, 16, 12, tzinfo=UTC), weeks=1)
    monday_session = group.sessions.get(planned_for=dt.date(2026, 11, 16))
    recorded = dict(recorded_by=carol.user, recorded_at=dt.datetime(2026, 11, 20, tzinfo=UTC))

    def members(start, n):
        people = []
        for i in range(start, start + n):
            person = Participant.objects.create(user=make_user(f"m{i}"), program=program)
            admitted(person, level="php" if i % 2 else "op")
            Attendance.objects.create(session=monday_session, participant=person, minutes=30 * (i % 4) or None,
                                      status=Attendance.Status.LATE, **recorded)
            people.append(person)
        return people

    def hours(people):
        with CaptureQueriesContext(connection) as queries:
            found = schedule.group_hours(people, program, dt.date(2026, 11, 16))
        return found, len(queries)

    few, few_queries = hours(members(0, 3))
    many, many_queries = hours(members(3, 12))
    # The minutes and the open episodes' levels of care: two queries, whatever their number.
    assert few_queries == many_queries == 2
    # m1: php, a late mark of 30 minutes; m0: op (no target set), unset minutes count the whole 180.
    by_name = {p.user.username: p.pk for p in Participant.objects.all()}
    assert few[by_name["m1"]] == schedule.GroupHours(minutes=30, target=20)
    assert few[by_name["m0"]] == schedule.GroupHours(minutes=180, target=None) and few[by_name["m0"]].hours == 3.0
    assert len(many) == 12 and many[by_name["m14"]].minutes == 60


def test_the_next_session_follows_membership_dates_and_skips_cancelled_ones(program, alice, bob):
    group = evening_group(program)
    now = dt.datetime(2026, 11, 18, 17, tzinfo=UTC)  # Wed 12:00 in New York
    schedule.plan_sessions(program, now, weeks=2)
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 11, 1))
    GroupMembership.objects.create(group=group, participant=bob, joined_on=dt.date(2026, 11, 20))
    tonight = group.sessions.get(planned_for=dt.date(2026, 11, 18))
    found = schedule.next_sessions([alice.pk, bob.pk], now)
    assert found[alice.pk] == tonight
    assert found[bob.pk].planned_for == dt.date(2026, 11, 23)  # joins on Friday: Monday is his first
    tonight.status = GroupSession.Status.CANCELLED
    tonight.save()
    assert schedule.next_sessions([alice.pk], now)[alice.pk].planned_for == dt.date(2026, 11, 19)


def test_the_next_session_is_found_past_the_first_page_of_sessions(program, alice, bob):
    group = evening_group(program)
    now = dt.datetime(2026, 11, 18, 17, tzinfo=UTC)  # Wed 12:00 in New York
    schedule.plan_sessions(program, now, weeks=8)
    # Bob joins five weeks on: dozens of the group's sessions come before his first, more than
    # one page (10 a group), so the search has to read on.
    GroupMembership.objects.create(group=group, participant=bob, joined_on=dt.date(2026, 12, 21))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2027, 6, 1))
    first = group.sessions.filter(planned_for__gte=dt.date(2026, 12, 21)).order_by("starts_at").first()
    assert group.sessions.filter(starts_at__gt=now, starts_at__lt=first.starts_at).count() > 10
    found = schedule.next_sessions([bob.pk, alice.pk], now)
    assert found == {bob.pk: first}  # alice joins after the last planned session: none
