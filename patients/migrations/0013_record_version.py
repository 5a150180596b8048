"""A patient's record version (patients/record_version.py): its table, a first token for every
patient, and the triggers on the patient's own row and on the tables of their record kept here.
sessions/migrations/0011_record_version.py watches courses, sessions, notes, scores and the
waitlist. The intake questions join the set-up (clinic/setup_cache.py): the chart shows their
text."""

from django.db import migrations, models

from clinic.migrations._frozen import WatchPatientRecord, WatchSetupTable

_BY_DIAGNOSIS = "(SELECT patient_id FROM patients_diagnosis WHERE id = {row}.diagnosis_id)"
_BY_RESPONSE = "(SELECT patient_id FROM patients_intakeresponse WHERE id = {row}.response_id)"


def first_tokens(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO patients_recordversion (patient_id, token) SELECT id, "
        + ("gen_random_uuid()::text" if schema_editor.connection.vendor == "postgresql" else "lower(hex(randomblob(16)))")
        + " FROM patients_patient"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_setup_version"),
        ("patients", "0012_intake_setup_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordVersion",
            fields=[
                ("patient_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=64)),
            ],
        ),
        migrations.RunPython(first_tokens, migrations.RunPython.noop),
        WatchPatientRecord("patients_patient", patient="{row}.id"),
        WatchPatientRecord("patients_diagnosis"),
        WatchPatientRecord("patients_phaserecord", patient=_BY_DIAGNOSIS),
        WatchPatientRecord("patients_study", patient=_BY_DIAGNOSIS),
        WatchPatientRecord("patients_healthflag"),
        WatchPatientRecord("patients_intakeresponse"),
        WatchPatientRecord("patients_intakeanswer", patient=_BY_RESPONSE),
        WatchPatientRecord("patients_flagproposal"),
        WatchPatientRecord("patients_consentsignature"),
        WatchSetupTable("patients_intakequestion"),
    ]
