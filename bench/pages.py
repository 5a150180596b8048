"""One request at a time, inside the app: each benchmarked page's time and its number of SQL
queries, with nothing else running. The load test shows throughput under concurrency; this shows
what one request costs and that the query count stays put as the data grows.

    DJANGO_SETTINGS_MODULE=clinic.settings .venv/bin/python bench/pages.py bench/results/targets.json

Each page is asked for twice to warm up (the second counts its queries), then BENCH_PAGE_RUNS
times (7); the table gives the median and the fastest of those (on a shared machine the fastest
is the page's own cost, the median what a user sees). BENCH_PAGES="booking page,report" measures
only the pages whose name contains one of those words (the booking POST is "booking (POST)").
"""

import datetime as dt
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
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from clinic.models import Location  # noqa: E402
from clinic.warm import app_load_and_freeze, freeze_enabled  # noqa: E402
from pages.manager.report_tables import REPORTS  # noqa: E402
from sessions.management.seeding import scale  # noqa: E402

# As clinic.wsgi does in every app server (CLINIC_GC_FREEZE=0 measures without it).
if freeze_enabled():
    app_load_and_freeze()

RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "7"))
ONLY = [word.strip() for word in os.environ.get("BENCH_PAGES", "").split(",") if word.strip()]
# The pages' own reserve of free slots: the load test books from the front of the list.
RESERVED_BOOKINGS = 10


def client_for(username: str | None) -> Client:
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def manager_client(username: str) -> Client:
    """The manager, past the second factor (managers always need one): a confirmed authenticator
    app (enrolled here when the seeded account has none) marked as given in the session."""
    client = client_for(username)
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Client, method: str, path: str, data=None, runs: int = RUNS) -> tuple:
    """Median and fastest milliseconds, the median CPU milliseconds of this process, queries,
    status and size of `runs` requests after one warm-up. The CPU time leaves out the database's
    work and the time waiting for a core, so on a shared machine it moves less than the clock.

    The queries are counted on a second warm-up request only (the first reads what the set-up
    cache keeps, as a server's first request after a change of set-up does): counting them puts
    every query through Django's debug cursor, which logs its SQL, and that costs a production
    request nothing (it runs with DEBUG off) but added 2.5-3 ms to the booking page's 18 queries.
    That request runs its reads one after the other (clinic.side_by_side), all in this thread,
    where they are counted. The CPU time is the process's, every thread's."""
    timings, cpu = [], []
    client.post(path, data) if method == "POST" else client.get(path)
    with override_settings(CLINIC_READ_THREADS=1), CaptureQueriesContext(connection) as captured:
        client.post(path, data) if method == "POST" else client.get(path)
    queries = len(captured)  # now: the next request clears the log it reads
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(path, data) if method == "POST" else client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return (
        statistics.median(timings),
        min(timings),
        statistics.median(cpu),
        queries,
        response.status_code,
        len(response.content),
    )


def manager_pages(targets: dict) -> list[tuple]:
    """The manager's home, the audit log's first page and the reports: the page with every report
    and each report's CSV, for the default period (the last four weeks) and for a year (the longest
    the form allows), and the year's page for one site."""
    manager = manager_client(targets.get("manager", scale.MANAGER_USERNAME))
    today = dt.date.fromisoformat(targets["today"])
    year = {"starts_on": (today - dt.timedelta(days=364)).isoformat(), "ends_on": today.isoformat()}
    site = Location.objects.order_by("pk").values_list("pk", flat=True).first()
    url = "/manager/reports/"
    pages = [
        ("manager home", manager, "GET", "/manager/", None),
        ("audit log", manager, "GET", "/manager/audit/", None),
        ("reports page: 4 weeks", manager, "GET", url, None),
        ("reports page: a year", manager, "GET", f"{url}?{urlencode(year)}", None),
    ]
    if site is not None:
        one_site = urlencode(year | {"location": site})
        pages.append(("reports page: a year, one site", manager, "GET", f"{url}?{one_site}", None))
    for name in REPORTS:
        pages.append((f"report CSV {name}: 4 weeks", manager, "GET", f"{url}?{urlencode({'csv': name})}", None))
        pages.append((f"report CSV {name}: a year", manager, "GET", f"{url}?{urlencode(year | {'csv': name})}", None))
    return pages


def wanted(name: str) -> bool:
    return not ONLY or any(word in name for word in ONLY)


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
        # Today's, the one the front desk keeps open: it also decides check-in and no-show per session.
        ("day board, today", reception, "GET", "/reception/", None),
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
    if any(wanted(name) for name in ("manager home", "audit log", "reports page", "report CSV")):
        pages += manager_pages(targets)
    print(f"{'page':<40} {'median ms':>9} {'min ms':>8} {'cpu ms':>8} {'queries':>8} {'status':>7} {'KB':>6}")
    for name, client, method, path, data in pages:
        if not wanted(name):
            continue
        ms, fastest, cpu, queries, status, size = measure(client, method, path, data)
        print(f"{name:<40} {ms:9.1f} {fastest:8.1f} {cpu:8.1f} {queries:8d} {status:7d} {size / 1024:6.1f}", flush=True)
    if not wanted("booking (POST)"):
        return
    # A booking writes: each run takes another of the reserved slots.
    timings, cpu, queries = [], [], None
    for target in spare[1:]:
        data = {"patient": target["patient"], "modality": targets["modality"], "day": target["day"]}
        data |= {"slot": target["slot"], "confirm_warnings": "on"}
        if queries is None:  # the first booking counts the queries, untimed (see measure)
            with CaptureQueriesContext(connection) as captured:
                reception.post("/book/", data)
            queries = len(captured)
            continue
        started, started_cpu = time.perf_counter(), time.process_time()
        response = reception.post("/book/", data)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    ms, fastest, cpu_ms = statistics.median(timings), min(timings), statistics.median(cpu)
    size = len(response.content) / 1024
    print(
        f"{'booking (POST)':<40} {ms:9.1f} {fastest:8.1f} {cpu_ms:8.1f} {queries:8d} {response.status_code:7d}"
        f" {size:6.1f}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/targets.json")
