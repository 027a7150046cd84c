"""The whole path with real parts: the tick publishes to a real Redis, a real Celery worker
process sends, and the local push service receives. Then Redis goes down and comes back:
check-ins still save, and the reminder due meanwhile is sent once Redis is back, once.

Needs PostgreSQL (the worker process must see the test's rows) and redis-server; CI has both.
This test runs its own Redis on a free port, so stopping it disturbs nothing else.
"""

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from project.celery import app as celery_app
from pushservice import PushService
from tracker import reminders, services
from tracker.tasks import enqueue_sends
from tracker.models import CheckIn, Delivery, Reminder

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_push_service")]


def wait_for(check, what, timeout=60, every=0.1):
    """Until check() is true; fails after `timeout` seconds, saying what it waited for."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(every)


def worker_answers():
    return bool(celery_app.control.ping(timeout=1))


def worker_idle():
    inspect = celery_app.control.inspect(timeout=1)
    busy = [inspect.active(), inspect.reserved(), inspect.scheduled()]
    return all(answer is not None and not any(answer.values()) for answer in busy)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def answers():
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
            return False

        wait_for(answers, f"redis-server to listen on port {self.port}", timeout=5, every=0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def reset_celery_connections():
    """Drop the process's broker connection pools, so the next publish uses the broker URL set now."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_server():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must see the test's rows")
    server = RedisServer()
    if server.binary is None:
        pytest.skip("needs redis-server")
    server.start()
    old_url = celery_app.conf.broker_url
    celery_app.conf.broker_url = server.url
    reset_celery_connections()
    yield server
    celery_app.conf.broker_url = old_url
    reset_celery_connections()
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def worker(redis_server):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": settings.SECRET_KEY,
        "STEADY_VAR_DIR": str(settings.VAR_DIR),
        "DEBUG": "",
        "PUSH_ALLOW_LOCAL_SERVICE": "1",  # the local push service, as the test process has it (conftest)
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool", "threads", "--concurrency", "4",
         "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def started():
        assert process.poll() is None, process.stdout.read()
        return worker_answers()

    wait_for(started, "the Celery worker to answer a ping", every=0)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def due_now(participant):
    return Reminder.objects.create(participant=participant, kind="task", local_time=dt.time(9),
                                   on_date=dt.date(2026, 1, 1), next_due_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))


def test_a_due_reminder_goes_from_the_tick_through_redis_and_a_worker_to_the_push_service(alice, worker):
    with PushService() as push_service:
        info = push_service.subscription()
        services.push_subscription_save(user=alice.user, endpoint=info["endpoint"], keys=info["keys"])
        due_now(alice)
        result = reminders.reminders_tick(enqueue=enqueue_sends)
        assert result.enqueued == 1
        (received,) = push_service.wait_for(1)
        assert received.payload["body"] == "A small task for today"
        wait_for(lambda: Delivery.objects.get().status == "sent", "the worker to record the delivery as sent", timeout=10)


def test_with_redis_down_check_ins_save_and_reminders_go_out_once_it_is_back(alice, api, worker, redis_server):
    with PushService() as push_service:
        info = push_service.subscription()
        services.push_subscription_save(user=alice.user, endpoint=info["endpoint"], keys=info["keys"])
        redis_server.stop()
        today = alice.local_today().isoformat()
        response = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": today, "stress": 3}, format="json")
        assert response.status_code == 201
        assert CheckIn.objects.count() == 1
        due_now(alice)
        result = reminders.reminders_tick(enqueue=enqueue_sends)
        assert (result.claimed, result.enqueued) == (1, 0)
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.enqueued_at) == ("pending", None)

        redis_server.start()
        wait_for(worker_answers, "the worker to reconnect to Redis by itself", every=0)
        assert reminders.reminders_tick(enqueue=enqueue_sends).enqueued == 1
        assert len(push_service.wait_for(1)) == 1
        wait_for(lambda: Delivery.objects.get().status == "sent", "the worker to record the delivery as sent", timeout=10)
        # Replayed ticks hand nothing over again; once the queue is empty and the worker idle,
        # nothing is left that could send a second time.
        for _ in range(3):
            assert reminders.reminders_tick(enqueue=enqueue_sends).enqueued == 0
        with redis.Redis.from_url(redis_server.url) as broker:
            wait_for(lambda: broker.llen("celery") == 0 and worker_idle(),
                     "the queue to empty and the worker to go idle", timeout=10)
        assert len(push_service.delivered()) == 1
        delivery.refresh_from_db()
        assert delivery.status == "sent"
