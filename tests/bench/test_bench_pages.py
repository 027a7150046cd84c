"""Server time of every page with the demo data (issue 20, target 4). Run with `make bench`.

Prints figures; asserts only that the pages answered. Record results in docs/performance.md
("Page server times (issue 20)"). Targets: every participant page under 20 ms, every counselor
page under 50 ms, median of 50 warm requests.

The data is `manage.py seed_demo` (the counselor, alex, sam and jordan with 60 days, the groups,
a year of past participants). The pages are found from the URL conf, not listed by hand, so a
new page is timed by itself: every route outside /api/, /admin/ and the public ones, its
arguments filled with the demo's own ids (alex's entries, alex as the counselor's participant,
the evening group and its sessions), GET through Django's test Client signed in with the second
factor. A route that answers alex with 200 and lies outside /care/ is a participant page; one
that answers the counselor with 200 under /care/ is a counselor page; the rest (POST-only
routes, downloads, redirects) are printed as skipped with their status.

Also timed: a trivial signed-in page (the offline page, a small template, requested signed in)
to show the fixed cost every request pays for the session, the user, the second factor and the
middleware. Each page's median CPU time of this process is printed beside its wall time: with
other work on the two cores, the wall time mostly measures waiting for a core.
"""

import cProfile
import io
import os
import pstats
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from machine import CpuSteal
from routes import every_route
from signin import verified_login
from tracker.models import (
    AbsenceNotice,
    Counselor,
    GroupSession,
    Medication,
    Participant,
    Questionnaire,
)
from tracker.web import participant as participant_pages

RUNS = int(os.environ.get("STEADY_BENCH_RUNS", "50"))
WARM = 5
PARTICIPANT_MS = 20
COUNSELOR_MS = 50
# Not pages, or not pages a signed-in participant or counselor reads in a session.
SKIP_PREFIXES = ("api/", "admin/", "signin/", "signout/", "password-reset/", "j/", "jsi18n/", "sw.js",
                 "manifest.webmanifest", "healthz/")
# Set STEADY_BENCH_PROFILE=care_participant (a route name) to print a cProfile of that page.
PROFILE = os.environ.get("STEADY_BENCH_PROFILE", "")
# Set STEADY_BENCH_ONLY=today,care_caseload to time only those pages (while working on them).
# Set STEADY_BENCH_DUMP=/some/dir to write each page's HTML there (to compare markup before and after a change).
DUMP = os.environ.get("STEADY_BENCH_DUMP", "")
ONLY = [name for name in os.environ.get("STEADY_BENCH_ONLY", "").split(",") if name]


def say(*parts):
    print(*parts, flush=True)


def load():
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def demo_arguments(alex):
    """The demo's ids for each route argument, by route name where one name means different rows."""
    now = timezone.now()
    sessions = GroupSession.objects.filter(group__memberships__participant=alex).distinct()
    past = sessions.filter(starts_at__lt=now).order_by("-starts_at").first()
    ahead = sessions.filter(starts_at__gt=now).order_by("starts_at").first()
    current = past
    entry_ids = {}
    for kind, spec in participant_pages.KINDS.items():
        entry = spec["model"].objects.filter(participant=alex).order_by("-created_at").first()
        if entry is not None:
            entry_ids[f"{kind}_edit"] = entry_ids[f"{kind}_delete"] = entry_ids[f"care_{kind}_edit"] = entry.pk
    medication = Medication.objects.filter(participant=alex).first()
    if medication is not None:
        for name in ("medication_edit", "medication_delete", "care_medication_edit"):
            entry_ids[name] = medication.pk
    notice = AbsenceNotice.objects.filter(participant=alex).first()
    if notice is not None:
        entry_ids["notice_done"] = notice.pk
    questionnaires = Questionnaire.objects.filter(participant=alex)
    open_one = questionnaires.filter(completed_at__isnull=True).first() or questionnaires.first()
    done_one = questionnaires.filter(completed_at__isnull=False).first() or open_one
    plan = alex.safety_plan_versions.order_by("-number").first()
    return {
        "participant_id": alex.pk,
        "number": plan.number if plan else 1,
        "group_id": current.group_id if current else None,
        "session_id": {"notice_cant_make_it": ahead, "notice_missed": past}, "_session": current,
        "questionnaire_id": {"questionnaire_result": done_one, "_": open_one},
        "entry_id": entry_ids,
    }


def kwargs_for(name, converters, found):
    kwargs = {}
    for arg in converters:
        value = found.get(arg)
        if arg == "session_id":
            value = (value.get(name) or found["_session"])
            value = value.pk if value else None
        elif arg == "questionnaire_id":
            value = value.get(name) or value["_"]
            value = value.pk if value else None
        elif arg == "entry_id":
            value = value.get(name)
        if value is None:
            return None
        kwargs[arg] = value
    return kwargs


def timed(client, url):
    """(wall ms, this process's CPU ms, response): on a loaded machine the CPU time says more
    about the page's own Python work than the wall time (PostgreSQL's share is not in it)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, response


def measure(client, url):
    for _ in range(WARM):
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        _, _, response = timed(client, url)
    queries = len(captured.captured_queries)  # now: the next request empties the log
    runs = [timed(client, url) for _ in range(RUNS)]
    times = [wall for wall, _, _ in runs]
    return {"median": statistics.median(times), "best": min(times), "queries": queries,
            "cpu": statistics.median([cpu for _, cpu, _ in runs]),
            "kb": len(response.content) / 1024}


def profile(client, url):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


@pytest.fixture
def demo(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    say("seeding the demo (manage.py seed_demo) ...")
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    say(f"  seeded in {time.perf_counter() - started:.0f} s")
    alex = Participant.objects.select_related("user").get(user__username="alex")
    counselor = Counselor.objects.select_related("user").get(user__username="counselor")
    return alex, counselor


def test_page_server_times(demo):
    alex, counselor = demo
    participant_client = verified_login(Client(), alex.user)
    counselor_client = verified_login(Client(), counselor.user)
    found = demo_arguments(alex)
    pages, skipped = [], []
    for pattern, name, converters in every_route():
        if pattern.startswith(SKIP_PREFIXES):
            continue
        kwargs = kwargs_for(name, converters, found)
        if kwargs is None:
            skipped.append((name, "no demo row for its arguments"))
            continue
        url = reverse(name, kwargs=kwargs)
        care = pattern.startswith("care/")
        client = counselor_client if care else participant_client
        status = client.get(url).status_code
        if status != 200 or "export" in name or name.endswith("_csv") or "download" in name:
            skipped.append((name, f"GET answers {status}" if status != 200 else "a download"))
            continue
        pages.append(("counselor" if care else "participant", name, url, client))
        if name == "care_participant":
            pages.append(("counselor", name + " 90 days", url + "?days=90", client))
            pages.append(("counselor", name + " 365 days", url + "?days=365", client))
        if name == "progress":
            pages.append(("participant", name + " 90 days", url + "?days=90", client))

    start_load, steal = load(), CpuSteal()
    say(f"\n{len(pages)} pages, {RUNS} warm runs each; load average at start {start_load}")
    fixed = measure(participant_client, reverse("offline"))
    say(f"fixed cost: the offline page signed in as alex {fixed['median']:.1f} ms (best {fixed['best']:.1f}, "
        f"CPU {fixed['cpu']:.1f}; {fixed['queries']} queries)")
    results = []
    for side, name, url, client in pages:
        if ONLY and name.split(" ")[0] not in ONLY:
            continue
        result = measure(client, url)
        if DUMP:
            with open(os.path.join(DUMP, name.replace(" ", "_") + ".html"), "wb") as out:
                out.write(client.get(url).content)
        target = PARTICIPANT_MS if side == "participant" else COUNSELOR_MS
        result.update(side=side, name=name, url=url, target=target, load=load().split()[0])
        results.append(result)
        say(f"{side:<11} {name:<36} {result['median']:6.1f} ms (best {result['best']:5.1f}, CPU {result['cpu']:5.1f}) "
            f"{result['queries']:3d} queries {result['kb']:6.1f} KB  {'ok' if result['median'] < target else 'OVER'}"
            f"  load {result['load']}")
        if PROFILE and name == PROFILE:
            profile(client, url)
    end_load = load()

    say(f"\nload average at start {start_load}, at end {end_load}; {steal}; fixed cost (offline page, signed in) "
        f"{fixed['median']:.1f} ms")
    say("| side | page | median (ms) | best (ms) | CPU median (ms) | queries | KB | target |")
    say("|---|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        verdict = "met" if r["median"] < r["target"] else "**not met**"
        say(f"| {r['side']} | `{r['name']}` | {r['median']:.1f} | {r['best']:.1f} | {r['cpu']:.1f} | {r['queries']} | {r['kb']:.0f} "
            f"| under {r['target']} ms: {verdict} |")
    for side in ("participant", "counselor"):
        mine = [r for r in results if r["side"] == side]
        if not mine:
            continue
        over = [r["name"] for r in mine if r["median"] >= r["target"]]
        say(f"{side}: {len(mine)} pages, {len(mine) - len(over)} under {mine[0]['target']} ms; over: {', '.join(over) or 'none'}")
    say("skipped: " + "; ".join(f"{name} ({why})" for name, why in skipped))
    assert results
