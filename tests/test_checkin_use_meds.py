"""The check-in's optional use and medication questions, on the page (full and quick) and through
the API. A follow-up without the answer it belongs to (what was used, without "Yes"; a number
of missed doses, without "Missed some") is refused, never silently cleared: a 400 naming the
field, or the message beside the field with what was typed kept. Nothing half saved."""

import datetime as dt
import re
import uuid

import pytest

from tracker import services
from tracker.models import CheckIn

TODAY = dt.date(2026, 11, 18)


def put(api, body, entry_id=None):
    return api.put(f"/api/v1/checkins/{entry_id or uuid.uuid4()}/", {"date": str(TODAY), **body}, format="json")


def medicate(participant, active=True):
    return services.medication_put(participant=participant, id=uuid.uuid4(), data={
        "name": "Buprenorphine", "times": ["08:00"], "active": active}).entry


# -- the API


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"used_today": "no", "substances": ["alcohol"]}, "substances", "You can say what you used only with “Yes”."),
    ({"used_today": "skip", "substances": ["cannabis"]}, "substances", "only with “Yes”"),
    ({"substances": ["alcohol"], "stress": 3}, "substances", "only with “Yes”"),
    ({"used_today": "yes", "substances": ["heroin"]}, "substances", "Pick from the list shown."),
    ({"used_today": "yes", "substances": "alcohol"}, "substances", "Pick from the list shown."),
    ({"used_today": "yes", "substances": ["alcohol", "alcohol"]}, "substances", "once"),
    ({"used_today": "maybe"}, "used_today", "Pick one of the answers shown."),
    ({"took_medication": "yes", "doses_missed": 2}, "doses_missed", "goes with “Missed some” only"),
    ({"stress": 2, "doses_missed": 1}, "doses_missed", "goes with “Missed some” only"),
    ({"took_medication": "some", "doses_missed": 0}, "doses_missed", "from 1 to 24"),
    ({"took_medication": "some", "doses_missed": 25}, "doses_missed", "from 1 to 24"),
    ({"took_medication": "sometimes"}, "took_medication", "Pick one of the answers shown."),
])
def test_the_api_refuses_a_follow_up_without_its_answer_naming_the_field(api, alice, now, body, field, message):
    response = put(api, body)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert list(errors) == [field], errors
    assert message in " ".join(errors[field])
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("body", [
    {"used_today": "skip"},                     # "I'd rather not say" is a full answer: a check-in
    {"used_today": "no"},
    {"used_today": "yes"},                      # what was used is optional
    {"used_today": "yes", "substances": ["alcohol", "other"]},
    {"took_medication": "no"},
    {"took_medication": "some"},                # how many is optional: it counts as one
    {"took_medication": "some", "doses_missed": 2},
])
def test_either_answer_alone_makes_a_check_in(api, alice, now, body):
    response = put(api, body)
    assert response.status_code == 201, response.content
    saved = response.json()
    expected = {"used_today": "", "substances": [], "took_medication": "", "doses_missed": None, **body}
    assert {name: saved[name] for name in expected} == expected


def test_a_check_in_with_nothing_else_is_still_empty(api, alice, now):
    response = put(api, {"substances": [], "doses_missed": None})
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_leaving_the_questions_out_of_a_put_clears_them_as_for_every_field(api, alice, now):
    entry_id = uuid.uuid4()
    put(api, {"used_today": "yes", "substances": ["alcohol"], "stress": 4}, entry_id)
    response = put(api, {"stress": 4}, entry_id)
    assert response.status_code == 200
    assert (response.json()["used_today"], response.json()["substances"]) == ("", [])


def test_the_care_team_reads_the_answers_through_the_api(api, alice, carol_client, now):
    put(api, {"used_today": "yes", "substances": ["cannabis"], "took_medication": "some", "doses_missed": 1})
    (row,) = carol_client.get(f"/api/v1/care/participants/{alice.pk}/checkins/").json()["results"]
    assert (row["used_today"], row["substances"], row["took_medication"], row["doses_missed"]) == (
        "yes", ["cannabis"], "some", 1)


# -- the page


def fieldset(html, name):
    match = re.search(rf'<fieldset class="field[^"]*"[^>]*>(?:(?!</fieldset>).)*name="{name}"(?:(?!</fieldset>).)*</fieldset>',
                      html, re.S)
    return match.group(0) if match else ""


def test_the_page_asks_about_use_with_rather_not_say_as_an_answer(alice_client, alice, now):
    html = alice_client.get("/checkin/").content.decode()
    use = fieldset(html, "used_today")
    assert "Did you use alcohol or drugs today (not counting medicines taken as prescribed)?" in use
    assert [label for label in re.findall(r"<span>([^<]+)</span>", use)] == ["No", "Yes", "I&#x27;d rather not say"]
    assert 'data-shown-by="used_today" data-shown-for="yes"' in html and 'name="substances"' in html
    assert 'name="took_medication"' not in html    # no active medication: not asked


def test_the_medication_question_is_asked_while_a_medication_is_active(alice_client, alice, now):
    medication = medicate(alice)
    html = alice_client.get("/checkin/").content.decode()
    assert "Took my medication today?" in html
    assert [label for label in re.findall(r"<span>([^<]+)</span>", fieldset(html, "took_medication"))] == [
        "Yes, all of it", "Missed some", "No"]
    assert 'data-shown-by="took_medication" data-shown-for="some"' in html and 'name="doses_missed"' in html
    assert "Buprenorphine" not in html              # the question never names it
    services.medication_put(participant=alice, id=medication.pk, data={"name": "Buprenorphine", "times": ["08:00"],
                                                                      "active": False})
    assert 'name="took_medication"' not in alice_client.get("/checkin/").content.decode()


def test_an_answer_already_given_stays_on_the_page_after_the_medication_stopped(alice_client, alice, now):
    entry = services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": TODAY, "took_medication": "no"}).entry
    html = alice_client.get(f"/checkin/{entry.pk}/").content.decode()
    assert re.search(r'name="took_medication" value="no"[^>]*checked', html)


def test_the_quick_check_in_asks_too(alice_client, alice, now):
    for back in (1, 2, 3):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": TODAY - dt.timedelta(days=back), "in_bed_at": dt.time(23), "final_wake_at": dt.time(7)})
    medicate(alice)
    html = alice_client.get("/checkin/").content.decode()
    assert 'data-bed="23:00"' in html           # the quick mode: "Same as usual"
    assert 'name="used_today"' in html and 'name="took_medication"' in html
    # One tap for the usual night and one for each question is a whole check-in.
    response = alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": str(TODAY), "usual_times": "on",
                                               "used_today": "no", "took_medication": "yes"})
    assert response.status_code == 302
    saved = alice.checkins.get(date=TODAY)
    assert (saved.usual_times, saved.used_today, saved.took_medication) == (True, "no", "yes")


def test_the_page_saves_the_answers(alice_client, alice, now):
    medicate(alice)
    response = alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": str(TODAY), "used_today": "yes",
                                               "substances": ["alcohol", "stimulants"], "took_medication": "some",
                                               "doses_missed": "2"})
    assert response.status_code == 302
    saved = alice.checkins.get()
    assert (saved.used_today, saved.substances, saved.took_medication, saved.doses_missed) == (
        "yes", ["alcohol", "stimulants"], "some", 2)


def test_the_page_refuses_a_follow_up_without_its_answer_beside_the_field_keeping_what_was_typed(
        alice_client, alice, now):
    medicate(alice)
    response = alice_client.post("/checkin/", {"id": str(uuid.uuid4()), "date": str(TODAY), "used_today": "no",
                                               "substances": ["alcohol"], "took_medication": "yes",
                                               "doses_missed": "3", "stress": "4"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<p class="error" id="id_substances_error">You can say what you used only with “Yes”', html)
    assert re.search(r'<p class="error" id="id_doses_missed_error">A number of missed doses goes with', html)
    assert re.search(r'name="substances" value="alcohol"[^>]*checked', html)       # kept as ticked
    assert re.search(r'name="doses_missed" value="3"', html)
    assert not CheckIn.objects.exists()
