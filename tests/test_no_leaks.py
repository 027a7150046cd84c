"""A marker planted in a person's entries never shows up in the logs or in any URL: not in a
link, a form's action, a redirect, the audit trail's paths, or what the server logs, through
a day's use by the participant and the counselor, mistakes included."""

import datetime as dt
import logging
import re
import uuid

import pytest

from tracker import services
from tracker.models import AuditEvent

MARKER = "ZEBRA-4417-MARKER"
URL_ATTRIBUTES = re.compile(r'(?:href|src|action|formaction|data-done|content)="([^"]*)"')


@pytest.fixture
def planted(alice, now):
    today = alice.local_today()
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": today, "small_win": f"{MARKER} win", "note": f"{MARKER} note", "stress": 4})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": alice.local_now() - dt.timedelta(hours=1), "intensity": 9, "trigger_other": MARKER,
        "helped_other": MARKER, "note": MARKER})
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": MARKER}).entry
    services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": MARKER, "goal": goal})
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "reasons": [MARKER], "helpers": [{"name": MARKER, "phone": "555-0101"}]})
    services.reflection_put(participant=alice, id=uuid.uuid4(), data={
        "week_start": today - dt.timedelta(days=today.weekday()), "wins": [MARKER], "hard": MARKER})
    return alice


def urls_in(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    found = URL_ATTRIBUTES.findall(body.decode(errors="replace"))
    if response.has_header("Location"):
        found.append(response["Location"])
    return found


def test_the_marker_stays_out_of_logs_and_urls(planted, alice_client, carol, carol_client, caplog):
    carol.is_program_admin = True
    carol.save()
    caplog.set_level(logging.DEBUG)
    pid = planted.pk
    seen_urls, answers = [], 0
    participant_pages = ["/", "/history/", "/progress/?days=90", "/tasks/", "/safety-plan/", "/safety-plan/versions/",
                         "/patterns/", "/settings/", "/settings/access-log/", "/reflection/", "/weekend/",
                         "/api/v1/checkins/", "/api/v1/urges/", "/api/v1/goals/", "/api/v1/progress/",
                         "/settings/my-data.json"]
    care_pages = ["/care/", f"/care/participants/{pid}/", f"/care/participants/{pid}/?days=365",
                  f"/care/participants/{pid}/summary/", f"/care/participants/{pid}/plans/",
                  f"/care/participants/{pid}/goals/", f"/care/participants/{pid}/wins/",
                  f"/care/participants/{pid}/export.csv", f"/api/v1/care/participants/{pid}/overview/",
                  f"/api/v1/care/participants/{pid}/urges/", "/care/audit/",
                  f"/care/participants/{pid}/reviews/"]  # issue 18: the goals' titles on the review form
    for client, pages in ((alice_client, participant_pages), (carol_client, care_pages)):
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 302), path
            seen_urls += urls_in(response)
            answers += 1
    # Writes with mistakes: the typed text comes back in the form, never in a URL or a log line.
    bad = alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": "2099-01-01", "small_win": MARKER})
    assert MARKER in bad.content.decode()
    seen_urls += urls_in(bad)
    api_bad = alice_client.put(f"/api/v1/urges/{uuid.uuid4()}/", {"intensity": 99, "note": MARKER},
                               content_type="application/json")
    assert api_bad.status_code == 400
    saved = alice_client.post("/urge/", {"id": str(uuid.uuid4()), "occurred_at": "2026-11-18T10:00",
                                         "intensity": "5", "note": MARKER})
    assert saved.status_code == 302
    seen_urls += urls_in(saved)
    carol_client.post(f"/care/participants/{pid}/goal/", {"id": str(uuid.uuid4()), "title": MARKER, "status": "active"})

    assert answers == len(participant_pages) + len(care_pages) and len(seen_urls) > 200
    assert not [url for url in seen_urls if MARKER in url]
    assert not [row for row in AuditEvent.objects.values_list("path", "object_id") if MARKER in "".join(row)]
    logged = [record.getMessage() for record in caplog.records]
    assert logged, "nothing was logged at all: the check would prove nothing"
    assert not [line for line in logged if MARKER in line]
