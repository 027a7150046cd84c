"""The caseload at desk width in headless Chromium (issue 15, item 1): with 40 people on carol's
care team, at least 12 table rows show on a 1280x800 screen without scrolling; sorting,
filtering, searching and acknowledging work with the keyboard alone; no sideways scroll at
1280 or at 360 (the card list); axe clean at both widths. Screenshots in test-artifacts."""

import datetime as dt
import uuid

import pytest

from browsing import ARTIFACTS, check_page, sign_in, tab_to
from people import make_user
from test_browser_accessibility import violations
from tracker import services
from tracker.models import FlagAcknowledgement, Participant

pytestmark = pytest.mark.browser

NAMES = ["Yara", "Ben", "Omar", "Lena", "Ivo", "Quinn", "Ada", "Hugo", "Wes", "Nia", "Cleo", "Finn", "Tess",
         "Raj", "Mae", "Gus", "Uma", "Eli", "Kai", "Pia", "Vic", "Jo", "Sol", "Dee", "Xia", "Zoe", "Rex", "Bea",
         "Lou", "Mo", "Ike", "Ora", "Ty", "Nell", "Abe", "Cy", "Flo", "Hal", "Em"]

ROW_NAMES = "() => [...document.querySelectorAll('.case-table tbody th a')].map(a => a.textContent.trim())"
ROW_FLAGS = """() => [...document.querySelectorAll('.case-table tbody tr')]
    .map(tr => [...tr.querySelectorAll('[data-flag]')].map(chip => chip.dataset.flag))"""
ABOVE_THE_FOLD = """() => [...document.querySelectorAll('.case-table tbody tr')]
    .filter(tr => { const box = tr.getBoundingClientRect(); return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight; })
    .length"""


@pytest.fixture
def forty(carol_sees_alice, carol, program):
    """alice and 39 more on carol's care team, some checked in lately, one with a strong urge."""
    today = carol_sees_alice.local_today()
    for n, name in enumerate(NAMES):
        p = Participant.objects.create(user=make_user(f"person{n:02d}", first_name=name, last_name="Doe"),
                                       program=program, time_zone="America/New_York")
        p.care_team.add(carol)
        for back in range(n % 4):
            services.checkin_put(participant=p, id=uuid.uuid4(), data={
                "date": today - dt.timedelta(days=1 + back + n % 5), "in_bed_at": dt.time(23),
                "final_wake_at": dt.time(5 + n % 4)})
        if n % 9 == 0:
            services.urge_put(participant=p, id=uuid.uuid4(), data={
                "occurred_at": p.local_now() - dt.timedelta(hours=2), "intensity": 9, "outcome": "passed"})
    assert carol.caseload.count() == 40
    return carol_sees_alice


def choose(page, select_id, value):
    """With the select focused, press arrow keys until it holds value (no mouse)."""
    for key in ("Home", *["ArrowDown"] * 20):
        if page.evaluate(f"document.getElementById('{select_id}').value") == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"#{select_id} never reached {value}")


def test_the_caseload_at_desk_width(phone, browser, live_server, forty):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        page.goto(live_server.url + "/care/")
        page.screenshot(path=str(ARTIFACTS / "care-caseload-desk-1280.png"))
        page.screenshot(path=str(ARTIFACTS / "care-caseload-desk-1280-full.png"), full_page=True)
        assert len(page.evaluate(ROW_NAMES)) == 40
        assert page.evaluate(ABOVE_THE_FOLD) >= 12
        assert not page.is_visible(".caseload-cards")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert violations(page) == []
        flags = page.evaluate(ROW_FLAGS)
        assert "high_urge" in flags[0]   # most in need first

        # Sort by name with the keyboard: Tab to the select, arrow to "Name", Tab to Show, Enter.
        tab_to(page, "el.id === 'caseload-sort'")
        choose(page, "caseload-sort", "name")
        tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Show'")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "sort=name" in url)
        names = page.evaluate(ROW_NAMES)
        assert len(names) == 40 and names == sorted(names, key=str.casefold)

        # Filter by a flag, keeping the sort.
        tab_to(page, "el.id === 'caseload-flag'")
        choose(page, "caseload-flag", "high_urge")
        tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Show'")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "flag=high_urge" in url and "sort=name" in url)
        flagged = page.evaluate(ROW_FLAGS)
        assert 1 < len(flagged) < 40 and all("high_urge" in chips for chips in flagged)
        names = page.evaluate(ROW_NAMES)
        assert names == sorted(names, key=str.casefold)

        # Search by name: type into the box, Enter submits.
        tab_to(page, "el.id === 'caseload-q'")
        page.keyboard.press("Control+A")
        page.keyboard.type("ali")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "q=ali" in url)
        assert page.evaluate(ROW_NAMES) == ["alice"]
        assert page.evaluate(ABOVE_THE_FOLD) == 1

        # Acknowledge in place: the row's details opens, a note, Enter.
        tab_to(page, "el.tagName === 'SUMMARY' && el.closest('.case-table') !== null")
        page.keyboard.press("Enter")
        tab_to(page, "el.name === 'note' && el.id.includes('high_urge')")
        page.screenshot(path=str(ARTIFACTS / "care-caseload-desk-1280-acknowledge-open.png"))
        page.keyboard.type("Called, seeing her Thursday")
        page.keyboard.press("Enter")
        page.wait_for_url(live_server.url + "/care/")
        ack = FlagAcknowledgement.objects.get()
        assert (ack.participant_id, ack.flag, ack.note) == (forty.pk, "high_urge", "Called, seeing her Thursday")
        page.screenshot(path=str(ARTIFACTS / "care-caseload-desk-1280-acknowledged.png"))
        assert violations(page) == []
    finally:
        desk.close()

    # A phone keeps the card list: no table, no sideways scroll, axe clean.
    phone.goto(live_server.url + "/care/?sort=name")
    assert not phone.is_visible(".case-table") and phone.is_visible(".caseload-cards")
    check_page(phone, "care-caseload-desk-360")
    phone.screenshot(path=str(ARTIFACTS / "care-caseload-desk-360-top.png"))
    assert violations(phone) == []
