"""The OpenAPI 3 schema validates with a standard validator, and its documentation page works
under the site's Content-Security-Policy (no CDN, no inline script or style)."""

import io

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
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
    assert Client().get("/api/v1/docs/").status_code in (401, 403)
    assert Client().get("/api/v1/schema/").status_code in (401, 403)


def test_the_docs_page_runs_under_the_content_security_policy(receptionist):
    client = client_for(receptionist)

    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    html = page.content.decode()
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # Every script and style is a file of this site: none inline, none from elsewhere.
    assert "<script>" not in html and "<style" not in html and "style=" not in html
    assert "//cdn" not in html and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
