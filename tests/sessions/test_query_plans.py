"""On PostgreSQL, with a modest practice's years of data (seed_scale) and fresh statistics, the
hot reads use indexes: the planner is asked (EXPLAIN) about the very SQL the code sends.

Run with: scripts/with-postgres .venv/bin/pytest tests/test_query_plans.py
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import Modality, Therapist
from pages.reception import board
from patients.against_treatment import against_treatment_read
from patients.consent import current_topics
from patients.models import Patient
from patients.selectors import patients_search
from sessions.availability import slots_available
from sessions.models import Appointment, AppointmentStatus
from sessions.notes import notes_overdue, session_notes_for_chart
from sessions.portal import portal_courses, portal_earlier, portal_upcoming
from sessions.schedule import at_local
from sessions.therapist_day import therapist_day

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

# Big enough that reading a whole table costs more than an index would (about 40,000
# appointments, 30,000 patients), small enough to seed in seconds.
SIZE = ["--therapists", "20", "--rooms", "8", "--patients", "30000", "--years", "1.5", "--seed", "3"]
APPOINTMENTS = "treatment_sessions_appointment"


@pytest.fixture
def practice():
    call_command("seed_scale", *SIZE, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # inside the test's transaction: it counts our own new rows
    return Therapist.objects.order_by("pk").first()


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def plans_of(read) -> list[tuple[str, str]]:
    """(SQL, plan) of every query `read` sends that reads appointments or patients."""
    with CaptureQueriesContext(connection) as captured:
        read()
    return [
        (query["sql"], plan(query["sql"]))
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
        and (APPOINTMENTS in query["sql"] or "patients_patient" in query["sql"])
    ]


def busiest_day() -> dt.date:
    today = timezone.localdate()
    days = [today + dt.timedelta(days=i) for i in range(7)]
    return max(days, key=lambda day: board._day_appointments(day).count())


def test_the_day_board_query_reads_appointments_through_an_index(practice):
    day = busiest_day()
    queryset = board._day_appointments(day)
    assert queryset.count() > 50

    explained = queryset.explain()

    assert f"Seq Scan on {APPOINTMENTS}" not in explained, explained
    assert "Index" in explained, explained
    # The same holds for every query the board sends (course positions included).
    for sql, query_plan in plans_of(lambda: board.day_board(day=day)):
        assert f"Seq Scan on {APPOINTMENTS}" not in query_plan, (sql, query_plan)


def test_the_other_hot_reads_use_indexes(practice):
    today = timezone.localdate()
    modality = Modality.objects.get(name="Therapeutic massage")
    patient = Patient.objects.filter(appointments__status=AppointmentStatus.BOOKED).order_by("pk").first()
    treated = Patient.objects.filter(appointments__therapist=practice).order_by("pk").first()
    surname, first_name = Patient.objects.order_by("pk").values_list("last_name", "first_name")[500]
    phone_digits = Patient.objects.order_by("pk").values_list("phone", flat=True)[700].split(" ")[-1]
    reads = {
        "a therapist's day": lambda: therapist_day(therapist=practice, day=busiest_day()),
        "four weeks of availability": lambda: slots_available(
            modality=modality, starts_on=today, ends_on=today + dt.timedelta(days=27)
        ),
        "a patient's history (portal)": lambda: (
            portal_upcoming(patient=patient, now=timezone.now()),
            portal_earlier(patient=patient, now=timezone.now()),
            portal_courses(patient=patient),
        ),
        "a patient's notes (chart)": lambda: session_notes_for_chart(patient=treated, reader=practice.user),
        "the review list": lambda: list(
            Appointment.objects.filter(needs_review=True, starts_at__gte=at_local(today, dt.time.min))
        ),
        "search by surname": lambda: list(patients_search(query=surname)[:25]),
        "search by a surname without its diacritics": lambda: list(patients_search(query="kohler")[:25]),
        "search by last, first": lambda: list(patients_search(query=f"{surname}, {first_name}")[:25]),
        "search by phone digits": lambda: list(patients_search(query=phone_digits)[:25]),
        "the patient list's first page": lambda: list(patients_search(query="")[:25]),
        "the notes unsigned for more than a day (the manager's home)": lambda: (
            list(notes_overdue(now=timezone.now())[:8]),
            notes_overdue(now=timezone.now()).count(),
        ),
    }
    for name, read in reads.items():
        checked = plans_of(read)
        assert checked, f"{name}: no query read appointments or patients"
        for sql, query_plan in checked:
            for table in (APPOINTMENTS, "patients_patient"):
                assert f"Seq Scan on {table}" not in query_plan, (name, sql, query_plan)


def test_what_the_contraindication_check_reads_of_a_day_s_patients_goes_through_indexes(practice):
    """One statement for all of them (patients.against_treatment): each diagnosis's current phase
    found by its index, not by reading every phase recorded."""
    patient_ids = set(board._day_appointments(busiest_day()).values_list("patient_id", flat=True))
    topic_ids = list(current_topics())
    with CaptureQueriesContext(connection) as captured:
        against_treatment_read(patient_ids=patient_ids, at=timezone.now(), topic_ids=topic_ids)
    # The statement comes first; a second query names who recorded an acute phase, when one is.
    query_plan = plan(captured.captured_queries[0]["sql"])
    for table in ("patients_diagnosis", "patients_phaserecord", "patients_healthflag"):
        assert f"Seq Scan on {table}" not in query_plan, query_plan


# The patient register of a large practice: many patients, a short history (the search reads
# patients only).
REGISTER = ["--therapists", "2", "--rooms", "1", "--patients", "50000", "--years", "0.05", "--weeks-ahead", "0"]


@pytest.fixture
def register():
    call_command("seed_scale", *REGISTER, "--seed", "4", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.mark.parametrize("query", ["celik", "mueller", "Müller", "yilmaz", "Schäfer, Leonie", "wojcik maja"])
def test_a_diacritics_search_reads_the_folded_names_trigram_index_at_50000_patients(register, query):
    assert Patient.objects.count() >= 50000
    checked = plans_of(lambda: list(patients_search(query=query)[:25]))
    assert checked
    for sql, query_plan in checked:
        assert "Seq Scan on patients_patient" not in query_plan, (sql, query_plan)
        assert "patient_search_name_trgm" in query_plan, (sql, query_plan)


def test_connections_run_without_just_in_time_compilation():
    """JIT compiled the reports' queries for 1.8 s of their 2 s at full scale: the app's
    connections turn it off (clinic.settings, DATABASE_OPTIONS)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
