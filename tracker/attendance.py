"""The roll: attendance marks for one group session, and what a facilitator sees of its members.

`mark` is the one place a mark is written (the roll page and the API both call it):
- the later `recorded_at` wins (it is the time on the facilitator's device, as an offline roll
  is sent later); a write older than the stored one is refused with the stored mark, and every
  accepted write leaves an audit row, so the earlier mark stays in the audit log;
- a cancelled session takes no marks;
- only people who are members of the group on the session's day are marked, unless the write
  says `walk_in`: any participant of the same program may then be marked. A walk-in is not a
  member: the roll tells them apart by that (an attendance row without a membership that day).

Need to know (42 CFR Part 2): facilitators see roll-level facts of every member (name, mark,
minutes, notice given, hours this week); the reason of a mark is shown only to the person's
own care team, and a notice's reason never appears here.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import audit, schedule
from .models import AbsenceNotice, Attendance, AuditEvent, GroupSession, Participant

Status = Attendance.Status
# Marks that count minutes: they default to the session's scheduled length and can be typed.
TIMED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)


class Refused(Exception):
    """A mark that cannot be written: `code` is "cancelled", "not_member" or "stale" (then
    `current` is the stored mark that is newer)."""

    def __init__(self, code, message, current=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.current = current


def check_minutes(session, status, minutes):
    """The minutes stored for a mark: the scheduled length unless typed; none for excused,
    absent and unmarked. Raises ValueError with words for a value out of range."""
    if status not in TIMED:
        return None
    if minutes is None:
        return session.length_min
    if not 0 <= minutes <= session.length_min:
        raise ValueError(_("Give minutes from 0 to %(length)s.") % {"length": session.length_min})
    return minutes


def is_member(session, participant_id):
    return schedule.members_on(session.group, schedule.local_day(session)).filter(
        participant_id=participant_id).exists()


def mark(request, session, participant, *, status, minutes=None, reason=None, recorded_at, walk_in=False):
    """Write one mark (see the module's rules); return (attendance, changed). A `reason` of
    None keeps the stored one (the roll itself never shows or changes reasons).

    Sending the same mark again (same recorded time and values) changes nothing but is still a
    write the audit log names. Two facilitators at once: the row is locked, so the later
    recorded time wins whatever order they arrive in, and there is one row per person."""
    if session.status == GroupSession.Status.CANCELLED:
        raise Refused("cancelled", _("This session was cancelled, so it has no roll."))
    if participant.program_id != session.group.program_id:
        raise Refused("not_member", _("This person is not in this program."))
    if not walk_in and not is_member(session, participant.pk):
        raise Refused("not_member", _("This person is not a member of this group on the session's day. "
                                      "Add them as a walk-in instead."))
    minutes = check_minutes(session, status, minutes)
    values = {"status": status, "minutes": minutes, "recorded_at": recorded_at, "recorded_by": request.user}
    if reason is not None:
        values["reason"] = reason
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(session=session, participant=participant).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Attendance.objects.create(session=session, participant=participant, **values)
            except IntegrityError:  # the other facilitator's first mark came in meanwhile
                row = Attendance.objects.select_for_update().get(session=session, participant=participant)
            else:
                audit.record(request, action=AuditEvent.Action.WRITE, resource="attendance",
                             participant=participant, object_id=session.pk)
                return row, True
        return _update(request, row, values)


def _update(request, row, values):
    if values["recorded_at"] < row.recorded_at:
        raise Refused("stale", _("A later mark is already saved for this person."), current=row)
    same = all(getattr(row, key) == value for key, value in values.items() if key != "recorded_by")
    if not same:
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
    audit.record(request, action=AuditEvent.Action.WRITE, resource="attendance", participant=row.participant,
                 object_id=row.session_id)
    return row, not same


@dataclass
class RollRow:
    participant: Participant
    attendance: Attendance | None
    walk_in: bool
    notice_given: bool
    group_hours: schedule.GroupHours  # this week's, against their weekly target
    on_my_care_team: bool

    @property
    def status(self):
        if self.attendance is not None:
            return self.attendance.status
        return Status.EXCUSED if self.notice_given else Status.UNMARKED

    @property
    def hours_this_week(self):
        return self.group_hours.hours

    @property
    def hours_target(self):
        return self.group_hours.target

    @property
    def reason(self):
        """The mark's reason, for the person's own care team only."""
        return self.attendance.reason if self.attendance is not None and self.on_my_care_team else ""


def roll(session, counselor):
    """The session's roll, in name order: its members on that day, then walk-ins marked.
    A member with a notice given ahead shows as excused until marked otherwise. A fixed
    number of queries, whatever the size of the group."""
    day = schedule.local_day(session)
    member_ids = set(schedule.members_on(session.group, day).values_list("participant_id", flat=True))
    marks = {row.participant_id: row for row in Attendance.objects.filter(session=session)}
    people = list(Participant.objects.filter(pk__in=member_ids | set(marks), program_id=session.group.program_id)
                  .select_related("user"))
    ahead = set(AbsenceNotice.objects.filter(session=session, created_at__lt=session.starts_at)
                .values_list("participant_id", flat=True))
    hours = schedule.group_hours(people, session.group.program, schedule.week_start(day))
    mine = set(counselor.caseload.filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)) \
        if counselor is not None else set()
    rows = [RollRow(participant=p, attendance=marks.get(p.pk), walk_in=p.pk not in member_ids,
                    notice_given=p.pk in ahead, group_hours=hours[p.pk], on_my_care_team=p.pk in mine)
            for p in people]
    rows.sort(key=lambda row: (row.walk_in, str(row.participant).casefold(), row.participant.pk))
    return rows


def todays_sessions(counselor, now):
    """The sessions of groups `counselor` facilitates that meet today in the program's zone."""
    zone = counselor.program.zone
    today = now.astimezone(zone).date()
    start = dt.datetime.combine(today, dt.time(0), zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), zone)
    return list(GroupSession.objects.filter(group__facilitators=counselor, starts_at__gte=start, starts_at__lt=end)
                .select_related("group__program").order_by("starts_at"))


def walk_in_candidates(session, query, limit=10):
    """Participants of the session's program whose name holds `query` and who are not on its roll."""
    query = query.strip()
    if len(query) < 2:
        return []
    on_roll = schedule.members_on(session.group, schedule.local_day(session)).values_list("participant_id", flat=True)
    found = (Participant.objects.filter(program_id=session.group.program_id, closed_at__isnull=True)
             .exclude(pk__in=on_roll)
             .filter(Q(user__first_name__icontains=query) | Q(user__last_name__icontains=query)
                     | Q(user__username__icontains=query))
             .select_related("user").order_by("user__first_name", "user__username")[:limit])
    return list(found)
