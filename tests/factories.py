"""Test data. Times are built in the clinic's zone so tests read like the front desk's day."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic import roles
from clinic.models import Cadence, WorkingHours
from outcomes.models import Scoring
from outcomes.services import measure_create
from patients.models import Cause, FlagKind, Phase, RuleEffect, StudyKind
from sessions.course_progress import course_pain_record

PASSWORD = "correct-horse-battery-staple"


def local(year, month, day, hour=0, minute=0) -> dt.datetime:
    """An aware datetime at a wall-clock time in the clinic's zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def earlier_today(minutes: int = 1) -> dt.datetime:
    """A moment `minutes` before now that is still today in the clinic, even just after midnight
    (a session must be on today's date to be checked in)."""
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return max(timezone.now().replace(microsecond=0) - dt.timedelta(minutes=minutes), midnight)


def next_weekday(weekday: int, weeks_ahead: int = 1) -> dt.date:
    """A date on the given weekday (0 = Monday) at least a few days from today."""
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 + 7 * weeks_ahead
    return today + dt.timedelta(days=days)


MONDAY = next_weekday(0)  # the services tests' Monday, a week or more ahead


def on_monday(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    """A wall-clock time on MONDAY (or on `day`) in the clinic's zone."""
    return local(day.year, day.month, day.day, hour, minute)


def role_group(name: str) -> Group:
    """The role's group. A transactional test (live server, PostgreSQL races) empties every
    table on the way out, the migration's groups with them; put them back when that happened."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        roles.roles_sync(django_apps)
        group = Group.objects.get(name=name)
    return group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(role_group(extracted))
        if create:
            self.save()


class ModalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinic.Modality"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test modality {n}")
    session_minutes = 45
    course_min_sessions = 12
    course_max_sessions = 15
    cadence = Cadence.FREE
    uses_oils = True


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinic.Therapist"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=roles.THERAPIST)

    @factory.post_generation
    def modalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.modalities.set(extracted)

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        """hours=[(weekday, "09:00", "17:00"), ...] (a fourth item: the Location; the clinic's
        first site without it); default: Monday to Friday 08:00–18:00."""
        if not create:
            return
        blocks = extracted if extracted is not None else [(d, "08:00", "18:00") for d in range(5)]
        for weekday, starts, ends, *where in blocks:
            site = {"location": where[0]} if where else {}
            WorkingHours.objects.create(therapist=self, weekday=weekday, starts=starts, ends=ends, **site)


def therapist_named(name: str, *modalities, **fields):
    """A therapist called `name` ("First Last") who gives `modalities`."""
    first_name, last_name = name.split(" ", 1)
    return TherapistFactory(
        user__first_name=first_name, user__last_name=last_name, modalities=list(modalities), **fields
    )


EVERY_DAY = [(weekday, "08:00", "18:00") for weekday in range(7)]  # working hours: 08:00–18:00, Monday to Sunday


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinic.Room"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Room {n}")

    @factory.post_generation
    def modalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.modalities.set(extracted)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinic.Closure"

    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.SelfAttribute("starts_on")
    reason = "Public holiday"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.Patient"

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1975, 4, 12)
    phone = factory.Sequence(lambda n: f"+49 30 555 {n:04d}")
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    consent_on = factory.LazyFunction(timezone.localdate)


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.Diagnosis"

    patient = factory.SubFactory(PatientFactory)
    icd10_code = "M54.3"
    title = "Sciatica"
    cause = Cause.DISC_HERNIATION
    diagnosed_on = dt.date(2026, 1, 10)
    diagnosed_by = "Dr. Weber"


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.Study"

    diagnosis = factory.SubFactory(DiagnosisFactory)
    kind = StudyKind.MRI
    performed_on = dt.date(2026, 1, 8)
    findings = "L5–S1 protrusion touching the S1 root."


class PhaseRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.PhaseRecord"

    diagnosis = factory.SubFactory(DiagnosisFactory)
    phase = Phase.REMISSION
    effective_from = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    recorded_by = factory.SubFactory(UserFactory, role=roles.THERAPIST)


def in_acute_phase(patient):
    """A diagnosis of `patient`, now in its acute phase."""
    return PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=patient), phase=Phase.ACUTE)


class HealthFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.HealthFlag"

    patient = factory.SubFactory(PatientFactory)
    kind = FlagKind.HYPERTENSION
    active_from = dt.date(2026, 1, 1)


class ContraindicationRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.ContraindicationRule"

    flag_kind = FlagKind.OTHER
    effect = RuleEffect.BLOCK
    message = "Not with this condition."


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatment_sessions.Course"

    patient = factory.SubFactory(PatientFactory)
    diagnosis = factory.SubFactory(DiagnosisFactory, patient=factory.SelfAttribute("..patient"))
    modality = factory.SubFactory(ModalityFactory)
    prescribed_by = factory.SubFactory(UserFactory, role=roles.THERAPIST)
    min_sessions = factory.SelfAttribute("modality.course_min_sessions")
    max_sessions = factory.SelfAttribute("modality.course_max_sessions")
    session_minutes = factory.SelfAttribute("modality.session_minutes")
    cadence = factory.SelfAttribute("modality.cadence")
    sessions_per_week = factory.SelfAttribute("modality.sessions_per_week")
    starts_on = factory.LazyFunction(timezone.localdate)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Writes the row directly, bypassing the booking checks: for setting up a scene only."""

    class Meta:
        model = "treatment_sessions.Appointment"

    patient = factory.SubFactory(PatientFactory)
    modality = factory.SubFactory(ModalityFactory)
    therapist = factory.SubFactory(TherapistFactory)
    room = factory.SubFactory(RoomFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + dt.timedelta(minutes=a.modality.session_minutes))


class SessionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatment_sessions.SessionNote"
        skip_postgeneration_save = True

    appointment = factory.SubFactory(AppointmentFactory)
    author = factory.SelfAttribute("appointment.therapist.user")
    pain_before = 6
    pain_after = 4

    @factory.post_generation
    def course_pain(self, create, extracted, **kwargs):
        """A signed note's pain copied to its course, as session_note_sign does."""
        if create and self.signed_at is not None and self.appointment.course_id is not None:
            course_pain_record(course_id=self.appointment.course_id)


class AddendumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatment_sessions.Addendum"

    note = factory.SubFactory(SessionNoteFactory)
    author = factory.SelfAttribute("note.author")
    text = "Patient called: the pain eased further the next day."


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """That day at a wall-clock time in the clinic's zone."""
    return local(day.year, day.month, day.day, hour, minute)


@contextmanager
def clock(moment: dt.datetime):
    """The app's clock (django.utils.timezone.now) reads `moment` inside the block."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def manager_questionnaire(*, created_by, items, **fields):
    """A questionnaire the manager adds (outcomes.services.measure_create): the Oswestry Disability
    Index scored as a percentage of the maximum, unless `fields` say otherwise."""
    spec = {
        "name": "Oswestry Disability Index",
        "code": "odi",
        "scale_min": 0,
        "scale_max": 5,
        "scoring": Scoring.PERCENT_OF_MAX,
        "higher_is_better": False,
        "mcid": Decimal(10),
    }
    return measure_create(**(spec | fields), items=items, created_by=created_by)
