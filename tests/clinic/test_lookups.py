"""`field__any=ids` (clinic/lookups.py): the rows `field__in=ids` finds, with the ids in one
array parameter on PostgreSQL however many there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import HealthFlag, Patient
from tests.factories import HealthFlagFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flags():
    return [HealthFlagFactory(patient=PatientFactory()) for _ in range(4)]


def _pks(queryset) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def test_any_finds_the_rows_in_finds(flags):
    wanted = [flags[0].patient_id, flags[2].patient_id, flags[2].patient_id, None, 10**9]
    found = _pks(HealthFlag.objects.filter(patient_id__any=wanted))
    assert found == sorted([flags[0].pk, flags[2].pk])
    assert found == _pks(HealthFlag.objects.filter(patient_id__in=wanted))


def test_any_of_no_id_finds_nothing_without_a_query(flags):
    with CaptureQueriesContext(connection) as queries:
        assert list(HealthFlag.objects.filter(patient_id__any=[])) == []
        assert list(HealthFlag.objects.filter(patient_id__any=[None])) == []
    assert len(queries) == 0


def test_any_takes_a_subquery_as_in_does(flags):
    chosen = Patient.objects.filter(pk__in=[flags[1].patient_id, flags[3].patient_id]).values("pk")
    assert _pks(HealthFlag.objects.filter(patient_id__any=chosen)) == sorted([flags[1].pk, flags[3].pk])


@pytest.mark.postgresql
def test_on_postgresql_the_ids_are_one_parameter_however_many(flags):
    ids = [flag.patient_id for flag in flags] + list(range(10**6, 10**6 + 300))
    sql, params = HealthFlag.objects.filter(patient_id__any=ids).query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert params == (sorted(ids),)
