"""clinic 0005: the rooms and working hours of a clinic that existed before sites move to one
"Main site", and the foreign keys end non-null."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clinic", "0001_squashed_0004_text_limits")]
AFTER = [("clinic", "0005_locations")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("all_migrations_back")
def test_existing_rooms_and_hours_go_to_the_main_site():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    Therapist = old.get_model("clinic", "Therapist")
    room = old.get_model("clinic", "Room").objects.create(name="Old room")
    therapist = Therapist.objects.create(user=User.objects.create(username="old.therapist"))
    old.get_model("clinic", "WorkingHours").objects.create(
        therapist=therapist, weekday=0, starts=dt.time(8), ends=dt.time(12)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    (site,) = new.get_model("clinic", "Location").objects.all()
    assert site.name == "Main site"
    assert new.get_model("clinic", "Room").objects.get(pk=room.pk).location_id == site.pk
    assert set(new.get_model("clinic", "WorkingHours").objects.values_list("location_id", flat=True)) == {site.pk}
    field = new.get_model("clinic", "Room")._meta.get_field("location")
    assert not field.null
