"""Aftercare pages in headless Chromium: the participant's check-up, plan and Settings at 360 px
(no sideways scroll, thumb-sized controls, no CSP violation, axe), and the counselor's plan,
Aftercare list and check-up settings at 1280 px (screenshots in test-artifacts/screenshots)."""

import datetime as dt

import pytest
from django.utils import timezone

from browsing import ARTIFACTS, check_page, sign_in
from signin import totp_device
from test_browser_accessibility import violations
from tracker import dates, episodes, measures
from tracker.models import AftercarePlan, Checkup, CheckupAnswer

pytestmark = pytest.mark.browser


@pytest.fixture
def in_aftercare(alice, carol, program):
    """Alice, discharged today with a plan, a check-up open now and an earlier one answered "talk"."""
    program.bam_terms_confirmed_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    program.save()
    carol.is_program_admin = True
    carol.save()
    totp_device(carol.user)  # staff sign in with a second factor
    today = alice.local_today()
    episode = episodes.discharge(episode=alice.open_episode, discharged_on=today, discharge_type="completed")
    AftercarePlan.objects.create(
        episode=episode, next_provider="Dr. Lee, Oak Street Clinic", prescriber="Dr. Lee",
        first_appointment_at=timezone.now() + dt.timedelta(days=6), first_appointment_place="12 Oak Street",
        meetings="AA, Tuesdays 19:00 at St Mark's", people="My sister Ana 555-0101\nSponsor Joe 555-0102",
        follow_up="Weekly therapy with Dr. Lee; call the program if things get hard.", checkups=True,
        checkups_until=dates.add_months(today, 6))
    made = []
    for back, status in ((0, "open"), (30, "done")):
        opens, closes = measures.window(today - dt.timedelta(days=back), alice.zone, 7)
        made.append(Checkup.objects.create(participant=alice, episode=episode, due_on=today - dt.timedelta(days=back),
                                           opens_at=opens, closes_at=closes, items=["4", "5", "6", "8", "9"],
                                           status=status))
    CheckupAnswer.objects.create(participant=alice, checkup=made[1], answers={"4": 1, "5": 0, "6": 0, "8": 3, "9": 1},
                                 wants_talk=True, risky=True)
    return made[0]


def test_the_participants_aftercare_pages_fit_a_phone(phone, live_server, in_aftercare):
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    for name, path in (("aftercare-checkup", f"/checkups/{in_aftercare.pk}/"), ("aftercare-mine", "/aftercare/"),
                       ("aftercare-settings", "/settings/"), ("aftercare-today", "/")):
        phone.goto(live_server.url + path)
        check_page(phone, name)
        assert violations(phone) == [], path
    # Sent with one answer missing: the error is by the question, the other answers kept.
    phone.goto(live_server.url + f"/checkups/{in_aftercare.pk}/")
    for key in ("4", "5", "6", "8"):
        phone.check(f"input[name=answer-{key}][value='0']")
    phone.check("input[name=wants_talk][value=no]")
    phone.click("text=Send my answers")
    assert "Please answer this question." in phone.inner_text("#q-item-9")
    check_page(phone, "aftercare-checkup-error")
    phone.check("input[name=answer-9][value='4']")
    phone.click("text=Send my answers")
    phone.wait_for_selector("text=Thank you")
    assert CheckupAnswer.objects.filter(checkup=in_aftercare).exists()


def test_the_counselors_aftercare_pages_have_a_desk_layout(browser, live_server, plain_static, in_aftercare, alice):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "carol", "carol-password-1", lands_on="/care/")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, path in (("care-aftercare-plan", f"/care/participants/{alice.pk}/aftercare/"),
                           ("care-aftercare", "/care/aftercare/"),
                           ("care-checkup-settings", "/care/settings/checkups/")):
            page.goto(live_server.url + path)
            page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
            assert violations(page) == [], path
        page.goto(live_server.url + "/care/aftercare/")
        assert "Would like to talk to someone" in page.inner_text("main")
    finally:
        context.close()
