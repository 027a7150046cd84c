"""Urgent events the care team is told about at once: the safety answer (PHQ-9 item 9), and,
where a program turns it on, other urgent flags ("Use reported", "Asked to talk"); and telling
the program's admins when nobody acknowledged in time.

One UrgentAlert per event (flag and evidence, unique): a replayed write finds the row and
enqueues nothing. The alert is handed to a worker when its write commits; the worker claims it
with a conditional update on `notified_at IS NULL`, so a redelivered message, a second worker
or the minute tick sends it at most once. The tick (Celery beat, every minute) also sends what
never reached a worker (the broker was down) and tells the admins about alerts nobody
acknowledged within the program's `urgent_ack_minutes`, claimed the same way on `escalated_at`.

Sent at any hour: a participant's quiet hours and the program's office hours are for reminders,
never for this. The words are neutral on purpose: no name, no health detail, no instrument, so a
lock screen or an inbox preview tells nobody anything; the link opens Steady, where access and
audit rules apply as for every care page.

A counselor's account email is used whether or not they confirmed it by link: the program sets
staff addresses on their invitations, and an urgent notice must not wait for a click that may
never come. (A participant's reminders go to confirmed addresses only: tracker.reminders.)
"""

import datetime as dt
import logging

import kombu.exceptions
from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import push
from .models import Counselor, FlagAcknowledgement, PushSubscription, UrgentAlert, language_of

logger = logging.getLogger(__name__)

SAFETY_FLAG = "safety_answer"
# The other urgent flags a program may have notify at once too (Program.urgent_notify_flags):
# their keys are the triage flags' keys, so an acknowledgement of the flag stops the escalation.
USE_FLAG = "use"
TALK_FLAG = "talk"
OPTIONAL_FLAGS = (USE_FLAG, TALK_FLAG)
# Where a report of use comes from: the evidence is f"{kind}:{entry id}".
USE_KINDS = ("urge", "checkin", "response", "notice")

SEND_TASK = "tracker.tasks.urgent_alert_send"
# The tick looks back this far for alerts to send or escalate (the partial index
# urgent_alert_unescalated serves it). An alert older than this was either handled or Steady was
# down for a week; the caseload still shows its flag.
LOOKBACK = dt.timedelta(days=7)
# A push that cannot be delivered within this long is dropped by the push service: by then the
# email has done its work.
PUSH_TTL_SECONDS = 12 * 3600


# ---------------------------------------------------------------------------------------------
# Raising an alert (in the transaction of the write that reports the event)


def _raise(participant, flag, evidence):
    alert, created = UrgentAlert.objects.get_or_create(participant=participant, flag=flag, evidence=evidence)
    if created:
        # robust: a failure to hand it over must never fail the participant's write (the tick sends it).
        transaction.on_commit(lambda: enqueue(alert.pk), robust=True)
    return alert


def enqueue(alert_id):
    """Hand one alert to a worker. With the broker down it stays unsent and the tick sends it
    once the broker is back."""
    try:
        current_app.send_task(SEND_TASK, args=[alert_id])
    except kombu.exceptions.OperationalError as error:
        logger.warning("urgent alert %s not handed to a worker (%s): the tick will send it",
                       alert_id, type(error).__name__)


def safety_answer_received(answer):
    """A safety answer above 0 came in: one urgent alert for it, whatever the replays."""
    return _raise(answer.participant, SAFETY_FLAG, str(answer.pk))


def notifies(program, flag):
    """Whether `program` has this optional urgent flag notify at once (the risky answer always does)."""
    return flag == SAFETY_FLAG or flag in (program.urgent_notify_flags or [])


def use_reported(participant, evidence):
    """Someone reported use (an urge that ended in use, the check-in, the BAM): `evidence` is
    f"{kind}:{entry id}" with kind in USE_KINDS. Where the program turned the notice on for use,
    one alert for this event (called again for the same evidence, nothing new). Call it inside
    the write's transaction. Returns the alert, or None."""
    if evidence.partition(":")[0] not in USE_KINDS:
        raise ValueError(f"not a use evidence: {evidence!r}")
    if not notifies(participant.program, USE_FLAG):
        return None
    return _raise(participant, USE_FLAG, evidence)


def talk_requested(talk):
    """"I'd like to talk": where the program turned the notice on, one alert for this request.
    The evidence is the triage flag's own (tracker.triage: f"talk:{id}")."""
    if not notifies(talk.participant.program, TALK_FLAG):
        return None
    return _raise(talk.participant, TALK_FLAG, f"talk:{talk.pk}")


# ---------------------------------------------------------------------------------------------
# The words (neutral: no name, no health detail, no instrument)


def care_team_words(link):
    subject = _("Someone on your caseload needs a look")
    body = _("Someone on your caseload needs a look.\n\n"
             "Open Steady to see who: %(link)s\n\n"
             "This message leaves out names and details on purpose. Steady sends it at once, at any hour.\n") % {
        "link": link}
    return subject, body


def on_call_words(link):
    subject = _("Someone on a caseload in your program needs a look")
    body = _("Someone on a caseload in your program needs a look. Their care team was told too.\n\n"
             "Counselors on their care team can open it in Steady: %(link)s\n\n"
             "This message leaves out names and details on purpose. Steady sends it at once, at any hour.\n") % {
        "link": link}
    return subject, body


def admin_words(link):
    subject = _("Someone on a caseload in your program needs a look")
    body = _("Someone on a caseload in your program needs a look; nobody has acknowledged it yet.\n\n"
             "Open Steady to see who, and who is on their care team: %(link)s\n\n"
             "This message leaves out names and details on purpose.\n") % {"link": link}
    return subject, body


def push_payload(alert, *, body, url):
    return {"title": "Steady", "body": body, "url": url, "tag": f"steady-urgent-{alert.pk}", "kind": "urgent"}


# ---------------------------------------------------------------------------------------------
# Sending


def _email(address, subject, body):
    """True when the mail server took it. A failure is logged (never the address) and not retried:
    the alert is claimed already, and the escalation is the safety net."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception as error:  # the mail server refused or is down
        logger.warning("urgent email failed: %s", type(error).__name__)
        return False
    return True


def _push(counselors, payload_for, *, topic, now):
    """One push to every subscription of each counselor who has urgent notices on this device
    too, its words in that counselor's language (`payload_for()` is called under it); the ids of
    those it reached on at least one device."""
    wanted = {c.user_id: c for c in counselors if c.urgent_push and c.user.is_active}
    payloads = {}
    for counselor in wanted.values():
        language = language_of(counselor.user)
        if language not in payloads:
            with translation.override(language):
                payloads[language] = payload_for()
    reached = set()
    for subscription in PushSubscription.objects.filter(user_id__in=wanted):
        payload = payloads[language_of(wanted[subscription.user_id].user)]
        outcome = push.send(subscription, payload, topic=topic, urgency="high", ttl=PUSH_TTL_SECONDS)
        if outcome.status == push.OK:
            reached.add(wanted[subscription.user_id].pk)
            PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now, failures=0)
        elif outcome.status == push.GONE:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
        else:
            PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
            logger.warning("urgent push failed: %s", outcome.detail)
    return [c.pk for c in counselors if c.pk in reached]


def alert_send(*, alert_id, now=None):
    """Tell the care team about one alert, at most once: an email to each active counselor on the
    participant's care team and to the program's on-call address, and a push to each counselor
    with urgent notices on a device. Returns whom it reached (as stored in `sent_to`), or None
    when the alert was claimed already."""
    now = now or timezone.now()
    if not UrgentAlert.objects.filter(pk=alert_id, notified_at__isnull=True).update(notified_at=now):
        return None
    alert = UrgentAlert.objects.select_related("participant__program").get(pk=alert_id)
    participant, program = alert.participant, alert.participant.program
    team = list(participant.care_team.filter(user__is_active=True).select_related("user__account_state")
                .order_by("pk"))
    path = reverse("care_participant", args=[participant.pk])
    reached, emailed = [], set()
    for counselor in team:
        address = counselor.user.email.strip()
        if not address or address.lower() in emailed:
            continue
        with translation.override(language_of(counselor.user)):  # each counselor's own language
            subject, body = care_team_words(settings.SITE_URL + path)
        if _email(address, subject, body):
            emailed.add(address.lower())
            reached.append(f"email:{counselor.pk}")
    if program.on_call_email and program.on_call_email.lower() not in emailed:
        # An address, not a person: the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            words = on_call_words(settings.SITE_URL + path)
        if _email(program.on_call_email, *words):
            reached.append("on_call")
    pushed = _push(team, lambda: push_payload(alert, body=care_team_words("")[0], url=path), topic=f"u{alert.pk}",
                   now=now)
    reached += [f"push:{pk}" for pk in pushed]
    UrgentAlert.objects.filter(pk=alert.pk).update(sent_to=reached)
    logger.info("urgent alert %s sent: %d notices", alert.pk, len(reached))
    return reached


def _unacknowledged(alerts):
    """Those of `alerts` with no acknowledgement of their flag for their person made since."""
    acknowledged = FlagAcknowledgement.objects.filter(participant_id=OuterRef("participant_id"), flag=OuterRef("flag"),
                                                      created_at__gte=OuterRef("created_at"))
    return alerts.annotate(acknowledged=Exists(acknowledged)).filter(acknowledged=False)


def alert_escalate(*, alert, now):
    """Tell each program admin, once (claimed on `escalated_at`). Returns whom it reached, or
    None when someone else escalated it first."""
    if not UrgentAlert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(escalated_at=now):
        return None
    admins = list(Counselor.objects.filter(program_id=alert.participant.program_id, is_program_admin=True,
                                           user__is_active=True).select_related("user__account_state")
                  .order_by("pk"))
    if not admins:
        logger.warning("urgent alert %s: nobody acknowledged it and the program has no admin to tell", alert.pk)
    path = reverse("care_urgent")
    reached = []
    for admin in admins:
        if not admin.user.email.strip():
            continue
        with translation.override(language_of(admin.user)):  # each admin's own language
            subject, body = admin_words(settings.SITE_URL + path)
        if _email(admin.user.email.strip(), subject, body):
            reached.append(f"admin-email:{admin.pk}")
    reached += [f"admin-push:{pk}" for pk in _push(admins, lambda: push_payload(alert, body=admin_words("")[0], url=path),
                                                      topic=f"e{alert.pk}", now=now)]
    with transaction.atomic():
        current = UrgentAlert.objects.select_for_update().get(pk=alert.pk)
        current.sent_to = [*current.sent_to, *reached]
        current.save(update_fields=["sent_to"])
    logger.info("urgent alert %s escalated: %d notices", alert.pk, len(reached))
    return reached


def urgent_tick(*, now=None):
    """Once a minute: send the alerts that never reached a worker, then escalate those nobody
    acknowledged within their program's time. Returns (sent, escalated) counts."""
    now = now or timezone.now()
    recent = UrgentAlert.objects.filter(escalated_at__isnull=True, created_at__gte=now - LOOKBACK,
                                        created_at__lte=now)
    sent = sum(alert_send(alert_id=pk, now=now) is not None
               for pk in recent.filter(notified_at__isnull=True).values_list("pk", flat=True))
    escalated = 0
    for alert in _unacknowledged(recent.filter(notified_at__isnull=False)).select_related("participant__program"):
        if alert.created_at + dt.timedelta(minutes=alert.participant.program.urgent_ack_minutes) <= now:
            escalated += alert_escalate(alert=alert, now=now) is not None
    return sent, escalated


def open_alerts(program, *, now=None):
    """The program's alerts of the last LOOKBACK, newest first, each with `acknowledgement` (the
    first acknowledgement of its flag made since, or None): for the program admins' page."""
    now = now or timezone.now()
    alerts = list(UrgentAlert.objects.filter(participant__program=program, created_at__gte=now - LOOKBACK)
                  .select_related("participant__user").prefetch_related("participant__care_team__user"))
    acks = list(FlagAcknowledgement.objects.filter(
        participant_id__in={a.participant_id for a in alerts}, created_at__gte=now - LOOKBACK,
    ).select_related("counselor__user").order_by("created_at"))
    for alert in alerts:
        alert.acknowledgement = next((ack for ack in acks if ack.participant_id == alert.participant_id
                                      and ack.flag == alert.flag and ack.created_at >= alert.created_at), None)
    return alerts
