"""The recovery passport (issue 18): a person's own record in one page, theirs to print and take
to their next provider.

Everything in it comes from what the person wrote or was shown: what helped them most (ranked as
on their progress page, tracker.progress.rank_helpers), their high-risk times, the safety plan
in use, their latest weekend plan, their PHQ-9 and GAD-7 scores (first and latest, as the result
page showed them), their sleep early and late, their episodes' dates and the aftercare plan they
made with their counselor.

What it never holds is chosen here, field by field, not left to the templates: the care team's
side of an episode (the kind of discharge, the discharge note, level changes and their reasons,
plan reviews), flags and their acknowledgement notes, and the person's own private notes (it is
made to be handed over). Aftercare is copied into its own small class so a field added to the
model later stays out until someone decides it belongs.
"""

import dataclasses
import datetime as dt

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from . import scores
from .models import AftercarePlan, CheckIn, Episode, HighRiskTime, Urge, WeekendPlan
from .progress import mean, rank_helpers
from .selectors import current_safety_plan

# The questionnaires whose change the passport shows (the BAM's items are for the care team's plan).
INSTRUMENTS = ("phq9", "gad7")
# Sleep early and late: the average over this many days from the first check-in and up to the last.
SLEEP_DAYS = 14
# The weekend plan's own parts, in the form's order (its review afterwards is left out: a template).
WEEKEND_PARTS = {"friday_evening": _("Friday evening"), "saturday": _("Saturday"), "sunday": _("Sunday"),
                 "who_to_call": _("Who I will call"), "places_to_avoid": _("Places I will avoid"),
                 "if_urge": _("What I will do if an urge hits"), "safe_ride": _("A safe ride")}


@dataclasses.dataclass(frozen=True)
class ScoreChange:
    key: str  # "phq9"
    name: str  # "PHQ-9"
    high: int  # the highest score possible
    higher_is_better: bool
    first_on: dt.date
    first: int
    first_band: str
    latest_on: dt.date | None  # None when there is only one score yet
    latest: int | None
    latest_band: str


@dataclasses.dataclass(frozen=True)
class SleepAverage:
    first_day: dt.date
    last_day: dt.date
    nights: int  # check-ins with a sleep figure
    average_min: float | None

    @property
    def hours(self):
        return None if self.average_min is None else round(self.average_min / 60, 1)


@dataclasses.dataclass(frozen=True)
class Sleep:
    early: SleepAverage
    late: SleepAverage | None  # None until the two periods no longer overlap


@dataclasses.dataclass(frozen=True)
class RiskTime:
    label: str
    weekdays: list  # 0 is Monday
    start_time: dt.time
    end_time: dt.time  # before the start: it runs past midnight

    @property
    def day_names(self):
        return [WEEKDAYS[day] for day in sorted(self.weekdays)]


@dataclasses.dataclass(frozen=True)
class Stay:
    admitted_on: dt.date
    discharged_on: dt.date | None  # None while still in the program


@dataclasses.dataclass(frozen=True)
class Aftercare:
    """What the person agreed with their counselor at discharge (AftercarePlan), and only that."""

    next_provider: str
    first_appointment_at: dt.datetime | None  # in the person's zone
    first_appointment_place: str
    prescriber: str
    meetings: str
    people: str
    follow_up: str
    checkups: bool  # the program's check-ups are on
    checkups_until: dt.date | None


@dataclasses.dataclass
class Passport:
    name: str
    made_on: dt.date
    helpers: list  # tracker.progress.Helper, ranked
    helpers_unranked: list
    high_risk_times: list
    safety_plan: object  # SafetyPlanVersion (unsaved and empty before the first save)
    weekend_plan: WeekendPlan | None
    scores: list  # ScoreChange
    sleep: Sleep | None
    stays: list  # Stay, newest first
    aftercare: Aftercare | None

    @property
    def ranks_differ(self):
        return len({helper.rank for helper in self.helpers}) > 1

    @property
    def weekend_parts(self):
        """(field, its label, the person's words) for each part of the weekend plan they filled in."""
        if self.weekend_plan is None:
            return []
        return [(name, label, getattr(self.weekend_plan, name))
                for name, label in WEEKEND_PARTS.items() if getattr(self.weekend_plan, name)]


def _score_changes(participant):
    changes = []
    for history in scores.participant_scores(participant):
        if history.key not in INSTRUMENTS:
            continue
        for score in history.scores:
            first, latest = score.points[0], score.points[-1]
            again = latest is not first
            changes.append(ScoreChange(
                key=history.key, name=score.name, high=score.score.high, higher_is_better=score.score.higher_is_better,
                first_on=first.day, first=first.value, first_band=first.band,
                latest_on=latest.day if again else None, latest=latest.value if again else None,
                latest_band=latest.band if again else ""))
    return changes


def _sleep_average(checkins, first_day, last_day):
    values = [c.total_sleep_min for c in checkins if first_day <= c.date <= last_day and c.total_sleep_min is not None]
    return SleepAverage(first_day=first_day, last_day=last_day, nights=len(values), average_min=mean(values))


def _sleep(participant):
    """The average sleep of the first SLEEP_DAYS days from the first check-in, and of the last
    SLEEP_DAYS days up to the latest one; only the first until the two no longer overlap."""
    checkins = list(CheckIn.objects.filter(participant=participant, total_sleep_min__isnull=False).order_by("date")
                    .only("date", "total_sleep_min"))
    if not checkins:
        return None
    span = dt.timedelta(days=SLEEP_DAYS - 1)
    first, last = checkins[0].date, checkins[-1].date
    early = _sleep_average(checkins, first, min(first + span, last))
    if last - span <= first + span:
        return Sleep(early=early, late=None)
    return Sleep(early=early, late=_sleep_average(checkins, last - span, last))


def _aftercare(participant, episode):
    plan = AftercarePlan.objects.filter(episode=episode).first() if episode is not None else None
    if plan is None:
        return None
    return Aftercare(
        next_provider=plan.next_provider,
        first_appointment_at=plan.first_appointment_at.astimezone(participant.zone) if plan.first_appointment_at else None,
        first_appointment_place=plan.first_appointment_place, prescriber=plan.prescriber, meetings=plan.meetings,
        people=plan.people, follow_up=plan.follow_up, checkups=plan.checkups_on,
        checkups_until=plan.checkups_until if plan.checkups_on else None,
    )


def passport(*, participant, now=None) -> Passport:
    """The person's passport, from their own record only."""
    ranked, unranked = rank_helpers(Urge.objects.filter(participant=participant).only("helped", "outcome"))
    episodes = list(Episode.objects.filter(participant=participant).only("admitted_on", "discharged_on"))
    plan = current_safety_plan(participant=participant)
    return Passport(
        name=str(participant),
        made_on=participant.local_today(now),
        helpers=ranked,
        helpers_unranked=unranked,
        high_risk_times=[RiskTime(label=t.label, weekdays=t.weekdays, start_time=t.start_time, end_time=t.end_time)
                         for t in HighRiskTime.objects.filter(participant=participant)],
        safety_plan=plan,
        weekend_plan=WeekendPlan.objects.filter(participant=participant).order_by("-weekend_of").first(),
        scores=_score_changes(participant),
        sleep=_sleep(participant),
        stays=[Stay(admitted_on=e.admitted_on, discharged_on=e.discharged_on) for e in episodes],
        aftercare=_aftercare(participant, episodes[0] if episodes else None),
    )
