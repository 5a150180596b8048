"""The drawings of pages shared by the app's processes (clinic/kept_drawings.py): a cache, so on
PostgreSQL an unlogged table, which is never written to the write-ahead log, never reaches the
replica or a base backup, and is emptied after a crash."""

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE clinic_keptdrawing SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_setup_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeptDrawing",
            fields=[
                ("slot", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("patient_id", models.BigIntegerField(db_index=True)),
                ("versions", models.TextField()),
                ("drawn_at", models.DateTimeField()),
                ("until", models.DateTimeField(db_index=True)),
                ("html", models.TextField()),
            ],
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
