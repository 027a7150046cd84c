import uuid

import pytest

from tracker.models import WeeklyReflection

WEEK = {"week_start": "2026-11-16", "wins": ["Cooked dinner", "Called my sister"], "hard": "Sunday", "focus": "Plan Saturday"}


def url(entry_id):
    return f"/api/v1/reflections/{entry_id}/"


def test_a_put_creates_the_reflection_and_a_replay_changes_nothing(api, now):
    entry_id = uuid.uuid4()
    first, second = api.put(url(entry_id), WEEK, format="json"), api.put(url(entry_id), WEEK, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert WeeklyReflection.objects.get().wins == ["Cooked dinner", "Called my sister"]


def test_a_second_reflection_for_the_same_week_is_refused_with_the_existing_id(api, now):
    first = uuid.uuid4()
    api.put(url(first), WEEK, format="json")
    response = api.put(url(uuid.uuid4()), {**WEEK, "hard": "other"}, format="json")
    assert response.status_code == 409
    assert response.json()["existing_id"] == str(first)
    assert WeeklyReflection.objects.get().hard == "Sunday"


def test_blank_win_lines_are_dropped(api, now):
    response = api.put(url(uuid.uuid4()), {**WEEK, "wins": ["  Walked ", "", "Slept"]}, format="json")
    assert response.json()["wins"] == ["Walked", "Slept"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({**WEEK, "week_start": "2026-11-18"}, "week_start"),  # a Wednesday
        ({**WEEK, "week_start": "2026-11-23"}, "week_start"),  # next week
        ({**WEEK, "wins": ["x" * 201]}, "wins"),
        ({**WEEK, "wins": [f"win {n}" for n in range(11)]}, "wins"),
        ({**WEEK, "hard": "x" * 2001}, "hard"),
    ],
)
def test_bad_input_is_a_400_with_the_field_named_and_nothing_saved(api, now, data, field):
    response = api.put(url(uuid.uuid4()), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not WeeklyReflection.objects.exists()
