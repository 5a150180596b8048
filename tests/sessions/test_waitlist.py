"""The waitlist (sessions.waitlist): the slots freed by the services, the wishes and why one is
refused, the order freed slots are offered in, the hold and its expiry, passing to the next, the
gate, accepting, declining, withdrawing, releasing, and the cron command."""

import datetime as dt
import re
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from clinic import roles
from clinic.messaging import sms_outbox
from clinic.refusals import Refused
from patients.models import ContactChannel, FlagKind, Phase, RuleEffect
from sessions.appointments import (
    appointment_cancel,
    appointment_patient_cancel,
    appointment_review_cancel,
    appointments_review_cancel,
)
from sessions.availability import slots_available
from sessions.booking import appointment_book, appointment_draft, appointment_reschedule
from sessions.booking_checks import HELD_MARK, booking_problems
from sessions.models import (
    Appointment,
    AppointmentStatus,
    CourseStatus,
    FreedCause,
    FreedSlot,
    FreedSlotStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WishSource,
    WishStatus,
)
from sessions.waitlist import (
    LEAD,
    NEEDS_PORTAL,
    TAKEN_BY_SOMEONE_ELSE,
    freed_slot_offer,
    freed_slot_release,
    offer_from_token,
    offer_state_message,
    offer_token,
    waitlist_entries_expire,
    waitlist_entry_add,
    waitlist_entry_withdraw,
    waitlist_offer_accept,
    waitlist_offer_decline,
    waitlist_offer_open,
    waitlist_offers_send,
    waitlist_queue,
)
from tests.factories import (
    MONDAY,
    AppointmentFactory,
    ContraindicationRuleFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    ModalityFactory,
    PatientFactory,
    PhaseRecordFactory,
    RoomFactory,
    UserFactory,
    on_monday,
    therapist_named,
)
from tests.scenes import freed_slot, portal_patient, wish

HOLD = dt.timedelta(minutes=30)
LATER = HOLD + dt.timedelta(minutes=1)  # just past a hold


def run_out() -> None:
    """Every offer's hold has run out a moment ago."""
    now = timezone.now()
    WaitlistOffer.objects.update(offered_at=now - HOLD, expires_at=now - dt.timedelta(seconds=1))


def waiting(name: str, **fields):
    """A patient with a portal login, called `name`."""
    return portal_patient(email=f"{name.lower()}@example.org", first_name=name, last_name="Waiting", **fields)


@pytest.fixture
def desk(db):
    return UserFactory(username="desk", role=roles.RECEPTIONIST)


@pytest.fixture
def slot(back_massage, blue_room, anna_berg):
    """Anna Berg's Monday 10:00–10:45 in the blue room, freed by a cancellation."""
    return freed_slot(anna_berg, blue_room, back_massage, on_monday(10))


def offered(slot) -> list[str]:
    """The first names of the patients holding an offer of `slot` now."""
    live = slot.offers.filter(status=OfferStatus.OFFERED).order_by("pk")
    return [offer.patient.first_name for offer in live]


def send(now=None):
    return waitlist_offers_send(now=now)


def link_in(message) -> str:
    return re.search(r"/portal/waitlist/offers/(\S+)/", message.body).group(1)


# --- The freed slots: recorded by the services that free them, in their transaction ----------------


def test_a_cancellation_frees_the_slot(back_massage, blue_room, anna_berg):
    appointment = AppointmentFactory(therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(9))

    appointment_cancel(appointment=appointment, reason="Ill")

    freed = FreedSlot.objects.get()
    assert (freed.therapist, freed.room, freed.starts_at, freed.ends_at) == (
        anna_berg,
        blue_room,
        appointment.starts_at,
        appointment.ends_at,
    )
    assert (freed.cause, freed.status, freed.appointment) == (FreedCause.CANCELLED, FreedSlotStatus.OPEN, appointment)


def test_a_patient_cancelling_online_frees_the_slot(back_massage, anna_berg, blue_room):
    patient = portal_patient()
    appointment = AppointmentFactory(patient=patient, therapist=anna_berg, room=blue_room, starts_at=on_monday(9))

    appointment_patient_cancel(appointment=appointment)

    assert FreedSlot.objects.get().cause == FreedCause.CANCELLED


def test_a_cancellation_after_review_frees_the_slot_as_such(anna_berg, blue_room):
    flagged = {"needs_review": True, "review_reason": "Review: acute."}
    one = AppointmentFactory(therapist=anna_berg, room=blue_room, starts_at=on_monday(9), **flagged)
    patient = PatientFactory()
    two = AppointmentFactory(patient=patient, therapist=anna_berg, room=blue_room, starts_at=on_monday(11), **flagged)
    three = AppointmentFactory(patient=patient, therapist=anna_berg, room=blue_room, starts_at=on_monday(13), **flagged)

    appointment_review_cancel(appointment=one, reason="Acute")
    appointments_review_cancel(patient=patient, reason="Acute")

    freed = FreedSlot.objects.order_by("starts_at")
    assert [slot.appointment for slot in freed] == [one, two, three]
    assert {slot.cause for slot in freed} == {FreedCause.REVIEW_CANCELLED}


def test_a_move_frees_the_time_it_leaves(back_massage, blue_room, anna_berg, maria_keller):
    appointment = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(9)
    )

    appointment_reschedule(appointment=appointment, starts_at=on_monday(14))

    freed = FreedSlot.objects.get()
    assert (freed.cause, freed.starts_at, freed.therapist) == (FreedCause.MOVED, on_monday(9), anna_berg)


def test_a_move_to_another_room_at_the_same_time_frees_nothing(back_massage, blue_room, anna_berg, maria_keller):
    appointment = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(9)
    )

    appointment_reschedule(appointment=appointment, starts_at=on_monday(9), room=RoomFactory(modalities=[back_massage]))

    assert not FreedSlot.objects.exists()


def test_a_refused_move_frees_nothing(back_massage, blue_room, anna_berg, maria_keller):
    appointment = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(9)
    )

    with pytest.raises(Refused):
        appointment_reschedule(appointment=appointment, starts_at=on_monday(20))  # after hours

    assert not FreedSlot.objects.exists()


def test_a_session_already_started_frees_nothing(anna_berg, blue_room):
    started = AppointmentFactory(
        therapist=anna_berg,
        room=blue_room,
        starts_at=timezone.now() - dt.timedelta(minutes=10),
        status=AppointmentStatus.CHECKED_IN,
    )

    appointment_cancel(appointment=started, reason="Felt unwell")

    assert not FreedSlot.objects.exists()


def test_the_same_slot_freed_twice_while_open_is_recorded_once(back_massage, anna_berg, blue_room):
    first = freed_slot(anna_berg, blue_room, back_massage, on_monday(10))
    again = AppointmentFactory(therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10))
    appointment_cancel(appointment=again, reason="Ill as well")

    assert list(FreedSlot.objects.all()) == [first]


# --- Wishes, and every reason one is refused ----------------------------------------------------


def test_reception_records_a_wish(back_massage, anna_berg, desk):
    patient = waiting("Nora")

    entry = waitlist_entry_add(
        patient=patient,
        recorded_by=desk,
        source=WishSource.RECEPTION,
        modality=back_massage,
        therapist=anna_berg,
        weekdays=[4, 0, 0],
        day_parts=["evening", "morning"],
        until=MONDAY + dt.timedelta(days=10),
        urgent=True,
    )

    assert (entry.weekdays, entry.day_parts, entry.urgent, entry.status) == ("04", "morning,evening", True, "waiting")
    assert (entry.weekdays_display, entry.day_parts_display) == ("Mon, Fri", "Mornings, evenings")
    assert entry.created_by == desk


def test_a_wish_for_a_course_takes_the_course_modality(back_massage):
    patient = waiting("Nora")
    course = CourseFactory(patient=patient, modality=back_massage)

    entry = wish(patient, course=course, source=WishSource.PORTAL, recorded_by=patient.user)

    assert (entry.course, entry.modality, entry.source) == (course, back_massage, WishSource.PORTAL)


def refusal(**fields) -> list[str]:
    """The reasons a wish is refused; nothing is saved."""
    before = WaitlistEntry.objects.count()
    with pytest.raises(Refused) as excinfo:
        wish(**fields)
    assert WaitlistEntry.objects.count() == before
    return excinfo.value.reasons


def test_refused_without_a_portal_login(back_massage):
    patient = PatientFactory(first_name="Otto", last_name="Offline")

    assert refusal(patient=patient, modality=back_massage) == [NEEDS_PORTAL.format(patient=patient)]


def test_refused_with_a_deactivated_portal_login(back_massage):
    patient = waiting("Nora")
    patient.user.is_active = False
    patient.user.save()

    assert refusal(patient=patient, modality=back_massage) == [NEEDS_PORTAL.format(patient=patient)]


def test_refused_without_course_or_modality(db):
    assert refusal(patient=waiting("Nora")) == ["Choose a course or a modality."]


def test_refused_for_another_patients_course(back_massage):
    course = CourseFactory(modality=back_massage)

    assert refusal(patient=waiting("Nora"), course=course) == ["The course belongs to another patient."]


@pytest.mark.parametrize("status", [CourseStatus.SUSPENDED, CourseStatus.COMPLETED, CourseStatus.CANCELLED])
def test_refused_for_a_course_that_does_not_book(back_massage, status):
    patient = waiting("Nora")
    course = CourseFactory(patient=patient, modality=back_massage, status=status)

    [reason] = refusal(patient=patient, course=course)

    assert reason == f"The course is {status.label.lower()}; only a planned or active course is booked."


def test_refused_for_a_course_and_another_modality(back_massage):
    patient = waiting("Nora")
    course = CourseFactory(patient=patient, modality=back_massage)

    assert refusal(patient=patient, course=course, modality=ModalityFactory()) == [
        "Choose a course or a modality, not both."
    ]


def test_refused_for_a_modality_no_longer_offered(db):
    gone = ModalityFactory(name="Hot stones", active=False)

    assert refusal(patient=waiting("Nora"), modality=gone) == ["Hot stones is no longer offered."]


def test_refused_for_a_therapist_who_left(back_massage, anna_berg):
    anna_berg.active = False
    anna_berg.save()

    assert refusal(patient=waiting("Nora"), modality=back_massage, therapist=anna_berg) == [
        "Anna Berg is no longer active."
    ]


def test_refused_for_a_therapist_who_does_not_give_it(back_massage):
    other = therapist_named("Ben Ortiz", ModalityFactory())

    assert refusal(patient=waiting("Nora"), modality=back_massage, therapist=other) == [
        "Ben Ortiz does not give Classic back massage."
    ]


def test_refused_for_days_and_times_that_do_not_exist(back_massage):
    reasons = refusal(patient=waiting("Nora"), modality=back_massage, weekdays=[7], day_parts=["night"])

    assert reasons == ["Choose weekdays from Monday to Sunday.", "Choose mornings, afternoons or evenings."]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "The last day of a wish is today or later."),
        (366, "A wish lasts a year at most"),
    ],
)
def test_refused_for_a_last_day_outside_the_window(back_massage, days, message):
    [reason] = refusal(
        patient=waiting("Nora"), modality=back_massage, until=timezone.localdate() + dt.timedelta(days=days)
    )

    assert reason.startswith(message)


def test_refused_twice_for_the_same(back_massage):
    patient = waiting("Nora")
    first = wish(patient, modality=back_massage)

    with pytest.raises(Refused) as excinfo:
        wish(patient, modality=back_massage)

    assert excinfo.value.reasons == [
        f"{patient} already waits for a session of Classic back massage; withdraw that wish to change it."
    ]
    assert list(WaitlistEntry.objects.all()) == [first]


def test_only_reception_marks_a_wish_urgent(back_massage):
    patient = waiting("Nora")

    assert refusal(patient=patient, modality=back_massage, urgent=True, source=WishSource.PORTAL) == [
        "Only reception marks a wish urgent."
    ]


# --- Which wishes fit a slot, and in which order -------------------------------------------------


def test_urgent_first_then_first_come(slot, back_massage):
    now = timezone.now()
    first = wish(waiting("First"), modality=back_massage, now=now - dt.timedelta(hours=3))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Urgent"), modality=back_massage, urgent=True, now=now - dt.timedelta(hours=1))

    assert [entry.patient.first_name for entry in waitlist_queue(slot)] == ["Urgent", "First", "Second"]

    send(now)
    assert offered(slot) == ["Urgent"]
    send(now + LATER)
    assert offered(slot) == ["First"]
    send(now + 2 * LATER)
    assert offered(slot) == ["Second"]
    send(now + 3 * LATER)
    assert offered(slot) == []
    assert slot.offers.filter(status=OfferStatus.EXPIRED).count() == 3
    assert first.offers.get().status == OfferStatus.EXPIRED


@pytest.mark.parametrize(
    "fields",
    [
        {"weekdays": [1, 2]},  # Tuesday and Wednesday; the slot is a Monday
        {"day_parts": ["afternoon", "evening"]},  # the slot is at 10:00
        {"until": MONDAY - dt.timedelta(days=1)},
    ],
    ids=["other-days", "other-times", "ends-before"],
)
def test_a_wish_for_other_days_times_or_an_earlier_end_is_not_offered_it(slot, back_massage, fields):
    wish(waiting("Nora"), modality=back_massage, **fields)

    assert waitlist_queue(slot) == []


def test_a_wish_for_the_days_and_times_of_the_slot_is_offered_it(slot, back_massage):
    wish(waiting("Nora"), modality=back_massage, weekdays=[0], day_parts=["morning"], until=MONDAY)

    assert [entry.patient.first_name for entry in waitlist_queue(slot)] == ["Nora"]


def test_a_wish_for_another_therapist_or_a_modality_she_does_not_give_is_not_offered_it(slot, back_massage):
    ben = therapist_named("Ben Ortiz", back_massage)
    wish(waiting("Nora"), modality=back_massage, therapist=ben)
    wish(waiting("Olga"), modality=ModalityFactory(name="Cupping"))

    assert waitlist_queue(slot) == []


def test_the_patient_whose_session_left_the_slot_is_not_offered_it(back_massage, blue_room, anna_berg):
    leaving = waiting("Lea")
    wish(leaving, modality=back_massage)

    slot = freed_slot(anna_berg, blue_room, back_massage, on_monday(10), leaving=leaving)

    assert waitlist_queue(slot) == []


def test_a_patient_whose_login_was_deactivated_is_passed_over(slot, back_massage):
    nora = waiting("Nora")
    wish(nora, modality=back_massage)
    wish(waiting("Olga"), modality=back_massage)
    nora.user.is_active = False
    nora.user.save()

    send()

    assert offered(slot) == ["Olga"]


# --- The gate: nobody is offered what the booking service would refuse them -------------------


def test_a_patient_in_an_acute_phase_is_passed_over(slot, back_massage):
    acute = waiting("Acute")
    wish(acute, modality=back_massage)
    wish(waiting("Well"), modality=back_massage)
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=acute), phase=Phase.ACUTE)

    send()

    assert offered(slot) == ["Well"]
    assert not acute.waitlist_offers.exists()


def test_a_patient_a_block_rule_stops_is_passed_over(slot, back_massage):
    flagged = waiting("Flagged")
    wish(flagged, modality=back_massage)
    wish(waiting("Well"), modality=back_massage)
    HealthFlagFactory(patient=flagged, kind=FlagKind.SKIN_CONDITION, active_from=timezone.localdate())
    ContraindicationRuleFactory(flag_kind=FlagKind.SKIN_CONDITION, modality=back_massage, effect=RuleEffect.BLOCK)

    send()

    assert offered(slot) == ["Well"]


def test_a_warn_rule_does_not_stop_an_offer(slot, back_massage):
    flagged = waiting("Flagged")
    wish(flagged, modality=back_massage)
    HealthFlagFactory(patient=flagged, kind=FlagKind.HYPERTENSION, active_from=timezone.localdate())
    ContraindicationRuleFactory(flag_kind=FlagKind.HYPERTENSION, modality=back_massage, effect=RuleEffect.WARN)

    send()
    offer = WaitlistOffer.objects.get()
    waitlist_offer_accept(offer=offer, accepted_by=flagged.user)

    assert Appointment.objects.get(status=AppointmentStatus.BOOKED).patient == flagged


def test_a_course_with_all_its_sessions_booked_is_passed_over(slot, back_massage, anna_berg, blue_room):
    full = waiting("Full")
    course = CourseFactory(patient=full, modality=back_massage, min_sessions=1, max_sessions=1)
    AppointmentFactory(patient=full, course=course, modality=back_massage, starts_at=on_monday(15))
    wish(full, course=course)
    wish(waiting("Well"), modality=back_massage)

    send()

    assert offered(slot) == ["Well"]


def test_a_patient_booked_elsewhere_at_that_time_is_passed_over(slot, back_massage):
    busy = waiting("Busy")
    wish(busy, modality=back_massage)
    AppointmentFactory(patient=busy, starts_at=on_monday(10))

    send()

    assert offered(slot) == []
    assert slot.offers.count() == 0


def test_another_room_at_the_site_is_offered_when_the_slots_room_is_not_set_up(slot, back_massage):
    cupping = ModalityFactory(name="Cupping")
    slot.therapist.modalities.add(cupping)
    cupping_room = RoomFactory(name="Green room", modalities=[cupping])
    wish(waiting("Nora"), modality=cupping)

    send()

    offer = WaitlistOffer.objects.get()
    assert (offer.room, offer.starts_at) == (cupping_room, slot.starts_at)


# --- The hold, and its expiry ---------------------------------------------------------------------


def test_an_offer_holds_the_slot_against_other_bookings(slot, back_massage, blue_room, anna_berg):
    wish(waiting("Nora"), modality=back_massage)
    send()
    desk_patient = PatientFactory()
    draft = appointment_draft(
        patient=desk_patient, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )

    reasons, _ = booking_problems(draft)

    offer = WaitlistOffer.objects.get()
    until = timezone.localtime(offer.expires_at).strftime("%H:%M")
    assert reasons == [
        f"{draft.starts_at:%a} {on_monday(10).day} {on_monday(10):%b} 10:00–10:45 {HELD_MARK} until {until}; "
        "reception can release it on the Waitlist page."
    ]
    with pytest.raises(Refused):
        appointment_book(
            patient=desk_patient, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
        )
    free = slots_available(modality=back_massage, starts_on=MONDAY, ends_on=MONDAY)
    assert on_monday(10) not in [free_slot.starts_at for free_slot in free]
    assert on_monday(11) in [free_slot.starts_at for free_slot in free]


def test_the_hold_does_not_stand_in_the_way_of_the_patient_it_is_offered_to(slot, back_massage, blue_room, anna_berg):
    nora = waiting("Nora")
    wish(nora, modality=back_massage)
    send()
    draft = appointment_draft(
        patient=nora, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )

    assert booking_problems(draft) == ([], [])


def test_a_hold_that_ran_out_frees_the_slot_for_the_desk(slot, back_massage, blue_room, anna_berg):
    wish(waiting("Nora"), modality=back_massage)
    send()
    run_out()

    appointment_book(
        patient=PatientFactory(), therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )

    send()
    slot.refresh_from_db()
    assert slot.status == FreedSlotStatus.TAKEN
    assert slot.outcome == "Booked otherwise before it was offered (at the desk, or a move)."
    assert WaitlistOffer.objects.get().status == OfferStatus.EXPIRED


def test_the_offer_is_held_for_the_set_time(slot, back_massage):
    wish(waiting("Nora"), modality=back_massage)
    now = timezone.now()

    with override_settings(CLINIC_WAITLIST_HOLD_MINUTES=45):
        send(now)

    offer = WaitlistOffer.objects.get()
    assert offer.expires_at - offer.offered_at == dt.timedelta(minutes=45)
    assert offer.is_live(now + dt.timedelta(minutes=44)) and not offer.is_live(now + dt.timedelta(minutes=45))


def test_an_expired_hold_passes_to_the_next_in_the_command(slot, back_massage):
    now = timezone.now()
    wish(waiting("First"), modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=1))
    send(now)

    run = send(now + HOLD - dt.timedelta(seconds=1))
    assert (run.offers, run.expired_offers, offered(slot)) == (0, 0, ["First"])

    run = send(now + LATER)
    assert (run.offers, run.expired_offers, offered(slot)) == (1, 1, ["Second"])
    assert [message.to for message in mail.outbox] == [["first@example.org"], ["second@example.org"]]


def test_opening_an_expired_link_passes_the_slot_to_the_next_at_once(slot, back_massage):
    now = timezone.now()
    wish(waiting("First"), modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=1))
    send(now)
    first = WaitlistOffer.objects.get()

    opened = waitlist_offer_open(offer=first, now=now + LATER)

    assert opened.status == OfferStatus.EXPIRED
    assert offered(slot) == ["Second"]
    assert offer_state_message(opened).startswith("This offer has expired")


def test_opening_a_live_link_changes_nothing(slot, back_massage):
    wish(waiting("Nora"), modality=back_massage)
    send()
    offer = WaitlistOffer.objects.get()

    assert waitlist_offer_open(offer=offer).status == OfferStatus.OFFERED
    assert WaitlistOffer.objects.count() == 1


def test_a_slot_too_close_to_its_start_is_not_offered(back_massage, blue_room, anna_berg):
    now = timezone.now()
    soon = (now + HOLD + LEAD - dt.timedelta(minutes=1)).replace(microsecond=0)
    slot = freed_slot(anna_berg, blue_room, back_massage, soon)
    wish(waiting("Nora"), modality=back_massage)

    run = send(now)

    slot.refresh_from_db()
    assert (run.offers, run.closed_slots) == (0, 1)
    assert (slot.status, slot.outcome) == (FreedSlotStatus.LAPSED, "Too close to its start to offer.")


def test_a_slot_nobody_fits_stays_open_for_wishes_still_to_come(slot, back_massage):
    send()
    slot.refresh_from_db()
    assert slot.status == FreedSlotStatus.OPEN

    wish(waiting("Nora"), modality=back_massage)
    send()

    assert offered(slot) == ["Nora"]


# --- A small batch at a time --------------------------------------------------------------------


@override_settings(CLINIC_WAITLIST_BATCH=2)
def test_a_batch_is_offered_the_slot_at_once_and_the_first_to_accept_books_it(slot, back_massage):
    now = timezone.now()
    for hours, name in enumerate(["Third", "Second", "First"]):
        wish(waiting(name), modality=back_massage, now=now - dt.timedelta(hours=hours + 1))

    send(now)
    assert offered(slot) == ["First", "Second"]

    second = slot.offers.get(patient__first_name="Second")
    waitlist_offer_accept(offer=second, accepted_by=second.patient.user)

    first = slot.offers.get(patient__first_name="First")
    assert first.status == OfferStatus.TAKEN
    assert offer_state_message(first) == TAKEN_BY_SOMEONE_ELSE
    with pytest.raises(Refused) as excinfo:
        waitlist_offer_accept(offer=first, accepted_by=first.patient.user)
    assert excinfo.value.reasons == [TAKEN_BY_SOMEONE_ELSE]
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).get().patient.first_name == "Second"


@override_settings(CLINIC_WAITLIST_BATCH=2)
def test_a_batch_is_topped_up_when_one_declines(slot, back_massage):
    now = timezone.now()
    for hours, name in enumerate(["Third", "Second", "First"]):
        wish(waiting(name), modality=back_massage, now=now - dt.timedelta(hours=hours + 1))
    send(now)

    waitlist_offer_decline(offer=slot.offers.get(patient__first_name="First"), now=now)

    assert offered(slot) == ["Second", "Third"]


# --- Accepting ----------------------------------------------------------------------------------


def test_accepting_books_through_the_booking_service(slot, back_massage, anna_berg, blue_room):
    nora = waiting("Nora")
    course = CourseFactory(patient=nora, modality=back_massage)
    entry = wish(nora, course=course)
    send()
    offer = WaitlistOffer.objects.get()

    accepted = waitlist_offer_accept(offer=offer, accepted_by=nora.user)

    appointment = accepted.appointment
    assert accepted.status == OfferStatus.ACCEPTED
    assert (appointment.patient, appointment.course, appointment.therapist, appointment.room) == (
        nora,
        course,
        anna_berg,
        blue_room,
    )
    assert (appointment.starts_at, appointment.booked_by, appointment.status) == (
        on_monday(10),
        nora.user,
        AppointmentStatus.BOOKED,
    )
    entry.refresh_from_db()
    slot.refresh_from_db()
    assert (entry.status, entry.appointment) == (WishStatus.BOOKED, appointment)
    assert slot.status == FreedSlotStatus.FILLED
    assert slot.outcome == f"Booked for {nora} from the waitlist."


def test_accepting_twice_books_once(slot, back_massage):
    nora = waiting("Nora")
    wish(nora, modality=back_massage)
    send()
    offer = WaitlistOffer.objects.get()

    waitlist_offer_accept(offer=offer, accepted_by=nora.user)
    again = waitlist_offer_accept(offer=offer, accepted_by=nora.user)

    assert again.status == OfferStatus.ACCEPTED
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1


def test_accepting_after_the_hold_is_refused_and_passes_the_slot_on(slot, back_massage):
    now = timezone.now()
    wish(waiting("First"), modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=1))
    send(now)
    first = WaitlistOffer.objects.get()

    with pytest.raises(Refused) as excinfo:
        waitlist_offer_accept(offer=first, accepted_by=first.patient.user, now=now + LATER)

    until = timezone.localtime(first.expires_at).strftime("%H:%M")
    assert excinfo.value.reasons == [
        f"This offer has expired: the slot was held for you until {until} and has passed to the next patient on "
        "the waitlist. You stay on the waitlist."
    ]
    first.refresh_from_db()
    assert first.status == OfferStatus.EXPIRED
    assert offered(slot) == ["Second"]
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()


def test_accepting_when_the_gate_closed_since_the_offer_is_refused_and_passes_on(slot, back_massage):
    now = timezone.now()
    first = waiting("First")
    wish(first, modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=1))
    send(now)
    offer = WaitlistOffer.objects.get()
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=first), phase=Phase.ACUTE)

    with pytest.raises(Refused) as excinfo:
        waitlist_offer_accept(offer=offer, accepted_by=first.user, now=now)

    assert excinfo.value.reasons == [
        "This slot can no longer be booked for you online. Please call the clinic on +49 30 1234 5678."
    ]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.REFUSED
    assert "acute" in offer.detail.lower()
    assert offered(slot) == ["Second"]
    assert first.waitlist_entries.get().status == WishStatus.WAITING


def test_accepting_a_slot_booked_otherwise_meanwhile_is_taken(slot, back_massage, anna_berg):
    nora = waiting("Nora")
    wish(nora, modality=back_massage)
    wish(waiting("Olga"), modality=back_massage)
    send()
    offer = WaitlistOffer.objects.get()
    # Written straight to the table, past the hold, as a race would.
    AppointmentFactory(therapist=anna_berg, modality=back_massage, starts_at=on_monday(10))

    with pytest.raises(Refused) as excinfo:
        waitlist_offer_accept(offer=offer, accepted_by=nora.user)

    assert excinfo.value.reasons == [TAKEN_BY_SOMEONE_ELSE]
    slot.refresh_from_db()
    assert (slot.status, offer_state_message(WaitlistOffer.objects.get())) == (
        FreedSlotStatus.TAKEN,
        TAKEN_BY_SOMEONE_ELSE,
    )
    assert WaitlistOffer.objects.count() == 1  # the slot is gone: nobody else is offered it


# --- Declining, withdrawing, releasing -----------------------------------------------------------


def test_declining_passes_the_slot_to_the_next_at_once_and_keeps_the_wish(slot, back_massage):
    now = timezone.now()
    first = waiting("First")
    entry = wish(first, modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=1))
    send(now)
    offer = WaitlistOffer.objects.get()

    declined = waitlist_offer_decline(offer=offer, now=now)

    assert declined.status == OfferStatus.DECLINED
    assert offered(slot) == ["Second"]
    entry.refresh_from_db()
    assert entry.status == WishStatus.WAITING
    assert waitlist_offer_decline(offer=offer).status == OfferStatus.DECLINED  # again: nothing changes
    with pytest.raises(Refused) as excinfo:
        waitlist_offer_accept(offer=offer, accepted_by=first.user)
    assert excinfo.value.reasons == [
        "You declined this offer; the slot has passed to the next patient on the waitlist."
    ]


def test_declining_an_offer_that_expired_is_refused(slot, back_massage):
    now = timezone.now()
    wish(waiting("Nora"), modality=back_massage)
    send(now)
    offer = WaitlistOffer.objects.get()

    with pytest.raises(Refused) as excinfo:
        waitlist_offer_decline(offer=offer, now=now + LATER)

    assert excinfo.value.reasons[0].startswith("This offer has expired")


def test_withdrawing_a_wish_withdraws_its_offer_and_passes_the_slot_on(slot, back_massage):
    now = timezone.now()
    entry = wish(waiting("First"), modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(waiting("Second"), modality=back_massage, now=now - dt.timedelta(hours=1))
    send(now)

    waitlist_entry_withdraw(entry=entry, now=now)

    entry.refresh_from_db()
    assert entry.status == WishStatus.WITHDRAWN
    offer = entry.offers.get()
    assert (offer.status, offer.detail) == (OfferStatus.WITHDRAWN, "The wish was withdrawn.")
    assert offered(slot) == ["Second"]
    with pytest.raises(Refused) as excinfo:
        waitlist_entry_withdraw(entry=entry)
    assert excinfo.value.reasons == ["This wish is no longer on the waitlist (withdrawn)."]


def test_releasing_a_slot_withdraws_its_offers_and_offers_it_no_more(slot, back_massage, blue_room, anna_berg):
    wish(waiting("First"), modality=back_massage)
    wish(waiting("Second"), modality=back_massage)
    send()

    freed_slot_release(slot=slot)

    slot.refresh_from_db()
    assert slot.status == FreedSlotStatus.RELEASED
    assert WaitlistOffer.objects.get().status == OfferStatus.WITHDRAWN
    send()
    assert WaitlistOffer.objects.count() == 1
    appointment_book(  # the desk books it at once
        patient=PatientFactory(), therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )
    with pytest.raises(Refused) as excinfo:
        freed_slot_release(slot=slot)
    assert excinfo.value.reasons == ["This slot is no longer on offer: released by reception."]


def test_a_patient_who_cannot_be_reached_is_passed_over(slot, back_massage):
    unreachable = waiting("Mute")
    wish(unreachable, modality=back_massage)
    unreachable.email = unreachable.phone = ""
    unreachable.save()
    wish(waiting("Well"), modality=back_massage)

    send()

    assert offered(slot) == ["Well"]
    offer = unreachable.waitlist_offers.get()
    assert (offer.status, offer.channel) == (OfferStatus.WITHDRAWN, "")
    assert offer.detail == "The patient could not be reached (no address to send to)."


def test_a_patient_who_chose_text_messages_is_offered_the_slot_by_sms(slot, back_massage):
    texted = waiting("Texted", phone="+49305550199", contact_channel=ContactChannel.SMS)
    wish(texted, modality=back_massage)

    send()

    offer = texted.waitlist_offers.get()
    assert (offer.status, offer.channel) == (OfferStatus.OFFERED, "sms")
    assert [m.to for m in sms_outbox] == ["+49305550199"]
    assert f"/portal/waitlist/offers/{offer_token(offer)}/" in sms_outbox[0].text


def test_wishes_past_their_last_day_leave_the_waitlist(back_massage):
    entry = wish(waiting("Nora"), modality=back_massage, until=timezone.localdate())
    tomorrow = timezone.now() + dt.timedelta(days=1)

    assert waitlist_entries_expire() == 0
    assert waitlist_entries_expire(now=tomorrow) == 1

    entry.refresh_from_db()
    assert entry.status == WishStatus.EXPIRED


# --- The message and its link --------------------------------------------------------------------


def test_the_offer_is_sent_with_a_signed_link(slot, back_massage, settings):
    settings.CLINIC_BASE_URL = "https://clinic.example.org"
    wish(waiting("Nora"), modality=back_massage)

    send()

    [message] = mail.outbox
    offer = WaitlistOffer.objects.get()
    assert message.to == ["nora@example.org"]
    assert message.subject.startswith("A session is free for you: Mon")
    assert "Classic back massage with Anna Berg" in message.body
    assert f"held for you until {timezone.localtime(offer.expires_at):%H:%M}" in message.body
    assert f"https://clinic.example.org/portal/waitlist/offers/{offer_token(offer)}/" in message.body
    assert offer.channel == "email"
    token = link_in(message)
    assert offer_from_token(token) == offer
    assert offer_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert offer_from_token(f"{offer.pk}") is None


# --- The cron command ----------------------------------------------------------------------------


def run_command() -> str:
    out = StringIO()
    call_command("send_waitlist_offers", stdout=out)
    return out.getvalue()


def test_the_command_is_idempotent(slot, back_massage):
    wish(waiting("Nora"), modality=back_massage)
    wish(waiting("Olga"), modality=back_massage)

    assert run_command() == "1 offer sent.\n"
    assert run_command() == ""
    assert run_command() == ""

    assert WaitlistOffer.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_command_reports_what_it_did(slot, back_massage):
    wish(waiting("Nora"), modality=back_massage)
    freed_slot_offer(slot=slot)
    run_out()
    wish(waiting("Olga"), modality=back_massage, until=timezone.localdate())
    WaitlistEntry.objects.filter(patient__first_name="Olga").update(until=timezone.localdate() - dt.timedelta(days=1))

    assert run_command() == "1 hold expired.\n1 wish expired.\n"


def test_the_command_offers_a_slot_freed_by_each_service(back_massage, blue_room, anna_berg, maria_keller):
    wish(waiting("Nora"), modality=back_massage)
    appointment = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(9)
    )
    appointment_reschedule(appointment=appointment, starts_at=on_monday(15))

    assert run_command() == "1 offer sent.\n"
    assert WaitlistOffer.objects.get().starts_at == on_monday(9)


# --- The audit log -------------------------------------------------------------------------------


def test_every_change_is_in_the_audit_log(slot, back_massage):
    nora = waiting("Nora")
    entry = wish(nora, modality=back_massage)
    send()
    offer = WaitlistOffer.objects.get()
    waitlist_offer_accept(offer=offer, accepted_by=nora.user)

    def logged(obj) -> list:
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).order_by("pk")
        return [(entry.action, entry.changes_dict.get("status", [None, None])[1]) for entry in entries]

    assert logged(entry) == [(LogEntry.Action.CREATE, "waiting"), (LogEntry.Action.UPDATE, "booked")]
    assert logged(offer)[0][0] == LogEntry.Action.CREATE
    assert logged(offer)[-1] == (LogEntry.Action.UPDATE, "accepted")
    assert logged(slot)[-1] == (LogEntry.Action.UPDATE, "filled")
    assert LogEntry.objects.filter(additional_data__patient_id=nora.pk).count() >= 4
