"""The chart: one patient's clinical record; recording diagnoses, studies, phases, health flags and
courses; emergency access."""
