"""An app server loads the app at start and sets it aside from the garbage collector
(clinic.warm): the WSGI module freezes what is loaded, unless CLINIC_GC_FREEZE=0, and the app
still answers afterwards. Run in a subprocess on the production settings, as gunicorn loads it."""

import json
import subprocess
import sys

import pytest

from tests.clinic.test_deploy_settings import ROOT, production_env

# Import the WSGI module, then ask the app for the log-in page through a bare WSGI call.
LOADS = """
import gc, json, io
from clinic.wsgi import application
frozen = gc.get_freeze_count()
answers = []
host = "clinic.example.org"
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/accounts/login/", "SERVER_NAME": host, "HTTP_HOST": host,
           "SERVER_PORT": "443", "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO()}
body = b"".join(application(environ, lambda status, headers: answers.append(status)))
print(json.dumps({"frozen": frozen, "status": answers[0], "login_form": b'name="password"' in body}))
"""


def loaded(**extra: str) -> dict:
    command = [sys.executable, "-c", LOADS]
    result = subprocess.run(command, cwd=ROOT, env=production_env(**extra), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("setting", [{}, {"CLINIC_GC_FREEZE": "1"}])
def test_the_app_server_freezes_the_loaded_app_and_still_answers(setting):
    result = loaded(**setting)
    # Every view, catalogue and template loaded: the app itself is far more than 100,000 objects.
    assert result["frozen"] > 100_000
    assert result == {"frozen": result["frozen"], "status": "200 OK", "login_form": True}


def test_clinic_gc_freeze_0_leaves_the_collector_as_it_is():
    assert loaded(CLINIC_GC_FREEZE="0") == {"frozen": 0, "status": "200 OK", "login_form": True}
