"""Settings: a time zone found by city, a password change, an email confirmed by a link; the
reminders page's choices; history in plain sentences."""

import datetime as dt
import re
import uuid

import time_machine
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token

from tracker import services
from tracker.models import Participant


def test_the_time_zone_is_picked_by_city_and_checked_on_the_server(alice_client, alice):
    page = alice_client.get("/settings/").text
    assert '<option value="America/New_York">New York (America)</option>' in page
    assert '<option value="America/Argentina/Buenos_Aires">Buenos Aires (America, Argentina)</option>' in page
    alice_client.post("/settings/", {"time_zone": "Europe/Madrid"})
    assert Participant.objects.get(pk=alice.pk).time_zone == "Europe/Madrid"
    alice_client.post("/settings/", {"time_zone": "denver"})   # a city typed without the list
    assert Participant.objects.get(pk=alice.pk).time_zone == "America/Denver"
    response = alice_client.post("/settings/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "is not a time zone we know" in response.text
    assert 'value="Mars/Olympus"' in response.text
    assert Participant.objects.get(pk=alice.pk).time_zone == "America/Denver"


def confirm_link(message):
    return re.search(r"http://testserver(/settings/email/confirm/[^/\s]+/)", message.body).group(1)


def test_an_email_is_stored_only_once_its_link_is_opened(alice_client, alice):
    response = alice_client.post("/settings/email/", {"email": "alice@example.org"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "Confirm your email for Steady" and message.to == ["alice@example.org"]
    alice.user.refresh_from_db()
    assert alice.user.email == ""
    assert "Add an email in Settings" in alice_client.get("/reminders/").text   # not offered yet
    link = confirm_link(message)
    assert alice_client.get(link).status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.email == "alice@example.org"
    assert 'name="remind_by_email"' in alice_client.get("/reminders/").text
    # A newer change makes the older link useless: it cannot put back the address it named.
    alice_client.post("/settings/email/", {"email": "new@example.org"})
    alice_client.get(confirm_link(mail.outbox[1]))
    assert alice_client.get(link).status_code == 400
    alice.user.refresh_from_db()
    assert alice.user.email == "new@example.org"


def test_a_changed_expired_or_someone_elses_email_link_changes_nothing(alice_client, alice, bob):
    alice_client.post("/settings/email/", {"email": "alice@example.org"})
    link = confirm_link(mail.outbox[0])
    tampered = link.replace("/confirm/", "/confirm/x")
    assert alice_client.get(tampered).status_code == 400
    bob_client = Client()
    bob_client.force_login(bob.user)
    assert bob_client.get(link).status_code == 400
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2, minutes=1)):
        response = alice_client.get(link)
    assert response.status_code == 400 and "more than 2 days old" in response.text
    alice.user.refresh_from_db()
    bob.user.refresh_from_db()
    assert alice.user.email == "" and bob.user.email == ""
    bad = alice_client.post("/settings/email/", {"email": "not an address"})
    assert bad.status_code == 200 and "valid email" in bad.text and 'value="not an address"' in bad.text
    assert len(mail.outbox) == 1


def test_a_password_change_needs_the_current_one_and_signs_out_other_devices(alice_client, alice):
    other = Client()
    other.force_login(alice.user)
    token = Token.objects.create(user=alice.user)
    wrong = alice_client.post("/settings/password/", {"old_password": "nope", "new_password1": "a-new-long-pass-42",
                                                      "new_password2": "a-new-long-pass-42"})
    assert wrong.status_code == 200 and "incorrectly" in wrong.text
    assert other.get("/settings/").status_code == 200
    response = alice_client.post("/settings/password/", {"old_password": "alice-password-1",
                                                         "new_password1": "a-new-long-pass-42",
                                                         "new_password2": "a-new-long-pass-42"})
    assert response.status_code == 302 and response.url == "/settings/"
    alice.user.refresh_from_db()
    assert alice.user.check_password("a-new-long-pass-42")
    assert alice_client.get("/settings/").status_code == 200           # this device stays signed in
    assert other.get("/settings/").status_code == 302                  # the other one is signed out
    assert not Token.objects.filter(pk=token.pk).exists()


def test_reminders_offer_lead_times_and_email_only_with_an_address(alice_client, alice):
    page = alice_client.get("/reminders/").text
    assert 'name="remind_by_email"' not in page and "Add an email in Settings</a> to get reminders by email" in page
    assert [m for m in re.findall(r'name="high_risk_lead_min" value="(\d*)"', page)] == ["", "0", "15", "30", "60"]
    assert 'id="test-notification" hidden' in page     # the phone's script shows it when notifications are on
    alice_client.post("/reminders/", {"high_risk_lead_min": "30", "remind_by_push": "on"})
    alice.refresh_from_db()
    assert alice.high_risk_lead_min == 30 and alice.remind_by_email is True   # not offered, so not changed
    alice_client.post("/reminders/", {"high_risk_lead_min": "", "remind_by_push": "on"})
    alice.refresh_from_db()
    assert alice.high_risk_lead_min is None
    bad = alice_client.post("/reminders/", {"high_risk_lead_min": "45", "remind_by_push": "on"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.text


def test_an_address_typed_by_staff_is_not_offered_until_the_person_confirms_it(alice_client, alice):
    alice.user.email = "alice@example.org"   # as an invitation stores it
    alice.user.save()
    assert "not confirmed yet" in alice_client.get("/settings/").text
    assert 'name="remind_by_email"' not in alice_client.get("/reminders/").text
    alice_client.post("/settings/email/", {"email": "alice@example.org"})
    alice_client.get(confirm_link(mail.outbox[-1]))
    assert "not confirmed yet" not in alice_client.get("/settings/").text
    assert 'name="remind_by_email"' in alice_client.get("/reminders/").text


def test_a_lead_time_set_another_way_stays_valid(alice_client, alice):
    services.reminder_settings_update(participant=alice, data={"high_risk_lead_min": 45})  # the API allows 0-240
    page = alice_client.get("/reminders/").text
    assert re.search(r'value="45"[^>]*checked', page)
    alice_client.post("/reminders/", {"high_risk_lead_min": "45", "checkin_reminder_at": "21:00", "remind_by_push": "on"})
    alice.refresh_from_db()
    assert (alice.high_risk_lead_min, alice.checkin_reminder_at) == (45, dt.time(21, 0))


def test_history_reads_as_sentences_with_one_link_per_entry(alice_client, alice, now):
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, 17, 2, 0, tzinfo=dt.UTC), "intensity": 6, "duration_min": 15,
        "outcome": "reached_out"})
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": dt.date(2026, 11, 18), "in_bed_at": dt.time(23, 0), "final_wake_at": dt.time(7, 0), "stress": 3,
        "sleep_quality": 4, "small_win": "Went to group"})
    page = alice_client.get("/history/").text
    # 02:00 UTC on the 17th is 21:00 on Mon 16 Nov in New York.
    monday = page.split("<h2>Mon 16 Nov</h2>")[1].split("</li>\n    </ul>")[0]
    assert "Strength 6 of 10, lasted 15 min. I reached out." in monday and "i reached out" not in page
    assert '<time datetime="21:00" data-clock>21:00</time>' in monday
    wednesday = page.split("<h2>Wed 18 Nov</h2>")[1].split("</ul>")[0]
    assert "Slept 8 h. Sleep: Good. Stress 3 of 10." in wednesday and "Win: Went to group" in wednesday
    assert wednesday.count("<a ") == 1     # the entry's one link; its summary is plain text
