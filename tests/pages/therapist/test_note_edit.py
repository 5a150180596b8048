import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from patients.models import FlagKind, Phase
from sessions.models import AppointmentStatus, CourseStatus, SessionNote
from tests.conftest import client_for
from tests.factories import (
    AddendumFactory,
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    ModalityFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
    TherapistFactory,
    UserFactory,
)
from tests.scenes import url_of

FILLED = {
    "subjective": "Burning pain down the left leg, worse when sitting.",
    "objective": "Tender point left of L5; gluteal muscles tight on the left.",
    "assessment": "Improving.",
    "plan": "Same next time; add the calf.",
    "pain_before": "6",
    "pain_after": "3",
    "areas_treated": ["gluteal:left", "lumbar:left", "sacral:left", "thigh:left"],
    "techniques": "Kneading, stroking",
    "oils_used": "Almond",
    "minutes": "40",
    "patient_summary": "We worked the lower back and left leg. Keep walking daily.",
}


url = url_of("therapist:note_edit")


@pytest.fixture
def session(therapist):
    """Today's session of the logged-in therapist, started an hour ago (or at midnight, if the
    tests run in the first hour of the day) and checked in."""
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    starts_at = max(timezone.now().replace(microsecond=0) - dt.timedelta(hours=1), midnight)
    return AppointmentFactory(therapist=therapist, starts_at=starts_at, status=AppointmentStatus.CHECKED_IN)


@pytest.fixture
def own(therapist):
    return client_for(therapist.user)


def signed(session, **fields):
    return SessionNoteFactory(
        appointment=session, signed_at=timezone.now(), signed_by=session.therapist.user, minutes=40, **fields
    )


# Writing the note


def test_it_shows_an_empty_form_to_the_sessions_therapist(own, session):
    response = own.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Save draft" in html and "Sign" in html
    assert str(session.patient) in html


def test_the_areas_are_offered_in_technique_order(own, session):
    html = own.get(url(session)).content.decode()
    positions = [html.index(f'value="{area}:left"') for area in ("lumbar", "sacral", "gluteal", "thigh", "calf")]
    positions.append(html.index('value="foot_heel:left"'))
    assert positions == sorted(positions)
    assert html.index('value="lumbar:left"') < html.index('value="lumbar:right"') < html.index('value="sacral:left"')


def test_saving_a_draft_stores_it_and_comes_back_to_the_note(own, session, therapist):
    response = own.post(url(session), {**FILLED, "action": "save"}, follow=True)
    assert response.redirect_chain == [(url(session), 302)]
    assert "Draft saved" in response.content.decode()
    note = SessionNote.objects.get(appointment=session)
    assert note.author == therapist.user
    assert not note.is_signed
    assert (note.pain_before, note.pain_after, note.minutes) == (6, 3, 40)
    assert note.areas_treated == ["lumbar:left", "sacral:left", "gluteal:left", "thigh:left"]
    assert note.patient_summary.startswith("We worked")


def test_a_draft_is_shown_again_for_editing(own, session):
    SessionNoteFactory(appointment=session, subjective="Started writing", areas_treated=["calf:right"])
    html = own.get(url(session)).content.decode()
    assert "Started writing" in html
    assert re.search(r'<input type="checkbox" name="areas_treated" value="calf:right"[^>]* checked>', html)
    assert not re.search(r'value="calf:left"[^>]* checked>', html)


def test_signing_signs_and_goes_to_my_day(own, session, therapist):
    response = own.post(url(session), {**FILLED, "action": "sign"})
    assert response.status_code == 302
    assert response.url == reverse("therapist:my_day")
    note = SessionNote.objects.get(appointment=session)
    assert note.is_signed and note.signed_by == therapist.user
    followed = own.get(response.url)
    assert "Signed the note" in followed.content.decode()


def test_signing_a_session_of_another_day_returns_to_that_day(own, session):
    session.starts_at -= dt.timedelta(days=2)
    session.ends_at -= dt.timedelta(days=2)
    session.save()
    response = own.post(url(session), {**FILLED, "action": "sign"})
    assert response.url.endswith(f"?day={timezone.localtime(session.starts_at).date().isoformat()}")


@pytest.mark.parametrize("missing", ["pain_before", "pain_after", "minutes"])
def test_signing_needs_pain_scores_and_minutes(own, session, missing):
    response = own.post(url(session), {**FILLED, missing: "", "action": "sign"})
    assert response.status_code == 200
    assert response.context["form"].errors[missing]
    assert not SessionNote.objects.exists()


def test_a_draft_may_leave_them_empty(own, session):
    response = own.post(url(session), {"subjective": "Only this so far", "action": "save"})
    assert response.status_code == 302
    assert SessionNote.objects.get().pain_before is None


def test_a_refused_signature_keeps_nothing_half_done(own, session):
    session.starts_at = timezone.now() + dt.timedelta(hours=3)  # checked in early, not started
    session.ends_at = session.starts_at + dt.timedelta(minutes=45)
    session.save()
    response = own.post(url(session), {**FILLED, "action": "sign"})
    assert response.status_code == 200
    assert "once the session has started" in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("pain_before", "11"), ("pain_after", "-1"), ("pain_before", "six"), ("minutes", "0"), ("minutes", "999")],
)
def test_bad_numbers_are_refused_on_the_form(own, session, field, value):
    response = own.post(url(session), {**FILLED, field: value, "action": "save"})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not SessionNote.objects.exists()


def test_an_unknown_area_is_refused_on_the_form(own, session):
    response = own.post(url(session), {**FILLED, "areas_treated": ["lumbar:left", "neck:left"], "action": "save"})
    assert response.status_code == 200
    assert response.context["form"].errors["areas_treated"]
    assert not SessionNote.objects.exists()


def test_stopped_early_needs_a_reason(own, session):
    response = own.post(url(session), {**FILLED, "stopped_early": "on", "action": "save"})
    assert response.status_code == 200
    assert "Say why the session stopped early." in response.context["form"].errors["stopped_early_reason"]
    assert not SessionNote.objects.exists()


def test_stopped_early_with_a_reason_is_kept(own, session):
    data = {**FILLED, "stopped_early": "on", "stopped_early_reason": "Hip rotation hurt", "action": "save"}
    own.post(url(session), data)
    note = SessionNote.objects.get()
    assert note.stopped_early and note.stopped_early_reason == "Hip rotation hurt"


def test_an_over_long_text_is_refused_on_the_form(own, session):
    response = own.post(url(session), {**FILLED, "oils_used": "x" * 201, "action": "save"})
    assert response.context["form"].errors["oils_used"]


# Oil allergy


def test_the_allergy_is_shown_at_the_top_whenever_the_patient_has_one(own, session):
    HealthFlagFactory(patient=session.patient, kind=FlagKind.OIL_ALLERGY, substance="Lavender oil")
    response = own.get(url(session))
    html = response.content.decode()
    assert "Allergy: Lavender oil" in html
    assert html.index("Allergy: Lavender oil") < html.index('<form method="post" novalidate')
    assert not response.context["conflicts"]


def test_oils_naming_the_allergen_give_an_amber_warning_but_still_save(own, session):
    HealthFlagFactory(patient=session.patient, kind=FlagKind.OIL_ALLERGY, substance="Lavender oil")
    own.post(url(session), {**FILLED, "oils_used": "Almond, LAVENDER", "action": "save"})
    assert SessionNote.objects.get().oils_used == "Almond, LAVENDER"
    response = own.get(url(session))
    assert [flag.substance for flag in response.context["conflicts"]] == ["Lavender oil"]
    assert "Check the oils" in response.content.decode()


def test_the_warning_comes_as_the_oils_are_typed(own, session):
    HealthFlagFactory(patient=session.patient, kind=FlagKind.OIL_ALLERGY, substance="Rosemary")
    response = own.get(url(session), {"oils_used": "rosemary and almond"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Check the oils" in response.content.decode()
    assert "<form" not in response.content.decode()
    quiet = own.get(url(session), {"oils_used": "almond"}, headers={"HX-Request": "true"})
    assert "Check the oils" not in quiet.content.decode()


def test_an_ended_allergy_gives_no_warning(own, session):
    HealthFlagFactory(
        patient=session.patient,
        kind=FlagKind.OIL_ALLERGY,
        substance="Lavender",
        active_from=dt.date(2020, 1, 1),
        active_to=dt.date(2020, 12, 31),
    )
    own.post(url(session), {**FILLED, "oils_used": "lavender", "action": "save"})
    html = own.get(url(session)).content.decode()
    assert "Allergy: Lavender" not in html and "Check the oils" not in html


def test_hypertension_and_pregnancy_are_shown(own, session):
    HealthFlagFactory(patient=session.patient, kind=FlagKind.HYPERTENSION)
    HealthFlagFactory(patient=session.patient, kind=FlagKind.PREGNANCY)
    html = own.get(url(session)).content.decode()
    assert "High blood pressure" in html and "Pregnancy" in html


# A signed note stays as signed


def test_a_signed_note_is_shown_read_only_with_an_addendum_form(own, session):
    note = signed(session, subjective="As signed")
    AddendumFactory(note=note, text="Called back: better.")
    response = own.get(url(session))
    html = response.content.decode()
    assert response.context["form"] is None
    assert "As signed" in html and "Called back: better." in html
    assert 'name="subjective"' not in html
    assert reverse("therapist:addendum_add", args=[note.pk]) in html


def test_a_tampered_post_to_a_signed_note_changes_nothing(own, session):
    note = signed(session, subjective="As signed", pain_after=4)
    response = own.post(url(session), {**FILLED, "subjective": "Rewritten", "action": "save"}, follow=True)
    assert "This note is signed" in response.content.decode()
    after = SessionNote.objects.get(pk=note.pk)
    assert (after.subjective, after.pain_after, after.updated_at) == ("As signed", 4, note.updated_at)


def test_signing_again_changes_nothing(own, session):
    note = signed(session)
    own.post(url(session), {**FILLED, "action": "sign"})
    assert SessionNote.objects.get(pk=note.pk).signed_at == note.signed_at


def test_the_course_completes_when_its_last_session_is_signed(own, therapist):
    modality = ModalityFactory(course_min_sessions=1, course_max_sessions=1)
    course = CourseFactory(modality=modality)
    session = AppointmentFactory(
        therapist=therapist,
        patient=course.patient,
        course=course,
        modality=modality,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        status=AppointmentStatus.COMPLETED,
    )
    own.post(url(session), {**FILLED, "action": "sign"})
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED


# Sessions that get no note


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_cancelled_or_missed_session_gets_no_note(own, session, status):
    session.status = status
    session.cancellation_reason = "Ill" if status == AppointmentStatus.CANCELLED else ""
    session.save()
    page = own.get(url(session))
    assert page.context["form"] is None
    assert "session gets no note" in page.content.decode()
    own.post(url(session), {**FILLED, "action": "save"})
    assert not SessionNote.objects.exists()


# Who may see it


def test_a_manager_reads_the_note_without_a_form(session, manager):
    signed(session, subjective="As signed")
    response = client_for(manager).get(url(session))
    assert response.status_code == 200
    assert response.context["form"] is None and response.context["addendum_form"] is None
    assert "As signed" in response.content.decode()


def test_a_manager_reads_a_draft_too(session, manager):
    SessionNoteFactory(appointment=session, subjective="Half written")
    html = client_for(manager).get(url(session)).content.decode()
    assert "Half written" in html and "Draft, not signed" in html


def test_a_manager_may_not_post(session, manager):
    response = client_for(manager).post(url(session), {**FILLED, "action": "save"})
    assert response.status_code == 403
    assert not SessionNote.objects.exists()


def test_another_therapist_is_forbidden(session):
    other = client_for(TherapistFactory().user)
    assert other.get(url(session)).status_code == 403
    assert other.post(url(session), {**FILLED, "action": "save"}).status_code == 403
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.PATIENT])
def test_other_roles_are_forbidden(session, role):
    visitor = client_for(UserFactory(role=role))
    assert visitor.get(url(session)).status_code == 403
    assert visitor.post(url(session), {**FILLED, "action": "save"}).status_code == 403
    assert not SessionNote.objects.exists()


def test_the_patient_of_the_session_is_forbidden_too(session):
    user = UserFactory(role=roles.PATIENT)
    session.patient.user = user
    session.patient.save()
    assert client_for(user).get(url(session)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, session):
    response = client.get(url(session))
    assert response.status_code == 302 and "/login/" in response.url


def test_an_unknown_session_is_404(own):
    assert own.get(reverse("therapist:note_edit", args=[999999])).status_code == 404


def test_it_rejects_other_methods(own, session):
    assert own.put(url(session)).status_code == 405
    assert own.delete(url(session)).status_code == 405


def test_the_page_uses_a_fixed_number_of_queries(own, session, django_assert_max_num_queries):
    note = signed(session)
    for _ in range(5):
        AddendumFactory(note=note)
    HealthFlagFactory(patient=session.patient, kind=FlagKind.OIL_ALLERGY, substance="Lavender")
    # Session, user, roles, appointment, note, flags, course position (none: no course), addenda.
    # 8 for the page, 1 to log the read, up to 4 for the contraindication check (signing's gate).
    with django_assert_max_num_queries(13):
        own.get(url(session))


# Signing: only what can be done


def test_signing_a_checked_in_session_completes_it(own, session):
    own.post(url(session), {**FILLED, "action": "sign"})
    session.refresh_from_db()
    assert session.status == AppointmentStatus.COMPLETED


def test_a_booked_session_offers_no_sign_button_and_says_why(own, session):
    session.status = AppointmentStatus.BOOKED
    session.save()
    content = own.get(url(session)).content.decode()
    assert 'value="sign"' not in content
    assert "The patient is not checked in yet" in content
    assert 'value="save"' in content  # a draft may still be written


def test_an_acute_patient_is_shown_in_red_and_the_note_cannot_be_signed(own, session):
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=session.patient), phase=Phase.ACUTE)
    content = own.get(url(session)).content.decode()
    assert "treatment-blocked" in content and "Acute phase of M54.3 Sciatica" in content
    assert 'value="sign"' not in content
    response = own.post(url(session), {**FILLED, "action": "sign"})
    assert response.status_code == 200
    assert "Acute phase of M54.3 Sciatica" in response.content.decode()
    assert not SessionNote.objects.exists()
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CHECKED_IN
