"""The roll in Chromium on a facilitator's phone: 12 present is 13 taps; a roll taken with no
signal (context.set_offline) waits on the device and is sent once when the signal is back; marks
kept for one person are not sent for anyone else. Screenshots at 360 and 1280."""

import datetime as dt

import pytest
from django.utils import timezone

from browsing import ARTIFACTS, check_page, sign_in
from signin import totp_device
from test_browser_pwa import outbox_count, wait_for_worker, wait_until
from tests.people import make_user
from tracker.models import (
    Attendance,
    AuditEvent,
    Counselor,
    Group,
    GroupMembership,
    GroupSession,
    Participant,
    local_instant,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def todays_roll(program):
    program.time_zone = "America/New_York"
    program.save()
    frank = Counselor.objects.create(user=make_user("frank", first_name="Frank"), program=program)
    group = Group.objects.create(program=program, name="Evening group", weekdays=[0, 1, 2, 3, 4, 5, 6],
                                 start_time=dt.time(18, 0), length_min=180, active_from=dt.date(2026, 1, 1),
                                 place="Room 2")
    group.facilitators.add(frank)
    totp_device(frank.user)  # staff sign in with their second factor
    today = timezone.now().astimezone(program.zone).date()
    starts_at = local_instant(today, dt.time(18, 0), program.zone)
    session = GroupSession.objects.create(group=group, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=3))
    names = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea"]
    for name in names:
        person = Participant.objects.create(user=make_user(name.lower(), first_name=name), program=program)
        GroupMembership.objects.create(group=group, participant=person, joined_on=today - dt.timedelta(days=30))
    return frank, session


def test_a_roll_taken_offline_is_sent_once_when_the_signal_is_back(phone, live_server, todays_roll):
    frank, session = todays_roll
    base = live_server.url
    path = f"/care/sessions/{session.pk}/roll/"
    sign_in(phone, base, "frank", "frank-password-1", lands_on="/care/")
    wait_for_worker(phone)
    phone.goto(base + "/care/roll/")
    phone.click("text=Evening group")
    phone.wait_for_url(base + path)
    check_page(phone, "care-roll")
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.screenshot(path=str(ARTIFACTS / "care-roll-1280.png"), full_page=True)
    phone.set_viewport_size({"width": 360, "height": 740})
    # The names-only copy of today's roll is kept on the device.
    wait_until(phone, lambda: phone.evaluate(f"""caches.keys().then(async keys => {{
        for (const key of keys) if (await (await caches.open(key)).match("{path}")) return true;
        return false; }})"""), "the roll kept on the device")
    writes = []
    phone.on("response", lambda response: response.request.method == "PUT" and "/attendance/" in response.url
             and writes.append(response.url))  # answered: a try with no signal has no answer

    phone.context.set_offline(True)
    phone.goto(base + path)
    assert "group hours" not in phone.inner_text("main")  # names only, from the device
    # Someone else's marks on this device wait for them; this page never sends them.
    phone.evaluate("""Outbox.put({id: "attendance-0-0", url: "/api/v1/care/sessions/0/attendance/0/",
                                  body: {status: "present"}, user: "999999"})""")
    taps = 0
    for row in phone.locator(".roll-row").all():
        row.locator(".roll-present").click()
        taps += 1
    phone.click(".roll-save")
    taps += 1
    assert taps == 13
    phone.locator(".roll-status", has_text="Saved on this device").wait_for()
    assert outbox_count(phone) == 13 and Attendance.objects.count() == 0 and writes == []
    check_page(phone, "care-roll-offline")

    phone.context.set_offline(False)  # the page's "online" event sends the marks
    phone.locator(".roll-status", has_text="The roll is saved.").wait_for()
    assert Attendance.objects.filter(session=session, status="present", minutes=180).count() == 12
    assert len(writes) == 12 and len(set(writes)) == 12
    assert all(row.recorded_by == frank.user for row in Attendance.objects.all())
    phone.goto(base + path)
    phone.evaluate(f"Outbox.flush(undefined, '{frank.user.pk}')")
    assert len(writes) == 12  # sent once
    assert phone.evaluate("Outbox.all().then(items => items.map(item => item.id))") == ["attendance-0-0"]


def test_marks_outlive_an_expired_sign_in_and_are_sent_after_signing_in_again(phone, live_server, todays_roll):
    from django.contrib.sessions.models import Session

    frank, session = todays_roll
    base = live_server.url
    path = f"/care/sessions/{session.pk}/roll/"
    sign_in(phone, base, "frank", "frank-password-1", lands_on="/care/")
    phone.goto(base + path)
    Session.objects.all().delete()  # the staff session expires in the middle of the roll
    rows = phone.locator(".roll-row").all()
    for row in rows[:2]:
        row.locator(".roll-present").click()
    phone.click(".roll-save")
    phone.locator(".roll-status", has_text=phone.locator("form.roll-form").get_attribute("data-signin")).wait_for()
    assert outbox_count(phone) == 2 and Attendance.objects.count() == 0  # kept on the device, not sent
    # Signing in again (password and second factor) as the same person sends them from the roll.
    # The code of the first sign-in may not be used twice: as if the next 30 seconds had come.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=frank.user).update(last_t=-1)
    sign_in(phone, base, "frank", "frank-password-1", lands_on="/care/")
    phone.goto(base + path)
    wait_until(phone, lambda: Attendance.objects.filter(session=session, status="present").count() == 2,
               "the kept marks to arrive", 60)
    wait_until(phone, lambda: outbox_count(phone) == 0, "the device to let go of them", 30)
    assert all(row.recorded_by == frank.user for row in Attendance.objects.all())


def kept_copy(page, path):
    """The roll page the service worker keeps on the device for `path`, as text ("" if none)."""
    return page.evaluate(f"""caches.keys().then(async keys => {{
        for (const key of keys) {{ const kept = await (await caches.open(key)).match("{path}");
                                   if (kept) return kept.text(); }}
        return ""; }})""")


def test_each_opening_of_the_roll_is_one_audit_row_and_the_device_keeps_names_and_marks(phone, live_server,
                                                                                        todays_roll):
    frank, session = todays_roll
    zoe = Participant.objects.create(user=make_user("zoe", first_name="Zoe"), program=session.group.program)
    base = live_server.url
    path = f"/care/sessions/{session.pk}/roll/"
    sign_in(phone, base, "frank", "frank-password-1", lands_on="/care/")
    wait_for_worker(phone)

    def reads():
        return list(AuditEvent.objects.filter(resource="roll", action="read", object_id=str(session.pk)))

    phone.goto(base + path)
    wait_until(phone, lambda: "Lea" in kept_copy(phone, path), "the roll kept on the device")
    (row,) = reads()  # the page and the copy kept from it: one read of these names, one row
    assert len(row.participants_shown.strip(",").split(",")) == 12
    copy = kept_copy(phone, path)
    assert "Present" in copy and "group hours" not in copy and "walk-in-q" not in copy

    # A walk-in added without the script: the search (?q=, never kept) and the page after the
    # add, whose message is for now, not for the copy.
    phone.fill("#walk-in-q", "Zoe")
    phone.click(".roll-search button")
    phone.click("text=Add Zoe as a walk-in")
    phone.locator(".messages", has_text="Zoe is on the roll as a walk-in.").wait_for()
    wait_until(phone, lambda: "Zoe" in kept_copy(phone, path), "the copy with the walk-in")
    copy = kept_copy(phone, path)
    assert "on the roll as a walk-in" not in copy and "group hours" not in copy
    assert len(reads()) == 3  # opened, searched, opened again: three reads
    assert Attendance.objects.get(participant=zoe).status == "present"


def test_a_later_mark_and_a_refused_one_are_named_on_the_roll(phone, live_server, todays_roll):
    # The two messages are filled in with the person's name (and the server's reason) by the
    # page's one fillIn: Ana's mark is older than one saved meanwhile on another device, and
    # Ben left the group between the page load and the save.
    frank, session = todays_roll
    base = live_server.url
    sign_in(phone, base, "frank", "frank-password-1", lands_on="/care/")
    phone.goto(base + f"/care/sessions/{session.pk}/roll/")
    ana, ben = Participant.objects.get(user__username="ana"), Participant.objects.get(user__username="ben")
    Attendance.objects.create(session=session, participant=ana, status="absent", recorded_by=frank.user,
                              recorded_at=timezone.now() + dt.timedelta(hours=1))
    GroupMembership.objects.filter(participant=ben).delete()
    for person in (ana, ben):
        phone.locator(f'.roll-row[data-participant="{person.pk}"] .roll-present').click()
    phone.click(".roll-save")
    status = phone.locator(".roll-status", has_text="Not saved for Ben")
    status.wait_for()
    said = status.inner_text()
    assert "A later mark was already saved for Ana: it is shown now." in said
    assert "Not saved for Ben: This person is not a member of this group on the session's day." in said
    assert "undefined" not in said
    assert phone.is_checked(f'.roll-row[data-participant="{ana.pk}"] input[value="absent"]')
