"""Setting questionnaire schedules (issue 17): the program's defaults at /care/settings/questionnaires/
and GET/PUT /api/v1/care/questionnaire-schedules/ (program admins only), and one person's at
/care/participants/<id>/questionnaires/schedule/ and GET/PUT .../questionnaire-schedules/ (their
care team only). The BAM cannot be turned on before its reuse terms are confirmed; bad input is a
message next to the field (pages, what was typed kept) or a 400 with field errors (API), with
nothing saved; every change is audited and planned at once.

carol is the program's admin and on alice's care team; erin is a counselor of the same program,
neither admin nor on alice's team. alice joined today (18 Nov 2026, noon in New York).
"""

import re

import pytest
from django.test import Client

from people import NOW, make_user
from signin import verified_login

from tracker.models import AuditEvent, Counselor, MeasureSchedule, Participant, Program, Questionnaire

PAGE = "/care/settings/questionnaires/"
API = "/api/v1/care/questionnaire-schedules/"

ALL_OFF_BUT_PHQ = {"phq9-active": "on", "phq9-at_intake": "on", "phq9-every_days": "21", "gad7-at_intake": "on",
                   "gad7-every_days": "14", "bam-at_intake": "on", "bam-every_days": "28", "window_days": "5"}


@pytest.fixture
def world(now, program, carol):
    carol.is_program_admin = True
    carol.save()
    alice = Participant.objects.create(user=make_user("alice"), program=program, time_zone="America/New_York")
    alice.care_team.add(carol)
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    return {"alice": alice, "carol": verified_login(Client(), carol.user), "erin": verified_login(Client(), erin.user),
            "carol_user": carol.user, "erin_user": erin.user}


def person_page(alice):
    return f"/care/participants/{alice.pk}/questionnaires/schedule/"


def person_api(alice):
    return f"/api/v1/care/participants/{alice.pk}/questionnaire-schedules/"


def rows_after(before):
    return [(r.action, r.resource, r.participant_id) for r in AuditEvent.objects.filter(pk__gt=before).order_by("pk")]


def last_audit():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def field_error(html, field_id):
    """The error shown beside a field (tracker/_field.html: <p class="error" id="id_<field>_error">)."""
    found = re.search(rf'<p class="error" id="id_{field_id}_error">([^<]+)</p>', html)
    return found.group(1) if found else None


def input_value(html, field_id):
    found = re.search(rf'<input[^>]*id="id_{field_id}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return value.group(1) if value else None


def snapshot(program):
    program.refresh_from_db()
    return (list(MeasureSchedule.objects.order_by("pk").values_list("participant_id", "instrument", "active",
                                                                     "at_intake", "every_days")),
            program.questionnaire_window_days, program.bam_terms_confirmed_at,
            Questionnaire.objects.count())


# ---------------------------------------------------------------------------------------------
# The program's defaults: the page


def test_the_admin_sees_the_built_in_schedules_and_the_bams_terms(world):
    html = world["carol"].get(PAGE).content.decode()
    assert input_value(html, "phq9-every_days") == "14" and input_value(html, "bam-every_days") == "28"
    assert 'id="id_phq9-active" checked' in html.replace('name="phq9-active" ', "")
    assert re.search(r'<input type="checkbox" name="bam-active" id="id_bam-active"\s*>', html)  # off: not confirmed
    assert "NOT FOUND: no source read states that the BAM is public domain" in html
    assert "I confirmed the BAM’s reuse terms for our program" in html
    assert input_value(html, "window_days") == "3"


def test_a_counselor_who_is_not_the_admin_gets_the_404_of_a_missing_page_and_changes_nothing(world, program):
    before = snapshot(program)
    for method in ("get", "post"):
        audit_before = last_audit()
        response = getattr(world["erin"], method)(PAGE, ALL_OFF_BUT_PHQ) if method == "post" else world["erin"].get(PAGE)
        assert response.status_code == 404
        assert rows_after(audit_before) == [("denied", "questionnaire-schedules", None)]
    assert snapshot(program) == before
    assert Client().get(PAGE).status_code == 302


def test_the_admin_saves_the_programs_schedules_audited_and_planned_at_once(world, program):
    audit_before = last_audit()
    response = world["carol"].post(PAGE, ALL_OFF_BUT_PHQ)
    assert response.status_code == 302 and response.url == PAGE
    assert set(MeasureSchedule.objects.values_list("instrument", "active", "at_intake", "every_days")) == {
        ("phq9", True, True, 21), ("gad7", False, True, 14), ("bam", False, True, 28)}
    program.refresh_from_db()
    assert program.questionnaire_window_days == 5 and not program.bam_on
    assert rows_after(audit_before) == [("write", "questionnaire-schedules", None)]
    # alice's PHQ-9 of today is planned at once, with the new 5-day window; the GAD-7 is off.
    assert list(Questionnaire.objects.values_list("instrument", "due_on")) == [("phq9", NOW.date())]
    assert "Questionnaire schedules saved" in world["carol"].get(PAGE).content.decode()


def test_the_bam_cannot_be_turned_on_without_confirming_its_terms(world, program):
    before = snapshot(program)
    response = world["carol"].post(PAGE, {**ALL_OFF_BUT_PHQ, "bam-active": "on", "phq9-every_days": "30"})
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html, "bam-active") == ("To turn the BAM on, also tick “I confirmed the BAM’s reuse terms for "
                                               "our program” below.")
    assert input_value(html, "phq9-every_days") == "30"  # what was typed is kept
    assert snapshot(program) == before  # nothing saved


def test_confirming_the_terms_turns_the_bam_on_and_unticking_turns_it_off(world, program, carol):
    response = world["carol"].post(PAGE, {**ALL_OFF_BUT_PHQ, "bam-active": "on", "bam_confirmed": "on"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.bam_on and program.bam_terms_confirmed_by == carol.user
    assert program.bam_terms_confirmed_at == NOW
    assert ("bam", NOW.date()) in list(Questionnaire.objects.values_list("instrument", "due_on"))
    html = world["carol"].get(PAGE).content.decode()
    assert "Confirmed on 18 Nov 2026 by Carol" in html
    # Unticking with the BAM still on is refused; with both unticked the BAM is off again.
    response = world["carol"].post(PAGE, {**ALL_OFF_BUT_PHQ, "bam-active": "on"})
    assert field_error(response.content.decode(), "bam-active")
    assert world["carol"].post(PAGE, ALL_OFF_BUT_PHQ).status_code == 302
    program.refresh_from_db()
    assert not program.bam_on and program.bam_terms_confirmed_by is None


@pytest.mark.parametrize("changes, field, message", [
    ({"phq9-every_days": "3"}, "phq9-every_days", "Give a number of days from 7 to 365, or leave it empty for intake only."),
    ({"phq9-every_days": "abc"}, "phq9-every_days", "Give a whole number of days, or leave it empty."),
    ({"phq9-at_intake": "", "phq9-every_days": ""}, "phq9-every_days",
     "As set, it would never be due: give every how many days, keep “at intake”, or turn it off."),
    ({"window_days": "0"}, "window_days", "Ensure this value is greater than or equal to 1."),
    ({"window_days": "30"}, "window_days", "Ensure this value is less than or equal to 14."),
])
def test_bad_input_is_a_message_beside_the_field_and_nothing_is_saved(world, program, changes, field, message):
    before = snapshot(program)
    data = {key: value for key, value in {**ALL_OFF_BUT_PHQ, **changes}.items() if value != ""}
    response = world["carol"].post(PAGE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html, field) == message
    assert f'aria-describedby="id_{field}_error"' in html and "Nothing was saved yet." in html
    assert snapshot(program) == before


# ---------------------------------------------------------------------------------------------
# One person's schedule: the page


def test_the_care_page_links_to_the_persons_schedule(world):
    alice = world["alice"]
    html = world["carol"].get(f"/care/participants/{alice.pk}/").content.decode()
    assert f'href="{person_page(alice)}"' in html


def test_a_counselor_sets_a_persons_own_schedule_audited_and_planned_at_once(world, program):
    alice = world["alice"]
    MeasureSchedule.objects.create(program=program, instrument="phq9", at_intake=False, every_days=14)
    html = world["carol"].get(person_page(alice)).content.decode()
    assert "Use the program’s default (Every 14 days from intake (not at intake))" in html
    assert "Nothing is open now." in html
    audit_before = last_audit()
    response = world["carol"].post(person_page(alice), {
        "phq9-mode": "own", "phq9-active": "on", "phq9-at_intake": "on", "phq9-every_days": "7",
        "gad7-mode": "default", "bam-mode": "default"})
    assert response.status_code == 302
    own = MeasureSchedule.objects.get(participant=alice)
    assert (own.instrument, own.active, own.at_intake, own.every_days) == ("phq9", True, True, 7)
    assert own.updated_by.user == world["carol_user"]
    assert rows_after(audit_before) == [("write", "questionnaire-schedule", alice.pk)]
    # Due at intake now: planned at once (the GAD-7 of the built-in default too).
    assert sorted(Questionnaire.objects.filter(participant=alice).values_list("instrument", flat=True)) == [
        "gad7", "phq9"]
    html = world["carol"].get(person_page(alice)).content.decode()
    assert "PHQ-9</strong>: due Wed 18 Nov, open until Sat 21 Nov 00:00" in html
    # "Use the program's default" removes the person's own row.
    world["carol"].post(person_page(alice), {"phq9-mode": "default", "gad7-mode": "default", "bam-mode": "default"})
    assert not MeasureSchedule.objects.filter(participant=alice).exists()


def test_a_person_can_be_taken_off_one_questionnaire(world):
    alice = world["alice"]
    world["carol"].post(person_page(alice), {"phq9-mode": "own", "phq9-at_intake": "on", "phq9-every_days": "14",
                                             "gad7-mode": "default", "bam-mode": "default"})
    assert list(Questionnaire.objects.filter(participant=alice).values_list("instrument", flat=True)) == ["gad7"]


@pytest.mark.parametrize("changes, field, message", [
    ({"phq9-every_days": "400"}, "phq9-every_days", "Give a number of days from 7 to 365, or leave it empty for intake only."),
    ({"phq9-at_intake": "", "phq9-every_days": ""}, "phq9-every_days",
     "As set, it would never be due: give every how many days, keep “at intake”, or turn it off."),
    ({"bam-mode": "own", "bam-active": "on", "bam-at_intake": "on"}, "bam-active",
     "The BAM stays off until a program admin confirms its reuse terms for your program."),
    ({"gad7-mode": "sometimes"}, "gad7-mode", "Select a valid choice. sometimes is not one of the available choices."),
])
def test_bad_input_on_a_persons_schedule_is_a_message_beside_the_field(world, program, changes, field, message):
    alice = world["alice"]
    before = snapshot(program)
    data = {"phq9-mode": "own", "phq9-active": "on", "phq9-at_intake": "on", "phq9-every_days": "10",
            "gad7-mode": "default", "bam-mode": "default", **changes}
    response = world["carol"].post(person_page(alice), {k: v for k, v in data.items() if v != ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html, field) == message
    assert snapshot(program) == before


def test_fields_of_a_questionnaire_left_on_the_default_are_never_checked(world):
    alice = world["alice"]
    response = world["carol"].post(person_page(alice), {"phq9-mode": "default", "phq9-every_days": "junk",
                                                        "gad7-mode": "default", "bam-mode": "default"})
    assert response.status_code == 302


def test_someone_off_the_care_team_changes_nothing(world, program):
    alice = world["alice"]
    before = snapshot(program)
    response = world["erin"].post(person_page(alice), {"phq9-mode": "own", "phq9-active": "on",
                                                       "phq9-at_intake": "on", "gad7-mode": "default",
                                                       "bam-mode": "default"})
    assert response.status_code == 404
    assert snapshot(program) == before


# ---------------------------------------------------------------------------------------------
# The API


PUT_BODY = {"window_days": 4, "bam_terms_confirmed": False, "schedules": [
    {"instrument": "phq9", "active": True, "at_intake": True, "every_days": 14},
    {"instrument": "gad7", "active": True, "at_intake": False, "every_days": 28},
    {"instrument": "bam", "active": False, "at_intake": True, "every_days": 28},
]}


def test_the_admin_reads_the_programs_schedules_without_an_audit_row(world):
    audit_before = last_audit()
    body = world["carol"].get(API).json()
    assert rows_after(audit_before) == []
    assert body["window_days"] == 3 and body["bam_terms_confirmed"] is False and body["bam_terms_confirmed_at"] is None
    assert body["bam_terms"].startswith("NOT FOUND")
    assert body["schedules"] == [
        {"instrument": "phq9", "name": "PHQ-9", "active": True, "at_intake": True, "every_days": 14,
         "source": "built-in", "available": True},
        {"instrument": "gad7", "name": "GAD-7", "active": True, "at_intake": True, "every_days": 14,
         "source": "built-in", "available": True},
        {"instrument": "bam", "name": "BAM", "active": True, "at_intake": True, "every_days": 28,
         "source": "built-in", "available": False},
    ]


def test_the_admin_puts_the_programs_schedules(world, program):
    audit_before = last_audit()
    response = world["carol"].put(API, PUT_BODY, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["window_days"] == 4
    assert [(s["instrument"], s["at_intake"], s["every_days"], s["source"]) for s in body["schedules"]] == [
        ("phq9", True, 14, "program"), ("gad7", False, 28, "program"), ("bam", True, 28, "program")]
    assert rows_after(audit_before) == [("write", "questionnaire-schedules", None)]
    assert list(Questionnaire.objects.values_list("instrument", flat=True)) == ["phq9"]
    # Confirming the terms and turning the BAM on, in one PUT.
    body = {**PUT_BODY, "bam_terms_confirmed": True, "schedules": [
        *PUT_BODY["schedules"][:2], {"instrument": "bam", "active": True, "at_intake": True, "every_days": 28}]}
    answer = world["carol"].put(API, body, content_type="application/json").json()
    assert answer["bam_terms_confirmed"] and answer["schedules"][2]["available"]
    assert sorted(Questionnaire.objects.values_list("instrument", flat=True)) == ["bam", "phq9"]


@pytest.mark.parametrize("body, errors", [
    ({**PUT_BODY, "schedules": [*PUT_BODY["schedules"][:2], {**PUT_BODY["schedules"][2], "active": True}]},
     {"schedules": {"2": {"active": ["The BAM stays off until a program admin confirms its reuse terms for "
                                     "your program."]}}}),
    ({**PUT_BODY, "window_days": 0}, {"window_days": ["Ensure this value is greater than or equal to 1."]}),
    ({**PUT_BODY, "window_days": "3"}, {"window_days": ["A valid integer is required."]}),
    ({**PUT_BODY, "schedules": PUT_BODY["schedules"][:2]},
     {"schedules": ["Name each questionnaire once: phq9, gad7, bam."]}),
    ({**PUT_BODY, "colour": "red"}, {"colour": ["Unknown field."]}),
    ({**PUT_BODY, "schedules": [{**PUT_BODY["schedules"][0], "every_days": 3}, *PUT_BODY["schedules"][1:]]},
     {"schedules": {"0": {"every_days": ["Ensure this value is greater than or equal to 7."]}}}),
    ({**PUT_BODY, "schedules": [{**PUT_BODY["schedules"][0], "at_intake": False, "every_days": None},
                                *PUT_BODY["schedules"][1:]]},
     {"schedules": {"0": {"every_days": ["As set, it would never be due: give every how many days, keep “at intake”, "
                                     "or turn it off."]}}}),
    ({**PUT_BODY, "schedules": [{**PUT_BODY["schedules"][0], "instrument": "k10"}, *PUT_BODY["schedules"][1:]]},
     {"schedules": {"0": {"instrument": ["\"k10\" is not a valid choice."]}}}),
])
def test_bad_input_to_the_programs_schedules_is_a_400_with_field_errors_and_nothing_saved(world, program, body,
                                                                                           errors):
    before = snapshot(program)
    response = world["carol"].put(API, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == errors
    assert snapshot(program) == before


def test_only_the_programs_admin_may_put_its_schedules(world, program):
    alice = world["alice"]
    before = snapshot(program)
    participant = Client()
    participant.force_login(alice.user)
    for who, client in (("erin", world["erin"]), ("a participant", participant)):
        audit_before = last_audit()
        response = client.put(API, PUT_BODY, content_type="application/json")
        assert response.status_code == 404, who
        assert [action for action, *_ in rows_after(audit_before)] == ["denied"]
    assert Client().put(API, PUT_BODY, content_type="application/json").status_code in (401, 403)
    # Another program's admin has no way to name this program: the route is always their own.
    elsewhere = Program.objects.create(name="Elsewhere")
    frank = Counselor.objects.create(user=make_user("frank"), program=elsewhere, is_program_admin=True)
    assert verified_login(Client(), frank.user).put(API, PUT_BODY, content_type="application/json").status_code == 200
    elsewhere.refresh_from_db()
    assert elsewhere.questionnaire_window_days == 4
    assert set(MeasureSchedule.objects.values_list("program_id", flat=True)) == {elsewhere.pk}
    assert snapshot(program)[1:3] == before[1:3]


def test_a_counselor_reads_and_puts_a_persons_schedules(world, program):
    alice = world["alice"]
    audit_before = last_audit()
    body = world["carol"].get(person_api(alice)).json()
    assert rows_after(audit_before) == [("read", "questionnaire-schedule", alice.pk)]
    assert [(s["instrument"], s["source"], s["use_default"]) for s in body["schedules"]] == [
        ("phq9", "built-in", True), ("gad7", "built-in", True), ("bam", "built-in", True)]
    audit_before = last_audit()
    response = world["carol"].put(person_api(alice), {"schedules": [
        {"instrument": "phq9", "use_default": True},
        {"instrument": "gad7", "active": False, "at_intake": True, "every_days": None},
        {"instrument": "bam", "use_default": True},
    ]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert rows_after(audit_before) == [("write", "questionnaire-schedule", alice.pk)]
    assert [(s["instrument"], s["active"], s["source"]) for s in response.json()["schedules"]] == [
        ("phq9", True, "built-in"), ("gad7", False, "participant"), ("bam", True, "built-in")]
    assert list(Questionnaire.objects.filter(participant=alice).values_list("instrument", flat=True)) == ["phq9"]
    # Back to the default: the row goes, and the GAD-7 of today is planned at once.
    world["carol"].put(person_api(alice), {"schedules": [
        {"instrument": key, "use_default": True} for key in ("phq9", "gad7", "bam")]}, content_type="application/json")
    assert not MeasureSchedule.objects.exists()
    assert sorted(Questionnaire.objects.filter(participant=alice).values_list("instrument", flat=True)) == [
        "gad7", "phq9"]


@pytest.mark.parametrize("item, errors", [
    ({"instrument": "phq9", "active": True}, {"at_intake": ["This field is required."],
                                               "every_days": ["This field is required."]}),
    ({"instrument": "phq9", "active": True, "at_intake": True, "every_days": 366},
     {"every_days": ["Ensure this value is less than or equal to 365."]}),
    ({"instrument": "phq9", "active": "yes", "at_intake": True, "every_days": 14},
     {"active": ["Must be a valid boolean."]}),
])
def test_bad_input_to_a_persons_schedules_is_a_400_and_nothing_saved(world, program, item, errors):
    alice = world["alice"]
    before = snapshot(program)
    response = world["carol"].put(person_api(alice), {"schedules": [
        item, {"instrument": "gad7", "use_default": True}, {"instrument": "bam", "use_default": True}]},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"schedules": {"0": errors}}
    assert snapshot(program) == before


def test_the_bam_cannot_be_put_on_for_a_person_while_the_program_has_not_confirmed_it(world, program):
    alice = world["alice"]
    response = world["carol"].put(person_api(alice), {"schedules": [
        {"instrument": "phq9", "use_default": True}, {"instrument": "gad7", "use_default": True},
        {"instrument": "bam", "active": True, "at_intake": True, "every_days": 28}]}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["schedules"]["2"] == {
        "active": ["The BAM stays off until a program admin confirms its reuse terms for your program."]}
    assert not MeasureSchedule.objects.exists()


def test_both_routes_are_in_the_schema_with_their_bodies(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    program = schema["paths"]["/api/v1/care/questionnaire-schedules/"]
    person = schema["paths"]["/api/v1/care/participants/{participant_id}/questionnaire-schedules/"]
    for operations in (program, person):
        assert {"get", "put"} <= set(operations)
        assert "400" in operations["put"]["responses"] and "404" in operations["put"]["responses"]
        assert operations["put"]["requestBody"]["content"]["application/json"]["schema"]
    components = schema["components"]["schemas"]
    assert {"window_days", "bam_terms_confirmed", "schedules"} <= set(components["ProgramSchedulesRequest"]["properties"])


def test_the_person_sees_in_their_access_log_who_looked_at_or_changed_their_schedule(world):
    alice = world["alice"]
    world["carol"].get(person_page(alice))
    world["carol"].put(person_api(alice), {"schedules": [
        {"instrument": key, "use_default": True} for key in ("phq9", "gad7", "bam")]}, content_type="application/json")
    own = Client()
    own.force_login(alice.user)
    page = own.get("/settings/access-log/").content.decode()
    assert "<li>Carol (your counselor) viewed when you are asked questionnaires</li>" in page
    assert "<li>Carol (your counselor) changed when you are asked questionnaires</li>" in page
