"""Every SVG chart the pages draw: bar charts and the two chart sets built from them (a
participant's progress, a counselor's trends), the caseload's sparklines and the urge heat map.
Templates draw them (templates/tracker/_chart.html) with a title, a description and the same
numbers in a table, so a screen reader gets them all. The numbers come from the domain modules
(tracker.progress, tracker.care, tracker.triage); nothing there draws.
"""

import dataclasses

from django.utils.html import format_html, format_html_join

from .. import progress
from ..care import DAILY_UP_TO, WEEKDAYS

WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM = 320, 120, 8, 18


@dataclasses.dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float | None
    text: str


@dataclasses.dataclass
class Chart:
    id: str
    title: str
    description: str
    unit: str
    bars: list
    max_value: float
    width: int = WIDTH
    height: int = HEIGHT
    axis_labels: list = dataclasses.field(default_factory=list)  # (x, text) under the bars

    @property
    def baseline(self):
        return self.height - PAD_BOTTOM

    @property
    def has_data(self):
        return any(bar.value is not None for bar in self.bars)

    # The bars and the table rows as ready markup: a year of bars is hundreds of elements, and
    # formatting each number through the template engine costs more than the rest of the page.
    @property
    def bars_svg(self):
        return format_html_join("", '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                                ((str(b.x), str(b.y), str(b.width), str(b.height), b.label, b.text)
                                 for b in self.bars if b.value is not None))

    @property
    def rows_html(self):
        return format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', ((b.label, b.text) for b in self.bars))


def bar_chart(*, id, title, description, unit, points, max_value=None, fmt="{:g}"):
    """points: [(label, value or None)] in order. A None is a gap, not a zero."""
    values = [v for _, v in points if v is not None]
    top = max_value if max_value is not None else (max(values) if values else 1) or 1
    slot = WIDTH / max(len(points), 1)
    usable = HEIGHT - PAD_TOP - PAD_BOTTOM
    bars = []
    for index, (label, value) in enumerate(points):
        height = 0 if value is None else max(1.5, usable * min(value, top) / top) if value else 0
        bars.append(Bar(
            x=round(index * slot + slot * 0.15, 2), y=round(HEIGHT - PAD_BOTTOM - height, 2),
            width=round(slot * 0.7, 2), height=round(height, 2), label=label, value=value,
            text="no entry" if value is None else f"{fmt.format(value)}{unit}",
        ))
    step = max(1, len(points) // 6)
    axis = [(round(index * slot + slot / 2, 2), label.removeprefix("Week of ")) for index, (label, _) in enumerate(points)
            if index % step == 0][:7]
    return Chart(id=id, title=title, description=description, unit=unit, bars=bars, max_value=top, axis_labels=axis)


@dataclasses.dataclass
class Sparkline:
    bars: list  # (x, y, width, height) for days with a value
    width: int
    height: int
    summary: str  # what a screen reader hears instead of the picture

    @property
    def rects_svg(self):
        return format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}"/>',
                                ((str(x), str(y), str(w), str(h)) for x, y, w, h in self.bars))


def sparkline(values, *, top, unit, what, width=112, height=28):
    """A tiny bar chart of recent days, oldest first; None leaves a gap."""
    slot = width / max(len(values), 1)
    bars = []
    for index, value in enumerate(values):
        if value is None:
            continue
        h = max(1.5, height * min(value, top) / top) if value else 1
        bars.append((round(index * slot + 1, 1), round(height - h, 1), round(slot - 2, 1), round(h, 1)))
    known = [v for v in values if v is not None]
    if not known:
        summary = f"{what}: nothing logged in the last {len(values)} days."
    else:
        average = sum(known) / len(known)
        summary = (f"{what}, last {len(values)} days: {len(known)} days logged, average {average:.1f}{unit}, "
                   f"latest {known[-1]:g}{unit}.")
    return Sparkline(bars=bars, width=width, height=height, summary=summary)



def sleep_sparkline(row):
    """A caseload row's (tracker.triage.Row) last nights of sleep."""
    return sparkline([v for _, v in row.sleep], top=10, unit=" h", what="Sleep each night")


def urge_sparkline(row):
    return sparkline([v for _, v in row.urges], top=max(4, *(v for _, v in row.urges)), unit="", what="Urges each day")


# ---------------------------------------------------------------------------------------------
# Chart sets: one builder, a list of specs per screen.


@dataclasses.dataclass(frozen=True)
class Spec:
    id: str
    title: str
    unit: str
    key: str  # which series of the data
    description: str
    max_value: float | None = None
    fmt: str = "{:g}"
    labels: str = "labels"  # which series holds the bars' labels


def chart_set(data, specs):
    """One bar chart per spec, each from data[spec.key] against data[spec.labels]."""
    return [bar_chart(id=spec.id, title=spec.title, unit=spec.unit, description=spec.description,
                      points=list(zip(data[spec.labels], data[spec.key])), max_value=spec.max_value, fmt=spec.fmt)
            for spec in specs]


def progress_charts(figures, days):
    """A participant's own charts on My progress: one bar a day."""
    label = (lambda d: d.strftime("%a")) if days <= 7 else (lambda d: d.strftime("%-d %b"))

    def of(attribute, scale=1):
        return [None if day.checkin is None or getattr(day.checkin, attribute) is None
                else round(getattr(day.checkin, attribute) * scale, 1) for day in figures.days]

    def average_duration(day):
        value = progress.mean([urge.duration_min for urge in day.urges])
        return None if value is None else round(value, 1)

    data = {
        "labels": [label(day.date) for day in figures.days],
        "sleep": of("total_sleep_min", 1 / 60), "efficiency": of("sleep_efficiency", 100),
        "quality": of("sleep_quality"), "stress": of("stress"),
        "urges": [day.urge_count for day in figures.days],
        "duration": [average_duration(day) for day in figures.days],
    }
    return chart_set(data, [
        Spec("sleep", "Sleep each night", " h", "sleep", f"Hours of sleep each night over the last {days} days."),
        Spec("efficiency", "Sleep efficiency", "%", "efficiency", "Share of the time in bed spent asleep, each night.",
             max_value=100),
        Spec("quality", "Sleep quality", " of 5", "quality",
             "How well you slept, from 1 (very poor) to 5 (very good).", max_value=5),
        Spec("urges", "Urges each day", "", "urges", f"How many urges you logged each day over the last {days} days."),
        Spec("duration", "How long urges lasted", " min", "duration",
             "Average minutes an urge lasted, each day with an urge. Shorter bars: urges fade faster."),
        Spec("stress", "Stress", " of 10", "stress", "Your stress from 0 to 10 each day you checked in.", max_value=10),
    ])


def trend_charts(data, *, period):
    """A counselor's trend charts (tracker.care.series): a bar a day, or a week past 90 days."""
    per = "week (averages)" if period > DAILY_UP_TO else "day"
    return chart_set(data, [
        Spec("c-sleep", "Total sleep time", " h", "sleep_hours",
             f"Hours asleep each night, one bar per {per}, last {period} days.", fmt="{:.1f}"),
        Spec("c-efficiency", "Sleep efficiency", "%", "sleep_efficiency",
             f"Share of time in bed spent asleep, one bar per {per}.", max_value=100, fmt="{:.0f}"),
        Spec("c-quality", "Sleep quality", " of 5", "sleep_quality", f"Sleep quality from 1 to 5, one bar per {per}.",
             max_value=5, fmt="{:.1f}"),
        Spec("c-urges", "Urges", "", "urges",
             f"Number of urges logged, one bar per {'week' if period > DAILY_UP_TO else 'day'}."),
        Spec("c-intensity", "Urge intensity", " of 10", "urge_intensity",
             f"Average urge strength, 0 to 10, one bar per {per}.", max_value=10, fmt="{:.1f}"),
        Spec("c-duration", "Urge duration", " min", "urge_minutes", f"Average minutes an urge lasted, one bar per {per}.",
             fmt="{:.0f}"),
        Spec("c-stress", "Stress", " of 10", "stress", f"Stress from 0 to 10, one bar per {per}.", max_value=10,
             fmt="{:.1f}"),
        Spec("c-adherence", "Check-in days", "%", "adherence", "Share of each week's days with a check-in.",
             max_value=100, fmt="{:.0f}", labels="adherence_labels"),
    ])


# ---------------------------------------------------------------------------------------------
# The urge heat map: weekday x hour, in the participant's zone

# A label column, then 24 hour columns; 7 weekday rows.
HEAT_LEFT, HEAT_COLUMN, HEAT_ROW = 20, 12.5, 18


def _heat_x(hour):
    return str(HEAT_LEFT + hour * HEAT_COLUMN)


def _heat_y(weekday):
    return str(weekday * HEAT_ROW + 2)


@dataclasses.dataclass
class HeatMap:
    grid: list  # [weekday][hour] -> count (tracker.care.heat_map)

    @property
    def top(self):
        return max(max(row) for row in self.grid)

    def cells(self):
        """(weekday, hour, count, opacity) for the SVG."""
        top = self.top or 1
        return [(d, h, n, round(0.12 + 0.88 * n / top, 2) if n else 0) for d, row in enumerate(self.grid)
                for h, n in enumerate(row)]

    @property
    def svg(self):
        return format_html_join("", '<rect class="heat{}" x="{}" y="{}" width="11" height="16"{}><title>{} {}:00: {}</title></rect>', (
            ("" if n else " heat--empty", _heat_x(h), _heat_y(d),
             format_html(' fill-opacity="{}"', str(opacity)) if n else "", WEEKDAYS[d], f"{h:02d}", n)
            for d, h, n, opacity in self.cells()))

    @property
    def axes_svg(self):
        rows = format_html_join("", '<text class="tick" x="0" y="{}">{}</text>',
                                ((str(d * HEAT_ROW + 14), name[0]) for d, name in enumerate(WEEKDAYS)))
        hours = format_html_join("", '<text class="tick" x="{}" y="146">{}h</text>', ((_heat_x(h), h) for h in (0, 6, 12, 18)))
        return rows + hours

    @property
    def table(self):
        return format_html_join("", "<tr><th scope=\"row\">{}</th>{}</tr>", (
            (f"{hour:02d}", format_html_join("", "<td>{}</td>", ((self.grid[d][hour],) for d in range(7))))
            for hour in range(24)))
