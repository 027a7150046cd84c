"""The questionnaire schedule pages (issue 17) in headless Chromium: at 360 px (no sideways scroll,
thumb-sized controls, CSP, no foreign request, axe clean), with the error beside the BAM's switch;
at 1280 px the three instruments side by side; the BAM confirmed and turned on with the keyboard
alone. Screenshots in test-artifacts/screenshots and, when STEADY_SHOTS is set, that folder too."""

import os
import shutil

import pytest

from browsing import ARTIFACTS, check_page, sign_in
from test_browser_accessibility import violations

from tracker.models import Questionnaire

pytestmark = pytest.mark.browser


def keep(name, page=None):
    """Copy a screenshot to STEADY_SHOTS, if set, with the page in screen-high parts to read."""
    folder = os.environ.get("STEADY_SHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    shutil.copy(ARTIFACTS / f"{name}.png", os.path.join(folder, f"{name}.png"))
    if page is not None:
        width, height = page.viewport_size["width"], page.viewport_size["height"]
        total = page.evaluate("document.documentElement.scrollHeight")
        for part, top in enumerate(range(0, total, height)):
            page.screenshot(path=os.path.join(folder, f"{name}-part{part + 1}.png"), full_page=True,
                            clip={"x": 0, "y": top, "width": width, "height": min(height, total - top)})


def shoot(page, name, full_page=True):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
    keep(name, page)


def pages(participant):
    return [("care-questionnaire-settings", "/care/settings/questionnaires/"),
            ("care-questionnaire-schedule", f"/care/participants/{participant.pk}/questionnaires/schedule/")]


def test_the_schedule_pages_fit_a_phone_and_pass_axe(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    for name, path in pages(carol_sees_alice):
        phone.goto(live_server.url + path)
        check_page(phone, f"{name}-360")
        keep(f"{name}-360", phone)
        assert violations(phone) == [], path
    # The BAM switched on without its terms: the message sits beside the switch, axe clean.
    phone.goto(live_server.url + "/care/settings/questionnaires/")
    phone.check("#id_bam-active")
    phone.click("main button[type=submit]")
    error = phone.locator("#id_bam-active_error")
    error.wait_for()
    assert "I confirmed the BAM’s reuse terms" in error.inner_text()
    assert phone.get_attribute("#id_bam-active", "aria-describedby") == "id_bam-active_error"
    check_page(phone, "care-questionnaire-settings-error-360")
    keep("care-questionnaire-settings-error-360", phone)
    assert violations(phone) == []
    # A person's own schedule with a bad number: the message beside it, the number kept.
    phone.goto(live_server.url + pages(carol_sees_alice)[1][1])
    phone.check("#id_phq9-mode_1")
    phone.fill("#id_phq9-every_days", "3")
    phone.click("main button[type=submit]")
    phone.locator("#id_phq9-every_days_error").wait_for()
    assert phone.input_value("#id_phq9-every_days") == "3"
    check_page(phone, "care-questionnaire-schedule-error-360")
    keep("care-questionnaire-schedule-error-360", phone)
    assert violations(phone) == []


def test_at_a_desk_the_instruments_sit_side_by_side(phone, browser, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    try:
        page = desk.new_page()
        for name, path in pages(carol_sees_alice):
            page.goto(live_server.url + path)
            boxes = page.evaluate("[...document.querySelectorAll('.schedule-card')].map(c => c.getBoundingClientRect())"
                                  ".map(r => [Math.round(r.top), Math.round(r.left), Math.round(r.width)])")
            assert len(boxes) == 3 and len({top for top, _, _ in boxes}) == 1, boxes  # one row
            assert boxes[0][1] < boxes[1][1] < boxes[2][1] and min(width for *_, width in boxes) > 250
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            shoot(page, f"{name}-1280")
            assert violations(page) == [], path
    finally:
        desk.close()


def test_the_bam_is_confirmed_and_turned_on_with_the_keyboard(phone, live_server, carol_sees_alice):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    phone.goto(live_server.url + "/care/settings/questionnaires/")
    phone.focus("#id_bam-active")
    phone.keyboard.press("Space")
    phone.focus("#id_bam_confirmed")
    phone.keyboard.press("Space")
    phone.keyboard.press("Enter")  # submits the form from the checkbox
    phone.locator("text=Questionnaire schedules saved").wait_for()
    carol_sees_alice.program.refresh_from_db()
    assert carol_sees_alice.program.bam_on
    assert Questionnaire.objects.filter(participant=carol_sees_alice, instrument="bam").exists()
    assert "Confirmed on" in phone.inner_text(".bam-terms")
