"""Domain exceptions: each carries a message a user can act on.

Adapters (CLI, UI) turn them into exit codes or on-screen messages; they are
never shown as tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass


class AnnotationsError(Exception):
    """Base class for every error a user can fix."""


class NotFound(AnnotationsError):
    """A seminar, document, annotation or reply that does not exist."""


class InvalidInput(AnnotationsError):
    """Input that breaks a rule (bad offsets, quote mismatch, bad name...)."""


class TextRejected(InvalidInput):
    """A text file that cannot join the corpus (not UTF-8, binary, empty, too large)."""


class PermissionDenied(AnnotationsError):
    """A user tried to change something that is not theirs to change."""


@dataclass(frozen=True)
class RowError:
    """One offending row of an import: its number as a user sees it and why."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


class ImportRejected(AnnotationsError):
    """An import that wrote nothing because at least one row is bad."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "\n".join(str(e) for e in errors)
        super().__init__(
            f"import aborted, nothing was written: {len(errors)} bad row(s)\n{lines}"
        )
