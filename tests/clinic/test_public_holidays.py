"""Public holidays close the clinic (the `holidays` library, CLINIC_HOLIDAYS_COUNTRY and
_SUBDIVISION), unless the manager opens on one; booking, availability, the series planner and
the day board all read them from sessions.schedule.closures_load."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic.models import Closure, ClosureKind
from clinic.public_holidays import holiday_settings_check, public_holidays
from clinic.refusals import Refused
from sessions.availability import slots_available
from sessions.booking import appointment_book
from sessions.schedule import closures_load
from tests.conftest import log_in_verified
from tests.factories import EVERY_DAY, ClosureFactory, UserFactory, local, therapist_named

BERLIN = override_settings(CLINIC_HOLIDAYS_COUNTRY="DE", CLINIC_HOLIDAYS_SUBDIVISION="BE")
# A Christmas Day on a weekday, within the two years bookings reach.
CHRISTMAS = next(
    day
    for year in range(timezone.localdate().year, timezone.localdate().year + 3)
    if (day := dt.date(year, 12, 25)) > timezone.localdate() + dt.timedelta(days=1) and day.weekday() < 5
)


@pytest.fixture
def anna_every_day(massage):
    return therapist_named("Anna Kuhn", massage, hours=EVERY_DAY)


@BERLIN
def test_the_regions_holidays_come_from_the_library():
    year = CHRISTMAS.year
    found = public_holidays(dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert found[dt.date(year, 12, 25)] == "Christmas Day"
    assert found[dt.date(year, 3, 8)] == "Women's Day"  # Berlin's own
    assert found[dt.date(year, 10, 3)] == "German Unity Day"


@override_settings(CLINIC_HOLIDAYS_COUNTRY="DE", CLINIC_HOLIDAYS_SUBDIVISION="BY")
def test_another_region_has_other_holidays():
    assert dt.date(CHRISTMAS.year, 3, 8) not in public_holidays(
        dt.date(CHRISTMAS.year, 1, 1), dt.date(CHRISTMAS.year, 12, 31)
    )
    assert dt.date(CHRISTMAS.year, 1, 6) in public_holidays(
        dt.date(CHRISTMAS.year, 1, 1), dt.date(CHRISTMAS.year, 12, 31)
    )


@override_settings(CLINIC_HOLIDAYS_COUNTRY="")
def test_no_country_no_holidays():
    assert public_holidays(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == {}


@pytest.mark.parametrize(
    "country, subdivision, problem",
    [("XX", "", "Country XX not available"), ("DE", "ZZ", "does not have subdivision ZZ")],
)
def test_a_country_or_region_the_library_lacks_fails_the_system_check(country, subdivision, problem):
    with override_settings(CLINIC_HOLIDAYS_COUNTRY=country, CLINIC_HOLIDAYS_SUBDIVISION=subdivision):
        errors = holiday_settings_check()
    assert [error.id for error in errors] == ["clinic.E001"]
    assert problem in errors[0].msg


@BERLIN
def test_a_holiday_is_a_whole_clinic_closure_unless_the_clinic_opens(db):
    closures = closures_load(starts_on=CHRISTMAS, ends_on=CHRISTMAS)
    assert [(c.starts_on, c.therapist_id, c.reason) for c in closures] == [
        (CHRISTMAS, None, "Public holiday: Christmas Day")
    ]

    Closure.objects.create(kind=ClosureKind.HOLIDAY_OPEN, starts_on=CHRISTMAS, ends_on=CHRISTMAS, reason="Open")

    assert closures_load(starts_on=CHRISTMAS, ends_on=CHRISTMAS) == []


@BERLIN
def test_booking_on_a_holiday_is_refused_and_allowed_once_the_clinic_opens(maria, anna_every_day, linden, massage):
    draft = dict(
        patient=maria,
        therapist=anna_every_day,
        room=linden,
        modality=massage,
        starts_at=local(CHRISTMAS.year, 12, 25, 10),
    )
    with pytest.raises(Refused) as refused:
        appointment_book(**draft)
    assert refused.value.reasons == ["The clinic is closed on 25 December: Public holiday: Christmas Day."]

    Closure.objects.create(kind=ClosureKind.HOLIDAY_OPEN, starts_on=CHRISTMAS, ends_on=CHRISTMAS, reason="Open")

    assert appointment_book(**draft).pk


@BERLIN
def test_availability_has_no_slot_on_a_holiday_until_the_clinic_opens(anna_every_day, linden, massage):
    def slot_days():
        slots = slots_available(modality=massage, starts_on=CHRISTMAS, ends_on=CHRISTMAS + dt.timedelta(days=2))
        return {timezone.localtime(slot.starts_at).date() for slot in slots}

    # The 26th is a holiday in Berlin too.
    assert slot_days() == {CHRISTMAS + dt.timedelta(days=2)}
    Closure.objects.create(
        kind=ClosureKind.HOLIDAY_OPEN, starts_on=CHRISTMAS, ends_on=CHRISTMAS + dt.timedelta(days=1), reason="Open"
    )
    assert slot_days() == {CHRISTMAS + dt.timedelta(days=n) for n in range(3)}


@BERLIN
def test_the_day_board_shows_the_holiday_and_a_therapists_day_off(reception, anna):
    ClosureFactory(starts_on=CHRISTMAS, therapist=anna, reason="Sick leave")

    response = reception.get(reverse("reception:day_board"), {"day": CHRISTMAS.isoformat()}, secure=True)

    content = response.content.decode()
    assert "The clinic is closed today:</strong> Public holiday: Christmas Day." in content
    assert "Off today: Anna Kuhn (Sick leave)." in content


def test_the_day_board_of_an_open_day_says_nothing_of_closures(reception):
    response = reception.get(reverse("reception:day_board"), secure=True)
    assert 'id="clinic-closed"' not in response.content.decode()


@BERLIN
def test_opening_on_a_day_with_no_holiday_is_refused(db):
    closure = Closure(
        kind=ClosureKind.HOLIDAY_OPEN,
        starts_on=CHRISTMAS - dt.timedelta(days=3),
        ends_on=CHRISTMAS - dt.timedelta(days=2),
        reason="Open",
    )
    with pytest.raises(ValidationError, match="No public holiday falls on these days."):
        closure.full_clean()


@BERLIN
def test_only_the_whole_clinic_opens_on_a_holiday(anna):
    closure = Closure(kind=ClosureKind.HOLIDAY_OPEN, starts_on=CHRISTMAS, ends_on=CHRISTMAS, reason="x", therapist=anna)
    with pytest.raises(ValidationError, match="Only the whole clinic opens on a public holiday."):
        closure.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        closure.save()


def test_a_closure_ending_before_it_starts_is_refused_by_the_model(db):
    closure = Closure(starts_on=CHRISTMAS, ends_on=CHRISTMAS - dt.timedelta(days=1), reason="x")
    with pytest.raises(ValidationError, match="The closure cannot end before it starts."):
        closure.full_clean()


@BERLIN
def test_the_admin_opens_the_clinic_on_a_holiday(client, db):
    manager = UserFactory(role="Manager", is_staff=True)
    log_in_verified(client, manager)
    response = client.post(
        reverse("admin:clinic_closure_add"),
        {
            "kind": ClosureKind.HOLIDAY_OPEN,
            "starts_on": CHRISTMAS.isoformat(),
            "ends_on": CHRISTMAS.isoformat(),
            "reason": "Open for the injured",
            "therapist": "",
        },
        secure=True,
    )
    assert response.status_code == 302
    assert closures_load(starts_on=CHRISTMAS, ends_on=CHRISTMAS) == []
