"""After a hard moment, on a phone (Chromium at 360 x 740): the support sheet after a strong
urge or a setback, online and without signal; "I'd like to talk" waiting on the phone and sent
once back online; and the person's own safety plan without signal right after sign-in."""

import uuid

import pytest
from playwright.sync_api import Error as PlaywrightError

from browsing import ARTIFACTS, check_page, sign_in
from test_browser_pwa import outbox_count, wait_for_worker, wait_until
from tracker import services
from tracker.models import TalkRequest

pytestmark = pytest.mark.browser


@pytest.fixture
def alice_with_plan(alice):
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "coping_alone": ["Cold water on my face", "Walk round the block"],
        "helpers": [{"name": "My sister Ana", "phone": "555-0101"}, {"name": "Sam from group", "phone": "555-0177"}],
        "reasons": ["My kids", "Running in spring"]})
    return alice


def log_urge(page, base, intensity, *, used=False):
    page.goto(base + "/urge/", wait_until="load")
    page.click(f"label[for=id_intensity_{intensity}]")
    if used:
        page.click("label[for=id_outcome_2]")  # "I used (a setback)"
    page.click("text=Save urge")


def cached(page, path, text=""):
    """Whether the phone's cache holds `path` (with `text` in it). Asked again if the page was
    just navigating (a save that reached the server moves on to its next page)."""
    try:
        return page.evaluate("""([path, text]) => caches.match(path).then(r => r ? r.text() : "")
                                .then(body => body !== "" && body.includes(text))""", [path, text])
    except PlaywrightError:
        return False


def setback_part_shown(page):
    return page.locator("[data-after=setback]").is_visible()


def test_a_strong_urge_and_a_setback_lead_to_the_support_sheet(phone, live_server, alice_with_plan):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    check_page(phone, "today-talk")
    log_urge(phone, base, 9)
    phone.wait_for_url(base + "/support/")
    main = phone.inner_text("main")
    assert "Things you can do on your own" in main and "Cold water on my face" in main
    assert phone.get_attribute(".support-call", "href") == "tel:5550101" and "Call My sister Ana" in main
    assert not setback_part_shown(phone)
    check_page(phone, "support")

    log_urge(phone, base, 4, used=True)
    phone.wait_for_url(base + "/support/?after=setback")
    assert setback_part_shown(phone)
    assert "A setback does not erase the steps before it" in phone.inner_text("main")
    assert "naloxone" in phone.inner_text("main")
    check_page(phone, "support-setback")

    log_urge(phone, base, 7)  # neither: back to Today
    phone.wait_for_url(base + "/")
    assert alice_with_plan.urges.count() == 3


def test_without_signal_the_sheet_still_opens_and_a_request_to_talk_waits_then_goes(phone, live_server,
                                                                                      alice_with_plan):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    wait_for_worker(phone)
    wait_until(phone, lambda: cached(phone, "/support/", "My sister Ana") and cached(phone, "/urge/"),
               "the phone to keep the support sheet and the urge form")
    phone.context.set_offline(True)
    try:
        log_urge(phone, base, 3, used=True)
        phone.wait_for_url(base + "/support/?after=setback")
        assert setback_part_shown(phone)  # picked by the address, in the page from the cache
        main = phone.inner_text("main")
        assert "Call My sister Ana" in main and "Cold water on my face" in main and "Call 988" in main
        phone.locator(".outbox-count", has_text="1 entry is saved on this phone").wait_for()

        phone.click("text=I’d like to talk")
        phone.locator(".talk-status", has_text="Saved on this phone; it reaches your care team when you’re back "
                                               "online").wait_for()
        assert outbox_count(phone) == 2 and TalkRequest.objects.count() == 0
    finally:
        phone.context.set_offline(False)  # "online": the page sends the outbox
    phone.locator(".talk-status", has_text="Your care team will see this when they are next at work").wait_for()
    wait_until(phone, lambda: outbox_count(phone) == 0, "the outbox to empty")
    talk = TalkRequest.objects.get()
    assert (talk.participant_id, talk.source) == (alice_with_plan.pk, "support")
    assert alice_with_plan.urges.get().outcome == "used"


def test_right_after_sign_in_i_need_help_now_opens_my_own_plan_without_signal(phone, live_server, alice_with_plan):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")  # the safety plan is never opened online
    wait_for_worker(phone)
    wait_until(phone, lambda: cached(phone, "/safety-plan/", "My sister Ana"), "the phone to keep the safety plan")
    phone.context.set_offline(True)
    try:
        phone.click("a.help-now")
        phone.wait_for_url(base + "/safety-plan/")
        main = phone.inner_text("main")
        for words in ("My sister Ana", "Sam from group", "My kids", "Running in spring", "Call 988"):
            assert words in main, words
        assert phone.locator('a[href="tel:5550101"]').count() == 1

        # A change made without signal (here put straight into the outbox, on Today, so that no
        # page load refreshes anything) reaches the phone's copies once the outbox sends it.
        phone.goto(base + "/")
        phone.evaluate("""([id, csrf]) => Outbox.put({id, url: `/api/v1/safety-plan/versions/${id}/`, page: "/",
            csrf, status: "waiting", body: {helpers: [{name: "Maria next door", phone: "555-0123"}]}})""",
                       [str(uuid.uuid4()), phone.evaluate("document.cookie.match(/csrftoken=([^;]+)/)[1]")])
    finally:
        phone.context.set_offline(False)  # "online": the page sends the outbox
    wait_until(phone, lambda: alice_with_plan.safety_plan_versions.count() == 2, "the new version to arrive")
    assert phone.url == base + "/"
    wait_until(phone, lambda: cached(phone, "/safety-plan/", "Maria next door"), "the phone's copy to follow")
    wait_until(phone, lambda: cached(phone, "/support/", "Call Maria next door"), "the sheet to follow")
    phone.context.set_offline(True)
    try:
        phone.goto(base + "/support/")
        assert "Call Maria next door" in phone.inner_text("main")
    finally:
        phone.context.set_offline(False)


def test_the_care_team_sees_asked_to_talk_as_an_urgent_chip_at_the_desk(browser, live_server, plain_static,
                                                                         carol_sees_alice, carol):
    services.talk_request_put(participant=carol_sees_alice, id=uuid.uuid4(), data={"source": "support"})
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "carol", "carol-password-1", lands_on="/care/")
        chip = page.locator(".case-table [data-flag=talk]")
        assert chip.count() == 1 and "urgent" in chip.get_attribute("class")
        # Urgent, so alice leads the caseload, and its chip is among her first (with the strong urge).
        first_row = page.locator(".case-table tbody tr").first
        assert "alice" in first_row.inner_text().lower()
        assert "talk" in [first_row.locator("[data-flag]").nth(n).get_attribute("data-flag") for n in range(2)]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "care-caseload-asked-to-talk-1280.png"))
    finally:
        context.close()
