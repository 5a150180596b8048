"""The Manager group covers every model of the patients app: give it the new break-glass
record's permissions (the admin still shows that record read-only)."""

from django.db import migrations

from clinic.roles import roles_sync


def sync_roles(apps, schema_editor):
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_breakglassaccess"),
        ("clinic", "0004_audit_log_append_only"),
        ("treatment_sessions", "0005_sessionnote_content_hash"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
