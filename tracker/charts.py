"""Geometry for server-rendered SVG charts. Templates draw them (templates/tracker/_chart.html)
with a title, a description and the same numbers in a table, so a screen reader gets them all."""

import dataclasses

from django.utils.html import format_html_join

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
