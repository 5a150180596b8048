"""The top bar marks the page you are on (aria-current="page"), and only that one."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user", "url_name", "label"),
    [
        ("receptionist", "reception:day_board", "Day board"),
        ("receptionist", "reception:patient_list", "Patients"),
        ("manager", "manager:audit_log", "Audit log"),
        ("patient_user", "portal:portal_appointments", "Appointments"),
        ("receptionist", "password_change", "Password"),
    ],
)
def test_the_current_page_is_marked_in_the_navigation(request, user, url_name, label):
    url = reverse(url_name)
    html = client_for(request.getfixturevalue(user)).get(url, {"day": "2030-01-07"}).content.decode()

    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', html)
    assert current == [label]
    # A workspace link in the bar, or one of the account menu's (Password, Two-factor, API tokens).
    assert re.search(rf'<a class="(nav-link|dropdown-item) active" aria-current="page" href="{re.escape(url)}">', html)


def test_a_page_outside_the_navigation_marks_nothing(receptionist, maria):
    html = client_for(receptionist).get(reverse("reception:patient_overview", args=[maria.pk])).content.decode()

    assert 'aria-current="page"' not in html
