import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, TransactionTestCase
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.messaging import sms_outbox
from clinic.models import Modality
from clinic.two_factor import two_factor_enabled, two_factor_required
from sessions.booking_checks import booking_problems
from tests.factories import (
    AppointmentFactory,
    DiagnosisFactory,
    ModalityFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    next_weekday,
    therapist_named,
)

# The axe-core summary of the browser tests, gathered from every test process (pytest-xdist).
pytest_plugins = ["tests.axe_report"]


@pytest.fixture
def all_migrations_back():
    """For a test that migrates back and forth: put the whole schema back afterwards, whatever
    happened (going back one migration also unapplies every migration that depends on it)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


if "replica" in settings.DATABASES:
    # In tests the replica alias is the test database itself (tests/settings.py), and any test whose
    # page may read through it (a report, the patient list, outside a transaction) may use it.
    TransactionTestCase.databases = frozenset({DEFAULT_DB_ALIAS, "replica"})


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (exclusion constraints, real concurrency) skip on SQLite."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run under scripts/with-postgres")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The data migration's "no current consent" warning rule (patients 0007) is switched off for
    the suite, which was written for bookings that need no consent; the consent tests switch it on
    (`consent_rule` in tests/patients/test_consent.py). Kept off in the copy that transactional
    tests restore too."""
    from patients.models import ContraindicationRule, RuleCondition

    with django_db_blocker.unblock():
        ContraindicationRule.objects.filter(condition=RuleCondition.NO_CONSENT).update(active=False)
        found = connection
        if getattr(found, "_test_serialized_contents", None):
            found._test_serialized_contents = found.creation.serialize_db_to_string()
    yield
    if "replica" in settings.DATABASES:
        # The replica alias's own connection to the test database would keep it from being dropped.
        connections["replica"].close()


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test with serialized_rollback empties the database behind it, content types
    included; Django's in-process cache of them would then hand the next test ids that no longer
    exist (an audit entry pointing nowhere). Each test looks them up afresh."""
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _default_language():
    """The language middleware activates a request's language for its thread, and the test
    client's requests run in the test's thread: a test that asked for a page in Russian would
    leave the next test speaking Russian. Each test ends back on the default language."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """The test SMS backend's outbox is a module list: each test starts with it empty."""
    sms_outbox.clear()


@pytest.fixture
def receptionist(db):
    return UserFactory(username="reception", role=roles.RECEPTIONIST)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=roles.MANAGER, is_staff=True)


@pytest.fixture
def therapist(db):
    return TherapistFactory(user__username="therapist")


@pytest.fixture
def webhook_receiver():
    """An HTTP server on 127.0.0.1 that records the webhooks it is sent (tests/webhooks/scene.py)."""
    from tests.webhooks.scene import Receiver

    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def patient_user(db):
    user = UserFactory(username="patient", role=roles.PATIENT)
    PatientFactory(user=user, email=user.email)
    return user


# --- The cast --------------------------------------------------------------------------------------
# One small set of named people, rooms and treatments that every test reuses, so a test reads as a
# scene at the clinic. Who is who:
#
#   massage, cupping, deep_tissue  the catalogue's "Therapeutic massage", "Vacuum (cupping) massage"
#                                  and "Deep tissue massage" (from the data migration)
#   monday                         the date of a Monday a week or more ahead
#   maria                          the patient Maria Lopez
#   sciatica                       Maria's diagnosis M54.3 Sciatica (no phase recorded)
#   disc                           Maria's diagnosis M51.1 Lumbar disc disorder with radiculopathy
#   anna, ben                      therapists Anna Kuhn and Ben Ortiz, both giving massages, Mon–Fri 08–18
#   lena                           therapist Lena Hoffmann (login "lena"), gives massages
#   lenas_session                  Maria's massage with Lena in three days: Maria is Lena's patient
#   linden, maple                  "Room Linden" and "Room Maple", both set up for massages
#   reception, as_lena             logged-in clients: the receptionist, and Lena (who treats Maria)
#
# The services' own scene (tests/sessions): a made-up modality, so the catalogue can change freely:
#
#   back_massage                   "Classic back massage", 45 minutes
#   blue_room                      "Blue room", set up for the back massage
#   anna_berg                      therapist Anna Berg (login "anna"), gives the back massage
#   maria_keller                   the patient Maria Keller
#
# Logins without a scene: receptionist, manager, therapist (a therapist with no name), patient_user.


@pytest.fixture
def massage(db):
    return Modality.objects.get(name="Therapeutic massage")


@pytest.fixture
def cupping(db):
    """From the catalogue: 20 minutes a day on 5 to 7 consecutive days."""
    return Modality.objects.get(name="Vacuum (cupping) massage")


@pytest.fixture
def deep_tissue(db):
    return Modality.objects.get(name="Deep tissue massage")


@pytest.fixture
def monday(db):
    return next_weekday(0)


@pytest.fixture
def maria(db):
    return PatientFactory(first_name="Maria", last_name="Lopez")


@pytest.fixture
def sciatica(maria):
    return DiagnosisFactory(patient=maria, icd10_code="M54.3", title="Sciatica")


@pytest.fixture
def disc(maria):
    return DiagnosisFactory(patient=maria, icd10_code="M51.1", title="Lumbar disc disorder with radiculopathy")


@pytest.fixture
def anna(massage):
    return therapist_named("Anna Kuhn", massage)


@pytest.fixture
def ben(massage):
    return therapist_named("Ben Ortiz", massage)


@pytest.fixture
def lena(massage):
    return therapist_named("Lena Hoffmann", massage, user__username="lena")


@pytest.fixture
def lenas_session(maria, lena, massage):
    """Lena has a session with Maria in three days: that makes Maria her patient."""
    return AppointmentFactory(patient=maria, therapist=lena, modality=massage)


@pytest.fixture
def linden(massage):
    return RoomFactory(name="Room Linden", modalities=[massage])


@pytest.fixture
def maple(massage):
    return RoomFactory(name="Room Maple", modalities=[massage])


@pytest.fixture
def reception(receptionist):
    return client_for(receptionist)


@pytest.fixture
def as_lena(lena, lenas_session):
    return client_for(lena.user)


@pytest.fixture
def back_massage(db):
    return ModalityFactory(name="Classic back massage", session_minutes=45)


@pytest.fixture
def blue_room(back_massage):
    return RoomFactory(name="Blue room", modalities=[back_massage])


@pytest.fixture
def anna_berg(back_massage):
    return therapist_named("Anna Berg", back_massage, user__username="anna")


@pytest.fixture
def maria_keller(db):
    return PatientFactory(first_name="Maria", last_name="Keller")


def client_for(user) -> Client:
    """A client logged in as `user`, past the second factor when the account needs one."""
    client = Client()
    log_in_verified(client, user)
    return client


def log_in_verified(client: Client, user, backend: str | None = None) -> None:
    """force_login, and for an account that needs a second factor (managers, superusers: see
    clinic.two_factor) an enrolled authenticator app and a session that has given its code."""
    client.force_login(user, backend=backend)
    if two_factor_required(user) or two_factor_enabled(user):
        second_factor_pass(client, user)


def second_factor_pass(client: Client, user) -> TOTPDevice:
    """Mark the client's session as having given the user's second factor (enrolling one first)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Test app", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


# What the booking service is given for a session, all of it read back from the appointment.


def rebooking_problems(appointment) -> list[str]:
    """What the booking checks would refuse about an existing appointment, itself aside: seeded
    data must read as if every session had been booked through the booking service."""
    reasons, _ = booking_problems(appointment)
    return reasons
