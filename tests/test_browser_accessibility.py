"""axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on every participant page, signed in and out."""

from pathlib import Path

import axe_playwright_python
import pytest

from browsing import PAGES, sign_in

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
pytestmark = pytest.mark.browser


def violations(page):
    page.evaluate(AXE)  # from the test harness (DevTools), so the page's CSP is not touched
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_public_pages_have_no_violations(phone, live_server, db):
    for path in ("/help/", "/signin/", "/offline/"):
        phone.goto(live_server.url + path)
        assert violations(phone) == [], path


def test_the_check_finds_a_violation_when_there_is_one(phone, live_server, db):
    phone.goto(live_server.url + "/help/")
    phone.evaluate("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x.png'}))")
    assert "image-alt" in [rule for rule, *_ in violations(phone)]


def test_every_participant_page_has_no_violations(phone, live_server, alice_with_entries):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    for _, path in PAGES + [("history", "/history/"), ("versions", "/safety-plan/versions/")]:
        phone.goto(live_server.url + path)
        assert violations(phone) == [], path
    # The two-step set-up's second state, shown after its "Show my code" POST.
    phone.goto(live_server.url + "/account/2fa/setup/")
    phone.click("text=Show my code")
    phone.locator(".qr svg").wait_for()
    assert violations(phone) == [], "/account/2fa/setup/ with the code"
