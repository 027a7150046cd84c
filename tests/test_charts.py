"""The charts as drawn on the server: y-axis ticks, each bar named by its day and value, the
healthy bands, the caseload's flag thresholds (from the TRIAGE_* settings), event markers, the
join date as the start, a bar a week for a year; and on My progress, ranks only where they
differ and wins folded after ten.

The clock is Wednesday 18 November 2026, noon in New York."""

import datetime as dt
import re
import uuid

import pytest

from people import NOW
from tracker import services
from tracker.models import FlagAcknowledgement, Participant
from tracker.web import charts
from tracker.web.charts import HeatMap, nice_ticks, sparkline

NY = dt.timezone(dt.timedelta(hours=-5))


def checkin(alice, day, **data):
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, day), **data})


def urge(alice, day, hour, intensity=5, **data):
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, day, hour, tzinfo=NY), "intensity": intensity, "duration_min": 10, **data})


def chart(html, id):
    """One chart's figure, from its opening tag to the end of its table."""
    start = html.index(f'aria-labelledby="{id}-caption"')
    return html[start:html.index("</figure>", start)]


@pytest.fixture
def nights(alice, now):
    checkin(alice, 14, in_bed_at=dt.time(22), tried_sleep_at=dt.time(22, 30), sleep_latency_min=30, awake_min=30,
            final_wake_at=dt.time(6), out_of_bed_at=dt.time(6, 30), stress=8)  # 390 min asleep, 76.5%
    checkin(alice, 17, in_bed_at=dt.time(23), final_wake_at=dt.time(7), stress=2)  # 8 h, 100%
    return alice


def test_nice_ticks_are_two_to_four_round_steps():
    assert nice_ticks(9) == [0, 5, 10]
    assert nice_ticks(100) == [0, 50, 100]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 1] and nice_ticks(7) == [0, 5, 10]
    assert nice_ticks(40) == [0, 20, 40]


def test_the_heat_map_names_each_hour_once_escaped_and_shades_only_hours_with_urges(monkeypatch):
    # Drawn with plain string joins (issue 20): the day names are the only words, escaped once each.
    monkeypatch.setattr(charts, "DAY_NAMES", {d: f"Day<{d}>" for d in range(7)})
    grid = [[0] * 24 for _ in range(7)]
    grid[0][9], grid[6][23] = 2, 4
    heat = HeatMap(grid)
    svg = str(heat.svg)
    assert svg.count("<rect ") == 168 and "<0>" not in svg
    # 2 of a top of 4: 0.12 + 0.88 * 2 / 4 = 0.56; x = 20 + 9 * 12.5, y = 0 * 18 + 2.
    assert ('<rect class="heat" x="132.5" y="2" width="11" height="16" fill-opacity="0.56">'
            "<title>Day&lt;0&gt; 09:00: 2</title></rect>") in svg
    assert ('<rect class="heat heat--empty" x="20.0" y="2" width="11" height="16">'
            "<title>Day&lt;0&gt; 00:00: 0</title></rect>") in svg
    assert svg.count("fill-opacity") == 2
    table = str(heat.table)
    assert table.count("<tr>") == 24 and '<tr><th scope="row">23</th>' + "<td>0</td>" * 6 + "<td>4</td></tr>" in table


def test_a_sparkline_draws_a_bar_for_each_day_with_a_value():
    # 14 units a slot: the 8 h night is 28 * 8 / 10 = 22.4 high, a zero is a 1-unit stub, a gap is nothing.
    spark = sparkline([None, 8, 0], top=10, unit=" h", what="Sleep", measure="sleep", width=42)
    assert str(spark.rects_svg) == ('<rect x="15.0" y="5.6" width="12.0" height="22.4"/>'
                                    '<rect x="29.0" y="27" width="12.0" height="1"/>')


def test_my_progress_has_axes_values_and_bands(alice_client, nights):
    sleep = chart(alice_client.get("/progress/?days=7").text, "sleep")
    ticks = re.findall(r'<text class="axis-label" x="36" [^>]*>([^<]+)</text>', sleep)
    assert ticks == ["0 h", "5 h", "10 h"]
    dates = re.findall(r'<text class="axis-label" x="[\d.]+" y="162" [^>]*>([^<]+)</text>', sleep)
    assert dates == ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    assert '<rect class="bar" tabindex="0" role="img" aria-label="Sat 14 Nov, sleep: 6.5 h"' in sleep
    assert '<th scope="row">Sat 14 Nov</th><td>6.5 h</td>' in sleep
    assert sleep.count('class="bar"') == 2  # the nights logged; no bar for a night without an entry
    assert 'class="band"' in sleep and "7 to 9 hours" in sleep
    assert 'class="threshold"' not in sleep  # flag thresholds are for the care team
    assert 'class="band"' in chart(alice_client.get("/progress/?days=7").text, "efficiency")


def test_a_threshold_follows_the_caseloads_setting(nights, carol_client, settings):
    urge(nights, 17, 21, intensity=6)
    def sleep_threshold():
        html = carol_client.get(f"/care/participants/{nights.pk}/").content.decode()
        found = re.search(r'<line class="threshold" x1="40" x2="314" y1="([\d.]+)"', chart(html, "c-sleep"))
        return float(found.group(1)), chart(html, "c-sleep")

    y, sleep = sleep_threshold()
    assert "flag threshold</text>" in sleep and "flag threshold at 6.0 h" in sleep
    settings.TRIAGE_SLEEP_MIN_HOURS = 4
    lower, sleep = sleep_threshold()
    assert lower > y and "flag threshold at 4.0 h" in sleep  # further down: nearer the baseline
    html = carol_client.get(f"/care/participants/{nights.pk}/").content.decode()
    assert "flag threshold at 8.0 of 10" in chart(html, "c-intensity")
    assert "flag threshold at 80%" in chart(html, "c-efficiency") and 'class="band"' in chart(html, "c-efficiency")
    assert 'class="threshold"' not in chart(html, "c-stress")


def test_charts_and_counts_start_at_the_join_date(nights, alice_client, carol_client):
    assert "2 of 7</dd>" in alice_client.get("/progress/?days=7").text  # joined before: the whole period
    Participant.objects.filter(pk=nights.pk).update(created_at=dt.datetime(2026, 11, 13, 15, tzinfo=dt.UTC))
    mine = alice_client.get("/progress/?days=30").text
    assert "2 of 6 days since you joined" in mine and "The charts start on 13 Nov, the day you joined." in mine
    assert chart(mine, "sleep").count('<th scope="row">') == 6 and "Fri 13 Nov</th>" in chart(mine, "sleep")
    theirs = carol_client.get(f"/care/participants/{nights.pk}/?days=30").content.decode()
    assert "2 of 6 since joining" in theirs and chart(theirs, "c-sleep").count('<th scope="row">') == 6


def test_a_year_is_a_bar_a_week_across_the_width(nights, carol_client):
    html = carol_client.get(f"/care/participants/{nights.pk}/?days=365").content.decode()
    urges = chart(html, "c-urges")
    bars = re.findall(r'<rect class="bar" [^>]*aria-label="Week of [^"]+" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', urges)
    assert len(bars) == 53
    assert float(bars[0][0]) < 41 and float(bars[-1][0]) + float(bars[-1][1]) > 312  # from the axis to the edge
    assert "One bar per week" in html and 'aria-label="Week of 9 Nov, sleep: 6.5 h"' in chart(html, "c-sleep")


def test_events_are_marked_and_listed(nights, carol, carol_client):
    urge(nights, 17, 21, intensity=8, outcome="used")
    FlagAcknowledgement.objects.create(participant=nights, flag="use", evidence="x", counselor=carol,
                                       created_at=NOW - dt.timedelta(hours=1))
    services.safety_plan_save(participant=nights, id=uuid.uuid4(), author=nights.user, data={"reasons": ["My kids"]})
    html = carol_client.get(f"/care/participants/{nights.pk}/?days=30").content.decode()
    sleep = chart(html, "c-sleep")
    assert sleep.count('class="event event--setback"') == 1 and "<title>Tue 17 Nov: Setback (used)</title>" in sleep
    assert 'class="event event--acknowledged"' in sleep and 'class="event event--plan"' in sleep
    assert "Wed 18 Nov: Flag acknowledged (Use reported)" in html and "Wed 18 Nov: Safety plan changed (version 1)" in html
    assert "Tue 17 Nov: Setback (used)" in html.split('id="events-heading"')[1].split('class="chart-grid"')[0]


def test_ranks_only_where_they_differ_and_wins_fold_after_ten(alice, alice_client, now):
    for n in range(3):
        urge(alice, 16, 8 + n, helped=["called"], outcome="passed")
        urge(alice, 16, 12 + n, helped=["walked"], outcome="passed")
    html = alice_client.get("/progress/?days=7").text
    assert 'class="helpers"' in html and 'class="rank"' not in html  # both 3 of 3: no numbers to tell apart
    urge(alice, 17, 8, helped=["breathing"], outcome="passed")
    urge(alice, 17, 9, helped=["breathing"], outcome="passed")
    urge(alice, 17, 10, helped=["breathing"], outcome="used")
    html = alice_client.get("/progress/?days=7").text
    assert re.findall(r'<span class="rank">([^<]+)</span>', html) == ["=1", "=1", "3"]
    assert html.count("(shared)") == 2
    for day in range(6, 18):
        checkin(alice, day, stress=3, small_win=f"Win number {day}")
    wins = alice_client.get("/progress/?days=30").text.split('id="wins-heading"')[1]
    shown, folded = wins.split("<details", 1)
    assert shown.count("<li>") == 10 and "Win number 17" in shown and "Win number 8" in shown
    assert "Show all 12 wins" in folded and folded.count("<li>") == 2 and "Win number 7" in folded
    assert "<details" not in alice_client.get("/progress/?days=7").text.split('id="wins-heading"')[1]
