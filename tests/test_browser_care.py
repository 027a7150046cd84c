"""The care team's pages in headless Chromium at phone size (360 x 740): no sideways scroll,
thumb-sized controls, no foreign request, no CSP violation, no axe (WCAG 2.2 AA) violation;
and a flag acknowledged with the keyboard alone."""

import pytest

from browsing import care_pages, check_page, sign_in, tab_to
from test_browser_accessibility import violations
from tracker.models import FlagAcknowledgement

pytestmark = pytest.mark.browser


CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""


def test_every_care_page_fits_a_phone_and_passes_axe(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    assert phone.evaluate("Boolean(navigator.serviceWorker.controller)")
    for name, path in care_pages(carol_sees_alice):
        phone.goto(live_server.url + path)
        check_page(phone, name)
        assert violations(phone) == [], path
    # The service worker keeps other pages for offline use, never the care team's.
    phone.goto(live_server.url + "/help/")
    cached = phone.evaluate(CACHED_PATHS)
    assert "/help/" in cached
    assert [path for path in cached if path.startswith("/care/")] == []

    # The weekly summary prints without the site's navigation.
    phone.goto(live_server.url + f"/care/participants/{carol_sees_alice.pk}/summary/")
    phone.emulate_media(media="print")
    assert not phone.is_visible(".staff-nav") and not phone.is_visible(".care-tabs")
    assert phone.is_visible("text=Day by day")
    phone.emulate_media(media="screen")
    # The participant's own "who has seen my records" page lists carol.
    phone.context.clear_cookies()
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/settings/access-log/")
    assert "Carol (your counselor) viewed" in phone.inner_text("main")
    assert violations(phone) == []


def test_a_flag_is_acknowledged_with_the_keyboard(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")

    tab_to(phone, "el.tagName === 'SUMMARY' && el.textContent.includes('Strong urge')")
    phone.keyboard.press("Enter")
    tab_to(phone, "el.name === 'note'")
    phone.keyboard.type("Called, she is fine")
    phone.keyboard.press("Enter")
    phone.wait_for_url(live_server.url + "/care/")
    assert "Strong urge” for alice acknowledged" in phone.inner_text(".messages")
    ack = FlagAcknowledgement.objects.get()
    assert (ack.flag, ack.note) == ("high_urge", "Called, she is fine")
    check_page(phone, "care-caseload-acknowledged")
