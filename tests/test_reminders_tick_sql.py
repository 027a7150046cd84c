"""The tick plans daily reminders in SQL on PostgreSQL (tracker.reminders.CLAIM_DAILY_SQL): it must
agree with the Python planner (next_due, is_quiet) exactly, above all around daylight-saving changes.

A property-style comparison: for zones with spring-forward gaps, repeated autumn hours, half-hour
changes and changes at midnight, every local time on a half-hour grid (and a few odd minutes),
due at instants every 20 minutes from a day before to a day after each transition.
"""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from people import reminders_only
from tracker import reminders
from tracker.models import Delivery, Reminder, is_quiet, next_due

UTC = dt.UTC
ZONES = [
    "America/New_York",  # 02:00 gap in March, 01:00-02:00 repeated in November
    "Europe/London",  # 01:00 changes
    "Australia/Lord_Howe",  # a 30-minute change
    "America/Santiago",  # changes at midnight (24:00 becomes 01:00; 00:00 repeats from 23:00)
    "Asia/Beirut",  # changes at midnight
    "Pacific/Auckland",  # southern hemisphere
    "Asia/Kolkata",  # no changes at all
]
DAILY = [0, 1, 2, 3, 4, 5, 6]

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the SQL planning is PostgreSQL's")


def transitions(zone, start, end):
    """The UTC instants in [start, end) where the zone's offset changes (to the hour; half hours too)."""
    found, moment = [], start
    step = dt.timedelta(minutes=30)
    while moment < end:
        if moment.astimezone(zone).utcoffset() != (moment + step).astimezone(zone).utcoffset():
            found.append(moment + step)
        moment += step
    return found


def local_times():
    times = [dt.time(hour, minute) for hour in range(24) for minute in (0, 30)]
    return times + [dt.time(0, 15), dt.time(1, 59), dt.time(2, 1), dt.time(23, 59), dt.time(12, 0, 30)]


def sql_next(cases):
    """The SQL planner's next instant for each (zone name, local time, due instant)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {reminders._DAILY_NEXT}
                FROM unnest(%s::text[], %s::time[], %s::timestamptz[]) WITH ORDINALITY AS r(time_zone, local_time, next_due_at, n)
                CROSS JOIN LATERAL (SELECT (r.next_due_at AT TIME ZONE r.time_zone)::date AS d0) d
                ORDER BY r.n""",
            [[c[0] for c in cases], [c[1] for c in cases], [c[2] for c in cases]],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.parametrize("zone_name", ZONES)
def test_the_sql_daily_planning_agrees_with_the_python_planner_around_every_transition(zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    moments = transitions(zone, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2028, 1, 1, tzinfo=UTC))
    moments = moments or [dt.datetime(2026, 3, 8, 7, tzinfo=UTC)]  # no changes: any day
    cases = []
    for moment in moments:
        for minutes in range(-26 * 60, 26 * 60, 20):
            after = moment + dt.timedelta(minutes=minutes, seconds=7)
            cases += [(zone_name, at, after) for at in local_times()]
    expected = [next_due(at, DAILY, None, zone, after) for _, at, after in cases]
    got = sql_next(cases)
    wrong = [(case, want, have) for case, want, have in zip(cases, expected, got) if want != have]
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, e.g. {wrong[:3]}"


@pytest.mark.django_db
def test_the_repeated_autumn_hour_is_its_first_occurrence_in_sql_too():
    # PostgreSQL alone would take 01:30 EST (06:30 UTC), the second one.
    got = sql_next([("America/New_York", dt.time(1, 30), dt.datetime(2026, 11, 1, 4, tzinfo=UTC))])
    assert got == [dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]


@pytest.mark.parametrize("zone_name", ["America/New_York", "Australia/Lord_Howe", "America/Santiago"])
def test_a_tick_over_daily_reminders_with_quiet_hours_writes_what_the_python_planner_would(alice, zone_name):
    """End to end through the one statement: deliveries (status, due instant) and the next instant,
    for reminders due around the transitions, with quiet hours across midnight and within a day."""
    zone = zoneinfo.ZoneInfo(zone_name)
    alice.time_zone = zone_name
    alice.save()
    reminders_only(alice)
    moment = transitions(zone, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC))[1]
    for quiet in [(None, None), (dt.time(22), dt.time(7)), (dt.time(1), dt.time(3))]:
        alice.quiet_start, alice.quiet_end = quiet
        alice.save()
        Reminder.objects.filter(participant=alice).delete()
        now = moment  # on the hour: due instants fall on the quiet hours' bounds too
        rows = [Reminder(participant=alice, kind=Reminder.Kind.MEDICATION, local_time=at, weekdays=DAILY,
                         next_due_at=now - dt.timedelta(minutes=minutes))
                for at in local_times() for minutes in (0, 30, 90, 120, 150, 180)]
        Reminder.objects.bulk_create(rows)
        result = reminders.reminders_tick(enqueue=lambda ids: None, now=now)
        assert result.claimed == len(rows)
        for reminder in Reminder.objects.filter(participant=alice):
            due = next(r for r in rows if r.pk == reminder.pk).next_due_at
            expected = []  # what the Python planner writes: each instant due by now (catching up), then the next
            while due <= now:
                if now - due > reminders._grace():
                    expected.append((due, "missed", None))
                elif is_quiet(*quiet, zone, due):
                    expected.append((due, "skipped", None))
                else:
                    expected.append((due, "pending", now))
                due = next_due(reminder.local_time, DAILY, None, zone, due)
            assert reminder.next_due_at == due
            assert [(d.due_at, d.status, d.next_attempt_at)
                    for d in Delivery.objects.filter(reminder=reminder).order_by("due_at")] == expected
