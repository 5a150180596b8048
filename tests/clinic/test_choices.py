"""clinic.choices: the models' faster get_FOO_display() says exactly what Django's own says, in
every language, for a value outside the choices too."""

import pytest
from django.db.models import Model
from django.utils import translation

from patients.models import Diagnosis, HealthFlag, PhaseRecord, Study
from sessions.models import Course

FIELDS = [(Diagnosis, "cause"), (Diagnosis, "side"), (Study, "kind"), (PhaseRecord, "phase"), (HealthFlag, "kind")]
FIELDS += [(Course, "cadence"), (Course, "status")]


@pytest.mark.parametrize("language", ["en-gb", "de", "ru"])
@pytest.mark.parametrize(("model", "name"), FIELDS)
def test_the_label_is_djangos(model, name, language):
    field = model._meta.get_field(name)
    assert f"get_{name}_display" in model.__dict__
    with translation.override(language):
        for value in [value for value, _ in field.flatchoices] + ["not-a-choice", "", None]:
            instance = model(**{name: value})
            ours = getattr(instance, f"get_{name}_display")()
            assert ours == Model._get_FIELD_display(instance, field)
            assert type(ours) is type(Model._get_FIELD_display(instance, field))
