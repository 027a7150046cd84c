"""Episodes of care on the pages (issue 18): the counselor's episode page and its forms (errors
next to the field, input kept; each write audited), the read-only record after discharge, and
the participant's own page in plain words (never the kind of discharge or the team's note)."""

import datetime as dt
import re
import uuid

import pytest

from tracker import episodes, services
from tracker.models import AuditEvent, Episode, Participant, Task

TODAY = dt.date(2026, 11, 18)


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_since(pk):
    return list(AuditEvent.objects.filter(pk__gt=pk).order_by("pk").values_list("action", "resource", "participant_id"))


def main(html):
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def page(bob):
    return f"/care/participants/{bob.pk}/episode/"


def test_the_episode_page_shows_the_open_episode_and_its_forms(now, carol_client, carol, bob):
    before = last_pk()
    response = carol_client.get(page(bob))
    assert response.status_code == 200
    html = response.text
    assert "In the program" in html and "Wed 18 Nov 2026" in html and "Intensive outpatient" in html
    assert f'action="{page(bob)}level/"' in html and f'action="{page(bob)}discharge/"' in html
    assert f'action="{page(bob)}admit/"' not in html  # one open episode at most
    assert rows_since(before) == [("read", "episode", bob.pk)]
    # The participant's pages link it.
    assert f'href="{page(bob)}"' in carol_client.get(f"/care/participants/{bob.pk}/").text


def test_changing_the_level_and_the_plan_on_the_page(now, carol_client, carol, bob):
    before = last_pk()
    response = carol_client.post(f"{page(bob)}level/", {"level-changed_on": "2026-11-18", "level-level_of_care": "op",
                                                        "level-note": "Steady for a month"})
    assert response.status_code == 302 and response.url == page(bob)
    assert rows_since(before) == [("write", "episode", bob.pk)]
    before = last_pk()
    response = carol_client.post(f"{page(bob)}plan/", {"plan-next_review_on": "2026-12-02", "plan-counselor": carol.pk})
    assert response.status_code == 302
    assert rows_since(before) == [("write", "episode", bob.pk)]
    episode = Episode.objects.get(participant=bob)
    assert (episode.level_of_care, episode.next_review_on, episode.counselor_id) == ("op", dt.date(2026, 12, 2),
                                                                                     carol.pk)
    html = carol_client.get(page(bob)).text
    assert "From 18 Nov 2026: Outpatient" in html and "Steady for a month" in html and "Wed 2 Dec 2026" in html


def test_a_discharge_before_the_admission_is_refused_next_to_the_date_with_the_input_kept(now, carol_client, bob):
    before = last_pk()
    response = carol_client.post(f"{page(bob)}discharge/", {
        "discharge-discharged_on": "2026-11-10", "discharge-discharge_type": "transferred",
        "discharge-note": "To the day program"})
    assert response.status_code == 200
    html = response.text
    error = re.search(r'<p class="error" id="id_discharge-discharged_on_error">([^<]*)</p>', html)
    assert error and "on or after the admission" in error.group(1)
    assert 'value="2026-11-10"' in html and "To the day program" in html
    assert re.search(r'value="transferred"[^>]*checked', html)
    assert Episode.objects.get(participant=bob).discharged_on is None
    assert [row[0] for row in rows_since(before)] == ["read"]  # nothing written


def test_a_discharge_goes_on_to_the_aftercare_plan_where_there_is_one(now, carol_client, carol, bob):
    before = last_pk()
    response = carol_client.post(f"{page(bob)}discharge/", {
        "discharge-discharged_on": "2026-11-18", "discharge-discharge_type": "completed",
        "discharge-note": "Finished strong"})
    assert response.status_code == 302
    assert response.url == f"/care/participants/{bob.pk}/aftercare/"  # on to the aftercare plan
    assert rows_since(before) == [("write", "episode", bob.pk)]
    episode = Episode.objects.get(participant=bob)
    assert (episode.discharged_on, episode.discharge_type, episode.discharge_note) == (
        TODAY, "completed", "Finished strong")
    html = carol_client.get(page(bob)).text
    assert "Discharged" in html and "Finished strong" in html and "Completed" in html
    assert f'action="{page(bob)}admit/"' in html and f'action="{page(bob)}level/"' not in html

    # Admitted again: a new episode, the old one kept.
    before = last_pk()
    response = carol_client.post(f"{page(bob)}admit/", {"admit-admitted_on": "2026-11-18",
                                                        "admit-level_of_care": "op", "admit-counselor": carol.pk})
    assert response.status_code == 302
    assert rows_since(before) == [("write", "episode", bob.pk)]
    assert sorted(Episode.objects.filter(participant=bob).values_list("level_of_care", "discharge_type")) == [
        ("iop", "completed"), ("op", "")]
    assert Participant.objects.get(pk=bob.pk).level_of_care == "op"


def test_an_admission_while_one_is_open_is_refused_on_the_page(now, carol_client, bob):
    response = carol_client.post(f"{page(bob)}admit/", {"admit-admitted_on": "2026-11-18",
                                                        "admit-level_of_care": "iop"})
    assert response.status_code == 200
    assert re.search(r'id="id_admit-admitted_on_error">[^<]*already in the program', response.text)
    assert Episode.objects.filter(participant=bob).count() == 1


@pytest.fixture
def discharged(now, carol, bob):
    goal = services.goal_put(participant=bob, id=uuid.uuid4(), actor=carol.user, data={"title": "Walk daily"}).entry
    task = services.task_put(participant=bob, id=uuid.uuid4(), actor=carol.user,
                             data={"title": "Walk Monday", "goal": goal}).entry
    episodes.discharge(episode=bob.open_episode, discharged_on=TODAY, discharge_type="stepped_down",
                       note="Moving to weekly sessions")
    return {"goal": goal, "task": task}


def test_after_discharge_the_pages_read_but_refuse_every_write(now, carol_client, bob, discharged):
    base = f"/care/participants/{bob.pk}"
    before = last_pk()
    goals = carol_client.get(f"{base}/goals/")
    assert goals.status_code == 200
    assert rows_since(before) == [("read", "goals", bob.pk)]
    html = goals.text
    assert "read-only" in html and "Walk daily" in html
    assert "Add a goal" not in html and "/done/" not in html and f"{base}/goal/" not in html
    assert "/review-date/" not in html and "Review the plan" not in html
    assert "Add a medication" not in carol_client.get(f"{base}/medications/").text
    assert '<form method="post" class="entry-form"' not in carol_client.get(f"{base}/questionnaires/schedule/").text

    writes = [
        ("post", f"{base}/task/{discharged['task'].pk}/done/", {"done": "1"}, "tasks"),
        ("post", f"{base}/goal/{discharged['goal'].pk}/", {"title": "Run", "status": "active"}, "goals"),
        ("get", f"{base}/goal/", None, "goals"),
        ("get", f"{base}/medications/new/", None, "medications"),
        ("post", f"{base}/medications/new/", {"name": "Naltrexone"}, "medications"),
        ("post", f"{base}/questionnaires/schedule/", {}, "questionnaire-schedule"),
        ("post", f"{base}/acknowledge/", {"flag": "silent"}, "acknowledgement"),
        ("post", f"{base}/goals/{discharged['goal'].pk}/review-date/", {"review_on": "2026-12-01"}, "goals"),
        ("post", f"{base}/reviews/", {"reviewed_on": "2026-11-18", "note": "Fine"}, "plan-reviews"),
        ("post", f"{base}/episode/level/", {"level-changed_on": "2026-11-18", "level-level_of_care": "op"},
         "episode"),
        ("post", f"{base}/episode/discharge/", {"discharge-discharged_on": "2026-11-18",
                                                "discharge-discharge_type": "completed"}, "episode"),
    ]
    for method, path, body, resource in writes:
        before = last_pk()
        response = getattr(carol_client, method)(path, body) if body is not None else getattr(carol_client, method)(path)
        assert response.status_code == 403, (path, response.status_code)
        assert "read-only" in response.text and "Nothing was changed" in response.text
        assert rows_since(before) == [("denied", resource, bob.pk)], path
    assert Task.objects.get(pk=discharged["task"].pk).done is False
    assert Episode.objects.get(participant=bob).discharge_type == "stepped_down"


def test_the_head_says_discharged(now, carol_client, bob, discharged):
    html = carol_client.get(f"/care/participants/{bob.pk}/").text
    assert '<span class="tag">Discharged</span>' in html
    assert "Discharged on 18 Nov 2026: this record is read-only" in html


@pytest.mark.parametrize("kind", Episode.Discharge.values)
def test_the_participant_page_tells_their_time_in_plain_words_only(now, carol, bob, bob_api, client, kind):
    episodes.discharge(episode=bob.open_episode, discharged_on=TODAY, discharge_type=kind,
                       note="Team eyes only")
    client.force_login(bob.user)
    html = main(client.get("/program/").text)
    assert "You joined the program on 18 November 2026" in html
    assert "Your time in the program ended on 18 November 2026" in html
    assert "Intensive outpatient: a few hours, a few days a week" in html
    label = str(Episode.Discharge(kind).label)
    assert label not in html and label.lower() not in html.lower() and kind not in html
    assert "Team eyes only" not in html and "discharge" not in html.lower()

    episodes.admit(participant=bob, admitted_on=TODAY, level_of_care="op", counselor=carol, actor=carol.user)
    html = main(client.get("/program/").text)
    assert "You came back on 18 November 2026" in html and "Outpatient: a session or two a week" in html
    assert label.lower() not in html.lower()


def test_the_participant_finds_the_page_from_settings(alice_client):
    assert 'href="/program/"' in alice_client.get("/settings/").text
    assert alice_client.get("/program/").status_code == 200


def test_a_discharged_person_leaves_the_caseload_and_stays_readable(now, carol_client, carol, alice, bob):
    """Who needs a call today is who is in treatment: once discharged, bob is on the Aftercare
    list (tracker.aftercare), not the caseload (page and API), and his record still opens."""

    def on_caseload():
        html = main(carol_client.get("/care/").text)
        shown = {p.pk for p in (alice, bob) if f'href="/care/participants/{p.pk}/"' in html}
        return shown, {row["participant_id"] for row in carol_client.get("/api/v1/care/caseload/").json()}

    assert on_caseload() == ({alice.pk, bob.pk}, {alice.pk, bob.pk})
    episodes.discharge(episode=Episode.objects.get(participant=bob), discharged_on=TODAY, discharge_type="completed")
    assert on_caseload() == ({alice.pk}, {alice.pk})
    assert carol_client.get(f"/care/participants/{bob.pk}/").status_code == 200
    assert f'/care/participants/{bob.pk}/' in carol_client.get("/care/aftercare/").text


def test_today_in_treatment_has_no_after_the_program_card(now, alice_client):
    assert "After the program" not in alice_client.get("/").text
    # No plan yet: a 404 in JSON with its words (the schema says so), not an empty 200.
    none = alice_client.get("/api/v1/aftercare/")
    assert none.status_code == 404 and "no aftercare plan yet" in none.json()["detail"]
