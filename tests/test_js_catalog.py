"""The words the scripts say: the djangojs catalog at one address per language (/jsi18n/es.js,
and /jsi18n/es.json for the service worker), loaded by every page before its scripts, and the web
app manifest in the reader's language."""

import re

import pytest
from django.utils.translation.trans_real import DjangoTranslation

from tracker import accounts

# One of the service worker's own texts (templates/sw.js) and one of the outbox's (static/js/app.js).
ACTION = "Log now"
WAITING = "waiting to sync"


def spanish(msgid):
    """The Spanish of a msgid in the djangojs catalog (compiled from locale/); fails if it has none."""
    words = DjangoTranslation("es", domain="djangojs").gettext(msgid)
    assert words != msgid, f"no Spanish for {msgid!r} in locale/es/LC_MESSAGES/djangojs.mo"
    return words


def test_an_unknown_language_has_no_catalog(client):
    for path in ("/jsi18n/xx.js", "/jsi18n/xx.json", "/jsi18n/EN.js", "/jsi18n/es-mx.js"):
        assert client.get(path).status_code == 404, path


def test_the_spanish_catalog_holds_the_scripts_words_whatever_the_readers_language(client):
    response = client.get("/jsi18n/es.js", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Language"] == "es"
    body = response.content.decode()
    assert "globals.gettext = django.gettext" in body
    assert f'"{WAITING}": "{spanish(WAITING)}"' in body
    worker = client.get("/jsi18n/es.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert worker["catalog"][ACTION] == spanish(ACTION)
    assert "Cancel" not in worker["catalog"]  # Steady's own words, not the admin site's


def test_the_english_catalog_is_the_english_words(client):
    response = client.get("/jsi18n/en.js", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert spanish(WAITING) not in response.content.decode()
    assert client.get("/jsi18n/en.json").json()["catalog"] == {}


def test_the_catalog_is_kept_and_asked_for_again_with_its_etag(client):
    first = client.get("/jsi18n/es.js")
    assert first["Cache-Control"] == "public, no-cache"
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = client.get("/jsi18n/es.js", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get("/jsi18n/en.js")["ETag"] != etag  # another language, another file
    assert client.get("/jsi18n/es.json")["ETag"] != etag


def test_nobody_needs_to_be_signed_in_for_it(client, alice_client):
    assert client.get("/jsi18n/es.js").content == alice_client.get("/jsi18n/es.js").content


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_loads_its_languages_catalog_before_its_scripts(alice_client, alice, language):
    accounts.set_language(alice.user, language)
    for path in ("/", "/checkin/", "/help/", "/settings/"):
        html = alice_client.get(path).content.decode()
        assert f'<html lang="{language}">' in html, path
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert scripts[0] == f"/jsi18n/{language}.js", (path, scripts)
        assert any("/js/app." in src for src in scripts[1:]), (path, scripts)
    # The questionnaire's and the counselor's own scripts come after app.js, which they use.


def test_a_signed_out_visitor_gets_the_catalog_of_their_browsers_language(client):
    html = client.get("/signin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html and '<script src="/jsi18n/es.js" defer>' in html


def test_the_manifest_speaks_the_readers_language(client, alice_client, alice):
    english = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["lang"] == "en" and english["dir"] == "ltr"
    assert english["description"].startswith("Your daily practice")
    accounts.set_language(alice.user, "es")
    spanish_manifest = alice_client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").json()
    assert spanish_manifest["lang"] == "es"
    assert spanish_manifest["name"] == "Steady"  # a name
    from django.utils import translation

    with translation.override("es"):
        expected = translation.gettext("Your daily practice between sessions: check-ins, urges, plans and help.")
    assert expected != english["description"], "no Spanish for the manifest's description in locale/"
    assert spanish_manifest["description"] == expected


def test_the_service_worker_keeps_the_default_catalog_and_reads_its_own_texts_from_one(client):
    worker = client.get("/sw.js").text
    shell = worker.split("const SHELL = ")[1].split(";")[0]
    assert '"/jsi18n/en.js"' in shell
    assert 'const DEFAULT_LANGUAGE = "en";' in worker
    assert 'gettext("Log now")' in worker and 'gettext("Snooze 30 min")' in worker
