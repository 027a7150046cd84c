"""Session reminders: one per member and session, at the person's own local time, exactly once,
across daylight-saving changes and quiet hours; withdrawn or moved when a session changes, with
one neutral notice. The real planning (tracker.schedule.plan_sessions) and the real tick run
with the clock moved by time-machine."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from people import make_user, reminders_only
from test_reminders_due import run_ticks
from tracker import reminders, schedule, services
from tracker.models import Delivery, Group, GroupMembership, GroupSession, Participant, Reminder

UTC = dt.UTC
NY = zoneinfo.ZoneInfo("America/New_York")


def group_of(program, weekdays, start_time, members, zone="America/New_York", length_min=180):
    program.time_zone = zone
    program.save()
    group = Group.objects.create(program=program, name="Evening group", weekdays=weekdays, start_time=start_time,
                                 length_min=length_min, active_from=dt.date(2026, 1, 1))
    for member in members:
        GroupMembership.objects.create(group=group, participant=member, joined_on=dt.date(2026, 1, 1))
    return group


def sessions_only(participant, setting, **extra):
    """Only session reminders on, with `setting` (off, 30, 60, 120, evening)."""
    reminders_only(participant, session_reminder=setting, **extra)


def plan(program, at, weeks=1):
    with time_machine.travel(at, tick=False):
        schedule.plan_sessions(program, at, weeks=weeks)


def dues(participant, kind=Reminder.Kind.SESSION, status=None):
    rows = Delivery.objects.filter(reminder__participant=participant, reminder__kind=kind).order_by("due_at")
    if status:
        rows = rows.filter(status=status)
    return [d.due_at for d in rows]


def local(instants, zone):
    return [i.astimezone(zone).replace(tzinfo=None) for i in instants]


@pytest.mark.parametrize("setting, expected, words", [
    ("30", dt.datetime(2026, 11, 23, 17, 30), "Coming up at 18:00"),
    ("60", dt.datetime(2026, 11, 23, 17, 0), "Coming up at 18:00"),
    ("120", dt.datetime(2026, 11, 23, 16, 0), "Coming up at 18:00"),
    ("evening", dt.datetime(2026, 11, 22, 19, 0), "Coming up tomorrow at 18:00"),
])
def test_a_session_is_reminded_once_at_the_chosen_time(program, alice, setting, expected, words):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)  # a Friday
    with time_machine.travel(start, tick=False):
        sessions_only(alice, setting)
    group_of(program, [0], dt.time(18), [alice])  # Mondays 18:00 in New York
    plan(program, start)
    run_ticks(start, dt.datetime(2026, 11, 24, 12, tzinfo=UTC), every=dt.timedelta(minutes=30))
    assert local(dues(alice), NY) == [expected]
    (delivery,) = Delivery.objects.all()
    assert delivery.status == "pending"
    payload = reminders.payload_for(delivery)
    assert (payload["body"], payload["url"]) == (words, "/")
    # Planning and syncing again, and more ticks, never fire it a second time.
    later = dt.datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    plan(program, later)
    with time_machine.travel(later, tick=False):
        reminders.session_reminders_sync(participant=alice)
    run_ticks(later, later + dt.timedelta(hours=2), every=dt.timedelta(minutes=30))
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("program_zone, person_zone, session_day, start_time, setting, expected_local, expected_utc", [
    # New York, the Monday after the spring change: 18:00 EDT, reminded at 17:00 EDT.
    ("America/New_York", "America/New_York", dt.date(2026, 3, 9), dt.time(18), "60",
     dt.datetime(2026, 3, 9, 17), dt.datetime(2026, 3, 9, 21, tzinfo=UTC)),
    # ... the evening before falls on the change day itself: 19:00 EDT.
    ("America/New_York", "America/New_York", dt.date(2026, 3, 9), dt.time(18), "evening",
     dt.datetime(2026, 3, 8, 19), dt.datetime(2026, 3, 8, 23, tzinfo=UTC)),
    # ... the Monday after the autumn change: 18:00 EST, reminded at 17:00 EST.
    ("America/New_York", "America/New_York", dt.date(2026, 11, 2), dt.time(18), "60",
     dt.datetime(2026, 11, 2, 17), dt.datetime(2026, 11, 2, 22, tzinfo=UTC)),
    # ... a session at 02:30 on the autumn change day: 60 minutes before is the second 01:30, once.
    ("America/New_York", "America/New_York", dt.date(2026, 11, 1), dt.time(2, 30), "60",
     dt.datetime(2026, 11, 1, 1, 30), dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    # A program in Berlin (changed on 29 March), a person in New York (changed on 8 March).
    ("Europe/Berlin", "America/New_York", dt.date(2026, 3, 30), dt.time(18), "60",
     dt.datetime(2026, 3, 30, 11), dt.datetime(2026, 3, 30, 15, tzinfo=UTC)),
    # Berlin fell back on 25 October, New York not until 1 November.
    ("Europe/Berlin", "America/New_York", dt.date(2026, 10, 26), dt.time(18), "evening",
     dt.datetime(2026, 10, 25, 19), dt.datetime(2026, 10, 25, 23, tzinfo=UTC)),
    # New York program, a person in Los Angeles: 18:00 New York is 15:00 there.
    ("America/New_York", "America/Los_Angeles", dt.date(2026, 3, 9), dt.time(18), "120",
     dt.datetime(2026, 3, 9, 13), dt.datetime(2026, 3, 9, 20, tzinfo=UTC)),
])
def test_session_reminders_across_daylight_saving_changes(program, alice, program_zone, person_zone, session_day,
                                                          start_time, setting, expected_local, expected_utc):
    alice.time_zone = person_zone
    alice.save()
    start = dt.datetime.combine(session_day - dt.timedelta(days=2), dt.time(12), tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, setting)
    group_of(program, [session_day.weekday()], start_time, [alice], zone=program_zone, length_min=60)
    plan(program, start)
    run_ticks(start, start + dt.timedelta(days=2, hours=12), every=dt.timedelta(minutes=30))
    # Only the session on session_day was reminded (the plan may hold the next week's too).
    assert dues(alice) == [expected_utc]
    assert local(dues(alice), zoneinfo.ZoneInfo(person_zone)) == [expected_local]


@pytest.mark.parametrize("quiet_end, expected_local, status", [
    (dt.time(7, 30), dt.time(7, 30), "pending"),  # quiet ends 30 minutes before: sent then
    (dt.time(7, 45), dt.time(7, 45), "pending"),  # exactly 15 minutes before: still sent
    (dt.time(7, 50), dt.time(7, 0), "skipped"),   # 10 minutes before: skipped, as quiet hours are
])
def test_a_session_reminder_in_quiet_hours_goes_out_when_they_end_or_is_skipped(program, alice, quiet_end,
                                                                                expected_local, status):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "60", quiet_start=dt.time(22), quiet_end=quiet_end)
    group_of(program, [1], dt.time(8), [alice])  # Tuesdays 08:00: reminded at 07:00, in quiet hours
    plan(program, start)
    run_ticks(start, dt.datetime(2026, 11, 24, 18, tzinfo=UTC), every=dt.timedelta(minutes=30))
    (delivery,) = Delivery.objects.all()
    assert delivery.due_at.astimezone(NY).replace(tzinfo=None) == dt.datetime.combine(dt.date(2026, 11, 24),
                                                                                   expected_local)
    assert delivery.status == status


def test_a_cancelled_session_is_not_reminded_and_each_member_gets_one_notice(program, alice, bob):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "60")
        sessions_only(bob, "off")  # the notice goes to every member, whatever their session setting
    group = group_of(program, [0], dt.time(18), [alice, bob])
    plan(program, start)
    session = group.sessions.get(planned_for=dt.date(2026, 11, 23))
    assert Reminder.objects.get(group_session=session, participant=alice).enabled
    cancelled_at = dt.datetime(2026, 11, 22, 15, tzinfo=UTC)  # Sunday 10:00 in New York
    with time_machine.travel(cancelled_at, tick=False):
        session.status = GroupSession.Status.CANCELLED
        session.save()
        reminders.session_cancelled(session)
    run_ticks(cancelled_at, dt.datetime(2026, 11, 24, 12, tzinfo=UTC), every=dt.timedelta(minutes=30))
    assert dues(alice) == []
    assert not Reminder.objects.get(group_session=session, participant=alice, kind="session").enabled
    for person in (alice, bob):
        assert dues(person, kind=Reminder.Kind.SCHEDULE_CHANGE) == [cancelled_at]
    notice = Delivery.objects.filter(reminder__kind=Reminder.Kind.SCHEDULE_CHANGE).first()
    assert (notice.status, reminders.payload_for(notice)["body"]) == ("pending", "A change to your schedule")


def test_a_moved_session_is_reminded_at_its_new_time_once_with_one_notice(program, alice):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "60")
    group = group_of(program, [0], dt.time(18), [alice])
    plan(program, start)
    session = group.sessions.get(planned_for=dt.date(2026, 11, 23))
    moved_at = dt.datetime(2026, 11, 22, 15, tzinfo=UTC)
    with time_machine.travel(moved_at, tick=False):
        session.starts_at = dt.datetime(2026, 11, 24, 19, tzinfo=NY).astimezone(UTC)  # Tuesday 19:00
        session.ends_at = session.starts_at + dt.timedelta(hours=3)
        session.save()
        reminders.session_moved(session)
    run_ticks(moved_at, dt.datetime(2026, 11, 25, 12, tzinfo=UTC), every=dt.timedelta(minutes=30))
    assert local(dues(alice), NY) == [dt.datetime(2026, 11, 24, 18)]
    assert dues(alice, kind=Reminder.Kind.SCHEDULE_CHANGE) == [moved_at]


def test_a_session_reminder_in_quiet_hours_before_a_notice_waits_for_their_end(program, alice):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "60", quiet_start=dt.time(22), quiet_end=dt.time(7))
    group = group_of(program, [0], dt.time(18), [alice])
    plan(program, start)
    session = group.sessions.get(planned_for=dt.date(2026, 11, 23))
    late = dt.datetime(2026, 11, 23, 4, tzinfo=UTC)  # Sunday 23:00 in New York: quiet
    with time_machine.travel(late, tick=False):
        session.status = GroupSession.Status.CANCELLED
        session.save()
        reminders.session_cancelled(session)
    run_ticks(late, dt.datetime(2026, 11, 24, 12, tzinfo=UTC), every=dt.timedelta(minutes=30))
    assert local(dues(alice, kind=Reminder.Kind.SCHEDULE_CHANGE), NY) == [dt.datetime(2026, 11, 23, 7)]
    assert dues(alice) == []


def test_setting_off_withdraws_and_on_again_plans(program, alice):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "off")
    group_of(program, [0, 2], dt.time(18), [alice])
    plan(program, start)
    assert not Reminder.objects.filter(kind="session", enabled=True).exists()
    with time_machine.travel(start, tick=False):
        services.reminder_settings_update(participant=alice, data={"session_reminder": "30"})
    assert Reminder.objects.filter(kind="session", enabled=True).count() == 2
    with time_machine.travel(start, tick=False):
        services.reminder_settings_update(participant=alice, data={"session_reminder": "off"})
    run_ticks(start, dt.datetime(2026, 11, 26, 12, tzinfo=UTC), every=dt.timedelta(minutes=30))
    assert Delivery.objects.count() == 0


def test_a_member_who_left_is_not_reminded_after(program, alice, bob):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "60")
        sessions_only(bob, "60")
    group_of(program, [0, 2], dt.time(18), [alice, bob])  # Monday 23rd and Wednesday 25th
    plan(program, start)
    with time_machine.travel(start, tick=False):
        GroupMembership.objects.filter(participant=alice).update(left_on=dt.date(2026, 11, 23))
        reminders.session_reminders_sync(participant=alice)
    run_ticks(start, dt.datetime(2026, 11, 26, 12, tzinfo=UTC), every=dt.timedelta(minutes=30))
    assert local(dues(alice), NY) == [dt.datetime(2026, 11, 23, 17)]
    assert [d.day for d in local(dues(bob), zoneinfo.ZoneInfo(bob.time_zone))] == [23, 25]


def test_a_move_to_another_zone_keeps_the_instant_and_shows_the_new_local_time(program, alice, api):
    start = dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sessions_only(alice, "60")
    group_of(program, [0], dt.time(18), [alice])
    plan(program, start)
    with time_machine.travel(start, tick=False):
        assert api.patch("/api/v1/me/", {"time_zone": "America/Los_Angeles"}, format="json").status_code == 200
    reminder = Reminder.objects.get(kind="session")
    assert (reminder.on_date, reminder.local_time) == (dt.date(2026, 11, 23), dt.time(14))  # 17:00 in New York
    assert reminder.next_due_at == dt.datetime(2026, 11, 23, 22, tzinfo=UTC)


def test_planning_syncs_in_a_few_queries_whatever_the_number_of_members(program, django_assert_max_num_queries):
    people = [Participant.objects.create(user=make_user(f"p{n}"), program=program) for n in range(15)]
    group = group_of(program, [0, 2, 3], dt.time(18), people[:5])
    other = Group.objects.create(program=program, name="Morning", weekdays=[1, 3, 4], start_time=dt.time(9),
                                 length_min=180, active_from=dt.date(2026, 1, 1))
    for person in people[5:]:
        GroupMembership.objects.create(group=other, participant=person, joined_on=dt.date(2026, 1, 1))
    with django_assert_max_num_queries(12):
        schedule.plan_sessions(program, dt.datetime(2026, 11, 20, 12, tzinfo=UTC), weeks=8)
    assert Reminder.objects.filter(kind="session", group_session__group=group).count() == 5 * group.sessions.count()
    assert Reminder.objects.filter(kind="session").count() == 5 * group.sessions.count() + 10 * other.sessions.count()


def test_the_reminders_page_and_the_api_set_session_reminders(alice_client, api, alice):
    page = alice_client.get("/reminders/").content.decode()
    assert "Group sessions" in page and "At 19:00 the day before" in page
    response = api.patch("/api/v1/reminders/settings/", {"session_reminder": "evening"}, format="json")
    assert response.status_code == 200 and response.json()["session_reminder"] == "evening"
    response = api.patch("/api/v1/reminders/settings/", {"session_reminder": "45"}, format="json")
    assert response.status_code == 400 and "session_reminder" in response.json()
    alice.refresh_from_db()
    assert alice.session_reminder == "evening"
    alice_client.post("/reminders/", {"session_reminder": "120", "remind_by_push": "on"})
    alice.refresh_from_db()
    assert alice.session_reminder == "120"


@pytest.mark.browser
def test_the_group_session_choice_fits_a_phone_and_saves(phone, live_server, alice):
    from browsing import check_page, sign_in

    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/reminders/", wait_until="load")
    check_page(phone, "reminders-group-sessions")
    legend = phone.locator("legend", has_text="Group sessions")
    legend.scroll_into_view_if_needed()
    phone.locator("fieldset", has=legend).screenshot(path="test-artifacts/screenshots/reminders-group-sessions-field.png")
    phone.get_by_label("At 19:00 the day before").check()
    phone.click("text=Save reminder settings")
    phone.wait_for_load_state("load")
    alice.refresh_from_db()
    assert alice.session_reminder == "evening"
