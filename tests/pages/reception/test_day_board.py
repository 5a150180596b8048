import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import setup_cache
from clinic.models import Room
from clinic.setup_lists import names_by_id
from pages.reception.board import day_board
from sessions.models import Appointment, AppointmentStatus
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    at,
)
from tests.scenes import course_session, queries_of, shows

URL = reverse("reception:day_board")
# Session, user, roles, review count, sites, columns, opening hours, appointments, course positions,
# closures, working hours (the shading).
MAX_QUERIES = 11


def cards(response) -> dict[tuple[str, str], int]:
    """Every card on the board as {(column, "HH:MM" of its row): appointment's pk}."""
    board = response.context["board"]
    placed = {}
    for row in board.rows:
        for column, cell in zip(board.columns, row.cells, strict=True):
            if cell is not None and cell.appointment is not None:
                placed[(str(column), row.time.strftime("%H:%M"))] = cell.appointment.pk
    return placed


@pytest.fixture
def marias_second_session(maria, massage, anna, linden, monday):
    """Monday 10:00 is the second session of Maria's ten-session course."""
    course = CourseFactory(patient=maria, modality=massage, min_sessions=10, max_sessions=10)
    course_session(course, anna, linden, at(monday, 10) - dt.timedelta(days=4))
    return course_session(course, anna, linden, at(monday, 10))


def test_it_shows_each_session_in_its_therapists_column(reception, marias_second_session, ben, monday):
    response = reception.get(URL, {"day": monday.isoformat()})
    assert response.status_code == 200
    assert [str(column) for column in response.context["board"].columns] == ["Anna Kuhn", "Ben Ortiz"]
    assert cards(response) == {("Anna Kuhn", "10:00"): marias_second_session.pk}
    content = shows(
        response,
        f'<th scope="col" data-therapist="{marias_second_session.therapist_id}"><a href=',
        "Maria Lopez",
        "10:00–10:45 · Therapeutic massage",
        "Session 2 of 10",
        "Room Linden · Booked",
    )
    assert 'rowspan="3"' in content  # 45 minutes cover three 15-minute rows
    assert f'href="{marias_second_session.get_absolute_url()}"' in content


def test_it_counts_only_the_sessions_that_count_towards_the_course(reception, maria, massage, anna, linden, monday):
    """A cancelled or missed session earlier in the course leaves the count where it was, and a
    course with a range of sessions shows the range."""
    course = CourseFactory(patient=maria, modality=massage, min_sessions=12, max_sessions=15)
    earlier = [AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]
    for days_before, status in zip((6, 5, 4), earlier, strict=True):
        course_session(
            course,
            anna,
            linden,
            at(monday, 10) - dt.timedelta(days=days_before),
            status=status,
            cancellation_reason="Ill" if status == AppointmentStatus.CANCELLED else "",
        )
    course_session(course, anna, linden, at(monday, 10))
    content = reception.get(URL, {"day": monday.isoformat()}).content.decode()
    assert "Session 2 of 12–15" in content


def test_it_escapes_names_people_typed(reception, massage, anna, monday):
    AppointmentFactory(
        patient=PatientFactory(first_name="<script>alert(1)</script>", last_name="O'Brien & Co"),
        modality=massage,
        therapist=anna,
        starts_at=at(monday, 9),
    )
    content = reception.get(URL, {"day": monday.isoformat()}).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; Co" in content


def test_it_shows_the_status_of_each_session(reception, massage, anna, ben, monday):
    AppointmentFactory(modality=massage, therapist=anna, starts_at=at(monday, 9), status=AppointmentStatus.CHECKED_IN)
    AppointmentFactory(modality=massage, therapist=ben, starts_at=at(monday, 9), status=AppointmentStatus.NO_SHOW)
    content = reception.get(URL, {"day": monday.isoformat()}).content.decode()
    assert " · Checked in</span>" in content
    assert " · No-show</span>" in content


def test_it_puts_rooms_in_the_columns_when_asked(reception, marias_second_session, maple, monday):
    response = reception.get(URL, {"day": monday.isoformat(), "by": "room"})
    assert response.status_code == 200
    assert response.context["board"].by == "room"
    assert [str(column) for column in response.context["board"].columns] == ["Room Linden", "Room Maple"]
    assert cards(response) == {("Room Linden", "10:00"): marias_second_session.pk}
    content = response.content.decode()
    assert '<th scope="col">Room Maple</th>' in content
    assert "Anna Kuhn · Booked" in content  # in a room column, the card names the therapist


def test_it_falls_back_to_therapist_columns_for_an_unknown_layout(reception, anna, monday):
    response = reception.get(URL, {"day": monday.isoformat(), "by": "colour"})
    assert response.context["board"].by == "therapist"
    assert [str(column) for column in response.context["board"].columns] == ["Anna Kuhn"]


def test_it_leaves_cancelled_sessions_off_and_shows_who_took_the_slot(reception, massage, anna, linden, monday):
    AppointmentFactory(
        patient=PatientFactory(first_name="Carl", last_name="Cancelled"),
        modality=massage,
        therapist=anna,
        room=linden,
        starts_at=at(monday, 10),
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Called in sick",
    )
    rebooked = AppointmentFactory(modality=massage, therapist=anna, room=linden, starts_at=at(monday, 10))
    response = reception.get(URL, {"day": monday.isoformat()})
    assert cards(response) == {("Anna Kuhn", "10:00"): rebooked.pk}
    assert response.context["board"].appointment_count == 1
    content = response.content.decode()
    assert "Carl Cancelled" not in content
    assert "1 session booked." in content


def test_it_shows_only_the_chosen_day(reception, massage, anna, monday):
    tuesday = monday + dt.timedelta(days=1)
    AppointmentFactory(
        patient=PatientFactory(first_name="Theo", last_name="Elsewhere"), therapist=anna, starts_at=at(tuesday, 10)
    )
    response = reception.get(URL, {"day": monday.isoformat()})
    assert cards(response) == {}
    assert "Theo Elsewhere" not in response.content.decode()
    assert "Theo Elsewhere" in reception.get(URL, {"day": tuesday.isoformat()}).content.decode()


def flagged(massage, anna, monday, **fields):
    """Anna's Monday 11:00 massage, flagged for review when its patient turned acute."""
    return AppointmentFactory(
        modality=massage,
        therapist=anna,
        starts_at=at(monday, 11),
        needs_review=True,
        review_reason="Review: acute phase",
        **fields,
    )


def test_it_marks_a_session_that_needs_review(reception, massage, anna, monday):
    flagged(massage, anna, monday)
    content = reception.get(URL, {"day": monday.isoformat()}).content.decode()
    assert "needs-review" in content
    assert "Needs review</span>" in content
    assert "1 upcoming session needs review because a patient turned acute." in content
    assert f'href="{reverse("reception:review_list")}"' in content


def test_the_review_banner_ignores_a_flagged_session_that_was_cancelled(reception, massage, anna, monday):
    flagged(massage, anna, monday, status=AppointmentStatus.CANCELLED, cancellation_reason="Patient is acute")
    response = reception.get(URL, {"day": monday.isoformat()})
    assert response.context["review_count"] == 0
    assert "need review" not in response.content.decode()


def test_it_links_to_the_neighbouring_days_and_the_week(reception, monday):
    response = reception.get(URL, {"day": monday.isoformat(), "by": "room"})
    content = response.content.decode()
    assert f'<h1 class="h3 mb-0 me-3">{monday:%A} {monday.day} {monday:%B %Y}</h1>' in content
    previous_day, next_day = monday - dt.timedelta(days=1), monday + dt.timedelta(days=1)
    assert f'href="?day={previous_day.isoformat()}&by=room"' in content
    assert f'href="?day={next_day.isoformat()}&by=room"' in content
    assert f'href="{reverse("reception:week_board")}?day={monday.isoformat()}"' in content


def test_it_shows_today_without_a_day(reception):
    response = reception.get(URL)
    assert response.status_code == 200
    assert response.context["board"].day == timezone.localdate()


@pytest.mark.parametrize("day", ["", "garbage", "2026-13-45", "30.11.2026", "9999-12-31", "0001-01-01"])
def test_it_falls_back_to_today_for_a_day_it_cannot_show(reception, day):
    response = reception.get(URL, {"day": day})
    assert response.status_code == 200
    assert response.context["board"].day == timezone.localdate()


def test_it_stretches_the_rows_to_a_session_outside_the_usual_hours(reception, massage, anna, monday):
    early = AppointmentFactory(modality=massage, therapist=anna, starts_at=at(monday, 7))
    response = reception.get(URL, {"day": monday.isoformat()})
    rows = response.context["board"].rows
    assert rows[0].time == dt.time(7, 0)
    assert rows[-1].time == dt.time(17, 45)
    assert cards(response) == {("Anna Kuhn", "07:00"): early.pk}


def book_many(day: dt.date, count: int, massage) -> None:
    """`count` sessions on `day`, five per therapist, every other one part of a course."""
    therapists = [TherapistFactory(modalities=[massage]) for _ in range(count // 5)]
    for i in range(count):
        course = CourseFactory(modality=massage) if i % 2 == 0 else None
        AppointmentFactory(
            patient=course.patient if course else PatientFactory(),
            course=course,
            modality=massage,
            therapist=therapists[i % len(therapists)],
            room=RoomFactory(modalities=[massage]),
            starts_at=at(day, 8 + i // len(therapists)),
            needs_review=i % 7 == 0,
            review_reason="Review: acute phase" if i % 7 == 0 else "",
        )


@pytest.mark.parametrize("by", ["therapist", "room"])
def test_it_runs_the_same_few_queries_for_5_or_50_sessions(
    reception, massage, monday, by, django_assert_max_num_queries, settings
):
    settings.CLINIC_KEPT_PAGES_MB = 0  # every look draws the board: the drawing's queries are counted
    tuesday = monday + dt.timedelta(days=1)
    book_many(monday, 5, massage)
    book_many(tuesday, 50, massage)
    with django_assert_max_num_queries(MAX_QUERIES):
        few = reception.get(URL, {"day": monday.isoformat(), "by": by})
    with django_assert_max_num_queries(MAX_QUERIES):
        many = reception.get(URL, {"day": tuesday.isoformat(), "by": by})
    assert (few.context["board"].appointment_count, many.context["board"].appointment_count) == (5, 50)
    assert len(cards(few)) == 5
    assert len(cards(many)) == 50
    assert queries_of(reception, URL, {"day": monday.isoformat(), "by": by}) == queries_of(
        reception, URL, {"day": tuesday.isoformat(), "by": by}
    )


@pytest.mark.parametrize(
    ("status", "reads"),
    [(AppointmentStatus.NO_SHOW, "Not counted in the course of 10"), (AppointmentStatus.BOOKED, "Session 2 of 10")],
)
def test_a_sessions_place_in_its_course_reads_the_same_on_the_boards_and_its_page(
    reception, marias_second_session, monday, status, reads
):
    """One source (sessions.course_progress.course_position): a no-show has no number anywhere."""
    marias_second_session.status = status
    marias_second_session.save()
    pages = {
        "day board": reception.get(URL, {"day": monday.isoformat()}),
        "week": reception.get(reverse("reception:week_board"), {"day": monday.isoformat()}),
        "detail": reception.get(marias_second_session.get_absolute_url()),
    }
    for name, response in pages.items():
        content = response.content.decode()
        assert reads in content, name
        assert "Session ?" not in content and "Session –" not in content and "?/" not in content, name


def test_a_room_added_after_the_request_read_the_set_up_still_names_its_cards(maria, massage, anna, maple, monday):
    """The cards take their rooms' names from the set-up cache; a room made after this request read
    the cache's token (and, without signals, unknown to the request) is named from the database."""
    setup_cache._request_begins()  # the receiver alone: Django's own would close the test's connection
    try:
        names_by_id()
        oak = Room.objects.bulk_create([Room(name="Room Oak", location=maple.location)])[0]
        session = Appointment(
            patient=maria, modality=massage, therapist=anna, room=oak, starts_at=at(monday, 9), ends_at=at(monday, 10)
        )
        Appointment.objects.bulk_create([session])
        assert oak.pk not in names_by_id().rooms
        board = day_board(day=monday)
    finally:
        setup_cache._request_ends()
    [card] = [cell.appointment for row in board.rows for cell in row.cells if cell and cell.appointment]
    assert (card.pk, card.room, card.therapist, card.modality) == (session.pk, "Room Oak", "Anna Kuhn", massage.name)
