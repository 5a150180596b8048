import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sessions.booking import appointment_book
from sessions.models import Appointment, AppointmentStatus
from tests.conftest import client_for
from tests.factories import PatientFactory, at
from tests.scenes import asks_to_log_in, shows, url_of

url = url_of("booking:appointment_cancel")


def assert_unchanged(appointment, status=AppointmentStatus.BOOKED) -> None:
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason, appointment.cancelled_at) == (status, "", None)


@pytest.fixture
def session(maria, massage, anna, linden, monday):
    """Maria's Monday 10:00 massage with Anna, booked the way reception books it."""
    return appointment_book(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 10))


def test_it_asks_for_a_reason(reception, session):
    shows(
        reception.get(url(session)),
        "Cancel the session of Maria Lopez",
        "Therapeutic massage",
        'name="reason"',
        "csrfmiddlewaretoken",
        status=200,
    )
    assert_unchanged(session)


def test_it_cancels_with_the_reason_and_frees_the_slot(reception, session):
    response = reception.post(url(session), {"reason": "  Patient called in sick  "})
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Cancelled the session of Maria Lopez; the slot is free again."
    ]
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CANCELLED
    assert session.cancellation_reason == "Patient called in sick"
    assert session.cancelled_at is not None
    # The row stays for the record, and the same slot can be booked for someone else.
    rebooked = appointment_book(
        patient=PatientFactory(),
        modality=session.modality,
        therapist=session.therapist,
        room=session.room,
        starts_at=session.starts_at,
    )
    assert Appointment.objects.filter(starts_at=session.starts_at).count() == 2
    assert rebooked.status == AppointmentStatus.BOOKED


def test_the_appointment_page_then_shows_why(reception, session):
    response = reception.post(url(session), {"reason": "Patient called in sick"}, follow=True)
    content = response.content.decode()
    assert "Cancelled</span>" in content
    assert "Patient called in sick" in content


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": "   "}, {}])
def test_it_refuses_to_cancel_without_a_reason(reception, session, data):
    response = reception.post(url(session), data)
    assert response.status_code == 200
    assert "Give a reason for the cancellation." in response.content.decode()
    assert_unchanged(session)


def test_it_refuses_a_reason_that_is_too_long(reception, session):
    response = reception.post(url(session), {"reason": "x" * 301})
    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters (it has 301)." in response.content.decode()
    assert_unchanged(session)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (AppointmentStatus.COMPLETED, "A completed session cannot be marked cancelled."),
        (AppointmentStatus.NO_SHOW, "A no-show session cannot be marked cancelled."),
    ],
)
def test_it_explains_why_a_finished_session_cannot_be_cancelled(reception, session, status, message):
    Appointment.objects.filter(pk=session.pk).update(status=status)
    response = reception.post(url(session), {"reason": "Patient called in sick"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert_unchanged(session, status=status)


def test_a_cancelled_session_stays_cancelled_with_its_first_reason(reception, session):
    reception.post(url(session), {"reason": "Patient called in sick"})
    response = reception.post(url(session), {"reason": "Another reason"})
    assert response.status_code == 200
    assert "A cancelled session cannot be marked cancelled." in response.content.decode()
    session.refresh_from_db()
    assert session.cancellation_reason == "Patient called in sick"


def test_it_answers_404_for_an_unknown_session(reception, db):
    assert reception.get(reverse("booking:appointment_cancel", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_therapists_and_managers_may_cancel(request, role, session):
    user = request.getfixturevalue(role)
    response = client_for(getattr(user, "user", user)).post(url(session), {"reason": "Therapist is ill"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CANCELLED


def test_it_asks_anonymous_visitors_to_log_in(client, session):
    for response in (client.get(url(session)), client.post(url(session), {"reason": "x"})):
        asks_to_log_in(response)
    assert_unchanged(session)


def test_it_refuses_patients(patient_user, session):
    client = client_for(patient_user)
    assert client.get(url(session)).status_code == 403
    assert client.post(url(session), {"reason": "Cannot come"}).status_code == 403
    assert_unchanged(session)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(reception, session, method):
    assert getattr(reception, method)(url(session)).status_code == 405
    assert_unchanged(session)
