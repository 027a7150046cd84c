import uuid

import pytest

from tracker.models import Urge

URGE = {
    "occurred_at": "2026-11-18T07:40:00-05:00",
    "intensity": 7,
    "duration_min": 20,
    "triggers": ["stress", "payday"],
    "helped": ["called", "walked"],
    "outcome": "passed",
}


def url(entry_id):
    return f"/api/v1/urges/{entry_id}/"


def test_a_put_creates_the_urge_and_a_replay_changes_nothing(api, now):
    entry_id = uuid.uuid4()
    answers = [api.put(url(entry_id), URGE, format="json") for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5
    assert all(a.json() == answers[0].json() for a in answers)
    urge = Urge.objects.get()
    assert (urge.intensity, urge.triggers, urge.helped) == (7, ["stress", "payday"], ["called", "walked"])
    assert urge.occurred_at.isoformat() == "2026-11-18T12:40:00+00:00"


def test_a_setback_is_recorded_like_any_other_urge(api, now):
    response = api.put(url(uuid.uuid4()), {**URGE, "outcome": "used", "helped": []}, format="json")
    assert response.status_code == 201
    assert Urge.objects.get().is_setback


def test_only_intensity_and_time_are_needed(api, now):
    response = api.put(url(uuid.uuid4()), {"occurred_at": URGE["occurred_at"], "intensity": 4}, format="json")
    assert response.status_code == 201
    assert response.json()["outcome"] == ""


def test_the_list_filters_by_local_day_in_the_participants_zone(api, now):
    # 04:30 UTC on the 18th is still the 17th in New York.
    api.put(url(uuid.uuid4()), {**URGE, "occurred_at": "2026-11-18T04:30:00Z"}, format="json")
    api.put(url(uuid.uuid4()), {**URGE, "occurred_at": "2026-11-18T05:30:00Z"}, format="json")
    on_17th = api.get("/api/v1/urges/", {"from": "2026-11-17", "to": "2026-11-17"}).json()
    on_18th = api.get("/api/v1/urges/", {"from": "2026-11-18"}).json()
    assert [r["occurred_at"] for r in on_17th["results"]] == ["2026-11-17T23:30:00-05:00"]
    assert on_18th["count"] == 1


@pytest.mark.parametrize(
    "data, field",
    [
        ({**URGE, "intensity": 11}, "intensity"),
        ({**URGE, "intensity": -1}, "intensity"),
        ({**URGE, "duration_min": 1441}, "duration_min"),
        ({**URGE, "occurred_at": "2026-11-18T19:00:00Z"}, "occurred_at"),  # two hours from now
        ({**URGE, "triggers": ["moon"]}, "triggers"),
        ({**URGE, "helped": "called"}, "helped"),
        ({**URGE, "outcome": "maybe"}, "outcome"),
        ({**URGE, "note": "x" * 2001}, "note"),
        ({**URGE, "trigger_other": "x" * 201}, "trigger_other"),
        ({key: value for key, value in URGE.items() if key != "intensity"}, "intensity"),
    ],
)
def test_bad_input_is_a_400_with_the_field_named_and_nothing_saved(api, now, data, field):
    response = api.put(url(uuid.uuid4()), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Urge.objects.exists()


def test_a_repeated_trigger_is_refused(api, now):
    response = api.put(url(uuid.uuid4()), {**URGE, "triggers": ["stress", "stress"]}, format="json")
    assert response.status_code == 400
    assert "triggers" in response.json()
