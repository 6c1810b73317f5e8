"""Problems found in content files, each tied to a file and line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a content file."""

    file: str
    line: int | None
    field: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {prefix}{self.message}"


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


class BankError(Exception):
    """A bank (or import) failed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
