"""Every write to participant data goes through here: pages, the API and the demo loader alike."""

import contextlib
import dataclasses
import datetime as dt
import functools
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from . import absence, access, accounts, aftercare, audit, push, reminders, responses, triage, urgent
from .models import (
    AbsenceNotice,
    AuditEvent,
    CheckIn,
    CheckupAnswer,
    Counselor,
    FlagAcknowledgement,
    Goal,
    HighRiskTime,
    Medication,
    Participant,
    Program,
    PushSubscription,
    QuestionnaireResponse,
    SafetyAnswer,
    SafetyPlanVersion,
    TalkRequest,
    Task,
    Tombstone,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    UsedToday,
)
from .statements import prepared_cursor

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class PutResult:
    entry: object
    created: bool
    changed: bool


class EntryNotFound(Exception):
    """The id belongs to nobody, or to someone else: callers answer both the same way (404)."""


class EntryGone(Exception):
    """The id was deleted (maybe on another device): a late write of it must not bring it back."""

    def __init__(self, *, deleted_at):
        super().__init__("This entry was deleted.")
        self.deleted_at = deleted_at


class EntryConflict(Exception):
    """Another entry of the same participant already holds this period (a day or a week)."""

    def __init__(self, *, field, existing_id, message):
        super().__init__(message)
        self.field = field
        self.existing_id = existing_id
        self.message = message


CONFLICT_MESSAGES = {
    CheckIn: gettext_lazy("You already have a check-in for this day. Open it to change it."),
    WeeklyReflection: gettext_lazy("You already have a reflection for this week. Open it to change it."),
    WeekendPlan: gettext_lazy("You already have a plan for this weekend. Open it to change it."),
    AbsenceNotice: gettext_lazy("You already told us about this session."),
    QuestionnaireResponse: gettext_lazy("This questionnaire has its answers already, maybe from another phone."),
    CheckupAnswer: gettext_lazy("This check-up has its answers already, maybe from another phone."),
}


def _write_values(entry, data):
    """Replace the entry's writable fields with `data` (a field left out takes its default), and
    check them (ValidationError). Uniqueness is left to the database and to the period check of
    the caller, which names the entry that holds the period: checking the id here would race with
    a concurrent writer of the same id (a 400)."""
    model = type(entry)
    for name in model.WRITABLE:
        setattr(entry, name, data[name] if name in data else model._meta.get_field(name).get_default())
    entry.full_clean(exclude=["participant"], validate_unique=False, validate_constraints=False)


@functools.cache
def _insert_sql(model):
    """_entry_insert's statement for `model`, composed once."""
    quote = connection.ops.quote_name
    fields = model._meta.local_concrete_fields
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING 1")


def _entry_put_once(model, *, participant, id, data, create_defaults=None):
    entry = model.objects.select_for_update().filter(pk=id).first()
    if entry is not None and entry.participant_id != participant.pk:
        raise EntryNotFound
    created = entry is None
    if created:
        # Read after the lock above: a delete that committed meanwhile left its tombstone.
        tombstone = Tombstone.objects.filter(pk=id).first()
        if tombstone is not None:
            if tombstone.participant_id != participant.pk:
                raise EntryNotFound
            raise EntryGone(deleted_at=tombstone.deleted_at)
        entry = model(pk=id, participant=participant, **(create_defaults or {}))
    entry.participant = participant  # the row's own participant, with its zone, for clean()
    before = entry.writable_values()
    _write_values(entry, data)
    existing = entry.conflicting_id()
    if existing is not None:
        raise EntryConflict(field=model.ONE_PER, existing_id=existing, message=CONFLICT_MESSAGES[model])
    if not created and entry.writable_values() == before:
        return PutResult(entry=entry, created=False, changed=False)
    entry.save()
    return PutResult(entry=entry, created=created, changed=True)


def _entry_insert(model, *, participant, id, data):
    """The common write, a new entry, in one statement and one round trip (issue 20): INSERT ...
    ON CONFLICT DO NOTHING. The PutResult of the new row, or None when anything else may be the
    case, for _entry_put to decide as it always has: the id is taken (a replay, an update, or
    someone else's), another entry holds the period (the per-day unique constraint is a conflict
    too), the id was deleted (the tombstone trigger of migration 0018 refuses the row, also when
    the delete commits while this insert waits on it), or the data is refused (which answer comes
    first, 404, 410 or 400, is _entry_put's). PostgreSQL only; SQLite takes the general path."""
    if connection.vendor != "postgresql":
        return None
    entry = model(pk=id, participant=participant)
    try:
        _write_values(entry, data)
    except ValidationError:
        return None
    entry.prepare_insert()
    values = [field.get_db_prep_save(field.pre_save(entry, True), connection) for field in model._meta.local_concrete_fields]
    # Outside a transaction the statement is its own (no BEGIN, no COMMIT); inside one, a savepoint
    # keeps a refused row from spoiling it.
    try:
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            with prepared_cursor() as cursor:
                cursor.execute(_insert_sql(model), values)
                inserted = cursor.fetchone() is not None
    except IntegrityError:
        return None  # the tombstone trigger
    if not inserted:
        return None
    entry._state.adding = False
    return PutResult(entry=entry, created=True, changed=True)


def _entry_put(model, *, participant, id, data, create_defaults=None):
    """Create or replace the entry `id` of `participant` with `data`, all or nothing.

    A replay of the same data changes nothing (not even `updated_at`). Two writers of one
    new id at once: the loser's insert fails on the primary key, and its second try finds
    the winner's row and goes down the update path, so there is one row either way.
    Raises ValidationError (bad data), EntryNotFound (someone else's id), EntryGone (a deleted
    id: its tombstone stays) or EntryConflict.
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
    """A check-in. One that says "yes, I used" today is a use report: the urgent path hears of it
    (tracker.urgent; it tells the team at once only where the program turned that on)."""
    if data.get("used_today") != UsedToday.YES and (result := _entry_insert(CheckIn, participant=participant,
                                                                             id=id, data=data)):
        return result
    with transaction.atomic():
        result = _entry_put(CheckIn, participant=participant, id=id, data=data)
        if result.changed and result.entry.used_today == UsedToday.YES:
            urgent.use_reported(participant, f"checkin:{result.entry.pk}")
    return result


def urge_put(*, participant, id, data):
    """An urge; one that ended in use, in the days the caseload counts setbacks, is use reported
    (tracker.urgent: the team is told at once where the program turned that on)."""
    if data.get("outcome") != Urge.Outcome.USED and (result := _entry_insert(Urge, participant=participant,
                                                                             id=id, data=data)):
        return result
    with transaction.atomic():
        result = _entry_put(Urge, participant=participant, id=id, data=data)
        urge = result.entry
        if result.changed and urge.outcome == Urge.Outcome.USED and \
                urge.occurred_at >= timezone.now() - dt.timedelta(days=settings.TRIAGE_SETBACK_DAYS):
            urgent.use_reported(participant, f"urge:{urge.pk}")
    return result


def reflection_put(*, participant, id, data):
    return _entry_put(WeeklyReflection, participant=participant, id=id, data=data)


def talk_request_put(*, participant, id, data):
    """"I'd like to talk": an urgent flag on the caseload (tracker.triage) until acknowledged, and
    where the program turned that on, a notice to the team at once (tracker.urgent)."""
    with transaction.atomic():
        result = _entry_put(TalkRequest, participant=participant, id=id, data=data)
        if result.created:
            urgent.talk_requested(result.entry)
    return result


def safety_answer_put(*, participant, id, data):
    """An answer above 0 to a safety question, sent on its own the moment it is given: saved and
    its urgent alert raised together (tracker.urgent), once per answer however often it is sent."""
    with transaction.atomic():
        result = _entry_put(SafetyAnswer, participant=participant, id=id, data=data)
        urgent.safety_answer_received(result.entry)
    return result


def response_put(*, participant, id, data, now=None):
    """Answers to one of the participant's questionnaires (tracker.responses): a draft, or complete
    and then scored by its own version, with the questionnaire marked done, in one transaction.
    One response per questionnaire: another id for it is an EntryConflict. A safety answer above
    0 that has not arrived as its own write is sent with it (once, by its shared id).
    Raises responses.NoticeNeeded until the current notice of who sees what is acknowledged."""
    now = now or timezone.now()
    with transaction.atomic():
        existing = QuestionnaireResponse.objects.select_for_update().filter(pk=id).first()
        if existing is not None and existing.participant_id != participant.pk:
            raise EntryNotFound
        if not accounts.notice_acknowledged(participant.user):
            raise responses.NoticeNeeded
        data, _definition = responses.checked(participant=participant, data=data, existing=existing)
        result = _entry_put(QuestionnaireResponse, participant=participant, id=id, data=data)
        if result.changed:
            responses.record_scores(result.entry, now=now)
            for answer_id, answer in responses.safety_answers_missing(result.entry, now=now):
                safety_answer_put(participant=participant, id=answer_id, data=answer)
            if result.entry.complete:
                # The BAM's use items are a use report like any other (tracker.urgent, tracker.triage).
                if result.entry.scores.get("use"):
                    urgent.use_reported(participant, f"response:{result.entry.pk}")
                if result.entry.questionnaire_id is not None:
                    reminders.questionnaire_reminders_withdraw(questionnaires=[result.entry.questionnaire_id],
                                                               now=now)
    return result


def checkup_answer_put(*, participant, id, data, now=None):
    """Answers to one of the person's aftercare check-ups (tracker.aftercare): checked, written, and
    the check-up marked done with its reminder withdrawn, in one transaction."""
    with transaction.atomic():
        owner = CheckupAnswer.objects.filter(pk=id).values_list("participant_id", flat=True).first()
        if owner is not None and owner != participant.pk:
            raise EntryNotFound  # someone else's id: the same answer as none at all
        data = aftercare.answer_checked(participant=participant, id=id, data=data, now=now)
        result = _entry_put(CheckupAnswer, participant=participant, id=id, data=data,
                            create_defaults={"checkup": data["checkup"]})
        if result.changed:
            aftercare.answer_saved(result.entry)
    return result


def absence_notice_put(*, participant, id, data, now=None):
    """"Can't make it" (before the session) or "I missed it" (after): one per session. Given ahead,
    it marks the roll excused with "notice given" where nothing is marked yet (tracker.absence)."""
    session = data.get("session")
    replay = session is not None and AbsenceNotice.objects.filter(pk=id, participant=participant,
                                                                  session=session).exists()
    if session is not None and not replay:
        refusal = absence.check_notice(participant, session, now=now)
        if refusal is None and not absence.belongs(participant, session):
            refusal = gettext("This is not one of your sessions.")
        if refusal is not None:
            raise ValidationError({"session": [refusal]})
    with transaction.atomic():
        result = _entry_put(AbsenceNotice, participant=participant, id=id, data=data)
        if result.changed:
            absence.pre_mark(result.entry)
            if result.entry.reason == AbsenceNotice.Reason.USED:
                urgent.use_reported(participant, f"notice:{result.entry.pk}")
    return result


# Writes that change when reminders are due re-plan them in the same transaction.
SCHEDULING_MODELS = (HighRiskTime, Task, Medication)


def entry_delete(*, entry):
    """Delete the entry and leave its tombstone (id, kind, owner, when; no content), in one
    transaction, so a write of the same id queued on another phone cannot bring it back."""
    with transaction.atomic():
        Tombstone.objects.get_or_create(pk=entry.pk, defaults={"kind": entry._meta.model_name,
                                                               "participant_id": entry.participant_id})
        entry.delete()
        if isinstance(entry, SCHEDULING_MODELS):
            reminders.reminders_sync(participant=entry.participant)


def entry_deleted(*, participant, id) -> bool:
    """Whether `id` is one of the participant's own deleted entries (a replayed delete is done)."""
    return Tombstone.objects.filter(pk=id, participant=participant).exists()


def participant_update(*, participant, time_zone):
    with transaction.atomic():
        changed = participant.time_zone != time_zone
        participant.time_zone = time_zone
        participant.full_clean(exclude=["user", "program"])
        participant.save(update_fields=["time_zone"])
        if changed:
            # Same wall-clock times, new instants: every reminder is planned again in the new zone.
            reminders.reminders_sync(participant=participant)
            reminders.reminders_replan(participant=participant)
    return participant


def counselor_update(*, counselor, time_zone, urgent_push=None):
    """The counselor's own settings (their record, not a participant's: no audit row).
    `urgent_push`: urgent notices also as a push to their subscribed devices (None: unchanged)."""
    counselor.time_zone = time_zone
    if urgent_push is not None:
        counselor.urgent_push = urgent_push
    counselor.full_clean(exclude=["user", "program"])
    counselor.save(update_fields=["time_zone", "urgent_push"])
    return counselor


REMINDER_SETTINGS = ("checkin_reminder_at", "high_risk_lead_min", "weekend_plan_reminder_at",
                     "weekend_review_reminder_at", "task_reminder_at", "session_reminder", "quiet_start", "quiet_end",
                     "remind_by_push", "remind_by_email")


def reminder_settings_update(*, participant, data):
    with transaction.atomic():
        for name in REMINDER_SETTINGS:
            if name in data:
                setattr(participant, name, data[name])
        participant.full_clean(exclude=["user", "program"])
        participant.save(update_fields=[name for name in REMINDER_SETTINGS if name in data])
        reminders.reminders_sync(participant=participant)
    return participant



def weekend_plan_put(*, participant, id, data):
    return _entry_put(WeekendPlan, participant=participant, id=id, data=data)


def goal_put(*, participant, id, data, actor):
    """A goal written by the participant or by a counselor on their care team (`actor`)."""
    return _entry_put(Goal, participant=participant, id=id, data=data, create_defaults={"created_by": actor})


def task_put(*, participant, id, data, actor):
    with transaction.atomic():
        result = _entry_put(Task, participant=participant, id=id, data=data, create_defaults={"created_by": actor})
        if result.changed:
            reminders.reminders_sync(participant=participant)
    return result


def task_set_done(*, task, done):
    with transaction.atomic():
        task.done = done
        task.save(update_fields=["done", "done_at", "updated_at"])
        reminders.reminders_sync(participant=task.participant)
    return task


def medication_put(*, participant, id, data, actor=None):
    """A medication and its times, written by the person or by a counselor on their care team
    (`actor`, a user: a counselor who adds one is kept as `added_by`). Its reminders (one per
    time) are planned again in the same transaction: a stopped medication has none."""
    counselor = access.counselor_for_user(actor) if actor is not None else None
    with transaction.atomic():
        result = _entry_put(Medication, participant=participant, id=id, data=data,
                            create_defaults={"added_by": counselor})
        if result.changed:
            reminders.medication_reminders_sync(participant=participant)
    return result


def high_risk_time_put(*, participant, id, data):
    with transaction.atomic():
        result = _entry_put(HighRiskTime, participant=participant, id=id, data=data)
        if result.changed:
            reminders.reminders_sync(participant=participant)
    return result


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
        version.full_clean(exclude=["participant", "author"], validate_unique=False, validate_constraints=False)
        version.save()
        return PutResult(entry=version, created=True, changed=True)


def push_subscription_save(*, user, endpoint, keys, user_agent=""):
    """Store a browser's subscription for this user. An endpoint names one browser: if someone
    else signed in on it before, it is theirs no longer. Returns True when it is new. Raises
    ValidationError for an endpoint that is not on a push service Steady sends to."""
    if (problem := push.endpoint_problem(endpoint)) is not None:
        raise ValidationError({"endpoint": [problem]})
    _, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": keys["p256dh"], "auth": keys["auth"], "user_agent": user_agent[:300],
                  "failures": 0},
    )
    return created


def push_subscription_delete(*, user, endpoint):
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


PROGRAM_SETTINGS = ("time_zone", "phone", "office_weekdays", "office_opens", "office_closes", "group_hours_targets",
                    "harm_reduction_on", "harm_reduction_text", "still_welcome_text")
# Urgent notices (tracker.urgent): the on-call address, when the admins are told, and which other
# urgent flags notify at once.
PROGRAM_SETTINGS += ("on_call_email", "urgent_ack_minutes", "urgent_notify_flags")
# How long the clinical record of a closed account is kept (tracker.accounts.purge_clinical_records).
PROGRAM_SETTINGS += ("record_retention_years",)


def program_settings_update(*, request, program: Program, **values) -> Program:
    """A program admin's settings for the whole program (PROGRAM_SETTINGS), with its audit row, in
    one transaction. Sessions already planned keep their UTC times when the zone changes."""
    with transaction.atomic():
        for name, value in values.items():
            if name not in PROGRAM_SETTINGS:
                raise TypeError(name)
            setattr(program, name, value.strip() if isinstance(value, str) else value)
        program.full_clean()
        program.save(update_fields=list(values))
        audit.record(request, action=AuditEvent.Action.WRITE, resource="program-settings", object_id=program.pk)
    return program


def flag_acknowledge(*, request, participant: Participant, counselor: Counselor, flag: str, evidence: str,
                     note: str) -> triage.Flag:
    """Acknowledge one of the participant's current flags, with its audit row, in one transaction.

    Raises ValidationError (field errors) when the flag is not raised now with that evidence:
    something new has happened since the page was loaded.
    """
    limit = FlagAcknowledgement._meta.get_field("note").max_length
    if len(note) > limit:
        # Refused, never cut: a note that loses its end can say the opposite of what was meant.
        raise ValidationError({"note": [gettext("The note is %(count)d characters; the most is %(limit)d. Nothing was "
                                           "acknowledged: shorten the note and try again.")
                                         % {"count": len(note), "limit": limit}]})
    if flag in triage.NOTE_REQUIRED and not note.strip():
        raise ValidationError({"note": [gettext("Write a note to acknowledge this flag: what you did or will do "
                                                "(for example, “Called, she is safe, seeing her tomorrow”).")]})
    current = {f.key: f for f in triage.caseload([participant])[0].flags}
    if flag not in current:
        raise ValidationError({"flag": [gettext("This flag is not raised any more.")]})
    if current[flag].evidence != evidence:
        raise ValidationError({"evidence": [gettext("Something new has happened since this flag was shown. Look again.")]})
    with transaction.atomic():
        ack = FlagAcknowledgement.objects.create(participant=participant, flag=flag, evidence=evidence, note=note,
                                                 counselor=counselor)
        audit.record(request, action=AuditEvent.Action.WRITE, resource="acknowledgement", participant=participant,
                     object_id=flag)
    current[flag].acknowledgement = ack
    return current[flag]

