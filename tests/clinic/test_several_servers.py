"""Several app servers against one database: two gunicorn servers on two ports of 127.0.0.1, one
PostgreSQL database, and a visitor whose requests land on either of them.

Everything a login depends on lives in that database, none of it in a server's memory: the
session (Django's database sessions) with its idle and age clocks (clinic.middleware), the failed
log-ins and lockouts (django-axes' database handler), the API's per-user count (the audit log,
api.throttle.ApiUserThrottle). So: logged in on A, known on B; logged out on A, refused on B; idle
too long, refused on both; locked out by failures spread over A and B, locked out on both; the
API's requests counted together. The clinic's set-up, kept in each server's memory under a token
the database changes, changed once: both see the change.

Run with: scripts/with-postgres .venv/bin/pytest tests/clinic/test_several_servers.py
"""

import http.client
import os
import re
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from api.models import TokenScope
from api.tokens import api_token_create
from clinic import roles
from clinic.middleware import LAST_SEEN
from tests.factories import EVERY_DAY, ModalityFactory, PatientFactory, RoomFactory, UserFactory, therapist_named

# The servers need committed data (they have connections of their own); serialized_rollback puts
# back the roles and catalogue that the flush after a transactional test takes away.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
# Bounds: a server starts (imports Django, binds, boots its worker) within this, or the test fails;
# no request waits longer than REQUEST_SECONDS.
START_SECONDS = 90
REQUEST_SECONDS = 30
PASSWORD = "correct-horse-battery-2026"
PATIENTS = "/patients/"
LOGIN = "/accounts/login/"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def _database_url() -> str:
    """The test database, as the servers reach it: the same server, user and database name."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start(name: str, env: dict, workdir: Path) -> tuple[subprocess.Popen, Path]:
    log = workdir / f"gunicorn-{name}.log"
    # Port 0: the system picks a free one, which gunicorn then names in its log.
    command = [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"]
    command += ["--timeout", str(REQUEST_SECONDS), "--graceful-timeout", "5"]
    command += ["--log-level", "info", "--error-logfile", str(log)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return process, log


def _port(process: subprocess.Popen, log: Path, deadline: float) -> int:
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text()) if log.exists() else None
        if found:
            return int(found.group(1))
        assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not start within {START_SECONDS} s:\n{log.read_text()}")


def _answers(port: int, deadline: float) -> None:
    """Wait for the worker: the log-in page answers."""
    while time.monotonic() < deadline:
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_SECONDS)
            connection_.request("GET", LOGIN)
            if connection_.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server on port {port} never answered")


@pytest.fixture
def servers(tmp_path):
    """Servers A and B: gunicorn, one worker each, the test settings, the test database."""
    (tmp_path / "several_servers_settings.py").write_text(
        "from tests.settings import *  # noqa: F403\n"
        "# Low enough to reach in a test: the API's per-user count, shared by both servers.\n"
        'CLINIC_API_THROTTLE_RATE = "4/minute"\n'
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="several_servers_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        DATABASE_URL=_database_url(),
        # Plain HTTP on the loopback: cookies without the Secure flag, named sessionid and csrftoken.
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_LOG_LEVEL="ERROR",
    )
    started = [_start(name, env, tmp_path) for name in "AB"]
    try:
        deadline = time.monotonic() + START_SECONDS
        ports = [_port(process, log, deadline) for process, log in started]
        for port in ports:
            _answers(port, deadline)
        yield [SimpleNamespace(name=name, port=port) for name, port in zip("AB", ports, strict=True)]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


class Visitor:
    """A browser reduced to its cookies, which it sends to whichever server it asks."""

    def __init__(self, cookies: dict | None = None):
        self.cookies = dict(cookies or {})

    def request(self, server, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_SECONDS)
        connection_.request(method, path, body, sent)
        response = connection_.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return SimpleNamespace(status=response.status, location=response.getheader("Location", ""), text=text)

    def get(self, server, path: str, **headers):
        return self.request(server, "GET", path, headers=headers)

    def post(self, server, path: str, form: dict):
        return self.request(server, "POST", path, {**form, "csrfmiddlewaretoken": self.cookies["csrftoken"]})

    def log_in(self, server, username: str, password: str):
        self.get(server, LOGIN)  # the CSRF cookie
        return self.post(server, LOGIN, {"username": username, "password": password})

    def sees_patients(self, server) -> bool:
        response = self.get(server, PATIENTS)
        if response.status == 200:
            return True
        assert response.status == 302 and response.location.startswith(LOGIN), response
        return False


def _receptionist(username: str):
    user = UserFactory(username=username, role=roles.RECEPTIONIST)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_session_opened_on_one_server_works_on_the_other_until_logged_out_there(servers):
    a, b = servers
    _receptionist("desk")
    visitor = Visitor()

    assert visitor.log_in(a, "desk", PASSWORD).status == 302
    assert visitor.sees_patients(a) and visitor.sees_patients(b)

    cookie = dict(visitor.cookies)
    assert visitor.post(a, "/accounts/logout/", {}).status == 302

    # B refuses the cookie it accepted a moment ago: the session is gone from the database.
    assert not Visitor(cookie).sees_patients(b)
    assert not Visitor(cookie).sees_patients(a)


def test_idle_time_counts_across_servers(servers):
    a, b = servers
    _receptionist("desk")
    visitor = Visitor()
    assert visitor.log_in(a, "desk", PASSWORD).status == 302
    session = SessionStore(session_key=visitor.cookies["sessionid"])
    idle = settings.CLINIC_SESSION_IDLE_MINUTES * 60

    # Nearly idle for too long: a request on A is activity that B sees.
    session[LAST_SEEN] = time.time() - idle + 60
    session.save()
    assert visitor.sees_patients(a)
    assert SessionStore(session_key=visitor.cookies["sessionid"])[LAST_SEEN] > time.time() - 60
    assert visitor.sees_patients(b)

    # Idle for too long: B logs the visitor out, and A does not know them either.
    session = SessionStore(session_key=visitor.cookies["sessionid"])
    session[LAST_SEEN] = time.time() - idle - 60
    session.save()
    cookie = dict(visitor.cookies)
    assert not visitor.sees_patients(b)
    assert not Visitor(cookie).sees_patients(a)


def test_failed_log_ins_spread_over_both_servers_lock_the_account_on_both(servers):
    a, b = servers
    _receptionist("desk")

    failures = [Visitor().log_in(server, "desk", "wrong-password").status for server in (a, b, a, b, a)]

    assert failures[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    for server in (a, b):
        visitor = Visitor()
        assert visitor.log_in(server, "desk", PASSWORD).status == 429, server.name
        assert "sessionid" not in visitor.cookies


def test_the_apis_count_of_requests_is_shared_by_the_servers(servers):
    a, b = servers
    _, secret = api_token_create(user=_receptionist("script"), name="Scheduler", scope=TokenScope.READ)
    bearer = {"Authorization": f"Bearer {secret}"}
    visitor = Visitor()

    statuses = [visitor.get(server, "/api/v1/patients/", **bearer).status for server in (a, b, a, b, a, b)]

    # Four a minute (the servers' settings above), wherever they were answered.
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_a_change_of_the_set_up_is_seen_by_both_servers_at_once(servers):
    """Each server keeps the clinic's set-up in its memory (clinic/setup_cache.py), under a token
    the database changes on every write: a therapist no longer qualified, changed where neither
    server could notice (here, from the test), is offered by neither on their next page."""
    a, b = servers
    _receptionist("desk")
    massage = ModalityFactory(name="Back massage", session_minutes=45)
    RoomFactory(modalities=[massage])
    anna = therapist_named("Anna Kuhn", massage, hours=EVERY_DAY)
    patient = PatientFactory()
    visitor = Visitor()
    assert visitor.log_in(a, "desk", PASSWORD).status == 302
    booking = f"/book/?patient={patient.pk}&modality={massage.pk}"
    for server in (a, b, a, b):  # each server has read and kept the set-up
        assert "Anna Kuhn</legend>" in visitor.get(server, booking).text, server.name

    anna.modalities.remove(massage)

    for server in (a, b):
        page = visitor.get(server, booking).text
        assert "Anna Kuhn</legend>" not in page and "No free slot" in page, server.name
