"""Helpers for tests about groups: a group, a session at an instant, a mark on the roll."""

import datetime as dt

from django.utils import timezone

from tracker.models import Attendance, Group, GroupMembership, GroupSession


def make_group(program, name="Evening group", **extra):
    values = dict(program=program, name=name, weekdays=[0, 2, 3], start_time=dt.time(18, 0), length_min=180,
                  active_from=dt.date(2026, 1, 1))
    values.update(extra)
    return Group.objects.create(**values)


def join(group, *participants, on=dt.date(2026, 1, 1)):
    for participant in participants:
        GroupMembership.objects.create(group=group, participant=participant, joined_on=on)


def session_at(group, starts_at, *, minutes=180, **extra):
    return GroupSession.objects.create(group=group, starts_at=starts_at,
                                       ends_at=starts_at + dt.timedelta(minutes=minutes), **extra)


def mark(session, participant, status, minutes=None, by=None):
    return Attendance.objects.update_or_create(session=session, participant=participant, defaults=dict(
        status=status, minutes=minutes, recorded_by=by, recorded_at=timezone.now()))[0]
