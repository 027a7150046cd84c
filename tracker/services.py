"""Every write to participant data goes through here: pages, the API and the demo loader alike."""

import dataclasses
import logging

from django.db import IntegrityError, transaction

from .models import CheckIn, Urge, WeeklyReflection

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


def _conflict_message(model):
    if model is CheckIn:
        return "You already have a check-in for this day. Open it to change it."
    return "You already have a reflection for this week. Open it to change it."


def _entry_put_once(model, *, participant, id, data):
    entry = model.objects.select_for_update().filter(pk=id).first()
    if entry is not None and entry.participant_id != participant.pk:
        raise EntryNotFound
    created = entry is None
    if created:
        entry = model(pk=id, participant=participant)
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


def _entry_put(model, *, participant, id, data):
    """Create or replace the entry `id` of `participant` with `data`, all or nothing.

    A replay of the same data changes nothing (not even `updated_at`). Two writers of one
    new id at once: the loser's insert fails on the primary key, and its second try finds
    the winner's row and goes down the update path, so there is one row either way.
    Raises ValidationError (bad data), EntryNotFound (someone else's id) or EntryConflict.
    """
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _entry_put_once(model, participant=participant, id=id, data=data)
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

