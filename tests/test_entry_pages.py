"""The participant's pages: forms keep what was typed and put the message beside the field."""

import datetime as dt
import re
import uuid

import pytest

from people import hidden_id
from signin import verified_login
from tracker import services
from tracker.models import CheckIn, Urge, WeeklyReflection


def field_error(html, field):
    """The text of the error paragraph tied to a field, or None."""
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', html, re.S)
    return match and match.group(1)


CHECKIN = {"date": "2026-11-18", "in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": "4", "stress": "3",
           "mood": "4", "regular_meals": "yes", "small_win": "Walked the dog", "note": ""}


def test_anonymous_people_are_sent_to_sign_in(client, db):
    for path in ("/", "/checkin/", "/urge/", "/reflection/", "/history/", "/settings/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/signin/?next={path}")


def test_signing_in_lands_on_today(client, alice, now):
    response = client.post("/signin/", {"username": "alice", "password": "alice-password-1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Check in now" in response.text


def test_a_wrong_password_says_so_and_keeps_the_username(client, alice):
    response = client.post("/signin/", {"username": "alice", "password": "nope"})
    assert "don’t match" in response.text
    assert 'value="alice"' in response.text


def test_the_help_page_needs_no_sign_in_and_offers_988_by_call_and_text(client, db):
    response = client.get("/help/")
    assert response.status_code == 200
    assert 'href="tel:988"' in response.text and 'href="sms:988"' in response.text
    assert 'href="tel:+18006624357"' in response.text


def test_staff_without_a_participant_record_are_turned_away(client, dave):
    verified_login(client, dave)
    assert client.get("/").status_code == 403


def test_a_quick_check_in_saves_under_the_forms_own_id_once(alice_client, alice, now):
    entry_id = hidden_id(alice_client.get("/checkin/").text)
    for _ in range(2):  # a double tap on "Save"
        response = alice_client.post("/checkin/", {**CHECKIN, "id": entry_id})
        assert response.status_code == 302
    entry = CheckIn.objects.get()
    assert entry.pk == entry_id
    assert (entry.total_sleep_min, entry.small_win) == (465, "Walked the dog")
    assert "You checked in today" in alice_client.get("/").text


def test_the_check_in_page_opens_todays_entry_if_there_is_one(alice_client, alice, now):
    entry = services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 18), "stress": 2}).entry
    response = alice_client.get("/checkin/")
    assert response["Location"] == f"/checkin/{entry.pk}/"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"in_bed_at": "03:00", "final_wake_at": "02:00"}, "final_wake_at", "before your bed time"),
        ({"date": "2026-11-19"}, "date", "hasn’t happened yet"),
        ({"note": "x" * 2001}, "note", "at most 2000 characters"),
        ({"stress": "11"}, "stress", "Pick your stress from 0 to 10."),
        ({"in_bed_at": "half past eleven"}, "in_bed_at", "Enter a time like 23:30."),
    ],
)
def test_bad_check_in_input_gets_a_message_beside_the_field_and_keeps_what_was_typed(
    alice_client, now, changes, field, message
):
    data = {**CHECKIN, **changes, "id": str(uuid.uuid4())}
    response = alice_client.post("/checkin/", data)
    assert response.status_code == 200
    assert message in (field_error(response.text, field) or "")
    assert 'aria-invalid="true"' in response.text
    assert 'value="Walked the dog"' in response.text  # what was typed elsewhere is still there
    assert f'value="{data["id"]}"' in response.text  # and the entry keeps its id
    assert not CheckIn.objects.exists()


def test_a_second_check_in_for_a_day_points_to_the_first(alice_client, alice, now):
    first = services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 17), "stress": 2}).entry
    response = alice_client.post("/checkin/", {**CHECKIN, "date": "2026-11-17", "id": str(uuid.uuid4())})
    assert response.status_code == 200
    assert f'href="/checkin/{first.pk}/"' in field_error(response.text, "date")
    assert CheckIn.objects.get().stress == 2


def test_an_urge_is_saved_from_the_form(alice_client, now):
    entry_id = hidden_id(alice_client.get("/urge/").text)
    response = alice_client.post("/urge/", {"id": entry_id, "intensity": "6", "occurred_at": "2026-11-18T11:30",
                                            "duration_min": "15", "triggers": ["stress", "tired"], "helped": ["called"],
                                            "outcome": "passed"}, follow=True)
    assert "Urge saved" in response.text
    urge = Urge.objects.get(pk=entry_id)
    # The form's time is New York time.
    assert urge.occurred_at == dt.datetime(2026, 11, 18, 16, 30, tzinfo=dt.UTC)
    assert urge.triggers == ["stress", "tired"]


def test_a_setback_is_met_with_kind_words(alice_client, now):
    response = alice_client.post("/urge/", {"id": str(uuid.uuid4()), "intensity": "9", "occurred_at": "2026-11-18T11:30",
                                            "outcome": "used"}, follow=True)
    assert "A setback does not erase the steps before it" in response.text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"intensity": "11"}, "intensity", "Pick how strong it was, from 0 to 10."),
        ({"intensity": ""}, "intensity", "Pick how strong it was"),
        ({"occurred_at": "2026-11-18T18:00"}, "occurred_at", "hasn’t happened yet"),
        ({"trigger_other": "x" * 201}, "trigger_other", "at most 200 characters"),
    ],
)
def test_bad_urge_input_gets_a_message_beside_the_field_and_keeps_what_was_typed(alice_client, now, changes, field, message):
    data = {"id": str(uuid.uuid4()), "intensity": "6", "occurred_at": "2026-11-18T11:30", "note": "kept note", **changes}
    response = alice_client.post("/urge/", data)
    assert response.status_code == 200
    assert message in (field_error(response.text, field) or "")
    assert "kept note" in response.text
    assert not Urge.objects.exists()


def test_the_weekly_reflection_keeps_one_win_per_line(alice_client, now):
    response = alice_client.get("/reflection/")
    assert 'value="2026-11-16"' in response.text  # this week's Monday
    alice_client.post("/reflection/", {"id": str(hidden_id(response.text)), "week_start": "2026-11-16",
                                       "wins": "Cooked dinner\n\nCalled my sister\n", "hard": "", "focus": "Sleep"})
    assert WeeklyReflection.objects.get().wins == ["Cooked dinner", "Called my sister"]
    assert "Called my sister" in alice_client.get("/").text


def test_too_long_a_win_is_named_beside_the_wins_box(alice_client, now):
    response = alice_client.post("/reflection/", {"id": str(uuid.uuid4()), "week_start": "2026-11-16",
                                                  "wins": "fine\n" + "x" * 201, "hard": "kept"})
    assert "under 200 characters" in field_error(response.text, "wins")
    assert "kept" in response.text
    assert not WeeklyReflection.objects.exists()


def test_an_entry_can_be_opened_from_history_corrected_and_deleted(alice_client, alice, now):
    entry = services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, 10, 23, 0, tzinfo=dt.UTC), "intensity": 5}).entry
    history = alice_client.get("/history/").text
    assert f'href="/urge/{entry.pk}/"' in history
    assert '<time datetime="18:00" data-clock>18:00</time>' in history  # New York time
    assert "Strength 5 of 10." in history
    alice_client.post(f"/urge/{entry.pk}/", {"intensity": "3", "occurred_at": "2026-11-10T18:00"})
    entry.refresh_from_db()
    assert entry.intensity == 3
    assert alice_client.get(f"/urge/{entry.pk}/delete/").status_code == 200
    alice_client.post(f"/urge/{entry.pk}/delete/")
    assert not Urge.objects.exists()


def test_history_offers_to_fill_a_missed_day(alice_client, now):
    history = alice_client.get("/history/").text
    assert 'href="/checkin/?date=2026-11-17"' in history
    assert 'value="2026-11-17"' in alice_client.get("/checkin/?date=2026-11-17").text


def test_a_time_zone_that_does_not_exist_is_named_beside_the_field(alice_client, alice):
    response = alice_client.post("/settings/", {"time_zone": "Mars/Olympus_Mons"})
    assert "not a time zone we know" in field_error(response.text, "time_zone")
    assert 'value="Mars/Olympus_Mons"' in response.text
    alice.refresh_from_db()
    assert alice.time_zone == "America/New_York"
    alice_client.post("/settings/", {"time_zone": "Europe/Dublin"})
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Dublin"
