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
        migrations.AddField(
            model_name="room",
            name="location",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="rooms", to="clinic.location"
            ),
        ),
        migrations.AddField(
            model_name="workinghours",
            name="location",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="working_hours",
                to="clinic.location",
                help_text="Where the therapist works then (empty: the first site).",
            ),
        ),
        migrations.RunPython(main_site, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="room",
            name="location",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: the first site.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rooms",
                to="clinic.location",
            ),
        ),
        migrations.AlterField(
            model_name="workinghours",
            name="location",
            field=models.ForeignKey(
                blank=True,
                help_text="Where the therapist works then (empty: the first site).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="working_hours",
                to="clinic.location",
            ),
        ),
    ]
