"""The roles and the default catalogue that the data migrations leave in a fresh database."""

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

from clinic import roles
from clinic.models import Cadence, Modality
from patients.models import ContraindicationRule, FlagKind, RuleEffect

pytestmark = pytest.mark.django_db


def permissions_of(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def deletions(perms: set[str]) -> set[str]:
    return {p for p in perms if p.split(".")[1].startswith("delete_")}


def snapshot() -> dict[str, set[str]]:
    return {group.name: permissions_of(group.name) for group in Group.objects.all()}


@pytest.fixture
def sync_roles():
    """roles_sync on the live app registry; if it ever disturbs the app configs again, later tests
    that flush the database or emit post_migrate still get them back intact."""
    saved = {config.label: config.models_module for config in global_apps.get_app_configs()}
    yield lambda: roles.roles_sync(global_apps)
    for config in global_apps.get_app_configs():
        config.models_module = saved[config.label]


# --- the groups -------------------------------------------------------------------------------------


def test_migration_creates_the_four_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) == {"Receptionist", "Therapist", "Patient", "Manager"}


def test_every_role_gets_exactly_the_permissions_its_patterns_name():
    # Guards against a pattern that matches nothing (a typo silently grants less than intended).
    for role, patterns in roles.ROLE_PERMISSIONS.items():
        granted = permissions_of(role)
        for pattern in patterns:
            app_label, _, code = pattern.partition(".")
            if "*" in code:
                assert any(p.startswith(f"{app_label}.") for p in granted), (role, pattern)
            else:
                assert pattern in granted, (role, pattern)


def test_roles_sync_twice_gives_the_same_groups_and_permissions(sync_roles):
    before_count, before = Group.objects.count(), snapshot()
    sync_roles()
    after_first = snapshot()
    sync_roles()
    assert Group.objects.count() == before_count == 4
    assert snapshot() == after_first == before
    assert all(before[role] for role in ("Receptionist", "Therapist", "Manager"))


def test_roles_sync_takes_away_a_permission_granted_by_hand_and_restores_a_missing_group(sync_roles):
    receptionist = Group.objects.get(name="Receptionist")
    receptionist.permissions.add(Permission.objects.get(codename="view_sessionnote"))
    Group.objects.get(name="Manager").delete()
    sync_roles()
    assert "treatment_sessions.view_sessionnote" not in permissions_of("Receptionist")
    assert "patients.change_contraindicationrule" in permissions_of("Manager")


def test_roles_sync_leaves_the_app_registry_as_it_was(sync_roles):
    # It flips models_module to get permissions created; the live registry must get the real module back,
    # or create_permissions, flush's post_migrate and dumpdata would skip every app from then on.
    before = {config.label: config.models_module for config in global_apps.get_app_configs()}
    sync_roles()
    assert {config.label: config.models_module for config in global_apps.get_app_configs()} == before
    assert before["clinic"] is not None


# --- what each role may do (docs/ARCHITECTURE.md, "Who may do what") -------------------------------------------


def test_receptionist_manages_patients_and_bookings_but_no_clinical_record():
    perms = permissions_of("Receptionist")
    assert {
        "patients.add_patient",
        "patients.change_patient",
        "treatment_sessions.add_appointment",
        "treatment_sessions.change_appointment",
    } <= perms
    assert not {p for p in perms if p.endswith(("_sessionnote", "_addendum"))}
    assert not {p for p in perms if p.endswith(("_diagnosis", "_phaserecord", "_healthflag", "_study"))}
    assert not {p for p in perms if p.endswith("_contraindicationrule")}
    assert "treatment_sessions.add_course" not in perms


def test_therapist_records_and_prescribes_but_cannot_edit_rules_or_demographics():
    perms = permissions_of("Therapist")
    assert {
        "treatment_sessions.add_sessionnote",
        "treatment_sessions.add_addendum",
        "patients.add_phaserecord",
        "patients.add_diagnosis",
        "patients.add_healthflag",
        "treatment_sessions.add_course",
        "treatment_sessions.add_appointment",
        "patients.view_contraindicationrule",
        "patients.view_patient",
    } <= perms
    assert not perms & {
        "patients.change_contraindicationrule",
        "patients.add_contraindicationrule",
        "patients.add_patient",
        "patients.change_patient",
        # A signed phase record is history; the therapist records a new one instead of editing it.
        "patients.change_phaserecord",
    }


@pytest.mark.parametrize("role", ["Receptionist", "Therapist"])
def test_reception_and_therapists_delete_nothing(role):
    assert not deletions(permissions_of(role))


def test_manager_edits_rules_and_reads_notes_but_cannot_write_notes():
    perms = permissions_of("Manager")
    assert {
        "patients.change_contraindicationrule",
        "patients.add_contraindicationrule",
        "patients.change_patient",
        "clinic.change_modality",
        "clinic.add_workinghours",
        "treatment_sessions.add_course",
        "treatment_sessions.change_appointment",
        "treatment_sessions.view_sessionnote",
        "treatment_sessions.view_addendum",
    } <= perms
    assert not perms & {
        "treatment_sessions.add_sessionnote",
        "treatment_sessions.change_sessionnote",
        "treatment_sessions.delete_sessionnote",
        "treatment_sessions.add_addendum",
        "auth.delete_user",
    }


def test_patient_has_no_model_permissions():
    assert permissions_of("Patient") == set()


# --- the default catalogue and rules -----------------------------------------------------------------


def test_migration_creates_therapeutic_massage_as_a_course_of_12_to_15():
    modality = Modality.objects.get(name="Therapeutic massage")
    assert (modality.course_min_sessions, modality.course_max_sessions) == (12, 15)
    assert modality.active


def test_migration_creates_cupping_as_20_minutes_on_5_to_7_consecutive_days():
    modality = Modality.objects.get(name="Vacuum (cupping) massage")
    assert modality.session_minutes == 20
    assert (modality.course_min_sessions, modality.course_max_sessions) == (5, 7)
    assert modality.cadence == Cadence.CONSECUTIVE_DAYS
    assert modality.sessions_per_week is None


def test_migration_creates_deep_tissue_as_30_minutes_five_a_week_for_ten_sessions():
    modality = Modality.objects.get(name="Deep tissue massage")
    assert modality.session_minutes == 30
    assert (modality.cadence, modality.sessions_per_week) == (Cadence.PER_WEEK, 5)
    assert (modality.course_min_sessions, modality.course_max_sessions) == (10, 10)


def test_migration_creates_the_other_modalities_of_the_catalogue():
    names = set(Modality.objects.values_list("name", flat=True))
    assert {"Acupressure", "Swedish massage", "Nerve massage", "Myofascial release", "Hot stone massage"} <= names


def rule(flag_kind: str) -> ContraindicationRule:
    return ContraindicationRule.objects.get(flag_kind=flag_kind, modality=None)


def test_fever_or_infection_blocks_every_modality():
    fever = rule(FlagKind.FEVER_INFECTION)
    assert (fever.effect, fever.oil_modalities_only, fever.active) == (RuleEffect.BLOCK, False, True)
    assert all(fever.applies_to(modality) for modality in Modality.objects.all())


def test_oil_allergy_warns_for_oil_modalities_only():
    allergy = rule(FlagKind.OIL_ALLERGY)
    assert (allergy.effect, allergy.oil_modalities_only) == (RuleEffect.WARN, True)
    assert allergy.applies_to(Modality.objects.get(name="Therapeutic massage"))
    assert not allergy.applies_to(Modality.objects.get(name="Acupressure"))


@pytest.mark.parametrize("flag_kind", [FlagKind.HYPERTENSION, FlagKind.PREGNANCY])
def test_hypertension_and_pregnancy_warn_for_every_modality(flag_kind):
    warning = rule(flag_kind)
    assert (warning.effect, warning.oil_modalities_only, warning.active) == (RuleEffect.WARN, False, True)
    assert warning.message
