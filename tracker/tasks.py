"""Celery tasks: thin wrappers that take ids and call a service."""

import logging

import kombu.exceptions
from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutdown
from django.utils import timezone

from . import accounts, aftercare, measures, reminders, schedule, urgent

logger = logging.getLogger(__name__)


def enqueue_sends(delivery_ids):
    """Hand a batch of deliveries to a worker (the tick and the test notification call this).

    kombu raises OperationalError for a broker it cannot reach (its traceback chains the
    IndexError kombu uses internally when it has no channel to reuse: not a fault of its own)."""
    try:
        send_deliveries.apply_async((delivery_ids,), argsrepr=_argsrepr(delivery_ids))
    except kombu.exceptions.OperationalError as error:
        raise reminders.BrokerUnavailable(str(error)) from None


def enqueue_send_batches(batches):
    """Hand several batches to workers at once, one message each (the tick's hand-over).

    kombu's Producer.batch keeps the messages and sends them to Redis in one pipeline when the
    block ends: one round trip instead of one a message (the 40 messages of 10,000 due took
    about 40 ms one by one on the 2-core machine). If that send fails, which messages arrived is
    unknown: BrokerUnavailable, and the tick takes all their marks back; a batch handed over
    twice is harmless, a worker claims each delivery from pending. (Brokers without batches, the
    file-system one, publish each message at once, as enqueue_sends does.)"""
    try:
        with send_deliveries.app.producer_or_acquire() as producer, producer.batch():
            for delivery_ids in batches:
                send_deliveries.apply_async((delivery_ids,), argsrepr=_argsrepr(delivery_ids), producer=producer)
    except (kombu.exceptions.OperationalError, kombu.exceptions.BatchPublishError) as error:
        raise reminders.BrokerUnavailable(str(error)) from None


def _argsrepr(delivery_ids):
    """What the message shows of its arguments (worker logs, Flower): Celery's default is a
    repr of all 250 ids, a third of the cost of a message, which nobody reads."""
    return f"([{len(delivery_ids)} delivery ids],)"


@shared_task(ignore_result=True)
def reminders_tick():
    reminders.reminders_tick(enqueue=enqueue_sends, enqueue_many=enqueue_send_batches)


@shared_task(ignore_result=True)
def plan_group_sessions():
    """Group sessions planned eight weeks ahead, for every program (beside the reminders tick)."""
    schedule.plan_due(timezone.now())


@shared_task(ignore_result=True)
def plan_questionnaires():
    """Questionnaires due now made, closed ones marked missed, reminders planned (issue 17; hourly)."""
    measures.plan_questionnaires(timezone.now())


@shared_task(ignore_result=True)
def plan_checkups():
    """Aftercare check-ups due now made once, closed ones marked missed, reminders planned (hourly)."""
    aftercare.plan_checkups(timezone.now())


@shared_task(ignore_result=True)
def send_deliveries(delivery_ids):
    reminders.deliveries_send(delivery_ids)


# A prefork child stops with worker_process_shutdown, a solo or threads worker with worker_shutdown.
@worker_process_shutdown.connect
@worker_shutdown.connect
def _stop_sending(**kwargs):
    reminders.shutdown_send_pool()


@shared_task(ignore_result=True)
def purge_closed_accounts():
    """Remove the health data of accounts closed more than ACCOUNT_RETENTION_DAYS ago."""
    purged = accounts.purge_closed_accounts()
    if purged:
        logger.info("purged %d closed account(s)", purged)


@shared_task(ignore_result=True)
def purge_clinical_records():
    """Remove the clinical record of closed accounts once the program's record_retention_years passed."""
    purged = accounts.purge_clinical_records()
    if purged:
        logger.info("purged the clinical record of %d closed account(s)", purged)


# Urgent notices (tracker.urgent): one task per alert, enqueued when its write commits, and the
# minute tick that sends what never reached a worker and tells the program admins in time.
@shared_task(ignore_result=True)
def urgent_alert_send(alert_id):
    urgent.alert_send(alert_id=alert_id)


@shared_task(ignore_result=True)
def urgent_tick():
    urgent.urgent_tick()
