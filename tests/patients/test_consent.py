"""Consent (patients.consent): texts in versions that never change, with the SHA-256 of the exact
text; the patient's signature and each reason it is refused; what is due; and the effect on
booking through the contraindication rules (warn or block by the clinic's choice; signed current
version: nothing; a new version asks again)."""

import datetime as dt
import hashlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic import roles
from clinic.refusals import Refused, WarningsNotConfirmed
from patients.consent import (
    consent_sign,
    consent_signature_intact,
    consent_states,
    consent_topic_save,
    consent_topics_current,
    consent_version_publish,
    consents_due,
    name_matches,
    text_sha256,
)
from patients.contraindications import contraindications_by_patient, contraindications_check, patient_booking_status
from patients.models import ConsentSignature, ConsentTopic, ConsentVersion, RuleEffect, VersionFrozen, Via
from sessions.appointments import appointment_actions
from sessions.booking import appointment_book
from sessions.models import Appointment
from tests.factories import AppointmentFactory, ModalityFactory, PatientFactory, UserFactory, on_monday
from tests.scenes import consent_rule, consents_signed, refusal_of

pytestmark = pytest.mark.django_db

NO_OILS = "No consent for Use of oils signed: ask the patient to sign it in the portal or on the reception tablet " \
    "before the session."  # fmt: skip


@pytest.fixture
def karin(db):
    return UserFactory(username="karin", first_name="Karin", last_name="Albrecht", role=roles.MANAGER)


@pytest.fixture
def clara(db):
    return PatientFactory(first_name="Clara", last_name="Becker")


def topic(name: str) -> ConsentTopic:
    return ConsentTopic.objects.get(name=name)


def current(name: str) -> ConsentVersion:
    return topic(name).versions.order_by("-number").first()


def sign(patient, version, **overrides) -> ConsentSignature:
    values = {"typed_name": f"{patient.first_name} {patient.last_name}", "agreed": True, "channel": Via.PORTAL}
    return consent_sign(patient=patient, version=version, **(values | overrides))


# The clinic's texts, in versions ---------------------------------------------------------------


def test_the_clinic_starts_with_three_consents_each_with_its_fingerprint():
    pairs = consent_topics_current()
    assert [(t.name, v.number) for t, v in pairs] == [("Cupping", 1), ("Massage", 1), ("Use of oils", 1)]
    for _, version in pairs:
        assert version.text_sha256 == hashlib.sha256(version.text.encode("utf-8")).hexdigest()
    assert topic("Use of oils").oil_modalities
    assert list(topic("Cupping").modalities.values_list("name", flat=True)) == ["Vacuum (cupping) massage"]


def test_editing_a_text_saves_the_next_version_hashed_exactly(karin):
    first = current("Cupping")
    text = "Consent to cupping\r\n\r\nThe cups leave round marks.  They fade.\r\n"

    second = consent_version_publish(topic=topic("Cupping"), text=text, created_by=karin)

    assert (second.number, second.created_by) == (2, karin)
    assert second.text == "Consent to cupping\n\nThe cups leave round marks.  They fade."
    assert second.text_sha256 == hashlib.sha256(second.text.encode("utf-8")).hexdigest() == text_sha256(second.text)
    first.refresh_from_db()
    assert first.number == 1 and first.text.startswith("Consent to cupping (vacuum massage)")


@pytest.mark.parametrize(
    "text, reasons",
    [
        ("  \n ", ["Write the consent text the patient reads and signs."]),
        ("x" * 20_001, ["The text is too long: 20,000 characters at most."]),
    ],
)
def test_a_text_is_refused_in_words(karin, text, reasons):
    with pytest.raises(Refused) as refused:
        consent_version_publish(topic=topic("Cupping"), text=text, created_by=karin)
    assert refused.value.reasons == reasons
    assert topic("Cupping").versions.count() == 1


def test_the_same_text_again_is_nothing_to_save(karin):
    same = current("Massage").text.replace("\n", "\r\n") + "\n"
    with pytest.raises(Refused) as refused:
        consent_version_publish(topic=topic("Massage"), text=same, created_by=karin)
    assert refused.value.reasons == ["The text is the same as version 1: nothing to save."]


@pytest.mark.parametrize("role", [roles.THERAPIST, roles.RECEPTIONIST, roles.PATIENT])
def test_only_a_manager_edits_a_text(role):
    with pytest.raises(Refused) as refused:
        consent_version_publish(topic=topic("Massage"), text="New words.", created_by=UserFactory(role=role))
    assert refused.value.reasons == ["Only a manager edits the consent texts."]


def test_a_version_and_a_signature_never_change(clara):
    version = current("Massage")
    signature = sign(clara, version)
    version.text = "Changed."
    with pytest.raises(VersionFrozen):
        version.save()
    signature.typed_name = "Someone Else"
    with pytest.raises(VersionFrozen):
        signature.save()
    assert ConsentVersion.objects.get(pk=version.pk).text != "Changed."
    assert ConsentSignature.objects.get(pk=signature.pk).typed_name == "Clara Becker"


@pytest.mark.postgresql
def test_on_postgresql_the_database_refuses_to_change_a_signed_text(clara):
    version = current("Massage")
    sign(clara, version)
    for change in (
        lambda: ConsentVersion.objects.filter(pk=version.pk).update(text="Changed."),
        lambda: ConsentSignature.objects.filter(patient=clara).update(typed_name="Someone Else"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()


def test_the_manager_adds_a_consent_with_its_first_text_and_changes_what_it_covers(karin):
    lymph = ModalityFactory(name="Lymph drainage", uses_oils=False)
    added = consent_topic_save(
        name="  Lymph   drainage ", modalities=[lymph], oil_modalities=False, text="I agree.", saved_by=karin
    )
    assert added.name == "Lymph drainage" and list(added.modalities.all()) == [lymph]
    assert [(v.number, v.text, v.created_by) for v in added.versions.all()] == [(1, "I agree.", karin)]
    consent_topic_save(topic=added, name="Lymph drainage", modalities=[], oil_modalities=True, saved_by=karin)
    added.refresh_from_db()
    assert added.oil_modalities and not added.modalities.exists() and added.versions.count() == 1


@pytest.mark.parametrize(
    "values, reasons",
    [
        ({"name": " "}, ["Give the consent a name, such as “Massage” or “Use of oils”."]),
        ({"name": "x" * 81}, ["The name is too long: 80 characters at most."]),
        ({"name": "use of OILS"}, ["There is already a consent called “use of OILS”."]),
        (
            {"modalities": [], "oil_modalities": False},
            ["Choose the modalities the consent is for, or every modality that uses oil."],
        ),
        ({"text": " "}, ["Write the consent text the patient reads and signs."]),
    ],
)
def test_a_consent_is_refused_in_words(karin, values, reasons):
    arguments = {"name": "Hot stones", "modalities": [], "oil_modalities": True, "text": "I agree.", "saved_by": karin}
    with pytest.raises(Refused) as refused:
        consent_topic_save(**(arguments | values))
    assert refused.value.reasons == reasons
    assert ConsentTopic.objects.count() == 3


def test_only_a_manager_adds_a_consent():
    with pytest.raises(Refused) as refused:
        consent_topic_save(
            name="Hot stones", modalities=[], oil_modalities=True, text="I agree.", saved_by=UserFactory()
        )
    assert refused.value.reasons == ["Only a manager edits the consent texts."]


# Signing ---------------------------------------------------------------------------------------------


def test_a_signature_keeps_the_name_the_tick_the_time_the_version_and_the_texts_hash(clara):
    version = current("Massage")
    user = UserFactory(role=roles.PATIENT)
    before = timezone.now()

    signature = sign(clara, version, typed_name="  Clara   Becker ", signed_by=user)

    assert (signature.patient, signature.version, signature.typed_name, signature.agreed) == (
        clara,
        version,
        "Clara Becker",
        True,
    )
    assert signature.text_sha256 == hashlib.sha256(version.text.encode("utf-8")).hexdigest()
    assert signature.signed_at >= before and signature.channel == Via.PORTAL and signature.signed_by == user
    assert consent_signature_intact(signature)


@pytest.mark.parametrize("typed", ["Clara Becker", "becker, clara", "Clara Marie Becker", "CLÁRA  BECKER"])
def test_the_full_name_may_be_typed_as_people_write_it(clara, typed):
    assert name_matches(typed, clara)


@pytest.mark.parametrize("typed", ["Clara", "C. Becker", "Clara Becket", "Maria Becker"])
def test_a_name_that_is_not_the_patients_is_not_a_signature(clara, typed):
    assert not name_matches(typed, clara)


def refused_sign(patient, version, **overrides) -> list[str]:
    return refusal_of(sign, ConsentSignature, patient=patient, version=version, **overrides)


def test_without_the_tick_there_is_no_signature(clara):
    assert refused_sign(clara, current("Massage"), agreed=False) == [
        "Tick the box to say you have read the text and agree to it."
    ]


@pytest.mark.parametrize(
    "typed, reason",
    [
        (" ", "Type your full name to sign."),
        ("Clara Becker" + " x" * 100, "The name is too long: 200 characters at most."),
        ("Maria Lopez", "Type your full name as the clinic has it: your first and last name."),
    ],
)
def test_the_typed_name_is_checked(clara, typed, reason):
    assert refused_sign(clara, current("Massage"), typed_name=typed) == [reason]


def test_every_reason_at_once(clara):
    assert refused_sign(clara, current("Massage"), agreed=False, typed_name="") == [
        "Tick the box to say you have read the text and agree to it.",
        "Type your full name to sign.",
    ]


def test_a_version_replaced_while_reading_is_refused(clara, karin):
    read = current("Massage")
    consent_version_publish(topic=topic("Massage"), text="New words.", created_by=karin)
    assert refused_sign(clara, read) == [
        "The text of the consent for Massage has changed while you were reading it: please read version 2 and "
        "sign that."
    ]


def test_a_consent_no_longer_asked_is_refused(clara, karin):
    massage = topic("Massage")
    consent_topic_save(
        topic=massage, name="Massage", modalities=massage.modalities.all(), oil_modalities=False, active=False,
        saved_by=karin,
    )  # fmt: skip
    assert refused_sign(clara, current("Massage")) == ["The consent for Massage is no longer asked; nothing to sign."]


def test_a_version_is_signed_once(clara):
    sign(clara, current("Massage"))
    assert refused_sign(clara, current("Massage")) == [
        "You have already signed this version of the consent for Massage."
    ]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the trigger refuses the change itself")
def test_a_text_changed_behind_the_app_cannot_be_signed_and_shows_on_signatures(clara):
    version = current("Massage")
    signature = sign(clara, version)
    ConsentVersion.objects.filter(pk=version.pk).update(text=version.text + " And more.")
    version.refresh_from_db()
    signature.refresh_from_db()
    assert not consent_signature_intact(signature)
    other = PatientFactory(first_name="Ben", last_name="Ortiz")
    assert refused_sign(other, version) == [
        "The stored text of the consent for Massage does not match its fingerprint; it cannot be signed. Please "
        "tell reception."
    ]


# What is due -------------------------------------------------------------------------------------


def test_due_are_the_consents_the_planned_treatment_needs(clara, massage, back_massage):
    assert [s.topic.name for s in consents_due(patient=clara, modalities=None)] == ["Cupping", "Massage", "Use of oils"]
    assert [s.topic.name for s in consents_due(patient=clara, modalities=[massage])] == ["Massage", "Use of oils"]
    assert [s.topic.name for s in consents_due(patient=clara, modalities=[back_massage])] == ["Use of oils"]
    dry = ModalityFactory(name="Dry needling", uses_oils=False)
    assert consents_due(patient=clara, modalities=[dry]) == []


def test_signed_is_not_due_until_a_new_version(clara, karin, back_massage):
    sign(clara, current("Use of oils"))
    assert consents_due(patient=clara, modalities=[back_massage]) == []
    consent_version_publish(topic=topic("Use of oils"), text="New words about oils.", created_by=karin)
    [due] = consents_due(patient=clara, modalities=[back_massage])
    assert (due.current.number, due.earlier.version.number, due.signed) == (2, 1, None)
    assert due.status_text == f"Version 2 to sign (version 1 was signed on {timezone.localdate():%-d %B %Y})"


def test_states_read_in_a_fixed_number_of_queries(clara, django_assert_max_num_queries):
    consents_signed(clara)
    with django_assert_max_num_queries(3):
        states = consent_states(patient=clara)
    assert all(state.is_current for state in states)


# The effect on booking ----------------------------------------------------------------------------


@pytest.fixture
def book(maria_keller, anna_berg, blue_room, back_massage):
    def book(**overrides):
        values = {
            "patient": maria_keller,
            "therapist": anna_berg,
            "room": blue_room,
            "starts_at": on_monday(10),
            "modality": back_massage,
        }
        return appointment_book(**(values | overrides))

    return book


def test_by_default_a_booking_without_consent_warns_and_books_once_confirmed(book):
    consent_rule(RuleEffect.WARN)
    with pytest.raises(WarningsNotConfirmed) as warned:
        book()
    assert warned.value.warnings == [NO_OILS] and not Appointment.objects.exists()
    assert book(confirm_warnings=True).pk


def test_the_clinic_may_refuse_a_booking_without_consent(book):
    consent_rule(RuleEffect.BLOCK)
    with pytest.raises(Refused) as refused:
        book(confirm_warnings=True)
    assert NO_OILS in refused.value.reasons and not Appointment.objects.exists()


@pytest.mark.parametrize("effect", [RuleEffect.WARN, RuleEffect.BLOCK])
def test_the_current_version_signed_books_without_a_word(book, maria_keller, effect):
    consent_rule(effect)
    consents_signed(maria_keller)
    assert book().pk


def test_a_new_version_asks_again(book, maria_keller, karin, back_massage):
    consent_rule(RuleEffect.WARN)
    consents_signed(maria_keller)
    consent_version_publish(topic=topic("Use of oils"), text="New words about oils.", created_by=karin)

    with pytest.raises(WarningsNotConfirmed) as warned:
        book()
    assert warned.value.warnings == [
        "Consent for Use of oils: version 2 is not signed yet: ask the patient to sign it in the portal or on the "
        "reception tablet before the session."
    ]
    sign(maria_keller, current("Use of oils"))
    assert book().pk


def test_a_rule_for_one_modality_concerns_that_modality_only(maria_keller, massage, cupping, back_massage):
    consent_rule(RuleEffect.BLOCK, modality=cupping)
    at = on_monday(10)
    assert contraindications_check(patient=maria_keller, modality=back_massage, at=at).allowed
    assert contraindications_check(patient=maria_keller, modality=massage, at=at).allowed
    check = contraindications_check(patient=maria_keller, modality=cupping, at=at)
    assert check.blocks == [
        "No consent for Cupping signed: sign it first.",
        "No consent for Use of oils signed: sign it first.",
    ]


def test_a_modality_no_consent_covers_needs_none(maria_keller):
    consent_rule(RuleEffect.BLOCK)
    dry = ModalityFactory(name="Dry needling", uses_oils=False)
    assert contraindications_check(patient=maria_keller, modality=dry, at=on_monday(10)).allowed


def test_an_inactive_rule_or_consent_asks_nothing(maria_keller, back_massage, karin):
    rule = consent_rule(RuleEffect.BLOCK)
    rule.active = False
    rule.save()
    assert contraindications_check(patient=maria_keller, modality=back_massage, at=on_monday(10)).allowed
    consent_rule(RuleEffect.BLOCK)
    ConsentTopic.objects.filter(name="Use of oils").update(active=False)
    assert contraindications_check(patient=maria_keller, modality=back_massage, at=on_monday(10)).allowed


def test_a_block_rule_stops_a_booked_session_at_check_in(maria_keller, back_massage, anna_berg, blue_room):
    # Half an hour before the session, on its day: a fixed moment ahead, so the test runs whatever
    # the hour (a session "later today" does not exist just before midnight).
    now = on_monday(10)
    session = AppointmentFactory(
        patient=maria_keller,
        modality=back_massage,
        therapist=anna_berg,
        room=blue_room,
        starts_at=now + dt.timedelta(minutes=30),
    )
    assert appointment_actions(session, now=now).check_in
    consent_rule(RuleEffect.BLOCK)
    actions = appointment_actions(session, now=now)
    assert actions.why_not["check_in"] == [NO_OILS]
    consents_signed(maria_keller)
    assert appointment_actions(session, now=now).check_in


def test_the_status_box_lists_what_is_unsigned(maria_keller):
    consent_rule(RuleEffect.WARN)
    assert patient_booking_status(patient=maria_keller).warnings == [
        "No consent for Cupping signed: ask the patient to sign it in the portal or on the reception tablet before "
        "the session.",
        "No consent for Massage signed: ask the patient to sign it in the portal or on the reception tablet before "
        "the session.",
        NO_OILS,
    ]


def test_a_list_of_patients_is_checked_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    consent_rule(RuleEffect.WARN)
    patients = [PatientFactory() for _ in range(5)]
    consents_signed(patients[0])
    contraindications_by_patient(patient_ids=[], at=timezone.now())  # the rules and topics kept
    with django_assert_max_num_queries(6):
        found = contraindications_by_patient(patient_ids=[p.pk for p in patients], at=timezone.now())
    assert found[patients[0].pk].consent_hits == []
    assert len(found[patients[1].pk].consent_hits) == 3
    assert contraindications_by_patient(patient_ids=[], at=timezone.now()) == {}
