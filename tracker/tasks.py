"""Celery tasks: thin wrappers that take ids and call a service."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections

from . import reminders

logger = logging.getLogger(__name__)
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
    """Stop the sending threads and close their database connections."""
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
    return reminders.delivery_send(delivery_id=delivery_id, loaded=loaded)


@shared_task(ignore_result=True)
def reminders_tick():
    reminders.reminders_tick()


@shared_task(ignore_result=True)
def send_deliveries(delivery_ids):
    # Sends wait on the network, so a batch goes out side by side, not one after another.
    loaded = reminders.deliveries_load(delivery_ids)
    ids = [delivery_id for delivery_id in delivery_ids if delivery_id in loaded[0]]
    if settings.PUSH_SEND_CONCURRENCY <= 1:
        for delivery_id in ids:
            reminders.delivery_send(delivery_id=delivery_id, loaded=loaded)
        return
    list(_send_pool().map(_send_in_thread, ids, [loaded] * len(ids)))


@shared_task(ignore_result=True)
def purge_closed_accounts():
    """Remove the health data of accounts closed more than ACCOUNT_RETENTION_DAYS ago."""
    from .accounts import purge_closed_accounts as purge

    purged = purge()
    if purged:
        logger.info("purged %d closed account(s)", purged)
