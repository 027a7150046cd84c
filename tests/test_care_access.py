"""Who may see a participant's data: every care-team page and API route, from the URL conf
and the OpenAPI schema (so a new route is covered without editing this file), against five
people: a counselor on the care team, a counselor of the same program not on it, a counselor
of another program, a participant, and nobody signed in.

The care-team counselor's read writes exactly one audit row; everyone else signed in gets the
same 404 as for an id that names nobody, and a "denied" row; nobody signed in is sent to sign
in and leaves no row.
"""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import measures_data
from people import make_user
from signin import verified_login
from tracker import services
from tracker.models import AuditEvent, Counselor, Goal, Participant, Program, Task

CARE_PREFIXES = ("care/", "api/v1/care/")


def care_routes():
    """(name, route) of every URL pattern of the care team's pages and API."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(CARE_PREFIXES):
                    yield pattern.name, route

    return sorted(walk(get_resolver().url_patterns))


# The roll's routes (a group session, not a participant) have their own matrix: tests/test_roll.py.
ROLL_ROUTES = {"care_roll_today", "care_roll", "api-care-sessions-today", "api-care-roll", "api-care-attendance"}
ROUTES = [(name, route) for name, route in care_routes() if name not in ROLL_ROUTES]
PARTICIPANT_ROUTES = [(name, route) for name, route in ROUTES if "<int:participant_id>" in route]
# Lists without a participant id (an invitation's revoke has its own test).
# The program's groups and a group session's pages have their own access tests (issue 16:
# tests/test_groups_admin.py, tests/test_huddle.py).
GROUP_ROUTES = ("care_group", "care_session", "care_closure")
OTHER_ROUTES = [(name, route) for name, route in ROUTES if "<int:participant_id>" not in route and "<int:pk>" not in route
                and not name.startswith(GROUP_ROUTES) and "<int:session_id>" not in route]


def test_the_routes_were_found():
    names = {name for name, _ in ROUTES}
    assert {"care_caseload", "care_participant", "care_summary", "care_export_csv", "care_goal_edit",
            "api-care-caseload", "api-care-overview", "api-care-export", "api-care-checkins",
            "api-care-tasks-detail", "care_scores", "api-care-responses", "api-care-questionnaires"} <= names
    assert {name for name, _ in OTHER_ROUTES} == {"care_caseload", "care_audit", "care_audit_csv", "api-care-caseload",
                                                  "care_invitations", "care_settings", "care_program_settings",
                                                  *QUESTIONNAIRE_SETTINGS, "care_urgent", *PROGRAM_OUTCOMES,
                                                  "care_aftercare", "care_checkup_settings"}  # issue 18


def test_every_care_path_in_the_schema_is_a_route_here(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    documented = {path for path in schema["paths"] if path.startswith("/api/v1/care/")}
    routed = {"/" + route.replace("<int:participant_id>", "{participant_id}").replace("<uuid:entry_id>", "{entry_id}")
              .replace("<int:session_id>", "{session_id}").replace("<int:episode_id>", "{episode_id}")
              for _, route in care_routes() if route.startswith("api/")}
    assert documented == routed
    assert len(documented) >= 12


@pytest.fixture
def world(now, program, carol, bob, alice):
    """bob is on carol's team. erin is in carol's program, not on bob's team; frank is in another."""
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    frank = Counselor.objects.create(user=make_user("frank"), program=Program.objects.create(name="Elsewhere"))
    carol.is_program_admin = True
    carol.save()
    goal = services.goal_put(participant=bob, id=uuid.uuid4(), actor=carol.user, data={"title": "Walk daily"}).entry
    task = services.task_put(participant=bob, id=uuid.uuid4(), actor=carol.user,
                             data={"title": "Walk Monday", "goal": goal}).entry
    services.safety_plan_save(participant=bob, id=uuid.uuid4(), author=bob.user, data={"reasons": ["My dog"]})
    services.checkin_put(participant=bob, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 17), "stress": 3})
    # Issue 17: answered questionnaires, so the scores page and API have something to show.
    measures_data.phq9(bob, 16, at=dt.datetime(2026, 11, 17, 18, tzinfo=dt.UTC), intake=True)
    measures_data.bam(bob, at=dt.datetime(2026, 11, 16, 18, tzinfo=dt.UTC), risk=12)
    medication = services.medication_put(participant=bob, id=uuid.uuid4(), actor=carol.user,
                                         data={"name": "Naltrexone", "times": ["08:00"]}).entry
    return {"bob": bob, "goal": goal, "task": task, "medication": medication, "episode": bob.open_episode,
            "personas": {
        "team": carol.user, "same_program": erin.user, "other_program": frank.user, "participant": alice.user}}


# Issue 18: the program's outcomes, for its admins only (a read or export row about the program).
PROGRAM_OUTCOMES = ("care_program", "care_program_csv", "api-care-program-outcomes")

# Issue 17: the program's questionnaire schedules, for its admins only (read: no row, as settings).
QUESTIONNAIRE_SETTINGS = ("care_questionnaire_settings", "api-care-program-questionnaire-schedules")


def url_for(route, participant_id, world):
    entry = world["task"] if "task" in route else world["medication"] if "medication" in route else world["goal"]
    return "/" + (route.replace("<int:participant_id>", str(participant_id))
                  .replace("<uuid:entry_id>", str(entry.pk)).replace("<int:number>", "1")
                  .replace("<int:episode_id>", str(world["episode"].pk)))


def methods_for(name):
    """What each route answers: the POST-only actions, PUT/DELETE on entries, GET for the rest."""
    if name in ("care_acknowledge", "care_task_done", "api-care-acknowledgements", "care_aftercare_acknowledge",
                "care_goal_review_date"):
        return ["post"]
    # Issue 18, episodes of care.
    if name.startswith("care_episode_") or name in ("api-care-episodes-level", "api-care-episodes-discharge"):
        return ["post"]
    if name == "api-care-episodes":
        return ["get", "post"]
    if name == "api-care-episodes-detail":
        return ["get", "patch"]
    if name.startswith("api-care-") and name.endswith("-detail"):
        return ["get", "put", "delete"]
    if name in ("care_goal_new", "care_goal_edit", "care_task_new", "care_task_edit",
                "care_participant_questionnaires", "care_medication_new", "care_medication_edit",
                "care_aftercare_plan", "care_reviews", "api-care-reviews"):  # issue 18: these are posted
        return ["get", "post"]
    if name in ("api-care-questionnaire-schedules", "api-care-aftercare-plan"):  # issues 17, 18
        return ["get", "put"]
    return ["get"]


def signed_in(user):
    client = Client()
    verified_login(client, user)
    return client


def new_rows(before):
    return list(AuditEvent.objects.filter(pk__gt=before).order_by("pk"))


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def call(client, method, url):
    body = {"title": "changed"} if method in ("put", "post", "patch") else None
    if url.startswith("/api/"):
        return getattr(client, method)(url, body, content_type="application/json") if body else getattr(client, method)(url)
    return getattr(client, method)(url, body or {}) if method == "post" else getattr(client, method)(url)


@pytest.mark.parametrize(("name", "route"), PARTICIPANT_ROUTES, ids=[name for name, _ in PARTICIPANT_ROUTES])
def test_only_the_care_team_gets_in(name, route, world):
    bob = world["bob"]
    url = url_for(route, bob.pk, world)
    missing_url = url_for(route, 999999, world)
    goal_before, task_before = Goal.objects.get(pk=world["goal"].pk), Task.objects.get(pk=world["task"].pk)

    for method in methods_for(name):
        # Nobody signed in: sent to sign in (pages) or refused (API); no row, nothing changed.
        before = last_pk()
        response = call(Client(), method, url)
        assert response.status_code in ((401, 403) if url.startswith("/api/") else (302,)), (method, url)
        assert new_rows(before) == []

        # Signed in but not on the team: the 404 of an id that names nobody, and a denied row.
        team = signed_in(world["personas"]["team"])
        missing = call(team, method, missing_url)
        assert missing.status_code == 404
        for persona in ("same_program", "other_program", "participant"):
            user = world["personas"][persona]
            before = last_pk()
            response = call(signed_in(user), method, url)
            assert response.status_code == 404, (persona, method, url, response.status_code)
            assert response.content == missing.content, (persona, method, url)
            rows = new_rows(before)
            assert [(r.action, r.actor_id, r.participant_id) for r in rows] == [("denied", user.pk, bob.pk)], (persona, method)
            assert rows[0].path == url and rows[0].ip == "127.0.0.1" and rows[0].request_id

    assert Goal.objects.get(pk=world["goal"].pk).title == goal_before.title == "Walk daily"
    assert Task.objects.get(pk=world["task"].pk).title == task_before.title

    # The care team's counselor reads it, leaving exactly one row.
    if "get" in methods_for(name):
        before = last_pk()
        response = signed_in(world["personas"]["team"]).get(url)
        assert response.status_code == 200, (url, response.status_code)
        rows = new_rows(before)
        assert len(rows) == 1, [(r.action, r.resource) for r in rows]
        assert rows[0].action in ("read", "export") and rows[0].participant_id == bob.pk
        assert rows[0].actor_id == world["personas"]["team"].pk and rows[0].program_id == bob.program_id


@pytest.mark.parametrize(("name", "route"), OTHER_ROUTES, ids=[name for name, _ in OTHER_ROUTES])
def test_lists_without_a_participant_id(name, route, world):
    url = "/" + route
    admin_only = name in ("care_audit", "care_audit_csv", "care_program_settings",
                          *QUESTIONNAIRE_SETTINGS, "care_urgent", "care_checkup_settings", *PROGRAM_OUTCOMES)   # the program's admin only (carol)
    allowed = {"team"} if admin_only else {"team", "same_program", "other_program"}
    action = "export" if name in ("care_audit_csv", "care_program_csv") else "read"
    for persona, user in world["personas"].items():
        before = last_pk()
        response = signed_in(user).get(url)
        rows = new_rows(before)
        if persona in allowed:
            assert response.status_code == 200, (persona, url)
            # Settings (the counselor's own, the program's) are not participant data: no row for
            # reading them (a change of the program's is written down).
            settings_pages = ("care_settings", "care_program_settings", *QUESTIONNAIRE_SETTINGS, "care_checkup_settings")
            assert [r.action for r in rows] == ([] if name in settings_pages else [action])
        else:
            assert response.status_code == 404, (persona, url)
            assert [(r.action, r.actor_id) for r in rows] == [("denied", user.pk)]
    before = last_pk()
    assert Client().get(url).status_code in (302, 401, 403)
    assert new_rows(before) == []


def test_the_caseload_row_names_who_was_shown(world, carol, alice):
    signed_in(carol.user).get("/care/")
    row = AuditEvent.objects.order_by("-pk").first()
    assert row.resource == "caseload" and row.participant_id is None
    assert set(row.participants_shown.strip(",").split(",")) == {str(world["bob"].pk), str(alice.pk)}


def test_the_caseload_lists_exactly_the_care_team_on_the_page_and_in_the_api(world, carol, alice, program):
    # gina is in carol's program but on erin's team only: carol must not see her listed.
    erin = Counselor.objects.get(user__username="erin")
    gina = Participant.objects.create(user=make_user("gina"), program=program, time_zone="America/Chicago")
    gina.care_team.add(erin)
    team = {alice.pk, world["bob"].pk}
    page = signed_in(carol.user).get("/care/").content.decode()
    assert {int(pk) for pk in re.findall(r'href="/care/participants/(\d+)/"', page)} == team
    api = signed_in(carol.user).get("/api/v1/care/caseload/").json()
    assert sorted(row["participant_id"] for row in api) == sorted(team)
    # ... and erin sees gina alone.
    assert [row["participant_id"] for row in signed_in(erin.user).get("/api/v1/care/caseload/").json()] == [gina.pk]
    erins_page = signed_in(erin.user).get("/care/").content.decode()
    assert {int(pk) for pk in re.findall(r'href="/care/participants/(\d+)/"', erins_page)} == {gina.pk}


@pytest.mark.parametrize("kind", ["goals", "tasks"])
def test_a_counselors_delete_through_the_care_api_writes_exactly_one_write_row(world, carol, kind):
    bob, entry = world["bob"], world["goal" if kind == "goals" else "task"]
    before = last_pk()
    response = signed_in(carol.user).delete(f"/api/v1/care/participants/{bob.pk}/{kind}/{entry.pk}/")
    assert response.status_code == 204
    assert not type(entry).objects.filter(pk=entry.pk).exists()
    rows = new_rows(before)
    assert [(r.action, r.resource, r.participant_id, r.object_id, r.actor_id) for r in rows] == [
        ("write", kind, bob.pk, str(entry.pk), carol.user.pk)]
