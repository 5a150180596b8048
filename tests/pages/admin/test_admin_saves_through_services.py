"""The admin, kept for superusers, saves the clinic's set-up through the services of the manager's
pages (clinic/services.py, patients.services): what those refuse, the admin refuses with their
sentences, and nothing is saved."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clinic.models import Closure, ClosureKind, Room, WorkingHours
from patients.models import ContraindicationRule, FlagKind, RuleCondition
from tests import factories
from tests.conftest import client_for
from tests.factories import EVERY_DAY, local, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(db):
    """A session booked next Monday at 10:00 with a therapist who works every day 08:00–18:00."""
    modality = factories.ModalityFactory(name="Cupping")
    therapist = factories.TherapistFactory(modalities=[modality], hours=EVERY_DAY)
    room = factories.RoomFactory(name="Blue room", modalities=[modality])
    monday = next_weekday(0)
    appointment = factories.AppointmentFactory(
        modality=modality, therapist=therapist, room=room, starts_at=local(*monday.timetuple()[:3], 10)
    )
    return {"modality": modality, "therapist": therapist, "room": room, "monday": monday, "appointment": appointment}


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_closure_over_a_booked_session_is_refused(manager, booked):
    day = booked["monday"].isoformat()
    response = client_for(manager).post(
        reverse("admin:clinic_closure_add"),
        {"kind": ClosureKind.CLOSED, "starts_on": day, "ends_on": day, "reason": "Painters", "therapist": ""},
        follow=True,
    )
    assert any("booked" in message for message in said(response)), said(response)
    assert not Closure.objects.filter(reason="Painters").exists()


def test_a_closure_on_a_quiet_day_is_saved(manager, booked):
    day = (booked["monday"] + dt.timedelta(days=60)).isoformat()
    response = client_for(manager).post(
        reverse("admin:clinic_closure_add"),
        {"kind": ClosureKind.CLOSED, "starts_on": day, "ends_on": day, "reason": "Painters", "therapist": ""},
    )
    assert response.status_code == 302
    assert Closure.objects.filter(reason="Painters").exists()


def test_a_room_cannot_lose_the_modality_of_a_session_booked_in_it(manager, booked):
    room = booked["room"]
    other = factories.ModalityFactory(name="Hot stones")
    response = client_for(manager).post(
        reverse("admin:clinic_room_change", args=[room.pk]),
        {"name": room.name, "location": room.location_id, "modalities": [other.pk], "active": "on"},
        follow=True,
    )
    assert any("Cupping booked ahead" in message for message in said(response)), said(response)
    assert list(Room.objects.get(pk=room.pk).modalities.all()) == [booked["modality"]]


def test_a_working_hours_block_cannot_strand_a_booked_session(manager, booked):
    block = WorkingHours.objects.get(therapist=booked["therapist"], weekday=0)
    url = reverse("admin:clinic_workinghours_change", args=[block.pk])
    response = client_for(manager).post(
        url, {"location": block.location_id, "weekday": 0, "starts": "12:00", "ends": "18:00"}, follow=True
    )
    assert any("would fall outside these hours" in message for message in said(response)), said(response)
    block.refresh_from_db()
    assert (block.starts, block.ends) == (dt.time(8), dt.time(18))


def test_deleting_the_block_of_a_booked_session_is_refused(manager, booked):
    block = WorkingHours.objects.get(therapist=booked["therapist"], weekday=0)
    url = reverse("admin:clinic_workinghours_delete", args=[block.pk])
    response = client_for(manager).post(url, {"post": "yes"}, follow=True)
    assert any("would fall outside these hours" in message for message in said(response)), said(response)
    assert WorkingHours.objects.filter(pk=block.pk).exists()


def test_a_working_hours_block_that_strands_nothing_is_saved(manager, booked):
    block = WorkingHours.objects.get(therapist=booked["therapist"], weekday=1)
    url = reverse("admin:clinic_workinghours_change", args=[block.pk])
    response = client_for(manager).post(
        url, {"location": block.location_id, "weekday": 1, "starts": "12:00", "ends": "18:00"}
    )
    assert response.status_code == 302
    assert WorkingHours.objects.filter(therapist=booked["therapist"], weekday=1, starts=dt.time(12)).exists()


def test_a_therapist_cannot_lose_the_qualification_of_a_session_booked_with_her(manager, booked):
    therapist = booked["therapist"]
    form = {
        "user": therapist.user_id,
        "calendar_colour": therapist.calendar_colour,
        "modalities": [],
        "active": "on",
        "working_hours-TOTAL_FORMS": 0,
        "working_hours-INITIAL_FORMS": 0,
        "closures-TOTAL_FORMS": 0,
        "closures-INITIAL_FORMS": 0,
    }
    response = client_for(manager).post(
        reverse("admin:clinic_therapist_change", args=[therapist.pk]), form, follow=True
    )
    assert any("Cupping booked ahead" in message for message in said(response)), said(response)
    assert list(therapist.modalities.all()) == [booked["modality"]]


def test_a_rule_the_service_refuses_is_refused_in_the_admin_too(manager, db):
    dry = factories.ModalityFactory(name="Dry cupping", uses_oils=False)
    form = {
        "condition": RuleCondition.HEALTH_FLAG,
        "flag_kind": FlagKind.OIL_ALLERGY,
        "modality": dry.pk,
        "oil_modalities_only": "on",
        "effect": "block",
        "message": "No oil.",
        "active": "on",
    }
    response = client_for(manager).post(reverse("admin:patients_contraindicationrule_add"), form, follow=True)
    assert "Dry cupping uses no oil, so a rule for oil-using modalities only would never apply to it." in said(response)
    assert not ContraindicationRule.objects.filter(message="No oil.").exists()


def test_a_new_rule_is_saved(manager, db):
    form = {
        "condition": RuleCondition.HEALTH_FLAG,
        "flag_kind": FlagKind.SKIN_CONDITION,
        "modality": "",
        "effect": "warn",
        "message": "Look first.",
        "active": "on",
    }
    ContraindicationRule.objects.filter(flag_kind=FlagKind.SKIN_CONDITION).delete()
    response = client_for(manager).post(reverse("admin:patients_contraindicationrule_add"), form)
    assert response.status_code == 302
    assert ContraindicationRule.objects.filter(message="Look first.").exists()
