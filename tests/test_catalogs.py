"""The translation catalogs (issue 19): every string the code marks is translated, none fuzzy,
placeholders intact, the compiled catalogs match their sources, and the glossary's words hold."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdi]|%[sdi]|\{[a-z_0-9]*\}")


def catalog(language, domain):
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


def live(po):
    return [entry for entry in po if not entry.obsolete and entry.msgid]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_none_is_fuzzy(language, domain):
    po = catalog(language, domain)
    untranslated = [entry.msgid for entry in live(po) if not entry.translated()]
    fuzzy = [entry.msgid for entry in live(po) if "fuzzy" in entry.flags]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}/{domain}.po, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}/{domain}.po, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_survive_translation(language, domain):
    wrong = []
    for entry in live(catalog(language, domain)):
        if entry.msgid_plural:
            pairs = [(entry.msgid if n == 0 else entry.msgid_plural, text) for n, text in entry.msgstr_plural.items()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for english, translated in pairs:
            if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(translated)):
                wrong.append(entry.msgid)
    assert not wrong, f"placeholders differ in {wrong[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalog_is_its_source(language, domain):
    po = catalog(language, domain)
    mo_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
                for entry in polib.mofile(str(mo_path)) if entry.msgid}
    source = {(entry.msgctxt, entry.msgid): entry.msgstr or {int(k): v for k, v in entry.msgstr_plural.items()}
              for entry in live(po) if entry.translated()}
    compiled = {key: ({int(k): v for k, v in value.items()} if isinstance(value, dict) else value)
                for key, value in compiled.items()}
    assert compiled == source, "the .mo is stale: run `make messages` (compilemessages)"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_the_code_marks_is_in_the_catalog(tmp_path, monkeypatch, domain):
    """Extract afresh, as `make messages` does, from a copy of the code (makemessages writes
    beside what it reads): a string marked for translation but missing from the catalog (nobody
    ran `make messages`) fails here."""
    source = tmp_path / "src"
    for folder in ["project", "tracker", "templates", "static"]:
        shutil.copytree(Path(settings.BASE_DIR) / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "icons"))
    (source / "locale").mkdir()
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[str(source / "locale")]):
        call_command("makemessages", locale=["es"], domain=domain, add_location="file", verbosity=0)
    fresh_path = source / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"
    fresh = {(entry.msgctxt, entry.msgid) for entry in live(polib.pofile(str(fresh_path)))} if fresh_path.exists() else set()
    known = {(entry.msgctxt, entry.msgid) for entry in live(catalog("es", domain))}
    missing = sorted(fresh - known, key=str)
    assert not missing, f"{len(missing)} marked strings not in es/{domain}.po (run `make messages`), e.g. {missing[:5]}"


# Words the glossary (docs/glossary-es.md) rules out: judging words, and the formal register.
FORBIDDEN = re.compile(r"\b(reca[íi]da|reca[íi]das|adicto|adicta|adictos|usted|ustedes|celular|ordenador)\b", re.I)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_spanish_follows_the_glossary(domain):
    found = []
    for entry in live(catalog("es", domain)):
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        found += [(entry.msgid, match) for text in texts for match in FORBIDDEN.findall(text)]
    assert not found, f"words the glossary rules out: {found[:5]}"
