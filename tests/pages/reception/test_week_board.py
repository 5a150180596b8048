import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import AppointmentStatus
from tests import factories
from tests.factories import at
from tests.scenes import queries_of

URL = reverse("reception:week_board")
# Session, user, roles, appointments, course positions.
MAX_QUERIES = 5


def week(response) -> dict[dt.date, list]:
    return dict(response.context["days"])


def test_it_shows_the_seven_days_of_the_week_of_the_chosen_day(reception, monday):
    wednesday = monday + dt.timedelta(days=2)
    response = reception.get(URL, {"day": wednesday.isoformat()})
    assert response.status_code == 200
    assert response.context["monday"] == monday
    assert list(week(response)) == [monday + dt.timedelta(days=i) for i in range(7)]
    content = response.content.decode()
    assert f"Week of {monday.day} {monday:%B %Y}" in content
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        assert f'href="{reverse("reception:day_board")}?day={day.isoformat()}"' in content
    assert f'href="?day={(monday - dt.timedelta(days=7)).isoformat()}"' in content
    assert f'href="?day={(monday + dt.timedelta(days=7)).isoformat()}"' in content


def test_it_lists_each_session_under_its_day_in_time_order(reception, massage, anna, maria, monday):
    thursday = monday + dt.timedelta(days=3)
    course = factories.CourseFactory(patient=maria, modality=massage, min_sessions=10, max_sessions=10)
    first = factories.AppointmentFactory(
        patient=maria, course=course, modality=massage, therapist=anna, starts_at=at(monday, 9)
    )
    later = factories.AppointmentFactory(modality=massage, therapist=anna, starts_at=at(thursday, 15))
    second = factories.AppointmentFactory(
        patient=maria,
        course=course,
        modality=massage,
        therapist=anna,
        room=factories.RoomFactory(),
        starts_at=at(thursday, 10),
    )
    days = week(reception.get(URL, {"day": monday.isoformat()}))
    assert days[monday] == [first]
    assert days[thursday] == [second, later]
    assert [len(appointments) for appointments in days.values()] == [1, 0, 0, 2, 0, 0, 0]
    assert days[thursday][0].session_number == 2

    content = reception.get(URL, {"day": monday.isoformat()}).content.decode()
    assert "Maria Lopez" in content
    assert "Therapeutic massage" in content
    assert "Anna Kuhn" in content
    assert "Session 2 of 10" in content
    assert f'href="{second.get_absolute_url()}"' in content
    assert "Nothing booked." in content


def test_it_leaves_out_cancelled_sessions_and_other_weeks(reception, anna, monday):
    factories.AppointmentFactory(
        patient=factories.PatientFactory(first_name="Carl", last_name="Cancelled"),
        therapist=anna,
        starts_at=at(monday, 10),
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Called in sick",
    )
    factories.AppointmentFactory(
        patient=factories.PatientFactory(last_name="Nextweek"),
        therapist=anna,
        starts_at=at(monday, 10) + dt.timedelta(days=7),
    )
    factories.AppointmentFactory(
        patient=factories.PatientFactory(last_name="Lastweek"),
        therapist=anna,
        starts_at=at(monday, 10) - dt.timedelta(days=1),
    )
    response = reception.get(URL, {"day": monday.isoformat()})
    assert all(appointments == [] for appointments in week(response).values())
    content = response.content.decode()
    for name in ("Carl Cancelled", "Nextweek", "Lastweek"):
        assert name not in content


def test_it_marks_a_session_that_needs_review(reception, anna, monday):
    factories.AppointmentFactory(
        therapist=anna, starts_at=at(monday, 11), needs_review=True, review_reason="Review: acute"
    )
    content = reception.get(URL, {"day": monday.isoformat()}).content.decode()
    assert "needs-review" in content
    assert "Needs review" in content


def test_it_counts_a_late_evening_session_on_its_local_day(reception, anna, monday):
    """23:30 in the clinic is already the next day in UTC; it belongs to the local day."""
    late = factories.AppointmentFactory(therapist=anna, starts_at=at(monday, 23, 30))
    assert week(reception.get(URL, {"day": monday.isoformat()}))[monday] == [late]


def test_it_shows_this_week_without_a_day(reception):
    today = timezone.localdate()
    response = reception.get(URL)
    assert response.status_code == 200
    assert response.context["monday"] == today - dt.timedelta(days=today.weekday())


@pytest.mark.parametrize("day", ["garbage", "2026-02-30", "9999-12-31", "0001-01-01"])
def test_it_falls_back_to_this_week_for_a_day_it_cannot_show(reception, day):
    today = timezone.localdate()
    response = reception.get(URL, {"day": day})
    assert response.status_code == 200
    assert response.context["monday"] == today - dt.timedelta(days=today.weekday())


def book_many(monday: dt.date, count: int, massage) -> None:
    """`count` sessions spread over the week, every other one part of a course."""
    therapists = [factories.TherapistFactory(modalities=[massage]) for _ in range(5)]
    for i in range(count):
        course = factories.CourseFactory(modality=massage) if i % 2 == 0 else None
        factories.AppointmentFactory(
            patient=course.patient if course else factories.PatientFactory(),
            course=course,
            modality=massage,
            therapist=therapists[i % 5],
            room=factories.RoomFactory(),
            starts_at=at(monday + dt.timedelta(days=i % 5), 8 + i // 5),
        )


def test_it_runs_the_same_few_queries_for_5_or_50_sessions(reception, massage, monday, django_assert_max_num_queries):
    next_monday = monday + dt.timedelta(days=7)
    book_many(monday, 5, massage)
    book_many(next_monday, 50, massage)
    with django_assert_max_num_queries(MAX_QUERIES):
        few = reception.get(URL, {"day": monday.isoformat()})
    with django_assert_max_num_queries(MAX_QUERIES):
        many = reception.get(URL, {"day": next_monday.isoformat()})
    assert sum(len(appointments) for appointments in week(few).values()) == 5
    assert sum(len(appointments) for appointments in week(many).values()) == 50
    assert queries_of(reception, URL, {"day": monday.isoformat()}) == queries_of(
        reception, URL, {"day": next_monday.isoformat()}
    )
