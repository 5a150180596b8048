"""The patient portal: a patient's own course progress, sessions and calendar (the front desk's
invitation that opens it is reception's: pages.reception.views.portal_invite).

Every portal page answers for the logged-in patient only. Another patient's session is a 404,
never a 403, so that its existence is not confirmed; staff get 403 (role_required).
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from clinic import roles
from clinic.audit import audit_access
from clinic.refusals import Refused
from outcomes.models import MeasureKind
from pages.kept_pages import record_page
from pages.outcome_chart import trend_charts
from pages.pain_chart import pain_chart_svg
from pages.portal.forms import MeasureAnswersForm, PortalCancelForm
from pages.portal.ics import appointments_ics
from pages.refusals import refusal_message, saved_or_refused
from pages.roles import role_required
from pages.routes import Routes
from patients.models import Patient
from patients.services import patient_calendar_token_ensure, patient_calendar_token_renew
from sessions.appointments import appointment_patient_can_cancel
from sessions.models import Appointment, Course
from sessions.outcomes import course_activities, outcome_record, patient_measures_due, patient_outcomes
from sessions.portal import before_treatment, portal_earlier, portal_home_read, portal_self_bookable, portal_upcoming
from sessions.self_booking import self_booking_offered, self_cancel
from sessions.waitlist import patient_offers_open

routes = Routes()

NEXT_ON_HOME = 3
# The newest summaries show; the earlier ones fold away, so the phone screen stays short.
RECENT_SUMMARIES = 3


def portal_view(view):
    """Patients only (anyone else gets 403); the patient record in `request.patient`.

    A patient login that no patient record points at (a slip in the admin) gets a page that
    says whom to call, not an error.
    """

    @wraps(view)
    @role_required(roles.PATIENT)
    def wrapper(request, *args, **kwargs):
        patient = Patient.objects.filter(user_id=request.user.pk).first()
        if patient is None:
            return render(request, "portal/portal_unlinked.html")
        request.patient = patient
        return view(request, *args, **kwargs)

    return wrapper


def sessions_left_text(course) -> str:
    fewest, most = course.sessions_left
    if most == 0:
        return gettext("All prescribed sessions are done.")
    if fewest == most:
        return ngettext("%(count)d session to go.", "%(count)d sessions to go.", most) % {"count": most}
    if fewest == 0:
        return ngettext(
            "Up to %(count)d more, if your therapist advises them.",
            "Up to %(count)d more, if your therapist advises them.",
            most,
        ) % {"count": most}
    return ngettext("%(fewest)d–%(count)d sessions to go.", "%(fewest)d–%(count)d sessions to go.", most) % {
        "fewest": fewest,
        "count": most,
    }


@routes("portal/")
@require_GET
@portal_view
def portal_home(request):
    # The patient reading their own record is logged as any other read of it, kept or not.
    audit_access(request=request, patient=request.patient, detail="Patient portal: own courses and notes.")
    content = record_page(request, "portal home", request.patient, _home_content)
    return render(request, "portal/portal_home.html", {"content": content})


def _home_content(patient: Patient):
    """The home drawn from the patient's record, and until when it holds (pages.kept_pages)."""
    now = timezone.now()
    home = portal_home_read(patient=patient, now=now, upcoming=NEXT_ON_HOME)
    courses = home.courses
    due, trends = patient_outcomes(patient=patient, courses=courses)
    for course in courses:
        course.trends = trend_charts(trends.get(course.pk, []), prefix=f"outcome-{course.pk}")
        course.left_text = sessions_left_text(course)
        summaries = [note for note in reversed(course.notes) if note.summary]
        course.summaries, course.earlier_summaries = summaries[:RECENT_SUMMARIES], summaries[RECENT_SUMMARIES:]
        course.pain_chart = (
            pain_chart_svg(course.pain_points, id_prefix=f"pain-chart-{course.pk}") if course.pain_points else ""
        )
    before = before_treatment(patient=patient, planned=home.planned)
    offers = patient_offers_open(patient=patient, now=now)
    context = {
        "intake_due": before.intake_due,
        "consents_due": before.consents_due,
        "patient": patient,
        "courses": courses,
        "other_notes": [
            n for n in reversed(home.other_notes) if n.summary or n.pain_before is not None or n.pain_after is not None
        ],
        "upcoming": home.upcoming,
        "due": due,
        "waitlist_offers": offers,
        # No context processor runs (nothing of the request is drawn into a kept page): the one
        # setting the home shows.
        "clinic_phone": settings.CLINIC_PHONE,
    }
    # An offer held for the patient leaves the home when its hold runs out.
    until = min([home.steady_until, *(offer.expires_at for offer in offers)])
    return render_to_string("portal/_portal_home_content.html", context), until


@routes("portal/courses/<int:pk>/measure/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_measure(request, pk: int):
    """Fill in a measure due for one of the patient's courses (`?measure=` picks which, when
    several are due; the first otherwise)."""
    course = get_object_or_404(
        Course.objects.select_related("modality", "diagnosis"), pk=pk, patient_id=request.patient.pk
    )
    due = [d for d in patient_measures_due(patient=request.patient) if d.course.pk == course.pk]
    wanted = request.POST.get("measure") if request.method == "POST" else request.GET.get("measure")
    chosen = next((d for d in due if str(d.measure.pk) == wanted), None)
    if chosen is None and request.method == "POST":
        messages.info(request, gettext("That questionnaire is not due now; nothing was saved."))
        return redirect("portal:portal_home")
    chosen = chosen or (due[0] if due else None)
    if chosen is None:
        return render(request, "portal/portal_measure.html", {"course": course, "due": None})
    measure = chosen.measure
    activities = (
        course_activities(course=course, measure=measure) if measure.kind == MeasureKind.PATIENT_SPECIFIC else []
    )
    form = MeasureAnswersForm(
        request.POST if request.method == "POST" else None, measure=measure, activities=activities
    )

    def record():
        answers, named = form.answers()
        return outcome_record(
            course=course, measure=measure, answers=answers, activities=named, recorded_by=request.user
        )

    thanks = gettext("Thank you: your answers to the %(measure)s are kept for your therapist.") % {
        "measure": measure.name.lower()
    }
    if saved_or_refused(request, form, record, lambda _: thanks):
        return redirect("portal:portal_home")
    if request.method == "GET":
        audit_access(request=request, patient=request.patient, obj=course, detail="Patient portal: outcome measure.")
    context = {
        "course": course,
        "due": chosen,
        "measure": measure,
        "form": form,
        "others": [d for d in due if d != chosen],
    }
    return render(request, "portal/portal_measure.html", context)


@routes("portal/appointments/")
@require_GET
@portal_view
def portal_appointments(request):
    now = timezone.now()
    upcoming = portal_upcoming(patient=request.patient, now=now, numbered=True)
    context = {
        "upcoming": upcoming,
        "bookable": portal_self_bookable(patient=request.patient),
        "self_booking": self_booking_offered(request.patient),
        "earlier": portal_earlier(patient=request.patient, now=now),
        "notice_hours": settings.CANCELLATION_NOTICE_HOURS,
    }
    return render(request, "portal/portal_appointments.html", context)


def _own_appointment(request, pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("modality", "therapist__user", "room", "course"),
        pk=pk,
        patient_id=request.patient.pk,
    )


@routes("portal/appointments/<int:pk>/cancel/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_appointment_cancel(request, pk: int):
    appointment = _own_appointment(request, pk)
    appointment.patient_can_cancel = appointment_patient_can_cancel(appointment=appointment, now=timezone.now())
    form = PortalCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            self_cancel(patient=request.patient, appointment=appointment, reason=form.cleaned_data["reason"])
        except Refused as error:
            refusal_message(request, error)
            return redirect("portal:portal_appointments")
        starts_at = timezone.localtime(appointment.starts_at)
        messages.success(
            request,
            gettext("Your session on %(day)s at %(time)s is cancelled.")
            % {"day": date_format(starts_at, gettext("l j F")), "time": date_format(starts_at, "H:i")},
        )
        return redirect("portal:portal_appointments")
    context = {"appointment": appointment, "form": form, "notice_hours": settings.CANCELLATION_NOTICE_HOURS}
    return render(request, "portal/portal_appointment_cancel.html", context)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@routes("portal/appointments/<int:pk>/calendar.ics")
@require_GET
@portal_view
def portal_appointment_ics(request, pk: int):
    appointment = _own_appointment(request, pk)
    body = appointments_ics(
        [appointment],
        name=settings.CLINIC_NAME,
        uid=f"appointment-{appointment.pk}-file",
        language=appointment.patient.language,
    )
    return _ics_response(body, f"session-{timezone.localtime(appointment.starts_at):%Y-%m-%d-%H%M}.ics")


# No login: the secret token is the key (calendar apps cannot log in).
@routes("calendar/<str:token>.ics")
@require_safe  # calendar apps may ask with HEAD first
def calendar_feed(request, token: str):
    """The patient's upcoming sessions for a calendar app to subscribe to. No login: calendar
    apps cannot log in, so the unguessable token in the URL is the only key."""
    patient = get_object_or_404(Patient, calendar_token=token)
    upcoming = portal_upcoming(patient=patient, now=timezone.now())
    body = appointments_ics(
        upcoming, name=settings.CLINIC_NAME, uid=f"patient-{patient.pk}-sessions", language=patient.language
    )
    response = _ics_response(body, "sessions.ics")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _feed_urls(request, token: str) -> dict[str, str]:
    https_url = request.build_absolute_uri(reverse("portal:calendar_feed", args=[token]))
    return {"feed_url": https_url, "webcal_url": "webcal://" + https_url.split("://", 1)[1]}


@routes("portal/calendar/")
@require_GET
@portal_view
def portal_calendar(request):
    token = patient_calendar_token_ensure(patient=request.patient)
    return render(request, "portal/portal_calendar.html", _feed_urls(request, token))


@routes("portal/calendar/renew/")
@require_POST
@portal_view
def portal_calendar_renew(request):
    patient_calendar_token_renew(patient=request.patient)
    messages.success(
        request,
        gettext("Your calendar link is renewed; the old one no longer works. Subscribe again with the new link."),
    )
    return redirect("portal:portal_calendar")
