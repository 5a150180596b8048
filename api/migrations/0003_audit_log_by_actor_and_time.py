"""The API's throttle counts a user's requests of the last period in the audit log
(api.throttle.ApiUserThrottle): an index on the entries by actor and time keeps that count to the
period's entries, however long the user's history. auditlog's own model is not ours to change, so
the index is plain SQL that SQLite and PostgreSQL both understand."""

from django.db import migrations

INDEX = "api_logentry_actor_timestamp"


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_verbose_names"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX {INDEX} ON auditlog_logentry (actor_id, "timestamp")',
            f"DROP INDEX {INDEX}",
            elidable=False,
        ),
    ]
