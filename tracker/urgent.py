"""Urgent events the care team is told about at once: the safety answer (PHQ-9 item 9), and,
where a program turns it on, other urgent flags; and telling the program admin when nobody
acknowledged in time."""

from .models import UrgentAlert

SAFETY_FLAG = "safety_answer"


def safety_answer_received(answer):
    """A safety answer above 0 came in: one urgent alert for it, whatever the replays."""
    alert, _created = UrgentAlert.objects.get_or_create(participant=answer.participant, flag=SAFETY_FLAG,
                                                        evidence=str(answer.pk))
    return alert


def use_reported(participant, evidence):
    """A use report came in (evidence "checkin:<id>").
    notification: see the urgent helper's branch (this placeholder does nothing)."""
    return None
