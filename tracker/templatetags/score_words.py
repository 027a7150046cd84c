"""Words for questionnaire scores on the care team's pages (tracker.scores)."""

from django import template
from django.utils.translation import gettext as _

from tracker import instruments, scores

register = template.Library()


@register.filter
def signed(change):
    """A change in points with its sign: "+3", "−6" (a true minus sign), "0"."""
    if change is None or change == "":
        return ""
    change = int(change)
    return f"+{change}" if change > 0 else f"\u2212{-change}" if change < 0 else "0"


@register.filter
def mark_words(mark):
    """"Reliable improvement" or "Reliable worsening" for a mark of tracker.scores.reliable_mark."""
    return {scores.IMPROVEMENT: _("Reliable improvement"), scores.WORSENING: _("Reliable worsening")}.get(mark, "")



@register.filter
def band_words(band):
    """An instrument's English band label ("Moderate anxiety", as the API gives it) in the reader's language."""
    return instruments.translated(band) if band else ""


@register.filter
def any_scores(cards):
    """Whether any caseload card's row (the first of each card tuple) has latest scores: the desk
    table shows its scores column only then, so a caseload without questionnaires keeps its width."""
    return any(card[0].latest_scores for card in cards)
