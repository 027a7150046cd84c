"""The reads behind the participant's screens."""

import dataclasses
import datetime as dt

from .models import (
    CheckIn,
    Goal,
    SafetyPlanVersion,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    week_start,
    weekend_friday,
)


def local_day_bounds(participant, first, last):
    """UTC instants [start, end) covering the local days first..last in the participant's zone."""
    zone = participant.zone
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return start, end


def urges_between(participant, first, last):
    """The participant's urges on the local days first..last, newest first."""
    start, end = local_day_bounds(participant, first, last)
    return Urge.objects.filter(participant=participant, occurred_at__gte=start, occurred_at__lt=end)


@dataclasses.dataclass
class Today:
    today: dt.date
    checkin: CheckIn | None
    urges_today: int
    week_wins: list
    reflection: WeeklyReflection | None
    tasks_due: list
    weekend_plan: WeekendPlan | None  # the coming (or current) weekend's plan
    weekend_to_review: WeekendPlan | None  # last weekend's plan, not yet reviewed, Monday to Thursday

    @property
    def weekend_of(self):
        return weekend_friday(self.today)

    @property
    def weekend_is_near(self):
        """From Wednesday the coming weekend is worth planning."""
        return self.today.weekday() >= 2


def today_summary(*, participant, now=None):
    today = participant.local_today(now)
    monday = week_start(today)
    checkins = {c.date: c for c in CheckIn.objects.filter(participant=participant, date__gte=monday, date__lte=today)}
    reflection = WeeklyReflection.objects.filter(participant=participant, week_start=monday).first()
    wins = [(day, c.small_win) for day, c in sorted(checkins.items()) if c.small_win]
    wins += [(None, line) for line in (reflection.wins if reflection else [])]
    friday = weekend_friday(today)
    last_friday = friday - dt.timedelta(days=7)
    # This weekend's plan and last weekend's in one query (one plan per person and weekend).
    plans = {plan.weekend_of: plan for plan in WeekendPlan.objects.filter(
        participant=participant, weekend_of__in=[friday, last_friday])}
    to_review = plans.get(last_friday)
    if today.weekday() > 3 or (to_review is not None and to_review.how_it_went != ""):
        to_review = None
    return Today(
        today=today,
        checkin=checkins.get(today),
        urges_today=urges_between(participant, today, today).count(),
        week_wins=wins,
        reflection=reflection,
        tasks_due=list(open_tasks_due(participant=participant, today=today)),
        weekend_plan=plans.get(friday),
        weekend_to_review=to_review,
    )


def open_tasks_due(*, participant, today):
    """Tasks not done whose due date is today or has passed, oldest first."""
    return Task.objects.filter(participant=participant, done=False, due_date__lte=today).order_by("due_date", "created_at")


@dataclasses.dataclass
class HistoryDay:
    date: dt.date
    checkin: CheckIn | None
    urges: list
    reflection: WeeklyReflection | None  # shown on the Monday of its week


def history(*, participant, days=30, now=None):
    """The last `days` local days, newest first, with each day's check-in, urges and reflection."""
    today = participant.local_today(now)
    first = today - dt.timedelta(days=days - 1)
    checkins = {c.date: c for c in CheckIn.objects.filter(participant=participant, date__gte=first, date__lte=today)}
    reflections = {
        r.week_start: r
        for r in WeeklyReflection.objects.filter(
            participant=participant, week_start__gte=week_start(first), week_start__lte=today
        )
    }
    urges = {}
    zone = participant.zone
    for urge in urges_between(participant, first, today).order_by("occurred_at"):
        urges.setdefault(urge.occurred_at.astimezone(zone).date(), []).append(urge)
    result = []
    for offset in range(days):
        day = today - dt.timedelta(days=offset)
        reflection = reflections.get(day) if day.weekday() == 0 else None
        if offset == days - 1 and reflection is None:
            reflection = reflections.get(week_start(day))
        result.append(HistoryDay(day, checkins.get(day), urges.get(day, []), reflection))
    return result


@dataclasses.dataclass
class WeekendReview:
    plan: WeekendPlan
    urges: list
    checkins: list

    @property
    def setbacks(self):
        return sum(1 for urge in self.urges if urge.is_setback)


def weekend_review(*, plan):
    """The weekend's urges (Friday 17:00 to Monday 00:00, the person's time) and check-ins
    (Friday to Sunday), to look at beside the plan on Monday."""
    start, end = plan.window()
    urges = Urge.objects.filter(participant=plan.participant, occurred_at__gte=start, occurred_at__lt=end)
    checkins = CheckIn.objects.filter(participant=plan.participant, date__gte=plan.weekend_of,
                                      date__lte=plan.weekend_of + dt.timedelta(days=2))
    return WeekendReview(plan=plan, urges=list(urges.order_by("occurred_at")), checkins=list(checkins.order_by("date")))


def current_safety_plan(*, participant):
    """The newest version, or an empty unsaved one for a person who has not written a plan yet."""
    latest = SafetyPlanVersion.objects.filter(participant=participant).order_by("-number").first()
    return latest or SafetyPlanVersion(participant=participant, number=0)


def safety_plan_history(*, participant):
    """(version, its changes from the version before: SafetyPlanVersion.changes_from) for every
    version, newest first."""
    versions = list(SafetyPlanVersion.objects.filter(participant=participant).order_by("number").select_related("author"))
    history = [(v, v.changes_from(versions[i - 1] if i else None)) for i, v in enumerate(versions)]
    return list(reversed(history))


def safety_plan_version_with_changes(*, participant, number):
    """(version `number`, its changes from the version before), or (None, []) if there is none."""
    version = SafetyPlanVersion.objects.filter(participant=participant, number=number).first()
    if version is None:
        return None, []
    previous = (SafetyPlanVersion.objects.filter(participant=participant, number__lt=number)
                .order_by("-number").first())
    return version, version.changes_from(previous)


GOAL_ORDER = {Goal.Status.ACTIVE: 0, Goal.Status.PAUSED: 1, Goal.Status.ACHIEVED: 2, Goal.Status.CLOSED: 3}


def goals_and_tasks(*, participant):
    goals = sorted(Goal.objects.filter(participant=participant), key=lambda g: (GOAL_ORDER[g.status], -g.created_at.timestamp()))
    tasks = list(Task.objects.filter(participant=participant).order_by("done", "due_date", "created_at"))
    by_goal = {}
    for task in tasks:
        by_goal.setdefault(task.goal_id, []).append(task)
    return {
        "goals": [(goal, by_goal.get(goal.pk, [])) for goal in goals],
        "loose_tasks": by_goal.get(None, []),
        "today": participant.local_today(),
    }
