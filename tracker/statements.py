"""Steady's hottest statements, prepared by PostgreSQL once and then only run (issue 20).

The sign-in read (tracker.security.RequestPerson) joins five tables: PostgreSQL took 0.33 ms to
plan it and 0.06 ms to run it, on every request. A prepared statement is parsed and planned once
on a database connection (connections are kept, DATABASE_CONN_MAX_AGE) and then only run. psycopg
forgets its prepared statements at a ROLLBACK on the connection (and deallocates them there):
they are prepared again the next time they run.

Only the statements run through prepared_cursor() are prepared: they are composed once per
process, so their text is the same every time. psycopg's preparing is switched on for them alone,
while they run: at any other time it is off on the connection (Django's default), so the ORM's
statements, bound on the client with their values in the text, are neither prepared nor kept in
psycopg's count of statements seen.

Behind a connection pooler that hands one client's server connection to another between
transactions (PgBouncer's transaction pooling), a prepared statement may not be on the connection
the next request gets: set DATABASE_PREPARED_STATEMENTS=0 there, unless the pooler is set up to
carry prepared statements (PgBouncer's max_prepared_statements, in its recent versions), and these
statements are sent like every other one. A migration that changes the type of a column these
statements read takes effect for them on new connections: restart the web workers after
migrating, as a deploy does.
"""

import contextlib

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def prepared_cursor():
    """Django's cursor (its query log, execute wrappers and error translation) around psycopg's
    server-binding cursor, whose statements are prepared on their first run on a connection.
    Django's usual cursor on SQLite or when DATABASE_PREPARED_STATEMENTS is off."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw_connection = connection.connection
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(raw_connection)
    raw_connection.prepare_threshold = 0  # prepare on the first run; None (off) again below
    try:
        with connection._prepare_cursor(raw) as cursor:
            yield cursor
    finally:
        raw_connection.prepare_threshold = None
