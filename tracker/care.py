"""The reads behind the care team's screens: a person's trends and their week (the export is
tracker.exports).

Nothing here decides who may read what: callers get the participant from
tracker.access.care_participant, which also writes the audit row. Private notes never leave
this module: a note reaches a counselor only as `entry.shared_note` (tracker.models).
"""

import dataclasses
import functools
import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext

from . import plan_reviews, progress, scores, selectors
from .models import (
    CheckIn,
    Delivery,
    FlagAcknowledgement,
    Goal,
    HighRiskTime,
    SafetyPlanVersion,
    Task,
    Trigger,
    WeekendPlan,
    WeeklyReflection,
    week_start,
    weekend_friday,
)

PERIODS = (30, 90, 365)
# Up to this many days a chart has a bar per day; longer periods have a bar per week.
DAILY_UP_TO = 90
WEEKDAYS = HighRiskTime.WEEKDAYS


# ---------------------------------------------------------------------------------------------
# Trends over 30, 90 or 365 days


@dataclasses.dataclass
class Bucket:
    first: dt.date
    last: dt.date
    days: list  # progress.Day

    @property
    def label(self):
        day = date_format(self.first, gettext("j M"))
        return day if self.first == self.last else gettext("Week of %(day)s") % {"day": day}

    def checkin_values(self, attribute, scale=1):
        values = [getattr(d.checkin, attribute) for d in self.days if d.checkin is not None]
        value = progress.mean([v * scale for v in values if v is not None])
        return None if value is None else round(value, 2)

    @property
    def urges(self):
        return [u for d in self.days for u in d.urges]

    def urge_mean(self, attribute):
        value = progress.mean([getattr(u, attribute) for u in self.urges])
        return None if value is None else round(value, 2)

    @property
    def adherence(self):
        """Share of the bucket's days with a check-in, in percent."""
        return round(100 * sum(1 for d in self.days if d.checkin is not None) / len(self.days), 1)


def buckets(days, *, weekly):
    """Days grouped one per bar: each day alone, or Monday-to-Sunday weeks (the first and last may be short)."""
    if not weekly:
        return [Bucket(d.date, d.date, [d]) for d in days]
    groups = defaultdict(list)
    for day in days:
        groups[week_start(day.date)].append(day)
    return [Bucket(group[0].date, group[-1].date, group) for _, group in sorted(groups.items())]


def series(days, *, weekly):
    """The numbers behind each chart, one value per bar (None where nothing was logged)."""
    bars = buckets(days, weekly=weekly)
    weeks = bars if weekly else buckets(days, weekly=True)
    return {
        "labels": [b.label for b in bars],
        "spans": [(b.first, b.last) for b in bars],
        "sleep_hours": [b.checkin_values("total_sleep_min", 1 / 60) for b in bars],
        "sleep_efficiency": [b.checkin_values("sleep_efficiency", 100) for b in bars],
        "sleep_quality": [b.checkin_values("sleep_quality") for b in bars],
        "urges": [len(b.urges) for b in bars],
        "urge_intensity": [b.urge_mean("intensity") for b in bars],
        "urge_minutes": [b.urge_mean("duration_min") for b in bars],
        "stress": [b.checkin_values("stress") for b in bars],
        "adherence_labels": [w.label for w in weeks],
        "adherence_spans": [(w.first, w.last) for w in weeks],
        "adherence": [w.adherence for w in weeks],
    }


def rank_triggers(urges):
    """(label, count, share of urges) for each trigger named, most frequent first."""
    counts = Counter(key for urge in urges for key in urge.triggers)
    others = sum(1 for urge in urges if urge.trigger_other)
    labels = dict(Trigger.choices)
    ranked = [(labels.get(key, key), n) for key, n in counts.items()]
    if others:
        ranked.append((gettext("Other (in their words)"), others))
    total = len(urges)
    return [(label, n, n / total) for label, n in sorted(ranked, key=lambda item: (-item[1], item[0]))]


def heat_map(urges, zone):
    """Urge counts by local weekday (0 = Monday) and hour: a 7 x 24 grid."""
    grid = [[0] * 24 for _ in range(7)]
    for urge in urges:
        local = urge.occurred_at.astimezone(zone)
        grid[local.weekday()][local.hour] += 1
    return grid


def engagement(participant, first_instant, last_instant):
    """Reminder deliveries due in the period, by outcome."""
    counts = Delivery.objects.filter(
        reminder__participant=participant, due_at__gte=first_instant, due_at__lt=last_instant
    ).aggregate(
        sent=Count("id", filter=Q(status=Delivery.Status.SENT)),
        opened=Count("id", filter=Q(status=Delivery.Status.SENT, opened_at__isnull=False)),
        missed=Count("id", filter=Q(status=Delivery.Status.MISSED)),
        failed=Count("id", filter=Q(status=Delivery.Status.FAILED)),
        # A sender stopped mid-send: it may have arrived, so neither sent nor failed.
        unknown=Count("id", filter=Q(status=Delivery.Status.UNKNOWN)),
        skipped=Count("id", filter=Q(status=Delivery.Status.SKIPPED)),
    )
    counts["open_rate"] = counts["opened"] / counts["sent"] if counts["sent"] else None
    return counts


@dataclasses.dataclass
class Overview:
    participant: object
    period: int
    figures: progress.Progress
    data: dict
    triggers: list
    heat: list
    engagement: dict
    events: list = dataclasses.field(default_factory=list)  # Event, oldest first

    @property
    def heat_max(self):
        return max(max(row) for row in self.heat)

    def busiest(self, limit=3):
        cells = sorted(((n, d, h) for d, row in enumerate(self.heat) for h, n in enumerate(row) if n), reverse=True)
        return [(WEEKDAYS[d], h, n) for n, d, h in cells[:limit]]


@dataclasses.dataclass(frozen=True)
class Event:
    """Something a chart marks on its date: a setback, an acknowledged flag, a safety-plan change."""
    date: dt.date
    kind: str  # "setback", "acknowledged" or "plan"
    detail: str  # the flag's key, the plan version's number; empty for a setback


def events(participant, figures, first_instant, last_instant, acknowledgements=None):
    """`acknowledgements`: all of the person's, newest first, when the caller has them already
    (the trends page reads them for its flags, tracker.triage.Row); otherwise read here."""
    zone = participant.zone
    found = [Event(u.occurred_at.astimezone(zone).date(), "setback", "") for u in figures.urges
             if u.outcome == u.Outcome.USED]
    if acknowledgements is None:
        acknowledgements = FlagAcknowledgement.objects.filter(participant=participant, created_at__gte=first_instant,
                                                              created_at__lt=last_instant)
    found += [Event(a.created_at.astimezone(zone).date(), "acknowledged", a.flag) for a in acknowledgements
              if first_instant <= a.created_at < last_instant]
    found += [Event(v.created_at.astimezone(zone).date(), "plan", str(v.number))
              for v in SafetyPlanVersion.objects.filter(participant=participant, created_at__gte=first_instant,
                                                        created_at__lt=last_instant)]
    return sorted(found, key=lambda e: (e.date, e.kind))


def overview(*, participant, period, now=None, acknowledgements=None):
    figures = progress.progress(participant=participant, days=period, now=now)
    # The charts start at the join date when that is later than the period's start.
    data = series(figures.tracked_days, weekly=period > DAILY_UP_TO)
    start, end = selectors.local_day_bounds(participant, figures.first, figures.last)
    return Overview(
        participant=participant, period=period, figures=figures, data=data, triggers=rank_triggers(figures.urges),
        heat=heat_map(figures.urges, participant.zone), engagement=engagement(participant, start, end),
        events=events(participant, figures, start, end, acknowledgements),
    )


def timeline(*, participant, first, last):
    """Wins and weekly reflections between two local dates, newest first: (date, kind, item)."""
    items = [(c.date, "win", c.small_win) for c in CheckIn.objects.filter(
        participant=participant, date__gte=first, date__lte=last).exclude(small_win="")]
    items += [(r.week_start, "reflection", r) for r in WeeklyReflection.objects.filter(
        participant=participant, week_start__gte=week_start(first), week_start__lte=last)]
    return sorted(items, key=lambda item: (item[0], item[1] == "reflection"), reverse=True)


def weekend_plans(*, participant, limit=12):
    return list(WeekendPlan.objects.filter(participant=participant).order_by("-weekend_of")[:limit])


# ---------------------------------------------------------------------------------------------
# The week before a session


@dataclasses.dataclass
class WeekDay:
    date: dt.date
    checkin: CheckIn | None
    urges: list

    @property
    def strongest(self):
        return max((u.intensity for u in self.urges), default=None)


@dataclasses.dataclass
class WeekSummary:
    participant: object
    monday: dt.date
    days: list
    reflection: WeeklyReflection | None
    weekend_plan: WeekendPlan | None
    tasks_done: list
    tasks_open: list
    goals: list
    safety_plan: SafetyPlanVersion | None
    safety_plan_changed: bool
    engagement: dict
    high_risk_times: list
    questionnaires: list = dataclasses.field(default_factory=list)  # tracker.scores.Due: due, done, missed
    # Issue 18 (tracker.plan_reviews): the reviews of the week's days, and the goals due for one
    # by the week's last day (or today, in the week under way).
    plan_reviews: list = dataclasses.field(default_factory=list)
    reviews_due: list = dataclasses.field(default_factory=list)

    @property
    def sunday(self):
        return self.monday + dt.timedelta(days=6)

    @property
    def friday(self):
        return weekend_friday(self.monday)

    @property
    def progress_days(self):
        return [progress.Day(d.date, d.checkin, d.urges) for d in self.days]

    @functools.cached_property
    def figures(self):
        return progress.Progress(days=self.progress_days, first=self.monday, last=self.sunday, wins=[], helpers=[],
                                 helpers_unranked=[])

    @property
    def urges(self):
        return [u for d in self.days for u in d.urges]

    @property
    def setbacks(self):
        return [u for u in self.urges if u.is_setback]

    @property
    def wins(self):
        return [(d.date, d.checkin.small_win) for d in self.days if d.checkin and d.checkin.small_win]

    @property
    def triggers(self):
        return rank_triggers(self.urges)[:5]

    @functools.cached_property
    def helpers(self):
        return progress.rank_helpers(self.urges)


def week_summary(*, participant, monday):
    sunday = monday + dt.timedelta(days=6)
    checkins = {c.date: c for c in CheckIn.objects.filter(participant=participant, date__gte=monday, date__lte=sunday)}
    urges = defaultdict(list)
    for urge in selectors.urges_between(participant, monday, sunday).order_by("occurred_at"):
        urges[urge.occurred_at.astimezone(participant.zone).date()].append(urge)
    start, end = selectors.local_day_bounds(participant, monday, sunday)
    tasks = list(Task.objects.filter(Q(done=False) | Q(done_at__gte=start, done_at__lt=end), participant=participant))
    plan = SafetyPlanVersion.objects.filter(participant=participant).order_by("-number").first()
    return WeekSummary(
        participant=participant, monday=monday,
        days=[WeekDay(day, checkins.get(day), urges.get(day, []))
              for day in (monday + dt.timedelta(days=n) for n in range(7))],
        reflection=WeeklyReflection.objects.filter(participant=participant, week_start=monday).first(),
        weekend_plan=WeekendPlan.objects.filter(participant=participant, weekend_of=weekend_friday(monday)).first(),
        tasks_done=[t for t in tasks if t.done and t.done_at and start <= t.done_at < end],
        tasks_open=[t for t in tasks if not t.done],
        goals=list(Goal.objects.filter(participant=participant, status=Goal.Status.ACTIVE)),
        safety_plan=plan, safety_plan_changed=bool(plan and start <= plan.created_at < end),
        engagement=engagement(participant, start, end),
        high_risk_times=list(HighRiskTime.objects.filter(participant=participant)),
        questionnaires=scores.week_questionnaires(participant, monday, sunday, start, end),
        plan_reviews=plan_reviews.reviews_between(participant, monday, sunday),
        reviews_due=plan_reviews.due_goals(participant, min(sunday, participant.local_today())),
    )


def default_week(participant, now=None):
    """The Monday of the week shown first: this week from Wednesday, the week before until then."""
    today = participant.local_today(now)
    monday = week_start(today)
    return monday if today.weekday() >= 2 else monday - dt.timedelta(days=7)
