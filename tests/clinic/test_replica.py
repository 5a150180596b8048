"""The read replica (clinic.replica): which reads may lag a second and go there, and, against a real
PostgreSQL streaming replica, proof that they do while booking and every write keep to the primary.

The router's rules and the settings are tested on any database. The rest needs the replica that
scripts/with-replica starts:

    CI_REQUIRE_REPLICA=1 scripts/with-replica .venv/bin/pytest tests/clinic/test_replica.py

Without one those tests skip, unless CI_REQUIRE_REPLICA=1 says that a missing replica is a failure
(CI sets it, so no skipped test hides one).
"""

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken
from clinic import roles
from clinic.models import Modality, Therapist
from clinic.replica import (
    REPLICA,
    ReplicaRouter,
    lagging_reads_allowed,
    reads_may_lag,
    view_reads_may_lag,
)
from outcomes.models import Measure
from pages.booking.forms import slot_value
from patients.models import Patient
from sessions.booking import appointment_book
from sessions.models import Appointment, AppointmentStatus
from tests.clinic.test_deploy_settings import production_env, settings_in
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    RoomFactory,
    UserFactory,
    at,
    local,
    next_weekday,
    therapist_named,
)

router = ReplicaRouter()
POSTGRES = "postgres://clinic:secret@db.example.org:5432/clinic"
POSTGRES_REPLICA = "postgres://clinic:secret@replica.example.org:5432/clinic"

# The pages whose GET may read the replica (docs/ARCHITECTURE.md, "The read replica"). A page added
# here is a decision: what it shows may be a second old, and nothing is decided on it.
LAGGING_PAGES = {
    "manager:reports",
    "manager:patient_data_json",
    "manager:patient_data_document",
    "reception:patient_list",
    "booking:availability",
    "booking:appointment_book",
}


# --- The rules, on any database --------------------------------------------------------------------


def test_outside_reads_may_lag_everything_reads_the_primary():
    assert not lagging_reads_allowed()
    for model in (Patient, Appointment, Therapist, Measure, User):
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS


def test_inside_reads_may_lag_the_clinics_data_is_read_from_the_replica():
    with reads_may_lag():
        assert lagging_reads_allowed()
        for model in (Patient, Appointment, Therapist, Measure):
            assert router.db_for_read(model) == REPLICA
    assert router.db_for_read(Patient) == DEFAULT_DB_ALIAS


def test_who_is_logged_in_locked_out_or_allowed_is_always_read_from_the_primary():
    with reads_may_lag():
        for model in (User, Group, Session, AccessAttempt, TOTPDevice, ApiToken, LogEntry, ContentType):
            assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model


def test_inside_a_transaction_even_a_lagging_read_goes_to_the_primary(db):
    # The test itself runs in a transaction (as a service does while it checks and writes).
    assert connections[DEFAULT_DB_ALIAS].in_atomic_block
    with reads_may_lag(), transaction.atomic():
        assert not lagging_reads_allowed()
        assert router.db_for_read(Appointment) == DEFAULT_DB_ALIAS


def test_every_write_goes_to_the_primary_and_after_one_the_block_reads_the_primary():
    with reads_may_lag():
        assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Patient) == REPLICA  # the session or the audit log: not the clinic's data
        assert router.db_for_write(Appointment) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Appointment) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Patient) == DEFAULT_DB_ALIAS
    with reads_may_lag():
        assert router.db_for_read(Patient) == REPLICA  # a new block starts afresh


def test_a_block_inside_another_is_the_same_block():
    with reads_may_lag():
        with reads_may_lag():
            router.db_for_write(Patient)
        assert router.db_for_read(Patient) == DEFAULT_DB_ALIAS


def test_only_the_primary_is_migrated_and_rows_of_both_may_be_linked():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "patients")
    assert not router.allow_migrate(REPLICA, "patients")
    assert router.allow_relation(Patient(), Appointment())


def test_a_lagging_view_lags_on_get_and_head_only():
    seen = []

    @view_reads_may_lag
    def view(request):
        seen.append((request.method, lagging_reads_allowed()))
        return HttpResponse()

    for method in ("get", "head", "post", "put", "delete"):
        view(getattr(RequestFactory(), method)("/"))

    assert seen == [("GET", True), ("HEAD", True), ("POST", False), ("PUT", False), ("DELETE", False)]
    assert not lagging_reads_allowed()


def _url_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def test_exactly_the_pages_that_may_lag_are_marked():
    marked = {name for name, view in _url_names(get_resolver()) if getattr(view, "reads_may_lag", False)}
    assert marked == LAGGING_PAGES


# --- The settings ----------------------------------------------------------------------------------


def test_without_a_replica_there_is_one_database_and_no_router():
    found = settings_in(production_env(DATABASE_URL=POSTGRES), "DATABASES", "DATABASE_ROUTERS")

    assert list(found["DATABASES"]) == ["default"]
    assert found["DATABASE_ROUTERS"] == []


def test_a_replica_is_a_second_alias_with_the_primarys_options_and_the_router():
    found = settings_in(
        production_env(DATABASE_URL=POSTGRES, DATABASE_REPLICA_URL=POSTGRES_REPLICA), "DATABASES", "DATABASE_ROUTERS"
    )

    primary, replica = found["DATABASES"]["default"], found["DATABASES"]["replica"]
    assert replica["HOST"] == "replica.example.org"
    assert replica["OPTIONS"] == primary["OPTIONS"]
    assert replica["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"]
    assert found["DATABASE_ROUTERS"] == ["clinic.replica.ReplicaRouter"]


def test_a_replica_needs_postgresql_on_both_sides():
    env = production_env(DATABASE_URL="sqlite:///clinic.sqlite3", DATABASE_REPLICA_URL=POSTGRES_REPLICA)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in result.stderr


# --- Against a real streaming replica --------------------------------------------------------------

# How long a committed write may take to reach the replica before the test calls it lost. Replay
# takes milliseconds here; the bound leaves room for a loaded CI machine.
REPLICATION_SECONDS = 5
# What the primary still serves on a lagging page: the login, the session, the roles, the second
# factor, and the audit entry a copy of a patient's data writes.
PRIMARY_ONLY = {
    "django_session",
    "auth_user",
    "auth_group",
    "auth_user_groups",
    "otp_totp_totpdevice",
    "otp_static_staticdevice",
    "django_content_type",
    "auditlog_logentry",
}
TABLE = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"')

HAVE_REPLICA = hasattr(settings, "REPLICA_SERVER")
REPLICA_REQUIRED = os.environ.get("CI_REQUIRE_REPLICA") == "1"
NEEDS_REPLICA = "needs a streaming replica: run under scripts/with-replica"


def replica_test(test):
    """A test against the real replica, with data committed (as the replica only sees that);
    skipped before any set-up when there is no replica, unless one is required."""
    databases = [DEFAULT_DB_ALIAS, REPLICA] if HAVE_REPLICA else [DEFAULT_DB_ALIAS]
    test = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=databases)(test)
    return pytest.mark.skipif(not HAVE_REPLICA and not REPLICA_REQUIRED, reason=NEEDS_REPLICA)(test)


@pytest.fixture
def replica():
    """The replica alias pointed at the real replica's copy of the test database (in every other
    test it mirrors the primary), for the length of the test."""
    if not HAVE_REPLICA:
        pytest.fail(f"CI_REQUIRE_REPLICA=1, but there is no replica: {NEEDS_REPLICA}")
    server = settings.REPLICA_SERVER
    alias = connections[REPLICA]
    mirrored = dict(alias.settings_dict)
    alias.close()
    alias.settings_dict.update({key: server[key] for key in ("HOST", "PORT", "USER", "PASSWORD")})
    try:
        yield alias
    finally:
        alias.close()
        alias.settings_dict.update(mirrored)


def _scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    written = _scalar(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()")
    started = time.monotonic()
    while not _scalar(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]):
        assert time.monotonic() - started < REPLICATION_SECONDS, "the replica fell behind"
        time.sleep(0.01)


READS = ("SELECT", "BEGIN", "SET LOCAL PLAN_CACHE_MODE", "COMMIT")


@contextmanager
def queries_on_both():
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        yield SimpleNamespace(primary=primary, replica=replica)


def tables(captured) -> set[str]:
    return {table for query in captured for table in TABLE.findall(query["sql"])}


def read_on_the_replica(queries, *tables_read: str) -> None:
    """The page's reads of the clinic's data ran on the replica; the primary served only the login
    and what writes (the session, an audit entry)."""
    assert set(tables_read) <= tables(queries.replica), queries.replica.captured_queries
    assert tables(queries.primary) <= PRIMARY_ONLY, queries.primary.captured_queries
    # Only reads reach the replica: SELECTs, and the read-only transaction the reports run them in
    # with its SET LOCAL (sessions.reports.custom_plans); a hot standby refuses any write anyway.
    assert not [q for q in queries.replica.captured_queries if not q["sql"].lstrip().upper().startswith(READS)]


@replica_test
def test_the_replica_is_a_read_only_copy_that_follows_the_primary(replica):
    assert _scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _scalar(DEFAULT_DB_ALIAS, "SELECT pg_is_in_recovery()") is False
    assert _scalar(REPLICA, "SELECT current_database()") == _scalar(DEFAULT_DB_ALIAS, "SELECT current_database()")

    patient = PatientFactory(first_name="Ada", last_name="Lovelace")  # committed when it returns
    committed = time.monotonic()
    while not Patient.objects.using(REPLICA).filter(pk=patient.pk).exists():
        assert time.monotonic() - committed < REPLICATION_SECONDS, "the replica never received the patient"
        time.sleep(0.01)
    print(f"replication: the patient was on the replica {time.monotonic() - committed:.3f} s after its commit")

    with pytest.raises(DatabaseError, match="read-only transaction"):
        Patient.objects.using(REPLICA).filter(pk=patient.pk).update(first_name="Augusta")
    assert Patient.objects.get(pk=patient.pk).first_name == "Ada"


@pytest.fixture
def massage(db):
    return Modality.objects.get(name="Therapeutic massage")


@pytest.fixture
def week(massage):
    """Two sessions in the week of the reports."""
    place = {
        "therapist": therapist_named("Anna Berg", massage),
        "room": RoomFactory(name="Blue room", modalities=[massage]),
        "modality": massage,
        "patient": PatientFactory(),
    }
    AppointmentFactory(starts_at=local(2026, 3, 2, 9), status=AppointmentStatus.COMPLETED, **place)
    AppointmentFactory(starts_at=local(2026, 3, 3, 9), status=AppointmentStatus.NO_SHOW, **place)
    return place


@replica_test
def test_the_reports_and_their_csv_read_the_replica(replica, week):
    manager = client_for(UserFactory(role=roles.MANAGER, is_staff=True))
    period = {"starts_on": "2026-03-02", "ends_on": "2026-03-08"}
    caught_up()

    with queries_on_both() as page:
        response = manager.get(reverse("manager:reports"), period)
    with queries_on_both() as csv:
        download = manager.get(reverse("manager:reports"), {**period, "csv": "utilisation"})

    assert response.status_code == 200 and "Anna Berg" in response.content.decode()
    read_on_the_replica(page, "treatment_sessions_appointment", "clinic_therapist", "clinic_workinghours")
    assert download.status_code == 200 and "Anna Berg,1.5" in download.content.decode()
    read_on_the_replica(csv, "treatment_sessions_appointment", "clinic_workinghours")


@replica_test
def test_the_patient_list_reads_the_replica(replica):
    reception = client_for(UserFactory(role=roles.RECEPTIONIST))
    PatientFactory(first_name="Karl", last_name="Berg")
    caught_up()

    with queries_on_both() as queries:
        response = reception.get(reverse("reception:patient_list"), {"q": "berg"})

    assert response.status_code == 200 and "Berg, Karl" in response.content.decode()
    read_on_the_replica(queries, "patients_patient")


@replica_test
def test_a_copy_of_a_patients_data_reads_the_replica_and_is_logged_on_the_primary(replica, week):
    manager = client_for(UserFactory(role=roles.MANAGER, is_staff=True))
    patient = week["patient"]
    caught_up()

    with queries_on_both() as queries:
        response = manager.get(reverse("manager:patient_data_json", args=[patient.pk]))

    assert response.status_code == 200 and response.json()["patient"]["id"] == patient.pk
    read_on_the_replica(queries, "patients_patient", "treatment_sessions_appointment")
    assert any(q["sql"].startswith('INSERT INTO "auditlog_logentry"') for q in queries.primary.captured_queries)


@pytest.fixture
def desk(massage):
    """A receptionist, Maria, and Anna with a room on Monday: what a booking needs."""
    return SimpleNamespace(
        client=client_for(UserFactory(role=roles.RECEPTIONIST)),
        patient=PatientFactory(first_name="Maria", last_name="Lopez"),
        therapist=therapist_named("Anna Kuhn", massage),
        room=RoomFactory(name="Room Linden", modalities=[massage]),
        modality=massage,
        monday=next_weekday(0),
    )


@replica_test
def test_free_slots_to_browse_come_from_the_replica(replica, desk):
    caught_up()
    day = desk.monday.isoformat()

    with queries_on_both() as availability:
        response = desk.client.get(
            reverse("booking:availability"), {"modality": desk.modality.pk, "start": day, "days": 7}
        )
    with queries_on_both() as page:
        booking_page = desk.client.get(
            reverse("booking:appointment_book"),
            {"patient": desk.patient.pk, "modality": desk.modality.pk, "day": day},
        )

    assert response.status_code == 200 and response.json()["count"] > 0
    read_on_the_replica(availability, "clinic_workinghours", "treatment_sessions_appointment")
    assert booking_page.status_code == 200 and booking_page.context["slots"]
    # The set-up the search read is kept (clinic/setup_cache.py): the page reads its token, there too.
    read_on_the_replica(page, "patients_patient", "clinic_setupversion", "treatment_sessions_appointment")


@replica_test
def test_a_booking_runs_no_query_on_the_replica(replica, desk):
    caught_up()
    slot = slot_value(at(desk.monday, 10), desk.therapist, desk.room)
    form = {"patient": desk.patient.pk, "modality": desk.modality.pk, "day": desk.monday.isoformat(), "slot": slot}

    with queries_on_both() as booked:
        response = desk.client.post(reverse("booking:appointment_book"), form)
    # The same slot again: refused, and the page shows the free slots left, worked out on the primary.
    with queries_on_both() as refused:
        again = desk.client.post(reverse("booking:appointment_book"), form)

    assert response.status_code == 302
    assert Appointment.objects.filter(patient=desk.patient, starts_at=at(desk.monday, 10)).exists()
    assert booked.replica.captured_queries == []
    assert 'INSERT INTO "treatment_sessions_appointment"' in " ".join(q["sql"] for q in booked.primary)
    assert again.status_code == 200 and again.context["slots"]
    assert refused.replica.captured_queries == []


@replica_test
def test_the_booking_service_reads_the_primary_even_where_reads_may_lag(replica, desk):
    caught_up()

    with queries_on_both() as queries, reads_may_lag():
        appointment = appointment_book(
            patient=desk.patient,
            therapist=desk.therapist,
            room=desk.room,
            modality=desk.modality,
            starts_at=at(desk.monday, 11),
        )
        # Read back after the write: from the primary, where it is already.
        assert Appointment.objects.filter(pk=appointment.pk).exists()

    assert queries.replica.captured_queries == []
    assert "treatment_sessions_appointment" in tables(queries.primary)

    # A service's checks run in its transaction, before anything is drafted or written: the primary.
    with queries_on_both() as checks, reads_may_lag(), transaction.atomic():
        assert Appointment.objects.filter(therapist=desk.therapist).count() == 1
    assert checks.replica.captured_queries == []


@replica_test
def test_writes_never_go_to_the_replica(replica):
    patient = PatientFactory(first_name="Ada", last_name="Lovelace")
    caught_up()

    with queries_on_both() as queries, reads_may_lag():
        read = Patient.objects.get(pk=patient.pk)
        assert read._state.db == REPLICA
        read.first_name = "Augusta"
        read.save()
        PatientFactory(first_name="Grace", last_name="Hopper")
        Patient.objects.filter(pk=patient.pk).update(last_name="King")

    assert [q["sql"].split()[0] for q in queries.replica.captured_queries] == ["SELECT"]
    assert {q["sql"].split()[0] for q in queries.primary.captured_queries} >= {"UPDATE", "INSERT"}
    assert Patient.objects.get(pk=patient.pk).first_name == "Augusta"
    caught_up()
    assert Patient.objects.using(REPLICA).get(pk=patient.pk).last_name == "King"
