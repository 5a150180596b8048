"""booking:availability: the free slots of a modality over a span of days, as JSON."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from tests import factories
from tests.conftest import client_for
from tests.factories import local, next_weekday

URL = reverse("booking:availability")
MONDAY = next_weekday(0)


@pytest.fixture
def modality(db):
    return factories.ModalityFactory(name="Classic back massage", session_minutes=60)


@pytest.fixture
def room(modality):
    return factories.RoomFactory(name="Linden", modalities=[modality])


@pytest.fixture
def anna(modality):
    return factories.TherapistFactory(
        user__first_name="Anna", user__last_name="Berg", modalities=[modality], hours=[(0, "09:00", "11:00")]
    )


def query(modality, **extra) -> dict:
    return {"modality": modality.pk, "start": MONDAY.isoformat(), "days": 7, **extra}


def test_it_lists_the_free_starts_by_day_with_names(receptionist, modality, room, anna):
    factories.AppointmentFactory(
        patient=factories.PatientFactory(),
        modality=modality,
        therapist=anna,
        room=room,
        starts_at=local(*MONDAY.timetuple()[:3], 9),
    )

    response = client_for(receptionist).get(URL, query(modality), secure=True)

    assert response.status_code == 200
    data = response.json()
    assert data["start"] == MONDAY.isoformat()
    assert data["end"] == (MONDAY + dt.timedelta(days=6)).isoformat()
    assert data["modality"] == {"id": modality.pk, "name": "Classic back massage", "minutes": 60}
    # 09:00-10:00 is taken: 10:00 is the only hour that still fits before 11:00.
    assert data["days"] == [{"day": MONDAY.isoformat(), "slots": [["10:00", anna.pk, room.pk]]}]
    assert data["count"] == 1
    assert data["therapists"] == {str(anna.pk): "Anna Berg"}
    assert data["rooms"] == {str(room.pk): "Linden"}


def test_it_narrows_to_one_therapist(receptionist, modality, room, anna):
    other = factories.TherapistFactory(modalities=[modality], hours=[(0, "14:00", "15:00")])

    data = client_for(receptionist).get(URL, query(modality, therapist=other.pk), secure=True).json()

    assert [slot for day in data["days"] for slot in day["slots"]] == [["14:00", other.pk, room.pk]]


def test_it_defaults_to_four_weeks_from_today(receptionist, modality, room, anna):
    data = client_for(receptionist).get(URL, {"modality": modality.pk}, secure=True).json()

    today = timezone.localdate()
    assert data["start"] == today.isoformat()
    assert data["end"] == (today + dt.timedelta(days=27)).isoformat()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "modality"),
        ({"modality": "999999"}, "modality"),
        ({"days": "32"}, "days"),
        ({"days": "0"}, "days"),
        ({"start": "2001-01-01"}, "start"),
        ({"start": "not-a-day"}, "start"),
    ],
)
def test_bad_input_is_a_400_that_names_the_field(receptionist, modality, params, field):
    values = {"modality": modality.pk, **params} if "modality" not in params and params else params
    response = client_for(receptionist).get(URL, values, secure=True)

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_every_role_that_books_may_ask(role, modality, room, anna):
    assert client_for(factories.UserFactory(role=role)).get(URL, query(modality), secure=True).status_code == 200


def test_a_patient_is_refused(patient_user, modality):
    assert client_for(patient_user).get(URL, query(modality), secure=True).status_code == 403


def test_anonymous_goes_to_the_login_page(client, modality):
    response = client.get(URL, query(modality), secure=True)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_rejects_post(receptionist, modality):
    assert client_for(receptionist).post(URL, query(modality), secure=True).status_code == 405


def test_the_query_count_does_not_grow_with_days_or_therapists(
    receptionist, modality, room, anna, django_assert_max_num_queries
):
    for _ in range(5):
        factories.TherapistFactory(modalities=[modality])
    client = client_for(receptionist)
    with django_assert_max_num_queries(12):
        client.get(URL, query(modality, days=31), secure=True)
