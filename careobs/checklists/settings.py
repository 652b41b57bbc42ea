"""A checklist's own settings (those of the template, not of a version) compared with others
proposed for it, in words: what an admin's change did, for the audit log, and what an imported
file says differently, for the admin (an import makes a draft and leaves these settings alone).
"""

from __future__ import annotations

from dataclasses import dataclass

from careobs.checklists.models import Checklist
from careobs.wording import plural

# An audit template's settings, in the order its settings form shows them. A visit checklist
# has only a description.
AUDIT_SETTINGS = ("frequency_days", "green_from", "amber_from", "cqc_statements", "description")
VISIT_SETTINGS = ("description",)


def _statements(codes) -> str:
    return ", ".join(codes) if codes else "none"


def _every(days) -> str:
    return "not set" if days is None else f"every {plural(days, 'day', 'days')}"


@dataclass(frozen=True)
class Difference:
    """One setting whose proposed value is not the template's."""

    field: str
    live: object
    proposed: object

    @property
    def logged(self) -> str:
        """The change as the audit log names it, e.g. "green from 90% to 95%"."""
        if self.field in ("green_from", "amber_from"):
            band = self.field.removesuffix("_from")
            return f"{band} from {self.live}% to {self.proposed}%"
        if self.field == "frequency_days":
            return f"{_every(self.live)} to {_every(self.proposed)}"
        if self.field == "cqc_statements":
            return f"CQC statements {_statements(self.live)} to {_statements(self.proposed)}"
        return "description changed"

    @property
    def in_file(self) -> str:
        """The difference as an import reports it: the file's value, then the template's."""
        if self.field in ("green_from", "amber_from"):
            band = self.field.removesuffix("_from")
            return (
                f"The file sets the {band} band from {self.proposed}%; "
                f"this template’s is {self.live}%."
            )
        if self.field == "frequency_days":
            return (
                f"The file sets how often to {_every(self.proposed)}; "
                f"this template’s is {_every(self.live)}."
            )
        if self.field == "cqc_statements":
            return (
                f"The file names the CQC quality statements {_statements(self.proposed)}; "
                f"this template names {_statements(self.live)}."
            )
        return "The file’s description is not this template’s."


def differences(checklist: Checklist, proposed: dict) -> list[Difference]:
    """The settings in ``proposed`` whose value is not the checklist's, in form order."""
    fields = AUDIT_SETTINGS if checklist.is_audit else VISIT_SETTINGS
    return [
        Difference(name, getattr(checklist, name), proposed[name])
        for name in fields
        if name in proposed and proposed[name] != getattr(checklist, name)
    ]


def change_summary(changes: list[Difference]) -> str:
    """The changes for the audit log, e.g. "green from 90% to 95%; description changed"."""
    return "; ".join(change.logged for change in changes)
