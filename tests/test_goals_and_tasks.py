"""Goals and tasks, written by the participant or by a counselor on their care team."""

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from people import make_user
from signin import verified_login
from tracker import services
from tracker.models import Counselor, Goal, Program, Task


@pytest.fixture
def carol_api(carol):
    client = APIClient()
    verified_login(client, carol.user)
    return client


@pytest.fixture
def erin_api(program):
    """A counselor in the same program who is not on Alice's care team."""
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    client = APIClient()
    verified_login(client, erin.user)
    return client


@pytest.fixture
def frank_api(db):
    """A counselor of another program."""
    frank = Counselor.objects.create(user=make_user("frank"), program=Program.objects.create(name="Elsewhere"))
    client = APIClient()
    verified_login(client, frank.user)
    return client


def test_a_participant_writes_a_goal_and_a_task_for_it(api, alice, now):
    goal = api.put(f"/api/v1/goals/{uuid.uuid4()}/", {"title": "A new morning routine", "why": "Calmer days"},
                   format="json").json()
    task = api.put(f"/api/v1/tasks/{uuid.uuid4()}/", {"title": "Alarm at 7", "due_date": "2026-11-19",
                                                      "goal": goal["id"]}, format="json")
    assert task.status_code == 201
    assert Task.objects.get().goal_id == uuid.UUID(goal["id"])
    assert Goal.objects.get().created_by == alice.user


def test_a_counselor_on_the_care_team_sets_goals_and_tasks(carol_api, carol, alice, now):
    base = f"/api/v1/care/participants/{alice.pk}"
    goal_id = uuid.uuid4()
    assert carol_api.put(f"{base}/goals/{goal_id}/", {"title": "Fewer triggers at home"}, format="json").status_code == 201
    response = carol_api.put(f"{base}/tasks/{uuid.uuid4()}/", {"title": "Write down three urges", "goal": str(goal_id)},
                             format="json")
    assert response.status_code == 201
    assert Goal.objects.get(pk=goal_id).created_by == carol.user
    assert Task.objects.get().participant == alice
    assert carol_api.get(f"{base}/tasks/").json()["count"] == 1


@pytest.mark.parametrize("who", ["erin_api", "frank_api", "api"])
def test_nobody_else_can_write_or_read_a_participants_goals(request, alice, now, who):
    client = request.getfixturevalue(who)
    services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": "mine"})
    base = f"/api/v1/care/participants/{alice.pk}"
    missing = "/api/v1/care/participants/999999"
    for path in (base, missing):
        assert client.put(f"{path}/goals/{uuid.uuid4()}/", {"title": "x"}, format="json").status_code == 404
        assert client.get(f"{path}/goals/").status_code == 404
    assert Goal.objects.count() == 1


def test_today_shows_tasks_due_today_and_overdue_but_not_later_or_done(alice_client, alice, now):
    today = dt.date(2026, 11, 18)
    for title, due, done in [("due today", today, False), ("overdue", today - dt.timedelta(days=2), False),
                             ("later", today + dt.timedelta(days=1), False), ("done already", today, True),
                             ("no date", None, False)]:
        services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user,
                          data={"title": title, "due_date": due, "done": done})
    html = alice_client.get("/").text
    section = html.split("Tasks for today")[1].split("</section>")[0]
    assert "due today" in section and "overdue" in section
    assert "later" not in section and "done already" not in section and "no date" not in section


def test_marking_a_task_done_records_when(alice_client, alice, now):
    task = services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": "Call Ana"}).entry
    alice_client.post(f"/task/{task.pk}/done/", {"done": "1", "next": "/"})
    task.refresh_from_db()
    assert task.done and task.done_at == dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC)
    alice_client.post(f"/task/{task.pk}/done/", {"done": "0"})
    task.refresh_from_db()
    assert not task.done and task.done_at is None


def test_a_task_title_over_its_limit_is_a_400(api, alice, now):
    response = api.put(f"/api/v1/tasks/{uuid.uuid4()}/", {"title": "x" * 201}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Task.objects.exists()


def test_the_goals_page_lists_goals_with_their_tasks(alice_client, alice, now):
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": "Morning routine"}).entry
    services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": "Alarm at 7", "goal": goal})
    html = alice_client.get("/tasks/").text
    assert html.index("Morning routine") < html.index("Alarm at 7")
    form = alice_client.get(f"/task/?goal={goal.pk}").text
    assert f'<option value="{goal.pk}" selected>' in form
