"""A check-in or urge whose id was deleted cannot be written again, refused by the database itself.

services._entry_insert writes a new check-in or urge in one statement (INSERT ... ON CONFLICT DO
NOTHING) instead of reading the id and its tombstone first under a row lock. This trigger keeps
what that lock guaranteed: it runs after the row is in, with a fresh snapshot (a VOLATILE
function in READ COMMITTED), so it also sees the tombstone of a delete that committed while the
insert waited on the row being deleted. PostgreSQL only: SQLite keeps the read-then-write path.
"""

from django.db import migrations

TABLES = ("tracker_checkin", "tracker_urge")

CREATE = [
    """CREATE OR REPLACE FUNCTION tracker_no_entry_after_tombstone() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tracker_tombstone WHERE id = NEW.id) THEN
        RAISE EXCEPTION 'entry %% was deleted', NEW.id USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NULL;
END $$""",
    *(f"CREATE TRIGGER {table}_not_deleted AFTER INSERT ON {table} "
      "FOR EACH ROW EXECUTE FUNCTION tracker_no_entry_after_tombstone()" for table in TABLES),
]
DROP = [*(f"DROP TRIGGER IF EXISTS {table}_not_deleted ON {table}" for table in TABLES),
        "DROP FUNCTION IF EXISTS tracker_no_entry_after_tombstone()"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)
    return apply


class Migration(migrations.Migration):
    dependencies = [("tracker", "0017_translated_labels")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
