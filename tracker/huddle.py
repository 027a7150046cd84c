"""The huddle before group: what a facilitator knows of one session's room, ranked by need, and
the practice task everyone who came gets after it (the pages are tracker.web.huddle).

Everyone in the room has roll-level facts (missed the last session, hours this week against the
target, new this week, notice given); open flags, the notice's reason and a pending weekend
review count, and show, only for members on the facilitator's own care team (42 CFR Part 2).
`room` reads in a fixed number of queries, whatever the room's size.
"""

import dataclasses
import datetime as dt
import uuid

from django.db import transaction

from . import audit, schedule, triage
from .models import (
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
    group_hours: schedule.GroupHours  # this week's, against the target at their level of care
    notice: AbsenceNotice | None
    on_team: bool  # on the facilitator's own care team: the facts below are shown
    flags: list = dataclasses.field(default_factory=list)
    weekend_review: bool = False

    @property
    def status_label(self):
        return Attendance.Status(self.status).label

    @property
    def hours(self):
        return self.group_hours.hours

    @property
    def target(self):
        return self.group_hours.target

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
    hours = schedule.group_hours(list(people.values()), program, monday)
    notices = {n.participant_id: n for n in AbsenceNotice.objects.filter(session=session, participant_id__in=ids)}
    team = set(Participant.care_team.through.objects.filter(counselor_id=counselor.pk, participant_id__in=ids)
               .values_list("participant_id", flat=True))
    flags = {row.participant.pk: row.open_flags
             for row in triage.caseload([people[pk] for pk in sorted(team)], now=now)}
    to_review = _weekend_reviews_pending([people[pk] for pk in sorted(team)], now)
    members = [Member(participant=people[m.participant_id], joined_on=m.joined_on, new=m.joined_on >= monday,
                      status=marks.get((session.pk, m.participant_id), Attendance.Status.UNMARKED),
                      last=marks.get((previous, m.participant_id)), group_hours=hours[m.participant_id],
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


def practice_task_given(session, participants):
    """Ids of these people who already have this session's practice task."""
    if not participants:
        return set()
    return set(Task.objects.filter(pk__in=[practice_task_id(session, p) for p in participants])
               .values_list("participant_id", flat=True))


def practice_task_give(*, request, session, title):
    """Give everyone marked present, late or left early at `session` the practice task `title`;
    return (who came, the tasks made now).

    Each person's task has an id made from the session and the person, so a second tap (or a
    retry) adds nobody twice; a task the person deleted is not brought back. Each new task has
    its audit row; a tap that adds none leaves one row for the session."""
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
            audit.record(request, action=AuditEvent.Action.WRITE, resource="tasks", participant=task.participant,
                         object_id=task.pk)
        if not new:
            audit.record(request, action=AuditEvent.Action.WRITE, resource="practice-task", object_id=session.pk)
    return came, new
