import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from pages.booking.forms import slot_value
from patients.models import FlagKind, Phase
from sessions.models import Appointment
from tests.conftest import client_for
from tests.factories import (
    EVERY_DAY,
    AppointmentFactory,
    CourseFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    RoomFactory,
    TherapistFactory,
    at,
    next_weekday,
    therapist_named,
)
from tests.scenes import asks_to_log_in, shows

MONDAY = next_weekday(0)
WEEK = [MONDAY + dt.timedelta(days=i) for i in range(7)]
WEDNESDAY = WEEK[2]


def short(day: dt.date) -> str:
    """How the refusals write a day: "Wed 2 Dec"."""
    return f"{day:%a} {day.day} {day:%b}"


@pytest.fixture
def emma(cupping):
    """Works every day of the week, so a course on consecutive days fits her week."""
    return therapist_named("Emma Stein", cupping, hours=EVERY_DAY)


@pytest.fixture
def cupping_room(cupping):
    return RoomFactory(name="Room 3 (cupping)", modalities=[cupping])


@pytest.fixture
def course(maria, cupping):
    return CourseFactory(patient=maria, modality=cupping)


@pytest.fixture
def first_slot(emma, cupping_room) -> dict:
    return {"day": MONDAY.isoformat(), "time": "10:00", "therapist": emma.pk, "room": cupping_room.pk}


@pytest.fixture
def url(course, first_slot) -> str:
    """The page with its first slot chosen; the plan's form posts back to this same address."""
    return reverse("booking:course_series_book", args=[course.pk]) + "?" + urlencode(first_slot)


@pytest.fixture
def at_ten(emma, cupping_room) -> list[str]:
    """The seven dates at 10:00 as the plan sends them."""
    return [slot_value(at(day, 10), emma, cupping_room) for day in WEEK]


def test_it_asks_for_the_first_slot(reception, course, emma, cupping_room):
    response = reception.get(reverse("booking:course_series_book", args=[course.pk]))
    shows(
        response,
        "Book the course: Vacuum (cupping) massage for",
        "5–7 sessions of 20 minutes, consecutive days. 7 still to book.",
        "Choose the first slot",
        f'<option value="{emma.pk}">Emma Stein</option>',
        f'<option value="{cupping_room.pk}">Room 3 (cupping)</option>',
        status=200,
    )
    assert response.context["plan"] == []


def test_it_proposes_a_date_on_each_consecutive_day(reception, url, at_ten):
    response = reception.get(url)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [session.starts_at for session, _, _ in plan] == [at(day, 10) for day in WEEK]
    assert all(session.ok for session, _, _ in plan)
    assert response.context["chosen"] == set(at_ten)
    content = response.content.decode()
    for value in at_ten:
        assert f'name="slots" value="{value}"' in content
    assert f"{WEEK[6]:%a} {WEEK[6].day} {WEEK[6]:%b}, 10:00" in content
    assert content.count(">Free</td>") == 7
    assert not Appointment.objects.exists()


def test_it_books_every_ticked_date(reception, receptionist, url, course, maria, at_ten):
    response = reception.post(url, {"slots": at_ten})
    assert response.status_code == 302
    assert response.url == maria.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Booked 7 sessions of Vacuum (cupping) massage for Maria Lopez."
    ]
    booked = list(Appointment.objects.order_by("starts_at"))
    assert [(a.starts_at, a.ends_at) for a in booked] == [(at(day, 10), at(day, 10, 20)) for day in WEEK]
    assert {(a.course, a.patient, a.booked_by) for a in booked} == {(course, maria, receptionist)}


def test_it_books_only_the_dates_left_ticked(reception, url, at_ten):
    assert reception.post(url, {"slots": at_ten[:5]}).status_code == 302
    assert [a.starts_at for a in Appointment.objects.order_by("starts_at")] == [at(day, 10) for day in WEEK[:5]]


def test_it_proposes_only_what_is_left_of_the_course(reception, url, course, emma, cupping_room):
    for day in (MONDAY - dt.timedelta(days=3), MONDAY - dt.timedelta(days=2)):
        AppointmentFactory(patient=course.patient, course=course, modality=course.modality, starts_at=at(day, 10))
    response = reception.get(url)
    assert "5 still to book." in response.content.decode()
    assert 'id="series-continues"' not in response.content.decode()  # the booked ones lie before Monday
    assert [session.starts_at for session, _, _ in response.context["plan"]] == [at(day, 10) for day in WEEK[:5]]


@pytest.fixture
def emma_busy_on_wednesday(emma, cupping):
    return AppointmentFactory(therapist=emma, room=RoomFactory(), modality=cupping, starts_at=at(WEDNESDAY, 10))


def test_it_shows_a_date_that_does_not_work_and_offers_the_nearest_free_slot(reception, url, emma_busy_on_wednesday):
    response = reception.get(url)
    wednesday = response.context["plan"][2][0]
    assert not wednesday.ok
    assert wednesday.alternative.starts_at == at(WEDNESDAY, 9, 30)
    content = response.content.decode()
    assert f"Emma Stein is already booked {short(WEDNESDAY)} 10:00–10:20." in content
    assert "Offered instead: Same day at 09:30." in content


def test_one_refused_date_books_none_and_says_which_and_why(reception, url, at_ten, emma_busy_on_wednesday):
    response = reception.post(url, {"slots": at_ten})
    shows(
        response,
        'id="series-refused"',
        "Nothing was booked",
        f"{short(WEDNESDAY)} 10:00: Emma Stein is already booked {short(WEDNESDAY)} 10:00–10:20.",
        status=200,
    )
    assert list(Appointment.objects.all()) == [emma_busy_on_wednesday]


def test_it_books_the_offered_alternative_as_ticked(reception, url, emma_busy_on_wednesday):
    chosen = reception.get(url).context["chosen"]
    assert reception.post(url, {"slots": sorted(chosen)}).status_code == 302
    starts = sorted(a.starts_at for a in Appointment.objects.exclude(pk=emma_busy_on_wednesday.pk))
    assert starts == [at(day, 9, 30) if day == WEDNESDAY else at(day, 10) for day in WEEK]


def test_it_asks_to_keep_at_least_one_date(reception, url):
    response = reception.post(url, {})
    assert response.status_code == 200
    assert "Keep at least one date." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("bad", ["garbage", "2026-11-30T10:00:00+01:00|1", "not-a-time|1|1"])
def test_it_refuses_a_malformed_date_and_books_none(reception, url, at_ten, bad):
    response = reception.post(url, {"slots": [*at_ten[:3], bad]})
    assert response.status_code == 200
    assert "Choose one of the free slots shown." in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_acute_patient_gets_no_dates_and_no_booking(reception, url, maria, at_ten, disc):
    PhaseRecordFactory(diagnosis=disc, phase=Phase.ACUTE)
    page = reception.get(url)
    assert all(not session.ok and session.alternative is None for session, _, _ in page.context["plan"])
    content = page.content.decode()
    assert "Acute phase of M51.1 Lumbar disc disorder with radiculopathy" in content
    assert 'name="slots"' not in content

    response = reception.post(url, {"slots": at_ten})
    assert response.status_code == 200
    assert "Acute phase of M51.1" in response.content.decode()
    assert not Appointment.objects.exists()


def test_it_books_only_once_the_warnings_are_confirmed(reception, url, maria, at_ten):
    HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)
    refused = reception.post(url, {"slots": at_ten})
    assert refused.status_code == 200
    content = refused.content.decode()
    assert "Warnings to confirm" in content
    assert "the therapist should check it and adapt the pressure" in content
    assert "Confirm the warnings to go ahead." in content
    assert not Appointment.objects.exists()

    assert reception.post(url, {"slots": at_ten, "confirm_warnings": "on"}).status_code == 302
    assert Appointment.objects.count() == 7


def test_it_refuses_a_first_day_in_the_past(reception, course, first_slot):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = reception.get(
        reverse("booking:course_series_book", args=[course.pk]), {**first_slot, "day": yesterday.isoformat()}
    )
    assert response.status_code == 200
    assert "Choose today or a later day." in response.content.decode()
    assert response.context["plan"] == []


def test_it_only_offers_therapists_and_rooms_suited_to_the_modality(reception, course, first_slot):
    stranger = TherapistFactory(user__first_name="Carl", user__last_name="Voss")
    response = reception.get(
        reverse("booking:course_series_book", args=[course.pk]), {**first_slot, "therapist": stranger.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert response.context["plan"] == []


def test_it_answers_404_for_an_unknown_course(reception, db):
    assert reception.get(reverse("booking:course_series_book", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_therapists_and_managers_may_book_a_course(request, role, url, at_ten):
    user = request.getfixturevalue(role)
    user = getattr(user, "user", user)
    assert client_for(user).post(url, {"slots": at_ten}).status_code == 302
    assert {a.booked_by for a in Appointment.objects.all()} == {user}


def test_it_asks_anonymous_visitors_to_log_in(client, url, at_ten):
    for response in (client.get(url), client.post(url, {"slots": at_ten})):
        asks_to_log_in(response)
    assert not Appointment.objects.exists()


def test_it_refuses_patients(patient_user, url, at_ten):
    client = client_for(patient_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"slots": at_ten}).status_code == 403
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(reception, url, method):
    assert getattr(reception, method)(url).status_code == 405
    assert not Appointment.objects.exists()


def test_a_row_that_keeps_its_time_but_changes_its_room_says_so(reception, url, cupping, cupping_room):
    RoomFactory(name="Room 2 (birch)", modalities=[cupping])
    # Room 3 is taken on Wednesday at ten by another therapist's session; Emma is free.
    AppointmentFactory(room=cupping_room, modality=cupping, starts_at=at(WEDNESDAY, 10), therapist=TherapistFactory())

    response = reception.get(url)

    wednesday = response.context["plan"][2][0]
    assert wednesday.alternative.starts_at == at(WEDNESDAY, 10)
    assert "Offered instead: Same time, in Room 2 (birch) instead of Room 3 (cupping)." in response.content.decode()


def test_a_first_day_beyond_two_years_is_a_form_error(reception, course, first_slot):
    far = timezone.localdate() + dt.timedelta(days=731)
    response = reception.get(
        reverse("booking:course_series_book", args=[course.pk]), {**first_slot, "day": far.isoformat()}, secure=True
    )
    assert response.status_code == 200
    assert "Bookings reach two years ahead at most" in response.content.decode()
    assert response.context["plan"] == []


def test_a_plan_asked_before_the_last_booked_session_continues_after_it_and_says_so(reception, url, course):
    AppointmentFactory(patient=course.patient, course=course, modality=course.modality, starts_at=at(WEDNESDAY, 8))

    response = reception.get(url)

    assert response.context["plan"][0][0].starts_at == at(WEEK[3], 10)
    shows(response, f"The course's last booked session is on {short(WEDNESDAY)}: the plan continues after it.")
