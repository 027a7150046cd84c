"""Answering a questionnaire (issue 17): the page, its result, and Today's card.

Without script the page is one form with every item, sent once (or kept as a draft with "Finish
later"). static/js/questionnaire.js makes it one item per screen, keeps the answers on the phone
as the person goes, saves a draft through the outbox, sends a safety answer the moment it is
given, and sends the finished answers through the outbox too, so it all works without signal.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import accounts, instruments, responses, selectors, services
from . import charts
from .decorators import participant_required


def today_cards(participant, *, now=None):
    """Today's cards: each open questionnaire, with "Open until Friday at 12:00"."""
    now = now or timezone.now()
    found = responses.open_questionnaires(participant, now=now)
    for questionnaire in found:
        questionnaire.until_words = responses.when_words(questionnaire.closes_at, participant.zone, now)
    return found


def _own(request, questionnaire_id):
    found = responses.own_questionnaire(request.participant, questionnaire_id)
    if found is None:
        raise Http404("No such questionnaire.")
    return found


def _items(definition, answers, errors):
    """The items as the page shows them: position, text, options (with the one picked), error.

    Each in the reader's language where the instrument has a published text in it, else in English
    (`lang`, and `foreign` where that is not the page's language, for a lang attribute; the options
    follow their item); `note` marks a single item shown in English in an instrument otherwise in
    the reader's language (the GAD-7's difficulty question in Spanish). The answers are the same
    values in every language, so the scores are too."""
    shown = []
    count = len(definition.items)
    closing = definition.closing
    reader = (get_language() or instruments.ENGLISH).split("-")[0]
    whole = definition.has_version_in(reader)
    for position, item in enumerate((*definition.items, *((closing,) if closing else ())), start=1):
        picked = answers.get(item.key)
        lang = item.shown_in(reader)
        shown.append({
            "key": item.key, "number": item.number, "text": item.text(lang), "safety": item.safety,
            "closing": item is closing, "position": position, "count": count, "error": errors.get(item.key),
            "lang": lang, "foreign": lang != reader, "note": whole and lang != reader,
            "options": [{"value": o.value, "text": o.text(lang), "checked": str(picked) == str(o.value)}
                        for o in item.options],
        })
    return shown


def _posted_answers(request, definition):
    """The answers in a form post: whole numbers where they are, anything else as sent (the
    instrument then refuses it by item, and the page shows it there)."""
    answers = {}
    for item in definition.all_items:
        value = request.POST.get(f"answer-{item.key}", "").strip()
        if value:
            answers[item.key] = int(value) if value.lstrip("-").isdigit() else value
    return answers


def _page(request, questionnaire, *, answers, errors=None, form_errors=(), status=200):
    participant, now = request.participant, timezone.now()
    definition = questionnaire.definition_in_use
    response = questionnaire.response
    response_id = response.pk if response else responses.response_id_for(questionnaire)
    team = responses.team_sees(participant, now=now)
    safety_items = definition.safety_items
    items = _items(definition, answers, errors or {})
    for item in items:
        item["safety_id"] = responses.safety_answer_id(response_id, item["key"]) if item["safety"] else None
    reader = (get_language() or instruments.ENGLISH).split("-")[0]
    stem_lang = instruments.shown_in(definition.stem, reader)
    return render(request, "tracker/questionnaire/page.html", {
        "questionnaire": questionnaire, "definition": definition, "stem": definition.stem_text(),
        "stem_lang": stem_lang if stem_lang != reader else "",
        # No published version in the reader's language: the page says so, and shows the English.
        "in_english": not definition.has_version_in(reader),
        "items": items, "wrong": [item for item in items if item["error"]], "form_errors": form_errors,
        "response_id": response_id, "draft": response,
        "has_safety": bool(safety_items),
        "safety_shown": any(isinstance(answers.get(i.key), int) and answers.get(i.key) > 0 for i in safety_items),
        "team": team, "plan": selectors.current_safety_plan(participant=participant) if safety_items else None,
        "until_words": responses.when_words(questionnaire.closes_at, participant.zone, now),
    }, status=status)


@participant_required
@require_http_methods(["GET", "POST"])
def questionnaire_page(request, questionnaire_id):
    participant = request.participant
    questionnaire = _own(request, questionnaire_id)
    response = questionnaire.response
    if response is not None and response.complete:
        return redirect("questionnaire_result", questionnaire_id=questionnaire.pk)
    if not accounts.notice_acknowledged(request.user):
        if request.method == "POST" and request.POST.get("action") == "acknowledge":
            accounts.notice_acknowledge(participant=participant)
            return redirect("questionnaire", questionnaire_id=questionnaire.pk)
        return render(request, "tracker/questionnaire/notice.html", {
            "questionnaire": questionnaire, "notice": accounts.notice_text(participant.program)})
    if request.method == "POST":
        return _save(request, questionnaire)
    if not responses.is_open(questionnaire, timezone.now()):
        return render(request, "tracker/questionnaire/closed.html", {"questionnaire": questionnaire})
    return _page(request, questionnaire, answers=response.answers if response else {})


def _save(request, questionnaire):
    """The form sent without script: "Send my answers" (complete) or "Finish later" (a draft).
    Taken also after the window closed, as the API takes it (answered in time, sent late)."""
    definition = questionnaire.definition_in_use
    # The version the page showed (one drawn before a new version shipped keeps its own); an
    # unknown one is refused by the write, by name.
    version = request.POST.get("version") or definition.version
    try:
        definition = instruments.get(definition.key, version)
    except KeyError:
        pass
    questionnaire.definition_in_use = definition
    answers = _posted_answers(request, definition)
    complete = request.POST.get("action") != "draft"
    try:
        entry_id = uuid.UUID(request.POST.get("id", ""))
    except ValueError:
        entry_id = questionnaire.response.pk if questionnaire.response else responses.response_id_for(questionnaire)
    data = {"questionnaire": questionnaire, "instrument": definition.key, "version": version,
            "answers": answers, "complete": complete}
    try:
        result = services.response_put(participant=request.participant, id=entry_id, data=data)
    except (services.EntryNotFound, services.EntryGone):
        raise Http404("No such entry.")
    except services.EntryConflict:
        messages.info(request, _("This questionnaire has its answers already, maybe from another phone."))
        return redirect("questionnaire", questionnaire_id=questionnaire.pk)
    except responses.NoticeNeeded:
        return redirect("questionnaire", questionnaire_id=questionnaire.pk)
    except responses.AnswerErrors as error:
        return _page(request, questionnaire, answers=answers, errors=error.by_item, status=400)
    except ValidationError as error:
        return _page(request, questionnaire, answers=answers, form_errors=error.messages, status=400)
    if result.entry.complete:
        return redirect("questionnaire_result", questionnaire_id=questionnaire.pk)
    if responses.safety_value(result.entry) > 0:
        # The help for that answer is on the page, under it: without script it shows from the server.
        return redirect(reverse("questionnaire", args=[questionnaire.pk]) + "#q-safety")
    messages.success(request, _("Your answers are kept. Come back to finish before %(when)s.")
                     % {"when": responses.when_words(questionnaire.closes_at, request.participant.zone,
                                                     timezone.now())})
    return redirect("today")


@participant_required
def questionnaire_result(request, questionnaire_id):
    participant = request.participant
    questionnaire = _own(request, questionnaire_id)
    response = questionnaire.response
    if response is None or not response.complete:
        return redirect("questionnaire", questionnaire_id=questionnaire.pk)
    definition = response.definition
    recent = responses.recent_responses(participant, response.instrument)
    safety = responses.safety_value(response) > 0
    return render(request, "tracker/questionnaire/result.html", {
        "questionnaire": questionnaire, "response": response, "definition": definition,
        "lines": responses.score_lines(response),
        "charts": [charts.score_chart(definition=definition, score=score, responses=recent, zone=participant.zone)
                   for score in definition.scores],
        "safety": safety, "team": responses.team_sees(participant) if safety else None,
    })
