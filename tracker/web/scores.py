"""The care team's page of one person's questionnaire scores (issue 17): a chart per score on
its severity bands, each score's change since intake with reliable-change marks, the answers
item by item, and the questionnaires due, done and missed. Access and the audit row as every
care page (tracker.web.care.care_page)."""

from django.shortcuts import render

from .. import instruments, scores
from . import charts
from .care import _context, care_page


def sources(histories):
    """What the footnotes cite: the reliable-change source of each score that has one, and where
    each score's bands come from."""
    reliable, bands = {}, {}
    for history in histories:
        for score in history.scores:
            if score.score.reliable_change is not None:
                reliable.setdefault(score.score.reliable_change_source, []).append(
                    (score.name, score.score.reliable_change))
            bands.setdefault(score.score.bands_source or history.instrument.source, []).append(score.name)
    return {"reliable": list(reliable.items()), "bands": list(bands.items())}


@care_page("scores")
def scores_page(request, participant):
    histories = scores.participant_scores(participant)
    return render(request, "tracker/care/scores.html", _context(
        participant, "care_scores", histories=histories,
        charts=[charts.score_trend(score, id=f"chart-{history.key}-{score.score.key}") for history in histories
                for score in history.scores],
        due=scores.questionnaire_list(participant), sources=sources(histories),
        without_reliable_change=[i.name for i in instruments.CURRENT.values()
                                 if all(s.reliable_change is None for s in i.scores)]))
