"""The group flags on the caseload: "Missed group" (an unexcused absence in the last 7 days)
and "Missed two in a row" (the last two marked sessions both absent), at their edges.
"now" is Wednesday 18 November 2026, 12:00 in New York."""

import datetime as dt

import pytest

from groups import join, make_group, mark, session_at
from people import NOW
from test_triage import calm, flags
from tracker import services, triage
from tracker.models import Attendance, GroupSession

S = Attendance.Status
DAY = dt.timedelta(days=1)


@pytest.fixture
def group(program, alice, now):
    calm(alice)
    g = make_group(program)
    join(g, alice)
    return g


def test_an_absence_seven_days_ago_flags_one_second_older_does_not(group, alice):
    inside = session_at(group, NOW - 7 * DAY)
    mark(inside, alice, S.ABSENT)
    found = flags(alice)
    assert set(found) == {"missed_group"}
    flag = found["missed_group"]
    assert flag.evidence == f"session:{inside.pk}"
    assert flag.severity == "attention" and triage.WEIGHTS["missed_group"] == triage.WEIGHTS["no_checkin"]
    assert "Evening group" in flag.text
    GroupSession.objects.filter(pk=inside.pk).update(starts_at=NOW - 7 * DAY - dt.timedelta(seconds=1),
                                                     ends_at=NOW - 4 * DAY)
    assert flags(alice) == {}


@pytest.mark.parametrize("status", [S.EXCUSED, S.PRESENT, S.LATE, S.LEFT_EARLY, S.UNMARKED])
def test_only_an_unexcused_absence_counts(group, alice, status):
    mark(session_at(group, NOW - 2 * DAY), alice, status)
    assert flags(alice) == {}


def test_a_cancelled_or_future_session_is_not_missed(group, alice):
    mark(session_at(group, NOW - 2 * DAY, status=GroupSession.Status.CANCELLED), alice, S.ABSENT)
    mark(session_at(group, NOW + dt.timedelta(minutes=1)), alice, S.ABSENT)
    assert flags(alice) == {}


def test_the_window_is_a_setting(group, alice, settings):
    mark(session_at(group, NOW - 5 * DAY), alice, S.ABSENT)
    settings.TRIAGE_MISSED_GROUP_DAYS = 4
    assert flags(alice) == {}


def test_two_absences_in_a_row_are_urgent_and_replace_missed_group(group, alice):
    first = session_at(group, NOW - 5 * DAY)
    second = session_at(group, NOW - 2 * DAY)
    mark(first, alice, S.ABSENT)
    mark(second, alice, S.ABSENT)
    found = flags(alice)
    assert set(found) == {"missed_two"}
    assert found["missed_two"].severity == "urgent"
    assert triage.WEIGHTS["missed_two"] == triage.WEIGHTS["high_urge"]
    assert found["missed_two"].evidence == f"session:{second.pk}"


def test_two_in_a_row_counts_marked_sessions_whenever_they_were(group, alice):
    # Weeks ago, with an unmarked roll in between: still the last two marked sessions.
    mark(session_at(group, NOW - 30 * DAY), alice, S.PRESENT)
    mark(session_at(group, NOW - 20 * DAY), alice, S.ABSENT)
    mark(session_at(group, NOW - 15 * DAY), alice, S.UNMARKED)
    mark(session_at(group, NOW - 10 * DAY), alice, S.ABSENT)
    assert set(flags(alice)) == {"missed_two"}


@pytest.mark.parametrize("between", [S.PRESENT, S.EXCUSED, S.LATE])
def test_any_other_mark_between_breaks_the_run(group, alice, between):
    mark(session_at(group, NOW - 5 * DAY), alice, S.ABSENT)
    mark(session_at(group, NOW - 3 * DAY), alice, between)
    mark(session_at(group, NOW - 2 * DAY), alice, S.ABSENT)
    assert set(flags(alice)) == {"missed_group"}


def test_one_absence_only_is_not_two_in_a_row(group, alice):
    mark(session_at(group, NOW - 20 * DAY), alice, S.ABSENT)
    assert flags(alice) == {}


def test_run_length_is_a_setting(group, alice, settings):
    settings.TRIAGE_MISSED_IN_A_ROW = 3
    mark(session_at(group, NOW - 5 * DAY), alice, S.ABSENT)
    mark(session_at(group, NOW - 2 * DAY), alice, S.ABSENT)
    assert set(flags(alice)) == {"missed_group"}
    mark(session_at(group, NOW - 6 * DAY), alice, S.ABSENT)
    assert set(flags(alice)) == {"missed_two"}


def test_acknowledging_holds_until_the_next_absence(group, alice, carol, rf):
    mark(session_at(group, NOW - 5 * DAY), alice, S.ABSENT)
    flag = flags(alice)["missed_group"]
    request = rf.post("/")
    request.user = carol.user
    services.flag_acknowledge(request=request, participant=alice, counselor=carol, flag="missed_group",
                              evidence=flag.evidence, note="")
    assert flags(alice)["missed_group"].acknowledgement is not None
    mark(session_at(group, NOW - 4 * DAY), alice, S.PRESENT)
    mark(session_at(group, NOW - 2 * DAY), alice, S.ABSENT)
    assert flags(alice)["missed_group"].acknowledgement is None


def test_the_caseload_reads_absences_in_constant_queries(program, carol, now, django_assert_num_queries):
    from people import make_user
    from tracker.models import Participant

    group = make_group(program)

    def people(n, start):
        made = []
        for i in range(n):
            p = Participant.objects.create(user=make_user(f"m{start + i}"), program=program)
            p.care_team.add(carol)
            join(group, p)
            mark(session_at(group, NOW - (i + 1) * DAY), p, S.ABSENT)
            made.append(p)
        return made

    def count(participants):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as queries:
            triage.caseload(participants)
        return len(queries)

    few = people(2, 0)
    small = count(few)
    many = few + people(6, 10)
    assert count(many) == small
