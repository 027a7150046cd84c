"""A deleted entry stays deleted: a write of its id that arrives later (an old write queued on
another phone) answers 410 Gone and brings nothing back. A new id is always welcome."""

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from signin import verified_login
from tracker import accounts
from tracker.models import CheckIn, Goal, Tombstone, Urge

CHECKIN = {"date": "2026-11-17", "in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": 4, "stress": 3}
URGE = {"occurred_at": "2026-11-18T09:00:00-05:00", "intensity": 6, "duration_min": 10}


def test_a_put_replayed_after_the_delete_is_gone_and_makes_no_row(api, alice, now):
    entry_id = uuid.uuid4()
    url = f"/api/v1/checkins/{entry_id}/"
    assert api.put(url, CHECKIN, format="json").status_code == 201
    assert api.delete(url).status_code == 204              # on the laptop
    response = api.put(url, CHECKIN, format="json")        # the phone's old queued write
    assert response.status_code == 410, response.json()
    assert "deleted" in response.json()["detail"]
    assert not CheckIn.objects.exists()
    tombstone = Tombstone.objects.get()
    assert (tombstone.pk, tombstone.kind, tombstone.participant_id) == (entry_id, "checkin", alice.pk)
    assert api.put(url, {**CHECKIN, "stress": 9}, format="json").status_code == 410  # changed or not
    assert not CheckIn.objects.exists()


def test_a_replayed_delete_is_done_already(api, now):
    url = f"/api/v1/urges/{uuid.uuid4()}/"
    api.put(url, URGE, format="json")
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not Urge.objects.exists() and Tombstone.objects.count() == 1


def test_a_new_id_for_the_day_of_a_deleted_check_in_is_welcome(api, now):
    first = f"/api/v1/checkins/{uuid.uuid4()}/"
    api.put(first, CHECKIN, format="json")
    api.delete(first)
    assert api.put(f"/api/v1/checkins/{uuid.uuid4()}/", CHECKIN, format="json").status_code == 201
    assert CheckIn.objects.get().date == dt.date(2026, 11, 17)


def test_someone_elses_deleted_id_is_not_found_not_gone(api, bob_api, now):
    url = f"/api/v1/urges/{uuid.uuid4()}/"
    api.put(url, URGE, format="json")
    api.delete(url)
    bob_urge = {**URGE, "occurred_at": "2026-11-18T08:00:00-08:00"}
    assert bob_api.put(url, bob_urge, format="json").status_code == 404
    assert bob_api.delete(url).status_code == 404
    assert not Urge.objects.exists()


def test_a_goal_the_counselor_deleted_is_not_brought_back_by_the_participant(api, alice, carol, now):
    carol_api = verified_login(APIClient(), carol.user)
    goal_id = uuid.uuid4()
    assert api.put(f"/api/v1/goals/{goal_id}/", {"title": "Walk daily"}, format="json").status_code == 201
    assert carol_api.delete(f"/api/v1/care/participants/{alice.pk}/goals/{goal_id}/").status_code == 204
    assert api.put(f"/api/v1/goals/{goal_id}/", {"title": "Walk daily"}, format="json").status_code == 410
    assert not Goal.objects.exists()


def test_a_page_form_posting_a_deleted_id_says_so_and_saves_nothing(alice_client, alice, api, now):
    entry_id = uuid.uuid4()
    api.put(f"/api/v1/checkins/{entry_id}/", CHECKIN, format="json")
    assert alice_client.post(f"/checkin/{entry_id}/delete/").status_code == 302
    page = alice_client.post("/checkin/", {"id": str(entry_id), "date": "2026-11-17", "in_bed_at": "23:10",
                                           "final_wake_at": "06:55", "sleep_quality": "4", "stress": "3"})
    assert page.status_code == 200
    assert "This check-in was deleted, maybe on another device, so it was not saved again." in page.text
    assert str(entry_id) not in page.text  # saving once more makes a new check-in, under a new id
    assert not CheckIn.objects.exists()


def test_the_schema_documents_410_on_entry_puts(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    put = schema["paths"]["/api/v1/checkins/{entry_id}/"]["put"]
    assert "410" in put["responses"]


@pytest.mark.parametrize("closed_days_ago, left", [(29, 1), (30, 0)])
def test_the_purge_removes_tombstones_with_the_account(api, alice, now, closed_days_ago, left):
    url = f"/api/v1/checkins/{uuid.uuid4()}/"
    api.put(url, CHECKIN, format="json")
    api.delete(url)
    accounts.close_account(participant=alice)
    now.shift(dt.timedelta(days=closed_days_ago))
    accounts.purge_closed_accounts()
    assert Tombstone.objects.count() == left
