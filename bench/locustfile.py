"""The load test: one user class per page, run one at a time by bench/run.sh, each at a fixed
concurrency for a fixed time. Users log in through the real log-in form (CSRF token and all);
the statistics are zeroed once every user of the run has logged in, so only the page is measured.

    BENCH_MEASURE_SECONDS=60 locust -f bench/locustfile.py DayBoard --headless -u 20 -r 20 -t 10m \
        --host http://127.0.0.1:8000

BENCH_TARGETS names the JSON that bench/targets.py wrote (logins, patients, free slots).
"""

import itertools
import json
import os
import re
from urllib.parse import urlencode

import gevent.event
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

TARGETS = json.load(open(os.environ.get("BENCH_TARGETS", "bench/results/targets.json")))
# Logging in takes a while (the password hasher is slow on purpose), so the measured window is
# counted from the moment the last user is in: the run stops this many seconds later.
MEASURE_SECONDS = float(os.environ.get("BENCH_MEASURE_SECONDS", "60"))
PASSWORD = TARGETS["password"]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_everyone_in = gevent.event.Event()
_arrived = itertools.count(1)
_user_number = itertools.count()
# The last few are bench/pages.py's own.
_bookings = iter(TARGETS["bookings"][:-10])


class ClinicUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)  # closed loop: each user sends its next request as soon as it has an answer

    def on_start(self):
        self.number = next(_user_number)
        username = self.username()
        try:
            if username:
                self.log_in(username)
        finally:
            # A user whose log-in failed stops, but still counts as arrived: the run goes on.
            self.wait_for_everyone()

    # Whose log-in (a key of the targets file) the page needs; classes that rotate users override username().
    login = None

    def username(self) -> str | None:
        return TARGETS[self.login] if self.login else None

    def log_in(self, username: str) -> None:
        with self.client.get("/accounts/login/", name="log-in form", catch_response=True) as response:
            match = CSRF_FIELD.search(response.text or "")
            if response.status_code != 200 or not match:
                response.failure(f"no log-in form ({response.status_code})")
                raise StopUser
        data = {"csrfmiddlewaretoken": match.group(1), "username": username, "password": PASSWORD}
        with self.client.post(
            "/accounts/login/", data=data, name="log in", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"log-in refused for {username} ({response.status_code})")
                raise StopUser

    def wait_for_everyone(self) -> None:
        """Zero the statistics once, when the last user of the run has logged in, and stop the
        run MEASURE_SECONDS later."""
        runner = self.environment.runner
        if next(_arrived) >= runner.target_user_count and not _everyone_in.is_set():
            runner.stats.reset_all()
            _everyone_in.set()
            gevent.spawn_later(MEASURE_SECONDS, runner.quit)
        _everyone_in.wait()

    def page(self, path: str, name: str, expect: str | None = None) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif expect and expect not in (response.text or ""):
                response.failure(f"{expect!r} missing")

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken")


class Baseline(ClinicUser):
    """Django's constant page (CLINIC_BENCH_BASELINE=1): the cost of a request as such."""

    @task
    def baseline(self):
        self.page("/bench/baseline/", "baseline")


class LoggedInBaseline(ClinicUser):
    """The same constant page for a logged-in receptionist: what the session and the user cost
    every page that needs a login, before the page does anything of its own."""

    login = "reception"

    @task
    def baseline(self):
        self.page("/bench/baseline/", "baseline, logged in")


class DayBoard(ClinicUser):
    login = "reception"

    @task
    def day_board(self):
        self.page(f"/reception/?day={TARGETS['day']}", "day board", expect="session")


class PatientSearch(ClinicUser):
    def username(self):
        self.terms = itertools.cycle(TARGETS["search"][self.number :] + TARGETS["search"][: self.number])
        return TARGETS["reception"]

    @task
    def search(self):
        self.page("/patients/?" + urlencode({"q": next(self.terms)}), "patient search")


class PatientChart(ClinicUser):
    def username(self):
        therapist = TARGETS["therapists"][self.number % len(TARGETS["therapists"])]
        self.patients = itertools.cycle(therapist["patients"])
        return therapist["username"]

    @task
    def chart(self):
        self.page(f"/therapist/patients/{next(self.patients)}/", "patient chart")


class PortalHome(ClinicUser):
    def username(self):
        return TARGETS["portal"][self.number % len(TARGETS["portal"])]

    @task
    def portal(self):
        self.page("/portal/", "portal home")


class Availability(ClinicUser):
    login = "reception"

    @task
    def availability(self):
        query = urlencode({"modality": TARGETS["modality"], "start": TARGETS["today"], "days": 28})
        self.page(f"/availability/?{query}", "availability 4 weeks", expect='"count"')


class Booking(ClinicUser):
    """Each booking takes the next free slot of the list: no two users ever want the same one."""

    login = "reception"

    @task
    def book(self):
        target = next(_bookings, None)
        if target is None:
            raise StopUser  # the list ran out; bench/run.sh makes it long enough for the run
        data = {
            "csrfmiddlewaretoken": self.csrf_token(),
            "patient": target["patient"],
            "modality": TARGETS["modality"],
            "day": target["day"],
            "slot": target["slot"],
            "confirm_warnings": "on",
        }
        with self.client.post("/book/", data=data, name="booking", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302 or "/appointments/" not in r.headers.get("Location", ""):
                r.failure(f"not booked (HTTP {r.status_code})")
        # A browser follows the redirect, and the appointment's page shows "Booked …" and clears
        # the messages cookie; without it the cookie would grow to its 2 KB cap, which no
        # receptionist's browser carries, and each booking would decode and trim it (0.8 ms).
        for cookie in [c for c in self.client.cookiejar if c.name == "messages"]:
            self.client.cookiejar.clear(cookie.domain, cookie.path, cookie.name)
