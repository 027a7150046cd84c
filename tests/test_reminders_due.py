"""When reminders are due: local times in the person's zone, across daylight-saving changes.

The clock is moved with time-machine and the real tick runs, as beat would run it.
"""

import datetime as dt
import uuid

import pytest
import time_machine

from people import reminders_only
from tracker import reminders, services
from tracker.tasks import enqueue_sends
from tracker.models import Delivery, Reminder

UTC = dt.UTC


def run_ticks(start, end, every=dt.timedelta(minutes=10)):
    """Run the tick at `start`, then every `every`, until `end`, with the clock moved each time."""
    with time_machine.travel(start, tick=False) as traveller:
        moment = start
        while moment <= end:
            traveller.move_to(moment)
            reminders.reminders_tick(enqueue=enqueue_sends)
            moment += every


def local_due_times(participant, kind=None):
    rows = Delivery.objects.filter(reminder__participant=participant).order_by("due_at")
    if kind:
        rows = rows.filter(reminder__kind=kind)
    return [d.due_at.astimezone(participant.zone) for d in rows]


def only_checkin(participant, at, **extra):
    """Settings for just one daily check-in reminder at `at`."""
    reminders_only(participant, checkin_reminder_at=at, **extra)


@pytest.mark.parametrize("first_day", [dt.date(2026, 3, 5), dt.date(2026, 10, 29)], ids=["spring", "autumn"])
def test_a_21_00_daily_reminder_fires_once_a_day_at_21_00_across_a_dst_change(alice, first_day):
    with time_machine.travel(dt.datetime.combine(first_day, dt.time(12), tzinfo=UTC), tick=False):
        only_checkin(alice, dt.time(21))
    start = dt.datetime.combine(first_day, dt.time(12), tzinfo=UTC)
    run_ticks(start, start + dt.timedelta(days=5))
    times = local_due_times(alice)
    assert [t.date() for t in times] == [first_day + dt.timedelta(days=n) for n in range(5)]
    assert {t.time() for t in times} == {dt.time(21)}
    assert {d.status for d in Delivery.objects.all()} == {"pending"}


def test_02_30_on_the_spring_forward_day_fires_at_03_30(alice):
    with time_machine.travel(dt.datetime(2026, 3, 7, 12, tzinfo=UTC), tick=False):
        only_checkin(alice, dt.time(2, 30))
    run_ticks(dt.datetime(2026, 3, 7, 12, tzinfo=UTC), dt.datetime(2026, 3, 9, 12, tzinfo=UTC))
    times = [t.replace(tzinfo=None) for t in local_due_times(alice)]
    assert times == [dt.datetime(2026, 3, 8, 3, 30), dt.datetime(2026, 3, 9, 2, 30)]


def test_01_30_on_the_fall_back_day_fires_once(alice):
    with time_machine.travel(dt.datetime(2026, 10, 31, 12, tzinfo=UTC), tick=False):
        only_checkin(alice, dt.time(1, 30))
    run_ticks(dt.datetime(2026, 10, 31, 12, tzinfo=UTC), dt.datetime(2026, 11, 2, 12, tzinfo=UTC),
              every=dt.timedelta(minutes=5))
    due = list(Delivery.objects.order_by("due_at").values_list("due_at", flat=True))
    # Once on 1 November, at the first 01:30 (05:30 UTC, still daylight time), then on the 2nd.
    assert due == [dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC), dt.datetime(2026, 11, 2, 6, 30, tzinfo=UTC)]


def test_lord_howe_moves_its_clocks_by_half_an_hour(alice):
    alice.time_zone = "Australia/Lord_Howe"
    alice.save()
    # Clocks go from 02:00 to 02:30 on Sunday 4 October 2026: 02:15 does not exist that day.
    with time_machine.travel(dt.datetime(2026, 10, 2, 12, tzinfo=UTC), tick=False):
        only_checkin(alice, dt.time(2, 15))
    run_ticks(dt.datetime(2026, 10, 2, 12, tzinfo=UTC), dt.datetime(2026, 10, 5, 12, tzinfo=UTC))
    times = [t.replace(tzinfo=None) for t in local_due_times(alice)]
    assert times == [dt.datetime(2026, 10, 3, 2, 15), dt.datetime(2026, 10, 4, 2, 45), dt.datetime(2026, 10, 5, 2, 15)]
    utc = [d.due_at for d in Delivery.objects.order_by("due_at")]
    assert utc[1] - utc[0] == dt.timedelta(hours=24) and utc[2] - utc[1] == dt.timedelta(hours=23, minutes=30)


def test_a_move_from_new_york_to_los_angeles_replans_at_the_same_local_time(alice, api):
    start = dt.datetime(2026, 11, 16, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        only_checkin(alice, dt.time(21))
    run_ticks(start, start + dt.timedelta(hours=14, minutes=30))  # fires at 21:00 New York on the 16th
    with time_machine.travel(start + dt.timedelta(hours=15), tick=False):  # 19:00 in Los Angeles
        api.patch("/api/v1/me/", {"time_zone": "America/Los_Angeles"}, format="json")
    run_ticks(start + dt.timedelta(hours=15), start + dt.timedelta(days=2))
    due = list(Delivery.objects.order_by("due_at").values_list("due_at", flat=True))
    assert due == [dt.datetime(2026, 11, 17, 2, tzinfo=UTC),  # 21:00 in New York
                   dt.datetime(2026, 11, 17, 5, tzinfo=UTC),  # 21:00 in Los Angeles the same evening
                   dt.datetime(2026, 11, 18, 5, tzinfo=UTC)]


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_the_friday_reminder_fires_on_the_persons_own_friday(alice, zone):
    alice.time_zone = zone
    alice.save()
    start = dt.datetime(2026, 11, 17, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        reminders_only(alice, weekend_plan_reminder_at=dt.time(16))
    run_ticks(start, start + dt.timedelta(days=7))
    (due,) = local_due_times(alice)
    assert (due.strftime("%A"), due.time()) == ("Friday", dt.time(16))


def test_a_high_risk_time_is_reminded_at_its_start_or_minutes_before(alice, now):
    only_checkin(alice, None, high_risk_lead_min=0)
    window = services.high_risk_time_put(participant=alice, id=uuid.uuid4(), data={
        "label": "After midnight", "weekdays": [5], "start_time": dt.time(0, 15), "end_time": dt.time(2)}).entry
    reminder = Reminder.objects.get(high_risk_time=window)
    assert (reminder.local_time, reminder.weekdays) == (dt.time(0, 15), [5])
    # 30 minutes before 00:15 on Saturday is 23:45 on Friday.
    services.reminder_settings_update(participant=alice, data={"high_risk_lead_min": 30})
    reminder.refresh_from_db()
    assert (reminder.local_time, reminder.weekdays) == (dt.time(23, 45), [4])
    assert reminder.next_due_at.astimezone(alice.zone).replace(tzinfo=None) == dt.datetime(2026, 11, 20, 23, 45)
    services.entry_delete(entry=window)
    assert not Reminder.objects.filter(kind="high_risk").exists()


def test_a_tasks_due_date_makes_a_reminder_and_done_removes_it(alice, now):
    only_checkin(alice, None, task_reminder_at=dt.time(9))
    task = services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user,
                             data={"title": "Call Ana", "due_date": dt.date(2026, 11, 19)}).entry
    reminder = Reminder.objects.get(task=task)
    assert reminder.next_due_at == dt.datetime(2026, 11, 19, 14, tzinfo=UTC)
    services.task_put(participant=alice, id=task.pk, actor=alice.user,
                      data={"title": "Call Ana", "due_date": dt.date(2026, 11, 20)})
    reminder.refresh_from_db()
    assert reminder.next_due_at == dt.datetime(2026, 11, 20, 14, tzinfo=UTC)
    services.task_set_done(task=task, done=True)
    assert not Reminder.objects.filter(task=task).exists()


def test_saving_settings_unchanged_does_not_replan_a_due_reminder(alice, now):
    only_checkin(alice, dt.time(21))
    reminder = Reminder.objects.get()
    planned = reminder.next_due_at
    now.shift(dt.timedelta(hours=12))  # past 21:00: the reminder is due and not yet claimed
    only_checkin(alice, dt.time(21))
    reminder.refresh_from_db()
    assert reminder.next_due_at == planned

