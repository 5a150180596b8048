"""The forms of the questionnaire and consent editors: they read what was typed; whether it makes
sense is the services' to say (patients.intake, patients.consent)."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from clinic.models import Modality
from pages.manager.clinic_forms import EditorForm, ModelsChoiceField
from pages.text_limits import TextLimitsShown
from patients.intake import MAX_QUESTIONS, QuestionSpec
from patients.models import CONSENT_TEXT_MAX_LENGTH, FlagKind

# Blank rows below the questions, for new ones.
BLANK_ROWS = 3
NO_FLAG = [("", gettext_lazy("No flag: the therapist reads the answer"))]


class QuestionsForm(forms.Form):
    """The whole questionnaire, one row a question: its text, the health flag a yes proposes, and
    what a yes asks for. An emptied row is a question removed; a filled blank row a new one."""

    def __init__(self, *args, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(rows):
            number = i + 1
            self.fields[f"q{i}_text"] = forms.CharField(
                required=False,
                max_length=1000,
                label=gettext("Question %(number)s") % {"number": number},
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.fields[f"q{i}_proposes"] = forms.ChoiceField(
                required=False,
                choices=NO_FLAG + list(FlagKind.choices),
                label=gettext("Question %(number)s: a yes proposes") % {"number": number},
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"q{i}_detail"] = forms.CharField(
                required=False,
                max_length=1000,
                label=gettext("Question %(number)s: with a yes, ask") % {"number": number},
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": gettext("e.g. Which oil?")}),
            )

    @staticmethod
    def initial_of(questions) -> dict:
        initial = {}
        for i, question in enumerate(questions):
            initial[f"q{i}_text"] = question.text
            initial[f"q{i}_proposes"] = question.proposes
            initial[f"q{i}_detail"] = question.detail_label
        return initial

    def row_fields(self):
        """For the template: per row its (text, proposes, detail) bound fields."""
        return [(self[f"q{i}_text"], self[f"q{i}_proposes"], self[f"q{i}_detail"]) for i in range(self.rows)]

    def questions(self) -> list[QuestionSpec]:
        data = self.cleaned_data
        specs = []
        for i in range(self.rows):
            text = data.get(f"q{i}_text") or ""
            if text.strip():
                specs.append(QuestionSpec(text, data.get(f"q{i}_proposes") or "", data.get(f"q{i}_detail") or ""))
        return specs


def posted_rows(data, shown: int) -> int:
    """How many rows a posted questionnaire has (q<i>_text), at most MAX_QUESTIONS + BLANK_ROWS."""
    highest = shown
    for key in data:
        parts = key.split("_", 1)
        if len(parts) == 2 and parts[0][:1] == "q" and parts[0][1:].isdigit():
            highest = max(highest, int(parts[0][1:]) + 1)
    return min(highest, MAX_QUESTIONS + BLANK_ROWS)


def _modalities_field() -> forms.ModelMultipleChoiceField:
    return ModelsChoiceField(
        queryset=Modality.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Modalities"),
        help_text=gettext_lazy("A booking of any of these asks for this consent."),
    )


class ConsentTopicForm(EditorForm):
    name = forms.CharField(
        max_length=200,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("What the patient consents to, e.g. “Cupping”."),
    )
    modalities = _modalities_field()
    oil_modalities = forms.BooleanField(required=False, label=gettext_lazy("Also every modality that uses oil"))
    active = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Active"),
        help_text=gettext_lazy("Asked of patients, and checked when booking."),
    )

    @staticmethod
    def initial_of(topic) -> dict:
        return {
            "name": topic.name,
            "modalities": list(topic.modalities.all()),
            "oil_modalities": topic.oil_modalities,
            "active": topic.active,
        }


class ConsentTextForm(TextLimitsShown, EditorForm):
    text = forms.CharField(
        max_length=CONSENT_TEXT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        label=gettext_lazy("Text"),
        help_text=gettext_lazy(
            "Saving makes a new version; every patient is asked to sign it. Signed versions stay as they were."
        ),
    )


class ConsentCreateForm(ConsentTopicForm, ConsentTextForm):
    field_order = ["name", "modalities", "oil_modalities", "active", "text"]
