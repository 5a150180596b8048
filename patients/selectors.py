"""Reads of the clinical record that the contraindication check and the pages share."""

import datetime as dt
import re

from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from patients.models import BreakGlassAccess, Diagnosis, HealthFlag, Patient, PhaseRecord, Study
from patients.names import fold


def diagnoses_with_current_phase(*, patient: Patient, at: dt.datetime) -> list[Diagnosis]:
    """Active diagnoses, each with `current_phase`: the latest phase record in effect at `at`
    (None when no phase has been recorded yet). Two queries however many diagnoses."""
    records = PhaseRecord.objects.filter(effective_from__lte=at).select_related("recorded_by")
    diagnoses = list(
        patient.diagnoses.filter(active=True).prefetch_related(
            Prefetch("phase_records", queryset=records, to_attr="phases_in_effect")
        )
    )
    for diagnosis in diagnoses:
        # Ordered newest first by PhaseRecord.Meta.ordering.
        diagnosis.current_phase = diagnosis.phases_in_effect[0] if diagnosis.phases_in_effect else None
    return diagnoses


def health_flags_active(*, patient: Patient, on: dt.date) -> QuerySet[HealthFlag]:
    return patient.health_flags.filter(Q(active_to__isnull=True) | Q(active_to__gte=on), active_from__lte=on)


# The search box takes a date of birth in either the local or the ISO way of writing it.
SEARCH_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")
# What people type between the digits of a phone number.
PHONE_SEPARATORS = " +-()./"
_PHONE_QUERY = re.compile(r"[0-9 +\-()./]*[0-9][0-9 +\-()./]*")


def _search_date(query: str) -> dt.date | None:
    for date_format in SEARCH_DATE_FORMATS:
        try:
            return dt.datetime.strptime(query, date_format).date()
        except ValueError:
            continue
    return None


def _digits_of(expression):
    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def patients_search(*, query: str = "") -> QuerySet[Patient]:
    """Patients matching what reception typed, in the order readers of the clinic's language expect
    (Schäfer before Schulz: patients.names.sort_key).

    - a date of birth ("12.04.1975", "1975-04-12");
    - a phone number or a part of one, compared digit by digit ("030 555-01" finds
      "+49 (30) 555 0123");
    - an e-mail address;
    - names as they are spoken, in any order and with or without a comma ("Schafer, Leonie",
      "leonie schafer"): case and diacritics do not matter ("celik" finds Çelik, "yilmaz"
      Yılmaz), and "Mueller" finds Müller as "Muller" does. Every word must appear in the name;
    - a year of birth, alone (which also matches phone digits) or beside names ("Weber 1961").
    """
    patients = Patient.objects.order_by("sort_last_name", "sort_first_name", "pk")
    query = " ".join(query.replace(",", " ").split())
    if not query:
        return patients  # read off patient_sort_key_idx, page by page
    # The same order, in words the sort index does not match: otherwise PostgreSQL walks that
    # index hoping to meet 25 matches early, and when they all sit under one letter ("Kowa…")
    # reads most of the table, instead of asking the trigram indexes and sorting the matches.
    # (The keys are never NULL, so NULLS FIRST changes nothing but the plan.)
    patients = patients.order_by(
        F("sort_last_name").asc(nulls_first=True), F("sort_first_name").asc(nulls_first=True), "pk"
    )
    day = _search_date(query)
    if day is not None:
        return patients.filter(date_of_birth=day)
    if _PHONE_QUERY.fullmatch(query):
        # Leading zeros are the trunk or international prefix: "030 555" should find "+49 30 555".
        digits = re.sub(r"[^0-9]", "", query).lstrip("0") or "0"
        by_phone = Q(phone_digits__contains=digits)
        year = _birth_year(query)
        if year is not None:
            by_phone |= _born_in(year)
        return patients.annotate(phone_digits=_digits_of(F("phone"))).filter(by_phone)
    if "@" in query:
        return patients.filter(email__icontains=query)
    found = Q()
    for word in query.split():
        year = _birth_year(word)
        if year is not None:
            found &= _born_in(year)
            continue
        # A word folds the plain way ("Müller" → "muller"); search_name holds the German
        # transliteration too, so "mueller" matches it as typed.
        folded = fold(word)
        if folded:
            found &= Q(search_name__contains=folded)
    return patients.filter(found)


def _birth_year(word: str) -> int | None:
    if len(word) == 4 and word.isdigit() and 1900 <= int(word) <= timezone.localdate().year:
        return int(word)
    return None


def _born_in(year: int) -> Q:
    # A range, not __year: the date-of-birth index serves it on both databases.
    return Q(date_of_birth__gte=dt.date(year, 1, 1), date_of_birth__lt=dt.date(year + 1, 1, 1))


def patients_with_same_identity(*, first_name: str, last_name: str, date_of_birth: dt.date) -> QuerySet[Patient]:
    """Patients already registered under this name (ignoring case) and date of birth."""
    return Patient.objects.filter(
        first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
    ).order_by("pk")


def health_flags_active_by_patient(*, patient_ids, on: dt.date, kinds=None) -> dict[int, list[HealthFlag]]:
    """{patient id: active flags} for many patients in one query, for lists that show warnings."""
    flags = HealthFlag.objects.filter(
        Q(active_to__isnull=True) | Q(active_to__gte=on), patient_id__any=patient_ids, active_from__lte=on
    ).order_by("patient_id", "kind", "substance")
    if kinds is not None:
        flags = flags.filter(kind__in=kinds)
    by_patient: dict[int, list[HealthFlag]] = {}
    for flag in flags:
        by_patient.setdefault(flag.patient_id, []).append(flag)
    return by_patient


def diagnoses_with_history(*, patient: Patient, at: dt.datetime) -> list[Diagnosis]:
    """Every diagnosis of the patient, active ones first and then the newest, each with `phases`
    (newest first), `current_phase` (the latest in effect at `at`, or None) and `studies`.
    Three queries however many diagnoses."""
    diagnoses = list(
        patient.diagnoses.order_by("-active", "-diagnosed_on", "-pk").prefetch_related(
            Prefetch("phase_records", queryset=PhaseRecord.objects.select_related("recorded_by"), to_attr="phases"),
            Prefetch("studies", queryset=Study.objects.order_by("-performed_on", "-pk"), to_attr="study_list"),
        )
    )
    for diagnosis in diagnoses:
        # Ordered newest first by PhaseRecord.Meta.ordering.
        diagnosis.current_phase = next((r for r in diagnosis.phases if r.effective_from <= at), None)
    return diagnoses


def break_glass_unreviewed() -> QuerySet[BreakGlassAccess]:
    """Emergency accesses no manager has reviewed yet, oldest first: the manager's to-do."""
    return (
        BreakGlassAccess.objects.filter(review__isnull=True)
        .select_related("user", "patient")
        .order_by("created_at", "pk")
    )
