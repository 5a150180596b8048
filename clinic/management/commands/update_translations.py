"""`manage.py update_translations` (`make messages`): extract every marked string into the German
and Russian catalogues in locale/, then compile them. Needs GNU gettext (xgettext, msgfmt).

A new string appears in each catalogue untranslated; tests/test_translations.py fails until it
is translated and compiled, so the interface never shows English in the middle of German."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Not the project's code: installed packages, front-end packages, collected static files,
# the tests and the benchmark (their strings are for developers).
IGNORED = ["node_modules/*", "staticfiles/*", "tests/*", "bench/*", "artifacts/*", "*/migrations/*"]


def translated_languages() -> list[str]:
    """The languages with a catalogue: all but the source language, English."""
    return [code for code, _name in settings.LANGUAGES if not code.startswith("en")]


class Command(BaseCommand):
    help = "Extract the marked strings into locale/<language>/LC_MESSAGES/django.po and compile them."

    def add_arguments(self, parser):
        parser.add_argument("--no-compile", action="store_true", help="Extract only; leave the .mo files.")

    def handle(self, *args, **options):
        languages = translated_languages()
        call_command(
            "makemessages",
            locale=languages,
            ignore_patterns=IGNORED,
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )
        if not options["no_compile"]:
            call_command("compilemessages", locale=languages, verbosity=0)
        self.stdout.write(f"catalogues updated: {', '.join(languages)}")
