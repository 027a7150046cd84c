"""Words that reached Spanish readers in English until 2026-12-01: the models' own checks, the
409 of a second entry for a period, the suggested high-risk times in the API, the streamed CSV
download, score bands and the API's own 404 and second-factor refusals. Each is compared with
the catalogue's Spanish, which must differ from the English (so a missing translation fails)."""

import datetime as dt
import uuid

import pytest
from django.utils import translation
from django.views.defaults import server_error
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tracker import accounts, instruments, progress
from tracker.templatetags.score_words import band_words


def spanish(english, **values):
    with translation.override("es"):
        words = translation.gettext(english)
    assert words != english, f"no Spanish for {english!r}"
    return words % values if values else words


@pytest.fixture
def api(alice, now):
    accounts.set_language(alice.user, "es")
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=alice.user).key}")


def test_a_check_in_s_own_checks_answer_in_the_reader_s_language(api, alice):
    tomorrow = (alice.local_today() + dt.timedelta(days=1)).isoformat()
    refused = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": tomorrow, "stress": 3}, format="json")
    assert refused.status_code == 400
    assert refused.json()["date"] == [spanish("That day hasn’t happened yet. Pick today or an earlier day.")]
    today = alice.local_today().isoformat()
    refused = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": today, "final_wake_at": "07:00"}, format="json")
    assert refused.json()["in_bed_at"] == [spanish("Add the time you got into bed, or clear the other sleep times.")]
    assert api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": today, "stress": 3}, format="json").status_code == 201
    second = api.put(f"/api/v1/checkins/{uuid.uuid4()}/", {"date": today, "stress": 4}, format="json")
    assert second.status_code == 409
    assert second.json()["date"] == [spanish("You already have a check-in for this day. Open it to change it.")]


def test_a_reflection_s_week_and_a_list_s_limits_answer_in_the_reader_s_language(api, alice):
    monday = alice.local_today() - dt.timedelta(days=alice.local_today().weekday())
    tuesday = monday - dt.timedelta(days=6)
    refused = api.put(f"/api/v1/reflections/{uuid.uuid4()}/", {"week_start": tuesday.isoformat(), "wins": ["A walk"]},
                      format="json")
    assert refused.status_code == 400
    assert refused.json()["week_start"] == [spanish("A week starts on a Monday: use %(monday)s.",
                                                    monday=(monday - dt.timedelta(days=7)).isoformat())]
    refused = api.put(f"/api/v1/reflections/{uuid.uuid4()}/", {"week_start": monday.isoformat(), "wins": ["x"] * 11},
                      format="json")
    assert refused.json()["wins"] == [spanish("Up to %(max)s wins, please.", max=10)]


def test_a_suggested_high_risk_time_is_worded_in_the_reader_s_language():
    suggestion = progress.Suggestion(weekday=4, start_hour=17, end_hour=20, weeks_with_urges=6, weeks_seen=8,
                                     urge_count=9, time_zone="America/New_York")
    english = suggestion.explanation
    assert suggestion.label == "Friday evening" and "of your last 8 Fridays between 17:00 and 20:00" in english
    with translation.override("es"):
        evening = translation.gettext("%(day)s evening") % {"day": "viernes"}
        assert suggestion.label == evening[:1].upper() + evening[1:] and "evening" not in evening
        assert suggestion.explanation != english and "viernes" in suggestion.explanation
        assert suggestion.words() == {**suggestion.words(), "label": suggestion.label,
                                      "explanation": suggestion.explanation}


def test_the_csv_download_is_written_in_the_reader_s_language(alice, alice_client, now):
    accounts.set_language(alice.user, "es")
    response = alice_client.get("/settings/my-data.csv")
    text = b"".join(response.streaming_content).decode()
    about = "Everything Steady holds about you, including notes you kept to yourself, and who on your care team viewed your records."
    assert spanish(about) in text and about not in text


def test_score_bands_and_the_api_s_own_refusals_in_spanish(api):
    with translation.override("es"):
        band = band_words("Moderate anxiety")
    assert band == instruments.translated("Moderate anxiety", "es") != "Moderate anxiety" and band_words("") == ""
    # No view, so no token read: the header's language, as for anyone.
    assert api.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="es").json() == {"detail": spanish("Not found.")}


def test_the_not_found_and_server_error_pages_are_steady_s_own_in_the_reader_s_language(alice, alice_client, rf):
    accounts.set_language(alice.user, "es")
    missing = alice_client.get("/group/999999/missed/")
    page = missing.content.decode()
    assert missing.status_code == 404 and '<html lang="es">' in page
    assert spanish("Page not found") in page and "css/steady" in page  # the app's own page, with its style
    assert "Not Found" not in page and "The requested resource" not in page
    assert 'href="/help/"' in page  # the way to help, on every page
    with translation.override("es"):
        broken = server_error(rf.get("/today/"))
    assert broken.status_code == 500 and '<html lang="es">' in broken.content.decode()
    assert spanish("Something went wrong on our side. Please try again later.") in broken.content.decode()
