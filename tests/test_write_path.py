"""The fast write path of issue 20: a new check-in or urge sent with a token is two statements (the
token with everything a request asks about its person, then one INSERT), and what the read-then-
write path guaranteed still holds, including a delete that commits while the insert waits."""

import datetime as dt
import threading
import time
import uuid

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tracker.models import CheckIn, Urge
from tracker.statements import prepared_cursor

CHECKIN = {"date": "2026-11-17", "in_bed_at": "23:10", "final_wake_at": "06:55", "sleep_quality": 4, "stress": 3}
URGE = {"occurred_at": "2026-11-17T10:00:00Z", "intensity": 5}

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)")


def token_client(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_the_sign_in_read_and_the_insert_are_prepared_on_the_connection(alice, now):
    token_client(alice.user).put(f"/api/v1/checkins/{uuid.uuid4()}/", CHECKIN, content_type="application/json")
    statements = prepared_statements()
    assert any('"authtoken_token"' in statement for statement in statements), statements
    assert any(statement.startswith('INSERT INTO "tracker_checkin"') for statement in statements), statements
    # Preparing is on only while those run: the ORM's statements are never counted or prepared.
    assert connection.connection.prepare_threshold is None


def test_after_a_rollback_the_statements_are_prepared_again(transactional_db, alice, now):
    client = token_client(alice.user)
    day = dt.date(2026, 11, 17)
    for attempt in range(2):
        answer = client.put(f"/api/v1/checkins/{uuid.uuid4()}/", {**CHECKIN, "date": str(day - dt.timedelta(days=attempt))},
                            content_type="application/json")
        assert answer.status_code == 201, answer.content
        assert any('"authtoken_token"' in statement for statement in prepared_statements())
        # A transaction that fails: psycopg forgets what it prepared and deallocates it all.
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            CheckIn.objects.count()
            1 / 0
        assert not any('"authtoken_token"' in statement for statement in prepared_statements())
    assert CheckIn.objects.filter(participant=alice).count() == 2


def test_nothing_is_prepared_when_prepared_statements_are_off(db, settings):
    for on in (False, True):
        settings.DATABASE_PREPARED_STATEMENTS = on
        marker = f"/* {uuid.uuid4()} */"
        with prepared_cursor() as cursor:
            cursor.execute(f"SELECT %s::int {marker}", [1])
            assert cursor.fetchone() == (1,)
        assert any(marker in statement for statement in prepared_statements()) == on


@pytest.mark.parametrize(("kind", "body", "model"), [("checkins", CHECKIN, CheckIn), ("urges", URGE, Urge)])
def test_a_new_entry_with_a_token_is_one_query_to_authenticate_and_one_insert(alice, now, kind, body, model):
    client = token_client(alice.user)
    entry_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries:
        response = client.put(f"/api/v1/{kind}/{entry_id}/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    statements = [query["sql"] for query in queries.captured_queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 2, statements
    # Both are prepared statements (tracker/statements.py), which Django logs as "QUERY = '...' - PARAMS = ...".
    assert '"authtoken_token"' in statements[0]
    assert statements[1].removeprefix("QUERY = '").startswith(f'INSERT INTO "tracker_{model._meta.model_name}"')
    saved = model.objects.get(pk=entry_id)
    assert response.json()["id"] == str(entry_id) and response.json()["created_at"] == response.json()["updated_at"]
    assert saved.never_updated and saved.participant == alice
    if model is CheckIn:  # derived on the way in, as save() derives them
        assert saved.total_sleep_min == 465 and response.json()["total_sleep_min"] == 465


def test_the_replay_the_update_and_the_second_check_in_of_a_day_still_answer_as_before(alice, now):
    client = token_client(alice.user)
    first, second = uuid.uuid4(), uuid.uuid4()
    put = lambda entry_id, body: client.put(f"/api/v1/checkins/{entry_id}/", body, content_type="application/json")  # noqa: E731
    created = put(first, CHECKIN)
    assert created.status_code == 201
    assert put(first, CHECKIN).status_code == 201 and put(first, CHECKIN).json() == created.json()
    clash = put(second, CHECKIN)
    assert clash.status_code == 409 and clash.json()["existing_id"] == str(first)
    now.shift(60)
    assert put(first, {**CHECKIN, "stress": 5}).status_code == 200
    assert CheckIn.objects.count() == 1 and CheckIn.objects.get().stress == 5


def test_a_participant_who_turned_on_a_second_factor_cannot_use_an_old_token(alice, now):
    client = token_client(alice.user)
    assert client.get("/api/v1/checkins/").status_code == 200
    TOTPDevice.objects.create(user=alice.user, name="app", confirmed=False)
    assert client.get("/api/v1/checkins/").status_code == 200  # not confirmed yet
    StaticDevice.objects.create(user=alice.user, name="Recovery codes", confirmed=True)
    refused = client.get("/api/v1/checkins/")
    assert refused.status_code in (401, 403) and "second factor" in refused.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_token_deleted_by_one_server_process_is_refused_at_once_by_another(alice, now):
    """Nothing about a token is kept between requests: another process (here, another connection
    and thread) that deletes it is obeyed by the very next request."""
    token = Token.objects.create(user=alice.user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert client.get("/api/v1/checkins/").status_code == 200

    def revoke():
        Token.objects.filter(pk=token.pk).delete()
        connections.close_all()

    other = threading.Thread(target=revoke)
    other.start()
    other.join()
    assert client.get("/api/v1/checkins/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_delete_that_commits_while_the_insert_waits_leaves_the_entry_deleted(alice, now):
    """The tombstone trigger (migration 0018): a PUT of an id whose delete is under way waits for
    it, and once the delete commits it is answered 410, never a row brought back."""
    client = token_client(alice.user)
    entry_id = uuid.uuid4()
    assert client.put(f"/api/v1/urges/{entry_id}/", URGE, content_type="application/json").status_code == 201
    settings = connection.settings_dict
    deleting = psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                               dbname=settings["NAME"], password=settings["PASSWORD"] or None)
    try:
        # The service's own order: the tombstone, then the row; not committed yet.
        deleting.execute("INSERT INTO tracker_tombstone (id, kind, participant_id, deleted_at) VALUES (%s, 'urge', %s, now())",
                         (entry_id, alice.pk))
        deleting.execute("DELETE FROM tracker_urge WHERE id = %s", (entry_id,))
        answers = []

        def put():
            try:
                answers.append(client.put(f"/api/v1/urges/{entry_id}/", {**URGE, "intensity": 6},
                                          content_type="application/json"))
            finally:
                connections.close_all()

        writer = threading.Thread(target=put)
        writer.start()
        waiting = deleting.execute("SELECT pg_backend_pid()").fetchone()[0]
        # Wait (on the database's own word, not a clock) until the PUT is blocked behind the delete.
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                             dbname=settings["NAME"], autocommit=True) as watcher:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                blocked = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                                          (waiting,)).fetchone()[0]
                if blocked or not writer.is_alive():
                    break
        assert blocked, "the PUT never waited on the delete"
        deleting.commit()
        writer.join()
    finally:
        deleting.close()
    assert answers[0].status_code == 410, answers[0].content
    assert not Urge.objects.filter(pk=entry_id).exists()


def test_a_signed_in_page_reads_the_person_in_one_query(alice, now):
    """Sessions too (security.SteadyModelBackend): the user, their participant row, account state
    and second factor in one statement; no page asks for any of them again."""
    client = Client()
    client.force_login(alice.user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    person = [query["sql"] for query in queries.captured_queries if '"auth_user"' in query["sql"]]
    assert len(person) == 1, person
    again = [query["sql"] for query in queries.captured_queries
             if query["sql"].startswith(('SELECT "tracker_participant"', 'SELECT "tracker_counselor"', 'SELECT "tracker_accountstate"',
                                         'SELECT "otp_totp_totpdevice"', 'SELECT "otp_static_staticdevice"'))]
    assert again == []


def test_a_refusal_is_worded_in_each_caller_s_language_whoever_asked_first(alice, bob, now):
    """The fields are shared between requests (serializers.py), but not between languages: DRF
    words a limit's message once and keeps it."""
    from tracker import accounts

    accounts.set_language(bob.user, "es")
    english, spanish = token_client(alice.user), token_client(bob.user)
    said = []
    for client in (english, spanish, english, spanish):
        answer = client.put(f"/api/v1/urges/{uuid.uuid4()}/", {**URGE, "intensity": 11}, content_type="application/json")
        assert answer.status_code == 400
        said.append(answer.json()["intensity"][0])
    assert said[0] == said[2] and said[1] == said[3] and said[0] != said[1]
    assert "0" in said[1] and "10" in said[1] and said[1].startswith("Elige")
