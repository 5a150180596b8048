"""One request at a time, inside the app: each benchmarked page's time and its number of SQL
queries, with nothing else running. The load test shows throughput under concurrency; this shows
what one request costs and that the query count stays put as the data grows.

    DJANGO_SETTINGS_MODULE=clinic.settings .venv/bin/python bench/pages.py bench/results/targets.json
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "7"))
# The pages' own reserve of free slots: the load test books from the front of the list.
RESERVED_BOOKINGS = 10


def client_for(username: str | None) -> Client:
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def measure(client: Client, method: str, path: str, data=None, runs: int = RUNS) -> tuple[float, int, int, int]:
    """Median milliseconds, queries, status and size of `runs` requests after one warm-up."""
    timings = []
    for run in range(runs + 1):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(path, data) if method == "POST" else client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        if run:
            timings.append(elapsed)
    return statistics.median(timings), len(queries), response.status_code, len(response.content)


def main(targets_path: str) -> None:
    targets = json.load(open(targets_path))
    reception = client_for(targets["reception"])
    therapist = targets["therapists"][0]
    search = targets["search"]
    by_kind = {
        "surname": next(t for t in search if t[:1].isupper() and " " not in t and len(t) > 4),
        "first and last name": next(t for t in search if " " in t and not t[0].isdigit()),
        "phone digits": next(t for t in search if t.startswith("0")),
        "date of birth": next(t for t in search if t[:2].isdigit() and "." in t),
    }
    availability = urlencode({"modality": targets["modality"], "start": targets["today"], "days": 28})
    spare = targets["bookings"][-RESERVED_BOOKINGS:]
    pages = [
        ("day board", reception, "GET", f"/reception/?day={targets['day']}", None),
        ("patient list (no search)", reception, "GET", "/patients/", None),
        *[
            (f"patient search: {kind}", reception, "GET", "/patients/?" + urlencode({"q": q}), None)
            for kind, q in by_kind.items()
        ],
        (
            "patient chart",
            client_for(therapist["username"]),
            "GET",
            f"/therapist/patients/{therapist['patients'][0]}/",
            None,
        ),
        ("portal home", client_for(targets["portal"][0]), "GET", "/portal/", None),
        ("availability 4 weeks", reception, "GET", f"/availability/?{availability}", None),
        (
            "booking page (one day)",
            reception,
            "GET",
            "/book/?"
            + urlencode({"patient": spare[0]["patient"], "modality": targets["modality"], "day": spare[0]["day"]}),
            None,
        ),
    ]
    if settings.BENCH_BASELINE:
        pages.insert(0, ("baseline", client_for(None), "GET", "/bench/baseline/", None))
    print(f"{'page':<34} {'ms':>8} {'queries':>8} {'status':>7} {'KB':>6}")
    for name, client, method, path, data in pages:
        ms, queries, status, size = measure(client, method, path, data)
        print(f"{name:<34} {ms:8.1f} {queries:8d} {status:7d} {size / 1024:6.0f}")
    # A booking writes: each run takes another of the reserved slots.
    timings = []
    for target in spare[1:]:
        data = {"patient": target["patient"], "modality": targets["modality"], "day": target["day"]}
        data |= {"slot": target["slot"], "confirm_warnings": "on"}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = reception.post("/book/", data)
            timings.append((time.perf_counter() - started) * 1000)
    ms = statistics.median(timings)
    size = len(response.content) / 1024
    print(f"{'booking (POST)':<34} {ms:8.1f} {len(queries):8d} {response.status_code:7d} {size:6.0f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/targets.json")
