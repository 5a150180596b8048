"""The Manager group covers every model of the patients app: give it the new break-glass
record's permissions (the admin still shows that record read-only)."""

from importlib import import_module

from django.db import migrations

# The role table and its sync as clinic 0002 has them (a migration, so they do not change).
create_roles = import_module("clinic.migrations.0002_roles_and_catalogue").create_roles


def sync_roles(apps, schema_editor):
    create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_breakglassaccess"),
        ("clinic", "0004_audit_log_append_only"),
        ("treatment_sessions", "0005_sessionnote_content_hash"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
