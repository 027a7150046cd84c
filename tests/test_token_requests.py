"""An API call with a token skips the middleware that serve a browser's session (issue 20,
tracker.middleware.TokenRequestMiddleware), and answers as it did: the same person, the same
headers, no session read or written; the token endpoint (a password sign-in) keeps them all."""

import uuid

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from test_headers import ids  # noqa: F401 (a fixture)
from test_signin import all_routes, fill

# What serves only a browser's session: everything else after TokenRequestMiddleware must run for
# token calls too, so a middleware added to MIDDLEWARE later has to be put in one list or the other.
SESSION_ONLY = {
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tracker.middleware.SessionPolicyMiddleware",
    "tracker.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
}
# Headers every answer carries, whichever way it came (X-Request-ID differs per request).
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
           "Permissions-Policy", "Cache-Control", "Content-Language", "Content-Type")


def test_the_token_chain_is_the_rest_of_the_middleware_without_the_sessions_own():
    after = settings.MIDDLEWARE[settings.MIDDLEWARE.index("tracker.middleware.TokenRequestMiddleware") + 1:]
    assert settings.TOKEN_REQUEST_MIDDLEWARE == [path for path in after if path not in SESSION_ONLY]
    assert SESSION_ONLY <= set(after)


def test_a_token_call_is_the_tokens_person_and_never_reads_or_writes_a_session(alice, bob, now):
    # A client signed in on the web as bob that sends alice's token: the token decides, as DRF's
    # authentication order always did, and bob's session is neither read nor renewed.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=alice.user).key}")
    client.force_login(bob.user)
    entry_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries:
        written = client.put(f"/api/v1/urges/{entry_id}/", {"occurred_at": "2026-11-17T10:00:00Z", "intensity": 5},
                             content_type="application/json")
        listed = client.get("/api/v1/urges/")
    assert written.status_code == 201, written.content
    assert [row["id"] for row in listed.json()["results"]] == [str(entry_id)]
    assert alice.urges.get().pk == entry_id
    sessions = [query["sql"] for query in queries.captured_queries if "django_session" in query["sql"]]
    assert sessions == []
    assert "Set-Cookie" not in written.headers and not written.cookies and not listed.cookies


def test_a_bad_token_is_refused_even_with_a_good_session_cookie(carol_client, alice_client):
    # The token decides: a wrong one is a 401 whoever's session comes along (a counselor's, whose
    # second factor is done, or a participant's); the session is not a fallback.
    for client in (carol_client, alice_client):
        for path in ("/api/v1/me/", "/api/v1/care/caseload/", "/api/v1/checkins/"):
            answer = client.get(path, HTTP_AUTHORIZATION="Bearer not-a-real-token")
            assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Bearer", (path, answer.status_code)
            assert client.get(path).status_code != 401, path  # the session alone is signed in


def test_token_answers_carry_the_headers_of_session_answers(ids, alice, alice_client):  # noqa: F811
    token = Client(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=alice.user).key}")
    compared = 0
    for name, route in all_routes():
        path = fill(route, ids)
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/auth/") or "<" in path:
            continue
        by_session, by_token = alice_client.get(path), token.get(path)
        assert by_session.status_code == by_token.status_code, path
        for header in HEADERS:
            assert by_token.headers.get(header) == by_session.headers.get(header), (path, header)
        assert {v.strip() for v in by_token.headers["Vary"].split(",")} >= {"Accept-Language", "Cookie"}, path
        assert len(by_token.headers["X-Request-ID"]) == 32, path
        compared += 1
    assert compared >= 30


def test_the_token_endpoint_keeps_the_sign_in_lockout_whatever_header_it_carries(alice, now):
    # Five wrong passwords from one address lock the username there (django-axes): then the right
    # one is refused too, with an Authorization header on the request or without.
    for address, header in (("10.0.0.1", {}), ("10.0.0.2", {"HTTP_AUTHORIZATION": "Token not-a-real-token"})):
        attacker = Client(REMOTE_ADDR=address, **header)
        signs = [attacker.post("/api/v1/auth/token/", {"username": "alice", "password": password},
                               content_type="application/json").status_code
                 for password in ["alice-password-1"] + ["guess-one-two-three"] * 5 + ["alice-password-1"]]
        assert signs == [200] + [400] * 5 + [400], (header, signs)
        assert Client(REMOTE_ADDR="10.9.9.9").post(
            "/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"},
            content_type="application/json").status_code == 200
