import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.scenes import asks_to_log_in


@pytest.mark.parametrize(
    ("fixture", "home"),
    [
        ("receptionist", "reception:day_board"),
        ("therapist", "therapist:my_day"),
        ("patient_user", "portal:portal_home"),
        ("manager", "manager:manager_home"),
    ],
)
def test_landing_page_sends_each_role_to_its_home(db, request, fixture, home):
    user = request.getfixturevalue(fixture)
    if hasattr(user, "user"):
        user = user.user
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response.url == reverse(home)
    assert client_for(user).get(response.url).status_code == 200


def test_landing_page_asks_anonymous_visitors_to_log_in(client):
    asks_to_log_in(client.get("/"))
    assert client.get(reverse("login")).status_code == 200
