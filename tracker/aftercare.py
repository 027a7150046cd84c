"""Aftercare (issue 18, item 3): the plan made with the person at discharge, what stops and what
goes on after it, the check-ups they may have agreed to, and the flags their answers raise.

- `plan_save`: the aftercare plan of an episode (made at discharge, editable after), audited.
- `after_discharge`: run once the discharge has committed (tracker.episodes.discharge). Session
  reminders end with the memberships; reminders of open questionnaires are withdrawn and no new
  questionnaire is planned (tracker.measures skips people in aftercare). The reminders the
  person set for themselves (check-in, high-risk times, tasks, medications) stay as they are.
- `plan_checkups` (hourly from Celery beat): each check-up made once, on its due day (every
  `Program.checkup_every_days` from the discharge, up to `checkups_until`, while the plan's
  check-ups are on), with one once-reminder in neutral words; check-ups closed unanswered are
  missed, and their reminders withdrawn.
- `answer_put`: the person's answers (PUT by client-made id like every entry). `risky` comes from
  the program's rule (`Program.checkup_risk`); no BAM score is computed from a subset.
- A risky answer or "yes, I'd like to talk" flags the person on the Aftercare page of the
  counselor of record, or, once that counselor has left (account inactive or gone), of the
  program's admins, until acknowledged (a FlagAcknowledgement, flag "aftercare").
"""

import dataclasses
import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, audit, dates, instruments, measures, reminders, responses
from .models import (
    AftercarePlan,
    AuditEvent,
    Checkup,
    CheckupAnswer,
    Episode,
    FlagAcknowledgement,
    Participant,
    Questionnaire,
    Reminder,
    in_aftercare_q,
)

logger = logging.getLogger(__name__)

FLAG = "aftercare"
# A check-up stays open this many days (or until the next one, if they come more often).
WINDOW_DAYS = 7
PLAN_FIELDS = ("next_provider", "first_appointment_at", "first_appointment_place", "prescriber", "meetings",
               "people", "follow_up", "checkups", "checkups_until")
# Check-up settings a program admin may set (validated here and by the model's validators).
EVERY_DAYS_MIN, EVERY_DAYS_MAX = 7, 92
MONTHS_MIN, MONTHS_MAX = 1, 24


def _withdraw(rows):
    """Withdraw reminders still to fire: disabled, never deleted, so what was sent stays listed."""
    return rows.filter(enabled=True).update(enabled=False, next_due_at=None, snoozed_until=None) + \
        rows.filter(enabled=False, next_due_at__isnull=False).update(next_due_at=None, snoozed_until=None)


# ---------------------------------------------------------------------------------------------
# The plan


def latest_episode(participant):
    """Their latest episode, with its counselor."""
    return _latest_episodes([participant.pk]).get(participant.pk)


def plan_for(episode):
    """The episode's plan, or an unsaved one with the defaults (check-ups until discharge + the
    program's months)."""
    plan = AftercarePlan.objects.filter(episode=episode).first()
    if plan is None:
        plan = AftercarePlan(episode=episode)
        start = episode.discharged_on or episode.participant.local_today()
        plan.checkups_until = dates.add_months(start, episode.program.checkup_months)
    return plan


def plan_save(*, request, episode: Episode, data: dict, actor) -> AftercarePlan:
    """Write the episode's aftercare plan (all of PLAN_FIELDS in `data`) with its audit row, in one
    transaction. Raises ValidationError by field. Turning check-ups off withdraws what is pending."""
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(", ".join(sorted(unknown)))
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        plan = plan_for(locked)
        for name in PLAN_FIELDS:
            if name in data:
                value = data[name]
                setattr(plan, name, value.strip() if isinstance(value, str) else value)
        if plan.checkups and plan.checkups_until is None:
            raise ValidationError({"checkups_until": _("Give the last day of the check-ups.")})
        start = locked.discharged_on or locked.admitted_on
        if plan.checkups_until is not None and plan.checkups_until <= start:
            raise ValidationError({"checkups_until": _("The check-ups end after the discharge (%(day)s).")
                                   % {"day": start.isoformat()}})
        if plan.checkups_until is not None and plan.checkups_until > dates.add_months(start, MONTHS_MAX):
            raise ValidationError({"checkups_until": _("Check-ups run for two years at most. Check the date.")})
        plan.full_clean(exclude=["episode"])
        plan.updated_by, plan.updated_at = actor, timezone.now()
        plan.save()
        if not plan.checkups_on:
            _withdraw(Reminder.objects.filter(kind=Reminder.Kind.CHECKUP, checkup__episode=locked))
        audit.record(request, action=AuditEvent.Action.WRITE, resource="aftercare-plan",
                     participant=locked.participant, object_id=locked.pk)
    return plan


def current_plan(participant):
    """The plan of the person's latest episode while they are in aftercare, else None."""
    episode = latest_episode(participant)
    if episode is None or episode.discharged_on is None:
        return None
    return AftercarePlan.objects.filter(episode=episode).select_related("episode").first()


def checkups_stop(*, participant: Participant, now=None) -> AftercarePlan | None:
    """The person stops their check-ups (Settings): no more are made, and the reminders of those
    still to fire are withdrawn. Their own reminders stay. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        plan = current_plan(participant)
        if plan is None:
            return None
        plan = AftercarePlan.objects.select_for_update().get(pk=plan.pk)
        if plan.checkups_stopped_at is None:
            plan.checkups_stopped_at = now
            plan.save(update_fields=["checkups_stopped_at"])
        _withdraw(Reminder.objects.filter(kind=Reminder.Kind.CHECKUP, participant=participant))
    return plan


def readmitted(participant):
    """A new episode ends the aftercare of the one before (in admit's transaction): its open
    check-ups are missed, and their reminders withdrawn, so Today and the phone stop asking."""
    Checkup.objects.filter(participant=participant, status=Checkup.Status.OPEN).update(status=Checkup.Status.MISSED)
    _withdraw(Reminder.objects.filter(participant=participant, kind=Reminder.Kind.CHECKUP))


# ---------------------------------------------------------------------------------------------
# After the discharge


def after_discharge(episode_id):
    """What the discharge changes for the person's phone, once it has committed (called on commit
    by tracker.episodes.discharge): session reminders follow the ended memberships, and the
    reminders of open questionnaires are withdrawn. Each open questionnaire without a reminder of
    its own (one shared another's) gets a withdrawn one, so no later sync gives it a new one.
    Check-in, high-risk, task and medication reminders stay as the person set them."""
    episode = Episode.objects.select_related("participant__user").filter(pk=episode_id).first()
    if episode is None or episode.discharged_on is None:
        return
    participant, now = episode.participant, timezone.now()
    with transaction.atomic():
        reminders.session_reminders_sync(participant=participant, now=now)
        _withdraw(Reminder.objects.filter(participant=participant, kind=Reminder.Kind.QUESTIONNAIRE))
        unreminded = (Questionnaire.objects.filter(participant=participant, status=Questionnaire.Status.OPEN)
                      .exclude(Exists(Reminder.objects.filter(questionnaire=OuterRef("pk")))))
        at = participant.checkin_reminder_at or reminders.QUESTIONNAIRE_AT
        Reminder.objects.bulk_create([
            Reminder(participant=participant, kind=Reminder.Kind.QUESTIONNAIRE, questionnaire=questionnaire,
                     on_date=questionnaire.due_on, local_time=at, weekdays=[], enabled=False, next_due_at=None)
            for questionnaire in unreminded])


# ---------------------------------------------------------------------------------------------
# Check-ups


@dataclasses.dataclass
class PlanResult:
    planned: int = 0
    reminded: int = 0
    missed: int = 0
    withdrawn: int = 0


def due_on_for(plan, today):
    """The last due day on or before `today` of this plan's check-ups, or None (none yet, or past
    the agreed end)."""
    start = plan.episode.discharged_on
    every = plan.episode.program.checkup_every_days
    if start is None or not every or plan.checkups_until is None or today <= start:
        return None
    due_on = start + dt.timedelta(days=(today - start).days // every * every)
    if due_on == start or due_on > plan.checkups_until:
        return None
    return due_on


def checkup_items(program):
    """The BAM items a check-up asks: the program's choice, only while it confirmed the BAM's terms."""
    return list(program.checkup_items or []) if program.bam_on else []


def _remind(checkups, now):
    """One once-reminder per check-up that has none, at the person's check-in time on its due day
    (as a questionnaire's). The check-ups are locked first, so two planners make one reminder."""
    ids = list(checkups.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    rows = (Checkup.objects.filter(pk__in=ids).exclude(Exists(Reminder.objects.filter(checkup=OuterRef("pk"))))
            .select_related("participant__user"))
    made = []
    for checkup in rows:
        person = checkup.participant
        due = reminders.questionnaire_reminder_due(checkup.due_on, checkup.closes_at, person, now)
        if due is None:
            continue
        local = due.astimezone(person.zone)
        made.append(Reminder(participant=person, kind=Reminder.Kind.CHECKUP, checkup=checkup, on_date=local.date(),
                             local_time=local.time(), weekdays=[], next_due_at=due,
                             enabled=person.closed_at is None and person.user.is_active))
    Reminder.objects.bulk_create(made)
    return len(made)


def plan_checkups(now=None):
    """Make the check-ups due now, once each, with their reminders; mark the closed ones missed.

    Only the check-up whose window holds `now` is made (never a backlog after a long gap); the
    unique (episode, due_on) and ON CONFLICT DO NOTHING make a second run write nothing more.
    A plan makes check-ups while they are on (agreed, not stopped), its episode is the person's
    latest (a re-admission ends it) and their account is open."""
    now = now or timezone.now()
    result = PlanResult()
    with transaction.atomic():
        result.missed = Checkup.objects.filter(status=Checkup.Status.OPEN, closes_at__lte=now).update(
            status=Checkup.Status.MISSED)
        result.withdrawn = _withdraw(Reminder.objects.filter(kind=Reminder.Kind.CHECKUP, next_due_at__isnull=False)
                                     .exclude(checkup__status=Checkup.Status.OPEN))
        later = Episode.objects.filter(participant_id=OuterRef("episode__participant_id"),
                                       admitted_on__gte=OuterRef("episode__discharged_on")).exclude(
            pk=OuterRef("episode_id"))
        plans = (AftercarePlan.objects.filter(checkups=True, checkups_stopped_at__isnull=True,
                                              checkups_until__isnull=False, episode__discharged_on__isnull=False,
                                              episode__participant__closed_at__isnull=True,
                                              episode__participant__user__is_active=True)
                 .exclude(Exists(later)).select_related("episode__participant", "episode__program"))
        new = []
        for plan in plans:
            person, program = plan.episode.participant, plan.episode.program
            due_on = due_on_for(plan, person.local_today(now))
            if due_on is None:
                continue
            opens_at, closes_at = measures.window(due_on, person.zone, min(WINDOW_DAYS, program.checkup_every_days))
            if opens_at <= now < closes_at:
                new.append(Checkup(participant=person, episode=plan.episode, due_on=due_on, opens_at=opens_at,
                                   closes_at=closes_at, items=checkup_items(program), created_at=now))
        if new:
            Checkup.objects.bulk_create(new, ignore_conflicts=True)
        result.planned = len(new)
        result.reminded = _remind(Checkup.objects.filter(checkups_on_q(), status=Checkup.Status.OPEN,
                                                         closes_at__gt=now), now)
    if result.planned or result.missed:
        logger.info("check-ups: %s", result)
    return result


def checkups_on_q():
    """Check-ups whose plan still has them on."""
    return Q(episode__aftercare_plan__checkups=True, episode__aftercare_plan__checkups_stopped_at__isnull=True)


def open_checkups(participant, now=None):
    """The person's check-ups open now (while their plan has check-ups on), soonest to close first."""
    now = now or timezone.now()
    return list(Checkup.objects.filter(checkups_on_q(), participant=participant, status=Checkup.Status.OPEN,
                                       opens_at__lte=now, closes_at__gt=now).order_by("closes_at"))


def own_checkup(participant, checkup_id):
    """One of the person's own check-ups, or None (someone else's and none at all look the same)."""
    return Checkup.objects.filter(pk=checkup_id, participant=participant).select_related("episode__program").first()


def answer_id_for(checkup):
    """The id a check-up's answers are written under before they exist: the same on every device,
    and not guessable, so nobody else can take it first (responses.unguessable_id)."""
    return responses.unguessable_id("tracker.aftercare.answer", f"checkup-{checkup.pk}")


def items_for(checkup):
    """The BAM items a check-up asks, in its order: (item, its texts and options)."""
    by_key = {item.key: item for item in instruments.BAM.items}
    return [by_key[key] for key in checkup.items if key in by_key]


def is_risky(answers, rule):
    """The program's rule ({item: {"at_least": n} or {"at_most": n}}) against the answers."""
    for key, limits in (rule or {}).items():
        value = answers.get(key)
        if not isinstance(value, int):
            continue
        if "at_least" in limits and value >= limits["at_least"]:
            return True
        if "at_most" in limits and value <= limits["at_most"]:
            return True
    return False


class AnswerErrors(ValidationError):
    """Answers the check-up cannot take, by item: {"answers": {item: [message]}}."""

    def __init__(self, by_item):
        super().__init__({"answers": [_("Please check the questions marked.")]})
        self.by_item = by_item


def _check_answers(checkup, answers):
    errors = {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers as an object of item: value.")]})
    items = {item.key: item for item in items_for(checkup)}
    for key in answers:
        if key not in items:
            errors[key] = _("This check-up does not ask question %(key)s.") % {"key": key}
    for key, item in items.items():
        value = answers.get(key)
        if value is None:
            errors[key] = _("Please answer this question.")
        elif isinstance(value, bool) or not isinstance(value, int) or value not in item.values:
            errors[key] = _("Pick one of the answers shown.")
    if errors:
        raise AnswerErrors(errors)


def answer_checked(*, participant, id, data, now=None):
    """The data of a write of check-up answers, checked (tracker.services.checkup_answer_put writes
    it): the check-up is the person's own (locked, so one answer per check-up whatever the race),
    open (a late answer is refused; a change to one's own answer is taken), every question it asks
    answered with one of its options, and nothing else. Raises ValidationError by field (answers by
    item: AnswerErrors)."""
    now = now or timezone.now()
    checkup = data.get("checkup")
    checkup_id = getattr(checkup, "pk", checkup)
    checkup = (Checkup.objects.select_for_update().filter(pk=checkup_id, participant=participant)
               .select_related("episode__program").first()) if checkup_id is not None else None
    if checkup is None:
        raise ValidationError({"checkup": [_("This is not one of your check-ups.")]})
    mine = CheckupAnswer.objects.filter(pk=id, participant=participant, checkup=checkup).exists()
    if not mine and (checkup.status == Checkup.Status.MISSED or checkup.closes_at <= now):
        raise ValidationError({"checkup": [_("This check-up has closed. Thank you all the same.")]})
    answers = data.get("answers") or {}
    _check_answers(checkup, answers)
    wants_talk = data.get("wants_talk", False)
    if not isinstance(wants_talk, bool):
        raise ValidationError({"wants_talk": [_("Answer yes or no.")]})
    return {"checkup": checkup, "answers": answers, "wants_talk": wants_talk}


def answer_saved(entry):
    """After a write of check-up answers, in its transaction: `risky` from the program's rule (no
    BAM score is computed from a subset), the check-up done, its reminder withdrawn."""
    checkup = entry.checkup
    risky = is_risky(entry.answers, checkup.episode.program.checkup_risk)
    if entry.risky != risky:
        CheckupAnswer.objects.filter(pk=entry.pk).update(risky=risky)
        entry.risky = risky
    if checkup.status != Checkup.Status.DONE:
        checkup.status = Checkup.Status.DONE
        checkup.save(update_fields=["status"])
    _withdraw(Reminder.objects.filter(checkup=checkup))


# ---------------------------------------------------------------------------------------------
# Flags and who sees them


def counselor_left(counselor):
    return counselor is None or not counselor.user.is_active


def evidence_for(answer):
    """What an acknowledgement holds for: the answers and why they are flagged, so an answer
    changed from risky to "I'd like to talk" (or back) raises the flag again."""
    return f"checkup:{answer.pk}:{'talk' if answer.wants_talk else 'risky'}"


def _candidates(counselor):
    """People in aftercare in the counselor's program who may be theirs to see (narrowed by
    `_sees` on their latest episode)."""
    rule = Q(care_team=counselor) | Q(pk__in=Episode.objects.filter(counselor=counselor).values("participant_id"))
    if counselor.is_program_admin:
        rule |= Q(pk__in=Episode.objects.filter(program_id=counselor.program_id).filter(
            Q(counselor__isnull=True) | Q(counselor__user__is_active=False)).values("participant_id"))
    return Participant.objects.filter(in_aftercare_q(), rule, program_id=counselor.program_id).distinct()


def _sees(counselor, participant, episode, on_team):
    """The former care team (the care team, the counselor of record) sees a person in aftercare;
    a program admin also sees one whose counselor of record has left."""
    return on_team or episode.counselor_id == counselor.pk or (
        counselor.is_program_admin and counselor_left(episode.counselor))


def may_see(counselor, participant):
    """May this counselor see this person's aftercare (read only, audited)?"""
    if counselor is None or not _candidates(counselor).filter(pk=participant.pk).exists():
        return False
    episode = latest_episode(participant)
    return _sees(counselor, participant, episode, participant.care_team.filter(pk=counselor.pk).exists())


def aftercare_participant(request, participant_id, *, resource):
    """A person in aftercare the signed-in counselor may see (see may_see); anyone else, and any id
    that names nobody, get the same 404 and a denied audit row."""
    counselor = access.counselor_for_user(request.user)
    participant = Participant.objects.filter(pk=participant_id).select_related("user", "program").first() \
        if counselor is not None else None
    if participant is None or not may_see(counselor, participant):
        audit.deny(request, resource=resource, participant_id=participant_id)
        raise Http404("No such participant.")
    request.counselor = counselor
    return participant


def _latest_episodes(participant_ids, *related):
    """{participant id: their latest episode, with its counselor (and `related`)}."""
    episodes = {}
    for episode in Episode.objects.filter(participant_id__in=participant_ids).select_related("counselor__user", *related) \
            .order_by("participant_id", "-admitted_on", "-id"):
        episodes.setdefault(episode.participant_id, episode)
    return episodes


def _whose_flags(counselor, episode):
    """(whether the counselor of record has left, whether a flag of the episode's person goes to
    this counselor): to the counselor of record, or to the program admins once they have left."""
    orphaned = counselor_left(episode.counselor)
    return orphaned, (episode.counselor_id == counselor.pk and not orphaned) or (orphaned and counselor.is_program_admin)


@dataclasses.dataclass
class Row:
    participant: Participant
    episode: Episode
    plan: AftercarePlan | None
    latest: Checkup | None
    latest_answer: CheckupAnswer | None
    flags: list  # the flagged answers not acknowledged yet, newest first
    for_me: bool  # the flags go to this counselor
    orphaned: bool  # the counselor of record has left
    on_team: bool  # on their care team: the plan's page opens (an admin seeing an orphaned person reads the list only)


def rows_for(counselor):
    """The Aftercare page: each person in aftercare this counselor may see, with their latest
    check-up and open flags; people with flags for this counselor first, then other flags, then
    the most recent check-up first."""
    people = list(_candidates(counselor).select_related("user"))
    ids = [p.pk for p in people]
    on_team = set(counselor.caseload.filter(pk__in=ids).values_list("pk", flat=True))
    episodes = _latest_episodes(ids, "program")
    plans = {p.episode_id: p for p in AftercarePlan.objects.filter(episode__in=list(episodes.values()))}
    latest = {}
    for checkup in Checkup.objects.filter(participant_id__in=ids).order_by("participant_id", "-due_on"):
        latest.setdefault(checkup.participant_id, checkup)
    answers = {a.checkup_id: a for a in CheckupAnswer.objects.filter(checkup__in=list(latest.values()))}
    acked = set(FlagAcknowledgement.objects.filter(participant_id__in=ids, flag=FLAG)
                .values_list("participant_id", "evidence"))
    flagged = {}
    for answer in CheckupAnswer.objects.filter(Q(risky=True) | Q(wants_talk=True), participant_id__in=ids) \
            .select_related("checkup").order_by("-created_at"):
        if (answer.participant_id, evidence_for(answer)) not in acked:
            flagged.setdefault(answer.participant_id, []).append(answer)
    rows = []
    for person in people:
        episode = episodes.get(person.pk)
        if episode is None or not _sees(counselor, person, episode, person.pk in on_team):
            continue
        orphaned, for_me = _whose_flags(counselor, episode)
        check = latest.get(person.pk)
        rows.append(Row(person, episode, plans.get(episode.pk), check, answers.get(check.pk) if check else None,
                        flagged.get(person.pk, []), for_me, orphaned, person.pk in on_team))
    rows.sort(key=lambda row: (not (row.flags and row.for_me), not row.flags,
                               -(row.latest.due_on.toordinal() if row.latest else 0), str(row.participant)))
    return rows


def flag_acknowledge(*, request, participant, counselor, evidence, note=""):
    """Acknowledge one flagged check-up answer of a person in aftercare, with its audit row."""
    limit = FlagAcknowledgement._meta.get_field("note").max_length
    if len(note) > limit:
        raise ValidationError({"note": [_("The note is %(count)d characters; the most is %(limit)d. Nothing was "
                                          "acknowledged: shorten the note and try again.")
                                        % {"count": len(note), "limit": limit}]})
    flagged = {evidence_for(a) for a in CheckupAnswer.objects.filter(Q(risky=True) | Q(wants_talk=True),
                                                                     participant=participant)}
    if evidence not in flagged:
        raise ValidationError({"evidence": [_("There is no such flag for this person.")]})
    with transaction.atomic():
        ack, _created = FlagAcknowledgement.objects.get_or_create(
            participant=participant, flag=FLAG, evidence=evidence, defaults={"note": note, "counselor": counselor})
        audit.record(request, action=AuditEvent.Action.WRITE, resource="aftercare-acknowledgement",
                     participant=participant, object_id=evidence)
    return ack


def open_flag_count(counselor):
    """How many people in aftercare have a flag for this counselor (the caseload's link says it):
    the Aftercare page's rows with flags for them (rows_for), read only for the people with an open
    flag (their latest episode). Most days nobody has one: one or two queries say so."""
    # The people seen (_candidates) compose one costly query: it is sent once, and the
    # acknowledgements are read by the ids it found.
    answers = list(CheckupAnswer.objects.filter(Q(risky=True) | Q(wants_talk=True),
                                                participant_id__in=_candidates(counselor).values("pk"))
                   .only("pk", "participant_id", "wants_talk"))
    if not answers:
        return 0
    acked = set(FlagAcknowledgement.objects.filter(participant_id__in={a.participant_id for a in answers}, flag=FLAG)
                .values_list("participant_id", "evidence"))
    flagged = {answer.participant_id for answer in answers if (answer.participant_id, evidence_for(answer)) not in acked}
    if not flagged:
        return 0
    episodes = _latest_episodes(flagged)
    # A flag for this counselor is one they see (_sees): no need to ask who is on the care team.
    return sum(1 for episode in episodes.values() if _whose_flags(counselor, episode)[1])


# ---------------------------------------------------------------------------------------------
# The program's check-up settings


def settings_update(*, request, program, checkup_items, checkup_risk, checkup_every_days, checkup_months):
    """A program admin's check-up settings, validated by field, with the audit row, in one
    transaction. Risk rules for items no longer asked are dropped."""
    errors = {}
    if not isinstance(checkup_every_days, int) or not EVERY_DAYS_MIN <= checkup_every_days <= EVERY_DAYS_MAX:
        errors["checkup_every_days"] = [_("Give a number of days from %(low)d to %(high)d.")
                                        % {"low": EVERY_DAYS_MIN, "high": EVERY_DAYS_MAX}]
    if not isinstance(checkup_months, int) or not MONTHS_MIN <= checkup_months <= MONTHS_MAX:
        errors["checkup_months"] = [_("Give a number of months from %(low)d to %(high)d.")
                                    % {"low": MONTHS_MIN, "high": MONTHS_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        program.checkup_items = list(checkup_items)
        program.checkup_risk = {key: rule for key, rule in checkup_risk.items() if key in checkup_items}
        program.checkup_every_days, program.checkup_months = checkup_every_days, checkup_months
        program.full_clean()
        program.save(update_fields=["checkup_items", "checkup_risk", "checkup_every_days", "checkup_months"])
        audit.record(request, action=AuditEvent.Action.WRITE, resource="checkup-settings", object_id=program.pk)
    return program
