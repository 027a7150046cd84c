"""Benchmark of the program outcomes page on PostgreSQL (issue 18). Run with `make bench` (not part
of `make test`). Prints figures; asserts only that the work was done. Record results in
docs/performance.md.

One program with 2,000 people admitted over the last year (about 1 in 8 also had an earlier
episode), each episode 20 to 200 days long or still open, discharged in every way; 12 groups
meeting three times a week at 09:00, 13:00 or 18:00 (a year of sessions, a few cancelled); every
member marked at every session of their group while in treatment (mostly present, some late,
left early, excused, absent or unmarked), with an absence notice for about half of the misses;
a PHQ-9 and a GAD-7 every two weeks of each episode. Seeded with a few INSERT ... SELECT
statements (the database is flushed afterwards).

Timed with Django's test Client, signed in as the program admin, warm, RUNS runs each, median and
best in ms (the whole request: middleware, queries, template, audit row), with the number of
queries one request runs:
- the page GET /care/program/ for the last twelve months (a custom period), and for one quarter;
- the CSV and the API for the same twelve months.
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
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signin import verified_login
from tracker.models import Counselor, Episode, Group, GroupSession, LevelChange, Participant, Program, local_instant

PEOPLE = 2_000
GROUPS = 12
DAYS = 365
RUNS = 15
WARM = 2
ZONE = "America/New_York"


def say(*parts):
    print(*parts, flush=True)


ATTENDANCE = """
INSERT INTO tracker_attendance (session_id, participant_id, status, minutes, reason, recorded_at)
SELECT session_id, participant_id,
       CASE WHEN r < 0.68 THEN 'present' WHEN r < 0.76 THEN 'late' WHEN r < 0.80 THEN 'left_early'
            WHEN r < 0.88 THEN 'excused' WHEN r < 0.97 THEN 'absent' ELSE 'unmarked' END,
       CASE WHEN r >= 0.68 AND r < 0.80 AND r2 < 0.5 THEN 60 + floor(r2 * 200)::int END, '', ends_at
FROM (
    SELECT s.id AS session_id, e.participant_id, s.ends_at, random() AS r, random() AS r2
    FROM tracker_episode e
    JOIN tracker_groupsession s
      ON s.group_id = (%(groups)s::int[])[1 + e.participant_id %% %(n)s]
     AND (s.starts_at AT TIME ZONE %(zone)s)::date BETWEEN e.admitted_on AND COALESCE(e.discharged_on, %(today)s)
     AND s.starts_at < now()
    WHERE e.program_id = %(program)s
) AS drawn
ON CONFLICT DO NOTHING
"""

NOTICES = """
INSERT INTO tracker_absencenotice (id, participant_id, created_at, updated_at, session_id, reason, words)
SELECT gen_random_uuid(), a.participant_id, s.starts_at, s.starts_at, a.session_id,
       (ARRAY['ride', 'work', 'childcare', 'sick', 'used', 'forgot', 'other'])[1 + floor(random() * 7)::int], ''
FROM tracker_attendance a JOIN tracker_groupsession s ON s.id = a.session_id
JOIN tracker_group g ON g.id = s.group_id
WHERE g.program_id = %(program)s AND a.status IN ('excused', 'absent') AND random() < 0.5
"""

RESPONSES = """
INSERT INTO tracker_questionnaireresponse (id, participant_id, created_at, updated_at, instrument, version,
    answers, complete, completed_at, scores, bands)
SELECT gen_random_uuid(), e.participant_id, at, at, instrument, '1', '{}'::jsonb, true, at,
       jsonb_build_object('total', GREATEST(0, LEAST(top, base - k / 14 + floor(random() * 4)::int))), '{}'::jsonb
FROM tracker_episode e
CROSS JOIN (VALUES ('phq9', 27, 16), ('gad7', 21, 12)) AS i(instrument, top, base)
CROSS JOIN LATERAL generate_series(1, COALESCE(e.discharged_on, %(today)s) - e.admitted_on, 14) AS k
CROSS JOIN LATERAL (SELECT ((e.admitted_on + k) + time '12:00') AT TIME ZONE %(zone)s AS at) AS t
WHERE e.program_id = %(program)s AND at < now()
"""


def seed():
    started = time.perf_counter()
    rng = random.Random(18)
    now = timezone.now()
    User = get_user_model()
    program = Program.objects.create(name="Bench IOP", time_zone=ZONE, group_hours_targets={"iop": 9, "php": 20, "op": 3})
    admin = Counselor.objects.create(user=User.objects.create_user("bench-admin", password="bench-password-1"),
                                     program=program, is_program_admin=True)
    zone = program.zone
    today = now.astimezone(zone).date()
    say(f"seeding {PEOPLE:,} people over {DAYS} days ...")
    users = User.objects.bulk_create([User(username=f"bench-{i}", password="!") for i in range(PEOPLE)], batch_size=1000)
    people = Participant.objects.bulk_create([Participant(user=u, program=program, time_zone=ZONE) for u in users],
                                             batch_size=1000)
    D = Episode.Discharge
    kinds = [D.COMPLETED] * 5 + [D.PATIENT_DIRECTED] * 3 + [D.STEPPED_DOWN] * 2 + [D.STEPPED_UP, D.TRANSFERRED,
                                                                                     D.ADMINISTRATIVE]
    episodes = []
    for p in people:
        admitted = today - dt.timedelta(days=rng.randrange(DAYS))
        if rng.random() < 0.125:  # an earlier stay, ended before this one
            first = admitted - dt.timedelta(days=rng.randrange(60, 200))
            episodes.append(Episode(participant=p, program=program, admitted_on=first,
                                    discharged_on=first + dt.timedelta(days=rng.randrange(10, 50)),
                                    discharge_type=rng.choice(kinds), level_of_care="iop"))
        length = rng.randrange(20, 200)
        ended = admitted + dt.timedelta(days=length)
        level = rng.choice(["iop"] * 6 + ["php", "op"])
        episodes.append(Episode(participant=p, program=program, admitted_on=admitted, level_of_care=level,
                                discharged_on=ended if ended < today else None,
                                discharge_type=rng.choice(kinds) if ended < today else ""))
    episodes = Episode.objects.bulk_create(episodes, batch_size=1000)
    LevelChange.objects.bulk_create([LevelChange(episode=e, level_of_care=e.level_of_care, changed_on=e.admitted_on)
                                     for e in episodes], batch_size=1000)
    first = today - dt.timedelta(days=DAYS + 200)
    groups = Group.objects.bulk_create([
        Group(program=program, name=f"Group {g + 1}", weekdays=[(g + d) % 5 for d in (0, 2, 4)],
              start_time=(dt.time(9), dt.time(13), dt.time(18))[g % 3], length_min=180, active_from=first)
        for g in range(GROUPS)])
    sessions = []
    for group in groups:
        d = first
        while d <= today + dt.timedelta(days=14):
            if d.weekday() in group.weekdays:
                starts = local_instant(d, group.start_time, zone)
                sessions.append(GroupSession(group=group, planned_for=d, starts_at=starts,
                                             ends_at=starts + dt.timedelta(minutes=180),
                                             status="cancelled" if rng.random() < 0.02 else
                                             "held" if starts < now else "scheduled"))
            d += dt.timedelta(days=1)
    GroupSession.objects.bulk_create(sessions, batch_size=2000)
    params = {"groups": [g.pk for g in groups], "n": GROUPS, "zone": ZONE, "today": today, "program": program.pk}
    with connection.cursor() as cursor:
        cursor.execute(ATTENDANCE, params)
        marks = cursor.rowcount
        cursor.execute(NOTICES, params)
        notices = cursor.rowcount
        cursor.execute(RESPONSES, params)
        responses = cursor.rowcount
        cursor.execute("ANALYZE")
    say(f"  {len(episodes):,} episodes, {len(sessions):,} sessions, {marks:,} attendance marks, {notices:,} notices, "
        f"{responses:,} questionnaire responses; seeded in {time.perf_counter() - started:.1f} s")
    return admin, today


def measure(client, url):
    for _ in range(WARM):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return statistics.median(times), min(times), len(queries)


@pytest.fixture
def seeded(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    return seed()


def test_outcomes_page_figures(seeded):
    admin, today = seeded
    client = verified_login(Client(), admin.user)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    say(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    first = today - dt.timedelta(days=DAYS - 1)
    year = f"kind=custom&first={first:%Y-%m-%d}&last={today:%Y-%m-%d}"
    quarter = f"kind=quarter&year={today.year}&quarter={(today.month - 1) // 3 + 1}"
    for name, url in (("page, last 12 months", f"/care/program/?{year}"),
                      ("page, this quarter", f"/care/program/?{quarter}"),
                      ("CSV, last 12 months", f"/care/program/outcomes.csv?{year}"),
                      ("API, last 12 months", f"/api/v1/care/program/outcomes/?period={first:%Y-%m-%d}..{today:%Y-%m-%d}")):
        say(f"timing {name} ({RUNS} runs) ...")
        median, best, queries = measure(client, url)
        say(f"  {name}: median {median:.0f} ms, best {best:.0f} ms, {queries} queries")
    say(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
