"""The manager's review of an emergency access: a row of its own beside the append-only access,
with a comment, once, in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.db import transaction

from clinic.refusals import Refused
from patients import services as patient_services
from patients.models import BreakGlassAccess, BreakGlassReview
from patients.selectors import break_glass_unreviewed
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

REASON = "Emergency: her own therapist is away today."


@pytest.fixture
def access(db):
    return patient_services.break_glass_open(user=TherapistFactory().user, patient=PatientFactory(), reason=REASON)


def test_the_manager_reviews_an_access_once(access, manager):
    assert list(break_glass_unreviewed()) == [access]

    review = patient_services.break_glass_review(access=access, reviewed_by=manager, comment="  Called Jonas: fine. ")

    assert (review.comment, review.reviewed_by, review.access) == ("Called Jonas: fine.", manager, access)
    assert list(break_glass_unreviewed()) == []
    # The access itself is as the therapist left it.
    assert BreakGlassAccess.objects.get(pk=access.pk).reason == REASON
    entry = LogEntry.objects.get_for_object(review).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.additional_data == {"patient_id": access.patient_id}
    with pytest.raises(Refused, match="reviewed already"):
        patient_services.break_glass_review(access=access, reviewed_by=manager, comment="Again, later.")


@pytest.mark.parametrize(
    ("who", "comment", "reason"),
    [
        ("manager", " ok ", "Write a comment of at least 5 characters: what you checked."),
        ("receptionist", "Looks fine to me.", "Only a manager reviews emergency accesses."),
    ],
)
def test_a_review_needs_a_manager_and_a_comment(access, request, who, comment, reason):
    with pytest.raises(Refused) as refused:
        patient_services.break_glass_review(access=access, reviewed_by=request.getfixturevalue(who), comment=comment)
    assert refused.value.reasons == [reason]
    assert not BreakGlassReview.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_the_review_leaves_the_append_only_access_alone(access, manager):
    """The trigger that refuses UPDATE on the access table does not stand in the review's way."""
    with transaction.atomic():
        patient_services.break_glass_review(access=access, reviewed_by=manager, comment="Checked with the team.")
    assert BreakGlassReview.objects.get().access_id == access.pk
