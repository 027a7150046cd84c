"""Episodes of care in Chromium (issue 18): the counselor's episode page at desk width (1280)
and on a phone (360), a discharge refused next to its date and then made, and the participant's
own page at 360. Screenshots in test-artifacts."""

import datetime as dt

import pytest

from browsing import ARTIFACTS, check_page, sign_in
from signin import totp_device
from tracker.models import Episode

pytestmark = pytest.mark.browser


def test_admit_discharge_and_the_participants_own_page(phone, browser, live_server, carol, bob):
    base = live_server.url
    url = f"{base}/care/participants/{bob.pk}/episode/"
    totp_device(carol.user)  # staff sign in with a second factor
    sign_in(phone, base, "carol", "carol-password-1", lands_on="/care/")
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / "care-episode-desk-1280.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        # The record and the forms side by side at desk width.
        record, forms = (page.locator(sel).bounding_box() for sel in (".episode-record", ".episode-forms"))
        assert forms["x"] > record["x"] + record["width"] - 1

        yesterday = bob.open_episode.admitted_on - dt.timedelta(days=1)
        page.fill("#id_discharge-discharged_on", yesterday.isoformat())
        page.check("input[name=discharge-discharge_type][value=transferred]")
        page.fill("#id_discharge-note", "To the day program across town")
        page.click("#discharge-form ~ form button[type=submit]")
        page.wait_for_selector("#id_discharge-discharged_on_error")
        assert page.input_value("#id_discharge-note") == "To the day program across town"
        assert Episode.objects.get(participant=bob).discharged_on is None
        page.screenshot(path=str(ARTIFACTS / "care-episode-desk-1280-refused.png"), full_page=True)

        page.fill("#id_discharge-discharged_on", bob.open_episode.admitted_on.isoformat())
        page.click("#discharge-form ~ form button[type=submit]")
        page.wait_for_url("**/aftercare/")  # a discharge goes on to the aftercare plan
        page.goto(url)
        page.wait_for_selector("text=Past episodes")
        page.screenshot(path=str(ARTIFACTS / "care-episode-desk-1280-discharged.png"), full_page=True)
        assert Episode.objects.get(participant=bob).discharge_type == "transferred"
    finally:
        desk.close()
    phone.goto(url)
    check_page(phone, "care-episode-360-discharged")

    bob_phone = browser.new_context(viewport={"width": 360, "height": 740})
    own = bob_phone.new_page()
    try:
        sign_in(own, base, "bob", "bob-password-1")
        own.goto(base + "/program/")
        text = own.locator("main").inner_text()
        assert "Your time in the program ended on" in text and "Transferred" not in text
        own.screenshot(path=str(ARTIFACTS / "my-program-360.png"), full_page=True)
        assert own.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        bob_phone.close()
