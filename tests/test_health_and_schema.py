import os
import re

import pytest
from django.conf import settings
from django.db import connection

from project.celery import app as celery_app


def test_the_health_check_reports_the_database(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_openapi_schema_names_every_entry_route(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for plural in ("checkins", "urges", "reflections"):
        assert set(paths[f"/api/v1/{plural}/{{entry_id}}/"]) >= {"get", "put", "delete"}
        assert "409" in paths[f"/api/v1/{plural}/{{entry_id}}/"]["put"]["responses"]
    assert "patch" in paths["/api/v1/me/"]


def test_the_api_docs_load_nothing_from_another_origin(client, db):
    html = client.get("/api/docs/").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in source for source in sources)
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []


def test_the_celery_broker_takes_and_gives_back_a_message(db):
    """The configured broker (Redis in CI, the file-system broker by default) really carries messages."""
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        queue = conn.SimpleQueue("steady-test-ping")
        try:
            queue.put({"ping": 1})
            message = queue.get(timeout=5)
            message.ack()
            assert message.payload == {"ping": 1}
        finally:
            queue.close()


@pytest.mark.skipif(os.environ.get("STEADY_REQUIRE_SERVICES") != "1", reason="only CI promises PostgreSQL and Redis")
def test_ci_runs_against_real_postgresql_and_redis(db):
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_the_schema_generates_without_a_warning_and_validates(db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


def _schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_the_schema_has_no_enum_that_depends_on_the_host(client, db):
    # The time zone is a string with an example, not the host's tzdata as an enum (599 names on
    # one machine, with GMT0 and GMT+0 clashing as enum keys in generated clients).
    schema = _schema(client)
    enums = [value for component in schema["components"]["schemas"].values()
             for prop in component.get("properties", {}).values() for value in prop.get("enum", [])]
    assert not {"Factory", "GMT0", "localtime", "America/New_York"} & set(enums)
    zone = schema["components"]["schemas"]["Participant"]["properties"]["time_zone"]
    assert zone["type"] == "string" and zone["example"] == "America/New_York" and "enum" not in zone


def test_every_documented_client_error_has_a_body(client, db):
    schema = _schema(client)
    assert {"Error", "FieldErrors"} <= set(schema["components"]["schemas"])
    missing = [(path, method, status) for path, method, operation in _operations(schema)
               for status, response in operation["responses"].items()
               if status.startswith("4") and not response.get("content", {}).get("application/json", {}).get("schema")]
    assert missing == []
    put = schema["paths"]["/api/v1/checkins/{entry_id}/"]["put"]["responses"]
    assert put["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FieldErrors"}
    assert put["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EntryConflict"}
    assert "existing_id" in schema["components"]["schemas"]["EntryConflict"]["properties"]


def test_getting_a_token_is_documented_as_one_json_body_without_security(client, db):
    schema = _schema(client)
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert list(token["requestBody"]["content"]) == ["application/json"]
    assert not token.get("security") and not schema.get("security")
    for path in ("/api/v1/reminders/snooze/", "/api/v1/reminders/opened/"):
        operation = schema["paths"][path]["post"]
        assert list(operation["requestBody"]["content"]) == ["application/json"] and not operation.get("security")
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"]}
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert {"bearerAuth": []} in me["security"]
