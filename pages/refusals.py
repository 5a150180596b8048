"""A domain refusal (clinic.refusals.Refused) as a page shows it: on the form that asked, or as
a message after a button that posts and redirects. Every page goes through these two."""

from collections.abc import Callable

from django.contrib import messages
from django.utils.translation import gettext_lazy

from clinic.refusals import Refused, WarningsNotConfirmed

CONFIRM_FIELD = "confirm_warnings"
CONFIRM_WARNINGS = gettext_lazy("Confirm the warnings to go ahead.")


def refusal_on_form(form, error: Refused) -> list[str]:
    """Put the refusal on `form`: each reason as an error of the whole form; warnings that were
    not confirmed as an error on the form's confirmation box. Returns the warnings for the page
    to show next to that box (none for a refusal)."""
    if isinstance(error, WarningsNotConfirmed) and CONFIRM_FIELD in form.fields:
        form.add_error(CONFIRM_FIELD, CONFIRM_WARNINGS)
        return error.warnings
    for reason in error.reasons or error.warnings:
        form.add_error(None, reason)
    return []


def refusal_message(request, error: Refused) -> None:
    """The refusal as one error message, for the page the view redirects to: its reasons
    (or, for warnings nobody could confirm there, the warnings) in one line."""
    messages.error(request, str(error))


def done_or_refused(request, act: Callable[[], object], done: str | Callable[[object], str]) -> bool:
    """After a button that posts and redirects: `act()` through the service, then `done` (or
    `done(result)`) as a success message, or the refusal as an error message (nothing done).
    True when it was done."""
    try:
        result = act()
    except Refused as error:
        refusal_message(request, error)
        return False
    messages.success(request, done(result) if callable(done) else done)
    return True


def saved_or_refused(
    request, form, save: Callable, done: Callable[[object], str], warnings: list[str] | None = None
) -> bool:
    """On a valid POST of `form`, `save()` through the service. A refusal goes on the form (nothing
    saved) and gives False, as does a GET or an invalid form; success puts `done(result)` in a
    message and gives True, for the view to redirect. Warnings left to confirm are added to
    `warnings`, when given, for the page to show beside the form's confirmation box."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        result = save()
    except Refused as error:
        unconfirmed = refusal_on_form(form, error)
        if warnings is not None:
            warnings.extend(unconfirmed)
        return False
    messages.success(request, done(result))
    return True
