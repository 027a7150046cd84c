"""A refused value reads the same from the API as from the page's form: the words each entry's
MESSAGES (tracker/models.py) give, not the framework's generic ones."""

import html
import re
import uuid

import pytest

from people import hidden_id
from tracker.models import Urge

GENERIC = ("This field is required", "Ensure this", "is not a valid choice", "wrong format", "valid integer")


def page_error(page, field):
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


URGE = {"intensity": "6", "occurred_at": "2026-11-18T11:30"}
CHECKIN = {"date": "2026-11-18", "small_win": "A walk"}

# (what, API kind, API body, page path, page form data, field)
CASES = [
    ("urge without a strength", "urges", {"occurred_at": "2026-11-18T11:30:00-05:00"}, "/urge/",
     {**URGE, "intensity": ""}, "intensity"),
    ("urge too strong", "urges", {"occurred_at": "2026-11-18T11:30:00-05:00", "intensity": 11}, "/urge/",
     {**URGE, "intensity": "11"}, "intensity"),
    ("urge at no time", "urges", {"intensity": 3, "occurred_at": "soon"}, "/urge/",
     {**URGE, "occurred_at": "soon"}, "occurred_at"),
    ("check-in minutes below 0", "checkins", {"date": "2026-11-18", "sleep_latency_min": -1}, "/checkin/",
     {**CHECKIN, "sleep_latency_min": "-1"}, "sleep_latency_min"),
    ("check-in minutes over 12 hours", "checkins", {"date": "2026-11-18", "awake_min": 721}, "/checkin/",
     {**CHECKIN, "awake_min": "721"}, "awake_min"),
    ("check-in stress over 10", "checkins", {"date": "2026-11-18", "stress": 11}, "/checkin/",
     {**CHECKIN, "stress": "11"}, "stress"),
    ("check-in bad time", "checkins", {"date": "2026-11-18", "in_bed_at": "25:00"}, "/checkin/",
     {**CHECKIN, "in_bed_at": "25:00"}, "in_bed_at"),
    ("check-in without a day", "checkins", {"small_win": "A walk"}, "/checkin/",
     {**CHECKIN, "date": ""}, "date"),
    ("check-in note too long", "checkins", {"date": "2026-11-18", "note": "x" * 2001}, "/checkin/",
     {**CHECKIN, "note": "x" * 2001}, "note"),
    ("reflection with too many wins", "reflections", {"week_start": "2026-11-16", "wins": ["a"] * 11}, "/reflection/",
     {"week_start": "2026-11-16", "wins": "\n".join(["a"] * 11)}, "wins"),
    ("weekend plan without its Friday", "weekend-plans", {"saturday": "Gym"}, "/weekend/",
     {"weekend_of": "", "saturday": "Gym"}, "weekend_of"),
    ("high-risk time on no day", "high-risk-times", {"weekdays": [], "start_time": "18:00", "end_time": "20:00"},
     "/highrisk/", {"start_time": "18:00", "end_time": "20:00"}, "weekdays"),
    ("weekend plan with a made-up answer", "weekend-plans", {"weekend_of": "2026-11-13", "how_it_went": "meh"},
     "/weekend/", {"weekend_of": "2026-11-13", "how_it_went": "meh"}, "how_it_went"),
]


@pytest.mark.parametrize("what, kind, body, path, data, field", CASES, ids=[c[0] for c in CASES])
def test_the_api_says_what_the_form_says(api, alice_client, now, what, kind, body, path, data, field):
    answer = api.put(f"/api/v1/{kind}/{uuid.uuid4()}/", body, format="json")
    assert answer.status_code == 400
    api_message = " ".join(answer.json()[field])
    page = alice_client.post(path, {**data, "id": str(hidden_id(alice_client.get(path).text))})
    assert page.status_code == 200
    if field in ("weekend_of", "week_start"):  # a hidden field: its message is at the top of the form
        assert f"{api_message}" in html.unescape(page.text)
    else:
        assert page_error(page.text, field) == api_message
    assert not any(generic in api_message for generic in GENERIC), api_message


def test_the_safety_plan_api_says_what_the_models_say(api, now):
    answer = api.put(f"/api/v1/safety-plan/versions/{uuid.uuid4()}/",
                     {"warning_signs": ["a"] * 13, "helpers": [{"name": "", "phone": "555-1234"}]}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"warning_signs": ["Up to 12 lines here, please."],
                             "helpers": {"0": {"name": ["Each one needs a name."]}}}


def test_back_then_save_again_without_script_changes_the_same_urge(alice_client, now):
    # The form's hidden id goes with the post: a resubmitted form updates the urge it made.
    entry_id = hidden_id(alice_client.get("/urge/").text)
    for intensity in ("6", "4"):
        response = alice_client.post("/urge/", {**URGE, "intensity": intensity, "id": str(entry_id)})
        assert response.status_code == 302
    assert list(Urge.objects.values_list("pk", "intensity")) == [(entry_id, 4)]
