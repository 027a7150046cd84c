"""The counselor's desk in headless Chromium: the Copy button copies the invitation link and says
so (aria-live), within the CSP; the caseload and a participant's page with severity chips at 1280
and 360 px (screenshots kept in test-artifacts/screenshots)."""

import pytest

from browsing import ARTIFACTS, check_page, sign_in
from test_browser_accessibility import violations

pytestmark = pytest.mark.browser


def test_copy_the_invitation_link(phone, live_server, carol_sees_alice):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    phone.goto(live_server.url + "/care/invitations/")
    phone.fill("#id_name", "Ray")
    phone.click("text=Make a link")
    phone.wait_for_selector("#invite-link")
    button = phone.locator('[data-copy="#invite-link"]')
    assert button.is_visible()
    button.click()
    phone.locator(".copy-status", has_text="Copied").wait_for(timeout=5000)   # fails loudly after 5 s
    link = phone.input_value("#invite-link")
    assert link.startswith("http") and phone.evaluate("navigator.clipboard.readText()") == link
    assert phone.get_attribute(".copy-status", "aria-live") == "polite"
    check_page(phone, "care-invitation-copied")


def test_the_chips_at_desk_and_phone_width(phone, browser, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    pages = [("care-caseload-chips", "/care/"), ("care-participant-chips", f"/care/participants/{carol_sees_alice.pk}/")]
    for name, path in pages:
        phone.goto(live_server.url + path)
        chip = phone.locator(".flag--urgent .flag__level").first
        assert "Urgent" in chip.inner_text()
        assert "Setup" in phone.locator(".flag--setup .flag__level").first.inner_text()
        check_page(phone, name + "-360")
        assert violations(phone) == [], path
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        for name, path in pages:
            page.goto(live_server.url + path)
            page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)
            assert violations(page) == [], path
    finally:
        desk.close()
