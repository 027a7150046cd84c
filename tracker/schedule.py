"""The program's schedule: planning group sessions ahead, and counting group hours.

Groups meet at a clock time in the program's zone; each session is stored as a UTC start and
end, planned from that clock time on that local day, so an 18:00 group stays at 18:00 local
across both daylight-saving changes. A start in the spring-forward gap moves forward, and a
repeated autumn hour counts once (its first occurrence), as reminders do
(`tracker.models.local_instant`).
"""

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tracker import audit, reminders
from tracker.models import (
    Episode,
    AbsenceNotice,
    Attendance,
    AuditEvent,
    ClosureDay,
    Group,
    GroupMembership,
    GroupSession,
    Program,
    local_instant,
)

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
    never changes or deletes a session that exists: moves and cancellations are kept. The new
    sessions' members get their session reminders (tracker.reminders.session_reminders_sync).
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
    if rows:  # their members' reminders (read back: ignore_conflicts leaves the new rows without ids)
        new = Q()
        for session in rows:
            new |= Q(group_id=session.group_id, planned_for=session.planned_for)
        reminders.session_reminders_sync(sessions=GroupSession.objects.filter(new), now=now)
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


@dataclasses.dataclass(frozen=True)
class GroupHours:
    """One person's group time in one program week, against their weekly target."""
    minutes: int
    target: float | None  # weekly group hours at their level of care; None where the program sets none

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def group_hours(participants, program, monday):
    """{participant id: GroupHours} for `participants` of `program` in its week (Monday to Sunday
    in its zone) that begins on the local `monday`: the one place the roll, the huddle, the
    summaries and the participant's Today read hours against the target. One query, whatever
    their number (the targets are on the program)."""
    ids = [p.pk for p in participants]
    minutes = attended_minutes(ids, *week_bounds(program, monday))
    # The level of care is the open episode's: one more query for everyone. For one person it is
    # their `open_episode`, kept on the instance for the page's other uses (the head's standing).
    if len(participants) == 1:
        levels = {participants[0].pk: participants[0].level_of_care}
    else:
        levels = dict(Episode.objects.filter(participant_id__in=ids, discharged_on__isnull=True)
                      .values_list("participant_id", "level_of_care"))
    return {p.pk: GroupHours(minutes=minutes[p.pk], target=program.group_hours_target(levels.get(p.pk)))
            for p in participants}


def local_day(session):
    """The day a session meets, in its program's zone (its group and program must be loaded)."""
    return session.starts_at.astimezone(session.group.program.zone).date()


def next_sessions(participant_ids, now, *, memberships=None):
    """{participant id: their next session (scheduled, not yet ended) of a group they belong to on its day}.

    `memberships`: the people's GroupMembership rows when the caller has read them already."""
    by_group = {}
    if memberships is None:
        memberships = GroupMembership.objects.filter(participant_id__in=participant_ids)
    for membership in memberships:
        by_group.setdefault(membership.group_id, []).append(membership)
    found = {}
    if not by_group:
        return found
    sessions = (GroupSession.objects
                .filter(ends_at__gt=now, status=GroupSession.Status.SCHEDULED, group_id__in=by_group)
                .select_related("group__program").order_by("starts_at", "pk"))
    # Pages rather than a server-side cursor: a cursor costs three round trips (DECLARE, FETCH,
    # CLOSE) and a held copy of every row ahead, where the first page nearly always answers
    # (each group's next session is among its first rows). Each page starts after the last row
    # read, so rows added meanwhile are neither skipped nor read twice.
    size = 10 * len(by_group)
    page = list(sessions[:size])
    while page:
        for session in page:
            day = local_day(session)
            for membership in by_group[session.group_id]:
                if membership.holds_on(day):
                    found.setdefault(membership.participant_id, session)
            if len(found) == len(participant_ids):
                return found
        if len(page) < size:
            break
        last = page[-1]
        page = list(sessions.filter(Q(starts_at__gt=last.starts_at) | Q(starts_at=last.starts_at, pk__gt=last.pk))[:size])
    return found


# ---------------------------------------------------------------------------------------------
# Writes: the program admin's changes to groups, members, sessions and closure days.
#
# Every change goes through one of these functions, in one transaction with its audit row (when
# `request` is given), so the session reminders can hook in here. None of them ever deletes an
# Attendance row: a session with attendance is moved or cancelled, never removed.

def _audit(request, resource, object_id):
    if request is not None:
        audit.record(request, action=AuditEvent.Action.WRITE, resource=resource, object_id=str(object_id))


def _untouched(sessions, start_time, length_min, zone):
    """The ids of `sessions` that replanning may delete, in one query: those with no attendance
    (any mark) and no notice that are where the old schedule (`start_time`, `length_min`) put
    them (a session moved by hand is kept)."""
    rows = (sessions.annotate(marked=Exists(Attendance.objects.filter(session=OuterRef("pk"))),
                              noticed=Exists(AbsenceNotice.objects.filter(session=OuterRef("pk"))))
            .values_list("pk", "planned_for", "starts_at", "ends_at", "marked", "noticed"))
    stale = []
    for pk, day, starts_at, ends_at, marked, noticed in rows:
        planned = local_instant(day, start_time, zone)
        if not marked and not noticed and (starts_at, ends_at) == (planned, planned + dt.timedelta(minutes=length_min)):
            stale.append(pk)
    return stale


def group_save(*, request, group, facilitators, now, old=None):
    """Create or change a group and plan its sessions at once.

    `old` is (weekdays, start_time, length_min, active_from, active_to) before the change. When the
    schedule changed, each FUTURE planned session (starting after `now`) that is still scheduled,
    has no attendance and no notice, and was never moved, is deleted and planned again from the
    new schedule. Everything else stays as it is: past sessions, sessions with any attendance or
    notice, moved sessions, extra sessions, cancelled ones. A kept session on a day the group no
    longer meets stays too; the admin cancels it by hand if it should not happen. A fixed number
    of queries, however many sessions are replanned.
    """
    with transaction.atomic():
        group.full_clean()
        group.save()
        group.facilitators.set(facilitators)
        replanned = 0
        schedule = (group.weekdays, group.start_time, group.length_min, group.active_from, group.active_to)
        if old is not None and tuple(old) != schedule:
            future = GroupSession.objects.filter(group=group, starts_at__gt=now, planned_for__isnull=False,
                                                 status=GroupSession.Status.SCHEDULED)
            stale = _untouched(future, old[1], old[2], group.program.zone)
            replanned = len(stale)
            GroupSession.objects.filter(pk__in=stale).delete()
        plan_sessions(group.program, now)
        _audit(request, "group", group.pk)
    return replanned


def membership_add(*, request, group, participant, joined_on):
    if participant.program_id != group.program_id:
        raise ValidationError({"participant": [_("Pick a participant of this program.")]})
    if participant.in_aftercare:  # issue 18: discharged, their record is read-only
        raise ValidationError({"participant": [_("%(name)s has been discharged: admit them again first.")
                                               % {"name": participant}]})
    with transaction.atomic():
        membership = GroupMembership(group=group, participant=participant, joined_on=joined_on)
        membership.full_clean()
        membership.save()
        reminders.session_reminders_sync(participant=participant)
        _audit(request, "group-member", membership.pk)
    return membership


def membership_end(*, request, membership, left_on):
    """End a membership: from the day after `left_on` the person is on no roll of the group."""
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": [_("The last day cannot be before the day they joined.")]})
    with transaction.atomic():
        membership.left_on = left_on
        membership.save(update_fields=["left_on"])
        reminders.session_reminders_sync(participant=membership.participant)
        _audit(request, "group-member", membership.pk)
    return membership


def session_move(*, request, session, day, start_time, length_min, now):
    """Move a session to a new local day and time. Its attendance and notices stay with it."""
    zone = session.group.program.zone
    starts_at = local_instant(day, start_time, zone)
    if starts_at <= now:
        raise ValidationError({"day": [_("Pick a time that has not passed yet.")]})
    with transaction.atomic():
        session.starts_at, session.ends_at = starts_at, starts_at + dt.timedelta(minutes=length_min)
        session.save(update_fields=["starts_at", "ends_at"])
        reminders.session_moved(session, now=now)  # reminders move; members hear of the change
        _audit(request, "group-session", session.pk)
    return session


def session_cancel(*, request, session, reason):
    """Cancel one session with its reason; attendance already recorded stays."""
    with transaction.atomic():
        session.status = GroupSession.Status.CANCELLED
        session.cancel_reason = reason.strip()
        session.save(update_fields=["status", "cancel_reason"])
        reminders.session_cancelled(session)  # reminders withdrawn; members hear of the change
        _audit(request, "group-session", session.pk)
    return session


def session_restore(*, request, session):
    """Un-cancel one session (by hand: removing a closure day does not do it)."""
    with transaction.atomic():
        session.status = GroupSession.Status.SCHEDULED
        session.cancel_reason = ""
        session.save(update_fields=["status", "cancel_reason"])
        reminders.session_moved(session)  # on again: reminders back, and members hear of it
        _audit(request, "group-session", session.pk)
    return session


def session_set_topic(*, request, session, topic, place=None):
    with transaction.atomic():
        session.topic = topic.strip()
        fields = ["topic"]
        if place is not None:
            session.place = place.strip()
            fields.append("place")
        session.save(update_fields=fields)
        _audit(request, "group-session", session.pk)
    return session


def session_add(*, request, group, day, start_time, length_min, topic, now):
    """An extra session outside the weekly pattern (it has no `planned_for`)."""
    starts_at = local_instant(day, start_time, group.program.zone)
    if starts_at <= now:
        raise ValidationError({"day": [_("Pick a time that has not passed yet.")]})
    with transaction.atomic():
        session = GroupSession.objects.create(group=group, starts_at=starts_at,
                                              ends_at=starts_at + dt.timedelta(minutes=length_min), topic=topic.strip())
        reminders.session_reminders_sync(sessions=[session], now=now)
        _audit(request, "group-session", session.pk)
    return session


def closure_add(*, request, program, date, reason):
    """Close the program for a day: that day's scheduled sessions are cancelled with the reason
    (sessions planned later on that day are created cancelled by plan_sessions)."""
    if ClosureDay.objects.filter(program=program, date=date).exists():
        raise ValidationError({"date": [_("That day is already a closure day.")]})
    with transaction.atomic():
        closure = ClosureDay.objects.create(program=program, date=date, reason=reason.strip())
        zone = program.zone
        start, end = local_instant(date, dt.time(0, 0), zone), local_instant(date + dt.timedelta(days=1), dt.time(0, 0), zone)
        cancelled = []
        for session in GroupSession.objects.filter(group__program=program, status=GroupSession.Status.SCHEDULED,
                                                   starts_at__gte=start, starts_at__lt=end):
            session_cancel(request=None, session=session, reason=closure.reason or _("The program is closed"))
            cancelled.append(session)
        _audit(request, "closure-day", closure.pk)
    return closure, cancelled


def closure_remove(*, request, closure):
    """Remove a closure day. Sessions it cancelled stay cancelled: an admin restores them one by one."""
    with transaction.atomic():
        pk = closure.pk
        closure.delete()
        _audit(request, "closure-day", pk)


def plan_due(now):
    """The beat (tracker.tasks.plan_group_sessions, hourly beside the reminders tick): plan the
    sessions of every program that has groups, eight weeks ahead. Cheap: a few queries per program,
    and rows are created only for days that became due since the last run."""
    return sum(plan_sessions(program, now) for program in Program.objects.filter(groups__isnull=False).distinct())


# Issue 16, summaries (the weekly summary and trends): one person's group week.
@dataclasses.dataclass(frozen=True)
class GroupWeek:
    monday: dt.date
    attended: int  # sessions marked present, late or left early
    scheduled: int  # their sessions that week (member on the day, not cancelled), and any walk-in
    group_hours: GroupHours

    @property
    def minutes(self):
        return self.group_hours.minutes

    @property
    def target(self):
        return self.group_hours.target

    @property
    def hours(self):
        return self.group_hours.hours


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
        member = any(m.group_id == session.group_id and m.holds_on(day) for m in memberships)
        came = marks.get(session.pk) in ATTENDED
        scheduled += member or came
        attended += came
    return GroupWeek(monday=monday, attended=attended, scheduled=scheduled,
                     group_hours=group_hours([participant], program, monday)[participant.pk])
