"""The program settings' clinical-record field at desk width (issue 18): a bad number is refused
beside the field, with what was typed kept."""

from browsing import ARTIFACTS, sign_in
from signin import totp_device
from test_browser_accessibility import violations
from tracker.models import Counselor


def test_the_record_retention_field_at_desk_width(phone, browser, live_server, carol):
    Counselor.objects.filter(pk=carol.pk).update(is_program_admin=True)
    totp_device(carol.user)  # her authenticator app is set up
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        page.goto(live_server.url + "/care/settings/program/")
        page.fill("#id_record_retention_years", "0")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_selector(".field--error")
        page.locator("#id_record_retention_years").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "care-program-settings-record-1280.png"), full_page=True)
        assert page.input_value("#id_record_retention_years") == "0"
        assert "Give a number of years from 1 to 100." in page.text_content("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert violations(page) == []
    finally:
        desk.close()
