"""The care team's API for questionnaires (issue 17): GET .../responses/ (complete responses with
the answers item by item, scores, bands, change since intake, reliable-change marks) and GET
.../questionnaires/ (due, done, missed); in the schema; a counselor off the team gets the 404 of
an id that names nobody. (Every care route's access and audit: tests/test_care_access.py.)"""

import datetime as dt

import pytest
from django.test import Client

import measures_data as data
from people import NOW, make_user
from signin import verified_login
from tracker.models import AuditEvent, Counselor, Questionnaire


@pytest.fixture
def answered(alice, now):
    """PHQ-9 18 at intake then 12 (a reliable improvement); GAD-7 12 then 9 (none); a draft; a missed BAM."""
    data.phq9(alice, 18, at=NOW - dt.timedelta(days=28), intake=True)
    latest = data.phq9(alice, 12, at=NOW - dt.timedelta(days=1))
    data.gad7(alice, 12, at=NOW - dt.timedelta(days=28), intake=True)
    data.gad7(alice, 9, at=NOW - dt.timedelta(days=2))
    data.draft(alice, "phq9", {"1": 3}, at=NOW - dt.timedelta(hours=1))
    data.questionnaire(alice, "bam", dt.date(2026, 11, 9), status=Questionnaire.Status.MISSED)
    return latest


def test_responses_newest_first_with_changes_and_marks(alice, answered, carol_client):
    rows = carol_client.get(f"/api/v1/care/participants/{alice.pk}/responses/").json()
    assert [(r["name"], r["scores"][0]["value"], r["intake"]) for r in rows] == [
        ("PHQ-9", 12, False), ("GAD-7", 9, False), ("PHQ-9", 18, True), ("GAD-7", 12, True)]
    latest = rows[0]
    assert latest["id"] == str(answered.pk) and latest["version"] == "1" and latest["instrument"] == "phq9"
    assert latest["scores"] == [{"key": "total", "name": "Total", "value": 12, "band": "Moderate",
                                 "higher_is_better": False, "change_since_intake": -6,
                                 "reliable_change": "improvement"}]
    assert rows[1]["scores"][0]["change_since_intake"] == -3 and rows[1]["scores"][0]["reliable_change"] is None
    assert rows[2]["scores"][0]["change_since_intake"] is None
    # Item by item: 12 = items 1-4 at 3; the difficulty question (10) kept, not scored.
    answers = {a["number"]: a for a in latest["answers"]}
    assert len(answers) == 10
    assert answers["1"] == {"key": "1", "number": "1", "text": "Little interest or pleasure in doing things",
                            "value": 3, "words": "Nearly every day", "scored": True}
    assert (answers["10"]["key"], answers["10"]["value"], answers["10"]["words"], answers["10"]["scored"]) == (
        "difficulty", 1, "Somewhat difficult", False)


def test_questionnaires_due_done_and_missed(alice, answered, carol_client):
    rows = carol_client.get(f"/api/v1/care/participants/{alice.pk}/questionnaires/").json()
    assert [(r["name"], r["due_on"], r["state"], r["intake"]) for r in rows] == [
        ("PHQ-9", "2026-11-17", "done", False), ("GAD-7", "2026-11-16", "done", False),
        ("BAM", "2026-11-09", "missed", False), ("GAD-7", "2026-10-21", "done", True),
        ("PHQ-9", "2026-10-21", "done", True)]
    assert rows[0]["response_id"] == str(answered.pk) and rows[0]["scores"][0]["value"] == 12
    assert rows[2]["response_id"] is None and rows[2]["scores"] == [] and rows[2]["started"] is False


def test_each_read_is_one_audit_row(alice, answered, carol, carol_client):
    for path, resource in (("responses", "responses"), ("questionnaires", "questionnaires")):
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        assert carol_client.get(f"/api/v1/care/participants/{alice.pk}/{path}/").status_code == 200
        assert [(e.action, e.resource, e.participant_id) for e in AuditEvent.objects.filter(pk__gt=before)] == [
            ("read", resource, alice.pk)]


@pytest.mark.parametrize("path", ["responses", "questionnaires"])
def test_a_counselor_off_the_team_gets_a_404(alice, answered, program, path):
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    client = verified_login(Client(), erin.user)
    response = client.get(f"/api/v1/care/participants/{alice.pk}/{path}/")
    assert response.status_code == 404
    assert response.content == client.get(f"/api/v1/care/participants/999999/{path}/").content
    assert AuditEvent.objects.filter(actor=erin.user, action="denied", participant_id=alice.pk).count() == 1


def test_both_routes_are_in_the_schema(client, db):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in ("responses", "questionnaires"):
        operation = paths[f"/api/v1/care/participants/{{participant_id}}/{path}/"]["get"]
        assert "200" in operation["responses"] and "404" in operation["responses"]
