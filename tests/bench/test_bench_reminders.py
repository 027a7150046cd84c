"""Benchmark of the reminders engine on PostgreSQL. Run with `make bench` (not part of `make test`).

Prints figures; asserts only that the work was done. Record results in docs/performance.md.
- the tick (claim + write deliveries + advance + enqueue) with 1,000,000 reminders: none due,
  1% due (10,000) and 10% due (100,000); and 10,000 due among 100,000 rows;
- sends per second from one worker machine (a real Celery worker, 2 processes) against a local
  push service that answers after 50 ms.
"""

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
from django.db import connection

from project.celery import app as celery_app
from pushservice import PushService
from tracker import reminders, services
from tracker.tasks import enqueue_send_batches, enqueue_sends
from tracker.models import Delivery, Participant, Program, PushSubscription, Reminder

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 1000


def say(*parts):
    print(*parts, flush=True)


def seed(total):
    """`total` reminders over PEOPLE participants, all due in the future."""
    say(f"seeding {total:,} reminders ...")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracker_delivery, tracker_reminder RESTART IDENTITY CASCADE")
        cursor.execute("SELECT min(id) FROM tracker_participant")
        first = cursor.fetchone()[0]
        step = 100_000
        for start in range(0, total, step):
            cursor.execute(
                """
                INSERT INTO tracker_reminder (participant_id, kind, local_time, weekdays, enabled, next_due_at, created_at)
                SELECT %s + (n %% %s), 'checkin', time '20:00', '[0,1,2,3,4,5,6]'::jsonb, true,
                       now() + interval '1 day' + (n %% 3600) * interval '1 second', now()
                FROM generate_series(%s, %s) AS n
                """,
                [first, PEOPLE, start, min(start + step, total) - 1],
            )
            say(f"  {min(start + step, total):,} / {total:,}")
        cursor.execute("ANALYZE tracker_reminder")
    say(f"  seeded in {time.perf_counter() - started:.1f} s")


def make_due(count, now):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracker_delivery")
        # Only rows a previous run left due need moving back to the future.
        cursor.execute("UPDATE tracker_reminder SET next_due_at = now() + interval '1 day' WHERE next_due_at <= %s",
                       [now])
        cursor.execute(
            "UPDATE tracker_reminder SET next_due_at = %s WHERE id IN (SELECT id FROM tracker_reminder ORDER BY random() LIMIT %s)",
            [now - dt.timedelta(minutes=1), count],
        )
        cursor.execute("ANALYZE tracker_reminder")


def timed_tick(now):
    started = time.perf_counter()
    result = reminders.reminders_tick(enqueue=enqueue_sends, enqueue_many=enqueue_send_batches, now=now)
    return (time.perf_counter() - started) * 1000, result


def purge_broker():
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@pytest.fixture
def people(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    from django.contrib.auth import get_user_model

    program = Program.objects.create(name="Bench")
    users = get_user_model().objects.bulk_create([get_user_model()(username=f"bench{n}") for n in range(PEOPLE)])
    Participant.objects.bulk_create([
        Participant(user=user, program=program, time_zone=["America/New_York", "America/Chicago",
                                                            "America/Los_Angeles", "Europe/London"][n % 4],
                    remind_by_email=False)
        for n, user in enumerate(users)])
    # The claim joins the participant and their user (closed or deactivated accounts get nothing):
    # without statistics the planner takes these 1,000-row tables for empty ones and scans the due
    # index once per participant (minutes a tick). A real database's autovacuum has analysed them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_participant, auth_user")
    say(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}")
    yield list(Participant.objects.select_related("user"))
    say(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def test_tick_figures(people):
    now = dt.datetime.now(dt.UTC)
    rows = []
    for table, due_counts in [(1_000_000, [0, 10_000, 100_000]), (100_000, [0, 10_000])]:
        seed(table)
        for due in due_counts:
            runs = []
            for _ in range(3 if due else 7):
                make_due(due, now)
                purge_broker()
                elapsed, result = timed_tick(now)
                assert result.claimed == due and result.enqueued == due
                runs.append(elapsed)
            median = statistics.median(runs)
            rows.append((table, due, median, min(runs)))
            say(f"tick: {due:>7,} due of {table:>9,} rows: median {median:8.1f} ms (best {min(runs):.1f} ms)")
    purge_broker()
    say("\n| rows | due | tick median (ms) | best (ms) |\n|---:|---:|---:|---:|")
    for table, due, median, best in rows:
        say(f"| {table:,} | {due:,} | {median:.1f} | {best:.1f} |")


def test_sends_per_second_from_one_worker_machine(people, settings):
    count = 3000
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracker_delivery, tracker_reminder RESTART IDENTITY CASCADE")
    settings.PUSH_ALLOW_LOCAL_SERVICE = True  # the local push service (and the worker's, below)
    with PushService(decrypt=False) as push_service:
        for participant in people:
            info = push_service.subscription(delay=0.05)
            services.push_subscription_save(user=participant.user, endpoint=info["endpoint"], keys=info["keys"])
        now = dt.datetime.now(dt.UTC)
        Reminder.objects.bulk_create([
            Reminder(participant=people[n % PEOPLE], kind="task", local_time=dt.time(9), on_date=dt.date(2026, 1, 1),
                     next_due_at=now - dt.timedelta(seconds=1 + n)) for n in range(count)])
        purge_broker()
        db = connection.settings_dict
        env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               "SECRET_KEY": settings.SECRET_KEY, "STEADY_VAR_DIR": str(settings.VAR_DIR), "DEBUG": "",
               "PUSH_ALLOW_LOCAL_SERVICE": "1"}
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "project", "worker", "--concurrency", "2",
                                   "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                                  cwd=ROOT, env=env)
        try:
            while not celery_app.control.ping(timeout=1):
                time.sleep(0.5)
            started = time.perf_counter()
            reminders.reminders_tick(enqueue=enqueue_sends, now=now)
            last = 0
            while len(push_service.delivered()) < count and time.perf_counter() - started < 120:
                time.sleep(0.5)
                done = len(push_service.delivered())
                if done // 500 != last // 500:
                    say(f"  sent {done:,} / {count:,}")
                last = done
            elapsed = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        delivered = len(push_service.delivered())
        say(f"sends: {delivered:,} in {elapsed:.1f} s = {delivered / elapsed:.0f} per second "
            f"(2 worker processes x {settings.PUSH_SEND_CONCURRENCY} sends in flight, push service answers after 50 ms)")
        assert delivered == count
        assert Delivery.objects.filter(status="sent").count() == count
        kombu.pools.reset()
        PushSubscription.objects.all().delete()
