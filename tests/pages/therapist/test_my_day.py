import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from patients.models import FlagKind, Phase
from sessions.models import Appointment, AppointmentStatus, SessionNote
from tests import factories
from tests.conftest import client_for
from tests.factories import at

URL = reverse("therapist:my_day")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def lena(therapist):
    return therapist


@pytest.fixture
def lena_client(lena):
    return client_for(lena.user)


def session_for(therapist, day, hour, **kwargs):
    return factories.AppointmentFactory(therapist=therapist, starts_at=at(day, hour), **kwargs)


def test_it_lists_the_therapists_sessions_of_today_in_time_order(lena_client, lena, today):
    late = session_for(lena, today, 15, patient=factories.PatientFactory(first_name="Ina", last_name="Late"))
    early = session_for(lena, today, 8, patient=factories.PatientFactory(first_name="Eva", last_name="Early"))
    response = lena_client.get(URL)
    assert response.status_code == 200
    assert response.context["appointments"] == [early, late]
    html = response.content.decode()
    assert html.index("Eva Early") < html.index("Ina Late")
    assert "08:00" in html and early.modality.name in html


def test_it_leaves_out_other_therapists_other_days_and_cancelled_sessions(lena_client, lena, today):
    mine = session_for(lena, today, 9)
    session_for(factories.TherapistFactory(), today, 9)
    session_for(lena, today + dt.timedelta(days=1), 9)
    session_for(lena, today, 11, status=AppointmentStatus.CANCELLED, cancellation_reason="Ill")
    response = lena_client.get(URL)
    assert response.context["appointments"] == [mine]


def test_it_shows_another_day_from_the_query_string(lena_client, lena, today):
    friday = today + dt.timedelta(days=4)
    later = session_for(lena, friday, 10)
    response = lena_client.get(URL, {"day": friday.isoformat()})
    assert response.context["day"] == friday
    assert response.context["appointments"] == [later]


@pytest.mark.parametrize("garbage", ["tomorrow", "2026-13-40", "", "99999-01-01", "0001-01-01"])
def test_a_garbled_day_falls_back_to_today(lena_client, today, garbage):
    response = lena_client.get(URL, {"day": garbage})
    assert response.status_code == 200
    assert response.context["day"] == today


def test_it_shows_the_course_position(lena_client, lena, today):
    course = factories.CourseFactory(min_sessions=12, max_sessions=15)
    for days_before in (6, 4, 2):
        session_for(lena, today - dt.timedelta(days=days_before), 9, patient=course.patient, course=course)
    session_for(lena, today, 9, patient=course.patient, course=course)
    response = lena_client.get(URL)
    assert response.context["appointments"][0].session_number == 4
    assert "Session 4 of 12–15" in response.content.decode()


def test_it_warns_of_oil_allergy_hypertension_and_pregnancy_only(lena_client, lena, today):
    patient = factories.PatientFactory()
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.OIL_ALLERGY, substance="Lavender oil")
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.HYPERTENSION)
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.PREGNANCY)
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.SKIN_CONDITION)
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.OTHER, active_to=today - dt.timedelta(days=1))
    session_for(lena, today, 9, patient=patient)
    response = lena_client.get(URL)
    html = response.content.decode()
    assert "Oil allergy: Lavender oil" in html
    assert "High blood pressure" in html
    assert "Pregnancy" in html
    # No badge for the skin condition; its `warn` rule is among what to read before check-in.
    assert '<span class="badge text-bg-warning">Skin condition</span>' not in html
    assert "Skin condition: avoid the affected skin." in html
    kinds = {flag.kind for flag in response.context["appointments"][0].warnings}
    assert kinds == {FlagKind.OIL_ALLERGY, FlagKind.HYPERTENSION, FlagKind.PREGNANCY}


def test_an_ended_health_flag_gives_no_warning(lena_client, lena, today):
    patient = factories.PatientFactory()
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.HYPERTENSION, active_to=today - dt.timedelta(days=1))
    session_for(lena, today, 9, patient=patient)
    assert "High blood pressure" not in lena_client.get(URL).content.decode()


def test_it_shows_each_note_status_with_its_button(lena_client, lena, today):
    none = session_for(lena, today, 8)
    draft = session_for(lena, today, 10)
    signed = session_for(lena, today, 12)
    factories.SessionNoteFactory(appointment=draft)
    factories.SessionNoteFactory(appointment=signed, signed_at=timezone.now(), signed_by=lena.user)
    response = lena_client.get(URL)
    statuses = {a.pk: a.note_status for a in response.context["appointments"]}
    assert statuses == {none.pk: "none", draft.pk: "draft", signed.pk: "signed"}
    html = response.content.decode()
    for label in ("Write note", "Continue note", "View note"):
        assert label in html
    for appointment in (none, draft, signed):
        assert reverse("therapist:note_edit", args=[appointment.pk]) in html


def test_it_offers_check_in_and_complete_for_open_sessions_and_returns_here(lena_client, lena, today):
    started = session_for(lena, today, 0)  # midnight: always already started
    response = lena_client.get(URL)
    html = response.content.decode()
    assert reverse("booking:appointment_check_in", args=[started.pk]) in html
    assert reverse("booking:appointment_complete", args=[started.pk]) in html
    assert f'name="next" value="{URL}"' in html


def test_check_in_from_my_day_comes_back_to_my_day(lena_client, lena, today):
    started = session_for(lena, today, 0)
    response = lena_client.post(reverse("booking:appointment_check_in", args=[started.pk]), {"next": URL})
    assert response.status_code == 302 and response.url == URL
    started.refresh_from_db()
    assert started.status == AppointmentStatus.CHECKED_IN


def test_no_check_in_on_another_day(lena_client, lena, today):
    tomorrow = today + dt.timedelta(days=1)
    later = session_for(lena, tomorrow, 9)
    html = lena_client.get(URL, {"day": tomorrow.isoformat()}).content.decode()
    assert reverse("booking:appointment_check_in", args=[later.pk]) not in html
    assert reverse("booking:appointment_complete", args=[later.pk]) not in html


def test_a_flagged_session_says_it_needs_review(lena_client, lena, today):
    session_for(lena, today, 9, needs_review=True, review_reason="Review: acute phase recorded")
    assert "Needs review" in lena_client.get(URL).content.decode()


def test_it_links_the_patient_to_the_chart_once_the_chart_exists(lena_client, lena, today):
    session = session_for(lena, today, 9)
    html = lena_client.get(URL).content.decode()
    try:
        chart = reverse("chart:patient_chart", args=[session.patient_id])
    except Exception:  # the chart is built in parallel; until then the name is plain text
        assert str(session.patient) in html
    else:
        assert chart in html


def test_a_therapist_without_a_profile_gets_a_friendly_page(db):
    user = factories.UserFactory(role=roles.THERAPIST)
    response = client_for(user).get(URL)
    assert response.status_code == 200
    assert "profile is not set up" in response.content.decode()


def test_an_empty_day_says_so(lena_client):
    assert "No sessions booked with you" in lena_client.get(URL).content.decode()


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.PATIENT, roles.MANAGER])
def test_it_forbids_other_roles(db, role):
    user = factories.UserFactory(role=role)
    assert client_for(user).get(URL).status_code == 403


def test_it_sends_an_anonymous_visitor_to_log_in(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response.url


def test_it_rejects_post(lena_client):
    assert lena_client.post(URL).status_code == 405


def _queries_for(lena_client, count, lena, today) -> int:
    for index in range(count):
        patient = factories.PatientFactory()
        factories.HealthFlagFactory(patient=patient, kind=FlagKind.OIL_ALLERGY, substance=f"Oil {index}")
        course = factories.CourseFactory(patient=patient)
        starts_at = at(today, 0) + dt.timedelta(minutes=index * 50)  # back to back, never overlapping
        appointment = factories.AppointmentFactory(
            therapist=lena,
            patient=patient,
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45),
        )
        if index % 2:
            factories.SessionNoteFactory(appointment=appointment)
    with CaptureQueriesContext(connection) as queries:
        response = lena_client.get(URL)
    assert len(response.context["appointments"]) == count
    return len(queries)


def test_the_query_count_does_not_grow_with_the_sessions(lena_client, lena, today):
    two = _queries_for(lena_client, 2, lena, today)
    SessionNote.objects.all().delete()
    Appointment.objects.all().delete()
    twenty = _queries_for(lena_client, 20, lena, today)
    assert two == twenty


def test_the_page_stays_within_a_fixed_number_of_queries(lena_client, lena, today, django_assert_max_num_queries):
    for hour in range(8, 18):
        session_for(lena, today, hour)
    # Session, user, roles, therapist profile, sessions with notes, course positions, health flags;
    # and the contraindication check of the sessions ahead: diagnoses and their phases, health
    # flags, rules.
    with django_assert_max_num_queries(11):
        lena_client.get(URL)


# The treatment gate, before anyone clicks


def test_an_acute_patient_is_shown_in_red_with_no_check_in_or_complete(lena_client, lena, today):
    started = session_for(lena, today, 0)
    factories.PhaseRecordFactory(diagnosis=factories.DiagnosisFactory(patient=started.patient), phase=Phase.ACUTE)
    html = lena_client.get(URL).content.decode()
    assert "treatment-blocked" in html and "Acute phase of M54.3 Sciatica" in html
    assert reverse("booking:appointment_check_in", args=[started.pk]) not in html
    assert reverse("booking:appointment_complete", args=[started.pk]) not in html


def test_warn_rules_are_shown_with_check_in_still_offered(lena_client, lena, today):
    started = session_for(lena, today, 0)
    factories.HealthFlagFactory(patient=started.patient, kind=FlagKind.HYPERTENSION)
    html = lena_client.get(URL).content.decode()
    assert "High blood pressure: the therapist should check it and adapt the pressure." in html
    assert reverse("booking:appointment_check_in", args=[started.pk]) in html


def test_a_future_session_of_today_is_offered_check_in_but_not_complete(lena_client, lena, today):
    last = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 0)))
    if timezone.now() >= last:
        pytest.skip("the last hour of the day")
    later = factories.AppointmentFactory(therapist=lena, starts_at=last)
    html = lena_client.get(URL).content.decode()
    assert reverse("booking:appointment_check_in", args=[later.pk]) in html
    assert reverse("booking:appointment_complete", args=[later.pk]) not in html
