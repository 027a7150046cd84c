"""Crisis help in the reader's language (issue 19): a Spanish reader gets the 988 Lifeline's Spanish
options (call 988 and press 2; text AYUDA to 988; chat at 988lifeline.org) and SAMHSA's helpline
as the dated facts file gives them, with links that dial and text; an English reader keeps the
English, with the Spanish call option said in Spanish. Checked through the catalog (gettext), so
the tests hold with or without a compiled Spanish catalog."""

import re
import uuid
from html import unescape
from pathlib import Path

import pytest
from django.utils import translation

from tracker import services
from tracker.models import AccountState

ROOT = Path(__file__).resolve().parent.parent
FACTS = (ROOT / "docs" / "instruments" / "crisis-lines.md").read_text(encoding="utf-8")
AYUDA = 'href="sms:988?&amp;body=AYUDA"'
SPANISH_LINE = '<p class="sub" lang="es">Para español, llama al 988 y marca 2.</p>'


def es(words, context=None):
    with translation.override("es"):
        return translation.pgettext(context, words) if context else translation.gettext(words)


def main(response):
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def hrefs(html):
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def test_the_pages_say_only_what_the_facts_file_says():
    # The facts the Spanish options stand on, as the file words them.
    assert "Spanish-language (Press 2)" in FACTS and "Spanish-language (text AYUDA)" in FACTS
    assert "Chat: 988lifeline.org (chat button)" in FACTS
    assert "1-800-662-HELP (4357)" in FACTS and "confidential, free, 24-hour-a-day" in FACTS
    assert "in English and Spanish" in FACTS and "TTY: 1-800-487-4889" in FACTS
    assert "Currently, the 435748 (HELP4U) text messaging service is only available in English." in FACTS
    # What the file marks NOT FOUND is said nowhere.
    assert '| Spanish chat address "988lineadevida.org" | NOT FOUND' in FACTS
    for name in ("help", "offline", "_crisis_lines", "safety_plan", "_safety_plan_sections"):
        template = (ROOT / "templates" / "tracker" / f"{name}.html").read_text(encoding="utf-8")
        assert "988lineadevida" not in template and "press 3" not in template.lower()


def test_the_help_page_in_spanish_gives_the_spanish_options_and_links(client, db):
    html = main(client.get("/help/", HTTP_ACCEPT_LANGUAGE="es"))
    for words in ("In Spanish by phone: call 988 and press 2.", "In Spanish by text: text AYUDA to 988.",
                  "In Spanish by chat: on the web at 988lifeline.org.",
                  "Free and confidential, 24 hours a day, 365 days a year.",
                  "For Spanish, choose the option to speak with a national representative.",
                  "Its text line, 435748 (HELP4U), is in English only.",
                  "Help, right now", "Text AYUDA to 988", "Call 988", "Call 1-800-662-4357"):
        assert es(words) in html, words
    assert hrefs(html)[:2] == ["tel:988", "sms:988?&body=AYUDA"]  # 988 first; the text starts with AYUDA
    assert 'href="tel:+18006624357"' in html and 'href="tel:+18004874889"' in html and 'href="tel:911"' in html
    assert 'href="sms:988"' not in html and "Para español, llama" not in html  # said fully, in Spanish, above


def test_the_help_page_in_english_keeps_its_english_and_says_the_spanish_option(client, db):
    html = main(client.get("/help/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Help, right now" in html and "Chat on the web at 988lifeline.org." in html
    assert hrefs(html)[:2] == ["tel:988", "sms:988"] and "AYUDA" not in html
    assert '<span lang="es">Para español, llama al 988 y marca 2.</span>' in html
    assert "Treatment referral and information, in English and Spanish, every day of the year." in html
    assert "HELP4U" not in html  # the Spanish reader's caveat


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_offline_page_has_the_crisis_card_in_the_readers_language(client, db, language):
    html = main(client.get("/offline/", HTTP_ACCEPT_LANGUAGE=language))
    card = html[html.index('aria-labelledby="crisis-heading"'):html.index("</section>")]
    assert 'href="tel:988"' in card and 'href="tel:911"' in card and 'href="/help/"' in card
    if language == "es":
        assert es("No connection right now") in html and es("Talk to someone now") in card
        assert es("In Spanish: call 988 and press 2, or text AYUDA to 988.") in card
        assert AYUDA in card and es("Call 911", "in a sentence") in card and SPANISH_LINE not in card
    else:
        assert "No connection right now" in html and 'href="sms:988"' in card and SPANISH_LINE in card
        assert "988 Suicide &amp; Crisis Lifeline: free, private, day and night." in card


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_safety_plan_gives_the_988_options_in_the_readers_language(alice_client, alice, language):
    AccountState.objects.update_or_create(user=alice.user, defaults={"language": language})
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user,
                              data={"helpers": [{"name": "My sister Ana", "phone": "555-0101"}]})
    html = main(alice_client.get("/safety-plan/"))
    card = html[html.index('aria-labelledby="crisis-heading"'):]
    card = card[:card.index("</section>")]
    lifeline = html[html.index('<span class="contact-name" lang="en">988 Suicide &amp; Crisis Lifeline</span>'):]
    lifeline = lifeline[:lifeline.index("</li>")]
    helper = html[html.index("My sister Ana"):]
    helper = helper[:helper.index("</li>")]
    assert 'href="tel:988"' in card and 'href="tel:988"' in lifeline and 'href="tel:5550101"' in helper
    if language == "es":
        assert es("My safety plan") in html
        assert AYUDA in card and AYUDA in lifeline and 'href="sms:988"' not in html
        assert es("In Spanish: call 988 and press 2, or text AYUDA to 988.") in lifeline
        assert f'aria-label="{es("Call %(name)s") % {"name": "My sister Ana"}}"' in helper
        assert f'>{es("Call", "a button that phones")}</a>' in helper
    else:
        assert 'href="sms:988"' in card and 'href="sms:988"' in lifeline and "AYUDA" not in html
        assert SPANISH_LINE in card
        assert 'aria-label="Call My sister Ana">Call</a>' in helper and 'aria-label="Text My sister Ana">Text</a>' in helper


def test_an_earlier_version_says_when_it_was_saved(alice_client, alice, now):
    for words in ("One thing", "Two things"):
        services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"warning_signs": [words]})
    html = main(alice_client.get("/safety-plan/versions/1/"))
    assert "Safety plan, version 1" in html
    assert re.search(r'Saved \d+ \w+ 2026, \d\d:\d\d\. This is an earlier version; <a href="/safety-plan/">see the '
                     r"plan in use</a>\.", html)


def test_the_readme_says_where_the_crisis_facts_come_from():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Crisis lines"):]
    section = section[:section.index("\n## ", 1)] if "\n## " in section[1:] else section
    assert "docs/instruments/crisis-lines.md" in section and "2026-11-30" in section
    assert "recheck" in section
