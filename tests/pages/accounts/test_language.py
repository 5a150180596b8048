"""The language chooser: anyone picks English, German or Russian; a logged-in user's choice is
saved on their profile and comes back at the next log-in on any device; a patient's choice is also
the language of the clinic's messages to them. Bad input changes nothing."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic.models import Profile
from patients.models import Patient
from tests.conftest import client_for

CHOOSE = reverse("accounts:language_choose")
pytestmark = pytest.mark.django_db


def test_anyone_may_choose_and_the_next_page_is_in_that_language():
    client = Client()
    response = client.post(CHOOSE, {"language": "de"}, HTTP_REFERER="http://testserver/accounts/login/?next=/x/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/x/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="de">' in page
    assert "Anmelden" in page


def test_a_referer_from_another_site_is_not_followed():
    response = Client().post(CHOOSE, {"language": "ru"}, HTTP_REFERER="https://elsewhere.example/phish/")

    assert response.url == "/"


def test_a_staff_members_choice_is_saved_and_comes_back_at_the_next_log_in(receptionist):
    response = client_for(receptionist).post(CHOOSE, {"language": "ru"})

    assert response.status_code == 302
    assert Profile.objects.get(user=receptionist).language == "ru"
    elsewhere = client_for(receptionist)  # another browser: no cookie, the profile decides
    assert '<html lang="ru">' in elsewhere.get(reverse("reception:day_board")).content.decode()


def test_a_patients_choice_is_also_the_language_of_their_messages(patient_user):
    client_for(patient_user).post(CHOOSE, {"language": "de"})

    assert Patient.objects.get(user=patient_user).language == "de"
    assert Profile.objects.get(user=patient_user).language == "de"


@pytest.mark.parametrize("language", ["", "fr", "x" * 500])
def test_a_language_not_offered_is_refused_and_changes_nothing(receptionist, language):
    Profile.objects.create(user=receptionist, language="de")
    client = client_for(receptionist)

    response = client.post(CHOOSE, {"language": language}, follow=True)

    assert response.status_code == 200
    assert "Wählen Sie eine der angebotenen Sprachen." in response.content.decode()
    assert Profile.objects.get(user=receptionist).language == "de"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_chooser_takes_only_posts(receptionist):
    assert client_for(receptionist).get(CHOOSE).status_code == 405


def test_the_browsers_language_is_used_until_someone_chooses():
    page = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").get(reverse("login")).content.decode()

    assert '<html lang="ru">' in page


def test_english_of_any_country_is_the_clinics_english():
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US").get(reverse("login")).content.decode()

    assert '<html lang="en-gb">' in page
