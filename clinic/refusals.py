"""The one exception the domain raises when it will not do what was asked.

Every service that can refuse (booking, status changes, courses, notes, portal invitations)
raises Refused with every reason that applies, in sentences the person at the screen can act
on; pages put those reasons on their form (pages.refusals) instead of catching a type per service.
"""


class Conflict(str):
    """A reason that is a clash with another booking (the therapist, the room or the patient is
    taken then, or the slot was just taken): another time may work. Still a plain sentence
    everywhere; the API answers a refusal of clashes alone 409 Conflict instead of 422."""


class Refused(Exception):
    """`reasons` forbid the action; `warnings` only need someone to read and confirm them."""

    def __init__(self, reasons: list[str] | str, warnings: list[str] | None = None):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        self.warnings = list(warnings or [])
        super().__init__(" ".join(self.reasons or self.warnings))

    @property
    def conflict(self) -> bool:
        """Refused only for clashes with other bookings: another time would do."""
        return bool(self.reasons) and all(isinstance(reason, Conflict) for reason in self.reasons)


class WarningsNotConfirmed(Refused):
    """Nothing forbids the action, but someone must read and confirm these warnings first."""

    def __init__(self, warnings: list[str]):
        super().__init__([], warnings)
