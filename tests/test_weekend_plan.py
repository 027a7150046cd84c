"""Weekend plans: one per weekend, last weekend's as a template, and the Monday review.

The clock is Wednesday 18 November 2026; the weekend before was Friday 13 to Sunday 15.
"""

import datetime as dt
import uuid

import pytest

from tracker import selectors, services
from tracker.models import WeekendPlan

LAST_FRIDAY = dt.date(2026, 11, 13)


def plan(participant, friday=LAST_FRIDAY, **fields):
    return services.weekend_plan_put(participant=participant, id=uuid.uuid4(),
                                     data={"weekend_of": friday, **fields}).entry


def test_there_is_one_plan_per_weekend(api, alice, now):
    first = api.put(f"/api/v1/weekend-plans/{uuid.uuid4()}/", {"weekend_of": "2026-11-20", "saturday": "Football"},
                    format="json")
    second = api.put(f"/api/v1/weekend-plans/{uuid.uuid4()}/", {"weekend_of": "2026-11-20", "saturday": "Other"},
                     format="json")
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["existing_id"] == first.json()["id"]
    assert WeekendPlan.objects.get().saturday == "Football"


def test_a_weekend_starts_on_a_friday(api, alice, now):
    response = api.put(f"/api/v1/weekend-plans/{uuid.uuid4()}/", {"weekend_of": "2026-11-21"}, format="json")
    assert response.status_code == 400
    assert "use 2026-11-20" in response.json()["weekend_of"][0]


def test_how_it_went_waits_until_the_weekend_is_over(api, alice, now):
    response = api.put(f"/api/v1/weekend-plans/{uuid.uuid4()}/", {"weekend_of": "2026-11-20", "how_it_went": "better"},
                       format="json")
    assert response.status_code == 400
    assert "how_it_went" in response.json()


def test_a_new_plan_starts_from_last_weekends(alice_client, alice, now):
    plan(alice, saturday="Kids' football", safe_ride="Ana")
    page = alice_client.get("/weekend/").text
    assert "Filled in from your plan for the weekend of 13 November" in page
    assert "Kids&#x27; football" in page and 'value="Ana"' in page
    assert 'value="2026-11-20"' in page  # for the coming weekend
    blank = alice_client.get("/weekend/?weekend=2026-11-20&blank=1").text
    assert "Kids&#x27; football" not in blank


def test_the_weekend_page_opens_this_weekends_plan_when_there_is_one(alice_client, alice, now):
    mine = plan(alice, friday=dt.date(2026, 11, 20))
    assert alice_client.get("/weekend/")["Location"] == f"/weekend/{mine.pk}/"


# The same four instants, seen from New York (UTC-5) and Los Angeles (UTC-8).
INSTANTS = {
    "fri_2130Z": dt.datetime(2026, 11, 13, 21, 30, tzinfo=dt.UTC),  # 16:30 NY, 13:30 LA: before Friday 17:00
    "fri_2300Z": dt.datetime(2026, 11, 13, 23, 0, tzinfo=dt.UTC),  # 18:00 NY (in), 15:00 LA (out)
    "sat_1800Z": dt.datetime(2026, 11, 14, 18, 0, tzinfo=dt.UTC),  # Saturday in both
    "mon_0600Z": dt.datetime(2026, 11, 16, 6, 0, tzinfo=dt.UTC),  # Monday 01:00 NY (out), Sunday 22:00 LA (in)
}


@pytest.mark.parametrize("person, expected", [("alice", {"fri_2300Z", "sat_1800Z"}), ("bob", {"sat_1800Z", "mon_0600Z"})])
def test_the_monday_review_shows_the_weekends_urges_in_the_persons_own_zone(request, now, person, expected):
    participant = request.getfixturevalue(person)
    names = {}
    for name, instant in INSTANTS.items():
        urge = services.urge_put(participant=participant, id=uuid.uuid4(), data={"occurred_at": instant, "intensity": 5})
        names[urge.entry.pk] = name
    for day in (dt.date(2026, 11, 12), dt.date(2026, 11, 14), dt.date(2026, 11, 16)):
        services.checkin_put(participant=participant, id=uuid.uuid4(), data={"date": day, "stress": 3})
    review = selectors.weekend_review(plan=plan(participant))
    assert {names[urge.pk] for urge in review.urges} == expected
    assert [c.date for c in review.checkins] == [dt.date(2026, 11, 14)]


def test_the_review_api_answers_with_the_plan_urges_and_check_ins(api, alice, now):
    mine = plan(alice)
    services.urge_put(participant=alice, id=uuid.uuid4(), data={"occurred_at": INSTANTS["sat_1800Z"], "intensity": 8})
    body = api.get(f"/api/v1/weekend-plans/{mine.pk}/review/").json()
    assert body["plan"]["id"] == str(mine.pk)
    assert [u["intensity"] for u in body["urges"]] == [8]


def test_on_monday_today_asks_how_the_weekend_went_until_it_is_answered(alice_client, alice, now):
    mine = plan(alice, saturday="Football")
    now.move_to(dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC))  # Monday 09:00 in New York
    today = alice_client.get("/").text
    assert "How did the weekend go?" in today
    assert f'href="/weekend/{mine.pk}/#review"' in today
    page = alice_client.get(f"/weekend/{mine.pk}/").text
    assert "How did it go?" in page
    alice_client.post(f"/weekend/{mine.pk}/", {"weekend_of": "2026-11-13", "saturday": "Football", "how_it_went": "better",
                                                "review_note": "Filling Saturday helped"})
    mine.refresh_from_db()
    assert (mine.how_it_went, mine.review_note) == ("better", "Filling Saturday helped")
    assert "How did the weekend go?" not in alice_client.get("/").text
