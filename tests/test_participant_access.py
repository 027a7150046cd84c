"""Alice can never see or change Bob's entries: every URL that takes an entry id answers 404,
exactly as it does for an id that does not exist. The routes are read from the URL conf, so a
new one is covered without editing this file."""

import datetime as dt
import uuid

import pytest

from signin import verified_login
from django.urls import URLPattern, URLResolver, get_resolver

from tracker import accounts, services
from tracker.models import (
    AbsenceNotice,
    CheckIn,
    Checkup,
    CheckupAnswer,
    Group,
    GroupMembership,
    GroupSession,
    Goal,
    HighRiskTime,
    Medication,
    Questionnaire,
    QuestionnaireResponse,
    SafetyAnswer,
    SafetyPlanVersion,
    TalkRequest,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)


def entry_routes():
    """(name, route, default kwargs) of every URL pattern that takes an entry_id."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and "entry_id" in pattern.pattern.converters:
                # Counselors' routes (with a participant id) have their own test.
                if "participant_id" not in pattern.pattern.converters:
                    yield pattern.name, prefix + str(pattern.pattern), pattern.default_args

    return list(walk(get_resolver().url_patterns))


ROUTES = entry_routes()


def test_the_routes_were_found():
    names = {name for name, _, _ in ROUTES}
    assert {"checkin_edit", "urge_delete", "api-reflections-detail", "api-urges-detail", "task_done",
            "api-safety-plan-version", "api-weekend-review", "highrisk_edit", "api-responses-detail"} <= names


@pytest.fixture
def bobs_entries(bob, alice, now):
    goal = services.goal_put(participant=bob, id=uuid.uuid4(), actor=bob.user, data={"title": "mine"}).entry
    # A group both belong to: Alice's PUT of Bob's notice id names a session of her own.
    group = Group.objects.create(program=bob.program, name="Evening", weekdays=[3], start_time=dt.time(18),
                                 active_from=dt.date(2026, 1, 1))
    for member in (alice, bob):
        GroupMembership.objects.create(group=group, participant=member, joined_on=dt.date(2026, 1, 1))
    session = GroupSession.objects.create(group=group, starts_at=dt.datetime(2026, 11, 19, 23, tzinfo=dt.UTC),
                                          ends_at=dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC))
    accounts.notice_acknowledge(participant=bob)  # questionnaires wait for the current notice
    questionnaire = Questionnaire.objects.create(participant=bob, instrument="phq9", due_on=dt.date(2026, 11, 18),
                                                 opens_at=dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC),
                                                 closes_at=dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC))
    # Issue 18: a check-up of Bob's (his open episode stands in for the one he was discharged from).
    checkup = Checkup.objects.create(participant=bob, episode=bob.open_episode, due_on=dt.date(2026, 11, 18),
                                     opens_at=dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC),
                                     closes_at=dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC), items=[])
    return {
        CheckupAnswer: services.checkup_answer_put(participant=bob, id=uuid.uuid4(), data={
            "checkup": checkup, "answers": {}, "wants_talk": True}).entry,
        CheckIn: services.checkin_put(participant=bob, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 17), "stress": 4}).entry,
        Urge: services.urge_put(participant=bob, id=uuid.uuid4(), data={
            "occurred_at": dt.datetime(2026, 11, 17, 20, 0, tzinfo=dt.UTC), "intensity": 6}).entry,
        WeeklyReflection: services.reflection_put(participant=bob, id=uuid.uuid4(), data={
            "week_start": dt.date(2026, 11, 16), "wins": ["mine"]}).entry,
        WeekendPlan: services.weekend_plan_put(participant=bob, id=uuid.uuid4(), data={
            "weekend_of": dt.date(2026, 11, 13), "saturday": "mine"}).entry,
        Goal: goal,
        Task: services.task_put(participant=bob, id=uuid.uuid4(), actor=bob.user, data={"title": "mine", "goal": goal}).entry,
        HighRiskTime: services.high_risk_time_put(participant=bob, id=uuid.uuid4(), data={
            "label": "mine", "weekdays": [4], "start_time": dt.time(17), "end_time": dt.time(20)}).entry,
        SafetyPlanVersion: services.safety_plan_save(participant=bob, id=uuid.uuid4(), author=bob.user,
                                                     data={"reasons": ["mine"]}).entry,
        TalkRequest: services.talk_request_put(participant=bob, id=uuid.uuid4(), data={"source": "today"}).entry,
        SafetyAnswer: services.safety_answer_put(participant=bob, id=uuid.uuid4(), data={
            "response_id": uuid.uuid4(), "instrument": "phq9", "version": "1", "item": "9", "value": 1,
            "answered_at": dt.datetime(2026, 11, 18, 16, 0, tzinfo=dt.UTC)}).entry,
        AbsenceNotice: services.absence_notice_put(participant=bob, id=uuid.uuid4(), data={
            "session": session, "reason": "used", "words": "mine"}).entry,
        QuestionnaireResponse: services.response_put(participant=bob, id=uuid.uuid4(), data={
            "questionnaire": questionnaire, "instrument": "phq9", "version": "1", "answers": {"1": 2},
            "complete": False}).entry,
        Medication: services.medication_put(participant=bob, id=uuid.uuid4(), data={
            "name": "mine", "times": ["08:00"]}).entry,
    }


ROUTE_MODELS = [("checkin", CheckIn), ("urge", Urge), ("reflection", WeeklyReflection), ("weekend", WeekendPlan),
                ("goal", Goal), ("task", Task), ("highrisk", HighRiskTime), ("high-risk", HighRiskTime),
                ("safety-plan", SafetyPlanVersion), ("talk", TalkRequest), ("notices", AbsenceNotice),
                ("safety-answers", SafetyAnswer), ("responses", QuestionnaireResponse),
                ("medications", Medication), ("checkup-answers", CheckupAnswer)]


def model_for(route):
    for fragment, model in ROUTE_MODELS:
        if fragment in route:
            return model
    raise AssertionError(f"no model for {route}: add it to ROUTE_MODELS and bobs_entries")


def path_for(route, entry_id):
    return "/" + route.replace("<uuid:entry_id>", str(entry_id))


BODIES = {
    CheckIn: {"date": "2026-11-17", "stress": 9},
    Urge: {"occurred_at": "2026-11-17T20:00:00Z", "intensity": 1},
    WeeklyReflection: {"week_start": "2026-11-16", "wins": ["not yours"]},
    WeekendPlan: {"weekend_of": "2026-11-13", "saturday": "not yours"},
    Goal: {"title": "not yours"},
    Task: {"title": "not yours"},
    HighRiskTime: {"weekdays": [1], "start_time": "10:00", "end_time": "11:00"},
    SafetyPlanVersion: {"reasons": ["not yours"]},
    TalkRequest: {"source": "support"},
    SafetyAnswer: {"response_id": "6c0a8b3e-4f0e-4a52-9d0e-2f1f6c1b7a10", "instrument": "phq9", "version": "1",
                   "item": "9", "value": 3, "answered_at": "2026-11-18T16:00:00Z"},
    AbsenceNotice: lambda notice: {"session": notice.session_id, "reason": "work"},
    QuestionnaireResponse: lambda response: {"questionnaire": response.questionnaire_id, "instrument": "phq9",
                                             "version": "1", "answers": {"1": 0}, "complete": False},
    Medication: {"name": "not yours", "times": ["09:00"]},
    CheckupAnswer: lambda answer: {"checkup": answer.checkup_id, "answers": {}, "wants_talk": False},
}


@pytest.mark.parametrize("name, route, defaults", ROUTES, ids=[r[0] for r in ROUTES])
def test_alice_gets_the_same_404_for_bobs_entry_as_for_a_missing_one(api, alice_client, bobs_entries, name, route, defaults):
    model = model_for(route)
    target = bobs_entries[model]
    before = {m: list(m.objects.values()) for m in bobs_entries}
    is_api = route.startswith("api/")
    client = api if is_api else alice_client
    methods = ["get", "put", "delete"] if is_api else ["get", "post"]
    statuses = set()
    body = BODIES[model](target) if callable(BODIES[model]) else BODIES[model]
    for method in methods:
        kwargs = {"format": "json", "data": body} if is_api and method == "put" else {}
        if not is_api and method == "post":
            kwargs = {"data": {k: v for k, v in body.items() if not isinstance(v, list)}}
        theirs = getattr(client, method)(path_for(route, target.pk), **kwargs)
        # A method the route does not take answers 405 for any id, Bob's or none.
        assert theirs.status_code in (404, 405), (method, route, theirs.status_code)
        statuses.add(theirs.status_code)
        if method != "put":  # a PUT to a fresh id would rightly create Alice's own entry
            missing = getattr(client, method)(path_for(route, uuid.uuid4()), **kwargs)
            assert (missing.status_code, missing.content) == (theirs.status_code, theirs.content)
    assert 404 in statuses
    assert {m: list(m.objects.values()) for m in bobs_entries} == before


def test_bobs_entries_never_show_in_alices_lists_or_pages(api, alice_client, bobs_entries):
    for plural in ("checkins", "urges", "reflections", "weekend-plans", "goals", "tasks", "high-risk-times",
                   "safety-plan/versions", "responses", "questionnaires", "medications", "checkups"):
        assert api.get(f"/api/v1/{plural}/").json()["count"] == 0
    assert api.get("/api/v1/safety-plan/").json()["number"] == 0
    # Issue 18: her own time in the program only (bob's episode is his).
    assert len(api.get("/api/v1/me/episodes/").json()) == 1
    assert api.get("/api/v1/progress/?days=90").json()["urge_count"] == 0
    passport = api.get("/api/v1/passport/").json()
    assert (passport["helpers_unranked"], passport["weekend_plan"], passport["high_risk_times"]) == ([], None, [])
    assert alice_client.get("/safety-plan/versions/1/").status_code == 404
    for page in ("/", "/history/", "/safety-plan/", "/tasks/", "/progress/?days=90", "/patterns/", "/weekend/",
                 "/settings/medications/", "/checkin/", "/passport/", "/program/"):
        html = alice_client.get(page, follow=True).text
        assert not any(str(entry.pk) in html for entry in bobs_entries.values()), page
        assert "mine" not in html, page


def test_anonymous_api_calls_are_refused(client, bobs_entries):
    assert client.get("/api/v1/checkins/").status_code in (401, 403)
    assert client.get(f"/api/v1/urges/{bobs_entries[Urge].pk}/").status_code in (401, 403)


def test_staff_without_a_participant_record_get_no_entries(client, dave, bobs_entries):
    verified_login(client, dave)
    response = client.get("/api/v1/checkins/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only participants have entries."


def test_alice_cannot_hang_her_task_on_bobs_goal(api, bobs_entries):
    response = api.put(f"/api/v1/tasks/{uuid.uuid4()}/", {"title": "x", "goal": str(bobs_entries[Goal].pk)}, format="json")
    assert response.status_code == 400
    assert "goal" in response.json()
    assert Task.objects.filter(title="x").count() == 0
