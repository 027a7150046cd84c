"""The check-in page offers the person's usual times as "Same as usual", and stores whether
the times were confirmed that way or typed."""

import datetime as dt
import uuid

import pytest
import time_machine

from tracker import services

T = dt.time
NOW = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC)  # 09:00 on Mon 30 Nov in New York


@pytest.fixture
def usual_alice(alice):
    for days_back, bed in enumerate((T(23, 0), T(23, 30), T(0, 30)), start=1):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": dt.date(2026, 11, 30) - dt.timedelta(days=days_back), "in_bed_at": bed, "final_wake_at": T(7, 0)})
    return alice


@time_machine.travel(NOW, tick=False)
def test_a_new_check_in_offers_the_usual_times_and_the_day_as_a_small_line(usual_alice, alice_client):
    page = alice_client.get("/checkin/").content.decode()
    # beds from noon: 23:00, 23:30, 00:30 -> 23:30
    assert 'data-bed="23:30" data-wake="07:00"' in page
    assert '<time datetime="23:30" data-clock>23:30</time>' in page
    assert "Today, <span" in page and 'name="usual_times"' in page


@time_machine.travel(NOW, tick=False)
def test_without_enough_nights_there_is_no_same_as_usual(alice, alice_client):
    page = alice_client.get("/checkin/").content.decode()
    assert "data-bed=" not in page and "Same as usual" not in page


@time_machine.travel(NOW, tick=False)
def test_same_as_usual_without_javascript_saves_the_usual_times_as_confirmed(usual_alice, alice_client):
    response = alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": "2026-11-30", "usual_times": "on",
                                               "sleep_quality": "4"})
    assert response.status_code == 302
    checkin = usual_alice.checkins.get(date=dt.date(2026, 11, 30))
    assert (checkin.usual_times, checkin.in_bed_at, checkin.final_wake_at) == (True, T(23, 30), T(7, 0))


@time_machine.travel(NOW, tick=False)
def test_typed_times_that_are_not_the_usual_ones_are_not_saved_as_usual(usual_alice, alice_client):
    alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": "2026-11-30", "usual_times": "on",
                                    "in_bed_at": "01:00", "final_wake_at": "07:00"})
    checkin = usual_alice.checkins.get(date=dt.date(2026, 11, 30))
    assert (checkin.usual_times, checkin.in_bed_at) == (False, T(1, 0))


@time_machine.travel(NOW, tick=False)
def test_changing_the_times_of_a_confirmed_check_in_unsets_same_as_usual(usual_alice, alice_client):
    entry_id = uuid.uuid4()
    alice_client.post("/checkin/", {"id": str(entry_id), "date": "2026-11-30", "usual_times": "on"})
    page = alice_client.get(f"/checkin/{entry_id}/").content.decode()
    assert "You saved these as your usual times." in page
    alice_client.post(f"/checkin/{entry_id}/", {"date": "2026-11-30", "usual_times": "on", "in_bed_at": "23:30",
                                               "final_wake_at": "07:00", "stress": "3"})
    assert usual_alice.checkins.get(pk=entry_id).usual_times is True   # same times: still confirmed
    alice_client.post(f"/checkin/{entry_id}/", {"date": "2026-11-30", "usual_times": "on", "in_bed_at": "22:00",
                                               "final_wake_at": "07:00"})
    assert usual_alice.checkins.get(pk=entry_id).usual_times is False


def test_the_api_stores_usual_times_as_sent(api, alice):
    entry_id = uuid.uuid4()
    response = api.put(f"/api/v1/checkins/{entry_id}/", {"date": str(alice.local_today()), "usual_times": True,
                                                        "in_bed_at": "23:00", "final_wake_at": "07:00"}, format="json")
    assert response.status_code in (200, 201), response.content
    assert response.json()["usual_times"] is True and alice.checkins.get().usual_times is True


def test_the_care_team_can_tell_confirmed_usual_times_from_typed_ones(alice, alice_client, carol_client):
    # No fake clock here: the counselor's session runs on the real one.
    today = alice.local_today()
    for days_back in (7, 8, 9):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": today - dt.timedelta(days=days_back), "in_bed_at": T(23, 0), "final_wake_at": T(7, 0)})
    alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": str(today), "usual_times": "on"})
    assert alice.checkins.get(date=today).usual_times
    page = carol_client.get(f"/care/participants/{alice.pk}/summary/", {"week": str(today)}).content.decode()
    assert page.count("(same as usual)") == 1   # today's night; the typed ones are in weeks before
    earlier = carol_client.get(f"/care/participants/{alice.pk}/summary/", {"week": str(today - dt.timedelta(days=8))})
    assert "(same as usual)" not in earlier.content.decode() and "no check-in" in earlier.content.decode()
    response = carol_client.get(f"/care/participants/{alice.pk}/export.csv")
    text = b"".join(response.streaming_content).decode()
    assert "usual_times" in text and "True" in text
