"""The OpenAPI 3 schema validates with a standard validator, and its documentation page works
under the site's Content-Security-Policy (no CDN, no inline script or style)."""

import io

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate

from tests.api.conftest import api_client
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_generated_schema_is_valid_openapi_3(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)

    schema = yaml.safe_load(out.getvalue())
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/appointments/{id}/reschedule/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["personalToken"]["scheme"] == "bearer"


def test_every_endpoint_documents_its_refusals_where_it_writes(db):
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    paths = yaml.safe_load(out.getvalue())["paths"]

    booking = paths["/api/v1/appointments/"]["post"]["responses"]
    assert {"201", "400", "409", "422"} <= set(booking)


def test_the_schema_is_served_to_a_token(receptionist):
    response = api_client(receptionist).get("/api/v1/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_the_docs_need_a_login(db):
    response = Client().get("/api/v1/docs/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Client().get("/api/v1/schema/").status_code == 403


def test_the_docs_page_lists_every_endpoint_with_its_fields_and_answers(receptionist):
    response = client_for(receptionist).get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    for path in ("/api/v1/appointments/{id}/reschedule/", "/api/v1/me/summaries/", "/api/v1/notes/{id}/"):
        assert path in html
    assert "confirm_warnings" in html
    assert "one of checked_in, completed, no_show, cancelled" in html
    assert "<strong>409</strong>" in html


def test_the_docs_page_has_no_inline_script_or_style_and_nothing_from_elsewhere(receptionist):
    html = client_for(receptionist).get("/api/v1/docs/").content.decode()

    assert "<script>" not in html and "<style" not in html and "style=" not in html
    assert 'src="http' not in html and 'href="http' not in html


def test_the_docs_page_takes_a_get(receptionist):
    assert client_for(receptionist).post("/api/v1/docs/").status_code == 405
