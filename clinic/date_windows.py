"""How far back and how far ahead each kind of date may lie: the one home of the windows that the
models, the services, the pages' forms and the admin's forms check.

A date outside its window gets a form error, never a 500: without a window, year 1 or 9999 reach
the time-zone and calendar arithmetic (a day's UTC bounds, a series' horizon) and overflow.
A window is a validator: a model's clean() checks its dates with validate_windows (so full_clean,
the admin's forms and every service that cleans refuse them), a form field lists it among its
validators. Not as a model field's validator: migrations would then import this module, and
they import nothing from the apps (tests/test_migrations_squashed.py).
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

EARLIEST_DAY = dt.date(1900, 1, 1)
BOOKING_DAYS_AHEAD = 730  # bookings: from now to two years ahead

# The message of a window without one of its own, by what the window holds ("a day", ...).
ENTER_FROM_TO = {
    "a day": gettext_lazy("Enter a day from {earliest} to {latest}."),
    "a date": gettext_lazy("Enter a date from {earliest} to {latest}."),
    "a date of birth": gettext_lazy("Enter a date of birth from {earliest} to {latest}."),
    "a start": gettext_lazy("Enter a start from {earliest} to {latest}."),
    "a last day": gettext_lazy("Enter a last day from {earliest} to {latest}."),
}


@deconstructible
class DateWindow:
    """Days from `earliest` to `latest`, both included. Each bound is a date, or a whole number of
    days from today (0 is today), so the window moves with the calendar."""

    def __init__(
        self, what: str, earliest: dt.date | int, latest: dt.date | int, too_early: str = "", too_late: str = ""
    ):
        self.what, self.earliest, self.latest = what, earliest, latest
        # Messages of their own for either side; "{earliest}" and "{latest}" become the bounds.
        self.too_early, self.too_late = too_early, too_late

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or timezone.localdate()
        return tuple(  # type: ignore[return-value]
            bound if isinstance(bound, dt.date) else today + dt.timedelta(days=bound)
            for bound in (self.earliest, self.latest)
        )

    def contains(self, value: dt.date | dt.datetime | None) -> bool:
        if value is None:
            return True
        earliest, latest = self.bounds()
        day = local_day(value)
        return day is not None and earliest <= day <= latest

    def message(self, value=None) -> str:
        earliest, latest = self.bounds()
        today = timezone.localdate()
        # Translators: a bound of a date range, as in "Enter a date from 1 January 1900 to today."
        today_text = gettext("today")
        start = today_text if earliest == today else date_format(earliest, gettext("j F Y"))
        end = today_text if latest == today else date_format(latest, gettext("j F Y"))
        day = local_day(value) if value is not None else None
        special = ""
        if day is not None and day < earliest:
            special = self.too_early
        elif day is not None and day > latest:
            special = self.too_late
        if not special:
            # A window of another kind needs its sentence in ENTER_FROM_TO to be translated.
            special = ENTER_FROM_TO.get(self.what) or f"Enter {self.what} from {{earliest}} to {{latest}}."
        return special.format(earliest=start, latest=end)

    def __call__(self, value) -> None:
        if not self.contains(value):
            raise ValidationError(self.message(value), code="date_window")

    def _key(self) -> tuple:
        return (self.what, self.earliest, self.latest, self.too_early, self.too_late)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateWindow) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def local_day(value: dt.date | dt.datetime) -> dt.date | None:
    """The clinic's calendar day of a date or a moment; None at the calendar's ends, where the
    time-zone shift leaves the calendar."""
    if not isinstance(value, dt.datetime):
        return value
    if timezone.is_naive(value):
        return value.date()
    try:
        return timezone.localtime(value).date()
    except (OverflowError, ValueError):
        return None


def aware_or_invalid(day: dt.date, time: dt.time, window: "DateWindow | None" = None) -> dt.datetime:
    """The clinic-zone moment of a day and a time, as a form needs it: a ValidationError (not an
    OverflowError) at the calendar's ends, and outside `window` when one is given."""
    (window or CALENDAR_WINDOW)(day)
    try:
        return timezone.make_aware(dt.datetime.combine(day, time))
    except (OverflowError, ValueError) as error:
        raise ValidationError(CALENDAR_WINDOW.message(day), code="date_window") from error


def _in_calendar_window(convert, value):
    """A form field's moment from `convert(value)`, or the calendar window's form error when the
    clinic's zone cannot convert it or it lies outside the window."""
    try:
        moment = convert(value)
    except (OverflowError, ValueError) as error:
        raise ValidationError(CALENDAR_WINDOW.message(), code="date_window") from error
    CALENDAR_WINDOW(moment)
    return moment


class WindowedDateTimeField(forms.DateTimeField):
    """A date and time typed into a form: one at the calendar's edge, where the clinic's zone
    cannot convert it, is a form error instead of an OverflowError."""

    def to_python(self, value):
        return _in_calendar_window(super().to_python, value)


class WindowedSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date-and-time pair, with the same guard as WindowedDateTimeField."""

    def compress(self, data_list):
        return _in_calendar_window(super().compress, data_list)


def validate_windows(instance, **windows: DateWindow) -> None:
    """Raise one ValidationError by field for every date of `instance` outside its window (a
    model's clean())."""
    errors = {}
    for name, window in windows.items():
        value = getattr(instance, name)
        if not window.contains(value):
            errors[name] = [window.message(value)]
    if errors:
        raise ValidationError(errors)


# Bookings, moves, series, free-slot searches: from today to two years ahead.
BOOKING_WINDOW = DateWindow(
    "a day",
    0,
    BOOKING_DAYS_AHEAD,
    too_early=gettext_lazy("Choose today or a later day."),
    too_late=gettext_lazy("Bookings reach two years ahead at most: choose a day until {latest}."),
)
# A date of birth.
BIRTH_WINDOW = DateWindow(
    "a date of birth",
    EARLIEST_DAY,
    0,
    too_early=gettext_lazy("The date of birth cannot be before 1900. Check the year."),
    too_late=gettext_lazy("The date of birth cannot be in the future."),
)
# What has happened: a diagnosis, a study, consent, a phase as the page records it, a flag's end.
CLINICAL_WINDOW = DateWindow("a date", EARLIEST_DAY, 0)
# Any date of the clinical record, as the models hold it: what may be known ahead (a flag's span,
# a pregnancy's due date, a phase the domain records ahead of time) included. Whether a date may
# lie ahead at all is the services' and the forms' rule (CLINICAL_WINDOW, their own messages).
RECORD_WINDOW = DateWindow("a date", EARLIEST_DAY, BOOKING_DAYS_AHEAD)
# A course's first day: prescribed up to two years back (a course already under way) or ahead.
COURSE_START_WINDOW = DateWindow("a start", -BOOKING_DAYS_AHEAD, BOOKING_DAYS_AHEAD)
# Closures: the clinic's own history, and as far ahead as bookings go.
CLOSURE_WINDOW = DateWindow("a day", dt.date(2000, 1, 1), BOOKING_DAYS_AHEAD)
# Any day the app reasons about: a filter over records (the audit log), a slot sent back by the
# browser before the booking rules judge it (a past one is refused by them, in their words).
CALENDAR_WINDOW = DateWindow("a day", EARLIEST_DAY, BOOKING_DAYS_AHEAD)
# A waitlist wish's last day: from today to a year ahead (sessions.waitlist).
WAITLIST_WINDOW = DateWindow(
    "a last day",
    0,
    365,
    too_early=gettext_lazy("The last day of a wish is today or later."),
    too_late=gettext_lazy("A wish lasts a year at most: choose a day until {latest}."),
)
