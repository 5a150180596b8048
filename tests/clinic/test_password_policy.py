"""Passwords have at least 12 characters and are not common ones (AUTH_PASSWORD_VALIDATORS)."""

from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD


def change(client, new_password):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )


def test_an_11_character_password_is_refused(receptionist):
    client = client_for(receptionist)

    response = change(client, "kx7-qm2-vb9")

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    receptionist.refresh_from_db()
    assert receptionist.check_password(PASSWORD)


def test_a_12_character_password_is_accepted(receptionist):
    client = client_for(receptionist)

    response = change(client, "kx7-qm2-vb9w")

    assert response.status_code == 302
    receptionist.refresh_from_db()
    assert receptionist.check_password("kx7-qm2-vb9w")


def test_a_long_but_common_password_is_refused(patient_user):
    client = client_for(patient_user)

    response = change(client, "password1234")

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    patient_user.refresh_from_db()
    assert patient_user.check_password(PASSWORD)


def test_a_password_of_digits_only_is_refused(therapist):
    client = client_for(therapist.user)

    response = change(client, "730194628351")

    assert response.status_code == 200
    assert "entirely numeric" in response.content.decode()
