"""The set-up cache (clinic/setup_cache.py): what it keeps is what the database holds, however the
set-up is changed, and a reader can change nothing for the next one."""

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import setup_cache
from clinic.migrations._frozen import SETUP_VERSION_TABLE as VERSION_TABLE
from clinic.migrations._frozen import setup_trigger_names
from clinic.models import Closure, Location, Modality, SetupVersion, Therapist, WorkingHours
from clinic.setup_cache import setup_token
from clinic.setup_lists import (
    active_modalities,
    active_therapist_names,
    names_by_id,
    qualifications,
    sites,
    therapist_and_room,
)
from outcomes.models import Measure, MeasureItem
from patients.consent import consent_topics_current, current_topics
from patients.contraindications import active_rules
from patients.intake import intake_published
from patients.models import ConsentTopic, ContraindicationRule, IntakeVersion
from sessions.availability import qualified_therapists, suited_rooms
from sessions.outcomes import measures_asked
from sessions.schedule import closures_load, working_hours_by_therapist
from tests.factories import ClosureFactory, RoomFactory, TherapistFactory, next_weekday, therapist_named
from webhooks.services import subscriptions

pytestmark = pytest.mark.django_db


def token() -> str | None:
    return SetupVersion.objects.values_list("token", flat=True).first()


def every_kept_read(modality: Modality) -> dict:
    """Each read the set-up cache keeps, by name."""
    today = timezone.localdate()
    return {
        "qualified therapists": lambda: qualified_therapists(modality=modality),
        "suited rooms": lambda: suited_rooms(modality=modality),
        "working hours": working_hours_by_therapist,
        "closures": lambda: closures_load(starts_on=today, ends_on=today + dt.timedelta(days=7)),
        "active rules": active_rules,
        "consent topics": current_topics,
        "consent versions": consent_topics_current,
        "modalities": active_modalities,
        "sites": sites,
        "therapist names": active_therapist_names,
        "names by id": names_by_id,
        "qualifications": qualifications,
        "therapists and rooms": lambda: therapist_and_room(0, 0),
        "measures asked": measures_asked,
        "measures asked, no items": lambda: measures_asked(items=False),
        "intake published": intake_published,
        "webhook subscriptions": subscriptions,
    }


def tables_read(read) -> set[str]:
    """The tables a read's queries name, the set-up cache's own table aside."""
    SetupVersion.objects.update(token=uuid.uuid4().hex)  # a token nothing is kept under
    with CaptureQueriesContext(connection) as queries:
        read()
    named = {table for query in queries for table in re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', query["sql"])}
    # A column can follow FROM too: EXTRACT(EPOCH FROM starts_at).
    return (named & set(connection.introspection.table_names())) - {VERSION_TABLE}


def triggers_on(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.parametrize("read", list(every_kept_read(Modality(pk=0))))
def test_every_table_a_kept_read_reads_gives_a_new_token_when_written(read, anna, massage, maple):
    ClosureFactory(therapist=anna)
    tables = tables_read(every_kept_read(massage)[read])
    assert tables
    for table in tables:
        # Missing after a migration that SQLite carried out by rebuilding the table: the migration
        # must put the triggers back (WatchSetupTable, clinic/migrations/_frozen.py).
        assert setup_trigger_names(connection.vendor, table) <= triggers_on(table), table


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: Modality.objects.create(name="Hot stones", session_minutes=60), id="modality added"),
        pytest.param(lambda t: Location.objects.create(name="North"), id="site added"),
        pytest.param(lambda t: Therapist.objects.filter(pk=t.pk).update(active=False), id="therapist updated"),
        pytest.param(lambda t: t.modalities.clear(), id="qualification removed"),
        pytest.param(lambda t: RoomFactory(), id="room added"),
        pytest.param(lambda t: WorkingHours.objects.filter(therapist=t).delete(), id="hours deleted"),
        pytest.param(lambda t: ClosureFactory(therapist=t), id="closure added"),
        pytest.param(lambda t: User.objects.filter(pk=t.user_id).update(last_name="Berg"), id="therapist renamed"),
        pytest.param(lambda t: ContraindicationRule.objects.update(active=True), id="rules updated"),
        pytest.param(lambda t: ConsentTopic.objects.update(active=False), id="consent topics updated"),
        pytest.param(lambda t: Measure.objects.update(active=False), id="measures updated"),
        pytest.param(
            lambda t: MeasureItem.objects.create(measure=Measure.objects.first(), position=99, text="Walking"),
            id="measure item added",
        ),
        pytest.param(lambda t: IntakeVersion.objects.all().delete(), id="intake versions deleted"),
    ],
)
def test_a_write_to_the_set_up_gives_a_new_token(change, anna):
    before = token()
    change(anna)
    assert token() not in (before, None)


def test_a_log_in_keeps_the_token(anna):
    """A user's last log-in is no part of the set-up: logging in must not empty every cache."""
    before = token()
    User.objects.filter(pk=anna.user_id).update(last_login="2026-01-01T09:00Z")
    assert token() == before


def test_what_is_kept_follows_the_database(massage, anna):
    assert [t.pk for t in qualified_therapists(modality=massage)] == [anna.pk]
    ben = TherapistFactory(modalities=[massage])
    assert [t.pk for t in qualified_therapists(modality=massage)] == [anna.pk, ben.pk]
    anna.modalities.remove(massage)
    assert [t.pk for t in qualified_therapists(modality=massage)] == [ben.pk]
    User.objects.filter(pk=ben.user_id).update(first_name="Benedikt", last_name="Roth")
    assert [str(t) for t in qualified_therapists(modality=massage)] == ["Benedikt Roth"]


def test_a_rolled_back_change_leaves_what_was_kept(massage, anna):
    before, kept = token(), qualified_therapists(modality=massage)
    with pytest.raises(RuntimeError), transaction.atomic():
        TherapistFactory(modalities=[massage])
        assert len(qualified_therapists(modality=massage)) == 2  # the transaction sees its own change
        raise RuntimeError
    assert token() == before
    assert [t.pk for t in qualified_therapists(modality=massage)] == [t.pk for t in kept]


def test_a_second_read_is_the_token_alone(massage, anna):
    qualified_therapists(modality=massage)
    with CaptureQueriesContext(connection) as queries:
        again = qualified_therapists(modality=massage)
    assert [query["sql"] for query in queries] == [f'SELECT token FROM "{VERSION_TABLE}" WHERE id = 1']
    assert [t.pk for t in again] == [anna.pk]


def test_a_reader_cannot_change_what_the_next_one_reads(massage):
    therapist_named("Anna Kuhn", massage)
    first = qualified_therapists(modality=massage)[0]
    first.active = False
    first.user.first_name = "Changed"
    again = qualified_therapists(modality=massage)[0]
    assert again.active and str(again) == "Anna Kuhn"
    assert again.user.therapist is again  # a copy's relations lead to the same copies


def test_a_chosen_slot_s_therapist_and_room_are_copies_of_what_is_kept(massage, anna, maple):
    therapist, room = therapist_and_room(anna.pk, maple.pk)
    therapist.active, room.name = False, "Changed"
    again, room_again = therapist_and_room(anna.pk, maple.pk)
    assert again.active and str(again) == str(anna) and room_again.name == maple.name
    assert therapist_and_room(anna.pk + 1000, maple.pk + 1000) == (None, None)


def test_the_rest_of_a_kept_user_is_read_from_the_database(massage, anna):
    User.objects.filter(pk=anna.user_id).update(email="anna.new@example.org")  # no new token
    [kept] = qualified_therapists(modality=massage)
    assert kept.user.email == "anna.new@example.org"


def test_without_a_token_nothing_is_kept(massage, anna):
    """A test database emptied by a flush has no token row until the set-up is written again."""
    SetupVersion.objects.all().delete()
    assert setup_token("default") is None
    qualified_therapists(modality=massage)
    ben = TherapistFactory(modalities=[massage])  # writes a token again
    SetupVersion.objects.all().delete()
    assert [t.pk for t in qualified_therapists(modality=massage)] == [anna.pk, ben.pk]


def test_a_request_reads_the_token_once_and_again_after_it_writes(massage, anna):
    # The receivers of request_started and request_finished alone: Django's own would close the
    # test's connection (the test client leaves them out too).
    setup_cache._request_begins()
    try:
        qualified_therapists(modality=massage)
        with CaptureQueriesContext(connection) as queries:
            suited_rooms(modality=massage)
            working_hours_by_therapist()
        assert not any(VERSION_TABLE in query["sql"] for query in queries)
        ben = TherapistFactory(modalities=[massage])  # the request's own change
        assert [t.pk for t in qualified_therapists(modality=massage)] == [anna.pk, ben.pk]
    finally:
        setup_cache._request_ends()


@pytest.mark.parametrize("found", [True, False], ids=["a row", "no row"])
def test_a_version_read_in_a_request_brings_the_set_up_s_token_with_it(anna, found):
    """One statement for a kept page's version and the set-up's (with_setup_token): the row asked
    for, or None without one, and the request's set-up token, read no more that request."""
    token = setup_token("default")
    sql = "SELECT id, user_id FROM clinic_therapist WHERE id = %s"
    setup_cache._request_begins()
    try:
        with CaptureQueriesContext(connection) as queries:
            row = setup_cache.with_setup_token("default", sql, [anna.pk if found else anna.pk + 1000])
            assert setup_token("default") == token
        assert row == ((anna.pk, anna.user_id) if found else None)
        assert len(queries) == 1
        # Once the request has the token, the version is read alone.
        with CaptureQueriesContext(connection) as queries:
            setup_cache.with_setup_token("default", sql, [anna.pk])
        assert VERSION_TABLE not in queries[0]["sql"]
    finally:
        setup_cache._request_ends()


def test_the_booking_page_reads_the_token_once(reception, maria, massage, anna, maple):
    url = reverse("booking:appointment_book") + f"?patient={maria.pk}&modality={massage.pk}"
    reception.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = reception.get(url)
    assert response.status_code == 200 and "slot-picker" in response.content.decode()
    assert sum(VERSION_TABLE in query["sql"] for query in queries) == 1


def test_closures_are_those_of_the_span_and_the_therapists_asked_for(anna, ben):
    monday = next_weekday(0)
    theirs = ClosureFactory(therapist=anna, starts_on=monday, ends_on=monday + dt.timedelta(days=2))
    clinic = ClosureFactory(therapist=None, starts_on=monday - dt.timedelta(days=3), ends_on=monday)
    ClosureFactory(therapist=ben, starts_on=monday, ends_on=monday)  # not asked for
    ClosureFactory(therapist=None, starts_on=monday - dt.timedelta(days=9), ends_on=monday - dt.timedelta(days=1))
    ClosureFactory(therapist=None, starts_on=monday + dt.timedelta(days=3), ends_on=monday + dt.timedelta(days=4))
    found = closures_load(starts_on=monday, ends_on=monday + dt.timedelta(days=2), therapist_ids=[anna.pk])
    assert [c.pk for c in found if c.pk] == [clinic.pk, theirs.pk]
    assert {str(c.therapist) for c in found if c.therapist_id} == {"Anna Kuhn"}
    assert Closure.objects.count() == 5
