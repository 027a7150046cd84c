"""Dates far from now: every date entering Steady has a range (tracker/dates.py), and one
outside it is a 400 naming the field (API), a message next to the field (pages), or is ignored
(a page's own ?date= links), never a 500. "now" is Wednesday 18 November 2026, noon in New York."""

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from signin import verified_login
from tracker.models import CheckIn, Task, Urge, WeekendPlan, WeeklyReflection

YEAR_1, YEAR_9999 = "0001-01-01", "9999-12-31"
NIGHT = {"in_bed_at": "23:00", "final_wake_at": "07:00"}


def entry_body(kind, day):
    """A body for each dated kind of entry with `day` where its date goes."""
    return {
        "checkins": ("date", {"date": day, **NIGHT}),
        "urges": ("occurred_at", {"occurred_at": f"{day}T12:00:00Z", "intensity": 5}),
        "reflections": ("week_start", {"week_start": day, "focus": "Rest"}),
        "weekend-plans": ("weekend_of", {"weekend_of": day}),
        "tasks": ("due_date", {"title": "Call the clinic", "due_date": day}),
    }[kind]


# 0001-01-01 is a Monday and 9999-12-31 a Friday, so the weekday rules cannot be what refuses them.
@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999])
@pytest.mark.parametrize("kind", ["checkins", "urges", "reflections", "weekend-plans", "tasks"])
def test_an_entry_dated_at_the_calendars_edge_is_a_400_naming_its_field(api, now, kind, day):
    field, body = entry_body(kind, day)
    response = api.put(f"/api/v1/{kind}/{uuid.uuid4()}/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == [field]
    assert not any(model.objects.exists() for model in (CheckIn, Urge, WeeklyReflection, WeekendPlan, Task))


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01T00:00:00+05:00",
                                   "9999-12-31T23:59:59-05:00"])
def test_an_urge_time_at_the_calendars_edge_with_or_without_an_offset_is_a_400(api, now, value):
    response = api.put(f"/api/v1/urges/{uuid.uuid4()}/", {"occurred_at": value, "intensity": 3}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_at"]


@pytest.mark.parametrize(("kind", "first_ok", "too_early"), [
    ("checkins", "2000-01-01", "1999-12-31"),
    ("reflections", "2000-01-03", "1999-12-27"),   # Mondays
    ("weekend-plans", "2000-01-07", "1999-12-31"),  # Fridays
    ("urges", "2000-01-01T05:00:00Z", "2000-01-01T04:59:00Z"),  # midnight in New York is 05:00 UTC
])
def test_entries_start_on_1_january_2000_in_the_persons_own_zone(api, now, kind, first_ok, too_early):
    def put(value):
        field, body = entry_body(kind, "2000-01-01")
        body[field] = value
        if kind == "urges":
            body["occurred_at"] = value
        return field, api.put(f"/api/v1/{kind}/{uuid.uuid4()}/", body, format="json")

    field, refused = put(too_early)
    assert refused.status_code == 400 and field in refused.json()
    _, accepted = put(first_ok)
    assert accepted.status_code == 201, accepted.json()


@pytest.mark.parametrize(("due", "status"), [
    ("2025-11-18", 201), ("2025-11-17", 400),  # one year back from Wednesday 18 November 2026
    ("2031-11-18", 201), ("2031-11-19", 400),  # five years ahead
])
def test_a_due_date_lies_from_a_year_back_to_five_years_ahead(api, now, due, status):
    response = api.put(f"/api/v1/tasks/{uuid.uuid4()}/", {"title": "Call the clinic", "due_date": due}, format="json")
    assert response.status_code == status, response.json()
    if status == 400:
        assert list(response.json()) == ["due_date"]


@pytest.mark.parametrize("path", ["/api/v1/checkins/", "/api/v1/urges/", "/api/v1/reflections/",
                                  "/api/v1/tasks/"])
@pytest.mark.parametrize("param", ["from", "to"])
@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999, "1899-12-31", "2101-01-01"])
def test_a_list_filter_outside_1900_to_2100_is_a_400_naming_it(api, now, path, param, day):
    response = api.get(path, {param: day})
    assert response.status_code == 400
    assert response.json() == {param: ["Enter a date from 1900-01-01 to 2100-12-31."]}


@pytest.mark.parametrize("path", ["/api/v1/checkins/", "/api/v1/urges/"])
def test_list_filters_at_the_ends_of_the_query_range_answer(api, now, path):
    assert api.get(path, {"from": "1900-01-01", "to": "2100-12-31"}).status_code == 200


@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999, "1899-12-31"])
def test_the_care_summary_api_refuses_a_week_far_from_now(carol_api, alice, now, day):
    response = carol_api.get(f"/api/v1/care/participants/{alice.pk}/summary/", {"week": day})
    assert response.status_code == 400
    assert list(response.json()) == ["week"]


@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999, "1899-12-31"])
def test_the_care_summary_page_shows_the_default_week_for_a_week_far_from_now(carol_client, alice, now, day):
    response = carol_client.get(f"/care/participants/{alice.pk}/summary/", {"week": day})
    assert response.status_code == 200
    assert response.context["week"].monday == dt.date(2026, 11, 16)  # Wednesday: this week


@pytest.mark.parametrize(("path", "fields", "field"), [
    ("/checkin/", {"date": YEAR_1, "stress": "3"}, "date"),
    ("/urge/", {"occurred_at": "0001-01-01T10:00", "intensity": "5"}, "occurred_at"),
    ("/urge/", {"occurred_at": "9999-12-31T23:59", "intensity": "5"}, "occurred_at"),
    ("/reflection/", {"week_start": YEAR_1, "focus": "Rest"}, "week_start"),
    ("/weekend/", {"weekend_of": YEAR_9999}, "weekend_of"),
    ("/weekend/", {"weekend_of": YEAR_1}, "weekend_of"),
    ("/task/", {"title": "Call the clinic", "due_date": YEAR_9999}, "due_date"),
    ("/task/", {"title": "Call the clinic", "due_date": YEAR_1}, "due_date"),
])
def test_a_page_form_shows_a_date_far_from_now_next_to_its_field(alice_client, now, path, fields, field):
    response = alice_client.post(path, {"id": str(uuid.uuid4()), **fields})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not any(model.objects.exists() for model in (CheckIn, Urge, WeeklyReflection, WeekendPlan, Task))


@pytest.mark.parametrize("path", ["/checkin/?date=0001-01-01", "/checkin/?date=9999-12-31",
                                  "/reflection/?week=0001-01-01", "/reflection/?week=9999-12-31",
                                  "/weekend/?weekend=9999-12-31", "/weekend/?weekend=0001-01-01",
                                  "/task/?due=9999-12-31", "/task/?due=0001-01-01"])
def test_a_pages_own_date_link_far_from_now_is_ignored(alice_client, now, path):
    response = alice_client.get(path)
    assert response.status_code == 200
    assert YEAR_1 not in response.text and YEAR_9999 not in response.text


def test_an_urge_stored_at_year_1_can_still_be_opened_and_corrected(alice_client, alice, now):
    entry_id = uuid.uuid4()
    # Stored before the range existed: straight into the table, past every check.
    Urge.objects.bulk_create([Urge(pk=entry_id, participant=alice, intensity=4,
                                   occurred_at=dt.datetime(1, 1, 1, 3, tzinfo=dt.UTC))])
    page = alice_client.get(f"/urge/{entry_id}/")
    assert page.status_code == 200
    fixed = alice_client.post(f"/urge/{entry_id}/", {"occurred_at": "2026-11-18T09:30", "intensity": "4"})
    assert fixed.status_code == 302
    assert Urge.objects.get().occurred_at == dt.datetime(2026, 11, 18, 14, 30, tzinfo=dt.UTC)


def test_the_audit_log_filter_refuses_dates_far_from_now_next_to_the_field(alice, carol, now):
    carol.is_program_admin = True
    carol.save()
    response = verified_login(Client(), carol.user).get("/care/audit/", {"since": YEAR_1, "until": YEAR_9999})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"since", "until"}


def test_the_command_lists_rows_out_of_range_without_their_text(alice, now):
    good = CheckIn.objects.create(participant=alice, date=dt.date(2026, 11, 17), note="fine night")
    bad_id, urge_id, task_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    CheckIn.objects.bulk_create([CheckIn(pk=bad_id, participant=alice, date=dt.date(1, 1, 1), note="private words")])
    Urge.objects.bulk_create([Urge(pk=urge_id, participant=alice, intensity=4,
                                   occurred_at=dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC))])
    Task.objects.bulk_create([Task(pk=task_id, participant=alice, title="x", due_date=dt.date(9999, 12, 31))])
    out, err = io.StringIO(), io.StringIO()
    call_command("dates_out_of_range", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert sorted(lines) == sorted([
        f"CheckIn\t{bad_id}\tdate\t0001-01-01",
        f"Urge\t{urge_id}\toccurred_at\t9999-12-31T12:00:00+00:00",
        f"Task\t{task_id}\tdue_date\t9999-12-31",
    ])
    assert str(good.pk) not in out.getvalue() and "private words" not in out.getvalue()
    assert "3 out of range" in err.getvalue()


@pytest.fixture
def carol_api(carol):
    client = APIClient()
    verified_login(client, carol.user)
    return client
