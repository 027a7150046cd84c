"""The program's schedule: planning group sessions ahead, and counting group hours.

Groups meet at a clock time in the program's zone; each session is stored as a UTC start and
end, planned from that clock time on that local day, so an 18:00 group stays at 18:00 local
across both daylight-saving changes. A start in the spring-forward gap moves forward, and a
repeated autumn hour counts once (its first occurrence), as reminders do
(`tracker.models.local_instant`).
"""

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import Q

from tracker.models import Attendance, ClosureDay, Group, GroupMembership, GroupSession, local_instant

PLAN_WEEKS = 8

# Marks that count as attending; their minutes (or, unset, the session's length) are group time.
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)


def session_times(group, day, zone):
    """The UTC start and end of `group`'s meeting on the local `day`."""
    starts_at = local_instant(day, group.start_time, zone)
    return starts_at, starts_at + dt.timedelta(minutes=group.length_min)


def planned_days(group, first, last):
    """The local days from `first` to `last` (inclusive) when `group` meets by its schedule."""
    first = max(first, group.active_from)
    if group.active_to is not None:
        last = min(last, group.active_to)
    day = first
    while day <= last:
        if day.weekday() in group.weekdays:
            yield day
        day += dt.timedelta(days=1)


def plan_sessions(program, now, weeks=PLAN_WEEKS):
    """Create the program's missing sessions from today to `weeks` ahead; return how many.

    Idempotent (one session per group and planned local day, by a unique constraint), so the
    beat can run it every tick. A planned day that is a closure day is created cancelled. It
    never changes or deletes a session that exists: moves and cancellations are kept.
    """
    zone = program.zone
    today = now.astimezone(zone).date()
    last = today + dt.timedelta(weeks=weeks)
    closed = dict(ClosureDay.objects.filter(program=program, date__range=(today, last)).values_list("date", "reason"))
    groups = Group.objects.filter(program=program, active_from__lte=last).filter(
        Q(active_to__isnull=True) | Q(active_to__gte=today))
    planned = set(GroupSession.objects.filter(group__in=groups, planned_for__range=(today, last))
                  .values_list("group_id", "planned_for"))
    rows = []
    for group in groups:
        for day in planned_days(group, today, last):
            if (group.pk, day) in planned:
                continue
            starts_at, ends_at = session_times(group, day, zone)
            session = GroupSession(group=group, planned_for=day, starts_at=starts_at, ends_at=ends_at)
            if day in closed:
                session.status = GroupSession.Status.CANCELLED
                session.cancel_reason = closed[day]
            rows.append(session)
    # Two ticks at once: the unique constraint keeps one of each, the other is skipped.
    GroupSession.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def week_start(day):
    """The Monday of the local `day`'s week: "this week" is Monday to Sunday in the program's zone."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds(program, monday):
    """The UTC instants that start and end the program's local week beginning `monday`."""
    zone = program.zone
    start = local_instant(monday, dt.time(0, 0), zone)
    end = local_instant(monday + dt.timedelta(days=7), dt.time(0, 0), zone)
    return start, end


def members_on(group, day):
    """Memberships of `group` that hold on the local `day`."""
    return GroupMembership.objects.filter(group=group, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day))


def attended_minutes(participant_ids, start, end):
    """{participant id: minutes of group attended} for sessions held or scheduled in [start, end).

    A mark without minutes counts the session's whole length. Cancelled sessions count nothing.
    """
    minutes = {pk: 0 for pk in participant_ids}
    marks = (Attendance.objects
             .filter(participant_id__in=participant_ids, status__in=ATTENDED,
                     session__starts_at__gte=start, session__starts_at__lt=end)
             .exclude(session__status=GroupSession.Status.CANCELLED)
             .values_list("participant_id", "minutes", "session__starts_at", "session__ends_at"))
    for pk, mins, starts_at, ends_at in marks:
        minutes[pk] += mins if mins is not None else int((ends_at - starts_at).total_seconds() // 60)
    return minutes


def local_day(session):
    """The day a session meets, in its program's zone (its group and program must be loaded)."""
    return session.starts_at.astimezone(session.group.program.zone).date()


def next_sessions(participant_ids, now):
    """{participant id: their next session (scheduled, not yet ended) of a group they belong to on its day}."""
    memberships = {}
    for membership in GroupMembership.objects.filter(participant_id__in=participant_ids):
        memberships.setdefault(membership.group_id, []).append(membership)
    found = {}
    sessions = (GroupSession.objects
                .filter(ends_at__gt=now, status=GroupSession.Status.SCHEDULED, group_id__in=memberships)
                .select_related("group__program").order_by("starts_at"))
    for session in sessions.iterator():
        day = local_day(session)
        for membership in memberships[session.group_id]:
            if membership.joined_on <= day and (membership.left_on is None or membership.left_on >= day):
                found.setdefault(membership.participant_id, session)
        if len(found) == len(participant_ids):
            break
    return found


# Issue 16, summaries (the weekly summary and trends): one person's group week.
@dataclasses.dataclass(frozen=True)
class GroupWeek:
    monday: dt.date
    attended: int  # sessions marked present, late or left early
    scheduled: int  # their sessions that week (member on the day, not cancelled), and any walk-in
    minutes: int
    target: float | None  # weekly group hours at their level of care; None where the program sets none

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def group_week(participant, monday):
    """Sessions attended of scheduled, and group hours against the target, in the program's week
    (Monday to Sunday in its zone) that begins on `monday`."""
    program = participant.program
    start, end = week_bounds(program, monday)
    memberships = list(GroupMembership.objects.filter(participant=participant))
    sessions = (GroupSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
                .filter(Q(group_id__in={m.group_id for m in memberships}) | Q(attendance__participant=participant))
                .exclude(status=GroupSession.Status.CANCELLED).select_related("group__program").distinct())
    marks = dict(Attendance.objects.filter(participant=participant, session__in=sessions)
                 .values_list("session_id", "status"))
    scheduled = attended = 0
    for session in sessions:
        day = local_day(session)
        member = any(m.group_id == session.group_id and m.joined_on <= day and (m.left_on is None or m.left_on >= day)
                     for m in memberships)
        came = marks.get(session.pk) in ATTENDED
        scheduled += member or came
        attended += came
    return GroupWeek(monday=monday, attended=attended, scheduled=scheduled,
                     minutes=attended_minutes([participant.pk], start, end)[participant.pk],
                     target=program.group_hours_target(participant.level_of_care))
