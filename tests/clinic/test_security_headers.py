"""The production response headers and cookies, against the OWASP Secure Headers Project and ASVS
4.0 V3 (sessions) and V14 (configuration): read from a response of clinic.settings itself, loaded in
a subprocess with only what a deployment sets (see test_deploy_settings)."""

import json
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.clinic.test_deploy_settings import ROOT, csp_directives, production_env, settings_in
from tests.conftest import client_for

PRODUCTION_RESPONSE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/accounts/login/", secure=True, headers={"host": "clinic.example.org"})
cookies = {
    name: {key: str(value) for key, value in morsel.items() if value} for name, morsel in response.cookies.items()
}
print(json.dumps({"status": response.status_code, "headers": dict(response.headers), "cookies": cookies}))
"""


@pytest.fixture(scope="module")
def production_response(tmp_path_factory):
    database = tmp_path_factory.mktemp("db") / "none.sqlite3"  # the log-in page reads no table
    env = production_env(DATABASE_URL=f"sqlite:///{database}")
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_RESPONSE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_production_page_answers(production_response):
    assert production_response["status"] == 200


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cross-Origin-Embedder-Policy", "require-corp"),
        ("X-Permitted-Cross-Domain-Policies", "none"),
    ],
)
def test_production_sends_the_recommended_header(production_response, header, value):
    assert production_response["headers"][header] == value


def test_the_permissions_policy_turns_off_every_powerful_feature(production_response):
    policy = production_response["headers"]["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "fullscreen", "sync-xhr"):
        assert f"{feature}=()" in policy


def test_the_content_security_policy_allows_no_forms_or_frames_elsewhere(production_response):

    directives = csp_directives({"Content-Security-Policy": production_response["headers"]["Content-Security-Policy"]})
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["frame-src"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["script-src"] == "'self'"


def test_pages_are_not_cached(production_response):
    cache = production_response["headers"]["Cache-Control"]
    assert "no-store" in cache and "private" in cache


def test_the_csrf_cookie_is_host_locked_secure_http_only_and_same_site(production_response):
    cookie = production_response["cookies"]["__Host-csrftoken"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["path"] == "/"
    assert "domain" not in cookie
    assert cookie["samesite"] == "Lax"


def test_the_session_cookie_is_host_locked_too():
    values = settings_in(
        production_env(),
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
    )
    assert values == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
    }


def test_local_development_keeps_the_plain_cookie_names():
    env = production_env(DJANGO_DEBUG="1")
    del env["DJANGO_SECRET_KEY"]
    assert settings_in(env, "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME") == {
        "SESSION_COOKIE_NAME": "sessionid",
        "CSRF_COOKIE_NAME": "csrftoken",
    }


def test_logged_in_pages_carry_the_headers_too(receptionist):
    response = client_for(receptionist).get(reverse("reception:day_board"))

    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]
