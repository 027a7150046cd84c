"""Benchmark of the group pages on PostgreSQL (issue 16). Run with `make bench` (not part of `make test`).

Prints figures; asserts only that the work was done. Record results in docs/performance.md.

A counselor with 60 people on the care team, in four groups of 15 (three sessions a week), with
eight weeks of sessions and a roll taken for each past one (mostly present, some late, excused
or absent, a few notices), and a year of daily check-ins and urges for each person so the rest
of triage reads real tables. Timed with Django's test Client, signed in, warm, RUNS runs each,
median and best in ms (the whole request: middleware, queries, template, audit row):
- the caseload GET /care/ (triage with both group flags, and the Next group column);
- the huddle GET /care/sessions/<id>/huddle/ of a 15-person session (the counselor facilitates
  it, and is on the care team of every member);
- the roll GET /care/sessions/<id>/roll/ of the same 15-person session (what a facilitator
  opens in the room; the copy kept offline is cut from this same page by the service worker,
  so it costs no request of its own).
"""

import datetime as dt
import os
import platform
import random
import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from signin import verified_login
from tracker import schedule
from tracker.models import (
    AbsenceNotice,
    Attendance,
    CheckIn,
    Counselor,
    Group,
    GroupMembership,
    GroupSession,
    Participant,
    Program,
    Urge,
)

CARE = 60
GROUPS = 4
WEEKS = 8
DAYS = 365
RUNS = 30
WARM = 3


def say(*parts):
    print(*parts, flush=True)


def seed():
    started = time.perf_counter()
    rng = random.Random(16)
    now = timezone.now()
    users = get_user_model().objects
    program = Program.objects.create(name="Bench IOP", time_zone="America/New_York")
    counselor = Counselor.objects.create(user=users.create_user("bench-counselor", password="bench-password-1"),
                                         program=program)
    say(f"seeding {CARE} people, {GROUPS} groups, {WEEKS} weeks of sessions and rolls, {DAYS} days of entries ...")
    people = []
    for i in range(CARE):
        p = Participant.objects.create(user=users.create_user(f"bench-{i}", first_name=f"Person {i}"),
                                       program=program)
        p.care_team.add(counselor)
        people.append(p)
    today = now.astimezone(program.zone).date()
    checkins, urges = [], []
    for p in people:
        for n in range(DAYS):
            day = today - dt.timedelta(days=n)
            if rng.random() < 0.8:
                checkins.append(CheckIn(participant=p, date=day, in_bed_at=dt.time(22), tried_sleep_at=dt.time(22),
                                        final_wake_at=dt.time(6), out_of_bed_at=dt.time(6, 30), awake_min=20,
                                        sleep_latency_min=15, awakenings=1, time_in_bed_min=510,
                                        total_sleep_min=445, sleep_efficiency=0.87))
            urges.append(Urge(participant=p, occurred_at=now - dt.timedelta(days=n, hours=rng.randint(1, 20)),
                              intensity=rng.randint(2, 9)))
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    Urge.objects.bulk_create(urges, batch_size=5000)
    say(f"  {len(checkins):,} check-ins, {len(urges):,} urges")
    first = today - dt.timedelta(weeks=WEEKS)
    groups = []
    for g in range(GROUPS):
        group = Group.objects.create(program=program, name=f"Group {g}", weekdays=[(g + d) % 5 for d in (0, 2, 4)],
                                     start_time=dt.time(18), length_min=180, active_from=first)
        group.facilitators.add(counselor)
        GroupMembership.objects.bulk_create([GroupMembership(group=group, participant=p, joined_on=first)
                                             for p in people[g * 15:(g + 1) * 15]])
        groups.append(group)
    # Plan from eight weeks back (as the beat would have), then the rolls of the past sessions.
    schedule.plan_sessions(program, dt.datetime.combine(first, dt.time(12), tzinfo=dt.UTC), weeks=2 * WEEKS)
    marks, notices = [], []
    statuses = ["present"] * 14 + ["late", "left_early", "excused", "absent", "absent"]
    for session in GroupSession.objects.filter(group__in=groups, starts_at__lt=now):
        for m in session.group.memberships.all():
            status = rng.choice(statuses)
            marks.append(Attendance(session=session, participant_id=m.participant_id, status=status,
                                    recorded_at=session.ends_at))
            if status == "excused":
                notices.append(AbsenceNotice(participant_id=m.participant_id, session=session, reason="ride"))
    Attendance.objects.bulk_create(marks, batch_size=5000)
    AbsenceNotice.objects.bulk_create(notices, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"  {GroupSession.objects.count():,} sessions, {len(marks):,} marks, {len(notices):,} notices; "
        f"seeded in {time.perf_counter() - started:.1f} s")
    huddle = GroupSession.objects.filter(group=groups[0], starts_at__gte=now).order_by("starts_at").first()
    return counselor, huddle


def measure(client, url):
    for _ in range(WARM):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), min(times)


@pytest.fixture
def seeded(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    return seed()


def test_group_pages_figures(seeded):
    counselor, session = seeded
    client = verified_login(Client(), counselor.user)
    say(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}")
    for name, url in (("caseload, 60 people with attendance", "/care/"),
                      ("huddle, 15 members", f"/care/sessions/{session.pk}/huddle/"),
                      ("roll, 15 members", f"/care/sessions/{session.pk}/roll/")):
        say(f"timing {name} ({RUNS} runs) ...")
        median, best = measure(client, url)
        say(f"  {name}: median {median:.1f} ms, best {best:.1f} ms")
    say(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
