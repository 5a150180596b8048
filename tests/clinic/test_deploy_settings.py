"""Production settings pass Django's deployment checks, and every page carries a strict CSP.

The checks run in a subprocess on clinic.settings itself (not tests.settings, which turns the
HTTPS redirect off for the plain-HTTP test client), with only the environment a deployment sets.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]
# Variables that would change what is checked; each test sets the ones it means. The browser
# tests' fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for the rest of the run, which fails the check.
UNSET = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_SECURE_COOKIES",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_HSTS_SECONDS",
    # scripts/with-replica sets it beside DATABASE_URL, which some of these tests point at SQLite.
    "DATABASE_REPLICA_URL",
}


def production_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DJANGO_ALLOWED_HOSTS="clinic.example.org",
    )
    env.update(extra)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_in(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deploy_check_passes_with_production_settings():
    result = deploy_check(production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_flags_a_redirect_turned_off():
    # Allowed for a proxy that terminates TLS and redirects itself, but never unnoticed.
    result = deploy_check(production_env(DJANGO_SECURE_SSL_REDIRECT="0"))

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_defaults_are_the_secure_ones():
    values = settings_in(
        production_env(),
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    )

    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_local_development_does_not_redirect_to_https():
    env = production_env(DJANGO_DEBUG="1")
    del env["DJANGO_SECRET_KEY"]

    assert settings_in(env, "SECURE_SSL_REDIRECT") == {"SECURE_SSL_REDIRECT": False}


@pytest.mark.parametrize(("threshold", "expected"), [(None, 5), ("2", 2), ("off", None)])
def test_postgresql_binds_on_the_server_and_prepares_repeated_queries(threshold, expected):
    env = production_env(DATABASE_URL="postgres://clinic:secret@db.example.org:5432/clinic")
    if threshold is not None:
        env["DATABASE_PREPARE_THRESHOLD"] = threshold
    else:
        env.pop("DATABASE_PREPARE_THRESHOLD", None)

    options = settings_in(env, "DATABASES")["DATABASES"]["default"]["OPTIONS"]

    assert options == {"server_side_binding": True, "prepare_threshold": expected, "options": "-c jit=off"}


def test_postgresql_connection_options_can_be_left_out_for_a_pooler():
    env = production_env(DATABASE_URL="postgres://clinic:secret@db.example.org:5432/clinic", DATABASE_OPTIONS="")

    assert settings_in(env, "DATABASES")["DATABASES"]["default"]["OPTIONS"]["options"] == ""


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_every_page_carries_the_content_security_policy(client, db):
    response = client.get(reverse("login"))

    assert csp_directives(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "frame-src": "'none'",
        "worker-src": "'none'",
        "manifest-src": "'self'",
    }
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_a_logged_in_page_carries_it_too(receptionist):
    response = client_for(receptionist).get(reverse("reception:day_board"))

    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert csp_directives(response)["script-src"] == "'self'"


def test_https_responses_carry_hsts_with_subdomains_and_preload(client, db):
    response = client.get(reverse("login"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def bare_env() -> dict[str, str]:
    """A fresh checkout's shell: none of the deployment's variables set."""
    return {name: value for name, value in os.environ.items() if name not in UNSET}


def test_the_migrations_check_runs_on_a_fresh_checkout_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT, env=bare_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_a_command_that_signs_still_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "send_reminders"],
        cwd=ROOT, env=bare_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr
