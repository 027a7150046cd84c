"""A check-in or a weekly reflection needs at least one answer: an empty one would count as a
check-in day (and hide the care team's "no check-in" flag). Refused by the API and the pages."""

import re
import uuid

import pytest

from people import hidden_id
from tracker.models import CheckIn, WeeklyReflection

EMPTY_CHECKIN = "Add at least one answer: how you slept, your stress, a win or a note."
EMPTY_WEEK = "Add at least one line: a win, what was hard, or next week’s focus."


@pytest.mark.parametrize("body", [
    {"date": "2026-11-17"},
    {"date": "2026-11-17", "small_win": "   ", "note": "", "note_private": True, "regular_meals": ""},
])
def test_the_api_refuses_an_empty_check_in_with_a_clear_message(api, now, body):
    response = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [EMPTY_CHECKIN]}
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("answer", [{"stress": 0}, {"small_win": "Called my sister"}, {"note": "Tired"},
                                    {"sleep_quality": 3}, {"regular_meals": "some"}, {"mood": 2}])
def test_any_one_answer_makes_a_check_in(api, now, answer):
    response = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": "2026-11-17", **answer}, format="json")
    assert response.status_code == 201, response.json()


def test_the_api_refuses_an_empty_reflection(api, now):
    body = {"week_start": "2026-11-16", "wins": ["", "  "], "hard": " ", "focus": ""}
    response = api.put(f"/api/v1/reflections/{uuid.uuid4()}/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Add at least one line: a win, what was hard, or next week’s focus."]}
    assert not WeeklyReflection.objects.exists()
    body["focus"] = "Plan Saturday"
    assert api.put(f"/api/v1/reflections/{uuid.uuid4()}/", body, format="json").status_code == 201


def test_an_empty_check_in_form_says_so_at_the_top_and_keeps_the_values(alice_client, alice, now):
    entry_id = hidden_id(alice_client.get("/checkin/").text)
    response = alice_client.post("/checkin/", {"id": entry_id, "date": "2026-11-17", "note_private": "on"})
    assert response.status_code == 200
    top = response.text.split('<form method="post"')[0]
    assert f'<p class="error">{EMPTY_CHECKIN}</p>' in top  # in the summary above the form
    assert "check the field marked below" not in top  # no field is marked: none is wrong
    assert 'name="date" value="2026-11-17"' in response.text
    assert re.search(r'<input type="checkbox" name="note_private"[^>]* checked>', response.text)
    assert not CheckIn.objects.exists()


def test_an_empty_reflection_form_says_so(alice_client, alice, now):
    entry_id = hidden_id(alice_client.get("/reflection/").text)
    response = alice_client.post("/reflection/", {"id": entry_id, "week_start": "2026-11-16", "wins": "\n \n"})
    assert response.status_code == 200
    assert f'<p class="error">{EMPTY_WEEK}</p>' in response.text
    assert not WeeklyReflection.objects.exists()


def test_the_form_carries_the_rule_and_its_words_to_the_phone(alice_client, alice, now):
    html = alice_client.get("/checkin/").text
    assert f'data-empty-message="{EMPTY_CHECKIN}"' in html
    assert f'data-answers="{" ".join(CheckIn.ANSWERS)}"' in html
    assert 'data-answers="wins hard focus"' in alice_client.get("/reflection/").text


def test_an_empty_entry_on_a_wrong_day_hears_about_both_at_once(api, now):
    # Tuesday 17 November 2026 is not a Monday; the future day 2026-11-20 has not happened yet.
    reflection = api.put(f"/api/v1/reflections/{uuid.uuid4()}/", {"week_start": "2026-11-17"}, format="json")
    assert reflection.status_code == 400 and set(reflection.json()) == {"non_field_errors", "week_start"}
    checkin = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": "2026-11-20"}, format="json")
    assert checkin.status_code == 400 and set(checkin.json()) == {"non_field_errors", "date"}
    assert not CheckIn.objects.exists() and not WeeklyReflection.objects.exists()
