"""Measurement-based care: when each questionnaire is due (program defaults, per-participant
changes), planning due questionnaires, their reminders, and marking them missed.

Schedules, most specific first (`schedules_for`):
- a participant's own MeasureSchedule row (set by a counselor on their care team; an inactive
  one turns the instrument off for that person);
- the program's row (participant empty), set by a program admin;
- the built-in default, BUILT_IN.
The BAM is due only while the program has confirmed its reuse terms (`Program.bam_on`),
whatever the rows say: its terms were not found.

An instrument is due on the participant's first local day (intake: `created_at` in their zone)
and every `every_days` days from it. Each time makes one Questionnaire, open from local midnight
of that day for `Program.questionnaire_window_days` days (to local midnight, so correct across a
daylight-saving change), then missed. `plan_questionnaires` (hourly from Celery beat, on
enrolment and after a schedule change) makes only the one whose window holds now: never a
backlog after a long gap, and never a second open one of the same instrument.
"""

import dataclasses
import datetime as dt
import logging
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, instruments, reminders
from .models import (
    AuditEvent,
    Counselor,
    MeasureSchedule,
    Participant,
    Program,
    Questionnaire,
    Reminder,
    in_aftercare_q,
)

logger = logging.getLogger(__name__)

BUILT_IN_SOURCE, PROGRAM_SOURCE, OWN_SOURCE = "built-in", "program", "participant"
EVERY_DAYS_MIN, EVERY_DAYS_MAX = 7, 365


@dataclasses.dataclass(frozen=True)
class Schedule:
    """When one instrument is due for someone (or, without a participant, in a program)."""

    instrument: str
    active: bool
    at_intake: bool
    every_days: int | None
    source: str = BUILT_IN_SOURCE  # where it comes from: built-in, program, participant
    # False for the BAM while the program has not confirmed its reuse terms: then it is off.
    available: bool = True

    @property
    def on(self):
        return self.active and self.available and (self.at_intake or bool(self.every_days))

    @property
    def definition(self):
        return instruments.get(self.instrument)

    def latest_due_on(self, intake, today):
        """The last day on or before `today` this schedule makes the instrument due, or None."""
        if not self.on or today < intake:
            return None
        if not self.every_days:
            return intake  # at intake only
        steps = (today - intake).days // self.every_days
        if steps == 0 and not self.at_intake:
            return None
        return intake + dt.timedelta(days=steps * self.every_days)


# PHQ-9 and GAD-7 ask about the last two weeks; the BAM about the past 30 days.
BUILT_IN = {
    "phq9": Schedule("phq9", active=True, at_intake=True, every_days=14),
    "gad7": Schedule("gad7", active=True, at_intake=True, every_days=14),
    "bam": Schedule("bam", active=True, at_intake=True, every_days=28),
}


def _available(instrument, program):
    return program.bam_on if instrument == instruments.BAM.key else True


def _from_row(row, source, program):
    return Schedule(row.instrument, row.active, row.at_intake, row.every_days, source,
                    _available(row.instrument, program))


def resolve(instrument, program, program_row=None, own_row=None):
    """The schedule in force: the person's own row, else the program's, else the built-in one."""
    if own_row is not None:
        return _from_row(own_row, OWN_SOURCE, program)
    if program_row is not None:
        return _from_row(program_row, PROGRAM_SOURCE, program)
    return dataclasses.replace(BUILT_IN[instrument], available=_available(instrument, program))


def program_schedules(program):
    """{instrument: Schedule} of the program's defaults (its rows, else the built-in ones)."""
    rows = {row.instrument: row for row in MeasureSchedule.objects.filter(program=program, participant__isnull=True)}
    return {key: resolve(key, program, rows.get(key)) for key in instruments.KEYS}


def schedules_for(participant):
    """{instrument: Schedule}: the participant's effective schedule per instrument (one query)."""
    program_rows, own_rows = {}, {}
    for row in MeasureSchedule.objects.filter(Q(program_id=participant.program_id, participant__isnull=True)
                                              | Q(participant=participant)):
        (own_rows if row.participant_id else program_rows)[row.instrument] = row
    return {key: resolve(key, participant.program, program_rows.get(key), own_rows.get(key))
            for key in instruments.KEYS}


def window(due_on, zone, days):
    """(opens_at, closes_at) in UTC: local midnight of `due_on` to local midnight `days` later.

    Wall-clock midnights, not 24-hour steps, so a window across a daylight-saving change is 23 or
    25 hours longer or shorter, and still closes at midnight. (No zone changes the clock at
    midnight today; if one did, fold=0 takes the first midnight.)
    """
    opens = dt.datetime.combine(due_on, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    closes = dt.datetime.combine(due_on + dt.timedelta(days=days), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return opens, closes


# ---------------------------------------------------------------------------------------------
# Planning


def _sweep(now):
    """Open questionnaires whose window has closed are missed (one UPDATE, served by the partial
    index `questionnaire_open`), and reminders of questionnaires done or missed are withdrawn."""
    missed = Questionnaire.objects.filter(status=Questionnaire.Status.OPEN, closes_at__lte=now).update(
        status=Questionnaire.Status.MISSED)
    withdrawn = reminders.questionnaire_reminders_withdraw(now=now)
    return missed, withdrawn


@dataclasses.dataclass
class PlanResult:
    participants: int = 0
    planned: int = 0
    missed: int = 0
    reminded: int = 0
    withdrawn: int = 0


def plan_questionnaires(now=None, participants=None):
    """Make the questionnaires that are due now, mark the closed ones missed, and remind.

    For each participant whose account is open (all, or those in `participants`: rows, ids or a
    queryset) and each instrument their schedule has on: the latest time it is due (intake, or
    intake + k x every_days), if its window holds `now` and the person has no other open
    questionnaire of that instrument. Idempotent: the unique (participant, instrument, due_on)
    and ON CONFLICT DO NOTHING make a second run, or two at once, write nothing more.
    A fixed number of queries whatever the number of participants.
    """
    now = now or timezone.now()
    result = PlanResult()
    with transaction.atomic():
        result.missed, result.withdrawn = _sweep(now)
        people = Participant.objects.filter(closed_at__isnull=True, user__is_active=True)
        # People in aftercare (discharged, no open episode) are asked no more questionnaires.
        people = people.filter(~in_aftercare_q())
        if participants is not None:
            people = people.filter(pk__in=[getattr(p, "pk", p) for p in participants]
                                   if isinstance(participants, (list, tuple, set)) else participants)
        rows = list(people.values_list("pk", "program_id", "time_zone", "created_at"))
        result.participants = len(rows)
        if not rows:
            return result
        ids = [pk for pk, *_ in rows]
        programs = {p.pk: p for p in Program.objects.filter(pk__in={program_id for _, program_id, *_ in rows})
                    .only("pk", "questionnaire_window_days", "bam_terms_confirmed_at")}
        schedule_rows = MeasureSchedule.objects.filter(program_id__in=list(programs))
        if participants is not None:
            schedule_rows = schedule_rows.filter(Q(participant__isnull=True) | Q(participant_id__in=ids))
        program_rows, own_rows = {}, {}
        for row in schedule_rows:
            if row.participant_id is None:
                program_rows[(row.program_id, row.instrument)] = row
            else:
                own_rows[(row.participant_id, row.instrument)] = row
        # Served by the partial index questionnaire_open (closes_at, where open).
        open_now = set(Questionnaire.objects.filter(status=Questionnaire.Status.OPEN, closes_at__gt=now)
                       .filter(**({"participant_id__in": ids} if participants is not None else {}))
                       .values_list("participant_id", "instrument"))
        zones, new = {}, []
        for pk, program_id, zone_name, created_at in rows:
            program = programs[program_id]
            zone = zones.get(zone_name) or zones.setdefault(zone_name, zoneinfo.ZoneInfo(zone_name))
            intake, today = created_at.astimezone(zone).date(), now.astimezone(zone).date()
            for key in instruments.KEYS:
                if (pk, key) in open_now:
                    continue
                schedule = resolve(key, program, program_rows.get((program_id, key)), own_rows.get((pk, key)))
                due_on = schedule.latest_due_on(intake, today)
                if due_on is None:
                    continue
                opens_at, closes_at = window(due_on, zone, program.questionnaire_window_days)
                if opens_at <= now < closes_at:
                    new.append(Questionnaire(participant_id=pk, instrument=key, due_on=due_on, opens_at=opens_at,
                                             closes_at=closes_at, intake=due_on == intake and schedule.at_intake,
                                             created_at=now))
        if new:
            Questionnaire.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
            result.planned = len(new)
            # Their ids (ON CONFLICT DO NOTHING returns none): the open ones without a reminder yet.
            unreminded = Questionnaire.objects.filter(
                status=Questionnaire.Status.OPEN, closes_at__gt=now, created_at=now,
                participant_id__in={q.participant_id for q in new},
            ).exclude(Exists(Reminder.objects.filter(questionnaire=OuterRef("pk"))))
            result.reminded = reminders.questionnaire_reminders_sync(questionnaires=unreminded, now=now)
    if result.planned or result.missed:
        logger.info("questionnaires: %s", result)
    return result


# ---------------------------------------------------------------------------------------------
# Changing schedules: a program admin's defaults, a counselor's change for one person


def schedule_errors(instrument, *, active, at_intake, every_days, bam_on):
    """{field: message} for one instrument's schedule as asked for: an every_days outside 7-365,
    a schedule that is on but never due, the BAM on while its terms are not confirmed."""
    errors = {}
    if every_days is not None and not EVERY_DAYS_MIN <= every_days <= EVERY_DAYS_MAX:
        errors["every_days"] = _("Give a number of days from %(low)d to %(high)d, or leave it empty for intake "
                                 "only.") % {"low": EVERY_DAYS_MIN, "high": EVERY_DAYS_MAX}
    elif active and not at_intake and not every_days:
        errors["every_days"] = _("As set, it would never be due: give every how many days, keep “at intake”, or "
                                 "turn it off.")
    if active and instrument == instruments.BAM.key and not bam_on:
        errors["active"] = _("The BAM stays off until a program admin confirms its reuse terms for your program.")
    return errors


def _check(schedules, *, bam_on):
    """Raise ValidationError {"<instrument>.<field>": [message]} for the schedules asked for."""
    errors = {}
    for key, values in schedules.items():
        if key not in instruments.CURRENT:
            errors[f"{key}.instrument"] = [_("No questionnaire is called %(key)s.") % {"key": key}]
        elif values is not None:
            for field, message in schedule_errors(key, bam_on=bam_on, **values).items():
                errors[f"{key}.{field}"] = [message]
    if errors:
        raise ValidationError(errors)


def _write_row(row, values, counselor, now):
    row.active, row.at_intake, row.every_days = values["active"], values["at_intake"], values["every_days"]
    row.updated_by, row.updated_at = counselor, now
    row.save()


def program_schedules_update(*, request, program: Program, counselor: Counselor, schedules: dict,
                             window_days: int, bam_confirmed: bool, now=None) -> Program:
    """A program admin sets the program's defaults: `schedules` {instrument: {active, at_intake,
    every_days}} (each instrument named is stored as the program's row), the window in days, and
    whether the BAM's reuse terms are confirmed (confirming stamps who and when; unconfirming
    clears it, and the BAM stops being planned). One transaction with its audit row, then
    everyone in the program is planned again. Raises ValidationError with field errors."""
    now = now or timezone.now()
    _check(schedules, bam_on=bam_confirmed)
    if not isinstance(window_days, int) or not 1 <= window_days <= 14:
        raise ValidationError({"window_days": [_("Give a number of days from 1 to 14.")]})
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        fields = ["questionnaire_window_days"]
        program.questionnaire_window_days = window_days
        if bam_confirmed and not program.bam_on:
            program.bam_terms_confirmed_at, program.bam_terms_confirmed_by = now, counselor.user
            fields += ["bam_terms_confirmed_at", "bam_terms_confirmed_by"]
        elif not bam_confirmed and program.bam_on:
            program.bam_terms_confirmed_at, program.bam_terms_confirmed_by = None, None
            fields += ["bam_terms_confirmed_at", "bam_terms_confirmed_by"]
        program.save(update_fields=fields)
        existing = {row.instrument: row for row in
                    MeasureSchedule.objects.select_for_update().filter(program=program, participant__isnull=True)}
        for key, values in schedules.items():
            _write_row(existing.get(key) or MeasureSchedule(program=program, instrument=key), values, counselor, now)
        audit.record(request, action=AuditEvent.Action.WRITE, resource="questionnaire-schedules", object_id=program.pk)
        plan_questionnaires(now=now, participants=Participant.objects.filter(program=program))
    return program


def participant_schedules_update(*, request, participant: Participant, counselor: Counselor, schedules: dict,
                                 now=None) -> dict:
    """A counselor on the person's care team changes their schedule: `schedules` {instrument:
    {active, at_intake, every_days}, or None to use the program's default (their own row goes)}.
    One transaction with its audit row, then the person is planned again at once. Returns their
    effective schedules. Raises ValidationError with field errors."""
    now = now or timezone.now()
    _check(schedules, bam_on=participant.program.bam_on)
    with transaction.atomic():
        existing = {row.instrument: row for row in
                    MeasureSchedule.objects.select_for_update().filter(participant=participant)}
        for key, values in schedules.items():
            row = existing.get(key)
            if values is None:
                if row is not None:
                    row.delete()
                continue
            _write_row(row or MeasureSchedule(program_id=participant.program_id, participant=participant,
                                              instrument=key), values, counselor, now)
        audit.record(request, action=AuditEvent.Action.WRITE, resource="questionnaire-schedule",
                     participant=participant)
        plan_questionnaires(now=now, participants=[participant])
    return schedules_for(participant)


def open_questionnaires(participant, now=None):
    """The person's questionnaires open now, soonest to close first."""
    now = now or timezone.now()
    return list(Questionnaire.objects.filter(participant=participant, status=Questionnaire.Status.OPEN,
                                             closes_at__gt=now).order_by("closes_at"))
