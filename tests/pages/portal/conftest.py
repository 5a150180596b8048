"""Nora, a patient with a portal login, for the portal's pages."""

import pytest

from tests.conftest import client_for
from tests.scenes import portal_patient


@pytest.fixture
def nora(db):
    return portal_patient(email="nora@example.org", first_name="Nora", last_name="Lind")


@pytest.fixture
def as_nora(nora):
    return client_for(nora.user)
