"""The reads behind the care team's screens: a person's trends, their week, their export.

Nothing here decides who may read what: callers get the participant from
tracker.access.care_participant, which also writes the audit row. Private notes never leave
this module: a note reaches a counselor only as `entry.shared_note` (tracker.models).
"""

import dataclasses
import functools
import datetime as dt
import json
import uuid
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import charts, progress, selectors
from .models import (
    CheckIn,
    Delivery,
    Goal,
    HighRiskTime,
    SafetyPlanVersion,
    Task,
    Trigger,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    week_start,
    weekend_friday,
)

PERIODS = (30, 90, 365)
# Up to this many days a chart has a bar per day; longer periods have a bar per week.
DAILY_UP_TO = 90
WEEKDAYS = HighRiskTime.WEEKDAYS
# The heat map's geometry: a label column, then 24 hour columns; 7 weekday rows.
HEAT_LEFT, HEAT_COLUMN, HEAT_ROW = 20, 12.5, 18


def _heat_x(hour):
    return str(HEAT_LEFT + hour * HEAT_COLUMN)


def _heat_y(weekday):
    return str(weekday * HEAT_ROW + 2)

# 42 CFR 2.32(a)(1): the notice that must go with a disclosure of Part 2 records.
PART2_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that "
    "describes the information contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings by any Federal, State, or local authority, against the patient, unless "
    "authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by "
    "a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making "
    "any other use or disclosure of this record unless at least one of the following applies: (i) Further "
    "use or disclosure is expressly permitted by the written consent of the individual whose information is "
    "being disclosed in this record or as otherwise permitted by 42 CFR part 2. (ii) You are a covered "
    "entity or business associate and have received the record for treatment, payment, or health care "
    "operations, or (iii) You have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or "
    "other information is NOT sufficient to meet the required elements of written consent to further use or "
    "redisclose the record (see 42 CFR 2.31)."
)


# ---------------------------------------------------------------------------------------------
# Trends over 30, 90 or 365 days


@dataclasses.dataclass
class Bucket:
    first: dt.date
    last: dt.date
    days: list  # progress.Day

    @property
    def label(self):
        return self.first.strftime("%-d %b") if self.first == self.last else f"Week of {self.first:%-d %b}"

    def checkin_values(self, attribute, scale=1):
        values = [getattr(d.checkin, attribute) for d in self.days if d.checkin is not None]
        values = [v * scale for v in values if v is not None]
        return round(sum(values) / len(values), 2) if values else None

    @property
    def urges(self):
        return [u for d in self.days for u in d.urges]

    def urge_mean(self, attribute):
        values = [getattr(u, attribute) for u in self.urges if getattr(u, attribute) is not None]
        return round(sum(values) / len(values), 2) if values else None

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
        "sleep_hours": [b.checkin_values("total_sleep_min", 1 / 60) for b in bars],
        "sleep_efficiency": [b.checkin_values("sleep_efficiency", 100) for b in bars],
        "sleep_quality": [b.checkin_values("sleep_quality") for b in bars],
        "urges": [len(b.urges) for b in bars],
        "urge_intensity": [b.urge_mean("intensity") for b in bars],
        "urge_minutes": [b.urge_mean("duration_min") for b in bars],
        "stress": [b.checkin_values("stress") for b in bars],
        "adherence_labels": [w.label for w in weeks],
        "adherence": [w.adherence for w in weeks],
    }


def trend_charts(data, *, period):
    per = "week (averages)" if period > DAILY_UP_TO else "day"
    points = lambda key: list(zip(data["labels"], data[key]))  # noqa: E731
    return [
        charts.bar_chart(id="c-sleep", title="Total sleep time", unit=" h", points=points("sleep_hours"),
                         description=f"Hours asleep each night, one bar per {per}, last {period} days.", fmt="{:.1f}"),
        charts.bar_chart(id="c-efficiency", title="Sleep efficiency", unit="%", max_value=100,
                         points=points("sleep_efficiency"), fmt="{:.0f}",
                         description=f"Share of time in bed spent asleep, one bar per {per}."),
        charts.bar_chart(id="c-quality", title="Sleep quality", unit=" of 5", max_value=5, fmt="{:.1f}",
                         points=points("sleep_quality"), description=f"Sleep quality from 1 to 5, one bar per {per}."),
        charts.bar_chart(id="c-urges", title="Urges", unit="", points=points("urges"),
                         description=f"Number of urges logged, one bar per {'week' if period > DAILY_UP_TO else 'day'}."),
        charts.bar_chart(id="c-intensity", title="Urge intensity", unit=" of 10", max_value=10, fmt="{:.1f}",
                         points=points("urge_intensity"), description=f"Average urge strength, 0 to 10, one bar per {per}."),
        charts.bar_chart(id="c-duration", title="Urge duration", unit=" min", fmt="{:.0f}",
                         points=points("urge_minutes"), description=f"Average minutes an urge lasted, one bar per {per}."),
        charts.bar_chart(id="c-stress", title="Stress", unit=" of 10", max_value=10, fmt="{:.1f}",
                         points=points("stress"), description=f"Stress from 0 to 10, one bar per {per}."),
        charts.bar_chart(id="c-adherence", title="Check-in days", unit="%", max_value=100, fmt="{:.0f}",
                         points=list(zip(data["adherence_labels"], data["adherence"])),
                         description="Share of each week's days with a check-in."),
    ]


def rank_triggers(urges):
    """(label, count, share of urges) for each trigger named, most frequent first."""
    counts = Counter(key for urge in urges for key in urge.triggers)
    others = sum(1 for urge in urges if urge.trigger_other)
    labels = dict(Trigger.choices)
    ranked = [(labels.get(key, key), n) for key, n in counts.items()]
    if others:
        ranked.append(("Other (in their words)", others))
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

    @property
    def heat_max(self):
        return max(max(row) for row in self.heat)

    def heat_cells(self):
        """(weekday, hour, count, opacity) for the SVG."""
        top = self.heat_max or 1
        return [(d, h, n, round(0.12 + 0.88 * n / top, 2) if n else 0) for d, row in enumerate(self.heat)
                for h, n in enumerate(row)]

    @property
    def heat_svg(self):
        return format_html_join("", '<rect class="heat{}" x="{}" y="{}" width="11" height="16"{}><title>{} {}:00: {}</title></rect>', (
            ("" if n else " heat--empty", _heat_x(h), _heat_y(d),
             format_html(' fill-opacity="{}"', str(opacity)) if n else "", WEEKDAYS[d], f"{h:02d}", n)
            for d, h, n, opacity in self.heat_cells()))

    @property
    def heat_axes_svg(self):
        rows = format_html_join("", '<text class="tick" x="0" y="{}">{}</text>',
                                ((str(d * HEAT_ROW + 14), name[0]) for d, name in enumerate(WEEKDAYS)))
        hours = format_html_join("", '<text class="tick" x="{}" y="146">{}h</text>', ((_heat_x(h), h) for h in (0, 6, 12, 18)))
        return rows + hours

    @property
    def heat_table(self):
        return format_html_join("", "<tr><th scope=\"row\">{}</th>{}</tr>", (
            (f"{hour:02d}", format_html_join("", "<td>{}</td>", ((n,) for n in counts))) for hour, counts in self.heat_rows()))

    def heat_rows(self):
        """(hour, [count per weekday]) for the table."""
        return [(h, [self.heat[d][h] for d in range(7)]) for h in range(24)]

    def busiest(self, limit=3):
        cells = sorted(((n, d, h) for d, row in enumerate(self.heat) for h, n in enumerate(row) if n), reverse=True)
        return [(WEEKDAYS[d], h, n) for n, d, h in cells[:limit]]


def overview(*, participant, period, now=None):
    figures = progress.progress(participant=participant, days=period, now=now)
    data = series(figures.days, weekly=period > DAILY_UP_TO)
    start, end = selectors.local_day_bounds(participant, figures.first, figures.last)
    return Overview(
        participant=participant, period=period, figures=figures, data=data, triggers=rank_triggers(figures.urges),
        heat=heat_map(figures.urges, participant.zone), engagement=engagement(participant, start, end),
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
    )


def default_week(participant, now=None):
    """The Monday of the week shown first: this week from Wednesday, the week before until then."""
    today = participant.local_today(now)
    monday = week_start(today)
    return monday if today.weekday() >= 2 else monday - dt.timedelta(days=7)


# ---------------------------------------------------------------------------------------------
# Export: everything linked to the person that a counselor may see, with the Part 2 notice.

# (record type, model, fields). Notes marked private are left out (see `_row`).
EXPORT_KINDS = [
    ("checkin", CheckIn, [f for f in CheckIn.WRITABLE if f != "note_private"]
     + ["time_in_bed_min", "total_sleep_min", "sleep_efficiency"]),
    ("urge", Urge, [f for f in Urge.WRITABLE if f != "note_private"]),
    ("reflection", WeeklyReflection, list(WeeklyReflection.WRITABLE)),
    ("weekend_plan", WeekendPlan, list(WeekendPlan.WRITABLE)),
    ("safety_plan_version", SafetyPlanVersion, ["number", *SafetyPlanVersion.WRITABLE]),
    ("goal", Goal, list(Goal.WRITABLE)),
    ("task", Task, [f for f in Task.WRITABLE if f != "goal"] + ["goal_id", "done_at"]),
    ("high_risk_time", HighRiskTime, list(HighRiskTime.WRITABLE)),
]


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _row(entry, fields, include_private):
    row = {"id": str(entry.pk), "created_at": entry.created_at.isoformat(), "updated_at": entry.updated_at.isoformat()}
    for name in fields:
        row[name] = entry.shared_note if name == "note" and not include_private else _plain(getattr(entry, name))
    if include_private and hasattr(entry, "note_private"):
        row["note_private"] = entry.note_private
    return row


def export_records(*, participant, include_private=False):
    """Yield (record type, row dict) for every record, a kind at a time, oldest first. Private
    notes come out empty unless include_private (the participant's own export)."""
    for kind, model, fields in EXPORT_KINDS:
        for entry in model.objects.filter(participant=participant).order_by("created_at", "pk").iterator(chunk_size=500):
            yield kind, _row(entry, fields, include_private)


def export_header(*, participant, user, now=None):
    return {
        "notice": PART2_NOTICE,
        "participant": {"id": participant.pk, "name": str(participant), "program": participant.program.name,
                        "time_zone": participant.time_zone, "level_of_care": participant.level_of_care},
        "exported_at": (now or timezone.now()).isoformat(),
        "exported_by": user.get_username(),
        "private_notes": "Notes the participant marked private are not included.",
    }


def export_json(*, participant, user):
    data = export_header(participant=participant, user=user)
    data["records"] = {kind: [] for kind, _, _ in EXPORT_KINDS}
    for kind, row in export_records(participant=participant):
        data["records"][kind].append(row)
    return data


def export_csv_rows(*, participant, user):
    """Long format, one value per row: record type, id, field, value. The notice comes first."""
    header = export_header(participant=participant, user=user)
    yield ["notice", "", "", header["notice"]]
    yield ["export", "", "exported_at", header["exported_at"]]
    yield ["export", "", "exported_by", header["exported_by"]]
    yield ["export", "", "private_notes", header["private_notes"]]
    for name, value in header["participant"].items():
        yield ["participant", str(participant.pk), name, value]
    yield ["record_type", "record_id", "field", "value"]
    for kind, row in export_records(participant=participant):
        for name, value in row.items():
            if name != "id":
                yield [kind, row["id"], name, _cell(value)]


def _cell(value):
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False) if any(isinstance(v, dict) for v in value) else "; ".join(map(str, value))
    return "" if value is None else value



