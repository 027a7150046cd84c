"""The program outcomes page in headless Chromium (issue 18): at 1280 px the sections sit two a
row with their charts side by side; at 360 px nothing scrolls sideways (wide tables scroll in
their own box) and controls are thumb-sized; axe clean at both. Screenshots in test-artifacts."""

import pytest
from django.test import Client

from browsing import ARTIFACTS, check_page, sign_in
from signin import verified_login
from test_browser_accessibility import violations
from test_outcomes import seed_thirty

pytestmark = pytest.mark.browser

URL = "/care/program/?kind=year&year=2026"  # a year: the July-September cohort of 30 is shown whole


@pytest.fixture
def admin(carol, program):
    carol.is_program_admin = True
    carol.save()
    verified_login(Client(), carol.user)  # her authenticator, for sign_in's second step
    seed_thirty(program)
    return carol


def test_the_outcomes_page_at_a_desk_and_on_a_phone(phone, live_server, admin):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.goto(live_server.url + URL)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "care-outcomes-1280.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Two sections a row: attendance and hours side by side; the census's two charts side by side.
    boxes = phone.evaluate("""() => ['attendance', 'hours'].map(k => document.querySelector('.outcomes-section--' + k)
        .getBoundingClientRect().toJSON())""")
    assert boxes[0]["top"] == boxes[1]["top"] and boxes[0]["right"] <= boxes[1]["left"]
    charts = phone.evaluate("() => [...document.querySelectorAll('.outcomes-section--census .chart')].map(c => c.getBoundingClientRect().top)")
    assert len(charts) == 2 and charts[0] == charts[1]
    assert phone.locator("#chart-retention-title").count() == 1
    assert violations(phone) == []

    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(live_server.url + URL)
    check_page(phone, "care-outcomes-360")
    for key in ("census", "attendance", "retention", "reasons"):  # to look at, a section at a time
        phone.locator(f".outcomes-section--{key}").screenshot(path=str(ARTIFACTS / f"care-outcomes-360-{key}.png"))
    assert violations(phone) == []
    # A bad period: the message sits next to its field, what was typed is kept.
    phone.select_option("#id_kind", "custom")
    phone.fill("#id_first", "2026-03-01")
    phone.fill("#id_last", "2026-03-20")
    phone.click(".outcomes-period button[type=submit]")
    assert "at least a month" in phone.locator("#id_last_error").inner_text()
    assert phone.input_value("#id_first") == "2026-03-01"
    check_page(phone, "care-outcomes-360-error")
