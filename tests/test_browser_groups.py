"""The program's groups in headless Chromium (issue 16, item 1): at 1280 the group list and a
group's sessions are dense tables; at 360 each row is a card, with no sideways scroll and
thumb-sized controls; axe clean at both. A program admin creates a group with the keyboard and
the mouse as anyone would; a refused form keeps what was typed. Screenshots in test-artifacts."""

import datetime as dt

import pytest
from django.utils import timezone

from browsing import ARTIFACTS, check_page, sign_in
from people import make_user
from test_browser_accessibility import violations
from tracker import schedule
from tracker.models import Group, GroupMembership, Participant

pytestmark = pytest.mark.browser

IS_TABLE = "sel => getComputedStyle(document.querySelector(sel + ' tbody tr')).display"


@pytest.fixture
def evening(carol_sees_alice, carol, program):
    today = timezone.now().astimezone(program.zone).date()
    group = Group.objects.create(program=program, name="Evening group", weekdays=[0, 2, 3], start_time=dt.time(18),
                                 length_min=180, place="Room 2, upstairs by the kitchen", active_from=today)
    group.facilitators.add(carol)
    for n, name in enumerate(["Yara", "Ben", "Omar", "Lena", "Ivo", "Quinn", "Ada", "Hugo", "Wes", "Nia", "Cleo"]):
        person = Participant.objects.create(user=make_user(f"member{n}", first_name=name, last_name="Doe"),
                                            program=program)
        GroupMembership.objects.create(group=group, participant=person, joined_on=today)
    GroupMembership.objects.create(group=group, participant=carol_sees_alice, joined_on=today)
    schedule.plan_sessions(program, timezone.now())
    return group


def test_the_groups_pages_at_desk_and_phone_width(phone, browser, live_server, evening):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        page.goto(live_server.url + "/care/groups/")
        page.screenshot(path=str(ARTIFACTS / "care-groups-1280.png"), full_page=True)
        assert page.evaluate(IS_TABLE, ".groups-table") == "table-row"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert violations(page) == []
        page.click("text=Evening group")
        page.wait_for_url(f"{live_server.url}/care/groups/{evening.pk}/")
        page.screenshot(path=str(ARTIFACTS / "care-group-1280.png"), full_page=True)
        assert page.evaluate(IS_TABLE, ".sessions-table") == "table-row"
        rows = page.locator(".sessions-table tbody tr").count()
        assert rows >= 23  # eight weeks of three evenings
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert violations(page) == []

        # A new group: an empty day list is refused beside its field, the typed name kept.
        page.goto(live_server.url + "/care/groups/new/")
        page.fill("#id_name", "Morning group")
        page.fill("#id_start_time", "09:00")
        page.click("text=Save group")
        page.wait_for_selector(".field--error")
        assert page.input_value("#id_name") == "Morning group"
        assert "Pick at least one day." in page.text_content("fieldset.field--error")
        page.click("label[for=id_weekdays_1]")
        page.click("label[for=id_weekdays_3]")
        page.click("text=Save group")
        page.wait_for_selector(".sessions-table")
        assert Group.objects.get(name="Morning group").sessions.count() >= 15
    finally:
        desk.close()

    for url, name in (("/care/groups/", "care-groups-360"), (f"/care/groups/{evening.pk}/", "care-group-360"),
                      (f"/care/groups/sessions/{evening.sessions.first().pk}/", "care-session-360"),
                      ("/care/settings/program/", "care-program-settings-360")):
        phone.goto(live_server.url + url)
        check_page(phone, name)
        assert violations(phone) == [], name
    phone.goto(live_server.url + f"/care/groups/{evening.pk}/")
    assert phone.evaluate(IS_TABLE, ".sessions-table") == "block"
