"""Medication schedules: entered by the person (Settings, through the outbox's PUT by client id) or
by a counselor on their care team; one reminder per medication and time, planned again when the
medication changes, stops or is deleted; and reminder words that never hold the name, on the
lock screen (the push payload, decrypted by a local push service) or in an email.
"now" is Wed 18 Nov 2026, 12:00 in New York (alice's zone)."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.core import mail
from django.test import Client

from people import NOW, confirm_email, hidden_id, make_user, reminders_only
from pushservice import PushService
from signin import verified_login
from tracker import reminders, services
from tracker.models import AuditEvent, Counselor, Delivery, Medication, Reminder, Tombstone
from tracker.tasks import enqueue_sends, send_deliveries

UTC = dt.UTC
NAME = "Sertraline 50 mg"


def put(api, entry_id, **body):
    return api.put(f"/api/v1/medications/{entry_id}/", {"name": NAME, "times": ["08:00", "20:00"], **body},
                   format="json")


def planned(participant):
    """{(medication name, local time): next due, in the person's zone} of their medication reminders."""
    return {(r.medication.name, r.local_time.strftime("%H:%M")): r.next_due_at.astimezone(participant.zone)
            .replace(tzinfo=None) for r in Reminder.objects.filter(participant=participant, kind="medication")
            .select_related("medication")}


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute)


# -- the API, PUT by client id


def test_a_medication_is_put_by_its_client_id_and_a_replay_changes_nothing(api, alice, now):
    entry_id = uuid.uuid4()
    first = put(api, entry_id, times=["20:00", "08:00"])
    assert first.status_code == 201, first.content
    assert first.json()["times"] == ["08:00", "20:00"] and first.json()["added_by"] is None
    replay = put(api, entry_id, times=["20:00", "08:00"])
    assert replay.status_code == 201 and replay.json() == first.json()
    assert Medication.objects.count() == 1 and Reminder.objects.filter(kind="medication").count() == 2
    listed = api.get("/api/v1/medications/").json()
    assert [row["name"] for row in listed["results"]] == [NAME]


@pytest.mark.parametrize(("body", "field"), [
    ({"times": []}, "times"),
    ({"times": ["8am"]}, "times"),
    ({"times": "08:00"}, "times"),
    ({"times": ["08:00", "08:00"]}, "times"),
    ({"times": [f"{h:02d}:00" for h in range(9)]}, "times"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"active": "yes"}, "active"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(api, alice, now, body, field):
    response = put(api, uuid.uuid4(), **body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Medication.objects.exists() and not Reminder.objects.filter(kind="medication").exists()


def test_another_persons_medication_is_the_404_of_a_missing_one(api, bob, now):
    theirs = services.medication_put(participant=bob, id=uuid.uuid4(), data={"name": "Bob's", "times": ["09:00"]}).entry
    for method in ("get", "delete"):
        response = getattr(api, method)(f"/api/v1/medications/{theirs.pk}/")
        missing = getattr(api, method)(f"/api/v1/medications/{uuid.uuid4()}/")
        assert response.status_code == 404 and response.content == missing.content
    assert put(api, theirs.pk).status_code == 404
    assert Medication.objects.get(pk=theirs.pk).name == "Bob's"


def test_a_deleted_medication_is_not_brought_back_by_a_late_write(api, alice, now):
    entry_id = uuid.uuid4()
    put(api, entry_id)
    assert api.delete(f"/api/v1/medications/{entry_id}/").status_code == 204
    assert Tombstone.objects.filter(pk=entry_id, kind="medication").exists()
    assert put(api, entry_id).status_code == 410
    assert not Reminder.objects.filter(kind="medication").exists()


# -- the care team


def test_a_counselor_on_the_team_adds_one_through_the_api_with_one_write_row(alice, carol, carol_client, now):
    entry_id = uuid.uuid4()
    url = f"/api/v1/care/participants/{alice.pk}/medications/{entry_id}/"
    before = AuditEvent.objects.count()
    response = carol_client.put(url, {"name": NAME, "times": ["09:00"]}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["added_by"] == str(carol)
    medication = Medication.objects.get(pk=entry_id)
    assert (medication.participant, medication.added_by) == (alice, carol)
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(r.action, r.resource, r.participant_id, r.object_id) for r in rows] == [
        ("write", "medications", alice.pk, str(entry_id))]
    # The person sees it on their own page, marked as the care team's.
    assert Reminder.objects.filter(participant=alice, kind="medication", medication=medication).count() == 1


def test_a_counselor_off_the_team_gets_the_404_of_nobody(alice, program, now):
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    client = verified_login(Client(), erin.user)
    mine = services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["09:00"]}).entry
    for url in (f"/care/participants/{alice.pk}/medications/", f"/care/participants/{alice.pk}/medications/new/",
                f"/api/v1/care/participants/{alice.pk}/medications/{mine.pk}/"):
        assert client.get(url).status_code == 404, url
    response = client.put(f"/api/v1/care/participants/{alice.pk}/medications/{uuid.uuid4()}/",
                          {"name": "x", "times": ["10:00"]}, content_type="application/json")
    assert response.status_code == 404 and Medication.objects.count() == 1


def test_the_care_page_adds_and_stops_a_medication(alice, carol, carol_client, now):
    page = carol_client.get(f"/care/participants/{alice.pk}/medications/new/").content.decode()
    entry_id = hidden_id(page)
    response = carol_client.post(f"/care/participants/{alice.pk}/medications/new/", {
        "id": str(entry_id), "name": NAME, "times": ["08:00", "", "21:30"], "remind": "on", "active": "on"})
    assert response.status_code == 302
    medication = Medication.objects.get(pk=entry_id)
    assert (medication.times, medication.added_by) == (["08:00", "21:30"], carol)
    assert len(planned(alice)) == 2
    listing = carol_client.get(f"/care/participants/{alice.pk}/medications/").content.decode()
    assert NAME in listing and "taking it" in listing and str(carol) in listing
    # Stopped (the box cleared): its reminders go, the row stays.
    carol_client.post(f"/care/participants/{alice.pk}/medications/{entry_id}/", {
        "name": NAME, "times": ["08:00", "21:30"], "remind": "on"})
    assert not Medication.objects.get(pk=entry_id).active and planned(alice) == {}
    refused = carol_client.post(f"/care/participants/{alice.pk}/medications/{entry_id}/", {
        "name": NAME, "times": ["25:00"], "remind": "on", "active": "on"})
    assert refused.status_code == 200 and "Give one to eight times like 08:00." in refused.content.decode()


# -- the person's own page


def test_the_settings_page_lists_adds_changes_and_deletes(alice_client, alice, now):
    assert "My medications" in alice_client.get("/settings/").content.decode()
    page = alice_client.get("/settings/medications/new/").content.decode()
    assert 'data-outbox="medications"' in page and page.count('type="time" name="times"') == 3
    entry_id = hidden_id(page)
    alice_client.post("/settings/medications/new/", {"id": str(entry_id), "name": NAME, "times": ["08:00"],
                                                     "remind": "on", "active": "on"})
    assert NAME in alice_client.get("/settings/medications/").content.decode()
    edit = alice_client.get(f"/settings/medications/{entry_id}/").content.decode()
    assert 'value="08:00"' in edit
    refused = alice_client.post(f"/settings/medications/{entry_id}/", {"name": "", "times": ["08:00"]})
    assert refused.status_code == 200
    assert re.search(r'id="id_name_error">Give the medication a name', refused.content.decode())
    alice_client.post(f"/settings/medications/{entry_id}/delete/")
    assert not Medication.objects.exists() and not Reminder.objects.filter(kind="medication").exists()


# -- reminders: one per medication and time, planned again on every change


def test_one_reminder_per_time_every_day_in_the_persons_zone(alice, now):
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["08:00", "20:00"]})
    # 12:00 on Wed 18 Nov in New York: 20:00 today, 08:00 tomorrow.
    assert planned(alice) == {(NAME, "08:00"): at(19, 8), (NAME, "20:00"): at(18, 20)}
    assert {tuple(r.weekdays) for r in Reminder.objects.filter(kind="medication")} == {(0, 1, 2, 3, 4, 5, 6)}


def test_a_changed_time_is_planned_afresh_and_an_unchanged_one_keeps_its_plan(alice, now):
    entry_id = uuid.uuid4()
    services.medication_put(participant=alice, id=entry_id, data={"name": NAME, "times": ["08:00", "20:00"]})
    evening = Reminder.objects.get(kind="medication", local_time=dt.time(20))
    services.medication_put(participant=alice, id=entry_id, data={"name": NAME, "times": ["09:30", "20:00"]})
    assert planned(alice) == {(NAME, "09:30"): at(19, 9, 30), (NAME, "20:00"): at(18, 20)}
    assert Reminder.objects.get(kind="medication", local_time=dt.time(20)).pk == evening.pk


@pytest.mark.parametrize("change", ["stop", "no reminders", "delete"])
def test_stopping_turning_off_or_deleting_removes_its_reminders_only(alice, now, change):
    entry_id = uuid.uuid4()
    services.medication_put(participant=alice, id=entry_id, data={"name": NAME, "times": ["08:00", "20:00"]})
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": "Other", "times": ["13:00"]})
    if change == "delete":
        services.entry_delete(entry=Medication.objects.get(pk=entry_id))
    else:
        services.medication_put(participant=alice, id=entry_id, data={
            "name": NAME, "times": ["08:00", "20:00"], **({"active": False} if change == "stop" else {"remind": False})})
    assert planned(alice) == {("Other", "13:00"): at(18, 13)}


def test_other_reminder_settings_and_a_new_zone_keep_medication_reminders(alice, api, now):
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["20:00"]})
    reminders_only(alice, checkin_reminder_at=dt.time(21))
    assert planned(alice) == {(NAME, "20:00"): at(18, 20)}
    assert api.patch("/api/v1/me/", {"time_zone": "America/Los_Angeles"}, format="json").status_code == 200
    alice.refresh_from_db()
    # Still 20:00, now in Los Angeles (12:00 in New York is 09:00 there).
    assert planned(alice) == {(NAME, "20:00"): at(18, 20)}
    assert Reminder.objects.get(kind="medication").next_due_at == dt.datetime(2026, 11, 19, 4, tzinfo=UTC)


def test_a_closed_accounts_medication_reminders_are_off(alice, now):
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["20:00"]})
    alice.closed_at = NOW
    alice.save(update_fields=["closed_at"])
    reminders.reminders_sync(participant=alice)
    assert not Reminder.objects.get(kind="medication").enabled


# -- the words: never the name, on the lock screen or in an email


def tick_and_send():
    reminders.reminders_tick(enqueue=enqueue_sends)
    ids = list(Delivery.objects.filter(status="pending").values_list("pk", flat=True))
    send_deliveries(ids)
    return ids


@pytest.fixture
def sends_here(settings, local_push_service):
    settings.PUSH_SEND_CONCURRENCY = 1


def test_the_push_says_a_neutral_line_and_never_the_name(api, alice, now, sends_here):
    reminders_only(alice)
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["12:30"]})
    with PushService() as service:
        info = service.subscription()
        assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 201
        now.shift(dt.timedelta(minutes=31))
        assert len(tick_and_send()) == 1
        (received,) = service.delivered()
    assert (received.payload["title"], received.payload["body"], received.payload["url"]) == (
        "Steady", "A reminder you set for this time", "/checkin/")
    text = json.dumps(received.payload).lower()
    assert "sertraline" not in text and "50 mg" not in text
    assert Delivery.objects.get().status == "sent"


def test_the_email_says_a_neutral_line_and_never_the_name(alice, now, sends_here):
    reminders_only(alice)
    confirm_email(alice.user, "alice@example.org")
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["12:30"]})
    now.shift(dt.timedelta(minutes=31))
    tick_and_send()
    (message,) = mail.outbox
    assert message.subject == "A reminder from Steady"
    assert message.body.startswith("A reminder you set for this time.")
    for part in (message.subject, message.body):
        assert "Sertraline" not in part and "medication" not in part.lower()


def test_quiet_hours_hold_a_medication_reminder_like_any_other(alice, now, sends_here):
    reminders_only(alice, quiet_start=dt.time(12, 0), quiet_end=dt.time(13, 0))
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": NAME, "times": ["12:30"]})
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert Delivery.objects.get().status == "skipped"
