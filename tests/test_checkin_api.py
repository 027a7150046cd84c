import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tracker.models import CheckIn

QUICK = {"date": "2026-11-17", "in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": 4, "stress": 3}


def url(entry_id):
    return f"/api/v1/checkins/{entry_id}/"


def test_a_put_creates_the_check_in_with_derived_sleep(api, now):
    entry_id = uuid.uuid4()
    response = api.put(url(entry_id), QUICK, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == str(entry_id)
    assert body["total_sleep_min"] == 465
    assert body["sleep_efficiency"] == 1.0
    assert CheckIn.objects.get().pk == entry_id


def test_the_same_put_replayed_five_times_gives_one_row_and_the_same_answer(api, now):
    entry_id = uuid.uuid4()
    answers = [api.put(url(entry_id), QUICK, format="json") for _ in range(6)]
    assert {a.status_code for a in answers} == {201}
    assert all(a.json() == answers[0].json() for a in answers)
    assert CheckIn.objects.count() == 1


def test_a_put_with_new_values_for_the_same_id_updates_the_row(api, now):
    entry_id = uuid.uuid4()
    api.put(url(entry_id), QUICK, format="json")
    now.shift(dt.timedelta(minutes=5))
    response = api.put(url(entry_id), {**QUICK, "stress": 8, "small_win": "Called my sister"}, format="json")
    assert response.status_code == 200
    entry = CheckIn.objects.get()
    assert (entry.stress, entry.small_win) == (8, "Called my sister")
    assert entry.updated_at > entry.created_at
    # Replaying the update answers like the update did.
    again = api.put(url(entry_id), {**QUICK, "stress": 8, "small_win": "Called my sister"}, format="json")
    assert (again.status_code, again.json()) == (200, response.json())


def test_a_put_replaces_the_whole_entry(api, now):
    entry_id = uuid.uuid4()
    api.put(url(entry_id), {**QUICK, "note": "first"}, format="json")
    api.put(url(entry_id), {"date": QUICK["date"], "stress": 2}, format="json")
    entry = CheckIn.objects.get()
    assert (entry.note, entry.in_bed_at, entry.total_sleep_min) == ("", None, None)


def test_a_second_id_for_the_same_day_is_refused_with_the_existing_id(api, now):
    first, second = uuid.uuid4(), uuid.uuid4()
    api.put(url(first), QUICK, format="json")
    response = api.put(url(second), {**QUICK, "stress": 9}, format="json")
    assert response.status_code == 409
    assert response.json()["existing_id"] == str(first)
    assert "already have a check-in" in response.json()["date"][0]
    assert list(CheckIn.objects.values_list("pk", "stress")) == [(first, 3)]


def test_two_participants_can_check_in_on_the_same_day(api, bob_api, now):
    assert api.put(url(uuid.uuid4()), QUICK, format="json").status_code == 201
    assert bob_api.put(url(uuid.uuid4()), QUICK, format="json").status_code == 201


def test_the_list_holds_only_your_own_check_ins_between_dates(api, bob_api, alice, now):
    for day in ("2026-11-10", "2026-11-12", "2026-11-14"):
        api.put(url(uuid.uuid4()), {**QUICK, "date": day}, format="json")
    bob_api.put(url(uuid.uuid4()), {**QUICK, "date": "2026-11-12"}, format="json")
    body = api.get("/api/v1/checkins/", {"from": "2026-11-11", "to": "2026-11-14"}).json()
    assert [row["date"] for row in body["results"]] == ["2026-11-14", "2026-11-12"]
    assert api.get("/api/v1/checkins/").json()["count"] == 3


def test_a_bad_date_filter_is_a_400_that_names_it(api, now):
    response = api.get("/api/v1/checkins/", {"from": "last tuesday"})
    assert response.status_code == 400
    assert "from" in response.json()


def test_delete_removes_your_own_check_in(api, now):
    entry_id = uuid.uuid4()
    api.put(url(entry_id), QUICK, format="json")
    assert api.delete(url(entry_id)).status_code == 204
    assert not CheckIn.objects.exists()
    assert api.get(url(entry_id)).status_code == 404


BAD_INPUT = [
    ({**QUICK, "stress": 11}, "stress"),
    ({**QUICK, "sleep_quality": 6}, "sleep_quality"),
    ({**QUICK, "in_bed_at": "03:00", "final_wake_at": "02:00"}, "final_wake_at"),
    ({**QUICK, "date": "2026-11-19"}, "date"),  # tomorrow in New York
    ({**QUICK, "small_win": "x" * 201}, "small_win"),
    ({**QUICK, "note": "x" * 2001}, "note"),
    ({**QUICK, "in_bed_at": "25:00"}, "in_bed_at"),
    ({**QUICK, "date": "not a date"}, "date"),
    ({key: value for key, value in QUICK.items() if key != "date"}, "date"),
]


@pytest.mark.parametrize("data, field", BAD_INPUT)
def test_bad_input_is_a_400_with_the_field_named_and_nothing_saved(api, now, data, field):
    entry_id = uuid.uuid4()
    response = api.put(url(entry_id), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not CheckIn.objects.exists()


def test_a_bad_update_leaves_the_saved_entry_as_it_was(api, now):
    entry_id = uuid.uuid4()
    api.put(url(entry_id), QUICK, format="json")
    response = api.put(url(entry_id), {**QUICK, "stress": 3, "in_bed_at": "03:00", "final_wake_at": "02:00"}, format="json")
    assert response.status_code == 400
    entry = CheckIn.objects.get()
    assert (entry.in_bed_at, entry.final_wake_at) == (dt.time(23, 10), dt.time(6, 55))


def test_malformed_json_is_a_400(api, now):
    response = api.generic("PUT", url(uuid.uuid4()), '{"date": "2026-11-17",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_session_auth_without_a_csrf_token_is_refused(alice, now):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice.user)
    response = client.put(url(uuid.uuid4()), QUICK, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not CheckIn.objects.exists()


def test_a_token_works_without_csrf(alice, now):
    client = APIClient(enforce_csrf_checks=True)
    token = client.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.put(url(uuid.uuid4()), QUICK, format="json").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_puts_of_one_id_give_one_row(alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    entry_id = uuid.uuid4()
    barrier = threading.Barrier(10)
    statuses, errors = [], []

    def put():
        client = APIClient()
        client.force_login(alice.user)
        try:
            barrier.wait()
            response = client.put(url(entry_id), {**QUICK, "date": "2026-11-01"}, format="json")
            statuses.append(response.status_code)
        except Exception as error:  # collected and reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=put) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == [201] * 10, statuses
    assert CheckIn.objects.filter(pk=entry_id).count() == 1
    assert CheckIn.objects.count() == 1


def test_json_field_names_match_the_form_field_names(api, now):
    # The offline outbox turns a form into JSON by field name, so the two must agree.
    from tracker.web.forms import CheckInForm

    body = api.put(url(uuid.uuid4()), QUICK, format="json").json()
    assert set(CheckInForm.base_fields) <= set(body)


def test_a_token_works_as_bearer_and_as_token_and_a_stale_header_does_not_block_getting_one(alice, db):
    from rest_framework.test import APIClient

    client = APIClient()
    # Any Authorization header on the token request is ignored: the password is the proof.
    answer = client.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"}, format="json",
                         HTTP_AUTHORIZATION="Token not-a-real-token")
    assert answer.status_code == 200, answer.content
    token = answer.json()["token"]
    for scheme in ("Bearer", "Token", "bearer"):
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"{scheme} {token}").status_code == 200, scheme
    refused = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Basic {token}").status_code in (401, 403)


def test_the_list_pages_by_limit_and_offset_and_counts_every_row_in_the_page_query(api, alice, now):
    from django.test.utils import CaptureQueriesContext

    from tracker import services

    days = [alice.local_today() - dt.timedelta(days=n) for n in range(5)]
    for day in days:
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": day, "stress": 3})
    newest_first = [str(day) for day in days]
    with CaptureQueriesContext(connection) as queries:
        first = api.get("/api/v1/checkins/?limit=2").json()
    pages = [query["sql"] for query in queries.captured_queries if '"tracker_checkin"' in query["sql"]]
    assert len(pages) == 1, pages  # the page with its count, where DRF reads the count first
    assert first["count"] == 5 and [row["date"] for row in first["results"]] == newest_first[:2]
    assert first["previous"] is None and "offset=2" in first["next"]
    last = api.get("/api/v1/checkins/?limit=2&offset=4").json()
    assert last["count"] == 5 and [row["date"] for row in last["results"]] == newest_first[4:] and last["next"] is None
    for offset in (5, 9, 2**63, 10**30):  # past the end: no row to carry the count, which is read on its own
        beyond = api.get(f"/api/v1/checkins/?limit=2&offset={offset}").json()
        assert beyond["count"] == 5 and beyond["results"] == [], offset
    between = api.get(f"/api/v1/checkins/?from={days[3]}&to={days[1]}&limit=2").json()
    assert between["count"] == 3 and [row["date"] for row in between["results"]] == newest_first[1:3]
    assert api.get(f"/api/v1/checkins/?from={alice.local_today() + dt.timedelta(days=1)}").json()["count"] == 0
    for refused in ("²", "-1", "1.5", "x"):
        answer = api.get(f"/api/v1/checkins/?offset={refused}")
        assert answer.status_code == 400 and "offset" in answer.json(), refused
    # Other lists (the access log: a long one) keep DRF's count, a statement of its own.
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/me/access-log/?limit=1&offset=3").status_code == 200
    assert any("COUNT(*)" in query["sql"] for query in queries.captured_queries)
    assert not any("OVER ()" in query["sql"] for query in queries.captured_queries)
