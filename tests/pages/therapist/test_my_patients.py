"""The therapist's "My patients": the patients she treats, searchable, each linked to the chart."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import AppointmentFactory, CourseFactory, DiagnosisFactory, PatientFactory, TherapistFactory
from tests.scenes import asks_to_log_in

URL = reverse("therapist:my_patients")


def chart(patient) -> str:
    return reverse("chart:patient_chart", args=[patient.pk])


def test_it_lists_her_patients_linked_to_their_charts(as_lena, lena, maria):
    assigned = PatientFactory(first_name="Tom", last_name="Adler", assigned_therapist=lena)
    stranger = PatientFactory(first_name="Zoe", last_name="Stranger")
    AppointmentFactory(patient=stranger, therapist=TherapistFactory())
    response = as_lena.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert list(response.context["page_obj"]) == [assigned, maria]
    assert f'<a href="{chart(maria)}">Lopez, Maria</a>' in content
    assert f'<a href="{chart(assigned)}">Adler, Tom</a>' in content
    assert "Stranger" not in content
    assert "<h1" in content and "My patients" in content


def test_the_nav_offers_my_patients_and_unsigned_notes_to_therapists(as_lena, reception):
    content = as_lena.get(reverse("therapist:my_day")).content.decode()
    assert f'href="{URL}"' in content
    assert f'href="{reverse("therapist:unsigned_notes")}"' in content
    assert f'href="{URL}"' not in reception.get(reverse("reception:day_board")).content.decode()


def test_a_cancelled_session_does_not_make_a_patient_hers(lena, maria):
    other = PatientFactory(last_name="Cancelled")
    AppointmentFactory(patient=other, therapist=lena, status=AppointmentStatus.CANCELLED, cancellation_reason="x")
    assert list(client_for(lena.user).get(URL).context["page_obj"]) == []


def test_she_searches_among_her_patients_only(as_lena, lena, maria):
    PatientFactory(first_name="Maria", last_name="Stranger")
    DiagnosisFactory(patient=PatientFactory(first_name="Jan", last_name="Kurz"), recorded_by=lena.user)
    response = as_lena.get(URL, {"q": "maria"})
    assert list(response.context["page_obj"]) == [maria]
    assert 'value="maria"' in response.content.decode()
    assert "matching “maria”" in response.content.decode()


def test_no_match_says_so(as_lena):
    assert "None of your patients matches “nobody”" in as_lena.get(URL, {"q": "nobody"}).content.decode()


def test_a_therapist_without_patients_is_told_how_they_come(therapist):
    assert "You have no patients yet" in client_for(therapist.user).get(URL).content.decode()


def test_it_pages_through_many_patients(lena):
    for index in range(30):
        CourseFactory(patient=PatientFactory(last_name=f"Patient{index:02d}"), prescribed_by=lena.user)
    client = client_for(lena.user)
    first, second = client.get(URL), client.get(URL, {"page": 2})
    assert len(first.context["page_obj"]) == 25 and len(second.context["page_obj"]) == 5
    assert "page 1 of 2" in first.content.decode()
    assert 'aria-label="My patients pages"' in first.content.decode()


def test_the_query_count_does_not_grow_with_her_patients(lena, django_assert_max_num_queries):
    for index in range(30):
        patient = PatientFactory(assigned_therapist=lena if index % 2 else TherapistFactory())
        AppointmentFactory(patient=patient, therapist=lena, starts_at=timezone.now() + dt.timedelta(days=index + 1))
    client = client_for(lena.user)
    # Session, user, roles; the count and the page of patients (with their assigned therapists).
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_another_therapist_sees_her_own_list_without_lenas_patients(lena, maria, lenas_session):
    ben = TherapistFactory()
    response = client_for(ben.user).get(URL)
    assert response.status_code == 200
    assert maria not in list(response.context["page_obj"])


@pytest.mark.parametrize("role", ["receptionist", "manager", "patient_user"])
def test_other_roles_are_refused(request, role):
    assert client_for(request.getfixturevalue(role)).get(URL).status_code == 403


def test_it_asks_anonymous_visitors_to_log_in(client, db):
    asks_to_log_in(client.get(URL))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_other_methods(as_lena, method):
    assert getattr(as_lena, method)(URL).status_code == 405
