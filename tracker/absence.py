"""The participant's side of group: the next session, this week's hours, and notices of absence
("Can't make it" before a session, "I missed it" after) with the next step each reason gets.

A notice's reason and words are for the person's care team only; a group's facilitators see
that a notice was given (the roll's excused mark, reason "notice given"), never why.
"""

import dataclasses
import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import schedule
from .models import tel, AbsenceNotice, Attendance, GroupMembership, GroupSession, WeekendPlan

# The roll's reason for an excused mark made from a notice given ahead (shown as "notice given").
NOTICE_GIVEN = "notice given"
# "I missed it" is offered (and accepted) for sessions that started at most this long ago.
MISSED_WITHIN = dt.timedelta(days=7)


def _member_on(memberships, session):
    day = schedule.local_day(session)
    return any(m.group_id == session.group_id and m.holds_on(day) for m in memberships)


def belongs(participant, session, *, memberships=None):
    """Whether `participant` was a member of the session's group on its local day.

    `memberships`: all of the person's GroupMembership rows when the caller has read them already."""
    if memberships is not None:
        return _member_on(memberships, session)
    return schedule.members_on(session.group, schedule.local_day(session)).filter(participant=participant).exists()


def check_notice(participant, session, *, now=None):
    """The refusal for a notice of `participant` about `session` now, or None when it may be given.

    Before the session starts it is "Can't make it"; after it starts, "I missed it", only for a
    recent session they were not marked at."""
    now = now or timezone.now()
    if session.status == GroupSession.Status.CANCELLED:
        return _("This session is cancelled: there is nothing to miss.")
    if now < session.starts_at:
        return None
    if now - session.starts_at > MISSED_WITHIN:
        return _("This session was more than a week ago. Tell your counselor at your next session.")
    marked = Attendance.objects.filter(session=session, participant=participant,
                                       status__in=schedule.ATTENDED).exists()
    if marked:
        return _("You were marked as there for this session.")
    return None


def pre_mark(notice):
    """A notice given ahead marks the roll excused ("notice given") where nothing is marked yet."""
    if not notice.ahead:
        return
    attendance, created = Attendance.objects.get_or_create(
        session=notice.session, participant=notice.participant,
        defaults={"status": Attendance.Status.EXCUSED, "reason": NOTICE_GIVEN, "recorded_at": notice.created_at})
    if not created and attendance.status == Attendance.Status.UNMARKED:
        attendance.status, attendance.reason, attendance.recorded_at = (
            Attendance.Status.EXCUSED, NOTICE_GIVEN, notice.created_at)
        attendance.save(update_fields=["status", "reason", "recorded_at"])


@dataclasses.dataclass
class NextSteps:
    """What is offered after a notice, by reason (every reason gets at least a call and a next session)."""

    safe_ride: str  # from this weekend's plan, or ""
    also_meets: GroupSession | None  # another session of the same kind this week
    next_session: GroupSession | None  # their own next session after this one
    phone: str
    still_welcome: str

    @property
    def phone_tel(self):
        return tel(self.phone)


def still_welcome(program):
    return program.still_welcome_text or _(
        "A setback does not erase the steps before it. You’re still welcome in group: come as you are.")


def next_steps(participant, session, *, now=None, memberships=None):
    """The facts the next step of any reason needs, read once for the page (offline it picks one).

    `memberships`: all of the person's GroupMembership rows when the caller has read them already."""
    now = now or timezone.now()
    program = participant.program
    day = session.starts_at.astimezone(program.zone).date()
    start, end = schedule.week_bounds(program, schedule.week_start(day))
    also = (GroupSession.objects.filter(group__program=program, group__kind=session.group.kind,
                                        status=GroupSession.Status.SCHEDULED,
                                        starts_at__gte=max(now, start), starts_at__lt=end)
            .exclude(group=session.group_id).select_related("group__program").order_by("starts_at").first())
    following = schedule.next_sessions([participant.pk], max(now, session.ends_at),
                                       memberships=memberships).get(participant.pk)
    plan = (WeekendPlan.objects.filter(participant=participant, weekend_of__lte=day + dt.timedelta(days=3))
            .exclude(safe_ride="").order_by("-weekend_of").first())
    following = following if following and following.pk != session.pk else None
    for shown in (also, following):
        if shown is not None:
            shown.when = when_words(shown, participant.zone, now=now)
    return NextSteps(safe_ride=plan.safe_ride if plan else "", also_meets=also, next_session=following,
                     phone=program.phone, still_welcome=still_welcome(program))


@dataclasses.dataclass
class GroupToday:
    next_session: GroupSession | None
    notice: AbsenceNotice | None  # already given for the next session
    missed: GroupSession | None  # a recent session not marked present and without a notice
    hours: float
    target: float | None
    started: bool = False  # the next session is on now: too late for "Can't make it"


def group_today(participant, *, now=None):
    """Today's group facts for one person, in a few queries whatever their history (their
    memberships are read once, for the next session and for the missed one)."""
    now = now or timezone.now()
    program = participant.program
    memberships = list(GroupMembership.objects.filter(participant=participant))
    upcoming = schedule.next_sessions([participant.pk], now, memberships=memberships).get(participant.pk)
    monday = schedule.week_start(now.astimezone(program.zone).date())
    week = schedule.group_hours([participant], program, monday)[participant.pk]
    # The last three days' sessions (a handful) this person was not marked there at (present,
    # late, left early: a test on their own row, so "marked absent while others came" still
    # offers "I missed it"), then their notices for those and for the next session, in one query.
    there = Attendance.objects.filter(session=OuterRef("pk"), participant=participant, status__in=schedule.ATTENDED)
    recent = (GroupSession.objects
              .filter(~Exists(there), group_id__in={m.group_id for m in memberships},
                      starts_at__lte=now, starts_at__gte=now - dt.timedelta(days=3))
              .exclude(status=GroupSession.Status.CANCELLED)
              .select_related("group__program").order_by("-starts_at"))
    recent = [session for session in recent if _member_on(memberships, session)]
    asked = [session.pk for session in recent] + ([upcoming.pk] if upcoming is not None else [])
    notices = ({n.session_id: n for n in AbsenceNotice.objects.filter(participant=participant, session_id__in=asked)}
               if asked else {})
    missed = next((s for s in recent if s.pk not in notices), None)
    notice = notices.get(upcoming.pk) if upcoming is not None else None
    return GroupToday(next_session=upcoming, notice=notice, missed=missed, hours=week.hours, target=week.target,
                      started=upcoming is not None and upcoming.starts_at <= now)


def when_words(session, zone, *, now=None):
    """ "tonight 18:00-21:00", "Thursday 09:00-12:00": the session's time in `zone`."""
    now = now or timezone.now()
    starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    today = now.astimezone(zone).date()
    hours = f"{starts:%H:%M}-{ends:%H:%M}"
    if starts.date() == today:
        day = _("tonight") if starts.hour >= 17 else _("today")
    elif starts.date() == today + dt.timedelta(days=1):
        day = _("tomorrow")
    elif starts.date() < today + dt.timedelta(days=7):
        day = formats.date_format(starts, "l")
    else:
        day = formats.date_format(starts, "l j F")
    return f"{day} {hours}"


def recent_notices(participant, *, limit=10):
    """The person's newest notices with their reasons: for their care team's eyes only."""
    notices = list(AbsenceNotice.objects.filter(participant=participant).select_related("session__group__program")
                   .order_by("-session__starts_at")[:limit])
    for notice in notices:
        notice.when = when_words(notice.session, participant.zone)
    return notices
