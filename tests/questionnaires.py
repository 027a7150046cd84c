"""Helpers for the questionnaire tests: open questionnaires made directly (as tracker.measures
plans them), the notice acknowledged, and answers worked by hand."""

import datetime as dt

from django.utils import timezone

from tracker import accounts
from tracker.models import Questionnaire


def open_questionnaire(participant, instrument="phq9", *, now=None, opened_hours_ago=1, open_days=3, **fields):
    """A questionnaire open now (opens_at <= now < closes_at), as the schedule makes them."""
    now = now or timezone.now()
    opens = now - dt.timedelta(hours=opened_hours_ago)
    fields.setdefault("due_on", opens.astimezone(participant.zone).date())
    return Questionnaire.objects.create(participant=participant, instrument=instrument, opens_at=opens,
                                        closes_at=opens + dt.timedelta(days=open_days), **fields)


def read_the_notice(participant):
    accounts.notice_acknowledge(participant=participant)
    return participant


def phq9(**answers):
    """PHQ-9 answers: 1 ("Several days") to items 1-7 and 0 to items 8 and 9 (a total of 7, in the
    range called Mild: 5-9), with changes by item, e.g. phq9(i9=2)."""
    base = {str(n): (1 if n <= 7 else 0) for n in range(1, 10)}
    base.update({key[1:]: value for key, value in answers.items()})
    return base
