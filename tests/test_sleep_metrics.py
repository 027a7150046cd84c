"""Derived sleep figures (Consensus Sleep Diary) against worked examples.

TIB = out of bed - into bed; TST = final awakening - tried to sleep - latency - awake minutes;
SE = TST / TIB.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tracker import services
from tracker.models import CheckIn


def t(text):
    return dt.time.fromisoformat(text)


def put(participant, **data):
    import uuid

    return services.checkin_put(participant=participant, id=uuid.uuid4(), data=data).entry


def test_a_full_diary_night_across_midnight(alice, now):
    entry = put(
        alice, date=dt.date(2026, 11, 10), in_bed_at=t("22:45"), tried_sleep_at=t("23:00"), sleep_latency_min=20,
        awakenings=2, awake_min=25, final_wake_at=t("06:30"), out_of_bed_at=t("06:50"), sleep_quality=3,
    )
    # 22:45 -> 06:50 is 8 h 5 min in bed; 23:00 -> 06:30 is 450 min, less 20 and 25 awake.
    assert (entry.time_in_bed_min, entry.total_sleep_min) == (485, 405)
    assert entry.sleep_efficiency == pytest.approx(405 / 485, abs=1e-4)


def test_quick_mode_fills_the_diary_fields(alice, now):
    entry = put(alice, date=dt.date(2026, 11, 12), in_bed_at=t("23:30"), final_wake_at=t("07:00"), sleep_quality=4)
    entry.refresh_from_db()
    assert entry.tried_sleep_at == t("23:30")
    assert entry.out_of_bed_at == t("07:00")
    assert (entry.sleep_latency_min, entry.awakenings, entry.awake_min) == (0, 0, 0)
    assert (entry.time_in_bed_min, entry.total_sleep_min, entry.sleep_efficiency) == (450, 450, 1.0)
    assert entry.is_quick


def test_a_bed_time_after_midnight_is_the_same_morning(alice, now):
    entry = put(alice, date=dt.date(2026, 11, 13), in_bed_at=t("01:15"), final_wake_at=t("08:45"))
    assert entry.time_in_bed_min == 450


def test_the_night_the_clocks_go_back_is_an_hour_longer(alice, now):
    # New York left daylight time at 02:00 on Sunday 1 November 2026.
    entry = put(alice, date=dt.date(2026, 11, 1), in_bed_at=t("23:00"), final_wake_at=t("07:00"))
    assert entry.time_in_bed_min == 9 * 60


def test_the_night_the_clocks_go_forward_is_an_hour_shorter(alice, now):
    # New York entered daylight time at 02:00 on Sunday 8 March 2026.
    entry = put(alice, date=dt.date(2026, 3, 8), in_bed_at=t("23:00"), final_wake_at=t("07:00"))
    assert entry.time_in_bed_min == 7 * 60


def test_no_sleep_times_means_no_sleep_figures(alice, now):
    entry = put(alice, date=dt.date(2026, 11, 14), stress=4)
    assert (entry.time_in_bed_min, entry.total_sleep_min, entry.sleep_efficiency) == (None, None, None)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"in_bed_at": "02:00", "final_wake_at": "01:30"}, "final_wake_at"),
        ({"in_bed_at": "23:00", "tried_sleep_at": "22:30", "final_wake_at": "07:00"}, "tried_sleep_at"),
        ({"in_bed_at": "23:00", "final_wake_at": "07:00", "out_of_bed_at": "06:30"}, "out_of_bed_at"),
        ({"in_bed_at": "23:00", "final_wake_at": "07:00", "sleep_latency_min": 300, "awake_min": 200}, "awake_min"),
        ({"final_wake_at": "07:00"}, "in_bed_at"),
        ({"in_bed_at": "23:00"}, "final_wake_at"),
    ],
)
def test_impossible_nights_are_refused_on_the_right_field(alice, now, data, field):
    data = {k: t(v) if isinstance(v, str) else v for k, v in data.items()}
    with pytest.raises(ValidationError) as error:
        put(alice, date=dt.date(2026, 11, 15), **data)
    assert field in error.value.message_dict
    assert not CheckIn.objects.exists()
