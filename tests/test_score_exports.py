"""Questionnaires and responses in the exports (issue 17): the care team's CSV and JSON and the
participant's own download hold every response with its answers item by item, the instrument's
key and version, when it was completed, its scores and bands; a draft comes marked as a draft,
never with scores. The CSVs go through the one spreadsheet-safe writer (tests/test_csv_exports.py)."""

import csv
import datetime as dt
import io

import pytest

import measures_data as data
from people import NOW
from tracker.models import Questionnaire


@pytest.fixture
def answered(alice, now):
    """A complete PHQ-9 of 12 (items 1-4 at 3) with the difficulty question, a draft GAD-7, a missed BAM."""
    done = data.phq9(alice, 12, at=NOW - dt.timedelta(days=2), intake=True, difficulty=2)
    open_q = data.questionnaire(alice, "gad7", dt.date(2026, 11, 17))
    draft = data.draft(alice, "gad7", {"1": 2, "2": 1}, at=NOW - dt.timedelta(hours=3), questionnaire=open_q)
    missed = data.questionnaire(alice, "bam", dt.date(2026, 11, 9), status=Questionnaire.Status.MISSED)
    return {"alice": alice, "done": done, "draft": draft, "missed": missed, "open": open_q}


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))


def fields(rows, kind, record_id):
    return {field: value for k, rid, field, value in rows if k == kind and rid == str(record_id)}


@pytest.mark.parametrize("who", ["care", "own"])
def test_the_csv_holds_answers_item_by_item_with_the_version(answered, carol_client, alice_client, who):
    alice = answered["alice"]
    response = (carol_client.get(f"/care/participants/{alice.pk}/export.csv") if who == "care"
                else alice_client.get("/settings/my-data.csv"))
    assert response.status_code == 200
    rows = csv_rows(response)
    done = fields(rows, "questionnaire_response", answered["done"].pk)
    assert done["instrument"] == "phq9" and done["version"] == "1" and done["status"] == "complete"
    assert done["completed_at"] == (NOW - dt.timedelta(days=2)).isoformat()
    assert done["questionnaire_id"] == str(answered["done"].questionnaire_id)
    # 12 = items 1-4 at 3, the rest 0; the difficulty question kept, never scored.
    assert {k: v for k, v in done.items() if k.startswith("answers.")} == {
        "answers.1": "3", "answers.2": "3", "answers.3": "3", "answers.4": "3", "answers.5": "0", "answers.6": "0",
        "answers.7": "0", "answers.8": "0", "answers.9": "0", "answers.difficulty": "2"}
    assert done["scores.total"] == "12" and done["bands.total"] == "Moderate"

    draft = fields(rows, "questionnaire_response", answered["draft"].pk)
    assert draft["status"] == "draft" and draft["answers.1"] == "2" and draft["answers.2"] == "1"
    assert draft["completed_at"] == ""
    assert not [k for k in draft if k.startswith(("scores", "bands"))]

    missed = fields(rows, "questionnaire", answered["missed"].pk)
    assert missed["instrument"] == "bam" and missed["status"] == "missed" and missed["due_on"] == "2026-11-09"
    assert fields(rows, "questionnaire", answered["open"].pk)["status"] == "open"


@pytest.mark.parametrize("who", ["care", "own"])
def test_the_json_holds_answers_scores_and_bands_and_drafts_without_scores(answered, carol_client, alice_client, who):
    alice = answered["alice"]
    response = (carol_client.get(f"/care/participants/{alice.pk}/export.json") if who == "care"
                else alice_client.get("/settings/my-data.json"))
    records = response.json()["records"]
    by_id = {row["id"]: row for row in records["questionnaire_response"]}
    done = by_id[str(answered["done"].pk)]
    assert done["answers"] == {"1": 3, "2": 3, "3": 3, "4": 3, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0,
                               "difficulty": 2}
    assert (done["instrument"], done["version"], done["status"]) == ("phq9", "1", "complete")
    assert done["scores"] == {"total": 12} and done["bands"] == {"total": "Moderate"}
    draft = by_id[str(answered["draft"].pk)]
    assert draft["status"] == "draft" and draft["answers"] == {"1": 2, "2": 1}
    assert "scores" not in draft and "bands" not in draft
    assert sorted(q["status"] for q in records["questionnaire"]) == ["done", "missed", "open"]


def test_the_care_api_export_holds_them_too(answered, carol_client):
    records = carol_client.get(f"/api/v1/care/participants/{answered['alice'].pk}/export/").json()["records"]
    assert len(records["questionnaire_response"]) == 2 and len(records["questionnaire"]) == 3


def test_an_export_without_questionnaires_has_empty_lists(alice, carol_client, now):
    records = carol_client.get(f"/care/participants/{alice.pk}/export.json").json()["records"]
    assert records["questionnaire"] == [] and records["questionnaire_response"] == []
