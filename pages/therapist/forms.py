"""Forms of the therapist's session note. They validate what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from pages.text_limits import TextLimitsShown, model_max_length
from sessions.models import AREA_SIDE_CHOICES, Addendum, Area, SessionNote

PAIN_CHOICES = [("", "–")] + [(str(score), str(score)) for score in range(11)]
SAVE, SIGN = "save", "sign"


class SessionNoteForm(TextLimitsShown, forms.Form):
    """SOAP, pain before and after, the areas worked in technique order, oils, time, and whether
    the session stopped early. Signing asks for more than a draft does: pain before and after and
    the minutes."""

    subjective = forms.CharField(
        label=gettext_lazy("Subjective"),
        required=False,
        max_length=model_max_length(SessionNote, "subjective"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What the patient reports today."),
    )
    objective = forms.CharField(
        label=gettext_lazy("Objective"),
        required=False,
        max_length=model_max_length(SessionNote, "objective"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What you found: tone, tender points."),
    )
    assessment = forms.CharField(
        label=gettext_lazy("Assessment"),
        required=False,
        max_length=model_max_length(SessionNote, "assessment"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan = forms.CharField(
        label=gettext_lazy("Plan"),
        required=False,
        max_length=model_max_length(SessionNote, "plan"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pain_before = forms.TypedChoiceField(
        label=gettext_lazy("Pain before"),
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("0 = no pain, 10 = worst."),
    )
    pain_after = forms.TypedChoiceField(
        label=gettext_lazy("Pain after"), choices=PAIN_CHOICES, coerce=int, empty_value=None, required=False
    )
    areas_treated = forms.MultipleChoiceField(
        label=gettext_lazy("Areas treated"),
        choices=AREA_SIDE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    techniques = forms.CharField(label=gettext_lazy("Techniques"), max_length=300, required=False)
    oils_used = forms.CharField(
        label=gettext_lazy("Oils used"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty when no oil was used."),
    )
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=240, required=False)
    stopped_early = forms.BooleanField(required=False, label=gettext_lazy("The session stopped early"))
    stopped_early_reason = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Why it stopped"),
        help_text=gettext_lazy("For example: a movement hurt."),
    )
    patient_summary = forms.CharField(
        required=False,
        max_length=model_max_length(SessionNote, "patient_summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Summary for the patient"),
        help_text=gettext_lazy("The patient reads this in the portal; write it for them."),
    )

    def __init__(self, *args, signing: bool = False, oil_check_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.signing = signing
        if oil_check_url:
            # Warn about an allergy while the oils are typed, not only after saving.
            self.fields["oils_used"].widget.attrs.update(
                {
                    "hx-get": oil_check_url,
                    "hx-trigger": "input changed delay:400ms, change",
                    "hx-target": "#oil-conflict",
                    "hx-sync": "this:replace",
                }
            )

    @classmethod
    def initial_from(cls, note: SessionNote | None) -> dict:
        if note is None:
            return {}
        return {name: getattr(note, name) for name in cls.base_fields}

    def clean(self):
        data = super().clean()
        if data.get("stopped_early") and not (data.get("stopped_early_reason") or "").strip():
            self.add_error("stopped_early_reason", gettext("Say why the session stopped early."))
        if self.signing:
            for name, message in (
                ("pain_before", gettext("Fill in the pain before to sign the note.")),
                ("pain_after", gettext("Fill in the pain after to sign the note.")),
                ("minutes", gettext("Fill in the minutes to sign the note.")),
            ):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
        return data

    # The note page's two columns: the written record, and what happened in the session after
    # the pain scores and the areas (laid out apart, as a pair and as a grid).
    SOAP_FIELDS = ("subjective", "objective", "assessment", "plan", "patient_summary")
    SESSION_FIELDS = ("techniques", "oils_used", "minutes", "stopped_early", "stopped_early_reason")

    def soap_fields(self):
        return [self[name] for name in self.SOAP_FIELDS]

    def session_fields(self):
        return [self[name] for name in self.SESSION_FIELDS]

    def area_rows(self):
        """The areas checkboxes as rows of (area label, left checkbox, right checkbox)."""
        boxes = {box.data["value"]: box for box in self["areas_treated"]}
        return [(area.label, boxes[f"{area}:left"], boxes[f"{area}:right"]) for area in Area]


class AddendumForm(TextLimitsShown, forms.Form):
    text = forms.CharField(
        max_length=model_max_length(Addendum, "text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Addendum"),
        error_messages={"required": gettext_lazy("Write the addendum's text.")},
        help_text=gettext_lazy("The signed note stays as it is; this is added below it with your name and the time."),
    )


class MyPatientSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Find one of your patients"), max_length=100, required=False)
