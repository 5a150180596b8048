#!/usr/bin/env python
import os
import sys

# Commands that read the models and migrations and sign nothing: on a fresh checkout they run
# without a secret key (settings refuse to start without one otherwise, so that no command that
# serves pages or signs links, reminders or offers ever runs on a made-up key).
SIGN_NOTHING = {"makemigrations", "showmigrations", "sqlmigrate", "check"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SIGN_NOTHING and not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ["DJANGO_SECRET_KEY"] = "schema-commands-sign-nothing"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
