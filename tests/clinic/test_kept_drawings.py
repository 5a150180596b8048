"""The drawings the app's processes share (clinic.kept_drawings): found only for the same slot,
under the same versions and within their time; one per slot; expired ones cleared as new ones
are written; a patient's deleted on request; never on the write-ahead log."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from clinic import kept_drawings
from clinic.models import KeptDrawing

pytestmark = pytest.mark.django_db

SLOT = ("chart", 7, 3, "en-gb", "Europe/Berlin", "a csrf secret")
VERSIONS = ("record token", "set-up token")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def share(now, slot=SLOT, versions=VERSIONS, html="<p>chart</p>", patient_id=7, until=None):
    kept_drawings.drawing_share(
        slot, versions, html, patient_id=patient_id, drawn=now, until=until or now + dt.timedelta(hours=1)
    )


def test_a_shared_drawing_is_found_for_its_slot_and_versions_within_its_time(now):
    share(now)

    found = kept_drawings.drawing_shared(SLOT, VERSIONS, now + dt.timedelta(minutes=5))

    assert found.html == "<p>chart</p>"
    assert (found.drawn_at, found.until) == (now, now + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    "slot, versions, later",
    [
        (("chart", 7, 4, "en-gb", "Europe/Berlin", "a csrf secret"), VERSIONS, 5),  # another reader
        (("chart", 7, 3, "en-gb", "Europe/Berlin", "another secret"), VERSIONS, 5),  # another log-in
        (("chart", 7, 3, "de", "Europe/Berlin", "a csrf secret"), VERSIONS, 5),  # another language
        (("portal home", 7, 3, "en-gb", "Europe/Berlin", "a csrf secret"), VERSIONS, 5),  # another page
        (SLOT, ("a newer record token", "set-up token"), 5),  # the record changed
        (SLOT, ("record token", "a newer set-up token"), 5),  # the set-up changed
        (SLOT, VERSIONS, 60),  # its time is over
        (SLOT, VERSIONS, -1),  # a clock before the drawing
    ],
)
def test_it_is_not_found_for_another_slot_other_versions_or_outside_its_time(now, slot, versions, later):
    share(now)

    assert kept_drawings.drawing_shared(slot, versions, now + dt.timedelta(minutes=later)) is None


def test_a_new_drawing_replaces_the_slot_s_old_one(now):
    share(now, html="<p>before</p>")
    share(now, versions=("a newer record token", "set-up token"), html="<p>after</p>")

    assert KeptDrawing.objects.count() == 1
    assert kept_drawings.drawing_shared(SLOT, VERSIONS, now) is None
    assert kept_drawings.drawing_shared(SLOT, ("a newer record token", "set-up token"), now).html == "<p>after</p>"


def test_the_table_names_no_csrf_secret(now):
    share(now)

    assert not KeptDrawing.objects.filter(slot__contains="secret").exists()
    assert len(KeptDrawing.objects.get().slot) == 64


def test_expired_drawings_are_deleted_as_new_ones_are_written_a_few_at_a_time(now, monkeypatch):
    monkeypatch.setattr(kept_drawings, "_EXPIRED_DELETED_PER_WRITE", 3)
    for number in range(5):
        share(now - dt.timedelta(days=1), slot=("chart", number), until=now - dt.timedelta(minutes=1))

    share(now)

    assert KeptDrawing.objects.count() == 1 + 5 - 3
    share(now, slot=("chart", "another"))
    assert set(KeptDrawing.objects.values_list("until", flat=True)) == {now + dt.timedelta(hours=1)}


def test_a_patient_s_drawings_are_forgotten_and_nobody_else_s(now):
    share(now, slot=("chart", 7), patient_id=7)
    share(now, slot=("portal home", 7), patient_id=7)
    share(now, slot=("chart", 8), patient_id=8)

    kept_drawings.drawings_of_patient_forget(7)

    assert list(KeptDrawing.objects.values_list("patient_id", flat=True)) == [8]


@pytest.mark.postgresql
def test_on_postgresql_the_table_is_unlogged():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [KeptDrawing._meta.db_table])
        assert cursor.fetchone() == ("u",)
