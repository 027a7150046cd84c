"""What the API refuses before it reads a body, and how it answers when something breaks:
JSON nested deeper than 20 levels (400), a body over API_MAX_BODY_BYTES (413), and any
unexpected error under /api/ as JSON, never Django's HTML page."""

import json
import uuid

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tracker.api import parsers
from tracker.models import CheckIn, Urge

QUICK = {"date": "2026-11-17", "in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": 4}


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


def put_raw(api, path, body):
    return api.generic("PUT", path, body, content_type="application/json")


@pytest.mark.parametrize("body", [
    nested(10_000),                                                        # the whole body
    '{"occurred_at": "2026-11-18T10:00:00Z", "intensity": 5, "triggers": ' + nested(10_000, '"stress"') + "}",
    '{"intensity": 5, "note": "' + "[" * 30 + '", "triggers": ' + nested(10_000) + "}",  # brackets in a string first
])
def test_json_nested_ten_thousand_levels_is_a_400_not_a_500(api, now, body):
    response = put_raw(api, f"/api/v1/urges/{uuid.uuid4()}/", body)
    assert response.status_code == 400, response.content[:200]
    assert "nested deeper than 20" in response.json()["detail"]
    assert not Urge.objects.exists()


def test_json_nested_21_levels_is_refused_and_20_is_parsed(api, now):
    url = f"/api/v1/urges/{uuid.uuid4()}/"
    # The body object is level 1, the triggers list level 2: 19 more lists inside it make 21.
    too_deep = put_raw(api, url, json.dumps({"intensity": 5, "triggers": json.loads(nested(20, '"stress"'))}))
    assert too_deep.status_code == 400 and "nested deeper" in too_deep.json()["detail"]
    deep_enough = put_raw(api, url, json.dumps({"intensity": 5, "triggers": json.loads(nested(19, '"stress"'))}))
    assert deep_enough.status_code == 400  # parsed: the serializer then says what is wrong with it
    assert "triggers" in deep_enough.json() and "detail" not in deep_enough.json()


def test_brackets_inside_strings_do_not_count_as_depth(api, now):
    body = {**QUICK, "small_win": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\\" {{{{{{{{{{{{{{{{{{{{{{{{"}
    response = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", body, format="json")
    assert response.status_code == 201, response.json()


def test_the_depth_is_counted_without_recursion():
    assert parsers.nesting_depth(b"1") == 0
    assert parsers.nesting_depth(b'{"a": [1, {"b": "]]]]"}]}') == 3
    assert parsers.nesting_depth(b'["\\"[[["]') == 1  # an escaped quote does not end the string
    assert parsers.nesting_depth(nested(100_000).encode()) == 100_000


def test_a_body_over_the_limit_is_a_413_with_a_json_message(api, now):
    body = json.dumps({**QUICK, "note": "x" * (256 * 1024)})
    response = put_raw(api, f"/api/v1/checkins/{uuid.uuid4()}/", body)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"] or "larger than" in response.json()["detail"]
    assert not CheckIn.objects.exists()


@override_settings(API_MAX_BODY_BYTES=1000)
def test_the_limit_is_a_setting(api, now):
    url = f"/api/v1/checkins/{uuid.uuid4()}/"
    assert put_raw(api, url, json.dumps({**QUICK, "note": "x" * 2000})).status_code == 413
    assert put_raw(api, url, json.dumps({**QUICK, "note": "x" * 800})).status_code == 201


def test_a_body_over_djangos_own_limit_is_a_413_too(alice, now, settings):
    settings.API_MAX_BODY_BYTES = 10 * 1024 * 1024  # let Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) be first
    client = APIClient(raise_request_exception=False)
    client.force_login(alice.user)
    body = json.dumps({**QUICK, "note": "x" * (3 * 1024 * 1024)})
    response = client.generic("PUT", f"/api/v1/checkins/{uuid.uuid4()}/", body, content_type="application/json")
    assert response.status_code == 413, response.content[:200]
    assert response.json() == {"detail": "This body is too large."}


def test_a_form_body_over_djangos_own_limit_at_the_token_endpoint_is_a_413(db):
    client = APIClient(raise_request_exception=False)
    response = client.post("/api/v1/auth/token/", "username=a&password=" + "x" * (3 * 1024 * 1024),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.json() == {"detail": "This body is too large."}


@pytest.fixture
def broken_progress(monkeypatch):
    """A bug inside the progress figures: the API and the page both meet it."""
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("tracker.progress.progress", broken)


def test_an_unexpected_error_under_the_api_answers_json(alice, now, broken_progress):
    client = APIClient(raise_request_exception=False)
    client.force_login(alice.user)
    response = client.get("/api/v1/progress/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Something went wrong on our side. Please try again later."}


def test_an_unexpected_error_on_a_page_is_still_the_page(alice, now, broken_progress):
    client = APIClient(raise_request_exception=False)
    client.force_login(alice.user)
    response = client.get("/progress/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
