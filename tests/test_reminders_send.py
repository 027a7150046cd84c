"""Sending reminders: a real Web Push round trip against a local push service that decrypts each
message with the subscription's private key, plus the tick's rules (quiet hours, snooze, grace,
missed) and at-most-once sending."""

import base64
import datetime as dt
import json
import logging
import socket
import threading
from urllib.parse import urlsplit

import kombu.pools
import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from people import confirm_email, reminders_only
from project.celery import app as celery_app
from tracker import push, reminders, services
from tracker.models import Delivery, PushSubscription, Reminder
from tracker.reminders import shutdown_send_pool
from tracker.tasks import enqueue_send_batches, enqueue_sends, send_deliveries

UTC = dt.UTC
pytestmark = pytest.mark.usefixtures("local_push_service", "sends_in_this_thread")


def subscribe(api, push_service, **behaviour):
    info = push_service.subscription(**behaviour)
    response = api.post("/api/v1/push-subscriptions/", info, format="json", HTTP_USER_AGENT="Test phone")
    assert response.status_code == 201
    return info


def daily(participant, at, **extra):
    reminders_only(participant, checkin_reminder_at=at, **extra)
    return Reminder.objects.get(participant=participant, kind="checkin")


def tick_and_send(now):
    reminders.reminders_tick(enqueue=enqueue_sends)
    ids = list(Delivery.objects.filter(status="pending", next_attempt_at__lte=dt.datetime.now(UTC))
               .values_list("pk", flat=True))
    send_deliveries(ids)
    return ids


def jwt_claims(authorization):
    token = authorization.split("t=")[1].split(",")[0]
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_reminder_reaches_the_push_service_encrypted_with_the_right_headers(api, alice, now, push_service):
    info = subscribe(api, push_service)
    reminder = daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    (received,) = push_service.delivered()
    assert received.payload["title"] == "Steady"
    assert received.payload["body"] == "Time for your check-in"
    assert received.payload["url"] == "/checkin/"
    delivery = Delivery.objects.get()
    assert reminders.delivery_for_token(received.payload["token"]) == delivery
    headers = {k.lower(): v for k, v in received.headers.items()}
    assert headers["ttl"] == str(settings.REMINDER_GRACE_SECONDS)
    assert headers["urgency"] == "normal"
    assert headers["topic"] == f"r{reminder.pk}"
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert f"k={push.public_key()}" in headers["authorization"]
    claims = jwt_claims(headers["authorization"])
    endpoint = urlsplit(info["endpoint"])
    assert claims["aud"] == f"{endpoint.scheme}://{endpoint.netloc}"
    assert claims["sub"] == settings.VAPID_SUBJECT and claims["sub"].startswith(("mailto:", "https:"))
    assert 0 < claims["exp"] - dt.datetime.now(UTC).timestamp() <= 24 * 3600
    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "push", 1)
    assert PushSubscription.objects.get().last_success_at is not None


def test_every_send_gets_a_fresh_claims_dict(api, alice, now, push_service):
    subscribe(api, push_service)
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    now.shift(dt.timedelta(days=1))
    tick_and_send(now)
    first, second = ({k.lower(): v for k, v in r.headers.items()} for r in push_service.delivered())
    assert jwt_claims(second["authorization"])["exp"] > jwt_claims(first["authorization"])["exp"]


def test_a_gone_subscription_is_removed_and_email_takes_over(api, alice, now, push_service):
    confirm_email(alice.user, "alice@example.org")
    subscribe(api, push_service, statuses=[410])
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    assert not PushSubscription.objects.exists()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.channel) == ("sent", "email")
    (message,) = mail.outbox
    assert message.subject == "A reminder from Steady"
    assert "check-in" in message.body and message.to == ["alice@example.org"]


def test_an_address_never_confirmed_gets_no_reminder(api, alice, now, push_service):
    # Typed on an invitation by staff, say: it may not be the person's, so nothing goes there.
    alice.user.email = "alice@example.org"
    alice.user.save()
    subscribe(api, push_service, statuses=[410])
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    assert mail.outbox == []
    assert Delivery.objects.get().status == "failed"
    # Confirmed for an older address only: still nothing.
    confirm_email(alice.user, "old@example.org")
    alice.user.email = "alice@example.org"
    alice.user.save()
    daily(alice, dt.time(12, 45))
    now.shift(dt.timedelta(minutes=15))
    tick_and_send(now)
    assert mail.outbox == []


def test_429_is_retried_after_its_retry_after(api, alice, now, push_service):
    subscribe(api, push_service, statuses=[429, 201], retry_after="120")
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == dt.datetime.now(UTC) + dt.timedelta(seconds=120)
    now.shift(dt.timedelta(seconds=60))
    assert tick_and_send(now) == []  # not yet
    now.shift(dt.timedelta(seconds=61))
    tick_and_send(now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(push_service.delivered()) == 1


def test_a_server_error_is_retried_with_backoff_then_email(api, alice, now, push_service):
    confirm_email(alice.user, "alice@example.org")
    subscribe(api, push_service, statuses=[503])
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    waits = []
    for _ in range(settings.REMINDER_MAX_ATTEMPTS):
        tick_and_send(now)
        delivery = Delivery.objects.get()
        if delivery.status != "pending":
            break
        waits.append((delivery.next_attempt_at - dt.datetime.now(UTC)).total_seconds())
        now.shift(delivery.next_attempt_at - dt.datetime.now(UTC))
    assert waits == [30, 60, 120, 240]
    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "email", 5)
    assert PushSubscription.objects.get().failures == 5


def test_with_no_way_to_reach_the_person_the_delivery_fails_and_says_why(alice, now):
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "no notification subscription" in delivery.error


def test_a_delivery_is_sent_at_most_once_however_often_it_is_handed_over(api, alice, now, push_service):
    subscribe(api, push_service)
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    ids = tick_and_send(now)
    send_deliveries(ids)  # the broker redelivers the same message
    reminders.reminders_tick(enqueue=enqueue_sends)  # a replayed tick
    assert len(push_service.delivered()) == 1
    assert Delivery.objects.count() == 1


def test_a_send_left_half_done_by_a_killed_worker_is_given_up_not_repeated(alice, now):
    reminder = daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    Delivery.objects.update(status="sending", sending_since=dt.datetime.now(UTC))  # the worker died here
    now.shift(dt.timedelta(minutes=11))
    result = reminders.reminders_tick(enqueue=enqueue_sends)
    assert result.given_up == 1
    delivery = Delivery.objects.get(reminder=reminder)
    assert delivery.status == "unknown" and "not repeated" in delivery.error  # it may have arrived


def test_quiet_hours_skip_a_reminder(alice, now):
    daily(alice, dt.time(23), quiet_start=dt.time(22), quiet_end=dt.time(7))
    now.shift(dt.timedelta(hours=11, minutes=5))  # 23:05 in New York
    reminders.reminders_tick(enqueue=enqueue_sends)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error) == ("skipped", "quiet hours")
    daily(alice, dt.time(21), quiet_start=dt.time(22), quiet_end=dt.time(7))
    now.shift(dt.timedelta(hours=22))  # 21:05 the next evening
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert Delivery.objects.order_by("-due_at").first().status == "pending"


@pytest.mark.parametrize("late, status", [(dt.timedelta(minutes=90), "pending"), (dt.timedelta(hours=2, minutes=30), "missed")])
def test_a_reminder_due_while_steady_was_down_is_sent_within_grace_else_missed(alice, now, late, status):
    daily(alice, dt.time(12, 30))  # due 17:30 UTC
    now.shift(dt.timedelta(minutes=30) + late)
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert Delivery.objects.get().status == status


def test_after_a_day_down_yesterdays_is_missed_and_todays_is_sent(alice, now):
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(days=1, minutes=45))  # 12:45 the next day in New York
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert list(Delivery.objects.order_by("due_at").values_list("status", flat=True)) == ["missed", "pending"]
    assert Reminder.objects.get().next_due_at == dt.datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


def test_snooze_with_the_notifications_token_fires_again_in_30_minutes(alice, now):
    reminder = daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    token = reminders.payload_for(Delivery.objects.get())["token"]
    worker = APIClient(enforce_csrf_checks=True)  # a service worker: no session, no CSRF cookie
    response = worker.post("/api/v1/reminders/snooze/", {"token": token}, format="json")
    assert response.status_code == 200
    reminder.refresh_from_db()
    snoozed = dt.datetime.now(UTC) + dt.timedelta(minutes=30)
    assert reminder.next_due_at == reminder.snoozed_until == snoozed
    now.shift(dt.timedelta(minutes=30))
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert list(Delivery.objects.order_by("due_at").values_list("due_at", flat=True))[-1] == snoozed
    reminder.refresh_from_db()
    assert reminder.next_due_at == dt.datetime(2026, 11, 19, 17, 30, tzinfo=UTC) and reminder.snoozed_until is None


def test_a_bad_or_old_token_is_refused(alice, now):
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    token = reminders.payload_for(Delivery.objects.get())["token"]
    client = APIClient()
    assert client.post("/api/v1/reminders/snooze/", {"token": token[:-2] + "xx"}, format="json").status_code == 404
    now.shift(dt.timedelta(hours=13))
    assert client.post("/api/v1/reminders/snooze/", {"token": token}, format="json").status_code == 404


def first_notification(participant, now):
    """A daily reminder at 12:30 New York time fired once; the notification's token."""
    reminder = daily(participant, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    return reminder, reminders.payload_for(Delivery.objects.get())["token"]


def snooze(token):
    return APIClient(enforce_csrf_checks=True).post("/api/v1/reminders/snooze/", {"token": token}, format="json")


def test_a_snooze_token_does_not_revive_a_closed_accounts_reminders(alice, now):
    reminder, token = first_notification(alice, now)
    closing = Client()
    closing.force_login(alice.user)
    assert "Your account is closed" in closing.post("/settings/close/", {"password": "alice-password-1"}).text
    assert snooze(token).status_code == 404
    reminder.refresh_from_db()
    assert not reminder.enabled and reminder.snoozed_until is None
    # Tomorrow, and 30 minutes after the snooze: nothing is written, nothing is due.
    for later in (dt.timedelta(minutes=30), dt.timedelta(days=1)):
        now.shift(later)
        reminders.reminders_tick(enqueue=enqueue_sends)
    assert Delivery.objects.count() == 1


def test_a_deactivated_account_gets_nothing_whoever_turned_it_off(alice, now, api, push_service):
    subscribe(api, push_service)
    reminder, token = first_notification(alice, now)
    pending = Delivery.objects.get()
    alice.user.is_active = False   # e.g. on the admin site: subscriptions and rows stay
    alice.user.save()
    assert snooze(token).status_code == 404
    send_deliveries([pending.pk])   # the worker gets the delivery the tick wrote before
    pending.refresh_from_db()
    assert pending.status == "failed" and "not sent" in pending.error and push_service.delivered() == []
    # Even with the reminder row turned on again by hand, the tick fires nothing for the account.
    Reminder.objects.filter(pk=reminder.pk).update(enabled=True, next_due_at=dt.datetime.now(UTC))
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert Delivery.objects.count() == 1


def test_a_snooze_never_turns_on_a_reminder_that_is_off(alice, now):
    reminder, token = first_notification(alice, now)
    Reminder.objects.filter(pk=reminder.pk).update(enabled=False)
    assert snooze(token).status_code == 404
    reminder.refresh_from_db()
    assert not reminder.enabled and reminder.snoozed_until is None


def test_a_snooze_token_acts_once_and_only_on_its_own_notification(alice, now):
    reminder, token = first_notification(alice, now)
    snoozed = dt.datetime.now(UTC) + dt.timedelta(minutes=30)   # 18:01 UTC
    assert snooze(token).json() == {"next_due_at": "2026-11-18T18:01:00Z"}
    now.shift(dt.timedelta(minutes=10))
    # Tapped again 10 minutes later: the same snooze, not one 30 minutes from now.
    again = snooze(token)
    assert again.status_code == 200 and again.json() == {"next_due_at": "2026-11-18T18:01:00Z"}
    reminder.refresh_from_db()
    assert reminder.next_due_at == reminder.snoozed_until == snoozed
    now.shift(dt.timedelta(minutes=20))
    reminders.reminders_tick(enqueue=enqueue_sends)   # the snooze fires: a second notification
    assert Delivery.objects.count() == 2
    # The first notification's token is now stale: it cannot snooze the second one.
    assert snooze(token).status_code == 404
    reminder.refresh_from_db()
    assert reminder.next_due_at == dt.datetime(2026, 11, 19, 17, 30, tzinfo=UTC) and reminder.snoozed_until is None


def test_a_test_notification_can_be_snoozed_once_and_then_stays_quiet(alice, alice_client, now):
    alice_client.post("/reminders/", {"action": "test"})
    delivery = Delivery.objects.get(reminder__kind="test")
    assert snooze(reminders.payload_for(delivery)["token"]).status_code == 200
    now.shift(dt.timedelta(minutes=30))
    reminders.reminders_tick(enqueue=enqueue_sends)
    assert Delivery.objects.filter(reminder__kind="test").count() == 2
    assert Reminder.objects.get(kind="test").next_due_at is None     # no time of its own


def test_opening_a_notification_is_recorded(alice, now):
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    token = reminders.payload_for(Delivery.objects.get())["token"]
    assert APIClient().post("/api/v1/reminders/opened/", {"token": token}, format="json").status_code == 204
    assert Delivery.objects.get().opened_at == dt.datetime.now(UTC)


def test_the_reminders_page_sets_times_and_sends_a_test(alice_client, alice, now, push_service, api):
    subscribe(api, push_service)
    alice_client.post("/reminders/", {"checkin_reminder_at": "19:15", "high_risk_lead_min": "15",
                                      "quiet_start": "22:00", "quiet_end": "07:00", "remind_by_push": "on"})
    alice.refresh_from_db()
    # alice has no email, so "by email" is not offered and stays as it was.
    assert (alice.checkin_reminder_at, alice.high_risk_lead_min, alice.remind_by_email) == (dt.time(19, 15), 15, True)
    assert Reminder.objects.get(kind="checkin").next_due_at == dt.datetime(2026, 11, 19, 0, 15, tzinfo=UTC)
    page = alice_client.get("/reminders/").text
    assert "Daily check-in" in page and "Wed 18 Nov, 19:15" in page
    alice_client.post("/reminders/", {"action": "test"})
    delivery = Delivery.objects.get(reminder__kind="test")
    send_deliveries([delivery.pk])
    assert push_service.delivered()[0].payload["body"] == "This is a test notification"


@pytest.fixture
def broker_down():
    """The Celery app's broker is a local port nobody listens on: Redis is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    old_url = celery_app.conf.broker_url

    def use(url):
        celery_app.conf.broker_url = url
        kombu.pools.reset()   # drop pooled connections, so the next publish uses this URL
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    use(f"redis://127.0.0.1:{port}/0")
    yield
    use(old_url)


def warnings_and_worse(caplog):
    return [(r.name, r.levelname, r.getMessage(), r.exc_info) for r in caplog.records if r.levelno >= logging.WARNING]


def test_with_the_broker_down_a_test_notification_logs_one_warning_and_waits(
        alice_client, now, broker_down, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        assert alice_client.post("/reminders/", {"action": "test"}).status_code == 302
    ((name, level, message, exc_info),) = warnings_and_worse(caplog)
    assert (name, level, exc_info) == ("tracker.reminders", "WARNING", None)
    assert message.startswith("reminders: could not reach the broker (") and message.endswith("; 1 deliveries wait")
    assert "Traceback" not in caplog.text and "IndexError" not in caplog.text
    delivery = Delivery.objects.get(reminder__kind="test")
    assert (delivery.status, delivery.enqueued_at) == ("pending", None)   # the next tick hands it over


def test_with_the_broker_down_the_tick_logs_one_warning_and_the_delivery_waits(alice, now, broker_down, caplog):
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    with caplog.at_level(logging.INFO):
        result = reminders.reminders_tick(enqueue=enqueue_sends)
    assert (result.pending, result.enqueued) == (1, 0)
    ((name, level, _message, exc_info),) = warnings_and_worse(caplog)
    assert (name, level, exc_info) == ("tracker.reminders", "WARNING", None)
    assert (Delivery.objects.get().status, Delivery.objects.get().enqueued_at) == ("pending", None)


def due_now(participant, count):
    """`count` one-off reminders that came a minute ago: as many pending deliveries at the next tick."""
    moment = dt.datetime.now(UTC)
    Reminder.objects.bulk_create([
        Reminder(participant=participant, kind="task", local_time=dt.time(9), on_date=moment.date(),
                 next_due_at=moment - dt.timedelta(minutes=1)) for _ in range(count)])


def test_the_tick_hands_everything_over_in_one_go_a_message_per_batch(alice, now):
    due_now(alice, 5)
    messages = []
    with celery_app.connection_for_write() as conn:
        queue = conn.SimpleQueue("celery")
        try:
            queue.clear()
            result = reminders.reminders_tick(enqueue=enqueue_sends, enqueue_many=enqueue_send_batches, chunk_size=2)
            assert (result.pending, result.enqueued) == (5, 5)
            for _ in range(3):
                message = queue.get(timeout=5)
                message.ack()
                messages.append(message)
            with pytest.raises(queue.Empty):  # three messages, no more
                queue.get(block=False)
        finally:
            queue.close()
    assert {m.headers["task"] for m in messages} == {"tracker.tasks.send_deliveries"}
    handed_over = [m.payload[0][0] for m in messages]
    assert sorted(len(ids) for ids in handed_over) == [1, 2, 2]
    assert sorted(pk for ids in handed_over for pk in ids) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert sorted(m.headers["argsrepr"] for m in messages) == ["([1 delivery ids],)", "([2 delivery ids],)",
                                                                 "([2 delivery ids],)"]
    assert Delivery.objects.filter(enqueued_at=dt.datetime.now(UTC)).count() == 5


def test_with_the_broker_down_the_tick_in_one_go_logs_one_warning_and_all_wait(alice, now, broker_down, caplog):
    due_now(alice, 3)
    with caplog.at_level(logging.INFO):
        result = reminders.reminders_tick(enqueue=enqueue_sends, enqueue_many=enqueue_send_batches, chunk_size=2)
    assert (result.pending, result.enqueued) == (3, 0)
    ((name, level, message, exc_info),) = warnings_and_worse(caplog)
    assert (name, level, exc_info) == ("tracker.reminders", "WARNING", None)
    assert message.endswith("; 3 deliveries wait")
    assert list(Delivery.objects.values_list("status", "enqueued_at")) == [("pending", None)] * 3


def test_push_subscriptions_are_added_moved_and_removed(api, bob_api, alice, bob, push_service):
    info = push_service.subscription()
    assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 201
    assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 200
    # Bob signs in on the same browser: the subscription is his now, not Alice's.
    assert bob_api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 200
    assert PushSubscription.objects.get().user == bob.user
    assert api.delete("/api/v1/push-subscriptions/", {"endpoint": info["endpoint"]}, format="json").status_code == 404
    assert bob_api.delete("/api/v1/push-subscriptions/", {"endpoint": info["endpoint"]}, format="json").status_code == 204
    bad = api.post("/api/v1/push-subscriptions/", {"endpoint": "not a url", "keys": {}}, format="json")
    assert bad.status_code == 400 and {"endpoint", "keys"} <= set(bad.json())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_give_one_delivery_and_one_push_each(alice, push_service, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    settings.PUSH_SEND_CONCURRENCY = 8
    info = push_service.subscription()
    services.push_subscription_save(user=alice.user, endpoint=info["endpoint"], keys=info["keys"])
    now = dt.datetime.now(UTC)
    Reminder.objects.bulk_create([
        Reminder(participant=alice, kind="task", local_time=dt.time(9), on_date=dt.date(2026, 1, 1),
                 next_due_at=now - dt.timedelta(seconds=n)) for n in range(300)
    ])
    barrier = threading.Barrier(2)
    results = []

    def tick():
        try:
            barrier.wait()
            results.append(reminders.reminders_tick(enqueue=enqueue_sends, now=now, batch_size=50))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.claimed for r in results) == 300
    assert Delivery.objects.count() == 300
    assert Delivery.objects.values("reminder").distinct().count() == 300
    ids = list(Delivery.objects.values_list("pk", flat=True))

    def send():
        try:
            send_deliveries(ids)
        finally:
            connections.close_all()

    senders = [threading.Thread(target=send) for _ in range(2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    shutdown_send_pool()
    assert len(push_service.delivered()) == 300
    assert Delivery.objects.filter(status="sent").count() == 300


def test_a_failed_email_is_tried_again_later_not_lost(alice, now, settings):
    confirm_email(alice.user, "alice@example.org")
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}  # nothing listens
    daily(alice, dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    tick_and_send(now)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "email failed" in delivery.error
