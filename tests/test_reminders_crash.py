"""When a worker dies and when a tick is replayed: a send it left half done is unknown (neither
sent nor failed, never repeated), the batch it held goes out again at the next tick, a live
worker's batch does not, and a due instant makes one delivery however often it is claimed."""

import datetime as dt
import threading

import pytest

from people import reminders_only
from tracker import care, reminders, triage
from tracker.models import Delivery, Participant, PushSubscription, Reminder, WorkerHeartbeat
from tracker.tasks import send_deliveries

UTC = dt.UTC


class Broker:
    """Stands in for tracker.tasks.enqueue_sends: what the tick handed out, batch by batch."""

    def __init__(self):
        self.batches = []

    def __call__(self, ids):
        self.batches.append(list(ids))


@pytest.fixture
def due(alice, now):
    """alice's 12:30 check-in reminder has come (12:31 in New York): one pending delivery."""
    reminders_only(alice, checkin_reminder_at=dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    return alice


def tick(broker):
    return reminders.reminders_tick(enqueue=broker)


def taken_by_a_worker_that_dies(monkeypatch, ids):
    """The real send task takes the batch, then its process is killed before it sends."""
    def killed(delivery_ids):
        raise SystemExit("SIGKILL")

    monkeypatch.setattr(reminders, "deliveries_load", killed)
    with pytest.raises(SystemExit):
        send_deliveries(ids)
    monkeypatch.undo()


def test_a_send_a_killed_worker_left_half_done_is_unknown_not_failed(due, now, alice_client):
    tick(Broker())
    Delivery.objects.update(status="sending", sending_since=dt.datetime.now(UTC))  # claimed; the worker died here
    now.shift(reminders.SENDING_STALE + dt.timedelta(minutes=1))
    assert tick(Broker()).given_up == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "unknown" and "may have arrived" in delivery.error
    assert alice_client.get("/reminders/").text.count("so it may or may not have arrived") == 1


def test_an_unknown_delivery_is_not_counted_as_failed(alice, now, carol_client):
    PushSubscription.objects.create(user=alice.user, endpoint="https://push.example/1", p256dh="k", auth="a")
    reminders_only(alice, checkin_reminder_at=dt.time(21))
    reminder = Reminder.objects.get(participant=alice)
    # One failed and one unknown in the last days: below the two failures that raise the flag.
    Delivery.objects.create(reminder=reminder, due_at=dt.datetime.now(UTC) - dt.timedelta(days=1), status="failed")
    Delivery.objects.create(reminder=reminder, due_at=dt.datetime.now(UTC) - dt.timedelta(days=2), status="unknown")
    found = {flag.key for flag in triage.caseload([Participant.objects.get(pk=alice.pk)])[0].flags}
    assert "reminders" not in found
    counts = care.overview(participant=alice, period=30).engagement
    assert (counts["failed"], counts["unknown"]) == (1, 1)
    page = carol_client.get(f"/care/participants/{alice.pk}/").text
    assert "<dt>Failed</dt><dd>1</dd>" in page and "<dt>Unknown</dt><dd>1</dd>" in page


def test_the_batch_of_a_worker_that_died_goes_out_again_at_the_next_tick(due, now, monkeypatch):
    broker = Broker()
    tick(broker)
    [ids] = broker.batches
    taken_by_a_worker_that_dies(monkeypatch, ids)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.worker == reminders.worker_name()
    now.shift(dt.timedelta(minutes=1))  # the next tick: the worker has been silent for a minute
    tick(broker)
    assert broker.batches == [ids, ids]
    assert Delivery.objects.get().worker == ""  # whoever takes it now says so


def test_a_batch_no_worker_took_goes_out_again_at_the_next_tick_not_sooner(due, now):
    broker = Broker()
    tick(broker)
    now.shift(dt.timedelta(seconds=30))
    tick(broker)
    assert len(broker.batches) == 1
    now.shift(dt.timedelta(seconds=30))
    tick(broker)
    assert len(broker.batches) == 2


def test_the_batch_of_a_live_worker_is_not_handed_out_again(due, now, monkeypatch):
    broker = Broker()
    tick(broker)
    taken_by_a_worker_that_dies(monkeypatch, broker.batches[0])
    for _ in range(4):  # ... but it lives on, sending, and beats every few seconds
        now.shift(dt.timedelta(minutes=1))
        reminders.worker_heartbeat(reminders.worker_name())
        tick(broker)
    assert len(broker.batches) == 1
    now.shift(dt.timedelta(minutes=1))  # then it stops: out again at the next tick
    tick(broker)
    assert len(broker.batches) == 2


def test_the_send_task_marks_its_batch_and_beats(due, now, settings):
    settings.PUSH_SEND_CONCURRENCY = 1  # sends in this thread, which sees the test's rows
    broker = Broker()
    tick(broker)
    send_deliveries(broker.batches[0])
    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.name == reminders.worker_name() and heartbeat.seen_at == dt.datetime.now(UTC)
    assert Delivery.objects.get().status == "failed"  # no phone, no email: a real failure
    now.shift(reminders.HEARTBEAT_KEPT + dt.timedelta(minutes=1))
    tick(broker)
    assert not WorkerHeartbeat.objects.exists()  # a day silent: the worker is long gone


def test_a_worker_beats_while_a_slow_batch_is_sending(due, now, settings, monkeypatch):
    settings.PUSH_SEND_CONCURRENCY = 2
    monkeypatch.setattr(reminders, "HEARTBEAT_EVERY", dt.timedelta(seconds=0.05))
    beats, beaten_again = [], threading.Event()
    beat = reminders.worker_heartbeat

    def counted_beat(name):
        beat(name)
        beats.append(name)
        if len(beats) >= 2:
            beaten_again.set()

    def slow_send(delivery_id, loaded):  # a push service that takes its time
        assert beaten_again.wait(timeout=10), "the worker did not beat while its batch was sending"

    monkeypatch.setattr(reminders, "worker_heartbeat", counted_beat)
    monkeypatch.setattr(reminders, "_send_in_thread", slow_send)
    broker = Broker()
    tick(broker)
    try:
        send_deliveries(broker.batches[0])
    finally:
        reminders.shutdown_send_pool()
    assert len(beats) >= 2 and set(beats) == {reminders.worker_name()}


def test_a_tick_replayed_over_the_same_due_instant_makes_no_second_delivery(due, now):
    tick(Broker())
    first = Delivery.objects.get()
    Reminder.objects.update(next_due_at=first.due_at)  # as if the claim had not been written
    tick(Broker())
    assert Delivery.objects.count() == 1
    assert Reminder.objects.get().next_due_at == first.due_at + dt.timedelta(days=1)

