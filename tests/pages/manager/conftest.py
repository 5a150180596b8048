"""What the manager's page tests share: a manager's client (second factor passed), and what an
editor's test asks of a response and of the audit log."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from tests.conftest import client_for


@pytest.fixture
def as_manager(manager):
    return client_for(manager)


def logged_by(user, obj) -> bool:
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk), actor=user
    ).exists()


def form_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())
