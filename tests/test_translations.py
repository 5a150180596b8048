"""The German and Russian catalogues are complete and current: every marked string is in them,
translated, with the same placeholders as the English, and the compiled .mo files say what the
.po files say. `make messages` updates the catalogues; translating the new entries makes this pass.

A missing, fuzzy or stale translation fails here rather than showing English in the middle of a
German page."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from clinic.management.commands.update_translations import translated_languages

ROOT = Path(settings.BASE_DIR)
LANGUAGES = translated_languages()
# %(name)s, %s, %d, {name}: what the code fills in. A translation drops or invents none.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
# One test process runs them all (`make test` runs several): the extraction test writes the
# catalogues in place for a moment, which another process's test would read half-written.
pytestmark = pytest.mark.xdist_group("catalogues")


def catalogue_path(language: str, suffix: str = "po") -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / f"django.{suffix}"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(catalogue_path(language)))


def key(entry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def test_english_is_the_source_and_the_others_have_catalogues():
    assert settings.LANGUAGE_CODE.startswith("en")
    assert LANGUAGES == ["de", "ru"]
    for language in LANGUAGES:
        assert catalogue_path(language).is_file(), f"{catalogue_path(language)} is missing: run `make messages`"
        assert catalogue_path(language, "mo").is_file(), f"{language}: django.mo is missing: run `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language):
    po = catalogue(language)
    assert po.metadata.get("Language") == language
    open_entries = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries()]
    assert not open_entries, f"{language}: {len(open_entries)} untranslated or fuzzy, e.g. " + "; ".join(
        repr(msgid) for msgid in open_entries[:15]
    )
    assert len(po.translated_entries()) > 100, "the catalogue is all but empty"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for entry in catalogue(language).translated_entries():
        if entry.msgid_plural:
            # Every plural form shows the number: in Russian the "one" form also serves 21, 31...
            expected = placeholders(entry.msgid_plural)
            wrong += [(entry.msgid, text) for text in entry.msgstr_plural.values() if placeholders(text) != expected]
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, f"{language}: placeholders differ in {len(wrong)} entries, e.g. {wrong[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    def texts(entries) -> dict:
        return {key(entry): entry.msgstr_plural or entry.msgstr for entry in entries if entry.msgid}

    compiled = texts(polib.mofile(str(catalogue_path(language, "mo"))))
    source = texts(catalogue(language).translated_entries())
    # msgfmt writes the plural forms with integer keys, polib reads them so too.
    compiled = {k: ({int(n): s for n, s in v.items()} if isinstance(v, dict) else v) for k, v in compiled.items()}
    source = {k: ({int(n): s for n, s in v.items()} if isinstance(v, dict) else v) for k, v in source.items()}
    assert compiled == source, f"{language}: django.mo is stale: run `make messages`"


def test_every_marked_string_is_in_the_catalogues():
    """Extract the strings marked in the code now and compare them with the committed catalogues.
    makemessages writes into locale/ itself (it picks the locale directory above each source
    file), so the committed files are put back afterwards, whatever happens."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI_REQUIRE_GETTEXT") == "1":
            pytest.fail("CI_REQUIRE_GETTEXT=1 and xgettext is missing: install the Debian package gettext")
        pytest.skip("xgettext is missing: install GNU gettext to check the extraction")
    committed = {language: catalogue_path(language).read_text(encoding="utf-8") for language in LANGUAGES}
    cwd = Path.cwd()
    try:
        os.chdir(ROOT)
        with open(os.devnull, "w") as quiet:
            call_command("update_translations", no_compile=True, stdout=quiet)
        extracted = {language: {key(entry) for entry in catalogue(language)} for language in LANGUAGES}
    finally:
        os.chdir(cwd)
        for language, text in committed.items():
            catalogue_path(language).write_text(text, encoding="utf-8")
    for language in LANGUAGES:
        kept = {key(entry) for entry in polib.pofile(committed[language])}
        new, gone = sorted(extracted[language] - kept), sorted(kept - extracted[language])
        assert not new, f"{language}: {len(new)} marked strings not in the catalogue (`make messages`): {new[:10]}"
        assert not gone, f"{language}: {len(gone)} entries marked nowhere any more (`make messages`): {gone[:10]}"
