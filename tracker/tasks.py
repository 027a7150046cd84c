"""Celery tasks: thin wrappers that take ids and call a service."""

from concurrent.futures import ThreadPoolExecutor

from celery import shared_task
from django.conf import settings
from django.db import connections

from . import reminders


@shared_task(ignore_result=True)
def reminders_tick():
    reminders.reminders_tick()


def _send_in_thread(delivery_id):
    try:
        return reminders.delivery_send(delivery_id=delivery_id)
    finally:
        connections.close_all()  # this pool thread's own connection


@shared_task(ignore_result=True)
def send_deliveries(delivery_ids):
    # Sends wait on the network, so a batch goes out side by side, not one after another.
    if settings.PUSH_SEND_CONCURRENCY <= 1:
        for delivery_id in delivery_ids:
            reminders.delivery_send(delivery_id=delivery_id)
        return
    with ThreadPoolExecutor(max_workers=settings.PUSH_SEND_CONCURRENCY) as pool:
        list(pool.map(_send_in_thread, delivery_ids))
