"""Dates in the pages' forms: the browser's date picker sends and shows only an ISO value (the
locale's 21/11/2026 leaves it blank); a browser without one lets people type the local way."""

from django import forms

ISO_DATE = "%Y-%m-%d"
DATE_INPUT_FORMATS = [ISO_DATE, "%d.%m.%Y"]


def date_widget(**attrs) -> forms.DateInput:
    """A date picker showing the value as ISO; `attrs` such as min and max go on the input."""
    return forms.DateInput(format=ISO_DATE, attrs={"type": "date", **attrs})
