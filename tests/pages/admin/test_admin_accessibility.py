"""The admin's inputs have accessible names (WCAG 4.1.2); tests/browser/test_accessibility.py runs
axe-core on every admin page, these pin the server-side half of it."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from clinic.admin import ClinicAdmin, ClinicTabularInline, NamedInlineFormSet
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

OURS = {"clinic", "patients", "treatment_sessions", "auth", "auditlog"}
# Django's own, which only a superuser opens (the manager's group holds no group permission).
NOT_OURS = {Group}


def input_tag(html: str, element_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no input #{element_id}"
    return match.group(0)


def test_every_admin_and_inline_of_ours_names_its_inputs():
    registry = admin.site._registry
    admins = {model: registry[model] for model in registry if model._meta.app_label in OURS and model not in NOT_OURS}
    assert len(admins) >= 18
    for model, model_admin in admins.items():
        assert isinstance(model_admin, ClinicAdmin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, ClinicTabularInline), inline
            assert issubclass(inline.formset, NamedInlineFormSet), inline


def test_the_boxes_of_a_split_date_and_time_are_named(manager, clinic):
    html = client_for(manager).get(reverse("admin:treatment_sessions_appointment_add")).content.decode()

    assert 'aria-label="Starts at: date"' in input_tag(html, "id_starts_at_0")
    assert 'aria-label="Starts at: time"' in input_tag(html, "id_starts_at_1")


def test_a_tables_inputs_are_named_by_their_column_and_row(manager, clinic):
    therapist = clinic["therapist"]
    html = client_for(manager).get(reverse("admin:clinic_therapist_change", args=[therapist.pk])).content.decode()

    assert 'aria-label="Weekday, row 1"' in input_tag(html, "id_working_hours-0-weekday")
    assert 'aria-label="Starts, row 1"' in input_tag(html, "id_working_hours-0-starts")
    assert 'aria-label="Delete, row 1"' in input_tag(html, "id_working_hours-0-DELETE")
    # The row a script adds is named too, without a number.
    assert 'aria-label="Weekday"' in input_tag(html, "id_working_hours-__prefix__-weekday")


def test_the_admin_loads_the_clinics_fixes_without_inline_script(manager):
    html = client_for(manager).get(reverse("admin:index")).content.decode()

    assert re.search(r'<script src="[^"]*js/admin_a11y\.js" defer></script>', html)
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/admin\.css">', html)
