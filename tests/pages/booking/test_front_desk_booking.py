"""The booking page's next free day and compact picker, its size at 60 therapists; the
reschedule page's picker; the audit log's names."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from pages.booking.forms import slot_value
from pages.booking.views import SLOTS_PER_THERAPIST
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    ClosureFactory,
    HealthFlagFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    at,
)
from tests.scenes import shows, url_of

URL = reverse("booking:appointment_book")


def test_without_a_day_the_page_opens_on_the_next_free_day(reception, maria, massage, linden, monday):
    TherapistFactory(modalities=[massage], hours=[(monday.weekday(), "09:00", "10:00")])  # Mondays only
    response = reception.get(URL, {"patient": maria.pk, "modality": massage.pk})
    first_monday = timezone.localdate() + dt.timedelta(days=(7 - timezone.localdate().weekday()) % 7 or 7)
    if timezone.localdate().weekday() == 0 and timezone.localtime().hour < 9:
        first_monday = timezone.localdate()
    assert response.context["slot_day"] == first_monday
    shows(response, f"Free slots on {first_monday:%A} {first_monday.day} {first_monday:%B}")


def test_a_day_with_nothing_free_shows_the_next_free_day(reception, maria, massage, anna, linden, monday):
    ClosureFactory(therapist=None, starts_on=monday, ends_on=monday, reason="Public holiday")
    response = reception.get(URL, {"patient": maria.pk, "modality": massage.pk, "day": monday.isoformat()})
    tuesday = monday + dt.timedelta(days=1)
    assert response.context["slot_day"] == tuesday
    shows(response, f"Nothing free on {monday:%A} {monday.day} {monday:%B}; this is the next free day.")


def test_next_free_ignores_the_day_typed(reception, maria, massage, anna, linden, monday):
    response = reception.get(
        URL,
        {
            "patient": maria.pk,
            "modality": massage.pk,
            "day": (monday + dt.timedelta(days=3)).isoformat(),
            "next_free": "1",
        },
    )
    assert response.context["slot_day"] < monday + dt.timedelta(days=3)


def test_nothing_free_in_two_weeks_says_so(reception, maria, massage, linden, db):
    TherapistFactory(modalities=[massage], hours=[])
    shows(reception.get(URL, {"patient": maria.pk, "modality": massage.pk}), "No free slot in the next 14 days")


def test_the_picker_shows_a_few_times_per_therapist_and_a_link_to_all(
    reception, maria, massage, anna, ben, linden, maple, monday
):
    response = reception.get(URL, {"patient": maria.pk, "modality": massage.pk, "day": monday.isoformat()})
    groups = response.context["slot_groups"]
    assert [group.therapist for group in groups] == [anna, ben]
    assert all(len(group.shown) == SLOTS_PER_THERAPIST and group.more > 0 for group in groups)
    shows(
        response,
        '<fieldset class="slot-group">',
        "<legend>Anna Kuhn</legend>",
        "Sessions of 45 minutes",
        f"&amp;therapist={anna.pk}&amp;day={monday.isoformat()}",
        f"all {len(groups[0].shown) + groups[0].more} times",
    )
    only_anna = reception.get(
        URL, {"patient": maria.pk, "modality": massage.pk, "day": monday.isoformat(), "therapist": anna.pk}
    )
    assert only_anna.context["slot_groups"][0].more == 0
    assert len(only_anna.context["slot_groups"][0].shown) == len(only_anna.context["slots"])


def test_at_sixty_therapists_the_page_stays_under_60_kb(
    reception, maria, massage, monday, django_assert_max_num_queries
):
    rooms = [RoomFactory(modalities=[massage]) for _ in range(60)]
    therapists = [TherapistFactory(modalities=[massage]) for _ in range(60)]
    for i, therapist in enumerate(therapists[:30]):
        AppointmentFactory(therapist=therapist, room=rooms[i], modality=massage, starts_at=at(monday, 10))
    params = {"patient": maria.pk, "modality": massage.pk, "day": monday.isoformat()}
    reception.get(URL, params)
    with django_assert_max_num_queries(20):
        started = time.perf_counter()
        response = reception.get(URL, params)
        elapsed = time.perf_counter() - started
    size = len(response.content)
    print(f"booking page at 60 therapists: {size} bytes, {elapsed * 1000:.0f} ms (SQLite, test client)")
    assert len(response.context["slot_groups"]) == 60
    assert size < 60_000


# --- Reschedule ---------------------------------------------------------------------------------


@pytest.fixture
def session(maria, massage, anna, linden, monday):
    return AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 10))


reschedule_url = url_of("booking:appointment_reschedule")


def test_reschedule_offers_only_qualified_therapists_and_suited_rooms(
    reception, session, anna, ben, linden, monday, db
):
    unqualified = TherapistFactory(user__first_name="Carl", user__last_name="Voss", modalities=[])
    RoomFactory(name="Room Office", modalities=[])
    response = reception.get(reschedule_url(session), {"day": monday.isoformat()})
    form = response.context["form"]
    assert set(form.fields["therapist"].queryset) == {anna, ben}
    assert list(form.fields["room"].queryset) == [linden]
    assert unqualified not in set(response.context["search_form"].fields["therapist"].queryset)
    assert {group.therapist for group in response.context["slot_groups"]} == {anna, ben}
    # Its own time is not in its way: 10:00 with Anna is offered.
    assert slot_value(at(monday, 10), anna, linden) in [value for _, value in response.context["slots"]]


def test_reschedule_shows_the_warnings_box_only_with_warnings(reception, session, maria):
    assert 'name="confirm_warnings"' not in reception.get(reschedule_url(session)).content.decode()
    HealthFlagFactory(patient=maria)
    assert 'name="confirm_warnings"' in reception.get(reschedule_url(session)).content.decode()


def test_reschedule_moves_to_the_chosen_slot_and_returns_to_next(reception, session, ben, linden, monday):
    slot = slot_value(at(monday, 11, 15), ben, linden)
    response = reception.post(reschedule_url(session), {"slot": slot, "next": "/reception/review/"})
    assert response.status_code == 302 and response.url == "/reception/review/"
    session.refresh_from_db()
    assert (session.starts_at, session.therapist) == (at(monday, 11, 15), ben)


# --- Audit log: names, suggestions, dates --------------------------------------------------------


AUDIT = reverse("manager:audit_log")
SUGGEST = reverse("manager:audit_suggest")


@pytest.fixture
def as_manager(manager):
    return client_for(manager)


@pytest.fixture
def entries(maria, db):
    from django.test import RequestFactory

    from clinic.audit import audit_access

    anna = UserFactory(username="akuhn", first_name="Anna", last_name="Kuhn", role=roles.THERAPIST)
    other = PatientFactory(first_name="Otto", last_name="Brandt")
    request = RequestFactory().get("/x/")
    request.user = anna
    audit_access(request=request, patient=maria)
    request.user = UserFactory(username="bob", first_name="Bob", last_name="Stone", role=roles.THERAPIST)
    audit_access(request=request, patient=other)
    return anna


def test_the_audit_log_filters_by_the_users_name(as_manager, entries):
    entries_shown = as_manager.get(AUDIT, {"user": "anna kuhn"}).context["page"].object_list
    assert {entry.actor.username for entry in entries_shown} == {"akuhn"}


def test_the_audit_log_filters_by_the_patients_name_or_number(as_manager, entries, maria):
    by_name = as_manager.get(AUDIT, {"patient": "Lopez, Maria"}).context["page"].object_list
    assert {entry.patient_id for entry in by_name} == {maria.pk}
    by_number = as_manager.get(AUDIT, {"patient": str(maria.pk)}).context["page"].object_list
    assert {entry.patient_id for entry in by_number} == {maria.pk}


def test_a_reversed_date_range_is_a_form_error(as_manager, entries):
    response = as_manager.get(AUDIT, {"since": "2026-03-10", "until": "2026-03-01"})
    assert response.status_code == 200
    assert "The end comes before the start: swap the two dates." in response.content.decode()


def test_suggestions_name_users_and_patients(as_manager, entries, maria):
    assert as_manager.get(SUGGEST, {"user": "kuh"}).content.decode().strip() == '<option value="Anna Kuhn"></option>'
    assert '<option value="Lopez, Maria"></option>' in as_manager.get(SUGGEST, {"patient": "lop"}).content.decode()
    assert as_manager.get(SUGGEST).content.decode().strip() == ""


def test_suggestions_are_the_managers_only_and_get_only(as_manager, reception):
    assert reception.get(SUGGEST, {"user": "a"}).status_code == 403
    assert as_manager.post(SUGGEST).status_code == 405


def test_the_audit_filter_fields_suggest_names(as_manager, db):
    shows(
        as_manager.get(AUDIT), 'list="user-suggestions"', '<datalist id="patient-suggestions">', f'hx-get="{SUGGEST}"'
    )


def test_suggestions_run_a_fixed_number_of_queries(as_manager, db, django_assert_max_num_queries):
    for i in range(30):
        PatientFactory(last_name=f"Lopez{i}")
    with django_assert_max_num_queries(5):
        response = as_manager.get(SUGGEST, {"patient": "lopez"})
    assert response.content.decode().count("<option") == 10
