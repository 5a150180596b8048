"""Usernames are unique without regard to case: a unique index on lower(username).

auth.User's Meta is Django's, so no UniqueConstraint(Lower("username")) can be declared on it; the
index is plain SQL that SQLite and PostgreSQL both understand. Existing names that differ only in
case would make the index fail: they are listed first, to be renamed, rather than left to a
database error.
"""

from django.db import migrations

INDEX = "auth_user_username_lower_uniq"


def refuse_duplicates(apps, schema_editor):

    User = apps.get_model("auth", "User")
    seen: dict[str, list[str]] = {}
    for username in User.objects.values_list("username", flat=True):
        seen.setdefault(username.lower(), []).append(username)
    clashes = [names for names in seen.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(", ".join(sorted(names)) for names in clashes)
        raise RuntimeError(
            f"Usernames must differ by more than case before this migration; rename one of each: {listed}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_closure_kind_date_windows_password_resets"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (lower(username));",
            f"DROP INDEX {INDEX};",
        ),
    ]
