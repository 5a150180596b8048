"""Consent: per modality or group of modalities (massage, cupping, use of oils), a text the clinic
edits in versions, and the patient's signature of one version.

- A topic (ConsentTopic) covers some modalities, or every modality that uses oil, or both.
- Its text is kept in versions (ConsentVersion) that never change: editing saves the next
  version (`consent_version_publish`), and the highest number is the current one.
- A patient signs the current version in the portal or on the reception tablet
  (`consent_sign`): the full name typed, a tick, the time, the version and the SHA-256 of the
  exact text stored. A signature never changes either.
- A consent is *current* when the patient signed the current version; a new version asks again.
- A booking of a modality a topic covers, without current consent, warns or is refused as the
  clinic's contraindication rules say (a rule with the condition "no current consent":
  patients.contraindications reads `consents_missing_given`).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from clinic import roles
from clinic.models import Modality
from clinic.refusals import Refused
from clinic.setup_cache import copies, setup_cached
from patients.models import (
    CONSENT_TEXT_MAX_LENGTH,
    ConsentSignature,
    ConsentTopic,
    ConsentVersion,
    KioskSession,
    Patient,
    Via,
)
from patients.names import fold

TOPIC_NAME_MAX_LENGTH = 80
TYPED_NAME_MAX_LENGTH = 200


def text_sha256(text: str) -> str:
    """The fingerprint of a consent text: SHA-256 of its UTF-8 bytes, in hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def consent_text_normal(text: str) -> str:
    """The text as it is stored and hashed: line ends as \\n (browsers post \\r\\n), no blank
    space around the whole. Nothing inside a line is touched."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# Reading --------------------------------------------------------------------------------------------


@dataclass
class ConsentState:
    """One active topic as it stands for one patient: its current version, the patient's signature
    of it (None when not signed), and their latest signature of an earlier version."""

    topic: ConsentTopic
    current: ConsentVersion
    signed: ConsentSignature | None = None
    earlier: ConsentSignature | None = None
    modality_ids: frozenset[int] = frozenset()

    @property
    def is_current(self) -> bool:
        return self.signed is not None

    def covers(self, modality: Modality) -> bool:
        return modality.pk in self.modality_ids or (self.topic.oil_modalities and modality.uses_oils)

    @property
    def status_text(self) -> str:
        if self.signed is not None:
            return gettext("Signed version %(number)s on %(day)s") % {
                "number": self.current.number,
                "day": _day(self.signed.signed_at),
            }
        if self.earlier is not None:
            return gettext("Version %(number)s to sign (version %(earlier)s was signed on %(day)s)") % {
                "number": self.current.number,
                "earlier": self.earlier.version.number,
                "day": _day(self.earlier.signed_at),
            }
        return gettext("Not signed (version %(number)s)") % {"number": self.current.number}


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), gettext("j F Y"))


def _topics_current() -> list[tuple[ConsentTopic, ConsentVersion, frozenset[int]]]:
    """Every active topic that has a text, with its current version and the ids of the
    modalities it covers, by name: kept by the set-up cache (clinic/setup_cache.py), copies."""
    current = []
    for kept, modality_ids in setup_cached("current consent versions", _versions_current, model=ConsentVersion):
        [version] = copies([kept])
        current.append((version.topic, version, modality_ids))
    return current


def _versions_current(using: str) -> list[tuple[ConsentVersion, frozenset[int]]]:
    """The current version of each active topic with its topic, and the modalities it covers. One
    query: a row per modality covered (or one for a topic that covers none), folded here, rather
    than a second query for the modalities."""
    latest = ConsentVersion.objects.filter(topic=OuterRef("topic")).order_by("-number").values("number")[:1]
    rows = (
        ConsentVersion.objects.using(using)
        .filter(topic__active=True, number=Subquery(latest))
        .select_related("topic")
        .annotate(covered_modality_id=F("topic__modalities__pk"))
        .order_by("topic__name", "topic_id")
    )
    current: dict[int, tuple[ConsentVersion, set[int]]] = {}
    for version in rows:
        _, modality_ids = current.setdefault(version.pk, (version, set()))
        if version.covered_modality_id is not None:
            modality_ids.add(version.covered_modality_id)
    return [(version, frozenset(modality_ids)) for version, modality_ids in current.values()]


def consent_topics_current() -> list[tuple[ConsentTopic, ConsentVersion]]:
    """Every active topic that has a text, with its current version, by name. One query."""
    return [(topic, version) for topic, version, _ in _topics_current()]


def consent_states(*, patient: Patient) -> list[ConsentState]:
    """Every active topic with a text, as it stands for `patient`, by name. Two queries."""
    current = _topics_current()
    signatures = (
        ConsentSignature.objects.filter(patient_id=patient.pk, version__topic_id__in=[t.pk for t, _, _ in current])
        .select_related("version")
        .order_by("-version__number", "-signed_at")
    )
    by_topic: dict[int, list[ConsentSignature]] = {}
    for signature in signatures:
        by_topic.setdefault(signature.version.topic_id, []).append(signature)
    states = []
    for topic, version, modality_ids in current:
        signed = [s for s in by_topic.get(topic.pk, []) if s.version_id == version.pk]
        earlier = [s for s in by_topic.get(topic.pk, []) if s.version_id != version.pk]
        states.append(
            ConsentState(
                topic=topic,
                current=version,
                signed=signed[0] if signed else None,
                earlier=earlier[0] if earlier else None,
                modality_ids=modality_ids,
            )
        )
    return states


def consents_due(
    *, patient: Patient, modalities: Iterable[Modality] | None, states: list[ConsentState] | None = None
) -> list[ConsentState]:
    """The consents `patient` has still to sign (none, or an older version) for `modalities`: the
    treatments planned for them (open courses, sessions ahead; the pages ask sessions). With
    None, before anything is planned, every active topic is due. `states`: consent_states,
    when the caller has read them already."""
    modalities = None if modalities is None else list(modalities)
    return [
        state
        for state in (consent_states(patient=patient) if states is None else states)
        if not state.is_current and (modalities is None or any(state.covers(m) for m in modalities))
    ]


@dataclass(frozen=True)
class MissingConsent:
    """A topic a patient has not signed in its current version (what the contraindication check reads)."""

    topic_id: int
    name: str
    number: int
    modality_ids: frozenset[int]
    oil_modalities: bool
    signed_before: bool

    def covers(self, modality: Modality) -> bool:
        return modality.pk in self.modality_ids or (self.oil_modalities and modality.uses_oils)

    def __str__(self) -> str:
        if self.signed_before:
            return gettext("Consent for %(name)s: version %(number)s is not signed yet") % {
                "name": self.name,
                "number": self.number,
            }
        return gettext("No consent for %(name)s signed") % {"name": self.name}


def current_topics() -> dict[int, dict]:
    """{topic id: its name, oil flag, modality ids and current version number} for the active
    topics that have a version, in order of name, kept by the set-up cache (clinic/setup_cache.py)."""

    def build(using: str) -> dict[int, dict]:
        topics: dict[int, dict] = {}
        rows = (
            ConsentTopic.objects.using(using)
            .filter(active=True, versions__isnull=False)
            .values_list("pk", "name", "oil_modalities", "modalities__pk")
            .annotate(current=Max("versions__number"))
            .order_by("name", "pk")
        )
        for pk, name, oil, modality_id, current in rows:
            topic = topics.setdefault(pk, {"name": name, "oil": oil, "modalities": set(), "current": current})
            if modality_id is not None:
                topic["modalities"].add(modality_id)
        return {pk: {**topic, "modalities": frozenset(topic["modalities"])} for pk, topic in topics.items()}

    return setup_cached("current consent topics", build, model=ConsentTopic)


def consents_missing_given(
    *, patient_ids: Iterable[int], signed: dict[int, dict[int, int]], topics: dict[int, dict]
) -> dict[int, list[MissingConsent]]:
    """{patient id: the active topics they have not signed in the current version}, from what was
    read already: `signed` {patient id: {topic id: the newest version number they signed}}
    (patients.against_treatment) and `topics` as current_topics() gives them (an empty dict while
    no consent is asked for)."""
    missing = {}
    for patient_id in patient_ids:
        theirs = signed.get(patient_id, {})
        missing[patient_id] = [
            MissingConsent(
                topic_id=pk,
                name=topic["name"],
                number=topic["current"],
                modality_ids=topic["modalities"],
                oil_modalities=topic["oil"],
                signed_before=pk in theirs,
            )
            for pk, topic in topics.items()
            if theirs.get(pk) != topic["current"]
        ]
    return missing


def consents_missing_of(states: list[ConsentState]) -> list[MissingConsent]:
    """What consents_missing_given says of one patient, from their consent_states read
    already: the topics not signed in the current version, in the same order (by name)."""
    return [
        MissingConsent(
            topic_id=state.topic.pk,
            name=state.topic.name,
            number=state.current.number,
            modality_ids=frozenset(state.modality_ids),
            oil_modalities=state.topic.oil_modalities,
            # Nothing is signed of the current version: any signature of the topic is of an earlier one.
            signed_before=state.earlier is not None,
        )
        for state in states
        if not state.is_current
    ]


# The clinic edits the texts -----------------------------------------------------------------------


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise Refused(problems)


def _manager_problems(user: AbstractBaseUser | None) -> list[str]:
    if user is None or not roles.has_role(user, roles.MANAGER):
        return [gettext("Only a manager edits the consent texts.")]
    return []


@transaction.atomic
def consent_topic_save(
    *,
    topic: ConsentTopic | None = None,
    name: str,
    modalities: Iterable[Modality],
    oil_modalities: bool,
    active: bool = True,
    text: str = "",
    saved_by: AbstractBaseUser | None = None,
) -> ConsentTopic:
    """Add a topic (`topic` None, with its first text) or change what one covers. Refused with
    every reason: no name, a name another topic has, a topic that covers nothing, and for a new
    one a missing text."""
    modalities = list(modalities)
    name = " ".join(name.split())
    problems = _manager_problems(saved_by)
    if not name:
        problems.append(gettext("Give the consent a name, such as “Massage” or “Use of oils”."))
    elif len(name) > TOPIC_NAME_MAX_LENGTH:
        problems.append(gettext("The name is too long: %(max)s characters at most.") % {"max": TOPIC_NAME_MAX_LENGTH})
    elif ConsentTopic.objects.filter(name__iexact=name).exclude(pk=topic.pk if topic else None).exists():
        problems.append(gettext("There is already a consent called “%(name)s”.") % {"name": name})
    if not modalities and not oil_modalities:
        problems.append(gettext("Choose the modalities the consent is for, or every modality that uses oil."))
    if topic is None:
        problems += _text_problems(consent_text_normal(text), current=None)
    _refuse_if(problems)
    created = topic is None
    topic = topic or ConsentTopic()
    topic.name, topic.oil_modalities, topic.active = name, oil_modalities, active
    topic.save()
    topic.modalities.set(modalities)
    if created:
        _version_create(topic=topic, text=consent_text_normal(text), created_by=saved_by, number=1)
    return topic


def consent_version_current(*, topic: ConsentTopic) -> ConsentVersion | None:
    return topic.versions.order_by("-number").first()


def _text_problems(text: str, *, current: ConsentVersion | None) -> list[str]:
    if not text:
        return [gettext("Write the consent text the patient reads and signs.")]
    if len(text) > CONSENT_TEXT_MAX_LENGTH:
        return [gettext("The text is too long: %(max)s characters at most.") % {"max": f"{CONSENT_TEXT_MAX_LENGTH:,}"}]
    if current is not None and current.text == text:
        return [gettext("The text is the same as version %(number)s: nothing to save.") % {"number": current.number}]
    return []


def _version_create(*, topic: ConsentTopic, text: str, created_by, number: int) -> ConsentVersion:
    version = ConsentVersion(
        topic=topic, number=number, text=text, text_sha256=text_sha256(text), created_by=created_by
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def consent_version_publish(*, topic: ConsentTopic, text: str, created_by: AbstractBaseUser) -> ConsentVersion:
    """Save an edited text as the topic's next version: from now on every patient is asked to
    sign it (their signatures of earlier versions stay as they were). Refused for anyone but a
    manager, for an empty or too long text, and for a text the same as the current one."""
    topic = ConsentTopic.objects.select_for_update().get(pk=topic.pk)  # two managers, one number
    text = consent_text_normal(text)
    current = consent_version_current(topic=topic)
    _refuse_if(_manager_problems(created_by) + _text_problems(text, current=current))
    return _version_create(topic=topic, text=text, created_by=created_by, number=(current.number + 1) if current else 1)


# The patient signs ----------------------------------------------------------------------------------


def name_matches(typed: str, patient: Patient) -> bool:
    """Whether `typed` is the patient's full name: every word of their first and last names, in
    any order, with a comma or a middle name if they like; case, accents and apostrophes do not
    matter ("becker, clara" and "Clara Marie Becker" are Clara Becker)."""
    words = fold(typed.replace(",", " ")).split()
    needed = fold(f"{patient.first_name} {patient.last_name}").split()
    return bool(needed) and all(words.count(word) >= needed.count(word) for word in set(needed))


def consent_sign(
    *,
    patient: Patient,
    version: ConsentVersion,
    typed_name: str,
    agreed: bool,
    channel: str,
    signed_by: AbstractBaseUser | None = None,
    kiosk: KioskSession | None = None,
    now=None,
) -> ConsentSignature:
    """The patient signs `version` (the text they were shown). Refused with every reason that
    applies: the box not ticked, the full name not typed as the clinic has it, a version that is
    no longer current (the text changed while they read), a topic no longer asked, a version
    signed already, or a text that no longer matches its fingerprint."""
    now = now or timezone.now()
    typed_name = " ".join(typed_name.split())
    with transaction.atomic():
        version = ConsentVersion.objects.select_for_update().select_related("topic").get(pk=version.pk)
        problems = []
        if not agreed:
            problems.append(gettext("Tick the box to say you have read the text and agree to it."))
        if not typed_name:
            problems.append(gettext("Type your full name to sign."))
        elif len(typed_name) > TYPED_NAME_MAX_LENGTH:
            problems.append(
                gettext("The name is too long: %(max)s characters at most.") % {"max": TYPED_NAME_MAX_LENGTH}
            )
        elif not name_matches(typed_name, patient):
            problems.append(gettext("Type your full name as the clinic has it: your first and last name."))
        if not version.topic.active:
            problems.append(
                gettext("The consent for %(topic)s is no longer asked; nothing to sign.") % {"topic": version.topic}
            )
        current = consent_version_current(topic=version.topic)
        if current is not None and current.pk != version.pk:
            problems.append(
                gettext(
                    "The text of the consent for %(topic)s has changed while you were reading it: "
                    "please read version %(number)s and sign that."
                )
                % {"topic": version.topic, "number": current.number}
            )
        elif ConsentSignature.objects.filter(patient_id=patient.pk, version=version).exists():
            problems.append(_already_signed(version))
        if text_sha256(version.text) != version.text_sha256:
            problems.append(
                gettext(
                    "The stored text of the consent for %(topic)s does not match its fingerprint; "
                    "it cannot be signed. Please tell reception."
                )
                % {"topic": version.topic}
            )
        _refuse_if(problems)
        try:
            with transaction.atomic():
                return ConsentSignature.objects.create(
                    patient=patient,
                    version=version,
                    text_sha256=version.text_sha256,
                    channel=channel,
                    signed_by=signed_by if channel == Via.PORTAL else None,
                    kiosk=kiosk,
                    typed_name=typed_name,
                    agreed=True,
                    signed_at=now,
                )
        except IntegrityError as error:  # the same form sent twice at once
            raise Refused(_already_signed(version)) from error


def _already_signed(version: ConsentVersion) -> str:
    return gettext("You have already signed this version of the consent for %(topic)s.") % {"topic": version.topic}


def consent_signature_intact(signature: ConsentSignature) -> bool:
    """Whether the signed version's text still hashes to what the signature stored."""
    return text_sha256(signature.version.text) == signature.text_sha256
