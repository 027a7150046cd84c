"""Shared by the browser tests: headless Chromium at phone size, and helpers.

The fixtures are registered in conftest.py; test modules import only the helpers.
"""

import contextlib
import datetime as dt
import os
import shutil
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished, request_started

from signin import current_code, totp_device, verified_login

from tracker import services
from tracker.models import weekend_friday

# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain sync ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("STEADY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PAGES = [("today", "/"), ("checkin", "/checkin/"), ("urge", "/urge/"), ("reflection", "/reflection/"),
         ("history", "/history/"), ("settings", "/settings/"), ("safety-plan", "/safety-plan/"),
         ("safety-plan-edit", "/safety-plan/edit/"), ("safety-plan-versions", "/safety-plan/versions/"),
         ("weekend", "/weekend/"), ("tasks", "/tasks/"), ("task", "/task/"), ("goal", "/goal/"),
         ("progress", "/progress/"), ("progress-90", "/progress/?days=90"), ("patterns", "/patterns/"),
         ("high-risk-time", "/highrisk/"), ("reminders", "/reminders/"), ("access-log", "/settings/access-log/"),
         ("my-data", "/settings/my-data/"), ("close-account", "/settings/close/"),
         ("second-factor-setup", "/account/2fa/setup/"), ("support", "/support/"),
         ("support-setback", "/support/?after=setback"), ("notice", "/settings/notice/"),
         ("passport", "/passport/")]


def care_pages(participant):
    """The counselor's pages about one participant (and the lists), as (name, path)."""
    base = f"/care/participants/{participant.pk}"
    goal = participant.goals.first()
    return [("care-caseload", "/care/"), ("care-audit", "/care/audit/"), ("care-trends", f"{base}/"),
            ("care-trends-90", f"{base}/?days=90"), ("care-trends-365", f"{base}/?days=365"),
            ("care-summary", f"{base}/summary/"), ("care-plans", f"{base}/plans/"),
            ("care-safety-plan-1", f"{base}/safety-plan/1/"), ("care-wins", f"{base}/wins/"),
            ("care-goals", f"{base}/goals/"), ("care-goal-new", f"{base}/goal/"), ("care-task-new", f"{base}/task/"),
            ("care-goal-edit", f"{base}/goal/{goal.pk}/"), ("care-invitations", "/care/invitations/"),
            ("care-settings", "/care/settings/"), ("care-program-settings", "/care/settings/program/"),
            ("care-urgent", "/care/urgent/")]

@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def plain_static(settings):
    # The live server serves static files from the finders, which know no hashed names.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def phone(browser, live_server, plain_static):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.foreign_requests = []
    own = urlsplit(live_server.url).netloc
    page.on("request", lambda request: urlsplit(request.url).netloc not in (own, "")
            and page.foreign_requests.append(request.url))
    # Every browser test also checks that no page broke the content security policy.
    csp_reports = []

    def watch(any_page):
        any_page.on("console", lambda message: "Content Security Policy" in message.text
                    and csp_reports.append(message.text))

    watch(page)
    context.on("page", watch)
    with requests_in_flight() as in_flight:
        yield page
        # Every context of the test closed, then every request the server took finished, before the
        # database is emptied: the service worker fetches its kept pages again in the background
        # after a save, and a request still running then deadlocked with the emptying (CI).
        for open_context in browser.contexts:
            open_context.close()
        assert in_flight.wait_idle(), "the live server still answering a request 30 s after the browser closed"
    assert csp_reports == []


class _InFlight:
    """Requests the server has begun and not finished (Django's request_started/request_finished)."""

    def __init__(self):
        self.count, self.changed = 0, threading.Condition()

    def started(self, **kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_idle(self, timeout=30):
        with self.changed:
            return self.changed.wait_for(lambda: self.count <= 0, timeout)


@contextlib.contextmanager
def requests_in_flight():
    in_flight = _InFlight()
    request_started.connect(in_flight.started, weak=False)
    request_finished.connect(in_flight.finished, weak=False)
    try:
        yield in_flight
    finally:
        request_started.disconnect(in_flight.started)
        request_finished.disconnect(in_flight.finished)


def sign_in(page, base, username, password, lands_on="/"):
    page.goto(base + "/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.entry-form button[type=submit]")  # not the language switch above it
    page.wait_for_url(lambda url: url == base + lands_on or "/account/2fa/" in url)
    if "/account/2fa/" in page.url:  # staff: the second step, with the code their app would show
        from django.contrib.auth import get_user_model

        page.fill("#id_code", current_code(totp_device(get_user_model().objects.get(username=username))))
        page.click("text=Continue")
    page.wait_for_url(base + lands_on)


def tab_to(page, predicate_js, limit=120):
    """Press Tab until the focused element satisfies predicate_js (a JS expression of `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {predicate_js}")


def check_page(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name} scrolls sideways ({width}px)"
    small = page.evaluate("""() => [...document.querySelectorAll('button, .button, .chip, .check, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, .tabs a, summary')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.textContent.trim().slice(0, 30) || el.name || el.tagName, el.getBoundingClientRect().height])
        .filter(([, height]) => height < 44)""")
    assert small == [], f"{name}: controls smaller than a thumb: {small}"
    assert page.evaluate("window.__cspViolations") == [], name
    assert page.foreign_requests == [], name


@pytest.fixture
def alice_with_entries(alice):
    """Something on every page: a check-in yesterday, an urge, a plan, a goal with a task due."""
    return give_entries(alice)


def give_entries(alice):
    """alice_with_entries's entries, for a fixture of any scope (tests/test_browser_spanish.py)."""
    today = alice.local_today()
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": today - dt.timedelta(days=1), "in_bed_at": dt.time(23, 0), "final_wake_at": dt.time(6, 30),
        "sleep_quality": 4, "stress": 3, "small_win": "Walked to the shop instead of driving past the bar"})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": alice.local_now() - dt.timedelta(hours=3), "intensity": 6, "duration_min": 15,
        "triggers": ["stress"], "helped": ["called"], "outcome": "passed"})
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "warning_signs": ["Skipping meals"], "helpers": [{"name": "My sister Ana", "phone": "555-0101"}],
        "professionals": [{"name": "Casey Morgan, counselor at the Riverside clinic", "phone": "555-0199"}],
        "reasons": ["My kids"]})
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={
        "title": "A new morning routine", "why": "Mornings set up the whole day."}).entry
    services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={
        "title": "Write down three urges and what helped", "due_date": today, "goal": goal})
    services.weekend_plan_put(participant=alice, id=uuid.uuid4(), data={
        "weekend_of": weekend_friday(today) - dt.timedelta(days=7), "saturday": "Football, then groceries",
        "how_it_went": "harder", "review_note": "Saturday night was long"})
    services.reflection_put(participant=alice, id=uuid.uuid4(), data={
        "week_start": today - dt.timedelta(days=today.weekday()), "wins": ["Three check-ins"], "hard": "Work",
        "focus": "Sleep by eleven"})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": alice.local_now() - dt.timedelta(hours=5), "intensity": 9, "duration_min": 40,
        "triggers": ["lonely"], "helped": ["walked"], "outcome": "passed", "note": "Walked it off"})
    return alice


@pytest.fixture
def carol_sees_alice(alice_with_entries, carol):
    """carol is on alice's care team and her program's admin; she has opened alice's records once."""
    open_records(carol, alice_with_entries)
    return alice_with_entries


def open_records(carol, alice):
    """carol_sees_alice's making: carol a program admin who has opened alice's records once."""
    carol.is_program_admin = True
    carol.save()
    from django.test import Client

    client = Client()
    verified_login(client, carol.user)
    client.get(f"/care/participants/{alice.pk}/")
