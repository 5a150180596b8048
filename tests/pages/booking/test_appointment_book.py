import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from pages.booking.forms import slot_value
from patients.models import FlagKind, Phase
from sessions.models import Appointment
from tests import factories
from tests.conftest import client_for
from tests.factories import at, next_weekday
from tests.scenes import asks_to_log_in, shows

URL = reverse("booking:appointment_book")
MONDAY = next_weekday(0)
CHOOSE_A_SLOT = "Choose one of the free slots shown."


def offered(response) -> list[tuple[str, object, object]]:
    """The free slots on the page as ("HH:MM", therapist, room)."""
    return [
        (timezone.localtime(slot.starts_at).strftime("%H:%M"), slot.therapist, slot.room)
        for slot, _ in response.context["slots"]
    ]


@pytest.fixture
def ten_oclock(anna, linden) -> str:
    """The value the page sends for Monday 10:00 with Anna in Room Linden."""
    return slot_value(at(MONDAY, 10), anna, linden)


def choice(patient, massage, **extra) -> dict:
    return {"patient": patient.pk, "modality": massage.pk, "day": MONDAY.isoformat(), **extra}


def test_it_starts_with_the_choices_and_no_complaints(reception, maria, massage):
    response = reception.get(URL, {"patient": maria.pk})
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    content = shows(
        response,
        "Book a session for",
        "Maria Lopez",
        f'<option value="{massage.pk}">Therapeutic massage</option>',
        # The issue "front desk at the speed of a phone call": no longer today, the next free day.
        "Empty: the next free day.",
    )
    assert 'name="day" value=' not in content
    assert "This field is required." not in content
    assert "Choose a course or a modality, and a day." in content


def test_it_shows_the_free_slots_of_the_day(reception, maria, massage, anna, linden):
    factories.AppointmentFactory(modality=massage, therapist=anna, room=linden, starts_at=at(MONDAY, 10))
    response = reception.get(URL, choice(maria, massage))
    assert response.status_code == 200
    slots = offered(response)
    assert slots[0] == ("08:00", anna, linden)
    assert slots[-1] == ("17:15", anna, linden)  # the last 45 minutes before 18:00
    times = [time for time, _, _ in slots]
    assert "09:15" in times
    assert {"09:30", "10:00", "10:30"}.isdisjoint(times)  # Anna is busy 10:00–10:45
    assert "10:45" in times
    shows(
        response,
        "No contraindication recorded for Therapeutic massage.",
        f"Free slots on {MONDAY:%A} {MONDAY.day} {MONDAY:%B}",
        f'value="{slot_value(at(MONDAY, 8), anna, linden)}"',
        # The compact picker (the front-desk issue): per therapist a fieldset of time chips.
        "<legend>Anna Kuhn</legend>",
        ">08:00</label>",
    )


def test_it_narrows_the_slots_to_the_chosen_therapist(reception, maria, massage, anna, linden):
    ben = factories.TherapistFactory(user__first_name="Ben", user__last_name="Ortiz", modalities=[massage])
    factories.RoomFactory(name="Room Maple", modalities=[massage])
    everyone = {therapist for _, therapist, _ in offered(reception.get(URL, choice(maria, massage)))}
    assert everyone == {anna, ben}
    only_ben = {therapist for _, therapist, _ in offered(reception.get(URL, choice(maria, massage, therapist=ben.pk)))}
    assert only_ben == {ben}


def test_it_books_the_chosen_slot_and_opens_the_appointment(
    reception, receptionist, maria, massage, anna, linden, ten_oclock
):
    response = reception.post(URL, choice(maria, massage, slot=ten_oclock))
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response.url == appointment.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Booked Therapeutic massage for Maria Lopez."]
    assert (appointment.patient, appointment.modality, appointment.therapist, appointment.room) == (
        maria,
        massage,
        anna,
        linden,
    )
    assert (appointment.starts_at, appointment.ends_at) == (at(MONDAY, 10), at(MONDAY, 10, 45))
    assert appointment.booked_by == receptionist
    assert appointment.course is None


def test_it_books_a_session_of_a_course_with_the_courses_length(reception, maria, massage, anna, linden):
    course = factories.CourseFactory(patient=maria, modality=massage, session_minutes=30)
    response = reception.post(
        URL,
        {
            "patient": maria.pk,
            "course": course.pk,
            "day": MONDAY.isoformat(),
            "slot": slot_value(at(MONDAY, 9), anna, linden),
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.course, appointment.modality) == (course, massage)
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=30)


def test_it_offers_only_the_patients_open_courses(reception, maria, massage):
    open_course = factories.CourseFactory(patient=maria, modality=massage)
    factories.CourseFactory(patient=maria, modality=massage, status="completed")
    factories.CourseFactory(modality=massage)  # someone else's
    response = reception.get(URL, {"patient": maria.pk})
    assert list(response.context["form"].fields["course"].queryset) == [open_course]


def test_it_asks_for_a_slot_when_none_is_chosen(reception, maria, massage, anna, linden):
    response = reception.post(URL, choice(maria, massage))
    assert response.status_code == 200
    content = response.content.decode()
    assert CHOOSE_A_SLOT in content
    assert offered(response)[0] == ("08:00", anna, linden)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "slot",
    [
        "garbage",
        "2026-11-30T10:00:00+01:00|1",
        "not-a-time|1|1",
        "2026-11-30T10:00:00+01:00|one|1",
        "2026-11-30T10:00:00+01:00|999999|1",
        "2026-11-30T10:00:00+01:00|1|99999999999999999999999",
        "a|b|c|d",
    ],
)
def test_it_refuses_a_malformed_slot_and_shows_the_free_ones(reception, maria, massage, anna, linden, slot):
    response = reception.post(URL, choice(maria, massage, slot=slot))
    assert response.status_code == 200
    assert CHOOSE_A_SLOT in response.content.decode()
    assert ("08:00", anna, linden) in offered(response)
    assert not Appointment.objects.exists()


def test_it_refuses_a_slot_taken_since_the_page_was_drawn(reception, maria, massage, anna, linden, ten_oclock):
    reception.get(URL, choice(maria, massage))
    taken = factories.AppointmentFactory(modality=massage, therapist=anna, room=linden, starts_at=at(MONDAY, 10))
    response = reception.post(URL, choice(maria, massage, slot=ten_oclock))
    shows(
        response,
        "The booking was refused",
        f"Anna Kuhn is already booked {MONDAY:%a} {MONDAY.day} {MONDAY:%b} 10:00–10:45.",
        status=200,
    )
    assert list(Appointment.objects.all()) == [taken]


def test_it_refuses_a_day_in_the_past(reception, maria, massage, anna, linden):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    slot = slot_value(at(yesterday, 10), anna, linden)
    for response in (
        reception.get(URL, choice(maria, massage, day=yesterday.isoformat())),
        reception.post(URL, choice(maria, massage, day=yesterday.isoformat(), slot=slot)),
    ):
        assert response.status_code == 200
        assert "Choose today or a later day." in response.content.decode()
        assert "slots" not in response.context
    assert not Appointment.objects.exists()


def test_it_refuses_a_past_slot_sent_for_a_later_day(reception, maria, massage, anna, linden):
    last_week = MONDAY - dt.timedelta(days=14)
    response = reception.post(URL, choice(maria, massage, slot=slot_value(at(last_week, 10), anna, linden)))
    assert response.status_code == 200
    assert "The start time is in the past." in response.content.decode()
    assert not Appointment.objects.exists()


def test_it_asks_for_a_course_or_a_modality(reception, maria, anna, linden, ten_oclock):
    response = reception.post(URL, {"patient": maria.pk, "day": MONDAY.isoformat(), "slot": ten_oclock})
    assert response.status_code == 200
    assert "Choose a course or a modality." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("patient", ["999999", "abc", "", "1.5"])
def test_it_answers_404_for_an_unknown_patient(reception, massage, ten_oclock, patient):
    assert reception.get(URL, {"patient": patient}).status_code == 404
    data = {"patient": patient, "modality": massage.pk, "day": MONDAY.isoformat(), "slot": ten_oclock}
    assert reception.post(URL, data).status_code == 404
    assert not Appointment.objects.exists()


def test_it_shows_why_an_acute_patient_cannot_be_booked_and_offers_no_slot(
    reception, maria, massage, anna, linden, disc
):
    factories.PhaseRecordFactory(diagnosis=disc, phase=Phase.ACUTE)
    response = reception.get(URL, choice(maria, massage))
    content = shows(
        response,
        'id="contraindication-blocks"',
        "Maria Lopez cannot be booked for Therapeutic massage",
        "Acute phase of M51.1 Lumbar disc disorder with radiculopathy",
        status=200,
    )
    assert response.context["slots"] == []
    assert 'name="slot"' not in content


def test_it_refuses_to_book_an_acute_patient_even_with_a_slot(reception, maria, massage, ten_oclock, disc):
    factories.PhaseRecordFactory(diagnosis=disc, phase=Phase.ACUTE)
    response = reception.post(URL, choice(maria, massage, slot=ten_oclock, confirm_warnings="on"))
    shows(response, 'id="booking-refused"', "Acute phase of M51.1", status=200)
    assert not Appointment.objects.exists()


def test_it_books_a_patient_whose_acute_phase_is_over(reception, maria, massage, ten_oclock):
    disc = factories.DiagnosisFactory(patient=maria)
    factories.PhaseRecordFactory(
        diagnosis=disc, phase=Phase.ACUTE, effective_from=timezone.now() - dt.timedelta(days=20)
    )
    factories.PhaseRecordFactory(
        diagnosis=disc, phase=Phase.SUBACUTE, effective_from=timezone.now() - dt.timedelta(days=2)
    )
    assert reception.post(URL, choice(maria, massage, slot=ten_oclock)).status_code == 302
    assert Appointment.objects.count() == 1


def test_it_shows_warnings_and_books_only_once_they_are_confirmed(reception, maria, massage, ten_oclock):
    factories.HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)
    page = reception.get(URL, choice(maria, massage)).content.decode()
    assert 'id="contraindication-warnings"' in page
    assert "the therapist should check it and adapt the pressure" in page
    assert 'name="confirm_warnings"' in page

    refused = reception.post(URL, choice(maria, massage, slot=ten_oclock))
    assert refused.status_code == 200
    assert "Confirm the warnings to go ahead." in refused.content.decode()
    assert not Appointment.objects.exists()

    booked = reception.post(URL, choice(maria, massage, slot=ten_oclock, confirm_warnings="on"))
    assert booked.status_code == 302
    assert Appointment.objects.get().starts_at == at(MONDAY, 10)


def test_htmx_gets_only_the_options_fragment(reception, maria, massage, anna, linden):
    response = reception.get(URL, choice(maria, massage), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "<form" not in content
    assert f"Free slots on {MONDAY:%A} {MONDAY.day} {MONDAY:%B}" in content
    assert f'value="{slot_value(at(MONDAY, 8), anna, linden)}"' in content


def test_htmx_fragment_explains_what_is_missing(reception, maria):
    response = reception.get(URL, {"patient": maria.pk, "day": MONDAY.isoformat()}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "Choose a course or a modality, and a day." in content
    assert "Choose a course or a modality." in content


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_therapists_and_managers_may_book(request, role, maria, massage, ten_oclock):
    user = request.getfixturevalue(role)
    user = getattr(user, "user", user)
    assert client_for(user).post(URL, choice(maria, massage, slot=ten_oclock)).status_code == 302
    assert Appointment.objects.get().booked_by == user


def test_it_asks_anonymous_visitors_to_log_in(client, maria, massage, ten_oclock):
    for response in (client.get(URL, {"patient": maria.pk}), client.post(URL, choice(maria, massage, slot=ten_oclock))):
        asks_to_log_in(response)
    assert not Appointment.objects.exists()


def test_it_refuses_patients(patient_user, maria, massage, ten_oclock):
    client = client_for(patient_user)
    own = patient_user.patient
    assert client.get(URL, {"patient": own.pk}).status_code == 403
    assert client.post(URL, choice(own, massage, slot=ten_oclock)).status_code == 403
    assert client.post(URL, choice(maria, massage, slot=ten_oclock)).status_code == 403
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(reception, maria, method):
    assert getattr(reception, method)(f"{URL}?patient={maria.pk}").status_code == 405
