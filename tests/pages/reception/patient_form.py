"""The patient form, which the create and the edit page share: bad input as reception might type
it, each with the message shown next to its field, and where the page shows a field."""

import datetime as dt
import re

from django.utils import timezone


def field_html(content: str, name: str) -> str:
    """The markup crispy renders for one field: its label, input, help and error messages."""
    match = re.search(rf'<div id="div_id_{name}".*?(?=<div id="div_id_|</fieldset>)', content, re.S)
    assert match, f"no field {name} on the page"
    return match.group(0)


# Stands for the day after the day the test runs, typed as a date (`typed`): read when the test
# runs, not when the suite is collected, so a run that crosses midnight types the right day.
TOMORROW = "<tomorrow>"


def typed(changes: dict) -> dict:
    """The changes as reception types them, TOMORROW as the date of the day after today."""
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    return {key: tomorrow if value == TOMORROW else value for key, value in changes.items()}


# (changes to a valid form, the field, the message shown next to it)
BAD_INPUT = [
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"last_name": ""}, "last_name", "This field is required."),
    ({"last_name": " "}, "last_name", "This field is required."),
    ({"date_of_birth": ""}, "date_of_birth", "This field is required."),
    ({"date_of_birth": "31.02.1975"}, "date_of_birth", "Enter a valid date."),
    ({"date_of_birth": "not a date"}, "date_of_birth", "Enter a valid date."),
    ({"date_of_birth": TOMORROW}, "date_of_birth", "The date of birth cannot be in the future."),
    ({"date_of_birth": "1899-12-31"}, "date_of_birth", "The date of birth cannot be before 1900."),
    ({"date_of_birth": "1850-01-01"}, "date_of_birth", "The date of birth cannot be before 1900."),
    ({"phone": "call me maybe"}, "phone", "may only contain digits, spaces, +, - and brackets"),
    ({"phone": "030/5550123"}, "phone", "may only contain digits, spaces, +, - and brackets"),
    ({"phone": "030 CALL NOW"}, "phone", "may only contain digits, spaces, +, - and brackets"),
    ({"phone": "+49 123"}, "phone", "needs at least 6 digits"),
    ({"phone": "(030) 12"}, "phone", "needs at least 6 digits"),
    ({"phone": "", "email": ""}, "phone", "Give a phone number or an e-mail address"),
    ({"phone": "", "email": ""}, "email", "Give a phone number or an e-mail address"),
    ({"email": "anna.example.org"}, "email", "Enter a valid email address."),
    ({"email": "anna@"}, "email", "Enter a valid email address."),
    ({"consent_on": TOMORROW}, "consent_on", "Consent cannot be dated in the future."),
]


def case_id(changes: dict, field: str) -> str:
    """`phone='',email=''->email`: what was typed, and the field that shows the message."""
    return ",".join(f"{key}={value!r}" for key, value in changes.items()) + f"->{field}"


BAD_INPUT_IDS = [case_id(changes, field) for changes, field, _ in BAD_INPUT]
