"""Hostile input gets a 4xx with a clear message, never a 500, logged in or not: NUL characters
anywhere in a request (clinic.middleware.HostileInputMiddleware), the admin's date drill-down out
of the calendar, non-numeric ids posted to the admin's autocomplete fields (clinic.admin_guards).
tests/pages/test_hostile_input_sweep.py sends such values to every URL."""

import pytest
from django.conf import settings
from django.urls import reverse

from clinic import roles
from patients.services import patient_calendar_token_ensure
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory

NUL = "\x00"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_nul_in_the_calendar_feeds_token_is_a_400_without_log_in(client, db):
    response = client.get("/calendar/abc%00def.ics")

    assert response.status_code == 400
    assert response.content.decode() == "Bad request: The address contains a NUL character.\n"


def test_the_real_token_still_opens_the_feed(client, db):
    token = patient_calendar_token_ensure(patient=PatientFactory())

    assert client.get(reverse("portal:calendar_feed", args=[token])).status_code == 200


@pytest.mark.parametrize(
    ("send", "reason"),
    [
        (lambda c: c.get("/", {"q": f"a{NUL}b"}), "The address's query contains a NUL character."),
        (lambda c: c.get("/", {f"k{NUL}": "v"}), "The address's query contains a NUL character."),
        (lambda c: c.post(reverse("login"), {"username": f"rita{NUL}", "password": "x"}), "The form contains"),
    ],
)
def test_a_nul_in_the_query_or_the_form_is_a_400(client, db, send, reason):
    response = send(client)

    assert response.status_code == 400
    assert reason in response.content.decode()


def test_a_nul_in_a_cookie_is_a_400(client, db):
    client.cookies[settings.SESSION_COOKIE_NAME] = f"abcdefgh{NUL}"

    assert client.get(reverse("login")).status_code == 400


def test_a_logged_in_users_form_with_a_nul_is_refused_before_the_view(receptionist, maria):
    response = client_for(receptionist).post(
        reverse("reception:patient_edit", args=[maria.pk]), {"first_name": f"Ma{NUL}ria"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"starts_at__year": "99999"},
        {"starts_at__year": "9999", "starts_at__month": "12"},
        {"starts_at__year": "2024", "starts_at__month": "13"},
        {"starts_at__year": "2023", "starts_at__month": "2", "starts_at__day": "29"},
        {"starts_at__year": "abc"},
        {"starts_at__year": "-1"},
        {"starts_at__day": "0"},
    ],
)
def test_the_admins_date_drill_down_beyond_the_calendar_is_a_400(root, query):
    response = client_for(root).get(reverse("admin:treatment_sessions_appointment_changelist"), query)

    assert response.status_code == 400
    assert "Bad request:" in response.content.decode()


def test_a_real_date_drill_down_still_works(root):
    query = {"starts_at__year": "2024", "starts_at__month": "2", "starts_at__day": "29"}

    assert client_for(root).get(reverse("admin:treatment_sessions_appointment_changelist"), query).status_code == 200


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "1.5", "-"])
def test_a_non_numeric_id_posted_to_an_autocomplete_field_is_a_form_error(root, value):
    response = client_for(root).post(
        reverse("admin:treatment_sessions_course_add"), {"patient": value, "diagnosis": value}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_guard_keeps_a_valid_posted_id_selected(root, maria):
    response = client_for(root).post(reverse("admin:treatment_sessions_course_add"), {"patient": str(maria.pk)})

    assert f'<option value="{maria.pk}" selected>' in response.content.decode()


def test_staff_are_not_spared(db):
    manager = UserFactory(username="m", role=roles.MANAGER, is_staff=True)
    response = client_for(manager).get(
        reverse("admin:treatment_sessions_appointment_changelist"), {"starts_at__year": "0"}
    )

    assert response.status_code == 400
