"""The recovery passport (issue 18, item 4): the page /passport/ and GET /api/v1/passport/ hold
exactly the person's own items, and nothing private to the care team (the kind of discharge and
its note, flag acknowledgement notes, level-change reasons, plan reviews) nor their own private
notes. In Chromium it fits a phone, and printing it leaves the app's navigation out."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client

import measures_data as data
from browsing import ARTIFACTS, sign_in
from people import make_user
from tracker import episodes, passport, services
from tracker.models import (
    AftercarePlan,
    Counselor,
    Episode,
    FlagAcknowledgement,
    GoalReview,
    LevelChange,
    Participant,
    PlanReview,
)

# What only the care team wrote, or the person kept to themselves: never in a passport.
PRIVATE = ["Discharge note only the team reads", "Patient-directed", "patient_directed",
           "Acknowledged: called her, she is safe", "Stepped down after the review, team reasons",
           "Plan review: team impressions", "Goal review: team words", "My own private urge note",
           "My own private check-in note"]
# Every one of alice's items, as her passport shows them.
ALICES = ["Went for a walk", "Music", "Payday evenings", "Skipping lunch again", "Mara, my sponsor", "555-0101",
          "My daughter", "Farmers market with Jo", "Call Mara before noon", "Harbor Clinic", "Dr Rivera",
          "SMART Recovery on Tuesdays", "My sister Jo", "Call the clinic in a week"]
BOBS = ["Prayer or meditation", "Bob poker nights", "Bob warning sign", "Bob reason", "Bob Saturday plans",
        "Bob Next Provider", "Bob meetings", "Bob private note", "Bob team note"]


def _urge(participant, when, helped, outcome="passed", **extra):
    services.urge_put(participant=participant, id=uuid.uuid4(), data={
        "occurred_at": when, "intensity": 6, "duration_min": 15, "helped": helped, "outcome": outcome, **extra})


def _night(participant, day, bed, wake, **extra):
    services.checkin_put(participant=participant, id=uuid.uuid4(), data={
        "date": day, "in_bed_at": bed, "final_wake_at": wake, **extra})


def _discharged(participant, admitted_on, discharged_on, kind, note):
    episode = Episode.objects.get(participant=participant)
    Episode.objects.filter(pk=episode.pk).update(admitted_on=admitted_on)
    LevelChange.objects.filter(episode=episode).update(changed_on=admitted_on)
    episode.refresh_from_db()
    return episodes.discharge(episode=episode, discharged_on=discharged_on, discharge_type=kind, note=note)


def build_alice(alice, carol):
    today = alice.local_today()
    admitted, discharged = today - dt.timedelta(days=80), today - dt.timedelta(days=2)
    at = lambda day, hour=19: dt.datetime.combine(day, dt.time(hour), tzinfo=alice.zone)  # noqa: E731
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "warning_signs": ["Skipping lunch again"], "helpers": [{"name": "Mara, my sponsor", "phone": "555-0101"}],
        "reasons": ["My daughter"]})
    services.high_risk_time_put(participant=alice, id=uuid.uuid4(), data={
        "label": "Payday evenings", "weekdays": [4], "start_time": dt.time(18), "end_time": dt.time(22)})
    # Walking: 3 urges, 2 passed, 1 used (2 of 3, ranked); music once (too few to rank).
    for days_ago, outcome in ((20, "passed"), (15, "passed"), (10, "used")):
        _urge(alice, at(today - dt.timedelta(days=days_ago)), ["walked"], outcome)
    _urge(alice, at(today - dt.timedelta(days=5)), ["music"], note="My own private urge note", note_private=True)
    services.weekend_plan_put(participant=alice, id=uuid.uuid4(), data={
        "weekend_of": today - dt.timedelta(days=today.weekday() + 3), "saturday": "Farmers market with Jo",
        "who_to_call": "Call Mara before noon"})
    data.phq9(alice, 18, at=at(admitted + dt.timedelta(days=1), 10), intake=True)
    data.phq9(alice, 12, at=at(today - dt.timedelta(days=30), 10))
    data.phq9(alice, 9, at=at(today - dt.timedelta(days=3), 10))
    data.gad7(alice, 11, at=at(admitted + dt.timedelta(days=1), 11), intake=True)
    # Sleep: 6 h a night in the first two weeks, 8 h in the last two (and one night out of both).
    for offset in (0, 4, 9):
        _night(alice, admitted + dt.timedelta(days=offset), dt.time(0), dt.time(6))
    _night(alice, admitted + dt.timedelta(days=40), dt.time(22), dt.time(10))
    for days_ago in (8, 4, 1):
        _night(alice, today - dt.timedelta(days=days_ago), dt.time(23), dt.time(7),
               note="My own private check-in note", note_private=True)
    episode = _discharged(alice, admitted, discharged, Episode.Discharge.PATIENT_DIRECTED,
                          "Discharge note only the team reads")
    LevelChange.objects.create(episode=episode, level_of_care="op", changed_on=admitted + dt.timedelta(days=30),
                               note="Stepped down after the review, team reasons")
    review = PlanReview.objects.create(episode=episode, reviewed_on=admitted + dt.timedelta(days=30), counselor=carol,
                                       note="Plan review: team impressions")
    GoalReview.objects.create(review=review, goal_title="Sleep", progress="met", note="Goal review: team words")
    AftercarePlan.objects.create(
        episode=episode, next_provider="Harbor Clinic", prescriber="Dr Rivera",
        first_appointment_at=at(today + dt.timedelta(days=5), 15), first_appointment_place="4 Main Street",
        meetings="SMART Recovery on Tuesdays", people="My sister Jo", follow_up="Call the clinic in a week",
        checkups=True, checkups_until=today + dt.timedelta(days=180))
    FlagAcknowledgement.objects.create(participant=alice, flag="high_urge", evidence="x", counselor=carol,
                                       note="Acknowledged: called her, she is safe")
    return {"today": today, "admitted": admitted, "discharged": discharged}


def build_bob(bob):
    today = bob.local_today()
    services.safety_plan_save(participant=bob, id=uuid.uuid4(), author=bob.user, data={
        "warning_signs": ["Bob warning sign"], "reasons": ["Bob reason"]})
    services.high_risk_time_put(participant=bob, id=uuid.uuid4(), data={
        "label": "Bob poker nights", "weekdays": [2], "start_time": dt.time(20), "end_time": dt.time(23)})
    for days_ago in (9, 6, 3):
        _urge(bob, dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(20), tzinfo=bob.zone),
              ["prayer"], note="Bob private note", note_private=True)
    services.weekend_plan_put(participant=bob, id=uuid.uuid4(), data={
        "weekend_of": today - dt.timedelta(days=today.weekday() + 3), "saturday": "Bob Saturday plans"})
    data.phq9(bob, 23, at=dt.datetime.combine(today - dt.timedelta(days=2), dt.time(10), tzinfo=bob.zone))
    _night(bob, today - dt.timedelta(days=1), dt.time(21), dt.time(9, 17))
    episode = _discharged(bob, today - dt.timedelta(days=40), today - dt.timedelta(days=1),
                          Episode.Discharge.COMPLETED, "Bob team note")
    AftercarePlan.objects.create(episode=episode, next_provider="Bob Next Provider", meetings="Bob meetings")


@pytest.fixture
def records(now, alice, bob, carol):
    days = build_alice(alice, carol)
    build_bob(bob)
    return days


def test_the_passport_holds_exactly_alices_own_items(now, alice, records):
    found = passport.passport(participant=alice)
    assert [(h.key, h.passed, h.uses, h.rank) for h in found.helpers] == [("walked", 2, 3, 1)]
    assert [h.key for h in found.helpers_unranked] == ["music"]
    assert [(t.label, t.weekdays, t.start_time, t.end_time) for t in found.high_risk_times] == [
        ("Payday evenings", [4], dt.time(18), dt.time(22))]
    assert found.safety_plan.warning_signs == ["Skipping lunch again"]
    assert found.weekend_plan.saturday == "Farmers market with Jo"
    # PHQ-9 18 at intake, 9 three days ago (the 12 between is not the latest); GAD-7 once, 11.
    assert [(s.key, s.first, s.latest) for s in found.scores] == [("phq9", 18, 9), ("gad7", 11, None)]
    assert found.scores[0].first_band == "Moderately severe" and found.scores[0].latest_band == "Mild"
    # Now is 18 Nov 2026, so admitted 30 Aug: nights of 30 Aug, 3 and 8 Sep at 6 h; 10 Nov
    # (days 10-17 Nov), 14 and 17 Nov at 8 h; the 12 h night of 9 Oct is in neither.
    assert (found.sleep.early.first_day, found.sleep.early.last_day) == (dt.date(2026, 8, 30), dt.date(2026, 9, 12))
    assert (found.sleep.early.nights, found.sleep.early.hours) == (3, 6.0)
    assert (found.sleep.late.first_day, found.sleep.late.last_day) == (dt.date(2026, 11, 4), dt.date(2026, 11, 17))
    assert (found.sleep.late.nights, found.sleep.late.hours) == (3, 8.0)
    assert [(s.admitted_on, s.discharged_on) for s in found.stays] == [(dt.date(2026, 8, 30), dt.date(2026, 11, 16))]
    assert found.aftercare.next_provider == "Harbor Clinic" and found.aftercare.checkups


def test_the_page_shows_every_one_of_alices_items_and_nothing_of_bob_or_the_care_team(now, alice_client, records):
    html = alice_client.get("/passport/").text
    assert [item for item in ALICES if item not in html] == []
    assert [item for item in BOBS + PRIVATE if item in html] == []
    assert "In the program from 30 August 2026 to 16 November 2026." in html
    assert "Made on 18 November 2026" in html
    assert "Notes you kept to yourself are left out." in html


def test_the_api_gives_the_same_content_as_json(now, api, alice, records):
    answer = api.get("/api/v1/passport/")
    assert answer.status_code == 200
    body = answer.json()
    text = json.dumps(body, ensure_ascii=False)
    assert [item for item in ALICES if item not in text] == []
    assert [item for item in BOBS + PRIVATE if item in text] == []
    assert body["stays"] == [{"admitted_on": "2026-08-30", "discharged_on": "2026-11-16"}]
    # The aftercare plan's own fields, and no other: nothing of the episode's discharge.
    assert body["aftercare"] == {
        "next_provider": "Harbor Clinic", "first_appointment_at": "2026-11-23T15:00:00-05:00",
        "first_appointment_place": "4 Main Street", "prescriber": "Dr Rivera", "meetings": "SMART Recovery on Tuesdays",
        "people": "My sister Jo", "follow_up": "Call the clinic in a week", "checkups": True,
        "checkups_until": "2027-05-17"}
    assert [h["key"] for h in body["helpers"]] == ["walked"]
    assert body["scores"][0] == {
        "key": "phq9", "name": "PHQ-9", "high": 27, "higher_is_better": False, "first_on": "2026-08-31", "first": 18,
        "first_band": "Moderately severe", "latest_on": "2026-11-15", "latest": 9, "latest_band": "Mild"}
    assert body["sleep"]["early"]["hours"] == 6.0 and body["sleep"]["late"]["hours"] == 8.0
    assert body["weekend_plan"]["who_to_call"] == "Call Mara before noon"
    assert "author" not in body["safety_plan"]


def test_bob_gets_his_own_passport(now, bob_api, records):
    text = json.dumps(bob_api.get("/api/v1/passport/").json(), ensure_ascii=False)
    assert "Bob Next Provider" in text and "Prayer or meditation" in text
    assert [item for item in ALICES if item in text] == []
    assert "Bob team note" not in text and "Bob private note" not in text


def test_a_person_with_nothing_yet_gets_an_empty_passport_not_an_error(now, program):
    person = Participant.objects.create(user=make_user("erin"), program=program, time_zone="America/Chicago")
    client = Client()
    client.force_login(person.user)
    page = client.get("/passport/")
    assert page.status_code == 200
    assert "No safety plan written yet." in page.text
    body = client.get("/api/v1/passport/").json()
    assert (body["stays"], body["aftercare"], body["sleep"], body["weekend_plan"]) == ([], None, None, None)
    assert body["safety_plan"]["number"] == 0


def test_the_care_team_gets_no_passport(carol_client, carol, alice, records):
    assert carol_client.get("/passport/").status_code == 403
    assert carol_client.get("/api/v1/passport/").status_code == 403
    other = Counselor.objects.create(user=make_user("olga"), program=carol.program)
    client = Client()
    client.force_login(other.user)
    assert client.get("/api/v1/passport/").status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    assert client.get("/passport/").url.startswith("/signin/")
    assert client.get("/api/v1/passport/").status_code in (401, 403)


def test_settings_links_to_the_passport(alice_client):
    assert 'href="/passport/"' in alice_client.get("/settings/").text


@pytest.mark.browser
def test_the_passport_fits_a_phone_and_prints_without_the_app_around_it(phone, live_server, alice, bob, carol):
    build_alice(alice, carol)
    build_bob(bob)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(live_server.url + "/passport/", wait_until="load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "passport.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.locator("nav.tabs").is_visible()
    assert phone.locator("text=Print or save as PDF").is_visible()
    assert phone.evaluate("window.__cspViolations") == []
    # The button opens the browser's print dialog (stood in for here: headless Chromium has none).
    phone.evaluate("window.print = () => { window.__printed = true; }")
    phone.click("text=Print or save as PDF")
    phone.wait_for_function("window.__printed === true")
    phone.emulate_media(media="print")
    for hidden in ("nav.tabs", "header.top", "text=Print or save as PDF"):
        assert not phone.locator(hidden).is_visible(), hidden
    assert phone.locator("h1", has_text="My recovery passport").is_visible()
    assert phone.locator("text=Harbor Clinic").is_visible()
    assert phone.evaluate("getComputedStyle(document.querySelector('.passport-section')).backgroundColor") in (
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    # The safety plan starts a page of its own (the page to hand on).
    assert phone.evaluate("getComputedStyle(document.querySelector('[aria-labelledby=pp-plan]')).breakBefore") == "page"
    phone.screenshot(path=str(ARTIFACTS / "passport-print.png"), full_page=True)
    pdf = phone.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2
    (ARTIFACTS / "passport.pdf").write_bytes(pdf)
    # At a desk the page reads as one centred column.
    phone.emulate_media(media="screen")
    phone.set_viewport_size({"width": 1280, "height": 900})
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.evaluate("document.querySelector('.passport').getBoundingClientRect().width") < 700
    phone.screenshot(path=str(ARTIFACTS / "passport-desk.png"))


def test_while_in_the_program_it_says_since_and_a_new_stay_starts_without_the_old_aftercare(now, alice, alice_client):
    # Alice joined today (18 Nov 2026, the fixed now), so her open episode began today.
    assert "In the program since 18 November 2026." in alice_client.get("/passport/").text
    episode = _discharged(alice, dt.date(2026, 10, 1), dt.date(2026, 10, 30), Episode.Discharge.COMPLETED, "")
    AftercarePlan.objects.create(episode=episode, next_provider="Harbor Clinic")
    assert passport.passport(participant=alice).aftercare.next_provider == "Harbor Clinic"
    episodes.admit(participant=alice, admitted_on=dt.date(2026, 11, 10), level_of_care="iop", counselor=None,
                   actor=alice.user)
    found = passport.passport(participant=alice)
    assert [(s.admitted_on, s.discharged_on) for s in found.stays] == [
        (dt.date(2026, 11, 10), None), (dt.date(2026, 10, 1), dt.date(2026, 10, 30))]
    assert found.aftercare is None  # the aftercare plan of the latest stay: none made yet
