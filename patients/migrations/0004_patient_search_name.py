"""The patient search matches a folded "first last" (patients.names) and the list sorts by a
folded key: the columns, their backfill, and on PostgreSQL a trigram index on the search column.

Depends on 0001 only; 0002_patient_assigned_therapist comes from a parallel branch, and the merge
puts the two in order (a merge migration or a changed dependency).
"""

import re
import unicodedata

from django.conf import settings
from django.db import migrations, models


# A copy of patients.names as it stands when this was written (migrations import nothing from
# the apps); Patient.save keeps the columns up to date from then on.
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "ı": "i", "İ": "i", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe",
        "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
        "ħ": "h", "Ħ": "h", "ŋ": "n", "Ŋ": "n",
    }
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_JOINERS = re.compile(r"['’‘`´.]")


def _fold(text):
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_JOINERS.sub("", text).split())


def name_fields(first_name, last_name):
    plain = _fold(f"{first_name} {last_name}")
    german = _fold(unicodedata.normalize("NFC", f"{first_name} {last_name}").translate(_GERMAN))
    return {
        "search_name": plain if plain == german else f"{plain} {german}",
        "sort_last_name": "".join(ch for ch in _fold(last_name) if ch.isalnum()),
        "sort_first_name": "".join(ch for ch in _fold(first_name) if ch.isalnum()),
    }


def backfill(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "first_name", "last_name").iterator(chunk_size=2000):
        for name, value in name_fields(patient.first_name, patient.last_name).items():
            setattr(patient, name, value)
        batch.append(patient)
        if len(batch) == 2000:
            Patient.objects.bulk_update(batch, ["search_name", "sort_last_name", "sort_first_name"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_name", "sort_last_name", "sort_first_name"])


# On PostgreSQL a GIN trigram index serves the search's LIKE '%word%' on the folded names (the
# extension comes from 0001). The expression is the one the queries contain: search_name::text.
# tests/sessions/test_query_plans.py checks that the plan uses it.
def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX patient_search_name_trgm ON patients_patient USING gin ((search_name::text) gin_trgm_ops)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS patient_search_name_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0003_break_glass_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='patient',
            options={'ordering': ['sort_last_name', 'sort_first_name', 'id']},
        ),
        migrations.RemoveIndex(
            model_name='patient',
            name='patient_sort_idx',
        ),
        migrations.AddField(
            model_name='patient',
            name='search_name',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='patient',
            name='sort_first_name',
            field=models.CharField(default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='patient',
            name='sort_last_name',
            field=models.CharField(default='', editable=False, max_length=200),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, drop_search_index),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['sort_last_name', 'sort_first_name', 'id'], name='patient_sort_key_idx'),
        ),
    ]
