"""Program outcomes for program admins (issue 18, item 5): aggregates of a program over a period,
small cells suppressed as public health reporting does.

Every figure is computed from what the program holds now. Closing an account leaves the clinical
record (episodes, level changes, group sessions, attendance: accounts.CLINICAL_RECORD) for the
clinic's retention period, so those figures keep counting the person; their own questionnaire
answers and absence notices go at the account's purge, so the change in measures and the reasons
for missing group count only what is still held.

A handful of aggregate queries per report, whatever the number of people (the benchmark in
tests/bench/test_bench_outcomes.py has 2,000 over a year). Everything below `report` is pure:
plain numbers in, plain numbers out, so the hand-worked fixture in tests/test_outcomes.py can
check each one.

Definitions (also on the page and in the README):
- The period runs from its first to its last day in the program's zone; figures stop at today
  when the period is still running ("until").
- In treatment on a week: an episode open on any day of that week (admitted on or before its
  Sunday, not discharged before its Monday).
- Attended: a mark of present, late or left early (tracker.schedule.ATTENDED, the one definition
  of attended); the attendance rate is attended marks over marked ones (excused and absent count
  as missed; unmarked and cancelled sessions are left out).
- Time slot: the weekday and start time of the session in the program's zone ("Mon 18:00").
- Retention (Kaplan-Meier) by admission cohort: episodes admitted in the period; time is days
  from admission; every ended episode is an event whatever its discharge type (the curve shows
  staying in treatment, not success); episodes still open, or ended after "until", are censored
  at "until".
- Early dropout: episodes ended in the period, transfers and administrative discharges left out,
  with fewer than 5 attended sessions between admission and discharge.
- Change in measures: episodes ended in the period with a complete score within 14 days after
  admission and another within 14 days before discharge: the first against the last, pairs only.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import dates, instruments
from .models import AbsenceNotice, Attendance, Episode, GroupSession, LevelChange, QuestionnaireResponse, local_instant
from .schedule import ATTENDED, week_start

SUPPRESSED = "<11"
SMALLEST_SHOWN = 11  # counts of 1-10, and rates over fewer than 11, are hidden
EARLY_DROPOUT_SESSIONS = 5
MEASURE_WINDOW_DAYS = 14
RETENTION_DAYS = (7, 14, 30, 60, 90)
EXCLUDED_FROM_DROPOUT = (Episode.Discharge.TRANSFERRED, Episode.Discharge.ADMINISTRATIVE)
MAX_PERIOD_DAYS = 3 * 366
WEEKDAY_NAMES = WEEKDAYS_ABBR  # Django's short day names, in the reader's language (0 is Monday)


# ---------------------------------------------------------------------------------------------
# The period


@dataclasses.dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  # inclusive
    key: str  # "2026-Q3", "2026", "2026-01-05..2026-03-31": how the API and the CSV name it

    def until(self, today):
        """The last day figures are computed to: the period's last day, or today while it runs."""
        return min(self.last, today)

    @property
    def days(self):
        return (self.last - self.first).days + 1


def quarter_period(*, year, quarter):
    first = dt.date(year, 3 * quarter - 2, 1)
    last = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
    return Period(first=first, last=last, key=f"{year}-Q{quarter}")


def year_period(*, year):
    return Period(first=dt.date(year, 1, 1), last=dt.date(year, 12, 31), key=str(year))


def custom_period(*, first, last, today):
    """A custom period of at least a month (1 March to 31 March is one), at most three years, that
    starts no later than today. Raises ValidationError keyed by field ("first", "last")."""
    if first > today:
        raise ValidationError({"first": _("Start on or before today.")})
    if last < first:
        raise ValidationError({"last": _("End on or after the first day.")})
    if last < dates.add_months(first, 1) - dt.timedelta(days=1):
        raise ValidationError({"last": _("Pick at least a month: end on %(day)s or later.") % {
            "day": date_format(dates.add_months(first, 1) - dt.timedelta(days=1), _("j M Y"))}})
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"last": _("Pick at most three years.")})
    return Period(first=first, last=last, key=f"{first:%Y-%m-%d}..{last:%Y-%m-%d}")


def current_quarter(today):
    return quarter_period(year=today.year, quarter=(today.month - 1) // 3 + 1)


def last_twelve_months(today):
    """The default: the year up to today, so a quarter just begun does not show a page of "<11"."""
    first = dates.years_from(today, -1) + dt.timedelta(days=1)
    return Period(first=first, last=today, key=f"{first:%Y-%m-%d}..{today:%Y-%m-%d}")


def parse_period(text, *, today):
    """A period from its key: "2026-Q3", "2026" or "2026-01-05..2026-03-31"; empty is the last twelve months.
    Raises ValidationError (one message) for anything else."""
    text = (text or "").strip()
    if not text:
        return last_twelve_months(today)
    bad = ValidationError(_("Give a quarter (2026-Q3), a year (2026) or two dates (2026-01-05..2026-03-31)."))
    try:
        if ".." in text:
            first, last = (dt.date.fromisoformat(part) for part in text.split("..", 1))
            try:
                return custom_period(first=first, last=last, today=today)
            except ValidationError as error:
                raise ValidationError([m for messages in error.message_dict.values() for m in messages]) from None
        if "-Q" in text.upper():
            year, quarter = text.upper().split("-Q", 1)
            year, quarter = int(year), int(quarter)
            if not 1 <= quarter <= 4:
                raise bad
        else:
            year, quarter = int(text), None
    except ValueError:
        raise bad from None
    if not 2000 <= year <= today.year:
        raise ValidationError(_("Pick a year from 2000 to %(year)s.") % {"year": today.year})
    period = year_period(year=year) if quarter is None else quarter_period(year=year, quarter=quarter)
    if period.first > today:
        raise ValidationError(_("That quarter has not started yet."))
    return period


# ---------------------------------------------------------------------------------------------
# Suppression: one rule for the page, the CSV and the API.


def count_cell(n):
    """A count of people or marks: 1-10 hidden, 0 shown."""
    return SUPPRESSED if 1 <= n < SMALLEST_SHOWN else n


def rate_cell(numerator, denominator, *, digits=0, scale=100):
    """A rate (a percentage by default) or a mean: hidden when its denominator is under 11; None
    when there is nothing to divide (no denominator at all)."""
    if not denominator:
        return None
    if denominator < SMALLEST_SHOWN:
        return SUPPRESSED
    # Halves round up (2.25 is 2.3, 68.75% is 69%), as a reader working it by hand expects.
    value = (Decimal(str(numerator)) * scale / Decimal(denominator)).quantize(Decimal(1).scaleb(-digits),
                                                                              rounding=ROUND_HALF_UP)
    return float(value) if digits else int(value)


def _small(n):
    return 1 <= n < SMALLEST_SHOWN


def part_cell(part, whole):
    """A count shown beside the whole it is part of (attended of marked): hidden like any count,
    and also when what the whole leaves (whole - part) is 1-10, since subtracting would give it."""
    return SUPPRESSED if _small(part) or _small(whole - part) else part


def proportion_cell(part, whole):
    """part of whole as a percentage, beside a shown whole: hidden as rate_cell hides it, and also
    when the part or the rest is 1-10 (the rate times the whole would give the hidden count back)."""
    if whole and (_small(part) or _small(whole - part)):
        return SUPPRESSED
    return rate_cell(part, whole)


def _dropout_row(counted, early, excluded):
    """Counted and left out add up to the episodes ended (shown in the discharge types' total):
    either one 1-10 hides both; and with the count hidden, the dropouts and their rate go too
    (dropouts over the rate would give it back)."""
    counted_cell = part_cell(counted, counted + excluded)
    if counted_cell == SUPPRESSED:
        return [[SUPPRESSED, SUPPRESSED, SUPPRESSED, part_cell(excluded, counted + excluded)]]
    return [[counted_cell, part_cell(early, counted), proportion_cell(early, counted),
             part_cell(excluded, counted + excluded)]]


def suppress_counts(matrix, *, row_totals=False, column_totals=False):
    """Counts in a table (a list of rows of ints) with their totals, each cell shown or hidden.

    Returns (cells, row_total_cells, column_total_cells, grand_total_cell): counts of 1-10 are
    hidden; then, in every row and column that shows a total, a line with exactly one hidden cell
    hides its next smallest non-zero cell too (the total where no other is left), so no hidden cell
    can be found by subtraction; repeated until no line has exactly one. Zero is shown as 0."""
    rows = len(matrix)
    columns = len(matrix[0]) if rows else 0
    values = {(r, c): matrix[r][c] for r in range(rows) for c in range(columns)}
    # The totals are cells too: a row's total at column `columns`, a column's at row `rows`.
    if row_totals:
        for r in range(rows):
            values[r, columns] = sum(matrix[r])
    if column_totals:
        for c in range(columns):
            values[rows, c] = sum(matrix[r][c] for r in range(rows))
    if row_totals and column_totals:
        values[rows, columns] = sum(map(sum, matrix))
    hidden = {key for key, n in values.items() if 1 <= n < SMALLEST_SHOWN}
    lines = []
    if row_totals:
        lines += [[(r, c) for c in range(columns + 1)] for r in range(rows + column_totals)]
    if column_totals:
        lines += [[(r, c) for r in range(rows + 1)] for c in range(columns + row_totals)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in hidden for key in line) != 1:
                continue
            inner, total = line[:-1], line[-1]
            candidates = sorted((values[key], key) for key in inner if key not in hidden and values[key] > 0)
            hidden.add(candidates[0][1] if candidates else total)
            changed = True

    def shown(key):
        return SUPPRESSED if key in hidden else values[key]

    cells = [[shown((r, c)) for c in range(columns)] for r in range(rows)]
    row_cells = [shown((r, columns)) for r in range(rows)] if row_totals else None
    column_cells = [shown((rows, c)) for c in range(columns)] if column_totals else None
    grand = shown((rows, columns)) if row_totals and column_totals else None
    return cells, row_cells, column_cells, grand


# ---------------------------------------------------------------------------------------------
# Pure figures


@dataclasses.dataclass(frozen=True)
class Stay:
    """One episode, as the figures need it."""
    admitted_on: dt.date
    discharged_on: dt.date | None
    discharge_type: str
    participant_id: int = 0
    attended: int = 0  # sessions attended between admission and discharge (ended episodes)


def weeks_of(period, until):
    """The Mondays of the weeks that hold a day of the period, up to `until`."""
    monday = week_start(period.first)
    while monday <= until:
        yield monday
        monday += dt.timedelta(days=7)


def census_by_week(stays, period, until):
    """[(monday, in treatment that week, admitted that week within the period)]: each stay walks
    its own weeks, so the cost is the stays' weeks, not stays times weeks."""
    mondays = list(weeks_of(period, until))
    if not mondays:
        return []
    open_in, admitted = defaultdict(int), defaultdict(int)
    for s in stays:
        first = max(s.admitted_on, period.first)
        last = min(s.discharged_on or until, until)
        if first > last:
            continue
        if period.first <= s.admitted_on <= until:
            admitted[week_start(s.admitted_on)] += 1
        monday = week_start(first)
        while monday <= last:
            open_in[monday] += 1
            monday += dt.timedelta(days=7)
    return [(monday, open_in[monday], admitted[monday]) for monday in mondays]


def kaplan_meier(times, *, at_days):
    """Survival (still in treatment) of [(days, ended)] at each of `at_days`, as fractions, with the
    number still at risk: [(day, survival, at risk)]. An event on day t counts against day t
    (someone discharged on day 30 is not retained at 30)."""
    events = defaultdict(int)
    for days, ended in times:
        if ended:
            events[days] += 1
    curve, survival = [], 1.0
    ordered = sorted(events)
    index = 0
    for day in at_days:
        while index < len(ordered) and ordered[index] <= day:
            t = ordered[index]
            at_risk = sum(1 for days, _ended in times if days >= t)
            survival *= 1 - events[t] / at_risk
            index += 1
        curve.append((day, survival, sum(1 for days, _ended in times if days > day)))
    return curve


def retention_times(stays, until):
    """(days in treatment, ended) of each stay, censored at `until`."""
    times = []
    for s in stays:
        if s.admitted_on > until:
            continue
        if s.discharged_on is not None and s.discharged_on <= until:
            times.append(((s.discharged_on - s.admitted_on).days, True))
        else:
            times.append(((until - s.admitted_on).days, False))
    return times


def cohort_of(day, by_month):
    return f"{day:%Y-%m}" if by_month else f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def cohorts(stays, period, until):
    """{cohort key: [(days, ended)]} of the stays admitted in the period, oldest cohort first:
    by admission month for a period of up to three months, else by quarter."""
    by_month = period.days <= 92
    out = {}
    for s in sorted(stays, key=lambda s: s.admitted_on):
        if period.first <= s.admitted_on <= until:
            out.setdefault(cohort_of(s.admitted_on, by_month), []).append(s)
    return {key: retention_times(group, until) for key, group in out.items()}


def early_dropout(stays, period, until):
    """(ended episodes counted, early dropouts, transfers and administrative discharges left out)."""
    ended = [s for s in stays if s.discharged_on is not None and period.first <= s.discharged_on <= until]
    counted = [s for s in ended if s.discharge_type not in EXCLUDED_FROM_DROPOUT]
    early = sum(1 for s in counted if s.attended < EARLY_DROPOUT_SESSIONS)
    return len(counted), early, len(ended) - len(counted)


def slot_of(starts_at, zone):
    local = starts_at.astimezone(zone)
    label = pgettext("a group's weekly time slot", "%(day)s %(time)s") % {
        "day": WEEKDAY_NAMES[local.weekday()], "time": time_format(local.time(), _("H:i"))}
    return label, (local.weekday(), local.time())


def measure_pairs(stays, responses):
    """{(instrument, score key): [(first, last)]}: for each ended stay, the first score within 14 days
    after admission and the last within 14 days before discharge (two different responses).
    responses: {participant id: [(local day, instrument, scores)]} in time order."""
    pairs = defaultdict(list)
    window = dt.timedelta(days=MEASURE_WINDOW_DAYS)
    for s in stays:
        if s.discharged_on is None:
            continue
        mine = responses.get(s.participant_id, ())
        for instrument in instruments.KEYS:
            scored = [(i, day, scores) for i, (day, key, scores) in enumerate(mine) if key == instrument]
            early = [r for r in scored if s.admitted_on <= r[1] <= s.admitted_on + window]
            late = [r for r in scored if s.discharged_on - window <= r[1] <= s.discharged_on]
            if not early or not late or early[0][0] == late[-1][0]:
                continue
            for score in instruments.CURRENT[instrument].scores:
                first, last = early[0][2].get(score.key), late[-1][2].get(score.key)
                if first is not None and last is not None:
                    pairs[instrument, score.key].append((first, last))
    return pairs


# ---------------------------------------------------------------------------------------------
# The report: tables of shown values (suppressed), the same for the page, the CSV and the API.


@dataclasses.dataclass
class Table:
    key: str
    title: str
    columns: list  # (key, heading)
    rows: list  # lists of shown values: labels, numbers, SUPPRESSED, or None (nothing to show)
    note: str = ""


@dataclasses.dataclass
class Curve:
    label: str
    steps: list  # [(day, survival fraction)]; empty where the cohort is too small to show


@dataclasses.dataclass
class Report:
    program: object
    period: Period
    until: dt.date
    tables: dict  # key: Table, in the page's order
    curves: list  # Curve per cohort (the retention chart)
    targets: dict  # {level: weekly hours} of the program

    def __getitem__(self, key):
        return self.tables[key]


def _stays(program, period, until, zone):
    """Every episode of the program open at some point of the period, with the sessions attended
    between admission and discharge (local days, in the program's zone): one query, a join and a
    count (a correlated count per episode took seconds at 2,000 people)."""
    mark = "participant__attendance__"
    with timezone.override(zone):  # the __date below is the program's local day
        attended = Count(mark + "pk", filter=Q(**{
            mark + "status__in": ATTENDED, mark + "session__group__program": program,
            mark + "session__status__in": (GroupSession.Status.HELD, GroupSession.Status.SCHEDULED),
            mark + "session__starts_at__date__gte": F("admitted_on"),
            mark + "session__starts_at__date__lte": F("discharged_on")}))
        rows = list(Episode.objects.filter(program=program, admitted_on__lte=until)
                    .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=period.first))
                    .values("pk").annotate(attended=attended)
                    .values_list("pk", "participant_id", "admitted_on", "discharged_on", "discharge_type",
                                 "level_of_care", "attended"))
    stays, levels = [], {}
    for pk, participant_id, admitted_on, discharged_on, discharge_type, level, attended_n in rows:
        stays.append(Stay(admitted_on=admitted_on, discharged_on=discharged_on, discharge_type=discharge_type,
                          participant_id=participant_id, attended=attended_n))
        levels[pk] = (participant_id, admitted_on, discharged_on, level)
    return stays, levels


def _levels_by_week(levels, mondays):
    """{monday: {participant id: level of care}} for each week a stay is open, the level in effect
    on the week's last day in treatment (from its level changes: one query)."""
    changes = defaultdict(list)
    for episode_id, level, changed_on in (LevelChange.objects.filter(episode_id__in=list(levels))
                                          .order_by("changed_on", "created_at")
                                          .values_list("episode_id", "level_of_care", "changed_on")):
        changes[episode_id].append((changed_on, level))
    out = {monday: {} for monday in mondays}
    if not mondays:
        return out
    for episode_id, (participant_id, admitted_on, discharged_on, level) in levels.items():
        history = changes.get(episode_id, ())
        monday = max(week_start(admitted_on), mondays[0])
        last = min(discharged_on or mondays[-1], mondays[-1] + dt.timedelta(days=6))
        while monday <= last:
            day = min(monday + dt.timedelta(days=6), discharged_on or monday + dt.timedelta(days=6))
            current = level
            for changed_on, changed_to in history:  # in date order
                if changed_on <= day:
                    current = changed_to
            out[monday][participant_id] = current
            monday += dt.timedelta(days=7)
    return out


def report(*, program, period, today):
    """Every figure of `program` over `period` (computed to today while it runs), suppressed."""
    zone = program.zone
    until = period.until(today)
    start = local_instant(period.first, dt.time(0), zone)
    end = local_instant(until + dt.timedelta(days=1), dt.time(0), zone)
    stays, levels = _stays(program, period, until, zone)
    mondays = list(weeks_of(period, until))
    tables = {}

    # Census and admissions by week.
    rows = [[f"{monday:%Y-%m-%d}", count_cell(n), count_cell(admitted)]
            for monday, n, admitted in census_by_week(stays, period, until)]
    tables["census"] = Table("census", _("Census and admissions by week"), [
        ("week", _("Week of")), ("in_treatment", _("In treatment")), ("admitted", _("Admitted"))], rows)

    # Attendance by group and time slot (one aggregate query, by session).
    sessions = (GroupSession.objects.filter(group__program=program, starts_at__gte=start, starts_at__lt=end)
                .exclude(status=GroupSession.Status.CANCELLED)
                .annotate(marked=Count("attendance", filter=~Q(attendance__status=Attendance.Status.UNMARKED)),
                          came=Count("attendance", filter=Q(attendance__status__in=ATTENDED)))
                .values_list("group_id", "group__name", "starts_at", "marked", "came"))
    slots = {}
    for group_id, name, starts_at, marked, came in sessions:
        label, order = slot_of(starts_at, zone)
        entry = slots.setdefault((name, group_id, order), [label, 0, 0, 0])
        entry[1] += 1
        entry[2] += marked
        entry[3] += came
    tables["attendance"] = Table("attendance", _("Attendance by group and time slot"), [
        ("group", _("Group")), ("slot", _("Time slot")), ("sessions", _("Sessions")), ("marked", _("Marked")),
        ("attended", _("Attended")), ("rate", _("Attendance rate (%)"))],
        [[name, label, n, count_cell(marked), part_cell(came, marked), proportion_cell(came, marked)]
         for (name, _group_id, _order), (label, n, marked, came) in sorted(slots.items())])

    # Group hours per week against the target: minutes attended per person and week (one query).
    duration = ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), output_field=DurationField())
    minutes = defaultdict(float)
    for participant_id, week, set_minutes, whole in (
            # Whole weeks: the first week's days before the period count too, as its people do.
            Attendance.objects.filter(session__group__program=program, status__in=ATTENDED,
                                      session__starts_at__gte=local_instant(mondays[0] if mondays else period.first,
                                                                            dt.time(0), zone),
                                      session__starts_at__lt=end)
            .exclude(session__status=GroupSession.Status.CANCELLED)
            .annotate(week=TruncWeek("session__starts_at", tzinfo=zone))
            .values("participant_id", "week").order_by()
            .annotate(set_minutes=Sum("minutes"), whole=Sum(duration, filter=Q(minutes__isnull=True)))
            .values_list("participant_id", "week", "set_minutes", "whole")):
        minutes[participant_id, week.date()] += (set_minutes or 0) + (whole.total_seconds() / 60 if whole else 0)
    targets = {level: hours for level, hours in (program.group_hours_targets or {}).items()}
    week_levels = _levels_by_week(levels, mondays)
    rows = []
    for monday in mondays:
        people = [(pid, targets[level]) for pid, level in week_levels[monday].items() if targets.get(level)]
        hours = sum(minutes.get((pid, monday), 0) for pid, _target in people) / 60
        met = sum(1 for pid, target in people if minutes.get((pid, monday), 0) / 60 >= target)
        target_sum = sum(target for _pid, target in people)
        rows.append([f"{monday:%Y-%m-%d}", count_cell(len(people)), rate_cell(hours, len(people), digits=1, scale=1),
                     rate_cell(target_sum, len(people), digits=1, scale=1), part_cell(met, len(people)),
                     proportion_cell(met, len(people))])
    tables["hours"] = Table("hours", _("Group hours per week against the target"), [
        ("week", _("Week of")), ("people", _("People with a target")), ("mean_hours", _("Mean hours attended")),
        ("mean_target", _("Mean target (hours)")), ("met", _("Met the target")), ("met_rate", _("Met the target (%)"))],
        rows, note=_("People in treatment that week at a level of care with a weekly target."))

    # Retention by admission cohort (Kaplan-Meier).
    rows, curves = [], []
    for key, times in cohorts(stays, period, until).items():
        n = len(times)
        small = n < SMALLEST_SHOWN
        points = kaplan_meier(times, at_days=RETENTION_DAYS)
        # Admitted is the total of ended and still open: one hidden means both are.
        (ended_cell, open_cell), = suppress_counts([[sum(1 for _d, ended in times if ended),
                                                     sum(1 for _d, ended in times if not ended)]], row_totals=True)[0]
        # A day's percentage of a shown cohort says about how many had left by then: hidden when
        # that many or those still in treatment are 1-10, and all of them when ended or open is
        # hidden (the curve would give it back). The curve is drawn through the shown days only.
        whole = not small and SUPPRESSED not in (ended_cell, open_cell)
        shown = [(day, survival) for day, survival, at_risk in points
                 if whole and not _small(n - at_risk) and not _small(at_risk)]
        by_day = dict(shown)
        rows.append([key, count_cell(n), ended_cell, open_cell,
                     *[round(100 * by_day[day]) if day in by_day else SUPPRESSED for day, _s, _r in points]])
        curves.append(Curve(label=key, steps=[(0, 1.0), *shown] if shown else []))
    tables["retention"] = Table("retention", _("Still in treatment by admission cohort (Kaplan-Meier)"), [
        ("cohort", _("Admitted in")), ("admitted", _("Admitted")), ("ended", _("Ended")),
        ("open", _("Still in treatment (censored)")),
        *[(f"day_{day}", _("Day %(day)s (%%)") % {"day": day}) for day in RETENTION_DAYS]], rows,
        note=_("Every ended episode counts as leaving, whatever the discharge type; people still in treatment "
               "are counted up to %(day)s and no further (censored).") % {"day": date_format(until, _("j M Y"))})

    # Early dropout.
    counted, early, excluded = early_dropout(stays, period, until)
    tables["dropout"] = Table("dropout", _("Early dropout"), [
        ("ended", _("Ended episodes counted")), ("early", _("Fewer than 5 sessions attended")),
        ("rate", _("Early dropout (%)")), ("excluded", _("Transfers and administrative discharges left out"))],
        _dropout_row(counted, early, excluded))

    # Discharge types (with a total: the complementary cell is hidden too).
    ended = [s for s in stays if s.discharged_on is not None and period.first <= s.discharged_on <= until]
    kinds = Episode.Discharge.choices
    cells, _rows, column_total, _grand = suppress_counts(
        [[sum(1 for s in ended if s.discharge_type == value)] for value, _label in kinds], column_totals=True)
    tables["discharges"] = Table("discharges", _("Discharge types"), [("type", _("Discharge")), ("count", _("Episodes"))],
                                 [[str(label), cell[0]] for (_value, label), cell in zip(kinds, cells)]
                                 + [[_("Total"), column_total[0]]])

    # Change in measures: first within 14 days of admission, last within 14 days before discharge.
    ended_ids = {s.participant_id for s in ended}
    earliest = min((s.admitted_on for s in ended), default=period.first)
    responses = defaultdict(list)
    for participant_id, instrument, completed_at, scores in (
            QuestionnaireResponse.objects.filter(participant_id__in=ended_ids, complete=True,
                                                 completed_at__gte=local_instant(earliest, dt.time(0), zone),
                                                 completed_at__lt=end)
            .order_by("completed_at").values_list("participant_id", "instrument", "completed_at", "scores")):
        responses[participant_id].append((completed_at.astimezone(zone).date(), instrument, scores or {}))
    pairs = measure_pairs(ended, responses)
    rows = []
    for instrument in instruments.VERSIONS:
        for score in instrument.scores:
            got = pairs.get((instrument.key, score.key), [])
            n = len(got)
            name = instrument.name if score.key == "total" else f"{instrument.name} {score.label.lower()}"
            rows.append([name, count_cell(n),
                         rate_cell(sum(a for a, _b in got), n, digits=1, scale=1),
                         rate_cell(sum(b for _a, b in got), n, digits=1, scale=1),
                         rate_cell(sum(b - a for a, b in got), n, digits=1, scale=1)])
    tables["measures"] = Table("measures", _("Change in measures"), [
        ("measure", _("Measure")), ("pairs", _("Pairs")), ("mean_first", _("Mean at admission")),
        ("mean_last", _("Mean before discharge")), ("mean_change", _("Mean change"))], rows,
        note=_("Episodes ended in the period: the first score within 14 days of admission against the last "
               "within 14 days before discharge, pairs only."))

    # Reasons for missing group, by group and slot (totals both ways: complementary suppression).
    reasons = AbsenceNotice.Reason.choices
    counts = defaultdict(lambda: [0] * len(reasons))
    index = {value: i for i, (value, _label) in enumerate(reasons)}
    for name, group_id, starts_at, reason, n in (
            AbsenceNotice.objects.filter(session__group__program=program, session__starts_at__gte=start,
                                         session__starts_at__lt=end)
            .exclude(session__status=GroupSession.Status.CANCELLED)
            .values("session__group__name", "session__group_id", "session__starts_at", "reason").order_by()
            .annotate(n=Count("pk"))
            .values_list("session__group__name", "session__group_id", "session__starts_at", "reason", "n")):
        label, order = slot_of(starts_at, zone)
        counts[name, group_id, order, label][index[reason]] += n
    keys = sorted(counts)
    cells, row_totals, column_totals, grand = suppress_counts([counts[key] for key in keys], row_totals=True,
                                                              column_totals=True)
    rows = [[name, label, *cell, total] for (name, _gid, _order, label), cell, total in zip(keys, cells, row_totals)]
    if keys:
        rows.append([_("Total"), "", *column_totals, grand])
    tables["reasons"] = Table("reasons", _("Reasons given for missing group"), [
        ("group", _("Group")), ("slot", _("Time slot")), *[(value, str(label)) for value, label in reasons],
        ("total", _("Total"))], rows)
    return Report(program=program, period=period, until=until, tables=tables, curves=curves, targets=targets)


def csv_rows(report):
    """The report as CSV rows: one block per table (section, then its columns), suppressed as shown."""
    yield ("program", report.program.name)
    yield ("period", report.period.key, f"{report.period.first:%Y-%m-%d}", f"{report.until:%Y-%m-%d}")
    yield ("suppressed", SUPPRESSED, _("counts of 1-10, and rates over fewer than 11 people"))
    for table in report.tables.values():
        yield ()
        yield ("section", table.key, table.title)
        yield tuple(key for key, _heading in table.columns)
        for row in table.rows:
            yield tuple("" if value is None else value for value in row)
