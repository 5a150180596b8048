"""The pages' forms the API validates with, so a rule of input (a phone number's characters, a
namesake born on the same day, a course's least and most sessions, the free-slot search's span)
has one home. The one module of `api` that imports `pages` (.importlinter says so)."""

from rest_framework import serializers

from pages.booking.forms import AvailabilityForm, CancelForm
from pages.chart.forms import CoursePrescribeForm
from pages.reception.forms import PatientForm

__all__ = ["AvailabilityForm", "CancelForm", "CoursePrescribeForm", "PatientForm", "form_cleaned"]


def form_cleaned(form) -> dict:
    """The form's cleaned data, or its errors as the API's 400 (field: [sentences])."""
    if not form.is_valid():
        errors = {
            ("non_field_errors" if name == "__all__" else name): [error["message"] for error in field_errors]
            for name, field_errors in form.errors.get_json_data().items()
        }
        raise serializers.ValidationError(errors)
    return form.cleaned_data
