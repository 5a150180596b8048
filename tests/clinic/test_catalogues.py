"""Each language translates every message the same once its empty fallback catalogues are dropped
(clinic.catalogues), and the chain it walks for an untranslated message holds none of them."""

from gettext import GNUTranslations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from clinic.catalogues import empty_catalogues_unchained
from tests.test_translations import catalogue

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Django's own messages (its catalogues, not ours), and one nobody translates.
DJANGO_MESSAGES = ["This field is required.", "Enter a valid date.", "January", "Log out", "Not in any catalogue"]


def translated(messages: list[str], plurals: list[tuple[str, str]]) -> dict[str, list[str]]:
    results = {}
    for code in LANGUAGES:
        with translation.override(code):
            singular = [translation.gettext(message) for message in messages]
            plural = [translation.ngettext(one, many, count) for one, many in plurals for count in (1, 2, 5)]
        results[code] = singular + plural
    return results


def chain(code: str) -> list:
    links, link = [], trans_real.translation(code)
    while link is not None:
        links.append(link)
        link = getattr(link, "_fallback", None)
    return links


@pytest.fixture
def fresh_catalogues():
    """Each language loaded anew, as Django does when a catalogue file changes; and again after."""
    trans_real._translations = {}
    yield
    trans_real._translations = {}


def test_every_message_reads_the_same_without_the_empty_catalogues(fresh_catalogues):
    ours = [entry for entry in catalogue("de") if entry.msgid and not entry.obsolete]
    messages = [entry.msgid for entry in ours if not entry.msgid_plural] + DJANGO_MESSAGES
    plurals = [(entry.msgid, entry.msgid_plural) for entry in ours if entry.msgid_plural]
    before = translated(messages, plurals)
    assert any(len(chain(code)) > 2 for code in LANGUAGES)  # there were empty catalogues to drop
    empty_catalogues_unchained()
    assert translated(messages, plurals) == before
    assert before["de"][messages.index("Log out")] != "Log out"  # the check compares translations
    for code in LANGUAGES:
        empty = [link for link in chain(code) if type(link) is GNUTranslations and not any(link._catalog)]
        assert not empty, code
