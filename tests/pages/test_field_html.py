"""`as_field` writes what crispy-forms' `as_crispy_field` writes (tags, attributes, texts; the
whitespace between them aside), for the booking page's fields and for the kinds of field it
writes itself, valid and invalid; other widgets it leaves to crispy."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms

from pages.booking.forms import BookingForm
from pages.field_html import handled
from pages.page_tags import as_field
from tests.factories import therapist_named


def squeezed(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def both(make_form, name: str) -> tuple[str, str]:
    """The field written by crispy and by as_field, each from a fresh form (both add classes to
    the form's widget; a bound form validates when its field's errors are read)."""
    crispy_form, our_form = make_form(), make_form()
    return squeezed(as_crispy_field(crispy_form[name])), squeezed(as_field(our_form[name]))


class Kinds(forms.Form):
    required_css_class = "is-required"
    error_css_class = "has-error"
    name = forms.CharField(label="Name <full>", help_text="As on the <b>card</b>.")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"class": "wide", "placeholder": "a@b.c"}))
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=[("", "—"), ("a", "A & B")], widget=forms.Select(attrs={"class": "select x"}))
    many = forms.IntegerField(min_value=1)


INVALID = {"name": "<x>", "email": "bad", "when": "2026-13-01", "kind": "z", "many": 0}


@pytest.mark.parametrize("data", [None, {}, INVALID])
@pytest.mark.parametrize("name", ["name", "email", "when", "kind", "many"])
def test_each_kind_of_field_is_written_as_crispy_writes_it(data, name):
    crispy, ours = both(lambda: Kinds(data), name)
    assert ours == crispy


@pytest.mark.parametrize(
    "data", [None, {"patient": "x", "therapist": "not a number", "day": "2026-13-45"}, {"day": "2026-12-03"}]
)
def test_the_booking_forms_fields_are_written_as_crispy_writes_them(db, data):
    therapist_named("Zoë O'Neil & Co")
    written = {}
    for name in ("course", "modality", "therapist", "day"):
        crispy, written[name] = both(lambda: BookingForm(data), name)
        assert written[name] == crispy, name
    assert "Zoë O&#x27;Neil &amp; Co</option>" in written["therapist"]
    if data and "therapist" in data:
        assert 'id="id_therapist_error" class="invalid-feedback"' in written["therapist"]


def test_check_boxes_and_hidden_fields_are_left_to_crispy():
    class Other(forms.Form):
        agree = forms.BooleanField(label="I agree")
        secret = forms.CharField(widget=forms.HiddenInput)
        pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = Other()
    assert not any(handled(form[name]) for name in ("agree", "secret", "pick"))
    assert squeezed(as_field(Other()["agree"])) == squeezed(as_crispy_field(Other()["agree"]))
