"""The two measures the clinic ships with, worded in our own words: the 0–10 pain score of the
session notes (scored from the notes, never asked again) and the patient-specific functional
scale. A copy of the values as they stand; later changes are the manager's, through the pages."""

from django.db import migrations

PAIN = {
    "code": "pain-nrs",
    "name": "Pain score (0–10)",
    "kind": "session_pain",
    "instructions": "The therapist asks for the pain score at every session and writes it in the session note.",
    "scale_min": 0,
    "scale_max": 10,
    "min_label": "No pain",
    "max_label": "Worst pain imaginable",
    "scoring": "mean",
    "higher_is_better": False,
    "mcid": "2.00",
    "mcid_source": (
        "Studies of people with long-standing pain (for instance Farrar and colleagues, Pain, 2001) "
        "compared the change on the 0–10 scale with what patients themselves called a worthwhile "
        "improvement: a fall of about two points, or about a third of the starting score, matched it. "
        "We count two points."
    ),
    "due_at_start": False,
    "due_every_sessions": 1,
    "due_at_end": False,
}

FUNCTION = {
    "code": "psfs",
    "name": "Patient-specific functional scale",
    "kind": "patient_specific",
    "instructions": (
        "Name up to five everyday activities that your back problem makes hard for you, such as "
        "putting on socks, sitting through a film or carrying shopping. Rate how well you can do each "
        "one today: 0 means you cannot do it at all, 10 means you can do it as well as before the "
        "problem began. Next time you rate the same activities again."
    ),
    "scale_min": 0,
    "scale_max": 10,
    "min_label": "Cannot do it at all",
    "max_label": "As well as before the problem",
    "scoring": "mean",
    "higher_is_better": True,
    "mcid": "2.00",
    "mcid_source": (
        "The scale was first described by Stratford and colleagues (Physiotherapy Canada, 1995). Later "
        "studies in people with back and neck problems, brought together by Horn and colleagues "
        "(Journal of Orthopaedic and Sports Physical Therapy, 2012), found that patients notice a "
        "change of about two points in the average of their activities (about three for a single "
        "activity). We count two points on the average."
    ),
    "max_items": 5,
    "due_at_start": True,
    "due_every_sessions": 4,
    "due_at_end": True,
}


def add_measures(apps, schema_editor):
    Measure = apps.get_model("outcomes", "Measure")
    for values in (PAIN, FUNCTION):
        Measure.objects.update_or_create(code=values["code"], defaults=values)


def remove_measures(apps, schema_editor):
    Measure = apps.get_model("outcomes", "Measure")
    Measure.objects.filter(code__in=[PAIN["code"], FUNCTION["code"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_outcome_measures")]

    operations = [migrations.RunPython(add_measures, remove_measures)]
