"""A patient's sessions: the list, and cancelling one online within the notice period."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.refusals import Refused
from sessions.appointments import appointment_patient_can_cancel, appointment_patient_cancel
from sessions.booking import appointment_book
from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import UserFactory, at, next_weekday
from tests.scenes import (
    asks_to_log_in,
    course_for,
    days_ago,
    messages_of,
    portal_overhead,
    portal_patient,
    queries_of,
    session,
    shared_place,
    shows,
    url_of,
)

LIST = reverse("portal:portal_appointments")
CANCELLED = {"status": AppointmentStatus.CANCELLED, "cancellation_reason": "Reception: ill"}


cancel_url = url_of("portal:portal_appointment_cancel")


def in_hours(hours: float) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture
def anna(db):
    return portal_patient(first_name="Anna", email="anna.roth@example.org")


# The notice rule, at its edges --------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_start", "allowed"),
    [
        (dt.timedelta(days=3), True),
        (dt.timedelta(hours=24, seconds=1), True),
        (dt.timedelta(hours=24), True),  # exactly the notice period: still allowed
        (dt.timedelta(hours=23, minutes=59), False),
        (dt.timedelta(hours=23, minutes=59, seconds=59), False),
        (dt.timedelta(hours=1), False),
        (dt.timedelta(hours=-1), False),
    ],
)
def test_the_notice_rule_at_its_edges(anna, before_start, allowed):
    appointment = session(anna, in_hours(72))
    now = appointment.starts_at - before_start

    assert appointment_patient_can_cancel(appointment=appointment, now=now) is allowed


@override_settings(CANCELLATION_NOTICE_HOURS=48)
def test_the_notice_period_comes_from_the_settings(anna):
    appointment = session(anna, in_hours(72))

    assert appointment_patient_can_cancel(appointment=appointment, now=appointment.starts_at - dt.timedelta(hours=48))
    assert not appointment_patient_can_cancel(
        appointment=appointment, now=appointment.starts_at - dt.timedelta(hours=47, minutes=59)
    )


@pytest.mark.parametrize("status", [AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED])
def test_only_a_booked_session_can_be_cancelled_online(anna, status):
    appointment = session(anna, in_hours(72), status=status)

    assert not appointment_patient_can_cancel(appointment=appointment, now=timezone.now())


def test_the_service_cancels_exactly_24_hours_ahead_and_refuses_a_minute_later(anna):
    early, late = session(anna, in_hours(72), **shared_place()), session(anna, in_hours(96), **shared_place())

    cancelled = appointment_patient_cancel(appointment=early, now=early.starts_at - dt.timedelta(hours=24))
    with pytest.raises(Refused, match=r"until 24 hours before .* call the clinic on \+49 30 1234 5678"):
        appointment_patient_cancel(appointment=late, now=late.starts_at - dt.timedelta(hours=23, minutes=59))

    assert cancelled.status == AppointmentStatus.CANCELLED
    late.refresh_from_db()
    assert late.status == AppointmentStatus.BOOKED


def test_the_service_records_the_reason_with_what_the_patient_typed(anna):
    appointment = session(anna, in_hours(72))

    appointment_patient_cancel(appointment=appointment, reason="  My daughter's\n school play ")

    appointment.refresh_from_db()
    assert appointment.cancellation_reason == "Cancelled by the patient online: My daughter's school play"
    assert appointment.cancelled_at is not None


def test_the_service_judges_a_session_moved_meanwhile_by_its_new_time(anna):
    appointment = session(anna, in_hours(72))
    stale = type(appointment).objects.get(pk=appointment.pk)
    type(appointment).objects.filter(pk=appointment.pk).update(
        starts_at=in_hours(5), ends_at=in_hours(6)
    )  # reception moved it

    with pytest.raises(Refused):
        appointment_patient_cancel(appointment=stale)


# The list --------------------------------------------------------------------------------


def test_it_lists_coming_sessions_soonest_first_and_the_others_newest_first(anna):
    place = shared_place()
    course = course_for(anna)
    later = session(anna, in_hours(24 * 6), course=course, **place)
    sooner = session(anna, in_hours(30), course=course, **place)
    tomorrow_cancelled = session(anna, in_hours(26), **CANCELLED, **place)
    held = session(anna, days_ago(3), course=course, status=AppointmentStatus.COMPLETED, **place)
    missed = session(anna, days_ago(1), status=AppointmentStatus.NO_SHOW, **place)
    other = session(portal_patient(), in_hours(50))

    response = client_for(anna.user).get(LIST)

    assert response.status_code == 200
    assert response.context["upcoming"] == [sooner, later]
    assert response.context["earlier"] == [tomorrow_cancelled, missed, held]
    html = response.content.decode()
    assert cancel_url(sooner) in html
    assert reverse("portal:portal_appointment_ics", args=[sooner.pk]) in html
    assert cancel_url(other) not in html
    assert "session 2 of 12–15" in html  # `sooner` follows the held session in the course


def test_inside_the_notice_period_the_list_says_to_call_and_offers_no_cancel(anna):
    soon = session(anna, in_hours(20))

    html = client_for(anna.user).get(LIST).content.decode()

    assert cancel_url(soon) not in html
    assert "Less than 24 hours to go: to cancel, please call" in html
    assert 'href="tel:+493012345678"' in html


def test_the_list_needs_a_bounded_number_of_queries(anna):
    place = shared_place()
    course = course_for(anna)
    for day in range(1, 13):
        session(anna, in_hours(24 * day + 30), course=course, **place)
        session(anna, days_ago(day), course=course, status=AppointmentStatus.COMPLETED, **place)
    client = client_for(anna.user)
    overhead = portal_overhead(client)

    # Beyond what every portal page costs: coming sessions, their place in the course, earlier ones,
    # and the courses to book a session of.
    assert queries_of(client, LIST) <= overhead + 4


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_staff_get_403_on_the_list(role, db):
    assert client_for(UserFactory(role=role)).get(LIST).status_code == 403


def test_the_list_rejects_post(anna):
    assert client_for(anna.user).post(LIST).status_code == 405


# Cancelling ------------------------------------------------------------------------------


def test_the_cancel_page_asks_for_confirmation(anna):
    appointment = session(anna, in_hours(48))

    response = client_for(anna.user).get(cancel_url(appointment))

    shows(response, "Cancel this session", 'name="reason"', status=200)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_a_patient_cancels_a_session_more_than_24_hours_ahead(anna):
    appointment = session(anna, in_hours(48))

    response = client_for(anna.user).post(cancel_url(appointment), {"reason": "Away on business"})

    assert response.status_code == 302
    assert response.url == LIST
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Cancelled by the patient online: Away on business"
    local = timezone.localtime(appointment.starts_at)
    assert messages_of(response) == [
        f"Your session on {local:%A} {local.day} {local:%B} at {local:%H:%M} is cancelled."
    ]


def test_the_reason_is_optional(anna):
    appointment = session(anna, in_hours(48))

    client_for(anna.user).post(cancel_url(appointment), {"reason": ""})

    appointment.refresh_from_db()
    assert appointment.cancellation_reason == "Cancelled by the patient online"


def test_inside_the_notice_period_the_page_says_to_call_the_clinic(anna):
    appointment = session(anna, in_hours(23))

    response = client_for(anna.user).get(cancel_url(appointment))

    shows(response, "can no longer be cancelled online", "+49 30 1234 5678", status=200)
    assert b'name="reason"' not in response.content


def test_inside_the_notice_period_a_post_is_refused_and_changes_nothing(anna):
    appointment = session(
        anna,
        in_hours(
            23,
        )
        + dt.timedelta(minutes=59),
    )

    response = client_for(anna.user).post(cancel_url(appointment), {"reason": "Too late"})

    assert response.status_code == 302
    assert messages_of(response) == [
        "Sessions can be cancelled online until 24 hours before they start. Please call the clinic on +49 30 1234 5678."
    ]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_cancelling_an_already_cancelled_session_says_so(anna):
    appointment = session(anna, in_hours(48), **CANCELLED)

    assert b"there is nothing to cancel" in client_for(anna.user).get(cancel_url(appointment)).content
    response = client_for(anna.user).post(cancel_url(appointment))
    assert messages_of(response) == ["This session is cancelled; it cannot be cancelled any more."]


def test_a_reason_too_long_is_shown_on_the_form_and_nothing_is_cancelled(anna):
    appointment = session(anna, in_hours(48))

    response = client_for(anna.user).post(cancel_url(appointment), {"reason": "x" * 201})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_another_patients_session_is_404_not_403(anna):
    other = session(portal_patient(), in_hours(48))
    client = client_for(anna.user)

    assert client.get(cancel_url(other)).status_code == 404
    assert client.post(cancel_url(other)).status_code == 404
    assert client.get(reverse("portal:portal_appointment_cancel", args=[999999])).status_code == 404
    other.refresh_from_db()
    assert other.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_staff_get_403_on_the_patient_cancel_page(role, anna):
    appointment = session(anna, in_hours(48))

    assert client_for(UserFactory(role=role)).post(cancel_url(appointment)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, anna):
    appointment = session(anna, in_hours(48))

    asks_to_log_in(client.post(cancel_url(appointment)))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_cancel_page_rejects_put(anna):
    appointment = session(anna, in_hours(48))

    assert client_for(anna.user).put(cancel_url(appointment)).status_code == 405


def test_cancelling_frees_the_slot_for_another_booking(anna, maria, massage, ben, linden):
    appointment = session(anna, at(next_weekday(2), 10), modality=massage, therapist=ben, room=linden)
    client_for(anna.user).post(cancel_url(appointment))

    other = appointment_book(
        patient=maria, therapist=ben, room=linden, modality=massage, starts_at=appointment.starts_at
    )

    assert other.starts_at == appointment.starts_at
