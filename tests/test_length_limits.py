"""Text over a field's limit is refused with a message and kept, never cut: on the pages, in the
API, and in the care team's acknowledgement note."""

import html
import uuid

from django.urls import reverse

from people import NOW, hidden_id
from tracker import services, triage
from tracker.models import CheckIn, FlagAcknowledgement, Participant

CHECKIN = {"date": "2026-11-18", "stress": "3", "small_win": "", "note": ""}


def test_a_form_over_the_limit_says_so_beside_the_field_and_keeps_the_text(alice_client, alice, now):
    entry_id = hidden_id(alice_client.get("/checkin/").text)
    win = "w" * 201  # small_win holds 200
    response = alice_client.post("/checkin/", {**CHECKIN, "id": entry_id, "small_win": win})
    assert response.status_code == 200
    assert ('<p class="error" id="id_small_win_error">Use at most 200 characters (this is 201). Nothing was cut: '
            'shorten it and save again.</p>') in response.text
    assert f'value="{win}"' in response.text  # all of it, not the first 200
    assert not CheckIn.objects.exists()


def test_the_page_counts_instead_of_letting_the_browser_cut_pasted_text(alice_client, alice, now):
    page = alice_client.get("/checkin/").text
    small_win = next(tag for tag in page.split("<") if 'name="small_win"' in tag)
    assert "maxlength" not in small_win
    assert 'data-max-length="200"' in small_win and 'data-counter="%(count)s of %(limit)s characters"' in small_win
    note = next(tag for tag in page.split("<") if 'name="note"' in tag)
    assert "maxlength" not in note and 'data-max-length="2000"' in note


def test_line_breaks_count_once_as_on_the_page(alice_client, alice, now):
    # 10 lines of 198 letters, 9 breaks between them and 11 letters more: 1,980 + 9 + 11 = 2,000
    # characters on the page (and in the API), 2,009 as a browser posts them with \r\n.
    note = "\r\n".join(["x" * 198] * 10) + "y" * 11
    assert (len(note.replace("\r\n", "\n")), len(note)) == (2000, 2009)
    entry_id = hidden_id(alice_client.get("/checkin/").text)
    response = alice_client.post("/checkin/", {**CHECKIN, "id": entry_id, "note": note})
    assert response.status_code == 302, html.unescape(response.text)[-3000:]
    assert CheckIn.objects.get().note == note.replace("\r\n", "\n")


def test_an_api_body_over_the_limit_is_a_400_naming_the_field(api, now):
    for field, limit in (("small_win", 200), ("note", 2000)):
        response = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": "2026-11-18", "stress": 2,
                                                                 field: "a" * (limit + 1)}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == [field]
    assert not CheckIn.objects.exists()


def strong_urge_flag(alice):
    services.urge_put(participant=alice, id=uuid.uuid4(), data={"occurred_at": NOW, "intensity": 9})
    flags = {f.key: f for f in triage.caseload([Participant.objects.get(pk=alice.pk)])[0].flags}
    return flags["high_urge"]


def test_an_acknowledgement_note_over_the_limit_is_refused_not_cut(carol_client, alice, now):
    flag = strong_urge_flag(alice)
    url = reverse("care_acknowledge", args=[alice.pk])
    response = carol_client.post(url, {"flag": flag.key, "evidence": flag.evidence, "note": "n" * 301}, follow=True)
    assert "The note is 301 characters; the most is 300. Nothing was acknowledged" in html.unescape(response.text)
    assert not FlagAcknowledgement.objects.exists()
    carol_client.post(url, {"flag": flag.key, "evidence": flag.evidence, "note": "n" * 300})
    assert FlagAcknowledgement.objects.get().note == "n" * 300


def test_the_acknowledgement_note_box_counts_instead_of_cutting(carol_client, alice, now):
    strong_urge_flag(alice)
    page = carol_client.get("/care/").text
    box = next(tag for tag in page.split("<") if 'name="note"' in tag)
    assert "maxlength" not in box and 'data-max-length="300"' in box
