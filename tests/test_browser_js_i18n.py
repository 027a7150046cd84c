"""The scripts' words in the person's language, in headless Chromium under the app's CSP: the
outbox and offline texts of a Spanish-speaking participant, offline too; the service worker's own
notification texts; a change of language reaching the pages kept on the phone.

The expected Spanish is read from the compiled djangojs catalog (locale/), never written here."""

import datetime as dt
import json

import pytest

from browsing import sign_in
from test_browser_pwa import fill_checkin, outbox_count, push_to, sw_registrations, wait_for_worker, wait_until
from test_js_catalog import spanish
from tracker import accounts, reminders
from tracker.models import Delivery, Reminder

pytestmark = pytest.mark.browser

SAVED_HERE = "Saved on this phone, will sync."
WAITING = "waiting to sync"
ONE_WAITING = "%(count)s entry is saved on this phone and not synced yet."


def catalog_state(page):
    """What the page's catalog script left: its language's words, loaded under the CSP."""
    return page.evaluate("""() => ({lang: document.documentElement.lang, gettext: typeof gettext,
        words: Object.keys((window.django && django.catalog) || {}).length,
        scripts: [...document.scripts].map(s => s.getAttribute('src')),
        violations: window.__cspViolations})""")


def language_recorded(page):
    """The language the service worker last fetched the kept pages in ("" before the first)."""
    return page.evaluate("""caches.keys().then(keys => caches.open(keys.find(k => k.startsWith('steady-'))))
        .then(cache => cache.match('/jsi18n/language')).then(r => r ? r.text() : '')""")


def test_the_catalog_loads_under_the_csp_in_the_persons_language(phone, live_server, alice):
    accounts.set_language(alice.user, "es")
    answers = []
    phone.on("response", lambda response: "/jsi18n/" in response.url and answers.append(
        (response.url, response.status, response.header_value("content-type"))))
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    state = catalog_state(phone)
    assert state["lang"] == "es" and state["gettext"] == "function" and state["words"] > 0
    assert state["scripts"][0] == "/jsi18n/es.js"
    assert state["violations"] == []
    assert (live_server.url + "/jsi18n/es.js", 200, 'text/javascript; charset="utf-8"') in answers
    assert phone.evaluate("(msgid) => gettext(msgid)", WAITING) == spanish(WAITING)
    # The manifest is asked for with the person's cookies, so it is in her language too.
    wait_for_worker(phone)
    manifest = phone.context.new_cdp_session(phone).send("Page.getAppManifest")
    assert json.loads(manifest["data"])["lang"] == "es"


def test_a_spanish_speaker_sees_the_outbox_and_offline_texts_in_spanish(phone, live_server, alice):
    accounts.set_language(alice.user, "es")
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/checkin/")  # seen once, so kept
    wait_until(phone, lambda: language_recorded(phone) == "es", "the worker to keep the Spanish words")
    # Offline to the end: back online, the outbox would send the check-in while the test database
    # is being emptied (the context is this test's own and is closed with it).
    phone.context.set_offline(True)
    fill_checkin(phone, live_server.url)  # the page and its catalog from the phone
    status = phone.locator(".outbox-status")
    status.wait_for()
    assert status.inner_text() == spanish(SAVED_HERE)
    assert catalog_state(phone)["words"] > 0  # the catalog came from the worker, offline
    phone.goto(live_server.url + "/")
    banner = phone.locator("#outbox-banner")
    banner.locator(".outbox-item").wait_for()
    assert banner.locator(".outbox-count").inner_text() == spanish(ONE_WAITING) % {"count": 1}
    item = banner.locator(".outbox-item").inner_text()
    assert item.endswith(f": {spanish(WAITING)}") and WAITING not in item
    day = alice.local_today().day
    assert f" {day} de " in item  # "…, mié 18 de nov": the day in Spanish order
    assert outbox_count(phone) == 1


def test_a_change_of_language_reaches_the_kept_pages_after_the_next_page_online(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/safety-plan/")
    wait_until(phone, lambda: language_recorded(phone) == "en", "the worker to note English")
    accounts.set_language(alice.user, "es")  # chosen in Settings (on this phone or another)
    phone.goto(live_server.url + "/")  # the next page online
    wait_until(phone, lambda: language_recorded(phone) == "es", "the worker to fetch the kept pages again")
    phone.context.set_offline(True)
    try:
        phone.goto(live_server.url + "/safety-plan/")  # kept before the change, not opened since
        state = catalog_state(phone)
        assert state["lang"] == "es" and state["scripts"][0] == "/jsi18n/es.js" and state["words"] > 0
        phone.goto(live_server.url + "/progress/")  # never opened: the offline page, in Spanish too
        assert catalog_state(phone)["lang"] == "es"
    finally:
        phone.context.set_offline(False)


def test_the_workers_own_notification_texts_are_in_the_persons_language(phone, live_server, alice):
    accounts.set_language(alice.user, "es")
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    wait_until(phone, lambda: language_recorded(phone) == "es", "the worker to keep the Spanish words")
    reminder = Reminder.objects.create(participant=alice, kind="checkin", local_time=dt.time(9), weekdays=[0])
    delivery = Delivery.objects.create(reminder=reminder, due_at=dt.datetime.now(dt.UTC))
    cdp, ids = sw_registrations(phone, live_server.url)
    payload = reminders.payload_for(delivery)
    del payload["actions"]  # the worker's own words: a payload that does not word its buttons
    push_to(cdp, ids, live_server.url, json.dumps(payload))
    titles = []

    def shown():
        titles[:] = phone.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications())
            .then(list => list.flatMap(n => n.actions.map(a => a.title)))""")
        return titles

    wait_until(phone, shown, "the service worker to show a notification")
    assert titles == [spanish("Log now"), spanish("Snooze 30 min")]

    # A payload that words its buttons (the server, in the recipient's language: here English,
    # as if they had switched on another phone) wins over the worker's own words.
    worded = reminders.payload_for(delivery) | {"tag": "steady-worded"}
    assert [a["title"] for a in worded["actions"]] == ["Log now", "Snooze 30 min"]
    push_to(cdp, ids, live_server.url, json.dumps(worded))

    def worded_shown():
        return phone.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications({tag: 'steady-worded'}))
            .then(list => list.flatMap(n => n.actions.map(a => a.title)))""")

    wait_until(phone, worded_shown, "the worded notification")
    assert worded_shown() == ["Log now", "Snooze 30 min"]
