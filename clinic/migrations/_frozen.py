"""Steps the migrations of several apps share, frozen as they were written.

Migrations import nothing from the apps (the apps may change; a migration must not). What several
migrations need alike lives here instead, inside a migrations package, and is never changed once a
migration uses it: write a new helper rather than alter one. The leading underscore keeps Django's
migration loader from taking this module for a migration.
"""

from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.module_loading import import_string


def texts_within_limits(spec):
    """A step that stops the migration, naming the rows, when existing text is longer than a limit
    about to be enforced, rather than leave it to the database's constraint error.
    spec: {(app_label, model_name): {field: limit}}."""

    def check(apps, schema_editor):
        problems = []
        for (app_label, model_name), limits in spec.items():
            model = apps.get_model(app_label, model_name)
            for field, limit in limits.items():
                longer = model.objects.annotate(_length=Length(field)).filter(_length__gt=limit)
                ids = list(longer.values_list("pk", flat=True)[:20])
                if ids:
                    problems.append(f"{app_label}.{model_name}.{field} longer than {limit} characters: ids {ids}")
        if problems:
            raise RuntimeError("Shorten these texts before migrating: " + "; ".join(problems))

    return migrations.RunPython(check, migrations.RunPython.noop, elidable=True)


def text_length_constraints(model_name, prefix, limits):
    """One CheckConstraint on Length(field) per field (max_length on a TextField binds only forms),
    named "<prefix>_<field>_length", with the sentence a form shows: "The <field> takes up to N
    characters." limits: {field: limit}, in the order the constraints are added."""
    return [
        migrations.AddConstraint(
            model_name=model_name,
            constraint=models.CheckConstraint(
                condition=LessThanOrEqual(Length(field), limit),
                name=f"{prefix}_{field}_length",
                violation_error_message=f"The {field.replace('_', ' ')} takes up to {limit:,} characters.",
            ),
        )
        for field, limit in limits.items()
    ]


def text_max_lengths(model_name, limits, *, blank=True):
    """AlterField steps giving plain TextFields (no help text) their max_length. limits: {field: limit}."""
    return [
        migrations.AlterField(
            model_name=model_name,
            name=field,
            field=models.TextField(blank=blank, max_length=limit),
        )
        for field, limit in limits.items()
    ]


# Builders for the models a migration creates (first used by patients 0007 and sessions 0005): a
# model's fields, constraints and indexes in one CreateModel, each in a line.


def model(name, fields, *, constraints=(), indexes=(), **options):
    """A CreateModel with Django's BigAutoField id first, its constraints and indexes in its options."""
    options.update({key: list(value) for key, value in (("indexes", indexes), ("constraints", constraints)) if value})
    auto_id = models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")
    return migrations.CreateModel(name=name, fields=[("id", auto_id), *fields], options=options)


def link(to, related_name="+", *, on_delete=models.PROTECT, optional=False, one=False):
    """A ForeignKey (a OneToOneField with `one`) to the model labelled `to`; `optional`: blank and null."""
    kind = models.OneToOneField if one else models.ForeignKey
    return kind(to=to, on_delete=on_delete, related_name=related_name, **({"blank": True, "null": True} if optional else {}))


def moment(**kwargs):
    """A DateTimeField: `now=True` defaults to the time of saving, `optional=True` is blank and null."""
    if kwargs.pop("now", False):
        kwargs["default"] = timezone.now
    if kwargs.pop("optional", False):
        kwargs.update(blank=True, null=True)
    return models.DateTimeField(**kwargs)


def check(name, message, condition):
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def unique(name, message, fields, condition=None):
    return models.UniqueConstraint(fields=fields, condition=condition, name=name, violation_error_message=message)


def later(name, message, *, starts, ends):
    """A span's end comes after its start."""
    return check(name, message, models.Q((f"{ends}__gt", models.F(starts))))


def postgresql_only(forwards, backwards):
    """A step that runs SQL statements (a trigger and its function...) on PostgreSQL, and nothing on
    other databases. No parameters: a % in a function body is PL/pgSQL's, not the driver's."""

    def run(statements):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement, params=None)

        return step

    return migrations.RunPython(run(forwards), run(backwards), elidable=False)


class Relabel(migrations.operations.base.Operation):
    """Give fields of one model new verbose names, and nothing else: a change of state only (no
    SQL), written as {field: label} instead of an AlterField that repeats each whole field.

    The fields are taken as the migration state has them and rebuilt with the new label, so the
    step stays right whatever the field's other arguments are."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name, labels):
        self.model_name = model_name
        self.labels = labels

    def deconstruct(self):
        return self.__class__.__name__, [self.model_name, self.labels], {}

    def state_forwards(self, app_label, state):
        fields = state.models[app_label, self.model_name.lower()].fields
        for name, label in self.labels.items():
            _, path, args, kwargs = fields[name].deconstruct()
            field = import_string(path)(*args, **{**kwargs, "verbose_name": label})
            state.alter_field(app_label, self.model_name.lower(), name, field, preserve_default=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass  # a label is not in the database

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Relabel {', '.join(self.labels)} of {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"relabel_{self.model_name.lower()}"


# The set-up's version token (clinic/setup_cache.py): the triggers that give it a new value on
# every write to a set-up table. PostgreSQL runs one trigger per statement (a bulk change is one
# new token); SQLite has row triggers only. Both write a random token: 128 bits that never come
# back. SQLite carries out some migrations by rebuilding the table, which loses its triggers: a
# migration that alters a watched table adds them again (tests/clinic/test_setup_cache.py finds
# any missing).

SETUP_VERSION_TABLE = "clinic_setupversion"
_SETUP_FUNCTION = "clinic_setup_changed"


def _setup_trigger_name(table: str) -> str:
    return f"{table}_setup_changed"


def _setup_triggers_postgresql(table: str, columns: tuple[str, ...]) -> list[str]:
    events = f"INSERT OR UPDATE{' OF ' + ', '.join(columns) if columns else ''} OR DELETE OR TRUNCATE"
    return [
        f"DROP TRIGGER IF EXISTS {_setup_trigger_name(table)} ON {table}",
        f"CREATE TRIGGER {_setup_trigger_name(table)} AFTER {events} ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_SETUP_FUNCTION}()",
    ]


_SETUP_SQLITE_NEW_TOKEN = (
    f"INSERT OR REPLACE INTO {SETUP_VERSION_TABLE} (id, token) VALUES (1, lower(hex(randomblob(16))))"
)


def _setup_triggers_sqlite(table: str, columns: tuple[str, ...]) -> list[str]:
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        name = f"{_setup_trigger_name(table)}_{event.lower()}"
        of = f" OF {', '.join(columns)}" if columns and event == "UPDATE" else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event}{of} ON {table} BEGIN {_SETUP_SQLITE_NEW_TOKEN}; END",
        ]
    return statements


def _setup_function_sql(vendor: str) -> list[str]:
    """What the triggers call (PostgreSQL); SQLite writes the token in each trigger's body."""
    if vendor != "postgresql":
        return []
    return [
        f"""CREATE OR REPLACE FUNCTION {_SETUP_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {SETUP_VERSION_TABLE} (id, token) VALUES (1, gen_random_uuid()::text)
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
            RETURN NULL;
        END $$"""
    ]


def _setup_triggers_sql(vendor: str, table: str, columns: tuple[str, ...] = ()) -> list[str]:
    """The statements that put the trigger on `table` (on an update of `columns` only, when given)."""
    return (
        _setup_triggers_postgresql(table, columns) if vendor == "postgresql" else _setup_triggers_sqlite(table, columns)
    )


def _setup_drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_setup_trigger_name(table)} ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {_setup_trigger_name(table)}_{event}" for event in ("insert", "update", "delete")]


def setup_trigger_names(vendor: str, table: str) -> set[str]:
    """The names of the triggers a watched table has (the test compares them with the database's)."""
    if vendor == "postgresql":
        return {_setup_trigger_name(table)}
    return {f"{_setup_trigger_name(table)}_{event}" for event in ("insert", "update", "delete")}


class WatchSetupTable(migrations.operations.base.Operation):
    """Migration operation: a write to `table` (to its `columns` alone for an update, when given:
    auth_user's names, not its last log-in) gives the set-up a new token. No change of state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, columns: tuple[str, ...] | list[str] = ()):
        self.table, self.columns = table, tuple(columns)

    def deconstruct(self):
        return self.__class__.__qualname__, [self.table], {"columns": self.columns} if self.columns else {}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for sql in _setup_function_sql(vendor) + _setup_triggers_sql(vendor, self.table, self.columns):
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for sql in _setup_drop_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def describe(self):
        return f"Give the set-up a new version token on a write to {self.table}"


# A patient's record version (patients/record_version.py): the triggers that give a patient's row
# of patients_recordversion a new random token on every write to a table of their record, in the
# writing transaction. Each watched table names how a row leads to its patient: `patient` is an
# SQL expression over the row called {row} ("{row}.patient_id", or a subquery through the row's
# diagnosis, session or note). An update bumps the patient before and after (a row moved to
# another patient changes both records). Row triggers on both databases: a statement lock-steps
# over the few rows of one patient, and the token row of each patient it touches stays locked
# until the writer commits, so a reader never keeps a page under a token a writer is changing.
# SQLite rebuilds a table for some migrations and loses its triggers: a migration that alters a
# watched table adds them again (tests/patients/test_record_version.py finds any missing).

RECORD_VERSION_TABLE = "patients_recordversion"
_RECORD_FUNCTION = "patients_record_changed"


def _record_trigger_name(table: str) -> str:
    return f"{table}_record_changed"


def _record_function_sql(vendor: str) -> list[str]:
    """What the PostgreSQL triggers call with a patient's id; SQLite writes the token in each body."""
    if vendor != "postgresql":
        return []
    return [
        f"""CREATE OR REPLACE FUNCTION {_RECORD_FUNCTION}(patient bigint) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF patient IS NOT NULL THEN
                INSERT INTO {RECORD_VERSION_TABLE} (patient_id, token) VALUES (patient, gen_random_uuid()::text)
                ON CONFLICT (patient_id) DO UPDATE SET token = EXCLUDED.token;
            END IF;
        END $$"""
    ]


def _record_triggers_postgresql(table: str, patient: str) -> list[str]:
    name = _record_trigger_name(table)
    old, new = patient.format(row="OLD"), patient.format(row="NEW")
    return [
        f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM {_RECORD_FUNCTION}({old}); END IF;
            IF TG_OP <> 'DELETE' THEN PERFORM {_RECORD_FUNCTION}({new}); END IF;
            RETURN NULL;
        END $$""",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _record_triggers_sqlite(table: str, patient: str) -> list[str]:
    def bump(row: str) -> str:
        return (
            f"INSERT OR REPLACE INTO {RECORD_VERSION_TABLE} (patient_id, token) "
            f"SELECT p, lower(hex(randomblob(16))) FROM (SELECT {patient.format(row=row)} AS p) WHERE p IS NOT NULL;"
        )

    statements = []
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        name = f"{_record_trigger_name(table)}_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {' '.join(bump(row) for row in rows)} END",
        ]
    return statements


def record_trigger_names(vendor: str, table: str) -> set[str]:
    """The names of the triggers a watched table has (the test compares them with the database's)."""
    if vendor == "postgresql":
        return {_record_trigger_name(table)}
    return {f"{_record_trigger_name(table)}_{event}" for event in ("insert", "update", "delete")}


class WatchPatientRecord(migrations.operations.base.Operation):
    """Migration operation: a write to `table` gives the record version of the patient the row
    belongs to (`patient`, an SQL expression over {row}) a new token. No change of state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, patient: str = "{row}.patient_id"):
        self.table, self.patient = table, patient

    def deconstruct(self):
        return self.__class__.__qualname__, [self.table], {"patient": self.patient}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        triggers = _record_triggers_postgresql if vendor == "postgresql" else _record_triggers_sqlite
        for sql in _record_function_sql(vendor) + triggers(self.table, self.patient):
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        name = _record_trigger_name(self.table)
        if vendor == "postgresql":
            statements = [f"DROP TRIGGER IF EXISTS {name} ON {self.table}", f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            statements = [f"DROP TRIGGER IF EXISTS {trigger}" for trigger in record_trigger_names(vendor, self.table)]
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def describe(self):
        return f"Give a patient's record a new version token on a write to {self.table}"


# The schedule's version (sessions/schedule_version.py): a write to a session or a held offer adds
# a row to treatment_sessions_schedulechange for the UTC day the row starts on, before and after
# (a session moved to another day changes both). Rows are only added, never updated: writers of
# the same day never wait for each other, and a reader counts a span's rows (each committed write
# adds at least one, so an equal count is an equal span). A random nonce beside the day makes a
# count reached again after a rolled-back write (a test's, on SQLite, which reuses its ids) read
# differently. SQLite rebuilds a table for some migrations and loses its triggers: a migration
# that alters a logged table adds them again (tests/sessions/test_schedule_version.py finds any missing).

SCHEDULE_CHANGE_TABLE = "treatment_sessions_schedulechange"


def _schedule_trigger_name(table: str) -> str:
    return f"{table}_schedule_changed"


def _schedule_triggers_postgresql(table: str) -> list[str]:
    name = _schedule_trigger_name(table)
    day = "({row}.starts_at AT TIME ZONE 'UTC')::date"
    log = f"INSERT INTO {SCHEDULE_CHANGE_TABLE} (day, nonce) VALUES ({day}, (random() * 2147483647)::int)"
    return [
        f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {log.format(row="OLD")}; END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {day.format(row="NEW")} <> {day.format(row="OLD")}) THEN
                {log.format(row="NEW")};
            END IF;
            RETURN NULL;
        END $$""",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _schedule_triggers_sqlite(table: str) -> list[str]:
    def log(row: str, when: str = "1") -> str:
        return (
            f"INSERT INTO {SCHEDULE_CHANGE_TABLE} (day, nonce) "
            f"SELECT date({row}.starts_at), abs(random() % 2147483647) WHERE {when};"
        )

    moved = log("NEW", when="date(NEW.starts_at) <> date(OLD.starts_at)")
    statements = []
    for event, body in (("INSERT", log("NEW")), ("UPDATE", f"{log('OLD')} {moved}"), ("DELETE", log("OLD"))):
        name = f"{_schedule_trigger_name(table)}_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END",
        ]
    return statements


def schedule_trigger_names(vendor: str, table: str) -> set[str]:
    """The names of the triggers a logged table has (the test compares them with the database's)."""
    if vendor == "postgresql":
        return {_schedule_trigger_name(table)}
    return {f"{_schedule_trigger_name(table)}_{event}" for event in ("insert", "update", "delete")}


class LogScheduleDays(migrations.operations.base.Operation):
    """Migration operation: a write to `table` (a table with a starts_at) adds a row to the
    schedule's change log for the day it starts on. No change of state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str):
        self.table = table

    def deconstruct(self):
        return self.__class__.__qualname__, [self.table], {}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        postgresql = schema_editor.connection.vendor == "postgresql"
        triggers = _schedule_triggers_postgresql if postgresql else _schedule_triggers_sqlite
        for sql in triggers(self.table):
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        name = _schedule_trigger_name(self.table)
        if vendor == "postgresql":
            statements = [f"DROP TRIGGER IF EXISTS {name} ON {self.table}", f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            statements = [f"DROP TRIGGER IF EXISTS {trigger}" for trigger in schedule_trigger_names(vendor, self.table)]
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def describe(self):
        return f"Log the day of each write to {self.table} in the schedule's change log"
