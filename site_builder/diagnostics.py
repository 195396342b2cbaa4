"""Diagnostics: every problem the build finds, with the place it was found.

Stages collect diagnostics instead of raising, so one run reports every
problem at once. `BuildFailed` carries the collected list out of `build()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one file, printed as `path:line:col: message (hint)`."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class Diagnostics:
    """A collector that stages append to; the build fails if it holds an error."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str | Path, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(str(path), line, column, message, hint))

    def warning(self, path: str | Path, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(str(path), line, column, message, hint, Severity.WARNING))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.items) if strict else bool(self.errors)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))


class BuildFailed(Exception):
    """The build found errors in the content; nothing was written."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) found")
        self.diagnostics = diagnostics
