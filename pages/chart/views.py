"""The therapist's workspace around one patient: the chart, recording diagnoses, studies, phases
and health flags, and prescribing, pausing and closing courses.

Open to a therapist who treats the patient (docs/ARCHITECTURE.md: "read, record" for their own patients)
and to managers; everyone else gets 403.
"""

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.audit import REFUSED, audit_access
from clinic.models import Modality
from clinic.refusals import Refused
from pages.chart.break_glass import BreakGlassRequired
from pages.chart.forms import (
    COMMON_ICD10_CODES,
    CourseCloseForm,
    CoursePrescribeForm,
    DiagnosisForm,
    HealthFlagEndForm,
    HealthFlagForm,
    PhaseRecordForm,
    StudyForm,
    modality_defaults,
)
from pages.chart.intake import chart_intake_context
from pages.chart.notes_html import chart_notes_html
from pages.kept_pages import record_page
from pages.outcome_chart import trend_charts
from pages.pain_chart import pain_chart_svg
from pages.refusals import refusal_message, refusal_on_form, saved_or_refused
from pages.roles import CLINICIANS, role_required
from pages.routes import Routes
from patients import services as patient_services
from patients.consent import consent_states
from patients.contraindications import patient_booking_status, patient_booking_status_of_record
from patients.models import Diagnosis, HealthFlag, Patient, Phase
from patients.record_version import record_steady_until
from patients.selectors import diagnoses_with_history
from sessions import courses
from sessions.appointments import sessions_flagged_ahead
from sessions.chart_access import chart_patient, therapist_may_open_chart
from sessions.course_progress import course_outcome, courses_with_progress
from sessions.models import AREA_SIDES, Area, Course, SessionNote
from sessions.notes import session_notes_for_chart
from sessions.outcomes import outcome_trends

routes = Routes()

# The latest notes are shown open on the chart; older ones fold into one line each.
NOTES_OPEN = 3


def _check_treats(request, patient: Patient, obj=None, has_session: bool | None = None) -> None:
    """Managers, and therapists who treat the patient or opened the chart in an emergency, get
    in. Every look (a GET) and every refusal goes to the audit log; a therapist who is refused
    is offered emergency ("break-glass") access instead of a bare 403. `has_session`: as
    sessions.chart_access.chart_patient read it with the patient, when it did."""
    user = request.user
    if roles.has_role(user, roles.MANAGER) or therapist_may_open_chart(
        user=user, patient=patient, has_session=has_session
    ):
        if request.method == "GET":
            audit_access(request=request, patient=patient, obj=obj)
        return
    audit_access(request=request, patient=patient, obj=obj, outcome=REFUSED, detail="Does not treat the patient.")
    if roles.has_role(user, roles.THERAPIST):
        raise BreakGlassRequired(patient)
    raise PermissionDenied


def _chart(patient: Patient):
    return redirect("chart:patient_chart", pk=patient.pk)


# Looked up once, translated when shown (the labels are lazy).
_AREA_LABELS = dict(Area.choices)
_SIDE_LABELS = dict(AREA_SIDES)


def _area_label(value: str) -> str:
    """ "gluteal:left" as the chart shows it: "Gluteal, left"."""
    area, _, side = value.partition(":")
    label = _AREA_LABELS[area] if area in _AREA_LABELS else area.replace("_", " ").capitalize()
    return f"{label}, {_SIDE_LABELS.get(side, side)}" if side else label


def _pain_points(notes: list[SessionNote]) -> list[tuple[str, int | None, int | None]]:
    """Signed notes with a score, oldest first, labelled with the session's date."""
    scored = [n for n in reversed(notes) if n.is_signed and (n.pain_before is not None or n.pain_after is not None)]
    years = {timezone.localtime(n.appointment.starts_at).year for n in scored}
    label = "j M" if len(years) <= 1 else "j M Y"
    return [
        (date_format(timezone.localtime(n.appointment.starts_at), label), n.pain_before, n.pain_after) for n in scored
    ]


@routes("therapist/patients/<int:pk>/")
@require_GET
@role_required(*CLINICIANS)
def patient_chart(request, pk: int):
    patient = _treated_patient(request, pk)  # every look is logged, the chart kept or not
    content = record_page(request, "chart", patient, partial(_chart_content, request))
    return render(request, "chart/patient_chart.html", {"patient": patient, "content": content})


def _chart_content(request, patient: Patient):
    """The chart drawn from the record, and until when it holds (pages.kept_pages)."""
    now = timezone.now()
    today = timezone.localdate(now)
    # In the order the booking check reads them (by kind and substance, as the database sorts
    # text); the chart lists them newest first.
    flags = list(patient.health_flags.select_related("recorded_by").order_by("kind", "substance", "pk"))
    diagnoses = diagnoses_with_history(patient=patient, at=now)
    consents = consent_states(patient=patient)
    booking_status = patient_booking_status_of_record(diagnoses=diagnoses, flags=flags, consents=consents, at=now)
    flags.sort(key=lambda flag: (flag.active_from, flag.pk), reverse=True)
    notes = session_notes_for_chart(patient=patient, reader=request.user)
    area_labels: dict[str, str] = {}  # notes name the same few areas again and again
    for index, note in enumerate(notes):
        note.area_labels = [
            area_labels[area] if area in area_labels else area_labels.setdefault(area, str(_area_label(area)))
            for area in note.areas_treated or []
        ]
        note.open_on_chart = index < NOTES_OPEN
    points = _pain_points(notes)
    patient_courses = courses_with_progress(patient=patient)
    # Every score belongs to one of the patient's courses: without a course there is none to read.
    trends = outcome_trends(patient=patient) if patient_courses else {}
    for course in patient_courses:
        course.trends = trend_charts(trends.get(course.pk, []), prefix=f"outcome-{course.pk}")
    context = {
        "patient": patient,
        "booking_status": booking_status,
        "diagnoses": diagnoses,
        # A flag dated ahead (a planned operation) is listed with the current ones.
        "current_flags": [f for f in flags if f.active_to is None or f.active_to >= today],
        "past_flags": [f for f in flags if f.active_to is not None and f.active_to < today],
        "courses": patient_courses,
        "outcome_courses": [c for c in patient_courses if c.trends],
        "notes": notes,
        "notes_html": chart_notes_html(notes, reader_id=request.user.pk),
        "pain_chart": pain_chart_svg(points) if points else "",
        "end_flag_form": HealthFlagEndForm(),
        "today": today,
        "notes_open": NOTES_OPEN,
        # The intake questionnaire's answers and proposed flags, and the consents (pages.chart.intake).
        **chart_intake_context(patient, consents),
        # The one thing of the request the chart shows (pages.kept_pages keys it): no context
        # processor runs, so nothing else of the reader can slip into a kept chart.
        "csrf_token": get_token(request),
    }
    html = render_to_string("chart/_chart_content.html", context)
    return html, record_steady_until(diagnoses=diagnoses, at=now)


def _treated_patient(request, pk: int) -> Patient:
    """The patient whose chart this is, once the reader may open it."""
    found = chart_patient(pk=pk, user=request.user)
    if found is None:
        raise Http404("No such patient.")
    patient, has_session = found
    _check_treats(request, patient, has_session=has_session)
    return patient


def _treated_diagnosis(request, pk: int) -> Diagnosis:
    """A diagnosis in a chart the reader may open, with its patient."""
    diagnosis = get_object_or_404(Diagnosis.objects.select_related("patient"), pk=pk)
    _check_treats(request, diagnosis.patient, diagnosis)
    return diagnosis


def _written(form, write):
    """The service's result, or None with its ValidationError shown next to the form's fields."""
    try:
        return write(**form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _record_page(request, template: str, patient: Patient, form, **context):
    return render(request, template, {"patient": patient, "form": form, **context})


def _record_create(request, patient: Patient, form_class, write, template: str, *, done, **context):
    """A chart's form for one clinical record: on a valid POST `write(**cleaned_data)` (a service)
    records it and the chart shows `done(record)`; otherwise the form again, with its errors."""
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        record = _written(form, write)
        if record is not None:
            messages.success(request, done(record))
            return _chart(patient)
    return _record_page(request, template, patient, form, **context)


def _patient_record_create(form_class, service, template: str, done: Callable[[object], str], **context):
    """The page that adds a record of the patient (a diagnosis, a health flag) through `service`,
    which takes the patient and who recorded it."""

    @require_http_methods(["GET", "POST"])
    @role_required(*CLINICIANS)
    def view(request, pk: int):
        patient = _treated_patient(request, pk)
        write = partial(service, patient=patient, recorded_by=request.user)
        return _record_create(request, patient, form_class, write, template, done=done, **context)

    return view


diagnosis_create = _patient_record_create(
    DiagnosisForm,
    patient_services.diagnosis_create,
    "chart/diagnosis_create.html",
    done=lambda diagnosis: (
        gettext("Recorded the diagnosis %(diagnosis)s. Record its phase next.") % {"diagnosis": diagnosis}
    ),
    icd10_codes=COMMON_ICD10_CODES,
)
routes.add("therapist/patients/<int:pk>/diagnoses/new/", diagnosis_create, "diagnosis_create")


@routes("therapist/diagnoses/<int:pk>/studies/new/")
@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def study_create(request, pk: int):
    diagnosis = _treated_diagnosis(request, pk)
    write = partial(patient_services.study_create, diagnosis=diagnosis)
    return _record_create(
        request,
        diagnosis.patient,
        StudyForm,
        write,
        "chart/study_create.html",
        done=lambda study: (
            gettext("Recorded the %(kind)s for %(diagnosis)s.")
            % {"kind": study.get_kind_display(), "diagnosis": diagnosis}
        ),
        diagnosis=diagnosis,
    )


def _phase_message(record, flagged: int) -> str:
    text = gettext("Recorded the %(phase)s phase of %(diagnosis)s.") % {
        "phase": record.get_phase_display().lower(),
        "diagnosis": record.diagnosis,
    }
    if record.phase != Phase.ACUTE:
        return text
    if not flagged:
        return f"{text} {gettext('No booked session of the patient needed flagging.')}"
    review = ngettext(
        "%(count)d future session was flagged for reception to review.",
        "%(count)d future sessions were flagged for reception to review.",
        flagged,
    ) % {"count": flagged}
    return f"{text} {review}"


@routes("therapist/diagnoses/<int:pk>/phases/new/")
@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def phase_record_create(request, pk: int):
    diagnosis = _treated_diagnosis(request, pk)
    patient = diagnosis.patient
    form = PhaseRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        flagged_before = sessions_flagged_ahead(patient=patient)
        record = _written(
            form,
            lambda **data: patient_services.phase_record_create(diagnosis=diagnosis, recorded_by=request.user, **data),
        )
        if record is not None:
            flagged = sessions_flagged_ahead(patient=patient) - flagged_before
            (messages.warning if flagged else messages.success)(request, _phase_message(record, flagged))
            return _chart(patient)
    return _record_page(request, "chart/phase_record_create.html", patient, form, diagnosis=diagnosis)


health_flag_create = _patient_record_create(
    HealthFlagForm,
    patient_services.health_flag_create,
    "chart/health_flag_create.html",
    done=lambda flag: gettext("Recorded the health flag “%(flag)s”.") % {"flag": flag},
)
routes.add("therapist/patients/<int:pk>/flags/new/", health_flag_create, "health_flag_create")


@routes("therapist/flags/<int:pk>/end/")
@require_POST
@role_required(*CLINICIANS)
def health_flag_end(request, pk: int):
    flag = get_object_or_404(HealthFlag.objects.select_related("patient"), pk=pk)
    _check_treats(request, flag.patient, flag)
    form = HealthFlagEndForm(request.POST)
    if form.is_valid():
        try:
            patient_services.health_flag_end(flag=flag, on=form.cleaned_data["on"])
            ended_on = date_format(form.cleaned_data["on"], gettext("j F Y"))
            messages.success(
                request, gettext("“%(flag)s” no longer applies after %(day)s.") % {"flag": flag, "day": ended_on}
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(
            request,
            gettext("“%(flag)s” was not ended: %(errors)s") % {"flag": flag, "errors": " ".join(form.errors["on"])},
        )
    return _chart(flag.patient)


@routes("therapist/patients/<int:pk>/self-booking/")
@require_POST
@role_required(*CLINICIANS)
def patient_self_booking(request, pk: int):
    """The treating therapist allows or stops the patient's booking in the portal."""
    patient = get_object_or_404(Patient, pk=pk)
    _check_treats(request, patient)
    allowed = request.POST.get("self_booking") == "on"
    patient_services.patient_self_booking_set(patient=patient, allowed=allowed)
    if allowed:
        messages.success(
            request,
            gettext("%(patient)s may book the sessions of a course in the portal again.") % {"patient": patient},
        )
    else:
        messages.success(
            request,
            gettext("%(patient)s can no longer book online; the front desk books for them.") % {"patient": patient},
        )
    return _chart(patient)


def _modality_from(request) -> Modality | None:
    try:
        return Modality.objects.filter(active=True).get(pk=int(request.GET.get("modality", "")))
    except (ValueError, Modality.DoesNotExist):
        return None


@routes("therapist/patients/<int:pk>/courses/new/")
@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def course_prescribe(request, pk: int):
    patient = _treated_patient(request, pk)
    if request.method == "POST":
        form = CoursePrescribeForm(request.POST, patient=patient)
    else:
        modality = _modality_from(request)
        initial = {"modality": modality, **modality_defaults(modality)} if modality else {}
        form = CoursePrescribeForm(patient=patient, initial=initial)
        if request.htmx:
            # Choosing a modality refills the numbers with its defaults; nothing else changes.
            response = render(request, "chart/_course_numbers.html", {"form": form})
            patch_vary_headers(response, ["HX-Request"])
            return response
    if request.method == "POST" and form.is_valid():
        try:
            course = courses.course_prescribe(patient=patient, prescribed_by=request.user, **form.course_data)
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(
                request,
                gettext("Prescribed %(modality)s: %(range)s sessions of %(minutes)s minutes from %(day)s.")
                % {
                    "modality": course.modality,
                    "range": course.session_range,
                    "minutes": course.session_minutes,
                    "day": date_format(course.starts_on, gettext("j F Y")),
                },
            )
            return _chart(patient)
    context = {
        "patient": patient,
        "form": form,
        "booking_status": patient_booking_status(patient=patient),
    }
    response = render(request, "chart/course_prescribe.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _course_action(action, done: str):
    """The page behind a button that pauses or resumes a course: `action` through the service, then
    the chart, saying what happened or why not."""

    @require_POST
    @role_required(*CLINICIANS)
    def view(request, pk: int):
        course = get_object_or_404(Course.objects.select_related("patient", "modality"), pk=pk)
        _check_treats(request, course.patient, course)
        try:
            action(course=course)
            messages.success(request, done.format(modality=course.modality))
        except Refused as error:
            refusal_message(request, error)
        return _chart(course.patient)

    return view


course_suspend = _course_action(
    courses.course_suspend, gettext_lazy("Suspended the course of {modality}; its booked sessions stay.")
)
course_resume = _course_action(courses.course_resume, gettext_lazy("Resumed the course of {modality}."))
routes.add("therapist/courses/<int:pk>/suspend/", course_suspend, "course_suspend")
routes.add("therapist/courses/<int:pk>/resume/", course_resume, "course_resume")


@routes("therapist/courses/<int:pk>/close/")
@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def course_close(request, pk: int):
    course = get_object_or_404(Course.objects.select_related("patient", "modality", "diagnosis"), pk=pk)
    _check_treats(request, course.patient, course)
    form = CourseCloseForm(request.POST if request.method == "POST" else None)
    if saved_or_refused(
        request,
        form,
        lambda: courses.course_close(course=course, closed_by=request.user, remarks=form.cleaned_data["remarks"]),
        lambda _: (
            gettext("Closed the course of %(modality)s; the discharge summary is on the chart.")
            % {"modality": course.modality}
        ),
    ):
        return _chart(course.patient)
    context = {
        "patient": course.patient,
        "course": course,
        "form": form,
        "closable": course.can_close,
        "outcome": course_outcome(course=course),
    }
    return render(request, "chart/course_close.html", context)
