"""The waitlist: wishes for a session sooner than the calendar offers, and the freed slots
offered to them.

- A **wish** (WaitlistEntry) is recorded by reception or by the patient in the portal: a course's
  session or a modality's, a therapist or any, weekdays and times of day, until a day; reception
  may mark it urgent. Offers are accepted in the portal, so the patient needs a portal login.
- A **freed slot** (FreedSlot) is written by the services that free one, in their transaction
  (sessions.freed_slots): a cancellation, a move, a cancellation after review.
- `send_waitlist_offers` (cron, like the reminders) offers each open slot to the matching wishes
  in order: urgent first, then first come. Up to CLINIC_WAITLIST_BATCH patients hold it at once,
  for CLINIC_WAITLIST_HOLD_MINUTES, and are told through patients.notify with a signed link. A
  patient is offered a slot only if the booking service would book it for them now
  (booking_checks.booking_problems: the contraindication gate, the course's maximum, hours,
  closures, clashes). While held, the slot is busy for everyone else (sessions.schedule.Held).
- The first to **accept** books it through the booking service (sessions.booking.appointment_book);
  the slot's row is locked first, so two patients accepting at once end with one booking, and the
  other reads that someone else took it. A hold that runs out expires, and the slot passes to the
  next wish: in the command, and as soon as the expired link is opened.

Every change is a model save that django-auditlog records (settings.AUDITLOG_INCLUDE_TRACKING_MODELS);
the patient's reading of an offer is logged by the portal's page.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, gettext_lazy

from clinic.date_windows import WAITLIST_WINDOW
from clinic.events import WAITLIST_OFFER_ACCEPTED, event_announce
from clinic.models import Modality, Room, Therapist
from clinic.refusals import Refused
from patients.models import Patient
from patients.notify import notify_patient
from sessions.booking import SLOT_TAKEN, appointment_book, appointment_draft
from sessions.booking_checks import HELD_MARK, booking_problems, person_name
from sessions.models import (
    BOOKABLE_COURSE_STATUSES,
    Appointment,
    AppointmentStatus,
    Course,
    DayPart,
    FreedSlot,
    FreedSlotStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WishSource,
    WishStatus,
)
from sessions.schedule import local_date

logger = logging.getLogger(__name__)

# After its hold, a slot offered still leaves the patient this long to come in: one closer to its
# start is not offered any more.
LEAD = dt.timedelta(hours=1)

_SIGNER = signing.Signer(salt="sessions.waitlist.offer")


def hold_time() -> dt.timedelta:
    """How long an offer holds its slot (CLINIC_WAITLIST_HOLD_MINUTES, 30 by default)."""
    return dt.timedelta(minutes=settings.CLINIC_WAITLIST_HOLD_MINUTES)


def batch_size() -> int:
    """How many patients are offered one slot at once (CLINIC_WAITLIST_BATCH, 1 by default)."""
    return settings.CLINIC_WAITLIST_BATCH


# --- Wishes --------------------------------------------------------------------------------------


NEEDS_PORTAL = gettext_lazy("Offers are accepted in the patient portal: invite {patient} to the portal first.")
NOT_WAITING = gettext_lazy("This wish is no longer on the waitlist ({status}).")


def waitlist_entry_add(
    *,
    patient: Patient,
    recorded_by,
    source: str,
    until: dt.date,
    course: Course | None = None,
    modality: Modality | None = None,
    therapist: Therapist | None = None,
    weekdays: list[int] | tuple[int, ...] = (),
    day_parts: list[str] | tuple[str, ...] = (),
    urgent: bool = False,
    now: dt.datetime | None = None,
) -> WaitlistEntry:
    """Put a wish on the waitlist: a course's session (its modality) or a modality's; a therapist
    or any; the weekdays (0 = Monday) and parts of the day wanted, none meaning any; the last day.
    Only reception marks a wish urgent. Refused, with every reason, when it could never be offered."""
    now = now or timezone.now()
    if source not in WishSource.values:
        raise ValueError(f"source must be one of {WishSource.values}")
    reasons = []
    if urgent and source != WishSource.RECEPTION:
        reasons.append(gettext("Only reception marks a wish urgent."))
    user = patient.user
    if user is None or not user.is_active:
        reasons.append(NEEDS_PORTAL.format(patient=patient))
    if course is not None:
        if course.patient_id != patient.pk:
            reasons.append(gettext("The course belongs to another patient."))
        elif not course.is_bookable:
            status = course.get_status_display().lower()
            reasons.append(
                gettext("The course is %(status)s; only a planned or active course is booked.") % {"status": status}
            )
        if modality is not None and modality.pk != course.modality_id:
            reasons.append(gettext("Choose a course or a modality, not both."))
        modality = course.modality
    elif modality is None:
        reasons.append(gettext("Choose a course or a modality."))
    elif not modality.active:
        reasons.append(gettext("%(modality)s is no longer offered.") % {"modality": modality})
    if therapist is not None and modality is not None:
        if not therapist.active:
            reasons.append(gettext("%(therapist)s is no longer active.") % {"therapist": person_name(therapist)})
        elif not therapist.modalities.filter(pk=modality.pk).exists():
            reasons.append(
                gettext("%(therapist)s does not give %(modality)s.")
                % {"therapist": person_name(therapist), "modality": modality}
            )
    days = sorted({day for day in weekdays if isinstance(day, int) and 0 <= day <= 6})
    if len(days) != len(set(weekdays)):
        reasons.append(gettext("Choose weekdays from Monday to Sunday."))
    parts = [part for part in DayPart.values if part in set(day_parts)]
    if len(parts) != len(set(day_parts)):
        reasons.append(gettext("Choose mornings, afternoons or evenings."))
    if until is None or not WAITLIST_WINDOW.contains(until):
        reasons.append(WAITLIST_WINDOW.message(until))
    if modality is not None and not reasons:
        same = WaitlistEntry.objects.filter(patient=patient, status=WishStatus.WAITING, modality=modality)
        same = same.filter(course=course) if course is not None else same.filter(course__isnull=True)
        if same.exists():
            words = {"patient": patient, "modality": modality}
            if course is not None:
                sentence = gettext(
                    "%(patient)s already waits for a session of the course of %(modality)s; withdraw that wish to "
                    "change it."
                )
            else:
                sentence = gettext(
                    "%(patient)s already waits for a session of %(modality)s; withdraw that wish to change it."
                )
            reasons.append(sentence % words)
    if reasons:
        raise Refused(reasons)
    return WaitlistEntry.objects.create(
        patient=patient,
        course=course,
        modality=modality,
        therapist=therapist,
        weekdays="".join(str(day) for day in days),
        day_parts=",".join(parts),
        until=until,
        urgent=urgent,
        source=source,
        created_by=recorded_by,
        created_at=now,
    )


def waitlist_entry_withdraw(
    *, entry: WaitlistEntry, now: dt.datetime | None = None, base_url: str = ""
) -> WaitlistEntry:
    """Take a wish off the waitlist (reception, or the patient in the portal). An offer it holds
    is withdrawn and its slot passes to the next wish."""
    now = now or timezone.now()
    with transaction.atomic():
        # Slots first, then offers, then the wish: the order accepting locks them in.
        slot_ids = list(entry.offers.filter(status=OfferStatus.OFFERED).values_list("slot_id", flat=True))
        list(FreedSlot.objects.select_for_update().filter(pk__in=slot_ids).order_by("pk"))
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != WishStatus.WAITING:
            raise Refused([NOT_WAITING.format(status=entry.get_status_display().lower())])
        for offer in entry.offers.select_for_update().filter(status=OfferStatus.OFFERED):
            _offer_end(offer, OfferStatus.WITHDRAWN, now, detail="The wish was withdrawn.")
        entry.status, entry.closed_at = WishStatus.WITHDRAWN, now
        entry.save(update_fields=["status", "closed_at"])
    for slot in FreedSlot.objects.filter(pk__in=slot_ids):
        freed_slot_offer(slot=slot, now=now, base_url=base_url)
    return entry


def waitlist_entries_expire(*, now: dt.datetime | None = None) -> int:
    """Wishes whose last day has passed leave the waitlist."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        due = WaitlistEntry.objects.select_for_update().filter(
            status=WishStatus.WAITING, until__lt=timezone.localdate(now)
        )
        for entry in due:
            entry.status, entry.closed_at = WishStatus.EXPIRED, now
            entry.save(update_fields=["status", "closed_at"])
            expired += 1
    return expired


# --- Offering a freed slot -----------------------------------------------------------------------


def _offer_end(
    offer: WaitlistOffer, status: str, now: dt.datetime, *, detail: str = "", appointment: Appointment | None = None
) -> WaitlistOffer:
    offer.status, offer.ended_at = status, now
    fields = ["status", "ended_at"]
    if detail:
        offer.detail = detail[:300]
        fields.append("detail")
    if appointment is not None:
        offer.appointment = appointment
        fields.append("appointment")
    offer.save(update_fields=fields)
    return offer


def _slot_close(slot: FreedSlot, status: str, outcome: str, now: dt.datetime) -> FreedSlot:
    slot.status, slot.outcome, slot.closed_at = status, outcome[:300], now
    slot.save(update_fields=["status", "outcome", "closed_at"])
    return slot


def waitlist_offers_expire(*, now: dt.datetime | None = None, slot: FreedSlot | None = None) -> list[WaitlistOffer]:
    """Offers whose hold has run out expire (those of `slot` only, when given). Rows another
    transaction holds (a patient accepting right now) are left to it."""
    now = now or timezone.now()
    due = WaitlistOffer.objects.filter(status=OfferStatus.OFFERED, expires_at__lte=now)
    if slot is not None:
        due = due.filter(slot_id=slot.pk)
    with transaction.atomic():
        return [_offer_end(offer, OfferStatus.EXPIRED, now) for offer in due.select_for_update(skip_locked=True)]


def waitlist_queue(slot: FreedSlot) -> list[WaitlistEntry]:
    """The waiting wishes that could take `slot`, in the order they are offered it: urgent first,
    then first come. Only those whose therapist (or any), modality, days, times and last day fit,
    whose patient can log in to the portal and holds no other offer, that were not offered this
    slot before; never the patient whose session left it. Whether the booking service would take
    each is for `freed_slot_offer` to ask."""
    entries = (
        WaitlistEntry.objects.filter(
            Q(therapist__isnull=True) | Q(therapist_id=slot.therapist_id),
            status=WishStatus.WAITING,
            until__gte=local_date(slot.starts_at),
            modality__in=slot.therapist.modalities.all(),
            patient__user__is_active=True,
        )
        .exclude(patient_id=slot.appointment.patient_id)
        .exclude(pk__in=WaitlistOffer.objects.filter(slot_id=slot.pk).values("entry_id"))
        .exclude(patient_id__in=WaitlistOffer.objects.filter(status=OfferStatus.OFFERED).values("patient_id"))
        .select_related("patient", "course__modality", "modality", "therapist")
        .order_by("-urgent", "created_at", "pk")
    )
    return [entry for entry in entries if entry.wants(slot.starts_at)]


def offer_draft(entry: WaitlistEntry, slot: FreedSlot) -> Appointment | None:
    """The session `entry` would book in `slot` (the slot's therapist and time; its room, or another
    room at the same site set up for the wish's modality), if the booking service would book it
    now; None when it would refuse it on every room. Warnings (`warn` rules) do not stop it: the
    therapist reads them at check-in."""
    modality = entry.course.modality if entry.course_id else entry.modality
    rooms = [slot.room, *Room.objects.filter(active=True, modalities=modality, location_id=slot.room.location_id)
             .exclude(pk=slot.room_id).order_by("name")]  # fmt: skip
    for room in rooms:
        try:
            draft = appointment_draft(
                patient=entry.patient,
                therapist=slot.therapist,
                room=room,
                starts_at=slot.starts_at,
                course=entry.course,
                modality=None if entry.course_id else entry.modality,
            )
        except Refused:
            return None
        reasons, _ = booking_problems(draft, offered_slot_id=slot.pk)
        if not reasons:
            return draft
        if not any(str(room) in reason for reason in reasons):
            return None  # refused for the patient, the course or the therapist: no room helps
    return None


def _closing(slot: FreedSlot, now: dt.datetime) -> tuple[str, str] | None:
    """Why an open slot with no offer held is offered no more, as (status, outcome); None if it is
    still to be offered."""
    taken = (
        Appointment.objects.filter(
            therapist_id=slot.therapist_id, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .exists()
    )
    if taken:
        return FreedSlotStatus.TAKEN, "Booked otherwise before it was offered (at the desk, or a move)."
    if slot.starts_at < now + hold_time() + LEAD:
        offered = slot.offers.exists()
        return FreedSlotStatus.LAPSED, (
            "Too close to its start: nobody took it in time." if offered else "Too close to its start to offer."
        )
    return None


def freed_slot_offer(*, slot: FreedSlot, now: dt.datetime | None = None, base_url: str = "") -> list[WaitlistOffer]:
    """Offer `slot` to the next wishes in the queue until CLINIC_WAITLIST_BATCH patients hold it;
    returns the offers made. Safe to call again at any time (the command, an expired link, a
    declined offer): the slot's row is locked, so two calls at once offer it once; a slot already
    held by a full batch, or closed, is left alone. An open slot nobody can take stays open for
    wishes still to come, until it is too close to its start. `base_url`: the site's address for
    the link, when CLINIC_BASE_URL is not set (a page passes the request's)."""
    now = now or timezone.now()
    made: list[WaitlistOffer] = []
    with transaction.atomic():
        slot = (
            FreedSlot.objects.select_for_update(of=("self",))
            .select_related("therapist__user", "room", "appointment")
            .get(pk=slot.pk)
        )
        if slot.status != FreedSlotStatus.OPEN:
            return []
        # Every hold that ran out, not only this slot's: a patient whose hold on another slot
        # ran out may be offered this one.
        waitlist_offers_expire(now=now)
        live = slot.offers.filter(status=OfferStatus.OFFERED).count()
        if live >= batch_size():
            return []
        if live == 0 and (closing := _closing(slot, now)):
            _slot_close(slot, *closing, now)
            return []
        for entry in waitlist_queue(slot):
            if live + len(made) >= batch_size():
                break
            draft = offer_draft(entry, slot)
            if draft is not None and (offer := _offer_make(entry, slot, draft, now, base_url)) is not None:
                made.append(offer)
    return made


UNREACHABLE = "The patient could not be reached (no address to send to)."
# What an offer takes from the session the booking service drafted (offer_draft): the slot's
# therapist, the room set up for the wish, the time.
OFFERED_AS_DRAFTED = ("therapist", "room", "starts_at", "ends_at")


def _offer_make(
    entry: WaitlistEntry, slot: FreedSlot, draft: Appointment, now: dt.datetime, base_url: str = ""
) -> WaitlistOffer | None:
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                slot=slot,
                entry=entry,
                patient=entry.patient,
                offered_at=now,
                expires_at=now + hold_time(),
                **{field: getattr(draft, field) for field in OFFERED_AS_DRAFTED},
            )
    except IntegrityError:
        return None  # another run offered this patient something at this very moment
    # The message is the patient's, in their language (not the language of whoever freed the slot).
    with translation.override(entry.patient.language):
        subject, text = offer_subject(offer), offer_text(offer, base_url=base_url)
    channel = notify_patient(entry.patient, subject=subject, text=text)
    if not channel:
        _offer_end(offer, OfferStatus.WITHDRAWN, now, detail=UNREACHABLE)
        return None
    offer.channel = channel
    offer.save(update_fields=["channel"])
    return offer


def offer_subject(offer: WaitlistOffer) -> str:
    start = timezone.localtime(offer.starts_at)
    return gettext("A session is free for you: %(day)s at %(time)s") % {
        "day": date_format(start, gettext("D j M")),
        "time": time_format(start, "H:i"),
    }


def offer_text(offer: WaitlistOffer, *, base_url: str = "") -> str:
    context = {
        "offer": offer,
        "modality": offer.entry.course.modality if offer.entry.course_id else offer.entry.modality,
        "therapist": person_name(offer.therapist),
        "url": offer_url(offer, base_url=base_url),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    return render_to_string("emails/waitlist_offer.txt", context)


def offer_token(offer: WaitlistOffer) -> str:
    """The offer's key in its link: signed with the secret key, so it cannot be guessed or made up."""
    return _SIGNER.sign(str(offer.pk))


def offer_from_token(token: str) -> WaitlistOffer | None:
    try:
        pk = int(_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return (
        WaitlistOffer.objects.select_related(
            "slot", "entry__course__modality", "entry__modality", "therapist__user", "room"
        )
        .filter(pk=pk)
        .first()
    )


def offer_url(offer: WaitlistOffer, *, base_url: str = "") -> str:
    """The link in the message: CLINIC_BASE_URL (else `base_url`) and the portal's page of the offer."""
    site = settings.CLINIC_BASE_URL or base_url.rstrip("/")
    return f"{site}{reverse('portal:waitlist_offer', args=[offer_token(offer)])}"


# --- The patient's answer ------------------------------------------------------------------------

TAKEN_BY_SOMEONE_ELSE = gettext_lazy("Someone else took this slot first. You stay on the waitlist for the next one.")


def offer_state_message(offer: WaitlistOffer) -> str:
    """What the offer's page says of an offer that can no longer be accepted."""
    until = time_format(timezone.localtime(offer.expires_at), "H:i")
    phone = {"phone": settings.CLINIC_PHONE}
    return {
        OfferStatus.ACCEPTED: gettext("You accepted this offer: the session is booked."),
        OfferStatus.EXPIRED: gettext(
            "This offer has expired: the slot was held for you until %(until)s and has passed to the next patient on "
            "the waitlist. You stay on the waitlist."
        )
        % {"until": until},
        OfferStatus.DECLINED: gettext(
            "You declined this offer; the slot has passed to the next patient on the waitlist."
        ),
        OfferStatus.TAKEN: str(TAKEN_BY_SOMEONE_ELSE),
        OfferStatus.REFUSED: gettext(
            "This slot can no longer be booked for you online. Please call the clinic on %(phone)s."
        )
        % phone,
        OfferStatus.WITHDRAWN: gettext(
            "The clinic has withdrawn this offer. Please call the clinic on %(phone)s if you have a question."
        )
        % phone,
    }.get(offer.status, "")


def _locked(slot_id: int, offer_id: int) -> tuple[FreedSlot, WaitlistOffer]:
    """The slot's row, then the offer's: the one order every answer locks them in."""
    slot = FreedSlot.objects.select_for_update().get(pk=slot_id)
    offer = WaitlistOffer.objects.select_for_update(of=("self",)).select_related("entry", "patient").get(pk=offer_id)
    return slot, offer


def waitlist_offer_open(*, offer: WaitlistOffer, now: dt.datetime | None = None, base_url: str = "") -> WaitlistOffer:
    """The link was opened: an offer whose hold has run out expires now, and its slot passes to
    the next wish at once. Returns the offer as it stands."""
    now = now or timezone.now()
    if offer.status == OfferStatus.OFFERED and offer.expires_at <= now:
        with transaction.atomic():
            slot, locked = _locked(offer.slot_id, offer.pk)
            if locked.status == OfferStatus.OFFERED and locked.expires_at <= now:
                _offer_end(locked, OfferStatus.EXPIRED, now)
        freed_slot_offer(slot=slot, now=now, base_url=base_url)
        offer.refresh_from_db()
    return offer


def waitlist_offer_accept(
    *, offer: WaitlistOffer, accepted_by, now: dt.datetime | None = None, base_url: str = ""
) -> WaitlistOffer:
    """Book the offered session for the patient through the booking service (the gate, the
    course's maximum, hours, clashes: everything a booking checks). The slot's row is locked
    first, so of two patients accepting one slot at once the first books it and the other's offer
    is "taken by someone else". Accepting again an accepted offer changes nothing.

    Raises Refused with offer_state_message() when the offer can no longer be accepted (expired,
    declined, taken, withdrawn) or the booking service refuses it now (then it is "refused", and
    the slot passes to the next wish); the offer's new state is saved either way."""
    now = now or timezone.now()
    pass_on = False
    with transaction.atomic():
        slot, offer = _locked(offer.slot_id, offer.pk)
        if offer.status == OfferStatus.OFFERED and offer.expires_at <= now:
            _offer_end(offer, OfferStatus.EXPIRED, now)
            pass_on = True
        elif offer.status == OfferStatus.OFFERED and slot.status != FreedSlotStatus.OPEN:
            _offer_end(offer, OfferStatus.TAKEN, now)
        elif offer.status == OfferStatus.OFFERED:
            pass_on = not _accept(offer, slot, accepted_by, now)
    if pass_on:
        freed_slot_offer(slot=slot, now=now, base_url=base_url)
    if offer.status != OfferStatus.ACCEPTED:
        raise Refused([offer_state_message(offer)])
    return offer


def _accept(offer: WaitlistOffer, slot: FreedSlot, accepted_by, now: dt.datetime) -> bool:
    """Book it, or record why not; True when booked, or when the slot is gone for everyone."""
    entry = offer.entry
    try:
        # Untranslated, whoever accepts: the reasons of a refusal are stored (the offer's detail)
        # and read here (_slot_gone) in the source language.
        with translation.override(None), transaction.atomic():
            # A batch's other offers end first, so that their holds are not in the booking's way.
            for other in slot.offers.select_for_update().filter(status=OfferStatus.OFFERED).exclude(pk=offer.pk):
                _offer_end(other, OfferStatus.TAKEN, now)
            appointment = appointment_book(
                patient=offer.patient,
                therapist=offer.therapist,
                room=offer.room,
                starts_at=offer.starts_at,
                course=entry.course,
                modality=None if entry.course_id else entry.modality,
                booked_by=accepted_by,
                # `warn` rules are read by the therapist at check-in; the offer was checked for them.
                confirm_warnings=True,
            )
    except Refused as error:
        taken = _slot_gone(offer, error.reasons)
        _offer_end(offer, OfferStatus.TAKEN if taken else OfferStatus.REFUSED, now, detail=" ".join(error.reasons))
        if taken:
            _slot_close(slot, FreedSlotStatus.TAKEN, "Booked otherwise before it was accepted.", now)
        return taken
    _offer_end(offer, OfferStatus.ACCEPTED, now, appointment=appointment)
    entry.status, entry.appointment, entry.closed_at = WishStatus.BOOKED, appointment, now
    entry.save(update_fields=["status", "appointment", "closed_at"])
    _slot_close(slot, FreedSlotStatus.FILLED, f"Booked for {offer.patient} from the waitlist.", now)
    event_announce(WAITLIST_OFFER_ACCEPTED, offer=offer)
    return True


def _slot_gone(offer: WaitlistOffer, reasons: list[str]) -> bool:
    """Whether the booking was refused because the therapist's or the room's time is taken (not
    because of the patient): then the slot is gone for everyone."""
    therapist, room = person_name(offer.therapist), str(offer.room)
    return any(
        reason == SLOT_TAKEN
        or reason.startswith((f"{therapist} is already booked", f"{room} is already booked"))
        or HELD_MARK in reason
        for reason in reasons
    )


def waitlist_offer_decline(
    *, offer: WaitlistOffer, now: dt.datetime | None = None, base_url: str = ""
) -> WaitlistOffer:
    """The patient does not want this slot: it passes to the next wish at once. The wish stays on
    the waitlist. Declining again changes nothing; an offer no longer open is refused with its
    state."""
    now = now or timezone.now()
    with transaction.atomic():
        slot, offer = _locked(offer.slot_id, offer.pk)
        if offer.status == OfferStatus.OFFERED and offer.expires_at <= now:
            _offer_end(offer, OfferStatus.EXPIRED, now)
        elif offer.status == OfferStatus.OFFERED:
            _offer_end(offer, OfferStatus.DECLINED, now)
    freed_slot_offer(slot=slot, now=now, base_url=base_url)
    if offer.status != OfferStatus.DECLINED:
        raise Refused([offer_state_message(offer)])
    return offer


# --- Reception -----------------------------------------------------------------------------------


def freed_slot_release(*, slot: FreedSlot, now: dt.datetime | None = None) -> FreedSlot:
    """Reception takes a slot off the waitlist (to book it at the desk): its held offers are
    withdrawn and it is offered no more."""
    now = now or timezone.now()
    with transaction.atomic():
        slot = FreedSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.status != FreedSlotStatus.OPEN:
            status = slot.get_status_display().lower()
            raise Refused([gettext("This slot is no longer on offer: %(status)s.") % {"status": status}])
        for offer in slot.offers.select_for_update().filter(status=OfferStatus.OFFERED):
            _offer_end(offer, OfferStatus.WITHDRAWN, now, detail="Reception released the slot.")
        return _slot_close(slot, FreedSlotStatus.RELEASED, "Released by reception.", now)


@dataclass
class WaitlistRun:
    """What one run of send_waitlist_offers did."""

    offers: int = 0
    expired_offers: int = 0
    expired_wishes: int = 0
    closed_slots: int = 0


def waitlist_offers_send(*, now: dt.datetime | None = None, base_url: str = "") -> WaitlistRun:
    """The cron job (`manage.py send_waitlist_offers`): wishes past their last day leave the
    waitlist, holds that ran out expire, and every open slot is offered to the next wishes. Safe
    to run as often as wanted, even two copies at once: a slot held by its batch is left alone."""
    now = now or timezone.now()
    run = WaitlistRun(expired_wishes=waitlist_entries_expire(now=now))
    run.expired_offers = len(waitlist_offers_expire(now=now))
    for slot in FreedSlot.objects.filter(status=FreedSlotStatus.OPEN).order_by("starts_at", "pk"):
        run.offers += len(freed_slot_offer(slot=slot, now=now, base_url=base_url))
        if FreedSlot.objects.filter(pk=slot.pk).exclude(status=FreedSlotStatus.OPEN).exists():
            run.closed_slots += 1
    return run


# --- What the pages show -------------------------------------------------------------------------


def waitlist_waiting() -> QuerySet[WaitlistEntry]:
    """The wishes on the waitlist, in the order they are offered slots."""
    return (
        WaitlistEntry.objects.filter(status=WishStatus.WAITING)
        .select_related("patient", "course__modality", "modality", "therapist__user", "created_by")
        .annotate(offer_count=Count("offers"))
        .order_by("-urgent", "created_at", "pk")
    )


def waitlist_closed(*, limit: int = 20) -> list[WaitlistEntry]:
    """The wishes that left the waitlist last: booked, withdrawn, expired."""
    return list(
        WaitlistEntry.objects.exclude(status=WishStatus.WAITING)
        .select_related("patient", "course__modality", "modality", "therapist__user", "appointment")
        .order_by("-closed_at", "-pk")[:limit]
    )


def freed_slots_recent(*, now: dt.datetime | None = None, days: int = 14) -> list[FreedSlot]:
    """The open slots, and those closed in the last `days` days, each with its offers (`offer_list`)."""
    now = now or timezone.now()
    slots = list(
        FreedSlot.objects.filter(Q(status=FreedSlotStatus.OPEN) | Q(closed_at__gte=now - dt.timedelta(days=days)))
        .select_related("therapist__user", "room", "modality", "appointment__patient")
        .order_by("starts_at", "pk")
    )
    slots.sort(key=lambda slot: (slot.status != FreedSlotStatus.OPEN, slot.starts_at, slot.pk))
    offers = WaitlistOffer.objects.filter(slot__in=slots).select_related("patient", "room").order_by("offered_at", "pk")
    by_slot: dict[int, list[WaitlistOffer]] = {}
    for offer in offers:
        offer.live = offer.is_live(now)
        by_slot.setdefault(offer.slot_id, []).append(offer)
    for slot in slots:
        slot.offer_list = by_slot.get(slot.pk, [])
    return slots


def offers_expiring(*, now: dt.datetime | None = None) -> QuerySet[WaitlistOffer]:
    """Offers still held, the first to expire first (the manager's home)."""
    now = now or timezone.now()
    return (
        WaitlistOffer.objects.held(now)
        .select_related("patient", "therapist__user", "room")
        .order_by("expires_at", "pk")
    )


def patient_waitlist(*, patient: Patient, now: dt.datetime | None = None) -> dict:
    """The portal's waitlist page: the patient's wishes (waiting first, then the last closed) and
    the offers they hold now, each with its link (`token`)."""
    now = now or timezone.now()
    entries = list(
        WaitlistEntry.objects.filter(patient=patient)
        .select_related("course__modality", "modality", "therapist__user")
        .order_by("status", "-created_at")
    )
    waiting = [entry for entry in entries if entry.status == WishStatus.WAITING]
    closed = [entry for entry in entries if entry.status != WishStatus.WAITING][:10]
    return {"waiting": waiting, "closed": closed, "offers": patient_offers_open(patient=patient, now=now)}


def patient_offers_open(*, patient: Patient, now: dt.datetime | None = None) -> list[WaitlistOffer]:
    """The offers the patient holds now, each with its link's `token` (the portal's home and waitlist).
    Most patients hold none: a bare look first, and the offers with what they show (four joins,
    three times the look's cost to the ORM, on every portal home) only when there are some."""
    now = now or timezone.now()
    held = WaitlistOffer.objects.held(now).filter(patient=patient)
    if not held.exists():
        return []
    offers = list(held.select_related("entry__modality", "therapist__user", "room").order_by("expires_at"))
    for offer in offers:
        offer.token = offer_token(offer)
    return offers


def patient_courses_for_waitlist(*, patient: Patient) -> QuerySet[Course]:
    """The patient's courses a wish may be for: planned or active."""
    return (
        Course.objects.filter(patient=patient, status__in=list(BOOKABLE_COURSE_STATUSES))
        .select_related("modality")
        .order_by("-starts_on", "pk")
    )
