"""A participant's own progress and patterns: figures computed from their entries.

Everything is per local day in the participant's zone. Averages skip days with no value,
and say how many values they rest on, so "no data" is never shown as zero.
"""

import dataclasses
import datetime as dt
import math
from collections import Counter, defaultdict

from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import ngettext, pgettext_lazy

from . import medication
from .models import HARM_REDUCTION_DEFAULT, CheckIn, HighRiskTime, Strategy, Urge, WeeklyReflection, week_start
from .selectors import current_safety_plan, local_day_bounds, urges_between

PERIODS = (7, 30, 90)
# "What helps me most" ranks a strategy only once it was used this many times with a known outcome.
MIN_USES_TO_RANK = 3
# The pattern finder looks this far back, and wants urges in the same window on at least
# PATTERN_MIN_WEEKS different weeks, and on at least PATTERN_MIN_SHARE of the weeks it saw
# (counted from the person's first urge, so a new person is not judged on weeks before they came).
# It offers the PATTERN_MAX_SUGGESTIONS strongest windows, so the advice stays short.
PATTERN_LOOKBACK_DAYS = 90
PATTERN_MIN_WEEKS = 3
PATTERN_MIN_SHARE = 0.6
PATTERN_MAX_HOURS = 3
PATTERN_MAX_SUGGESTIONS = 3
# ...and the window must stand out: its share of weeks at least this many times the share of
# the same hours on the other days of the week. Someone with urges at all hours has no window.
PATTERN_MIN_LIFT = 2.0


def parse_period(value, *, periods, default):
    """A number of days from a query parameter (?days=): the default when absent, else one of
    `periods`. Raises ValueError, with the message to show, for anything else. Pages fall back
    to the default; the API answers 400."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number not in periods:
        raise ValueError(gettext("Pick one of %(keys)s.") % {"keys": ", ".join(map(str, periods))})
    return number


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


@dataclasses.dataclass
class Day:
    date: dt.date
    checkin: CheckIn | None
    urges: list

    @property
    def urge_count(self):
        return len(self.urges)


@dataclasses.dataclass
class Helper:
    key: str
    label: str
    uses: int
    passed: int
    rank: int | None = None
    shared: bool = False  # another strategy has the same rank

    @property
    def rate(self):
        return self.passed / self.uses if self.uses else None


@dataclasses.dataclass
class Progress:
    days: list
    first: dt.date
    last: dt.date
    wins: list
    helpers: list  # ranked, each used at least MIN_USES_TO_RANK times
    helpers_unranked: list  # used, but too few times to say
    start: dt.date | None = None  # the join date when it falls inside the period, else `first`

    @property
    def joined_in_period(self):
        return self.start is not None and self.start > self.first

    @property
    def tracked_days(self):
        """The days since the period's start or the join date, whichever is later."""
        return [day for day in self.days if self.start is None or day.date >= self.start]

    @property
    def ranks_differ(self):
        """Rank numbers say something only when the ranked strategies do not all share one."""
        return len({helper.rank for helper in self.helpers}) > 1

    def _checkin_values(self, attribute):
        return [getattr(day.checkin, attribute) for day in self.days if day.checkin is not None]

    @property
    def checkin_days(self):
        return sum(1 for day in self.days if day.checkin is not None)

    @property
    def avg_total_sleep_min(self):
        return mean(self._checkin_values("total_sleep_min"))

    @property
    def avg_sleep_efficiency(self):
        return mean(self._checkin_values("sleep_efficiency"))

    @property
    def avg_sleep_quality(self):
        return mean(self._checkin_values("sleep_quality"))

    @property
    def avg_stress(self):
        return mean(self._checkin_values("stress"))

    @property
    def urges(self):
        return [urge for day in self.days for urge in day.urges]

    @property
    def urge_count(self):
        return len(self.urges)

    @property
    def avg_intensity(self):
        return mean([urge.intensity for urge in self.urges])

    @property
    def avg_duration_min(self):
        return mean([urge.duration_min for urge in self.urges])

    def halves(self):
        """Average urge length in the first and in the second half of the period."""
        middle = len(self.days) // 2
        first = [u.duration_min for day in self.days[:middle] for u in day.urges]
        second = [u.duration_min for day in self.days[middle:] for u in day.urges]
        return mean(first), mean(second)

    @property
    def use(self):
        """Days the person told Steady they didn't use, out of the days they answered no or yes
        (tracker.medication.use_days): a count over the period, never a streak."""
        return medication.use_days({day.date: day.checkin for day in self.days}, [day.date for day in self.days])

    def calendar(self):
        """Weeks (Monday to Sunday) covering the period; None for days outside it."""
        by_date = {day.date: day for day in self.days}
        weeks, monday = [], week_start(self.first)
        while monday <= self.last:
            weeks.append([by_date.get(monday + dt.timedelta(days=n)) for n in range(7)])
            monday += dt.timedelta(days=7)
        return weeks


def rank_helpers(urges):
    """Coping strategies by the share of urges that passed (without using) when they were used.

    Only urges with a known outcome count; "I reached out" counts as passed. Strategies used
    fewer than MIN_USES_TO_RANK times are returned apart, unranked. Equal rates share a rank.
    """
    uses, passed = defaultdict(int), defaultdict(int)
    for urge in urges:
        if not urge.outcome:
            continue
        for key in urge.helped:
            uses[key] += 1
            passed[key] += urge.outcome != Urge.Outcome.USED
    labels = dict(Strategy.choices)
    helpers = [Helper(key, labels.get(key, key), uses[key], passed[key]) for key in uses]
    ranked = sorted((h for h in helpers if h.uses >= MIN_USES_TO_RANK), key=lambda h: (-h.rate, -h.uses, h.label))
    for index, helper in enumerate(ranked):
        same_as_previous = index and helper.rate == ranked[index - 1].rate
        helper.rank = ranked[index - 1].rank if same_as_previous else index + 1
    ranks = Counter(helper.rank for helper in ranked)
    for helper in ranked:
        helper.shared = ranks[helper.rank] > 1
    unranked = sorted((h for h in helpers if h.uses < MIN_USES_TO_RANK), key=lambda h: (-h.uses, h.label))
    return ranked, unranked


def progress(*, participant, days, now=None):
    last = participant.local_today(now)
    first = last - dt.timedelta(days=days - 1)
    checkins = {c.date: c for c in CheckIn.objects.filter(participant=participant, date__gte=first, date__lte=last)}
    urges_by_day = defaultdict(list)
    zone = participant.zone
    for urge in urges_between(participant, first, last).order_by("occurred_at"):
        urges_by_day[urge.occurred_at.astimezone(zone).date()].append(urge)
    period = [first + dt.timedelta(days=n) for n in range(days)]
    wins = [(day, checkins[day].small_win) for day in period if day in checkins and checkins[day].small_win]
    for reflection in WeeklyReflection.objects.filter(participant=participant, week_start__gte=week_start(first),
                                                      week_start__lte=last):
        wins += [(reflection.week_start, line) for line in reflection.wins]
    wins.sort(key=lambda item: item[0], reverse=True)
    # Charts and counts start at the join date (in their zone) when that is inside the period.
    joined = participant.created_at.astimezone(zone).date() if participant.created_at else first
    result = Progress(
        days=[Day(day, checkins.get(day), urges_by_day.get(day, [])) for day in period],
        first=first, last=last, wins=wins, helpers=[], helpers_unranked=[],
        start=joined if first < joined <= last else first,
    )
    result.helpers, result.helpers_unranked = rank_helpers(result.urges)
    return result


# ---------------------------------------------------------------------------------------------
# After a hard moment: the support sheet shown after a strong urge or a setback.

SUPPORT_LOOKBACK_DAYS = 90
SUPPORT_STRATEGIES = 2


@dataclasses.dataclass
class SupportSheet:
    strategies: list  # the person's own words: their top strategies, or their plan's "on my own"
    from_ranking: bool  # True: "what helps me most"; False: the safety plan's things to do alone
    call_name: str  # who the one-tap call goes to: the first helper with a number, else 988
    call_number: str
    plan: object  # the safety plan in use (an unsaved empty one before the first save)
    harm_reduction: str  # the program's line after a setback ("" when the program turned it off)


def is_hard_moment(*, intensity, outcome):
    """After this urge, the support sheet is shown: a strong one (the caseload's own threshold)
    or one that ended in use."""
    return outcome == Urge.Outcome.USED or (intensity is not None and intensity >= settings.TRIAGE_HIGH_URGE)


def support_sheet(*, participant, now=None):
    last = participant.local_today(now)
    urges = urges_between(participant, last - dt.timedelta(days=SUPPORT_LOOKBACK_DAYS - 1), last)
    ranked, _ = rank_helpers(urges)
    plan = current_safety_plan(participant=participant)
    if len(ranked) >= SUPPORT_STRATEGIES:
        strategies, from_ranking = [helper.label for helper in ranked[:SUPPORT_STRATEGIES]], True
    else:
        strategies, from_ranking = list(plan.coping_alone), False
    first = next((person for person in plan.helpers if person.get("phone")), None)
    program = participant.program
    harm = (program.harm_reduction_text or str(HARM_REDUCTION_DEFAULT)) if program.harm_reduction_on else ""
    return SupportSheet(strategies=strategies, from_ranking=from_ranking,
                        call_name=first["name"] if first else "988", call_number=first["phone"] if first else "988",
                        plan=plan, harm_reduction=harm)


# ---------------------------------------------------------------------------------------------
# Patterns: when do urges cluster?


# A weekday, many times over: a pattern's heading ("Fridays, 17:00 to 20:00") and its sentence
# ("... of your last 6 Fridays ..."), which some languages word differently.
DAYS_HEADING = (pgettext_lazy("heading", "Mondays"), pgettext_lazy("heading", "Tuesdays"),
                pgettext_lazy("heading", "Wednesdays"), pgettext_lazy("heading", "Thursdays"),
                pgettext_lazy("heading", "Fridays"), pgettext_lazy("heading", "Saturdays"),
                pgettext_lazy("heading", "Sundays"))
DAYS_IN_SENTENCE = (pgettext_lazy("in a sentence", "Mondays"), pgettext_lazy("in a sentence", "Tuesdays"),
                    pgettext_lazy("in a sentence", "Wednesdays"), pgettext_lazy("in a sentence", "Thursdays"),
                    pgettext_lazy("in a sentence", "Fridays"), pgettext_lazy("in a sentence", "Saturdays"),
                    pgettext_lazy("in a sentence", "Sundays"))


@dataclasses.dataclass
class Suggestion:
    weekday: int
    start_hour: int
    end_hour: int
    weeks_with_urges: int
    weeks_seen: int
    urge_count: int
    time_zone: str

    @property
    def start(self):
        return dt.time(self.start_hour)

    @property
    def end(self):
        return dt.time(self.end_hour % 24)

    def words(self):
        """Its heading, why it is suggested, and the name it is saved with (the person's to
        change), in the reader's language: what the page and the API say."""
        values = {"days": DAYS_IN_SENTENCE[self.weekday], "day": WEEKDAYS[self.weekday],
                  "start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}",
                  "weeks": self.weeks_with_urges, "seen": self.weeks_seen, "count": self.urge_count,
                  "zone": self.time_zone}
        if self.start_hour < 12:
            label = gettext("%(day)s morning") % values
        elif self.start_hour < 17:
            label = gettext("%(day)s afternoon") % values
        else:
            label = gettext("%(day)s evening") % values
        return {
            "heading": gettext("%(days)s, %(start)s to %(end)s") % {**values, "days": DAYS_HEADING[self.weekday]},
            "explanation": ngettext(
                "You logged urges on %(weeks)s of your last %(seen)s %(days)s between %(start)s and %(end)s "
                "(%(count)s urge in all). Times are in your time zone, %(zone)s.",
                "You logged urges on %(weeks)s of your last %(seen)s %(days)s between %(start)s and %(end)s "
                "(%(count)s urges in all). Times are in your time zone, %(zone)s.", self.urge_count) % values,
            "label": label[:1].upper() + label[1:],
        }

    @property
    def label(self):
        return self.words()["label"]

    @property
    def explanation(self):
        return self.words()["explanation"]


def find_patterns(*, participant, now=None, lookback_days=PATTERN_LOOKBACK_DAYS):
    """Weekday-and-hour windows (up to PATTERN_MAX_HOURS long) where the person's urges cluster.

    A window counts the different dates (so different weeks) with an urge in it, in local
    time, so a window stays put across daylight-saving changes. A window is suggested when
    that count reaches the threshold and no high-risk time already covers it.
    """
    last = participant.local_today(now)
    first = last - dt.timedelta(days=lookback_days - 1)
    start, end = local_day_bounds(participant, first, last)
    zone = participant.zone
    dates = defaultdict(set)  # (weekday, hour) -> local dates with an urge then
    counts = defaultdict(int)
    earliest = None
    for occurred_at in Urge.objects.filter(participant=participant, occurred_at__gte=start,
                                           occurred_at__lt=end).values_list("occurred_at", flat=True):
        local = occurred_at.astimezone(zone)
        dates[(local.weekday(), local.hour)].add(local.date())
        counts[(local.weekday(), local.hour)] += 1
        earliest = min(earliest or local.date(), local.date())
    if earliest is None:
        return []
    span = [earliest + dt.timedelta(days=n) for n in range((last - earliest).days + 1)]
    weeks_seen = {weekday: sum(1 for day in span if day.weekday() == weekday) for weekday in range(7)}
    threshold = {weekday: max(PATTERN_MIN_WEEKS, math.ceil(PATTERN_MIN_SHARE * seen))
                 for weekday, seen in weeks_seen.items()}
    existing = list(HighRiskTime.objects.filter(participant=participant))

    candidates = []
    for weekday in range(7):
        for first_hour in range(24):
            for width in range(1, PATTERN_MAX_HOURS + 1):
                if first_hour + width > 24:
                    break
                hours = range(first_hour, first_hour + width)
                days_with = set().union(*(dates[(weekday, h)] for h in hours))
                # Windows are trimmed to hours that had urges, so an empty edge hour never widens one.
                if len(days_with) < threshold[weekday] or not (dates[(weekday, hours[0])] and dates[(weekday, hours[-1])]):
                    continue
                share = len(days_with) / weeks_seen[weekday]
                other_days = [d for d in range(7) if d != weekday]
                elsewhere = sum(len(set().union(*(dates[(d, h)] for h in hours))) for d in other_days)
                elsewhere_share = elsewhere / max(1, sum(weeks_seen[d] for d in other_days))
                if share >= PATTERN_MIN_LIFT * elsewhere_share:
                    candidates.append((share, len(days_with), -width, weekday, first_hour, width))
    suggestions, taken = [], set()
    for _, weeks_with, _, weekday, first_hour, width in sorted(candidates, reverse=True):
        hours = set(range(first_hour, first_hour + width))
        if any((weekday, h) in taken for h in hours):
            continue
        taken |= {(weekday, h) for h in hours}
        if any(all(window.covers(weekday, h) for h in hours) for window in existing):
            continue
        suggestions.append(Suggestion(
            weekday=weekday, start_hour=first_hour, end_hour=first_hour + width, weeks_with_urges=weeks_with,
            weeks_seen=weeks_seen[weekday], urge_count=sum(counts[(weekday, h)] for h in hours), time_zone=participant.time_zone,
        ))
        if len(suggestions) == PATTERN_MAX_SUGGESTIONS:
            break
    return suggestions


# "Same as usual": the median of the person's last USUAL_NIGHTS nights with both times,
# offered once there are at least USUAL_MIN_NIGHTS of them.
USUAL_NIGHTS = 7
USUAL_MIN_NIGHTS = 3


@dataclasses.dataclass(frozen=True)
class UsualTimes:
    in_bed_at: dt.time
    final_wake_at: dt.time
    nights: int


def _minutes_from_noon(time):
    # A night runs noon to noon (CheckIn's own rule), so 23:30 and 00:30 sit an hour apart.
    return (time.hour * 60 + time.minute - 12 * 60) % (24 * 60)


def _median_time(times):
    minutes = sorted(_minutes_from_noon(time) for time in times)
    middle = len(minutes) // 2
    median = minutes[middle] if len(minutes) % 2 else (minutes[middle - 1] + minutes[middle]) // 2
    median = (median + 12 * 60) % (24 * 60)
    return dt.time(median // 60, median % 60)


def usual_times(*, participant, before=None):
    """The person's usual bed and wake times (the quick check-in's two times), or None when
    fewer than USUAL_MIN_NIGHTS of their last USUAL_NIGHTS logged nights have both. `before`
    leaves out that day and later (the check-in being written)."""
    nights = CheckIn.objects.filter(participant=participant, in_bed_at__isnull=False, final_wake_at__isnull=False)
    if before is not None:
        nights = nights.filter(date__lt=before)
    nights = list(nights.order_by("-date").values_list("in_bed_at", "final_wake_at")[:USUAL_NIGHTS])
    if len(nights) < USUAL_MIN_NIGHTS:
        return None
    return UsualTimes(in_bed_at=_median_time([bed for bed, _ in nights]),
                      final_wake_at=_median_time([wake for _, wake in nights]), nights=len(nights))
