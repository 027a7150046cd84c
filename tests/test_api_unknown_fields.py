"""A body naming a field the API does not know is a 400 naming each such field, so a client's
typo is found the first time; a body exactly as the pages' offline outbox sends it is accepted."""

import inspect
import uuid

import pytest
from rest_framework import serializers as drf_serializers
from rest_framework.test import APIClient

from signin import verified_login
from tracker.api import serializers
from tracker.models import CheckIn, SafetyPlanVersion, Task, Urge

UNKNOWN = ["Unknown field."]


def test_a_typo_in_a_check_in_is_a_400_naming_it(api, now):
    response = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": "2026-11-17", "stres": 4}, format="json")
    assert response.status_code == 400
    assert response.json() == {"stres": UNKNOWN}
    assert not CheckIn.objects.exists()


def test_each_unknown_field_is_named_beside_the_other_errors(api, now):
    response = api.put(f"/api/v1/urges/{uuid.uuid4()}/", {"intensity": 11, "trigers": ["stress"], "mood": 3},
                       format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["trigers"] == UNKNOWN and body["mood"] == UNKNOWN
    assert "intensity" in body and "occurred_at" in body
    assert not Urge.objects.exists()


def test_an_unknown_key_inside_a_nested_object_is_named(api, now):
    body = {"helpers": [{"name": "Maria", "phone": "555-123-4567", "phon": "x"}]}
    response = api.put(f"/api/v1/safety-plan/versions/{uuid.uuid4()}/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"helpers": {"0": {"phon": UNKNOWN}}}  # DRF names a list item by its index
    assert not SafetyPlanVersion.objects.exists()


def test_a_typo_in_a_partial_update_is_named(api, now):
    response = api.patch("/api/v1/me/", {"timezone": "Europe/Paris"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"timezone": UNKNOWN}


def test_a_typo_in_a_counselors_task_is_a_400_naming_it(alice, carol, now):
    client = APIClient()
    verified_login(client, carol.user)
    response = client.put(f"/api/v1/care/participants/{alice.pk}/tasks/{uuid.uuid4()}/",
                          {"title": "Call a friend", "due": "2026-11-20"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"due": UNKNOWN}
    assert not Task.objects.exists()


def test_read_only_fields_sent_back_are_known_and_ignored(api, now):
    entry_id = uuid.uuid4()
    saved = api.put(f"/api/v1/checkins/{entry_id}/", {"date": "2026-11-17", "in_bed_at": "23:00",
                                                       "final_wake_at": "07:00"}, format="json").json()
    again = api.put(f"/api/v1/checkins/{entry_id}/", {**saved, "stress": 2}, format="json")
    assert again.status_code == 200, again.json()
    assert CheckIn.objects.get().stress == 2


# What static/js/app.js formBody() makes of each form: every field by name, values with their JSON
# types, "id" and "csrfmiddlewaretoken" left out, radio groups nobody picked left out.
CHECKIN_DRAFT = {
    "date": "2026-11-17", "in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": 4,
    "tried_sleep_at": None, "sleep_latency_min": None, "awakenings": None, "awake_min": None,
    "out_of_bed_at": None, "stress": 3, "small_win": "Walked instead of driving", "note": "",
    "note_private": False,
}
URGE_DRAFT = {
    "intensity": 6, "occurred_at": "2026-11-18T11:40", "duration_min": 15, "triggers": ["stress", "tired"],
    "trigger_other": "", "helped": ["walked"], "helped_other": "", "note": "", "note_private": False,
}
WEEKEND_DRAFT = {
    "weekend_of": "2026-11-20", "friday_evening": "Dinner at my sister's", "saturday": "", "sunday": "",
    "who_to_call": "", "places_to_avoid": "", "if_urge": "", "safe_ride": "", "how_it_went": "", "review_note": "",
}
HIGH_RISK_DRAFT = {"label": "Friday evening", "weekdays": [4], "start_time": "17:00", "end_time": "20:00"}
TASK_DRAFT = {"title": "Write down three urges", "due_date": None, "goal": None, "done": False}
SAFETY_PLAN_DRAFT = {
    "warning_signs": ["Skipping meals"], "coping_alone": [], "distractions": [],
    "helpers": [{"name": "Maria", "phone": "555-123-4567"}], "professionals": [], "safe_space": [], "reasons": ["My kids"],
}


@pytest.mark.parametrize(("kind", "draft"), [
    ("checkins", CHECKIN_DRAFT), ("urges", URGE_DRAFT), ("weekend-plans", WEEKEND_DRAFT),
    ("high-risk-times", HIGH_RISK_DRAFT), ("tasks", TASK_DRAFT), ("safety-plan/versions", SAFETY_PLAN_DRAFT),
])
def test_a_draft_exactly_as_the_outbox_sends_it_is_accepted(api, now, kind, draft):
    response = api.put(f"/api/v1/{kind}/{uuid.uuid4()}/", draft, format="json")
    assert response.status_code == 201, response.json()


def test_every_serializer_of_the_api_refuses_unknown_fields():
    # One rule for every body, including serializers added later.
    classes = [cls for _, cls in inspect.getmembers(serializers, inspect.isclass)
               if issubclass(cls, drf_serializers.BaseSerializer) and cls.__module__ == serializers.__name__]
    assert classes
    assert [cls.__name__ for cls in classes if not issubclass(cls, serializers.RefuseUnknownFieldsMixin)] == []
