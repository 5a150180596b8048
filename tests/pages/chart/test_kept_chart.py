"""The chart kept between looks (pages.kept_pages): a look at an unchanged chart is cheap and still
logged, and a kept chart never shows anything but what the record, the clock, the reader and their
language would draw now, whichever of the app's processes drew it."""

import datetime as dt
import re
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pages import kept_pages
from patients.models import Patient, Phase
from sessions.models import AppointmentStatus
from tests.conftest import client_for, log_in_verified
from tests.factories import (
    AppointmentFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
)
from tests.scenes import url_of

pytestmark = pytest.mark.django_db

url = url_of("chart:patient_chart")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAST_FLAGS = '<h3 class="h6 mt-3">Past</h3>'


@pytest.fixture
def visit(maria, lena, massage):
    """Lena treated Maria last week: Maria is her patient."""
    return AppointmentFactory(
        patient=maria,
        therapist=lena,
        modality=massage,
        starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=7),
        status=AppointmentStatus.COMPLETED,
    )


@pytest.fixture
def as_lena(lena, visit):
    return client_for(lena.user)


def looks(client, patient) -> tuple[str, int]:
    """The chart's HTML and how many queries the look took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(patient))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_second_look_at_an_unchanged_chart_is_kept_and_still_logged(as_lena, maria):
    DiagnosisFactory(patient=maria, title="Lumbar disc disorder")
    looks(as_lena, maria)  # the first look makes the reader's CSRF secret, which a kept chart needs
    reads = LogEntry.objects.filter(object_pk=str(maria.pk)).count()
    drawn, drawing = looks(as_lena, maria)
    kept, keeping = looks(as_lena, maria)
    # The same chart, but the frame around it masks the CSRF token afresh on every page.
    assert kept.split("</nav>", 1)[1].split("</main>")[0] == drawn.split("</nav>", 1)[1].split("</main>")[0]
    assert "Lumbar disc disorder" in kept
    # The session, the user, the patient, who treats them, the two tokens and the audit entry.
    assert keeping <= 10 < drawing
    assert LogEntry.objects.filter(object_pk=str(maria.pk)).count() == reads + 2


def test_a_change_to_the_record_shows_on_the_next_look(as_lena, maria):
    looks(as_lena, maria)
    looks(as_lena, maria)
    DiagnosisFactory(patient=maria, title="Piriformis syndrome")  # straight into the database
    assert "Piriformis syndrome" in looks(as_lena, maria)[0]
    Patient.objects.filter(pk=maria.pk).update(last_name="Lopez-Garcia")
    assert "Lopez-Garcia" in looks(as_lena, maria)[0]


def test_a_phase_dated_ahead_comes_into_effect_without_a_write(as_lena, maria, lena):
    now = timezone.now()
    disc = DiagnosisFactory(patient=maria, title="Lumbar disc disorder")
    PhaseRecordFactory(diagnosis=disc, phase=Phase.SUBACUTE, effective_from=now - dt.timedelta(days=5))
    PhaseRecordFactory(diagnosis=disc, phase=Phase.ACUTE, effective_from=now + dt.timedelta(hours=1))
    looks(as_lena, maria)
    assert "Nothing blocks a session." in looks(as_lena, maria)[0]
    with mock.patch.object(timezone, "now", return_value=now + dt.timedelta(hours=2)):
        later = looks(as_lena, maria)[0]
    assert "Nothing blocks a session." not in later
    assert "acute" in later.lower()


def test_a_new_day_draws_the_chart_again(lena, maria, visit):
    """A flag that ends today is current until midnight and past after it: a chart kept at ten to
    midnight is drawn again at ten past."""
    late = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 50)))
    HealthFlagFactory(patient=maria, active_from=late.date() - dt.timedelta(days=10), active_to=late.date())
    with mock.patch.object(timezone, "now", return_value=late):
        as_lena = client_for(lena.user)
        looks(as_lena, maria)
        before = looks(as_lena, maria)[0]
    with mock.patch.object(timezone, "now", return_value=late + dt.timedelta(minutes=20)):
        after = looks(as_lena, maria)[0]
    assert PAST_FLAGS not in before
    assert PAST_FLAGS in after


def test_each_reader_sees_their_own_drafts_only(as_lena, maria, lena, manager, visit):
    SessionNoteFactory(appointment=visit, author=lena.user, signed_at=None, subjective="Lena's draft words")
    looks(as_lena, maria)
    assert "Lena&#x27;s draft words" in looks(as_lena, maria)[0]
    as_manager = client_for(manager)
    looks(as_manager, maria)
    assert "draft words" not in looks(as_manager, maria)[0]


def test_a_kept_chart_s_forms_carry_the_reader_s_own_token(lena, maria, visit):
    client = Client(enforce_csrf_checks=True)
    log_in_verified(client, lena.user)
    looks(client, maria)
    looks(client, maria)
    kept = looks(client, maria)[0]
    token = CSRF_FIELD.search(kept).group(1)
    response = client.post(reverse("chart:patient_self_booking", args=[maria.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    other = Client(enforce_csrf_checks=True)
    log_in_verified(other, lena.user)
    looks(other, maria)
    assert CSRF_FIELD.search(looks(other, maria)[0]).group(1) != token


def test_a_chart_in_another_language_is_drawn_in_it(as_lena, maria):
    looks(as_lena, maria)
    assert "Health flags" in looks(as_lena, maria)[0]
    as_lena.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert "Gesundheitshinweise" in looks(as_lena, maria)[0]


def test_with_no_page_kept_every_look_draws(as_lena, maria, settings):
    settings.CLINIC_KEPT_PAGES_MB = 0
    looks(as_lena, maria)
    assert looks(as_lena, maria)[1] > 10


@pytest.fixture
def another_process(monkeypatch):
    """Forgets what this process kept, as another worker or app server would never have kept it."""

    def forget():
        monkeypatch.setattr(kept_pages, "_kept", kept_pages._Kept())

    return forget


def test_a_chart_drawn_by_another_process_is_served_from_the_shared_drawing(as_lena, maria, another_process):
    DiagnosisFactory(patient=maria, title="Lumbar disc disorder")
    looks(as_lena, maria)
    drawn = looks(as_lena, maria)[0]
    another_process()

    with mock.patch("pages.chart.views._chart_content") as draw:
        shared, _ = looks(as_lena, maria)

    draw.assert_not_called()
    assert shared.split("</nav>", 1)[1].split("</main>")[0] == drawn.split("</nav>", 1)[1].split("</main>")[0]
    assert "Lumbar disc disorder" in shared


def test_another_process_draws_a_changed_record_afresh(as_lena, maria, another_process):
    looks(as_lena, maria)
    looks(as_lena, maria)
    DiagnosisFactory(patient=maria, title="Piriformis syndrome")  # straight into the database
    another_process()

    assert "Piriformis syndrome" in looks(as_lena, maria)[0]


def test_another_reader_is_not_served_a_shared_chart(as_lena, maria, lena, manager, visit, another_process):
    SessionNoteFactory(appointment=visit, author=lena.user, signed_at=None, subjective="Lena's draft words")
    looks(as_lena, maria)
    looks(as_lena, maria)
    another_process()
    as_manager = client_for(manager)
    looks(as_manager, maria)

    assert "draft words" not in looks(as_manager, maria)[0]
