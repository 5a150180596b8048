"""What every endpoint shares: the audit entry of each request, the roles that may use it, and
looking up the objects a request body names."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from api.http import AuditedMixin
from clinic import roles
from clinic.roles import has_role
from patients.models import Patient
from sessions.chart_access import therapist_may_open_chart


class ApiView(AuditedMixin, GenericAPIView):
    """An endpoint: `roles` may read it, `write_roles` (default: `roles`) may change through it."""

    roles: tuple[str, ...] = ()

    def query(self, filter_class) -> dict:
        """The query string through `filter_class`, or its errors as a 400."""
        return _validated(filter_class, self.request.query_params)

    def body(self, serializer_class) -> dict:
        """The request's JSON through `serializer_class`, or its errors as a 400."""
        return _validated(serializer_class, self.request.data)

    def paginated(self, rows, serializer_class, **context):
        page = self.paginate_queryset(rows)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return self.get_paginated_response(data)


def _validated(serializer_class, data) -> dict:
    given = serializer_class(data=data)
    given.is_valid(raise_exception=True)
    return given.validated_data


def list_schema(name: str, summary: str, serializer_class, filters=None, **more):
    """The schema of a list endpoint: a page of `serializer_class`, the filters as parameters."""
    parameters = [filters] if filters else more.pop("parameters", None)
    return extend_schema(
        operation_id=f"{name}_list",
        summary=summary,
        parameters=parameters,
        responses=serializer_class(many=True),
        **more,
    )


def named(model, pk, field: str):
    """The object a request body names by its id, or a 400 on that field."""
    obj = model.objects.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        message = gettext("No %(model)s has the id %(id)s.") % {"model": model._meta.verbose_name, "id": pk}
        raise serializers.ValidationError({field: [message]})
    return obj


def treats_or_manages(user, patient: Patient) -> bool:
    """The chart's rule (pages.chart.views): a manager, or a therapist who treats the patient or
    opened the chart in an emergency."""
    return has_role(user, roles.MANAGER) or therapist_may_open_chart(user=user, patient=patient)


def front_desk_or_treats(user, patient: Patient) -> bool:
    """Reception reads every patient's demographics; a therapist those of the patients she treats."""
    return has_role(user, roles.RECEPTIONIST) or treats_or_manages(user, patient)


def patient_or_404(pk: int) -> Patient:
    return get_object_or_404(Patient, pk=pk)
