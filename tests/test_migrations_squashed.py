"""The squashed migrations stand in for the ones databases created before the squash recorded."""

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

ROOT = Path(__file__).resolve().parent.parent

# Every migration of the three apps before the squash (the first ones, squashed once before, then
# those that followed that squash): a database with all of these applied must see the squashed
# migrations as applied and have nothing to run.
REPLACED = {
    "clinic": [
        "0001_initial",
        "0002_roles_and_catalogue",
        "0003_tighten_constraints",
        "0004_audit_log_append_only",
        "0002_closure_kind_date_windows_password_resets",
        "0003_username_unique_ignoring_case",
        "0004_text_limits",
    ],
    "patients": [
        "0001_initial",
        "0002_default_rules",
        "0003_tighten_constraints",
        "0004_icd10_anchors",
        "0005_calendar_token",
        "0006_breakglassaccess",
        "0007_roles_for_break_glass",
        "0008_patient_sort_index",
        "0009_patient_search_trigram",
        "0002_patient_assigned_therapist",
        "0003_break_glass_review",
        "0004_patient_search_name",
        "0005_text_limits",
    ],
    "treatment_sessions": [
        "0001_initial",
        "0002_no_overlaps_on_postgresql",
        "0003_tighten_constraints",
        "0004_reminder_sent_at",
        "0005_sessionnote_content_hash",
        "0002_outcome_scores",
        "0003_text_limits_and_keyed_seal",
    ],
}


def test_each_app_has_one_squashed_migration_replacing_all_the_old_ones():
    # Migrations added since the squash (clinic 0005_locations) follow it.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app_label, names in REPLACED.items():
        # Migrations written after the squash follow it; one squashed migration per app.
        (node,) = [key for key, m in loader.disk_migrations.items() if key[0] == app_label and m.replaces]
        assert loader.disk_migrations[node].replaces == [(app_label, name) for name in names]


@pytest.mark.django_db
def test_a_database_with_the_old_migrations_recorded_has_nothing_to_apply():
    recorder = MigrationRecorder(connection)
    recorded = recorder.applied_migrations()
    squashed = [key for key, m in MigrationLoader(None).disk_migrations.items() if key[0] in REPLACED and m.replaces]
    # As on a database migrated before the squash: only the old names are recorded.
    recorder.migration_qs.filter(app__in=REPLACED, name__contains="_squashed_").delete()
    for app_label, names in REPLACED.items():
        for name in names:
            assert (app_label, name) in recorded
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert all(key in executor.loader.applied_migrations for key in squashed)
    executor.loader.check_consistent_history(connection)


# The helpers several migrations share, frozen inside a migrations package (clinic/migrations/_frozen.py).
FROZEN = ("clinic.migrations._frozen",)


def test_migrations_import_nothing_from_the_apps():
    for path in [*ROOT.glob("*/migrations/0*.py"), *ROOT.glob("*/migrations/_*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if module in FROZEN:
                    continue
                # The standard library's text helpers too (the search columns' backfill folds names).
                assert module.split(".")[0] in ("django", "datetime", "hashlib", "json", "re", "unicodedata"), (
                    path,
                    module,
                )
