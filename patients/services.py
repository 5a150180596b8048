"""Writes to the clinical record, and the contraindication check every booking path runs."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, gettext_lazy, override

from clinic import roles
from clinic.languages import language_supported, user_language_set
from clinic.models import Modality
from clinic.refusals import Refused
from patients.models import (
    BreakGlassAccess,
    BreakGlassReview,
    ContactChannel,
    ContraindicationRule,
    Diagnosis,
    FlagKind,
    HealthFlag,
    Patient,
    PhaseRecord,
    RuleCondition,
    RuleEffect,
    Study,
)
from patients.notify import contact_channel_problem


@transaction.atomic
def phase_record_create(
    *,
    diagnosis: Diagnosis,
    phase: str,
    recorded_by: AbstractBaseUser,
    effective_from: dt.datetime | None = None,
    note: str = "",
) -> PhaseRecord:
    """Record a phase. Saving an acute record flags the patient's future appointments for review
    in this same transaction (see sessions.receivers), whichever path saved it."""
    record = PhaseRecord(
        diagnosis=diagnosis,
        phase=phase,
        recorded_by=recorded_by,
        effective_from=effective_from or timezone.now(),
        note=note,
    )
    record.full_clean()
    record.save()
    return record


# What reception enters and may change on a patient; the portal login and timestamps are not among them.
PATIENT_EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "email",
        "consent_on",
        "assigned_therapist",
        "contact_channel",
        "self_booking",
        "language",
    }
)

INACTIVE_THERAPIST = gettext_lazy("{therapist} no longer works at the clinic; assign a therapist who does.")


def _editable(action: str, fields: dict) -> dict:
    unknown = set(fields) - PATIENT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"{action}() cannot set {', '.join(sorted(unknown))}")
    return fields


def _assigned_therapist_check(patient: Patient) -> None:
    """A patient is assigned (or referred) to a therapist who still works here; keeping one who
    has left since is no change and is allowed."""
    therapist = patient.assigned_therapist
    if therapist is None or therapist.active:
        return
    if patient.pk is not None and Patient.objects.filter(pk=patient.pk, assigned_therapist=therapist).exists():
        return
    raise ValidationError({"assigned_therapist": [INACTIVE_THERAPIST.format(therapist=therapist)]})


def patient_create(**fields) -> Patient:
    """Register a patient from PATIENT_EDITABLE_FIELDS (names and date of birth required), with the
    therapist who takes them on if reception knows her already. The form has already warned
    about a namesake born on the same day."""
    patient = Patient(**_editable("patient_create", fields))
    _assigned_therapist_check(patient)
    if "contact_channel" in fields:
        _contact_channel_check(patient)
    patient.full_clean()
    patient.save()
    return patient


def patient_update(*, patient: Patient, **fields) -> Patient:
    """Change the patient's details, or refer them to another therapist (assigned_therapist)."""
    for name, value in _editable("patient_update", fields).items():
        setattr(patient, name, value)
    _assigned_therapist_check(patient)
    if "contact_channel" in fields:
        _contact_channel_check(patient)
    patient.full_clean()
    # Only the named fields, so a concurrent change to anything else (the portal login) survives.
    patient.save(update_fields=[*fields, "updated_at"])
    return patient


def _contact_channel_check(patient: Patient) -> None:
    problem = contact_channel_problem(channel=patient.contact_channel, phone=patient.phone, email=patient.email)
    if problem:
        raise ValidationError({"contact_channel": [problem]})


def patient_contact_channel_set(*, patient: Patient, channel: str) -> Patient:
    """The patient chooses how the clinic reaches them (in the portal): a channel they have an
    address for."""
    if channel not in ContactChannel.values:
        raise Refused([gettext("Choose e-mail or text message (SMS).")])
    problem = contact_channel_problem(channel=channel, phone=patient.phone, email=patient.email)
    if problem:
        raise Refused([problem])
    patient.contact_channel = channel
    patient.save(update_fields=["contact_channel", "updated_at"])
    return patient


def patient_language_set(*, patient: Patient, language: str) -> Patient:
    """The patient chooses their language (in the portal): the portal's, and that of the
    clinic's messages to them."""
    chosen = language_supported(language)
    if chosen is None:
        raise Refused([gettext("Choose one of the languages offered.")])
    if patient.user_id:
        user_language_set(user=patient.user, language=chosen)
    patient.language = chosen
    patient.save(update_fields=["language", "updated_at"])
    return patient


def user_language_choose(*, user: AbstractBaseUser, language: str) -> str:
    """A logged-in user chooses the interface's language: saved on their profile, and for a
    patient also as the language of the clinic's messages to them. The language saved."""
    patient = Patient.objects.filter(user=user).first() if roles.has_role(user, roles.PATIENT) else None
    if patient is not None:
        return patient_language_set(patient=patient, language=language).language
    return user_language_set(user=user, language=language)


def patient_self_booking_set(*, patient: Patient, allowed: bool) -> Patient:
    """Allow or stop the patient's own booking in the portal (sessions.self_booking); the chart's
    switch for the treating therapist, beside reception's patient form. Logged as a change of the
    patient (django-auditlog)."""
    patient.self_booking = allowed
    patient.save(update_fields=["self_booking", "updated_at"])
    return patient


@transaction.atomic
def patient_portal_invite(*, patient: Patient, invited_by: AbstractBaseUser, base_url: str) -> AbstractBaseUser:
    """Create the patient's portal login (username = e-mail, group Patient) and e-mail a link to
    choose a password.

    The login has no usable password until the patient follows the link, which is a Django
    password-reset token: it works once and expires after PASSWORD_RESET_TIMEOUT. The e-mail is
    sent inside the transaction, so if it cannot be sent no login is left behind.
    """
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    email = patient.email.strip()
    _portal_invite_refusal(patient, email)
    User = get_user_model()
    user = User(username=email, email=email, first_name=patient.first_name, last_name=patient.last_name)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent invite took the address after our check
        raise Refused(_address_taken(email)) from error
    user.groups.add(Group.objects.get_or_create(name=roles.PATIENT)[0])
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    _portal_invite_send(patient=patient, user=user, base_url=base_url, invited_by=invited_by)
    return user


def patient_calendar_token_ensure(*, patient: Patient) -> str:
    """The secret of the patient's calendar subscription URL, created on first use. Two
    requests at once agree on one token: only the first UPDATE finds it still empty."""
    if not patient.calendar_token:
        Patient.objects.filter(pk=patient.pk, calendar_token__isnull=True).update(
            calendar_token=secrets.token_urlsafe(32)
        )
        patient.calendar_token = Patient.objects.values_list("calendar_token", flat=True).get(pk=patient.pk)
    return patient.calendar_token


def patient_calendar_token_renew(*, patient: Patient) -> str:
    """Replace the calendar secret, say after the URL was shared by mistake: the old URL stops working."""
    patient.calendar_token = secrets.token_urlsafe(32)
    Patient.objects.filter(pk=patient.pk).update(calendar_token=patient.calendar_token, updated_at=timezone.now())
    return patient.calendar_token


def _address_taken(email: str) -> str:
    return gettext("Another login already uses %(email)s. Each patient needs an e-mail address of their own.") % {
        "email": email
    }


def _portal_invite_refusal(patient: Patient, email: str) -> None:
    if patient.user_id is not None:
        raise Refused(gettext("%(patient)s already has a portal login.") % {"patient": patient})
    if not email:
        raise Refused(
            gettext("%(patient)s has no e-mail address. Add one to the contact details first.") % {"patient": patient}
        )
    User = get_user_model()
    if len(email) > User._meta.get_field("username").max_length:
        raise Refused(gettext("The e-mail address of %(patient)s is too long to log in with.") % {"patient": patient})
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise Refused(_address_taken(email))


def _portal_invite_send(*, patient: Patient, user, base_url: str, invited_by: AbstractBaseUser) -> None:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    context = {
        "patient": patient,
        "email": user.email,
        "link": base_url.rstrip("/") + path,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "invited_by": invited_by,
    }
    # In the patient's language, whoever sends the invitation.
    with override(patient.language):
        subject = gettext("Your %(clinic)s patient portal") % {"clinic": settings.CLINIC_NAME}
        body = render_to_string("emails/portal_invite_email.txt", context)
    send_mail(subject, body, None, [user.email])


def _validate(instance, errors: dict[str, list[str]]) -> None:
    """full_clean() plus the checks it cannot make, reported together and by field. A field that
    already failed is left out of full_clean, so its database constraint does not repeat the
    message in less friendly words."""
    try:
        instance.full_clean(exclude=list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _not_after_today(errors: dict[str, list[str]], name: str, day: dt.date | None, message: str) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(name, []).append(message)


def diagnosis_create(
    *,
    patient: Patient,
    icd10_code: str,
    title: str,
    cause: str,
    side: str,
    diagnosed_on: dt.date,
    diagnosed_by: str,
    recorded_by: AbstractBaseUser | None = None,
) -> Diagnosis:
    """Record a doctor's diagnosis, stamped with who entered it (`recorded_by`: a therapist who
    records a patient's diagnosis treats the patient). Raises ValidationError by field for bad data."""
    diagnosis = Diagnosis(
        recorded_by=recorded_by,
        patient=patient,
        icd10_code=icd10_code.strip().upper(),
        title=" ".join(title.split()),
        cause=cause,
        side=side,
        diagnosed_on=diagnosed_on,
        diagnosed_by=" ".join(diagnosed_by.split()),
    )
    errors: dict[str, list[str]] = {}
    _not_after_today(errors, "diagnosed_on", diagnosed_on, gettext("A diagnosis cannot be dated in the future."))
    _validate(diagnosis, errors)
    diagnosis.save()
    return diagnosis


def study_create(*, diagnosis: Diagnosis, kind: str, performed_on: dt.date, findings: str) -> Study:
    """Record a study (lab tests, X-ray, MRI, CT) behind a diagnosis."""
    study = Study(diagnosis=diagnosis, kind=kind, performed_on=performed_on, findings=findings.strip())
    errors: dict[str, list[str]] = {}
    _not_after_today(errors, "performed_on", performed_on, gettext("A study cannot be dated in the future."))
    _validate(study, errors)
    study.save()
    return study


def health_flag_create(
    *,
    patient: Patient,
    kind: str,
    substance: str,
    active_from: dt.date,
    active_to: dt.date | None,
    note: str,
    recorded_by: AbstractBaseUser,
) -> HealthFlag:
    """Record an allergy, a pregnancy, high blood pressure and the like; the contraindication
    rules turn it into warnings or refusals for the modalities it concerns."""
    flag = HealthFlag(
        patient=patient,
        kind=kind,
        substance=" ".join(substance.split()),
        active_from=active_from,
        active_to=active_to,
        note=note.strip(),
        recorded_by=recorded_by,
    )
    errors: dict[str, list[str]] = {}
    if kind == FlagKind.OIL_ALLERGY and not flag.substance:
        errors["substance"] = [gettext("Name the oil the patient is allergic to, so the therapist can avoid it.")]
    if active_from and active_to and active_to < active_from:
        errors["active_to"] = [gettext("The flag cannot end before it starts.")]
    _validate(flag, errors)
    flag.save()
    return flag


@transaction.atomic
def health_flag_end(*, flag: HealthFlag, on: dt.date) -> HealthFlag:
    """The flag stops applying after `on` (pregnancy over, blood pressure under control)."""
    flag = HealthFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.active_to is not None and flag.active_to <= on:
        ended = date_format(flag.active_to, gettext("j F Y"))
        raise ValidationError({"on": gettext("This flag already ended on %(day)s.") % {"day": ended}})
    if on < flag.active_from:
        started = date_format(flag.active_from, gettext("j F Y"))
        raise ValidationError({"on": gettext("The flag cannot end before it started, on %(day)s.") % {"day": started}})
    flag.active_to = on
    flag.full_clean()
    flag.save(update_fields=["active_to"])
    return flag


BREAK_GLASS_MIN_REASON = 10


def break_glass_open(
    *,
    user: AbstractBaseUser,
    patient: Patient,
    reason: str,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> BreakGlassAccess:
    """Open `patient`'s chart to a therapist who does not treat them, in an emergency, for
    CLINIC_BREAK_GLASS_HOURS. The reason is required and kept; the manager reviews every access.
    Receptionists and patients never get one."""
    if not roles.has_role(user, roles.THERAPIST):
        raise ValidationError(gettext("Only a therapist can open a patient's chart in an emergency."))
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        message = gettext("Say why you need this chart now, in at least %(count)s characters.")
        raise ValidationError({"reason": [message % {"count": BREAK_GLASS_MIN_REASON}]})
    now = now or timezone.now()
    access = BreakGlassAccess(
        user=user,
        patient=patient,
        reason=reason,
        address=address,
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.CLINIC_BREAK_GLASS_HOURS),
    )
    access.full_clean()
    access.save()
    return access


BREAK_GLASS_MIN_COMMENT = 5


@transaction.atomic
def break_glass_review(*, access: BreakGlassAccess, reviewed_by: AbstractBaseUser, comment: str) -> BreakGlassReview:
    """The manager marks an emergency access reviewed, with a comment (what they checked, whom
    they spoke to). Written to a review row of its own, never onto the append-only access; the
    audit log records it (settings.AUDITLOG_INCLUDE_TRACKING_MODELS). Refused for anyone but a
    manager, without a comment, or when the access was reviewed already."""
    reasons = []
    if not roles.has_role(reviewed_by, roles.MANAGER):
        reasons.append(gettext("Only a manager reviews emergency accesses."))
    comment = comment.strip()
    if len(comment) < BREAK_GLASS_MIN_COMMENT:
        reasons.append(
            gettext("Write a comment of at least %(count)s characters: what you checked.")
            % {"count": BREAK_GLASS_MIN_COMMENT}
        )
    # Locks the access row against a second manager reviewing it at the same moment.
    access = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
    if BreakGlassReview.objects.filter(access=access).exists():
        reasons.append(gettext("This emergency access has been reviewed already."))
    if reasons:
        raise Refused(reasons)
    return BreakGlassReview.objects.create(access=access, reviewed_by=reviewed_by, comment=comment)


# Contraindication rules -------------------------------------------------------------------------


def _rule_problems(
    *,
    rule: ContraindicationRule | None,
    condition: str,
    flag_kind: str,
    modality: Modality | None,
    oil_modalities_only: bool,
    effect: str,
    message: str,
) -> list[str]:
    problems = []
    if condition not in RuleCondition.values:
        problems.append(gettext("Choose what the rule looks for: a health flag, or no current consent."))
    elif condition == RuleCondition.HEALTH_FLAG and flag_kind not in FlagKind.values:
        problems.append(gettext("Choose the health flag the rule is about."))
    elif condition == RuleCondition.NO_CONSENT and flag_kind:
        problems.append(gettext("A rule about consent names no health flag: leave the flag empty."))
    if effect not in RuleEffect.values:
        problems.append(gettext("Choose whether the rule blocks the booking or warns."))
    if not message.strip():
        problems.append(gettext("Write the message the receptionist and therapist read when the rule applies."))
    elif len(message) > 300:
        problems.append(gettext("The message is too long: 300 characters at most."))
    if modality is not None and oil_modalities_only and not modality.uses_oils:
        problems.append(
            gettext("%(modality)s uses no oil, so a rule for oil-using modalities only would never apply to it.")
            % {"modality": modality}
        )
    if problems:
        return problems
    same = ContraindicationRule.objects.filter(condition=condition, flag_kind=flag_kind, effect=effect).exclude(
        pk=rule.pk if rule else None
    )
    same = (
        same.filter(modality=modality)
        if modality is not None
        else same.filter(modality__isnull=True, oil_modalities_only=oil_modalities_only)
    )
    if same.exists():
        if modality is not None:
            scope = modality
        elif oil_modalities_only:
            # Translators: completes "There is already a rule that warns for “Pregnancy” and …".
            scope = gettext("modalities with oil")
        else:
            # Translators: completes "There is already a rule that warns for “Pregnancy” and …".
            scope = gettext("every modality")
        about = RuleCondition.NO_CONSENT.label if condition == RuleCondition.NO_CONSENT else FlagKind(flag_kind).label
        if effect == RuleEffect.BLOCK:
            sentence = gettext(
                "There is already a rule that blocks the booking for “%(about)s” and %(scope)s; "
                "change that one instead."
            )
        else:
            sentence = gettext(
                "There is already a rule that warns for “%(about)s” and %(scope)s; change that one instead."
            )
        problems.append(sentence % {"about": about, "scope": scope})
    return problems


@transaction.atomic
def contraindication_rule_save(
    *,
    rule: ContraindicationRule | None = None,
    condition: str = RuleCondition.HEALTH_FLAG,
    flag_kind: str,
    modality: Modality | None,
    oil_modalities_only: bool,
    effect: str,
    message: str,
    active: bool = True,
) -> ContraindicationRule:
    """Add a rule (`rule` None) or change one. A rule applies from the moment it is saved, on
    every path that runs the check (patients.contraindications): a new `block` rule stops a
    session already booked at its check-in, and the booking pages show it in red beforehand.
    `condition` is a health flag (`flag_kind`) or no current consent (patients.consent: the
    consents the modality needs, not signed in their current version; `flag_kind` empty)."""
    _refuse_if_rule(
        _rule_problems(
            rule=rule,
            condition=condition,
            flag_kind=flag_kind,
            modality=modality,
            oil_modalities_only=oil_modalities_only,
            effect=effect,
            message=message,
        )
    )
    rule = rule or ContraindicationRule()
    rule.condition, rule.flag_kind = condition, flag_kind
    rule.modality, rule.oil_modalities_only = modality, oil_modalities_only
    rule.effect, rule.message, rule.active = effect, message.strip(), active
    rule.save()
    return rule


def _refuse_if_rule(problems: list[str]) -> None:
    if problems:
        raise Refused(problems)
