"""My progress against figures worked out by hand.

The clock is Wednesday 18 November 2026, noon in New York: the 7-day view is 12 to 18 November.
"""

import datetime as dt
import uuid
import zoneinfo

import pytest

from tracker import progress, services
from tracker.models import Urge

NY = zoneinfo.ZoneInfo("America/New_York")


def t(text):
    return dt.time.fromisoformat(text)


def local(day, time):
    return dt.datetime.combine(dt.date(2026, 11, day), t(time), tzinfo=NY)


@pytest.fixture
def week(alice, now):
    def checkin(day, **data):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, day), **data})

    checkin(12, in_bed_at=t("23:00"), final_wake_at=t("07:00"), sleep_quality=3, stress=6)  # 480 min, SE 1
    checkin(14, in_bed_at=t("22:00"), tried_sleep_at=t("22:30"), sleep_latency_min=30, awake_min=30,
            final_wake_at=t("06:00"), out_of_bed_at=t("06:30"), sleep_quality=2, stress=8)  # TIB 510, TST 390
    checkin(17, in_bed_at=t("23:30"), final_wake_at=t("06:30"), sleep_quality=4, stress=2, small_win="Called Ana")
    checkin(10, in_bed_at=t("23:00"), final_wake_at=t("09:00"), stress=10)  # before the period

    def urge(when, intensity, minutes, helped, outcome):
        services.urge_put(participant=alice, id=uuid.uuid4(), data={
            "occurred_at": when, "intensity": intensity, "duration_min": minutes, "helped": helped, "outcome": outcome})

    urge(local(12, "20:00"), 8, 40, ["called"], "passed")
    urge(local(13, "20:00"), 6, 30, ["called", "walked"], "used")
    urge(local(16, "21:00"), 4, 10, ["walked"], "passed")
    urge(local(18, "08:00"), 2, 6, [], "")
    urge(local(11, "23:30"), 10, 90, ["called"], "used")  # 04:30 UTC on the 12th, but the 11th in New York
    services.reflection_put(participant=alice, id=uuid.uuid4(), data={"week_start": dt.date(2026, 11, 16),
                                                                       "wins": ["Cooked dinner"]})
    return alice


def test_the_seven_day_figures_match_the_hand_worked_ones(week):
    figures = progress.progress(participant=week, days=7)
    assert (figures.first, figures.last) == (dt.date(2026, 11, 12), dt.date(2026, 11, 18))
    assert figures.checkin_days == 3
    assert figures.avg_total_sleep_min == pytest.approx((480 + 390 + 420) / 3)
    assert figures.avg_sleep_efficiency == pytest.approx((1 + 390 / 510 + 1) / 3, abs=1e-4)
    assert figures.avg_sleep_quality == 3
    assert figures.avg_stress == pytest.approx(16 / 3)
    assert figures.urge_count == 4
    assert figures.avg_intensity == 5
    assert figures.avg_duration_min == 21.5
    # First half (12-14 Nov): 40 and 30 minutes; second half (15-18 Nov): 10 and 6.
    assert figures.halves() == (35, 8)
    assert figures.wins == [(dt.date(2026, 11, 17), "Called Ana"), (dt.date(2026, 11, 16), "Cooked dinner")]


def test_the_calendar_marks_check_in_days_week_by_week(week):
    weeks = progress.progress(participant=week, days=7).calendar()
    assert len(weeks) == 2
    assert weeks[0][:3] == [None, None, None]  # Monday to Wednesday 9-11 November are outside the period
    marks = [(day.date.day, day.checkin is not None) for row in weeks for day in row if day]
    assert marks == [(12, True), (13, False), (14, True), (15, False), (16, False), (17, True), (18, False)]


def test_the_progress_page_shows_the_figures_and_a_table_behind_each_chart(alice_client, week):
    html = alice_client.get("/progress/?days=7").text
    assert "3 of 7" in html and "7 h 10 min" in html and "5.0 of 10" in html
    assert "Urges are fading faster: 35 minutes" in html
    assert html.count('class="chart-svg"') == 6 and html.count("<table") == 7  # six charts and the calendar
    assert "<title id=\"sleep-title\">Sleep each night</title>" in html
    assert "<th scope=\"row\">Sat 14 Nov</th><td>6.5 h</td>" in html  # 390 minutes on the 14th


def test_the_api_gives_the_same_figures(api, week):
    body = api.get("/api/v1/progress/", {"days": 7}).json()
    assert (body["checkin_days"], body["urge_count"], body["avg_duration_min"]) == (3, 4, 21.5)
    assert [d["urges"] for d in body["days"]] == [1, 1, 0, 0, 1, 0, 1]
    assert api.get("/api/v1/progress/", {"days": 12}).status_code == 400


def urge(helped, outcome):
    return Urge(helped=helped, outcome=outcome, intensity=5)


def test_what_helps_most_ranks_by_how_often_the_urge_passed_and_shares_ties():
    urges = (
        [urge(["called"], "passed")] * 2 + [urge(["called", "breathing"], "reached_out")]
        + [urge(["breathing"], "passed")] * 2
        + [urge(["walked"], "passed")] * 2 + [urge(["walked"], "used")]
        + [urge(["music"], "passed")] * 2
        + [urge(["walked"], "")] * 5  # no outcome yet: not counted
    )
    ranked, unranked = progress.rank_helpers(urges)
    assert [(h.label, h.rank, h.passed, h.uses) for h in ranked] == [
        ("Called someone", 1, 3, 3), ("Slow breathing", 1, 3, 3), ("Went for a walk", 3, 2, 3)]
    assert [(h.label, h.uses) for h in unranked] == [("Music", 2)]


def test_with_too_little_data_nothing_is_ranked_and_the_page_says_so(alice_client, alice, now):
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": local(17, "20:00"), "intensity": 5, "helped": ["called"], "outcome": "passed"})
    ranked, unranked = progress.rank_helpers(Urge.objects.all())
    assert ranked == [] and [h.uses for h in unranked] == [1]
    assert "Not enough yet to say what helps most" in alice_client.get("/progress/?days=7").text
