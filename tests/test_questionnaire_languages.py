"""Questionnaires in the reader's language (issue 19): the published Spanish texts, exactly as the
reference gives them (never through the catalog); a part without a Spanish version shown in
English with a note that says so; the same stored answers and scores in every language; the
counselor's table in the counselor's language."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation
from questionnaires import open_questionnaire, phq9, read_the_notice

from tracker import instruments, responses
from tracker.models import AccountState, QuestionnaireResponse

DOCS = Path(__file__).resolve().parent.parent / "docs" / "instruments"
WHOLE_NOTE = "This questionnaire does not have a validated version in your language yet, so it is shown in English."
PART_NOTE = "This question does not have a validated version in your language yet, so it is shown in English."


def spanish_item(name, number):
    """Item `number` of the Spanish section ("## Ítems") of a reference file, as the file gives it."""
    spanish = (DOCS / name).read_text(encoding="utf-8").split("## Ítems", 1)[1]
    return re.search(rf"\n{number}\. (.+)\n", spanish).group(1)


def reads(person, language):
    AccountState.objects.update_or_create(user=person.user, defaults={"language": language})


def note(words, language="es"):
    """The note as the reader's catalog says it (English where no catalog is compiled)."""
    with translation.override(language):
        return translation.gettext(words)


def page(client, questionnaire):
    return client.get(f"/questionnaires/{questionnaire.pk}/").text


def send(client, questionnaire, answers):
    data = {f"answer-{key}": value for key, value in answers.items()}
    data.update(action="complete", version="1", id=str(responses.response_id_for(questionnaire)))
    return client.post(f"/questionnaires/{questionnaire.pk}/", data)


@pytest.fixture
def spanish_alice(alice, now):
    reads(read_the_notice(alice), "es")
    return alice


def test_a_spanish_reader_gets_the_published_spanish_phq9(alice_client, spanish_alice):
    html = page(alice_client, open_questionnaire(spanish_alice))
    first = spanish_item("phq-9.md", 1)
    assert first == "Poco interés o placer en hacer cosas"  # the file's own words
    assert f"\n        {first}</h2>" in html  # item 1, as the page shows it (no lang: the page's own)
    assert instruments.PHQ9.stem["es"] in html and "Over the last 2 weeks" not in html
    assert html.count("<span>Más de la mitad de los días</span>") == 9 and "<span>Muy difícil</span>" in html
    assert instruments.PHQ9.closing.words["es"] in html and "If you checked off" not in html
    assert "Little interest or pleasure" not in html
    assert note(WHOLE_NOTE) not in html and note(PART_NOTE) not in html  # all of it has its Spanish


def test_an_english_reader_keeps_the_english_phq9(alice_client, alice, now):
    reads(read_the_notice(alice), "en")
    html = page(alice_client, open_questionnaire(alice))
    assert "Little interest or pleasure in doing things" in html and "Poco interés" not in html
    assert WHOLE_NOTE not in html and PART_NOTE not in html and 'lang=' not in html[html.index('id="q-form"'):html.index("</form>")]


def test_the_gad7_difficulty_question_has_no_spanish_and_says_so(alice_client, spanish_alice):
    assert "## Pregunta de dificultad (GAD-7, español)\nNOT FOUND" in (DOCS / "gad-7.md").read_text("utf-8")
    html = page(alice_client, open_questionnaire(spanish_alice, "gad7"))
    assert spanish_item("gad-7.md", 1) in html  # the items are in Spanish
    closing = html[html.index('id="q-item-difficulty"'):]
    closing = closing[:closing.index("</fieldset>")]
    assert f'<span lang="en">{instruments.DIFFICULTY_EN}</span>' in closing  # the English, marked as English
    assert '<span lang="en">Somewhat difficult</span>' in closing and "Un poco difícil" not in closing
    assert note(PART_NOTE) in closing
    assert html.count(note(PART_NOTE)) == 1 and note(WHOLE_NOTE) not in html


def test_the_bam_has_no_spanish_version_and_the_page_says_so(alice_client, spanish_alice):
    spanish_alice.program.bam_terms_confirmed_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    spanish_alice.program.save()
    assert "## Spanish version\nNOT FOUND" in (DOCS / "bam.md").read_text("utf-8")
    html = page(alice_client, open_questionnaire(spanish_alice, "bam", open_days=7))
    assert note(WHOLE_NOTE) in html and note(PART_NOTE) not in html  # said once, for the whole form
    assert f'<span lang="en">{instruments.BAM.items[0].text("en")}</span>' in html
    assert '<p class="q-stem" id="q-stem" lang="en">' in html


@pytest.mark.parametrize("instrument", ["phq9", "gad7"])
def test_the_same_answers_give_the_same_stored_values_and_scores_in_either_language(
        client, alice, bob, now, instrument):
    answers = {key: value for key, value in phq9(i2=3, i9=1).items() if key in instruments.get(instrument).item_keys}
    answers["difficulty"] = 2
    kept = {}
    for person, language in ((alice, "en"), (bob, "es")):
        reads(read_the_notice(person), language)
        client.force_login(person.user)
        sent = send(client, open_questionnaire(person, instrument), answers)
        assert sent.status_code == 302 and sent["Location"].endswith("/result/"), sent
        kept[language] = QuestionnaireResponse.objects.get(participant=person)
    english, spanish = kept["en"], kept["es"]
    assert english.answers == spanish.answers == answers
    assert english.scores == spanish.scores == instruments.get(instrument).score(answers)
    assert english.bands == spanish.bands


def test_the_counselor_reads_the_answers_in_the_counselors_language(carol, carol_client, alice, now):
    reads(read_the_notice(alice), "es")
    alice_client = carol_client.__class__()
    alice_client.force_login(alice.user)
    assert send(alice_client, open_questionnaire(alice), phq9(i1=2)).status_code == 302
    url = f"/care/participants/{alice.pk}/questionnaires/"
    reads(carol, "en")
    english = carol_client.get(url).content.decode()
    assert "Little interest or pleasure in doing things" in english and "Poco interés" not in english
    assert "More than half the days" in english
    reads(carol, "es")
    spanish = carol_client.get(url).content.decode()
    assert spanish_item("phq-9.md", 1) in spanish and "Little interest or pleasure" not in spanish
    assert "Más de la mitad de los días" in spanish
