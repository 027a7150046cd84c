"""In Chromium at 360 x 740: the check-in's use and medication questions (a follow-up shows only
after its answer, and a hidden one is never sent), the medications page through the outbox, and
My progress; axe-clean. Screenshots also go to /tmp/shots-usemeds/ (the care page at 1280)."""

import datetime as dt
import uuid
from pathlib import Path

import pytest

from browsing import check_page, sign_in
from signin import totp_device
from test_browser_accessibility import violations
from tracker import services
from tracker.models import Medication, Reminder

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-usemeds")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def medicated(alice):
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": "Naltrexone", "times": ["08:00"]})
    return alice


def test_the_follow_ups_show_after_their_answer_and_are_saved_with_it(phone, live_server, medicated):
    alice = medicated
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    assert phone.is_visible("text=Did you use alcohol or drugs today")
    assert phone.is_visible("text=Took my medication today?")
    assert not phone.is_visible("#id_substances_0") and not phone.is_visible("#id_doses_missed")
    assert violations(phone) == []

    phone.click("label[for=id_used_today_1]")        # Yes
    phone.locator("#id_substances_0").wait_for(state="visible")
    phone.click("label[for=id_substances_0]")        # Alcohol
    phone.click("label[for=id_took_medication_1]")   # Missed some
    phone.locator("#id_doses_missed").wait_for(state="visible")
    phone.fill("#id_doses_missed", "2")
    assert violations(phone) == []
    check_page(phone, "checkin-use-meds")
    shot(phone, "checkin-use-meds-360")
    phone.locator(".use-meds").screenshot(path=str(SHOTS / "checkin-use-meds-block-360.png"))

    phone.click("text=Save check-in")
    phone.wait_for_url(live_server.url + "/")
    saved = alice.checkins.get()
    assert (saved.used_today, saved.substances, saved.took_medication, saved.doses_missed) == (
        "yes", ["alcohol"], "some", 2)


def test_a_follow_up_hidden_again_is_not_sent(phone, live_server, medicated):
    alice = medicated
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/checkin/", wait_until="load")
    phone.click("label[for=id_used_today_1]")        # Yes, then ticks a substance...
    phone.click("label[for=id_substances_1]")
    phone.click("label[for=id_took_medication_1]")
    phone.fill("#id_doses_missed", "3")
    phone.click("label[for=id_used_today_2]")        # ...and then "I'd rather not say"
    phone.click("label[for=id_took_medication_2]")   # No
    phone.locator("#id_substances_1").wait_for(state="hidden")
    assert not phone.is_visible("#id_doses_missed")
    phone.click("text=Save check-in")
    phone.wait_for_url(live_server.url + "/")
    saved = alice.checkins.get()
    assert (saved.used_today, saved.substances, saved.took_medication, saved.doses_missed) == ("skip", [], "no", None)


def test_the_medications_page_adds_one_through_the_outbox(phone, live_server, alice):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/settings/medications/", wait_until="load")
    assert violations(phone) == []
    phone.click("text=Add a medication")
    phone.wait_for_url(live_server.url + "/settings/medications/new/")
    phone.fill("#id_name", "Naltrexone")
    phone.fill("#id_times_0", "08:00")
    phone.fill("#id_times_1", "20:30")
    assert violations(phone) == []
    check_page(phone, "medication-form")
    shot(phone, "medication-form-360")
    phone.click("text=Save medication")
    phone.wait_for_url(live_server.url + "/settings/medications/")
    medication = Medication.objects.get()
    assert (medication.name, medication.times, medication.active, medication.remind) == (
        "Naltrexone", ["08:00", "20:30"], True, True)
    assert Reminder.objects.filter(kind="medication", medication=medication).count() == 2
    assert phone.is_visible("text=Naltrexone")
    check_page(phone, "medications")
    shot(phone, "medications-360")

    # A refusal from the server (a time given twice) shows beside the field; nothing else changes.
    phone.click("text=Naltrexone")
    phone.fill("#id_times_1", "08:00")
    phone.click("text=Save medication")
    phone.locator(".error.from-outbox").wait_for()
    assert "Each time once, please." in phone.inner_text("form")
    assert Medication.objects.get().times == ["08:00", "20:30"]


def test_my_progress_shows_days_without_use_at_360(phone, live_server, alice):
    today = alice.local_today()
    for back, answer in enumerate(["no", "no", "yes", "skip", "no"]):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": today - dt.timedelta(days=back), "used_today": answer})
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/progress/?days=7", wait_until="load")
    assert "Days you told Steady you didn't use: 3 of the 4 days you answered" in phone.inner_text("main")
    assert violations(phone) == []
    check_page(phone, "progress-use")
    shot(phone, "progress-360")
    phone.locator(".use-days").screenshot(path=str(SHOTS / "progress-use-block-360.png"))


def test_the_care_page_block_at_desk_width(browser, live_server, plain_static, medicated, carol):
    alice = medicated
    today = alice.local_today()
    for back, (answer, took) in enumerate([("no", "yes"), ("yes", "some"), ("skip", "no"), ("no", "yes")]):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": today - dt.timedelta(days=back), "used_today": answer, "took_medication": took,
            **({"substances": ["alcohol", "cannabis"]} if answer == "yes" else {}),
            **({"doses_missed": 1} if took == "some" else {})})
    totp_device(carol.user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "carol", "carol-password-1", lands_on="/care/")
        page.goto(live_server.url + f"/care/participants/{alice.pk}/", wait_until="load")
        block = page.locator(".care-usemeds")
        assert "no use on 2 days, use on 1, rather not say on 1" in block.inner_text()
        assert "Alcohol (1 day), Cannabis (1 day)" in block.inner_text()
        assert "Naltrexone" in block.inner_text()
        assert violations(page) == []
        block.screenshot(path=str(SHOTS / "care-block-1280.png"))
        shot(page, "care-page-1280")
        page.goto(live_server.url + f"/care/participants/{alice.pk}/medications/", wait_until="load")
        assert violations(page) == []
        shot(page, "care-medications-1280")
    finally:
        context.close()
