"""The roll (issue 16, attendance): marks through tracker.attendance.mark, the facilitator's API,
the roll pages, access (42 CFR Part 2: roll-level facts only) and the audit rows."""

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from tests.people import NOW, make_user
from tests.signin import verified_login
from tracker import schedule
from tracker.models import (
    AbsenceNotice,
    Attendance,
    AuditEvent,
    Counselor,
    Group,
    GroupMembership,
    GroupSession,
    Participant,
    Program,
)

UTC = dt.UTC
TAKEN = dt.datetime(2026, 11, 18, 23, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def frank(program):
    """A facilitator of the evening group who is on nobody's care team."""
    return Counselor.objects.create(user=make_user("frank", first_name="Frank"), program=program)


@pytest.fixture
def group(program, frank, alice, bob):
    program.time_zone = "America/New_York"
    program.save()
    group = Group.objects.create(program=program, name="Evening group", weekdays=[0, 2, 3],
                                 start_time=dt.time(18, 0), length_min=180, active_from=dt.date(2026, 1, 1))
    group.facilitators.add(frank)
    for person in (alice, bob):
        GroupMembership.objects.create(group=group, participant=person, joined_on=dt.date(2026, 10, 1))
    schedule.plan_sessions(program, NOW, weeks=1)
    return group


@pytest.fixture
def session(group):
    return group.sessions.get(planned_for=dt.date(2026, 11, 18))  # Wed 18:00-21:00 New York


def staff_api(counselor):
    client = APIClient()
    verified_login(client, counselor.user)
    return client


def put(client, session, participant, recorded_at=TAKEN, **body):
    body = {"status": "present", "recorded_at": recorded_at.isoformat(), **body}
    return client.put(f"/api/v1/care/sessions/{session.pk}/attendance/{participant.pk}/", body, format="json")


def test_a_mark_is_idempotent_and_present_counts_the_scheduled_length(frank, session, alice):
    client = staff_api(frank)
    first = put(client, session, alice)
    again = put(client, session, alice)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["id"] == f"attendance-{session.pk}-{alice.pk}"
    row = Attendance.objects.get()
    assert (row.status, row.minutes, row.recorded_by) == ("present", 180, frank.user)
    late = put(client, session, alice, TAKEN + dt.timedelta(minutes=1), status="late", minutes=150)
    assert late.status_code == 200
    assert Attendance.objects.get().minutes == 150
    too_long = put(client, session, alice, TAKEN + dt.timedelta(minutes=2), status="late", minutes=181)
    assert too_long.status_code == 400 and "minutes" in too_long.json()
    assert AuditEvent.objects.filter(resource="attendance", action="write", participant=alice).count() == 3


def test_a_later_mark_wins_and_an_older_one_gets_409_with_the_current_mark(frank, carol, program, session, alice):
    carol.is_program_admin = True
    carol.save()
    frank_api, carol_api = staff_api(frank), staff_api(carol)
    assert put(frank_api, session, alice, TAKEN + dt.timedelta(minutes=5), status="absent").status_code == 200
    stale = put(carol_api, session, alice, TAKEN, status="present")
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "absent"
    assert Attendance.objects.get().status == "absent"
    assert put(carol_api, session, alice, TAKEN + dt.timedelta(minutes=6), status="late").status_code == 200
    assert Attendance.objects.get().status == "late"
    # Both writes stay in the audit log, by who made them.
    writers = set(AuditEvent.objects.filter(resource="attendance", action="write").values_list("actor__username", flat=True))
    assert writers == {"frank", "carol"}


def test_a_cancelled_session_and_a_member_who_left_are_refused(frank, session, alice, bob, group):
    client = staff_api(frank)
    GroupMembership.objects.filter(participant=bob).update(left_on=dt.date(2026, 11, 17))
    left = put(client, session, bob)
    assert left.status_code == 400 and "not a member" in left.json()["detail"]
    session.status = GroupSession.Status.CANCELLED
    session.save()
    cancelled = put(client, session, alice)
    assert cancelled.status_code == 400 and "cancelled" in cancelled.json()["detail"]
    assert not Attendance.objects.exists()


def test_a_walk_in_from_the_program_is_marked_and_shown_apart(frank, program, session):
    eve = Participant.objects.create(user=make_user("eve", first_name="Eve"), program=program)
    client = staff_api(frank)
    assert put(client, session, eve).status_code == 400
    assert put(client, session, eve, walk_in=True).status_code == 200
    roll = client.get(f"/api/v1/care/sessions/{session.pk}/roll/").json()
    assert [(m["name"], m["walk_in"]) for m in roll["members"]] == [("alice", False), ("bob", False), ("Eve", True)]
    other = Participant.objects.create(user=make_user("zed"), program=Program.objects.create(name="Elsewhere"))
    assert put(client, session, other, walk_in=True).status_code == 404


def test_the_roll_shows_roll_level_facts_only(frank, session, alice, bob):
    AbsenceNotice.objects.create(participant=bob, session=session, reason="used", words="I drank last night")
    earlier = GroupSession.objects.create(group=session.group, planned_for=dt.date(2026, 11, 16),
                                          starts_at=session.starts_at - dt.timedelta(days=2),
                                          ends_at=session.ends_at - dt.timedelta(days=2))
    Attendance.objects.create(session=earlier, participant=alice, status="late", minutes=120, reason="bus",
                              recorded_at=TAKEN - dt.timedelta(days=2))
    body = staff_api(frank).get(f"/api/v1/care/sessions/{session.pk}/roll/").json()
    members = {m["name"]: m for m in body["members"]}
    assert members["bob"]["notice_given"] is True and members["bob"]["status"] == "excused"
    assert members["alice"]["hours_this_week"] == 2.0 and members["alice"]["hours_target"] == 9
    text = str(body)
    assert "'used'" not in text and "drank" not in text and "bus" not in text
    page = verified_login(Client(), frank.user).get(f"/care/sessions/{session.pk}/roll/").content.decode()
    assert "notice given" in page and "drank" not in page and "I used" not in page and "bus" not in page


@pytest.mark.parametrize("route", ["roll/", "attendance/{alice}/"])
def test_access_matrix(route, frank, carol, alice, session, program):
    url = f"/api/v1/care/sessions/{session.pk}/" + route.format(alice=alice.pk)
    method = "put" if "attendance" in route else "get"
    body = {"status": "present", "recorded_at": TAKEN.isoformat()}

    def call(client):
        return getattr(client, method)(url, body, format="json") if method == "put" else client.get(url)

    # carol is on alice's care team but does not run this group, and is no admin: 404.
    assert call(staff_api(carol)).status_code == 404
    participant = APIClient()
    participant.force_login(alice.user)
    assert call(participant).status_code == 404
    anonymous = call(APIClient()).status_code
    assert anonymous in (401, 403)
    other_program = Counselor.objects.create(user=make_user("olga"), program=Program.objects.create(name="Other"),
                                             is_program_admin=True)
    assert call(staff_api(other_program)).status_code == 404
    denied = AuditEvent.objects.filter(action="denied").count()
    assert denied == 3
    # The facilitator (on nobody's care team) and the program's admin get in, each with a row.
    assert call(staff_api(frank)).status_code == 200
    carol.is_program_admin = True
    carol.save()
    assert call(staff_api(carol)).status_code == 200
    resource = "attendance" if method == "put" else "roll"
    assert AuditEvent.objects.filter(action__in=("read", "write"), resource=resource).count() == 2


def test_the_roll_pages_for_the_facilitator_and_404_for_others(frank, carol, alice, session):
    page = verified_login(Client(), frank.user)
    today = page.get("/care/roll/")
    assert today.status_code == 200 and "Evening group" in today.content.decode()
    assert page.get(f"/care/sessions/{session.pk}/roll/").status_code == 200
    assert verified_login(Client(), carol.user).get(f"/care/sessions/{session.pk}/roll/").status_code == 404
    alice_page = Client()
    alice_page.force_login(alice.user)
    assert alice_page.get(f"/care/sessions/{session.pk}/roll/").status_code == 404
    assert AuditEvent.objects.filter(resource="roll", action="denied").count() == 2
    api = staff_api(frank).get("/api/v1/care/sessions/today/")
    assert [s["id"] for s in api.json()] == [session.pk]


def test_the_roll_form_saves_without_a_script_and_keeps_bad_minutes(frank, alice, bob, session):
    page = verified_login(Client(), frank.user)
    url = f"/care/sessions/{session.pk}/roll/"
    bad = page.post(url, {f"status-{alice.pk}": "present", f"status-{bob.pk}": "late", f"minutes-{bob.pk}": "abc"})
    assert bad.status_code == 400 and "Type the minutes as a number." in bad.content.decode()
    assert 'value="abc"' in bad.content.decode()
    # Every choice made is still ticked, not only the minutes typed.
    ticked = re.findall(r'<input type="radio" name="status-(\d+)" value="(\w+)" checked>', bad.content.decode())
    assert sorted(ticked) == sorted([(str(alice.pk), "present"), (str(bob.pk), "late")])
    assert not Attendance.objects.exists()
    ok = page.post(url, {f"status-{alice.pk}": "present", f"status-{bob.pk}": "late", f"minutes-{bob.pk}": "90"})
    assert ok.status_code == 302
    assert dict(Attendance.objects.values_list("participant__user__username", "minutes")) == {"alice": 180, "bob": 90}
    # Today's roll as opened is the page the service worker keeps, cut down to names and marks:
    # hours and the walk-in search sit between its online-only markers.
    opened = page.get(url)
    assert opened["X-Steady-Roll-Today"] == "1"
    kept = re.sub(r"<!--steady:online-only-->.*?<!--/steady:online-only-->", "", opened.content.decode(), flags=re.S)
    assert "group hours" in opened.content.decode() and "group hours" not in kept and "walk-in-q" not in kept
    assert f'data-participant="{alice.pk}"' in kept and 'value="late" checked' in kept
    # A search is not kept, nor is an older worker's ?names=1 (which once asked for the copy again).
    assert "X-Steady-Roll-Today" not in page.get(url, {"q": "ali"}) and "X-Steady-Roll-Today" not in page.get(
        url, {"names": "1"})


def test_a_walk_in_found_by_name_on_the_roll_page(frank, program, session):
    eve = Participant.objects.create(user=make_user("eve", first_name="Evelyn"), program=program)
    page = verified_login(Client(), frank.user)
    url = f"/care/sessions/{session.pk}/roll/"
    found = page.get(url, {"q": "evel"}).content.decode()
    assert "Add Evelyn as a walk-in" in found
    assert page.post(url, {"walk_in": eve.pk}).status_code == 302
    assert Attendance.objects.get(participant=eve).status == "present"
    assert "walk-in" in page.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_facilitators_at_once_give_one_row_and_the_later_time_wins(program, frank, carol, alice, bob):
    carol.is_program_admin = True
    carol.save()
    group = Group.objects.create(program=program, name="Evening group", weekdays=[2], start_time=dt.time(18, 0),
                                 length_min=180, active_from=dt.date(2026, 1, 1))
    group.facilitators.add(frank)
    for person in (alice, bob):
        GroupMembership.objects.create(group=group, participant=person, joined_on=dt.date(2026, 10, 1))
    schedule.plan_sessions(program, NOW, weeks=1)
    session = group.sessions.get(planned_for=dt.date(2026, 11, 18))
    clients = {"frank": staff_api(frank), "carol": staff_api(carol)}
    answers = {}
    barrier = threading.Barrier(2)

    def roll(name, status, offset):
        try:
            barrier.wait()
            for person in (alice, bob):
                answers[(name, person.pk)] = put(clients[name], session, person, TAKEN + offset, status=status).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=roll, args=("frank", "absent", dt.timedelta(0))),
               threading.Thread(target=roll, args=("carol", "present", dt.timedelta(seconds=1)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Attendance.objects.count() == 2
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}
    assert set(answers.values()) <= {200, 409}
