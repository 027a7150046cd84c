"""Aftercare pages and API (issue 18, item 3): the counselor's plan form (errors next to the
field, nothing half saved, audited), the Aftercare list and its acknowledgements, the program's
check-up settings, the participant's check-up page, plan and "Stop check-ups", and the API."""

import datetime as dt
import uuid

import pytest
from django.test import Client

from people import make_user
from signin import verified_login
from tracker import aftercare, episodes
from tracker.models import AftercarePlan, AuditEvent, Checkup, CheckupAnswer, Counselor, Reminder

UTC = dt.UTC


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_since(before):
    return [(r.action, r.resource, r.participant_id) for r in AuditEvent.objects.filter(pk__gt=before).order_by("pk")]


@pytest.fixture
def gone(now, alice, django_capture_on_commit_callbacks):
    """Alice, discharged today (2026-11-18)."""
    with django_capture_on_commit_callbacks(execute=True):
        episodes.discharge(episode=alice.open_episode, discharged_on=dt.date(2026, 11, 18), discharge_type="completed")
    alice.__dict__.pop("open_episode", None)
    return alice


@pytest.fixture
def with_checkup(gone, carol, program, now):
    program.bam_terms_confirmed_at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    program.save()
    AftercarePlan.objects.create(episode=aftercare.latest_episode(gone), checkups=True,
                                 checkups_until=dt.date(2027, 5, 18), next_provider="Dr. Lee",
                                 people="Ana 555-0100", follow_up="Call Dr. Lee on Monday")
    now.move_to(dt.datetime(2026, 12, 18, 15, tzinfo=UTC))
    aftercare.plan_checkups()
    return Checkup.objects.get()


PLAN = {"next_provider": "Dr. Lee, Oak Street Clinic", "first_appointment_at": "2026-11-24T10:30",
        "first_appointment_place": "12 Oak Street", "prescriber": "Dr. Lee", "meetings": "AA Tuesdays",
        "people": "Ana 555-0100", "follow_up": "Weekly therapy", "checkups": "yes", "checkups_until": "2027-05-18"}


def test_the_plan_form_shows_errors_by_the_field_and_saves_with_one_write_row(gone, carol_client):
    url = f"/care/participants/{gone.pk}/aftercare/"
    page = carol_client.get(url)
    assert page.status_code == 200 and 'value="2027-05-18"' in page.text  # discharge + six months
    before = last_pk()
    refused = carol_client.post(url, {**PLAN, "checkups_until": "2026-11-10"})
    assert refused.status_code == 400
    assert "The check-ups end after the discharge" in refused.text and "Oak Street Clinic" in refused.text
    assert 'aria-invalid="true"' in refused.text
    refused = carol_client.post(url, {**PLAN, "checkups": ""})
    assert refused.status_code == 400 and "Say whether they agreed to check-ups." in refused.text
    assert not AftercarePlan.objects.exists() and rows_since(before) == []
    saved = carol_client.post(url, PLAN)
    assert saved.status_code == 302
    plan = AftercarePlan.objects.get()
    assert plan.checkups and plan.first_appointment_at == dt.datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # New York
    assert rows_since(before) == [("write", "aftercare-plan", gone.pk)]


def test_the_aftercare_list_flags_and_acknowledges(with_checkup, gone, carol, carol_client, alice_client):
    before = last_pk()
    page = carol_client.get("/care/aftercare/")
    assert page.status_code == 200 and str(gone) in page.text and "Would like to talk" not in page.text
    assert rows_since(before) == [("read", "aftercare", None)]
    # She answers, and asks to talk.
    alice_client.post(f"/checkups/{with_checkup.pk}/", {"answer-4": "0", "answer-5": "0", "answer-6": "0",
                                                        "answer-8": "1", "answer-9": "4", "wants_talk": "yes"})
    answer = CheckupAnswer.objects.get()
    page = carol_client.get("/care/aftercare/")
    assert "Would like to talk to someone" in page.text
    assert "1 flagged" in carol_client.get("/care/").text  # the caseload's Aftercare tab says so
    before = last_pk()
    done = carol_client.post(f"/care/aftercare/{gone.pk}/acknowledge/",
                             {"evidence": aftercare.evidence_for(answer), "note": "Called her"})
    assert done.status_code == 302
    assert rows_since(before) == [("write", "aftercare-acknowledgement", gone.pk)]
    assert "Would like to talk to someone" not in carol_client.get("/care/aftercare/").text
    assert "flagged" not in carol_client.get("/care/").text


def test_a_counselor_who_was_never_on_the_team_sees_nothing(with_checkup, gone, program):
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    client = verified_login(Client(), erin.user)
    assert str(gone) not in client.get("/care/aftercare/").text
    before = last_pk()
    assert client.post(f"/care/aftercare/{gone.pk}/acknowledge/", {"evidence": "x"}).status_code == 404
    assert rows_since(before) == [("denied", "aftercare-acknowledgement", gone.pk)]


def test_the_admins_see_a_person_whose_counselor_left(with_checkup, gone, program, carol):
    hana = Counselor.objects.create(user=make_user("hana"), program=program, is_program_admin=True)
    client = verified_login(Client(), hana.user)
    assert str(gone) not in client.get("/care/aftercare/").text
    carol.user.is_active = False
    carol.user.save()
    page = client.get("/care/aftercare/")
    assert str(gone) in page.text and "Their counselor of record has left" in page.text


def test_checkup_settings_refuse_by_the_field_and_save_with_a_row(program, carol, carol_client):
    carol.is_program_admin = True
    carol.save()
    url = "/care/settings/checkups/"
    assert carol_client.get(url).status_code == 200
    before = last_pk()
    refused = carol_client.post(url, {"checkup_items": ["4", "8"], "checkup_every_days": "3", "checkup_months": "6",
                                      "risk_8": "at_least"})
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 7." in refused.text
    assert "Pick the answer the rule starts at." in refused.text
    assert rows_since(before) == []
    saved = carol_client.post(url, {"checkup_items": ["4", "8"], "checkup_every_days": "14", "checkup_months": "3",
                                    "risk_8": "at_least", "risk_8_value": "2", "risk_9": "at_most",
                                    "risk_9_value": "1"})
    assert saved.status_code == 302
    program.refresh_from_db()
    assert program.checkup_items == ["4", "8"] and program.checkup_every_days == 14
    assert program.checkup_risk == {"8": {"at_least": 2}}  # item 9 is not asked: its rule is dropped
    assert rows_since(before) == [("write", "checkup-settings", None)]


# ---- The participant


def test_the_checkup_page_asks_the_items_and_the_talk_question(with_checkup, gone, alice_client, bob):
    url = f"/checkups/{with_checkup.pk}/"
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "how many days did you drink ANY alcohol" in page.text and "Would you like to talk to someone?" in page.text
    refused = alice_client.post(url, {"answer-4": "0", "answer-5": "7"})
    assert refused.status_code == 400 and "Please answer yes or no." in refused.text
    assert 'value="0" checked' in refused.text  # her answers are kept
    assert not CheckupAnswer.objects.exists()
    sent = alice_client.post(url, {"answer-4": "2", "answer-5": "0", "answer-6": "0", "answer-8": "1",
                                   "answer-9": "4", "wants_talk": "no"})
    assert sent.status_code == 302
    answer = CheckupAnswer.objects.get()
    assert answer.risky and answer.answers == {"4": 2, "5": 0, "6": 0, "8": 1, "9": 4}
    assert "Thank you" in alice_client.get(url).text
    # Bob gets the 404 of a check-up that does not exist.
    bobs = Client()
    bobs.force_login(bob.user)
    assert bobs.get(url).status_code == 404 == bobs.get("/checkups/999999/").status_code


def test_today_shows_a_due_checkup_and_the_plan_reads_in_plain_words(with_checkup, alice_client):
    today = alice_client.get("/").text
    assert "A quick check-in from your program" in today and f"/checkups/{with_checkup.pk}/" in today
    # After the program, Today keeps the plan and the passport at hand (never the kind of discharge).
    assert "After the program" in today and 'href="/aftercare/"' in today and 'href="/passport/"' in today
    mine = alice_client.get("/aftercare/").text
    assert "Dr. Lee" in mine and "Ana 555-0100" in mine and "Call Dr. Lee on Monday" in mine


def test_stop_checkups_from_settings(with_checkup, gone, alice_client):
    page = alice_client.get("/settings/")
    assert "Stop check-ups" in page.text
    assert Reminder.objects.filter(checkup=with_checkup, next_due_at__isnull=False).exists()
    assert alice_client.post("/aftercare/stop-checkups/").status_code == 302
    assert AftercarePlan.objects.get().checkups_stopped_at is not None
    assert not Reminder.objects.filter(checkup=with_checkup, next_due_at__isnull=False).exists()
    assert "Stop check-ups" not in alice_client.get("/settings/").text
    assert "A quick check-in from your program" not in alice_client.get("/").text


# ---- The API


def test_the_participant_answers_through_the_api(with_checkup, gone, api):
    (listed,) = api.get("/api/v1/checkups/").json()["results"]
    assert [item["key"] for item in listed["items"]] == ["4", "5", "6", "8", "9"] and listed["answer"] is None
    url = f"/api/v1/checkup-answers/{listed['answer_id']}/"
    body = {"checkup": with_checkup.pk, "answers": {"4": 0, "5": 0, "6": 0, "8": 0, "9": 7}, "wants_talk": True}
    refused = api.put(url, body, format="json")
    assert refused.status_code == 400 and "9" in refused.json()["answers"]
    body["answers"]["9"] = 4
    first = api.put(url, body, format="json")
    assert first.status_code == 201 and first.json()["risky"] is False and "scores" not in first.json()
    assert api.put(url, body, format="json").status_code == 201  # a replay answers the same
    other = api.put(f"/api/v1/checkup-answers/{uuid.uuid4()}/", body, format="json")
    assert other.status_code == 409 and other.json()["existing_id"] == listed["answer_id"]
    assert api.get("/api/v1/aftercare/").json()["next_provider"] == "Dr. Lee"


def test_the_care_api_reads_and_writes_the_plan_with_audit_rows(with_checkup, gone, carol_client):
    base = f"/api/v1/care/participants/{gone.pk}"
    before = last_pk()
    plan = carol_client.get(f"{base}/aftercare-plan/").json()
    assert plan["next_provider"] == "Dr. Lee" and plan["saved"] is True
    assert carol_client.get(f"{base}/checkups/").json()["results"][0]["status"] == "open"
    refused = carol_client.put(f"{base}/aftercare-plan/", {"checkups": True, "checkups_until": "2030-01-01"},
                               content_type="application/json")
    assert refused.status_code == 400 and "checkups_until" in refused.json()
    saved = carol_client.put(f"{base}/aftercare-plan/", {"next_provider": "Dr. Kim", "checkups": False},
                             content_type="application/json")
    assert saved.status_code == 200 and saved.json()["checkups_on"] is False
    assert not Reminder.objects.filter(checkup=with_checkup, next_due_at__isnull=False).exists()
    assert rows_since(before) == [("read", "aftercare-plan", gone.pk), ("read", "checkups", gone.pk),
                                  ("write", "aftercare-plan", gone.pk)]


def test_the_routes_are_in_the_schema(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"/api/v1/care/participants/{participant_id}/aftercare-plan/",
            "/api/v1/care/participants/{participant_id}/checkups/", "/api/v1/checkups/", "/api/v1/aftercare/",
            "/api/v1/checkup-answers/{entry_id}/"} <= set(paths)
    assert set(paths["/api/v1/checkup-answers/{entry_id}/"]) == {"get", "put"}
