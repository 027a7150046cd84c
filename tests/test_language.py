"""Choosing a language (issue 19): before signing in by the browser's Accept-Language or the
switch's cookie; signed in, the person's own choice, on every device and in the API."""

import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.fields import Field
from rest_framework.test import APIClient

from tracker import accounts
from tracker.models import AccountState

pytestmark = pytest.mark.django_db


def test_a_visitor_reads_the_browser_s_language_until_they_choose(client):
    assert client.get("/signin/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")["Content-Language"] == "es"
    assert client.get("/signin/", HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "en"
    assert client.get("/signin/", HTTP_ACCEPT_LANGUAGE="fr-FR")["Content-Language"] == "en"  # not offered: the default
    assert "Accept-Language" in client.get("/signin/")["Vary"]


def test_the_switch_remembers_a_visitor_s_choice_and_goes_back(client):
    response = client.post("/language/", {"language": "es", "next": "/signin/?next=/checkin/"},
                           HTTP_ACCEPT_LANGUAGE="en-US")
    assert response.status_code == 302 and response["Location"] == "/signin/?next=/checkin/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
    # The cookie wins over the browser's header from then on.
    assert client.get("/signin/", HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "es"
    client.post("/language/", {"language": "en", "next": "/help/"})
    assert client.get("/signin/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "en"


@pytest.mark.parametrize("language", ["fr", "", "es-MX; drop table"])
def test_the_switch_refuses_a_language_it_does_not_offer(client, language):
    response = client.post("/language/", {"language": language, "next": "/help/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_switch_goes_back_only_to_this_site(client, target):
    response = client.post("/language/", {"language": "es", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_switch_is_a_post_with_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/language/", {"language": "es"}).status_code == 403
    assert browser.get("/language/").status_code == 405


def test_a_signed_in_person_s_choice_is_theirs_on_every_device(alice):
    phone = Client()
    phone.force_login(alice.user)
    phone.post("/language/", {"language": "es", "next": "/settings/"}, HTTP_ACCEPT_LANGUAGE="en-US")
    assert AccountState.objects.get(user=alice.user).language == "es"
    assert accounts.language_of(alice.user) == "es"
    # Another browser, English everywhere and no cookie: still Spanish, because it is the person's choice.
    laptop = Client()
    laptop.force_login(alice.user)
    assert laptop.get("/settings/", HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "es"
    # Signed out on that browser, the browser's own language again.
    laptop.logout()
    assert laptop.get("/signin/", HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "en"


def test_someone_who_never_chose_reads_their_browser_s_language(alice):
    assert accounts.language_of(alice.user) == settings.LANGUAGE_CODE
    browser = Client()
    browser.force_login(alice.user)
    assert browser.get("/settings/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"


def test_settings_offers_the_choice_with_the_current_one_checked(alice_client):
    page = alice_client.get("/settings/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'action="/language/"' in page
    assert 'value="es" checked' in page and 'value="en" checked' not in page


def test_a_counselor_chooses_too(carol_client, carol):
    carol_client.post("/language/", {"language": "es", "next": "/care/settings/"})
    assert accounts.language_of(carol.user) == "es"
    assert carol_client.get("/care/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "es"


def required_in(language):
    with translation.override(language):
        return str(Field.default_error_messages["required"])


def pick_a_day_in(language):
    with translation.override(language):
        return translation.gettext("Pick a day from the calendar.")


def test_the_api_answers_a_token_in_its_owner_s_language_and_a_visitor_in_the_browser_s(alice):
    assert required_in("es") != required_in("en")
    anonymous = APIClient()
    refused = anonymous.post("/api/v1/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 400 and refused["Content-Language"] == "es"
    assert required_in("es") in str(refused.json())  # DRF's own Spanish catalog
    accounts.set_language(alice.user, "es")
    token = Token.objects.create(user=alice.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    answer = client.put(f"/api/v1/checkins/{uuid.uuid4()}/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en-US")
    assert pick_a_day_in("es") != pick_a_day_in("en")
    assert answer.status_code == 400 and answer.json()["date"] == [pick_a_day_in("es")]
    accounts.set_language(alice.user, "en")
    answer = client.put(f"/api/v1/checkins/{uuid.uuid4()}/", {}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert answer.json()["date"] == [pick_a_day_in("en")]


def test_spanish_numbers_and_dates_are_written_as_us_spanish_writes_them():
    import datetime as dt

    from django.utils import formats
    from django.utils.dateformat import format as date_format
    with translation.override("es"):
        assert formats.number_format(7.5, 1) == "7.5"  # Django's "es" (Spain) would write 7,5
        assert formats.number_format(1200, use_l10n=True, force_grouping=True) == "1,200"
        assert date_format(dt.date(2026, 11, 23), translation.gettext("l j \\d\\e F")) == "lunes 23 de noviembre"
        assert formats.date_format(dt.date(2026, 11, 23)) == "23 de noviembre de 2026"


def test_a_date_field_keeps_the_browser_s_iso_form_in_spanish(alice):
    browser = Client()
    browser.force_login(alice.user)
    page = browser.get("/checkin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert re.search(r'type="date"[^>]*value="\d{4}-\d{2}-\d{2}"|value="\d{4}-\d{2}-\d{2}"[^>]*type="date"', page)
    assert not re.search(r'value="\d{2}/\d{2}/\d{4}"', page)


@pytest.mark.parametrize("path", ["/signin/", "/help/", "/password-reset/"])
def test_the_pages_before_signing_in_offer_the_other_language(client, path):
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'action="/language/"' in english and 'lang="es"' in english and ">Español</button>" in english
    spanish = client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ">English</button>" in spanish and ">Español</button>" not in spanish


def test_the_join_page_offers_the_switch_and_joining_keeps_the_page_s_language(client, carol):
    from tracker.models import Invitation, Participant
    _, token = accounts.invitation_create(program=carol.program, created_by=carol.user, name="Rosa",
                                          role=Invitation.Role.PARTICIPANT)
    page = client.get(f"/j/{token}/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert ">English</button>" in page
    client.post(f"/j/{token}/", {"username": "rosa", "password": "a long pass phrase 1", "password_again":
                "a long pass phrase 1", "time_zone": "America/Chicago", "acknowledged": "on"},
                HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    rosa = Participant.objects.get(user__username="rosa")
    assert accounts.language_of(rosa.user) == "es"
    acknowledgement = rosa.user.notice_acknowledgements.get()
    assert acknowledgement.language == "es" and acknowledgement.text.startswith("Quién ve qué en Steady")


def test_the_care_team_sees_which_language_a_participant_reads(carol_client, alice):
    page = carol_client.get(f"/care/participants/{alice.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "alice reads Steady in English." in page.replace("Alice", "alice")
    accounts.set_language(alice.user, "es")
    page = carol_client.get(f"/care/participants/{alice.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "reads Steady in Spanish." in page
