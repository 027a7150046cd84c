"""Urgent notices in headless Chromium: a risky answer's flag acknowledged with the keyboard,
refused without a note (the message next to the note box), at 360 and at 1280; a counselor's
browser subscribed to urgent notices from their settings, and the notice it is then sent
(through the local push service) shown by the service worker with nothing to snooze. Screenshots
in test-artifacts/screenshots and /tmp/shots-urgent."""

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from browsing import ARTIFACTS, check_page, sign_in, tab_to
from pushservice import PushService
from test_browser_accessibility import violations
from test_browser_pwa import push_to, shown_notifications, sw_registrations, wait_for_worker
from tracker import services, urgent
from tracker.models import FlagAcknowledgement, PushSubscription, UrgentAlert

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("local_push_service")]
SHOTS = Path("/tmp/shots-urgent")


def shot(page, name, full_page=True):
    for folder in (ARTIFACTS, SHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


@pytest.fixture
def risky(carol_sees_alice):
    alice = carol_sees_alice
    services.safety_answer_put(participant=alice, id=uuid.uuid4(), data={
        "response_id": uuid.uuid4(), "instrument": "phq9", "version": "1", "item": "9", "value": 1,
        "answered_at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)})
    return alice


def test_a_risky_answer_is_acknowledged_only_with_a_note_with_the_keyboard(phone, live_server, risky):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    assert phone.locator(".caseload-cards [data-flag=safety_answer]").first.is_visible()
    shot(phone, "urgent-caseload-360")
    tab_to(phone, "el.tagName === 'SUMMARY' && el.textContent.includes('Risky answer')")
    phone.keyboard.press("Enter")
    tab_to(phone, "el.name === 'note' && el.id.startsWith('note-')")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")   # no note
    error = phone.locator(f"#note-{risky.pk}-safety_answer_error")
    assert error.is_visible() and error.inner_text().startswith("Write a note to acknowledge this flag")
    assert "Nothing was acknowledged" in phone.inner_text(".messages")
    assert not FlagAcknowledgement.objects.exists()
    check_page(phone, "urgent-caseload-note-refused-360")
    shot(phone, "urgent-caseload-note-refused-360")
    assert violations(phone) == []

    phone.focus(f"#note-{risky.pk}-safety_answer")
    phone.keyboard.type("Called her, she is safe, seeing her at 4")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    ack = FlagAcknowledgement.objects.get()
    assert (ack.flag, ack.note) == ("safety_answer", "Called her, she is safe, seeing her at 4")
    assert "Risky answer on a questionnaire” for alice acknowledged" in phone.inner_text(".messages")

    # carol is also the program's admin: the list of urgent notices fits a phone, and names no flag.
    phone.goto(live_server.url + "/care/urgent/")
    assert "by Carol" in phone.inner_text("main") and "Risky" not in phone.inner_text("main")
    check_page(phone, "urgent-admin-list-360")
    shot(phone, "urgent-admin-list-360")
    assert violations(phone) == []


def test_at_desk_width_the_refusal_sits_next_to_the_rows_note_box(phone, browser, live_server, risky):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        page.goto(live_server.url + "/care/")
        tab_to(page, "el.tagName === 'SUMMARY' && el.closest('.case-table') !== null")
        page.keyboard.press("Enter")
        tab_to(page, "el.name === 'note' && el.id.includes('safety_answer')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(f"#desk-note-{risky.pk}-safety_answer_error").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        shot(page, "urgent-caseload-note-refused-1280", full_page=False)
        assert violations(page) == []
        page.goto(live_server.url + f"/care/participants/{risky.pk}/")
        shot(page, "urgent-participant-1280", full_page=False)
        page.goto(live_server.url + "/care/settings/program/")
        shot(page, "urgent-program-settings-1280")
        page.goto(live_server.url + "/care/urgent/")
        shot(page, "urgent-admin-list-1280")
        assert violations(page) == []
    finally:
        desk.close()


def subscribing_to(info):
    """The browser's push service stand-in: subscribe() answers with a subscription at the local
    push service (headless Chromium has no push service of its own to reach)."""
    return """
Object.defineProperty(Notification, 'permission', { get: () => window.__granted ? 'granted' : 'default' });
Notification.requestPermission = async () => { window.__granted = true; return 'granted'; };
PushManager.prototype.getSubscription = async function () { return window.__subscription || null; };
PushManager.prototype.subscribe = async function () {
  window.__subscription = { endpoint: %s, toJSON: () => (%s) };
  return window.__subscription;
};
""" % (json.dumps(info["endpoint"]), json.dumps(info))


def test_a_counselor_turns_on_urgent_notices_on_this_device_and_gets_one(phone, live_server, risky, carol):
    with PushService() as push_service:
        info = push_service.subscription()
        phone.context.add_init_script(subscribing_to(info))
        phone.context.grant_permissions(["notifications"], origin=live_server.url)
        sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
        phone.goto(live_server.url + "/care/settings/", wait_until="load")
        check_page(phone, "urgent-counselor-settings-360")
        assert violations(phone) == []
        phone.check("#id_urgent_push")
        phone.click("button.button--primary:text-is('Save')")
        phone.wait_for_selector("text=Settings saved.")
        phone.click("text=Turn on notifications on this device")
        phone.wait_for_selector("text=Notifications are on for this device.")
        shot(phone, "urgent-counselor-settings-on-360")
        subscription = PushSubscription.objects.get()
        assert subscription.user == carol.user and subscription.endpoint == info["endpoint"]

        # The risky answer's notice reaches that device, in neutral words.
        urgent.alert_send(alert_id=UrgentAlert.objects.get().pk)
        (received,) = push_service.wait_for(1)
        assert received.payload["body"] == "Someone on your caseload needs a look"

    # Shown by the service worker as it is: nothing to log or snooze, and it stays until seen.
    wait_for_worker(phone)
    cdp, ids = sw_registrations(phone, live_server.url)
    push_to(cdp, ids, live_server.url, json.dumps(received.payload))
    assert shown_notifications(phone) == [{"title": "Steady", "body": "Someone on your caseload needs a look",
                                           "url": f"/care/participants/{risky.pk}/", "actions": []}]
