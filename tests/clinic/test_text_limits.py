"""Free text has limits that fit its use: a note's fields and a study's findings take a few
thousand characters, enforced by the forms (which show the limit) and by the database itself
(CheckConstraints on Length, so no script or bulk write stores more)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import NOTE_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from patients.models import Study
from sessions.models import SessionNote
from tests.factories import SessionNoteFactory, StudyFactory

LIMITS = [
    (SessionNote, "subjective", NOTE_TEXT_MAX_LENGTH),
    (SessionNote, "objective", NOTE_TEXT_MAX_LENGTH),
    (SessionNote, "assessment", NOTE_TEXT_MAX_LENGTH),
    (SessionNote, "plan", NOTE_TEXT_MAX_LENGTH),
    (SessionNote, "patient_summary", SHORT_TEXT_MAX_LENGTH),
    (Study, "findings", NOTE_TEXT_MAX_LENGTH),
]


@pytest.mark.parametrize(("model", "field", "limit"), LIMITS)
def test_the_database_refuses_text_over_the_limit_on_any_path(db, model, field, limit):
    row = SessionNoteFactory() if model is SessionNote else StudyFactory()
    model.objects.filter(pk=row.pk).update(**{field: "x" * limit})  # up to the limit is fine

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: "x" * (limit + 1)})


@pytest.mark.parametrize(("model", "field", "limit"), LIMITS)
def test_the_model_says_the_limit(model, field, limit):
    assert model._meta.get_field(field).max_length == limit


def test_the_note_form_shows_the_limit_and_refuses_more(as_lena, lenas_session):
    url = reverse("therapist:note_edit", args=[lenas_session.pk])
    page = as_lena.get(url).content.decode()
    assert "Up to 4,000 characters." in page
    assert 'maxlength="4000"' in page

    response = as_lena.post(url, {"subjective": "x" * 4001, "action": "save"})

    assert response.status_code == 200
    assert "Ensure this value has at most 4000 characters (it has 4001)." in response.content.decode()
    assert not SessionNote.objects.exists()


def test_the_study_form_shows_the_limit_and_refuses_more(as_lena, sciatica):
    url = reverse("chart:study_create", args=[sciatica.pk])
    assert "Up to 4,000 characters." in as_lena.get(url).content.decode()

    response = as_lena.post(url, {"kind": "mri", "performed_on": "2024-01-01", "findings": "x" * 4001})

    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    assert not Study.objects.exists()
