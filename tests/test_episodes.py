"""Episodes of care (issue 18) in the domain and the API: admit, change level, update the plan,
discharge with every kind, come back; one open episode at most (a race included); dates in
order; group memberships end at the discharge; the level of care read from the open episode;
the migration that gave everyone here an open episode; the read-only record after discharge;
the participant's own plain-words list; an audit row for every route."""

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.query import QuerySet
from rest_framework.test import APIClient

from groups import join, make_group, mark, session_at
from people import admitted, make_user
from signin import verified_login
from tracker import episodes, schedule, services
from tracker.models import (
    Attendance,
    AuditEvent,
    Counselor,
    Episode,
    GroupMembership,
    LevelChange,
    Participant,
    Program,
)

TODAY = dt.date(2026, 11, 18)  # NOW's date in Los Angeles (bob)


@pytest.fixture
def carol_api(carol):
    return verified_login(APIClient(), carol.user)


def base(bob):
    return f"/api/v1/care/participants/{bob.pk}/episodes/"


def rows_since(pk):
    return list(AuditEvent.objects.filter(pk__gt=pk).order_by("pk").values_list("action", "resource", "participant_id"))


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("kind", Episode.Discharge.values)
def test_the_lifecycle_with_every_kind_of_discharge(now, carol_api, carol, bob, kind):
    url = base(bob)
    episode = bob.open_episode
    # Already in the program: a second admission is refused, next to the date.
    refused = carol_api.post(url, {"admitted_on": "2026-11-18", "level_of_care": "iop"}, format="json")
    assert refused.status_code == 400 and "admitted_on" in refused.json()

    stepped = carol_api.post(f"{url}{episode.pk}/level/", {"level_of_care": "op", "changed_on": "2026-11-18",
                                                           "note": "Doing well"}, format="json")
    assert stepped.status_code == 200, stepped.json()
    assert [c["level_of_care"] for c in stepped.json()["level_changes"]] == ["iop", "op"]
    assert Participant.objects.get(pk=bob.pk).level_of_care == "op"

    planned = carol_api.patch(f"{url}{episode.pk}/", {"next_review_on": "2026-12-02", "counselor": carol.pk},
                              format="json")
    assert planned.status_code == 200, planned.json()
    assert planned.json()["next_review_on"] == "2026-12-02" and planned.json()["counselor"] == carol.pk

    ended = carol_api.post(f"{url}{episode.pk}/discharge/", {"discharged_on": "2026-11-18", "discharge_type": kind,
                                                             "note": "Team note"}, format="json")
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["discharge_type"], ended.json()["discharged_on"], ended.json()["is_open"]) == (
        kind, "2026-11-18", False)
    bob = Participant.objects.get(pk=bob.pk)
    assert bob.level_of_care is None and bob.in_aftercare

    # Back again: a new episode; the old one and its levels stay as they were.
    back = carol_api.post(url, {"admitted_on": "2026-11-18", "level_of_care": "php", "counselor": carol.pk},
                          format="json")
    assert back.status_code == 201, back.json()
    listed = carol_api.get(url).json()
    assert [(e["is_open"], e["level_of_care"], e["discharge_type"]) for e in listed] == [
        (True, "php", ""), (False, "op", kind)]
    assert [c["level_of_care"] for c in listed[1]["level_changes"]] == ["iop", "op"]
    assert listed[1]["discharge_note"] == "Team note"
    bob = Participant.objects.get(pk=bob.pk)
    assert bob.level_of_care == "php" and not bob.in_aftercare


def test_every_route_leaves_one_audit_row(now, carol_api, carol, bob):
    url = base(bob)
    episode = bob.open_episode
    calls = [
        ("get", url, None, "read"),
        ("get", f"{url}{episode.pk}/", None, "read"),
        ("post", f"{url}{episode.pk}/level/", {"level_of_care": "op", "changed_on": "2026-11-18"}, "write"),
        ("patch", f"{url}{episode.pk}/", {"next_review_on": "2026-12-01"}, "write"),
        ("post", f"{url}{episode.pk}/discharge/", {"discharged_on": "2026-11-18", "discharge_type": "completed"},
         "write"),
        ("post", url, {"admitted_on": "2026-11-18", "level_of_care": "iop"}, "write"),
    ]
    for method, path, body, action in calls:
        before = last_pk()
        response = getattr(carol_api, method)(path, body, format="json") if body else getattr(carol_api, method)(path)
        assert response.status_code < 300, (path, response.content)
        assert rows_since(before) == [(action, "episode", bob.pk)], (method, path)
    # A refused write (a field error) leaves nothing written and no write row.
    before = last_pk()
    assert carol_api.post(f"{url}{Participant.objects.get(pk=bob.pk).open_episode.pk}/discharge/",
                          {"discharged_on": "2026-11-01", "discharge_type": "completed"},
                          format="json").status_code == 400
    assert [row[0] for row in rows_since(before)] == []


def test_no_two_open_episodes(now, carol, bob):
    with pytest.raises(ValidationError) as refused:
        episodes.admit(participant=bob, admitted_on=TODAY, level_of_care="iop", counselor=carol, actor=carol.user)
    assert "admitted_on" in refused.value.message_dict
    # The database holds the line too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(participant=bob, program=bob.program, admitted_on=TODAY)


def test_an_admission_that_races_past_the_check_meets_the_unique_constraint(now, carol, bob, monkeypatch):
    """As if another admission had committed between the check and the insert: the constraint
    refuses it, and the answer is a field error, not a 500."""
    episodes.discharge(episode=bob.open_episode, discharged_on=TODAY, discharge_type="completed")
    other = admitted(bob, carol, on=TODAY)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # the check sees nothing open
    with pytest.raises(ValidationError) as refused:
        episodes.admit(participant=bob, admitted_on=TODAY, level_of_care="iop", counselor=carol, actor=carol.user)
    monkeypatch.undo()
    assert "admitted_on" in refused.value.message_dict
    assert list(Episode.objects.filter(participant=bob, discharged_on__isnull=True)) == [other]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admissions_at_once_open_one_episode():
    program = Program.objects.create(name="Riverside IOP")
    carol = Counselor.objects.create(user=make_user("carol"), program=program)
    bob = Participant.objects.create(user=make_user("bob"), program=program, time_zone="America/Los_Angeles")
    today = bob.local_today()
    start = threading.Barrier(2)
    outcomes = []

    def admit():
        try:
            start.wait(timeout=10)
            episodes.admit(participant=Participant.objects.get(pk=bob.pk), admitted_on=today, level_of_care="iop",
                           counselor=carol, actor=carol.user)
            outcomes.append("admitted")
        except ValidationError as error:
            outcomes.append(sorted(error.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=admit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == [["admitted_on"], "admitted"]
    assert Episode.objects.filter(participant=bob).count() == 1


def test_a_discharge_before_the_admission_is_refused(now, carol_api, bob):
    episode = bob.open_episode
    response = carol_api.post(f"{base(bob)}{episode.pk}/discharge/", {
        "discharged_on": "2026-11-17", "discharge_type": "completed"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["discharged_on"]
    assert Episode.objects.get(pk=episode.pk).discharged_on is None
    with pytest.raises(ValidationError) as refused:
        episodes.discharge(episode=episode, discharged_on=TODAY - dt.timedelta(days=1), discharge_type="completed")
    assert "discharged_on" in refused.value.message_dict


def test_bad_bodies_are_field_errors_and_nothing_is_saved(now, carol_api, bob, program):
    url = base(bob)
    episode = bob.open_episode
    elsewhere = Counselor.objects.create(user=make_user("frank"), program=Program.objects.create(name="Elsewhere"))
    cases = [
        (f"{url}{episode.pk}/level/", {"level_of_care": "inpatient", "changed_on": "2026-11-18"}, "level_of_care"),
        (f"{url}{episode.pk}/level/", {"level_of_care": "iop", "changed_on": "2026-11-18"}, "level_of_care"),
        (f"{url}{episode.pk}/level/", {"level_of_care": "op", "changed_on": "2026-11-17"}, "changed_on"),
        (f"{url}{episode.pk}/level/", {"level_of_care": "op", "changed_on": "soon"}, "changed_on"),
        (f"{url}{episode.pk}/discharge/", {"discharged_on": "2026-11-18", "discharge_type": "fired"},
         "discharge_type"),
        (f"{url}{episode.pk}/discharge/", {"discharged_on": "2027-03-01", "discharge_type": "completed"},
         "discharged_on"),
        (f"{url}{episode.pk}/discharge/", {"discharged_on": "2026-11-18", "discharge_type": "completed",
                                           "reason": "x"}, "reason"),
    ]
    for path, body, field in cases:
        response = carol_api.post(path, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    response = carol_api.patch(f"{url}{episode.pk}/", {"counselor": elsewhere.pk}, format="json")
    assert response.status_code == 400 and "counselor" in response.json()
    episode.refresh_from_db()
    assert (episode.level_of_care, episode.discharged_on, episode.counselor_id) == ("iop", None, episode.counselor_id)
    assert LevelChange.objects.filter(episode=episode).count() == 1
    assert carol_api.get(f"{url}999999/").status_code == 404


def test_a_discharge_ends_memberships_from_that_day_and_keeps_past_attendance(now, carol, bob, program):
    evening = make_group(program, "Evening")
    morning = make_group(program, "Morning")
    weekend = make_group(program, "Weekend")
    join(evening, bob, on=dt.date(2026, 1, 1))
    GroupMembership.objects.create(group=morning, participant=bob, joined_on=dt.date(2026, 1, 1),
                                   left_on=dt.date(2026, 12, 31))
    GroupMembership.objects.create(group=weekend, participant=bob, joined_on=dt.date(2026, 11, 21))
    earlier = GroupMembership.objects.create(group=make_group(program, "Old"), participant=bob,
                                             joined_on=dt.date(2026, 1, 1), left_on=dt.date(2026, 6, 30))
    past = session_at(evening, dt.datetime(2026, 11, 16, 2, tzinfo=dt.UTC))
    attendance = mark(past, bob, Attendance.Status.PRESENT, minutes=180, by=carol.user)
    before = Attendance.objects.filter(pk=attendance.pk).values().get()

    episodes.discharge(episode=bob.open_episode, discharged_on=TODAY, discharge_type="stepped_down")

    left = dict(GroupMembership.objects.filter(participant=bob).values_list("group__name", "left_on"))
    assert left == {"Evening": TODAY, "Morning": TODAY, "Old": dt.date(2026, 6, 30)}  # Weekend had not begun
    assert GroupMembership.objects.get(pk=earlier.pk).left_on == dt.date(2026, 6, 30)
    assert Attendance.objects.filter(pk=attendance.pk).values().get() == before


def test_the_level_of_care_and_the_group_hours_target_follow_the_open_episode(now, carol, bob, program):
    program.group_hours_targets = {"iop": 9, "op": 3}
    program.save()
    monday = dt.date(2026, 11, 16)

    def target():
        fresh = Participant.objects.get(pk=bob.pk)
        return fresh.level_of_care, schedule.group_hours([fresh], program, monday)[bob.pk].target

    assert target() == ("iop", 9)
    episodes.change_level(episode=bob.open_episode, level_of_care="op", changed_on=TODAY, actor=carol.user)
    assert target() == ("op", 3)
    episodes.discharge(episode=Participant.objects.get(pk=bob.pk).open_episode, discharged_on=TODAY,
                       discharge_type="completed")
    assert target() == (None, None)


def test_after_discharge_the_care_team_reads_but_cannot_write(now, carol_api, carol, bob):
    goal = services.goal_put(participant=bob, id=uuid.uuid4(), actor=carol.user, data={"title": "Walk"}).entry
    episode = bob.open_episode
    episodes.discharge(episode=episode, discharged_on=TODAY, discharge_type="completed")
    care = f"/api/v1/care/participants/{bob.pk}"
    writes = [
        ("put", f"{care}/goals/{goal.pk}/", {"title": "Run"}, "goals"),
        ("put", f"{care}/tasks/{uuid.uuid4()}/", {"title": "Stretch"}, "tasks"),
        ("put", f"{care}/medications/{uuid.uuid4()}/", {"name": "Naltrexone", "times": ["08:00"]}, "medications"),
        ("post", f"{care}/acknowledgements/", {"flag": "silent", "evidence": "x"}, "acknowledgement"),
        ("put", f"{care}/questionnaire-schedules/", {"schedules": []}, "questionnaire-schedule"),
        ("post", f"{care}/episodes/{episode.pk}/level/", {"level_of_care": "op", "changed_on": "2026-11-18"},
         "episode"),
        ("patch", f"{care}/episodes/{episode.pk}/", {"next_review_on": "2026-12-01"}, "episode"),
    ]
    for method, path, body, resource in writes:
        before = last_pk()
        response = getattr(carol_api, method)(path, body, format="json")
        assert response.status_code == 403, (path, response.content)
        assert "discharged" in response.json()["detail"] and "read-only" in response.json()["detail"]
        assert rows_since(before) == [("denied", resource, bob.pk)], path
    goal.refresh_from_db()
    assert goal.title == "Walk"
    before = last_pk()
    assert carol_api.get(f"{care}/goals/").status_code == 200
    assert rows_since(before) == [("read", "goals", bob.pk)]


def test_the_participant_reads_their_own_episodes_in_plain_words(now, carol, bob, bob_api):
    episodes.change_level(episode=bob.open_episode, level_of_care="op", changed_on=TODAY, actor=carol.user)
    episodes.discharge(episode=Participant.objects.get(pk=bob.pk).open_episode, discharged_on=TODAY,
                       discharge_type="patient_directed", note="Left against advice")
    episodes.admit(participant=bob, admitted_on=TODAY, level_of_care="iop", counselor=carol, actor=carol.user)
    response = bob_api.get("/api/v1/me/episodes/")
    assert response.status_code == 200
    stays = response.json()
    assert [(s["joined_on"], s["came_back"], s["ended_on"], s["current"]) for s in stays] == [
        ("2026-11-18", True, None, True), ("2026-11-18", False, "2026-11-18", False)]
    assert set(stays[0]) == {"joined_on", "came_back", "ended_on", "current", "levels"}
    assert stays[1]["levels"][1] == {"since": "2026-11-18",
                                     "level_of_care": "Outpatient: a session or two a week"}
    text = response.content.decode()
    for word in ("patient_directed", "Patient-directed", "Left against advice", "discharge"):
        assert word not in text
    # Counselors are not participants.
    assert verified_login(APIClient(), carol.user).get("/api/v1/me/episodes/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_everyone_here_one_open_episode():
    """From 0012 (level of care on the participant) to 0015: one open episode each, at that
    level, admitted the day they joined in their zone, with their first counselor."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("tracker", "0012_measurement_based_care")])
    executor.loader.build_graph()
    old = executor.loader.project_state([("tracker", "0012_measurement_based_care")]).apps
    program = old.get_model("tracker", "Program").objects.create(name="Riverside IOP")
    user_model = old.get_model("auth", "User")
    counselor = old.get_model("tracker", "Counselor").objects.create(
        user=user_model.objects.create(username="carol"), program=program)
    person = old.get_model("tracker", "Participant").objects.create(
        user=user_model.objects.create(username="pat"), program=program, time_zone="America/Los_Angeles",
        level_of_care="php")
    person.care_team.add(counselor)
    type(person).objects.filter(pk=person.pk).update(created_at=dt.datetime(2026, 3, 4, 5, tzinfo=dt.UTC))
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("tracker", "0015_level_of_care_from_episode")])
        new = MigrationExecutor(connection).loader.project_state([("tracker", "0015_level_of_care_from_episode")]).apps
        episode = new.get_model("tracker", "Episode").objects.get(participant_id=person.pk)
        assert (episode.admitted_on, episode.level_of_care, episode.discharged_on, episode.counselor_id) == (
            dt.date(2026, 3, 3), "php", None, counselor.pk)  # 05:00 UTC is still 3 March in Los Angeles
        assert list(new.get_model("tracker", "LevelChange").objects.filter(episode=episode).values_list(
            "level_of_care", "changed_on")) == [("php", dt.date(2026, 3, 3))]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_discharged_person_is_not_added_to_a_group(now, bob, program):
    episodes.discharge(episode=bob.open_episode, discharged_on=TODAY, discharge_type="completed")
    with pytest.raises(ValidationError) as refused:
        schedule.membership_add(request=None, group=make_group(program), participant=Participant.objects.get(pk=bob.pk),
                                joined_on=TODAY)
    assert "participant" in refused.value.message_dict
    assert not GroupMembership.objects.filter(participant=bob).exists()
