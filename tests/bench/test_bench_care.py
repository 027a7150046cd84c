"""Benchmark of the counselor workspace on PostgreSQL (issue 6). Run with `make bench` (not part of `make test`).

Prints figures; asserts only that the work was done. Record results in docs/performance.md.

One counselor with 60 people on the care team, each with a year of check-ins (most days) and
about two urges a day, among 8,300 people in other programs with a check-in and an urge every
day, so tracker_checkin and tracker_urge each hold over 3,000,000 rows. The rows go in day by
day, people shuffled within a day, as they would arrive, so one person's year is spread over
the table. The 60 also have reminders and a year of deliveries, phones (or not), safety plans,
weekend plans, weekly reflections and acknowledgements, spread so that every triage flag fires
for someone. Seeded every run (a few minutes; the database is flushed afterwards).

Measured with Django's test Client, signed in as the counselor, warm, 30 runs each, median
and best, in ms (the server's time: the whole request through the middleware, the queries,
the template and the audit row each page writes):
- the caseload page GET /care/, and the API GET /api/v1/care/caseload/;
- the participant view GET /care/participants/<id>/?days=365 and ?days=30, and the API
  GET /api/v1/care/participants/<id>/overview/?days=365.

"The raw SQL that feeds them": the statements one request runs, captured with
CaptureQueriesContext, replayed as they were sent (parameters already in the text) on a plain
cursor, each result fetched. All of them are replayed: the session and user look-ups, the
counselor and access checks, the data reads and the audit INSERT. Page and replay alternate, so
a busy moment on the machine hits both. Targets: page median under 150 ms, and at most 3x its
replay's median.

Each request's minor page faults are counted too: a page that takes thousands is paying for
the interpreter mapping and unmapping its frame stack (see THRASH_FAULTS), an accident of how
deep the test runner's stack is, and is timed again from a depth where that does not happen.
"""

import ast
import datetime as dt
import os
import platform
import re
import resource
import statistics
import time
import uuid

import pytest

from signin import verified_login
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tracker import triage
from tracker.models import (
    Counselor,
    FlagAcknowledgement,
    Participant,
    Program,
    SafetyPlanVersion,
    Strategy,
    Trigger,
    WeekendPlan,
    WeeklyReflection,
    weekend_friday,
)

CARE = 60
FILLER = 8_300
DAYS = 365
BATCH_DAYS = 30
FILLER_PROGRAMS = 20
RUNS = 30
WARM = 3
TARGET_MS = 150
TARGET_RATIO = 3
# Above this many page faults a request, the interpreter is thrashing its frame stack (CPython 3.11
# and 3.12 free a 16 KiB data-stack chunk as soon as the stack shrinks back out of it, and map a
# new one on the next call: gh-142183, fixed in 3.13 and 3.14). Whether a page hits that depends
# on how deep the caller's stack already is, so such a page is timed again from a depth that
# does not (and both figures are printed).
THRASH_FAULTS = 1000
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
FIRST = ["Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Moe", "Nia", "Omar"]
LAST = ["Reyes", "Okafor", "Nguyen", "Smith", "Kowalski", "Haddad", "Brown", "Larsen"]

# Who is flagged for what, by a care-team member's number i (0-59). Plenty of others get a flag
# by chance (a strong urge, a setback, no phone, no weekend plan).
#   i % 10 == 0: no check-in for 2 + i // 10 days      i % 10 == 1: urges of 9/10 in the last 48 h
#   i % 10 == 2: urges much stronger this week          i % 10 == 3: a setback two days ago
#   i % 10 == 4: three weeks of poor sleep              i % 3 == 0: no phone; i % 7 == 0: a phone that fails
#   i % 8 == 5: three reminders failed this week        i % 6 == 0: no safety plan; i % 6 == 1: an empty one


def say(*parts):
    print(*parts, flush=True)


CHECKINS = """
INSERT INTO tracker_checkin (id, created_at, updated_at, participant_id, date, in_bed_at, tried_sleep_at,
    sleep_latency_min, awakenings, awake_min, final_wake_at, out_of_bed_at, sleep_quality, time_in_bed_min,
    total_sleep_min, sleep_efficiency, stress, mood, regular_meals, small_win, note, note_private,
    usual_times, used_today, substances, took_medication)
SELECT gen_random_uuid(), made, made, id, day,
       time '00:00' + bed * interval '1 minute', time '00:00' + tried * interval '1 minute',
       latency, awakenings, awake, time '00:00' + wake * interval '1 minute',
       time '00:00' + up * interval '1 minute', quality, up + 1440 - bed, wake + 1440 - tried - latency - awake,
       round((wake + 1440 - tried - latency - awake)::numeric / (up + 1440 - bed), 4)::float8,
       stress, mood, meals, win, note, private, false, '', '[]'::jsonb, ''
FROM (
    SELECT *, wake + floor(r5 * 20)::int AS up
    FROM (
        SELECT id, k, day, made, bed, bed + floor(r0 * 15)::int AS tried,
               CASE WHEN poor THEN 30 + floor(r1 * 60) ELSE 5 + floor(r1 * 30) END::int AS latency,
               floor(r2 * 4)::int AS awakenings,
               (floor(r2 * 4) * floor(r3 * 15) + CASE WHEN poor THEN 60 ELSE 0 END)::int AS awake,
               CASE WHEN poor THEN 270 + floor(r4 * 60) ELSE 360 + floor(r4 * 90) END::int AS wake,
               r5,
               CASE WHEN poor THEN 1 + floor(r6 * 2) ELSE 2 + floor(r6 * 4) END::int AS quality,
               floor(r7 * 11)::int AS stress, 1 + floor(r8 * 5)::int AS mood,
               (ARRAY['yes', 'yes', 'some', 'no'])[1 + floor(r9 * 4)::int] AS meals,
               CASE WHEN r10 < 0.3 THEN (ARRAY['Went to group', 'Called my sponsor', 'Cooked dinner',
                    'Walked 30 minutes', 'Slept through the night', 'Said no'])[1 + floor(r11 * 6)::int]
                    ELSE '' END AS win,
               CASE WHEN r12 < 0.15 THEN 'Long day at work. Felt the pull after dinner but stayed in.'
                    ELSE '' END AS note,
               r13 < 0.3 AS private
        FROM (
            SELECT p.id, k, (now() AT TIME ZONE p.tz)::date - k AS day,
                   now() - k * interval '1 day' - random() * interval '12 hours' AS made,
                   p.care AND p.i %% 10 = 4 AND k < 21 AS poor,
                   1260 + floor(random() * 170)::int AS bed,
                   random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                   random() AS r5, random() AS r6, random() AS r7, random() AS r8, random() AS r9,
                   random() AS r10, random() AS r11, random() AS r12, random() AS r13
            FROM bench_people p CROSS JOIN generate_series(%(lo)s, %(hi)s) AS k
            WHERE NOT p.care
               OR (NOT (p.i %% 10 = 0 AND k < 2 + p.i / 10) AND (k < 2 OR random() >= 0.1))
        ) AS drawn
    ) AS night
) AS checkin
ORDER BY k DESC, random()
"""

URGES = """
INSERT INTO tracker_urge (id, created_at, updated_at, participant_id, occurred_at, intensity, duration_min,
    triggers, trigger_other, helped, helped_other, outcome, note, note_private)
SELECT gen_random_uuid(), at, at, id, at,
       CASE WHEN high THEN 9
            WHEN setback THEN 7
            WHEN rising AND k < 7 THEN 5 + floor(r1 * 3)
            WHEN rising THEN 1 + floor(r1 * 3)
            WHEN r0 < 0.01 THEN 8 + floor(r1 * 3)
            ELSE 1 + floor(r1 * 7) END,
       5 + floor(r2 * 55),
       CASE WHEN r3 < 0.4 THEN jsonb_build_array(t[1 + ta], t[1 + (ta + 1 + floor(r4 * 15)::int) %% 16])
            ELSE jsonb_build_array(t[1 + ta]) END,
       CASE WHEN r5 < 0.03 THEN 'an old friend called' ELSE '' END,
       CASE WHEN r6 < 0.1 THEN '[]'::jsonb
            WHEN r6 < 0.5 THEN jsonb_build_array(s[1 + sa], s[1 + (sa + 1 + floor(r7 * 14)::int) %% 15])
            ELSE jsonb_build_array(s[1 + sa]) END,
       '',
       CASE WHEN setback THEN 'used' WHEN r8 < 0.6 THEN 'passed' WHEN r8 < 0.8 THEN 'reached_out'
            WHEN r8 < 0.805 THEN 'used' ELSE '' END,
       CASE WHEN r9 < 0.1 THEN 'Rode it out with music.' ELSE '' END,
       r9 < 0.05
FROM (
    SELECT p.id, k, now() - k * interval '1 day' - random() * interval '1 day' AS at,
           p.care AND p.i %% 10 = 1 AND k < 2 AND j = 1 AS high,
           p.care AND p.i %% 10 = 2 AS rising,
           p.care AND p.i %% 10 = 3 AND k = 2 AND j = 1 AS setback,
           floor(random() * 16)::int AS ta, floor(random() * 15)::int AS sa,
           random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
           random() AS r5, random() AS r6, random() AS r7, random() AS r8, random() AS r9,
           %(triggers)s::text[] AS t, %(strategies)s::text[] AS s
    FROM bench_people p CROSS JOIN generate_series(%(lo)s, %(hi)s) AS k
         CROSS JOIN LATERAL generate_series(1, CASE WHEN p.care THEN 2 ELSE 1 END) AS j
) AS drawn
ORDER BY at
"""

DELIVERIES = """
INSERT INTO tracker_delivery (reminder_id, due_at, status, channel, attempts, error, created_at, sent_at, opened_at)
SELECT reminder, due, status, CASE WHEN status IN ('sent', 'failed') THEN 'push' ELSE '' END,
       CASE WHEN status = 'failed' THEN 5 WHEN status = 'sent' THEN 1 ELSE 0 END,
       CASE WHEN status = 'failed' THEN 'push service answered 410' ELSE '' END, due,
       CASE WHEN status = 'sent' THEN due + interval '2 seconds' END,
       CASE WHEN status = 'sent' AND r1 < 0.6 THEN due + interval '20 minutes' END
FROM (
    SELECT r.id AS reminder, due,
           CASE WHEN p.i %% 8 = 5 AND k BETWEEN 1 AND 3 THEN 'failed'
                WHEN r0 < 0.05 THEN 'missed' WHEN r0 < 0.1 THEN 'skipped' ELSE 'sent' END AS status, r1
    FROM bench_people p JOIN tracker_reminder r ON r.participant_id = p.id AND r.kind = 'checkin'
         CROSS JOIN generate_series(0, %(days)s) AS k
         CROSS JOIN LATERAL (SELECT (((now() AT TIME ZONE p.tz)::date - k) + time '20:00') AT TIME ZONE p.tz AS due,
                                    random() AS r0, random() AS r1) AS d
    WHERE p.care AND due <= now()
) AS planned
"""


def seed():
    """The counselor (a User) and the care-team members, after filling both big tables."""
    started = time.perf_counter()
    User = get_user_model()
    program = Program.objects.create(name="Riverside IOP")
    others = Program.objects.bulk_create([Program(name=f"Program {n}") for n in range(FILLER_PROGRAMS)])
    counselor = Counselor.objects.create(user=User.objects.create_user("carol", first_name="Carol"), program=program)
    say(f"seeding {CARE} people on the care team and {FILLER:,} in {FILLER_PROGRAMS} other programs ...")
    with connection.cursor() as cursor:
        for prefix, count in (("care", CARE), ("other", FILLER)):
            cursor.execute(
                """
                INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                       is_active, date_joined)
                SELECT '!', false, %s || lpad(n::text, 5, '0'), (%s::text[])[1 + n %% %s], (%s::text[])[1 + n %% %s],
                       '', false, true, now() - interval '400 days'
                FROM generate_series(0, %s) AS n
                """, [prefix, FIRST, len(FIRST), LAST, len(LAST), count - 1])
            cursor.execute(
                """
                INSERT INTO tracker_participant (time_zone, created_at, user_id, program_id,
                    checkin_reminder_at, high_risk_lead_min, weekend_plan_reminder_at, weekend_review_reminder_at,
                    task_reminder_at, remind_by_push, remind_by_email, session_reminder)
                SELECT (%s::text[])[1 + u.id %% 4], now() - interval '400 days', u.id,
                       (%s::bigint[])[1 + u.id %% %s], time '20:00', 0, time '16:00', time '10:00', time '09:00',
                       true, true, %s
                FROM auth_user u WHERE u.username LIKE %s ORDER BY u.id
                """, [ZONES, [program.pk] if prefix == "care" else [p.pk for p in others],
                      1 if prefix == "care" else len(others), Participant.SessionReminder.MIN_60, f"{prefix}%"])
        cursor.execute(
            """
            INSERT INTO tracker_participant_care_team (participant_id, counselor_id)
            SELECT id, %s FROM tracker_participant WHERE program_id = %s
            """, [counselor.pk, program.pk])
        cursor.execute(
            """
            CREATE TEMP TABLE bench_people AS
            SELECT id, time_zone AS tz, program_id = %s AS care,
                   row_number() OVER (PARTITION BY program_id = %s ORDER BY id) - 1 AS i
            FROM tracker_participant
            """, [program.pk, program.pk])
        cursor.execute("ANALYZE bench_people")

        for table, sql in (("tracker_checkin", CHECKINS), ("tracker_urge", URGES)):
            say(f"  {table}: a year, oldest days first, {BATCH_DAYS} days a statement")
            for hi in range(DAYS - 1, -1, -BATCH_DAYS):
                lo = max(0, hi - BATCH_DAYS + 1)
                cursor.execute(sql, {"lo": lo, "hi": hi, "triggers": list(Trigger.values),
                                     "strategies": list(Strategy.values)})
                cursor.execute(f"SELECT count(*) FROM {table}")
                say(f"    days {hi:>3} to {lo:>3} ago: {cursor.fetchone()[0]:>9,} rows "
                    f"({time.perf_counter() - started:.0f} s)")

        # Reminders (a daily check-in reminder and a weekend one), a year of deliveries, phones.
        cursor.execute(
            """
            INSERT INTO tracker_reminder (participant_id, kind, local_time, weekdays, enabled, next_due_at, created_at)
            SELECT p.id, kind, t, days::jsonb, true, now() + interval '1 hour', now() - interval '400 days'
            FROM bench_people p CROSS JOIN (VALUES ('checkin', time '20:00', '[0,1,2,3,4,5,6]'),
                                                   ('weekend_plan', time '16:00', '[4]')) AS kinds(kind, t, days)
            WHERE p.care
            """)
        cursor.execute(DELIVERIES, {"days": DAYS - 1})
        cursor.execute(
            """
            INSERT INTO tracker_pushsubscription (user_id, endpoint, p256dh, auth, user_agent, created_at,
                                                  last_success_at, failures)
            SELECT t.user_id, 'https://push.example/bench/' || t.id, 'BNcR', 'tBHI', 'Mozilla/5.0 (Android 14)',
                   now() - interval '300 days', CASE WHEN p.i % 7 = 0 THEN NULL ELSE now() - interval '1 day' END,
                   CASE WHEN p.i % 7 = 0 THEN 5 ELSE 0 END
            FROM bench_people p JOIN tracker_participant t ON t.id = p.id
            WHERE p.care AND p.i % 3 <> 0
            """)
    say(f"  reminders, deliveries and phones ({time.perf_counter() - started:.0f} s)")

    team = list(counselor.caseload.order_by("pk"))
    stamp = timezone.now() - dt.timedelta(days=200)
    plans, weekends, reflections = [], [], []
    for i, person in enumerate(team):
        if i % 6 == 1:
            plans.append(SafetyPlanVersion(id=uuid.uuid4(), participant=person, number=1, author_id=person.user_id,
                                           created_at=stamp, updated_at=stamp))
        elif i % 6 > 1:
            for number in (1, 2, 3):
                at = stamp + dt.timedelta(days=30 * number)
                plans.append(SafetyPlanVersion(
                    id=uuid.uuid4(), participant=person, number=number, author_id=person.user_id, created_at=at,
                    updated_at=at, warning_signs=["Skipping meals", "Not answering my phone"][:number],
                    coping_alone=["Walk round the block", "Shower", "Music"][:number],
                    helpers=[{"name": "Sam (sponsor)", "phone": "+1 555 0100"}],
                    professionals=[{"name": "Carol, counselor", "phone": "+1 555 0199"},
                                   {"name": "988 Lifeline", "phone": "988"}],
                    reasons=["My kids", "Getting my licence back"][:number]))
        friday = weekend_friday(person.local_today())
        for week in range(0 if i % 2 == 0 else 1, 26 if i % 5 else 4):
            at = timezone.now() - dt.timedelta(days=7 * week + 2)
            weekends.append(WeekendPlan(
                id=uuid.uuid4(), participant=person, weekend_of=friday - dt.timedelta(days=7 * week), created_at=at,
                updated_at=at, friday_evening="Meeting at 7, then home", saturday="Park with the kids",
                sunday="Church, then meal prep", who_to_call="Sam", places_to_avoid="Main Street bars",
                if_urge="Call Sam, then walk", safe_ride="Sister",
                how_it_went="" if week < 2 else ["better", "as_planned", "harder"][week % 3]))
        if i % 3 != 2:
            monday = person.local_today() - dt.timedelta(days=person.local_today().weekday())
            for week in range(1, 53):
                at = timezone.now() - dt.timedelta(days=7 * week - 6)
                reflections.append(WeeklyReflection(
                    id=uuid.uuid4(), participant=person, week_start=monday - dt.timedelta(days=7 * week),
                    created_at=at, updated_at=at, wins=["Went to every group", "Slept better"][: 1 + week % 2],
                    hard="Payday weekend.", focus="Plan Friday night."))
    SafetyPlanVersion.objects.bulk_create(plans)
    WeekendPlan.objects.bulk_create(weekends)
    WeeklyReflection.objects.bulk_create(reflections)

    # Acknowledge some flags as a counselor would (one in four people's first flag), and leave
    # some stale acknowledgements whose evidence no longer matches.
    rows = triage.caseload(counselor.caseload.select_related("user"))
    acks = []
    for n, row in enumerate(rows):
        if row.flags and n % 4 == 0:
            acks.append(FlagAcknowledgement(participant=row.participant, flag=row.flags[0].key,
                                            evidence=row.flags[0].evidence, counselor=counselor, note="Called, ok."))
        acks.append(FlagAcknowledgement(participant=row.participant, flag="no_checkin", evidence="last:2020-01-01",
                                        counselor=counselor, created_at=timezone.now() - dt.timedelta(days=90)))
    FlagAcknowledgement.objects.bulk_create(acks)

    say("  VACUUM ANALYZE (as autovacuum would have, on a table that grew over a year)")
    with connection.cursor() as cursor:
        for table in ("tracker_checkin", "tracker_urge", "tracker_delivery", "tracker_reminder", "auth_user",
                      "tracker_participant", "tracker_participant_care_team", "tracker_pushsubscription",
                      "tracker_safetyplanversion", "tracker_weekendplan", "tracker_weeklyreflection",
                      "tracker_flagacknowledgement"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    say(f"  seeded in {time.perf_counter() - started:.0f} s")
    return counselor


def counts():
    with connection.cursor() as cursor:
        found = {}
        for table in ("tracker_checkin", "tracker_urge", "tracker_participant", "tracker_delivery"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        found["postgres"] = cursor.fetchone()[0]
    return found


# A statement of tracker/statements.py (prepared, its values bound on the server) is logged by
# Django as its text and its values apart: QUERY = '...' - PARAMS = (...).
SERVER_BOUND = re.compile(r"^QUERY = (?P<sql>'.*'|\".*\") - PARAMS = (?P<params>.*)$", re.DOTALL)


def replay(statements):
    """The page's SQL as it was sent, on a plain cursor, every row fetched; ms."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            bound = SERVER_BOUND.match(sql)
            if bound:
                cursor.execute(ast.literal_eval(bound["sql"]), ast.literal_eval(bound["params"]))
            else:
                cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def page_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def nested(depth, call):
    """call() made `depth` Python frames further down the stack."""
    return call() if depth <= 0 else nested(depth - 1, call)


def get(client, url, depth=0):
    """(ms, page faults) of one request."""
    faults, started = page_faults(), time.perf_counter()
    response = nested(depth, lambda: client.get(url))
    elapsed, faults = (time.perf_counter() - started) * 1000, page_faults() - faults
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    return elapsed, faults


def quiet_depth(client, url):
    """A call depth at which the request takes no more than a few page faults (see THRASH_FAULTS)."""
    tried = []
    for depth in range(4, 400, 12):
        faults = min(get(client, url, depth)[1] for _ in range(2))
        tried.append((faults, depth))
        if faults < 100:
            break
    return min(tried)[1]


def measure(client, url):
    """Warm, capture one request's SQL, then RUNS of the page and of its replayed SQL, alternating."""
    for _ in range(WARM):
        get(client, url)
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    statements = [query["sql"] for query in captured.captured_queries]
    assert any(sql.startswith('INSERT INTO "tracker_auditevent"') for sql in statements)
    for _ in range(WARM):
        replay(statements)
    pages, faults, raws = [], [], []
    for _ in range(RUNS):
        elapsed, fault_count = get(client, url)
        pages.append(elapsed)
        faults.append(fault_count)
        raws.append(replay(statements))
    result = {"statements": len(statements), "page": pages, "raw": raws, "faults": statistics.median(faults)}
    if result["faults"] > THRASH_FAULTS:
        depth = quiet_depth(client, url)
        runs = [get(client, url, depth) for _ in range(RUNS)]
        result["quiet"] = {"depth": depth, "page": [ms for ms, _ in runs],
                           "faults": statistics.median([n for _, n in runs])}
    return result


@pytest.fixture
def counselor(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    return seed()


def verdict(median, ratio):
    return (f"under {TARGET_MS} ms: {'met' if median < TARGET_MS else 'NOT met'}; "
            f"within {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")


def test_counselor_workspace_figures(counselor):
    found = counts()
    say(f"PostgreSQL {found['postgres']}: tracker_checkin {found['tracker_checkin']:,} rows, "
        f"tracker_urge {found['tracker_urge']:,} rows, tracker_participant {found['tracker_participant']:,}, "
        f"tracker_delivery {found['tracker_delivery']:,}")
    assert found["tracker_checkin"] >= 3_000_000 and found["tracker_urge"] >= 3_000_000

    rows = triage.caseload(counselor.caseload.select_related("user"))
    assert len(rows) == CARE
    fired = {}
    for row in rows:
        for flag in row.flags:
            fired[flag.key] = fired.get(flag.key, 0) + 1
    say("flags on the caseload: " + ", ".join(f"{key} {fired.get(key, 0)}" for key in triage.WEIGHTS)
        + f"; {sum(1 for row in rows if not row.flags)} people with none, "
        + f"{sum(1 for row in rows for flag in row.flags if flag.acknowledgement)} acknowledged")
    # The flags this seed sets out to raise (issue 6's, and the phone setup); the later issues'
    # flags (groups, questionnaires, talk, safety answers) need data this benchmark does not seed.
    seeded = {"high_urge", "use", "no_checkin", "rising", "sleep", "safety_plan", "weekend_plan", "reminders",
              "reminders_setup"}
    expected = seeded - ({"weekend_plan"} if rows[0].today.weekday() < 3 else set())
    assert expected <= set(fired), expected - set(fired)

    client = Client()
    verified_login(client, counselor.user)  # with the second factor staff must pass
    someone = rows[0].participant  # the top of the caseload, the one a counselor opens first
    pages = [
        ("caseload page", reverse("care_caseload")),
        ("participant view, 365 days", reverse("care_participant", args=[someone.pk]) + "?days=365"),
        ("participant view, 30 days", reverse("care_participant", args=[someone.pk]) + "?days=30"),
        ("API caseload", reverse("api-care-caseload")),
        ("API overview, 365 days", reverse("api-care-overview", args=[someone.pk]) + "?days=365"),
    ]
    results = []
    for name, url in pages:
        load = os.getloadavg()[0]
        result = measure(client, url)
        result.update(name=name, url=url, median=statistics.median(result["page"]),
                      raw_median=statistics.median(result["raw"]))
        results.append(result)
        say(f"{name:<28} {url}: page median {result['median']:6.1f} ms (best {min(result['page']):6.1f}, "
            f"{result['faults']:,.0f} page faults a request), its {result['statements']} statements replayed: "
            f"median {result['raw_median']:5.1f} ms (best {min(result['raw']):5.1f}), "
            f"ratio {result['median'] / result['raw_median']:.1f}x; load average {load:.2f} -> {os.getloadavg()[0]:.2f}")
        if "quiet" in result:
            quiet = result["quiet"]
            say(f"{'':<28} called {quiet['depth']} frames deeper: page median {statistics.median(quiet['page']):6.1f} ms "
                f"(best {min(quiet['page']):6.1f}, {quiet['faults']:,.0f} page faults a request)")

    say(f"\ntracker_checkin {found['tracker_checkin']:,} rows, tracker_urge {found['tracker_urge']:,} rows, "
        f"PostgreSQL {found['postgres']}, Python {platform.python_version()}, {RUNS} runs each")
    say("| request | statements | page median (ms) | best (ms) | page faults a request | raw SQL median (ms) "
        "| best (ms) | ratio | targets |")
    say("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        ratio = r["median"] / r["raw_median"]
        say(f"| {r['name']} (`{r['url']}`) | {r['statements']} | {r['median']:.1f} | {min(r['page']):.1f} | "
            f"{r['faults']:,.0f} | {r['raw_median']:.1f} | {min(r['raw']):.1f} | {ratio:.1f}x | {verdict(r['median'], ratio)} |")
        if "quiet" in r:
            quiet = r["quiet"]
            median = statistics.median(quiet["page"])
            say(f"| {r['name']}, called {quiet['depth']} frames deeper | | {median:.1f} | {min(quiet['page']):.1f} | "
                f"{quiet['faults']:,.0f} | {r['raw_median']:.1f} | | {median / r['raw_median']:.1f}x | "
                f"{verdict(median, median / r['raw_median'])} |")
