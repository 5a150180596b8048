"""Every page's top bar kept for its reader (pages.kept_pages.top_bar): a kept bar never shows
anything but what a drawing would show now, for this reader, this address and this language."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from clinic import roles
from tests.conftest import client_for, log_in_verified

pytestmark = pytest.mark.django_db

BOARD, PATIENTS = reverse("reception:day_board"), reverse("reception:patient_list")


def bar(client, path: str = BOARD, **data) -> str:
    response = client.get(path, data)
    assert response.status_code == 200
    return response.content.decode().split("<nav class=")[1].split("</nav>")[0]


def marked(html: str) -> list[str]:
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', html)


def test_a_second_look_is_the_same_bar(receptionist):
    client = client_for(receptionist)
    assert bar(client) == bar(client)


def test_the_page_marked_follows_the_address(receptionist):
    client = client_for(receptionist)
    assert marked(bar(client)) == ["Day board"]
    assert marked(bar(client, PATIENTS)) == ["Patients"]
    assert marked(bar(client)) == ["Day board"]


def test_a_new_name_shows_at_once(receptionist):
    client = client_for(receptionist)
    bar(client)
    receptionist.first_name, receptionist.last_name = "Rita", "Sommer"
    receptionist.save()
    assert ">Rita Sommer</button>" in bar(client)


def test_a_role_given_shows_its_links_at_once(receptionist):
    client = client_for(receptionist)
    assert "Unsigned notes" not in bar(client)
    receptionist.groups.add(Group.objects.get(name=roles.THERAPIST))
    assert "Unsigned notes" in bar(client)


def test_a_staff_account_gets_the_admin_link_at_once(receptionist):
    client = client_for(receptionist)
    assert reverse("admin:index") not in bar(client)
    receptionist.is_staff = True
    receptionist.save()
    assert reverse("admin:index") in bar(client)


def test_each_reader_gets_their_own_bar(receptionist, manager):
    receptionist.first_name = "Rita"
    receptionist.save()
    bar(client_for(receptionist))
    theirs = bar(client_for(manager))
    assert "Rita" not in theirs
    assert "Audit log" in theirs


def test_the_language_chosen_shows_at_once(receptionist):
    client = client_for(receptionist)
    assert "Log out" in bar(client)
    client.post(reverse("accounts:language_choose"), {"language": "de"})
    assert "Abmelden" in bar(client)


def test_the_kept_bar_s_log_out_form_logs_out(receptionist):
    """Its token was masked for an earlier page: the reader's CSRF secret still accepts it."""
    client = Client(enforce_csrf_checks=True)
    log_in_verified(client, receptionist)
    bar(client)
    kept = bar(client)
    log_out_form = kept.split(f'action="{reverse("logout")}"')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', log_out_form).group(1)
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(BOARD).status_code == 302  # to the log-in page


def test_the_two_factor_pages_show_the_bar_without_the_navigation(manager):
    client = Client()
    client.force_login(manager)  # no second factor yet: a manager must enrol one first
    html = bar(client, reverse("accounts:two_factor_enrol"))
    assert "Log out" in html
    assert "Audit log" not in html
    assert "Audit log" in bar(client_for(manager))
