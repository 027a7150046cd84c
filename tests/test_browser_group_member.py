"""The participant's side of group on a phone (Chromium at 360 x 740): Today's group card, and
"Can't make it" tapped without signal: the next step for "ride" shows the safe ride at once, and
the notice is sent once when the phone is back online."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from browsing import check_page, sign_in
from test_browser_pwa import outbox_count, wait_until
from tracker import services
from tracker.models import AbsenceNotice, Attendance, Group, GroupMembership, GroupSession

pytestmark = pytest.mark.browser


@pytest.fixture
def alice_in_group(alice, program):
    program.phone = "555-010-2000"
    program.save()
    group = Group.objects.create(program=program, name="Evening group", weekdays=[0, 2, 3], start_time=dt.time(18),
                                 place="Room 2", active_from=dt.date(2026, 1, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 1, 1))
    starts = timezone.now() + dt.timedelta(days=1)
    GroupSession.objects.create(group=group, starts_at=starts, ends_at=starts + dt.timedelta(hours=3))
    services.weekend_plan_put(participant=alice, id=uuid.uuid4(), data={
        "weekend_of": alice.local_today() - dt.timedelta(days=(alice.local_today().weekday() - 4) % 7), "safe_ride": "Sam from church, 555-0199"})
    return alice


def test_cant_make_it_without_signal_shows_the_ride_and_is_sent_once(phone, live_server, alice_in_group):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    card = phone.locator(".group-today")
    assert "Room 2" in card.inner_text() and "0 of 9 hours this week" in card.inner_text()
    check_page(phone, "today-group")
    card.locator("text=Can’t make it").click()
    phone.wait_for_url("**/cant-make-it/")
    check_page(phone, "group-cant-make-it")
    phone.context.set_offline(True)
    try:
        phone.click("button.reason[value=ride]")
        phone.locator(".notice-status", has_text="Saved on this phone").wait_for()
        steps = phone.locator("[data-next-step=ride]")
        steps.wait_for()
        assert "Sam from church, 555-0199" in steps.inner_text()
        assert not phone.locator("[data-next-step=used]").is_visible() and not phone.locator(".reasons").is_visible()
        assert outbox_count(phone) == 1 and AbsenceNotice.objects.count() == 0
        check_page(phone, "group-next-step-ride")
    finally:
        phone.context.set_offline(False)  # "online": the page sends the outbox
    phone.locator(".notice-status", has_text="Sent. Thanks for telling us.").wait_for()
    wait_until(phone, lambda: outbox_count(phone) == 0, "the outbox to empty")
    notice = AbsenceNotice.objects.get()
    assert (notice.participant_id, notice.reason, notice.ahead) == (alice_in_group.pk, "ride", True)
    assert Attendance.objects.get().status == Attendance.Status.EXCUSED
    phone.goto(base + "/", wait_until="load")
    assert "You told us you can’t make it" in phone.locator(".group-today").inner_text()
    assert AbsenceNotice.objects.count() == 1
