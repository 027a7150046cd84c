"""In Chromium at 360 x 740: history, settings, password, email, access log and reminders read
well on a phone (no sideways scroll, thumb-sized controls), and the reminders page shows its
test button only once this phone has notifications on."""

import pytest
from django.test import Client

from browsing import check_page, sign_in
from signin import verified_login

pytestmark = pytest.mark.browser

PAGES = [("history-list", "/history/"), ("settings-zone-email", "/settings/"), ("access-log-days", "/settings/access-log/"),
         ("password-change", "/settings/password/"), ("reminders-choices", "/reminders/")]

SUBSCRIBED = """
Object.defineProperty(Notification, 'permission', { get: () => 'granted' });
PushManager.prototype.getSubscription = async function () { return { endpoint: 'https://push.invalid/1' }; };
"""


def test_the_changed_pages_fit_a_phone(phone, live_server, alice_with_entries, carol):
    carol.user.last_name = "Jones"
    carol.user.save()
    client = verified_login(Client(), carol.user)
    for _ in range(3):
        client.get(f"/care/participants/{alice_with_entries.pk}/")
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    for name, path in PAGES:
        phone.goto(live_server.url + path, wait_until="load")
        check_page(phone, name)
    phone.goto(live_server.url + "/settings/access-log/")
    assert "Carol Jones (your counselor) viewed your progress 3 times" in phone.inner_text("main")
    # The time zone list offers cities: typing "Denv" and picking posts the zone's name.
    phone.goto(live_server.url + "/settings/")
    phone.fill("#id_time_zone", "Denver")
    phone.click("text=Save time zone")
    phone.wait_for_selector("text=Time zone saved.")
    alice_with_entries.refresh_from_db()
    assert alice_with_entries.time_zone == "America/Denver"
    # No notifications on this phone: no test button.
    phone.goto(live_server.url + "/reminders/", wait_until="load")
    assert phone.locator("#push-setup").is_visible()
    assert not phone.locator("text=Send me a test notification").is_visible()


def test_the_test_button_shows_once_notifications_are_on(phone, live_server, alice):
    phone.context.add_init_script(SUBSCRIBED)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/reminders/", wait_until="load")
    phone.locator("text=Send me a test notification").wait_for(state="visible")
    check_page(phone, "reminders-notifications-on")
