"""The manager's editors for the clinic (pages/manager/clinic_editors.py): each saves through its
service and the audit log names the manager; a refusal is a sentence on the form with nothing
changed; only the manager gets in; lists cost a fixed number of queries."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clinic import roles
from clinic.models import Closure, ClosureKind, Location, Modality, Room, WorkingHours
from patients.models import ContraindicationRule, FlagKind, RuleEffect
from tests.conftest import client_for
from tests.factories import (
    MONDAY,
    AppointmentFactory,
    ClosureFactory,
    ModalityFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    on_monday,
)
from tests.pages.manager.conftest import form_errors, logged_by

# Session, user, roles, the rows, and what the list prefetches.
LIST_QUERIES = 8


# Sites ------------------------------------------------------------------------------------------


def test_the_manager_adds_a_site(as_manager, manager):
    response = as_manager.post(reverse("manager:location_create"), {"name": "Riverside", "address": "1 River Road"})
    assert response.status_code == 302
    site = Location.objects.get(name="Riverside")
    assert logged_by(manager, site)


def test_a_site_named_twice_is_a_sentence(as_manager, blue_room):
    response = as_manager.post(reverse("manager:location_create"), {"name": "main site", "address": ""})
    assert response.status_code == 200
    assert form_errors(response) == ["There is already a site called “main site”."]
    assert Location.objects.count() == 1


def test_the_manager_renames_a_site(as_manager, blue_room):
    site = blue_room.location
    as_manager.post(reverse("manager:location_edit", args=[site.pk]), {"name": "Old town", "address": "Market 2"})
    site.refresh_from_db()
    assert (site.name, site.address) == ("Old town", "Market 2")


# Therapists -------------------------------------------------------------------------------------


def test_the_manager_edits_a_therapist(as_manager, manager, anna_berg, back_massage):
    cupping = ModalityFactory(name="Cupping")
    url = reverse("manager:therapist_edit", args=[anna_berg.pk])
    assert as_manager.get(url).status_code == 200
    response = as_manager.post(url, {"modalities": [back_massage.pk, cupping.pk], "calendar_colour": "#aa3355"})
    assert response.status_code == 302
    anna_berg.refresh_from_db()
    assert (anna_berg.calendar_colour, anna_berg.active) == ("#aa3355", False)
    assert set(anna_berg.modalities.all()) == {back_massage, cupping}
    entry = LogEntry.objects.filter(object_pk=str(anna_berg.pk), actor=manager, content_type__model="therapist")
    assert entry.exists()


def test_deactivating_a_therapist_with_sessions_lists_them(as_manager, anna_berg, back_massage, blue_room):
    AppointmentFactory(therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10))
    response = as_manager.post(
        reverse("manager:therapist_edit", args=[anna_berg.pk]),
        {"modalities": [back_massage.pk], "calendar_colour": "#4c8bf5"},
    )
    assert response.status_code == 200
    assert form_errors(response)[0].startswith("Anna Berg has 1 session(s) booked ahead. Move or cancel them first:")
    anna_berg.refresh_from_db()
    assert anna_berg.active


# The weekly grid --------------------------------------------------------------------------------


def week(*blocks) -> dict:
    data = {}
    for weekday, i, starts, ends in blocks:
        data[f"d{weekday}_{i}_starts"], data[f"d{weekday}_{i}_ends"] = starts, ends
    return data


def test_the_weekly_grid_shows_the_hours_and_saves_breaks(as_manager, manager, anna_berg):
    url = reverse("manager:therapist_hours", args=[anna_berg.pk])
    page = as_manager.get(url)
    assert page.status_code == 200
    assert 'value="08:00"' in page.content.decode()
    response = as_manager.post(url, week((0, 0, "08:00", "12:00"), (0, 1, "13:00", "18:00"), (3, 0, "10:00", "14:00")))
    assert response.status_code == 302
    blocks = [(b.weekday, f"{b.starts:%H:%M}", f"{b.ends:%H:%M}") for b in anna_berg.working_hours.order_by("pk")]
    assert sorted(blocks) == [(0, "08:00", "12:00"), (0, "13:00", "18:00"), (3, "10:00", "14:00")]
    new_block = WorkingHours.objects.get(therapist=anna_berg, weekday=0, starts=dt.time(13))
    assert logged_by(manager, new_block)
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, content_type__model="workinghours").exists()


def test_overlapping_blocks_are_a_sentence_and_nothing_changes(as_manager, anna_berg):
    before = list(anna_berg.working_hours.values_list("pk", "starts", "ends"))
    response = as_manager.post(
        reverse("manager:therapist_hours", args=[anna_berg.pk]),
        week((1, 0, "08:00", "12:00"), (1, 1, "11:00", "15:00")),
    )
    assert response.status_code == 200
    assert form_errors(response) == [
        "Tuesday: 08:00–12:00 and 11:00–15:00 overlap; leave a gap for a break or make them one block."
    ]
    assert list(anna_berg.working_hours.values_list("pk", "starts", "ends")) == before


@pytest.mark.parametrize(
    "data, error",
    [
        (week((2, 0, "09:00", "")), "Wednesday, block 1: give both the start and the end."),
        (week((2, 0, "nine", "12:00")), "Enter a valid time."),
    ],
)
def test_a_half_block_or_a_bad_time_is_a_sentence(as_manager, anna_berg, data, error):
    before = anna_berg.working_hours.count()
    response = as_manager.post(reverse("manager:therapist_hours", args=[anna_berg.pk]), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert anna_berg.working_hours.count() == before


def test_the_grid_names_the_site_only_with_several(as_manager, anna_berg):
    url = reverse("manager:therapist_hours", args=[anna_berg.pk])
    assert "_location" not in as_manager.get(url).content.decode()
    Location.objects.create(name="Riverside")
    assert 'name="d0_0_location"' in as_manager.get(url).content.decode()


# Rooms ------------------------------------------------------------------------------------------


def test_the_manager_adds_and_edits_a_room(as_manager, manager, back_massage, blue_room):
    site = blue_room.location
    response = as_manager.post(
        reverse("manager:room_create"),
        {"name": "Linden", "location": site.pk, "modalities": [back_massage.pk], "active": "on"},
    )
    assert response.status_code == 302
    room = Room.objects.get(name="Linden")
    assert logged_by(manager, room)
    as_manager.post(reverse("manager:room_edit", args=[room.pk]), {"name": "Linden", "location": site.pk})
    room.refresh_from_db()
    assert (room.active, list(room.modalities.all())) == (False, [])


def test_a_room_named_twice_or_without_a_name_is_a_sentence(as_manager, blue_room):
    response = as_manager.post(reverse("manager:room_create"), {"name": "BLUE ROOM", "location": blue_room.location_id})
    assert response.status_code == 200
    assert form_errors(response) == ["There is already a room called “BLUE ROOM”."]
    response = as_manager.post(reverse("manager:room_create"), {"name": " ", "location": blue_room.location_id})
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert Room.objects.count() == 1


# Modalities -------------------------------------------------------------------------------------


def modality_data(**overrides) -> dict:
    data = {
        "name": "Lymph drainage",
        "session_minutes": 45,
        "course_min_sessions": 6,
        "course_max_sessions": 10,
        "cadence": "free",
        "active": "on",
    }
    return data | overrides


def test_the_manager_adds_and_edits_a_modality(as_manager, manager):
    assert as_manager.post(reverse("manager:modality_create"), modality_data()).status_code == 302
    modality = Modality.objects.get(name="Lymph drainage")
    assert logged_by(manager, modality)
    as_manager.post(
        reverse("manager:modality_edit", args=[modality.pk]),
        modality_data(cadence="per_week", sessions_per_week=2, course_max_sessions=12),
    )
    modality.refresh_from_db()
    assert (modality.cadence, modality.sessions_per_week, modality.course_max_sessions) == ("per_week", 2, 12)


def test_a_minimum_above_the_maximum_is_said_in_words(as_manager, back_massage):
    url = reverse("manager:modality_edit", args=[back_massage.pk])
    response = as_manager.post(url, modality_data(name=back_massage.name, course_min_sessions=20))
    assert response.status_code == 200
    assert form_errors(response) == [
        "The minimum of sessions (20) is above the maximum (10): the minimum must not exceed the maximum."
    ]
    back_massage.refresh_from_db()
    assert back_massage.course_min_sessions == 12


# Closures ---------------------------------------------------------------------------------------


def closure_data(**overrides) -> dict:
    data = {"kind": "closed", "starts_on": MONDAY.isoformat(), "ends_on": MONDAY.isoformat(), "reason": "Training"}
    return data | overrides


def test_the_manager_adds_edits_and_removes_a_closure(as_manager, manager, anna_berg):
    response = as_manager.post(reverse("manager:closure_create"), closure_data(therapist=anna_berg.pk))
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert (closure.therapist, logged_by(manager, closure)) == (anna_berg, True)
    as_manager.post(reverse("manager:closure_edit", args=[closure.pk]), closure_data(reason="First aid course"))
    closure.refresh_from_db()
    assert (closure.therapist, closure.reason) == (None, "First aid course")
    assert as_manager.post(reverse("manager:closure_delete", args=[closure.pk])).status_code == 302
    assert not Closure.objects.exists()


def test_closing_a_booked_day_is_a_sentence_with_the_session(as_manager, anna_berg, back_massage, blue_room):
    AppointmentFactory(therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10))
    response = as_manager.post(reverse("manager:closure_create"), closure_data())
    assert response.status_code == 200
    assert form_errors(response)[0].startswith("The clinic has 1 session(s) booked on the days this closes")
    assert not Closure.objects.exists()


def test_a_closure_that_ends_before_it_starts_is_a_sentence(as_manager):
    earlier = (MONDAY - dt.timedelta(days=2)).isoformat()
    response = as_manager.post(reverse("manager:closure_create"), closure_data(ends_on=earlier))
    assert form_errors(response) == ["The closure cannot end before it starts."]
    assert not Closure.objects.exists()


def test_the_edit_page_offers_to_remove_the_closure(as_manager):
    closure = ClosureFactory(starts_on=MONDAY, ends_on=MONDAY, reason="Inventory", kind=ClosureKind.CLOSED)
    page = as_manager.get(reverse("manager:closure_edit", args=[closure.pk])).content.decode()
    assert reverse("manager:closure_delete", args=[closure.pk]) in page


# Rules ------------------------------------------------------------------------------------------


def rule_data(modality, **overrides) -> dict:
    data = {
        "flag_kind": FlagKind.SKIN_CONDITION,
        "modality": modality.pk,
        "effect": RuleEffect.WARN,
        "message": "Check the skin first.",
        "active": "on",
    }
    return data | overrides


def test_the_manager_adds_and_edits_a_rule(as_manager, manager, back_massage):
    assert as_manager.post(reverse("manager:rule_create"), rule_data(back_massage)).status_code == 302
    rule = ContraindicationRule.objects.get(flag_kind=FlagKind.SKIN_CONDITION, modality=back_massage)
    assert logged_by(manager, rule)
    as_manager.post(reverse("manager:rule_edit", args=[rule.pk]), rule_data(back_massage, effect=RuleEffect.BLOCK))
    rule.refresh_from_db()
    assert (rule.effect, rule.active) == (RuleEffect.BLOCK, True)


def test_a_rule_without_a_message_is_a_sentence(as_manager, back_massage):
    before = ContraindicationRule.objects.count()
    response = as_manager.post(reverse("manager:rule_create"), rule_data(back_massage, message=" "))
    assert response.status_code == 200
    assert ContraindicationRule.objects.count() == before


# Every editor: who gets in, which methods, and the lists' cost ----------------------------------


@pytest.fixture
def objects(anna_berg, blue_room, back_massage):
    closure = ClosureFactory(starts_on=MONDAY, ends_on=MONDAY, reason="Inventory")
    rule = ContraindicationRule.objects.create(
        flag_kind=FlagKind.OTHER, modality=back_massage, effect=RuleEffect.WARN, message="Ask."
    )
    return {
        "location": blue_room.location_id,
        "therapist": anna_berg.pk,
        "room": blue_room.pk,
        "modality": back_massage.pk,
        "closure": closure.pk,
        "rule": rule.pk,
    }


PAGES = [
    ("manager:location_list", None),
    ("manager:location_create", None),
    ("manager:location_edit", "location"),
    ("manager:therapist_list", None),
    ("manager:therapist_edit", "therapist"),
    ("manager:therapist_hours", "therapist"),
    ("manager:room_list", None),
    ("manager:room_create", None),
    ("manager:room_edit", "room"),
    ("manager:modality_list", None),
    ("manager:modality_create", None),
    ("manager:modality_edit", "modality"),
    ("manager:closure_list", None),
    ("manager:closure_create", None),
    ("manager:closure_edit", "closure"),
    ("manager:rule_list", None),
    ("manager:rule_create", None),
    ("manager:rule_edit", "rule"),
]


def url_of(name, obj, objects) -> str:
    return reverse(name, args=[objects[obj]]) if obj else reverse(name)


@pytest.mark.parametrize("name, obj", PAGES)
def test_only_the_manager_opens_the_editors(db, objects, name, obj, client):
    url = url_of(name, obj, objects)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for role in (roles.RECEPTIONIST, roles.THERAPIST, roles.PATIENT):
        assert client_for(UserFactory(role=role)).get(url).status_code == 403
        if not name.endswith("_list"):  # a list answers POST 405 to anyone
            assert client_for(UserFactory(role=role)).post(url).status_code == 403


@pytest.mark.parametrize("name, obj", PAGES)
def test_the_editors_refuse_other_methods(as_manager, objects, name, obj):
    url = url_of(name, obj, objects)
    assert as_manager.put(url).status_code == 405
    assert as_manager.delete(url).status_code == 405
    if name.endswith("_list"):
        assert as_manager.post(url).status_code == 405


def test_removing_a_closure_takes_post_only(as_manager, objects):
    url = reverse("manager:closure_delete", args=[objects["closure"]])
    assert as_manager.get(url).status_code == 405
    assert Closure.objects.filter(pk=objects["closure"]).exists()


@pytest.mark.parametrize("name", [name for name, obj in PAGES if name.endswith("_list")])
def test_the_lists_cost_the_same_for_few_or_many(as_manager, back_massage, name, django_assert_max_num_queries):
    for n in range(12):
        RoomFactory(modalities=[back_massage])
        TherapistFactory(modalities=[back_massage])
        ModalityFactory()
        ClosureFactory(starts_on=MONDAY + dt.timedelta(days=n), ends_on=MONDAY + dt.timedelta(days=n), reason="x")
        Location.objects.create(name=f"Site {n}")
        ContraindicationRule.objects.create(
            flag_kind=FlagKind.OTHER, modality=ModalityFactory(), effect=RuleEffect.WARN, message="Ask."
        )
    with django_assert_max_num_queries(LIST_QUERIES):
        response = as_manager.get(reverse(name))
    assert response.status_code == 200
    assert response.content.decode().count('class="editor-row"') >= 12
