"""On PostgreSQL, the database itself refuses overlapping non-cancelled appointments of one
therapist, one room or one patient, so two concurrent bookings cannot both win. SQLite has no
exclusion constraints; there IMMEDIATE transactions serialise the bookings instead."""

from django.db import migrations

RESOURCES = ["therapist", "room", "patient"]


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for resource in RESOURCES:
        schema_editor.execute(
            f"ALTER TABLE treatment_sessions_appointment ADD CONSTRAINT appointment_no_{resource}_overlap "
            f"EXCLUDE USING gist ({resource}_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for resource in RESOURCES:
        schema_editor.execute(
            f"ALTER TABLE treatment_sessions_appointment DROP CONSTRAINT IF EXISTS appointment_no_{resource}_overlap"
        )


class Migration(migrations.Migration):
    dependencies = [("treatment_sessions", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, drop_constraints)]
