"""The huddle before group: the facilitator's view of one session's room, ranked by need, and
after the session one tap that gives everyone who came the same practice task.

Access is tracker.access.group_session_for_staff (the group's facilitators and the program's
admins; anyone else a 404 and a denied audit row). Everyone in the room gets roll-level facts
(missed the last session, hours this week against the target, new this week, notice given);
open flags, the notice's reason and a pending weekend review only for members on the
facilitator's own care team (42 CFR Part 2). The page is read in a fixed number of queries,
whatever the room's size, and leaves one audit row naming the members shown.
"""

import dataclasses
import datetime as dt
import uuid

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .. import access, audit, schedule, triage
from ..models import (
    AbsenceNotice,
    Attendance,
    AuditEvent,
    GroupSession,
    Participant,
    Task,
    Tombstone,
    WeekendPlan,
    weekend_friday,
)
from .decorators import signed_in

Action = AuditEvent.Action
# The practice task one person gets from one session has this id: a second tap finds it.
PRACTICE_TASK_NAMESPACE = uuid.UUID("5b0f6a3e-2d1c-4e8b-9a57-1c6f0d2e8b41")
# How much each roll-level fact weighs in the room's order (a care-team member's open flags add
# their caseload weight).
NEED = {"missed_absent": 4, "missed_excused": 2, "short_of_hours": 2, "new": 1, "notice": 1, "weekend_review": 1}


def practice_task_id(session, participant):
    return uuid.uuid5(PRACTICE_TASK_NAMESPACE, f"huddle-task:{session.pk}:{participant.pk}")


@dataclasses.dataclass
class Member:
    participant: Participant
    joined_on: dt.date
    new: bool
    status: str  # this session's mark
    last: str | None  # their mark at the group's previous session, if they were on it
    minutes: int  # group minutes attended this week
    target: float | None  # group hours a week at their level of care
    notice: AbsenceNotice | None
    on_team: bool  # on the facilitator's own care team: the facts below are shown
    flags: list = dataclasses.field(default_factory=list)
    weekend_review: bool = False

    @property
    def status_label(self):
        return Attendance.Status(self.status).label

    @property
    def hours(self):
        return round(self.minutes / 60, 1)

    @property
    def missed_last(self):
        return self.last in (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)

    @property
    def need(self):
        score = 0
        if self.last == Attendance.Status.ABSENT:
            score += NEED["missed_absent"]
        elif self.last == Attendance.Status.EXCUSED:
            score += NEED["missed_excused"]
        if self.target:
            score += NEED["short_of_hours"] * max(0.0, 1 - self.hours / self.target)
        score += NEED["new"] * self.new + NEED["notice"] * (self.notice is not None)
        # Only what this facilitator may see counts: nothing about others' flags shows in the order.
        if self.on_team:
            score += sum(flag.weight for flag in self.flags) + NEED["weekend_review"] * self.weekend_review
        return round(score, 2)


def room(session, counselor, *, now):
    """The session's members, most in need first."""
    program = session.group.program
    day = schedule.local_day(session)
    monday = schedule.week_start(day)
    memberships = list(schedule.members_on(session.group, day).select_related("participant__user")
                       .order_by("participant_id"))
    people = {m.participant_id: m.participant for m in memberships}
    ids = list(people)
    if not ids:
        return []
    previous = (GroupSession.objects.filter(group_id=session.group_id, starts_at__lt=session.starts_at)
                .exclude(status=GroupSession.Status.CANCELLED).order_by("-starts_at").values_list("pk", flat=True)
                .first())
    marks = {(s, p): status for s, p, status in Attendance.objects.filter(
        session_id__in=[session.pk, previous], participant_id__in=ids).values_list(
        "session_id", "participant_id", "status")}
    minutes = schedule.attended_minutes(ids, *schedule.week_bounds(program, monday))
    notices = {n.participant_id: n for n in AbsenceNotice.objects.filter(session=session, participant_id__in=ids)}
    team = set(Participant.care_team.through.objects.filter(counselor_id=counselor.pk, participant_id__in=ids)
               .values_list("participant_id", flat=True))
    flags = {row.participant.pk: row.open_flags
             for row in triage.caseload([people[pk] for pk in sorted(team)], now=now)}
    to_review = _weekend_reviews_pending([people[pk] for pk in sorted(team)], now)
    members = [Member(participant=people[m.participant_id], joined_on=m.joined_on, new=m.joined_on >= monday,
                      status=marks.get((session.pk, m.participant_id), Attendance.Status.UNMARKED),
                      last=marks.get((previous, m.participant_id)), minutes=minutes[m.participant_id],
                      target=program.group_hours_target(people[m.participant_id].level_of_care),
                      notice=notices.get(m.participant_id), on_team=m.participant_id in team,
                      flags=flags.get(m.participant_id, []), weekend_review=m.participant_id in to_review)
               for m in memberships]
    members.sort(key=lambda m: (-m.need, str(m.participant).casefold(), m.participant.pk))
    return members


def _weekend_reviews_pending(participants, now):
    """Ids of these people whose last weekend plan is not reviewed yet (Monday to Thursday, as on Today)."""
    wanted = {}
    for participant in participants:
        today = participant.local_today(now)
        if today.weekday() <= 3:
            wanted[participant.pk] = weekend_friday(today) - dt.timedelta(days=7)
    if not wanted:
        return set()
    return {pk for pk, friday in WeekendPlan.objects.filter(
        participant_id__in=wanted, weekend_of__in=set(wanted.values()), how_it_went="").values_list(
        "participant_id", "weekend_of") if wanted[pk] == friday}


def _after_session(session, now):
    return session.status != GroupSession.Status.CANCELLED and session.starts_at <= now


@signed_in
def huddle(request, session_id):
    session = access.group_session_for_staff(request, session_id, resource="huddle")
    counselor = request.counselor
    now = timezone.now()
    members = room(session, counselor, now=now)
    came = [m for m in members if m.status in schedule.ATTENDED]
    given = set(Task.objects.filter(pk__in=[practice_task_id(session, m.participant) for m in came])
                .values_list("participant_id", flat=True)) if came else set()
    response = render(request, "tracker/care/huddle.html", {
        "session": session, "group": session.group, "members": members, "came": came, "given": given,
        "after": _after_session(session, now), "hidden": sum(1 for m in members if not m.on_team)})
    audit.record(request, action=Action.READ, resource="huddle", object_id=session.pk,
                 shown=[m.participant.pk for m in members])
    return response


@require_http_methods(["POST"])
@signed_in
def practice_task(request, session_id):
    """One practice task for everyone marked present, late or left early at this session.

    Each person's task has an id made from the session and the person, so a second tap (or a
    retry) adds nobody twice; a task the person deleted is not brought back."""
    session = access.group_session_for_staff(request, session_id, resource="practice-task")
    now = timezone.now()
    title = request.POST.get("title", "").strip()
    limit = Task._meta.get_field("title").max_length
    if not _after_session(session, now):
        messages.error(request, _("A practice task is given after the session has started."))
    elif not title or len(title) > limit:
        messages.error(request, _("Write the task in 1 to %(limit)d characters.") % {"limit": limit})
    else:
        came = list(Participant.objects.filter(
            attendance__session=session, attendance__status__in=schedule.ATTENDED).order_by("pk"))
        wanted = {practice_task_id(session, p): p for p in came}
        gone = set(Tombstone.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        had = set(Task.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        new = [Task(pk=pk, participant=p, title=title, created_by=request.user)
               for pk, p in wanted.items() if pk not in gone and pk not in had]
        with transaction.atomic():
            Task.objects.bulk_create(new, ignore_conflicts=True)
            for task in new:
                audit.record(request, action=Action.WRITE, resource="tasks", participant=task.participant,
                             object_id=task.pk)
            if not new:
                audit.record(request, action=Action.WRITE, resource="practice-task", object_id=session.pk)
        if not came:
            messages.error(request, _("Nobody is marked present yet: take the roll first."))
        elif new:
            messages.success(request, ngettext("Practice task given to %(count)d person.",
                                               "Practice task given to %(count)d people.", len(new))
                             % {"count": len(new)})
        else:
            messages.info(request, _("Everyone who came already has this session's practice task."))
    return redirect("care_huddle", session.pk)
