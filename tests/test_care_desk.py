"""The counselor's desk (issue 15): flags by severity on the caseload, the participant page and
in the API; the audit log as a table with its CSV download; the small things (copy buttons,
the staff header, the weekly summary's scales)."""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client

from people import NOW
from tracker import services, triage
from tracker.models import Participant, PushSubscription, Reminder, Delivery


def chips(html):
    """[(flag key, severity class, level word)] of the flag chips on a page, in order."""
    found = re.findall(r'<li class="flag flag--(\w+)[^"]*" data-flag="(\w+)">\s*<p><span class="flag__level">'
                       r'(?:<span aria-hidden="true">[^<]*</span>)?(\w+)', html)
    return [(key, level, word) for level, key, word in found]


@pytest.fixture
def flagged(alice, bob, now):
    """alice: a strong urge and a setback (urgent), no check-in yet (attention), no phone (setup).
    bob: a working phone, 2 failed sends (attention: failing), no safety plan (attention)."""
    Participant.objects.filter(pk__in=[alice.pk, bob.pk]).update(created_at=NOW - dt.timedelta(days=5))
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": NOW - dt.timedelta(hours=3), "intensity": 9, "outcome": "used"})
    PushSubscription.objects.create(user=bob.user, endpoint=f"https://push.example/{uuid.uuid4()}", p256dh="k", auth="a")
    reminder = Reminder.objects.create(participant=bob, kind="checkin", local_time=dt.time(20), weekdays=[0])
    for n in range(2):
        Delivery.objects.create(reminder=reminder, due_at=NOW - dt.timedelta(hours=n + 1), status="failed")
    return alice, bob


WORDS = {"urgent": "Urgent", "attention": "Check", "setup": "Setup"}


@pytest.mark.parametrize("page", ["caseload", "participant"])
def test_chip_classes_follow_the_severity_table(flagged, carol_client, page):
    alice, bob = flagged
    if page == "caseload":
        html = carol_client.get("/care/").content.decode()
        expected_keys = {"high_urge", "setback", "no_checkin", "safety_plan", "reminders_setup", "reminders"}
    else:
        html = carol_client.get(f"/care/participants/{alice.pk}/").content.decode()
        expected_keys = {"high_urge", "setback", "no_checkin", "safety_plan", "reminders_setup"}
    found = chips(html)
    assert {key for key, _, _ in found} == expected_keys
    for key, level, word in found:
        assert level == triage.SEVERITY[key], key
        assert word == WORDS[level], key   # the level in words too, never colour alone
    # Each person's chips: urgent, then attention, then setup.
    people = html.split('class="case card"')[1:] if page == "caseload" else [html]
    assert len(people) == (2 if page == "caseload" else 1)
    for part in people:
        levels = [level for _, level, _ in chips(part)]
        assert levels == sorted(levels, key=triage.SEVERITY_ORDER.index)
    alice_part = next(part for part in people if "high_urge" in part)
    assert [key for key, _, _ in chips(alice_part)] == ["high_urge", "setback", "no_checkin", "safety_plan",
                                                         "reminders_setup"]
    # "Reminders not set up" is never red.
    assert 'class="flag flag--setup" data-flag="reminders_setup"' in html


def test_the_css_has_a_class_per_level():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static/css/steady.css").read_text()
    for level in triage.SEVERITY_ORDER:
        assert f".flag--{level} " in css and f".flag--{level} .flag__level" in css


def test_the_api_names_each_flags_severity(flagged, carol):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(carol.user)
    from signin import verified_login
    verified_login(client, carol.user)
    rows = client.get("/api/v1/care/caseload/").json()
    seen = {}
    for row in rows:
        keys = [flag["key"] for flag in row["flags"]]
        levels = [flag["severity"] for flag in row["flags"]]
        assert levels == sorted(levels, key=triage.SEVERITY_ORDER.index)
        for flag in row["flags"]:
            seen[flag["key"]] = flag["severity"]
        assert keys
    assert seen == {key: triage.SEVERITY[key] for key in seen}
    assert seen["reminders_setup"] == "setup" and seen["reminders"] == "attention" and seen["high_urge"] == "urgent"
