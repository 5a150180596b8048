"""The public holidays of the clinic's country and region, from the `holidays` library.

Holidays are worked out when asked for, never stored: they exist for every year a booking can
reach, and a change of CLINIC_HOLIDAYS_COUNTRY or CLINIC_HOLIDAYS_SUBDIVISION takes effect at once.
The manager closes further days with a Closure row, and opens on a holiday with a Closure of kind
"open on a public holiday"; sessions.schedule.closures_load puts the three together for every
reader (booking, availability, the series planner, the day board).
"""

import datetime as dt
import functools

import holidays
from django.conf import settings
from django.core.checks import Error

# English names: the app's language.
HOLIDAY_LANGUAGE = "en_US"


@functools.lru_cache(maxsize=128)
def _year(country: str, subdivision: str, year: int) -> tuple[tuple[dt.date, str], ...]:
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year, language=HOLIDAY_LANGUAGE)
    return tuple(sorted(calendar.items()))


def public_holidays(starts_on: dt.date, ends_on: dt.date) -> dict[dt.date, str]:
    """{day: name} of the public holidays from `starts_on` to `ends_on`, both included; none when
    CLINIC_HOLIDAYS_COUNTRY is empty."""
    country = settings.CLINIC_HOLIDAYS_COUNTRY
    if not country or ends_on < starts_on:
        return {}
    found = {}
    for year in range(starts_on.year, ends_on.year + 1):
        for day, name in _year(country, settings.CLINIC_HOLIDAYS_SUBDIVISION, year):
            if starts_on <= day <= ends_on:
                found[day] = name
    return found


def holiday_settings_check(app_configs=None, **kwargs) -> list[Error]:
    """A system check: the configured country and subdivision exist in the library."""
    country = settings.CLINIC_HOLIDAYS_COUNTRY
    if not country:
        return []
    try:
        holidays.country_holidays(country, subdiv=settings.CLINIC_HOLIDAYS_SUBDIVISION or None, years=2026)
    except NotImplementedError as error:
        return [
            Error(
                f"CLINIC_HOLIDAYS_COUNTRY/CLINIC_HOLIDAYS_SUBDIVISION: {error}",
                hint="Use an ISO 3166 country code and one of its subdivisions, e.g. DE and BE.",
                id="clinic.E001",
            )
        ]
    return []
