"""The chart's address, and a valid post for each of its forms with `changes` on top: the page
tests and the chart forms' shared tests (test_chart_forms.py) send the same data."""

from django.urls import reverse

from patients.models import Cause, FlagKind, Side, StudyKind


def chart(patient) -> str:
    return reverse("chart:patient_chart", args=[patient.pk])


def diagnosis_data(**changes) -> dict:
    return {
        "icd10_code": "m54.4",
        "title": "Lumbago with sciatica",
        "cause": Cause.PIRIFORMIS,
        "side": Side.RIGHT,
        "diagnosed_on": "2026-02-03",
        "diagnosed_by": "Dr. Weber",
        **changes,
    }


def study_data(**changes) -> dict:
    return {
        "kind": StudyKind.MRI,
        "performed_on": "2026-01-08",
        "findings": "L5–S1 protrusion touching the S1 root.",
        **changes,
    }


def health_flag_data(**changes) -> dict:
    return {
        "kind": FlagKind.OIL_ALLERGY,
        "substance": "Lavender oil",
        "active_from": "2026-02-01",
        "active_to": "",
        "note": "Rash on the forearm",
        **changes,
    }
