"""SQLite, as Django ships it, except for one thing: flushing the whole database.

Django flushes SQLite with DELETE FROM each table (tests between transactional cases, the
`flush` command). The audit log's trigger refuses DELETE, so a flush lifts the trigger for the
length of the flush, in the flush's own transaction, and puts it back. This is the same
exception PostgreSQL makes: its flush is TRUNCATE, which row triggers do not see. No other
statement can remove an audit row.
"""

from django.db.backends.sqlite3 import base, operations

from tracker import append_only


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if append_only.TABLE not in tables:
            return statements
        return append_only.DROP["sqlite"] + statements + append_only.CREATE["sqlite"]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
