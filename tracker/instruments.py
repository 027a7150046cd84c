"""Validated questionnaires, defined in code: items, answer options, scoring, bands, version,
source and reuse terms, next to each other.

The texts are copied exactly from `docs/instruments/` (which keeps the implementers' reference
with every source it names). None of it goes through gettext: a validated instrument is said in
its own published words, never re-worded by a translator. Each text is a dict by language; a
language it lacks falls back to English, and the page says so in the reader's language (the
Spanish GAD-7 has no difficulty question in the reference, the BAM has no Spanish version:
`shown_in` and `Instrument.has_version_in` tell a page which parts are shown in English).
Answers are stored as item keys and option values, the same in every language, so a score never
depends on the language the questionnaire was read in.

A response keeps the version it was answered in and is always scored by that version's
definition (`get(key, version)`). To change an instrument's wording or scoring, add a new
definition with a new version to VERSIONS and keep the old one. To add an instrument, write one
more definition and register it.
"""

import dataclasses

from django.utils.translation import get_language, gettext, override, pgettext_lazy

ENGLISH = "en"


def _language(language=None):
    return (language or get_language() or ENGLISH).split("-")[0]


def _pick(texts, language=None, fallback=True):
    if not texts:
        return None
    language = _language(language)
    if language in texts:
        return texts[language]
    return texts.get(ENGLISH) if fallback else None


def shown_in(texts, language=None):
    """The language a text is shown in for a reader of `language` (the active one): that language
    where the text has it, else English (its fallback)."""
    language = _language(language)
    return language if language in texts else ENGLISH


# Steady's own words about its instruments, unlike the instruments' published texts, are translated:
# band labels, score names, the instruments' full names. They are kept and stored in English (a
# response's `bands`, the API) and said in the reader's language only when shown (`translated`).
WORDS = {
    # PHQ-9 bands, as Spanish-language clinical materials name severity (leve, moderada, grave)
    "None-minimal": pgettext_lazy("PHQ-9 severity band", "None-minimal"),
    "Mild": pgettext_lazy("PHQ-9 severity band", "Mild"),
    "Moderate": pgettext_lazy("PHQ-9 severity band", "Moderate"),
    "Moderately severe": pgettext_lazy("PHQ-9 severity band", "Moderately severe"),
    "Severe": pgettext_lazy("PHQ-9 severity band", "Severe"),
    # GAD-7 bands
    "Minimal anxiety": pgettext_lazy("GAD-7 severity band", "Minimal anxiety"),
    "Mild anxiety": pgettext_lazy("GAD-7 severity band", "Mild anxiety"),
    "Moderate anxiety": pgettext_lazy("GAD-7 severity band", "Moderate anxiety"),
    "Severe anxiety": pgettext_lazy("GAD-7 severity band", "Severe anxiety"),
    # BAM bands (a vendor's cut-offs)
    "None reported": pgettext_lazy("BAM use band", "None reported"),
    "Use reported": pgettext_lazy("BAM use band", "Use reported"),
    "Below 12": pgettext_lazy("BAM score band", "Below 12"),
    "12 or more": pgettext_lazy("BAM score band", "12 or more"),
    "12 or below": pgettext_lazy("BAM score band", "12 or below"),
    "Above 12": pgettext_lazy("BAM score band", "Above 12"),
    # Score names, and their first words (the caseload's "Risk 9")
    "Total": pgettext_lazy("questionnaire score", "Total"),
    "Use": pgettext_lazy("BAM score", "Use"),
    "Risk factors": pgettext_lazy("BAM score", "Risk factors"),
    "Risk": pgettext_lazy("BAM score, short", "Risk"),
    "Protective factors": pgettext_lazy("BAM score", "Protective factors"),
    "Protective": pgettext_lazy("BAM score, short", "Protective"),
    # The instruments' full names
    "Patient Health Questionnaire-9": pgettext_lazy("instrument name", "Patient Health Questionnaire-9"),
    "Generalized Anxiety Disorder 7-item scale": pgettext_lazy(
        "instrument name", "Generalized Anxiety Disorder 7-item scale"),
    "Brief Addiction Monitor": pgettext_lazy("instrument name", "Brief Addiction Monitor"),
}


def translated(english, language=None):
    """Steady's words about an instrument (WORDS) in the reader's language (the active one, or
    `language`); anything else as it is."""
    entry = WORDS.get(english)
    if entry is None:
        return english
    if language is None:
        return str(entry)
    with override(language):
        return str(entry)


@dataclasses.dataclass(frozen=True)
class Option:
    value: int
    label: dict

    def text(self, language=None):
        return _pick(self.label, language)


@dataclasses.dataclass(frozen=True)
class Item:
    key: str  # "1" ... "9", "7a"; the key answers are stored under
    number: str  # as printed on the form: "1", "7A"
    words: dict
    options: tuple
    # PHQ-9 item 9: an answer above 0 acts at once (see tracker.measures.record_risk_answer).
    safety: bool = False

    def text(self, language=None):
        return _pick(self.words, language)

    def shown_in(self, language=None):
        """The language the item is shown in: the reader's, or English where it has no text in it.
        Its options are shown in the same language, so a question and its answers never mix."""
        return shown_in(self.words, language)

    @property
    def values(self):
        return [option.value for option in self.options]


@dataclasses.dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: dict  # {"en": ...}: the English label is stored with a response (its `bands`)

    def text(self, language=None):
        """The label in the reader's language: Steady's words, translated (see WORDS)."""
        if _language(language) in self.label:
            return self.label[_language(language)]
        return translated(self.label[ENGLISH], language)


@dataclasses.dataclass(frozen=True)
class Score:
    key: str  # "total", or the BAM's "use", "risk", "protective"
    name: str  # what a counselor reads: "Total", "Use"
    items: tuple  # the item keys summed
    low: int
    high: int
    bands: tuple = ()
    bands_source: str = ""  # where the bands come from, when it is not the instrument's own source
    higher_is_better: bool = False
    # A change of at least this many points between two scores is a reliable change.
    reliable_change: int | None = None
    reliable_change_source: str = ""

    @property
    def label(self):
        """The name in the reader's language ("Factores de riesgo")."""
        return translated(self.name)

    @property
    def short(self):
        """The name's first word in the reader's language ("Riesgo" for "Risk factors"), for the caseload."""
        return translated(self.name.split()[0])

    def band(self, value):
        for band in self.bands:
            if band.low <= value <= band.high:
                return band
        return None


@dataclasses.dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    name: str  # short name: "PHQ-9"
    title: str  # full name
    recall_days: int
    stem: dict
    items: tuple
    scores: tuple
    source: str
    terms: str
    # False: a program may use it only after confirming its reuse terms in its settings.
    free_to_reproduce: bool
    # Asked after the items, stored, never scored (PHQ-9's and GAD-7's difficulty question).
    closing: Item | None = None
    notes: str = ""  # which variant wordings were chosen, and the others

    @property
    def title_words(self):
        """The full name in the reader's language (the code, `name`, is the same in every language)."""
        return translated(self.title)

    def stem_text(self, language=None):
        return _pick(self.stem, language)

    def has_version_in(self, language=None):
        """Whether the stem and every scored item have a published text in this language (the
        closing question aside: the page marks it by itself, see Item.shown_in)."""
        language = _language(language)
        return language in self.stem and all(language in item.words for item in self.items)

    def closing_for(self, language=None):
        """The closing question in this language, or None where it has no text in it (the API's
        rule). The questionnaire page shows every closing question instead, in English with a note
        where it has no text in the reader's language (tracker.web.measures)."""
        if self.closing is None or _pick(self.closing.words, language, fallback=False) is None:
            return None
        return self.closing

    @property
    def item_keys(self):
        return [item.key for item in self.items]

    def item(self, key):
        for item in self.all_items:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def all_items(self):
        return (*self.items, self.closing) if self.closing else self.items

    @property
    def safety_items(self):
        return [item for item in self.items if item.safety]

    def answer_errors(self, answers, complete):
        """{item key: message} for answers this version cannot take.

        `answers` maps item keys to option values. An unknown item, or a value that is not one of
        an item's options, is an error; so, when `complete`, is a scored item left unanswered.
        The closing question may always be left out.
        """
        errors = {}
        if not isinstance(answers, dict):
            return {"answers": gettext("Give the answers as an object of item: value.")}
        for key, value in answers.items():
            try:
                item = self.item(key)
            except KeyError:
                errors[key] = gettext("The %(name)s has no item %(key)s.") % {"name": self.name, "key": key}
                continue
            if isinstance(value, bool) or value not in item.values:
                errors[key] = gettext("Item %(number)s of the %(name)s takes one of %(values)s.") % {
                    "number": item.number, "name": self.name, "values": ", ".join(map(str, item.values))}
        if complete:
            for item in self.items:
                if item.key not in answers and item.key not in errors:
                    errors[item.key] = gettext("Item %(number)s of the %(name)s is not answered.") % {
                        "number": item.number, "name": self.name}
        return errors

    def score(self, answers):
        """{score key: points} for a complete set of answers (the closing question never counts)."""
        return {score.key: sum(answers[key] for key in score.items) for score in self.scores}

    def bands_for(self, scores):
        """{score key: band label (English)} for each score that has bands."""
        found = {}
        for score in self.scores:
            band = score.band(scores[score.key]) if score.key in scores else None
            if band is not None:
                found[score.key] = band.text(ENGLISH)
        return found

    def score_def(self, key):
        for score in self.scores:
            if score.key == key:
                return score
        raise KeyError(key)


# ---------------------------------------------------------------------------------------------
# PHQ-9 and GAD-7 (docs/instruments/phq-9.md, docs/instruments/gad-7.md)

PHQ_FOOTER = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute."
)

# Texts and their sources (docs/instruments/phq-9.md, gad-7.md):
# - English PHQ-9: stem in WikiMSK, gpmanual.com and the Hamilton FHT form; items as WikiMSK
#   reproduces them; options as the HL7 SDC FHIR example's ValueSet VSPHQ9.
# - Spanish PHQ-9 ("Spanish for the USA"): the wording ten public GitHub files agree on (among them
#   jarturocastan/tamizajes-documentation, docs/formularios/phq9.md), stem, items, options and the
#   difficulty question with its options. CAVEAT: the official phqscreeners.com Spanish PDF was
#   NOT read; compare before clinical use.
# - Spanish GAD-7: stem, items and options from a public GitHub Kotlin file (items corroborated word
#   for word by a second file; one file calls its text the official "Spanish for the USA" version
#   from phqscreeners.com). CAVEAT: the official PDF was NOT read. Its difficulty question in
#   Spanish: NOT FOUND, so the GAD-7's is shown in English, with its English options, and a note.
# - Spanish BAM: NOT FOUND; the BAM is shown in English with a note.
# The option labels 0-3 ("Ningún día" ...) are the same in the Spanish PHQ-9 and GAD-7 sources.
FREQUENCY = (
    Option(0, {"en": "Not at all", "es": "Ningún día"}),
    Option(1, {"en": "Several days", "es": "Varios días"}),
    Option(2, {"en": "More than half the days", "es": "Más de la mitad de los días"}),
    Option(3, {"en": "Nearly every day", "es": "Casi todos los días"}),
)
# Spanish labels: the PHQ-9 Spanish difficulty options (phq-9.md; four files agree).
DIFFICULTY_OPTIONS = (
    Option(0, {"en": "Not difficult at all", "es": "No ha sido difícil"}),
    Option(1, {"en": "Somewhat difficult", "es": "Un poco difícil"}),
    Option(2, {"en": "Very difficult", "es": "Muy difícil"}),
    Option(3, {"en": "Extremely difficult", "es": "Extremadamente difícil"}),
)
DIFFICULTY_EN = (
    "If you checked off any problems, how difficult have these problems made it for you to do your work, "
    "take care of things at home, or get along with other people?"
)
GAD_DIFFICULTY_OPTIONS = tuple(Option(option.value, {"en": option.label["en"]}) for option in DIFFICULTY_OPTIONS)
# The same stem in the Spanish PHQ-9 and GAD-7 sources.
PHQ_STEM_ES = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes problemas?"
)
NHS_RELIABLE_CHANGE = (
    "NHS Talking Therapies (IAPT manual), as quoted by cbtwatch.com; the primary NHS document was not read."
)

PHQ9 = Instrument(
    key="phq9",
    version="1",
    name="PHQ-9",
    title="Patient Health Questionnaire-9",
    recall_days=14,
    stem={
        "en": "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        "es": PHQ_STEM_ES,
    },
    items=tuple(
        Item(str(number), str(number), words, FREQUENCY, safety=(number == 9))
        for number, words in enumerate(
            (
                {"en": "Little interest or pleasure in doing things",
                 "es": "Poco interés o placer en hacer cosas"},
                {"en": "Feeling down, depressed, or hopeless",
                 "es": "Se ha sentido decaído(a), deprimido(a) o sin esperanzas"},
                {"en": "Trouble falling or staying asleep, or sleeping too much",
                 "es": "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado"},
                {"en": "Feeling tired or having little energy",
                 "es": "Se ha sentido cansado(a) o con poca energía"},
                {"en": "Poor appetite or overeating",
                 "es": "Sin apetito o ha comido en exceso"},
                {"en": "Feeling bad about yourself — or that you are a failure or have let yourself or your "
                       "family down",
                 "es": "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con usted "
                       "mismo(a) o con su familia"},
                {"en": "Trouble concentrating on things, such as reading the newspaper or watching television",
                 "es": "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico "
                       "o ver la televisión"},
                {"en": "Moving or speaking so slowly that other people could have noticed? Or the opposite — being "
                       "so fidgety or restless that you have been moving around a lot more than usual",
                 "es": "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo contrario "
                       "– muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal"},
                {"en": "Thoughts that you would be better off dead or of hurting yourself in some way",
                 "es": "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"},
            ),
            start=1,
        )
    ),
    closing=Item(
        "difficulty", "10",
        {"en": DIFFICULTY_EN,
         "es": "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas para "
               "hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien con otras personas?"},
        DIFFICULTY_OPTIONS,
    ),
    scores=(
        Score(
            "total", "Total", tuple(str(n) for n in range(1, 10)), 0, 27,
            bands=(
                Band(0, 4, {"en": "None-minimal"}),
                Band(5, 9, {"en": "Mild"}),
                Band(10, 14, {"en": "Moderate"}),
                Band(15, 19, {"en": "Moderately severe"}),
                Band(20, 27, {"en": "Severe"}),
            ),
            reliable_change=6,
            reliable_change_source=NHS_RELIABLE_CHANGE,
        ),
    ),
    source=(
        "Item texts as reproduced by WikiMSK (wikimsk.org, WikiMSK:Calculators/PHQ-9), options and bands as in "
        "the HL7 SDC FHIR example (HL7/sdc); difficulty question as in the Hamilton FHT combined PHQ-9/GAD-7 form. "
        "Spanish: the \"Spanish for the USA\" wording reproduced by several public files. The official "
        "phqscreeners.com PDF was not read: the texts await a check against it before clinical use."
    ),
    terms=PHQ_FOOTER,
    free_to_reproduce=True,
    notes=(
        "Variants not used: stem \"two weeks\" (SDC) and \"bothered by the following problems\" (NIV); item 3 "
        "\"falling/staying asleep\" (NIV); item 9 with a comma after \"dead\" (RDF, SMY, HAM); option 2 \"Over "
        "half the days\" (NIV); difficulty question \"those problems ... Do your work\" (SMY)."
    ),
)

GAD7 = Instrument(
    key="gad7",
    version="1",
    name="GAD-7",
    title="Generalized Anxiety Disorder 7-item scale",
    recall_days=14,
    stem={
        "en": "Over the last 2 weeks, how often have you been bothered by the following problems?",
        "es": PHQ_STEM_ES,
    },
    items=tuple(
        Item(str(number), str(number), words, FREQUENCY)
        for number, words in enumerate(
            (
                {"en": "Feeling nervous, anxious, or on edge",
                 "es": "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta"},
                {"en": "Not being able to stop or control worrying",
                 "es": "No ha sido capaz de parar o controlar su preocupación"},
                {"en": "Worrying too much about different things",
                 "es": "Se ha preocupado demasiado por motivos diferentes"},
                {"en": "Trouble relaxing",
                 "es": "Ha tenido dificultad para relajarse"},
                {"en": "Being so restless that it is hard to sit still",
                 "es": "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)"},
                {"en": "Becoming easily annoyed or irritable",
                 "es": "Se ha molestado o irritado fácilmente"},
                {"en": "Feeling afraid as if something awful might happen",
                 "es": "Ha tenido miedo de que algo terrible fuera a pasar"},
            ),
            start=1,
        )
    ),
    # The Spanish GAD-7 difficulty question was NOT FOUND (gad-7.md): the API leaves it out in
    # Spanish (closing_for), the page shows it in English with a note. Its options stay English
    # too: the Spanish labels above are the PHQ-9's, not verified for the GAD-7.
    closing=Item("difficulty", "8", {"en": DIFFICULTY_EN}, GAD_DIFFICULTY_OPTIONS),
    scores=(
        Score(
            "total", "Total", tuple(str(n) for n in range(1, 8)), 0, 21,
            bands=(
                Band(0, 4, {"en": "Minimal anxiety"}),
                Band(5, 9, {"en": "Mild anxiety"}),
                Band(10, 14, {"en": "Moderate anxiety"}),
                Band(15, 21, {"en": "Severe anxiety"}),
            ),
            reliable_change=4,
            reliable_change_source=NHS_RELIABLE_CHANGE,
        ),
    ),
    source=(
        "Items and bands as in rhavekost/clinical-toolkit (gad-7.md) and nivlab/nivturk-templates; stem as in "
        "four of the reproductions read; difficulty question from the Hamilton FHT combined PHQ-9/GAD-7 form "
        "(no stand-alone GAD-7 source for it was found). The official phqscreeners.com PDF was not read: the "
        "texts await a check against it before clinical use."
    ),
    terms=PHQ_FOOTER,
    free_to_reproduce=True,
    notes=(
        "Variants not used: stem \"bothered by any of the following problems\" (HAM combined form); item 1 "
        "without the serial comma (X66); item 5 \"it's hard\" (NIVT, NIV, CTK); item 7 \"afraid, as if\" (X71); "
        "options \"Over half the days\" (NIVT, NIV)."
    ),
)

# ---------------------------------------------------------------------------------------------
# The Brief Addiction Monitor (docs/instruments/bam.md)
# English texts from public reproductions (item texts from a TypeScript file [A], item 5's
# description and items 7A-7G from a Robot Framework file [K], the 7A-7G lead-in from a SQL seed
# [S]). CAVEAT: the VA form and manual were not read beyond the manual's first pages. Spanish
# version: NOT FOUND, so every BAM text is English only and the page says so to a Spanish reader.

HEALTH = tuple(Option(value, {"en": label}) for value, label in
               enumerate(("Excellent", "Very good", "Good", "Fair", "Poor")))
DAYS = tuple(Option(value, {"en": label}) for value, label in
             enumerate(("0 days", "1–3 days", "4–8 days", "9–15 days", "16–30 days")))
INTENSITY = tuple(Option(value, {"en": label}) for value, label in
                  enumerate(("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")))
YES_NO = (Option(0, {"en": "No"}), Option(4, {"en": "Yes"}))
# Item 17 is reverse-keyed: "Extremely" satisfied scores 0.
PROGRESS = tuple(Option(4 - value, {"en": label}) for value, label in
                 enumerate(("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")))

DRUG_LEAD = "In the past 30 days, how many days did you use "
BAM_ITEMS = (
    ("1", "In the past 30 days, would you say your physical health has been?", HEALTH),
    ("2", "In the past 30 days, how many nights did you have trouble falling asleep or staying asleep?", DAYS),
    ("3", "In the past 30 days, how many days have you felt depressed, anxious, angry, or very upset throughout "
          "most of the day?", DAYS),
    ("4", "In the past 30 days, how many days did you drink ANY alcohol?", DAYS),
    ("5", "In the past 30 days, how many days did you have at least 5 drinks (if you are a man) or at least 4 "
          "drinks (if you are a woman)? One drink is considered one shot of hard liquor (1.5 oz.) or 12-oz. "
          "can/bottle of beer or 5-oz. glass of wine.", DAYS),
    ("6", "In the past 30 days, how many days did you use any illegal/street drugs or abuse any prescription "
          "medications?", DAYS),
    ("7A", DRUG_LEAD + "Marijuana (cannabis, pot, weed)?", DAYS),
    ("7B", DRUG_LEAD + "Sedatives and/or Tranquilizers (benzos, Valium, Xanax, Ativan, Ambien, barbs, "
                       "Phenobarbital, downers, etc.)?", DAYS),
    ("7C", DRUG_LEAD + "Cocaine and/or Crack?", DAYS),
    ("7D", DRUG_LEAD + "Other Stimulants (amphetamine, methamphetamine, Dexedrine, Ritalin, Adderall, speed, "
                       "crystal meth, ice, etc.)?", DAYS),
    ("7E", DRUG_LEAD + "Opiates (Heroin, Morphine, Dilaudid, Demerol, Oxycontin, oxy, codeine (Tylenol 2,3,4), "
                       "Percocet, Vicodin, Fentanyl, etc.)?", DAYS),
    ("7F", DRUG_LEAD + "Inhalants (glues, adhesives, nail polish remover, paint thinner, etc.)?", DAYS),
    ("7G", DRUG_LEAD + "Other drugs (steroids, non-prescription sleep and diet pills, Benadryl, Ephedra, other "
                       "over-the-counter or unknown medications)?", DAYS),
    ("8", "In the past 30 days, how much were you bothered by cravings or urges to drink alcohol or use drugs?",
     INTENSITY),
    ("9", "How confident are you in your ability to be completely abstinent (clean) from alcohol and drugs in the "
          "next 30 days?", INTENSITY),
    ("10", "In the past 30 days, how many days did you attend self-help meetings like AA or NA to support your "
           "recovery?", DAYS),
    ("11", "In the past 30 days, how many days were you in any situations or with any people that might put you at "
           "an increased risk for using alcohol or drugs (risky people, places, or things)?", DAYS),
    ("12", "Does your religion or spirituality help support your recovery?", INTENSITY),
    ("13", "In the past 30 days, how many days did you spend much of the time at work, school, or doing volunteer "
           "work?", DAYS),
    ("14", "Do you have enough income (from legal sources) to pay for necessities such as housing, transportation, "
           "food, and clothing for yourself and your dependents?", YES_NO),
    ("15", "In the past 30 days, how much have you been bothered by arguments or problems getting along with any "
           "family members or friends?", INTENSITY),
    ("16", "In the past 30 days, how many days were you in contact or spent time with any family members or "
           "friends who are supportive of your recovery?", DAYS),
    ("17", "How satisfied are you with your progress toward achieving your recovery goals?", PROGRESS),
)
BAM_VENDOR_BANDS = "Blueprint's help page (a vendor's guidance, not found in a VA source)."

BAM = Instrument(
    key="bam",
    version="1",
    name="BAM",
    title="Brief Addiction Monitor",
    recall_days=30,
    # The BAM has no stem of its own: each item says its period. This line is Steady's, not the form's.
    stem={"en": "Brief Addiction Monitor: about the past 30 days"},
    items=tuple(Item(number.lower(), number, {"en": text}, options) for number, text, options in BAM_ITEMS),
    scores=(
        Score("use", "Use", ("4", "5", "6"), 0, 12,
              bands=(Band(0, 0, {"en": "None reported"}), Band(1, 12, {"en": "Use reported"})),
              bands_source=BAM_VENDOR_BANDS),
        Score("risk", "Risk factors", ("1", "2", "3", "8", "11", "15"), 0, 24,
              bands=(Band(0, 11, {"en": "Below 12"}), Band(12, 24, {"en": "12 or more"})),
              bands_source=BAM_VENDOR_BANDS),
        Score("protective", "Protective factors", ("9", "10", "12", "13", "14", "16"), 0, 24,
              bands=(Band(0, 12, {"en": "12 or below"}), Band(13, 24, {"en": "Above 12"})),
              bands_source=BAM_VENDOR_BANDS, higher_is_better=True),
    ),
    source=(
        "Cacciola et al. 2013, J Subst Abuse Treat 44(3):256-263; DePhilippis et al., Brief Addiction Monitor (BAM) "
        "Manual for Use in SUD Group Treatment, Philadelphia VAMC CESATE, draft 5-7-2014 (only its first pages "
        "were read). Item texts from public reproductions; scoring from secondary pages. The texts await a "
        "check against the VA form and manual before clinical use."
    ),
    terms=(
        "NOT FOUND: no source read states that the BAM is public domain or gives its reuse terms. A program "
        "turns it on only after confirming them."
    ),
    free_to_reproduce=False,
    notes=(
        "Items 7A-7G elaborate item 6 and are not scored; item 17 is not scored. No total is computed (no single "
        "summary score has been validated). Variants not used: item 3 \"angry or very upset\" and item 9 \"that "
        "you will NOT use\" (K). The 7-day BAM for IOP exists, but its wording was NOT FOUND: it is not offered."
    ),
)

# Every version ever shipped, oldest first; the last of each key is the one new questionnaires use.
VERSIONS = (PHQ9, GAD7, BAM)
CURRENT = {instrument.key: instrument for instrument in VERSIONS}
KEYS = tuple(CURRENT)
CHOICES = [(instrument.key, instrument.name) for instrument in CURRENT.values()]


def get(key, version=None):
    """The definition of an instrument: its current version, or the version a response was given in."""
    if version is None:
        return CURRENT[key]
    for instrument in VERSIONS:
        if instrument.key == key and instrument.version == version:
            return instrument
    raise KeyError(f"{key} version {version}")
