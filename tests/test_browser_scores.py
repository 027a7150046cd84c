"""Questionnaire scores in headless Chromium (issue 17): the scores page at 360 px (no sideways
scroll, thumb-sized controls, labels of 11 px or more inside each picture) and at 1280 (charts
side by side), axe clean at both; each chart has its axes, an axis title, its severity bands
drawn as a background under the points, and a point reached by focus named in the tooltip. The
caseload with scores and the care page's block, axe clean at both widths. Screenshots in
test-artifacts/screenshots."""

import datetime as dt

import pytest
from django.utils import timezone

import measures_data as data
from browsing import ARTIFACTS, WATCH_CSP, check_page, sign_in
from test_browser_accessibility import violations
from test_browser_charts import labels_fit

pytestmark = pytest.mark.browser

CHART_PARTS = """() => [...document.querySelectorAll('.score-chart')].map(figure => {
    const svg = figure.querySelector('svg.chart-svg'), box = svg.getBoundingClientRect();
    const bands = [...svg.querySelectorAll('rect.score-band')];
    const points = [...svg.querySelectorAll('circle.point')];
    const inside = el => { const b = el.getBoundingClientRect();
        return b.left >= box.left - 1 && b.right <= box.right + 1 && b.top >= box.top - 1 && b.bottom <= box.bottom + 1; };
    return {
        measure: [...figure.classList].find(c => c.startsWith('m-')),
        axes: svg.querySelectorAll('line.axis').length,
        ticks: svg.querySelectorAll('text.axis-label').length,
        title: svg.querySelector('text.axis-title')?.textContent,
        bands: bands.length,
        filled: bands.filter(b => { const f = getComputedStyle(b).fill; return f && f !== 'none' && f !== 'rgba(0, 0, 0, 0)'; }).length,
        bandsFirst: bands.every(b => points.every(p => b.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING)),
        points: points.length,
        pointsInside: points.every(inside),
        stroke: getComputedStyle(svg.querySelector('.score-line') || points[0]).stroke || '',
    };
})"""


@pytest.fixture
def answered(carol_sees_alice):
    """alice: PHQ-9 and GAD-7 every two weeks since intake six weeks ago, two BAMs, a missed GAD-7
    (the live server runs on the real clock: all of it counted back from now)."""
    alice = carol_sees_alice
    now = timezone.now()
    for weeks, (phq, gad) in zip((6, 4, 2, 0), ((19, 14), (16, 12), (13, 11), (11, 8))):
        at = now - dt.timedelta(weeks=weeks, hours=3)
        data.phq9(alice, phq, at=at, intake=weeks == 6)
        if weeks != 2:
            data.gad7(alice, gad, at=at, intake=weeks == 6)
    data.questionnaire(alice, "gad7", alice.local_today() - dt.timedelta(weeks=2), status="missed")
    data.bam(alice, at=now - dt.timedelta(days=30), intake=True, use=1, risk=9, protective=15)
    data.bam(alice, at=now - dt.timedelta(days=1), use=0, risk=13, protective=17)
    data.questionnaire(alice, "phq9", alice.local_today() + dt.timedelta(days=13))
    return alice


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def check_charts(page):
    charts = page.evaluate(CHART_PARTS)
    assert [c["measure"] for c in charts] == ["m-phq9", "m-gad7", "m-bam", "m-bam", "m-bam"]
    for chart in charts:
        assert chart["axes"] == 2 and chart["title"] == "points", chart
        assert chart["ticks"] >= 4, chart   # three or more values up the side, dates along the bottom
        assert chart["bands"] in (2, 4, 5) and chart["filled"] == chart["bands"], chart
        assert chart["bandsFirst"] and chart["pointsInside"], chart
    assert [c["points"] for c in charts] == [4, 3, 2, 2, 2]
    assert charts[0]["bands"] == 5 and charts[1]["bands"] == 4


def test_the_scores_page_at_phone_and_desk_width(phone, browser, live_server, answered):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    path = f"/care/participants/{answered.pk}/questionnaires/"
    phone.goto(live_server.url + path)
    check_page(phone, "scores-360")   # screenshot, no sideways scroll, thumb-sized controls, no CSP report
    check_charts(phone)
    assert labels_fit(phone) == []
    assert violations(phone) == []

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    desk.add_init_script(WATCH_CSP)
    page = desk.new_page()
    try:
        page.goto(live_server.url + path)
        shot(page, "scores-1280")
        page.locator(".chart-grid").screenshot(path=str(ARTIFACTS / "scores-1280-charts.png"))
        check_charts(page)
        assert labels_fit(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert violations(page) == []
        # Side by side at a desk; the item table fits without its own scroll.
        first, second = (page.locator(".chart-grid > .chart").nth(n).bounding_box() for n in (0, 1))
        assert abs(first["y"] - second["y"]) < 2 and second["x"] >= first["x"] + first["width"]
        assert page.evaluate("(() => { const s = document.querySelector('.items-section .table-scroll');"
                             " return s.scrollWidth <= s.clientWidth; })()")
        # A point, focused, is named in the tooltip.
        point = page.locator(".m-phq9 .point").last
        point.focus()
        tip = page.locator(".m-phq9 .chart-tip")
        assert tip.is_visible() and tip.inner_text() == point.get_attribute("aria-label")
        assert point.get_attribute("aria-label").endswith(", PHQ-9: 11 points (Moderate)")
        assert page.evaluate("window.__cspViolations") == []
    finally:
        desk.close()


def test_the_caseload_and_care_page_with_scores(phone, browser, live_server, answered):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    phone.goto(live_server.url + "/care/")
    check_page(phone, "scores-caseload-360")
    assert "PHQ-9" in phone.locator(".case-scores").first.inner_text()
    assert violations(phone) == []
    phone.goto(f"{live_server.url}/care/participants/{answered.pk}/")
    check_page(phone, "scores-care-page-360")
    assert violations(phone) == []

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    desk.add_init_script(WATCH_CSP)
    page = desk.new_page()
    try:
        page.goto(live_server.url + "/care/")
        shot(page, "scores-caseload-1280")
        cell = page.locator(".case-table__scores").first.inner_text()
        assert "PHQ-9" in cell and "Moderate" in cell and "GAD-7" in cell
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert violations(page) == []
        page.goto(f"{live_server.url}/care/participants/{answered.pk}/summary/")
        shot(page, "scores-summary-1280")
        assert violations(page) == []
    finally:
        desk.close()
