"""Each person hears from Steady in their own language, whoever caused it: a reminder or notice is
written by the worker in the recipient's language (not the language of the counselor whose action
caused it, nor the worker's), and so are the emails (a reminder by email, the password reset, the
email confirmation) and the API's errors (Accept-Language for an anonymous call, the token owner's
own language for a token call; the framework's own messages from Django's and DRF's catalogs).

The expected Spanish is what gettext gives under translation.override("es"), asserted to differ
from the English: these tests pass only with the Spanish catalog in place."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from people import confirm_email, reminders_only
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from signin import verified_login
from test_reminders_send import subscribe, tick_and_send

from tracker import accounts, reminders, schedule
from tracker.models import Delivery, Group, GroupMembership, Reminder

UTC = dt.UTC
pytestmark = pytest.mark.usefixtures("local_push_service", "sends_in_this_thread")


def spanish(english, **values):
    """The Spanish of an English msgid (as the catalog has it), checked to be a translation."""
    with translation.override("es"):
        words = gettext(english)
    assert words != english, f"no Spanish for {english!r} in the catalog"
    return words % values if values else words


def english(msgid, **values):
    with translation.override("en"):
        words = gettext(msgid)
    return words % values if values else words


@pytest.fixture
def languages(carol, alice):
    """carol, the counselor (a program admin), reads Steady in English; alice in Spanish."""
    carol.is_program_admin = True
    carol.save()
    accounts.set_language(carol.user, "en")
    accounts.set_language(alice.user, "es")


def test_a_session_cancelled_by_an_english_speaking_counselor_reaches_a_spanish_speaking_member_in_spanish(
        program, carol, alice, api, now, push_service, languages):
    subscribe(api, push_service)
    reminders_only(alice)
    group = Group.objects.create(program=program, name="Evening group", weekdays=[0], start_time=dt.time(18),
                                 length_min=180, active_from=dt.date(2026, 1, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 1, 1))
    schedule.plan_sessions(program, dt.datetime.now(UTC), weeks=1)
    session = group.sessions.get(planned_for=dt.date(2026, 11, 23))
    counselor = verified_login(Client(), carol.user)
    response = counselor.post(f"/care/groups/sessions/{session.pk}/",
                              {"action": "cancel", "cancel_reason": "Facilitator ill"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    # The worker runs in English (the site's language, or whatever the last request left active).
    with translation.override("en"):
        tick_and_send(now)
    (received,) = push_service.delivered()
    expected = spanish("A change to your schedule")
    assert received.payload["body"] == expected != english("A change to your schedule")
    assert received.payload["actions"] == [{"action": "open", "title": spanish("Log now")},
                                           {"action": "snooze", "title": spanish("Snooze 30 min")}]
    assert Delivery.objects.get().reminder.kind == Reminder.Kind.SCHEDULE_CHANGE


def test_a_session_reminder_says_its_time_in_the_persons_language(program, alice, now, languages):
    alice.session_reminder = "60"
    alice.save()
    reminders_only(alice)
    group = Group.objects.create(program=program, name="Evening group", weekdays=[4], start_time=dt.time(18),
                                 length_min=180, active_from=dt.date(2026, 1, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 1, 1))
    schedule.plan_sessions(program, dt.datetime.now(UTC), weeks=1)
    due = dt.datetime(2026, 11, 20, 22, tzinfo=UTC)  # an hour before Friday's 18:00 in New York
    delivery = Delivery.objects.create(reminder=Reminder.objects.get(participant=alice, kind=Reminder.Kind.SESSION),
                                       due_at=due, next_attempt_at=due)
    with translation.override("es"):
        body = reminders.payload_for(delivery)["body"]
    assert body == spanish("Coming up at %(time)s", time="18:00") != english("Coming up at %(time)s", time="18:00")


def test_a_reminder_by_email_is_in_the_recipients_language(alice, now, languages):
    reminders_only(alice, checkin_reminder_at=dt.time(12, 30))
    alice.remind_by_push, alice.remind_by_email = False, True
    alice.save()
    confirm_email(alice.user, "alice@example.org")
    now.shift(dt.timedelta(minutes=31))
    with translation.override("en"):
        tick_and_send(now)
    (sent,) = mail.outbox
    assert sent.subject == spanish("A reminder from Steady") != english("A reminder from Steady")
    assert sent.body.startswith(spanish("Time for your check-in") + ".")
    assert Delivery.objects.get().status == "sent"


def test_an_urgent_notice_reaches_each_counselor_in_their_own_language(program, carol, alice, languages):
    from people import make_user

    from tracker import urgent
    from tracker.models import Counselor

    carol.user.email = "carol@example.org"
    carol.user.save()
    rosa = Counselor.objects.create(user=make_user("rosa", email="rosa@example.org"), program=program)
    accounts.set_language(rosa.user, "es")
    alice.care_team.add(rosa)
    alert = urgent._raise(alice, urgent.TALK_FLAG, "talk:1")
    with translation.override("en"):
        urgent.alert_send(alert_id=alert.pk)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    msgid = "Someone on your caseload needs a look"
    assert subjects == {"carol@example.org": english(msgid), "rosa@example.org": spanish(msgid)}


def test_the_password_reset_email_is_in_the_account_holders_language(alice, languages):
    confirm_email(alice.user, "alice@example.org")
    response = Client().post("/password-reset/", {"email": "alice@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.subject == spanish("Your Steady password") != english("Your Steady password")
    assert sent.body.startswith(spanish("Hello,"))
    assert spanish("If it wasn't you, ignore this email: nothing changes.") in sent.body
    assert re.search(r"http://\S+/password-reset/\S+/\S+/", sent.body)


def test_the_email_confirmation_is_in_the_account_holders_language(alice, languages):
    with translation.override("en"):  # whatever the page's language, the email is the person's
        accounts.email_change_request(user=alice.user, email="alice@example.org",
                                      link_for=lambda token: f"https://steady.example/confirm/{token}/")
    (sent,) = mail.outbox
    assert sent.subject == spanish("Confirm your email for Steady") != english("Confirm your email for Steady")
    with translation.override("es"):
        assert sent.body.startswith(str(accounts.EMAIL_CONFIRM_BODY).split("%(link)s")[0])
    assert sent.to == ["alice@example.org"]


def test_an_anonymous_api_call_answers_in_the_accept_language(alice):
    client = APIClient()
    bad = client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json",
                      HTTP_ACCEPT_LANGUAGE="es")
    assert bad.status_code == 400
    refused = "Unable to log in with provided credentials."
    assert bad.json()["non_field_errors"] == [spanish(refused)]
    missing = client.post("/api/v1/auth/token/", {"username": "alice"}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert missing.status_code == 400
    assert missing.json()["password"] == [spanish("This field is required.")]
    english_answer = client.post("/api/v1/auth/token/", {"username": "alice"}, format="json",
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert english_answer.json()["password"] == ["This field is required."]


def test_a_token_call_answers_in_the_token_owners_language(alice, languages):
    token = Token.objects.create(user=alice.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    answer = client.put("/api/v1/urges/7b0e1a34-8a36-4f59-9a3e-2f6f1f0a7c11/",
                        {"occurred_at": "2026-11-18T11:30:00-05:00", "intensity": 11}, format="json",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json()["intensity"] == [spanish("Pick how strong it was, from 0 to 10.")]
    missing = client.get("/api/v1/urges/7b0e1a34-8a36-4f59-9a3e-2f6f1f0a7c11/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert missing.json()["detail"] == spanish("No such entry.")



@pytest.mark.parametrize("language", ["en", "es"])
def test_every_export_carries_the_part2_notice_in_english_and_spanish(alice, carol, language):
    from tracker import exports

    with translation.override(language):
        header = exports.care_export_header(participant=alice, user=carol.user)
        rows = list(exports.care_export_csv_rows(participant=alice, user=carol.user))
    for notice in (header["notice"], rows[0][3]):
        assert exports.PART2_NOTICE_EN in notice and exports.PART2_NOTICE_ES in notice
        assert "42 CFR part 2" in notice and "42 CFR parte 2" in notice
