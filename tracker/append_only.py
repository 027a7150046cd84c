"""The database's own guard on the audit log: UPDATE and DELETE on its table are refused.

Used by migration 0005 (which makes the triggers) and by the SQLite backend in
project/sqlite (which lets a whole-database flush through, as PostgreSQL's TRUNCATE does).
"""

TABLE = "tracker_auditevent"
MESSAGE = "tracker_auditevent is append-only"

CREATE = {
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION tracker_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$""",
        f"CREATE TRIGGER tracker_audit_no_update BEFORE UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tracker_audit_append_only()",
        f"CREATE TRIGGER tracker_audit_no_delete BEFORE DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tracker_audit_append_only()",
    ],
    "sqlite": [
        f"CREATE TRIGGER tracker_audit_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
        f"CREATE TRIGGER tracker_audit_no_delete BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
    ],
}

DROP = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS tracker_audit_no_update ON {TABLE}",
        f"DROP TRIGGER IF EXISTS tracker_audit_no_delete ON {TABLE}",
        "DROP FUNCTION IF EXISTS tracker_audit_append_only()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS tracker_audit_no_update",
        "DROP TRIGGER IF EXISTS tracker_audit_no_delete",
    ],
}


def create(apps, schema_editor):
    for statement in CREATE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)
