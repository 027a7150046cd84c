"""The History page's thirty days, written out in Python (issue 20: the page's template, a loop of
thirty days with a dozen translated sentences, dates and links each, spent most of the page's time
in the template engine's nodes and a thousand translation look-ups).

Each sentence is looked up once per page and each link reversed once per page; every value from
the person is escaped once. tests/test_history_page.py renders the same days with the template
this replaced (kept there as the reference) and compares, in English and in Spanish.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..templatetags.steady import hours_minutes
from .days import day_text

# Stands for an entry's id in a link reversed once per page; a UUID's URL form is its str().
_ID = "00000000-0000-4000-8000-000000000000"


def _link(name):
    """A function of an entry's id giving the link `reverse(name, args=[id])` gives."""
    before, after = reverse(name, args=[_ID]).split(_ID)
    return lambda pk: f"{before}{pk}{after}"


def days_html(days):
    """The `<ol class="days">` of tracker.selectors.history's days, newest first."""
    checkin_edit, urge_edit, reflection_edit = _link("checkin_edit"), _link("urge_edit"), _link("reflection_edit")
    checkin_new = reverse("checkin_new")
    short, long = _("D j M"), _("l j F")
    # What {% translate %} wrote is escaped; what {% blocktranslate %} wrote is not (only its values).
    words = {key: escape(text) for key, text in {
        "checkin": _("Check-in"), "usual": _("(usual times)"), "none": _("No check-in."), "add": _("Add one"),
        "urge": _("Urge"), "setback": _("A setback does not erase the steps before it."),
        "reflection": _("Week’s reflection")}.items()}
    words |= {
        "slept": _("Slept %(slept)s"), "quality": _("Sleep: %(quality)s."), "stress": _("Stress %(stress)s of 10."),
        "mood": _("Mood: %(mood)s."), "win": _("Win: %(win)s"), "for": _("for %(day)s"),
        "strength": _("Strength %(intensity)s of 10"), "lasted": _("lasted %(length)s"),
    }
    out = ['<ol class="days">\n']
    for day in days:
        spoken = day_text(day.date, long)
        out.append(f'  <li class="day">\n    <h2>{escape(day_text(day.date, short))}</h2>\n    <ul class="entries">\n      ')
        if day.checkin:
            out.append(_checkin(day.checkin, spoken, words, checkin_edit))
        else:
            out.append(f'\n      <li class="missing">{words["none"]} <a href="{checkin_new}?date={day.date.isoformat()}">'
                       f'{words["add"]}<span class="visually-hidden"> {words["for"] % {"day": escape(spoken)}}</span></a></li>\n      ')
        out.append("\n      ")
        for urge in day.urges:
            out.append(_urge(urge, spoken, words, urge_edit))
        out.append("\n      ")
        if day.reflection:
            count = len(day.reflection.wins)
            written = ngettext("%(wins)s win written down.", "%(wins)s wins written down.", count) % {"wins": count}
            out.append(f'\n      <li><a href="{reflection_edit(day.reflection.pk)}">{words["reflection"]}</a>\n'
                       f'        <p class="entry-text">{written}</p></li>\n      ')
        out.append("\n    </ul>\n  </li>\n")
    out.append("</ol>")
    return mark_safe("".join(out))


def _checkin(c, spoken, words, edit):
    text = []
    if c.total_sleep_min is not None:
        text.append(words["slept"] % {"slept": escape(hours_minutes(c.total_sleep_min))})
        if c.usual_times:
            text.append(" " + words["usual"])
        text.append(". ")
    if c.sleep_quality:
        text.append(words["quality"] % {"quality": escape(c.get_sleep_quality_display())} + " ")
    if c.stress is not None:
        text.append(words["stress"] % {"stress": c.stress} + " ")
    if c.mood:
        text.append(words["mood"] % {"mood": escape(c.get_mood_display())})
    win = f'<p class="entry-text">{words["win"] % {"win": escape(c.small_win)}}</p>' if c.small_win else ""
    return (f'\n      <li><a href="{edit(c.pk)}">{words["checkin"]}<span class="visually-hidden">, {escape(spoken)}</span></a>\n'
            f'        <p class="entry-text">{"".join(text)}</p>\n        {win}</li>\n      ')


def _urge(urge, spoken, words, edit):
    at = timezone.localtime(urge.occurred_at).strftime("%H:%M")
    text = words["strength"] % {"intensity": urge.intensity}
    if urge.duration_min:
        text += ", " + words["lasted"] % {"length": escape(hours_minutes(urge.duration_min))}
    text += "."
    if urge.outcome:
        text += f" {escape(urge.get_outcome_display())}."
    setback = urge.is_setback
    return (f'\n      <li{" class=\"setback\"" if setback else ""}><a href="{edit(urge.pk)}">{words["urge"]}'
            f'<span class="visually-hidden">, {escape(spoken)}</span></a> <span class="sub">'
            f'<time datetime="{at}" data-clock>{at}</time></span>\n'
            f'        <p class="entry-text">{text}</p>\n'
            f'        {f"<p class=\"entry-text sub\">{words["setback"]}</p>" if setback else ""}</li>\n      ')
