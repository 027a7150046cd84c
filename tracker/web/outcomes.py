"""Program outcomes for program admins (issue 18): the page /care/program/ and its CSV.

Program admins only (tracker.access.program_admin: anyone else gets a 404 and a denied row).
Aggregates only: the figures come from tracker.outcomes, suppressed there once, and the page, its
charts and the CSV all show those same suppressed values. Each view leaves one audit row about the
program (no participant): a read for the page, an export for the CSV.
"""

import datetime as dt
import math

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access, audit, outcomes
from ..models import AuditEvent
from . import charts
from .days import day_text
from .decorators import signed_in
from .downloads import download
from .forms import AccessibleErrorsMixin

RESOURCE = "program-outcomes"


class PeriodForm(AccessibleErrorsMixin, forms.Form):
    """The period: a quarter, a year, or two dates at least a month apart."""

    kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=[
        ("quarter", gettext_lazy("A quarter")), ("year", gettext_lazy("A year")), ("custom", gettext_lazy("From a day to a day"))],
        initial="custom")
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"), required=False, choices=[
        ("1", gettext_lazy("January to March")), ("2", gettext_lazy("April to June")), ("3", gettext_lazy("July to September")),
        ("4", gettext_lazy("October to December"))])
    first = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           help_text=gettext_lazy("At least a month."))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # The last twelve months until another period is asked for.
        default = outcomes.last_twelve_months(today)
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = outcomes.current_quarter(today).key[-1]
        self.fields["first"].initial, self.fields["last"].initial = default.first, default.last
        self.period = default

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("quarter", "year"):
            year = data.get("year")
            if year is None:
                if "year" not in self.errors:
                    self.add_error("year", _("Give the year."))
                return data
            if kind == "quarter" and not data.get("quarter"):
                self.add_error("quarter", _("Pick a quarter."))
                return data
            period = outcomes.year_period(year=year) if kind == "year" else \
                outcomes.quarter_period(year=year, quarter=int(data["quarter"]))
            if period.first > self.today:
                self.add_error("year", _("That has not started yet: pick one that has."))
                return data
            self.period = period
        elif kind == "custom":
            for name in ("first", "last"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give a day."))
            if data.get("first") and data.get("last"):
                try:
                    self.period = outcomes.custom_period(first=data["first"], last=data["last"], today=self.today)
                except forms.ValidationError as error:
                    for name, messages in error.message_dict.items():
                        for message in messages:
                            self.add_error(name, message)
        return data


def _period(request, admin):
    today = timezone.now().astimezone(admin.program.zone).date()
    form = PeriodForm(request.GET if "kind" in request.GET else None, today=today)
    if form.is_bound:
        form.is_valid()
    return form, today


# ---------------------------------------------------------------------------------------------
# Charts: the house's bar charts (tracker.web.charts), and a step chart for the retention curve.


def _number(value):
    return value if isinstance(value, (int, float)) else None


def _bars(*, id, title, description, unit, labels, values, noun="", measure="sleep", fmt="{:g}", max_value=None,
          tick_unit=""):
    """A bar chart of shown values: a suppressed one is a gap whose text is "<11"."""
    points = [(label, axis, _number(value)) for (label, axis), value in zip(labels, values)]
    chart = charts.bar_chart(id=id, title=title, description=description, unit=unit, points=points, noun=noun,
                             measure=measure, fmt=fmt, max_value=max_value, tick_unit=tick_unit)
    for bar, value in zip(chart.bars, values):
        if value == outcomes.SUPPRESSED:
            bar.text = outcomes.SUPPRESSED
            bar.name = charts.bar_name(bar.label, noun or title.lower(), outcomes.SUPPRESSED)
        elif value is None:
            bar.text = _("none")
    return chart


# Lines of the retention chart: a colour and a dash each, so they differ in more than colour.
LINES = (("sleep", ""), ("urges", "6 3"), ("checkins", "2 3"), ("duration", "8 3 2 3"), ("stress", "1 2"))


class StepChart:
    """The Kaplan-Meier curves: one step line per admission cohort, days on x, % still in treatment on y."""

    has_data = True

    def __init__(self, *, id, title, description, curves, until_days):
        self.id, self.title, self.description = id, title, description
        self.width, self.height = charts.WIDTH, charts.HEIGHT
        self.curves = [c for c in curves if c.steps]
        self.has_data = bool(self.curves)
        top_day = max([until_days, 7])
        step = next(s for s in (7, 14, 30, 60, 90, 180, 365) if top_day / s <= 6)
        self.top_day = math.ceil(top_day / step) * step
        self.day_ticks = list(range(0, self.top_day + 1, step))
        self.max_value = 100
        self.unit = "%"

    def x(self, day):
        return charts.LEFT + (charts.WIDTH - charts.RIGHT - charts.LEFT) * min(day, self.top_day) / self.top_day

    def y(self, fraction):
        return charts.BASELINE - (charts.BASELINE - charts.TOP) * fraction

    @property
    def legend(self):
        return [(LINES[i % len(LINES)][0], LINES[i % len(LINES)][1], curve.label) for i, curve in enumerate(self.curves)]

    @property
    def svg(self):
        num, right = charts._num, charts.WIDTH - charts.RIGHT
        parts = []
        for value in (0, 25, 50, 75, 100):
            y = self.y(value / 100)
            parts.append(f'<line class="grid" x1="{charts.LEFT}" x2="{right}" y1="{num(y)}" y2="{num(y)}"/>'
                         f'<text class="axis-label" x="{charts.LEFT - 4}" y="{num(y + 4)}" text-anchor="end">{value}%</text>')
        parts.append(f'<line class="axis" x1="{charts.LEFT}" x2="{charts.LEFT}" y1="{charts.TOP}" y2="{charts.BASELINE}"/>'
                     f'<line class="axis" x1="{charts.LEFT}" x2="{right}" y1="{charts.BASELINE}" y2="{charts.BASELINE}"/>')
        for day in self.day_ticks:
            parts.append(f'<text class="axis-label" x="{num(self.x(day))}" y="{charts.BASELINE + 14}" '
                         f'text-anchor="middle">{day}</text>')
        title = escape(_("days since admission"))  # outside the f-string, where makemessages finds it
        parts.append(f'<text class="axis-title" x="{num((charts.LEFT + right) / 2)}" y="{charts.DATE_Y}" '
                     f'text-anchor="middle">{title}</text>')
        for (measure, dash, label), curve in zip(self.legend, self.curves):
            points, last = [], 1.0
            for day, survival in curve.steps:
                if day > self.top_day:
                    break
                points += [(self.x(day), self.y(last)), (self.x(day), self.y(survival))]
                last = survival
            points.append((self.x(self.top_day), self.y(last)))
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline class="km-line m-{measure}"{dashes} role="img" aria-label="{escape(label)}" '
                         f'points="{" ".join(f"{num(x)},{num(y)}" for x, y in points)}"/>')
        return mark_safe("".join(parts))


def SHORT_DISCHARGES():
    """Axis labels that fit under six bars at 360 px, in Episode.Discharge's order."""
    return [_("Done"), _("Down"), _("Up"), _("Left"), _("Moved"), _("Adm.")]


def _charts(report):
    def rows(key):
        return report[key].rows

    def week_labels(key):
        days = [dt.date.fromisoformat(row[0]) for row in rows(key)]
        return [(_("Week of %(day)s") % {"day": day_text(day, _("j M Y"))}, charts.short_day(day)) for day in days]

    census = rows("census")
    attendance = rows("attendance")
    hours = rows("hours")
    discharges = rows("discharges")[:-1]
    made = {
        "census": [
            _bars(id="chart-census", title=_("In treatment"), unit="", labels=week_labels("census"),
                  values=[row[1] for row in census], measure="sleep", noun=_("in treatment"),
                  description=_("People in treatment each week; the axis counts people.")),
            _bars(id="chart-admitted", title=_("Admitted"), unit="", labels=week_labels("census"),
                  values=[row[2] for row in census], measure="checkins", noun=_("admitted"),
                  description=_("Admissions each week; the axis counts people.")),
        ],
        "attendance": [
            _bars(id="chart-attendance", title=_("Attendance rate"), unit="%", measure="efficiency",
                  labels=[(f"{row[0]}, {row[1]}", row[1]) for row in attendance], values=[row[5] for row in attendance],
                  max_value=100, noun=_("attendance"), tick_unit="%",
                  description=_("Attended marks of all marks, for each group and time slot; the axis is per cent.")),
        ],
        "hours": [
            _bars(id="chart-hours", title=_("Mean group hours"), unit=" h", labels=week_labels("hours"),
                  values=[row[2] for row in hours], measure="duration", noun=_("mean hours"), tick_unit=" h",
                  description=_("Mean hours of group attended each week by people with a weekly target; "
                                "the axis is hours. Targets: %(targets)s.") % {
                      "targets": ", ".join(f"{level} {hours_:g} h" for level, hours_ in report.targets.items())
                      or _("none set")}),
        ],
        "retention": [
            StepChart(id="chart-retention", title=_("Still in treatment"), curves=report.curves,
                      until_days=max([0, *((report.until - report.period.first).days,)]),
                      description=_("Kaplan-Meier curves by admission cohort: the share still in treatment (y, per "
                                    "cent) by days since admission (x). Cohorts under 11 people are not drawn.")),
        ],
        "discharges": [
            _bars(id="chart-discharges", title=_("Discharges"), unit="", measure="quality", noun=_("episodes"),
                  labels=[(row[0], short) for row, short in zip(discharges, SHORT_DISCHARGES())],
                  values=[row[1] for row in discharges],
                  description=_("Episodes ended in the period by discharge type; the axis counts episodes. Under "
                                "the bars: %(key)s.") % {"key": ", ".join(
                                    f"{short} = {row[0].lower()}" for row, short in zip(discharges, SHORT_DISCHARGES()))}),
        ],
    }
    return made


def _sections(report):
    made = _charts(report)
    return [{"table": table, "charts": made.get(key, [])} for key, table in report.tables.items()]


@signed_in
def program_outcomes(request):
    admin = access.program_admin(request, resource=RESOURCE)
    form, today = _period(request, admin)
    report = None
    if not form.errors:
        report = outcomes.report(program=admin.program, period=form.period, today=today)
    query = request.GET.urlencode()
    response = render(request, "tracker/care/outcomes.html", {
        "title": _("Program outcomes"), "program": admin.program, "form": form, "report": report,
        "sections": _sections(report) if report else [], "query": query, "suppressed": outcomes.SUPPRESSED,
        "window": outcomes.MEASURE_WINDOW_DAYS, "early": outcomes.EARLY_DROPOUT_SESSIONS})
    audit.record(request, action=AuditEvent.Action.READ, resource=RESOURCE,
                 object_id=report.period.key if report else "")
    return response


@signed_in
def program_outcomes_csv(request):
    admin = access.program_admin(request, resource=RESOURCE)
    form, today = _period(request, admin)
    if form.errors:
        return redirect(reverse("care_program") + "?" + request.GET.urlencode())
    report = outcomes.report(program=admin.program, period=form.period, today=today)
    audit.record(request, action=AuditEvent.Action.EXPORT, resource=RESOURCE, object_id=report.period.key)
    return download(fmt="csv", name=f"steady-program-outcomes-{report.period.key}", rows=list(outcomes.csv_rows(report)))
