import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Cause, FlagKind, Phase, Side, StudyKind
from sessions.models import AppointmentStatus, CourseStatus
from tests.conftest import client_for
from tests.factories import (
    AddendumFactory,
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
    StudyFactory,
    TherapistFactory,
    UserFactory,
)
from tests.scenes import asks_to_log_in, queries_of, shows, url_of

SVG = "{http://www.w3.org/2000/svg}"
# Session, user, roles, patient, "treats?", booking status (diagnoses, phases, flags, rules),
# diagnoses with phases and studies, flags, courses, notes with addenda, outcome scores.
# 17 to build the chart, 1 to write its read to the audit log; and intake and consent
# (pages.chart.intake): the rules about consent, the latest answers with their questions and
# proposals (3), the consents (3).
MAX_QUERIES = 25


url = url_of("chart:patient_chart")


def ago(**delta) -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(**delta)


@pytest.fixture
def first_visit(maria, lena, massage):
    """Lena treated Maria three weeks ago: that makes Maria her patient."""
    return AppointmentFactory(
        patient=maria, therapist=lena, modality=massage, starts_at=ago(days=21), status=AppointmentStatus.COMPLETED
    )


@pytest.fixture
def as_lena(lena, first_visit):
    return client_for(lena.user)


def signed_note(appointment, **fields):
    return SessionNoteFactory(
        appointment=appointment,
        signed_at=appointment.starts_at + dt.timedelta(hours=1),
        signed_by=appointment.therapist.user,
        **fields,
    )


def test_it_shows_the_diagnoses_with_studies_and_the_phase_timeline(as_lena, maria, lena):
    disc = DiagnosisFactory(
        patient=maria,
        icd10_code="M51.1",
        title="Lumbar disc disorder with radiculopathy",
        cause=Cause.DISC_HERNIATION,
        side=Side.LEFT,
        diagnosed_on=dt.date(2026, 1, 12),
        diagnosed_by="Dr. Weber",
    )
    StudyFactory(diagnosis=disc, kind=StudyKind.MRI, performed_on=dt.date(2026, 1, 8), findings="L5–S1 protrusion.")
    PhaseRecordFactory(diagnosis=disc, phase=Phase.ACUTE, effective_from=ago(days=40), recorded_by=lena.user)
    PhaseRecordFactory(
        diagnosis=disc, phase=Phase.REMISSION, effective_from=ago(days=10), recorded_by=lena.user, note="Walks freely"
    )
    response = as_lena.get(url(maria))
    assert response.status_code == 200
    (diagnosis,) = response.context["diagnoses"]
    assert [r.phase for r in diagnosis.phases] == [Phase.REMISSION, Phase.ACUTE]
    assert diagnosis.current_phase.phase == Phase.REMISSION
    content = shows(
        response,
        "M51.1 Lumbar disc disorder with radiculopathy",
        "Disc herniation · Left · diagnosed on 12 Jan 2026 by Dr. Weber",
        "<strong>MRI</strong>, 8 Jan 2026<br>L5–S1 protrusion.",
        'Now: <span class="badge phase-remission phase-now">Remission</span>',
        "<strong>(current)</strong>",
        "recorded by Lena Hoffmann: Walks freely",
    )
    assert content.index("phase-remission") < content.index('<li class="phase-acute">')
    assert f'href="{reverse("chart:phase_record_create", args=[disc.pk])}"' in content
    assert f'href="{reverse("chart:study_create", args=[disc.pk])}"' in content


@pytest.mark.parametrize(
    ("phase", "css"),
    [(Phase.ACUTE, "phase-acute"), (Phase.SUBACUTE, "phase-subacute"), (Phase.REMISSION, "phase-remission")],
)
def test_the_current_phase_stands_out_in_its_colour(as_lena, maria, lena, phase, css):
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria), phase=phase, recorded_by=lena.user)
    content = as_lena.get(url(maria)).content.decode()
    assert f'Now: <span class="badge {css} phase-now">{phase.label}</span>' in content


def test_a_diagnosis_without_a_phase_says_so(as_lena, maria):
    DiagnosisFactory(patient=maria)
    assert "No phase recorded" in as_lena.get(url(maria)).content.decode()


def test_an_acute_patient_cannot_be_treated_now(as_lena, maria, lena):
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria), phase=Phase.ACUTE, recorded_by=lena.user)
    content = as_lena.get(url(maria)).content.decode()
    assert "<strong>No.</strong>" in content
    assert "Acute phase of M54.3 Sciatica" in content


def test_it_shows_current_and_past_health_flags(as_lena, maria, lena):
    today = timezone.localdate()
    allergy = HealthFlagFactory(
        patient=maria,
        kind=FlagKind.OIL_ALLERGY,
        substance="Lavender oil",
        active_from=dt.date(2026, 1, 5),
        recorded_by=lena.user,
    )
    HealthFlagFactory(
        patient=maria,
        kind=FlagKind.PREGNANCY,
        active_from=dt.date(2025, 1, 1),
        active_to=dt.date(2025, 9, 30),
        note="Twins",
    )
    response = as_lena.get(url(maria))
    assert response.context["current_flags"] == [allergy]
    assert [f.kind for f in response.context["past_flags"]] == [FlagKind.PREGNANCY]
    shows(
        response,
        "<strong>Allergy to an aromatic oil: Lavender oil</strong>",
        "Since 5 Jan 2026 · recorded by Lena Hoffmann",
        "Pregnancy: 1 Jan 2025 – 30 Sep 2025 (Twins)",
        f'action="{reverse("chart:health_flag_end", args=[allergy.pk])}"',
        f'value="{today:%Y-%m-%d}"',
    )


def test_it_shows_the_courses_with_progress_and_actions(as_lena, maria, lena, massage):
    course = CourseFactory(
        patient=maria,
        modality=massage,
        prescribed_by=lena.user,
        starts_on=dt.date(2026, 3, 2),
        goals="Sit through work",
    )
    for days in (9, 7, 5, 3, 1):
        signed_note(
            AppointmentFactory(
                patient=maria,
                course=course,
                modality=massage,
                therapist=lena,
                starts_at=ago(days=days),
                status="completed",
            )
        )
    CourseFactory(patient=maria, modality=massage, status=CourseStatus.SUSPENDED, starts_on=dt.date(2025, 6, 1))
    response = as_lena.get(url(maria))
    assert [c.sessions_done for c in response.context["courses"]] == [5, 0]
    content = shows(
        response,
        "5 of 12–15 done",
        "<strong>Goals:</strong> Sit through work",
        f'action="{reverse("chart:course_suspend", args=[course.pk])}"',
        f'href="{reverse("chart:course_close", args=[course.pk])}"',
        f'href="{reverse("booking:course_series_book", args=[course.pk])}"',
        'text-bg-warning">Suspended</span>',
    )
    suspended = response.context["courses"][1]
    assert f'action="{reverse("chart:course_resume", args=[suspended.pk])}"' in content


def test_a_closed_course_shows_its_discharge_summary(as_lena, maria, massage):
    CourseFactory(
        patient=maria,
        modality=massage,
        status=CourseStatus.COMPLETED,
        discharge_summary="Sessions done: 12.\nPain 2/10.",
    )
    content = as_lena.get(url(maria)).content.decode()
    assert "Sessions done: 12.<br>Pain 2/10." in content
    assert "Close…" not in content


def test_it_shows_signed_notes_and_the_therapists_own_drafts_newest_first(as_lena, maria, lena, massage, first_visit):
    anna = TherapistFactory(user__first_name="Anna", user__last_name="Kuhn")
    older = signed_note(
        first_visit,
        pain_before=7,
        pain_after=5,
        areas_treated=["lumbar:left", "gluteal:left", "thigh:left"],
        techniques="Stroking, kneading",
        oils_used="Almond oil",
        subjective="Pain down the left leg.",
        objective="Tight piriformis.",
        assessment="Improving.",
        plan="Continue twice a week.",
        patient_summary="Keep moving gently.",
    )
    AddendumFactory(note=older, author=lena.user, text="Patient called: better the next day.")
    by_anna = signed_note(
        AppointmentFactory(patient=maria, therapist=anna, modality=massage, starts_at=ago(days=7), status="completed"),
        pain_before=6,
        pain_after=6,
        stopped_early=True,
        stopped_early_reason="Sharp pain on hip flexion",
    )
    own_draft = SessionNoteFactory(
        appointment=AppointmentFactory(
            patient=maria, therapist=lena, modality=massage, starts_at=ago(days=2), status="completed"
        ),
        pain_before=4,
        pain_after=None,
    )
    SessionNoteFactory(
        appointment=AppointmentFactory(
            patient=maria, therapist=anna, modality=massage, starts_at=ago(days=1), status="completed"
        ),
        subjective="Anna's unfinished draft",
    )
    response = as_lena.get(url(maria))
    assert response.context["notes"] == [own_draft, by_anna, older]
    content = response.content.decode()
    assert "Anna&#x27;s unfinished draft" not in content
    assert "Your draft, not signed" in content
    assert "<strong>7 → 5</strong>" in content
    assert "<strong>4 → –</strong>" in content
    assert "Lumbar, left → Gluteal, left → Thigh, left" in content
    assert "Stroking, kneading" in content
    assert "Almond oil" in content
    assert "Sharp pain on hip flexion" in content
    for text in (
        "Pain down the left leg.",
        "Tight piriformis.",
        "Improving.",
        "Continue twice a week.",
        "Keep moving gently.",
    ):
        assert text in content
    assert "Signed by Lena Hoffmann on" in content
    assert "Signed by Anna Kuhn on" in content
    assert "Lena Hoffmann:</span> Patient called: better the next day." in content
    # Lena continues her own notes on the note page; Anna's are hers to change.
    assert f'href="{reverse("therapist:note_edit", args=[own_draft.appointment.pk])}"' in content
    assert f'href="{reverse("therapist:note_edit", args=[first_visit.pk])}"' in content
    assert f'href="{reverse("therapist:note_edit", args=[by_anna.appointment.pk])}"' not in content


def test_the_pain_chart_has_one_point_per_signed_note_in_time_order(as_lena, maria, lena, massage, first_visit):
    signed_note(first_visit, pain_before=8, pain_after=6)
    for days, before, after in ((14, 6, 4), (7, 4, 2)):
        visit = AppointmentFactory(
            patient=maria, therapist=lena, modality=massage, starts_at=ago(days=days), status="completed"
        )
        signed_note(visit, pain_before=before, pain_after=after)
    SessionNoteFactory(
        appointment=AppointmentFactory(patient=maria, therapist=lena, modality=massage, starts_at=ago(days=1)),
        pain_before=9,
        pain_after=9,
    )
    response = as_lena.get(url(maria))
    svg = ET.fromstring(str(response.context["pain_chart"]))
    lines = {line.get("class"): line.get("points").split() for line in svg.iter(f"{SVG}polyline")}
    assert {name: len(points) for name, points in lines.items()} == {"pain-before": 3, "pain-after": 3}
    befores = [float(p.split(",")[1]) for p in lines["pain-before"]]
    assert befores == sorted(befores)  # 8, 6, 4: falling pain climbs down the page
    assert "Before the first session: 8. After the last session: 2." in svg.find(f"{SVG}desc").text
    assert 'class="pain-chart"' in response.content.decode()


def test_without_scored_notes_there_is_no_chart(as_lena, maria):
    response = as_lena.get(url(maria))
    assert response.context["pain_chart"] == ""
    assert "No signed session note with a pain score yet." in response.content.decode()


def test_it_links_to_the_record_and_prescribe_pages(as_lena, maria):
    content = as_lena.get(url(maria)).content.decode()
    for name in ("diagnosis_create", "health_flag_create", "course_prescribe"):
        assert f'href="{reverse(f"chart:{name}", args=[maria.pk])}"' in content


def add_history(patient, therapist, modality, count: int, first_day: int = 30) -> None:
    """`count` diagnoses with a phase and a study, `count` flags and `count` signed notes with an addendum."""
    course = CourseFactory(patient=patient, modality=modality, prescribed_by=therapist.user)
    for i in range(count):
        diagnosis = DiagnosisFactory(patient=patient)
        PhaseRecordFactory(diagnosis=diagnosis, recorded_by=therapist.user)
        StudyFactory(diagnosis=diagnosis)
        HealthFlagFactory(patient=patient, kind=FlagKind.HYPERTENSION)
        visit = AppointmentFactory(
            patient=patient,
            course=course,
            therapist=therapist,
            modality=modality,
            starts_at=ago(days=first_day + i),
            status="completed",
        )
        AddendumFactory(note=signed_note(visit, areas_treated=["sacral:right"]), author=therapist.user)


def test_it_runs_the_same_queries_for_a_short_and_a_long_history(
    as_lena, maria, lena, massage, django_assert_max_num_queries, settings
):
    settings.CLINIC_KEPT_PAGES_MB = 0  # every look draws the chart: the drawing's queries are counted
    add_history(maria, lena, massage, 2)
    few = queries_of(as_lena, url(maria))
    add_history(maria, lena, massage, 18, first_day=40)  # no overlap with the first visits
    assert queries_of(as_lena, url(maria)) == few
    with django_assert_max_num_queries(MAX_QUERIES):
        response = as_lena.get(url(maria))
    assert len(response.context["notes"]) == 20
    assert len(response.context["diagnoses"]) == 22  # each course brings its own diagnosis too


def test_a_therapist_who_prescribed_a_course_treats_the_patient(maria, massage):
    ines = UserFactory(username="ines", role="Therapist")
    TherapistFactory(user=ines)
    CourseFactory(patient=maria, modality=massage, prescribed_by=ines)
    assert client_for(ines).get(url(maria)).status_code == 200


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_a_cancelled_or_missed_session_is_not_enough(maria, massage, status):
    # Booking and cancelling a session must not open a stranger's chart: emergency access only.
    ines = TherapistFactory()
    AppointmentFactory(patient=maria, therapist=ines, status=status, cancellation_reason="Holiday")
    response = client_for(ines.user).get(url(maria))
    assert response.status_code == 403
    assert "emergency" in response.content.decode().lower()


def test_a_therapist_who_does_not_treat_the_patient_is_refused(maria, first_visit):
    stranger = TherapistFactory()
    AppointmentFactory(therapist=stranger)  # someone else's patient
    assert client_for(stranger.user).get(url(maria)).status_code == 403


def test_managers_see_every_chart(manager, maria):
    assert client_for(manager).get(url(maria)).status_code == 200


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_reception_and_patients_are_refused(request, role, maria):
    assert client_for(request.getfixturevalue(role)).get(url(maria)).status_code == 403


def test_a_patient_cannot_open_their_own_chart(patient_user):
    assert client_for(patient_user).get(url(patient_user.patient)).status_code == 403


def test_it_asks_anonymous_visitors_to_log_in(client, maria):
    asks_to_log_in(client.get(url(maria)))


def test_it_answers_404_for_an_unknown_patient(manager):
    assert client_for(manager).get(reverse("chart:patient_chart", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_other_methods(as_lena, maria, method):
    assert getattr(as_lena, method)(url(maria)).status_code == 405


def test_the_latest_notes_are_open_and_older_ones_fold_away(as_lena, maria, lena, massage):
    for days in range(1, 6):
        visit = AppointmentFactory(
            patient=maria, therapist=lena, modality=massage, starts_at=ago(days=days), status="completed"
        )
        signed_note(visit)
    response = as_lena.get(url(maria))
    assert [note.open_on_chart for note in response.context["notes"]] == [True, True, True, False, False]
    content = response.content.decode()
    assert content.count('<details class="chart-note') == 5
    assert content.count('" open>') == 3


def test_the_session_page_links_therapists_and_managers_to_the_chart(as_lena, manager, receptionist, first_visit):
    link = f'href="{url(first_visit.patient)}"'
    assert link in as_lena.get(first_visit.get_absolute_url()).content.decode()
    assert link in client_for(manager).get(first_visit.get_absolute_url()).content.decode()
    assert link not in client_for(receptionist).get(first_visit.get_absolute_url()).content.decode()
