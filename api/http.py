"""The API's plumbing, written once: a domain refusal as 409 or 422 with its reasons, the page
size, a JSON parser that refuses NUL characters, and the audit entry of every request (which the
throttle, api.throttle, counts)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from clinic.audit import ALLOWED, REFUSED, VIEW, audit_access
from clinic.refusals import Refused, WarningsNotConfirmed

# What an ACCESS entry of an API write records (a read is a VIEW, as on the pages).
API_WRITE = "api_write"


def refusal_status(error: Refused) -> int:
    """409 when only clashes with other bookings stand in the way (another time may work); 422
    when any other rule refuses, and for warnings still to confirm."""
    if isinstance(error, WarningsNotConfirmed):
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    return status.HTTP_409_CONFLICT if error.conflict else status.HTTP_422_UNPROCESSABLE_ENTITY


def refusal_response(error: Refused) -> Response:
    body = {"reasons": error.reasons, "warnings": error.warnings}
    if isinstance(error, WarningsNotConfirmed):
        body["detail"] = gettext("Read the warnings, then send the request again with confirm_warnings set to true.")
    return Response(body, status=refusal_status(error))


def api_exception_handler(exc, context):
    """DRF's handler, plus the domain's refusal; a model's own validation (a constraint's
    sentence) is bad input, 400."""
    if isinstance(exc, Refused):
        return refusal_response(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)


class Pages(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """JSON, refusing a NUL character anywhere in it (PostgreSQL cannot store one in text; the
    pages' forms get the same answer from clinic.middleware.HostileInputMiddleware)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise exceptions.ParseError(gettext("The request contains a NUL character."))
        return data


class AuditedMixin:
    """Every request that a user makes goes to the audit log like a page read: the patient whose
    record it touched (`audit_patient`, set by the view once it knows), the outcome, the address."""

    audit_patient = None
    audit_obj = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        refused = response.status_code >= 400
        audit_access(
            request=request,
            patient=self.audit_patient,
            obj=self.audit_obj,
            action=VIEW if request.method in ("GET", "HEAD", "OPTIONS") else API_WRITE,
            outcome=REFUSED if refused else ALLOWED,
            detail=f"API {request.method} answered {response.status_code}.",
        )
        return response
