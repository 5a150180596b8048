"""The manager's editors of the intake questionnaire and the consent texts (issue 18, point 4).

Both are kept in versions that never change: saving the questions, or a consent's text, saves the
next version through the domain's services (patients.intake.intake_version_publish,
patients.consent.consent_version_publish), which refuse in sentences with nothing saved.
django-auditlog records each version with the manager who saved it. Patients answer, and sign,
the newest version; what they answered or signed keeps its own.
"""

from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from clinic import roles
from pages.manager.clinic_editors import EDIT_METHODS, Column, Editor, _names, _post, _yes
from pages.manager.intake_consent_forms import (
    BLANK_ROWS,
    ConsentCreateForm,
    ConsentTextForm,
    ConsentTopicForm,
    QuestionsForm,
    posted_rows,
)
from pages.refusals import saved_or_refused
from pages.roles import role_required
from pages.routes import Routes
from patients.consent import consent_topic_save, consent_version_current, consent_version_publish
from patients.intake import intake_version_current, intake_version_publish
from patients.models import ConsentTopic, ConsentVersion, FlagKind, IntakeVersion

routes = Routes()

# The intake questionnaire -----------------------------------------------------------------------

INTAKE_LEAD = gettext_lazy(
    "The health questions a patient answers before the first session, in the portal or on the reception "
    "tablet. A yes proposes the health flag you name for the therapist to confirm on the chart; nothing "
    "changes a flag before she does. Saving makes a new version; answers keep the version they answered."
)


@routes("manager/intake/")
@require_GET
@role_required(roles.MANAGER)
def intake_questions(request):
    current = intake_version_current()
    versions = IntakeVersion.objects.select_related("created_by").annotate(
        question_count=Count("questions", distinct=True), answer_count=Count("responses", distinct=True)
    )
    context = {
        "current": current,
        "versions": versions,
        "lead": INTAKE_LEAD,
        "flag_labels": dict(FlagKind.choices),
    }
    return render(request, "manager/intake_questions.html", context)


SAVED_AS_VERSION = gettext_lazy("Saved the questions as version {0.number}; patients answer it from now on.")


@routes("manager/intake/edit/")
@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def intake_edit(request):
    current = intake_version_current()
    questions = current.question_list if current else []
    rows = len(questions) + BLANK_ROWS
    if request.method == "POST":
        rows = posted_rows(request.POST, rows)
    form = QuestionsForm(_post(request), rows=rows, initial=QuestionsForm.initial_of(questions))
    if saved_or_refused(
        request,
        form,
        lambda: intake_version_publish(questions=form.questions(), created_by=request.user),
        SAVED_AS_VERSION.format,
    ):
        return redirect("manager:intake_questions")
    context = {"form": form, "current": current, "lead": INTAKE_LEAD}
    return render(request, "manager/intake_edit.html", context)


# Consent texts ------------------------------------------------------------------------------------

CONSENT_LEAD = gettext_lazy(
    "What patients consent to, per modality or group: massage, cupping, the use of oils. A booking of a modality "
    "without the patient's current consent warns or is refused as the contraindication rules say (the rule "
    "“No current consent”). Editing a text saves a new version: every patient is asked again, and signed "
    "versions never change."
)


def _covers(topic: ConsentTopic) -> str:
    parts = [_names(topic.modalities.all())] if topic.modalities.all() else []
    if topic.oil_modalities:
        parts.append(gettext("every modality with oil"))
    return "; ".join(parts) or "–"


# The list, add and edit pages of the consents (what each covers, whether it is asked); a consent's
# text and its versions have their own page below.
CONSENTS = Editor(
    key="consent",
    address="manager/consents/",
    title=gettext_lazy("Consents"),
    lead=CONSENT_LEAD,
    rows=ConsentTopic.objects.prefetch_related("modalities").annotate(current=Max("versions__number")).order_by("name"),
    columns=[
        Column(gettext_lazy("For"), _covers),
        Column(gettext_lazy("Version"), lambda t: t.current or "–"),
        Column(gettext_lazy("Asked"), lambda t: _yes(t.active)),
    ],
    form=ConsentTopicForm,
    create_form=ConsentCreateForm,
    add=gettext_lazy("Add a consent"),
    add_title=gettext_lazy("Add a consent"),
    create=lambda form: consent_topic_save(saved_by=form.user, **form.cleaned_data),
    added=gettext_lazy("Added the consent for {}, version 1."),
    edited=ConsentTopic.objects.all(),
    edit_title=gettext_lazy("Consent: {}"),
    update=lambda topic, form: consent_topic_save(topic=topic, saved_by=form.user, **form.cleaned_data),
    saved=gettext_lazy("Saved the consent for {}."),
    edit_extra=lambda topic: {
        "extra_link": (reverse("manager:consent_text", args=[topic.pk]), gettext("Text and versions"))
    },
)
routes.extend(CONSENTS.urls())


@routes("manager/consents/<int:pk>/text/")
@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def consent_text(request, pk: int):
    topic = get_object_or_404(ConsentTopic, pk=pk)
    current = consent_version_current(topic=topic)
    form = ConsentTextForm(_post(request), initial={"text": current.text if current else ""})
    if saved_or_refused(
        request,
        form,
        lambda: consent_version_publish(topic=topic, text=form.cleaned_data["text"], created_by=request.user),
        lambda version: (
            gettext("Saved version %(number)s of the consent for %(topic)s: every patient is asked to sign it.")
            % {"number": version.number, "topic": topic}
        ),
    ):
        return redirect("manager:consent_text", pk=topic.pk)
    versions = topic.versions.select_related("created_by").annotate(signature_count=Count("signatures"))
    context = {"topic": topic, "form": form, "current": current, "versions": versions, "lead": CONSENT_LEAD}
    return render(request, "manager/consent_text.html", context)


@routes("manager/consent-versions/<int:pk>/")
@require_GET
@role_required(roles.MANAGER)
def consent_version(request, pk: int):
    version = get_object_or_404(
        ConsentVersion.objects.select_related("topic", "created_by").annotate(signature_count=Count("signatures")),
        pk=pk,
    )
    return render(request, "manager/consent_version.html", {"version": version})
