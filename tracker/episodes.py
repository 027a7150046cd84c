"""Episodes of care: admitting a person, changing their level of care, reviewing the plan and
discharging them. One open episode at most per person; its level of care is the person's.

Every function here checks the dates it is given and raises ValidationError with the field's
own words, so the pages and the API show them next to the field. The wings audit the write in
the same transaction (tracker.audit.record).
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import aftercare
from .models import AftercarePlan, Counselor, Episode, GroupMembership, LevelChange, Participant, in_aftercare_q

# A date this far ahead is a typing slip, not a plan.
FUTURE_LIMIT = dt.timedelta(days=31)


def _forget_open_episode(participant):
    participant.__dict__.pop("open_episode", None)


def _check_day(day, field, today):
    if day is None:
        raise ValidationError({field: _("Pick a day from the calendar.")})
    if day > today + FUTURE_LIMIT:
        raise ValidationError({field: _("This is more than a month ahead. Check the date.")})


def admit(*, participant: Participant, admitted_on: dt.date, level_of_care: str, counselor: Counselor | None,
          actor, next_review_on: dt.date | None = None) -> Episode:
    """Open a new episode. Refused while one is open, or on a day inside an earlier episode."""
    _check_day(admitted_on, "admitted_on", participant.local_today())
    if level_of_care not in Participant.LevelOfCare.values:
        raise ValidationError({"level_of_care": _("Pick one of the levels of care shown.")})
    if next_review_on is not None and next_review_on < admitted_on:
        raise ValidationError({"next_review_on": _("The review comes on or after the admission.")})
    with transaction.atomic():
        # The participant row is the lock: two admissions at once cannot both see "none open".
        Participant.objects.select_for_update().filter(pk=participant.pk).first()
        if Episode.objects.filter(participant=participant, discharged_on__isnull=True).exists():
            raise ValidationError({"admitted_on": _("This person is already in the program. Discharge them first.")})
        last = (Episode.objects.filter(participant=participant, discharged_on__isnull=False)
                .order_by("-discharged_on").first())
        if last is not None and admitted_on < last.discharged_on:
            raise ValidationError({"admitted_on": _("Their last episode ended on %(day)s: admit them on or after it.")
                                   % {"day": last.discharged_on.isoformat()}})
        try:
            with transaction.atomic():
                episode = Episode.objects.create(
                    participant=participant, program_id=participant.program_id, admitted_on=admitted_on,
                    level_of_care=level_of_care, counselor=counselor, next_review_on=next_review_on,
                    created_by=actor)
        except IntegrityError:
            raise ValidationError({"admitted_on": _("This person is already in the program.")}) from None
        LevelChange.objects.create(episode=episode, level_of_care=level_of_care, changed_on=admitted_on,
                                   changed_by=actor)
        aftercare.readmitted(participant)
    _forget_open_episode(participant)
    return episode


def _open_for_update(episode):
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if locked.discharged_on is not None:
        raise ValidationError({"__all__": _("This episode has ended: it can no longer be changed.")})
    return locked


def change_level(*, episode: Episode, level_of_care: str, changed_on: dt.date, actor, note: str = "") -> Episode:
    """A step up or down inside the episode, from `changed_on`: its history keeps every level."""
    if level_of_care not in Participant.LevelOfCare.values:
        raise ValidationError({"level_of_care": _("Pick one of the levels of care shown.")})
    _check_day(changed_on, "changed_on", episode.participant.local_today())
    with transaction.atomic():
        locked = _open_for_update(episode)
        if changed_on < locked.admitted_on:
            raise ValidationError({"changed_on": _("The change comes on or after the admission (%(day)s).")
                                   % {"day": locked.admitted_on.isoformat()}})
        latest = locked.level_changes.order_by("-changed_on", "-created_at").first()
        if latest is not None and changed_on < latest.changed_on:
            raise ValidationError({"changed_on": _("The last change was on %(day)s: this one comes on or after it.")
                                   % {"day": latest.changed_on.isoformat()}})
        if latest is not None and latest.level_of_care == level_of_care:
            raise ValidationError({"level_of_care": _("This is already their level of care.")})
        LevelChange.objects.create(episode=locked, level_of_care=level_of_care, changed_on=changed_on, note=note,
                                   changed_by=actor)
        locked.level_of_care = level_of_care
        locked.updated_at = timezone.now()
        locked.save(update_fields=["level_of_care", "updated_at"])
    _forget_open_episode(episode.participant)
    return locked


def plan_update(*, episode: Episode, next_review_on: dt.date | None, counselor: Counselor | None) -> Episode:
    """The planned review date and the counselor of record."""
    with transaction.atomic():
        locked = _open_for_update(episode)
        if next_review_on is not None and next_review_on < locked.admitted_on:
            raise ValidationError({"next_review_on": _("The review comes on or after the admission.")})
        if counselor is not None and counselor.program_id != locked.program_id:
            raise ValidationError({"counselor": _("Pick a counselor of this program.")})
        locked.next_review_on, locked.counselor = next_review_on, counselor
        locked.updated_at = timezone.now()
        locked.save(update_fields=["next_review_on", "counselor", "updated_at"])
    return locked


def discharge(*, episode: Episode, discharged_on: dt.date, discharge_type: str, note: str = "") -> Episode:
    """End the episode. Group memberships end on the same day (past attendance stays as it was;
    a membership that would only have begun later is removed). Reminders for sessions then stop
    with the memberships (tracker.reminders)."""
    if discharge_type not in Episode.Discharge.values:
        raise ValidationError({"discharge_type": _("Pick one of the kinds of discharge shown.")})
    participant = episode.participant
    _check_day(discharged_on, "discharged_on", participant.local_today())
    with transaction.atomic():
        locked = _open_for_update(episode)
        if discharged_on < locked.admitted_on:
            raise ValidationError({"discharged_on": _("The discharge comes on or after the admission (%(day)s).")
                                   % {"day": locked.admitted_on.isoformat()}})
        locked.discharged_on, locked.discharge_type, locked.discharge_note = discharged_on, discharge_type, note
        locked.updated_at = timezone.now()
        locked.save(update_fields=["discharged_on", "discharge_type", "discharge_note", "updated_at"])
        memberships = GroupMembership.objects.filter(participant=participant)
        memberships.filter(joined_on__gt=discharged_on).delete()
        memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=discharged_on),
                           joined_on__lte=discharged_on).update(left_on=discharged_on)
        # Aftercare (tracker.aftercare): session and questionnaire reminders stop once this commits.
        transaction.on_commit(functools.partial(aftercare.after_discharge, locked.pk))
    _forget_open_episode(participant)
    return locked


def in_treatment(participants):
    """The people of a Participant queryset who are in treatment: an open episode, or (from
    before episodes) none at all. Those discharged are in aftercare (tracker.aftercare's list),
    not on the caseload of who needs a call today."""
    return participants.filter(~in_aftercare_q())


def history(participant):
    """The person's episodes, newest first, each with its level changes."""
    return list(Episode.objects.filter(participant=participant).prefetch_related("level_changes")
                .select_related("counselor__user"))


@dataclass
class Standing:
    """Where a person stands: in the program (`episode` is the open one), discharged (`episode`
    is the last one), or never admitted (`episode` is None)."""
    episode: Episode | None
    discharged: bool
    aftercare_plan: bool  # discharged, and an aftercare plan was made


def standing(participant) -> Standing:
    episode = participant.open_episode
    if episode is not None:
        return Standing(episode, False, False)
    last = Episode.objects.filter(participant=participant).order_by("-discharged_on", "-admitted_on", "-id").first()
    if last is None:
        return Standing(None, False, False)
    return Standing(last, True, AftercarePlan.objects.filter(episode=last).exists())


# The participant's own words for a level of care: what it means for their week. Never the
# discharge's kind or the care team's note (those are the team's record).
LEVEL_WORDS = {
    Participant.LevelOfCare.PHP: _lazy("Partial hospitalization: most of the day, most weekdays"),
    Participant.LevelOfCare.IOP: _lazy("Intensive outpatient: a few hours, a few days a week"),
    Participant.LevelOfCare.OP: _lazy("Outpatient: a session or two a week"),
    Participant.LevelOfCare.AFTERCARE: _lazy("Aftercare: staying in touch after the program"),
}


@dataclass
class Stay:
    """One episode as the participant reads it: when it began and ended, and their levels."""
    joined_on: dt.date
    came_back: bool  # not their first time in the program
    ended_on: dt.date | None
    levels: list  # [(from day, plain words)], oldest first
    current: bool


def own_story(participant) -> list[Stay]:
    """The participant's time in the program, newest first, in plain words only."""
    stays = []
    for number, episode in enumerate(sorted(history(participant), key=lambda e: (e.admitted_on, e.pk))):
        levels = [(change.changed_on, str(LEVEL_WORDS[change.level_of_care])) for change in episode.level_changes.all()]
        stays.append(Stay(joined_on=episode.admitted_on, came_back=number > 0, ended_on=episode.discharged_on,
                          levels=levels, current=episode.is_open))
    return stays[::-1]
