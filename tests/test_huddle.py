"""The huddle before group: the room ranked by need, care-team facts only for the care team,
who may open it, a fixed number of queries, and the practice task given once to each who came.
"now" is Wednesday 18 November 2026, 12:00 in New York; the session is tonight at 18:00."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groups import join, make_group, mark, session_at
from people import NOW, admitted, make_user
from signin import verified_login
from tracker import huddle
from tracker.models import AbsenceNotice, Attendance, AuditEvent, Counselor, Participant, Task, WeekendPlan

S = Attendance.Status
NY = dt.timezone(dt.timedelta(hours=-5))
TONIGHT = dt.datetime(2026, 11, 18, 18, 0, tzinfo=NY)
MONDAY = dt.datetime(2026, 11, 16, 18, 0, tzinfo=NY)


@pytest.fixture
def frank(program):
    """A facilitator of the group who is on nobody's care team."""
    return Counselor.objects.create(user=make_user("frank", first_name="Frank"), program=program)


@pytest.fixture
def room(program, carol, frank, alice, bob, now):
    program.time_zone = "America/New_York"
    program.save()
    group = make_group(program)
    group.facilitators.add(carol, frank)
    join(group, alice, bob, on=dt.date(2026, 11, 1))
    dan = Participant.objects.create(user=make_user("dan", first_name="Dan"), program=program)
    admitted(dan, on=dt.date(2026, 11, 17))  # at intensive outpatient, as joining admits
    join(group, dan, on=dt.date(2026, 11, 17))  # new this week, no care team
    last = session_at(group, MONDAY)
    mark(last, alice, S.PRESENT)
    mark(last, bob, S.ABSENT)
    tonight = session_at(group, TONIGHT)
    AbsenceNotice.objects.create(participant=alice, session=tonight, reason=AbsenceNotice.Reason.USED)
    return tonight, dan


def page(client, session):
    return client.get(f"/care/sessions/{session.pk}/huddle/")


def order(html):
    import re
    return [int(pk) for pk in re.findall(r'huddle-member card" data-participant="(\d+)"', html)]


def test_the_room_is_ranked_by_need(room, carol, alice, bob):
    session, dan = room
    members = huddle.room(session, carol, now=NOW)
    facts = {m.participant.pk: m for m in members}
    assert facts[bob.pk].last == S.ABSENT and facts[alice.pk].last == S.PRESENT
    assert facts[dan.pk].new and not facts[alice.pk].new
    assert facts[alice.pk].notice is not None
    # Worked: bob 4 (missed) + 2 x (1 - 0/9) + his flags; alice 2 x (1 - 3/9) + 1 (notice) + flags; dan 2 + 1 (new).
    assert facts[alice.pk].hours == 3.0
    assert facts[dan.pk].need == 3.0
    # Ranked by need, highest first. Alice's "I used" notice is "use reported" on her care team's
    # flags, so it counts here too (carol is on her care team).
    assert [m.need for m in members] == sorted((m.need for m in members), reverse=True)
    assert "use" in {f.key for f in facts[alice.pk].flags}
    assert [m.participant.pk for m in members].index(bob.pk) < [m.participant.pk for m in members].index(dan.pk)
    assert facts[bob.pk].need == round(6 + sum(f.weight for f in facts[bob.pk].flags), 2)


def test_care_team_facts_only_for_the_care_team(room, carol, frank, alice, bob):
    session, dan = room
    carols = page(verified_login(Client(), carol.user), session).content.decode()
    assert "data-flag=" in carols and "I used" in carols
    franks = page(verified_login(Client(), frank.user), session).content.decode()
    assert order(franks) and set(order(franks)) == {alice.pk, bob.pk, dan.pk}
    assert "data-flag=" not in franks and "I used" not in franks and "Notice given for this session" in franks
    assert "Missed the last session" in franks and "of 9 group hours this week" in franks
    assert f'href="/care/participants/{alice.pk}/"' not in franks
    # Frank's order uses only roll-level facts: bob (missed), dan (new), alice (notice, 3 h).
    assert order(franks) == [bob.pk, dan.pk, alice.pk]


def test_the_weekend_review_pending_shows_for_the_care_team(room, carol, alice):
    session, _ = room
    WeekendPlan.objects.create(participant=alice, weekend_of=dt.date(2026, 11, 13), saturday="Park")
    members = {m.participant.pk: m for m in huddle.room(session, carol, now=NOW)}
    assert members[alice.pk].weekend_review
    html = page(verified_login(Client(), carol.user), session).content.decode()
    assert 'data-fact="weekend-review"' in html


def test_access_and_audit(room, carol, frank, program, alice, alice_client):
    session, _ = room
    stranger = Counselor.objects.create(user=make_user("gina"), program=program)
    stranger.caseload.add(alice)  # on alice's care team, but not a facilitator of the group
    for client in (verified_login(Client(), stranger.user), alice_client):
        assert page(client, session).status_code == 404
        assert client.post(f"/care/sessions/{session.pk}/huddle/task/", {"title": "x"}).status_code == 404
    denied = AuditEvent.objects.filter(resource="huddle", action=AuditEvent.Action.DENIED)
    assert denied.count() == 2
    admin = Counselor.objects.create(user=make_user("ada"), program=program, is_program_admin=True)
    assert page(verified_login(Client(), admin.user), session).status_code == 200
    assert page(verified_login(Client(), frank.user), session).status_code == 200
    row = AuditEvent.objects.filter(resource="huddle", action=AuditEvent.Action.READ, actor=frank.user).get()
    assert set(row.shown_ids if hasattr(row, "shown_ids") else map(int, row.participants_shown.strip(",").split(","))) \
        == set(Participant.objects.filter(group_memberships__group=session.group).values_list("pk", flat=True))
    assert row.object_id == str(session.pk)


def test_the_query_count_is_the_same_for_5_and_15_members(program, carol, now):
    group = make_group(program)
    group.facilitators.add(carol)
    session = session_at(group, TONIGHT)
    last = session_at(group, MONDAY)
    client = verified_login(Client(), carol.user)

    def add(n, start):
        for i in range(start, start + n):
            p = Participant.objects.create(user=make_user(f"m{i}"), program=program)
            if i % 2:
                p.care_team.add(carol)
            join(group, p, on=dt.date(2026, 11, 17) if i % 3 else dt.date(2026, 1, 1))
            mark(last, p, S.ABSENT if i % 2 else S.PRESENT)
            if i % 4 == 0:
                AbsenceNotice.objects.create(participant=p, session=session, reason="ride")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert page(client, session).status_code == 200
        return len(queries)

    add(5, 0)
    five = count()
    add(10, 5)
    assert count() == five


def test_the_practice_task_goes_once_to_each_who_came(room, carol, frank, alice, bob, now):
    session, dan = room
    client = verified_login(Client(), frank.user)
    url = f"/care/sessions/{session.pk}/huddle/task/"
    # Before the session: refused.
    mark(session, bob, S.PRESENT)
    assert client.post(url, {"title": "Call one person"}).status_code == 302
    assert not Task.objects.exists()
    now.move_to(TONIGHT + dt.timedelta(hours=3))
    client = verified_login(Client(), frank.user)  # a fresh sign-in after the evening
    mark(session, dan, S.LATE)
    mark(session, alice, S.EXCUSED)
    client.post(url, {"title": "Call one person"})
    client.post(url, {"title": "Call one person"})
    tasks = Task.objects.all()
    assert sorted(t.participant_id for t in tasks) == sorted([bob.pk, dan.pk])
    assert {t.created_by_id for t in tasks} == {frank.user_id}
    assert {t.title for t in tasks} == {"Call one person"}
    # It is on bob's goals and tasks, for his care team.
    goals = verified_login(Client(), carol.user).get(f"/care/participants/{bob.pk}/goals/").content.decode()
    assert "Call one person" in goals
    html = page(client, session).content.decode()
    assert "2 already have this session’s task." in html
    # A late mark after the tap: the next tap gives it to that person only.
    mark(session, alice, S.PRESENT)
    client.post(url, {"title": "Call one person"})
    assert Task.objects.count() == 3
