"""Questionnaire responses: saving answers (drafts and complete ones), scoring them by their own
instrument version, and what a participant sees of their own scores.

The write itself is `services.response_put` (an entry like every other, PUT by client id); the
rules it applies live here: whose questionnaire, which version, which answers, the score. A
draft is never scored. A complete response is scored by the version it was answered in
(`instruments.get(key, version)`), even after a newer version ships.
"""

import dataclasses
import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from . import instruments
from .models import Questionnaire, QuestionnaireResponse, SafetyAnswer

# How long a page's "Your care team will see this by ..." stays true when it was drawn during
# office hours (then "by" is the moment it was drawn); after this the page says the plain
# "when they are next at work" instead of a time that has passed.
IN_HOURS_WORDS_FOR = dt.timedelta(minutes=30)
RECENT_SCORES = 6


class NoticeNeeded(Exception):
    """The person has not acknowledged the notice of who sees what in its current version, the
    one that says the care team sees questionnaire answers: no response is taken before."""


class AnswerErrors(ValidationError):
    """Answers the instrument's version cannot take, by item key: {"9": "Item 9 of the PHQ-9
    takes one of 0, 1, 2, 3."}. As a plain ValidationError it is {"answers": [messages]}; the
    API answers {"answers": {item key: [message]}} and the page puts each message by its item."""

    def __init__(self, by_item):
        self.by_item = {key: str(message) for key, message in by_item.items()}
        super().__init__({"answers": list(self.by_item.values())})


def unguessable_id(salt, value):
    """A client-made entry id that every phone computes the same for the same thing (so two
    phones write one entry) and nobody else can guess (so nobody can take it first)."""
    digest = salted_hmac(salt, value, algorithm="sha256").digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def response_id_for(questionnaire):
    """The response id the pages use for a questionnaire with no response yet (unguessable_id)."""
    return unguessable_id("tracker.responses.response", f"questionnaire-{questionnaire.pk}")


def safety_answer_id(response_id, item_key):
    """The id of the safety answer for one safety item of one response: the page, a second phone
    and the server (for a response that carries the answer but no separate write) all use it,
    so the care team is told once."""
    digest = salted_hmac("tracker.responses.safety", f"{response_id}-{item_key}", algorithm="sha256").digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def offered(program, key):
    """Whether the program may ask this instrument: the BAM only once its terms are confirmed."""
    return instruments.get(key).free_to_reproduce or program.bam_on


def checked(*, participant, data, existing):
    """(data for the write, the definition it is scored by), or ValidationError / AnswerErrors.

    `data`: questionnaire (a Questionnaire or its id), instrument, version, answers, complete.
    `existing`: the response already saved under this id (the caller has checked it is theirs).
    The questionnaire is locked until the transaction ends, so two phones write one at a time.
    """
    given = data.get("questionnaire")
    pk = given.pk if isinstance(given, Questionnaire) else given
    questionnaire = None
    if isinstance(pk, int) and not isinstance(pk, bool):
        questionnaire = Questionnaire.objects.select_for_update().filter(pk=pk, participant=participant).first()
    if questionnaire is None:
        raise ValidationError({"questionnaire": [_("There is no such questionnaire for you.")]})
    instrument, version, complete = data.get("instrument"), data.get("version"), bool(data.get("complete"))
    errors = {}
    if existing is not None:
        if existing.questionnaire_id not in (None, questionnaire.pk):
            errors["questionnaire"] = [_("These answers belong to another questionnaire.")]
        if (existing.instrument, existing.version) != (instrument, version):
            errors["version"] = [_("These answers were started in version %(version)s of the questionnaire and "
                                   "keep it.") % {"version": existing.version}]
        if existing.complete and not complete:
            errors["complete"] = [_("These answers were sent as finished; they cannot become a draft again.")]
    if instrument != questionnaire.instrument:
        errors["instrument"] = [_("This questionnaire is the %(name)s.") % {"name": questionnaire.definition.name}]
    definition = None
    if "instrument" not in errors and "version" not in errors:
        try:
            definition = instruments.get(instrument, version)
        except KeyError:
            errors["version"] = [_("This version of the questionnaire is not known here.")]
    if errors:
        raise ValidationError(errors)
    if not isinstance(data.get("answers"), dict):
        raise ValidationError({"answers": [_("Give the answers as an object of item: value.")]})
    problems = definition.answer_errors(data["answers"], complete)
    if problems:
        raise AnswerErrors(problems)
    return {**data, "questionnaire": questionnaire, "complete": complete}, definition


def record_scores(response, *, now):
    """Score a response just written (a draft: no scores) and, once complete, mark its
    questionnaire done, also after its window closed (answered offline in time, sent late).
    Written without save(), so a replayed create still answers as the create did."""
    if response.complete:
        definition = response.definition
        scores = definition.score(response.answers)
        values = {"scores": scores, "bands": definition.bands_for(scores),
                  "completed_at": response.completed_at or now}
    else:
        values = {"scores": {}, "bands": {}, "completed_at": None}
    if any(getattr(response, name) != value for name, value in values.items()):
        QuestionnaireResponse.objects.filter(pk=response.pk).update(**values)
        for name, value in values.items():
            setattr(response, name, value)
    if response.complete and response.questionnaire_id is not None:
        Questionnaire.objects.filter(pk=response.questionnaire_id).exclude(status=Questionnaire.Status.DONE).update(
            status=Questionnaire.Status.DONE, completed_at=response.completed_at)


def safety_answers_missing(response, *, now):
    """(id, data) for each safety answer above 0 this response carries that has not arrived as
    its own write (a page without script, a client that does not send it): the server sends it."""
    missing = []
    for item in response.definition.safety_items:
        value = response.answers.get(item.key)
        if not value or SafetyAnswer.objects.filter(participant_id=response.participant_id, response_id=response.pk,
                                                    item=item.key).exists():
            continue
        missing.append((safety_answer_id(response.pk, item.key), {
            "response_id": response.pk, "instrument": response.instrument, "version": response.version,
            "item": item.key, "value": value, "answered_at": now}))
    return missing


# ---------------------------------------------------------------------------------------------
# What the participant reads


def is_open(questionnaire, now):
    return (questionnaire.status == Questionnaire.Status.OPEN
            and questionnaire.opens_at <= now < questionnaire.closes_at)


def open_questionnaires(participant, *, now=None):
    """The person's questionnaires open now, soonest to close first, each with `.response` (their
    draft, or None) and `.definition_in_use` (the draft's version, else the current one)."""
    now = now or timezone.now()
    found = (Questionnaire.objects.filter(participant=participant, status=Questionnaire.Status.OPEN,
                                          opens_at__lte=now, closes_at__gt=now)
             .select_related("participant__program").order_by("closes_at", "pk"))
    program = participant.program
    questionnaires = [q for q in found if q.instrument in instruments.KEYS and offered(program, q.instrument)]
    drafts = {r.questionnaire_id: r for r in QuestionnaireResponse.objects.filter(
        questionnaire__in=questionnaires, participant=participant)}
    for questionnaire in questionnaires:
        attach_response(questionnaire, drafts.get(questionnaire.pk))
    return questionnaires


def attach_response(questionnaire, response):
    questionnaire.response = response
    questionnaire.definition_in_use = response.definition if response is not None else questionnaire.definition
    return questionnaire


def own_questionnaire(participant, questionnaire_id):
    """One of the person's questionnaires with its response, or None (also for anyone else's)."""
    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id, participant=participant).first()
    if questionnaire is None or questionnaire.instrument not in instruments.KEYS:
        return None
    return attach_response(questionnaire, QuestionnaireResponse.objects.filter(
        questionnaire=questionnaire, participant=participant).first())


@dataclasses.dataclass
class ScoreLine:
    score: instruments.Score
    value: int
    band: str | None
    words: str


def score_lines(response, language=None):
    """Each score of a complete response in plain words, by its own version: "Your score was 7
    out of 27: in the range called Mild. Lower is better." A score, never a diagnosis."""
    definition = response.definition
    lines = []
    for score in definition.scores:
        value = response.scores.get(score.key)
        if value is None:
            continue
        band = score.band(value)
        band_text = band.text(language) if band else None
        values = {"name": score.name, "value": value, "high": score.high, "band": band_text}
        if len(definition.scores) == 1:
            words = (_("Your score was %(value)s out of %(high)s: in the range called %(band)s.") if band_text
                     else _("Your score was %(value)s out of %(high)s.")) % values
        else:
            words = (_("%(name)s: %(value)s out of %(high)s, in the range called %(band)s.") if band_text
                     else _("%(name)s: %(value)s out of %(high)s.")) % values
        words += " " + (_("Higher is better.") if score.higher_is_better else _("Lower is better."))
        lines.append(ScoreLine(score=score, value=value, band=band_text, words=words))
    return lines


def recent_responses(participant, instrument, *, limit=RECENT_SCORES):
    """The person's last complete responses to an instrument, oldest first."""
    newest = (QuestionnaireResponse.objects.filter(participant=participant, instrument=instrument, complete=True)
              .order_by("-completed_at")[:limit])
    return list(reversed(newest))


def safety_value(response):
    """The highest answer to a safety item in a response (0 when none is above 0)."""
    if response is None:
        return 0
    try:
        definition = response.definition
    except KeyError:
        return 0
    values = [response.answers.get(item.key) for item in definition.safety_items]
    return max([v for v in values if isinstance(v, int) and not isinstance(v, bool)] or [0])


def when_words(at, zone, now):
    """ "today at 14:00", "tomorrow at 9:00", "Monday at 9:00", "Monday 7 December at 9:00"."""
    local, today = at.astimezone(zone), now.astimezone(zone).date()
    time = f"{local.hour}:{local:%M}"
    if local.date() == today:
        return _("today at %(time)s") % {"time": time}
    if local.date() == today + dt.timedelta(days=1):
        return _("tomorrow at %(time)s") % {"time": time}
    day = formats.date_format(local, "l" if local.date() < today + dt.timedelta(days=7) else "l j F")
    return _("%(day)s at %(time)s") % {"day": day, "time": time}


@dataclasses.dataclass
class TeamSees:
    words: str  # the whole sentence
    until: dt.datetime | None  # after this instant a page drawn now says `later` instead
    later: str  # the sentence without a time


def team_sees(participant, *, now=None):
    """What a page says about when the care team will see a safety answer sent now, from the
    program's office hours (Program.next_working_time), in the person's own zone."""
    now = now or timezone.now()
    later = _("Your care team will see this when they are next at work.")
    at = participant.program.next_working_time(now)
    if at is None:
        return TeamSees(words=later, until=None, later=later)
    words = _("Your care team will see this by %(when)s.") % {"when": when_words(at, participant.zone, now)}
    until = at if at > now else now + IN_HOURS_WORDS_FOR
    return TeamSees(words=words, until=until, later=later)
