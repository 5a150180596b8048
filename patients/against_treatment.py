"""What the contraindication check reads of patients' records, in one statement.

Every booking, move, check-in, completion and signed note runs the check
(patients.contraindications), for one patient or for a day's hundreds. It reads three things of
each record: the active diagnoses whose current phase is acute, the health flags active on the
day, and the newest version of each consent topic signed. Written as three ORM queries, building
them cost the booking about 2 ms of CPU, more than running them (docs/PERFORMANCE.md, seventeenth
round); written as one statement, the database answers all three at once. The rules they stand
for are the ones the rest of the record's readers use:

- the current phase of a diagnosis at a moment is its latest phase record in effect then, by
  PhaseRecord.Meta.ordering (patients.selectors.diagnoses_with_current_phase);
- a health flag is active on a day from `active_from` to `active_to`, both included
  (HealthFlag.is_active_on);
- a patient's signature of a topic counts in the number of the version signed (patients.consent).
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone

from clinic.lookups import any_of_sql
from patients.models import ConsentSignature, ConsentVersion, Diagnosis, HealthFlag, Phase, PhaseRecord


@dataclass
class AgainstTreatment:
    """What speaks against treating some patients at a moment, by patient id: `acute` the active
    diagnoses whose current phase is acute (newest diagnosis first, each with `current_phase` and
    its recorder), `flags` the active health flags (by kind and substance, as the database sorts
    them; read with their kind and substance, the rest of the row on demand), and `signed` the
    newest version number signed of each topic asked about ({topic id: number})."""

    acute: dict[int, list[Diagnosis]]
    flags: dict[int, list[HealthFlag]]
    signed: dict[int, dict[int, int]]


_FLAG_FIELDS = ["id", "patient_id", "kind", "substance"]


def against_treatment_read(
    *, patient_ids: Collection[int], at: dt.datetime, topic_ids: Collection[int] = ()
) -> AgainstTreatment:
    """AgainstTreatment of `patient_ids` at `at`, with the signatures of `topic_ids` only (none
    asked, none read). One query, and one more to name the recorders when a phase is acute."""
    found = AgainstTreatment(acute={}, flags={}, signed={})
    if not patient_ids:
        return found
    using = router.db_for_read(Diagnosis)
    connection = connections[using]
    quote = connection.ops.quote_name
    diagnoses, phases, flags, signatures, versions = (
        quote(model._meta.db_table) for model in (Diagnosis, PhaseRecord, HealthFlag, ConsentSignature, ConsentVersion)
    )
    patient_sql, patient_params = any_of_sql(connection, "patient_id", patient_ids)
    # As the ORM writes them for the database (SQLite keeps UTC moments as text without a zone).
    on = connection.ops.adapt_datefield_value(timezone.localdate(at))
    moment = connection.ops.adapt_datetimefield_value(at)
    newest_first = ", ".join(
        f"{field.removeprefix('-')} DESC" if field.startswith("-") else field for field in PhaseRecord._meta.ordering
    )
    latest = f"FROM {phases} WHERE diagnosis_id = d.id AND effective_from <= %s ORDER BY {newest_first} LIMIT 1"
    # Every part gives: the part, the patient, two ids or numbers, the diagnosis's day and the
    # flag's kind and substance; ordered so each part comes in the order its readers expect. The
    # current phase is looked up by its index for each diagnosis (joined to the phases instead,
    # PostgreSQL scanned all of them for a day's patients).
    sql = (
        "SELECT 'a', patient_id, id, phase_id, diagnosed_on, NULL, NULL FROM ("
        f"SELECT d.patient_id, d.id, d.diagnosed_on, (SELECT id {latest}) AS phase_id, (SELECT phase {latest}) AS phase"
        f" FROM {diagnoses} d WHERE d.{patient_sql} AND d.active = %s) AS current WHERE phase = %s"
        f" UNION ALL SELECT 'f', patient_id, id, NULL, NULL, kind, substance FROM {flags}"
        f" WHERE {patient_sql} AND active_from <= %s AND (active_to IS NULL OR active_to >= %s)"
    )
    params = [moment, moment, *patient_params, True, Phase.ACUTE, *patient_params, on, on]
    if topic_ids:
        topic_sql, topic_params = any_of_sql(connection, "v.topic_id", topic_ids)
        sql += (
            f" UNION ALL SELECT 'c', s.patient_id, v.topic_id, MAX(v.number), NULL, NULL, NULL FROM {signatures} s"
            f" JOIN {versions} v ON v.id = s.version_id WHERE s.{patient_sql} AND {topic_sql}"
            " GROUP BY s.patient_id, v.topic_id"
        )
        params += [*patient_params, *topic_params]
    sql += " ORDER BY 1, 2, 5 DESC, 6, 7, 3"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    acute = [(patient_id, record_id) for part, patient_id, _, record_id, *_ in rows if part == "a"]
    records = PhaseRecord.objects.select_related("diagnosis", "recorded_by").in_bulk([pk for _, pk in acute])
    for patient_id, record_id in acute:
        diagnosis = records[record_id].diagnosis
        diagnosis.current_phase = records[record_id]
        found.acute.setdefault(patient_id, []).append(diagnosis)
    for part, patient_id, first, second, _, kind, substance in rows:
        if part == "f":
            flag = HealthFlag.from_db(using, _FLAG_FIELDS, (first, patient_id, kind, substance))
            found.flags.setdefault(patient_id, []).append(flag)
        elif part == "c":
            found.signed.setdefault(patient_id, {})[first] = second
    return found
