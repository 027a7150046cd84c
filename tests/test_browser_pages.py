"""Every participant page in a real headless Chromium at phone size (360 x 740).

No page scrolls sideways, controls are thumb-sized, nothing is fetched from another origin,
and the content security policy is never violated. Screenshots land in test-artifacts/.
"""

import pytest

from browsing import PAGES, check_page, sign_in, tab_to
from test_browser_accessibility import violations
from tracker import accounts
from tracker.models import Urge

pytestmark = pytest.mark.browser


def test_the_public_pages_fit_a_phone(phone, browser, live_server, carol):
    _, token = accounts.invitation_create(program=carol.program, role="participant", name="Dee", created_by=carol.user)
    for name, path in [("help", "/help/"), ("signin", "/signin/"), ("password-reset", "/password-reset/"),
                       ("join", f"/j/{token}/"), ("join-invalid", "/j/not-a-real-token/")]:
        phone.goto(live_server.url + path)
        check_page(phone, name)
        assert violations(phone) == [], path
    # Joining fills in the phone's own time zone.
    in_auckland = browser.new_context(timezone_id="Pacific/Auckland").new_page()
    in_auckland.goto(live_server.url + f"/j/{token}/")
    assert in_auckland.input_value("#id_time_zone") == "Pacific/Auckland"
    in_auckland.context.close()


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
    # The page sends it to the API; the server's 400 comes back beside the field, and as a summary.
    described_by = phone.locator("#id_final_wake_at")
    phone.locator("#id_final_wake_at[aria-invalid=true]").wait_for()
    error = phone.locator("#" + described_by.get_attribute("aria-describedby"))
    assert "before your bed time" in error.inner_text()
    assert "Nothing was saved yet" in phone.inner_text(".outbox-status")
    assert phone.evaluate("Outbox.all().then(items => items.length)") == 0
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

    tab_to(phone, "el.textContent.trim() === 'Log an urge'")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live_server.url + "/urge/")
    tab_to(phone, "el.name === 'intensity'")
    for _ in range(6):
        phone.keyboard.press("ArrowRight")
    tab_to(phone, "el.name === 'trigger_other'")
    phone.keyboard.type("Saw an old friend")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live_server.url + "/")
    urge = Urge.objects.get()
    assert (urge.intensity, urge.trigger_other) == (6, "Saw an old friend")
