"""In Chromium at 360 x 740: an empty check-in is refused on the phone (online and offline) before
anything reaches the outbox or the server, and a text field counts near its limit instead of
cutting pasted text."""

import pytest

from browsing import check_page, sign_in
from test_browser_pwa import outbox_count, wait_for_worker, wait_until

pytestmark = pytest.mark.browser

EMPTY = "Add at least one answer: how you slept, your stress, a win or a note."


def watch_writes(page):
    """The PUTs and POSTs the page sends to the API from now on."""
    writes = []
    page.on("request", lambda request: request.method in ("PUT", "POST") and "/api/" in request.url
            and writes.append(request.url))
    return writes


def refused_as_empty(page, message=EMPTY):
    status = page.locator("form .outbox-status", has_text=message)
    status.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('outbox-status')")  # focus moved to it
    assert "Saved" not in page.inner_text("main")


def test_an_empty_check_in_is_refused_on_the_phone_and_nothing_is_sent(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    writes = watch_writes(phone)
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    phone.click("text=Save check-in")
    refused_as_empty(phone)
    check_page(phone, "checkin-empty-refused")
    assert outbox_count(phone) == 0 and writes == [] and alice.checkins.count() == 0
    phone.click("label[for=id_stress_0]")  # one answer, a calm 0, is enough
    phone.click("text=Save check-in")
    phone.wait_for_url(live_server.url + "/")
    assert alice.checkins.get().stress == 0


def test_an_empty_weekly_reflection_is_refused_on_the_phone(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    writes = watch_writes(phone)
    phone.goto(live_server.url + "/reflection/", wait_until="load")
    phone.fill("#id_wins", "  \n ")
    phone.click("text=Save the week")
    refused_as_empty(phone, "Add at least one line: a win, what was hard, or next week’s focus.")
    check_page(phone, "reflection-empty-refused")
    assert outbox_count(phone) == 0 and writes == [] and alice.reflections.count() == 0


def test_an_empty_check_in_is_refused_offline_too(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    wait_for_worker(phone)
    phone.goto(live_server.url + "/checkin/")  # seen once, so cached
    phone.context.set_offline(True)
    try:
        phone.goto(live_server.url + "/checkin/", wait_until="load")
        phone.click("text=Save check-in")
        refused_as_empty(phone)
        assert outbox_count(phone) == 0
        phone.fill("#id_small_win", "Made tea instead")
        phone.click("text=Save check-in")
        phone.locator(".outbox-status", has_text="Saved on this phone").wait_for()
        assert outbox_count(phone) == 1
    finally:
        phone.context.set_offline(False)
    # Back online the page sends it: wait for that, so no request is still in flight when the
    # test's database is emptied (a PUT racing the flush deadlocked it once on a loaded machine).
    wait_until(phone, lambda: outbox_count(phone) == 0 and alice.checkins.count() == 1, "the check-in to sync", 60)


def test_a_field_counts_near_its_limit_and_never_cuts_pasted_text(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    writes = watch_writes(phone)
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    counter = phone.locator("#id_small_win-counter")
    phone.fill("#id_small_win", "w" * 150)  # 75% of 200: no counter yet
    assert counter.inner_text() == ""
    phone.type("#id_small_win", "w" * 10)  # typed: 160, 80%
    assert counter.inner_text() == "160 of 200 characters"
    assert counter.get_attribute("aria-live") == "polite"
    phone.fill("#id_small_win", "p" * 250)  # pasted, over the limit
    assert phone.input_value("#id_small_win") == "p" * 250  # kept whole
    assert counter.inner_text() == "250 of 200 characters: 50 too many. Shorten it to save."
    check_page(phone, "checkin-counter-over")
    phone.click("label[for=id_stress_3]")
    phone.click("text=Save check-in")
    assert phone.evaluate("document.activeElement.id") == "id_small_win"
    assert outbox_count(phone) == 0 and writes == [] and alice.checkins.count() == 0
    phone.fill("#id_small_win", "p" * 200)
    assert counter.inner_text() == "200 of 200 characters"
    phone.click("text=Save check-in")
    phone.wait_for_url(live_server.url + "/")
    assert alice.checkins.get().small_win == "p" * 200


def test_the_acknowledgement_note_counts_near_its_limit(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    phone.click("summary:has-text('Acknowledge')")
    note = phone.locator("input[name=note]").first
    note.fill("n" * 240)  # 80% of 300
    counter = phone.locator(".flag .counter").first
    assert counter.inner_text() == "240 of 300 characters"
    check_page(phone, "care-acknowledge-counter")
