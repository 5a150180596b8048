"""Own 403, 404 and 500 pages: friendly, in the site's style, and telling nothing about the error."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from tests.conftest import client_for


def refuse(request):
    raise PermissionDenied("rule 7: patient 42 belongs to another therapist")


def explode(request):
    raise RuntimeError("database password is hunter2 at /srv/clinic/sessions/views.py")


# Used with @pytest.mark.urls(__name__): the site's own URLs plus two that go wrong on purpose.
urlpatterns = [
    path("test-refuse/", refuse),
    path("test-explode/", explode),
    path("", include("clinic.urls")),
]


def test_an_unknown_address_gets_the_friendly_404(client, db):
    response = client.get("/patients/999999/secret-path-xyz/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "secret-path-xyz" not in body
    assert "css/clinic.css" in body


def test_a_patient_asking_for_an_appointment_not_theirs_gets_the_same_404(patient_user, db):
    client = client_for(patient_user)

    response = client.get(reverse("portal:portal_appointment_cancel", args=[999999]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_refused_page_gets_the_friendly_403(receptionist):
    response = client_for(receptionist).get(reverse("manager:manager_home"))

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_403_page_does_not_repeat_why(receptionist):
    response = client_for(receptionist).get("/test-refuse/")

    assert response.status_code == 403
    body = response.content.decode()
    assert "Not allowed" in body
    assert "rule 7" not in body
    assert "patient 42" not in body


@pytest.mark.urls(__name__)
def test_a_server_error_gets_the_plain_500_page(db):
    client = Client(raise_request_exception=False)

    response = client.get("/test-explode/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "css/clinic.css" in body
    for leak in ("hunter2", "RuntimeError", "Traceback", "/srv/clinic", "views.py"):
        assert leak not in body
