from django.db import migrations

from clinic.catalogue import DEFAULT_MODALITIES
from clinic.roles import roles_sync


def create_catalogue(apps, schema_editor):
    Modality = apps.get_model("clinic", "Modality")
    for defaults in DEFAULT_MODALITIES:
        values = dict(defaults)
        Modality.objects.get_or_create(name=values.pop("name"), defaults=values)


def create_roles(apps, schema_editor):
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("patients", "0001_initial"),
        ("treatment_sessions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_catalogue, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
