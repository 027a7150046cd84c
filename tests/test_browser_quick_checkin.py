"""In Chromium at 360 x 740: the quick check-in fits on one screen above the Save bar, and
"Same as usual" then Save makes a check-in with the usual times, confirmed as such."""

import datetime as dt
import uuid

import pytest

from browsing import ARTIFACTS, check_page, sign_in

from tracker import services

pytestmark = pytest.mark.browser


def usual_week(participant):
    """Three nights at 23:15 to 07:00 before today: enough for usual times."""
    today = participant.local_today()
    for days_back in (1, 2, 3):
        services.checkin_put(participant=participant, id=uuid.uuid4(), data={
            "date": today - dt.timedelta(days=days_back), "in_bed_at": dt.time(23, 15),
            "final_wake_at": dt.time(7, 0), "sleep_quality": 3})


QUICK = ["label.usual__toggle", "fieldset:has(#id_sleep_quality_0)", "fieldset:has(#id_stress_0)",
         "fieldset:has(#id_mood_0)", ".day-line summary"]


def bottom_of(page, selector):
    box = page.locator(selector).bounding_box()
    return box["y"] + box["height"]


def test_same_as_usual_and_save_is_five_taps_on_one_screen(phone, live_server, alice):
    usual_week(alice)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    # Everything a quick check-in needs is on the first screen, above the Save bar.
    save_top = phone.locator("text=Save check-in").bounding_box()["y"]
    for selector in QUICK:
        assert bottom_of(phone, selector) <= save_top, selector
    assert phone.evaluate("window.scrollY") == 0
    # The phone's clock habit (en-US here): 11:15 PM, not 23:15.
    assert "11:15 PM" in phone.inner_text("#usual-line") and "7:00 AM" in phone.inner_text("#usual-line")
    check_page(phone, "checkin-quick")

    # Typing other times after "Same as usual" unsets it; tapping it again puts the usual ones back.
    phone.click("label.usual__toggle")
    phone.click("text=Other times, more detail")
    assert phone.input_value("#id_in_bed_at") == "23:15" and phone.is_checked("#id_usual_times")
    phone.fill("#id_in_bed_at", "00:30")
    assert not phone.is_checked("#id_usual_times")
    phone.click("label.usual__toggle")
    assert phone.input_value("#id_in_bed_at") == "23:15"

    phone.goto(live_server.url + "/checkin/", wait_until="load")
    taps = 0
    for selector in ("label.usual__toggle", "label[for=id_sleep_quality_3]", "label[for=id_stress_2]",
                     "label[for=id_mood_3]", "text=Save check-in"):
        phone.click(selector)
        taps += 1
    phone.wait_for_url(live_server.url + "/")
    checkin = alice.checkins.get(date=alice.local_today())
    assert taps <= 5
    assert (checkin.usual_times, checkin.in_bed_at, checkin.final_wake_at) == (True, dt.time(23, 15), dt.time(7, 0))
    assert (checkin.sleep_quality, checkin.stress, checkin.mood) == (4, 2, 4)


def test_a_phone_on_a_24_hour_clock_reads_23_15(browser, live_server, plain_static, alice):
    usual_week(alice)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "alice", "alice-password-1")
        page.goto(live_server.url + "/checkin/", wait_until="load")
        assert page.inner_text("#usual-line").endswith("in bed 23:15, up 7:00")  # no AM/PM
        page.click(".day-line summary")
        page.locator("#id_date").wait_for()
        page.screenshot(path=str(ARTIFACTS / "checkin-day-open.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_a_refused_day_opens_its_folded_line_and_keeps_what_was_typed(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    tomorrow = (alice.local_today() + dt.timedelta(days=1)).isoformat()
    phone.click(".day-line summary")   # "Today, change"
    phone.fill("#id_date", tomorrow)
    phone.click(".day-line summary")   # folded again before saving: the error must open it
    assert not phone.is_visible("#id_date")
    phone.fill("#id_small_win", "Kept")
    phone.click("text=Save check-in")
    phone.locator("#id_date[aria-invalid=true]").wait_for(state="attached")
    assert phone.is_visible("#id_date")
    assert "hasn’t happened yet" in phone.locator("form .form-errors[role=alert]").inner_text()
    assert phone.input_value("#id_small_win") == "Kept" and phone.input_value("#id_date") == tomorrow
    assert alice.checkins.count() == 0
