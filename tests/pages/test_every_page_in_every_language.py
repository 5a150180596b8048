"""Every page of every role renders in German and in Russian: the same pages open as in English,
each says its language (<html lang>), and none shows an English text its catalogue translates
(a string translated once at import, with gettext instead of gettext_lazy, would)."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User

from patients.models import Patient
from tests.pages.every_page import is_page, page_responses
from tests.pages.test_authorization_matrix import matrix_scene
from tests.test_translations import LANGUAGES, catalogue

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "patient_a", "therapist_treating", "receptionist", "manager")
SHOWN_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}
# Data that happens to equal a translated text: shown as stored, in every language. A diagnosis
# title the therapist picked ("Sciatica", one of the chart form's suggestions), and the names of
# the role groups, which the admin's user pages list as Django stores them.
DATA = {"Sciatica"}
ADMIN_DATA = DATA | {"Receptionist", "Therapist", "Patient", "Manager"}


def stored_names() -> set[str]:
    """What the scene's people are called, shown as stored: a generated surname may happen to be
    a translated word (the admin's user list once showed a "Page")."""
    names = set()
    for model in (User, Patient):
        for first, last in model.objects.values_list("first_name", "last_name"):
            names |= {first, last}
    return names


class _Texts(HTMLParser):
    """The texts a reader meets: text nodes outside scripts and styles, and labelling attributes."""

    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        self.texts.update(" ".join(value.split()) for name, value in attrs if name in SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.add(" ".join(data.split()))


def shown_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_in_each_language(role, language):
    users, objects = matrix_scene()
    english_pages = [url for url, response in page_responses(role, users, objects) if is_page(response)]
    assert english_pages, f"no page found for {role}"
    # Texts whose translation differs from the English: seen on a translated page, they are a slip.
    translated = {
        entry.msgid
        for entry in catalogue(language).translated_entries()
        if entry.msgstr and entry.msgstr != entry.msgid
    }
    names = stored_names()
    problems = []
    for url, response in page_responses(role, users, objects, language):
        if url not in english_pages:
            continue
        if not is_page(response):
            problems.append(f"{url} answered {response.status_code}")
            continue
        html = response.content.decode()
        data = (ADMIN_DATA if url.startswith("/admin/") else DATA) | names
        if f'<html lang="{language}"' not in html:
            problems.append(f"{url} does not say lang={language!r}")
        problems += [f"{url} shows {text!r} in English" for text in sorted((shown_texts(html) & translated) - data)]
    assert not problems, f"{len(problems)} problems for {role} in {language}:\n" + "\n".join(problems[:40])
