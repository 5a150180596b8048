"""The portal's self-booking pages (pages/portal/self_booking.py): book the next session of a
course, move a session, choose how messages come; and what the front desk and the manager see of
a patient's own booking."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from pages.booking.forms import slot_value
from patients.models import ContactChannel
from sessions.models import Appointment, AppointmentStatus
from tests.conftest import client_for
from tests.factories import MONDAY, CourseFactory, UserFactory, at, therapist_named
from tests.scenes import asks_to_log_in, course_session, messages_of, patient_form_data, shows, url_of
from tests.self_booking_scene import self_booking_course, self_booking_maria  # noqa: F401 (course, maria)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_maria(maria):
    return client_for(maria.user)


book_url = url_of("portal:portal_self_book")
move_url = url_of("portal:portal_self_move")


def slot(therapist, room, starts_at) -> str:
    return slot_value(starts_at, therapist, room)


# Booking ------------------------------------------------------------------------------------------


def test_the_page_offers_days_and_the_courses_therapists_times(as_maria, course, anna_berg, blue_room):
    response = as_maria.get(book_url(course), {"day": MONDAY.isoformat()})

    html = shows(response, "Book a session", "1. Choose a day", "Anna Berg", "Book this time", status=200)
    assert response.context["slot_day"] == MONDAY
    assert slot(anna_berg, blue_room, at(MONDAY, 10)) in html
    assert 'aria-current="date"' in html


def test_a_patient_books_a_time_and_sees_it_in_their_sessions(
    as_maria, maria, course, anna_berg, blue_room, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_maria.post(
            book_url(course), {"slot": slot(anna_berg, blue_room, at(MONDAY, 10)), "day": MONDAY.isoformat()}
        )

    assert response.status_code == 302 and response.url == reverse("portal:portal_appointments")
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.course, appointment.starts_at) == (maria, course, at(MONDAY, 10))
    assert appointment.self_booked and appointment.booked_by == maria.user
    assert messages_of(response)[0].startswith(f"Booked: {MONDAY:%A} {MONDAY.day} {MONDAY:%B} at 10:00 with Anna Berg")
    assert [m.to for m in mailoutbox] == [[anna_berg.user.email]]
    shows(as_maria.get(reverse("portal:portal_appointments")), "Move this session")


def test_a_refused_time_shows_why_and_books_nothing(as_maria, course, back_massage, blue_room):
    other = therapist_named("Ben Roth", back_massage)

    response = as_maria.post(book_url(course), {"slot": slot(other, blue_room, at(MONDAY, 10))})

    shows(response, "Nothing is booked yet", "Sessions of your course are booked online with Anna Berg only.",
          status=200)  # fmt: skip
    assert not Appointment.objects.exists()


def test_no_time_chosen_asks_for_one(as_maria, course, blue_room):
    response = as_maria.post(book_url(course), {"slot": ""})

    shows(response, "Choose one of the free times shown.", status=200)
    assert not Appointment.objects.exists()


def test_when_self_booking_is_off_for_the_patient_the_page_says_so(as_maria, maria, course, anna_berg, blue_room):
    maria.self_booking = False
    maria.save()

    shows(as_maria.get(book_url(course)), "Booking in the portal is turned off for you", status=200)
    response = as_maria.post(book_url(course), {"slot": slot(anna_berg, blue_room, at(MONDAY, 10))})
    shows(response, "Booking in the portal is turned off for you", status=200)
    assert not Appointment.objects.exists()
    assert "Book a session" not in as_maria.get(reverse("portal:portal_home")).content.decode()


@override_settings(CLINIC_SELF_BOOKING=False)
def test_when_the_clinic_turns_it_off_no_page_offers_it(as_maria, course):
    assert "self-book-link" not in as_maria.get(reverse("portal:portal_home")).content.decode()
    assert "self-book-link" not in as_maria.get(reverse("portal:portal_appointments")).content.decode()
    shows(as_maria.get(book_url(course)), "The clinic does not take bookings in the portal", status=200)


def test_home_and_sessions_offer_to_book_a_session_of_an_open_course(as_maria, course):
    for page in ("portal:portal_home", "portal:portal_appointments"):
        shows(as_maria.get(reverse(page)), book_url(course))


def test_another_patients_course_is_404(as_maria, back_massage, anna_berg):
    other = CourseFactory(modality=back_massage, prescribed_by=anna_berg.user)

    assert as_maria.get(book_url(other)).status_code == 404
    assert as_maria.post(book_url(other), {"slot": "x"}).status_code == 404


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_staff_get_403(course, role):
    client = client_for(UserFactory(role=role, is_staff=role == roles.MANAGER))

    assert client.get(book_url(course)).status_code == 403
    assert client.get(reverse("portal:portal_contact_channel")).status_code == 403


def test_anonymous_visitors_are_asked_to_log_in(client, course):
    asks_to_log_in(client.get(book_url(course)))
    asks_to_log_in(client.get(reverse("portal:portal_contact_channel")))


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(as_maria, course, anna_berg, blue_room, method):
    appointment = course_session(course, anna_berg, blue_room, at(MONDAY, 9))
    assert getattr(as_maria, method)(book_url(course)).status_code == 405
    assert getattr(as_maria, method)(move_url(appointment)).status_code == 405
    assert getattr(as_maria, method)(reverse("portal:portal_contact_channel")).status_code == 405


# Moving ---------------------------------------------------------------------------------------------


def test_a_patient_moves_a_session_to_another_free_time(as_maria, course, anna_berg, blue_room):
    appointment = course_session(course, anna_berg, blue_room, at(MONDAY, 9))

    shows(as_maria.get(move_url(appointment)), "Move a session", "Move my session", status=200)
    response = as_maria.post(move_url(appointment), {"slot": slot(anna_berg, blue_room, at(MONDAY, 14))})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(MONDAY, 14)
    assert messages_of(response)[0].startswith("Moved: your session is now on")
    entry = LogEntry.objects.get_for_object(appointment).get()
    assert entry.additional_data["detail"].startswith("Moved by the patient in the portal")


def test_a_session_within_the_notice_period_is_not_moved_online(as_maria, course, anna_berg, blue_room):
    soon = course_session(course, anna_berg, blue_room, timezone.now().replace(microsecond=0) + dt.timedelta(hours=5))

    shows(as_maria.get(move_url(soon)), "This session cannot be moved online", "24 hours", status=200)
    as_maria.post(move_url(soon), {"slot": slot(anna_berg, blue_room, at(MONDAY, 14))})
    soon.refresh_from_db()
    assert soon.starts_at > timezone.now() and soon.starts_at < timezone.now() + dt.timedelta(hours=6)
    assert "Move this session" not in as_maria.get(reverse("portal:portal_appointments")).content.decode()


def test_another_patients_session_is_404_to_move(as_maria, back_massage, anna_berg, blue_room):
    theirs = course_session(
        CourseFactory(modality=back_massage, prescribed_by=anna_berg.user), anna_berg, blue_room, at(MONDAY, 9)
    )

    assert as_maria.get(move_url(theirs)).status_code == 404
    assert as_maria.post(move_url(theirs), {"slot": "x"}).status_code == 404


# Cancelling, as before, now told and logged ------------------------------------------------------------


def test_cancelling_in_the_portal_tells_the_therapist_and_is_logged(
    as_maria, course, anna_berg, blue_room, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = course_session(course, anna_berg, blue_room, at(MONDAY, 9))

    with django_capture_on_commit_callbacks(execute=True):
        as_maria.post(reverse("portal:portal_appointment_cancel", args=[appointment.pk]), {"reason": ""})

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert mailoutbox[0].subject.startswith("Cancelled online: Maria Keller")
    assert LogEntry.objects.get_for_object(appointment).filter(additional_data__source="patient").exists()


# What the clinic sees ------------------------------------------------------------------------------


def test_the_day_board_card_and_the_session_page_say_the_patient_booked_it(as_maria, course, anna_berg, blue_room,
                                                                          receptionist):  # fmt: skip
    as_maria.post(book_url(course), {"slot": slot(anna_berg, blue_room, at(MONDAY, 10))})
    appointment = Appointment.objects.get()
    reception = client_for(receptionist)

    shows(reception.get(reverse("reception:day_board"), {"day": MONDAY.isoformat()}), "Booked online by the patient")
    shows(reception.get(appointment.get_absolute_url()), "Online, by the patient")


def test_the_audit_log_shows_the_patients_booking_in_words(as_maria, course, anna_berg, blue_room, manager):
    as_maria.post(book_url(course), {"slot": slot(anna_berg, blue_room, at(MONDAY, 10))})

    page = client_for(manager).get(reverse("manager:audit_log"))

    shows(page, "Booked by the patient in the portal:", "maria.keller@example.org")


def test_reception_turns_self_booking_off_for_one_patient(maria, receptionist):
    response = client_for(receptionist).post(
        reverse("reception:patient_edit", args=[maria.pk]), {**patient_form_data(maria), "self_booking": ""}
    )

    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.self_booking is False


# The channel ---------------------------------------------------------------------------------------------


def test_a_patient_chooses_text_messages(as_maria, maria):
    shows(as_maria.get(reverse("portal:portal_contact_channel")), "Send me reminders and offers by", status=200)

    response = as_maria.post(reverse("portal:portal_contact_channel"), {"contact_channel": "sms"})

    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.contact_channel == ContactChannel.SMS
    shows(as_maria.get(reverse("portal:portal_home")), "We send them by text message (sms).")


def test_text_messages_need_a_phone_number(as_maria, maria):
    maria.phone = ""
    maria.save()

    response = as_maria.post(reverse("portal:portal_contact_channel"), {"contact_channel": "sms"})

    shows(response, "Text messages need a phone number on record", status=200)
    maria.refresh_from_db()
    assert maria.contact_channel == ContactChannel.EMAIL


def test_an_unknown_channel_is_refused(as_maria, maria):
    response = as_maria.post(reverse("portal:portal_contact_channel"), {"contact_channel": "fax"})

    shows(response, "Choose e-mail or text message (SMS).", status=200)


def test_reception_sets_the_channel_and_is_told_when_it_has_no_address(maria, receptionist):
    client = client_for(receptionist)
    url = reverse("reception:patient_edit", args=[maria.pk])
    refused = client.post(url, patient_form_data(maria, phone="", contact_channel="sms"))
    shows(refused, "Text messages need a phone number on record", status=200)

    assert client.post(url, patient_form_data(maria, contact_channel="sms")).status_code == 302
    maria.refresh_from_db()
    assert maria.contact_channel == ContactChannel.SMS


def test_a_session_outside_a_course_says_it_is_not_moved_online(as_maria, maria, back_massage, anna_berg, blue_room):
    single = course_session(CourseFactory(patient=maria, modality=back_massage), anna_berg, blue_room, at(MONDAY, 9))
    Appointment.objects.filter(pk=single.pk).update(course=None)

    html = shows(as_maria.get(move_url(single)), "Only the sessions of a course are moved online", status=200)
    assert "Classic back massage, 45 minutes" in html
    assert as_maria.post(move_url(single), {"slot": slot(anna_berg, blue_room, at(MONDAY, 14))}).status_code == 200
    single.refresh_from_db()
    assert single.starts_at == at(MONDAY, 9)


def test_the_page_says_how_many_sessions_are_left_to_book(as_maria, course, anna_berg, blue_room):
    course_session(course, anna_berg, blue_room, at(MONDAY, 9))

    shows(as_maria.get(book_url(course)), "Classic back massage, 45 minutes · 9 sessions left to book")
