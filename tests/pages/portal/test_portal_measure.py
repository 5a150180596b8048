"""The patient fills in a due outcome measure in the portal, and sees its trend beside the pain
chart with the important change (MCID) marked."""

from decimal import Decimal

import pytest
from django.urls import reverse

from outcomes.models import FUNCTION_CODE, Measure, Scoring
from outcomes.services import ItemSpec
from sessions.models import CourseStatus, OutcomeOccasion, OutcomeScore
from sessions.outcomes import outcome_record
from tests.conftest import client_for
from tests.factories import manager_questionnaire
from tests.scenes import (
    asks_to_log_in,
    course_for,
    days_ago,
    held,
    messages_of,
    portal_patient,
    shared_place,
    shows,
    url_of,
)

HOME = reverse("portal:portal_home")
url = url_of("portal:portal_measure")


@pytest.fixture
def anna(db):
    return portal_patient(first_name="Anna", email="anna.roth@example.org")


@pytest.fixture
def course(anna):
    return course_for(anna, min_sessions=2, max_sessions=4)


@pytest.fixture
def psfs(db):
    return Measure.objects.get(code=FUNCTION_CODE)


def first_answers(psfs) -> dict:
    return {
        "measure": psfs.pk,
        "activity_1": "Putting on socks",
        "rating_1": "2",
        "activity_2": "Sitting through a film",
        "rating_2": "5",
    }


def test_the_home_lists_what_is_due_and_the_form_asks_for_activities(anna, course, psfs):
    shows(client_for(anna.user).get(HOME), "To fill in", "Patient-specific functional scale", url(course))

    response = client_for(anna.user).get(url(course))

    html = shows(response, "Name up to five everyday activities", "Activity 1", "Activity 5", status=200)
    assert html.count('type="radio"') == 5 * 11
    assert " style=" not in html


def test_the_patient_names_and_rates_activities_then_rates_them_again(anna, course, psfs):
    client = client_for(anna.user)

    response = client.post(url(course), first_answers(psfs))

    assert response.status_code == 302 and response.url == HOME
    assert "Thank you" in messages_of(response)[0]
    first = OutcomeScore.objects.get()
    assert (first.occasion, first.score, first.recorded_by) == (OutcomeOccasion.START, Decimal("3.5"), anna.user)
    assert "To fill in" not in client.get(HOME).content.decode()

    place = shared_place()
    held(course, days_ago(5), **place)
    held(course, days_ago(3), **place)
    # At the end, the same two activities, to rate again.
    html = shows(client.get(url(course)), "Putting on socks", "Sitting through a film", "rate", status=200)
    assert html.count('type="radio"') == 2 * 11 and "Activity 1" not in html
    client.post(url(course), {"measure": psfs.pk, "rating_1": "6", "rating_2": "8"})

    last = OutcomeScore.objects.latest("pk")
    assert (last.occasion, last.score) == (OutcomeOccasion.END, Decimal("7"))
    home = shows(client.get(HOME), "From 3.5 to 7: 3.5 points better — an important change.", 'class="mcid"')
    assert "Important change: 5.5" in home


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"activity_1": "", "rating_1": ""}, "activity_1", "Name at least one activity."),
        ({"rating_1": ""}, "rating_1", "Rate “Putting on socks” from 0 to 10."),
        ({"rating_1": "11"}, "rating_1", "Select a valid choice. 11 is not one of the available choices."),
        ({"activity_3": "", "rating_3": "4"}, "activity_3", "Name the activity you rated."),
        ({"activity_2": "putting on socks"}, "__all__", "Each activity once: two of them are the same."),
    ],
)
def test_bad_answers_are_a_form_error(anna, course, psfs, data, field, message):
    response = client_for(anna.user).post(url(course), {**first_answers(psfs), **data})

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not OutcomeScore.objects.exists()


def test_a_questionnaire_shows_its_worded_answers(anna, course, manager):
    odi = manager_questionnaire(
        scale_max=1,
        scoring=Scoring.SUM,
        mcid=Decimal(1),
        items=[ItemSpec("Lifting", ["I can lift heavy weights", "I cannot lift anything"]), ItemSpec("Walking")],
        created_by=manager,
    )
    client = client_for(anna.user)
    shows(client.get(url(course), {"measure": odi.pk}), "I cannot lift anything", "Walking", status=200)

    client.post(url(course), {"measure": odi.pk, "item_1": "1", "item_2": "0"})

    assert OutcomeScore.objects.get(measure=odi).score == 1


def test_nothing_due_says_so(anna, course, psfs):
    outcome_record(course=course, measure=psfs, answers=[3], activities=["Walking"], recorded_by=anna.user)
    shows(client_for(anna.user).get(url(course)), "nothing to fill in for this course now", status=200)


@pytest.mark.parametrize("measure", ["987654", "abc", ""])
def test_a_measure_that_is_not_due_is_not_recorded(anna, course, psfs, measure):
    response = client_for(anna.user).post(url(course), {**first_answers(psfs), "measure": measure})

    assert response.status_code == 302
    assert messages_of(response) == ["That questionnaire is not due now; nothing was saved."]
    assert not OutcomeScore.objects.exists()


def test_a_cancelled_course_asks_nothing(anna, course):
    course.status = CourseStatus.CANCELLED
    course.save()
    shows(client_for(anna.user).get(url(course)), "nothing to fill in", status=200)


def test_another_patients_course_is_404(course, psfs):
    other = portal_patient()
    client = client_for(other.user)
    assert client.get(url(course)).status_code == 404
    assert client.post(url(course), first_answers(psfs)).status_code == 404
    assert not OutcomeScore.objects.exists()


def test_staff_get_403_and_anonymous_visitors_log_in(course, receptionist, client):
    assert client_for(receptionist).get(url(course)).status_code == 403
    asks_to_log_in(client.get(url(course)))


def test_wrong_method(anna, course):
    assert client_for(anna.user).put(url(course)).status_code == 405
