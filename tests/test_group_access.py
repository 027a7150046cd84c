"""Who may reach a group's pages and API (issue 16), found from the URL conf: every care route
that names a group, a session, a membership or a closure day (so a new one is covered without
editing this file), against people who are not the group's staff: a counselor of the same
program who does not facilitate it, a counselor of another program, a participant (a member of
the group), and nobody signed in.

Each signed-in one gets the same 404 as an id that names nothing, and one "denied" row; nobody
signed in is sent to sign in (pages) or refused (API), and leaves no row. The group's facilitator
(who is on no member's care team) and the program's admin do get in; what the facilitator sees
there is roll-level only (tests/test_roll.py, tests/test_huddle.py).
"""

import datetime as dt

import pytest
from django.test import Client

from groups import join, make_group, session_at
from people import NOW, make_user
from signin import verified_login
from test_care_access import care_routes
from tracker.models import AuditEvent, ClosureDay, Counselor, Program

IDS = ("<int:session_id>", "<int:group_id>", "<int:membership_id>", "<int:closure_id>")
ROUTES = [(name, route) for name, route in care_routes() if any(key in route for key in IDS)]


def test_the_group_routes_were_found():
    names = {name for name, _ in ROUTES}
    assert {"care_group", "care_group_edit", "care_session", "care_roll", "care_huddle", "api-care-roll",
            "api-care-attendance", "care_group_member_end", "care_closure_remove"} <= names


@pytest.fixture
def world(now, program, carol, alice, bob):
    """An evening group run by erin, who is on nobody's care team; carol is the program's admin."""
    carol.is_program_admin = True
    carol.save()
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    gina = Counselor.objects.create(user=make_user("gina"), program=program)
    frank = Counselor.objects.create(user=make_user("frank"), program=Program.objects.create(name="Elsewhere"))
    group = make_group(program)
    group.facilitators.add(erin)
    join(group, alice, bob, on=dt.date(2026, 11, 1))
    session = session_at(group, NOW - dt.timedelta(hours=1))
    closure = ClosureDay.objects.create(program=program, date=dt.date(2026, 12, 25), reason="Holiday")
    ids = {"<int:session_id>": session.pk, "<int:group_id>": group.pk,
           "<int:membership_id>": group.memberships.get(participant=bob).pk, "<int:closure_id>": closure.pk,
           "<int:participant_id>": bob.pk}
    return {"ids": ids, "admin": carol.user, "facilitator": erin.user, "outsiders": {
        "same_program": gina.user, "other_program": frank.user, "participant": alice.user}}


def url_for(route, ids, missing=False):
    url = "/" + route
    for key, value in ids.items():
        url = url.replace(key, str(999999 if missing and key != "<int:participant_id>" else value))
    return url


def call(client, method, url):
    if url.startswith("/api/"):
        body = {"status": "present", "recorded_at": NOW.isoformat()}
        return client.put(url, body, content_type="application/json") if method == "put" else client.get(url)
    return client.post(url, {}) if method == "post" else client.get(url)


def methods(name, route):
    if route.startswith("api/"):
        return ["put"] if name == "api-care-attendance" else ["get"]
    return ["get", "post"]


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def signed_in(user):
    return verified_login(Client(), user)


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _ in ROUTES])
def test_only_the_groups_staff_get_in(name, route, world):
    url = url_for(route, world["ids"])
    # A POST-only action answers a GET with 405 whoever asks: only its POST is checked.
    post_only = not route.startswith("api/") and signed_in(world["admin"]).get(url).status_code == 405
    for method in methods(name, route):
        if post_only and method == "get":
            continue
        before = last_pk()
        response = call(Client(), method, url)
        assert response.status_code in ((401, 403) if url.startswith("/api/") else (302,)), (method, url)
        assert AuditEvent.objects.filter(pk__gt=before).count() == 0

        missing = call(signed_in(world["admin"]), method, url_for(route, world["ids"], missing=True))
        assert missing.status_code == 404, (method, url)
        for persona, user in world["outsiders"].items():
            before = last_pk()
            response = call(signed_in(user), method, url)
            assert response.status_code == 404, (persona, method, url, response.status_code)
            rows = list(AuditEvent.objects.filter(pk__gt=before))
            assert [(r.action, r.actor_id) for r in rows] == [("denied", user.pk)], (persona, method, url)

    # The program's admin gets in wherever there is something to read.
    if not post_only and "get" in methods(name, route):
        response = signed_in(world["admin"]).get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_facilitator_reaches_the_roll_and_huddle_but_not_the_admins_pages(world):
    erin = signed_in(world["facilitator"])
    ids = world["ids"]
    for route in ("care/sessions/<int:session_id>/roll/", "care/sessions/<int:session_id>/huddle/",
                  "api/v1/care/sessions/<int:session_id>/roll/", "care/groups/<int:group_id>/"):
        assert erin.get(url_for(route, ids)).status_code == 200, route
    for route in ("care/groups/<int:group_id>/edit/", "care/groups/sessions/<int:session_id>/"):
        assert erin.get(url_for(route, ids)).status_code == 404, route
