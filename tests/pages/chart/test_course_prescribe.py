"""Prescribing a course from the chart. Empty numbers take the modality's defaults, with or
without JavaScript; with htmx, choosing a modality fills them in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Cadence, Modality
from patients.models import Phase
from sessions.models import Course, CourseStatus
from tests.conftest import client_for
from tests.factories import DiagnosisFactory, PatientFactory, PhaseRecordFactory, TherapistFactory
from tests.scenes import messages_of, url_of

HTMX = {"HTTP_HX_REQUEST": "true"}


url = url_of("chart:course_prescribe")


@pytest.fixture
def sciatica(sciatica):
    """In remission: a course may be prescribed for it."""
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.REMISSION)
    return sciatica


def blank(diagnosis, chosen, **changes) -> dict:
    """The form as sent without JavaScript: the numbers left empty."""
    return {
        "diagnosis": diagnosis.pk,
        "modality": chosen.pk,
        "starts_on": "2026-03-02",
        "min_sessions": "",
        "max_sessions": "",
        "session_minutes": "",
        "cadence": "",
        "sessions_per_week": "",
        "goals": "Sit through a working day",
        "home_programme": "Tennis ball under the left buttock, twice a day",
        **changes,
    }


def test_it_shows_the_form_with_the_patients_active_diagnoses(as_lena, maria, sciatica):
    DiagnosisFactory(patient=maria, icd10_code="M43.1", title="Spondylolisthesis", active=False)
    DiagnosisFactory(icd10_code="G57.0", title="Someone else's")
    response = as_lena.get(url(maria))
    assert response.status_code == 200
    assert list(response.context["form"].fields["diagnosis"].queryset) == [sciatica]
    content = response.content.decode()
    assert "M54.3 Sciatica" in content
    assert "Spondylolisthesis" not in content
    assert "Someone else" not in content
    assert f'hx-get="{url(maria)}"' in content
    assert 'hx-target="#course-numbers"' in content
    assert "Choose a modality: empty fields take its defaults." in content
    assert "tennis ball" in content
    assert f'value="{timezone.localdate().isoformat()}"' in content


@pytest.mark.parametrize(
    ("modality_name", "numbers"),
    [
        ("Therapeutic massage", {"min_sessions": "12", "max_sessions": "15", "session_minutes": "45"}),
        ("Vacuum (cupping) massage", {"min_sessions": "5", "max_sessions": "7", "session_minutes": "20"}),
        (
            "Deep tissue massage",
            {"min_sessions": "10", "max_sessions": "10", "session_minutes": "30", "sessions_per_week": "5"},
        ),
    ],
)
def test_choosing_a_modality_with_htmx_fills_in_its_defaults(as_lena, maria, sciatica, modality_name, numbers):
    modality = Modality.objects.get(name=modality_name)
    response = as_lena.get(url(maria), {"modality": modality.pk}, **HTMX)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "chart/_course_numbers.html"
    content = response.content.decode()
    assert content.lstrip().startswith('<fieldset id="course-numbers"')
    assert "<html" not in content
    assert f"Filled in from the defaults of {modality_name}" in content
    for name, value in numbers.items():
        assert f'name="{name}" value="{value}"' in content
    assert f'<option value="{modality.cadence}" selected>' in content
    assert "HX-Request" in response["Vary"]


def test_an_unknown_modality_leaves_the_numbers_empty(as_lena, maria, sciatica):
    response = as_lena.get(url(maria), {"modality": "abc"}, **HTMX)
    assert response.status_code == 200
    assert "Choose a modality: empty fields take its defaults." in response.content.decode()


def test_without_htmx_a_chosen_modality_prefills_the_whole_page(as_lena, maria, sciatica, cupping):
    response = as_lena.get(url(maria), {"modality": cupping.pk})
    content = response.content.decode()
    assert "<html" in content
    assert 'name="session_minutes" value="20"' in content


def test_empty_numbers_take_the_modality_defaults(as_lena, lena, maria, sciatica, cupping):
    response = as_lena.post(url(maria), blank(sciatica, cupping))
    assert response.status_code == 302
    assert response.url == reverse("chart:patient_chart", args=[maria.pk])
    course = Course.objects.get()
    assert (course.patient, course.diagnosis, course.modality, course.prescribed_by) == (
        maria,
        sciatica,
        cupping,
        lena.user,
    )
    assert (course.min_sessions, course.max_sessions, course.session_minutes) == (5, 7, 20)
    assert (course.cadence, course.sessions_per_week, course.status) == (
        Cadence.CONSECUTIVE_DAYS,
        None,
        CourseStatus.ACTIVE,
    )
    assert (course.starts_on, course.goals) == (dt.date(2026, 3, 2), "Sit through a working day")
    assert course.home_programme == "Tennis ball under the left buttock, twice a day"
    assert messages_of(response) == [
        "Prescribed Vacuum (cupping) massage: 5–7 sessions of 20 minutes from 2 March 2026."
    ]


def test_the_therapist_can_change_the_numbers(as_lena, maria, sciatica, deep_tissue):
    changed = {
        "min_sessions": "8",
        "max_sessions": "8",
        "session_minutes": "40",
        "cadence": "per_week",
        "sessions_per_week": "4",
    }
    assert as_lena.post(url(maria), blank(sciatica, deep_tissue, **changed)).status_code == 302
    course = Course.objects.get()
    assert (course.min_sessions, course.max_sessions, course.session_minutes, course.sessions_per_week) == (8, 8, 40, 4)


def test_it_refuses_while_the_patient_is_acute_and_says_why(as_lena, maria, sciatica, massage):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, effective_from=timezone.now())
    assert "<strong>Not now.</strong>" in as_lena.get(url(maria)).content.decode()
    response = as_lena.post(url(maria), blank(sciatica, massage))
    assert response.status_code == 200
    (reason,) = response.context["form"].non_field_errors()
    assert reason.startswith("Acute phase of M54.3 Sciatica")
    assert "Nothing is saved yet" in response.content.decode()
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"min_sessions": "9", "max_sessions": "6"},
            "max_sessions",
            "The most sessions cannot be fewer than the least.",
        ),
        ({"session_minutes": "2"}, "session_minutes", "Ensure this value is greater than or equal to 5."),
        ({"sessions_per_week": "9"}, "sessions_per_week", "Ensure this value is less than or equal to 7."),
        ({"cadence": "monthly"}, "cadence", "Select a valid choice. monthly is not one of the available choices."),
        ({"modality": ""}, "modality", "This field is required."),
        ({"starts_on": "next week"}, "starts_on", "Enter a valid date."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    as_lena, maria, sciatica, massage, changes, field, message
):
    response = as_lena.post(url(maria), blank(sciatica, massage, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Course.objects.exists()


def test_numbers_the_modality_defaults_cannot_reconcile_are_refused_on_the_form(as_lena, maria, sciatica, massage):
    response = as_lena.post(url(maria), blank(sciatica, massage, min_sessions="20"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The minimum number of sessions (20) is above the maximum (15)."
    ]
    response = as_lena.post(url(maria), blank(sciatica, massage, cadence="per_week"))
    assert response.context["form"].non_field_errors() == ["Say how many sessions a week the course has."]
    assert not Course.objects.exists()


def test_a_diagnosis_of_another_patient_cannot_be_chosen(as_lena, maria, sciatica, massage):
    other = DiagnosisFactory(patient=PatientFactory())
    response = as_lena.post(url(maria), blank(other, massage))
    assert response.status_code == 200
    assert "diagnosis" in response.context["form"].errors
    assert not Course.objects.exists()


def test_without_an_active_diagnosis_it_asks_for_one_first(as_lena, maria):
    content = as_lena.get(url(maria)).content.decode()
    assert "has no active diagnosis" in content
    assert f'href="{reverse("chart:diagnosis_create", args=[maria.pk])}"' in content


def test_a_manager_may_prescribe(manager, maria, sciatica, massage):
    assert client_for(manager).post(url(maria), blank(sciatica, massage)).status_code == 302
    assert Course.objects.get().prescribed_by == manager


def test_a_therapist_who_does_not_treat_the_patient_is_refused(lena, maria, sciatica, massage):
    stranger = client_for(TherapistFactory().user)
    assert stranger.get(url(maria)).status_code == 403
    assert stranger.get(url(maria), {"modality": massage.pk}, **HTMX).status_code == 403
    assert stranger.post(url(maria), blank(sciatica, massage)).status_code == 403
    assert not Course.objects.exists()


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_reception_and_patients_are_refused(request, role, maria, sciatica, massage):
    client = client_for(request.getfixturevalue(role))
    assert client.get(url(maria)).status_code == 403
    assert client.post(url(maria), blank(sciatica, massage)).status_code == 403
    assert not Course.objects.exists()
