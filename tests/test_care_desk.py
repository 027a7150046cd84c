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
    """alice: a strong urge and use reported (urgent), no check-in yet (attention), no phone (setup).
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
        expected_keys = {"high_urge", "use", "no_checkin", "safety_plan", "reminders_setup", "reminders"}
    else:
        html = carol_client.get(f"/care/participants/{alice.pk}/").content.decode()
        expected_keys = {"high_urge", "use", "no_checkin", "safety_plan", "reminders_setup"}
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
    assert [key for key, _, _ in chips(alice_part)] == ["high_urge", "use", "no_checkin", "safety_plan",
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


# -- the audit log as a table, and its CSV


@pytest.fixture
def admin_client(program):
    from people import make_user
    from signin import verified_login
    from tracker.models import Counselor

    admin = Counselor.objects.create(user=make_user("mia"), program=program, is_program_admin=True)
    return verified_login(Client(), admin.user)


@pytest.fixture
def logged(alice, bob, carol_client, now):
    """carol reads alice's page three times and bob's summary once."""
    for _ in range(3):
        carol_client.get(f"/care/participants/{alice.pk}/")
    carol_client.get(f"/care/participants/{bob.pk}/summary/")
    return alice, bob


def csv_rows(response):
    import csv
    import io

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="steady-audit-log-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_audit_log_is_a_table(logged, admin_client):
    alice, bob = logged
    html = admin_client.get("/care/audit/").content.decode()
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers == ["When", "Who", "What", "About whom", "Page or address", "From (IP)", "Request id"]
    assert html.count('<tr class="audit-row">') == 4
    row = html.split('<tr class="audit-row">')[1]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert len(cells) == 7
    assert "carol" in cells[1] and "Read" in cells[2] and f"(#{bob.pk})" in cells[3]
    assert f"/care/participants/{bob.pk}/summary/" in cells[4] and "127.0.0.1" in cells[5]
    from tracker.models import AuditEvent
    newest = AuditEvent.objects.filter(participant_id=bob.pk).first()
    assert newest.request_id and newest.request_id in cells[6]


def test_paging_keeps_the_filters(logged, admin_client, settings):
    from tracker.models import AuditEvent

    alice, _ = logged
    for n in range(60):
        AuditEvent.objects.create(actor_name="carol", program_id=alice.program_id, participant_id=alice.pk,
                                  action="read", resource="overview", path=f"/x/{n}")
    html = admin_client.get("/care/audit/", {"participant": alice.pk, "action": "read"}).content.decode()
    assert html.count('<tr class="audit-row">') == 50
    assert f'href="?participant={alice.pk}&amp;action=read&amp;page=2"' in html
    second = admin_client.get(f"/care/audit/?participant={alice.pk}&action=read&page=2").content.decode()
    assert second.count('<tr class="audit-row">') == 13 and "Page 2 of 2" in second
    # The CSV link carries the same filters.
    assert f'href="/care/audit/export.csv?participant={alice.pk}&amp;action=read"' in html


def test_the_csv_holds_exactly_the_filtered_events(logged, admin_client):
    from tracker.models import AuditEvent

    alice, bob = logged
    for query in ({}, {"participant": alice.pk}, {"participant": bob.pk, "action": "read"}, {"action": "denied"}):
        before = AuditEvent.objects.order_by("-pk").first().pk
        rows = csv_rows(admin_client.get("/care/audit/export.csv", query))
        assert rows[0][:4] == ["when_utc", "who", "action", "resource"]
        expected = AuditEvent.objects.filter(program_id=alice.program_id, pk__lte=before)
        if "participant" in query:
            expected = expected.filter(participant_id=query["participant"])
        if "action" in query:
            expected = expected.filter(action=query["action"])
        assert [row[10] for row in rows[1:]] == [e.request_id for e in expected]
        assert [(row[1], row[2], row[3], row[8]) for row in rows[1:]] == [
            (e.actor_name, e.action, e.resource, e.path) for e in expected]
    only_alice = csv_rows(admin_client.get("/care/audit/export.csv", {"participant": alice.pk}))[1:]
    assert len(only_alice) == 3 and {row[4] for row in only_alice} == {str(alice.pk)}
    assert {row[5] for row in only_alice} == {str(alice)}


def test_the_download_writes_its_own_audit_row(logged, admin_client):
    from tracker.models import AuditEvent

    before = AuditEvent.objects.order_by("-pk").first().pk
    rows = csv_rows(admin_client.get("/care/audit/export.csv", {"action": "read"}))
    new = list(AuditEvent.objects.filter(pk__gt=before))
    assert [(e.action, e.resource, e.actor_name) for e in new] == [("export", "audit-log", "mia")]
    assert new[0].path == "/care/audit/export.csv"
    assert all(row[10] != new[0].request_id for row in rows[1:])  # the file holds what was there when asked


def test_bad_filters_send_the_download_back_to_the_page(admin_client, now):
    response = admin_client.get("/care/audit/export.csv", {"since": "2026-11-20", "until": "2026-11-01"})
    assert response.status_code == 302 and response.url.startswith("/care/audit/?since=2026-11-20")


def test_a_non_admin_gets_the_same_refusal_as_the_page(logged, carol_client, carol):
    from tracker.models import AuditEvent

    page = carol_client.get("/care/audit/")
    before = AuditEvent.objects.order_by("-pk").first().pk
    download = carol_client.get("/care/audit/export.csv")
    assert page.status_code == download.status_code == 404
    assert download.content == page.content
    assert [(e.action, e.resource) for e in AuditEvent.objects.filter(pk__gt=before)] == [("denied", "audit-log")]


# -- small things


def test_recovery_codes_come_with_copy_download_and_print(carol, now):
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from signin import current_code

    client = Client()
    client.post("/signin/", {"username": "carol", "password": "carol-password-1"})
    # Before the second factor: no staff menu (no caseload, no invitations), only a way out.
    before = client.get("/account/2fa/setup/").content.decode()
    assert 'aria-label="Care team"' not in before and "/care/invitations/" not in before
    assert 'action="/signout/"' in before
    client.post("/account/2fa/setup/", {"action": "start"})
    device = TOTPDevice.objects.get(user=carol.user, confirmed=False)
    page = client.post("/account/2fa/setup/", {"code": current_code(device)}).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", page)
    assert len(codes) == 10 and '<ul class="codes" id="recovery-codes">' in page
    actions = page.split('<div class="copy-actions no-print">')[1].split("</div>")[0]
    assert 'data-copy="#recovery-codes"' in actions and ">Copy<" in actions
    assert 'data-download="#recovery-codes" data-download-name="steady-recovery-codes.txt"' in actions
    assert "data-print" in actions and ">Print<" in actions
    assert 'role="status" aria-live="polite"' in actions
    assert "<script>" not in page and "onclick" not in page   # no inline script (strict CSP)
    # After it: the staff menu.
    assert 'aria-label="Care team"' in client.get("/care/").content.decode()


def test_the_invitation_link_has_a_copy_button(carol_client, now):
    page = carol_client.post("/care/invitations/", {"name": "Ray", "role": "participant"}).content.decode()
    assert 'id="invite-link"' in page and 'data-copy="#invite-link"' in page
    box = page.split('data-copy="#invite-link"')[1].split("</p>")[0]
    assert 'class="copy-status" role="status" aria-live="polite"' in box


def test_staff_get_a_plain_help_link_and_participants_the_big_button(carol_client, alice):
    staff = carol_client.get("/care/").content.decode()
    assert '<a class="help-link" href="/help/">I need help now</a>' in staff and 'class="help-now"' not in staff
    participant = Client()
    participant.force_login(alice.user)
    mine = participant.get("/").content.decode()
    assert 'class="help-now"' in mine and 'class="help-link"' not in mine
    anonymous = Client().get("/signin/").content.decode()
    assert 'class="help-now"' in anonymous


def test_no_staff_menu_before_the_second_factor(carol):
    client = Client()
    client.force_login(carol.user)   # a password, no second factor yet
    response = client.get("/help/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "I need help now" in page and 'aria-label="Care team"' not in page and "/care/" not in page
    verified = Client()
    from signin import verified_login
    verified_login(verified, carol.user)
    assert 'aria-label="Care team"' in verified.get("/help/").content.decode()


def test_the_weekly_summary_says_each_scale(alice, carol_client, now):
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": dt.date(2026, 11, 17), "in_bed_at": dt.time(23), "final_wake_at": dt.time(7), "sleep_quality": 4,
        "stress": 3})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": NOW - dt.timedelta(hours=20), "intensity": 7})
    page = carol_client.get(f"/care/participants/{alice.pk}/summary/").content.decode()
    assert "<td>Quality 4 of 5</td><td>Stress 3 of 10</td>" in page
    assert "strongest 7 of 10" in page
    assert "Sleep quality (1 to 5)" in page and "Stress (0 to 10)" in page
