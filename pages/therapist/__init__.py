"""The therapist's day: her sessions, and the session note she writes, signs and adds to."""
