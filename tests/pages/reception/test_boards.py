"""What the day board and the week board share: reception and managers see them, anyone else is
refused or sent to log in, and they only answer GET."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.scenes import asks_to_log_in

BOARDS = [
    pytest.param(reverse("reception:day_board"), id="day_board"),
    pytest.param(reverse("reception:week_board"), id="week_board"),
]


@pytest.mark.parametrize("url", BOARDS)
def test_managers_see_the_board(manager, url):
    assert client_for(manager).get(url).status_code == 200


@pytest.mark.parametrize("url", BOARDS)
def test_it_asks_anonymous_visitors_to_log_in(client, db, url):
    asks_to_log_in(client.get(url))


@pytest.mark.parametrize("role", ["therapist", "patient_user"])
@pytest.mark.parametrize("url", BOARDS)
def test_it_refuses_therapists_and_patients(request, role, url):
    user = request.getfixturevalue(role)
    assert client_for(getattr(user, "user", user)).get(url).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", BOARDS)
def test_it_rejects_other_methods(reception, method, url):
    assert getattr(reception, method)(url).status_code == 405
