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
