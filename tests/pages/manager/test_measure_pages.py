"""The manager's outcome measures: the list, and adding a licensed questionnaire."""

import pytest
from django.urls import reverse

from outcomes.models import Measure, Scoring
from tests.conftest import client_for
from tests.scenes import asks_to_log_in, messages_of, shows

LIST, NEW = reverse("manager:measure_list"), reverse("manager:measure_create")

ODI = {
    "name": "Oswestry Disability Index",
    "code": "odi",
    "instructions": "Choose the one statement in each section that describes you today.",
    "items": "Pain intensity\n- I have no pain at the moment\n- The pain is very mild\n- The pain is moderate\n"
    "- The pain is fairly severe\n- The pain is very severe\n- The pain is the worst imaginable\nPersonal care",
    "scale_min": "0",
    "scale_max": "5",
    "min_label": "No difficulty",
    "max_label": "Cannot at all",
    "scoring": Scoring.PERCENT_OF_MAX,
    "direction": "lower",
    "mcid": "10",
    "mcid_source": "The clinic's licence pack.",
    "due_at_start": "on",
    "due_every_sessions": "5",
    "due_at_end": "on",
    "licence": "Licensed to the clinic until 2027.",
}


def test_the_list_shows_the_built_in_measures(as_manager):
    shows(
        as_manager.get(LIST),
        "Pain score (0–10)",
        "Patient-specific functional scale",
        "Stratford",
        "Every session, in the session note",
        "at the start, every 4 sessions, at the end",
        status=200,
    )


def test_the_manager_adds_a_questionnaire(as_manager, manager):
    response = as_manager.post(NEW, ODI)

    assert response.status_code == 302 and response.url == LIST
    measure = Measure.objects.get(code="odi")
    assert (measure.scoring, measure.higher_is_better, measure.mcid, measure.created_by) == (
        Scoring.PERCENT_OF_MAX,
        False,
        10,
        manager,
    )
    assert [(i.text, len(i.answers)) for i in measure.items.all()] == [("Pain intensity", 6), ("Personal care", 0)]
    assert messages_of(response) == ["Added Oswestry Disability Index; the portal asks patients for it when it is due."]
    shows(as_manager.get(LIST), "Oswestry Disability Index", "Percentage of the highest possible total")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"items": "- an answer first\nPain"}, "items", "Line 1 is an answer (it starts with a dash)"),
        ({"code": "odi 2!"}, "code", "Use letters, numbers and dashes only, such as odi."),
        ({"mcid": "0"}, "mcid", "Ensure this value is greater than or equal to 0.01."),
        ({"scale_min": "-3"}, "scale_min", "Ensure this value is greater than or equal to 0."),
        ({"scoring": "median"}, "scoring", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_input_is_a_form_error(as_manager, changes, field, message):
    response = as_manager.post(NEW, {**ODI, **changes})

    assert response.status_code == 200
    assert any(error.startswith(message) for error in response.context["form"].errors[field])
    assert not Measure.objects.filter(code="odi").exists()


def test_the_services_sentences_show_on_the_form(as_manager):
    response = as_manager.post(
        NEW, {**ODI, "scale_max": "1", "code": "psfs", "due_at_start": "", "due_every_sessions": "", "due_at_end": ""}
    )

    shows(
        response,
        "Nothing is saved yet",
        "The short name psfs is taken by another measure.",
        "Question 1 (Pain intensity) has 6 answers; the scale from 0 to 1 needs 2",
        "Say when the measure is due",
        status=200,
    )
    assert Measure.objects.count() == 2


def _user(request, who):
    person = request.getfixturevalue(who)
    return getattr(person, "user", person)


@pytest.mark.parametrize("who", ["receptionist", "therapist", "patient_user"])
def test_only_the_manager(request, who):
    client = client_for(_user(request, who))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, ODI).status_code == 403
    assert not Measure.objects.filter(code="odi").exists()


def test_anonymous_visitors_log_in_first(client):
    asks_to_log_in(client.get(LIST))
    asks_to_log_in(client.post(NEW, ODI))


def test_wrong_methods(as_manager):
    assert as_manager.post(LIST).status_code == 405
    assert as_manager.put(NEW).status_code == 405
