"""On PostgreSQL the audit tables refuse UPDATE and DELETE from anyone, raw SQL included; the
app only ever inserts.

Run with: scripts/with-postgres .venv/bin/pytest tests/test_audit_postgresql.py
"""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from patients import services as patient_services
from patients.models import BreakGlassAccess
from tests.factories import PatientFactory, TherapistFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def entry(db):
    patient = PatientFactory()  # django-auditlog logs the new record
    # Only the patient's: restoring the migrated catalogue and rules between transactional tests
    # logs those rows too (the manager's editors are audited), and nobody may delete an entry.
    return LogEntry.objects.get_for_object(patient).get()


def refused(sql: str, params) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


def test_an_entry_cannot_be_updated(entry):
    message = refused("UPDATE auditlog_logentry SET object_repr = 'edited' WHERE id = %s", [entry.pk])
    assert "append-only" in message
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="edited")
    entry.refresh_from_db()
    assert entry.object_repr != "edited"


def test_an_entry_cannot_be_deleted(entry):
    assert "append-only" in refused("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_new_entries_are_still_written(entry):
    before = LogEntry.objects.count()
    PatientFactory()
    assert LogEntry.objects.count() == before + 1


def test_a_break_glass_access_cannot_be_changed_or_deleted(db):
    access = patient_services.break_glass_open(
        user=TherapistFactory().user, patient=PatientFactory(), reason="Emergency: her therapist is away."
    )
    assert "append-only" in refused(
        "UPDATE patients_breakglassaccess SET reason = 'nothing' WHERE id = %s", [access.pk]
    )
    assert "append-only" in refused("DELETE FROM patients_breakglassaccess WHERE id = %s", [access.pk])
    assert BreakGlassAccess.objects.get(pk=access.pk).reason.startswith("Emergency")
