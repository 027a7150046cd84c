"""Questionnaire responses through the API: drafts never scored, complete ones scored by their
own version, answers checked by item, one response per questionnaire, late ones accepted, and
nothing taken before the current notice of who sees what is acknowledged."""

import dataclasses
import datetime as dt
import uuid

import pytest
from questionnaires import open_questionnaire, phq9, read_the_notice

from tracker import instruments, responses
from tracker.models import (
    Questionnaire,
    QuestionnaireResponse,
    SafetyAnswer,
    UrgentAlert,
)


@pytest.fixture
def alice_ready(alice):
    return read_the_notice(alice)


@pytest.fixture
def due(alice_ready, now):
    return open_questionnaire(alice_ready)


def put(api, response_id, questionnaire, answers, *, complete=True, instrument="phq9", version="1"):
    return api.put(f"/api/v1/responses/{response_id}/", {
        "questionnaire": questionnaire.pk, "instrument": instrument, "version": version, "answers": answers,
        "complete": complete}, format="json")


def test_a_draft_is_kept_and_never_scored(api, due):
    rid = uuid.uuid4()
    first = put(api, rid, due, {"1": 2, "2": 3}, complete=False)
    assert first.status_code == 201, first.json()
    assert (first.json()["scores"], first.json()["bands"], first.json()["completed_at"]) == ({}, {}, None)
    # Every item answered, still a draft: still not scored.
    whole = put(api, rid, due, phq9(), complete=False)
    assert whole.status_code == 200 and whole.json()["scores"] == {}
    response = QuestionnaireResponse.objects.get()
    assert (response.complete, response.scores, response.bands, response.completed_at) == (False, {}, {}, None)
    due.refresh_from_db()
    assert (due.status, due.completed_at) == (Questionnaire.Status.OPEN, None)


def test_a_complete_response_is_scored_and_marks_the_questionnaire_done(api, due, now):
    answer = put(api, uuid.uuid4(), due, phq9() | {"difficulty": 2})
    assert answer.status_code == 201, answer.json()
    # 1 x 7 + 0 + 0 = 7, in 5-9 "Mild"; the difficulty question (2) is stored, not scored.
    assert (answer.json()["scores"], answer.json()["bands"]) == ({"total": 7}, {"total": "Mild"})
    response = QuestionnaireResponse.objects.get()
    assert response.answers["difficulty"] == 2 and response.completed_at == dt.datetime(2026, 11, 18, 17, tzinfo=dt.UTC)
    due.refresh_from_db()
    assert (due.status, due.completed_at) == (Questionnaire.Status.DONE, response.completed_at)


def test_a_draft_finished_later_is_scored_then(api, due):
    rid = uuid.uuid4()
    put(api, rid, due, {"1": 3}, complete=False)
    done = put(api, rid, due, phq9(i1=3, i9=1))
    # 3 + 1 x 6 + 0 + 1 = 10, in 10-14 "Moderate".
    assert done.status_code == 200 and done.json()["scores"] == {"total": 10}
    assert done.json()["bands"] == {"total": "Moderate"}


@pytest.fixture
def phq9_version_2(monkeypatch):
    """A later PHQ-9 whose bands moved: responses in version 1 keep version 1's."""
    score = dataclasses.replace(instruments.PHQ9.scores[0], bands=(
        instruments.Band(0, 7, {"en": "Low (v2)"}), instruments.Band(8, 27, {"en": "High (v2)"})))
    newer = dataclasses.replace(instruments.PHQ9, version="2", scores=(score,))
    monkeypatch.setattr(instruments, "VERSIONS", (*instruments.VERSIONS, newer))
    monkeypatch.setitem(instruments.CURRENT, "phq9", newer)
    return newer


def test_a_response_is_scored_by_its_own_version_when_a_newer_one_exists(api, due, alice_ready, phq9_version_2):
    old = put(api, uuid.uuid4(), due, phq9(), version="1")
    assert old.status_code == 201 and old.json()["bands"] == {"total": "Mild"}
    new = put(api, uuid.uuid4(), open_questionnaire(alice_ready, due_on=dt.date(2026, 11, 19)), phq9(), version="2")
    assert new.status_code == 201 and new.json()["bands"] == {"total": "Low (v2)"}
    assert sorted(QuestionnaireResponse.objects.values_list("version", flat=True)) == ["1", "2"]


def test_an_unknown_version_is_refused_by_name(api, due):
    answer = put(api, uuid.uuid4(), due, phq9(), version="9")
    assert answer.status_code == 400
    assert answer.json() == {"version": ["This version of the questionnaire is not known here."]}
    assert not QuestionnaireResponse.objects.exists()


def test_an_answer_outside_an_items_options_is_refused_naming_the_item(api, due):
    outside = put(api, uuid.uuid4(), due, phq9(i9=4))
    assert outside.status_code == 400
    assert outside.json() == {"answers": {"9": ["Item 9 of the PHQ-9 takes one of 0, 1, 2, 3."]}}
    unknown = put(api, uuid.uuid4(), due, {"12": 1}, complete=False)
    assert unknown.json() == {"answers": {"12": ["The PHQ-9 has no item 12."]}}
    for wrong in ("2", True, 1.5, None):
        assert put(api, uuid.uuid4(), due, {"3": wrong}, complete=False).json() == {
            "answers": {"3": ["Item 3 of the PHQ-9 takes one of 0, 1, 2, 3."]}}, wrong
    missing = put(api, uuid.uuid4(), due, {k: v for k, v in phq9().items() if k != "5"})
    assert missing.json() == {"answers": {"5": ["Item 5 of the PHQ-9 is not answered."]}}
    assert put(api, uuid.uuid4(), due, [1, 2]).json() == {"answers": ["Give the answers as an object of item: value."]}
    assert not QuestionnaireResponse.objects.exists()


def test_a_second_id_for_the_same_questionnaire_is_a_conflict_naming_the_first(api, due):
    first = uuid.uuid4()
    assert put(api, first, due, phq9()).status_code == 201
    second = put(api, uuid.uuid4(), due, phq9(i1=3))
    assert second.status_code == 409
    assert second.json() == {"questionnaire": ["This questionnaire has its answers already, maybe from another phone."],
                             "existing_id": str(first)}
    assert QuestionnaireResponse.objects.get().scores == {"total": 7}


def test_a_replay_of_the_same_write_changes_nothing_and_answers_the_same(api, due):
    rid = uuid.uuid4()
    first = put(api, rid, due, phq9())
    replay = put(api, rid, due, phq9())
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert QuestionnaireResponse.objects.count() == 1


def test_a_complete_response_sent_after_the_window_closed_is_taken(api, alice_ready, now):
    late = open_questionnaire(alice_ready, opened_hours_ago=80, status=Questionnaire.Status.MISSED)
    assert late.closes_at < dt.datetime(2026, 11, 18, 17, tzinfo=dt.UTC)
    answer = put(api, uuid.uuid4(), late, phq9())
    assert answer.status_code == 201 and answer.json()["scores"] == {"total": 7}
    late.refresh_from_db()
    assert late.status == Questionnaire.Status.DONE


def test_a_complete_response_cannot_become_a_draft_or_change_version(api, due, phq9_version_2):
    rid = uuid.uuid4()
    put(api, rid, due, phq9())
    again = put(api, rid, due, phq9(), complete=False)
    assert again.status_code == 400
    assert again.json() == {"complete": ["These answers were sent as finished; they cannot become a draft again."]}
    moved = put(api, rid, due, phq9(), version="2")
    assert moved.json() == {"version": ["These answers were started in version 1 of the questionnaire and keep it."]}
    assert QuestionnaireResponse.objects.get().complete


def test_the_instrument_must_be_the_questionnaires(api, due):
    answer = put(api, uuid.uuid4(), due, {"1": 1}, instrument="gad7", complete=False)
    assert answer.status_code == 400 and answer.json() == {"instrument": ["This questionnaire is the PHQ-9."]}


def test_someone_elses_questionnaire_reads_as_one_that_does_not_exist(api, due, bob, now):
    bobs = open_questionnaire(read_the_notice(bob))
    theirs = put(api, uuid.uuid4(), bobs, phq9())
    bobs.pk = 10**9
    missing = put(api, uuid.uuid4(), bobs, phq9())
    assert theirs.status_code == missing.status_code == 400
    assert theirs.json() == missing.json() == {"questionnaire": ["There is no such questionnaire for you."]}
    assert not QuestionnaireResponse.objects.exists()


def test_bobs_response_is_not_found_for_alice(api, bob_api, due, bob, now):
    bobs = open_questionnaire(read_the_notice(bob))
    rid = uuid.uuid4()
    assert put(bob_api, rid, bobs, phq9()).status_code == 201
    assert api.get(f"/api/v1/responses/{rid}/").status_code == 404
    assert put(api, rid, due, phq9(i1=0)).status_code == 404
    assert api.get("/api/v1/responses/").json()["count"] == 0
    assert QuestionnaireResponse.objects.get().answers == phq9()


def test_nothing_is_taken_before_the_current_notice_is_acknowledged(api, alice, now):
    due = open_questionnaire(alice)
    refused = put(api, uuid.uuid4(), due, phq9(), complete=False)
    assert refused.status_code == 403
    assert "Please read who sees what in Steady first" in refused.json()["detail"]
    assert not QuestionnaireResponse.objects.exists()
    read_the_notice(alice)
    assert put(api, uuid.uuid4(), due, phq9(), complete=False).status_code == 201


def test_a_response_carrying_item_9_above_0_sends_its_safety_answer_once(api, due, alice_ready):
    rid = uuid.uuid4()
    assert put(api, rid, due, {"9": 2}, complete=False).status_code == 201
    answer = SafetyAnswer.objects.get()
    assert (answer.pk, answer.response_id, answer.item, answer.value) == (responses.safety_answer_id(rid, "9"), rid, "9", 2)
    # The page sends the same answer under the same id: still one answer, one alert.
    page = api.put(f"/api/v1/safety-answers/{answer.pk}/", {
        "response_id": str(rid), "instrument": "phq9", "version": "1", "item": "9", "value": 3,
        "answered_at": "2026-11-18T16:59:00Z"}, format="json")
    assert page.status_code == 200
    put(api, rid, due, phq9(i9=3))
    assert SafetyAnswer.objects.count() == 1 and SafetyAnswer.objects.get().value == 3
    assert UrgentAlert.objects.filter(participant=alice_ready).count() == 1


def test_the_instruments_come_with_their_exact_texts(api, alice_ready):
    found = {d["key"]: d for d in api.get("/api/v1/instruments/").json()}
    assert set(found) == {"phq9", "gad7"}  # the BAM only once the program confirmed its terms
    phq = found["phq9"]
    assert phq["version"] == "1" and phq["stem"] == instruments.PHQ9.stem["en"]
    nine = phq["items"][8]
    assert nine == {"key": "9", "number": "9", "safety": True,
                    "text": "Thoughts that you would be better off dead or of hurting yourself in some way",
                    "options": [{"value": 0, "text": "Not at all"}, {"value": 1, "text": "Several days"},
                                {"value": 2, "text": "More than half the days"},
                                {"value": 3, "text": "Nearly every day"}]}
    assert phq["closing"]["key"] == "difficulty" and phq["closing"]["safety"] is False
    assert phq["scores"][0]["bands"][1] == {"low": 5, "high": 9, "label": "Mild"}
    alice_ready.program.bam_terms_confirmed_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    alice_ready.program.save()
    bam = {d["key"]: d for d in api.get("/api/v1/instruments/").json()}["bam"]
    assert [s["key"] for s in bam["scores"]] == ["use", "risk", "protective"] and bam["closing"] is None
    # In the reader's language: here the browser's, since alice has not chosen one.
    spanish = {d["key"]: d for d in api.get("/api/v1/instruments/", HTTP_ACCEPT_LANGUAGE="es").json()}
    assert spanish["phq9"]["items"][0]["text"] == "Poco interés o placer en hacer cosas"
    assert spanish["gad7"]["closing"] is None  # NOT FOUND in Spanish: left out, never English in its place


def test_open_questionnaires_come_with_the_draft_a_second_phone_resumes(api, due, alice_ready, bob, now):
    open_questionnaire(alice_ready, "gad7", opened_hours_ago=80)  # closed
    open_questionnaire(alice_ready, "phq9", due_on=dt.date(2026, 11, 1), status=Questionnaire.Status.DONE)
    open_questionnaire(bob)
    listed = api.get("/api/v1/questionnaires/").json()["results"]
    assert [q["id"] for q in listed] == [due.pk]
    assert listed[0]["response"] is None and listed[0]["definition"]["key"] == "phq9"
    assert listed[0]["response_id"] == str(responses.response_id_for(due))
    put(api, listed[0]["response_id"], due, {"1": 2}, complete=False)
    again = api.get("/api/v1/questionnaires/").json()["results"][0]
    assert (again["response"]["id"], again["response"]["answers"]) == (listed[0]["response_id"], {"1": 2})
    put(api, listed[0]["response_id"], due, phq9())
    assert api.get("/api/v1/questionnaires/").json()["results"] == []


def test_your_responses_are_listed_newest_first_and_by_instrument(api, due, alice_ready):
    rid = uuid.uuid4()
    put(api, rid, due, phq9())
    listed = api.get("/api/v1/responses/?instrument=phq9").json()
    assert [r["id"] for r in listed["results"]] == [str(rid)]
    assert api.get("/api/v1/responses/?instrument=gad7").json()["count"] == 0
    assert api.get("/api/v1/responses/?instrument=nope").status_code == 400
    assert api.get(f"/api/v1/responses/{rid}/").json()["scores"] == {"total": 7}
