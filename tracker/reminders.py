"""The reminders engine: schedules as rows, a tick that claims what is due, and the send.

- `reminders_sync` turns a participant's settings, high-risk times and tasks into Reminder rows,
  each with its next due instant in UTC.
- `reminders_tick` (Celery beat, once a minute) claims due rows, writes one Delivery per due
  instant (unique, so a replay writes nothing), advances `next_due_at`, and hands pending
  deliveries to workers in batches. If the broker is down, deliveries stay pending in the
  database and the next tick hands them over: nothing waits in the broker.
- `delivery_send` claims a pending delivery with a conditional update, so a delivery is sent at
  most once whatever the broker redelivers; then Web Push, then email as the fallback.

When a worker dies (killed, out of memory, its machine gone):
- Each worker process has a heartbeat row (WorkerHeartbeat, named host:pid). `deliveries_send`
  writes it when it takes a batch, marks the batch's pending deliveries with its name
  (`Delivery.worker`), and writes it again every HEARTBEAT_EVERY while the batch is sending.
- The tick hands a pending delivery out again once it was handed out WORKER_SILENT ago and
  either no worker took it (the message was lost or sits with a dead worker) or the worker that
  took it has been silent for WORKER_SILENT. So a crash delays a reminder by about a minute.
  Handing out twice is harmless: the claim above lets one send through and the other finds
  nothing to do. A delivery of a live worker is not handed out again before REENQUEUE_AFTER.
- A delivery a worker had claimed ("sending") when it died may or may not have reached the
  phone: after SENDING_STALE the tick records it as unknown, which is neither sent nor failed,
  and it is never repeated (a reminder twice is worse than one that may be lost).
"""

import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
import time
import zoneinfo
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from . import instruments, medication, push
from .models import (
    Checkup,
    Delivery,
    GroupMembership,
    GroupSession,
    HighRiskTime,
    Participant,
    PushSubscription,
    Questionnaire,
    Reminder,
    Task,
    WorkerHeartbeat,
    is_quiet,
    language_of,
    local_instant,
    next_due,
)

logger = logging.getLogger(__name__)

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]
SNOOZE = dt.timedelta(minutes=30)
TOKEN_SALT = "steady.reminder-action"
# A send that a killed worker left "sending" this long is recorded as unknown, never repeated.
SENDING_STALE = dt.timedelta(minutes=10)
# A worker writes its heartbeat this often while it sends a batch.
HEARTBEAT_EVERY = dt.timedelta(seconds=10)
# A delivery handed out this long ago that no live worker holds (none took it, or the one that
# did has been silent this long) is handed out again at the next tick.
WORKER_SILENT = dt.timedelta(seconds=45)
# A delivery handed to the broker but still pending after this long is handed over again,
# whoever holds it.
REENQUEUE_AFTER = dt.timedelta(minutes=5)
# Heartbeats of worker processes gone this long are removed.
HEARTBEAT_KEPT = dt.timedelta(days=1)
MAX_CATCH_UP_STEPS = 60

# What a lock screen shows: neutral words only, never a clinical one. Rendered by the worker in
# the recipient's language (delivery_send), whoever's action caused the reminder.
MESSAGES = {
    Reminder.Kind.CHECKIN: (gettext_lazy("Time for your check-in"), "/checkin/"),
    Reminder.Kind.HIGH_RISK: (gettext_lazy("A moment for yourself"), "/"),
    Reminder.Kind.WEEKEND_PLAN: (gettext_lazy("Time to plan your weekend"), "/weekend/"),
    Reminder.Kind.WEEKEND_REVIEW: (gettext_lazy("How did your weekend go?"), "/weekend/"),
    Reminder.Kind.TASK: (gettext_lazy("A small task for today"), "/tasks/"),
    Reminder.Kind.TEST: (gettext_lazy("This is a test notification"), "/reminders/"),
    # A group session: its start in the person's own zone, and not what the group is.
    Reminder.Kind.SESSION: (gettext_lazy("Coming up at %(time)s"), "/"),
    Reminder.Kind.SCHEDULE_CHANGE: (gettext_lazy("A change to your schedule"), "/"),
    # Never the instrument's name or what it asks about (issue 17); the page is the questionnaire's
    # own (/questionnaires/<id>/, see message_for).
    Reminder.Kind.QUESTIONNAIRE: (gettext_lazy("A 2-minute check on how you've been"), "/"),
    # A medication's time: never its name, nor the word, on a lock screen or in an email.
    Reminder.Kind.MEDICATION: (gettext_lazy("A reminder you set for this time"), "/checkin/"),
    # An aftercare check-up (tracker.aftercare): its own page, /checkups/<id>/ (see message_for).
    Reminder.Kind.CHECKUP: (gettext_lazy("A quick check-in from your program"), "/"),
}
SESSION_TOMORROW = gettext_lazy("Coming up tomorrow at %(time)s")

EMAIL_SUBJECT = gettext_lazy("A reminder from Steady")
# The email's text around the lock screen's words: %(message)s is one of MESSAGES.
EMAIL_BODY = gettext_lazy("%(message)s.\n\nOpen Steady: %(link)s\n")
# The buttons of a reminder's notification (the service worker shows them as sent).
ACTIONS = (("open", gettext_lazy("Log now")), ("snooze", gettext_lazy("Snooze 30 min")))


# ---------------------------------------------------------------------------------------------
# Scheduling


def _high_risk_schedule(window, lead_min):
    """(local time, weekdays) of the reminder `lead_min` minutes before a high-risk window."""
    start = dt.datetime.combine(dt.date(2000, 1, 3), window.start_time)  # a Monday
    at = start - dt.timedelta(minutes=lead_min)
    shift = (at.date() - start.date()).days  # -1 when the lead crosses back over midnight
    return at.time(), sorted((day + shift) % 7 for day in window.weekdays)


def _desired_reminders(participant):
    """{key: fields} for every reminder the person's settings, high-risk times and tasks call for."""
    desired = {}
    if participant.checkin_reminder_at:
        desired[(Reminder.Kind.CHECKIN, None, None)] = {"local_time": participant.checkin_reminder_at,
                                                         "weekdays": ALL_DAYS, "on_date": None}
    if participant.weekend_plan_reminder_at:
        desired[(Reminder.Kind.WEEKEND_PLAN, None, None)] = {"local_time": participant.weekend_plan_reminder_at,
                                                              "weekdays": [4], "on_date": None}
    if participant.weekend_review_reminder_at:
        desired[(Reminder.Kind.WEEKEND_REVIEW, None, None)] = {"local_time": participant.weekend_review_reminder_at,
                                                                "weekdays": [0], "on_date": None}
    if participant.high_risk_lead_min is not None:
        for window in HighRiskTime.objects.filter(participant=participant):
            local_time, weekdays = _high_risk_schedule(window, participant.high_risk_lead_min)
            desired[(Reminder.Kind.HIGH_RISK, window.pk, None)] = {"local_time": local_time, "weekdays": weekdays,
                                                                    "on_date": None}
    if participant.task_reminder_at:
        for task in Task.objects.filter(participant=participant, done=False, due_date__isnull=False):
            desired[(Reminder.Kind.TASK, None, task.pk)] = {"local_time": participant.task_reminder_at, "weekdays": [],
                                                             "on_date": task.due_date}
    return desired


def reminders_sync(*, participant, now=None):
    """Make the participant's Reminder rows match what their settings call for, and plan each
    changed or new row from `now`. Unchanged rows keep their plan, so a sync never re-fires."""
    now = now or timezone.now()
    desired = _desired_reminders(participant)
    # A counselor may still write a closed account's tasks: its reminders stay off.
    open_account = participant.closed_at is None and participant.user.is_active
    with transaction.atomic():
        existing = {
            (r.kind, r.high_risk_time_id, r.task_id): r
            for r in Reminder.objects.select_for_update().filter(participant=participant)
            .exclude(kind__in=(Reminder.Kind.TEST, Reminder.Kind.MEDICATION, *SESSION_KINDS, Reminder.Kind.QUESTIONNAIRE,
                               Reminder.Kind.CHECKUP))
        }
        _make_match(participant, desired, existing, open_account, now,
                    new=lambda key: Reminder(participant=participant, kind=key[0], high_risk_time_id=key[1],
                                             task_id=key[2]))
        session_reminders_sync(participant=participant, now=now)
        questionnaire_reminders_sync(participant=participant, now=now)
        medication_reminders_sync(participant=participant, now=now)


def medication_reminders_sync(*, participant, now=None):
    """One reminder per active medication (with "remind me" on) and time, every day, in the
    person's zone; quiet hours and channels as for every reminder. A medication stopped, deleted,
    or without reminders loses its rows; a changed time is a new row planned from `now`; an
    unchanged one keeps its plan. reminders_sync calls this; so does every write of a medication."""
    now = now or timezone.now()
    desired = medication.desired_reminders(participant)
    open_account = _open(participant)
    with transaction.atomic():
        existing = {(r.medication_id, r.local_time): r for r in Reminder.objects.select_for_update()
                    .filter(participant=participant, kind=Reminder.Kind.MEDICATION)}
        _make_match(participant, desired, existing, open_account, now,
                    new=lambda key: Reminder(participant=participant, kind=Reminder.Kind.MEDICATION,
                                             medication_id=key[0]))


def _make_match(participant, desired, existing, open_account, now, *, new):
    """Make the rows `existing` ({key: Reminder}, locked) match `desired` ({key: fields}): a new
    key gets a row from `new(key)`, a changed row is planned again from `now`, an unchanged one
    keeps its plan (so a sync never re-fires), and a row no longer desired goes."""
    for key, fields in desired.items():
        reminder = existing.pop(key, None)
        if reminder is None:
            reminder = new(key)
        elif all(getattr(reminder, name) == value for name, value in fields.items()) and reminder.enabled == open_account:
            continue
        for name, value in fields.items():
            setattr(reminder, name, value)
        reminder.participant = participant
        reminder.enabled = open_account
        reminder.snoozed_until = None
        reminder.next_due_at = reminder.next_due(after=now)
        reminder.save()
    Reminder.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()


def reminders_replan(*, participant, now=None):
    """Plan every reminder of the person afresh from now, e.g. after a change of time zone.
    (Session reminders, notices and questionnaire reminders are instants planned by their own
    syncs: session_reminders_sync, questionnaire_reminders_sync.)"""
    now = now or timezone.now()
    with transaction.atomic():
        for reminder in (Reminder.objects.select_for_update().filter(participant=participant, enabled=True)
                         .exclude(kind__in=(*SESSION_KINDS, Reminder.Kind.QUESTIONNAIRE, Reminder.Kind.CHECKUP))):
            reminder.participant = participant
            reminder.snoozed_until = None
            reminder.next_due_at = reminder.next_due(after=now)
            reminder.save(update_fields=["next_due_at", "snoozed_until"])


# ---------------------------------------------------------------------------------------------
# Group sessions: one reminder per member and session, and a notice when a session changes

SESSION_KINDS = (Reminder.Kind.SESSION, Reminder.Kind.SCHEDULE_CHANGE)
SESSION_EVENING_AT = dt.time(19)
# A session reminder held back by quiet hours goes out when they end if that is still this long
# before the session; otherwise it is skipped.
QUIET_MARGIN = dt.timedelta(minutes=15)


def _quiet_ends_after(instant, quiet_end, zone):
    """The first end of quiet hours after `instant` (a local time, so DST-correct)."""
    day = instant.astimezone(zone).date()
    end = local_instant(day, quiet_end, zone)
    return end if end > instant else local_instant(day + dt.timedelta(days=1), quiet_end, zone)


def session_reminder_due(starts_at, setting, zone, quiet_start=None, quiet_end=None):
    """The UTC instant a session starting at `starts_at` is reminded, or None when `setting` is off.

    `setting` is Participant.session_reminder: minutes before the start ("30", "60", "120": an
    instant, so daylight-saving changes cannot shift it), or "evening": 19:00 on the day before
    the session's day, both in the person's own zone `zone`. A reminder in quiet hours moves to
    their end if that is at least QUIET_MARGIN before the start; if not, it stays where it is
    and the tick records it as skipped (quiet hours), as it does every reminder in quiet hours.
    """
    if setting == Participant.SessionReminder.OFF:
        return None
    if setting == Participant.SessionReminder.EVENING_BEFORE:
        day_before = starts_at.astimezone(zone).date() - dt.timedelta(days=1)
        due = local_instant(day_before, SESSION_EVENING_AT, zone)
    else:
        due = starts_at - dt.timedelta(minutes=int(setting))
    if is_quiet(quiet_start, quiet_end, zone, due):
        after_quiet = _quiet_ends_after(due, quiet_end, zone)
        if after_quiet <= starts_at - QUIET_MARGIN:
            return after_quiet
    return due


def _open(participant):
    return participant.closed_at is None and participant.user.is_active


def _session_day(session):
    """The session's local day in its program's zone (what memberships are dated by)."""
    return session.starts_at.astimezone(session.group.program.zone).date()


def _at(reminder, due, zone):
    """Set a once-reminder to fire at the instant `due`: its local date and time in `zone` (what
    the page shows) and the exact instant (a repeated autumn hour stays the one meant)."""
    local = due.astimezone(zone)
    reminder.on_date, reminder.local_time, reminder.weekdays = local.date(), local.time(), []


def session_reminders_sync(*, sessions=None, participant=None, now=None):
    """Make the session reminders of sessions that have not started match the schedule.

    Call it with `sessions` (GroupSession rows or a queryset) when sessions are planned, moved,
    cancelled or added, and with `participant` when their memberships change (join, leave) or
    their session setting, quiet hours, time zone or account does (reminders_sync calls it for
    the last ones). Both together: those sessions, for that person only.

    Each member of a scheduled session (a membership holding on the session's day in the
    program's zone) whose setting is not off has one once-reminder (`on_date` + `local_time` in
    their own zone, `next_due_at` the exact instant from session_reminder_due). A session that
    is cancelled, a member who left, a setting turned off, a closed account: the reminder is
    withdrawn (disabled, never deleted, so what was sent stays listed). An unchanged reminder
    keeps its plan, so syncing again never fires one twice; a changed one (a moved session, a new
    setting) is planned afresh. A session that has started is left as it is.

    A few queries whatever the number of sessions and members: the beat's planning calls it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = GroupSession.objects.filter(starts_at__gt=now)
        if sessions is not None:
            rows = rows.filter(pk__in=sessions if isinstance(sessions, QuerySet) else [s.pk for s in sessions])
        if participant is not None:
            rows = rows.filter(Q(group__memberships__participant=participant)
                               | Q(reminders__participant=participant, reminders__kind=Reminder.Kind.SESSION))
        # Locking the sessions makes two syncs of the same session (two ticks planning at once)
        # take turns, so the second sees the first's reminders and makes none twice.
        locked = rows.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True)
        session_list = list(GroupSession.objects.filter(pk__in=list(locked)).select_related("group__program"))
        memberships = GroupMembership.objects.filter(group_id__in={s.group_id for s in session_list})
        existing = Reminder.objects.filter(kind=Reminder.Kind.SESSION, group_session__in=session_list)
        if participant is not None:
            memberships = memberships.filter(participant=participant)
            existing = existing.filter(participant=participant)
        by_group = {}
        for membership in memberships.select_related("participant__user"):
            if participant is not None:
                membership.participant = participant
            by_group.setdefault(membership.group_id, []).append(membership)
        existing = {(r.group_session_id, r.participant_id): r for r in existing}
        created, changed = [], []
        for session in session_list:
            day = _session_day(session)
            members = {m.participant_id: m.participant for m in by_group.get(session.group_id, ())
                       if session.status == GroupSession.Status.SCHEDULED and m.holds_on(day)}
            for member in members.values():
                due = session_reminder_due(session.starts_at, member.session_reminder, member.zone,
                                           member.quiet_start, member.quiet_end)
                if due is None:
                    continue  # its reminder, if any, is withdrawn below
                reminder = existing.pop((session.pk, member.pk), None) or Reminder(
                    participant=member, kind=Reminder.Kind.SESSION, group_session=session)
                before = (reminder.on_date, reminder.local_time, reminder.enabled)
                _at(reminder, due, member.zone)
                if reminder.pk and before == (reminder.on_date, reminder.local_time, _open(member)):
                    continue  # unchanged: keeps its plan (fired or not)
                (changed if reminder.pk else created).append(reminder)
                reminder.enabled = _open(member)
                reminder.snoozed_until = None
                reminder.next_due_at = due if due > now else None
        for reminder in existing.values():  # not wanted any more: withdrawn
            if reminder.enabled or reminder.next_due_at is not None:
                reminder.enabled, reminder.next_due_at, reminder.snoozed_until = False, None, None
                changed.append(reminder)
        Reminder.objects.bulk_create(created, batch_size=1000)
        Reminder.objects.bulk_update(changed, ["on_date", "local_time", "weekdays", "enabled", "next_due_at",
                                               "snoozed_until"], batch_size=1000)


def _schedule_change_notice(session, now):
    """One neutral notice ("A change to your schedule"), due now, to each member of the session on
    its day whose account is open, whatever their session setting (a session they would travel
    to has changed). In their quiet hours it waits for their end. Another change of the same
    session sends one more; none for a session that has ended."""
    if session.ends_at <= now:
        return
    day = _session_day(session)
    members = {m.participant_id: m.participant for m in
               GroupMembership.objects.filter(group_id=session.group_id).select_related("participant__user")
               if m.holds_on(day) and _open(m.participant)}
    existing = {r.participant_id: r for r in
                Reminder.objects.filter(kind=Reminder.Kind.SCHEDULE_CHANGE, group_session=session)}
    created, changed = [], []
    for member in members.values():
        due = now
        if member.is_quiet(now):
            due = _quiet_ends_after(now, member.quiet_end, member.zone)
        reminder = existing.get(member.pk)
        if reminder is None:
            reminder = Reminder(participant=member, kind=Reminder.Kind.SCHEDULE_CHANGE, group_session=session)
            created.append(reminder)
        else:
            changed.append(reminder)
        _at(reminder, due, member.zone)
        reminder.enabled, reminder.next_due_at, reminder.snoozed_until = True, due, None
    Reminder.objects.bulk_create(created)
    Reminder.objects.bulk_update(changed, ["on_date", "local_time", "weekdays", "enabled", "next_due_at",
                                           "snoozed_until"])


def session_moved(session, now=None):
    """After a session's start or end was changed (saved): its members' reminders move with it,
    and each member gets one notice that the schedule changed."""
    now = now or timezone.now()
    with transaction.atomic():
        session_reminders_sync(sessions=[session], now=now)
        _schedule_change_notice(session, now)


def session_cancelled(session, now=None):
    """After a session was cancelled (saved): its reminders are withdrawn before they fire, and
    each member gets one notice that the schedule changed."""
    now = now or timezone.now()
    with transaction.atomic():
        session_reminders_sync(sessions=[session], now=now)
        _schedule_change_notice(session, now)


# ---------------------------------------------------------------------------------------------
# Questionnaires (issue 17): one reminder per due questionnaire (tracker.measures plans them)

QUESTIONNAIRE_AT = dt.time(10)  # when the person's daily check-in reminder is off


def questionnaire_url(questionnaire_id):
    """The page a questionnaire's reminder opens (tracker.web's `questionnaire` route)."""
    try:
        return reverse("questionnaire", args=[questionnaire_id])
    except NoReverseMatch:  # the participant's questionnaire page is not routed in this build
        return f"/questionnaires/{questionnaire_id}/"


def questionnaire_reminder_due(due_on, closes_at, participant, now):
    """The UTC instant a questionnaire due on `due_on` (its first local day) is reminded, or None.

    Once, at the person's daily check-in reminder time (QUESTIONNAIRE_AT when that is off) on
    `due_on`, in their zone; in their quiet hours it moves to the end of them. A questionnaire
    planned after that moment (on enrolment in the evening, after a schedule change) is reminded
    at the same time on the next day of its window instead; None when no such moment is left
    before it closes.
    """
    at = participant.checkin_reminder_at or QUESTIONNAIRE_AT
    zone = participant.zone
    day = due_on
    while True:
        due = local_instant(day, at, zone)
        if is_quiet(participant.quiet_start, participant.quiet_end, zone, due):
            due = _quiet_ends_after(due, participant.quiet_end, zone)
        if due >= closes_at:
            return None
        if due > now:
            return due
        day += dt.timedelta(days=1)


def questionnaire_reminders_sync(*, questionnaires=None, participant=None, now=None):
    """Make the reminders of open questionnaires match what they call for.

    Call it with `questionnaires` (a queryset or rows) when they are planned, and with
    `participant` when their check-in time, quiet hours, time zone or account change
    (reminders_sync calls it). Questionnaires that open the same day (the intake ones) share the
    first one's reminder, and no two reminders fire the same day, so a phone, or an inbox, gets one
    "A 2-minute check" rather than three. A reminder still to fire is planned again when its
    moment changed; one that has fired is left as it is, so nobody is reminded twice. Reminders
    of questionnaires no longer open (done, missed) are withdrawn: disabled, never deleted, so what
    was sent stays listed. A few queries whatever the number of questionnaires.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = Questionnaire.objects.all()
        if questionnaires is not None:
            rows = rows.filter(pk__in=questionnaires if isinstance(questionnaires, QuerySet)
                               else [q.pk for q in questionnaires])
        if participant is not None:
            rows = rows.filter(participant=participant)
        order = {key: place for place, key in enumerate(instruments.KEYS)}
        rows = sorted(rows.filter(Q(status=Questionnaire.Status.OPEN, closes_at__gt=now)
                                  | Q(reminders__enabled=True, reminders__next_due_at__isnull=False))
                      .distinct().select_related("participant__user"),
                      key=lambda q: (q.participant_id, q.due_on, order.get(q.instrument, len(order)), q.pk))
        if not rows:
            return 0
        ids = {q.pk for q in rows}
        existing, taken = {}, set()
        # The person's questionnaire reminders from the earliest of these days: those that have
        # fired, or wait to fire for a questionnaire not planned here, hold the day they fire on
        # and the day their questionnaire opened (what opened with it was reminded with it).
        for reminder in (Reminder.objects.filter(kind=Reminder.Kind.QUESTIONNAIRE, enabled=True,
                                                 participant_id__in={q.participant_id for q in rows},
                                                 on_date__gte=min(q.due_on for q in rows))
                         .select_related("questionnaire")):
            if reminder.questionnaire_id in ids:
                existing[reminder.questionnaire_id] = reminder
            if reminder.questionnaire_id not in ids or reminder.next_due_at is None:
                taken |= {(reminder.participant_id, "on", reminder.on_date),
                          (reminder.participant_id, "due", reminder.questionnaire.due_on)}
        existing.update({r.questionnaire_id: r for r in Reminder.objects.filter(
            kind=Reminder.Kind.QUESTIONNAIRE, questionnaire__in=ids - set(existing))})
        created, changed = [], []
        for questionnaire in rows:
            person = participant or questionnaire.participant
            reminder = existing.get(questionnaire.pk)
            if reminder is not None and reminder.next_due_at is None:
                continue  # fired, or withdrawn: never again
            due = None
            if questionnaire.status == Questionnaire.Status.OPEN and questionnaire.closes_at > now:
                due = questionnaire_reminder_due(questionnaire.due_on, questionnaire.closes_at, person, now)
            day = due.astimezone(person.zone).date() if due is not None else None
            if (person.pk, "on", day) in taken or (person.pk, "due", questionnaire.due_on) in taken:
                due = None  # another questionnaire's reminder says it for both
            if due is None:
                if reminder is not None and (reminder.enabled or reminder.next_due_at is not None):
                    reminder.enabled, reminder.next_due_at, reminder.snoozed_until = False, None, None
                    changed.append(reminder)
                continue
            taken |= {(person.pk, "on", day), (person.pk, "due", questionnaire.due_on)}
            if reminder is None:
                reminder = Reminder(participant=person, kind=Reminder.Kind.QUESTIONNAIRE, questionnaire=questionnaire)
                created.append(reminder)
            elif reminder.next_due_at == due and reminder.enabled == _open(person):
                continue
            else:
                changed.append(reminder)
            _at(reminder, due, person.zone)
            reminder.enabled, reminder.next_due_at, reminder.snoozed_until = _open(person), due, None
        Reminder.objects.bulk_create(created, batch_size=1000)
        Reminder.objects.bulk_update(changed, ["on_date", "local_time", "weekdays", "enabled", "next_due_at",
                                               "snoozed_until"], batch_size=1000)
    return len(created)


def questionnaire_reminders_withdraw(*, questionnaires=None, now=None):
    """Withdraw the reminders still to fire of questionnaires that are done or missed (all of
    them, or those in `questionnaires`). A reminder shared with another questionnaire of that day
    still open goes over to it. Call it when a questionnaire is done; the hourly planning
    (tracker.measures) calls it for all. Returns how many were withdrawn."""
    now = now or timezone.now()
    rows = Reminder.objects.filter(questionnaire__isnull=False, enabled=True, next_due_at__isnull=False,
                                   questionnaire__status__in=(Questionnaire.Status.DONE, Questionnaire.Status.MISSED))
    if questionnaires is not None:
        rows = rows.filter(questionnaire__in=questionnaires)
    with transaction.atomic():
        found = list(rows.values_list("pk", "participant_id"))
        if not found:
            return 0
        Reminder.objects.filter(pk__in=[pk for pk, _ in found]).update(enabled=False, next_due_at=None,
                                                                       snoozed_until=None)
        questionnaire_reminders_sync(now=now, questionnaires=Questionnaire.objects.filter(
            participant_id__in={person for _, person in found}, status=Questionnaire.Status.OPEN, closes_at__gt=now))
    return len(found)


# ---------------------------------------------------------------------------------------------
# The tick


class BrokerUnavailable(Exception):
    """Raised by an enqueue function when the broker cannot be reached (an expected state: the
    deliveries wait in the database)."""


@dataclasses.dataclass
class TickResult:
    claimed: int = 0
    pending: int = 0
    missed: int = 0
    skipped: int = 0
    enqueued: int = 0
    given_up: int = 0


MISSED_ERROR = "due while Steady was down"
SKIPPED_ERROR = "quiet hours"


def _grace():
    return dt.timedelta(seconds=settings.REMINDER_GRACE_SECONDS)


def _delivery_status(due, now, quiet):
    """(status, error) for one due instant: missed when too late, skipped in quiet hours, else pending."""
    if now - due > _grace():
        return Delivery.Status.MISSED, MISSED_ERROR
    if quiet(due):
        return Delivery.Status.SKIPPED, SKIPPED_ERROR
    return Delivery.Status.PENDING, ""


# What the tick may fire: a reminder its owner has on, of an account that is open and active.
# (Closing or deactivating an account turns its reminders off too; this holds whatever path did it.)
_DUE = Q(enabled=True, participant__closed_at__isnull=True, participant__user__is_active=True)

CLAIM_FIELDS = ("pk", "next_due_at", "local_time", "weekdays", "on_date", "participant__time_zone",
                "participant__quiet_start", "participant__quiet_end")


def _claim_batch(now, batch_size, result):
    """Claim up to batch_size due reminders in one transaction; return how many were claimed.

    Rows are read as plain tuples, not model objects: at thousands due a minute that is most of
    the cost of a tick.
    """
    with transaction.atomic():
        rows = Reminder.objects.filter(_DUE, next_due_at__lte=now).order_by("next_due_at")
        # Two ticks at once take disjoint rows on PostgreSQL; SQLite runs one writer at a time.
        locking = {"skip_locked": True, "of": ("self",)} if connection.features.has_select_for_update_skip_locked else {}
        rows = list(rows.select_for_update(**locking).values_list(*CLAIM_FIELDS)[:batch_size])
        _plan_and_write(rows, now, result)
    result.claimed += len(rows)
    return len(rows)


def _plan_and_write(rows, now, result):
    """Write the deliveries of claimed rows (CLAIM_FIELDS tuples) and advance them, planned in
    Python. Returns the ids of the pending deliveries inserted already handed over (PostgreSQL),
    or [] (SQLite: _enqueue_ready hands them over)."""
    deliveries, advanced = [], []
    for pk, due, local_time, weekdays, on_date, zone_name, quiet_start, quiet_end in rows:
        zone = zoneinfo.ZoneInfo(zone_name)

        def quiet(instant):
            return is_quiet(quiet_start, quiet_end, zone, instant)

        steps = 0
        while due is not None and due <= now and steps < MAX_CATCH_UP_STEPS:
            status, error = _delivery_status(due, now, quiet)
            deliveries.append((pk, due, status, error, now if status == Delivery.Status.PENDING else None))
            due, steps = next_due(local_time, weekdays, on_date, zone, due), steps + 1
        if due is not None and due <= now:  # down for very long: skip to the future
            due = next_due(local_time, weekdays, on_date, zone, now)
        advanced.append((pk, due))
    ids = _insert_deliveries(deliveries, now)
    _advance(advanced)
    for *_, status, _error, _ready in deliveries:
        if status == Delivery.Status.PENDING:
            result.pending += 1
        elif status == Delivery.Status.MISSED:
            result.missed += 1
        else:
            result.skipped += 1
    return ids


def _insert_deliveries(deliveries, now):
    """Insert (reminder id, due, status, error, next attempt) rows; the unique (reminder, due_at)
    makes a replayed claim write nothing. On PostgreSQL the pending ones are inserted already
    marked as handed over at `now` (as CLAIM_DAILY_SQL does), and their ids returned."""
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_create(
            [Delivery(reminder_id=pk, due_at=due, status=status, error=error, next_attempt_at=ready)
             for pk, due, status, error, ready in deliveries],
            ignore_conflicts=True, batch_size=1000)
        return []
    # One statement for the whole batch: Django's bulk_create spends most of its time building SQL.
    pks, dues, statuses, errors, readies = zip(*deliveries) if deliveries else ([], [], [], [], [])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracker_delivery (reminder_id, due_at, status, error, next_attempt_at, enqueued_at, worker, "
            "channel, attempts, created_at) SELECT r, d, s, e, n, n, '', '', 0, %s FROM unnest(%s::bigint[], "
            "%s::timestamptz[], %s::text[], %s::text[], %s::timestamptz[]) AS v(r, d, s, e, n) "
            "ON CONFLICT (reminder_id, due_at) DO NOTHING RETURNING id, status",
            [now, list(pks), list(dues), list(statuses), list(errors), list(readies)],
        )
        return [pk for pk, status in cursor.fetchall() if status == Delivery.Status.PENDING]


def _advance(advanced):
    """Store each claimed reminder's new next_due_at (and clear its snooze)."""
    if connection.vendor != "postgresql":
        Reminder.objects.bulk_update([Reminder(pk=pk, next_due_at=due, snoozed_until=None) for pk, due in advanced],
                                     ["next_due_at", "snoozed_until"], batch_size=1000)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tracker_reminder AS r SET next_due_at = v.next_due_at, snoozed_until = NULL "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_due_at) WHERE r.id = v.id",
            [[pk for pk, _ in advanced], [due for _, due in advanced]],
        )


# The tick's common case in one PostgreSQL statement (_claim_daily_batch): a reminder due every
# day at a local time, due once now (not catching up after an outage). Its next instant is
# computed in SQL with AT TIME ZONE, with the same semantics as local_instant() and next_due():
#
# - `L AT TIME ZONE zone` (a local wall time to an instant) agrees with zoneinfo's fold=0 in the
#   spring-forward gap (both use the offset from before the jump: 02:30 becomes 03:30) but not in
#   the repeated autumn hour, where PostgreSQL takes the second occurrence and local_instant the
#   first. So the candidate `e`, the wall time read with the offset in effect 3 hours before
#   PostgreSQL's answer, is taken instead when it is earlier and really shows that wall time: in
#   the repeated hour that is the first occurrence; anywhere else it is PostgreSQL's answer
#   itself or not that wall time. (This holds for jumps of up to 3 hours and transitions more
#   than 3 hours apart, which is all of the time-zone database; tests/test_reminders_tick_sql.py
#   compares it with the Python planner around every transition of several zones.)
# - next_due() takes the first of the days from the local day before `after` whose instant is
#   after `after`; for a daily reminder that is among that day and the three after it, and the
#   instants grow with the day, so the earliest such instant is the same one.
# - Quiet hours compare the local clock time of the due instant, as is_quiet() does.
#
# Both sides read the zone rules of the same machine's time-zone database when PostgreSQL and the
# app run on one machine (Debian's tzdata); on separate machines keep the two tzdata versions the
# same, or a zone whose rules just changed could plan differently in the tick and in the app.
# Everything else (weekly and one-off reminders, catching up several instants) stays in Python.
_LOCAL_INSTANT = """(SELECT CASE WHEN e < u AND (e AT TIME ZONE {zone}) = l THEN e ELSE u END
  FROM (SELECT l, u, (l - ((u - interval '3 hours') AT TIME ZONE {zone}
                           - (u - interval '3 hours') AT TIME ZONE 'UTC')) AT TIME ZONE 'UTC' AS e
        FROM (SELECT l, l AT TIME ZONE {zone} AS u FROM (SELECT {local} AS l) s1) s2) s3)"""

_DAILY_NEXT = "LEAST({})".format(", ".join(
    "(SELECT CASE WHEN i > r.next_due_at THEN i END FROM (SELECT {} AS i) k{})".format(
        _LOCAL_INSTANT.format(zone="r.time_zone", local=f"(d.d0 + {offset}) + r.local_time"), offset + 1)
    for offset in (-1, 0, 1, 2)))

CLAIM_DAILY_SQL = f"""
WITH claimed AS (
    SELECT r.id, r.next_due_at AS due, r.local_time, p.time_zone, p.quiet_start, p.quiet_end,
           r.on_date IS NULL AND r.weekdays @> '[0, 1, 2, 3, 4, 5, 6]'::jsonb AS daily
    FROM tracker_reminder r
    JOIN tracker_participant p ON p.id = r.participant_id
    JOIN auth_user u ON u.id = p.user_id
    WHERE r.enabled AND r.next_due_at <= %(now)s AND p.closed_at IS NULL AND u.is_active
    ORDER BY r.next_due_at
    LIMIT %(limit)s
    FOR UPDATE OF r SKIP LOCKED
), planned_keys AS MATERIALIZED (
    -- Thousands due at one minute share a few (zone, time, due instant): each is planned once.
    SELECT time_zone, local_time, next_due_at, (next_due_at AT TIME ZONE time_zone)::time AS clock, {_DAILY_NEXT} AS next
    FROM (SELECT DISTINCT time_zone, local_time, due AS next_due_at FROM claimed WHERE daily) r
    CROSS JOIN LATERAL (SELECT (r.next_due_at AT TIME ZONE r.time_zone)::date AS d0) d
), planned AS (
    SELECT c.id, c.due, k.next,
           CASE WHEN %(now)s - c.due > %(grace)s THEN 'missed'
                WHEN c.quiet_start IS NOT NULL AND c.quiet_end IS NOT NULL AND c.quiet_start <> c.quiet_end
                     AND CASE WHEN c.quiet_start < c.quiet_end
                              THEN k.clock >= c.quiet_start AND k.clock < c.quiet_end
                              ELSE k.clock >= c.quiet_start OR k.clock < c.quiet_end END
                THEN 'skipped'
                ELSE 'pending' END AS status
    FROM claimed c
    JOIN planned_keys k ON k.time_zone = c.time_zone AND k.local_time = c.local_time AND k.next_due_at = c.due
    WHERE c.daily AND k.next > %(now)s
), advanced AS (
    UPDATE tracker_reminder AS r SET next_due_at = c.next, snoozed_until = NULL FROM planned c WHERE r.id = c.id
), inserted AS (
    INSERT INTO tracker_delivery (reminder_id, due_at, status, error, next_attempt_at, enqueued_at, worker, channel,
                                  attempts, created_at)
    SELECT c.id, c.due, c.status,
           CASE c.status WHEN 'missed' THEN %(missed_error)s WHEN 'skipped' THEN %(skipped_error)s ELSE '' END,
           CASE WHEN c.status = 'pending' THEN %(now)s END, CASE WHEN c.status = 'pending' THEN %(now)s END,
           '', '', 0, %(now)s
    FROM planned c
    ON CONFLICT (reminder_id, due_at) DO NOTHING
    RETURNING id, status
)
SELECT (SELECT count(*) FROM claimed),
       (SELECT count(*) FROM planned WHERE status = 'pending'),
       (SELECT count(*) FROM planned WHERE status = 'missed'),
       (SELECT count(*) FROM planned WHERE status = 'skipped'),
       (SELECT coalesce(array_agg(id ORDER BY id), '{{}}') FROM inserted WHERE status = 'pending'),
       (SELECT coalesce(array_agg(id), '{{}}') FROM claimed WHERE id NOT IN (SELECT id FROM planned))
"""


def _claim_daily_batch(now, batch_size, result):
    """PostgreSQL: claim up to batch_size due reminders; for the daily ones due once, insert their
    deliveries already marked as handed over and advance them, in one statement (see
    CLAIM_DAILY_SQL); plan the others (few) in Python in the same transaction, their deliveries
    marked likewise. Returns (how many were claimed, the ids of the pending deliveries inserted)
    for reminders_tick to hand over.

    Marked before the hand-over as _enqueue_ready marks them: if the broker is down the marks are
    taken back, and if this process dies before handing them over, no worker holds them and the
    tick after WORKER_SILENT hands them over."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # (Checking the deliveries' foreign keys at the statement's end instead of at commit,
            # SET CONSTRAINTS ALL IMMEDIATE, made no measurable difference: the same 10,000 checks.)
            cursor.execute(CLAIM_DAILY_SQL, {
                "now": now, "grace": _grace(), "limit": batch_size,
                "missed_error": MISSED_ERROR, "skipped_error": SKIPPED_ERROR,
            })
            claimed, pending, missed, skipped, ids, others = cursor.fetchone()
        result.pending += pending
        result.missed += missed
        result.skipped += skipped
        if others:  # claimed (locked) above: weekly, one-off, or several instants to catch up
            ids += _plan_and_write(list(Reminder.objects.filter(pk__in=others).values_list(*CLAIM_FIELDS)), now,
                                   result)
    result.claimed += claimed
    return claimed, ids


def _enqueue_ready(now, result, chunk_size, enqueue, enqueue_many=None):
    """Hand pending deliveries to workers, `chunk_size` ids per message, through `enqueue`
    (tracker.tasks.enqueue_sends: a message to the broker)."""
    held_by_a_live_worker = Exists(WorkerHeartbeat.objects.filter(name=OuterRef("worker"),
                                                                  seen_at__gte=now - WORKER_SILENT))
    ready = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).filter(
        Q(enqueued_at__isnull=True)
        | Q(enqueued_at__lt=now - WORKER_SILENT) & ~held_by_a_live_worker
        | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    )
    if not ready.exists():
        return True
    with transaction.atomic():
        # Lock what is read, then mark the same rows with the same filter (no long list of ids).
        ids = list(ready.select_for_update().order_by("next_attempt_at").values_list("pk", flat=True))
        # Mark exactly the rows read (not the filter again: rows committed meanwhile would be
        # marked without being handed over), in chunks to keep each statement small.
        for start in range(0, len(ids), 5000):
            Delivery.objects.filter(pk__in=ids[start:start + 5000]).update(enqueued_at=now, worker="")
    return _publish(ids, now, result, chunk_size, enqueue, enqueue_many)


def _publish(ids, now, result, chunk_size, enqueue, enqueue_many=None):
    """Hand deliveries marked as handed over at `now` to workers, chunk_size ids a message, one
    message at a time through `enqueue`, or all in one go through `enqueue_many` when given (one
    round trip to the broker: tracker.tasks.enqueue_send_batches). On failure the marks of those
    not handed over are taken back (they wait for a later tick) and it returns False; what failed
    in one go counts as not handed over, all of it (a message that arrived anyway is harmless: a
    worker claims each delivery from pending)."""
    chunks = [ids[start:start + chunk_size] for start in range(0, len(ids), chunk_size)]
    goes = [chunks] if enqueue_many is not None and chunks else [[chunk] for chunk in chunks]
    for n, go in enumerate(goes):
        try:
            if enqueue_many is not None:
                enqueue_many(go)
            else:
                enqueue(go[0])
        except BrokerUnavailable as error:
            waiting = [pk for later in goes[n:] for chunk in later for pk in chunk]
            # Expected while Redis is down: one line, no traceback. What was not handed over stays
            # pending for a later tick.
            logger.warning("reminders: could not reach the broker (%s); %s deliveries wait", error, len(waiting))
            Delivery.objects.filter(pk__in=waiting, status=Delivery.Status.PENDING).update(enqueued_at=None)
            return False
        except Exception:
            waiting = [pk for later in goes[n:] for chunk in later for pk in chunk]
            # Not the broker being down but a fault: with its traceback. The rows still wait.
            logger.exception("reminders: handing deliveries to workers failed; %s deliveries wait", len(waiting))
            Delivery.objects.filter(pk__in=waiting, status=Delivery.Status.PENDING).update(enqueued_at=None)
            return False
        result.enqueued += sum(len(chunk) for chunk in go)
    return True


def reminders_tick(*, enqueue: Callable[[list[int]], None],
                   enqueue_many: Callable[[list[list[int]]], None] | None = None, now: dt.datetime | None = None,
                   batch_size: int = 50_000, chunk_size: int = 250) -> "TickResult":
    """Claim what is due, write deliveries, advance schedules, hand sends to workers through
    `enqueue` (given a list of delivery ids; it raises BrokerUnavailable when the broker cannot be
    reached), or through `enqueue_many` when given (a list of such lists, handed over in one go)."""
    now = now or timezone.now()
    result = TickResult()
    handed_over = []
    # It may have reached the phone or not: unknown, neither sent nor failed, and not repeated.
    result.given_up = Delivery.objects.filter(
        status=Delivery.Status.SENDING, sending_since__lt=now - SENDING_STALE
    ).update(status=Delivery.Status.UNKNOWN, error="a worker stopped during the send; it may have arrived; not repeated")
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEPT).delete()
    # Most minutes nothing is due: one look-up each, before any locking transaction.
    if connection.vendor != "postgresql":
        if Reminder.objects.filter(_DUE, next_due_at__lte=now).exists():
            while _claim_batch(now, batch_size, result) == batch_size:
                pass
        _enqueue_ready(now, result, chunk_size, enqueue, enqueue_many)
    else:
        # Deliveries waiting from before (a retry, a lost batch) first: the ones claimed below are
        # inserted already handed over, and that look-up would only have to walk past them.
        broker_up = _enqueue_ready(now, result, chunk_size, enqueue, enqueue_many)
        if Reminder.objects.filter(_DUE, next_due_at__lte=now).exists():
            claimed = batch_size
            while claimed == batch_size:
                claimed, ids = _claim_daily_batch(now, batch_size, result)
                handed_over += ids
        if broker_up:
            _publish(handed_over, now, result, chunk_size, enqueue, enqueue_many)
        elif handed_over:  # one wait for a broker that is down a tick is enough: they wait for the next
            Delivery.objects.filter(pk__in=handed_over, status=Delivery.Status.PENDING).update(enqueued_at=None)
    if result.claimed or result.enqueued or result.given_up:
        logger.info("reminders tick: %s", result)
    return result


# ---------------------------------------------------------------------------------------------
# Sending


def action_token(delivery):
    return signing.dumps({"d": delivery.pk}, salt=TOKEN_SALT, compress=True)


def delivery_for_token(token):
    """The delivery a notification's action token names, or None if it is bad or too old, or the
    account is closed or deactivated (a token needs no session, so it must not outlive the account)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.REMINDER_ACTION_TOKEN_SECONDS)
    except (signing.BadSignature, TypeError):
        return None
    return Delivery.objects.filter(
        pk=data.get("d"), reminder__participant__closed_at__isnull=True, reminder__participant__user__is_active=True,
    ).select_related("reminder__participant").first()


def _may_send(reminder):
    """A reminder may go out only while its owner has it on and the account is open and active
    (and, for a questionnaire, while it is still open: done or missed since the tick, it stays quiet)."""
    participant = reminder.participant
    if reminder.kind == Reminder.Kind.QUESTIONNAIRE and reminder.questionnaire.status != Questionnaire.Status.OPEN:
        return False
    if reminder.kind == Reminder.Kind.CHECKUP and reminder.checkup.status != Checkup.Status.OPEN:  # answered or missed
        return False
    return reminder.enabled and participant.closed_at is None and participant.user.is_active


def message_for(delivery):
    """(the words a lock screen or an email shows, the page it opens) for a delivery: neutral words,
    in the active language (delivery_send makes it the recipient's)."""
    reminder = delivery.reminder
    body, url = MESSAGES[reminder.kind]
    if reminder.kind == Reminder.Kind.SESSION:
        zone = reminder.participant.zone
        starts = reminder.group_session.starts_at.astimezone(zone)
        if starts.date() != delivery.due_at.astimezone(zone).date():
            body = SESSION_TOMORROW
        body = body % {"time": f"{starts:%H:%M}"}
    elif reminder.kind == Reminder.Kind.QUESTIONNAIRE:
        url = questionnaire_url(reminder.questionnaire_id)
    elif reminder.kind == Reminder.Kind.CHECKUP:
        url = reverse("checkup", args=[reminder.checkup_id])
    return str(body), url  # the words, translated now (a lazy text cannot go into a push payload)


def payload_for(delivery):
    """The push payload, in the active language (delivery_send makes it the recipient's)."""
    body, url = message_for(delivery)
    return {
        "title": "Steady",
        "body": body,
        "url": url,
        "tag": f"steady-{delivery.reminder.kind}",
        "token": action_token(delivery),
        "kind": delivery.reminder.kind,
        "actions": [{"action": action, "title": str(title)} for action, title in ACTIONS],
    }


def email_for(delivery):
    """(subject, text) of a reminder's email, in the active language (delivery_send makes it the
    recipient's)."""
    body, url = message_for(delivery)
    return str(EMAIL_SUBJECT), EMAIL_BODY % {"message": body, "link": f"{settings.SITE_URL}{url}"}


_pool = None
_pool_lock = threading.Lock()


def _send_pool():
    """One pool of sending threads per worker process, kept between batches, so each thread
    keeps its database connection and its HTTP connections to the push services."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.PUSH_SEND_CONCURRENCY, thread_name_prefix="push-send")
        return _pool


def shutdown_send_pool():
    """Stop the sending threads and close their database connections (Celery's worker shutdown
    signal calls this: tracker.tasks)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    # A connection can only be closed by its own thread: one closing job per thread, held at a
    # barrier until every thread has one.
    barrier = threading.Barrier(settings.PUSH_SEND_CONCURRENCY)

    def close_own_connection():
        barrier.wait(timeout=30)
        connections.close_all()

    for _ in range(settings.PUSH_SEND_CONCURRENCY):
        pool.submit(close_own_connection)
    pool.shutdown(wait=True)


def _send_in_thread(delivery_id, loaded):
    close_old_connections()  # drop this thread's connection if it is broken or too old
    return delivery_send(delivery_id=delivery_id, loaded=loaded)


def worker_name():
    """This worker process's name in WorkerHeartbeat: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[-100:]


def worker_heartbeat(name):
    """This worker process is alive (one statement, whatever the number of workers)."""
    WorkerHeartbeat.objects.bulk_create([WorkerHeartbeat(name=name, seen_at=timezone.now())], update_conflicts=True,
                                        unique_fields=["name"], update_fields=["seen_at"])


def deliveries_send(delivery_ids: list[int]) -> None:
    """Send a batch: sends wait on the network, so they go out side by side, not one after another.

    The batch is marked as this worker's, and the worker's heartbeat written every
    HEARTBEAT_EVERY while it sends: when it stops, the tick hands the rest out again.
    """
    name = worker_name()
    worker_heartbeat(name)
    Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING).update(worker=name)
    loaded = deliveries_load(delivery_ids)
    ids = [delivery_id for delivery_id in delivery_ids if delivery_id in loaded[0]]
    every = HEARTBEAT_EVERY.total_seconds()
    if settings.PUSH_SEND_CONCURRENCY <= 1:
        last_beat = time.monotonic()
        for delivery_id in ids:
            delivery_send(delivery_id=delivery_id, loaded=loaded)
            if time.monotonic() - last_beat >= every:
                worker_heartbeat(name)
                last_beat = time.monotonic()
        return
    futures = [_send_pool().submit(_send_in_thread, delivery_id, loaded) for delivery_id in ids]
    while wait(futures, timeout=every).not_done:
        worker_heartbeat(name)
    for future in futures:
        future.result()  # a send's error is this task's error, as before


def _backoff(attempts, retry_after):
    wait = min(settings.REMINDER_RETRY_MAX_SECONDS, 30 * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=max(wait, retry_after or 0))


def _confirmed_email(user):
    """The user's address if they confirmed it by link, else "" (no email reminder)."""
    state = getattr(user, "account_state", None)  # loaded with the delivery; missing: never confirmed
    return user.email if user.email and state is not None and state.email_confirmed == user.email else ""


def deliveries_load(delivery_ids):
    """The deliveries with their reminder, participant and user, and each user's subscriptions:
    what a batch of sends needs, in two queries instead of two per send."""
    deliveries = {d.pk: d for d in Delivery.objects.filter(pk__in=delivery_ids)
                  .select_related("reminder__participant__user__account_state", "reminder__group_session",
                                   "reminder__questionnaire", "reminder__checkup")}
    subscriptions = {}
    user_ids = {d.reminder.participant.user_id for d in deliveries.values()}
    for subscription in PushSubscription.objects.filter(user_id__in=user_ids):
        subscriptions.setdefault(subscription.user_id, []).append(subscription)
    return deliveries, subscriptions


def delivery_send(*, delivery_id, now=None, loaded=None):
    """Send one delivery, at most once. Returns its status afterwards, or None if someone else
    had it. `loaded` is what deliveries_load() gave for its batch, read before the claim."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, sending_since=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None  # sent, or being sent, by someone else
    deliveries, subscriptions = loaded or deliveries_load([delivery_id])
    delivery = deliveries[delivery_id]
    if loaded is not None:  # read before the claim: bring it up to what the claim wrote
        delivery.status, delivery.sending_since, delivery.attempts = Delivery.Status.SENDING, now, delivery.attempts + 1
    participant = delivery.reminder.participant
    if not _may_send(delivery.reminder):  # turned off or closed after the tick wrote the delivery
        return _finish(delivery, Delivery.Status.FAILED, "", now, error="reminder turned off, account closed or questionnaire no longer due; not sent")
    # The words in the recipient's own language, whoever's action caused the reminder (its
    # account_state came with the batch: deliveries_load).
    language = language_of(participant.user)
    outcomes = []
    if participant.remind_by_push:
        with translation.override(language):
            payload = payload_for(delivery)
        urgency = "high" if delivery.reminder.kind == Reminder.Kind.HIGH_RISK else "normal"
        outcomes = [
            (subscription, push.send(subscription, payload, topic=f"r{delivery.reminder_id}", urgency=urgency,
                                     ttl=settings.REMINDER_GRACE_SECONDS))
            for subscription in subscriptions.get(participant.user_id, [])
        ]
    errors = [outcome.detail for _, outcome in outcomes if outcome.status != push.OK]
    retry_after = max([outcome.retry_after or 0 for _, outcome in outcomes if outcome.status == push.RETRY], default=None)
    pushed = any(outcome.status == push.OK for _, outcome in outcomes)
    retry = retry_after is not None and not pushed and delivery.attempts < settings.REMINDER_MAX_ATTEMPTS
    emailed = False
    if not pushed and not retry and participant.remind_by_email and _confirmed_email(participant.user):
        with translation.override(language):
            subject, text = email_for(delivery)
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [participant.user.email])
            emailed = True
        except Exception as error:  # the mail server is down: try again later, like a busy push service
            logger.warning("reminder email failed: %s", type(error).__name__)
            errors.append(f"email failed ({type(error).__name__})")
            retry_after = retry_after or 0
            retry = delivery.attempts < settings.REMINDER_MAX_ATTEMPTS
    # What happened is written in one transaction: one commit per send after the claim's.
    with transaction.atomic():
        for subscription, outcome in outcomes:
            _record_subscription(subscription, outcome, now)
        if pushed:
            return _finish(delivery, Delivery.Status.SENT, Delivery.Channel.PUSH, now)
        if retry:
            delivery.status, delivery.sending_since, delivery.enqueued_at = Delivery.Status.PENDING, None, None
            delivery.worker = ""
            delivery.next_attempt_at = now + _backoff(delivery.attempts, retry_after)
            delivery.error = "; ".join(errors)[:300]
            delivery.save(update_fields=["status", "sending_since", "enqueued_at", "worker", "next_attempt_at",
                                         "error"])
            return delivery.status
        if emailed:
            return _finish(delivery, Delivery.Status.SENT, Delivery.Channel.EMAIL, now, error="; ".join(errors))
        return _finish(delivery, Delivery.Status.FAILED, "", now,
                       error="; ".join(errors) or "no notification subscription and no email address")


def _record_subscription(subscription, outcome, now):
    if outcome.status == push.OK:
        PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now, failures=0)
    elif outcome.status == push.GONE:
        # The browser unsubscribed or the push service forgot it. By id: sending threads share
        # the subscription objects, and another may have deleted this one already.
        PushSubscription.objects.filter(pk=subscription.pk).delete()
    else:
        PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)


def _finish(delivery, status, channel, now, error=""):
    delivery.status, delivery.channel, delivery.error = status, channel, error[:300]
    delivery.sent_at = now if status == Delivery.Status.SENT else None
    delivery.save(update_fields=["status", "channel", "error", "sent_at"])
    return status


# ---------------------------------------------------------------------------------------------
# Actions from a notification, and the test notification


def reminder_snooze(*, delivery, now=None):
    """Fire this delivery's reminder again in 30 minutes (regular times inside that wait are skipped).

    Returns the reminder, or None when the token's delivery may not snooze it: the reminder is
    off or the account closed (a snooze never turns anything on), or the reminder has fired again
    since (a token acts only on the delivery it was made for). Snoozing twice changes nothing more.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (Reminder.objects.select_for_update(of=("self",)).select_related("participant__user")
                    .filter(pk=delivery.reminder_id).first())
        if reminder is None or not _may_send(reminder):
            return None
        if reminder.deliveries.filter(due_at__gt=delivery.due_at).exists():
            return None
        if reminder.snoozed_until is not None:  # this delivery's snooze, still to fire: already done
            return reminder
        reminder.snoozed_until = now + SNOOZE
        reminder.next_due_at = reminder.snoozed_until
        reminder.save(update_fields=["snoozed_until", "next_due_at"])
    return reminder


def delivery_opened(*, delivery, now=None):
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now or timezone.now())


def test_notification_send(*, participant, enqueue: Callable[[list[int]], None], now: dt.datetime | None = None):
    """Queue a notification for right now, through the same path as every reminder."""
    now = now or timezone.now()
    # On, with no time of its own (next_due_at stays empty): the tick fires it only when snoozed.
    reminder, _ = Reminder.objects.update_or_create(
        participant=participant, kind=Reminder.Kind.TEST,
        defaults={"enabled": True}, create_defaults={"local_time": dt.time(0), "enabled": True},
    )
    delivery = Delivery.objects.create(reminder=reminder, due_at=now, next_attempt_at=now)
    transaction.on_commit(lambda: _enqueue_ready(now, TickResult(), 100, enqueue))
    return delivery


def upcoming(*, participant, now=None, limit=6):
    """The next due instants of the person's reminders, soonest first."""
    rows = Reminder.objects.filter(participant=participant, enabled=True, next_due_at__isnull=False)
    return list(rows.order_by("next_due_at")[:limit])


def recent_deliveries(*, participant, limit=10):
    return list(Delivery.objects.filter(reminder__participant=participant).select_related("reminder")[:limit])

