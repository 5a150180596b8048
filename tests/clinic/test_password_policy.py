"""Passwords have at least 12 characters and are not common ones (AUTH_PASSWORD_VALIDATORS)."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD


def change(client, new_password):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )


@pytest.mark.parametrize(
    ("role", "password", "reason"),
    [
        pytest.param("receptionist", "kx7-qm2-vb9", "at least 12 characters", id="11-characters"),
        pytest.param("patient_user", "password1234", "too common", id="long-but-common"),
    ],
)
def test_a_short_or_common_password_is_refused(request, role, password, reason):
    user = request.getfixturevalue(role)
    client = client_for(user)

    response = change(client, password)

    assert response.status_code == 200
    assert reason in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_12_character_password_is_accepted(receptionist):
    client = client_for(receptionist)

    response = change(client, "kx7-qm2-vb9w")

    assert response.status_code == 302
    receptionist.refresh_from_db()
    assert receptionist.check_password("kx7-qm2-vb9w")


def test_a_password_of_digits_only_is_refused(therapist):
    client = client_for(therapist.user)

    response = change(client, "730194628351")

    assert response.status_code == 200
    assert "entirely numeric" in response.content.decode()
