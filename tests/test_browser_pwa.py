"""The installable app in headless Chromium: manifest, service worker, offline pages, push."""

import datetime as dt
import gzip
import json
import time
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from browsing import sign_in
from tracker import reminders, services
from tracker.models import Delivery, Reminder
from tracker.web.pwa import PARTICIPANT_PAGES

pytestmark = pytest.mark.browser


def test_the_manifest_and_the_worker_are_served_from_the_root(client, alice):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert (data["id"], data["start_url"], data["scope"], data["display"]) == ("/", "/", "/", "standalone")
    assert {(i["sizes"], i["purpose"]) for i in data["icons"]} == {
        ("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Cache-Control"] == "no-cache"
    assert 'const VERSION = "' in worker.text
    client.force_login(alice.user)
    for page in ("/", "/checkin/", "/help/", "/reminders/"):
        html = client.get(page, follow=True).text
        # With the person's cookies: the manifest is in their language.
        assert '<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">' in html
        assert 'rel="apple-touch-icon"' in html


def wait_for_worker(page, timeout=10):
    """Until the service worker is active and controls the page (fails after `timeout` seconds)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()  # a page loaded before its worker was active is controlled from its next load
    page.wait_for_function("!!navigator.serviceWorker.controller", timeout=timeout * 1000)


def sw_registrations(page, base):
    """A CDP session and the ids of the live service worker registrations for this origin.

    The browser may also list registrations of earlier tests' (closed) contexts on the same live
    server, and CDP does not say which is this page's, so messages go to all of them: the
    closed ones have nobody to show anything to. (CDP events need Playwright's loop to run:
    wait_for_timeout, not time.sleep.)"""
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    wait_until(page, lambda: registrations, "CDP to list the service worker registrations")
    ids = {r["registrationId"] for r in registrations if r["scopeURL"].startswith(base) and not r["isDeleted"]}
    assert ids, f"no live service worker registration for {base} among {registrations}"
    return cdp, sorted(ids)


def to_each(cdp, ids, method, params):
    """Send a CDP ServiceWorker message to each registration; a closed context's may refuse it."""
    delivered = 0
    for registration_id in ids:
        try:
            cdp.send(method, {**params, "registrationId": registration_id})
            delivered += 1
        except PlaywrightError:
            pass
    assert delivered


def push_to(cdp, ids, base, payload):
    to_each(cdp, ids, "ServiceWorker.deliverPushMessage", {"origin": base, "data": payload})


def shown_notifications(page):
    """The notifications this page's worker shows, waiting up to 10 s for the first (then failing)."""
    shown = []

    def any_shown():
        shown[:] = page.evaluate("""navigator.serviceWorker.ready
            .then(r => r.getNotifications())
            .then(list => list.map(n => ({title: n.title, body: n.body, url: n.data.url,
                                          actions: n.actions.map(a => a.action)})))""")
        return shown

    wait_until(page, any_shown, "the service worker to show a notification")
    return shown


TAP = """async (action) => {
    const [notification] = await self.registration.getNotifications();
    const event = new NotificationEvent("notificationclick", {notification, action});
    try { self.dispatchEvent(event); } catch (error) { /* waitUntil refuses an untrusted event */ }
}"""


def tap(page, action=""):
    """Hand the shown notification to the worker's own notificationclick handler."""
    worker = next(w for w in page.context.service_workers if w.url.endswith("/sw.js"))
    worker.evaluate(TAP, action)


def test_chromium_finds_the_app_installable(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    cdp = phone.context.new_cdp_session(phone)
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    assert set(errors) <= {"in-incognito"}, errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert json.loads(manifest["data"])["short_name"] == "Steady"
    assert phone.evaluate("window.__cspViolations") == []


def test_pages_seen_once_open_without_a_connection(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    for path in ("/checkin/", "/safety-plan/", "/"):
        phone.goto(live_server.url + path)
    phone.context.set_offline(True)
    try:
        phone.goto(live_server.url + "/safety-plan/")
        assert "988" in phone.inner_text("main")
        phone.goto(live_server.url + "/checkin/")
        assert phone.locator("#id_in_bed_at").count() == 1
        phone.goto(live_server.url + "/progress/")  # never opened: the offline page, with help on it
        assert "No connection right now" in phone.inner_text("main")
        assert "Call 988" in phone.inner_text("main")
    finally:
        phone.context.set_offline(False)


def test_a_push_message_shows_a_notification_with_its_title(phone, live_server, alice):
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    reminder = Reminder.objects.create(participant=alice, kind="checkin", local_time=dt.time(9), weekdays=[0],
                                       next_due_at=None)
    delivery = Delivery.objects.create(reminder=reminder, due_at=dt.datetime.now(dt.UTC))
    payload = json.dumps(reminders.payload_for(delivery))
    cdp, ids = sw_registrations(phone, live_server.url)
    push_to(cdp, ids, live_server.url, payload)
    shown = shown_notifications(phone)
    assert shown == [{"title": "Steady", "body": "Time for your check-in", "url": "/checkin/",
                      "actions": ["open", "snooze"]}]


def outbox_count(page):
    return page.evaluate("Outbox.all().then(items => items.length)")


def fill_checkin(page, base):
    page.goto(base + "/checkin/")
    page.fill("#id_in_bed_at", "23:00")
    page.fill("#id_final_wake_at", "06:45")
    page.fill("#id_small_win", "Walked instead of driving")
    page.click("form.checkin-form button[type=submit]")  # "Save check-in", in whatever language the page is


def fill_urge(page, base):
    page.goto(base + "/urge/", wait_until="load")
    page.click("label[for=id_intensity_6]")  # the chip a person taps (its radio is under it)
    assert page.is_checked("#id_intensity_6")
    page.click("text=Save urge")


def test_offline_entries_wait_on_the_phone_and_reach_the_server_once_when_back_online(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    for path in ("/checkin/", "/urge/"):
        phone.goto(live_server.url + path)  # seen once, so cached
    phone.context.set_offline(True)
    fill_checkin(phone, live_server.url)
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    fill_urge(phone, live_server.url)
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    fill_urge(phone, live_server.url)  # a second urge from the same cached page is a second entry
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    assert outbox_count(phone) == 3
    assert (alice.checkins.count(), alice.urges.count()) == (0, 0)
    phone.context.set_offline(False)  # the browser fires "online": the page sends the outbox
    wait_until(phone, lambda: outbox_count(phone) == 0, "the outbox to empty once online")
    assert (alice.checkins.count(), alice.urges.count()) == (1, 2)
    assert alice.checkins.get().small_win == "Walked instead of driving"
    # The same check-in sent again under its first id (a lost answer, a second tab): still one row.
    synced = alice.checkins.get()
    result = phone.evaluate("""async ([id, date, csrf]) => {
        await Outbox.put({id, url: `/api/v1/checkins/${id}/`, page: "/checkin/", csrf, status: "waiting",
                          body: {date, in_bed_at: "23:00", final_wake_at: "06:45", small_win: "Walked instead of driving"}});
        return Outbox.flush(csrf);
    }""", [str(synced.pk), synced.date.isoformat(), csrf_token(phone)])
    assert (result["sent"], result["failed"]) == (1, 0)
    assert outbox_count(phone) == 0
    assert (alice.checkins.count(), alice.urges.count()) == (1, 2)
    assert alice.checkins.get().pk == synced.pk


def csrf_token(page):
    return page.evaluate("document.cookie.match(/csrftoken=([^;]+)/)[1]")


def test_an_entry_deleted_on_another_device_is_done_and_the_phone_says_so(phone, live_server, alice):
    entry_id = uuid.uuid4()
    data = {"date": alice.local_today(), "in_bed_at": dt.time(23), "final_wake_at": dt.time(6, 45)}
    services.checkin_put(participant=alice, id=entry_id, data=data)
    services.entry_delete(entry=alice.checkins.get())  # on the laptop
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    # The phone still holds its old write of that check-in.
    phone.evaluate("""([id, date, csrf]) => Outbox.put({id, url: `/api/v1/checkins/${id}/`, page: "/checkin/",
        csrf, status: "waiting", body: {date, in_bed_at: "23:00", final_wake_at: "06:45"}})""",
                   [str(entry_id), alice.local_today().isoformat(), csrf_token(phone)])
    phone.goto(live_server.url + "/")  # opening the app sends the outbox
    phone.locator("#outbox-banner li", has_text="Deleted on another device").wait_for()
    assert outbox_count(phone) == 0
    assert alice.checkins.count() == 0


def test_saving_a_form_whose_entry_was_deleted_says_so_and_saving_again_makes_a_new_one(phone, live_server, alice):
    entry_id = uuid.uuid4()
    services.urge_put(participant=alice, id=entry_id, data={"occurred_at": dt.datetime.now(dt.UTC), "intensity": 3})
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/urge/", wait_until="load")
    # The form of an urge that is deleted (on the laptop) while this page is open.
    phone.evaluate("(id) => { document.querySelector('input[name=id]').value = id; }", str(entry_id))
    services.entry_delete(entry=alice.urges.get())
    phone.click("label[for=id_intensity_6]")
    phone.click("text=Save urge")
    phone.locator(".outbox-status", has_text="Deleted on another device").wait_for()
    assert outbox_count(phone) == 0 and alice.urges.count() == 0
    new_id = phone.input_value("input[name=id]")
    assert new_id != str(entry_id)
    phone.click("text=Save urge")  # once more: a new urge, under the new id
    phone.wait_for_url(live_server.url + "/")
    assert [str(pk) for pk in alice.urges.values_list("pk", flat=True)] == [new_id]


def wait_until(page, check, what="the condition", timeout=10):
    """Until check() is true, checking every 100 ms while Playwright's loop runs (CDP events and
    dialogs need it: wait_for_timeout, not time.sleep); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        page.wait_for_timeout(100)
    return True


def test_the_browsers_background_sync_sends_the_outbox_with_the_app_closed(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/urge/")
    phone.context.set_offline(True)
    fill_urge(phone, live_server.url)
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    other = phone.context.new_page()  # no Steady page is open when the connection returns
    phone.close()
    assert alice.urges.count() == 0
    other.context.set_offline(False)
    assert wait_until(other, lambda: alice.urges.count() == 1)


def test_a_sync_event_dispatched_by_cdp_sends_the_outbox(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/urge/")
    entry_id = phone.input_value("input[name=id]")
    # Stored the way the urge form stores it, but with no sync registered, so only CDP's event sends it.
    phone.evaluate("""([id, csrf]) => Outbox.put({id, url: `/api/v1/urges/${id}/`, page: "/urge/",
        body: {intensity: 4, occurred_at: new Date().toISOString()}, csrf, status: "waiting"})""",
                   [entry_id, phone.evaluate("document.cookie.match(/csrftoken=([^;]+)/)[1]")])
    other = phone.context.new_page()
    phone.close()
    cdp, ids = sw_registrations(other, live_server.url)
    assert alice.urges.count() == 0
    to_each(cdp, ids, "ServiceWorker.dispatchSyncEvent", {"origin": live_server.url, "tag": "outbox",
                                                          "lastChance": False})
    assert wait_until(other, lambda: alice.urges.filter(pk=entry_id).count() == 1)


def gzipped(page, url):
    body = page.context.request.get(url).body()
    return len(gzip.compress(body, 9))


class Traffic:
    """What goes over the network, from CDP's Network events for the page's target and for the
    service worker's: the page's own resource timing never shows what the worker fetches behind it.

    A response the worker gives the page (from its cache, or fetched by the worker) is counted on the
    worker's side only, where it went over the network if it did. Each response body counts
    gzipped at level 9, as WhiteNoise and a compressing proxy serve it (the test server does not
    compress), plus its headers as they came; a 304 or a redirect counts as it came.

    The worker's target is reached through a browser-wide CDP session (Playwright opens CDP
    sessions for pages only): discovered, attached without flattening, its messages relayed by
    Target.sendMessageToTarget. A worker started again later (after idling) is a new target,
    attached as it appears."""

    EVENTS = ("Network.requestWillBeSent", "Network.responseReceived", "Network.loadingFinished",
              "Network.loadingFailed")

    def __init__(self, page):
        self.page = page
        self.responses = {}  # (target, requestId) -> {"url", "status", "headers", "bytes", "done"}
        self.worker_targets = set()
        self._next_id = 1000
        own = page.context.new_cdp_session(page)
        context_id = own.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
        self._watch(own, "page")
        own.send("Network.enable")
        self.browser = page.context.browser.new_browser_cdp_session()
        self.sessions = {}

        def appeared(event):
            info = event["targetInfo"]
            if (info["type"] == "service_worker" and info.get("browserContextId") == context_id
                    and info["targetId"] not in self.worker_targets):
                self.worker_targets.add(info["targetId"])
                session = self.browser.send("Target.attachToTarget", {"targetId": info["targetId"], "flatten": False})
                self.sessions[session["sessionId"]] = info["targetId"]
                self._to_worker(session["sessionId"], "Network.enable")

        def relayed(event):
            message = json.loads(event["message"])
            if message.get("method", "").startswith("Network.") and event["sessionId"] in self.sessions:
                self._record(self.sessions[event["sessionId"]], message["method"], message["params"])

        self.browser.on("Target.targetCreated", appeared)
        self.browser.on("Target.targetInfoChanged", appeared)
        self.browser.on("Target.receivedMessageFromTarget", relayed)
        self.browser.send("Target.setDiscoverTargets", {"discover": True})

    def _to_worker(self, session_id, method, params=None):
        self._next_id += 1
        self.browser.send("Target.sendMessageToTarget", {"sessionId": session_id, "message": json.dumps(
            {"id": self._next_id, "method": method, "params": params or {}})})

    def _watch(self, cdp, target):
        for method in self.EVENTS:
            cdp.on(method, lambda params, method=method: self._record(target, method, params))

    def _record(self, target, method, params):
        if method not in self.EVENTS:
            return
        key = (target, params["requestId"])
        if method == "Network.requestWillBeSent":
            redirect = params.get("redirectResponse")
            if redirect:  # the redirect itself, as it came (the same requestId goes on to its target)
                self.responses[(target, params["requestId"], redirect["url"])] = {
                    "url": redirect["url"], "status": redirect["status"], "worker": target != "page",
                    "served": redirect.get("fromServiceWorker", False), "bytes": redirect["encodedDataLength"],
                    "done": True}
            self.responses[key] = {"url": params["request"]["url"], "status": None, "worker": target != "page",
                                   "served": False, "bytes": 0, "done": False}
        elif key not in self.responses:
            return
        elif method == "Network.responseReceived":
            response = params["response"]
            self.responses[key].update(status=response["status"], served=response.get("fromServiceWorker", False)
                                       or response.get("fromDiskCache", False), headers=response["encodedDataLength"])
        elif method == "Network.loadingFinished":
            self.responses[key].update(bytes=params["encodedDataLength"], done=True)
        else:
            self.responses[key].update(done=True, failed=True)

    def settled(self):
        return all(r["done"] for r in list(self.responses.values()))

    def start(self):
        self.responses.clear()

    def over_the_network(self):
        """(url, fetched by the worker, bytes) of each response that came over the network."""
        costs = []
        for r in self._came():
            headers = r.get("headers", 0)
            body = r["bytes"] > headers and r["status"] == 200
            costs.append((r["url"], r["worker"], headers + gzipped(self.page, r["url"]) if body else r["bytes"]))
        return costs

    def _came(self):
        # A copy: reading a body runs Playwright's loop, and with it more events.
        return [r for r in list(self.responses.values()) if r["done"] and not r["served"] and r["bytes"] > 0]

    def fetched_by_worker(self):
        """The paths the worker fetched over the network, each as often as it did."""
        return sorted(urlsplit(r["url"]).path for r in self._came() if r["worker"])

    def wait(self, what="the worker's answer"):
        """Until the worker has answered the page's message about its kept pages (it fetches them
        first, if they are due) and every request seen has finished."""
        wait_until(self.page, lambda: self.page.evaluate("window.__pagesCached.length > 0"), what)
        wait_until(self.page, self.settled, "every request to finish")

    def view(self, url):
        """Open url and return what went over the network for it, the worker's fetches included."""
        self.start()
        self.page.goto(url)
        self.wait()
        return self.over_the_network()


# The worker's answer after each page view or save, for Traffic.wait.
HEAR_THE_WORKER = """window.__pagesCached = [];
if (navigator.serviceWorker) navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "pages-cached") window.__pagesCached.push(event.data);
});"""


def first_refresh(page, traffic):
    """Until the worker of a new version has fetched every page it keeps (once per version).

    The worker records the time of a refresh only once all of it is done (the pages, then the word
    catalogs): waiting on the fetched pages alone left the catalogs' fetch to fall into the next view."""
    wait_until(page, lambda: set(PARTICIPANT_PAGES) <= set(traffic.fetched_by_worker()),
               "the worker to keep the participant pages", timeout=20)
    wait_until(page, lambda: page.evaluate("caches.match('/sw/pages-refreshed').then((r) => !!r)"),
               "the worker to record its refresh", timeout=20)
    wait_until(page, traffic.settled, "every request to finish")


def test_the_check_in_page_keeps_to_its_budgets(browser, live_server, alice, client, plain_static):
    # A phone that has never loaded Steady, already signed in (the session cookie is given to it).
    client.force_login(alice.user)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    context.add_init_script(HEAR_THE_WORKER)
    page = context.new_page()
    traffic = Traffic(page)
    try:
        page.goto(live_server.url + "/checkin/")
        page.wait_for_load_state("networkidle")
        entries = page.evaluate("""() => [performance.getEntriesByType('navigation')[0],
            ...performance.getEntriesByType('resource')].map(e => ({url: e.name, type: e.initiatorType}))""")
        sizes = {e["url"]: gzipped(page, e["url"]) for e in entries}
        ours = [url for url in sizes if url.endswith(".js") and "/static/js/" in url]
        print(f"first load: {len(entries)} requests, {sum(sizes.values()) / 1024:.1f} KB gzipped; "
              f"our JavaScript {sum(sizes[u] for u in ours) / 1024:.1f} KB gzipped")
        assert len(entries) <= 10, [e["url"] for e in entries]
        assert sum(sizes.values()) <= 60 * 1024
        assert len(ours) == 2 and sum(sizes[u] for u in ours) <= 20 * 1024
        wait_for_worker(page)
        first_refresh(page, traffic)
        # Then a repeat visit to each page the worker keeps: the page itself over the network (the
        # worker fetches navigations first), everything else from the worker's cache, and nothing
        # fetched behind it.
        for path in PARTICIPANT_PAGES:
            costs = traffic.view(live_server.url + path)
            total = sum(cost for _, _, cost in costs)
            print(f"repeat visit to {path}: {total / 1024:.1f} KB over the network, worker included: "
                  + ", ".join(f"{urlsplit(url).path} {cost} B" for url, _, cost in costs))
            assert total <= 5 * 1024, costs
            assert [urlsplit(url).path for url, _, _ in costs] == [path], costs
    finally:
        context.close()


AGE_THE_RECORD = """async (seconds) => {
    const cache = await caches.open((await caches.keys()).find((name) => name.startsWith("steady-")));
    await cache.put("/sw/pages-refreshed", new Response(String(Date.now() - seconds * 1000)));
}"""


def kept_pages_fetched(traffic):
    return sorted(path for path in traffic.fetched_by_worker() if path in PARTICIPANT_PAGES)


def test_the_kept_pages_are_fetched_again_after_a_save_and_when_due_never_on_a_plain_view(
        phone, live_server, alice, settings):
    settings.STEADY_PAGES_REFRESH_SECONDS = 600
    phone.context.add_init_script(HEAR_THE_WORKER)
    traffic = Traffic(phone)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    first_refresh(phone, traffic)  # once for this version
    traffic.view(live_server.url + "/")
    assert kept_pages_fetched(traffic) == ["/"]  # the page itself, nothing behind it

    # A check-in saved online: the page it goes on to tells the worker, which fetches each kept page once.
    traffic.view(live_server.url + "/checkin/")
    traffic.start()
    phone.fill("#id_in_bed_at", "23:00")
    phone.fill("#id_final_wake_at", "06:45")
    phone.click("form.checkin-form button[type=submit]")
    phone.wait_for_url(live_server.url + "/")
    traffic.wait("the worker to fetch the pages after the save")
    assert alice.checkins.count() == 1
    assert kept_pages_fetched(traffic) == sorted([*PARTICIPANT_PAGES, "/"])  # "/" also as the page opened
    assert traffic.view(live_server.url + "/support/") and kept_pages_fetched(traffic) == ["/support/"]

    # An urge saved offline and sent from the outbox once back online: fetched once more.
    traffic.view(live_server.url + "/urge/")
    phone.context.set_offline(True)
    phone.click("label[for=id_intensity_6]")
    phone.click("text=Save urge")
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    traffic.start()
    phone.evaluate("window.__pagesCached = []")
    phone.context.set_offline(False)  # the page sends the outbox, and so may the browser's Background Sync
    traffic.wait("the worker to fetch the pages after the outbox was sent")

    def sends():  # each one answered ok (the second, if both sent it at once, finds it saved: one row)
        return len([r for r in list(traffic.responses.values()) if "/api/v1/urges/" in r["url"]
                    and r["status"] in (200, 201)])

    wait_until(phone, lambda: phone.evaluate("window.__pagesCached.length") >= sends(), "one answer per send")
    wait_until(phone, traffic.settled, "every request to finish")
    assert alice.urges.count() == 1 and 1 <= sends() <= 2
    assert kept_pages_fetched(traffic) == sorted(PARTICIPANT_PAGES * sends())
    assert traffic.view(live_server.url + "/") and kept_pages_fetched(traffic) == ["/"]

    # Time passes (the record of the last fetch is moved back, as a later clock would see it): not
    # yet due at 590 s of the 600 s setting, due at 610 s.
    phone.evaluate(AGE_THE_RECORD, 590)
    traffic.view(live_server.url + "/")
    assert kept_pages_fetched(traffic) == ["/"]
    phone.evaluate(AGE_THE_RECORD, 610)
    traffic.view(live_server.url + "/")
    assert kept_pages_fetched(traffic) == sorted([*PARTICIPANT_PAGES, "/"])
    traffic.view(live_server.url + "/")
    assert kept_pages_fetched(traffic) == ["/"]


def test_signing_out_tells_the_browser_to_forget_steady(alice_client):
    response = alice_client.post("/signout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert alice_client.get("/").status_code == 302


def push_a_reminder(phone, live_server, alice):
    """alice, signed in with notifications allowed, is sent a check-in reminder through the
    browser's push machinery (CDP); returns the reminder and its delivery."""
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    reminder = Reminder.objects.create(participant=alice, kind="checkin", local_time=dt.time(9), weekdays=[0])
    delivery = Delivery.objects.create(reminder=reminder, due_at=dt.datetime.now(dt.UTC))
    cdp, ids = sw_registrations(phone, live_server.url)
    push_to(cdp, ids, live_server.url, json.dumps(reminders.payload_for(delivery)))
    return reminder, delivery


def test_the_notifications_snooze_action_moves_the_reminder_30_minutes(phone, live_server, alice):
    """A headless browser has no notification to tap, so the worker's own notificationclick
    handler is given a NotificationEvent for the shown notification with action "snooze"."""
    reminder, delivery = push_a_reminder(phone, live_server, alice)
    started = dt.datetime.now(dt.UTC)
    assert shown_notifications(phone)
    tap(phone, "snooze")
    assert wait_until(phone, lambda: Reminder.objects.get(pk=reminder.pk).snoozed_until is not None)
    reminder.refresh_from_db()
    assert dt.timedelta(minutes=29) < reminder.next_due_at - started < dt.timedelta(minutes=31)


def test_tapping_the_notification_opens_its_page_and_records_it(phone, live_server, alice):
    _, delivery = push_a_reminder(phone, live_server, alice)
    assert shown_notifications(phone)
    tap(phone)
    phone.wait_for_url(live_server.url + "/checkin/")
    assert wait_until(phone, lambda: Delivery.objects.get(pk=delivery.pk).opened_at is not None)


def test_a_new_version_is_offered_and_takes_over_without_losing_the_outbox(phone, live_server, alice, monkeypatch):
    from tracker.web import pwa

    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    # An entry still waiting in the outbox (its address answers 404, so it stays there).
    phone.evaluate("Outbox.put({id: 'kept', url: '/api/v1/urges/kept/', page: '/urge/', body: {}, csrf: '', status: 'waiting'})")
    old = phone.evaluate("navigator.serviceWorker.controller.scriptURL")
    # A deploy: the worker's version changes.
    pwa.app_version.cache_clear()
    monkeypatch.setenv("STEADY_VERSION", "next-deploy")
    try:
        phone.goto(live_server.url + "/")
        phone.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        banner = phone.locator("#update-banner")
        banner.wait_for(state="visible")
        assert "A new version of Steady is ready" in banner.inner_text()
        with phone.expect_navigation():  # the page reloads under the new worker
            banner.locator("button").click()
        assert wait_until(phone, lambda: "next-deploy" in phone.evaluate(
            "caches.keys().then(keys => keys.join(' '))"))
        assert phone.evaluate("navigator.serviceWorker.controller.scriptURL") == old  # same /sw.js, new version
        ids = phone.evaluate("Outbox.all().then(items => items.map(i => i.id))")
        assert "kept" in ids
    finally:
        pwa.app_version.cache_clear()


def test_the_safety_plan_can_be_changed_offline_and_syncs_as_a_new_version(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/safety-plan/edit/")
    phone.context.set_offline(True)
    phone.fill("#id_helpers", "My sister Ana, 555-0101\nSam from group")
    phone.fill("#id_reasons", "My kids\nRunning in spring")
    phone.click("text=Save my plan")
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    assert alice.safety_plan_versions.count() == 0
    phone.context.set_offline(False)
    assert wait_until(phone, lambda: alice.safety_plan_versions.count() == 1)
    version = alice.safety_plan_versions.get()
    assert version.helpers == [{"name": "My sister Ana", "phone": "555-0101"}, {"name": "Sam from group", "phone": ""}]
    assert version.reasons == ["My kids", "Running in spring"]


def test_signing_out_with_entries_still_waiting_asks_first(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.evaluate("Outbox.put({id: 'kept', url: '/api/v1/urges/kept/', page: '/urge/', body: {}, csrf: '', status: 'waiting'})")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    phone.on("dialog", answer)
    sign_outs = []
    phone.on("request", lambda request: request.method == "POST" and request.url.endswith("/signout/")
             and sign_outs.append(request.url))
    phone.goto(live_server.url + "/settings/")
    with phone.expect_event("dialog"):  # the question comes after the outbox is read
        phone.click("form.signout-form button")
    assert "1 entry has not reached Steady yet" in questions[0]
    assert phone.url == live_server.url + "/settings/"  # still signed in: the person said no
    with phone.expect_navigation():
        phone.click("form.signout-form button")
    assert "/signin/" in phone.url
    assert len(questions) == 2 and len(sign_outs) == 1  # only the second answer signed out
    assert phone.evaluate("caches.keys()") == []  # Clear-Site-Data emptied the caches
