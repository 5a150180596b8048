"""A patient's record version (patients/record_version.py): the triggers on the treatment tables
of the record, courses, sessions, their notes and addenda, the outcome scores, and the waitlist's
wishes and the offers held for the patient (the portal's home shows them)."""

from django.db import migrations

from clinic.migrations._frozen import WatchPatientRecord

_BY_SESSION = "(SELECT patient_id FROM treatment_sessions_appointment WHERE id = {row}.appointment_id)"
_BY_NOTE = (
    "(SELECT a.patient_id FROM treatment_sessions_sessionnote n"
    " JOIN treatment_sessions_appointment a ON a.id = n.appointment_id WHERE n.id = {row}.note_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0013_record_version"),
        ("treatment_sessions", "0010_course_first_and_last_pain"),
    ]

    operations = [
        WatchPatientRecord("treatment_sessions_course"),
        WatchPatientRecord("treatment_sessions_appointment"),
        WatchPatientRecord("treatment_sessions_sessionnote", patient=_BY_SESSION),
        WatchPatientRecord("treatment_sessions_addendum", patient=_BY_NOTE),
        WatchPatientRecord("treatment_sessions_outcomescore"),
        WatchPatientRecord("treatment_sessions_waitlistentry"),
        WatchPatientRecord("treatment_sessions_waitlistoffer"),
    ]
