"""The care team's pages in headless Chromium at phone size (360 x 740): no sideways scroll,
thumb-sized controls, no foreign request, no CSP violation, no axe (WCAG 2.2 AA) violation;
and a flag acknowledged with the keyboard alone."""

import pytest

from browsing import care_pages, check_page, sign_in
from test_browser_accessibility import violations
from tracker.models import FlagAcknowledgement

pytestmark = pytest.mark.browser


def test_every_care_page_fits_a_phone_and_passes_axe(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    for name, path in care_pages(carol_sees_alice):
        phone.goto(live_server.url + path)
        check_page(phone, name)
        assert violations(phone) == [], path
    # The participant's own "who has seen my records" page lists carol.
    phone.context.clear_cookies()
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/settings/access-log/")
    assert "carol" in phone.inner_text("main")
    assert violations(phone) == []


def test_a_flag_is_acknowledged_with_the_keyboard(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")

    def tab_to(predicate_js, limit=120):
        for _ in range(limit):
            phone.keyboard.press("Tab")
            if phone.evaluate(f"(el => {predicate_js})(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached {predicate_js}")

    tab_to("el.tagName === 'SUMMARY' && el.textContent.includes('Strong urge')")
    phone.keyboard.press("Enter")
    tab_to("el.name === 'note'")
    phone.keyboard.type("Called, she is fine")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live_server.url + "/care/")
    assert "Strong urge” for alice acknowledged" in phone.inner_text(".messages")
    ack = FlagAcknowledgement.objects.get()
    assert (ack.flag, ack.note) == ("high_urge", "Called, she is fine")
    check_page(phone, "care-caseload-acknowledged")
