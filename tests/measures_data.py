"""Questionnaires and responses made directly, for the tests of what the care team reads of them
(issue 17): a complete response scored by its own instrument version's definition
(`tracker.instruments.get(key, version).score(answers)` and `.bands_for(scores)`), a draft, and
a questionnaire with its window."""

import datetime as dt

from tracker import instruments
from tracker.models import Questionnaire, QuestionnaireResponse


def spread(keys, total, allowed=(0, 1, 2, 3, 4)):
    """{key: value} over `keys`, in order, each as high as it may be until `total` is reached."""
    answers, left = {}, total
    for key in keys:
        value = max((v for v in allowed if v <= left), default=0)
        answers[key] = value
        left -= value
    assert left == 0, f"{total} does not fit {keys}"
    return answers


def phq9_answers(total, difficulty=1):
    """Items 1 to 8 first (up to 24), item 9 last, so a total up to 24 leaves item 9 at 0."""
    return {**spread([str(n) for n in range(1, 10)], total, (0, 1, 2, 3)), "difficulty": difficulty}


def gad7_answers(total, difficulty=1):
    return {**spread([str(n) for n in range(1, 8)], total, (0, 1, 2, 3)), "difficulty": difficulty}


def bam_answers(*, use=0, risk=0, protective=0):
    """Use from items 4-6, risk from 1, 2, 3, 8, 11, 15, protective from 9, 10, 12, 13, 16 and
    14 (No 0 / Yes 4, given only when the others cannot hold it); the unscored ones at 0."""
    answers = {key: 0 for key in instruments.BAM.item_keys}
    answers |= spread(["4", "5", "6"], use)
    answers |= spread(["1", "2", "3", "8", "11", "15"], risk)
    income = 4 if protective > 20 else 0
    answers |= spread(["9", "10", "12", "13", "16"], protective - income) | {"14": income}
    return answers


def questionnaire(participant, instrument, due_on, *, status=Questionnaire.Status.OPEN, intake=False, days=3,
                  completed_at=None):
    """Due on a local day, open from its midnight for `days` days (the program's window)."""
    opens = dt.datetime.combine(due_on, dt.time(0), tzinfo=participant.zone)
    return Questionnaire.objects.create(
        participant=participant, instrument=instrument, due_on=due_on, opens_at=opens.astimezone(dt.UTC),
        closes_at=(opens + dt.timedelta(days=days)).astimezone(dt.UTC), intake=intake, status=status,
        completed_at=completed_at)


def complete(participant, instrument, answers, *, at, questionnaire=None, version=None):
    """A complete response answered at `at`, scored by its version; its questionnaire marked done."""
    definition = instruments.get(instrument, version)
    assert definition.answer_errors(answers, complete=True) == {}
    scores = definition.score(answers)
    if questionnaire is not None:
        questionnaire.status, questionnaire.completed_at = Questionnaire.Status.DONE, at
        questionnaire.save(update_fields=["status", "completed_at"])
    return QuestionnaireResponse.objects.create(
        participant=participant, questionnaire=questionnaire, instrument=instrument, version=definition.version,
        answers=answers, complete=True, completed_at=at, scores=scores, bands=definition.bands_for(scores),
        created_at=at)


def draft(participant, instrument, answers, *, at, questionnaire=None):
    """Answers saved part way: never scored."""
    return QuestionnaireResponse.objects.create(
        participant=participant, questionnaire=questionnaire, instrument=instrument,
        version=instruments.get(instrument).version, answers=answers, complete=False, created_at=at)


def phq9(participant, total, *, at, intake=False, **extra):
    """A PHQ-9 of `total` answered at `at`, on a questionnaire due that local day."""
    q = questionnaire(participant, "phq9", at.astimezone(participant.zone).date(), intake=intake)
    return complete(participant, "phq9", phq9_answers(total, **extra), at=at, questionnaire=q)


def gad7(participant, total, *, at, intake=False):
    q = questionnaire(participant, "gad7", at.astimezone(participant.zone).date(), intake=intake)
    return complete(participant, "gad7", gad7_answers(total), at=at, questionnaire=q)


def bam(participant, *, at, intake=False, **scores):
    q = questionnaire(participant, "bam", at.astimezone(participant.zone).date(), intake=intake)
    return complete(participant, "bam", bam_answers(**scores), at=at, questionnaire=q)
