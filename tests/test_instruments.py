"""The instruments in tracker/instruments.py against their reference texts in docs/instruments/:
scores worked by hand at every band edge, what `answer_errors` refuses, versions, and every text
the code shows checked word for word against the reference (so a paraphrase, a changed option
value or a swapped item number fails here).

Expected totals are added up by hand in the comments; the bands are the tables in
docs/instruments/phq-9.md ("Severity bands") and gad-7.md ("Scoring and bands").
"""

import dataclasses
import pathlib
import re

import pytest

from tracker import instruments
from tracker.instruments import BAM, GAD7, PHQ9

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "instruments"
DOC_FOR = {"phq9": "phq-9.md", "gad7": "gad-7.md", "bam": "bam.md"}


def doc(key):
    return (DOCS / DOC_FOR[key]).read_text(encoding="utf-8")


def answers(values, **extra):
    """{"1": v1, "2": v2, ...} from a list in item order, plus any other keys."""
    return {str(number): value for number, value in enumerate(values, start=1)} | extra


# ---------------------------------------------------------------------------------------------
# PHQ-9: nine items 0-3, total 0-27; 0-4 none-minimal, 5-9 mild, 10-14 moderate, 15-19
# moderately severe, 20-27 severe.


@pytest.mark.parametrize("values, total, band", [
    ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "None-minimal"),
    ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "None-minimal"),  # 1+1+1+1
    ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild"),
    ([1, 1, 1, 1, 1, 1, 1, 1, 1], 9, "Mild"),
    ([2, 1, 1, 1, 1, 1, 1, 1, 1], 10, "Moderate"),  # 2 + 8x1
    ([2, 2, 2, 2, 2, 1, 1, 1, 1], 14, "Moderate"),  # 5x2 + 4x1
    ([2, 2, 2, 2, 2, 2, 1, 1, 1], 15, "Moderately severe"),  # 6x2 + 3x1
    ([3, 3, 3, 2, 2, 2, 2, 1, 1], 19, "Moderately severe"),  # 9 + 8 + 2
    ([3, 3, 3, 3, 2, 2, 2, 1, 1], 20, "Severe"),  # 12 + 6 + 2
    ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "Severe"),
])
def test_phq9_totals_and_bands_at_every_edge(values, total, band):
    given = answers(values)
    assert PHQ9.answer_errors(given, complete=True) == {}
    assert PHQ9.score(given) == {"total": total}
    assert PHQ9.bands_for({"total": total}) == {"total": band}
    # The closing difficulty question is stored, never added.
    with_difficulty = answers(values, difficulty=3)
    assert PHQ9.answer_errors(with_difficulty, complete=True) == {}
    assert PHQ9.score(with_difficulty) == {"total": total}


# GAD-7: seven items 0-3, total 0-21; 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
@pytest.mark.parametrize("values, total, band", [
    ([0, 0, 0, 0, 0, 0, 0], 0, "Minimal anxiety"),
    ([1, 1, 1, 1, 0, 0, 0], 4, "Minimal anxiety"),
    ([1, 1, 1, 1, 1, 0, 0], 5, "Mild anxiety"),
    ([2, 2, 1, 1, 1, 1, 1], 9, "Mild anxiety"),  # 4 + 5
    ([2, 2, 2, 1, 1, 1, 1], 10, "Moderate anxiety"),  # 6 + 4
    ([2, 2, 2, 2, 2, 2, 2], 14, "Moderate anxiety"),
    ([3, 2, 2, 2, 2, 2, 2], 15, "Severe anxiety"),  # 3 + 12
    ([3, 3, 3, 3, 3, 3, 3], 21, "Severe anxiety"),
])
def test_gad7_totals_and_bands_at_every_edge(values, total, band):
    given = answers(values, difficulty=2)
    assert GAD7.answer_errors(given, complete=True) == {}
    assert GAD7.score(given) == {"total": total}
    assert GAD7.bands_for({"total": total}) == {"total": band}


def test_the_score_ranges_are_the_references():
    assert (PHQ9.score_def("total").low, PHQ9.score_def("total").high) == (0, 27)
    assert (GAD7.score_def("total").low, GAD7.score_def("total").high) == (0, 21)
    assert PHQ9.score_def("total").items == tuple("123456789")
    assert GAD7.score_def("total").items == tuple("1234567")
    assert PHQ9.score_def("total").reliable_change == 6 and GAD7.score_def("total").reliable_change == 4


# ---------------------------------------------------------------------------------------------
# BAM: Use = 4+5+6 (0-12), Risk = 1+2+3+8+11+15 (0-24), Protective = 9+10+12+13+14+16 (0-24);
# 7A-7G elaborate item 6 and are never counted; item 17 is reverse keyed and in no score.

BAM_WORKED = {
    "1": 3,  # Fair
    "2": 2,  # 4-8 nights
    "3": 1,  # 1-3 days
    "4": 4,  # 16-30 days
    "5": 2,  # 4-8 days
    "6": 1,  # 1-3 days
    "7a": 4, "7b": 4, "7c": 4, "7d": 4, "7e": 4, "7f": 4, "7g": 4,  # never counted
    "8": 3,  # Considerably
    "9": 1,  # Slightly
    "10": 0,  # 0 days
    "11": 2,  # 4-8 days
    "12": 4,  # Extremely
    "13": 3,  # 9-15 days
    "14": 4,  # Yes
    "15": 1,  # Slightly
    "16": 2,  # 4-8 days
    "17": 4,  # "Not at all" satisfied: 4, reverse keyed; not counted
}


def test_bam_use_risk_and_protective_worked_by_hand():
    assert BAM.answer_errors(BAM_WORKED, complete=True) == {}
    # Use 4+2+1 = 7; Risk 3+2+1+3+2+1 = 12; Protective 1+0+4+3+4+2 = 14.
    assert BAM.score(BAM_WORKED) == {"use": 7, "risk": 12, "protective": 14}
    # Vendor cut-offs (Blueprint): use 1+, risk 12+, protective 12 or below.
    assert BAM.bands_for({"use": 7, "risk": 12, "protective": 14}) == {
        "use": "Use reported", "risk": "12 or more", "protective": "Above 12"}
    assert BAM.bands_for({"use": 0, "risk": 11, "protective": 12}) == {
        "use": "None reported", "risk": "Below 12", "protective": "12 or below"}
    assert BAM.bands_for({"use": 1, "risk": 24, "protective": 13})["use"] == "Use reported"


def test_bam_items_7a_to_7g_and_item_17_are_never_counted():
    quiet = BAM_WORKED | {key: 0 for key in ("7a", "7b", "7c", "7d", "7e", "7f", "7g")} | {"17": 0}
    assert BAM.score(quiet) == BAM.score(BAM_WORKED) == {"use": 7, "risk": 12, "protective": 14}
    counted = {key for score in BAM.scores for key in score.items}
    assert counted.isdisjoint({"7a", "7b", "7c", "7d", "7e", "7f", "7g", "17"})
    assert "total" not in {score.key for score in BAM.scores}  # no validated single score


def test_bam_item_17_is_reverse_keyed_and_14_is_no_or_yes():
    assert [(o.text("en"), o.value) for o in BAM.item("17").options] == [
        ("Not at all", 4), ("Slightly", 3), ("Moderately", 2), ("Considerably", 1), ("Extremely", 0)]
    assert [(o.text("en"), o.value) for o in BAM.item("14").options] == [("No", 0), ("Yes", 4)]


def test_bam_ranges_at_their_ends():
    lowest = {item.key: min(item.values) for item in BAM.items}
    highest = {item.key: max(item.values) for item in BAM.items}
    assert BAM.score(lowest) == {"use": 0, "risk": 0, "protective": 0}
    assert BAM.score(highest) == {"use": 12, "risk": 24, "protective": 24}


# ---------------------------------------------------------------------------------------------
# What answer_errors refuses


def test_an_unknown_item_is_refused_by_its_key():
    errors = PHQ9.answer_errors({"1": 0, "10": 1, "x": 0}, complete=False)
    assert set(errors) == {"10", "x"}
    assert errors["x"] == "The PHQ-9 has no item x."


@pytest.mark.parametrize("value", [4, -1, "2", 1.5, None, True])
def test_a_value_outside_an_items_options_is_refused(value):
    errors = PHQ9.answer_errors({"1": value}, complete=False)
    assert errors == {"1": "Item 1 of the PHQ-9 takes one of 0, 1, 2, 3."}


def test_the_bams_yes_or_no_item_takes_only_0_or_4():
    assert BAM.answer_errors({"14": 2}, complete=False) == {"14": "Item 14 of the BAM takes one of 0, 4."}
    assert BAM.answer_errors({"7A": 1}, complete=False) == {"7A": "The BAM has no item 7A."}  # keys are "7a"


def test_a_missing_item_is_refused_only_when_complete():
    given = answers([1, 1, 1, 1, 1, 1, 1, 1])  # item 9 left out
    assert PHQ9.answer_errors(given, complete=False) == {}
    assert PHQ9.answer_errors(given, complete=True) == {"9": "Item 9 of the PHQ-9 is not answered."}
    bam = {key: value for key, value in BAM_WORKED.items() if key != "7c"}
    assert BAM.answer_errors(bam, complete=True) == {"7c": "Item 7C of the BAM is not answered."}


def test_the_closing_question_is_optional_but_checked_when_given():
    assert GAD7.answer_errors(answers([0] * 7), complete=True) == {}
    assert GAD7.answer_errors(answers([0] * 7, difficulty=4), complete=True) == {
        "difficulty": "Item 8 of the GAD-7 takes one of 0, 1, 2, 3."}
    assert BAM.closing is None


def test_answers_that_are_not_an_object_are_refused():
    assert set(PHQ9.answer_errors([1, 2, 3], complete=True)) == {"answers"}


# ---------------------------------------------------------------------------------------------
# Versions


def test_get_gives_the_current_version_or_the_stored_one(monkeypatch):
    assert instruments.get("phq9") is PHQ9 and instruments.get("phq9", "1") is PHQ9
    assert instruments.get("bam", "1") is BAM
    with pytest.raises(KeyError):
        instruments.get("phq9", "2")
    with pytest.raises(KeyError):
        instruments.get("k10")
    # A new version is added beside the old; a response stored in version 1 is still scored by it.
    changed = dataclasses.replace(PHQ9, version="2", scores=(dataclasses.replace(PHQ9.scores[0], bands=()),))
    monkeypatch.setattr(instruments, "VERSIONS", (*instruments.VERSIONS, changed))
    assert instruments.get("phq9", "1") is PHQ9 and instruments.get("phq9", "2") is changed
    stored = answers([3] * 9)
    assert instruments.get("phq9", "1").bands_for(instruments.get("phq9", "1").score(stored)) == {"total": "Severe"}
    assert instruments.get("phq9", "2").bands_for({"total": 27}) == {}


def test_every_instrument_has_its_version_source_and_terms():
    assert [(i.key, i.version) for i in instruments.VERSIONS] == [("phq9", "1"), ("gad7", "1"), ("bam", "1")]
    assert PHQ9.free_to_reproduce and GAD7.free_to_reproduce and not BAM.free_to_reproduce
    assert BAM.terms.startswith("NOT FOUND")
    for instrument in instruments.VERSIONS:
        assert instrument.source and instrument.terms and instrument.notes


# ---------------------------------------------------------------------------------------------
# Every text word for word as in docs/instruments/


def test_the_reference_copies_say_where_and_when_they_were_copied_from():
    for name in ("phq-9.md", "gad-7.md", "bam.md", "crisis-lines.md"):
        first, second = (DOCS / name).read_text(encoding="utf-8").split("\n")[:2]
        assert f"/work/shared/instruments/{name}" in first and "2026-11-30" in first
        assert second.startswith("# ")  # the reference itself starts on the next line


def _option_in(text, value, label):
    return any(form in text for form in (f"| {value} | {label} |", f'{value} "{label}"', f"{label} [{value}]"))


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_phq9_and_gad7_texts_are_the_references_word_for_word(instrument):
    text = doc(instrument.key)
    for language, stem in instrument.stem.items():
        assert f'"{stem}"' in text, (language, stem)
    for item in instrument.items:
        for language, words in item.words.items():
            assert f"\n{item.number}. {words}" in text, (item.number, language, words)  # with its number
            for option in item.options:
                assert _option_in(text, option.value, option.text(language)), (item.number, language, option)
    for language, words in instrument.closing.words.items():
        assert f'"{words}"' in text, (language, words)
        labels = ", ".join(f'"{option.text(language)}"' for option in instrument.closing.options)
        # PHQ-9 gives the Spanish labels in its own file; the GAD-7 has no Spanish closing question.
        assert labels in text or labels in doc("phq9"), (language, labels)
    for band in instrument.scores[0].bands:
        assert f"| {band.low}-{band.high} | {band.text('en')} |" in text, band


def test_the_gad7_closing_question_is_left_out_in_spanish_as_the_reference_says():
    assert "## Pregunta de dificultad (GAD-7, español)\nNOT FOUND" in doc("gad7")
    assert GAD7.closing_for("es") is None and GAD7.closing_for("en") is GAD7.closing
    assert PHQ9.closing_for("es") is PHQ9.closing


def test_the_bam_texts_are_the_reference_word_for_word():
    text = doc("bam")
    lead = re.search(r'lead-in wording from \[S\]: "(.+?)\.\.\.\?"', text).group(1)
    for item in BAM.items:
        words = item.text("en")
        if item.number.startswith("7"):
            # "- 7A Marijuana (cannabis, pot, weed)?" with the lead-in "In the past 30 days, how many days did you use "
            label = re.search(rf"\n- {item.number} (.+)\n", text).group(1)
            assert words == lead + label, item.number
        elif item.number == "5":
            row = re.search(r'\n\| 5 \| (.+?) \[K\] adds the description: "(.+?)" \|', text)
            assert words == f"{row.group(1)} {row.group(2)}"
        else:
            assert f"\n| {item.number} | {words}" in text, item.number
        for option in item.options:
            assert _option_in(text, option.value, option.text("en")), (item.number, option)
        assert set(item.words) == {"en"}  # Spanish version: NOT FOUND
    for score in BAM.scores:
        assert f"= sum of items {', '.join(score.items)} " in text, score.key
    assert "## Spanish version\nNOT FOUND" in text
    assert "BAM-IOP item wording and its day-category cut points: NOT FOUND" in text


def test_the_only_words_not_from_a_reference_are_the_bams_stem_which_steady_wrote():
    # The BAM has no stem of its own (each item names its period); this line is Steady's.
    assert BAM.stem == {"en": "Brief Addiction Monitor: about the past 30 days"}
    assert BAM.stem["en"] not in doc("bam")


def test_the_phq_footer_is_the_references():
    assert f'"{instruments.PHQ_FOOTER}"' in doc("phq9")
    assert PHQ9.terms == GAD7.terms == instruments.PHQ_FOOTER


def test_a_paraphrase_would_fail_this_check():
    # The check itself, on a copy of item 5 of the GAD-7 with the variant "it's hard" (NIVT, NIV).
    text = doc("gad7")
    assert "\n5. Being so restless that it is hard to sit still" in text
    assert "\n5. Being so restless that it's hard to sit still" not in text
