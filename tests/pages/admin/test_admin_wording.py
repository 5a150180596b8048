"""The admin speaks like the app: a broken rule reads as a sentence, times on the 24-hour clock,
and a refused edit leaves the page's title naming the object as it is saved."""

import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from clinic.models import Modality
from sessions.models import AppointmentStatus
from tests import factories
from tests.conftest import client_for
from tests.factories import local

pytestmark = pytest.mark.django_db

OUR_APPS = {"clinic", "patients", "treatment_sessions"}


def modality_form(modality: Modality, **changes) -> dict:
    data = {
        "name": modality.name,
        "session_minutes": modality.session_minutes,
        "course_min_sessions": modality.course_min_sessions,
        "course_max_sessions": modality.course_max_sessions,
        "cadence": modality.cadence,
        "sessions_per_week": modality.sessions_per_week or "",
        "description": modality.description,
        "active": "on" if modality.active else "",
        **changes,
    }
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize(
    "constraint",
    [
        pytest.param(constraint, id=constraint.name)
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for constraint in model._meta.constraints
    ],
)
def test_every_constraint_of_ours_has_a_sentence_of_its_own(constraint):
    message = constraint.get_violation_error_message()
    assert constraint.violation_error_message != constraint.default_violation_error_message
    assert constraint.name not in message
    assert message[0].isupper() and message.endswith("."), message


def test_a_broken_rule_reads_as_a_sentence_in_the_admin(manager):
    modality = factories.ModalityFactory(name="Cupping", course_min_sessions=2, course_max_sessions=6)
    url = reverse("admin:clinic_modality_change", args=[modality.pk])

    response = client_for(manager).post(url, modality_form(modality, course_min_sessions=8, course_max_sessions=4))

    html = response.content.decode()
    assert response.status_code == 200
    assert escape("A course's minimum number of sessions cannot be more than its maximum.") in html
    assert "is violated" not in html
    modality.refresh_from_db()
    assert (modality.course_min_sessions, modality.course_max_sessions) == (2, 6)


def test_a_refused_edit_keeps_the_saved_name_in_the_title_and_the_breadcrumbs(manager):
    modality = factories.ModalityFactory(name="Cupping", course_min_sessions=2, course_max_sessions=6)
    url = reverse("admin:clinic_modality_change", args=[modality.pk])

    response = client_for(manager).post(
        url, modality_form(modality, name="Half-typed new nam", course_min_sessions=8, course_max_sessions=4)
    )

    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    breadcrumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1)
    assert "Cupping | Change modality" in title
    assert "Cupping" in breadcrumbs
    assert "Half-typed" not in title and "Half-typed" not in breadcrumbs
    # The form itself keeps what was typed, to be corrected.
    assert 'value="Half-typed new nam"' in html


def test_the_admin_shows_times_on_the_24_hour_clock(manager, clinic):
    massage, therapist, room = clinic["modality"], clinic["therapist"], clinic["room"]
    appointment = factories.AppointmentFactory(
        patient=clinic["patient"],
        modality=massage,
        therapist=therapist,
        room=room,
        starts_at=local(2030, 3, 12, 14, 30),
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Ill.",
    )
    client = client_for(manager)

    listing = client.get(reverse("admin:treatment_sessions_appointment_changelist")).content.decode()
    page = client.get(reverse("admin:treatment_sessions_appointment_change", args=[appointment.pk])).content.decode()

    assert "12 Mar 2030, 14:30" in listing
    assert "p.m." not in listing and "a.m." not in listing
    assert "p.m." not in page and "a.m." not in page
