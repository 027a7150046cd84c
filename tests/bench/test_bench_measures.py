"""Benchmark of questionnaire planning on PostgreSQL (issue 17). Run with `make bench` (not part of
`make test`). Prints figures; asserts only that the work was done. Record results in
docs/performance.md.

2,000 participants of one program (BAM confirmed; a tenth with a schedule of their own) in four
time zones, who joined over the last 120 days, each with a year's worth of past questionnaires
(done or missed, each with its fired reminder) and four daily reminders, so the sweep and the
look-ups read real tables.
Timed: `plan_questionnaires()` as the hourly beat runs it, with its query count,
- on a day when many are due (their rows and reminders made),
- again an hour later (nothing new: the usual hour),
- three days later (the first ones missed, others due),
- and for one person (what enrolment and a counselor's change run).
"""

import datetime as dt
import os
import platform
import random
import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker import measures
from tracker.models import MeasureSchedule, Participant, Program, Questionnaire, Reminder

PEOPLE = 2000
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
HISTORY = 26  # past questionnaires each (a year of fortnightly PHQ-9s, say)
RUNS = 7
START = dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)


def say(*parts, sep=" "):
    print(*parts, sep=sep, flush=True)


def seed():
    started = time.perf_counter()
    rng = random.Random(17)
    program = Program.objects.create(name="Bench IOP", bam_terms_confirmed_at=START - dt.timedelta(days=365))
    say(f"seeding {PEOPLE:,} participants, {PEOPLE * HISTORY:,} past questionnaires with their reminders ...")
    password = make_password("bench-password-1")
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-{i}", password=password) for i in range(PEOPLE)], batch_size=1000)
    people = Participant.objects.bulk_create(
        [Participant(user=user, program=program, time_zone=ZONES[i % 4]) for i, user in enumerate(users)],
        batch_size=1000)
    with connection.cursor() as cursor:  # joined over the last 120 days, at any hour
        cursor.execute("UPDATE tracker_participant SET created_at = %s - (id %% 120) * interval '1 day' "
                       "- (id %% 24) * interval '1 hour' WHERE program_id = %s", [START, program.pk])
    MeasureSchedule.objects.bulk_create(
        [MeasureSchedule(program=program, participant=p, instrument="phq9", every_days=7)
         for p in people[::10]])
    say(f"  participants in {time.perf_counter() - started:.1f} s; history ...")
    past = []
    for p in people:
        for n in range(HISTORY):
            due_on = (START - dt.timedelta(days=14 * (n + 1) + 200)).date()
            opens = dt.datetime.combine(due_on, dt.time(5), tzinfo=dt.UTC)
            past.append(Questionnaire(participant=p, instrument="phq9", due_on=due_on, opens_at=opens,
                                      closes_at=opens + dt.timedelta(days=3),
                                      status=rng.choice(["done", "done", "missed"])))
    Questionnaire.objects.bulk_create(past, batch_size=5000)
    Reminder.objects.bulk_create(
        [Reminder(participant_id=q.participant_id, kind="questionnaire", questionnaire=q, local_time=dt.time(20),
                  weekdays=[], on_date=q.due_on, enabled=True, next_due_at=None) for q in past], batch_size=5000)
    # And each person's daily reminders (check-in, weekend plan and review, a high-risk time), all
    # with a next due instant, as the tick keeps them.
    Reminder.objects.bulk_create(
        [Reminder(participant=p, kind=kind, local_time=dt.time(20), weekdays=[0, 1, 2, 3, 4, 5, 6],
                  next_due_at=START + dt.timedelta(hours=rng.randint(1, 24)))
         for p in people for kind in ("checkin", "weekend_plan", "weekend_review", "high_risk")], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"  {Questionnaire.objects.count():,} questionnaires, {Reminder.objects.count():,} reminders; "
        f"seeded in {time.perf_counter() - started:.1f} s")
    return program, people


def explain(queryset_update_sql, params):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queryset_update_sql, params)
        return [row[0] for row in cursor.fetchall()]


def sweep_plans(at):
    """The plans PostgreSQL picks for the sweep's two statements (without running them)."""
    missed = Questionnaire.objects.filter(status="open", closes_at__lte=at)
    sql, params = missed.values("pk").query.sql_with_params()
    withdraw = Reminder.objects.filter(questionnaire__isnull=False, enabled=True, next_due_at__isnull=False,
                                       questionnaire__status__in=("done", "missed")).values("pk")
    wsql, wparams = withdraw.query.sql_with_params()
    return explain(sql, params), explain(wsql, wparams)


def timed(at, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = measures.plan_questionnaires(now=at, **kwargs)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(captured), result


@pytest.fixture
def seeded(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    return seed()


def test_planning_figures(seeded):
    _program, people = seeded
    say(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}")
    missed_plan, withdraw_plan = sweep_plans(START)
    say("plan of the missed sweep:", *missed_plan, sep="\n  ")
    say("plan of the reminder withdrawal:", *withdraw_plan, sep="\n  ")
    say("first planning (the hour when what is due now is made) ...")
    elapsed, queries, result = timed(START)
    say(f"  {elapsed:.0f} ms, {queries} queries: {result}")
    assert result.planned > 0 and result.reminded > 0
    say(f"the next hours, nothing new ({RUNS} runs) ...")
    times = []
    for run in range(RUNS):
        elapsed, queries, result = timed(START + dt.timedelta(hours=1, minutes=run))
        times.append(elapsed)
        assert result.planned == 0
    say(f"  median {statistics.median(times):.0f} ms, best {min(times):.0f} ms, {queries} queries")
    say("three days later (the first ones missed, others due) ...")
    elapsed, queries, result = timed(START + dt.timedelta(days=3))
    say(f"  {elapsed:.0f} ms, {queries} queries: {result}")
    assert result.missed > 0
    say(f"one person (enrolment, a counselor's change; {RUNS} runs) ...")
    times = []
    for run in range(RUNS):
        elapsed, queries, result = timed(START + dt.timedelta(days=3, minutes=run + 1), participants=[people[7]])
        times.append(elapsed)
    say(f"  median {statistics.median(times):.1f} ms, best {min(times):.1f} ms, {queries} queries")
    say(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
