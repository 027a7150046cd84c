"""HTTP throughput of Steady's busiest routes against a bare Django view (issue 20). Run with
`make bench` (not part of `make test`), alone with `make bench PYTEST_ARGS="-k http"`.

Prints figures; asserts only that every answer was the expected one (a benchmark of 409s or
redirects would be a lie) and that the writes landed. Record results in docs/performance.md.

Two gunicorn servers, each `-w 2` (sync workers), DEBUG off, on ports the OS picks:
- Steady (project.wsgi) on the test database (PostgreSQL) and Redis from the environment;
- a bare Django project (tests/bench/bare_project: no apps, no middleware) with a hello view
  and a view that does one PostgreSQL INSERT of the body, the floor for any durable write.
wrk (Debian's; a Python client on the same two cores would cap the bare view and skew the
ratio) drives one route at a time with tests/bench/http_routes.lua, which checks every status.
The runs are interleaved (bare, route, bare, next route, ...) for several rounds, and each
route's ratio is taken against the bare run just before it, so a busy moment on the machine
hits both sides of a ratio.

Routes: PUT /api/v1/checkins/<new id>/ (a new day each, 201), PUT /api/v1/urges/<new id>/
(201), GET / (Today, with a session cookie, 200), GET /api/v1/checkins/ (token, 200), and the
bare server's PUT /insert/<new id>/ (201). The reader (Today and the list) has a week of
check-ins and urges; the writes go to other participants, so the pages read the same data in
every round. Settings: HTTP_BENCH_ROUNDS (4), HTTP_BENCH_SECONDS (5), HTTP_BENCH_CONNECTIONS (8),
HTTP_BENCH_THREADS (2).
"""

import collections
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from machine import CpuSteal
from people import admitted, make_user
from tracker.models import CheckIn, Participant, Program, Urge

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPT = HERE / "http_routes.lua"
ROUNDS = int(os.environ.get("HTTP_BENCH_ROUNDS", "4"))
SECONDS = int(os.environ.get("HTTP_BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("HTTP_BENCH_CONNECTIONS", "8"))
THREADS = int(os.environ.get("HTTP_BENCH_THREADS", "2"))
ZONE = "America/New_York"
CHECKIN = {"in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": 4, "stress": 3, "mood": 4}


def say(*parts):
    print(*parts, flush=True)


def loadavg():
    return Path("/proc/loadavg").read_text().split()[:3]


class Server:
    """A gunicorn master with two sync workers on a port the OS picks (`--bind 127.0.0.1:0`, so
    no other process can take the port between choosing and binding it). Its output is read
    in a thread (kept for a failure's message) and tells when it listens and when both workers
    have booted."""

    def __init__(self, name, module, env, chdir):
        self.name = name
        self.lines = collections.deque(maxlen=200)
        self.listening = threading.Event()
        self.booted = 0
        self.workers_up = threading.Event()
        self.port = None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", module, "--bind", "127.0.0.1:0", "-w", "2", "-k", "sync",
             "--chdir", str(chdir), "--graceful-timeout", "10", "--timeout", "60"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip())
            if match := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                self.port = int(match.group(1))
                self.listening.set()
            elif "Booting worker" in line:
                self.booted += 1
                if self.booted >= 2:
                    self.workers_up.set()
        # The output ended: the master exited; wake anyone waiting so they see it.
        self.listening.set()
        self.workers_up.set()

    def wait_ready(self):
        for event in (self.listening, self.workers_up):
            if not event.wait(60) or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} did not start:\n" + "\n".join(self.lines))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def call(method, url, headers=None, body=None):
    """One request with urllib (setup and checks only, never timed): (status, body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


urllib.request.install_opener(urllib.request.build_opener(NoRedirect))


def new_participant(program, username):
    participant = Participant.objects.create(user=make_user(username), program=program, time_zone=ZONE)
    admitted(participant)
    return participant, Token.objects.create(user=participant.user).key


def wrk(url, mode, expected, run, auth="-", tokens="", base_epoch=0, seconds=SECONDS):
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(SCRIPT), url, "--", mode, str(expected), str(run), auth, tokens, str(base_epoch)]
    output = subprocess.run(command, check=False, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"RESULT (.*)", output.stdout)
    if output.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({output.returncode}):\n{output.stdout}\n{output.stderr}")
    result = {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


@pytest.fixture
def servers(transactional_db):
    """Both servers on the test database, stopped at the end whatever happened."""
    db = connection.settings_dict
    database_url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_http_floor (id uuid PRIMARY KEY, body jsonb NOT NULL)")
        cursor.execute("TRUNCATE bench_http_floor")
    base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    steady = Server("Steady", "project.wsgi:application", {
        **base, "DATABASE_URL": database_url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "project.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "insecure-key-for-bench-only"}, ROOT)
    bare = Server("bare Django", "bare_project.wsgi:application", {
        **base, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bare_project.settings"}, HERE)
    try:
        steady.wait_ready()
        bare.wait_ready()
        yield steady, bare
    finally:
        steady.stop()
        bare.stop()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_http_floor")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian: apt-get install wrk)")
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_http_throughput_against_a_bare_django_view(servers):
    steady, bare = servers
    start_load, steal = loadavg(), CpuSteal()
    say(f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at start: {' '.join(start_load)}")
    say(f"Steady at {steady.url}, bare Django at {bare.url}; wrk -t{THREADS} -c{CONNECTIONS}, "
        f"{ROUNDS} rounds of {SECONDS} s per run")

    program = Program.objects.create(name="Bench IOP")
    reader, reader_token = new_participant(program, "reader")
    urge_writer, urge_token = new_participant(program, "urge-writer")
    # A check-in is one per participant and day: each wrk thread of each check-in run writes for
    # its own participant, going back a day per request from a week before today.
    checkin_writers = [[new_participant(program, f"writer-{run}-{thread}")[1] for thread in range(THREADS)]
                       for run in range(ROUNDS + 1)]
    noon_utc = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    base_epoch = int((noon_utc - dt.timedelta(days=8)).timestamp())

    # The reader's week, written through Steady's own API: also the first check of every route.
    bearer = {"Authorization": f"Bearer {reader_token}"}
    today = dt.datetime.now(reader.zone).date()
    for back in range(7):
        day = today - dt.timedelta(days=back)
        status, body = call("PUT", f"{steady.url}/api/v1/checkins/{uuid.uuid4()}/", bearer,
                            {**CHECKIN, "date": day.isoformat()})
        assert status == 201, body
        for hour in (10, 18):
            occurred = dt.datetime.combine(day, dt.time(hour), reader.zone)
            if occurred < dt.datetime.now(reader.zone):
                status, body = call("PUT", f"{steady.url}/api/v1/urges/{uuid.uuid4()}/", bearer,
                                    {"occurred_at": occurred.isoformat(), "intensity": 5, "outcome": "passed"})
                assert status == 201, body
    client = Client()
    client.force_login(reader.user)
    cookie = f"Cookie: {settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    name, value = cookie.split(": ", 1)
    status, body = call("GET", f"{steady.url}/", {name: value})
    assert status == 200 and 'name="password"' not in body, (status, body[:500])
    status, body = call("GET", f"{steady.url}/api/v1/checkins/", bearer)
    assert status == 200 and json.loads(body)["count"] == 7, body[:500]
    assert call("GET", f"{bare.url}/hello/") == (200, "Hello")

    routes = [
        # (label, server, path, mode, expected status, auth header, tokens for the run)
        ("PUT /api/v1/checkins/<new id>/", steady, "/", "checkin", 201, "-", lambda run: ",".join(checkin_writers[run])),
        ("PUT /api/v1/urges/<new id>/", steady, "/", "urge", 201, "-", lambda run: ",".join([urge_token] * THREADS)),
        ("GET / (Today, session)", steady, "/", "get", 200, cookie, lambda run: ""),
        ("GET /api/v1/checkins/ (token)", steady, "/api/v1/checkins/", "get", 200,
         f"Authorization: Bearer {reader_token}", lambda run: ""),
        ("PUT bare INSERT (floor)", bare, "/insert/", "insert", 201, "-", lambda run: ""),
    ]
    hello = f"{bare.url}/hello/"
    run_number = 0

    def one(url, mode, expected, auth="-", tokens="", seconds=SECONDS):
        nonlocal run_number
        run_number += 1
        result = wrk(url, mode, expected, run_number, auth, tokens, base_epoch, seconds)
        if result["bad"] or result["socket_errors"]:
            raise AssertionError(f"{url} ({mode}): {result['bad']} answers were not {expected} (first: "
                                 f"{result['first_bad']}), {result['socket_errors']} socket errors")
        return result

    say("warming up (1 s per route, not counted)")
    one(hello, "get", 200, seconds=1)
    for label, server, path, mode, expected, auth, tokens in routes:
        one(server.url + path, mode, expected, auth, tokens(ROUNDS), seconds=1)

    results = collections.defaultdict(list)  # label -> [(result, bare result of the same round)]
    checkin_requests = urge_requests = 0
    for round_ in range(ROUNDS):
        for label, server, path, mode, expected, auth, tokens in routes:
            say(f"round {round_ + 1}/{ROUNDS}: bare hello, then {label} (load {' '.join(loadavg())})")
            baseline = one(hello, "get", 200)
            result = one(server.url + path, mode, expected, auth, tokens(round_))
            results[label].append((result, baseline))
            checkin_requests += result["requests"] if mode == "checkin" else 0
            urge_requests += result["requests"] if mode == "urge" else 0
            say(f"  bare {baseline['rps']:,.0f}/s; {label} {result['rps']:,.0f}/s, "
                f"ratio {result['rps'] / baseline['rps']:.1%}")
    end_load = loadavg()

    bare_all = [baseline for runs in results.values() for _, baseline in runs]
    say(f"\nHTTP throughput: gunicorn -w 2 (sync), wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} rounds x {SECONDS} s, "
        f"medians over rounds; the ratio is to the bare hello view run just before, in the same round")
    say(f"load average at start {' '.join(start_load)}, at end {' '.join(end_load)}; {steal}")
    header = f"{'route':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'ratio range':>14}"
    say(header)
    say("-" * len(header))
    say(f"{'GET bare hello (baseline)':34} {statistics.median(b['rps'] for b in bare_all):8,.0f} "
        f"{statistics.median(b['p50_us'] for b in bare_all) / 1000:8.2f} "
        f"{statistics.median(b['p99_us'] for b in bare_all) / 1000:8.2f} {'100%':>7}")
    for label, runs in results.items():
        ratios = [r["rps"] / b["rps"] for r, b in runs]
        say(f"{label:34} {statistics.median(r['rps'] for r, _ in runs):8,.0f} "
            f"{statistics.median(r['p50_us'] for r, _ in runs) / 1000:8.2f} "
            f"{statistics.median(r['p99_us'] for r, _ in runs) / 1000:8.2f} "
            f"{statistics.median(ratios):7.1%} {f'{min(ratios):.1%}-{max(ratios):.1%}':>14}")

    # The work was done: every counted 201 is a row (a request in flight when wrk stopped may
    # have landed too, hence at least).
    writers = Participant.objects.filter(user__username__startswith="writer-")
    assert CheckIn.objects.filter(participant__in=writers).count() >= checkin_requests
    assert Urge.objects.filter(participant=urge_writer).count() >= urge_requests
