"""After a hard moment: the support sheet after a strong urge or a setback, "I'd like to talk"
(its API, its no-script form and its caseload flag), and the program's harm-reduction line.
"now" is Wednesday 18 November 2026, 12:00 in New York (alice's zone)."""

import datetime as dt
import uuid

import pytest

from people import NOW
from tracker import accounts, services, triage
from tracker.models import AuditEvent, FlagAcknowledgement, NoticeAcknowledgement, Participant, TalkRequest


def urge(p, *, hours_ago=1, intensity=5, helped=(), outcome="passed"):
    return services.urge_put(participant=p, id=uuid.uuid4(), data={
        "occurred_at": NOW - dt.timedelta(hours=hours_ago), "intensity": intensity, "helped": list(helped),
        "outcome": outcome}).entry


def plan(p, **sections):
    services.safety_plan_save(participant=p, id=uuid.uuid4(), author=p.user, data=sections)


def talk_flag(p):
    flags = {flag.key: flag for flag in triage.caseload([Participant.objects.get(pk=p.pk)])[0].flags}
    return flags.get("talk")


# -- the support sheet


def test_the_sheet_shows_the_persons_top_two_strategies_and_calls_their_first_helper(alice_client, alice, now):
    # Went for a walk: 3 of 3 passed (100%); Called someone: 2 of 3 (67%); Music: 1 of 3 (33%);
    # Slow breathing: 2 of 2, too few uses to rank. The top two: the walk, then the call.
    for helped, outcome in [(["walked", "called"], "passed"), (["walked", "called"], "passed"), (["walked"], "passed"),
                            (["called", "music"], "used"), (["music"], "used"), (["music"], "passed"),
                            (["breathing"], "passed"), (["breathing"], "passed")]:
        urge(alice, helped=helped, outcome=outcome)
    plan(alice, coping_alone=["Cold water on my face"],
         helpers=[{"name": "Sam from group", "phone": ""}, {"name": "My sister Ana", "phone": "555-0101"}])
    page = alice_client.get("/support/").text
    assert "What helps you most" in page
    strategies = page.split('class="plan-items support-strategies">')[1].split("</ul>")[0]
    assert strategies == "<li>Went for a walk</li><li>Called someone</li>"
    assert "Cold water on my face" not in page
    # The first person on the plan with a number (Sam has none): one tap calls Ana.
    assert 'href="tel:5550101"' in page and "Call My sister Ana" in page
    assert 'href="/safety-plan/"' in page and 'href="tel:988"' in page and 'href="sms:988"' in page
    assert "I’d like to talk" in page and 'href="/"' in page
    assert 'data-after="setback"' in page and "harm-line" in page  # in the page, hidden: not after a setback
    assert page.split('data-after="setback"')[1].split(">")[0].strip().endswith("hidden")


def test_with_fewer_than_two_ranked_strategies_the_sheet_shows_the_plans_things_to_do_alone(alice_client, alice, now):
    for _ in range(3):
        urge(alice, helped=["walked"], outcome="passed")  # one strategy ranked: not enough
    plan(alice, coping_alone=["Cold water on my face", "Walk round the block"])
    page = alice_client.get("/support/").text
    assert "Things you can do on your own" in page and "What helps you most" not in page
    assert "Cold water on my face" in page and "Walk round the block" in page


def test_with_no_helper_on_the_plan_the_call_is_988(alice_client, alice, now):
    page = alice_client.get("/support/").text
    assert 'class="button button--primary support-call" href="tel:988"' in page and "Call 988" in page
    assert "room for things you can do on your own" in page
    plan(alice, helpers=[{"name": "Sam from group", "phone": ""}])
    assert 'support-call" href="tel:988"' in alice_client.get("/support/").text


def test_after_a_setback_a_kind_sentence_and_the_programs_harm_reduction_line(alice_client, alice, now):
    page = alice_client.get("/support/?after=setback").text
    setback = page.split('data-after="setback"')[1].split("</section>")[0]
    assert "hidden" not in setback.split(">")[0]
    assert "A setback does not erase the steps before it" in setback
    assert "tolerance is lower" in setback and "naloxone" in setback  # Steady's own wording

    alice.program.harm_reduction_text = "Fentanyl test strips are free at the front desk."
    alice.program.save()
    setback = alice_client.get("/support/?after=setback").text.split('data-after="setback"')[1].split("</section>")[0]
    assert "Fentanyl test strips are free at the front desk." in setback and "naloxone" not in setback

    alice.program.harm_reduction_on = False
    alice.program.save()
    setback = alice_client.get("/support/?after=setback").text.split('data-after="setback"')[1].split("</section>")[0]
    assert "harm-line" not in setback and "Fentanyl" not in setback
    assert "A setback does not erase the steps before it" in setback


@pytest.mark.parametrize(("intensity", "outcome", "lands_on"), [
    (8, "passed", "/support/"), (10, "", "/support/"), (3, "used", "/support/?after=setback"),
    (7, "passed", "/"), (7, "reached_out", "/"),
])
def test_saving_an_urge_without_script_goes_to_the_sheet_after_a_hard_moment(alice_client, now, intensity, outcome,
                                                                              lands_on):
    response = alice_client.post("/urge/", {"id": str(uuid.uuid4()), "intensity": intensity, "outcome": outcome,
                                            "occurred_at": "2026-11-18T11:00"})
    assert (response.status_code, response["Location"]) == (302, lands_on)


def test_the_sheet_and_the_safety_plan_are_among_the_pages_the_phone_keeps(client):
    worker = client.get("/sw.js").text
    pages = worker.split("const PAGES = ")[1].split(";")[0]
    assert '"/safety-plan/"' in pages and '"/support/"' in pages


def test_the_sheet_is_for_participants_only(client, carol_client):
    assert client.get("/support/")["Location"].startswith("/signin/")
    assert carol_client.get("/support/").status_code in (302, 403, 404)


# -- "I'd like to talk"


def test_a_request_to_talk_is_written_once_and_raises_an_urgent_flag(api, alice, now):
    entry_id = uuid.uuid4()
    first = api.put(f"/api/v1/talk/{entry_id}/", {"source": "support"}, format="json")
    again = api.put(f"/api/v1/talk/{entry_id}/", {"source": "support"}, format="json")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and first.json()["source"] == "support"
    assert TalkRequest.objects.filter(participant=alice).count() == 1
    bad = api.put(f"/api/v1/talk/{uuid.uuid4()}/", {"source": "anywhere"}, format="json")
    assert bad.status_code == 400 and "source" in bad.json()
    assert api.delete(f"/api/v1/talk/{entry_id}/").status_code == 405
    flag = talk_flag(alice)
    assert (flag.label, flag.severity, flag.weight) == ("Asked to talk", "urgent", triage.WEIGHTS["high_urge"])
    assert flag.evidence == f"talk:{entry_id}" and "after a hard moment" in flag.text


def test_acknowledging_the_request_quiets_it_until_a_new_one(api, alice, carol, carol_client, now):
    api.put(f"/api/v1/talk/{uuid.uuid4()}/", {"source": "today"}, format="json")
    flag = talk_flag(alice)
    response = carol_client.post(f"/care/participants/{alice.pk}/acknowledge/", {
        "flag": "talk", "evidence": flag.evidence, "note": "Called, seeing her Thursday", "next": "/care/"})
    assert response.status_code == 302 and FlagAcknowledgement.objects.filter(flag="talk").count() == 1
    acknowledged = talk_flag(alice)
    assert acknowledged.acknowledgement is not None and acknowledged.weight == pytest.approx(0.8)
    page = carol_client.get("/care/").text
    assert "Asked to talk" in page and "Called, seeing her Thursday" in page

    now.shift(dt.timedelta(hours=1))
    api.put(f"/api/v1/talk/{uuid.uuid4()}/", {"source": "safety_plan"}, format="json")
    renewed = talk_flag(alice)
    assert renewed.acknowledgement is None and renewed.weight == 8 and "the safety plan" in renewed.text

    # Acknowledged, it leaves the list a week after the request; unacknowledged, it stays.
    now.shift(dt.timedelta(days=30))
    assert talk_flag(alice) is not None
    FlagAcknowledgement.objects.create(participant=alice, flag="talk", evidence=talk_flag(alice).evidence,
                                       counselor=carol)  # (carol's session has long ended)
    assert talk_flag(alice) is None


def test_the_care_team_sees_the_flag_on_the_trends_page_and_in_the_export(api, alice, carol_client, now):
    entry_id = uuid.uuid4()
    api.put(f"/api/v1/talk/{entry_id}/", {"source": "support"}, format="json")
    assert "Asked to talk" in carol_client.get(f"/care/participants/{alice.pk}/").text
    records = carol_client.get(f"/care/participants/{alice.pk}/export.json").json()["records"]
    assert [(row["id"], row["source"]) for row in records["talk_request"]] == [(str(entry_id), "support")]


def test_the_persons_own_export_has_their_requests_to_talk(alice_client, api, now):
    entry_id = uuid.uuid4()
    api.put(f"/api/v1/talk/{entry_id}/", {"source": "today"}, format="json")
    records = alice_client.get("/settings/my-data.json").json()["records"]
    assert [row["id"] for row in records["talk_request"]] == [str(entry_id)]


def test_without_script_the_talk_button_posts_and_says_when_it_will_be_seen(alice_client, alice, now):
    entry_id = str(uuid.uuid4())
    for _ in range(2):  # a double tap is one request
        response = alice_client.post("/talk/", {"id": entry_id, "source": "safety_plan"}, follow=True)
    assert response.redirect_chain[-1][0] == "/safety-plan/"
    assert "Your care team will see this when they are next at work. If you need someone now: 988." in response.text
    assert list(TalkRequest.objects.filter(participant=alice).values_list("source", flat=True)) == ["safety_plan"]
    assert alice_client.post("/talk/", {"id": "nonsense", "source": "elsewhere"})["Location"] == "/"
    assert alice_client.get("/talk/").status_code == 405


@pytest.mark.parametrize("page", ["/", "/safety-plan/", "/support/"])
def test_the_talk_button_is_on_today_the_safety_plan_and_the_sheet(alice_client, page):
    html = alice_client.get(page).text
    assert 'action="/talk/"' in html and "I’d like to talk" in html


# -- the program's harm-reduction line, set by its admins


def test_only_a_program_admin_edits_the_harm_reduction_line(carol, carol_client, alice_client, alice, now):
    assert carol_client.get("/care/settings/program/").status_code == 404  # not an admin (yet)
    assert carol_client.post("/care/settings/program/", {"harm_reduction_text": "x"}).status_code == 404
    assert alice_client.get("/care/settings/program/").status_code in (302, 403, 404)
    assert list(AuditEvent.objects.filter(action="denied", resource="program-settings")
                .values_list("actor__username", flat=True).order_by("pk")) == ["carol", "carol", "alice"]
    assert "/care/settings/program/" not in carol_client.get("/care/settings/").text

    carol.is_program_admin = True
    carol.save()
    assert "/care/settings/program/" in carol_client.get("/care/settings/").text
    page = carol_client.get("/care/settings/program/").text
    assert 'data-max-length="300"' in page and "naloxone" in page  # the counter, and Steady's own wording
    # The page also holds the program's schedule settings (issue 16): sent as they are.
    kept = {"time_zone": alice.program.time_zone, "office_opens": "09:00", "office_closes": "17:00", "hours_iop": "9"}
    too_long = carol_client.post("/care/settings/program/", {**kept, "harm_reduction_on": "on",
                                                             "harm_reduction_text": "y" * 301})
    assert too_long.status_code == 200 and "at most 300 characters" in too_long.text and "y" * 301 in too_long.text
    response = carol_client.post("/care/settings/program/", {**kept, "harm_reduction_text": " Test strips at the desk. "})
    assert response.status_code == 302
    alice.program.refresh_from_db()
    assert (alice.program.harm_reduction_on, alice.program.harm_reduction_text) == (False, "Test strips at the desk.")
    write, = AuditEvent.objects.filter(action="write", resource="program-settings")
    assert (write.actor, write.program_id) == (carol.user, alice.program_id)
    assert "Test strips" not in alice_client.get("/support/?after=setback").text  # turned off


# -- the notice of who sees what names the new kind of data


def test_a_new_notice_asks_those_who_read_the_old_one_to_read_it_again(alice_client, alice, now):
    assert "When you tap \"I'd like to talk\"" in accounts.notice_text(alice.program)
    assert "Read who sees what" not in alice_client.get("/").text  # nothing acknowledged: nothing to redo
    NoticeAcknowledgement.objects.create(user=alice.user, version="2026-11-28", text="the old one")
    assert "Read who sees what" in alice_client.get("/").text
    page = alice_client.get("/settings/notice/").text
    assert "This changed since you last read it" in page and "I&#x27;d like to talk" in page
    refused = alice_client.post("/settings/notice/", {})
    assert refused.status_code == 200 and "tick the box" in refused.text
    assert alice_client.post("/settings/notice/", {"acknowledged": "on"})["Location"] == "/"
    newest = NoticeAcknowledgement.objects.filter(user=alice.user).order_by("-acknowledged_at", "-pk").first()
    assert newest.version == accounts.NOTICE_VERSION and newest.text == accounts.notice_text(alice.program)
    assert "Read who sees what" not in alice_client.get("/").text


def test_the_notice_names_episodes_check_ups_program_figures_and_the_clinical_record(alice, now):
    """Issue 18: the former care team reads after discharge, check-up answers go to the former
    counselor, program admins see figures: a new version, so everyone reads it again."""
    text = accounts.notice_text(alice.program)
    assert "no longer change them" in text
    assert "check-up answers" in text
    assert "never name you" in text and "small numbers are hidden" in text
    assert f"for {alice.program.record_retention_years} years" in text
    NoticeAcknowledgement.objects.create(user=alice.user, version="2026-11-30.3", text="issue 17's")
    assert accounts.notice_outdated(alice.user)
