"""Every write to participant data goes through here: pages, the API and the demo loader alike."""

import dataclasses
import logging

from django.db import IntegrityError, transaction

from .models import CheckIn, Goal, HighRiskTime, SafetyPlanVersion, Task, Urge, WeekendPlan, WeeklyReflection

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class PutResult:
    entry: object
    created: bool
    changed: bool


class EntryNotFound(Exception):
    """The id belongs to nobody, or to someone else: callers answer both the same way (404)."""


class EntryConflict(Exception):
    """Another entry of the same participant already holds this period (a day or a week)."""

    def __init__(self, *, field, existing_id, message):
        super().__init__(message)
        self.field = field
        self.existing_id = existing_id
        self.message = message


CONFLICT_MESSAGES = {
    CheckIn: "You already have a check-in for this day. Open it to change it.",
    WeeklyReflection: "You already have a reflection for this week. Open it to change it.",
    WeekendPlan: "You already have a plan for this weekend. Open it to change it.",
}


def _conflict_message(model):
    return CONFLICT_MESSAGES[model]


def _entry_put_once(model, *, participant, id, data, create_defaults=None):
    entry = model.objects.select_for_update().filter(pk=id).first()
    if entry is not None and entry.participant_id != participant.pk:
        raise EntryNotFound
    created = entry is None
    if created:
        entry = model(pk=id, participant=participant, **(create_defaults or {}))
    entry.participant = participant  # the row's own participant, with its zone, for clean()
    before = entry.writable_values()
    for name in model.WRITABLE:
        setattr(entry, name, data[name] if name in data else model._meta.get_field(name).get_default())
    # Constraints are checked below, where a clash can name the entry that holds the period.
    entry.full_clean(exclude=["participant"], validate_constraints=False)
    existing = entry.conflicting_id()
    if existing is not None:
        raise EntryConflict(field=model.ONE_PER, existing_id=existing, message=_conflict_message(model))
    if not created and entry.writable_values() == before:
        return PutResult(entry=entry, created=False, changed=False)
    entry.save()
    return PutResult(entry=entry, created=created, changed=True)


def _entry_put(model, *, participant, id, data, create_defaults=None):
    """Create or replace the entry `id` of `participant` with `data`, all or nothing.

    A replay of the same data changes nothing (not even `updated_at`). Two writers of one
    new id at once: the loser's insert fails on the primary key, and its second try finds
    the winner's row and goes down the update path, so there is one row either way.
    Raises ValidationError (bad data), EntryNotFound (someone else's id) or EntryConflict.
    """
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _entry_put_once(model, participant=participant, id=id, data=data,
                                       create_defaults=create_defaults)
        except IntegrityError:
            if attempt == 2:
                raise
            logger.info("entry put raced on %s %s, reading again", model.__name__, id)
    raise AssertionError("unreachable")


def checkin_put(*, participant, id, data):
    return _entry_put(CheckIn, participant=participant, id=id, data=data)


def urge_put(*, participant, id, data):
    return _entry_put(Urge, participant=participant, id=id, data=data)


def reflection_put(*, participant, id, data):
    return _entry_put(WeeklyReflection, participant=participant, id=id, data=data)


def entry_delete(*, entry):
    entry.delete()


def participant_update(*, participant, time_zone):
    participant.time_zone = time_zone
    participant.full_clean(exclude=["user", "program"])
    participant.save(update_fields=["time_zone"])
    return participant



def weekend_plan_put(*, participant, id, data):
    return _entry_put(WeekendPlan, participant=participant, id=id, data=data)


def goal_put(*, participant, id, data, actor):
    """A goal written by the participant or by a counselor on their care team (`actor`)."""
    return _entry_put(Goal, participant=participant, id=id, data=data, create_defaults={"created_by": actor})


def task_put(*, participant, id, data, actor):
    return _entry_put(Task, participant=participant, id=id, data=data, create_defaults={"created_by": actor})


def task_set_done(*, task, done):
    task.done = done
    task.save(update_fields=["done", "done_at", "updated_at"])
    return task


def high_risk_time_put(*, participant, id, data):
    return _entry_put(HighRiskTime, participant=participant, id=id, data=data)


class VersionExists(Exception):
    """A safety-plan version id that is already saved with other content: versions never change."""


def safety_plan_save(*, participant, id, data, author):
    """Save the participant's safety plan as a new version with the client-made id `id`.

    Every save adds a version, numbered 1, 2, 3... per participant; a replay of the same id and
    content answers with the version it made. Versions are never changed afterwards.
    """
    with transaction.atomic():
        # One writer at a time per participant, so version numbers never clash.
        type(participant).objects.select_for_update().filter(pk=participant.pk).first()
        existing = SafetyPlanVersion.objects.filter(pk=id).first()
        if existing is not None:
            if existing.participant_id != participant.pk:
                raise EntryNotFound
            candidate = SafetyPlanVersion(participant=participant, **{k: data.get(k, []) for k in SafetyPlanVersion.WRITABLE})
            candidate.clean()
            if candidate.writable_values() != existing.writable_values():
                raise VersionExists
            return PutResult(entry=existing, created=False, changed=False)
        latest = SafetyPlanVersion.objects.filter(participant=participant).order_by("-number").first()
        version = SafetyPlanVersion(
            pk=id, participant=participant, author=author, number=(latest.number + 1) if latest else 1,
            **{name: data.get(name, []) for name in SafetyPlanVersion.WRITABLE},
        )
        version.full_clean(exclude=["participant", "author"], validate_constraints=False)
        version.save()
        return PutResult(entry=version, created=True, changed=True)
