"""The front desk at the speed of a phone call: the day board's shading, "now", its card
buttons and its free cells; booking from a free cell through the patient search; the review
list by patient with the bulk cancel."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.models import Modality
from patients.models import Phase
from sessions.models import Appointment, AppointmentStatus
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    ClosureFactory,
    CourseFactory,
    ModalityFactory,
    PatientFactory,
    PhaseRecordFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    at,
)
from tests.scenes import consent_rule, shows

BOARD = reverse("reception:day_board")


def row_of(board, hour: int, minute: int = 0) -> int:
    return next(i for i, row in enumerate(board.rows) if row.time == dt.time(hour, minute))


def test_the_board_shades_what_is_not_working_time(reception, massage, monday, db):
    anna = TherapistFactory(user__first_name="Anna", user__last_name="Kuhn", modalities=[massage],
                            hours=[(0, "08:00", "12:00"), (0, "13:00", "18:00")])  # fmt: skip
    ben = TherapistFactory(user__first_name="Ben", user__last_name="Ortiz", modalities=[massage],
                           hours=[(0, "10:00", "16:00")])  # fmt: skip
    off_today = TherapistFactory(user__first_name="Cleo", user__last_name="Day", modalities=[massage])
    ClosureFactory(therapist=off_today, starts_on=monday, ends_on=monday, reason="Holiday")
    board = reception.get(BOARD, {"day": monday.isoformat()}).context["board"]
    off = dict(zip([column.pk for column in board.columns], board.off, strict=True))
    assert row_of(board, 9) not in off[anna.pk]
    assert row_of(board, 12, 15) in off[anna.pk]  # her lunch break
    assert row_of(board, 13) not in off[anna.pk]
    assert row_of(board, 9) in off[ben.pk] and row_of(board, 10) not in off[ben.pk]
    assert off[off_today.pk] == set(range(len(board.rows)))  # a day off is not free time


def test_a_clinic_closure_or_public_holiday_shades_every_column(reception, anna, ben, monday):
    ClosureFactory(therapist=None, starts_on=monday, ends_on=monday, reason="Staff training")
    board = reception.get(BOARD, {"day": monday.isoformat()}).context["board"]
    assert all(off == set(range(len(board.rows))) for off in board.off)
    assert board.off and 'class="off"' in board.rows_html()


def test_todays_board_marks_now_and_offers_check_in_and_no_show_from_the_card(reception, maria, massage, linden):
    anna = TherapistFactory(modalities=[massage], hours=[(d, "00:00", "23:45") for d in range(7)])
    now = timezone.localtime()
    started = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    session = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=started)
    upcoming = AppointmentFactory(modality=massage, therapist=anna, room=RoomFactory(modalities=[massage]),
                                  starts_at=started - dt.timedelta(hours=2))  # fmt: skip
    Appointment.objects.filter(pk=upcoming.pk).update(status=AppointmentStatus.COMPLETED)
    response = reception.get(BOARD)
    assert response.context["board"].now_row is not None
    content = shows(
        response,
        '<tr class="now"',
        '<form id="board-actions" method="post"',
        f'formaction="{reverse("booking:appointment_check_in", args=[session.pk])}"',
        f'formaction="{reverse("booking:appointment_no_show", args=[session.pk])}"',
    )
    # A completed session offers neither (appointment_actions decides).
    assert reverse("booking:appointment_check_in", args=[upcoming.pk]) not in content


def test_todays_board_withholds_check_in_where_a_rule_blocks_the_sessions_own_modality(reception, maria, massage):
    """The card asks the contraindication check about its session's modality: a rule for the
    modalities that use oils, with the oils consent unsigned, blocks the massage, not dry cupping."""
    Modality.objects.filter(pk=massage.pk).update(uses_oils=True)
    dry = ModalityFactory(name="Dry cupping", uses_oils=False)
    consent_rule("block", oil_modalities_only=True)
    every_day = [(d, "00:00", "23:45") for d in range(7)]
    now = timezone.localtime()
    started = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    oiled = AppointmentFactory(patient=maria, modality=massage, starts_at=started,
                               therapist=TherapistFactory(modalities=[massage], hours=every_day),
                               room=RoomFactory(modalities=[massage]))  # fmt: skip
    unoiled = AppointmentFactory(modality=dry, starts_at=started,
                                 therapist=TherapistFactory(modalities=[dry], hours=every_day),
                                 room=RoomFactory(modalities=[dry]))  # fmt: skip
    content = reception.get(BOARD).content.decode()
    assert reverse("booking:appointment_check_in", args=[unoiled.pk]) in content
    assert reverse("booking:appointment_check_in", args=[oiled.pk]) not in content
    # No-show is no treatment: the rule does not withhold it.
    assert reverse("booking:appointment_no_show", args=[oiled.pk]) in content


def test_checking_in_from_the_card_returns_to_the_board(reception, maria, massage, linden):
    anna = TherapistFactory(modalities=[massage], hours=[(d, "00:00", "23:45") for d in range(7)])
    now = timezone.localtime()
    started = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    session = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=started)
    response = reception.post(
        reverse("booking:appointment_check_in", args=[session.pk]), {"next": BOARD + "?by=therapist"}
    )
    assert response.status_code == 302 and response.url == BOARD + "?by=therapist"
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CHECKED_IN


def test_the_card_offers_nothing_on_another_day(reception, anna, maria, massage, linden, monday):
    session = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 10))
    content = reception.get(BOARD, {"day": monday.isoformat()}).content.decode()
    assert reverse("booking:appointment_check_in", args=[session.pk]) not in content
    assert '<tr class="now"' not in content


def test_todays_board_runs_the_same_queries_for_2_or_20_sessions(reception, massage, django_assert_max_num_queries):
    therapists = [
        TherapistFactory(modalities=[massage], hours=[(d, "00:00", "23:45") for d in range(7)]) for _ in range(2)
    ]
    today = timezone.localdate()

    def book(count):
        Appointment.objects.all().delete()
        for i in range(count):
            AppointmentFactory(modality=massage, therapist=therapists[i % 2], room=RoomFactory(modalities=[massage]),
                               starts_at=at(today, i // 2, 0) + dt.timedelta(minutes=60))  # fmt: skip

    book(2)
    # The ten of any day, plus the booked sessions and the contraindication check (at most 5).
    with django_assert_max_num_queries(15):
        reception.get(BOARD)
    book(20)
    with django_assert_max_num_queries(15):
        reception.get(BOARD)


def test_the_board_body_refreshes_itself_every_minute(reception, anna, monday):
    shows(
        reception.get(BOARD, {"day": monday.isoformat()}),
        'id="board-body" hx-get="/reception/?day=',
        'hx-trigger="every 60s" hx-select="#board-body" hx-swap="outerHTML"',
        f'data-book-url="/patients/?day={monday.isoformat()}"',
        f'data-therapist="{anna.pk}"',
        "/static/js/board.js",
    )


def test_the_patient_search_carries_the_booking_intent(reception, anna, maria, monday):
    response = reception.get(
        reverse("reception:patient_list"),
        {"therapist": anna.pk, "day": monday.isoformat(), "time": "09:15", "q": "Lopez"},
    )
    shows(
        response,
        f"Booking {monday.isoformat()} at 09:15 with Anna Kuhn",
        f'/book/?patient={maria.pk}&amp;therapist={anna.pk}&amp;day={monday.isoformat()}&amp;time=09%3A15">Book',
        'name="therapist" value',
    )


def test_a_wrong_intent_is_dropped_and_the_search_still_works(reception, maria):
    response = reception.get(reverse("reception:patient_list"), {"therapist": "x", "day": "1800-01-01", "q": "Lopez"})
    assert response.status_code == 200
    assert response.context["intent"] == {}
    assert "Maria" in response.content.decode()


def test_booking_from_a_free_cell_preselects_the_time_on_the_patients_course(
    reception, anna, maria, massage, linden, monday
):
    course = CourseFactory(patient=maria, modality=massage)
    response = reception.get(
        reverse("booking:appointment_book"),
        {"patient": maria.pk, "therapist": anna.pk, "day": monday.isoformat(), "time": "09:15"},
    )
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["course"] == course
    assert response.context["slot_day"] == monday
    chosen = response.context["chosen_slot"]
    assert chosen.startswith(at(monday, 9, 15).isoformat(timespec="minutes")) and f"|{anna.pk}|" in chosen
    assert f'value="{chosen}" checked' in response.content.decode()


def test_booking_from_a_free_cell_without_a_single_course_asks_for_the_modality(reception, anna, maria, monday):
    response = reception.get(
        reverse("booking:appointment_book"), {"patient": maria.pk, "therapist": anna.pk, "day": monday.isoformat()}
    )
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert response.context["form"].initial["therapist"] == str(anna.pk)
    assert "Choose a course or a modality." not in response.content.decode()


# --- Needs review: by patient, with the phone, cancel all -------------------------------------------


@pytest.fixture
def flagged(maria, anna, massage, linden, monday):
    sessions = [
        AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, hour))
        for hour in (9, 11)
    ]
    PhaseRecordFactory(diagnosis__patient=maria, phase=Phase.ACUTE)
    return sessions


def test_the_review_list_groups_by_patient_with_the_phone_and_the_whole_reason(reception, maria, flagged):
    Appointment.objects.filter(pk=flagged[0].pk).update(review_reason="Review: " + "long reason " * 20)
    maria.phone = "030 555 0123"
    maria.save()
    response = reception.get(reverse("reception:review_list"))
    assert [group["patient"] for group in response.context["groups"]] == [maria]
    shows(
        response,
        'href="tel:030 555 0123"',
        "long reason " * 19,
        "Cancel all 2",
        f"{reverse('booking:appointment_reschedule', args=[flagged[0].pk])}?next=/reception/review/",
    )


def test_cancel_all_cancels_every_flagged_session_of_the_patient(reception, maria, flagged, monday):
    other = AppointmentFactory(starts_at=at(monday, 9), needs_review=True, review_reason="Review: x")
    response = reception.post(reverse("reception:review_cancel_all", args=[maria.pk]), {"reason": "Acute phase"})
    assert response.status_code == 302 and response.url == reverse("reception:review_list")
    statuses = set(
        Appointment.objects.filter(pk__in=[s.pk for s in flagged]).values_list("status", "cancellation_reason")
    )
    assert statuses == {(AppointmentStatus.CANCELLED, "Acute phase")}
    assert Appointment.objects.get(pk=other.pk).status == AppointmentStatus.BOOKED
    # Recorded like a single cancellation (appointment_status_set): the reason and the moment, the
    # review flag cleared. Appointments are not in AUDITLOG_INCLUDE_TRACKING_MODELS; neither is a single cancel.
    for session in Appointment.objects.filter(pk__in=[s.pk for s in flagged]):
        assert session.cancelled_at is not None and not session.needs_review


def test_cancel_all_without_a_reason_changes_nothing(reception, maria, flagged):
    response = reception.post(reverse("reception:review_cancel_all", args=[maria.pk]), {"reason": ""})
    assert response.status_code == 302
    assert not Appointment.objects.filter(status=AppointmentStatus.CANCELLED).exists()


def test_cancel_all_refuses_get_and_other_roles(maria, flagged):
    url = reverse("reception:review_cancel_all", args=[maria.pk])
    assert client_for(UserFactory(role=roles.RECEPTIONIST)).get(url).status_code == 405
    assert client_for(UserFactory(role=roles.THERAPIST)).post(url, {"reason": "x"}).status_code == 403
    assert not Appointment.objects.filter(status=AppointmentStatus.CANCELLED).exists()


def test_cancel_all_for_a_patient_with_nothing_flagged_says_so(reception, db):
    patient = PatientFactory(first_name="Ida", last_name="Nord")
    response = reception.post(reverse("reception:review_cancel_all", args=[patient.pk]), {"reason": "x"}, follow=True)
    assert "No session of Ida Nord waits for review any more." in response.content.decode()
