"""The one exception the domain raises when it will not do what was asked.

Every service that can refuse (booking, status changes, courses, notes, portal invitations)
raises Refused with every reason that applies, in sentences the person at the screen can act
on; pages put those reasons on their form (pages.refusals) instead of catching a type per service.
"""


class Refused(Exception):
    """`reasons` forbid the action; `warnings` only need someone to read and confirm them."""

    def __init__(self, reasons: list[str] | str, warnings: list[str] | None = None):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        self.warnings = list(warnings or [])
        super().__init__(" ".join(self.reasons or self.warnings))


class WarningsNotConfirmed(Refused):
    """Nothing forbids the action, but someone must read and confirm these warnings first."""

    def __init__(self, warnings: list[str]):
        super().__init__([], warnings)
