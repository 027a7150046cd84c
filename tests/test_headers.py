"""Security headers on every page and API answer, and the production settings: `check --deploy`
passes at warning level, HSTS, __Host- cookies."""

import json
import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from test_signin import all_routes, fill
from tracker import services

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ids(alice, now):
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": "Walk"}).entry
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": ["Kids"]})
    return {"participant_id": alice.pk, "entry_id": goal.pk, "number": 1, "kind": "checkin", "fmt": "json",
            "token": "x" * 16, "pk": 1, "uidb64": "MQ", "path": "x", "object_id": 1, "content_type_id": 1,
            "app_label": "tracker", "url": "x", "language": "es"}


def test_every_answer_carries_the_security_headers(ids, alice_client):
    checked = 0
    for name, route in all_routes():
        path = fill(route, ids)
        if path.startswith("/static/") or name in ("signout", "sign_out_everywhere"):
            continue
        response = alice_client.get(path)
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        if not path.startswith("/api/docs/"):
            assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp, (path, directive)
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"], path
        if path in ("/sw.js", "/manifest.webmanifest"):  # nobody's data; revalidated on every use
            assert headers["Cache-Control"] == "no-cache", path
        elif path.startswith("/jsi18n/"):  # the scripts' words, the same for everybody: kept, asked again by ETag
            assert response.status_code == 200 and headers["Cache-Control"] == "public, no-cache", path
        else:
            assert "no-store" in headers["Cache-Control"], (path, headers.get("Cache-Control"))
        checked += 1
    assert checked >= 70


def production_env(tmp_path):
    base = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**base, "STEADY_PRODUCTION": "1", "EMAIL_HOST": "smtp.riverside-clinic.org", "DEBUG": "", "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "steady.riverside-clinic.org,testserver", "STEADY_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "VAPID_SUBJECT": "mailto:privacy@riverside-clinic.org",
            "CSRF_TRUSTED_ORIGINS": "https://steady.riverside-clinic.org"}


def test_check_deploy_passes_under_production_settings(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_them(tmp_path):
    env = {**production_env(tmp_path), "STEADY_PRODUCTION": "", "SECRET_KEY": "short"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "security.W004" in result.stderr + result.stdout  # no HSTS


PROBE = """
import json
from django.test import Client
client = Client()
plain = client.get("/signin/")
secure = client.get("/signin/", secure=True)
cookie = secure.cookies["__Host-steady-csrf"]
print(json.dumps({"plain": [plain.status_code, plain.headers.get("Location")],
                  "script_reads": 'data-csrf-cookie="__Host-steady-csrf"' in secure.content.decode(),
                  "hsts": secure.headers.get("Strict-Transport-Security"),
                  "cookie": {"secure": cookie["secure"], "path": cookie["path"], "samesite": cookie["samesite"],
                             "domain": cookie["domain"]}}))
"""


def test_production_answers_https_only_with_hsts_and_host_cookies(tmp_path):
    env = production_env(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://testserver/signin/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookie"] == {"secure": True, "path": "/", "samesite": "Lax", "domain": ""}
    assert seen["script_reads"]  # the page tells its script the production CSRF cookie's name
    session_name = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_NAME, "
         "settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SECURE)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1].split()
    assert session_name == ["__Host-steady-session", "True", "True"]

