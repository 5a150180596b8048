"""Writing the clinical record: diagnoses, studies and health flags. Each refusal is a
ValidationError by field, and nothing is written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic import roles
from patients.models import Cause, Diagnosis, FlagKind, HealthFlag, Side, Study, StudyKind
from patients.services import diagnosis_create, health_flag_create, health_flag_end, study_create
from tests.factories import DiagnosisFactory, HealthFlagFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
TOMORROW = lambda: timezone.localdate() + dt.timedelta(days=1)  # noqa: E731


@pytest.fixture
def lena():
    return UserFactory(username="lena", first_name="Lena", last_name="Hoffmann", role=roles.THERAPIST)


def diagnosis_data(**changes) -> dict:
    return {
        "icd10_code": "M51.1",
        "title": "Lumbar disc disorder with radiculopathy",
        "cause": Cause.DISC_HERNIATION,
        "side": Side.LEFT,
        "diagnosed_on": dt.date(2026, 1, 12),
        "diagnosed_by": "Dr. Weber",
        **changes,
    }


def refusal(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def test_a_diagnosis_keeps_who_recorded_it(maria, lena):
    diagnosis = diagnosis_create(patient=maria, recorded_by=lena, **diagnosis_data())
    assert Diagnosis.objects.get(pk=diagnosis.pk).recorded_by == lena


def test_it_records_a_diagnosis(maria):
    diagnosis = diagnosis_create(
        patient=maria,
        **diagnosis_data(icd10_code=" m51.1 ", title="  Lumbar  disc disorder ", diagnosed_by=" Dr. Weber"),
    )
    diagnosis.refresh_from_db()
    assert diagnosis.patient == maria
    assert (diagnosis.icd10_code, diagnosis.title, diagnosis.diagnosed_by) == (
        "M51.1",
        "Lumbar disc disorder",
        "Dr. Weber",
    )
    assert (diagnosis.cause, diagnosis.side, diagnosis.active) == (Cause.DISC_HERNIATION, Side.LEFT, True)


def test_a_diagnosis_may_be_dated_today(maria):
    assert diagnosis_create(patient=maria, **diagnosis_data(diagnosed_on=TODAY())).diagnosed_on == TODAY()


def test_it_refuses_a_code_that_is_not_icd10(maria):
    errors = refusal(diagnosis_create, patient=maria, **diagnosis_data(icd10_code="54.3"))
    assert errors == {"icd10_code": ["Enter an ICD-10 code such as M54.3 or G57.0."]}
    assert not Diagnosis.objects.exists()


def test_it_refuses_a_diagnosis_dated_in_the_future(maria):
    errors = refusal(diagnosis_create, patient=maria, **diagnosis_data(diagnosed_on=TOMORROW()))
    assert errors == {"diagnosed_on": ["A diagnosis cannot be dated in the future."]}
    assert not Diagnosis.objects.exists()


def test_it_refuses_a_diagnosis_without_title_or_doctor(maria):
    errors = refusal(diagnosis_create, patient=maria, **diagnosis_data(title="  ", diagnosed_by=""))
    assert set(errors) == {"title", "diagnosed_by"}
    assert not Diagnosis.objects.exists()


def test_it_refuses_an_unknown_cause_or_side(maria):
    errors = refusal(diagnosis_create, patient=maria, **diagnosis_data(cause="bad posture", side="up"))
    assert set(errors) == {"cause", "side"}


def test_it_reports_every_problem_at_once(maria):
    errors = refusal(diagnosis_create, patient=maria, **diagnosis_data(icd10_code="X", diagnosed_on=TOMORROW()))
    assert set(errors) == {"icd10_code", "diagnosed_on"}


def test_it_records_a_study_behind_a_diagnosis(maria):
    diagnosis = DiagnosisFactory(patient=maria)
    study = study_create(
        diagnosis=diagnosis, kind=StudyKind.MRI, performed_on=dt.date(2026, 1, 8), findings=" L5–S1 protrusion. "
    )
    study.refresh_from_db()
    assert (study.diagnosis, study.kind, study.findings) == (diagnosis, StudyKind.MRI, "L5–S1 protrusion.")


def test_it_refuses_a_study_dated_in_the_future(maria):
    diagnosis = DiagnosisFactory(patient=maria)
    errors = refusal(study_create, diagnosis=diagnosis, kind=StudyKind.XRAY, performed_on=TOMORROW(), findings="Ok")
    assert errors == {"performed_on": ["A study cannot be dated in the future."]}
    assert not Study.objects.exists()


def test_it_refuses_a_study_without_findings_or_with_an_unknown_kind(maria):
    diagnosis = DiagnosisFactory(patient=maria)
    errors = refusal(study_create, diagnosis=diagnosis, kind="ultrasound", performed_on=TODAY(), findings="  ")
    assert set(errors) == {"kind", "findings"}
    assert not Study.objects.exists()


def flag_data(**changes) -> dict:
    return {
        "kind": FlagKind.OIL_ALLERGY,
        "substance": " Lavender  oil ",
        "active_from": dt.date(2026, 2, 1),
        "active_to": None,
        "note": " Rash on the forearm. ",
        **changes,
    }


def test_it_records_a_health_flag(maria, lena):
    flag = health_flag_create(patient=maria, recorded_by=lena, **flag_data())
    flag.refresh_from_db()
    assert (flag.patient, flag.kind, flag.substance, flag.note) == (
        maria,
        FlagKind.OIL_ALLERGY,
        "Lavender oil",
        "Rash on the forearm.",
    )
    assert (flag.active_from, flag.active_to, flag.recorded_by) == (dt.date(2026, 2, 1), None, lena)


def test_a_flag_other_than_an_oil_allergy_needs_no_substance(maria, lena):
    flag = health_flag_create(patient=maria, recorded_by=lena, **flag_data(kind=FlagKind.PREGNANCY, substance=""))
    assert flag.substance == ""


def test_it_refuses_an_oil_allergy_without_the_oil(maria, lena):
    errors = refusal(health_flag_create, patient=maria, recorded_by=lena, **flag_data(substance="   "))
    # Only the friendly message: the table constraint does not repeat it.
    assert errors == {"substance": ["Name the oil the patient is allergic to, so the therapist can avoid it."]}
    assert not HealthFlag.objects.exists()


def test_it_refuses_a_flag_that_ends_before_it_starts(maria, lena):
    errors = refusal(health_flag_create, patient=maria, recorded_by=lena, **flag_data(active_to=dt.date(2026, 1, 31)))
    assert errors == {"active_to": ["The flag cannot end before it starts."]}
    assert not HealthFlag.objects.exists()


def test_it_refuses_an_unknown_kind_of_flag(maria, lena):
    errors = refusal(health_flag_create, patient=maria, recorded_by=lena, **flag_data(kind="migraine"))
    assert set(errors) == {"kind"}


def test_it_ends_a_flag(maria):
    flag = HealthFlagFactory(patient=maria, kind=FlagKind.PREGNANCY, active_from=dt.date(2026, 1, 1))
    health_flag_end(flag=flag, on=dt.date(2026, 3, 1))
    flag.refresh_from_db()
    assert flag.active_to == dt.date(2026, 3, 1)
    assert not flag.is_active_on(dt.date(2026, 3, 2))


def test_a_flag_may_end_on_the_day_it_started(maria):
    flag = HealthFlagFactory(patient=maria, active_from=dt.date(2026, 1, 1))
    assert health_flag_end(flag=flag, on=dt.date(2026, 1, 1)).active_to == dt.date(2026, 1, 1)


def test_a_flag_with_a_later_end_can_be_ended_earlier(maria):
    flag = HealthFlagFactory(patient=maria, active_from=dt.date(2026, 1, 1), active_to=dt.date(2026, 6, 30))
    assert health_flag_end(flag=flag, on=dt.date(2026, 3, 1)).active_to == dt.date(2026, 3, 1)


def test_it_refuses_to_end_a_flag_that_already_ended(maria):
    flag = HealthFlagFactory(patient=maria, active_from=dt.date(2026, 1, 1), active_to=dt.date(2026, 2, 1))
    errors = refusal(health_flag_end, flag=flag, on=dt.date(2026, 3, 1))
    assert errors == {"on": ["This flag already ended on 1 February 2026."]}
    flag.refresh_from_db()
    assert flag.active_to == dt.date(2026, 2, 1)


def test_it_refuses_to_end_a_flag_before_it_started(maria):
    flag = HealthFlagFactory(patient=maria, active_from=dt.date(2026, 2, 1))
    errors = refusal(health_flag_end, flag=flag, on=dt.date(2026, 1, 31))
    assert errors == {"on": ["The flag cannot end before it started, on 1 February 2026."]}
    flag.refresh_from_db()
    assert flag.active_to is None
