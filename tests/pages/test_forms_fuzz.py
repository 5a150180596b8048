"""Bad input on every form, generated (docs/ARCHITECTURE.md invariant 8: a clear message, never a 500, never
partial data).

Each case posts (or, for the pages that read their choices from the query string, gets) generated
data as a role that may use the view: plausible values mixed with unicode, very long strings,
empty strings, numbers out of range, malformed dates and times, SQL- and HTML-looking strings,
lists where one value is expected, and missing fields. Every example runs in a savepoint that is
rolled back, so each starts from the same scene. After each request:

- the status is below 500 (the test client re-raises a view's exception with its traceback);
- either no row was added to the clinical tables, or only the models the view writes grew and
  every new row passes `full_clean()`; the object an edit changes passes `full_clean()` too.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clinic import roles
from clinic.events import APPOINTMENT_BOOKED, EVENTS
from clinic.models import Cadence
from outcomes.models import FUNCTION_CODE, Measure, Scoring
from pages.reception.kiosk import KIOSK_SESSION_KEY
from pages.therapist.forms import SAVE, SIGN
from patients.intake import Answer, intake_submit, intake_version_current
from patients.kiosk import kiosk_start
from patients.models import Cause, ConsentTopic, FlagKind, Phase, RecordVersion, RuleCondition, Side, StudyKind, Via
from patients.services import break_glass_open
from sessions.models import AREA_SIDE_CHOICES, AppointmentStatus, ScheduleChange
from tests.conftest import log_in_verified
from tests.factories import (
    PASSWORD,
    ModalityFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    local,
    next_weekday,
)
from tests.scenes import course_session, treated
from webhooks.services import webhook_endpoint_create

MODEL_BACKEND = "clinic.backends.UsernameBackend"
# The tables a form may write. Sessions, log-in attempts and audit entries grow with any request.
WATCHED_APPS = ("clinic", "patients", "outcomes", "treatment_sessions", "webhooks", "api")
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Generated values ----------------------------------------------------------------------------

SQLISH = ["'; DROP TABLE patients_patient; --", "1 OR 1=1", '" OR ""="', "1; SELECT pg_sleep(5)", "%", "_"]
HTMLISH = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt;", "{{ request }}", "{% debug %}"]
BAD_DATES = [
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31",
    "10000-01-01",
    "31.12.9999",
    "00.00.0000",
    "2026-1-1",
    "yesterday",
    "-1",
]
BAD_TIMES = ["25:00", "24:00", "12:60", "-1:00", "23:59:59.999999", "9", "noon", "10:00 PM"]
BAD_DATETIMES = ["2026-02-30T10:00", "9999-12-31T23:59", "0001-01-01T00:00", "2026-01-01T25:00", "2026-01-01 10:00+99"]
BAD_NUMBERS = ["-1", "0", "11", "61", "241", "1e3", "2147483648", "9223372036854775808", "-9223372036854775809", "NaN"]

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
long_text = st.builds(lambda n, c: c * n, st.integers(250, 5000), st.sampled_from(["x", "ä", "😀", " "]))
junk_scalar = st.one_of(
    text,
    long_text,
    st.sampled_from(["", " ", "\x00", "None", "null", "[]", "{}"]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(SQLISH + HTMLISH + BAD_DATES + BAD_TIMES + BAD_DATETIMES + BAD_NUMBERS),
)
junk = st.one_of(junk_scalar, st.lists(junk_scalar, max_size=3))


@dataclass(frozen=True)
class Value:
    plausible: st.SearchStrategy
    bad: st.SearchStrategy
    first: object  # the plausible value the all-valid example sends


def value(*plausible) -> Value:
    """A field: one of the plausible values (so the view gets far enough to write), or junk."""
    return Value(st.sampled_from([str(p) for p in plausible]), junk, str(plausible[0]))


def raw(strategy: st.SearchStrategy, first) -> Value:
    return Value(strategy, st.one_of(strategy, junk), first)


@dataclass(frozen=True)
class Payload:
    fields: dict[str, Value]

    def valid(self) -> dict:
        return {name: field.first for name, field in self.fields.items()}

    def strategy(self) -> st.SearchStrategy:
        """All fields plausible; or one of them bad or missing; or any field bad or missing."""
        plausible = {name: f.plausible for name, f in self.fields.items()}
        one_broken = st.sampled_from(sorted(self.fields)).flatmap(
            lambda broken: st.fixed_dictionaries(
                {name: s for name, s in plausible.items() if name != broken},
                optional={broken: self.fields[broken].bad},
            )
        )
        anything = st.fixed_dictionaries(
            {}, optional={name: st.one_of(f.plausible, f.bad) for name, f in self.fields.items()}
        )
        return st.one_of(st.fixed_dictionaries(plausible), one_broken, anything)


def payload(**fields: Value) -> Payload:
    return Payload(fields)


def _management_form(prefix: str) -> dict[str, Value]:
    """An admin inline's management form, always sent as it is: no inline rows."""
    return {
        f"{prefix}-{name}": raw(st.just(v), v)
        for name, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))
    }


ADMIN_INLINES = {
    "patient": {**_management_form("diagnoses"), **_management_form("health_flags")},
    "diagnosis": {**_management_form("studies"), **_management_form("phase_records")},
    "course": _management_form("appointments"),
}


# The scene ----------------------------------------------------------------------------------


@pytest.fixture
def scene(db):
    now = timezone.now().replace(microsecond=0)
    monday = next_weekday(0)
    modality = ModalityFactory(uses_oils=True)
    room = RoomFactory(modalities=[modality])
    therapist = TherapistFactory(modalities=[modality])
    patient_user = UserFactory(role=roles.PATIENT)
    patient = PatientFactory(user=patient_user, email=patient_user.email)
    record = treated(
        patient,
        therapist,
        modality,
        room,
        booked_at=local(*next_weekday(2).timetuple()[:3], 10),
        held_at=now - dt.timedelta(days=3),
        kind=FlagKind.OIL_ALLERGY,
        substance="Lavender",
    )
    in_progress = course_session(
        record["course"], therapist, room, now - dt.timedelta(hours=1), status=AppointmentStatus.CHECKED_IN
    )
    # Intake and consent: another of the therapist's patients answered the health questions with a
    # yes (a proposal to confirm or dismiss); the scene's patient has answered nothing yet.
    answered = PatientFactory(assigned_therapist=therapist)
    version = intake_version_current()
    answers = {q.pk: Answer(yes=q.proposes == FlagKind.OIL_ALLERGY, detail="Almond") for q in version.question_list}
    proposal = intake_submit(patient=answered, version=version, answers=answers, channel=Via.KIOSK).proposals.get()
    return {
        **record,
        "intake": version,
        "proposal": proposal,
        "topic": ConsentTopic.objects.get(name="Massage"),
        "monday": monday,
        "modality": modality,
        "room": room,
        "therapist": therapist,
        "patient": patient,
        "uninvited": PatientFactory(email="uninvited@example.org"),
        "in_progress": in_progress,
        "access": break_glass_open(user=TherapistFactory().user, patient=patient, reason="A test emergency, today."),
        "psfs": Measure.objects.get(code=FUNCTION_CODE),
        # Off, so that the other forms' bookings and cancellations write no deliveries.
        "webhook": webhook_endpoint_create(
            url="https://hooks.example.org/in", events=[APPOINTMENT_BOOKED], created_by=None, active=False
        ),
        "users": {
            "receptionist": UserFactory(role=roles.RECEPTIONIST),
            "therapist": therapist.user,
            "manager": UserFactory(role=roles.MANAGER, is_staff=True),
            "patient": patient_user,
            "other_therapist": TherapistFactory(modalities=[modality]).user,
        },
    }


def slot(s, day: dt.date, hour: int) -> str:
    return f"{local(*day.timetuple()[:3], hour).isoformat()}|{s['therapist'].pk}|{s['room'].pk}"


# Dates a person can type or post that reach the calendar's edges, where converting to UTC or
# adding a day overflows (docs/ARCHITECTURE.md: the date windows). Every date field gets them as
# plausible values, not only as junk, so that the examples send them often.
EDGE_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "01.01.0001", "31.12.9999"]
EDGE_DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "9999-12-31T23:45"]


def edge_slots(s) -> list[str]:
    ids = f"{s['therapist'].pk}|{s['room'].pk}"
    return [f"9999-12-31T23:45:00+01:00|{ids}", f"0001-01-01T00:00:00+00:00|{ids}", f"9999-12-31T23:45|{ids}"]


def dates(s) -> list[str]:
    today = timezone.localdate()
    far = today + dt.timedelta(days=800)  # beyond the two years bookings reach
    return [s["monday"].isoformat(), today.isoformat(), (today - dt.timedelta(days=400)).isoformat(), far.isoformat()]


def quiet_day() -> str:
    return (timezone.localdate() + dt.timedelta(days=90)).isoformat()


def any_dates(s) -> list[str]:
    return [*dates(s), *EDGE_DATES]


# The cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    role: str
    url: Callable[[dict], str]
    data: Callable[[dict], Payload]
    method: str = "POST"
    writes: frozenset[str] = frozenset()  # models that may gain rows, as "app_label.Model"
    edits: Callable[[dict], list] = lambda s: []  # objects the view may change
    query: Callable[[dict], dict] = lambda s: {}
    headers: dict = field(default_factory=dict)


def pk_url(name: str, obj: str) -> Callable[[dict], str]:
    return lambda s: reverse(name, args=[s[obj].pk])


def patient_fields(s) -> Payload:
    return payload(
        first_name=value("Anna", "  Anna  Maria ", "Ødegård"),
        last_name=value("Roth", "O'Brien", s["patient"].last_name),
        date_of_birth=value("1975-04-12", "12.04.1975", s["patient"].date_of_birth.isoformat(), *EDGE_DATES),
        phone=value("+49 30 1234 5678", "(030) 123-456"),
        email=value("anna@example.org", "not-an-email"),
        # Consent cannot be dated in the future: the all-valid example sends today's date.
        consent_on=value(timezone.localdate().isoformat(), *any_dates(s)),
        assigned_therapist=value(s["therapist"].pk, ""),
        contact_channel=value("", "email", "sms"),
        self_booking=value("on", ""),
        different_person=value("on", "1"),
    )


def booking_fields(s) -> Payload:
    return payload(
        patient=value(s["patient"].pk, s["uninvited"].pk),
        course=value(s["course"].pk),
        modality=value(s["modality"].pk),
        therapist=value(s["therapist"].pk),
        day=value(*any_dates(s)),
        slot=value(
            slot(s, s["monday"], 10), slot(s, s["monday"], 17), "2026-01-01T10:00|1|1", "||", "a|b|c", *edge_slots(s)
        ),
        confirm_warnings=value("on"),
    )


def start_fields(s, times=("10:00", "17:45", "07:00"), **more: Value) -> Payload:
    return payload(
        day=value(*any_dates(s)),
        time=value(*times, "23:45", "00:00"),
        therapist=value(s["therapist"].pk),
        room=value(s["room"].pk),
        **more,
    )


def reschedule_fields(s) -> Payload:
    """A new start, as for a session, with the warnings confirmed."""
    return start_fields(s, ("10:00", "11:15", "03:00"), confirm_warnings=value("on"))


def wish_fields(s) -> Payload:
    """A waitlist wish: reception's form, or the patient's in the portal (which has no treatment
    outside a course and no urgency: sent anyway, they must be ignored)."""
    today = timezone.localdate()
    weekdays = ["0", "1", "2", "3", "4", "5", "6", "7", "-1", "x"]
    return payload(
        course=value(s["course"].pk, "", 987654),
        therapist=value("", s["therapist"].pk, 987654),
        weekdays=raw(st.lists(st.sampled_from(weekdays), max_size=8), ["0", "4"]),
        day_parts=raw(st.lists(st.sampled_from(["morning", "afternoon", "evening", "night"]), max_size=4), ["morning"]),
        until=value(*(str(today + dt.timedelta(days=days)) for days in (30, 0, 365, 366, -1)), *any_dates(s)),
        modality=value("", s["modality"].pk, 987654),
        urgent=value("on", ""),
    )


def reason_fields(s) -> Payload:
    return payload(reason=value("Patient called in sick."))


def note_fields(s) -> Payload:
    areas = [choice for choice, _ in AREA_SIDE_CHOICES]
    return payload(
        action=value(SAVE, SIGN),
        subjective=value("Pain down the left leg."),
        objective=value("Tender left of L5."),
        assessment=value("Improving."),
        plan=value("Same again."),
        pain_before=value(*range(11)),
        pain_after=value(*range(11)),
        areas_treated=raw(st.lists(st.sampled_from(areas), max_size=4), areas[:2]),
        techniques=value("Kneading"),
        oils_used=value("Almond", "Lavender"),
        minutes=value(40, 240),
        stopped_early=value("on"),
        stopped_early_reason=value("A movement hurt."),
        patient_summary=value("We worked the lower back."),
    )


def webhook_fields(s) -> Payload:
    return payload(
        url=value("https://hooks.example.org/clinic", "ftp://hooks.example.org/", "javascript:alert(1)",
                  "https://user:pw@hooks.example.org/", "https://hooks.example.org:99999/", "http://[::1"),
        description=value("Practice calendar", "", "x" * 201),
        events=raw(
            st.lists(st.sampled_from([*EVENTS, "patient.deleted"]), max_size=4, unique=True), [APPOINTMENT_BOOKED]
        ),
        active=value("on", ""),
        clinical_text_allowed=value("", "on"),
    )


def intake_edit_fields(s) -> Payload:
    rows = {}
    for i, question in enumerate(s["intake"].question_list[:3]):
        rows[f"q{i}_text"] = value(question.text, "Do you smoke?", "", "x" * 301)
        rows[f"q{i}_proposes"] = value(question.proposes, "", *FlagKind.values)
        rows[f"q{i}_detail"] = value(question.detail_label, "", "Which one?", "x" * 121)
    rows["q3_text"] = value("Do you have diabetes?", "")
    rows["q3_proposes"] = value(FlagKind.OTHER, "")
    rows["q41_text"] = value("", "A row far beyond the others?")
    return Payload(rows)


def intake_fields(s) -> Payload:
    rows = {"version": value(s["intake"].pk, 987654, "")}
    for question in s["intake"].question_list:
        rows[f"answer_{question.pk}"] = value("no", "yes", "maybe")
        if question.detail_label:
            rows[f"detail_{question.pk}"] = value("", "Almond oil", "x" * 201)
    return Payload(rows)


def consent_fields(s) -> Payload:
    return payload(
        version=value(s["topic"].versions.get().pk, 987654),
        typed_name=value(str(s["patient"]), f"{s['patient'].last_name}, {s['patient'].first_name}", "Nobody Else"),
        agreed=value("on", ""),
    )


CASES = [
    Case("patient_create", "receptionist", lambda s: reverse("reception:patient_create"), patient_fields,
         writes=frozenset({"patients.Patient"})),
    Case("patient_edit", "receptionist", pk_url("reception:patient_edit", "patient"), patient_fields,
         edits=lambda s: [s["patient"]]),
    Case("appointment_book", "receptionist", lambda s: reverse("booking:appointment_book"), booking_fields,
         writes=frozenset({"treatment_sessions.Appointment"})),
    Case("appointment_book_options", "receptionist", lambda s: reverse("booking:appointment_book"),
         booking_fields, method="GET", headers={"HX-Request": "true"}),
    Case("appointment_cancel", "receptionist", pk_url("booking:appointment_cancel", "appointment"), reason_fields,
         edits=lambda s: [s["appointment"]], writes=frozenset({"treatment_sessions.FreedSlot"})),
    Case("appointment_reschedule", "receptionist", pk_url("booking:appointment_reschedule", "appointment"),
         reschedule_fields, edits=lambda s: [s["appointment"]], writes=frozenset({"treatment_sessions.FreedSlot"})),
    Case("appointment_complete", "therapist", pk_url("booking:appointment_complete", "in_progress"),
         lambda s: payload(next=value("/therapist/", "https://evil.example/", "//evil.example/")),
         edits=lambda s: [s["in_progress"]]),
    Case("series_start", "receptionist", pk_url("booking:course_series_book", "course"), start_fields,
         method="GET"),
    Case("series_confirm", "receptionist", pk_url("booking:course_series_book", "course"),
         lambda s: payload(
             slots=raw(
                 st.lists(st.sampled_from([slot(s, s["monday"] + dt.timedelta(days=d), 9) for d in range(5)]
                                          + edge_slots(s)),
                          max_size=5, unique=True),
                 [slot(s, s["monday"], 9)],
             ),
             confirm_warnings=value("on"),
         ),
         writes=frozenset({"treatment_sessions.Appointment"}), edits=lambda s: [s["course"]]),
    Case("review_cancel", "receptionist", pk_url("reception:review_cancel", "appointment"), reason_fields,
         edits=lambda s: [s["appointment"]], writes=frozenset({"treatment_sessions.FreedSlot"})),
    Case("diagnosis_create", "therapist", pk_url("chart:diagnosis_create", "patient"),
         lambda s: payload(
             icd10_code=value("M54.3", " m51.1 ", "Z99.999"),
             title=value("Sciatica"),
             cause=value(*Cause.values),
             side=value(*Side.values),
             diagnosed_on=value(*reversed(dates(s)[:3]), *EDGE_DATES),  # a past day first: the valid example writes
             diagnosed_by=value("Dr. Weber"),
         ),
         writes=frozenset({"patients.Diagnosis"})),
    Case("study_create", "therapist", pk_url("chart:study_create", "diagnosis"),
         lambda s: payload(
             kind=value(*StudyKind.values),
             performed_on=value(*reversed(dates(s)[:3]), *EDGE_DATES),
             findings=value("L5–S1."),
         ),
         writes=frozenset({"patients.Study"})),
    Case("phase_record_create", "therapist", pk_url("chart:phase_record_create", "diagnosis"),
         lambda s: payload(
             phase=value(*Phase.values),
             effective_from=value(
                 timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "2026-01-05T09:30", *EDGE_DATETIMES, *EDGE_DATES
             ),
             note=value("Doctor's letter."),
         ),
         writes=frozenset({"patients.PhaseRecord"}), edits=lambda s: [s["appointment"]]),
    Case("health_flag_create", "therapist", pk_url("chart:health_flag_create", "patient"),
         lambda s: payload(
             kind=value(*FlagKind.values),
             substance=value("Lavender"),
             active_from=value(*any_dates(s)),
             active_to=value(*any_dates(s)),
             note=value("Since spring."),
         ),
         writes=frozenset({"patients.HealthFlag"})),
    Case("health_flag_end", "therapist", pk_url("chart:health_flag_end", "flag"),
         lambda s: payload(on=value(*any_dates(s))), edits=lambda s: [s["flag"]]),
    Case("course_prescribe", "therapist", pk_url("chart:course_prescribe", "patient"),
         lambda s: payload(
             diagnosis=value(s["diagnosis"].pk),
             modality=value(s["modality"].pk),
             starts_on=value(*any_dates(s)),
             min_sessions=value(1, 12, 60),
             max_sessions=value(1, 15, 60),
             session_minutes=value(5, 45, 240),
             cadence=value(Cadence.PER_WEEK, "", *Cadence.values),
             sessions_per_week=value(2, 1, 7),
             goals=value("Sit through a working day."),
             home_programme=value("Tennis ball."),
         ),
         writes=frozenset({"treatment_sessions.Course"})),
    Case("course_close", "therapist", pk_url("chart:course_close", "course"),
         lambda s: payload(remarks=value("Pain-free; home programme.")), edits=lambda s: [s["course"]]),
    Case("note_save_or_sign", "therapist", pk_url("therapist:note_edit", "in_progress"), note_fields,
         writes=frozenset({"treatment_sessions.SessionNote"})),
    Case("note_oil_check", "therapist", pk_url("therapist:note_edit", "in_progress"),
         lambda s: payload(oils_used=value("Lavender oil", "lavender")), method="GET",
         headers={"HX-Request": "true"}),
    Case("addendum_add", "therapist", pk_url("therapist:addendum_add", "note"),
         lambda s: payload(text=value("Pain eased the next day."), next=value("/therapist/", "//evil.example/")),
         writes=frozenset({"treatment_sessions.Addendum"})),
    Case("portal_cancel", "patient", pk_url("portal:portal_appointment_cancel", "appointment"), reason_fields,
         edits=lambda s: [s["appointment"]], writes=frozenset({"treatment_sessions.FreedSlot"})),
    Case("portal_self_book", "patient", pk_url("portal:portal_self_book", "course"),
         lambda s: payload(
             slot=value(slot(s, s["monday"], 10), slot(s, s["monday"], 17), "||", "a|b|c", *edge_slots(s)),
             day=value(s["monday"].isoformat(), *any_dates(s)),
         ),
         writes=frozenset({"treatment_sessions.Appointment"})),
    Case("portal_self_move", "patient", pk_url("portal:portal_self_move", "appointment"),
         lambda s: payload(
             slot=value(slot(s, s["monday"], 10), slot(s, s["monday"], 17), "||", "a|b|c", *edge_slots(s)),
             day=value(s["monday"].isoformat(), *any_dates(s)),
         ),
         edits=lambda s: [s["appointment"]], writes=frozenset({"treatment_sessions.FreedSlot"})),
    Case("portal_self_book_day", "patient", pk_url("portal:portal_self_book", "course"),
         lambda s: payload(day=value(s["monday"].isoformat(), *any_dates(s))), method="GET"),
    Case("portal_contact_channel", "patient", lambda s: reverse("portal:portal_contact_channel"),
         lambda s: payload(contact_channel=value("sms", "email", "fax")), edits=lambda s: [s["patient"]]),
    # The waitlist's wish: reception's (with urgency and a treatment outside any course) and the patient's.
    Case("waitlist_add", "receptionist", pk_url("reception:waitlist_add", "patient"),
         wish_fields, writes=frozenset({"treatment_sessions.WaitlistEntry"})),
    Case("portal_waitlist_add", "patient", lambda s: reverse("portal:portal_waitlist_add"),
         wish_fields, writes=frozenset({"treatment_sessions.WaitlistEntry"})),
    Case("portal_invite", "receptionist", pk_url("reception:portal_invite", "uninvited"),
         lambda s: payload(email=raw(junk, ""), next=raw(junk, "")), writes=frozenset({"auth.User"}),
         edits=lambda s: [s["uninvited"]]),
    # A personal API token (api/token_pages.py): a name and a scope, the secret shown once.
    Case("api_token_create", "receptionist", lambda s: reverse("api_tokens:token_list"),
         lambda s: payload(name=value("Scheduler", "  Night  sync "), scope=value("read", "read-write", "admin")),
         writes=frozenset({"api.ApiToken"})),
    Case("password_change", "patient", lambda s: reverse("password_change"),
         lambda s: payload(
             old_password=value(PASSWORD),
             new_password1=value("a-much-longer-passphrase-42"),
             new_password2=value("a-much-longer-passphrase-42"),
         ),
         edits=lambda s: [s["users"]["patient"]]),
    Case("break_glass_open", "other_therapist", pk_url("chart:break_glass_open", "patient"),
         lambda s: payload(
             reason=value("Covering for a sick colleague; the patient is in the room now."),
             next=value(reverse("chart:patient_chart", args=[s["patient"].pk]), "0", "//evil.example/"),
         ),
         writes=frozenset({"patients.BreakGlassAccess"})),
    Case("audit_log", "manager", lambda s: reverse("manager:audit_log"),
         lambda s: payload(
             user=value("therapist", s["users"]["therapist"].username),
             patient=value(s["patient"].pk, 9223372036854775808),
             action=value("", "view", "break_glass", "create", "update", "delete"),
             outcome=value("", "refused", "allowed"),
             since=value(*any_dates(s)),
             until=value(*any_dates(s)),
             page=value(1, 2),
         ),
         method="GET"),
    Case("availability", "receptionist", lambda s: reverse("booking:availability"),
         lambda s: payload(
             modality=value(s["modality"].pk),
             therapist=value(s["therapist"].pk),
             start=value(*any_dates(s)),
             days=value(28, 1, 31),
         ),
         method="GET"),
    Case("day_board", "receptionist", lambda s: reverse("reception:day_board"),
         lambda s: payload(day=value(*any_dates(s)), by=value("room", "therapist"), location=value("", 1)),
         method="GET"),
    Case("week_board", "receptionist", lambda s: reverse("reception:week_board"),
         lambda s: payload(day=value(*any_dates(s))), method="GET"),
    Case("my_day", "therapist", lambda s: reverse("therapist:my_day"),
         lambda s: payload(day=value(*any_dates(s))), method="GET"),
    Case("patient_search", "receptionist", lambda s: reverse("reception:patient_list"),
         lambda s: payload(q=value("Roth", "ro", "schafer", "Çelik, Zeynep", "1975", "0001", "9999"),
                           page=value(1, 2, "last")), method="GET"),
    Case("reports", "manager", lambda s: reverse("manager:reports"),
         lambda s: payload(
             starts_on=value(*dates(s), "2000-01-01"),
             ends_on=value(*reversed(dates(s)), "2100-12-31"),
             therapist=value(s["therapist"].pk, "", 987654),
             modality=value(s["modality"].pk, ""),
             location=value("", s["room"].location_id),
             csv=value("", "utilisation", "busy_hours", "outcomes_diagnosis", "nothing"),
         ),
         method="GET"),
    Case("measure_create", "manager", lambda s: reverse("manager:measure_create"),
         lambda s: payload(
             name=value("Oswestry Disability Index", "Patient-specific functional scale"),
             code=value("odi", "psfs", "ODI 2"),
             instructions=value("Tick one statement in each section."),
             items=value("Walking\nSitting", "Pain intensity\n- none\n- mild\nLifting", "- orphan answer"),
             scale_min=value(0, 1, 100),
             scale_max=value(5, 1, 10, 100),
             min_label=value("None"),
             max_label=value("Worst"),
             scoring=value(*Scoring.values),
             direction=value("lower", "higher"),
             mcid=value("10", "0.5", "1000"),
             mcid_source=value("The manual."),
             due_at_start=value("on"),
             due_every_sessions=value(5, 1, 60),
             due_at_end=value("on"),
             licence=value("Mapi Research Trust, 2026"),
         ),
         writes=frozenset({"outcomes.Measure", "outcomes.MeasureItem"})),
    # The clinic's editors (pages/manager/clinic_editors.py).
    Case("location_create", "manager", lambda s: reverse("manager:location_create"),
         lambda s: payload(name=value("Riverside", "Main site"), address=value("1 River Road", "")),
         writes=frozenset({"clinic.Location"})),
    Case("therapist_edit", "manager", pk_url("manager:therapist_edit", "therapist"),
         lambda s: payload(
             modalities=value(s["modality"].pk, ""), calendar_colour=value("#aa3355", "red"), active=value("on", ""),
         ),
         edits=lambda s: [s["therapist"]]),
    Case("therapist_hours", "manager", pk_url("manager:therapist_hours", "therapist"),
         lambda s: payload(
             d2_0_starts=value("08:00", "13:00", "07:00"), d2_0_ends=value("18:00", "12:00", ""),
             d2_1_starts=value("", "12:00", "19:00"), d2_1_ends=value("", "20:00"),
             d0_0_starts=value("09:00", ""), d0_0_ends=value("12:00", "09:00"),
             d6_3_starts=value("", "10:00"), d6_3_ends=value("", "11:00"),
         ),
         writes=frozenset({"clinic.WorkingHours"}), edits=lambda s: [s["therapist"]]),
    Case("room_create", "manager", lambda s: reverse("manager:room_create"),
         lambda s: payload(
             name=value("Linden", s["room"].name), location=value(s["room"].location_id, 987654),
             modalities=value(s["modality"].pk, ""), active=value("on", ""),
         ),
         writes=frozenset({"clinic.Room"})),
    Case("modality_create", "manager", lambda s: reverse("manager:modality_create"),
         lambda s: payload(
             name=value("Lymph drainage", s["modality"].name), session_minutes=value(45, 5, 240, 241),
             course_min_sessions=value(6, 1, 20), course_max_sessions=value(10, 1, 100),
             cadence=value(Cadence.FREE, *Cadence.values), sessions_per_week=value("", 2, 7),
             uses_oils=value("on", ""), description=value("Gentle."), active=value("on", ""),
         ),
         writes=frozenset({"clinic.Modality"})),
    Case("closure_create", "manager", lambda s: reverse("manager:closure_create"),
         lambda s: payload(
             # The valid example closes a quiet day: the scene's sessions are all this week.
             kind=value("closed", "holiday_open"), starts_on=value(quiet_day(), *dates(s)),
             ends_on=value(quiet_day(), *reversed(dates(s))),
             reason=value("Training"), therapist=value("", s["therapist"].pk),
         ),
         writes=frozenset({"clinic.Closure"})),
    Case("rule_create", "manager", lambda s: reverse("manager:rule_create"),
         lambda s: payload(
             condition=value(RuleCondition.HEALTH_FLAG, RuleCondition.NO_CONSENT, ""),
             flag_kind=value(FlagKind.SKIN_CONDITION, *FlagKind.values, ""), modality=value(s["modality"].pk, ""),
             oil_modalities_only=value("", "on"), effect=value("warn", "block"), message=value("Check the skin."),
             active=value("on", ""),
         ),
         writes=frozenset({"patients.ContraindicationRule"})),
    # The questionnaire and consent editors (pages/manager/intake_consent.py).
    Case("intake_edit", "manager", lambda s: reverse("manager:intake_edit"), intake_edit_fields,
         writes=frozenset({"patients.IntakeVersion", "patients.IntakeQuestion"})),
    Case("consent_create", "manager", lambda s: reverse("manager:consent_create"),
         lambda s: payload(
             name=value("Lymph drainage", "Massage", ""),
             modalities=value(s["modality"].pk, "", 987654, "99999999999999999999"),
             oil_modalities=value("on", ""), active=value("on", ""),
             text=value("I agree to lymph drainage.\r\nIt is gentle.", " ", "x" * 20_001),
         ),
         writes=frozenset({"patients.ConsentTopic", "patients.ConsentVersion"})),
    Case("consent_edit", "manager", pk_url("manager:consent_edit", "topic"),
         lambda s: payload(
             name=value("Massage", "Cupping", "Hands-on treatment"), modalities=value(s["modality"].pk, ""),
             oil_modalities=value("on", ""), active=value("on", ""),
         ),
         edits=lambda s: [s["topic"]]),
    Case("consent_text", "manager", pk_url("manager:consent_text", "topic"),
         lambda s: payload(text=value("New words about massage.", s["topic"].versions.get().text, "", "x" * 20_001)),
         writes=frozenset({"patients.ConsentVersion"})),
    # Webhooks (pages/manager/webhooks.py): a refused URL or event saves nothing.
    Case("webhook_add", "manager", lambda s: reverse("manager:webhook_add"), webhook_fields,
         writes=frozenset({"webhooks.WebhookEndpoint"})),
    Case("webhook_edit", "manager", pk_url("manager:webhook_edit", "webhook"), webhook_fields,
         edits=lambda s: [s["webhook"]]),
    # Intake and consent: the portal, the reception tablet, the chart.
    Case("portal_intake", "patient", lambda s: reverse("portal:portal_intake"), intake_fields,
         writes=frozenset({"patients.IntakeResponse", "patients.IntakeAnswer", "patients.FlagProposal"})),
    Case("portal_consent_sign", "patient", pk_url("portal:portal_consent_sign", "topic"), consent_fields,
         writes=frozenset({"patients.ConsentSignature"})),
    Case("kiosk_start", "receptionist", pk_url("reception:kiosk_start", "patient"),
         lambda s: payload(next=value("", "//evil.example/")), writes=frozenset({"patients.KioskSession"})),
    Case("kiosk_intake", "kiosk", lambda s: reverse("reception:kiosk_intake"), intake_fields,
         writes=frozenset({"patients.IntakeResponse", "patients.IntakeAnswer", "patients.FlagProposal"})),
    Case("kiosk_consent", "kiosk", pk_url("reception:kiosk_consent", "topic"), consent_fields,
         writes=frozenset({"patients.ConsentSignature"})),
    Case("flag_proposal_confirm", "therapist", pk_url("chart:flag_proposal_confirm", "proposal"),
         lambda s: payload(
             substance=value("Almond oil", "", "x" * 81), active_from=value(*reversed(dates(s)[:3]), *EDGE_DATES),
             note=value("From the intake.", "x" * 301),
         ),
         writes=frozenset({"patients.HealthFlag"}), edits=lambda s: [s["proposal"]]),
    Case("flag_proposal_dismiss", "therapist", pk_url("chart:flag_proposal_dismiss", "proposal"),
         lambda s: payload(note=value("Was a perfume.", "", "x" * 301)), edits=lambda s: [s["proposal"]]),
    Case("break_glass_review", "manager", pk_url("manager:break_glass_review", "access"),
         lambda s: payload(comment=value("Called the therapist: covering for a colleague.", "ok")),
         writes=frozenset({"patients.BreakGlassReview"})),
    # A patient's erasure (pages/manager/patient_data.py): the scene's patient is within the
    # retention period, so even a valid form is refused and nothing changes.
    Case("patient_erase", "manager", pk_url("manager:patient_erase", "patient"),
         lambda s: payload(understood=value("on", "", "off"), word=value("ERASE", " ERASE ", "erase", "x" * 21)),
         edits=lambda s: [s["patient"]]),
    Case("portal_measure", "patient", pk_url("portal:portal_measure", "course"),
         lambda s: payload(
             measure=value(s["psfs"].pk, 987654),
             activity_1=value("Putting on socks", "Walking"),
             rating_1=value(*range(11)),
             activity_2=value("Sitting through a film", ""),
             rating_2=value(3, ""),
             activity_3=value(""),
             rating_3=value("", 5),
         ),
         writes=frozenset({"treatment_sessions.OutcomeScore"})),
    Case("password_reset", "anonymous", lambda s: reverse("password_reset"),
         lambda s: payload(email=value(s["users"]["patient"].email, "nobody@example.org", "not-an-email")),
         writes=frozenset({"clinic.PasswordResetRequest"})),
    # The admin's add forms: dates and times arrive split in two (the date, the time).
    Case("admin_patient_add", "manager", lambda s: reverse("admin:patients_patient_add"),
         lambda s: payload(
             first_name=value("Anna"), last_name=value("Roth"),
             date_of_birth=value("1975-04-12", *EDGE_DATES), phone=value("+49 30 1234 5678"),
             email=value("anna@example.org"), consent_on=value(timezone.localdate().isoformat(), *any_dates(s)),
             contact_channel=value("email", "sms"), language=value("en-gb", "de", "ru"), self_booking=value("on", ""),
             **ADMIN_INLINES["patient"],
         ),
         writes=frozenset({"patients.Patient"})),
    Case("admin_diagnosis_add", "manager", lambda s: reverse("admin:patients_diagnosis_add"),
         lambda s: payload(
             patient=value(s["patient"].pk), icd10_code=value("M54.3"), title=value("Sciatica"),
             cause=value(*Cause.values), side=value(*Side.values),
             diagnosed_on=value(timezone.localdate().isoformat(), *any_dates(s)), diagnosed_by=value("Dr. Weber"),
             active=value("on"), **ADMIN_INLINES["diagnosis"],
         ),
         writes=frozenset({"patients.Diagnosis"})),
    Case("admin_study_add", "manager", lambda s: reverse("admin:patients_study_add"),
         lambda s: payload(
             diagnosis=value(s["diagnosis"].pk), kind=value(*StudyKind.values),
             performed_on=value(timezone.localdate().isoformat(), *any_dates(s)), findings=value("L5–S1."),
         ),
         writes=frozenset({"patients.Study"})),
    Case("admin_phase_record_add", "manager", lambda s: reverse("admin:patients_phaserecord_add"),
         lambda s: payload(
             diagnosis=value(s["diagnosis"].pk), phase=value(Phase.REMISSION, *Phase.values),
             effective_from_0=value(timezone.localdate().isoformat(), *any_dates(s)),
             effective_from_1=value("00:00", "23:59", "10:00"), note=value("Letter."),
         ),
         writes=frozenset({"patients.PhaseRecord"}), edits=lambda s: [s["appointment"]]),
    Case("admin_health_flag_add", "manager", lambda s: reverse("admin:patients_healthflag_add"),
         lambda s: payload(
             patient=value(s["patient"].pk), kind=value(FlagKind.HYPERTENSION, *FlagKind.values),
             substance=value("", "Lavender"), active_from=value(timezone.localdate().isoformat(), *any_dates(s)),
             active_to=value("", *any_dates(s)), note=value("Tablets."),
         ),
         writes=frozenset({"patients.HealthFlag"})),
    Case("admin_course_add", "manager", lambda s: reverse("admin:treatment_sessions_course_add"),
         lambda s: payload(
             patient=value(s["patient"].pk), diagnosis=value(s["diagnosis"].pk), modality=value(s["modality"].pk),
             starts_on=value(timezone.localdate().isoformat(), *any_dates(s)),
             min_sessions=value(1, ""), max_sessions=value(10, ""), session_minutes=value(30, ""),
             cadence=value("", *Cadence.values), sessions_per_week=value("", 2), goals=value("Walk."),
             home_programme=value(""), **ADMIN_INLINES["course"],
         ),
         writes=frozenset({"treatment_sessions.Course"})),
    Case("admin_appointment_add", "manager", lambda s: reverse("admin:treatment_sessions_appointment_add"),
         lambda s: payload(
             patient=value(s["patient"].pk), course=value(s["course"].pk, ""), modality=value(s["modality"].pk),
             therapist=value(s["therapist"].pk), room=value(s["room"].pk),
             starts_at_0=value(s["monday"].isoformat(), *any_dates(s)),
             starts_at_1=value("17:00", "00:00", "23:45", "10:00"), confirm_warnings=value("on"),
         ),
         writes=frozenset({"treatment_sessions.Appointment"})),
    Case("admin_closure_add", "manager", lambda s: reverse("admin:clinic_closure_add"),
         lambda s: payload(
             kind=value("closed", "holiday_open"), starts_on=value(s["monday"].isoformat(), *any_dates(s)),
             ends_on=value(s["monday"].isoformat(), *any_dates(s)), reason=value("Training"),
             therapist=value("", s["therapist"].pk),
         ),
         writes=frozenset({"clinic.Closure"})),
]  # fmt: skip

# A new patient's record version and the schedule's log are written by the database itself,
# beside the rows they follow (patients/record_version.py, sessions/schedule_version.py): they are
# no form's to write.
WATCHED = [
    model
    for label in WATCHED_APPS
    for model in apps.get_app_config(label).get_models()
    if model not in (RecordVersion, ScheduleChange)
] + [User]


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _snapshot() -> dict[str, tuple[int, int]]:
    """Per model: how many rows, and the highest primary key."""
    return {
        _label(m): (m.objects.count(), m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for m in WATCHED
    }


def _check_nothing_half_written(case: Case, scene: dict, before: dict) -> bool:
    after = _snapshot()
    grown = {label for label in after if after[label][0] != before[label][0]}
    assert grown <= case.writes, f"{case.name} changed the row count of {sorted(grown - case.writes)}"
    for model in WATCHED:
        label = _label(model)
        if label in grown:
            for row in model.objects.filter(pk__gt=before[label][1]):
                row.full_clean()
    for obj in case.edits(scene):
        obj.refresh_from_db()
        obj.full_clean()
    return bool(grown)


def _refuses_external_redirect(response) -> None:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        assert not location.startswith("//") and "evil.example" not in location, location


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_never_breaks_a_form(case, scene):
    try:
        url = case.url(scene)
        fields = case.data(scene)
    except NoReverseMatch as error:  # the authorization matrix insists every URL is covered
        pytest.skip(f"no such URL here: {error}")
    client = Client()
    if case.role == "kiosk":
        # The reception tablet handed to the scene's patient (pages/reception/kiosk.py).
        _, token = kiosk_start(patient=scene["patient"], started_by=scene["users"]["receptionist"])
        session = client.session
        session[KIOSK_SESSION_KEY] = token
        session.save()
    elif case.role != "anonymous":
        log_in_verified(client, scene["users"][case.role], backend=MODEL_BACKEND)
    wrote = []

    @EXAMPLES
    @example(data=fields.valid())
    @given(data=fields.strategy())
    def send(data):
        with transaction.atomic():
            before = _snapshot()
            if case.method == "GET":
                response = client.get(url, data, secure=True, headers=case.headers)
            else:
                response = client.post(url, data, secure=True, headers=case.headers)
            assert response.status_code < 500
            _refuses_external_redirect(response)
            wrote.append(_check_nothing_half_written(case, scene, before))
            transaction.set_rollback(True)
        for obj in case.edits(scene):
            obj.refresh_from_db()

    send()
    if case.writes:
        # The all-valid example at least: the fuzzing reached the path that writes.
        assert any(wrote), f"{case.name}: no example wrote anything"
