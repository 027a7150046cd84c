"""The pattern finder: urges that cluster on a weekday at about the same time, in local time."""

import datetime as dt
import random
import uuid

import pytest

from people import hidden_id
from tracker import progress, services
from tracker.models import HighRiskTime

NOW = dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC)


def fridays(count, before=dt.date(2026, 11, 18)):
    last = before - dt.timedelta(days=(before.weekday() - 4) % 7)
    return [last - dt.timedelta(days=7 * n) for n in range(count)]


def log(participant, local_dt):
    services.urge_put(participant=participant, id=uuid.uuid4(), data={"occurred_at": local_dt, "intensity": 6})


def plant_friday_evenings(participant, zone, weeks=8):
    """Urges on 6 of the last 8 Fridays between 17:00 and 20:00 local, at different times."""
    times = ["17:10", "18:40", "19:20", "17:45", "18:05", "19:50"]
    for day, time in zip(fridays(weeks)[:6], times):
        log(participant, dt.datetime.combine(day, dt.time.fromisoformat(time), tzinfo=zone))


def scatter(participant, zone, count, seed, days=56):
    rng = random.Random(seed)
    first = dt.date(2026, 11, 18) - dt.timedelta(days=days - 1)
    for _ in range(count):
        day = first + dt.timedelta(days=rng.randrange(days))
        when = dt.datetime.combine(day, dt.time(rng.randrange(7, 24), rng.randrange(60)), tzinfo=zone)
        if when.astimezone(dt.UTC) < NOW:
            log(participant, when)


def test_it_finds_a_planted_friday_evening_cluster_among_noise(alice, now):
    zone = alice.zone
    scatter(alice, zone, 25, seed=7)
    plant_friday_evenings(alice, zone)
    suggestions = progress.find_patterns(participant=alice)
    first = suggestions[0]
    assert (first.weekday, first.start_hour, first.end_hour) == (4, 17, 20)
    assert first.weeks_with_urges >= 6
    assert f"of your last {first.weeks_seen} Fridays between 17:00 and 20:00" in first.explanation
    assert "America/New_York" in first.explanation


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_scattered_urges_alone_make_no_suggestion(alice, now, seed):
    scatter(alice, alice.zone, 30, seed=seed)
    assert alice.urges.count() >= 25
    assert progress.find_patterns(participant=alice) == []


def test_too_few_urges_make_no_suggestion(alice, now):
    for day in fridays(2):
        log(alice, dt.datetime.combine(day, dt.time(18), tzinfo=alice.zone))
    assert progress.find_patterns(participant=alice) == []


def test_the_window_is_in_the_persons_own_zone(alice, bob, now):
    # The same instants: Friday evening in New York is Friday afternoon in Los Angeles.
    plant_friday_evenings(alice, alice.zone)
    for urge in alice.urges.all():
        log(bob, urge.occurred_at)
    new_york, los_angeles = progress.find_patterns(participant=alice)[0], progress.find_patterns(participant=bob)[0]
    assert (new_york.start_hour, new_york.end_hour) == (17, 20)
    assert (los_angeles.start_hour, los_angeles.end_hour) == (14, 17)


def test_a_daylight_saving_change_inside_the_window_does_not_move_it(alice, now):
    # Fridays at 18:xx New York time on both sides of the change on 1 November: in UTC they
    # are 22:xx before it and 23:xx after, but locally they are one window.
    for day, minute in zip(fridays(6), [5, 20, 35, 50, 10, 40]):
        log(alice, dt.datetime.combine(day, dt.time(18, minute), tzinfo=alice.zone))
    utc_hours = {urge.occurred_at.astimezone(dt.UTC).hour for urge in alice.urges.all()}
    assert utc_hours == {22, 23}
    suggestion = progress.find_patterns(participant=alice)[0]
    assert (suggestion.weekday, suggestion.start_hour, suggestion.end_hour, suggestion.weeks_with_urges) == (4, 18, 19, 6)


def test_a_window_already_covered_by_a_high_risk_time_is_not_offered_again(alice_client, alice, now):
    plant_friday_evenings(alice, alice.zone)
    page = alice_client.get("/patterns/").text
    assert "Fridays, 17:00 to 20:00" in page
    entry_id = str(hidden_id(page))
    alice_client.post("/highrisk/", {"id": entry_id, "label": "Friday evening", "weekdays": "4",
                                     "start_time": "17:00", "end_time": "20:00"})
    window = HighRiskTime.objects.get()
    assert (window.weekdays, window.start_time, window.end_time) == ([4], dt.time(17), dt.time(20))
    assert progress.find_patterns(participant=alice) == []
    assert "Friday evening" in alice_client.get("/patterns/").text


def test_the_api_lists_the_suggestions(api, alice, now):
    plant_friday_evenings(alice, alice.zone)
    body = api.get("/api/v1/patterns/").json()
    assert body[0]["weekday"] == 4 and body[0]["start"] == "17:00:00" and body[0]["end"] == "20:00:00"


def test_a_high_risk_time_needs_a_day_and_different_start_and_end(api, alice):
    response = api.put(f"/api/v1/high-risk-times/{uuid.uuid4()}/", {"weekdays": [], "start_time": "17:00",
                                                                     "end_time": "17:00"}, format="json")
    assert response.status_code == 400
    assert "weekdays" in response.json()
    response = api.put(f"/api/v1/high-risk-times/{uuid.uuid4()}/", {"weekdays": [7], "start_time": "17:00",
                                                                     "end_time": "18:00"}, format="json")
    assert response.status_code == 400
    # Equal start and end, with a good day: the end is named, and nothing is saved.
    response = api.put(f"/api/v1/high-risk-times/{uuid.uuid4()}/", {"weekdays": [4], "start_time": "17:00",
                                                                     "end_time": "17:00"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"end_time": ["The end must differ from the start."]}
    assert not HighRiskTime.objects.exists()


def test_the_high_risk_time_page_refuses_equal_start_and_end_next_to_the_end(alice_client, alice):
    response = alice_client.post("/highrisk/", {"id": uuid.uuid4(), "label": "", "weekdays": "4",
                                                "start_time": "17:00", "end_time": "17:00"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"end_time": ["The end must differ from the start."]}
    assert not HighRiskTime.objects.exists()

