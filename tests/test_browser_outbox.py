"""In Chromium at 360 x 740: how a save ends. Online, a refused save is a plain form error (a
summary at the top, focus on it, the form's own words) and nothing is kept or sent again; a draft
saved offline and refused later waits, listed once by what it is and when, for Fix or Discard; a
409 links to the entry that holds the day; after a save, Back opens the saved entry (never a
second one) and the next page offers Undo."""

import datetime as dt
import uuid

import pytest

from browsing import check_page, sign_in
from test_browser_pwa import outbox_count, wait_for_worker, wait_until
from tracker import services

pytestmark = pytest.mark.browser


def watch_writes(page):
    """The URLs of the writes (PUT, POST, DELETE) the page sends to the API from now on."""
    writes = []
    page.on("request", lambda request: request.method in ("PUT", "POST", "DELETE") and "/api/" in request.url
            and writes.append(request.url))
    return writes


def label(noun, day):
    return f"{noun}, {day:%a} {day.day} {day:%b}"


def focused_class(page):
    return page.evaluate("document.activeElement.className")


def test_a_save_refused_online_is_a_form_error_and_nothing_is_kept_or_sent_again(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    writes = watch_writes(phone)
    phone.goto(live_server.url + "/urge/", wait_until="load")
    phone.fill("#id_note", "Kept note")
    phone.click("text=Save urge")  # no strength picked: the server refuses it, in the form's words
    summary = phone.locator("form .form-errors[role=alert]")
    summary.wait_for()
    assert "form-errors" in focused_class(phone)  # focus moved to the summary
    message = "Pick how strong it was, from 0 to 10."
    link = summary.locator("a[href='#id_intensity_0']")
    assert message in link.inner_text()
    assert phone.locator("#outbox-error-intensity").inner_text() == message  # beside the field too
    assert "saved" not in phone.inner_text("body").lower().replace("nothing was saved yet", "")
    assert phone.input_value("#id_note") == "Kept note"
    check_page(phone, "urge-refused-online")
    link.click()
    assert phone.evaluate("document.activeElement.id") == "id_intensity_0"
    assert outbox_count(phone) == 0 and alice.urges.count() == 0
    assert len(writes) == 1
    for path in ("/", "/history/"):  # opening pages sends nothing
        phone.goto(live_server.url + path, wait_until="load")
        phone.evaluate("Outbox.flush()")
    assert len(writes) == 1
    assert phone.locator("#outbox-banner").is_hidden()


def test_a_draft_refused_after_coming_back_online_waits_for_a_fix_and_can_be_thrown_away(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/checkin/")  # seen once, so cached
    tomorrow = alice.local_today() + dt.timedelta(days=1)
    phone.context.set_offline(True)
    phone.goto(live_server.url + "/checkin/")
    phone.click(".day-line summary")   # "Today, change"
    phone.fill("#id_date", tomorrow.isoformat())
    phone.fill("#id_small_win", "Kept")
    phone.click("text=Save check-in")
    phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
    writes = watch_writes(phone)
    phone.context.set_offline(False)  # the page sends the outbox: the server refuses the day
    banner = phone.locator("#outbox-banner")
    item = banner.locator("li.outbox-item", has_text=label("Check-in", tomorrow))
    item.locator("text=needs a fix").wait_for()
    assert len(writes) == 1
    for path in ("/", "/history/", "/"):  # never sent again until it is changed
        phone.goto(live_server.url + path, wait_until="load")
        item.wait_for()
    phone.evaluate("Outbox.flush()")
    assert len(writes) == 1
    assert banner.locator("li.outbox-item").count() == 1  # listed once
    check_page(phone, "outbox-needs-fix")
    # Fix opens the form, filled, with the server's words and the summary.
    item.locator("a", has_text="Fix").click()
    phone.locator("form .form-errors", has_text="hasn’t happened yet").wait_for()
    assert phone.input_value("#id_small_win") == "Kept"
    phone.goto(live_server.url + "/")
    # Discard asks once, in the page, and works from the keyboard.
    item.locator("button", has_text="Discard").focus()
    phone.keyboard.press("Enter")
    item.locator("text=Throw this away?").wait_for()
    assert focused_class(phone) == "button button--danger"
    check_page(phone, "outbox-discard-ask")
    phone.keyboard.press("Enter")
    banner.wait_for(state="hidden")
    assert outbox_count(phone) == 0 and alice.checkins.count() == 0 and len(writes) == 1


def test_a_second_check_in_for_a_day_links_to_the_first(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    # Meanwhile, on another device, a check-in for the same day.
    first = uuid.uuid4()
    services.checkin_put(participant=alice, id=first, data={"date": alice.local_today(), "stress": 2})
    phone.click("label[for=id_stress_5]")
    phone.click("text=Save check-in")
    summary = phone.locator("form .form-errors", has_text="You already have a check-in for this day.")
    summary.wait_for()
    assert summary.locator("a", has_text="Open it").get_attribute("href") == f"/checkin/{first}/"
    assert outbox_count(phone) == 0 and alice.checkins.count() == 1
    summary.locator("a", has_text="Open it").click()
    phone.wait_for_url(live_server.url + f"/checkin/{first}/")


def test_back_then_save_again_keeps_one_urge_and_undo_puts_back_what_was_there(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/urge/", wait_until="load")
    phone.click("label[for=id_intensity_6]")
    phone.click("text=Save urge")
    phone.wait_for_url(live_server.url + "/")
    urge = alice.urges.get()
    note = phone.locator("#saved-note")
    note.locator("text=Saved: Urge").wait_for()
    phone.go_back()  # the form was replaced in the history by the saved urge
    phone.wait_for_url(live_server.url + f"/urge/{urge.pk}/")
    assert phone.is_checked("#id_intensity_6")
    phone.click("label[for=id_intensity_7]")
    phone.click("text=Save urge")
    phone.wait_for_url(live_server.url + "/")
    assert list(alice.urges.values_list("pk", "intensity")) == [(urge.pk, 7)]
    check_page(phone, "saved-with-undo")
    note.locator("button", has_text="Undo").focus()  # no time limit, and from the keyboard
    phone.keyboard.press("Enter")
    note.locator("text=Undone: your earlier answers are back.").wait_for()
    assert list(alice.urges.values_list("pk", "intensity")) == [(urge.pk, 6)]


def test_undo_of_a_new_urge_deletes_it(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    saved = []
    phone.goto(live_server.url + "/urge/", wait_until="load")
    phone.evaluate("document.addEventListener('steady:saved', (e) => { sessionStorage.setItem('event', JSON.stringify(e.detail)); })")
    phone.click("label[for=id_intensity_3]")
    phone.click("text=Save urge")
    phone.wait_for_url(live_server.url + "/")
    saved = phone.evaluate("JSON.parse(sessionStorage.getItem('event'))")
    assert saved["kind"] == "urges" and saved["id"] == str(alice.urges.get().pk) and saved["body"]["intensity"] == 3
    phone.click("#saved-note button")
    phone.locator("#saved-note", has_text="Undone: it is deleted.").wait_for()
    assert alice.urges.count() == 0
    phone.goto(live_server.url + "/history/")  # the Undo stays only until the page is left
    assert phone.locator("#saved-note").is_hidden()


def test_a_save_refused_for_want_of_a_sign_in_is_kept_and_sent_after_signing_in(phone, live_server, alice):
    from django.contrib.sessions.models import Session

    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/urge/", wait_until="load")
    Session.objects.all().delete()  # signed out meanwhile (a session ended elsewhere)
    phone.click("label[for=id_intensity_5]")
    phone.click("text=Save urge")
    phone.locator(".outbox-status", has_text="Sign in to send it").wait_for()
    banner = phone.locator("#outbox-banner")
    banner.locator("li.outbox-item", has_text="waiting to sync").wait_for()
    assert outbox_count(phone) == 1 and alice.urges.count() == 0
    banner.locator(".outbox-signin a", has_text="Sign in").click()
    phone.fill("#id_username", "alice")
    phone.fill("#id_password", "alice-password-1")
    phone.click("form.entry-form button[type=submit]")
    phone.wait_for_url(live_server.url + "/urge/**")  # back where they were; this page open sends it
    wait_until(phone, lambda: outbox_count(phone) == 0, "the outbox to empty after signing in")
    assert alice.urges.get().intensity == 5


def test_a_draft_fixed_from_its_form_is_saved_under_its_own_id_and_leaves_the_phone(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    draft = str(uuid.uuid4())
    tomorrow = (alice.local_today() + dt.timedelta(days=1)).isoformat()
    phone.evaluate("""([id, date]) => Outbox.put({id, url: `/api/v1/checkins/${id}/`, page: `/checkin/?outbox=${id}`,
        label: "Check-in, tomorrow", status: "needs-fix", errors: {date: ["That day hasn’t happened yet."]},
        body: {date, small_win: "Kept"}})""", [draft, tomorrow])
    writes = watch_writes(phone)
    phone.goto(live_server.url + "/")
    phone.locator("#outbox-banner li", has_text="Check-in, tomorrow").locator("a", has_text="Fix").click()
    phone.locator("form .form-errors", has_text="hasn’t happened yet").wait_for()
    assert writes == []  # opening pages sent nothing
    phone.fill("#id_date", alice.local_today().isoformat())
    phone.click("text=Save check-in")
    phone.wait_for_url(live_server.url + "/")
    assert outbox_count(phone) == 0
    assert [str(pk) for pk in alice.checkins.values_list("pk", flat=True)] == [draft]
    assert alice.checkins.get().small_win == "Kept"
