"""The huddle before group in headless Chromium: a 1280 desk (cards in a grid) and a 360 phone,
no sideways scroll, axe clean; the practice task is given with the keyboard alone.
Screenshots in test-artifacts."""

import datetime as dt

import pytest
from django.test import Client

from browsing import ARTIFACTS, check_page, sign_in, tab_to
from groups import join, make_group, mark, session_at
from people import make_user
from signin import verified_login
from test_browser_accessibility import violations
from tracker.models import AbsenceNotice, Attendance, Counselor, Participant, Task

pytestmark = pytest.mark.browser
NAMES = ["Yara", "Ben", "Omar", "Lena", "Ivo", "Quinn", "Ada", "Hugo", "Wes", "Nia", "Cleo"]


@pytest.fixture
def session(program, carol, alice):
    program.time_zone = "America/New_York"
    program.save()
    verified_login(Client(), carol.user)  # her second factor is set up
    group = make_group(program, place="Room 2")
    group.facilitators.add(carol)
    other = Counselor.objects.create(user=make_user("olga"), program=program)
    now = dt.datetime.now(dt.UTC)
    last = session_at(group, now - dt.timedelta(days=2))
    today = session_at(group, now - dt.timedelta(minutes=30), topic="Coping with cravings")
    people = [alice]
    for n, name in enumerate(NAMES):
        p = Participant.objects.create(user=make_user(f"member{n}", first_name=name, last_name="Doe"),
                                       program=program)
        (p.care_team.add(carol) if n % 2 else p.care_team.add(other))
        people.append(p)
    for n, p in enumerate(people):
        join(group, p, on=now.date() if n % 5 == 4 else dt.date(2026, 1, 1))
        mark(last, p, Attendance.Status.ABSENT if n % 3 == 0 else Attendance.Status.PRESENT)
        if n % 4 == 1:
            AbsenceNotice.objects.create(participant=p, session=today, reason="ride")
        else:
            mark(today, p, Attendance.Status.PRESENT)
    return today


def test_the_huddle_on_desk_and_phone(phone, browser, live_server, session):
    sign_in(phone, live_server.url, "carol", "carol-password-1", lands_on="/care/")
    url = f"{live_server.url}/care/sessions/{session.pk}/huddle/"
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=phone.context.storage_state())
    page = desk.new_page()
    try:
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / "care-huddle-1280.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.evaluate("getComputedStyle(document.querySelector('.huddle')).display") == "grid"
        assert violations(page) == []
    finally:
        desk.close()
    phone.goto(url)
    check_page(phone, "care-huddle-360")
    assert violations(phone) == []
    # The practice task with the keyboard alone.
    tab_to(phone, "el.id === 'task-title'")
    phone.keyboard.type("Write down one trigger before Thursday")
    tab_to(phone, "el.tagName === 'BUTTON' && el.textContent.includes('who came')")
    phone.keyboard.press("Enter")
    phone.locator(".message").wait_for()
    assert "Practice task given to" in phone.inner_text(".messages")
    assert Task.objects.filter(title="Write down one trigger before Thursday").count() == 9
