"""The manager's list of emergency ("break-glass") accesses, and the audit log filtered to them."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import TherapistFactory
from tests.scenes import url_of

REASON = "Patient collapsed in the waiting room; her therapist is away today."
ADDRESS = "10.9.8.7"


@pytest.fixture
def as_jonas(db):
    """A therapist who does not treat Maria."""
    return client_for(TherapistFactory(user__username="jonas").user)


open_url = url_of("chart:break_glass_open")


def test_the_manager_sees_the_list(as_jonas, maria, manager):
    as_jonas.post(open_url(maria), {"reason": REASON}, REMOTE_ADDR=ADDRESS)
    response = client_for(manager).get(reverse("manager:break_glass_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('class="break-glass-access"') == 1
    for text in (REASON, str(maria), ADDRESS, "active"):
        assert text in content
    # And in the audit log, filtered to emergency accesses.
    audit = client_for(manager).get(reverse("manager:audit_log"), {"action": "break_glass"})
    assert audit.content.decode().count('class="audit-entry"') == 1
