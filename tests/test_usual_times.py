"""A person's usual bed and wake times: the median of their last 7 logged nights (at least 3),
bed times counted from noon so a night across midnight is one night."""

import datetime as dt
import uuid

import pytest

from tracker import progress, services

T = dt.time


def log_nights(participant, *nights, end=dt.date(2026, 11, 29)):
    """One check-in per (bed, wake) pair on consecutive days up to `end`, the last pair on `end`."""
    for days_back, (bed, wake) in enumerate(reversed(nights)):
        services.checkin_put(participant=participant, id=uuid.uuid4(), data={
            "date": end - dt.timedelta(days=days_back), "in_bed_at": bed, "final_wake_at": wake})


def test_fewer_than_three_nights_give_no_usual_times(alice):
    log_nights(alice, (T(23, 0), T(7, 0)), (T(23, 30), T(7, 30)))
    assert progress.usual_times(participant=alice) is None


def test_three_nights_give_the_middle_one(alice):
    log_nights(alice, (T(22, 0), T(6, 0)), (T(23, 0), T(7, 0)), (T(23, 15), T(6, 45)))
    usual = progress.usual_times(participant=alice)
    # sorted beds 22:00, 23:00, 23:15 -> 23:00; wakes 06:00, 06:45, 07:00 -> 06:45
    assert (usual.in_bed_at, usual.final_wake_at, usual.nights) == (T(23, 0), T(6, 45), 3)


def test_bed_times_across_midnight_are_one_night(alice):
    # 23:30 and 00:30 are an hour apart, not 23 hours: counted from noon they are 11:30 and
    # 12:30 after noon, so the median of the even count is their middle, midnight.
    log_nights(alice, (T(23, 30), T(7, 0)), (T(0, 30), T(7, 0)), (T(23, 0), T(7, 0)), (T(1, 0), T(7, 0)))
    # sorted from noon: 23:00, 23:30, 00:30, 01:00 -> middle two 23:30 and 00:30 -> 00:00
    assert progress.usual_times(participant=alice).in_bed_at == T(0, 0)


def test_an_even_count_takes_the_middle_of_the_two_middle_nights(alice):
    log_nights(alice, (T(22, 0), T(6, 0)), (T(22, 30), T(6, 30)), (T(23, 0), T(7, 0)), (T(23, 45), T(8, 0)))
    usual = progress.usual_times(participant=alice)
    # beds: middle two 22:30 and 23:00 -> 22:45; wakes: 06:30 and 07:00 -> 06:45
    assert (usual.in_bed_at, usual.final_wake_at) == (T(22, 45), T(6, 45))


def test_only_the_last_seven_nights_with_both_times_count(alice):
    # Three early nights at 20:00, then seven at 23:00; and a newer day with no sleep times.
    log_nights(alice, *[(T(20, 0), T(5, 0))] * 3, *[(T(23, 0), T(7, 0))] * 7, end=dt.date(2026, 11, 28))
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 29),
                                                                     "stress": 3})
    usual = progress.usual_times(participant=alice)
    assert (usual.in_bed_at, usual.final_wake_at, usual.nights) == (T(23, 0), T(7, 0), 7)


def test_the_day_being_written_and_later_are_left_out(alice):
    log_nights(alice, (T(23, 0), T(7, 0)), (T(23, 0), T(7, 0)), (T(23, 0), T(7, 0)))
    assert progress.usual_times(participant=alice, before=dt.date(2026, 11, 29)) is None
    assert progress.usual_times(participant=alice, before=dt.date(2026, 11, 30)).nights == 3


@pytest.mark.parametrize("times, expected", [
    ([T(23, 59), T(0, 1)], T(0, 0)),      # an even pair across midnight
    ([T(12, 0)], T(12, 0)),
])
def test_median_time_counts_from_noon(times, expected):
    assert progress._median_time(times) == expected
