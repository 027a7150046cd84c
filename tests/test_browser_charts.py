"""Charts in headless Chromium: My progress at 360 px (no sideways scroll, tick labels of 11 px or
more inside the picture) and a counselor's trends at 1280 px (two charts a row, a bar reached
with Tab, named by its value and shown in the tooltip). Screenshots in test-artifacts/screenshots."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from browsing import ARTIFACTS, WATCH_CSP, check_page, sign_in, tab_to
from test_browser_accessibility import violations
from tracker import services
from tracker.models import FlagAcknowledgement, Participant

pytestmark = pytest.mark.browser


@pytest.fixture
def charted(carol_sees_alice, carol):
    """Alice joined 54 days ago and checked in on most days since, with a setback and an acknowledged flag."""
    alice = carol_sees_alice
    today = alice.local_today()
    Participant.objects.filter(pk=alice.pk).update(created_at=timezone.now() - dt.timedelta(days=53))
    for back in range(2, 54):
        if back % 7 == 3:
            continue
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": today - dt.timedelta(days=back), "in_bed_at": dt.time(22 + back % 2, 0),
            "final_wake_at": dt.time(5 + back % 3, 30), "sleep_quality": 1 + back % 5, "stress": back % 11})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": alice.local_now() - dt.timedelta(days=10), "intensity": 9, "duration_min": 30,
        "triggers": ["stress"], "outcome": "used"})
    FlagAcknowledgement.objects.create(participant=alice, flag="use", evidence="x", counselor=carol,
                                       created_at=timezone.now() - dt.timedelta(days=9))
    return Participant.objects.get(pk=alice.pk)


def labels_fit(page):
    """Tick labels narrower than 11 px or outside their chart's picture: [(text, px, inside)]."""
    return page.evaluate("""() => [...document.querySelectorAll('.chart-svg text')].map(text => {
        const svg = text.ownerSVGElement.getBoundingClientRect(), box = text.getBoundingClientRect();
        const px = parseFloat(getComputedStyle(text).fontSize) * svg.width / text.ownerSVGElement.viewBox.baseVal.width;
        return [text.textContent, px, box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5];
      }).filter(([, px, inside]) => px < 11 || !inside)""")


def test_my_progress_at_phone_width(phone, live_server, charted):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    for days in (7, 30, 90):
        phone.goto(f"{live_server.url}/progress/?days={days}")
        check_page(phone, f"charts-progress-{days}")   # screenshot, no sideways scroll, thumb-sized controls
        phone.locator(".chart").first.screenshot(path=str(ARTIFACTS / f"charts-progress-{days}-sleep.png"))
        assert phone.locator(".chart-svg").count() == 6
        assert labels_fit(phone) == []
    assert violations(phone) == []
    assert "of 54 days since you joined" in phone.inner_text("main")


def test_trends_at_desk_width(phone, browser, live_server, charted):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    path = f"/care/participants/{charted.pk}/"
    for days in (30, 90, 365):
        phone.goto(f"{live_server.url}{path}?days={days}")
        check_page(phone, f"charts-trends-{days}-360")
        phone.locator(".chart-grid .chart").first.screenshot(path=str(ARTIFACTS / f"charts-trends-{days}-360-sleep.png"))
        assert labels_fit(phone) == []
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    desk.add_init_script(WATCH_CSP)
    page = desk.new_page()
    try:
        for days in (30, 90, 365):
            page.goto(f"{live_server.url}{path}?days={days}")
            page.screenshot(path=str(ARTIFACTS / f"charts-trends-{days}-1280.png"), full_page=True)
            page.locator(".chart-grid").screenshot(path=str(ARTIFACTS / f"charts-trends-{days}-1280-grid.png"))
            assert labels_fit(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            assert violations(page) == [], days
        # 365 days: a bar a week since joining (eight weeks ago), across the whole width.
        weeks = page.locator("#c-adherence-caption ~ .chart-plot .bar")
        plot, first, last = (page.locator("#c-adherence-caption ~ .chart-plot svg").bounding_box(),
                             weeks.first.bounding_box(), weeks.last.bounding_box())
        assert weeks.count() in (8, 9) and first["x"] < plot["x"] + plot["width"] * 0.2
        assert last["x"] + last["width"] > plot["x"] + plot["width"] * 0.95
        page.goto(f"{live_server.url}{path}?days=30")
        first, second = (page.locator(".chart-grid > .chart").nth(n).bounding_box() for n in (0, 1))
        assert abs(first["y"] - second["y"]) < 2 and second["x"] >= first["x"] + first["width"]
        tab_to(page, "el.matches('.chart-svg .bar')", limit=200)
        bar = page.locator(":focus")
        name = bar.get_attribute("aria-label")
        assert name.startswith(tuple("MTWFS")) and ", sleep: " in name and name.endswith(" h")
        tip = page.locator("#c-sleep-caption ~ .chart-plot .chart-tip")
        assert tip.is_visible() and tip.inner_text() == name
        page.keyboard.press("Tab")   # the next night: the tooltip follows
        following = page.locator(":focus").get_attribute("aria-label")
        assert following != name and tip.inner_text() == following
        page.keyboard.press("Escape")
        assert not tip.is_visible()
        assert page.evaluate("window.__cspViolations") == []
    finally:
        desk.close()
