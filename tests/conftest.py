"""Personas and helpers shared by the suite.

alice and bob are participants in the same program; carol is their counselor; dave is a
staff member with no participant record. Time is fixed (time-machine) where a test depends
on "today": Wednesday 18 November 2026, noon in New York.
"""

import os

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from people import NOW, admitted, make_user
from pushservice import PushService, Resolver
from signin import verified_login
from browsing import alice_with_entries, browser, carol_sees_alice, phone, plain_static  # noqa: F401 (fixtures for browser tests)
from tracker import push
from tracker.models import Counselor, Participant, Program

# In CI every service and the browser are there, so a skipped test means something is broken.
REQUIRE_ALL = os.environ.get("STEADY_REQUIRE_SERVICES") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped, but STEADY_REQUIRE_SERVICES=1 forbids skips: {reason}"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    """Push sends look host names up here, never in real DNS; a test adds the names it needs."""
    fake = Resolver()
    monkeypatch.setattr(push, "resolve", fake)
    push.lookups.clear()
    yield fake
    push.lookups.clear()


@pytest.fixture
def local_push_service(settings):
    """Sends may go to the local push service (tests/pushservice.py, on 127.0.0.1): the
    explicit setting production never has (`check --deploy` refuses it)."""
    settings.PUSH_ALLOW_LOCAL_SERVICE = True


@pytest.fixture
def sends_in_this_thread(settings):
    """One send at a time, in the test's thread: pool threads have connections of their own,
    which cannot see a test's uncommitted rows."""
    settings.PUSH_SEND_CONCURRENCY = 1


@pytest.fixture
def push_service():
    """A local push service (tests/pushservice.py) that decrypts what it is sent."""
    with PushService() as service:
        yield service


@pytest.fixture
def program(db):
    return Program.objects.create(name="Riverside IOP")


@pytest.fixture
def carol(program):
    return Counselor.objects.create(user=make_user("carol", first_name="Carol"), program=program)


@pytest.fixture
def alice(program, carol):
    participant = Participant.objects.create(user=make_user("alice"), program=program, time_zone="America/New_York")
    participant.care_team.add(carol)
    admitted(participant, carol)
    return participant


@pytest.fixture
def bob(program, carol):
    participant = Participant.objects.create(user=make_user("bob"), program=program, time_zone="America/Los_Angeles")
    participant.care_team.add(carol)
    admitted(participant, carol)
    return participant


@pytest.fixture
def dave(db):
    return make_user("dave", is_staff=True)


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_login(alice.user)
    return client


@pytest.fixture
def bob_api(bob):
    client = APIClient()
    client.force_login(bob.user)
    return client


@pytest.fixture
def carol_client(carol):
    """A counselor's browser session, second factor done; carol is on alice's and bob's care team."""
    return verified_login(Client(), carol.user)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


