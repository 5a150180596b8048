"""What may be done with a session at a moment (appointment_actions), and the treatment gate:
the contraindication check runs again when a session is checked in, completed or its note
signed; the services refuse by the same answer the pages show their buttons by."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic.refusals import Refused
from patients.models import FlagKind, Phase, RuleEffect
from sessions.appointments import (
    appointment_actions,
    appointment_check_in,
    appointment_complete,
    appointment_no_show,
    appointment_review_keep,
    appointments_actions,
    appointments_allowed,
)
from sessions.models import Appointment, AppointmentStatus
from tests.factories import (
    AppointmentFactory,
    ContraindicationRuleFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
    earlier_today,
    local,
)
from tests.scenes import consent_rule

pytestmark = pytest.mark.django_db

ACTIONS = ("check_in", "complete", "no_show", "cancel", "move", "sign")


def later_today() -> dt.datetime:
    """A moment still ahead today (a minute before midnight at the latest)."""
    last = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 59)))
    return min(timezone.now().replace(microsecond=0) + dt.timedelta(minutes=30), last)


def allowed(appointment) -> set[str]:
    actions = appointment_actions(appointment)
    return {action for action in ACTIONS if actions.allows(action)}


def acute(patient, **fields):
    diagnosis = DiagnosisFactory(patient=patient)
    return PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.ACUTE, **fields)


# --- The predicates: status and time -----------------------------------------------------------


def test_a_future_session_may_only_be_moved_or_cancelled():
    appointment = AppointmentFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    assert allowed(appointment) == {"move", "cancel"}
    assert not appointment.can_check_in and not appointment.can_complete and not appointment.can_no_show


def test_a_session_later_today_may_be_checked_in_but_not_completed_or_missed():
    appointment = AppointmentFactory(starts_at=later_today())
    if appointment.starts_at <= timezone.now():
        pytest.skip("the last minute of the day")
    assert allowed(appointment) == {"check_in", "move", "cancel"}


def test_a_booked_session_under_way_may_be_checked_in_completed_or_missed():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    assert allowed(appointment) == {"check_in", "complete", "no_show", "move", "cancel"}


def test_a_checked_in_session_may_be_completed_cancelled_or_signed():
    appointment = AppointmentFactory(starts_at=earlier_today(10), status=AppointmentStatus.CHECKED_IN)
    assert allowed(appointment) == {"complete", "cancel", "sign"}


def test_a_past_booked_session_may_no_longer_be_checked_in():
    appointment = AppointmentFactory(starts_at=timezone.now() - dt.timedelta(days=2))
    actions = appointment_actions(appointment)
    assert actions.why_not["check_in"] == ["A patient is checked in on the day of the session only."]
    assert actions.complete and actions.no_show


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_cancelled_or_missed_session_allows_nothing(status):
    appointment = AppointmentFactory(starts_at=earlier_today(10), status=status, cancellation_reason="Ill")
    assert allowed(appointment) == set()


def test_a_completed_session_with_a_signed_note_allows_nothing():
    appointment = AppointmentFactory(starts_at=earlier_today(10), status=AppointmentStatus.COMPLETED)
    SessionNoteFactory(appointment=appointment, signed_at=timezone.now(), signed_by=appointment.therapist.user)
    actions = appointment_actions(Appointment.objects.get(pk=appointment.pk))
    assert allowed(appointment) == set()
    assert "signed" in actions.why_not["sign"][0]


def test_the_refusal_sentences_are_the_services():
    future = AppointmentFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    why_not = appointment_actions(future).why_not
    assert why_not["complete"] == ["A session cannot be completed before it starts."]
    assert why_not["no_show"] == ["A no-show is recorded only once the session's start time has passed."]
    for service, action in ((appointment_complete, "complete"), (appointment_no_show, "no_show")):
        with pytest.raises(Refused) as excinfo:
            service(appointment=future)
        assert excinfo.value.reasons == why_not[action]


# --- The treatment gate ------------------------------------------------------------------------


def test_check_in_is_refused_while_the_patient_is_acute_and_names_the_reason():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    acute(appointment.patient)  # recorded after the booking
    with pytest.raises(Refused) as excinfo:
        appointment_check_in(appointment=appointment)
    assert "Acute phase of M54.3 Sciatica" in excinfo.value.reasons[0]
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED


def test_completion_is_refused_while_the_patient_is_acute():
    appointment = AppointmentFactory(starts_at=earlier_today(10), status=AppointmentStatus.CHECKED_IN)
    acute(appointment.patient)
    with pytest.raises(Refused) as excinfo:
        appointment_complete(appointment=appointment)
    assert "Acute phase" in excinfo.value.reasons[0]
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CHECKED_IN


def test_a_block_rule_for_the_patients_flag_and_the_modality_refuses_check_in():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    HealthFlagFactory(patient=appointment.patient, kind=FlagKind.FEVER_INFECTION)  # a default block rule
    with pytest.raises(Refused) as excinfo:
        appointment_check_in(appointment=appointment)
    assert excinfo.value.reasons == ["Fever or infection: no massage until it has passed."]


def test_a_block_rule_for_another_modality_does_not_refuse():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    other = AppointmentFactory().modality
    HealthFlagFactory(patient=appointment.patient, kind=FlagKind.OTHER)
    ContraindicationRuleFactory(flag_kind=FlagKind.OTHER, modality=other, effect=RuleEffect.BLOCK)
    assert appointment_check_in(appointment=appointment).status == AppointmentStatus.CHECKED_IN


def test_check_in_succeeds_with_warn_rules_and_returns_them_to_read():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    HealthFlagFactory(patient=appointment.patient, kind=FlagKind.HYPERTENSION)  # a default warn rule
    assert appointment_actions(appointment).warnings == [
        "High blood pressure: the therapist should check it and adapt the pressure."
    ]
    checked_in = appointment_check_in(appointment=appointment)
    assert checked_in.status == AppointmentStatus.CHECKED_IN
    assert checked_in.treatment_warnings == appointment_actions(appointment).warnings


def test_a_later_remission_lifts_the_gate():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    record = acute(appointment.patient, effective_from=timezone.now() - dt.timedelta(days=10))
    PhaseRecordFactory(
        diagnosis=record.diagnosis, phase=Phase.SUBACUTE, effective_from=timezone.now() - dt.timedelta(days=1)
    )
    assert appointment_check_in(appointment=appointment).status == AppointmentStatus.CHECKED_IN


def test_the_gate_shows_on_the_actions_before_anyone_clicks():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    acute(appointment.patient)
    actions = appointment_actions(appointment)
    assert actions.blocks and "Acute phase" in actions.blocks[0]
    assert not actions.check_in and not actions.complete
    assert actions.why_not["check_in"] == actions.blocks
    # What does not treat the patient stays possible: reception cancels, moves or records a no-show.
    assert actions.cancel and actions.move and actions.no_show


def test_a_no_show_is_recorded_whatever_the_patients_phase():
    appointment = AppointmentFactory(starts_at=earlier_today(10))
    acute(appointment.patient)
    assert appointment_no_show(appointment=appointment).status == AppointmentStatus.NO_SHOW


def test_a_finished_session_shows_no_block():
    appointment = AppointmentFactory(starts_at=earlier_today(10), status=AppointmentStatus.COMPLETED)
    SessionNoteFactory(appointment=appointment, signed_at=timezone.now(), signed_by=appointment.therapist.user)
    acute(appointment.patient)
    assert appointment_actions(Appointment.objects.get(pk=appointment.pk)).blocks == []


def test_a_list_of_sessions_is_judged_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    sessions = [AppointmentFactory(starts_at=earlier_today(10 + i)) for i in range(6)]
    for session in sessions[:3]:
        acute(session.patient)
        HealthFlagFactory(patient=session.patient, kind=FlagKind.HYPERTENSION)
    loaded = list(Appointment.objects.select_related("modality", "note").order_by("pk"))
    appointments_actions(loaded)  # the clinic's rules kept (clinic/setup_cache.py)
    with django_assert_max_num_queries(4):
        results = appointments_actions(loaded)
    assert [bool(r.blocks) for r in results] == [True, True, True, False, False, False]
    assert all(session.actions is result for session, result in zip(loaded, results, strict=True))


def test_a_page_that_asks_about_some_actions_gets_the_same_answers_for_those_and_no_others():
    blocked = AppointmentFactory(starts_at=earlier_today(10))
    acute(blocked.patient)
    ahead = AppointmentFactory(starts_at=later_today())
    sessions = list(Appointment.objects.select_related("modality").order_by("pk"))
    assert [session.pk for session in sessions] == [blocked.pk, ahead.pk]

    some = appointments_actions(sessions, only=("check_in", "no_show"))
    every = appointments_actions(sessions)

    assert [(r.why_not["check_in"], r.why_not["no_show"]) for r in some] == [
        (r.why_not["check_in"], r.why_not["no_show"]) for r in every
    ]
    assert [(r.check_in, r.no_show) for r in some] == [(False, True), (True, False)]
    assert set(some[0].why_not) == {"check_in", "no_show"}
    with pytest.raises(KeyError):
        some[1].allows("cancel")


def test_the_answer_without_reasons_allows_what_the_answer_with_them_allows():
    """appointments_allowed (the day board's: no sentences written) against appointments_actions,
    for each thing the contraindication check weighs."""
    started = [AppointmentFactory(starts_at=earlier_today(10 + i)) for i in range(6)]
    plain, is_acute, blocked_flag, warned_flag, other_modality, no_consent = started
    acute(is_acute.patient)
    HealthFlagFactory(patient=blocked_flag.patient, kind=FlagKind.FEVER_INFECTION)  # a default block rule
    HealthFlagFactory(patient=warned_flag.patient, kind=FlagKind.HYPERTENSION)  # a default warn rule
    HealthFlagFactory(patient=other_modality.patient, kind=FlagKind.OTHER)
    ContraindicationRuleFactory(flag_kind=FlagKind.OTHER, modality=plain.modality, effect=RuleEffect.BLOCK)
    consent_rule(RuleEffect.BLOCK, modality=no_consent.modality)
    ahead = AppointmentFactory(starts_at=later_today())
    sessions = list(Appointment.objects.select_related("modality").order_by("pk"))
    assert [session.pk for session in sessions] == [session.pk for session in [*started, ahead]]
    only = ("check_in", "no_show")

    without = appointments_allowed(sessions, only=only)
    assert without == [{a for a in only if actions.allows(a)} for actions in appointments_actions(sessions, only=only)]
    assert without == [
        {"check_in", "no_show"},
        {"no_show"},  # acute
        {"no_show"},  # a blocking rule for her flag
        {"check_in", "no_show"},  # a warning does not stop check-in
        {"check_in", "no_show"},  # the blocking rule is for another modality
        {"no_show"},  # no consent signed for this modality
        {"check_in"},  # later today: not missed yet
    ]


# --- Review "keep": the check at the session's start ------------------------------------------


def test_keep_is_refused_while_the_patient_is_still_acute_at_the_start():
    appointment = AppointmentFactory(needs_review=True, review_reason="Review: acute")
    acute(appointment.patient)
    with pytest.raises(Refused) as excinfo:
        appointment_review_keep(appointment=appointment)
    assert "Acute phase" in excinfo.value.reasons[0]
    assert Appointment.objects.get(pk=appointment.pk).needs_review


def test_keep_is_allowed_when_a_remission_is_recorded_from_before_the_start():
    appointment = AppointmentFactory(needs_review=True, review_reason="Review: acute")
    record = acute(appointment.patient, effective_from=timezone.now() - dt.timedelta(days=2))
    PhaseRecordFactory(
        diagnosis=record.diagnosis, phase=Phase.REMISSION, effective_from=appointment.starts_at - dt.timedelta(hours=1)
    )
    assert not appointment_review_keep(appointment=appointment).needs_review


def test_keep_judges_the_start_time_not_now():
    # Acute now, but a remission is already recorded from the day before the session: kept.
    appointment = AppointmentFactory(needs_review=True, review_reason="Review: acute")
    record = acute(appointment.patient, effective_from=timezone.now() - dt.timedelta(hours=1))
    PhaseRecordFactory(
        diagnosis=record.diagnosis, phase=Phase.REMISSION, effective_from=appointment.starts_at - dt.timedelta(days=1)
    )
    assert appointment_actions(appointment).blocks  # now: acute
    assert not appointment_review_keep(appointment=appointment).needs_review


def test_keep_is_refused_by_a_block_rule_in_force_at_the_start():
    appointment = AppointmentFactory(needs_review=True, review_reason="Review: fever")
    HealthFlagFactory(patient=appointment.patient, kind=FlagKind.FEVER_INFECTION, active_from=timezone.localdate())
    with pytest.raises(Refused):
        appointment_review_keep(appointment=appointment)


def test_the_answer_without_reasons_judges_status_and_time_as_the_answer_with_them():
    """appointments_allowed against appointments_actions for every action, for sessions of each
    status before, during and after their day (Appointment.status_change_refused, unworded)."""
    now = timezone.now()
    for status in AppointmentStatus.values:
        for starts_at in (now - dt.timedelta(days=1), earlier_today(5), later_today(), now + dt.timedelta(days=3)):
            reason = "Called off." if status == AppointmentStatus.CANCELLED else ""
            AppointmentFactory(status=status, starts_at=starts_at, cancellation_reason=reason)
    SessionNoteFactory(appointment=AppointmentFactory(status=AppointmentStatus.COMPLETED, starts_at=earlier_today(90)))
    sessions = list(Appointment.objects.select_related("modality").order_by("pk"))

    without = appointments_allowed(sessions, now=now, only=ACTIONS)
    assert without == [
        {action for action in ACTIONS if actions.allows(action)} for actions in appointments_actions(sessions, now=now)
    ]
    # The sessions give different answers: nothing allowed, only moving or cancelling, and more.
    assert set(map(frozenset, without)) > {frozenset(), frozenset({"move", "cancel"})}


def test_the_time_rules_change_at_the_session_s_day_and_start():
    """Appointment.time_rules_change_after names the moments the time rules answer otherwise:
    what a kept day board is drawn anew at (pages.kept_pages)."""
    session = AppointmentFactory(starts_at=local(2026, 3, 9, 10, 30))
    day_opens, starts, day_closes = local(2026, 3, 9), local(2026, 3, 9, 10, 30), local(2026, 3, 10)
    assert session.time_rules_change_after(local(2026, 3, 8, 23)) == day_opens
    assert session.time_rules_change_after(local(2026, 3, 9, 9)) == starts
    assert session.time_rules_change_after(local(2026, 3, 9, 10, 31)) == day_closes
    assert session.time_rules_change_after(local(2026, 3, 10, 0, 1)) is None

    def answers(at):
        statuses = (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)
        return [session.status_change_refused(status, at) for status in statuses]

    for moment in (day_opens, starts, day_closes):
        assert answers(moment - dt.timedelta(seconds=1)) != answers(moment)
