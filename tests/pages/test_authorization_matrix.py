"""Who reaches what: every URL the project defines, for every role, against patient A's records.

The table below is the contract (docs/ARCHITECTURE.md, "Who may do what"). A URL missing from it fails
`test_every_url_is_in_the_matrix`, so a new page cannot ship without someone deciding who sees it.

Reading the table:
- anonymous users are sent to the login page (302) wherever a login is needed;
- staff-only pages answer a patient 403 *before* any lookup, whatever the object, so a 403 there
  confirms nothing about patient A; the portal's own pages answer another patient 404;
- POST-only views are sent an empty POST; an allowed role's 302 is the view's redirect back
  (with a success or an error message), never a 403/404;
- the calendar feed has no login: its owner (patient A) uses the real token, everyone else a wrong one.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.models import TokenScope
from api.tokens import api_token_create
from clinic import roles
from clinic.events import EVENTS
from patients.consent import consent_sign
from patients.intake import Answer, intake_submit, intake_version_current
from patients.models import ConsentTopic, ContraindicationRule, FlagKind, RuleEffect, Via
from patients.services import break_glass_open as patient_break_glass_open
from patients.services import patient_calendar_token_ensure
from sessions.models import WaitlistOffer
from sessions.waitlist import offer_token
from tests.conftest import log_in_verified
from tests.factories import (
    ClosureFactory,
    ModalityFactory,
    PatientFactory,
    RoomFactory,
    StudyFactory,
    TherapistFactory,
    UserFactory,
    local,
    next_weekday,
)
from tests.scenes import freed_slot, treated, wish
from webhooks.services import webhook_endpoint_create, webhook_test_record

ROLES = (
    "anonymous",
    "patient_a",
    "patient_b",
    "therapist_treating",
    "therapist_other",
    "receptionist",
    "manager",
)

# Django's own URLs, checked by Django's tests, not ours:
SKIPPED_NAMESPACES = {"admin"}  # the admin site: staff-only, its own login and permissions
SKIPPED_NAMES = {
    # django.contrib.auth.urls: public by design (log in, set a forgotten password), or the
    # logged-in user's own password; none of them takes another person's object. Asking for a
    # reset is ours (pages/password_reset.py): its rows are in the matrix.
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset_confirm",
    "password_reset_complete",
}


@dataclass(frozen=True)
class Row:
    method: str
    obj: str | None  # which of patient A's objects fills <pk> (see `scene`), or "token", or "offer_token"
    statuses: tuple[int, ...]  # in the order of ROLES
    query: dict = field(default_factory=dict)

    def expected(self) -> dict[str, int]:
        return dict(zip(ROLES, self.statuses, strict=True))


# fmt: off
#                                                                        anon pat_a pat_b t_trt t_oth recep  mgr
MATRIX: dict[str, Row] = {
    "home":                              Row("GET",  None,          (302, 302, 302, 302, 302, 302, 302)),
    # A forgotten password (pages/password_reset.py): public, and the same answer for everyone.
    "password_reset":                    Row("GET",  None,          (200, 200, 200, 200, 200, 200, 200)),
    "password_reset_done":               Row("GET",  None,          (200, 200, 200, 200, 200, 200, 200)),
    # The benchmark's constant "ok" (no data, no login); routed only with CLINIC_BENCH_BASELINE=1.
    "bench_baseline":                    Row("GET",  None,          (200, 200, 200, 200, 200, 200, 200)),
    "manager:manager_home":              Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:audit_log":                 Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:break_glass_list":          Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    # The audit log's name suggestions (users and patients): the manager's only.
    "manager:audit_suggest":             Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    # The review of an emergency access: an empty comment is sent back with a message (302).
    "manager:break_glass_review":        Row("POST", "break_glass", (302, 403, 403, 403, 403, 403, 302)),
    "manager:reports":                   Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:measure_list":              Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:measure_create":            Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    # The clinic's editors (pages/manager/clinic_editors.py): the manager only.
    "manager:location_list":             Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:location_create":           Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:location_edit":             Row("GET",  "location",    (302, 403, 403, 403, 403, 403, 200)),
    "manager:therapist_list":            Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:therapist_edit":            Row("GET",  "therapist",   (302, 403, 403, 403, 403, 403, 200)),
    "manager:therapist_hours":           Row("GET",  "therapist",   (302, 403, 403, 403, 403, 403, 200)),
    "manager:room_list":                 Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:room_create":               Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:room_edit":                 Row("GET",  "room",        (302, 403, 403, 403, 403, 403, 200)),
    "manager:modality_list":             Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:modality_create":           Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:modality_edit":             Row("GET",  "modality",    (302, 403, 403, 403, 403, 403, 200)),
    "manager:closure_list":              Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:closure_create":            Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:closure_edit":              Row("GET",  "closure",     (302, 403, 403, 403, 403, 403, 200)),
    "manager:closure_delete":            Row("POST", "closure",     (302, 403, 403, 403, 403, 403, 302)),
    "manager:rule_list":                 Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:rule_create":               Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:rule_edit":                 Row("GET",  "rule",        (302, 403, 403, 403, 403, 403, 200)),
    # The questionnaire and consent texts (pages/manager/intake_consent.py): the manager only.
    "manager:intake_questions":          Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:intake_edit":               Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:consent_list":              Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:consent_create":            Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:consent_edit":              Row("GET",  "topic",       (302, 403, 403, 403, 403, 403, 200)),
    "manager:consent_text":              Row("GET",  "topic",       (302, 403, 403, 403, 403, 403, 200)),
    "manager:consent_version":           Row("GET",  "version",     (302, 403, 403, 403, 403, 403, 200)),
    # A patient's data (pages/manager/patient_data.py): the copy and the erasure, the manager only;
    # an empty erasure form comes back with its errors (200), nothing erased.
    "manager:patient_data":              Row("GET",  "patient",     (302, 403, 403, 403, 403, 403, 200)),
    "manager:patient_data_json":         Row("GET",  "patient",     (302, 403, 403, 403, 403, 403, 200)),
    "manager:patient_data_document":     Row("GET",  "patient",     (302, 403, 403, 403, 403, 403, 200)),
    "manager:patient_erase":             Row("POST", "patient",     (302, 403, 403, 403, 403, 403, 200)),
    # Webhooks (pages/manager/webhooks.py): the manager only. A new secret, the test event and
    # "retry now" go back to the webhook's page (302).
    "manager:webhook_list":              Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:webhook_add":               Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "manager:webhook_edit":              Row("GET",  "webhook",     (302, 403, 403, 403, 403, 403, 200)),
    "manager:webhook_deliveries":        Row("GET",  "webhook",     (302, 403, 403, 403, 403, 403, 200)),
    "manager:webhook_secret_new":        Row("POST", "webhook",     (302, 403, 403, 403, 403, 403, 302)),
    "manager:webhook_test_send":         Row("POST", "webhook",     (302, 403, 403, 403, 403, 403, 302)),
    "manager:webhook_delivery_retry":    Row("POST", "delivery",    (302, 403, 403, 403, 403, 403, 302)),
    # Reception's patient register
    "reception:patient_list":            Row("GET",  None,          (302, 403, 403, 403, 403, 200, 200)),
    "reception:patient_create":          Row("GET",  None,          (302, 403, 403, 403, 403, 200, 200)),
    # The old address only redirects (to the overview, which checks the role again).
    "reception:patient_detail":          Row("GET",  "patient",     (302, 403, 403, 302, 302, 302, 302)),
    "reception:patient_edit":            Row("GET",  "patient",     (302, 403, 403, 403, 403, 200, 200)),
    # Front desk
    "reception:day_board":               Row("GET",  None,          (302, 403, 403, 403, 403, 200, 200)),
    "reception:week_board":              Row("GET",  None,          (302, 403, 403, 403, 403, 200, 200)),
    "reception:review_list":             Row("GET",  None,          (302, 403, 403, 403, 403, 200, 200)),
    "reception:patient_overview":        Row("GET",  "patient",     (302, 403, 403, 403, 403, 200, 200)),
    "reception:review_keep":             Row("POST", "appointment", (302, 403, 403, 403, 403, 302, 302)),
    "reception:review_cancel":           Row("POST", "appointment", (302, 403, 403, 403, 403, 302, 302)),
    # Cancel all of a patient's flagged sessions: an empty reason is sent back with a message.
    "reception:review_cancel_all":       Row("POST", "patient",     (302, 403, 403, 403, 403, 302, 302)),
    "reception:portal_invite":           Row("POST", "patient",     (302, 403, 403, 403, 403, 302, 302)),
    # The waitlist (pages/reception/waitlist.py): the front desk's.
    "reception:waitlist":                Row("GET",  None,          (302, 403, 403, 403, 403, 200, 200)),
    "reception:waitlist_add":            Row("GET",  "patient",     (302, 403, 403, 403, 403, 200, 200)),
    "reception:waitlist_withdraw":       Row("POST", "wish",        (302, 403, 403, 403, 403, 302, 302)),
    "reception:waitlist_slot_release":   Row("POST", "freed_slot",  (302, 403, 403, 403, 403, 302, 302)),
    "reception:waitlist_send":           Row("POST", None,          (302, 403, 403, 403, 403, 302, 302)),
    # The reception tablet (pages/reception/kiosk.py): the front desk hands it over; the kiosk
    # pages answer only the tablet's kiosk session (tests/pages/reception/test_kiosk.py), so
    # everyone here, logged in or not, finds them closed; the thank-you page holds nothing.
    "reception:kiosk_start":             Row("GET",  "patient",     (302, 403, 403, 403, 403, 200, 200)),
    "reception:kiosk_home":              Row("GET",  None,          (403, 403, 403, 403, 403, 403, 403)),
    "reception:kiosk_intake":            Row("GET",  None,          (403, 403, 403, 403, 403, 403, 403)),
    "reception:kiosk_consent":           Row("GET",  "topic",       (403, 403, 403, 403, 403, 403, 403)),
    "reception:kiosk_finish":            Row("POST", None,          (403, 403, 403, 403, 403, 403, 403)),
    "reception:kiosk_done":              Row("GET",  None,          (200, 200, 200, 200, 200, 200, 200)),
    # Booking: any therapist may book, move and cancel (docs/ARCHITECTURE.md), not only the treating one.
    "booking:appointment_book":          Row("GET",  None,          (302, 403, 403, 200, 200, 200, 200),
                                             query={"patient": "patient"}),
    # Free slots as JSON (planning ahead, the benchmark); no patient in it.
    "booking:availability":              Row("GET",  None,          (302, 403, 403, 200, 200, 200, 200),
                                             query={"modality": "modality"}),
    "booking:course_series_book":        Row("GET",  "course",      (302, 403, 403, 200, 200, 200, 200)),
    "booking:appointment_detail":        Row("GET",  "appointment", (302, 403, 403, 200, 200, 200, 200)),
    "booking:appointment_check_in":      Row("POST", "appointment", (302, 403, 403, 302, 302, 302, 302)),
    "booking:appointment_no_show":       Row("POST", "appointment", (302, 403, 403, 302, 302, 302, 302)),
    "booking:appointment_complete":      Row("POST", "appointment", (302, 403, 403, 302, 302, 302, 302)),
    "booking:appointment_cancel":        Row("GET",  "appointment", (302, 403, 403, 200, 200, 200, 200)),
    "booking:appointment_reschedule":    Row("GET",  "appointment", (302, 403, 403, 200, 200, 200, 200)),
    # The therapist's workspace: notes for the session's own therapist (a manager reads).
    "therapist:my_day":                  Row("GET",  None,          (302, 403, 403, 200, 200, 403, 403)),
    # Each therapist's own list: another therapist gets hers (without patient A), never A's chart.
    "therapist:my_patients":             Row("GET",  None,          (302, 403, 403, 200, 200, 403, 403)),
    "therapist:unsigned_notes":          Row("GET",  None,          (302, 403, 403, 200, 200, 403, 403)),
    "therapist:note_edit":               Row("GET",  "appointment", (302, 403, 403, 200, 403, 403, 200)),
    "therapist:addendum_add":            Row("POST", "note",        (302, 403, 403, 302, 403, 403, 403)),
    # The chart: a therapist who treats the patient, and managers.
    "chart:patient_chart":               Row("GET",  "patient",     (302, 403, 403, 200, 403, 403, 200)),
    # Emergency access: an empty reason is refused (403, the form again) even to a therapist.
    "chart:break_glass_open":            Row("POST", "patient",     (302, 403, 403, 403, 403, 403, 403)),
    "chart:diagnosis_create":            Row("GET",  "patient",     (302, 403, 403, 200, 403, 403, 200)),
    "chart:study_create":                Row("GET",  "diagnosis",   (302, 403, 403, 200, 403, 403, 200)),
    "chart:phase_record_create":         Row("GET",  "diagnosis",   (302, 403, 403, 200, 403, 403, 200)),
    "chart:health_flag_create":          Row("GET",  "patient",     (302, 403, 403, 200, 403, 403, 200)),
    "chart:health_flag_end":             Row("POST", "flag",        (302, 403, 403, 302, 403, 403, 302)),
    "chart:patient_self_booking":        Row("POST", "patient",     (302, 403, 403, 302, 403, 403, 302)),
    "chart:course_prescribe":            Row("GET",  "patient",     (302, 403, 403, 200, 403, 403, 200)),
    "chart:course_suspend":              Row("POST", "course",      (302, 403, 403, 302, 403, 403, 302)),
    "chart:course_resume":               Row("POST", "course",      (302, 403, 403, 302, 403, 403, 302)),
    "chart:course_close":                Row("GET",  "course",      (302, 403, 403, 200, 403, 403, 200)),
    # Intake and consent on the chart (pages/chart/intake.py): an empty confirmation is sent back
    # with a message, an empty dismissal dismisses (no reason needed).
    "chart:flag_proposal_confirm":       Row("POST", "proposal",    (302, 403, 403, 302, 403, 403, 302)),
    "chart:flag_proposal_dismiss":       Row("POST", "proposal",    (302, 403, 403, 302, 403, 403, 302)),
    "chart:consent_signature":           Row("GET",  "signature",   (302, 403, 403, 200, 403, 403, 200)),
    # The portal: the logged-in patient's own records; another patient's are 404.
    "portal:portal_home":                Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_appointments":        Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_appointment_cancel":  Row("GET",  "appointment", (302, 200, 404, 403, 403, 403, 403)),
    "portal:portal_appointment_ics":     Row("GET",  "appointment", (302, 200, 404, 403, 403, 403, 403)),
    "portal:portal_measure":             Row("GET",  "course",      (302, 200, 404, 403, 403, 403, 403)),
    "portal:portal_self_book":           Row("GET",  "course",      (302, 200, 404, 403, 403, 403, 403)),
    "portal:portal_self_move":           Row("GET",  "appointment", (302, 200, 404, 403, 403, 403, 403)),
    "portal:portal_contact_channel":     Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    # The health questions and consents: every patient's own; a consent text is the clinic's.
    "portal:portal_intake":              Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_consents":            Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_consent_sign":        Row("GET",  "topic",       (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_calendar":            Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_calendar_renew":      Row("POST", None,          (302, 302, 302, 403, 403, 403, 403)),
    # The waitlist (pages/portal/waitlist.py): the patient's own wishes; patient A's offer by its
    # signed link, which opens for patient A only (another patient: 404, like a made-up token).
    "portal:portal_waitlist":            Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_waitlist_add":        Row("GET",  None,          (302, 200, 200, 403, 403, 403, 403)),
    "portal:portal_waitlist_withdraw":   Row("POST", "wish",        (302, 302, 404, 403, 403, 403, 403)),
    "portal:waitlist_offer":             Row("GET",  "offer_token", (302, 200, 404, 403, 403, 403, 403)),
    "portal:waitlist_offer_accept":      Row("POST", "offer_token", (302, 302, 404, 403, 403, 403, 403)),
    "portal:waitlist_offer_decline":     Row("POST", "offer_token", (302, 302, 404, 403, 403, 403, 403)),
    # No login; patient A's real token for patient A, a wrong one for everyone else.
    "portal:calendar_feed":              Row("GET",  "token",       (404, 200, 404, 404, 404, 404, 404)),
    # Two-factor log-in: anyone logged in enrols (the manager, enrolled already, is sent to the
    # recovery codes); verifying sends the enrolled and verified manager on, the others to enrol;
    # recovery codes are for the enrolled; only a manager resets another account's device.
    "accounts:two_factor_enrol":         Row("GET",  None,          (302, 200, 200, 200, 200, 200, 302)),
    "accounts:two_factor_verify":        Row("GET",  None,          (302, 302, 302, 302, 302, 302, 302)),
    "accounts:recovery_codes":           Row("GET",  None,          (302, 302, 302, 302, 302, 302, 200)),
    "accounts:two_factor_reset_list":    Row("GET",  None,          (302, 403, 403, 403, 403, 403, 200)),
    "accounts:two_factor_reset":         Row("POST", "account",     (302, 403, 403, 403, 403, 403, 302)),
    # The language chooser: anyone, logged in or not; an empty POST goes back with a message.
    "accounts:language_choose":          Row("POST", None,          (302, 302, 302, 302, 302, 302, 302)),
    # Personal API tokens (api/token_pages.py): anyone logged in, their own only; another's is 404.
    "api_tokens:token_list":             Row("GET",  None,          (302, 200, 200, 200, 200, 200, 200)),
    "api_tokens:token_revoke":           Row("POST", "api_token",   (302, 302, 404, 404, 404, 404, 404)),
}
# fmt: on

REFUSED = {403, 404}
# Public views whose 302 to an anonymous user is their own answer, not the log-in page.
PUBLIC_REDIRECTS = {"accounts:language_choose"}
# Rows for URLs that a setting routes only in some deployments: absent here is not "gone".
ONLY_WHEN_ROUTED = {"bench_baseline"}
MODEL_BACKEND = "clinic.backends.UsernameBackend"


def project_url_names() -> set[str]:
    """Every named URL pattern, as namespace:name, minus the skipped ones; an unnamed pattern
    is reported under its route, so it fails the coverage test too."""

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"

    return {name for name in walk(get_resolver().url_patterns, "") if name not in SKIPPED_NAMES}


def test_every_url_is_in_the_matrix():
    # The REST API's rows, with their tokens, are in tests/api/authorization_matrix.py.
    from tests.api.authorization_matrix import API_MATRIX

    missing = project_url_names() - set(MATRIX) - set(API_MATRIX)
    assert not missing, f"URLs with no row in MATRIX (decide who may see them): {sorted(missing)}"


def test_the_matrix_lists_no_url_that_is_gone():
    assert not set(MATRIX) - ONLY_WHEN_ROUTED - project_url_names()


@pytest.fixture
def scene(db):
    return matrix_scene()


def matrix_scene() -> tuple[dict, dict]:
    """Patient A's records, a treating therapist, and everyone else: (users by role, object keys).

    The browser's accessibility test (tests/browser/test_accessibility.py) visits the same pages.
    """
    now = timezone.now().replace(microsecond=0)
    modality = ModalityFactory()
    room = RoomFactory(modalities=[modality])
    treating = TherapistFactory(modalities=[modality])
    other = TherapistFactory(modalities=[modality])
    users = {
        "patient_a": UserFactory(role=roles.PATIENT),
        "patient_b": UserFactory(role=roles.PATIENT),
        "therapist_treating": treating.user,
        "therapist_other": other.user,
        "receptionist": UserFactory(role=roles.RECEPTIONIST),
        "manager": UserFactory(role=roles.MANAGER, is_staff=True),
    }
    patient = PatientFactory(user=users["patient_a"], email=users["patient_a"].email)
    PatientFactory(user=users["patient_b"], email=users["patient_b"].email)
    # The booked session is far enough ahead that the patient may still cancel it in the portal.
    record = treated(
        patient, treating, modality, room, booked_at=now + dt.timedelta(days=5), held_at=now - dt.timedelta(days=2)
    )
    StudyFactory(diagnosis=record["diagnosis"])
    # Opened by a third therapist, so that it changes no one else's row.
    access = patient_break_glass_open(user=TherapistFactory().user, patient=patient, reason="Emergency, as a test.")
    closure = ClosureFactory(starts_on=now.date() + dt.timedelta(days=300), ends_on=now.date() + dt.timedelta(days=301))
    rule = ContraindicationRule.objects.create(
        flag_kind=FlagKind.OTHER, modality=modality, effect=RuleEffect.WARN, message="Ask first."
    )
    # Patient A waits for a session of the course; a slot the treating therapist had free is held for A.
    slot = freed_slot(treating, room, modality, local(*next_weekday(2, weeks_ahead=2).timetuple()[:3], 15))
    entry = wish(patient, course=record["course"])
    offer = WaitlistOffer.objects.create(
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        offered_at=now,
        expires_at=now + dt.timedelta(minutes=30),
        slot=slot,
        entry=entry,
        patient=patient,
        therapist=treating,
        room=room,
    )
    # Patient A answered the health questions (a yes proposes a flag) and signed the massage consent.
    version = intake_version_current()
    answers = {q.pk: Answer(yes=q.proposes == FlagKind.PREGNANCY) for q in version.question_list}
    proposal = intake_submit(patient=patient, version=version, answers=answers, channel=Via.KIOSK).proposals.get()
    massage_consent = ConsentTopic.objects.get(name="Massage")
    consent = massage_consent.versions.get()
    signature = consent_sign(
        patient=patient, version=consent, typed_name=str(patient), agreed=True, channel=Via.PORTAL
    )
    # A webhook to a port nobody listens on: its test event and retries fail at once, offline.
    webhook = webhook_endpoint_create(url="http://127.0.0.1:9/hook", events=list(EVENTS), created_by=users["manager"])
    delivery = webhook_test_record(endpoint=webhook)
    objects = {
        "webhook": webhook.pk,
        "delivery": delivery.pk,
        "therapist": treating.pk,
        "room": room.pk,
        "location": room.location_id,
        "closure": closure.pk,
        "rule": rule.pk,
        "break_glass": access.pk,
        "patient": patient.pk,
        "modality": modality.pk,
        "account": users["patient_a"].pk,
        "proposal": proposal.pk,
        "signature": signature.pk,
        "topic": massage_consent.pk,
        "version": consent.pk,
        **{name: obj.pk for name, obj in record.items()},
        "token": patient_calendar_token_ensure(patient=patient),
        "api_token": api_token_create(user=users["patient_a"], name="Calendar sync", scope=TokenScope.READ)[0].pk,
        "wish": entry.pk,
        "freed_slot": slot.pk,
        "offer_token": offer_token(offer),
    }
    return users, objects


def _url(name: str, row: Row, role: str, objects: dict) -> str:
    if row.obj == "token":
        token = objects["token"] if role == "patient_a" else "not-" + objects["token"]
        path = reverse(name, kwargs={"token": token})
    elif row.obj == "offer_token":  # patient A's offer, whoever asks
        path = reverse(name, kwargs={"token": str(objects["offer_token"])})
    elif row.obj:
        path = reverse(name, kwargs={"pk": objects[row.obj]})
    else:
        path = reverse(name)
    if row.query:
        path += "?" + "&".join(f"{key}={objects[value]}" for key, value in row.query.items())
    return path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, role, scene):
    if name not in project_url_names():
        pytest.skip(f"{name} is not routed with these settings")
    users, objects = scene
    row = MATRIX[name]
    expected = row.expected()[role]
    client = Client()
    if role != "anonymous":
        log_in_verified(client, users[role], backend=MODEL_BACKEND)
    url = _url(name, row, role, objects)

    # secure: production settings redirect plain HTTP to HTTPS before any view runs.
    response = client.post(url, {}, secure=True) if row.method == "POST" else client.get(url, secure=True)

    status = response.status_code
    if expected in REFUSED:
        assert status >= 400, f"unexpected success: {role} {row.method} {url} got {status}, expected {expected}"
    assert status == expected, f"{role} {row.method} {url}: got {status}, expected {expected}"
    if role == "anonymous" and status == 302 and name not in PUBLIC_REDIRECTS:
        assert response.url.startswith(resolve_url(settings.LOGIN_URL) + "?"), response.url


@pytest.mark.parametrize("role", ["patient_a", "patient_b", "anonymous"])
def test_a_password_reset_link_works_only_with_its_own_token(role, scene):
    """password_reset_confirm is Django's (skipped above), but its token is a key to patient A's
    login: the real link opens the set-password form, another user's token or a made-up one does not."""
    users, _ = scene
    owner = users["patient_a"]
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    token = default_token_generator.make_token(owner if role == "patient_a" else users["patient_b"])
    if role == "anonymous":
        token = "not-a-token"
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})

    response = Client().get(url, secure=True, follow=True)

    assert response.status_code == 200
    assert response.context["validlink"] is (role == "patient_a")


# A consent text is the clinic's, the same for every patient and not patient A's record: a patient
# opens any the clinic asks for (and gets 404 for one that is not there).
CLINIC_TEXTS = {"portal:portal_consent_sign"}
PK_ROWS = sorted(name for name, row in MATRIX.items() if row.obj not in (None, "token") and name not in CLINIC_TEXTS)


@pytest.mark.parametrize("role", ["anonymous", "patient_b"])
@pytest.mark.parametrize("name", PK_ROWS)
def test_a_patient_cannot_tell_whether_a_record_exists(name, role, scene):
    """Staff pages answer a patient 403 before looking anything up, the portal answers 404: either
    way patient A's record and a number that belongs to nobody get the same answer."""
    users, objects = scene
    row = MATRIX[name]
    client = Client()
    if role != "anonymous":
        log_in_verified(client, users[role], backend=MODEL_BACKEND)
    nobody = {**objects, row.obj: 987654}
    send = client.post if row.method == "POST" else client.get

    statuses = {send(_url(name, row, role, each), secure=True).status_code for each in (objects, nobody)}

    assert len(statuses) == 1, f"{role} tells patient A's {row.obj} from a missing one at {name}: {statuses}"
