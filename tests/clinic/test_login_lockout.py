"""Five failed log-ins for one username from one address lock that pair out for 15 minutes.

django-axes does the counting, with the settings of clinic/settings.py (on in tests too).
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from tests.factories import PASSWORD, UserFactory

WRONG = "not-the-password-at-all"
LOCKED_OUT = 429


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", role=roles.RECEPTIONIST)


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    return [log_in(client, username, WRONG, address) for _ in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def page_text(response) -> str:
    """The page with what changes from one request to the next (the CSRF tokens) taken out."""
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_four_failures_still_let_the_right_password_in(client, rita):
    responses = fail(client, "rita", 4)

    assert [response.status_code for response in responses] == [200] * 4
    assert log_in(client, "rita", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_fifth_failure_locks_the_username_out(client, rita):
    *_, fifth = fail(client, "rita", 5)

    assert fifth.status_code == LOCKED_OUT
    assert "Log-in paused" in fifth.content.decode()


def test_a_locked_out_username_is_refused_even_with_the_right_password(client, rita):
    fail(client, "rita", 5)

    response = log_in(client, "rita", PASSWORD)

    assert response.status_code == LOCKED_OUT
    assert not logged_in(client)


def test_a_success_clears_the_count(client, rita):
    fail(client, "rita", 4)
    log_in(client, "rita", PASSWORD)
    client.logout()

    fail(client, "rita", 4)

    assert log_in(client, "rita", PASSWORD).status_code == 302


def test_the_lockout_ends_after_15_minutes(client, rita):
    fail(client, "rita", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))

    response = log_in(client, "rita", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_it_is_still_locked_out_after_14_minutes(client, rita):
    fail(client, "rita", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))

    assert log_in(client, "rita", PASSWORD).status_code == LOCKED_OUT


def test_the_same_username_from_another_address_still_logs_in(client, rita):
    fail(client, "rita", 5, address="10.0.0.1")

    assert log_in(Client(), "rita", PASSWORD, address="10.0.0.2").status_code == 302


def test_another_username_from_the_same_address_still_logs_in(client, rita):
    UserFactory(username="tom", role=roles.RECEPTIONIST)
    fail(client, "rita", 5)

    assert log_in(Client(), "tom", PASSWORD).status_code == 302


def test_a_patient_logging_in_by_email_is_locked_out_too(client, patient_user):
    fail(client, patient_user.email, 5)

    assert log_in(client, patient_user.email, PASSWORD).status_code == LOCKED_OUT
    assert not logged_in(client)


def test_an_unknown_username_is_answered_like_a_wrong_password(client, rita):
    unknown = log_in(client, "nobody-here", WRONG)
    wrong_password = log_in(Client(), "rita", WRONG)

    assert unknown.status_code == wrong_password.status_code == 200
    assert "Please enter a correct username and password" in unknown.content.decode()
    assert page_text(unknown).replace("nobody-here", "rita") == page_text(wrong_password)


def test_an_unknown_username_is_locked_out_with_the_same_page_as_a_real_one(client, rita):
    *_, unknown = fail(client, "nobody-here", 5)
    *_, known = fail(Client(), "rita", 5)
    unknown_again = log_in(client, "nobody-here", PASSWORD)
    known_again = log_in(Client(), "rita", PASSWORD)

    assert unknown.status_code == known.status_code == LOCKED_OUT
    assert page_text(unknown) == page_text(known)
    assert unknown_again.status_code == known_again.status_code == LOCKED_OUT
    assert page_text(unknown_again) == page_text(known_again) == page_text(known)


def test_the_lockout_page_does_not_repeat_the_username(client, rita):
    *_, response = fail(client, "rita", 5)

    assert "rita" not in response.content.decode()


def test_failed_log_ins_stay_on_record_after_a_success(client, rita):
    fail(client, "rita", 2)
    log_in(client, "rita", PASSWORD)

    assert AccessFailureLog.objects.filter(username="rita").count() == 2
    assert AccessLog.objects.filter(username="rita").count() == 1


# --- one count per account, however the name is spelled ------------------------------------------


@pytest.mark.parametrize("spelling", ["RITA", " rita ", "Rita"])
def test_another_spelling_of_a_locked_out_username_is_locked_out_too(client, rita, spelling):
    fail(client, "rita", 5)

    response = log_in(Client(), spelling, PASSWORD)

    assert response.status_code == LOCKED_OUT
    assert AccessLog.objects.count() == 0


def test_failures_under_different_spellings_count_together(client, rita):
    for spelling in ["rita", "RITA", " Rita", "rItA ", "RITA"]:
        last = log_in(client, spelling, WRONG)

    assert last.status_code == LOCKED_OUT
    assert log_in(Client(), "rita", PASSWORD).status_code == LOCKED_OUT


def test_a_success_under_another_spelling_neither_passes_nor_clears_the_lockout(client, rita):
    fail(client, "rita", 5)
    assert log_in(Client(), "RITA", PASSWORD).status_code == LOCKED_OUT

    assert log_in(Client(), "rita", PASSWORD).status_code == LOCKED_OUT
    assert AccessAttempt.objects.get().failures_since_start >= 5  # still on record, not cleared


def test_a_staff_username_logs_in_in_any_case(client, rita):
    assert log_in(client, " RITA ", PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == rita.pk


def test_a_patients_email_and_username_are_one_account(client, patient_user):
    fail(client, patient_user.email.upper(), 3)
    fail(client, patient_user.username, 2)

    assert log_in(Client(), f"  {patient_user.email.title()} ", PASSWORD).status_code == LOCKED_OUT


def test_the_admins_log_in_counts_toward_the_same_lockout(client, rita):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "Rita", "password": WRONG}, REMOTE_ADDR="10.0.0.1")

    assert log_in(Client(), "rita", PASSWORD).status_code == LOCKED_OUT


def test_an_unknown_name_is_counted_the_same_whatever_its_case(client, rita):
    *_, unknown = [log_in(client, name, WRONG) for name in ["Nobody", "nobody", "NOBODY ", "noBody", "nobody"]]
    *_, known = fail(Client(), "rita", 5)

    assert unknown.status_code == known.status_code == LOCKED_OUT
    assert page_text(unknown) == page_text(known)


def test_the_records_name_the_account_not_the_spelling(client, rita):
    log_in(client, "RITA", WRONG)

    assert AccessFailureLog.objects.get().username == "rita"


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_huge_name_or_password_is_refused_by_the_form_not_stored(client, rita, field):
    data = {"username": "rita", "password": PASSWORD, field: "x" * 20_000}

    response = client.post(reverse("login"), data, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 200
    assert "Ensure this value has at most" in response.content.decode()
    assert not logged_in(client)
    assert not AccessAttempt.objects.exclude(username__regex=r"^.{0,255}$").exists()


def test_a_huge_name_at_the_admins_log_in_is_refused_too(client, rita):
    response = client.post(reverse("admin:login"), {"username": "x" * 20_000, "password": WRONG})

    assert response.status_code == 200
    assert "Ensure this value has at most" in response.content.decode()
