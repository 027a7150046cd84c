"""Questionnaire scores for the care team (issue 17): a person's scores over time with each
score's change since intake and its reliable-change mark, their answers item by item, their
due/done/missed questionnaires, the questionnaires of one week, and the latest scores of a whole
caseload in one query (tracker.triage flags from these).

Nothing here decides who may read what: callers get the participant from
tracker.access.care_participant, which also writes the audit row. Scores and bands are the ones
stored on each response, computed by that response's own instrument version
(tracker.instruments); bands are kept as the instrument's English labels, and a page says them in the
reader's language (`band_words`, instruments.translated).

"Intake" is the first complete response to a questionnaire marked `intake`, or, when there is
none, the earliest complete response of that instrument. A change since intake is the latest
score minus the intake score; it is a reliable change when it is at least the score's
`reliable_change` points (PHQ-9: 6, GAD-7: 4; the BAM has none), an improvement when it goes the
score's good way (down, or up for a score where higher is better).
"""

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from . import instruments
from .models import Questionnaire, QuestionnaireResponse

IMPROVEMENT, WORSENING = "improvement", "worsening"
# How far back a missed questionnaire is flagged on the caseload.
MISSED_DAYS = 7
# Severity levels a band is drawn and shown with (CSS classes sev-0 ... sev-4).
SEVERITY_LEVELS = 5


def reliable_mark(score, change):
    """IMPROVEMENT, WORSENING or None for a change of `change` points in `score` (an
    instruments.Score). Worked: PHQ-9 18 -> 12 is -6, a reliable improvement; 18 -> 13 is -5, none."""
    if change is None or score.reliable_change is None or abs(change) < score.reliable_change:
        return None
    better = change > 0 if score.higher_is_better else change < 0
    return IMPROVEMENT if better else WORSENING


def severity(score, value):
    """0 (the best band) to SEVERITY_LEVELS - 1 (the worst) for a value of `score`; None without bands."""
    band = score.band(value) if value is not None else None
    if band is None:
        return None
    order = list(score.bands)
    index = order.index(band)
    if score.higher_is_better:
        index = len(order) - 1 - index
    return round(index * (SEVERITY_LEVELS - 1) / max(len(order) - 1, 1))


def measure(instrument):
    """The colour name of an instrument's scores across the app (tracker/web/charts.py MEASURES):
    its key, one colour per instrument, as on the participant's own charts."""
    return instrument


def scored_items(definition):
    return {key for score in definition.scores for key in score.items}


def parts(definition, scores, bands, words=False):
    """[{key, name, short, value, band, severity}] for each score a response has, in the instrument's
    order; `short` is the name's first word ("Risk" for "Risk factors"), for the caseload. In
    English (the API's); with `words`, a page's: also `label`, `short_label` and `band_words`, the
    name, short name and band in the reader's language."""
    found = [{"key": score.key, "name": score.name, "short": score.name.split()[0], "value": scores[score.key],
              "band": bands.get(score.key, ""), "severity": severity(score, scores[score.key])}
             for score in definition.scores if score.key in scores]
    if words:
        for part, score in zip(found, [score for score in definition.scores if score.key in scores]):
            part.update(label=score.label, short_label=score.short,
                        band_words=instruments.translated(part["band"]))
    return found


# ---------------------------------------------------------------------------------------------
# One person's scores over time


@dataclasses.dataclass(frozen=True)
class Point:
    response: QuestionnaireResponse
    day: dt.date  # completed, in the participant's zone
    value: int
    band: str  # the instrument's English band label, "" where the score has none
    severity: int | None
    is_intake: bool
    change: int | None  # since intake; None for intake itself (and anything before it)
    mark: str | None  # IMPROVEMENT, WORSENING or None

    @property
    def band_words(self):
        """The band in the reader's language."""
        return instruments.translated(self.band)


@dataclasses.dataclass
class ScoreHistory:
    instrument: instruments.Instrument
    score: instruments.Score
    points: list  # Point, oldest first

    @property
    def measure(self):
        return measure(self.instrument.key)

    @property
    def name(self):
        """"PHQ-9" for a single score, "BAM Risk factors" for one of several."""
        if len(self.instrument.scores) == 1:
            return self.instrument.name
        return f"{self.instrument.name} {self.score.label}"

    @property
    def intake(self):
        return next((point for point in self.points if point.is_intake), self.points[0])

    @property
    def latest(self):
        return self.points[-1]

    @property
    def change(self):
        return self.latest.change

    @property
    def mark(self):
        return self.latest.mark


@dataclasses.dataclass(frozen=True)
class Cell:
    value: int
    words: str
    points: int | None  # None where the item is not scored


@dataclasses.dataclass(frozen=True)
class ItemRow:
    key: str
    number: str
    text: str
    scored: bool
    cells: list  # Cell or None per response, in the order of the responses
    # "en" where the item (and so its answers) is shown in English to a reader of another
    # language, having no published text in theirs (the BAM in Spanish); else "".
    lang: str = ""


@dataclasses.dataclass
class InstrumentHistory:
    instrument: instruments.Instrument  # the current version: its names, bands and items head the page
    responses: list  # complete, oldest first
    intake: QuestionnaireResponse
    scores: list  # ScoreHistory
    items: list  # ItemRow
    days: list  # each response's local day, as the item table's columns

    @property
    def key(self):
        return self.instrument.key

    @property
    def in_english(self):
        """Whether the reader reads this instrument's items in English, lacking a published
        version in their language (the page says so once, and marks them lang="en")."""
        return not self.instrument.has_version_in()

    @property
    def some_in_english(self):
        return any(row.lang for row in self.items)

    @property
    def versions(self):
        return sorted({response.version for response in self.responses})

    @property
    def score_rows(self):
        """(ScoreHistory, [Point or None for each response]) under the item table."""
        rows = []
        for history in self.scores:
            by_response = {point.response.pk: point for point in history.points}
            rows.append((history, [by_response.get(response.pk) for response in self.responses]))
        return rows

    @property
    def columns(self):
        """(day, is intake) for each response, the item table's columns."""
        return [(day, response is self.intake) for day, response in zip(self.days, self.responses)]


def intake_of(responses):
    """The intake response among complete responses oldest first (see the module's docstring)."""
    return next((r for r in responses if r.questionnaire_id is not None and r.questionnaire.intake), responses[0])


def _words(definition, key, value):
    try:
        item = definition.item(key)
    except KeyError:
        return str(value)
    option = next((o for o in item.options if o.value == value), None)
    return option.text() if option else str(value)


def instrument_history(instrument, responses, zone):
    """An InstrumentHistory from one instrument's complete responses, oldest first."""
    intake = intake_of(responses)
    definition = instruments.get(instrument)
    days = [r.completed_at.astimezone(zone).date() for r in responses]
    histories = []
    for score in definition.scores:
        base = intake.scores.get(score.key)
        points = []
        for response, day in zip(responses, days):
            if score.key not in response.scores:
                continue
            value = response.scores[score.key]
            own = _own_score(response, score)
            after = response is not intake and response.completed_at >= intake.completed_at and base is not None
            change = value - base if after else None
            band = own.band(value)
            points.append(Point(response=response, day=day, value=value,
                                band=response.bands.get(score.key) or (band.text(instruments.ENGLISH) if band else ""),
                                severity=severity(own, value), is_intake=response is intake, change=change,
                                mark=reliable_mark(own, change)))
        if points:
            histories.append(ScoreHistory(instrument=definition, score=score, points=points))
    scored = scored_items(definition)
    rows = []
    for item in definition.all_items:
        cells = []
        for response in responses:
            value = response.answers.get(item.key)
            if value is None:
                cells.append(None)
                continue
            points = value if item.key in scored_items(response.definition) else None
            cells.append(Cell(value=value, words=_words(response.definition, item.key, value), points=points))
        shown = item.shown_in()
        rows.append(ItemRow(key=item.key, number=item.number, text=item.text(), scored=item.key in scored, cells=cells,
                            lang=shown if shown != instruments._language() else ""))
    return InstrumentHistory(instrument=definition, responses=responses, intake=intake, scores=histories, items=rows,
                             days=days)


def _own_score(response, score):
    """The score as the response's own version defines it (its bands, its reliable change)."""
    try:
        return response.definition.score_def(score.key)
    except KeyError:
        return score


def participant_scores(participant):
    """An InstrumentHistory for each instrument the person has completed, in the instruments' order."""
    by_instrument = defaultdict(list)
    for response in (QuestionnaireResponse.objects.filter(participant=participant, complete=True,
                                                          completed_at__isnull=False)
                     .select_related("questionnaire").order_by("completed_at", "pk")):
        by_instrument[response.instrument].append(response)
    return [instrument_history(key, by_instrument[key], participant.zone) for key in instruments.KEYS
            if by_instrument.get(key)]


def response_changes(history):
    """{response id: {score key: (change since intake, mark)}} for an InstrumentHistory."""
    found = defaultdict(dict)
    for score in history.scores:
        for point in score.points:
            found[point.response.pk][score.score.key] = (point.change, point.mark)
    return found


# ---------------------------------------------------------------------------------------------
# Due, done and missed


@dataclasses.dataclass(frozen=True)
class Due:
    questionnaire: Questionnaire
    response: QuestionnaireResponse | None  # the complete one, or a draft begun
    now: dt.datetime  # when it was read: whether an open one is due yet

    @property
    def definition(self):
        return instruments.get(self.questionnaire.instrument)

    @property
    def name(self):
        return self.definition.name

    @property
    def started(self):
        return self.response is not None and not self.response.complete

    @property
    def state(self):
        """"done", "missed", "due" (open now), "upcoming" (not open yet)."""
        status = self.questionnaire.status
        if status == Questionnaire.Status.OPEN:
            return "due" if self.questionnaire.opens_at <= self.now else "upcoming"
        return status

    @property
    def response_id(self):
        """The complete response's id (None while it is not done)."""
        return self.response.pk if self.response is not None and self.response.complete else None

    @property
    def parts(self):
        """The done one's scores (see `parts`); none for a draft."""
        if self.response is None or not self.response.complete:
            return []
        return parts(self.response.definition, self.response.scores, self.response.bands, words=True)


def _with_responses(questionnaires, now):
    questionnaires = list(questionnaires)
    responses = {}
    for response in QuestionnaireResponse.objects.filter(questionnaire__in=[q.pk for q in questionnaires]):
        responses[response.questionnaire_id] = response
    return [Due(q, responses.get(q.pk), now or timezone.now()) for q in questionnaires]


def questionnaire_list(participant, *, limit=60, now=None):
    """The person's questionnaires, newest due first, each with its response (or draft)."""
    return _with_responses(Questionnaire.objects.filter(participant=participant).order_by("-due_on", "-pk")[:limit],
                           now)


def week_questionnaires(participant, first, last, start, end, *, now=None):
    """The questionnaires of a week (local days first..last, UTC instants [start, end)): due in it,
    done in it, or missed in it; oldest due first."""
    rows = Questionnaire.objects.filter(
        Q(due_on__gte=first, due_on__lte=last) | Q(completed_at__gte=start, completed_at__lt=end)
        | Q(status=Questionnaire.Status.MISSED, closes_at__gte=start, closes_at__lt=end),
        participant=participant).order_by("due_on", "pk")
    return _with_responses(rows, now)


# ---------------------------------------------------------------------------------------------
# A whole caseload at once (tracker.triage)


@dataclasses.dataclass(frozen=True)
class Latest:
    """A complete response as the caseload needs it: no answers, just its scores."""

    id: object
    instrument: str
    version: str
    completed_at: dt.datetime
    scores: dict
    bands: dict

    @property
    def definition(self):
        return instruments.get(self.instrument, self.version)

    @property
    def name(self):
        return self.definition.name

    @property
    def parts(self):
        return parts(self.definition, self.scores, self.bands, words=True)


def latest_scores(ids):
    """({participant id: {instrument: [latest, previous]}}, {participant id: their program's
    bam_risk_rise}) from complete responses (Latest), the previous left out where there is none.
    One query for everyone (the program's setting comes along in the same query)."""
    newest_first = [F("completed_at").desc(nulls_last=True), F("created_at").desc(), F("pk").desc()]
    rows = (QuestionnaireResponse.objects.filter(participant_id__in=ids, complete=True)
            .annotate(n=Window(RowNumber(), partition_by=[F("participant_id"), F("instrument")], order_by=newest_first))
            .filter(n__lte=2).order_by("participant_id", "instrument", "n")
            .values_list("participant_id", "pk", "instrument", "version", "completed_at", "scores", "bands",
                         "participant__program__bam_risk_rise"))
    found, rise = defaultdict(lambda: defaultdict(list)), {}
    for pid, pk, instrument, version, completed_at, scores, bands, risk_rise in rows:
        found[pid][instrument].append(Latest(pk, instrument, version, completed_at, scores or {}, bands or {}))
        rise[pid] = risk_rise
    # Each person's instruments in the instruments' order (PHQ-9, GAD-7, BAM), as the caseload shows them.
    return {pid: {key: by[key] for key in instruments.KEYS if key in by} for pid, by in found.items()}, rise


def missed_recently(ids, *, now):
    """{participant id: [questionnaire, ...]} missed with a window that closed in the last
    MISSED_DAYS days, oldest first. One query for everyone."""
    found = defaultdict(list)
    for questionnaire in Questionnaire.objects.filter(
            participant_id__in=ids, status=Questionnaire.Status.MISSED,
            closes_at__gt=now - dt.timedelta(days=MISSED_DAYS), closes_at__lte=now).order_by("closes_at", "pk"):
        found[questionnaire.participant_id].append(questionnaire)
    return found
