"""The audit log: the database itself refuses UPDATE and DELETE on it (PostgreSQL and SQLite),
rows carry who, whom, what, when, from where and the request id, program admins can filter
it, and a participant can see who viewed their records."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from people import make_user
from signin import verified_login
from tracker import services
from tracker.models import AuditEvent, Counselor, Participant, Program

ROOT = Path(__file__).resolve().parent.parent


def an_event(**extra):
    return AuditEvent.objects.create(actor_name="carol", action="read", resource="overview", **extra)


@pytest.mark.django_db
def test_this_database_refuses_update_and_delete():
    event = an_event()
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(resource="nothing"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute("UPDATE tracker_auditevent SET actor_name = 'someone else'"),
        lambda: connection.cursor().execute("DELETE FROM tracker_auditevent"),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert (event.resource, event.actor_name) == ("overview", "carol")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_a_fresh_sqlite_database_refuses_them_too(tmp_path):
    """Migrations run on a new SQLite file in another process (whatever database this run uses),
    then plain sqlite3 tries to change the trail. A whole-database flush still works, and the
    triggers are back after it."""
    database = tmp_path / "audit.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test", "STEADY_VAR_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)

    def insert(db):
        db.execute("INSERT INTO tracker_auditevent (at, actor_name, participants_shown, action, resource, object_id, "
                   "method, path, request_id) VALUES ('2026-11-18 17:00:00', 'carol', '', 'read', 'overview', '', "
                   "'GET', '/care/', 'r1')")
        db.commit()

    db = sqlite3.connect(database)
    insert(db)
    for statement in ("UPDATE tracker_auditevent SET actor_name = 'x'", "DELETE FROM tracker_auditevent"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
        db.rollback()
    assert db.execute("SELECT actor_name FROM tracker_auditevent").fetchall() == [("carol",)]
    db.close()

    subprocess.run([sys.executable, "manage.py", "flush", "--noinput"], cwd=ROOT, env=env, check=True, timeout=120)
    db = sqlite3.connect(database)
    assert db.execute("SELECT count(*) FROM tracker_auditevent").fetchone() == (0,)
    insert(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM tracker_auditevent")
    db.close()


def test_a_row_says_who_whom_what_when_where_and_which_request(carol_client, carol, alice, now):
    response = carol_client.get(f"/care/participants/{alice.pk}/summary/", HTTP_X_REQUEST_ID="abc-123-request",
                                REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200 and response["X-Request-ID"] == "abc-123-request"
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_name, event.participant_id, event.program_id) == (
        carol.user.pk, "carol", alice.pk, alice.program_id)
    assert (event.action, event.resource, event.method, event.path) == (
        "read", "summary", "GET", f"/care/participants/{alice.pk}/summary/")
    assert (event.ip, event.request_id) == ("203.0.113.9", "abc-123-request")
    assert event.at.isoformat() == "2026-11-18T17:00:00+00:00"


def test_a_made_up_request_id_is_replaced(carol_client, alice):
    response = carol_client.get(f"/care/participants/{alice.pk}/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32
    assert AuditEvent.objects.get().request_id == response["X-Request-ID"]


def test_behind_a_trusted_proxy_the_forwarded_address_is_kept(carol_client, alice, settings):
    settings.TRUSTED_PROXIES = 1
    carol_client.get(f"/care/participants/{alice.pk}/", HTTP_X_FORWARDED_FOR="198.51.100.7, 192.0.2.1",
                     REMOTE_ADDR="10.0.0.2")
    assert AuditEvent.objects.get().ip == "192.0.2.1"


def test_a_write_and_its_row_share_one_transaction(carol_client, alice, now, monkeypatch):
    """If the audit row cannot be written, the goal is not saved either."""
    from tracker import audit

    def broken(*args, **kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr(audit.AuditEvent, "save", broken)
    goal_id = uuid.uuid4()
    with pytest.raises(DatabaseError):
        carol_client.put(f"/api/v1/care/participants/{alice.pk}/goals/{goal_id}/", {"title": "Sleep by 23:00"},
                         content_type="application/json")
    assert not alice.goals.exists()
    monkeypatch.undo()
    response = carol_client.put(f"/api/v1/care/participants/{alice.pk}/goals/{goal_id}/", {"title": "Sleep by 23:00"},
                                content_type="application/json")
    assert response.status_code == 201
    assert [(e.action, e.resource, e.object_id) for e in AuditEvent.objects.all()] == [("write", "goals", str(goal_id))]


@pytest.fixture
def admin(program):
    return Counselor.objects.create(user=make_user("mia"), program=program, is_program_admin=True)


def test_program_admins_browse_and_filter_their_programs_log(admin, carol_client, carol, alice, bob, now):
    other = Program.objects.create(name="Elsewhere")
    stranger = Counselor.objects.create(user=make_user("zed"), program=other)
    outsider = Participant.objects.create(user=make_user("yan"), program=other)
    outsider.care_team.add(stranger)
    carol_client.get(f"/care/participants/{alice.pk}/")
    carol_client.get(f"/care/participants/{bob.pk}/summary/")
    zed = Client()
    verified_login(zed, stranger.user)
    zed.get(f"/care/participants/{outsider.pk}/")   # another program's business
    zed.get(f"/care/participants/{alice.pk}/")      # denied, and about this program's participant

    client = Client()
    verified_login(client, admin.user)
    page = client.get("/care/audit/").content.decode()
    assert page.count('<tr class="audit-row">') == 3  # (issue 15: a table row each) carol twice, zed's denied attempt on alice
    assert "/care/participants/%d/summary/" % bob.pk in page and "Denied" in page
    assert "yan" not in page and f"(#{outsider.pk})" not in page
    only_bob = client.get("/care/audit/", {"participant": bob.pk}).content.decode()
    assert only_bob.count('<tr class="audit-row">') == 1
    denied = client.get("/care/audit/", {"action": "denied"}).content.decode()
    assert denied.count('<tr class="audit-row">') == 1 and "zed" in denied
    bad = client.get("/care/audit/", {"since": "2026-11-20", "until": "2026-11-01"}).content.decode()
    assert "This is before the first day" in bad and 'value="2026-11-20"' in bad


def test_a_participant_sees_who_viewed_their_records(carol_client, carol, alice, bob, now):
    carol_client.get("/care/")
    carol_client.get(f"/care/participants/{alice.pk}/plans/")
    carol_client.get(f"/care/participants/{bob.pk}/")
    carol_client.put(f"/api/v1/care/participants/{alice.pk}/tasks/{uuid.uuid4()}/", {"title": "Call Ana"},
                     content_type="application/json")
    client = Client()
    client.force_login(alice.user)
    page = client.get("/settings/access-log/").content.decode()
    assert "Carol (your counselor) viewed you in their caseload list<" in page
    assert "Carol (your counselor) viewed your plans<" in page and "Carol (your counselor) changed your tasks<" in page
    assert page.count("Carol (your counselor)") == 3      # not bob's overview
    listed = client.get("/api/v1/me/access-log/").json()["results"]
    assert [(e["who"], e["action"], e["what"]) for e in listed] == [
        ("carol", "write", "tasks"), ("carol", "read", "plans"), ("carol", "read", "caseload")]


def test_participants_own_use_is_not_audited(alice_client, alice, now):
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": alice.local_today(), "stress": 2})
    alice_client.get("/history/")
    alice_client.get("/api/v1/checkins/")
    assert AuditEvent.objects.count() == 0
