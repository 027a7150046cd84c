"""Treatment plan reviews (issue 18): a goal's review date, a review of the plan in the person's
open episode with each goal's progress and a note (domain, the counselor's page, the API), the
audit rows, the weekly summary and the exports.
"now" is Wed 18 Nov 2026, 12:00 in New York (alice's zone); alice was admitted that day."""

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from people import NOW, admitted
from signin import verified_login
from tracker import episodes, plan_reviews, services
from tracker.models import AftercarePlan, AuditEvent, Goal, GoalReview, PlanReview
from tracker.plan_reviews import GoalProgress

TODAY = dt.date(2026, 11, 18)
NEXT_WEEK = NOW + dt.timedelta(days=7)  # Wed 25 Nov


@pytest.fixture
def goals(now, alice, carol):
    """alice's two active goals and a paused one, written by carol."""
    def goal(title, **extra):
        return services.goal_put(participant=alice, id=uuid.uuid4(), actor=carol.user,
                                 data={"title": title, **extra}).entry
    return goal("Sleep by eleven"), goal("Call my sister weekly"), goal("Run a 5k", status="paused")


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_since(before):
    return [(r.action, r.resource, r.participant_id, r.object_id)
            for r in AuditEvent.objects.filter(pk__gt=before).order_by("pk")]


def review(alice, carol, day, *lines, note=""):
    return plan_reviews.review_record(participant=alice, counselor=carol, reviewed_on=day, note=note,
                                      goals=[GoalProgress(goal_id=g.pk, progress=p, note=n) for g, p, n in lines])


# ---------------------------------------------------------------------------------------------
# The domain


def test_a_review_records_each_goals_progress_and_keeps_its_title(goals, alice, carol):
    sleep, call, _ = goals
    saved = review(alice, carol, TODAY, (sleep, "progressing", "In bed by 11:30 most nights"), (call, "met", ""),
                   note="Good month")
    assert saved.episode == alice.open_episode and saved.counselor == carol and saved.note == "Good month"
    assert [(g.goal_id, g.goal_title, g.progress, g.note) for g in saved.goals.all()] == [
        (sleep.pk, "Sleep by eleven", "progressing", "In bed by 11:30 most nights"),
        (call.pk, "Call my sister weekly", "met", "")]
    # The person renames their goal later: the review keeps the words it was reviewed under.
    services.goal_put(participant=alice, id=sleep.pk, actor=alice.user, data={"title": "Sleep by midnight"})
    assert GoalReview.objects.get(goal=sleep).goal_title == "Sleep by eleven"


def test_a_review_day_in_the_future_or_before_the_admission_is_refused(goals, alice, carol, now):
    sleep = goals[0]
    with pytest.raises(ValidationError) as future:
        review(alice, carol, TODAY + dt.timedelta(days=1), (sleep, "met", ""))
    assert list(future.value.message_dict) == ["reviewed_on"]
    with pytest.raises(ValidationError) as before:
        review(alice, carol, TODAY - dt.timedelta(days=1), (sleep, "met", ""))  # admitted 18 Nov
    assert "2026-11-18" in before.value.message_dict["reviewed_on"][0]
    # The evening of the 18th in New York is already the 19th in UTC: still "today" for alice.
    now.move_to(dt.datetime(2026, 11, 19, 3, tzinfo=dt.UTC))
    review(alice, carol, TODAY, (sleep, "met", ""))
    assert PlanReview.objects.count() == 1


def test_someone_elses_goal_or_a_goal_twice_is_refused_and_nothing_is_saved(goals, alice, bob, carol):
    sleep, call, _ = goals
    bobs = services.goal_put(participant=bob, id=uuid.uuid4(), actor=carol.user, data={"title": "Bob's"}).entry
    with pytest.raises(plan_reviews.ReviewRefused) as refused:
        review(alice, carol, TODAY, (sleep, "met", ""), (bobs, "met", ""), (sleep, "not_yet", ""),
               (call, "sideways", "x" * 301))
    lines = refused.value.goal_lines
    assert lines[0] == {}
    assert list(lines[1]) == ["goal"] and list(lines[2]) == ["goal"]
    assert set(lines[3]) == {"progress", "note"}
    assert "goals" in refused.value.message_dict
    assert not PlanReview.objects.exists() and not GoalReview.objects.exists()
    with pytest.raises(ValidationError) as empty:
        review(alice, carol, TODAY)
    assert list(empty.value.message_dict) == ["goals"]


def test_no_review_outside_an_open_episode(goals, alice, carol):
    episodes.discharge(episode=alice.open_episode, discharged_on=TODAY, discharge_type="completed")
    with pytest.raises(ValidationError) as refused:
        review(alice, carol, TODAY, (goals[0], "met", ""))
    assert list(refused.value.message_dict) == ["__all__"]
    assert not PlanReview.objects.exists()


def test_a_goal_is_due_from_its_review_date_until_a_review_on_or_after_it(goals, alice, carol, now):
    sleep, call, run = goals
    plan_reviews.goal_set_review_date(goal=sleep, review_on=dt.date(2026, 11, 20))
    plan_reviews.goal_set_review_date(goal=call, review_on=dt.date(2026, 11, 24))
    plan_reviews.goal_set_review_date(goal=run, review_on=dt.date(2026, 11, 20))  # paused: never due
    assert plan_reviews.due_goals(alice, dt.date(2026, 11, 19)) == []
    assert plan_reviews.due_goals(alice, dt.date(2026, 11, 20)) == [sleep]
    now.move_to(NEXT_WEEK)
    # A review on the 19th, before the date, does not count; the one on the 25th does.
    review(alice, carol, dt.date(2026, 11, 19), (sleep, "progressing", ""))
    assert plan_reviews.due_goals(alice, dt.date(2026, 11, 25)) == [sleep, call]
    review(alice, carol, dt.date(2026, 11, 25), (sleep, "met", ""))
    assert plan_reviews.due_goals(alice, dt.date(2026, 11, 25)) == [call]
    # As it stood on the 23rd (a past week's summary), sleep was still due.
    assert plan_reviews.due_goals(alice, dt.date(2026, 11, 23)) == [sleep]


def test_a_review_date_more_than_a_year_ahead_is_refused(goals):
    with pytest.raises(ValidationError) as refused:
        plan_reviews.goal_set_review_date(goal=goals[0], review_on=TODAY + dt.timedelta(days=367))
    assert list(refused.value.message_dict) == ["review_on"]
    assert Goal.objects.get(pk=goals[0].pk).review_on is None


# ---------------------------------------------------------------------------------------------
# The counselor's pages


def test_the_counselor_reviews_the_plan_on_its_page(goals, alice, carol_client):
    sleep, call, run = goals
    url = f"/care/participants/{alice.pk}/reviews/"
    page = carol_client.get(url).content.decode()
    assert "Sleep by eleven" in page and "Call my sister weekly" in page and "Run a 5k" not in page  # active only
    assert f'href="{url}"' in carol_client.get(f"/care/participants/{alice.pk}/").content.decode()  # the tab
    before = last_pk()
    response = carol_client.post(url, {"reviewed_on": "2026-11-18", "note": "First review",
                                       f"progress-{sleep.pk}": "progressing", f"note-{sleep.pk}": "Most nights",
                                       f"progress-{call.pk}": "not_yet"})
    assert response.status_code == 302
    saved = PlanReview.objects.get()
    assert rows_since(before) == [("write", "plan-reviews", alice.pk, str(saved.pk))]
    assert sorted((g.goal_title, g.progress, g.note) for g in saved.goals.all()) == [
        ("Call my sister weekly", "not_yet", ""), ("Sleep by eleven", "progressing", "Most nights")]
    before = last_pk()
    page = carol_client.get(url).content.decode()
    assert rows_since(before) == [("read", "plan-reviews", alice.pk, "")]
    history = page[page.index("Past reviews"):]
    assert "First review" in history and "Most nights" in history and "Not yet" in history


def test_the_person_reads_in_their_access_log_that_their_plan_was_reviewed(goals, alice, carol_client, alice_client):
    carol_client.get(f"/care/participants/{alice.pk}/reviews/")
    page = alice_client.get("/settings/access-log/").content.decode()
    assert "viewed your treatment plan reviews" in page


def test_past_reviews_are_listed_newest_first(goals, alice, carol, now):
    now.move_to(NEXT_WEEK)
    carol_client = verified_login(Client(), carol.user)  # signed in a week later
    review(alice, carol, dt.date(2026, 11, 19), (goals[0], "not_yet", ""), note="OLDER-REVIEW")
    review(alice, carol, dt.date(2026, 11, 24), (goals[0], "met", ""), note="NEWER-REVIEW")
    page = carol_client.get(f"/care/participants/{alice.pk}/reviews/").content.decode()
    assert page.index("NEWER-REVIEW") < page.index("OLDER-REVIEW")


def test_a_refused_review_on_the_page_keeps_what_was_typed_and_saves_nothing(goals, alice, carol_client):
    sleep, call, _ = goals
    before = last_pk()
    page = carol_client.post(f"/care/participants/{alice.pk}/reviews/", {
        "reviewed_on": "2026-11-19", "note": "KEEP-THIS-NOTE", f"progress-{sleep.pk}": "met",
        f"note-{call.pk}": "KEEP-GOAL-NOTE"}).content.decode()
    assert "Nothing was saved yet" in page and "KEEP-THIS-NOTE" in page and "KEEP-GOAL-NOTE" in page
    assert "Pick how this goal is going." in page  # call has no progress picked
    assert f'id="goal-{call.pk}_error"' in page and f'id="goal-{sleep.pk}_error"' not in page
    assert not PlanReview.objects.exists()
    assert [r[0] for r in rows_since(before)] == ["read"]
    # Every goal picked but the day is tomorrow: refused beside the day.
    page = carol_client.post(f"/care/participants/{alice.pk}/reviews/", {
        "reviewed_on": "2026-11-19", f"progress-{sleep.pk}": "met", f"progress-{call.pk}": "met"}).content.decode()
    assert 'id="id_reviewed_on_error"' in page and "pick today or earlier" in page
    assert not PlanReview.objects.exists()


def test_the_goals_page_sets_a_review_date_and_refuses_a_wrong_one_beside_the_goal(goals, alice, carol_client):
    sleep = goals[0]
    url = f"/care/participants/{alice.pk}/goals/{sleep.pk}/review-date/"
    assert url in carol_client.get(f"/care/participants/{alice.pk}/goals/").content.decode()
    before = last_pk()
    assert carol_client.post(url, {"review_on": "2026-12-02"}).status_code == 302
    assert Goal.objects.get(pk=sleep.pk).review_on == dt.date(2026, 12, 2)
    assert rows_since(before) == [("write", "goals", alice.pk, str(sleep.pk))]
    page = carol_client.post(url, {"review_on": "2028-01-01"}).content.decode()
    assert f'id="review-on-{sleep.pk}_error"' in page and 'value="2028-01-01"' in page
    assert Goal.objects.get(pk=sleep.pk).review_on == dt.date(2026, 12, 2)
    assert carol_client.post(url, {"review_on": ""}).status_code == 302  # an empty date takes it away
    assert Goal.objects.get(pk=sleep.pk).review_on is None


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_records_a_review_and_lists_them_newest_first(goals, alice, carol, now):
    sleep, call, _ = goals
    url = f"/api/v1/care/participants/{alice.pk}/reviews/"
    now.move_to(NEXT_WEEK)
    carol_client = verified_login(Client(), carol.user)  # signed in a week later
    before = last_pk()
    response = carol_client.post(url, {"reviewed_on": "2026-11-20", "note": "Week one", "goals": [
        {"goal": str(sleep.pk), "progress": "progressing", "note": "Most nights"}]}, content_type="application/json")
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["goals"] == [{"goal_id": str(sleep.pk), "goal_title": "Sleep by eleven", "progress": "progressing",
                               "note": "Most nights"}]
    assert rows_since(before) == [("write", "plan-reviews", alice.pk, str(first["id"]))]
    carol_client.post(url, {"reviewed_on": "2026-11-24", "goals": [{"goal": str(call.pk), "progress": "met"}]},
                      content_type="application/json")
    before = last_pk()
    listed = carol_client.get(url).json()
    assert [r["reviewed_on"] for r in listed] == ["2026-11-24", "2026-11-20"]
    assert listed[0]["counselor"] == "Carol" and listed[0]["episode_id"] == alice.open_episode.pk
    assert rows_since(before) == [("read", "plan-reviews", alice.pk, "")]


def test_the_api_answers_a_refused_review_with_field_errors_and_saves_nothing(goals, alice, bob, carol, carol_client):
    sleep = goals[0]
    bobs = services.goal_put(participant=bob, id=uuid.uuid4(), actor=carol.user, data={"title": "Bob's"}).entry
    url = f"/api/v1/care/participants/{alice.pk}/reviews/"
    before = last_pk()
    response = carol_client.post(url, {"reviewed_on": "2026-11-19", "goals": [
        {"goal": str(sleep.pk), "progress": "met"}, {"goal": str(bobs.pk), "progress": "met"},
        {"goal": str(sleep.pk), "progress": "met"}]}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"reviewed_on", "goals"}
    assert body["goals"][0] == {} and list(body["goals"][1]) == ["goal"] and list(body["goals"][2]) == ["goal"]
    bad = carol_client.post(url, {"reviewed_on": "2026-11-18", "goals": [{"goal": str(sleep.pk), "progress": "great"}],
                                  "mood": 3}, content_type="application/json")
    assert bad.status_code == 400 and "mood" in bad.json()
    assert not PlanReview.objects.exists() and rows_since(before) == []
    episodes.discharge(episode=alice.open_episode, discharged_on=TODAY, discharge_type="completed")
    gone = carol_client.post(url, {"reviewed_on": "2026-11-18", "goals": [{"goal": str(sleep.pk), "progress": "met"}]},
                             content_type="application/json")
    # Discharged: the record is read-only (tracker.access), so the write is refused before the review's
    # own check, with the read-only words and a denied row.
    assert gone.status_code == 403 and "read-only" in gone.json()["detail"]
    assert not PlanReview.objects.exists()


def test_the_care_goals_api_writes_the_review_date_and_the_persons_own_api_cannot(goals, alice, api, carol_client):
    sleep = goals[0]
    url = f"/api/v1/care/participants/{alice.pk}/goals/{sleep.pk}/"
    before = last_pk()
    response = carol_client.put(url, {"title": "Sleep by eleven", "review_on": "2026-12-02"},
                                content_type="application/json")
    assert response.status_code == 200 and response.json()["review_on"] == "2026-12-02"
    assert rows_since(before) == [("write", "goals", alice.pk, str(sleep.pk))]
    # Left out, the date stays; a title change and a wrong date are refused together.
    carol_client.put(url, {"title": "Sleep by 11 pm"}, content_type="application/json")
    assert Goal.objects.get(pk=sleep.pk).review_on == dt.date(2026, 12, 2)
    refused = carol_client.put(url, {"title": "NOT-SAVED", "review_on": "2030-01-01"}, content_type="application/json")
    assert refused.status_code == 400 and list(refused.json()) == ["review_on"]
    assert Goal.objects.get(pk=sleep.pk).title == "Sleep by 11 pm"
    # A new goal with its date, sent twice (an outbox's replay): both answer as its creation.
    new = f"/api/v1/care/participants/{alice.pk}/goals/{uuid.uuid4()}/"
    body = {"title": "Walk after dinner", "review_on": "2026-12-09"}
    assert [carol_client.put(new, body, content_type="application/json").status_code for _ in "ab"] == [201, 201]
    # The person's own API does not know the field, and their own write leaves the date alone.
    assert api.put(f"/api/v1/goals/{sleep.pk}/", {"title": "Mine", "review_on": None}, format="json").status_code == 400
    assert api.put(f"/api/v1/goals/{sleep.pk}/", {"title": "Mine"}, format="json").status_code == 200
    assert Goal.objects.get(pk=sleep.pk).review_on == dt.date(2026, 12, 2)
    assert carol_client.put(url, {"title": "Mine", "review_on": None},
                            content_type="application/json").json()["review_on"] is None


def test_the_reviews_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    path = schema["paths"]["/api/v1/care/participants/{participant_id}/reviews/"]
    assert {"get", "post"} <= set(path) and "400" in path["post"]["responses"]
    assert "review_on" in schema["components"]["schemas"]["CareGoal"]["properties"]


# ---------------------------------------------------------------------------------------------
# The weekly summary and the exports


def test_the_weekly_summary_shows_the_weeks_reviews_and_the_goals_due(goals, alice, carol, carol_client, now):
    sleep, call, _ = goals
    plan_reviews.goal_set_review_date(goal=call, review_on=dt.date(2026, 11, 18))
    review(alice, carol, TODAY, (sleep, "progressing", "WEEK-GOAL-NOTE"), note="WEEK-REVIEW-NOTE")
    page = carol_client.get(f"/care/participants/{alice.pk}/summary/?week=2026-11-16").content.decode()
    section = page[page.index('id="s-reviews"'):page.index('id="s-other"')]
    assert "WEEK-REVIEW-NOTE" in section and "WEEK-GOAL-NOTE" in section and "Progressing" in section
    assert "Review due:" in section and "Call my sister weekly" in section
    summary = carol_client.get(f"/api/v1/care/participants/{alice.pk}/summary/?week=2026-11-16").json()
    assert [r["note"] for r in summary["plan_reviews"]] == ["WEEK-REVIEW-NOTE"]
    assert [g["title"] for g in summary["reviews_due"]] == ["Call my sister weekly"]
    # The week before holds neither.
    earlier = carol_client.get(f"/care/participants/{alice.pk}/summary/?week=2026-11-09").content.decode()
    assert "WEEK-REVIEW-NOTE" not in earlier and "No plan review this week." in earlier


def test_the_exports_hold_episodes_reviews_and_the_aftercare_plan(goals, alice, carol, carol_client, alice_client):
    review(alice, carol, TODAY, (goals[0], "met", "EXPORTED-GOAL-NOTE"), note="EXPORTED-REVIEW")
    first = episodes.discharge(episode=alice.open_episode, discharged_on=TODAY, discharge_type="completed",
                               note="TEAM-ONLY-WORDS")
    AftercarePlan.objects.create(episode=first, next_provider="Hillside outpatient")
    second = admitted(alice, carol, level="op", on=TODAY)
    care = carol_client.get(f"/care/participants/{alice.pk}/export.json")
    records = json.loads(b"".join(care.streaming_content) if care.streaming else care.content)["records"]
    assert sorted(e["id"] for e in records["episode"]) == sorted([first.pk, second.pk])
    assert {c["level_of_care"] for c in records["level_change"]} == {"iop", "op"}
    assert records["plan_review"][0]["note"] == "EXPORTED-REVIEW"
    assert records["goal_review"][0]["note"] == "EXPORTED-GOAL-NOTE"
    assert records["aftercare_plan"][0]["next_provider"] == "Hillside outpatient"
    csv = carol_client.get(f"/care/participants/{alice.pk}/export.csv")
    text = b"".join(csv.streaming_content).decode()
    assert "goal_review" in text and "EXPORTED-GOAL-NOTE" in text and "Hillside outpatient" in text
    assert "TEAM-ONLY-WORDS" in text
    own = json.loads(alice_client.get("/settings/my-data.json").content)["records"]
    ended = next(e for e in own["episode"] if e["discharged_on"])
    assert ended["discharge_type"] == "completed" and "How it ended: Completed" in ended["in_plain_words"]
    assert own["plan_review"][0]["note"] == "EXPORTED-REVIEW" and own["aftercare_plan"]


def test_a_review_whose_goal_lines_fail_to_save_leaves_no_review_behind(goals, alice, carol, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-write")
    monkeypatch.setattr(GoalReview.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        review(alice, carol, TODAY, (goals[0], "met", ""))
    assert not PlanReview.objects.exists()
