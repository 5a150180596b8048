"""On PostgreSQL, trigram indexes for the patient search (patients.selectors.patients_search):
every name word, an e-mail address and phone digits are matched anywhere in the value (LIKE
'%...%'), which no B-tree can serve; a GIN trigram index can, so a search over tens of
thousands of patients reads a few index pages instead of every row. SQLite has no such index
and scans, which is fine at a single clinic's size.

The indexed expressions are the ones the search's queries contain: UPPER(column) for icontains,
and the phone number with every separator removed (patients.selectors.PHONE_SEPARATORS, as of
this migration). tests/test_query_plans.py checks that the plans use them.
"""

from django.db import migrations

PHONE_SEPARATORS = " +-()./"


def _phone_digits() -> str:
    expression = "phone::text"
    for separator in PHONE_SEPARATORS:
        expression = f"replace({expression}, '{separator}', '')"
    return expression


INDEXES = {
    "patient_first_name_trgm": "upper(first_name::text)",
    "patient_last_name_trgm": "upper(last_name::text)",
    "patient_email_trgm": "upper(email::text)",
    "patient_phone_digits_trgm": _phone_digits(),
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension (like btree_gist): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON patients_patient USING gin (({expression}) gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_patient_sort_index")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
