"""treatment_sessions 0010: the first and last pain of the courses whose notes were signed before
the copies existed are copied by the migration itself."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sessions.models import AppointmentStatus
from tests.factories import AppointmentFactory, CourseFactory, SessionNoteFactory

BEFORE = [("treatment_sessions", "0009_report_covering_indexes")]
AFTER = [("treatment_sessions", "0010_course_first_and_last_pain")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("all_migrations_back")
def test_the_courses_signed_before_the_copies_get_their_first_and_last_pain():
    course, untreated = CourseFactory(), CourseFactory()
    now = timezone.now().replace(microsecond=0)
    for days_ago, pain_before, pain_after, status in (
        (9, 7, 5, AppointmentStatus.COMPLETED),
        (5, 5, 2, AppointmentStatus.COMPLETED),
        (2, 3, 0, AppointmentStatus.CHECKED_IN),  # not completed: not a session done
    ):
        session = AppointmentFactory(
            patient=course.patient,
            course=course,
            modality=course.modality,
            starts_at=now - dt.timedelta(days=days_ago),
            status=status,
        )
        author = session.therapist.user
        SessionNoteFactory(
            appointment=session, pain_before=pain_before, pain_after=pain_after, signed_at=now, signed_by=author
        )

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Course = executor.loader.project_state(AFTER).apps.get_model("treatment_sessions", "Course")
    assert Course.objects.values_list("first_pain", "last_pain").get(pk=course.pk) == (7, 2)
    assert Course.objects.values_list("first_pain", "last_pain").get(pk=untreated.pk) == (None, None)
