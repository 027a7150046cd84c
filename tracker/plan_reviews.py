"""Treatment plan reviews (issue 18): a goal's review date, and a review of the plan in the
person's open episode that records each goal's progress and a short note.

The functions raise ValidationError with the field's own words ({field: [message]}), so the
pages and the API show them next to the field; a refused review (ReviewRefused) also carries each
goal line's own problems, in the order the lines came. The wings write the audit row in the same transaction (tracker.audit.record).
"""

import dataclasses
import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dates, services
from .models import Counselor, Episode, Goal, GoalReview, Participant, PlanReview

# A review date this far ahead is a typing slip, not a plan (a plan is reviewed at least yearly).
REVIEW_DATE_AHEAD = dt.timedelta(days=366)
NOTE_MAX = PlanReview._meta.get_field("note").max_length
GOAL_NOTE_MAX = GoalReview._meta.get_field("note").max_length


def _review_date_error(review_on, participant):
    if review_on is None:
        return None
    problem = dates.entry_day_error(review_on)
    if problem is None and review_on > participant.local_today() + REVIEW_DATE_AHEAD:
        problem = _("Pick a day within a year from today.")
    return problem


def goal_set_review_date(*, goal: Goal, review_on: dt.date | None) -> Goal:
    """When the care team plans to review this goal with the person; None takes the date away.
    A day already past is allowed: the goal is then due for review at once."""
    if problem := _review_date_error(review_on, goal.participant):
        raise ValidationError({"review_on": problem})
    if goal.review_on != review_on:
        goal.review_on = review_on
        goal.updated_at = timezone.now()
        goal.save(update_fields=["review_on", "updated_at"])
    return goal


class ReviewRefused(ValidationError):
    """A review that was not saved. `goal_lines` holds one {field: [message]} per goal line asked
    for, in order ({} for a line without a problem), as DRF answers for a list of objects."""

    def __init__(self, errors, goal_lines):
        super().__init__(errors)
        self.goal_lines = goal_lines


def care_goal_put(*, participant: Participant, id, data, actor) -> services.PutResult:
    """A goal written by the care team (tracker.services.goal_put), and with "review_on" in
    `data` its review date too: both or neither. Without "review_on" the date stays as it was,
    so a client that does not know the field never clears it."""
    data = dict(data)
    has_date, review_on = "review_on" in data, data.pop("review_on", None)
    if has_date and (problem := _review_date_error(review_on, participant)):
        raise ValidationError({"review_on": problem})
    with transaction.atomic():
        result = services.goal_put(participant=participant, id=id, data=data, actor=actor)
        if has_date and result.entry.review_on != review_on:
            if result.created:
                # Part of the write that made the goal: its replay still answers as a creation.
                result.entry.review_on = review_on
                result.entry.save(update_fields=["review_on"])
            else:
                goal_set_review_date(goal=result.entry, review_on=review_on)
            result = dataclasses.replace(result, changed=True)
    return result


@dataclasses.dataclass(frozen=True)
class GoalProgress:
    """One goal's line of a review, as asked for (before it is checked)."""
    goal_id: object
    progress: str
    note: str = ""


def _goal_errors(participant, goals):
    """[{field: [message]}] per line (empty where it can be saved), and the goals by id."""
    ids = []
    for line in goals:
        try:
            ids.append(uuid.UUID(str(line.goal_id)))
        except ValueError:
            ids.append(None)
    known = {g.pk: g for g in Goal.objects.filter(participant=participant, pk__in=[i for i in ids if i])}
    errors, seen = [], set()
    for goal_id, line in zip(ids, goals):
        problems = {}
        if goal_id is None or goal_id not in known:
            # Someone else's goal gets the same words as one that does not exist.
            problems["goal"] = [_("This is not one of this person's goals.")]
        elif goal_id in seen:
            problems["goal"] = [_("Each goal once in a review, please.")]
        if line.progress not in GoalReview.Progress.values:
            problems["progress"] = [_("Pick one: met, progressing, not yet or changed.")]
        if len(line.note or "") > GOAL_NOTE_MAX:
            problems["note"] = [_("Keep the note to %(n)d characters.") % {"n": GOAL_NOTE_MAX}]
        errors.append(problems)
        seen.add(goal_id)
    return errors, known


def review_record(*, participant: Participant, counselor: Counselor | None, reviewed_on: dt.date | None,
                  note: str = "", goals: list[GoalProgress]) -> PlanReview:
    """Record a review of the plan in the person's open episode: all of it or nothing.

    Refused: no open episode; a day in the future (the person's today) or before the admission;
    a goal that is not theirs, or one goal twice; no goal at all. Each goal's title is copied,
    so the review keeps its words when the person later closes their account.
    """
    errors = {}
    today = participant.local_today()
    if reviewed_on is None:
        errors["reviewed_on"] = [_("Pick a day from the calendar.")]
    elif problem := dates.entry_day_error(reviewed_on):
        errors["reviewed_on"] = [problem]
    elif reviewed_on > today:
        errors["reviewed_on"] = [_("A review is recorded on or after the day it took place: pick today or earlier.")]
    if len(note or "") > NOTE_MAX:
        errors["note"] = [_("Keep the note to %(n)d characters.") % {"n": NOTE_MAX}]
    if not goals:
        errors["goals"] = [_("Give the progress of at least one goal.")]
    goal_lines, known = _goal_errors(participant, goals)
    if any(goal_lines):
        errors["goals"] = [_("Check the goals marked below.")]
    with transaction.atomic():
        # The open episode, locked: a discharge at the same moment waits, and a review never lands
        # on an episode that has just ended.
        episode = (Episode.objects.select_for_update()
                   .filter(participant=participant, discharged_on__isnull=True).first())
        if episode is None:
            errors.setdefault("__all__", []).append(
                _("This person is not in the program now: a review is recorded in an open episode."))
        elif reviewed_on is not None and "reviewed_on" not in errors and reviewed_on < episode.admitted_on:
            errors["reviewed_on"] = [_("The review comes on or after the admission (%(day)s).")
                                     % {"day": episode.admitted_on.isoformat()}]
        if errors:
            raise ReviewRefused(errors, goal_lines if any(goal_lines) else [])
        review = PlanReview.objects.create(episode=episode, reviewed_on=reviewed_on, note=note or "",
                                           counselor=counselor)
        GoalReview.objects.bulk_create([
            GoalReview(review=review, goal=known[uuid.UUID(str(line.goal_id))],
                       goal_title=known[uuid.UUID(str(line.goal_id))].title, progress=line.progress,
                       note=line.note or "")
            for line in goals])
    return review


def reviews(participant):
    """Every review of the person's plan, in all their episodes, newest first, with its goals."""
    return list(PlanReview.objects.filter(episode__participant=participant)
                .select_related("counselor__user", "episode").prefetch_related("goals"))


def reviews_between(participant, first, last):
    """The reviews recorded for days first..last (both included), oldest first, with their goals."""
    return list(PlanReview.objects.filter(episode__participant=participant, reviewed_on__gte=first,
                                          reviewed_on__lte=last)
                .order_by("reviewed_on", "created_at").select_related("counselor__user")
                .prefetch_related(Prefetch("goals", GoalReview.objects.order_by("id"))))


def due_goals(participant, on):
    """Active goals whose review date has come by `on` and that no review from that date to `on`
    covered (so a past week reads as it stood then). A review before the date does not count: the
    care team planned it for then, and moves the date if they reviewed early."""
    reviewed_since = GoalReview.objects.filter(goal=OuterRef("pk"), review__reviewed_on__gte=OuterRef("review_on"),
                                               review__reviewed_on__lte=on)
    return list(Goal.objects.filter(participant=participant, status=Goal.Status.ACTIVE, review_on__isnull=False,
                                    review_on__lte=on)
                .filter(~Exists(reviewed_since)).order_by("review_on", "created_at"))


def review_goals(participant):
    """The goals a review asks about: the person's active goals, the due ones first."""
    return sorted(Goal.objects.filter(participant=participant, status=Goal.Status.ACTIVE),
                  key=lambda g: (g.review_on is None, g.review_on or dt.date.max, g.created_at))


def reviews_by_id(pk):
    return PlanReview.objects.select_related("counselor__user").prefetch_related("goals").get(pk=pk)
