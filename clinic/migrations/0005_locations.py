"""Sites: a Location model; every room and every block of working hours is at one. Existing rooms
and hours go to one "Main site", created here; the foreign keys end non-null."""

import django.db.models.deletion
from django.db import migrations, models


def main_site(apps, schema_editor):
    Location = apps.get_model("clinic", "Location")
    Room = apps.get_model("clinic", "Room")
    WorkingHours = apps.get_model("clinic", "WorkingHours")
    if not Room.objects.exists() and not WorkingHours.objects.exists() and Location.objects.exists():
        return
    site = Location.objects.order_by("pk").first() or Location.objects.create(name="Main site")
    Room.objects.filter(location__isnull=True).update(location=site)
    WorkingHours.objects.filter(location__isnull=True).update(location=site)


# The rooms and the working hours at a site: model -> (related name, help text).
SITE_KEYS = {
    "room": ("rooms", "Empty: the first site."),
    "workinghours": ("working_hours", "Where the therapist works then (empty: the first site)."),
}


def site_key(related_name, help_text, **options):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="clinic.location",
        help_text=help_text,
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_squashed_0004_text_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="Location",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, unique=True)),
                ("address", models.CharField(blank=True, max_length=300)),
            ],
            options={"ordering": ["name"]},
        ),
        *(
            migrations.AddField(model_name=model, name="location", field=site_key(related_name, help_text, null=True))
            for model, (related_name, help_text) in SITE_KEYS.items()
        ),
        migrations.RunPython(main_site, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=model, name="location", field=site_key(related_name, help_text, blank=True))
            for model, (related_name, help_text) in SITE_KEYS.items()
        ),
    ]
