"""Every participant page in a real headless Chromium at phone size (360 x 740).

No page scrolls sideways, controls are thumb-sized, nothing is fetched from another origin,
and the content security policy is never violated. Screenshots land in test-artifacts/.
"""

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tracker import services
from tracker.models import Urge, weekend_friday

# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain sync ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("STEADY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PAGES = [("today", "/"), ("checkin", "/checkin/"), ("urge", "/urge/"), ("reflection", "/reflection/"),
         ("history", "/history/"), ("settings", "/settings/"), ("safety-plan", "/safety-plan/"),
         ("safety-plan-edit", "/safety-plan/edit/"), ("safety-plan-versions", "/safety-plan/versions/"),
         ("weekend", "/weekend/"), ("tasks", "/tasks/"), ("task", "/task/"), ("goal", "/goal/"),
         ("progress", "/progress/"), ("progress-90", "/progress/?days=90"), ("patterns", "/patterns/"),
         ("high-risk-time", "/highrisk/"), ("reminders", "/reminders/")]

pytestmark = pytest.mark.browser


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
    yield page
    context.close()
    assert csp_reports == []


def sign_in(page, base, username, password):
    page.goto(base + "/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


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


def test_the_public_pages_fit_a_phone(phone, live_server, db):
    for name, path in [("help", "/help/"), ("signin", "/signin/")]:
        phone.goto(live_server.url + path)
        check_page(phone, name)


@pytest.fixture
def alice_with_entries(alice):
    """Something on every page: a check-in yesterday, an urge, a plan, a goal with a task due."""
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
        "weekend_of": weekend_friday(today) - dt.timedelta(days=7), "saturday": "Football, then groceries"})
    return alice


def test_every_participant_page_fits_a_phone(phone, live_server, alice_with_entries):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    for name, path in PAGES:
        phone.goto(live_server.url + path)
        check_page(phone, name)


def test_a_check_in_in_the_browser_with_an_error_keeps_what_was_typed(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/checkin/")
    phone.fill("#id_in_bed_at", "03:00")
    phone.fill("#id_final_wake_at", "02:00")
    phone.fill("#id_small_win", "Called my sister")
    phone.click("text=Save check-in")
    # The app's outbox sends it through the API; the server's 400 comes back beside the field.
    described_by = phone.locator("#id_final_wake_at")
    phone.locator("#id_final_wake_at[aria-invalid=true]").wait_for()
    error = phone.locator("#" + described_by.get_attribute("aria-describedby"))
    assert "before your bed time" in error.inner_text()
    assert "needs a fix" in phone.inner_text(".outbox-status")
    assert phone.input_value("#id_small_win") == "Called my sister"
    assert alice.checkins.count() == 0
    check_page(phone, "checkin-error")
    phone.fill("#id_in_bed_at", "23:00")
    phone.fill("#id_final_wake_at", "06:45")
    phone.click("text=Save check-in")
    phone.wait_for_url(live_server.url + "/")
    assert "You checked in today" in phone.inner_text("main")
    assert alice.checkins.get().total_sleep_min == 465


def test_the_api_docs_work_under_the_content_security_policy(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/api/docs/")
    phone.wait_for_selector("text=/api/v1/checkins/{entry_id}/")
    assert phone.evaluate("window.__cspViolations") == []
    assert phone.foreign_requests == []


def test_an_urge_can_be_logged_with_the_keyboard_alone(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")

    def tab_to(predicate_js, limit=80):
        for _ in range(limit):
            phone.keyboard.press("Tab")
            if phone.evaluate(f"(el => {predicate_js})(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached {predicate_js}")

    tab_to("el.textContent.trim() === 'Log an urge'")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live_server.url + "/urge/")
    tab_to("el.name === 'intensity'")
    for _ in range(6):
        phone.keyboard.press("ArrowRight")
    tab_to("el.name === 'trigger_other'")
    phone.keyboard.type("Saw an old friend")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live_server.url + "/")
    urge = Urge.objects.get()
    assert (urge.intensity, urge.trigger_other) == (6, "Saw an old friend")
