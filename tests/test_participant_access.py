"""Alice can never see or change Bob's entries: every URL that takes an entry id answers 404,
exactly as it does for an id that does not exist. The routes are read from the URL conf, so a
new one is covered without editing this file."""

import datetime as dt
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tracker import services
from tracker.models import CheckIn, Urge, WeeklyReflection


def entry_routes():
    """(name, route, default kwargs) of every URL pattern that takes an entry_id."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and "entry_id" in pattern.pattern.converters:
                yield pattern.name, prefix + str(pattern.pattern), pattern.default_args

    return list(walk(get_resolver().url_patterns))


ROUTES = entry_routes()


def test_the_routes_were_found():
    names = {name for name, _, _ in ROUTES}
    assert {"checkin_edit", "urge_delete", "api-reflections-detail", "api-urges-detail"} <= names


@pytest.fixture
def bobs_entries(bob, now):
    return {
        CheckIn: services.checkin_put(participant=bob, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 17), "stress": 4}).entry,
        Urge: services.urge_put(participant=bob, id=uuid.uuid4(), data={
            "occurred_at": dt.datetime(2026, 11, 17, 20, 0, tzinfo=dt.UTC), "intensity": 6}).entry,
        WeeklyReflection: services.reflection_put(participant=bob, id=uuid.uuid4(), data={
            "week_start": dt.date(2026, 11, 16), "wins": ["mine"]}).entry,
    }


def model_for(route):
    for fragment, model in (("checkin", CheckIn), ("urge", Urge), ("reflection", WeeklyReflection)):
        if fragment in route:
            return model
    raise AssertionError(f"no model for {route}")


def path_for(route, entry_id):
    return "/" + route.replace("<uuid:entry_id>", str(entry_id))


BODIES = {
    CheckIn: {"date": "2026-11-17", "stress": 9},
    Urge: {"occurred_at": "2026-11-17T20:00:00Z", "intensity": 1},
    WeeklyReflection: {"week_start": "2026-11-16", "wins": ["not yours"]},
}


@pytest.mark.parametrize("name, route, defaults", ROUTES, ids=[r[0] for r in ROUTES])
def test_alice_gets_the_same_404_for_bobs_entry_as_for_a_missing_one(api, alice_client, bobs_entries, name, route, defaults):
    model = model_for(route)
    target = bobs_entries[model]
    before = {m: list(m.objects.values()) for m in bobs_entries}
    is_api = route.startswith("api/")
    client = api if is_api else alice_client
    methods = ["get", "put", "delete"] if is_api else ["get", "post"]
    for method in methods:
        kwargs = {"format": "json", "data": BODIES[model]} if is_api and method == "put" else {}
        if not is_api and method == "post":
            kwargs = {"data": {k: v for k, v in BODIES[model].items() if k != "wins"}}
        theirs = getattr(client, method)(path_for(route, target.pk), **kwargs)
        missing = getattr(client, method)(path_for(route, uuid.uuid4()), **kwargs) if method != "put" else None
        assert theirs.status_code == 404, (method, route)
        if missing is not None:
            assert missing.status_code == 404
            assert theirs.content == missing.content
    assert {m: list(m.objects.values()) for m in bobs_entries} == before


def test_bobs_entries_never_show_in_alices_lists_or_pages(api, alice_client, bobs_entries):
    for plural in ("checkins", "urges", "reflections"):
        assert api.get(f"/api/v1/{plural}/").json()["count"] == 0
    for page in ("/", "/history/"):
        html = alice_client.get(page).text
        assert not any(str(entry.pk) in html for entry in bobs_entries.values())
        assert "mine" not in html


def test_anonymous_api_calls_are_refused(client, bobs_entries):
    assert client.get("/api/v1/checkins/").status_code in (401, 403)
    assert client.get(f"/api/v1/urges/{bobs_entries[Urge].pk}/").status_code in (401, 403)


def test_staff_without_a_participant_record_get_no_entries(client, dave, bobs_entries):
    client.force_login(dave)
    response = client.get("/api/v1/checkins/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only participants have entries."
