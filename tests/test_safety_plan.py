import uuid

import pytest

from people import hidden_id
from tracker import services
from tracker.models import SafetyPlanVersion

PLAN = {
    "warning_signs": ["Skipping meals"],
    "helpers": [{"name": "Ana", "phone": "(555) 010-1234"}],
    "reasons": ["My kids"],
}


def save(api, data, entry_id=None):
    return api.put(f"/api/v1/safety-plan/versions/{entry_id or uuid.uuid4()}/", data, format="json")


def test_every_save_adds_a_numbered_version(api, alice):
    first = save(api, PLAN)
    second = save(api, {**PLAN, "reasons": ["My kids", "Running in spring"]})
    assert (first.status_code, second.status_code) == (201, 201)
    assert [first.json()["number"], second.json()["number"]] == [1, 2]
    assert api.get("/api/v1/safety-plan/").json()["reasons"] == ["My kids", "Running in spring"]
    assert api.get("/api/v1/safety-plan/versions/").json()["count"] == 2


def test_an_old_version_can_still_be_read(api, alice_client, alice):
    old = save(api, PLAN).json()
    save(api, {**PLAN, "warning_signs": ["Payday"]})
    assert api.get(f"/api/v1/safety-plan/versions/{old['id']}/").json()["warning_signs"] == ["Skipping meals"]
    page = alice_client.get("/safety-plan/versions/1/").text
    assert "Skipping meals" in page and "Payday" not in page
    history = alice_client.get("/safety-plan/versions/").text
    assert '<span class="plan-changes__section">Warning signs</span>' in history
    assert '<span class="plan-change__word">Added:</span> <ins>Payday</ins>' in history
    assert '<span class="plan-change__word">Removed:</span> <del>Skipping meals</del>' in history


def test_a_replay_of_a_save_makes_no_second_version(api, alice):
    entry_id = uuid.uuid4()
    first, again = save(api, PLAN, entry_id), save(api, PLAN, entry_id)
    assert first.json() == again.json()
    assert SafetyPlanVersion.objects.count() == 1


def test_a_saved_version_never_changes(api, alice):
    entry_id = uuid.uuid4()
    save(api, PLAN, entry_id)
    response = save(api, {**PLAN, "reasons": ["changed"]}, entry_id)
    assert response.status_code == 409
    assert SafetyPlanVersion.objects.get().reasons == ["My kids"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({**PLAN, "helpers": [{"name": "Ana", "phone": "call me"}]}, "helpers"),
        ({**PLAN, "reasons": ["x" * 201]}, "reasons"),
        ({**PLAN, "coping_alone": [f"line {n}" for n in range(13)]}, "coping_alone"),
        ({**PLAN, "helpers": [{"name": "", "phone": "555 0101"}]}, "helpers"),
    ],
)
def test_a_bad_save_is_a_400_and_loses_nothing(api, alice, data, field):
    save(api, PLAN)
    response = save(api, data)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert SafetyPlanVersion.objects.count() == 1
    assert api.get("/api/v1/safety-plan/").json()["helpers"] == PLAN["helpers"]


def test_the_page_keeps_what_was_typed_when_a_number_is_wrong(alice_client, alice):
    form = alice_client.get("/safety-plan/edit/").text
    entry_id = str(hidden_id(form))
    response = alice_client.post("/safety-plan/edit/", {"id": entry_id, "helpers": "Ana, 555-0101\nJoe, 12ab34",
                                                        "reasons": "My kids"})
    assert "doesn’t look like a phone number" in response.text
    assert "Joe, 12ab34" in response.text and "My kids" in response.text
    assert not SafetyPlanVersion.objects.exists()
    alice_client.post("/safety-plan/edit/", {"id": entry_id, "helpers": "Ana, 555-0101\nJoe, 555 0177", "reasons": "My kids"})
    assert SafetyPlanVersion.objects.get().helpers == [{"name": "Ana", "phone": "555-0101"},
                                                     {"name": "Joe", "phone": "555 0177"}]


def test_the_plan_page_has_988_and_tap_to_call_and_text(alice_client, alice):
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data=PLAN)
    html = alice_client.get("/safety-plan/").text
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert 'href="tel:5550101234"' in html and 'href="sms:5550101234"' in html
    assert "988 Suicide &amp; Crisis Lifeline" in html.split("Professionals and crisis lines")[1]


def test_988_is_there_before_anything_is_written(alice_client, alice):
    html = alice_client.get("/safety-plan/").text
    assert 'href="tel:988"' in html
    assert "Write my plan" in html


def test_i_need_help_now_opens_the_plan_signed_in_and_the_help_page_signed_out(client, alice):
    assert 'class="help-now" href="/help/"' in client.get("/signin/").text
    client.force_login(alice.user)
    for page in ("/", "/checkin/", "/history/", "/progress/", "/tasks/"):
        assert 'class="help-now" href="/safety-plan/"' in client.get(page, follow=True).text, page
