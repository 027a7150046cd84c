"""Every SVG chart the pages draw: bar charts and the two chart sets built from them (a
participant's progress, a counselor's trends), the caseload's sparklines and the urge heat map.
Templates draw them (templates/tracker/_chart.html) with a title, a description and the same
numbers in a table, so a screen reader gets them all. The numbers come from the domain modules
(tracker.progress, tracker.care, tracker.triage); nothing there draws.
"""

import dataclasses
import math

from django.conf import settings
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from .. import progress, scores
from ..care import DAILY_UP_TO
from ..triage import LABELS as FLAG_LABELS
from .days import day_text

# The drawing area, in SVG user units (the SVG scales to the width it is given; at 360 px a
# chart is about 300 px wide, so 12 units of text are 11 px or more). Left: y-axis labels;
# bottom: event markers, then the dates.
WIDTH, HEIGHT = 320, 168
LEFT, RIGHT, TOP = 40, 6, 10
BASELINE = HEIGHT - 40
MARKER_Y = BASELINE + 9
DATE_Y = HEIGHT - 6
CHAR = 7.2  # about how wide a character of 12-unit text is, to keep labels inside the picture

# One colour per measure, in static/css/steady.css as --m-<measure> and the class m-<measure>:
# the charts, the caseload's sparklines and the heat map all use these names.
MEASURES = ("sleep", "efficiency", "quality", "urges", "intensity", "duration", "stress", "checkins",
            # Questionnaire scores (issue 17): one per instrument, on the participant's and the care team's charts.
            "phq9", "gad7", "bam")

EVENT_KINDS = ("setback", "acknowledged", "plan")


def _event_legend():
    return {"setback": _("Setback (used)"), "acknowledged": _("Flag acknowledged"),
            "plan": _("Safety plan changed")}


def event_key():
    """(kind, label) for the legend of the event markers."""
    return list(_event_legend().items())


def event_list(events):
    """(kind, text) for each event (tracker.care.Event), oldest first: the list under the legend."""
    legend = _event_legend()

    def text(event):
        words = {"day": day_label(event.date), "event": legend[event.kind]}
        if event.kind == "acknowledged":
            return _("%(day)s: %(event)s (%(flag)s)") % {**words, "flag": FLAG_LABELS.get(event.detail, event.detail)}
        if event.kind == "plan":
            return _("%(day)s: %(event)s (version %(number)s)") % {**words, "number": event.detail}
        return _("%(day)s: %(event)s") % words

    return [(event.kind, text(event)) for event in events]


def day_label(day):
    """A day in full on the charts (accessible names, tables, event marks): "Sat 14 Nov"."""
    return day_text(day, _("D j M"))


def short_day(day):
    """A day under a bar: "14 Nov"."""
    return day_text(day, _("j M"))


def bar_name(label, what, text):
    """A bar's or point's accessible name: "Sat 14 Nov, sleep: 6.5 h"."""
    return _("%(day)s, %(what)s: %(value)s") % {"day": label, "what": what, "value": text}


def _num(value):
    """A coordinate for the SVG: short, no exponent."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ticks(top):
    """2 to 4 round whole-number ticks from 0 up to at least `top`: [0, step, ..., n * step]."""
    top = max(top, 1)
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (m * magnitude / 10 for m in (1, 2, 5, 10, 20, 50, 100) if m * magnitude >= 10):  # whole numbers
        if math.ceil(top / step - 1e-9) <= 3:
            count = max(1, math.ceil(top / step - 1e-9))
            return [round(step * n, 6) for n in range(count + 1)]
    return [0, top]


@dataclasses.dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the day or week in full: "Sat 14 Nov", "Week of 16 Nov"
    value: float | None
    text: str  # the value with its unit: "6.5 h", or "no entry"
    name: str = ""  # the accessible name: "Sat 14 Nov, sleep: 6.5 h"


@dataclasses.dataclass
class Chart:
    id: str
    title: str
    description: str
    unit: str
    bars: list
    max_value: float
    measure: str = "sleep"
    width: int = WIDTH
    height: int = HEIGHT
    axis_labels: list = dataclasses.field(default_factory=list)  # (x, text) under the bars
    ticks: list = dataclasses.field(default_factory=list)  # (y, text) on the y-axis
    band: tuple | None = None  # (y_top, y_bottom, text): the healthy range, shaded
    threshold: tuple | None = None  # (y, text, legend): the caseload's flag threshold, dashed
    markers: list = dataclasses.field(default_factory=list)  # (x, kind, text)

    @property
    def baseline(self):
        return BASELINE

    @property
    def has_data(self):
        return any(bar.value is not None for bar in self.bars)

    # The SVG and the table rows as ready markup, escaped once per string: a year of bars is
    # hundreds of elements, and formatting each through the template engine costs more than
    # the rest of the page.
    @property
    def svg(self):
        right = WIDTH - RIGHT
        parts = []
        if self.band:
            top, bottom, _text = self.band
            parts.append(f'<rect class="band" x="{LEFT}" y="{_num(top)}" width="{right - LEFT}" '
                         f'height="{_num(bottom - top)}"/>'
                         f'<line class="band-edge" x1="{LEFT}" x2="{right}" y1="{_num(top)}" y2="{_num(top)}"/>'
                         f'<line class="band-edge" x1="{LEFT}" x2="{right}" y1="{_num(bottom)}" y2="{_num(bottom)}"/>')
        for y, text in self.ticks:
            parts.append(f'<line class="grid" x1="{LEFT}" x2="{right}" y1="{_num(y)}" y2="{_num(y)}"/>'
                         f'<text class="axis-label" x="{LEFT - 4}" y="{_num(y + 4)}" text-anchor="end">{escape(text)}</text>')
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{right}" y1="{BASELINE}" y2="{BASELINE}"/>')
        parts.extend(f'<rect class="bar" tabindex="0" role="img" aria-label="{escape(b.name)}" x="{_num(b.x)}" '
                     f'y="{_num(b.y)}" width="{_num(b.width)}" height="{_num(b.height)}"/>'
                     for b in self.bars if b.value is not None)
        if self.threshold:
            y, text, _legend = self.threshold
            parts.append(f'<line class="threshold" x1="{LEFT}" x2="{right}" y1="{_num(y)}" y2="{_num(y)}"/>'
                         f'<text class="threshold-label" x="{right}" y="{_num(max(y - 3, 10))}" '
                         f'text-anchor="end">{escape(text)}</text>')
        if self.markers:
            parts.append('<g class="events" aria-hidden="true">')
            parts.extend(_marker(x, kind, text) for x, kind, text in self.markers)
            parts.append("</g>")
        parts.extend(f'<text class="axis-label" x="{_num(x)}" y="{DATE_Y}" text-anchor="middle">{escape(text)}</text>'
                     for x, text in self.axis_labels)
        return mark_safe("".join(parts))

    @property
    def rows_html(self):
        return mark_safe("".join(f'<tr><th scope="row">{escape(b.label)}</th><td>{escape(b.text)}</td></tr>'
                                 for b in self.bars))


def _marker(x, kind, text):
    """An event's mark on the x-axis; each kind has its own shape, not only its own colour."""
    title = f"<title>{escape(text)}</title>"
    if kind == "setback":  # a triangle pointing up
        return f'<path class="event event--setback" d="M{_num(x)} {MARKER_Y - 4}l4.5 8h-9z">{title}</path>'
    if kind == "acknowledged":
        return f'<circle class="event event--acknowledged" cx="{_num(x)}" cy="{MARKER_Y}" r="4">{title}</circle>'
    return (f'<rect class="event event--plan" x="{_num(x - 3.5)}" y="{MARKER_Y - 3.5}" width="7" height="7">'
            f'{title}</rect>')


def bar_chart(*, id, title, description, unit, points, max_value=None, fmt="{:g}", measure="sleep", noun="",
              ticks=None, tick_unit="", band=None, threshold=None, events=()):
    """points: [(label, axis label, value or None)] in order; a None is a gap, not a zero.

    band: (low, high, text) shaded; threshold: (value, text) dashed; events: [(index, kind, text)]
    marked under the bar at that index.
    """
    values = [v for _, _, v in points if v is not None]
    reach = max([*values, *(band[:2] if band else ()), *((threshold[0],) if threshold else ()), 0])
    if ticks is None:
        ticks = nice_ticks(max_value if max_value is not None else reach)
    top = max(max_value or 0, ticks[-1]) or 1
    plot = WIDTH - RIGHT - LEFT
    usable = BASELINE - TOP
    slot = plot / max(len(points), 1)

    def y_of(value):
        return BASELINE - usable * min(value, top) / top

    # The words looked up once per chart, not once per bar (a year of days is 365 bars).
    no_entry = _("no entry")
    name_pattern = _("%(day)s, %(what)s: %(value)s")
    what = noun or title.lower()
    bars = []
    for index, (label, _axis, value) in enumerate(points):
        height = 0 if value is None else max(1.5, usable * min(value, top) / top) if value else 0
        text = no_entry if value is None else f"{fmt.format(value)}{unit}"
        bars.append(Bar(
            x=LEFT + index * slot + slot * 0.15, y=BASELINE - height, width=slot * 0.7, height=height,
            label=label, value=value, text=text, name=name_pattern % {"day": label, "what": what, "value": text},
        ))
    # As many dates as fit, always the last one; each kept inside the picture.
    widest = max((len(axis) for _, axis, _ in points), default=1) * CHAR
    every = max(1, math.ceil(len(points) / max(1, int(plot // (widest + 14)))))
    axis = []
    for index in range(len(points) - 1, -1, -every):
        text = points[index][1]
        half = len(text) * CHAR / 2
        axis.append((min(max(LEFT + index * slot + slot / 2, LEFT + half - 6), WIDTH - half), text))
    tick_marks = [(y_of(t), f"{t:g}{tick_unit}") for t in ticks]
    return Chart(
        id=id, title=title, description=description, unit=unit, bars=bars, max_value=top, measure=measure,
        axis_labels=axis[::-1], ticks=tick_marks,
        band=(y_of(band[1]), y_of(band[0]), band[2]) if band else None,
        threshold=(y_of(threshold[0]), threshold[1], _("Dashed line: %(label)s at %(value)s (the caseload's setting).")
                   % {"label": threshold[1], "value": f"{fmt.format(threshold[0])}{unit}"}) if threshold else None,
        # Kinds side by side when they fall on one bar: a setback left, a plan change right.
        markers=[(LEFT + index * slot + slot / 2 + 9 * (EVENT_KINDS.index(kind) - 1), kind, text)
                 for index, kind, text in events],
    )


@dataclasses.dataclass
class Sparkline:
    bars: list  # (x, y, width, height) for days with a value
    width: int
    height: int
    summary: str  # what a screen reader hears instead of the picture
    measure: str = "sleep"  # its colour, as on the charts (MEASURES)

    @property
    def rects_svg(self):
        # Numbers only (floats and ints made here), nothing to escape.
        return mark_safe("".join(f'<rect x="{x}" y="{y}" width="{w}" height="{h}"/>' for x, y, w, h in self.bars))


def sparkline(values, *, top, unit, what, measure, width=112, height=28):
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
        summary = ngettext("%(what)s: nothing logged in the last %(days)s day.",
                           "%(what)s: nothing logged in the last %(days)s days.", len(values)) % {
            "what": what, "days": len(values)}
    else:
        average = sum(known) / len(known)
        summary = ngettext("%(what)s, last %(days)s days: %(logged)s day logged, average %(average)s, latest %(latest)s.",
                           "%(what)s, last %(days)s days: %(logged)s days logged, average %(average)s, latest %(latest)s.",
                           len(known)) % {"what": what, "days": len(values), "logged": len(known),
                                          "average": f"{average:.1f}{unit}", "latest": f"{known[-1]:g}{unit}"}
    return Sparkline(bars=bars, width=width, height=height, summary=summary, measure=measure)



def sleep_sparkline(row):
    """A caseload row's (tracker.triage.Row) last nights of sleep."""
    return sparkline([v for _, v in row.sleep], top=10, unit=" h", what=_("Sleep each night"), measure="sleep")


def urge_sparkline(row):
    return sparkline([v for _, v in row.urges], top=max(4, *(v for _, v in row.urges)), unit="", what=_("Urges each day"),
                     measure="urges")


# ---------------------------------------------------------------------------------------------
# Chart sets: one builder, a list of specs per screen.


@dataclasses.dataclass(frozen=True)
class Spec:
    id: str
    title: str
    unit: str
    key: str  # which series of the data
    description: str
    measure: str  # its colour (MEASURES)
    noun: str = ""  # in each bar's accessible name: "Sat 14 Nov, sleep: 6.5 h"
    max_value: float | None = None
    fmt: str = "{:g}"
    spans: str = "spans"  # which series holds the bars' (first, last) dates
    ticks: tuple | None = None
    tick_unit: str = ""
    band: tuple | None = None  # (low, high, text)
    threshold: tuple | None = None  # (value, text)


def span_label(first, last):
    """A bar's day or week in full (accessible names, the table)."""
    return day_label(first) if first == last else _("Week of %(day)s") % {"day": short_day(first)}


def _index_of(spans, day):
    for index, (first, last) in enumerate(spans):
        if first <= day <= last:
            return index
    return None


def chart_set(data, specs, *, events=(), short=short_day):
    """One bar chart per spec, each from data[spec.key] against data[spec.spans] (a bar's dates).

    events: tracker.care.Event, marked under the bar whose day or week holds them.
    """
    legend = _event_legend()
    # Every chart of a set shares its days: each day's two labels are formatted once for the set
    # (date formatting and its translation lookups were most of a set's time, per bar per chart).
    labels = {}

    def labels_of(span):
        if span not in labels:
            labels[span] = (span_label(*span), short(span[0]))
        return labels[span]

    charts = []
    for spec in specs:
        spans = data[spec.spans]
        marks = [(index, event.kind, f"{span_label(event.date, event.date)}: {legend[event.kind]}")
                 for event in events if (index := _index_of(spans, event.date)) is not None]
        charts.append(bar_chart(
            id=spec.id, title=spec.title, unit=spec.unit, description=spec.description, measure=spec.measure,
            noun=spec.noun, points=[(*labels_of(tuple(span)), value) for span, value in zip(spans, data[spec.key])],
            max_value=spec.max_value, fmt=spec.fmt, ticks=spec.ticks, tick_unit=spec.tick_unit, band=spec.band,
            threshold=spec.threshold, events=marks))
    return charts


def sleep_band():
    return 7, 9, _("Shaded: 7 to 9 hours, a healthy night's sleep.")


def efficiency_band():
    return 85, 100, _("Shaded: 85% or more, healthy sleep efficiency.")


def progress_charts(figures, days):
    """A participant's own charts on My progress: one bar a day, from the join date if later."""
    tracked = figures.tracked_days
    short = (lambda d: day_text(d, _("D"))) if days <= 7 else short_day

    def of(attribute, scale=1):
        return [None if day.checkin is None or getattr(day.checkin, attribute) is None
                else round(getattr(day.checkin, attribute) * scale, 1) for day in tracked]

    def average_duration(day):
        value = progress.mean([urge.duration_min for urge in day.urges])
        return None if value is None else round(value, 1)

    data = {
        "spans": [(day.date, day.date) for day in tracked],
        "sleep": of("total_sleep_min", 1 / 60), "efficiency": of("sleep_efficiency", 100),
        "quality": of("sleep_quality"), "stress": of("stress"),
        "urges": [day.urge_count for day in tracked],
        "duration": [average_duration(day) for day in tracked],
    }
    return chart_set(data, [
        Spec("sleep", _("Sleep each night"), " h", "sleep", _("Hours of sleep each night."), "sleep", _("sleep"),
             tick_unit=" h", band=sleep_band()),
        Spec("efficiency", _("Sleep efficiency"), "%", "efficiency",
             _("Share of the time in bed spent asleep, each night."), "efficiency", _("sleep efficiency"),
             max_value=100, tick_unit="%", band=efficiency_band()),
        Spec("quality", _("Sleep quality"), _(" of 5"), "quality",
             _("How well you slept, from 1 (very poor) to 5 (very good)."), "quality", _("sleep quality"),
             max_value=5, ticks=(1, 3, 5)),
        Spec("urges", _("Urges each day"), "", "urges", _("How many urges you logged each day."), "urges",
             _("urges")),
        Spec("duration", _("How long urges lasted"), " min", "duration",
             _("Average minutes an urge lasted, each day with an urge. Shorter bars: urges fade faster."),
             "duration", _("minutes an urge lasted")),
        Spec("stress", _("Stress"), _(" of 10"), "stress", _("Your stress from 0 to 10 each day you checked in."),
             "stress", _("stress"), max_value=10),
    ], short=short)


def trend_charts(data, *, period, events=()):
    """A counselor's trend charts (tracker.care.series): a bar a day, or a week past 90 days.

    Sleep and urge strength get a dashed line at the caseload's own flag threshold (the TRIAGE_*
    settings tracker.triage flags by), and the healthy-range bands of the participant's charts.
    """
    per = _("week (averages)") if period > DAILY_UP_TO else _("day")
    flag = _("flag threshold")
    hours = settings.TRIAGE_SLEEP_MIN_HOURS
    efficiency = settings.TRIAGE_SLEEP_MIN_EFFICIENCY * 100
    return chart_set(data, [
        Spec("c-sleep", _("Total sleep time"), " h", "sleep_hours",
             _("Hours asleep each night, one bar per %(per)s.") % {"per": per}, "sleep", _("sleep"), fmt="{:.1f}",
             tick_unit=" h", band=sleep_band(), threshold=(hours, flag)),
        Spec("c-efficiency", _("Sleep efficiency"), "%", "sleep_efficiency",
             _("Share of time in bed spent asleep, one bar per %(per)s.") % {"per": per}, "efficiency",
             _("sleep efficiency"), max_value=100, fmt="{:.0f}", tick_unit="%", band=efficiency_band(),
             threshold=(efficiency, flag)),
        Spec("c-quality", _("Sleep quality"), _(" of 5"), "sleep_quality",
             _("Sleep quality from 1 to 5, one bar per %(per)s.") % {"per": per}, "quality", _("sleep quality"),
             max_value=5, fmt="{:.1f}", ticks=(1, 3, 5)),
        Spec("c-urges", _("Urges"), "", "urges",
             _("Number of urges logged, one bar per %(per)s.") % {"per": _("week") if period > DAILY_UP_TO else _("day")},
             "urges", _("urges")),
        Spec("c-intensity", _("Urge intensity"), _(" of 10"), "urge_intensity",
             _("Average urge strength, 0 to 10, one bar per %(per)s.") % {"per": per}, "intensity",
             _("urge strength"), max_value=10, fmt="{:.1f}", threshold=(settings.TRIAGE_HIGH_URGE, flag)),
        Spec("c-duration", _("Urge duration"), " min", "urge_minutes",
             _("Average minutes an urge lasted, one bar per %(per)s.") % {"per": per}, "duration",
             _("minutes an urge lasted"), fmt="{:.0f}"),
        Spec("c-stress", _("Stress"), _(" of 10"), "stress", _("Stress from 0 to 10, one bar per %(per)s.") % {"per": per},
             "stress", _("stress"), max_value=10, fmt="{:.1f}"),
        Spec("c-adherence", _("Check-in days"), "%", "adherence", _("Share of each week's days with a check-in."),
             "checkins", _("days with a check-in"), max_value=100, fmt="{:.0f}", spans="adherence_spans",
             tick_unit="%"),
    ], events=events)


# ---------------------------------------------------------------------------------------------
# The urge heat map: weekday x hour, in the participant's zone

# A label column, then 24 hour columns; 7 weekday rows.
HEAT_LEFT, HEAT_COLUMN, HEAT_ROW = 20, 12.5, 18

# Each weekday's one-letter mark on the heat map's rows, Monday first.
WEEKDAY_INITIALS = (pgettext_lazy("Monday's initial", "M"), pgettext_lazy("Tuesday's initial", "T"),
                    pgettext_lazy("Wednesday's initial", "W"), pgettext_lazy("Thursday's initial", "T"),
                    pgettext_lazy("Friday's initial", "F"), pgettext_lazy("Saturday's initial", "S"),
                    pgettext_lazy("Sunday's initial", "S"))


def weekday_names():
    """(name, short name) of each weekday, Monday first, in the page's language."""
    return [(DAY_NAMES[day], WEEKDAYS_ABBR[day]) for day in range(7)]


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
        # Plain string joins: the only words are the weekday names, escaped once each.
        names = [escape(DAY_NAMES[d]) for d in range(7)]

        def cell(d, h, n, opacity):
            if not n:
                return (f'<rect class="heat heat--empty" x="{_heat_x(h)}" y="{_heat_y(d)}" width="11" height="16">'
                        f'<title>{names[d]} {h:02d}:00: 0</title></rect>')
            return (f'<rect class="heat" x="{_heat_x(h)}" y="{_heat_y(d)}" width="11" height="16" '
                    f'fill-opacity="{opacity}"><title>{names[d]} {h:02d}:00: {n}</title></rect>')

        return mark_safe("".join(cell(*each) for each in self.cells()))

    def busiest(self, limit=3):
        """(weekday name, hour, count) of the busiest hours, most urges first."""
        cells = sorted(((n, d, h) for d, row in enumerate(self.grid) for h, n in enumerate(row) if n), reverse=True)
        return [(DAY_NAMES[d], h, n) for n, d, h in cells[:limit]]

    @property
    def axes_svg(self):
        rows = "".join(f'<text class="axis-label" x="0" y="{d * HEAT_ROW + 14}">{escape(initial)}</text>'
                       for d, initial in enumerate(WEEKDAY_INITIALS))
        hours = "".join(f'<text class="axis-label" x="{_heat_x(h)}" y="146">{h}h</text>' for h in (0, 6, 12, 18))
        return mark_safe(rows + hours)

    @property
    def table(self):
        # Counts only (ints): nothing to escape.
        return mark_safe("".join(
            f'<tr><th scope="row">{hour:02d}</th>{"".join(f"<td>{self.grid[d][hour]}</td>" for d in range(7))}</tr>'
            for hour in range(24)))


# ---------------------------------------------------------------------------------------------
# Issue 17: a participant's own questionnaire scores (tracker.web.measures), one bar a response,
# on the instrument's severity bands. Colour: one per instrument (m-phq9, m-gad7, m-bam in
# static/css/steady.css), the same wherever its scores are drawn.


@dataclasses.dataclass
class ScoreChart(Chart):
    # (y_top, y_bottom, label, level): each band of the score, shaded deeper the higher it lies.
    severity: list = dataclasses.field(default_factory=list)

    @property
    def svg(self):
        right = WIDTH - RIGHT
        stripes = "".join(
            f'<rect class="severity severity--{level}" x="{LEFT}" y="{_num(top)}" width="{right - LEFT}" '
            f'height="{_num(bottom - top)}"><title>{escape(label)}</title></rect>'
            for top, bottom, label, level in self.severity)
        return mark_safe(stripes + super().svg)


def _score_ticks(score):
    """0, the bands' lower edges and the top, leaving out an edge too close to the one before
    to read (the top stays: it says how far the scale goes)."""
    ticks = [0]
    for value in sorted({band.low for band in score.bands} | {score.high}) if score.high else []:
        if value == 0:
            continue
        if value - ticks[-1] < score.high * 0.12:
            if value != score.high:
                continue
            if ticks[-1] != 0:
                ticks.pop()
        ticks.append(value)
    return ticks


def score_chart(*, definition, score, responses, zone):
    """One score of an instrument over the person's last complete responses (oldest first)."""
    points = []
    for response in responses:
        local = response.completed_at.astimezone(zone)
        points.append((day_label(local), short_day(local), response.scores.get(score.key)))
    title = definition.name if len(definition.scores) == 1 else f"{definition.name}: {score.label}"
    better = _("Higher is better.") if score.higher_is_better else _("Lower is better.")
    chart = bar_chart(
        id=f"score-{definition.key}-{score.key}", title=title, unit="", points=points, max_value=score.high,
        ticks=_score_ticks(score), measure=definition.key, noun=_("score"),
        description=_("Your last %(count)s scores, from %(low)s to %(high)s, on the shaded ranges. %(better)s")
        % {"count": len(points), "low": score.low, "high": score.high, "better": better})
    usable = BASELINE - TOP

    def y_of(value):
        return BASELINE - usable * value / score.high

    bands = sorted(score.bands, key=lambda band: band.low)
    severity = []
    for level, band in enumerate(bands):
        upper = bands[level + 1].low if level + 1 < len(bands) else score.high
        span = str(band.low) if band.low == band.high else f"{band.low}–{band.high}"
        severity.append((y_of(upper), y_of(band.low), f"{band.text()}: {span}", level))
    for bar in chart.bars:
        # A few scores are a few slim bars, not a wall: each at most as wide as a day's bar in a week.
        slim = min(bar.width, (WIDTH - RIGHT - LEFT) / 7 * 0.7)
        bar.x, bar.width = bar.x + (bar.width - slim) / 2, slim
        found = score.band(bar.value) if bar.value is not None else None
        if found is not None:
            bar.text = f"{bar.value} ({found.text()})"
            bar.name = bar_name(bar.label, title, bar.text)
    return ScoreChart(**{f.name: getattr(chart, f.name) for f in dataclasses.fields(Chart)}, severity=severity)


# ---------------------------------------------------------------------------------------------
# Questionnaire scores for the care team (issue 17): one score over time, a point per response joined
# by a line, on its severity bands (tracker.scores.ScoreHistory). Dates are spaced by time, not evenly: two
# weeks apart look two weeks apart.

TREND_TOP = 24  # room above the plot for the y-axis title
TREND_PAD = 12  # the first and last point stay this far inside the plot
TREND_DATE_Y = BASELINE + 16  # the dates, just under the axis (no event marks on these charts)
TREND_HEIGHT = BASELINE + 22


@dataclasses.dataclass
class TrendPoint:
    x: float
    y: float
    name: str  # the accessible name: "Tue 17 Nov 2026, PHQ-9: 12 points (Moderate)"


@dataclasses.dataclass
class TrendBand:
    top: float
    bottom: float
    label: str
    severity: int | None
    place: tuple | None = None  # (x, y, text-anchor) of its label, None where it does not fit


@dataclasses.dataclass
class ScoreTrend:
    id: str
    title: str
    description: str
    measure: str
    axis_title: str
    points: list  # TrendPoint, oldest first
    bands: list  # TrendBand, lowest values first
    ticks: list  # (y, text)
    axis_labels: list  # (x, text)
    history: object  # tracker.scores.ScoreHistory, for the table
    width: int = WIDTH
    height: int = TREND_HEIGHT
    has_data: bool = True

    @property
    def svg(self):
        right = WIDTH - RIGHT
        parts = []
        for band in self.bands:
            parts.append(f'<rect class="score-band sev-{band.severity}" x="{LEFT}" y="{_num(band.top)}" '
                         f'width="{right - LEFT}" height="{_num(band.bottom - band.top)}"/>')
        labels = []
        for band in self.bands:
            if band.place:
                x, y, anchor = band.place
                labels.append(f'<text class="band-label sev-{band.severity}" x="{_num(x)}" y="{_num(y)}" '
                              f'text-anchor="{anchor}">{escape(band.label)}</text>')
        for y, text in self.ticks:
            parts.append(f'<line class="grid" x1="{LEFT}" x2="{right}" y1="{_num(y)}" y2="{_num(y)}"/>'
                         f'<text class="axis-label" x="{LEFT - 4}" y="{_num(y + 4)}" text-anchor="end">{escape(text)}</text>')
        parts.extend(labels)   # over the grid lines, under the line and points
        parts.append(f'<text class="axis-title" x="2" y="12">{escape(self.axis_title)}</text>')
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TREND_TOP}" y2="{BASELINE}"/>'
                     f'<line class="axis" x1="{LEFT}" x2="{right}" y1="{BASELINE}" y2="{BASELINE}"/>')
        if len(self.points) > 1:
            line = " ".join(f"{_num(p.x)},{_num(p.y)}" for p in self.points)
            parts.append(f'<polyline class="score-line" points="{line}"/>')
        parts.extend(f'<circle class="bar point" tabindex="0" role="img" aria-label="{escape(p.name)}" '
                     f'cx="{_num(p.x)}" cy="{_num(p.y)}" r="4.5"/>' for p in self.points)
        parts.extend(f'<text class="axis-label" x="{_num(x)}" y="{TREND_DATE_Y}" text-anchor="middle">{escape(text)}</text>'
                     for x, text in self.axis_labels)
        return mark_safe("".join(parts))


def _trend_label_place(band, text, points):
    """Where a band's label stays clear of the points and the line between them: the first of the
    right end, the left end, the middle (each at the band's middle, top or bottom) that touches
    neither, else the one that touches the fewest; None where the band is too thin for text."""
    if band.bottom - band.top < 13:
        return None
    width, right = len(text) * CHAR, WIDTH - RIGHT
    # What the label must not cover: each point, and the line sampled every few units.
    marks = [(p.x, p.y) for p in points]
    for a, b in zip(points, points[1:]):
        steps = max(1, int(abs(b.x - a.x) // 3))
        marks += [(a.x + (b.x - a.x) * n / steps, a.y + (b.y - a.y) * n / steps) for n in range(steps + 1)]
    candidates = []
    for baseline in ((band.top + band.bottom) / 2 + 4, band.top + 12, band.bottom - 3):
        for x, anchor, left in ((right - 3, "end", right - 3 - width), (LEFT + 4, "start", LEFT + 4),
                                ((LEFT + right) / 2, "middle", (LEFT + right - width) / 2)):
            hits = sum(1 for mx, my in marks if left - 6 <= mx <= left + width + 6 and baseline - 16 <= my <= baseline + 7)
            candidates.append((hits, (x, baseline, anchor)))
    return min(candidates, key=lambda candidate: candidate[0])[1]


def _trend_ticks(score):
    """The band edges as ticks (from the score's lowest to its highest value), none closer than
    an eighth of the range; a middle one where that leaves only the two ends."""
    span = score.high - score.low
    kept = []
    for value in sorted({score.low, *(band.low for band in score.bands), score.high}):
        if not kept or value - kept[-1] >= span / 8:
            kept.append(value)
    if kept[-1] != score.high:
        if score.high - kept[-1] < span / 8:
            kept.pop()
        kept.append(score.high)
    if len(kept) == 2:
        kept.insert(1, score.low + span // 2)
    return kept


def score_trend(history, *, id):
    """A ScoreTrend of a tracker.scores.ScoreHistory."""
    score = history.score
    usable = BASELINE - TREND_TOP
    span = (score.high - score.low) or 1

    def y_of(value):
        return BASELINE - usable * (min(max(value, score.low), score.high) - score.low) / span

    # A band of whole points low..high is drawn from low - 0.5 to high + 0.5, so each point sits
    # inside its band, never on an edge (the BAM's "None reported" is the thin band at 0).
    bands = []
    for band in score.bands:
        top, bottom = y_of(band.high + 0.5), y_of(band.low - 0.5)
        bands.append(TrendBand(top=top, bottom=bottom, label=band.text(), severity=scores.severity(score, band.low)))
    points = history.points
    first, last = points[0].day, points[-1].day
    days = (last - first).days
    left, right = LEFT + TREND_PAD, WIDTH - RIGHT - TREND_PAD

    def x_of(day):
        return (left + right) / 2 if not days else left + (right - left) * (day - first).days / days

    placed = []
    for point in points:
        name = _("%(day)s, %(score)s: %(value)s points") % {
            "day": day_text(point.day, _("D j M Y")), "score": history.name, "value": point.value}
        if point.band:
            name += f" ({point.band_words})"
        placed.append(TrendPoint(x=x_of(point.day), y=y_of(point.value), name=name))
    for band in bands:
        band.place = _trend_label_place(band, band.label, placed)
    # Dates under the points, newest first, each kept clear of the one to its right.
    labels = []
    for point, spot in zip(reversed(points), reversed(placed)):
        text = short_day(point.day)
        half = len(text) * CHAR / 2
        x = min(max(spot.x, LEFT + half - 6), WIDTH - half)
        if labels and labels[-1][0] - x < 2 * half + 8:
            continue
        labels.append((x, text))
    description = _("%(name)s after each questionnaire, from %(low)s to %(high)s points, on its bands: %(bands)s.") % {
        "name": history.name, "low": score.low, "high": score.high,
        "bands": "; ".join(f"{band.text()} {band.low}–{band.high}" for band in score.bands)}
    if score.higher_is_better:
        description += " " + _("Higher is better.")
    return ScoreTrend(id=id, title=history.name, description=description, measure=history.measure,
                      axis_title=_("points"), points=placed, bands=bands,
                      ticks=[(y_of(t), f"{t:g}") for t in _trend_ticks(score)], axis_labels=labels[::-1],
                      history=history)


def calendar_rows(weeks):
    """The rows of My progress's check-in calendar (tracker.progress.Progress.calendar: weeks of
    days, None outside the period), as its template wrote them cell by cell (tests/
    test_progress_calendar.py compares the two): each sentence looked up once a page."""
    day_format, on, off = _("j F"), _("%(day)s: checked in"), _("%(day)s: no check-in")
    rows = []
    for week in weeks:
        cells = []
        for day in week:
            if day is None:
                cells.append("<td></td>")
                continue
            words = (on if day.checkin else off) % {"day": escape(day_text(day.date, day_format))}
            cells.append(f'<td class="{"on" if day.checkin else "off"}"><span aria-hidden="true">{day.date.day}</span>'
                         f'<span class="visually-hidden">{words}</span></td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("".join(rows))
