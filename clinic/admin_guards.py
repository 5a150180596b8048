"""One fix for every admin form with an autocomplete field (autocomplete_fields, in any app).

A form posted with a value that is not an id ("abc" for a user) is invalid, and the admin shows it
again; rendering the autocomplete widget then looks the posted value up to show its label, and
Django's widget passes it straight to the query, which raises on a number field: a server error
instead of "Select a valid choice". The guard drops the values the field cannot hold before that
lookup, so the form comes back with its error message.
"""

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

_original_optgroups = AutocompleteMixin.optgroups


def _valid_values(widget, value) -> list:
    remote_opts = widget.field.remote_field.model._meta
    to_field_name = getattr(widget.field.remote_field, "field_name", remote_opts.pk.attname)
    target = remote_opts.get_field(to_field_name)
    kept = []
    for item in value:
        try:
            target.run_validators(target.to_python(item))  # the type, and its range in the database
        except (ValidationError, TypeError, ValueError):
            continue
        kept.append(item)
    return kept


def _guarded_optgroups(self, name, value, attr=None):
    return _original_optgroups(self, name, _valid_values(self, value), attr)


def autocomplete_guard_install() -> None:
    if AutocompleteMixin.optgroups is not _guarded_optgroups:
        AutocompleteMixin.optgroups = _guarded_optgroups
