"""Problems found in content files, each tied to a file and line, with a machine-readable code.

The message is for people; the `code` is for code (summaries, tests, tools): nothing ever parses
the wording of a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Severity = Literal["error", "warning"]


class Code(StrEnum):
    """What kind of problem a `Problem` is. Values are stable: tools may match on them."""

    # reading the file
    UNREADABLE = "unreadable"
    NOT_UTF8 = "not-utf8"
    TOO_LARGE = "too-large"
    YAML_SYNTAX = "yaml-syntax"
    YAML_FEATURE = "yaml-feature"  # an alias, a tag, a merge key, a second document…
    BAD_VALUE = "bad-value"  # a value YAML cannot read as what its tag says (`!!int x`)
    EMPTY = "empty"
    NOT_A_MAPPING = "not-a-mapping"
    HIDDEN_CHARACTER = "hidden-character"
    # the schema
    MISSING = "missing"
    UNKNOWN_FIELD = "unknown-field"
    UNKNOWN_TYPE = "unknown-type"
    NO_TYPE = "no-type"
    BAD_ID = "bad-id"
    WRONG_FORMAT = "wrong-format"
    VERSION_NOT_TEXT = "version-not-text"
    INVALID = "invalid"  # any other rule of the schema
    # checks across the file
    DUPLICATE_ID = "duplicate-id"
    UNKNOWN_LEARNING_POINT = "unknown-learning-point"
    NO_LEARNING_POINT = "no-learning-point"
    UNSERVED_LEARNING_POINT = "unserved-learning-point"
    DUPLICATE_PROMPT = "duplicate-prompt"
    NO_OPTION_FEEDBACK = "no-option-feedback"
    # checks across files
    DUPLICATE_MODULE = "duplicate-module"
    RESERVED_ID = "reserved-id"
    NOT_FOUND = "not-found"
    # comparing two versions of a bank
    PROGRESS_BREAK = "progress-break"
    NOT_COMPARED = "not-compared"
    # importing from another format
    NOT_IMPORTED = "not-imported"  # part of the file was lost
    CHANGED = "changed"  # imported, but changed or partly left out
    PLACEHOLDER = "placeholder"  # a placeholder explanation was written
    UNKNOWN_FORMAT = "unknown-format"
    NOTHING_IMPORTED = "nothing-imported"
    # exporting to another format
    NOT_EXPORTED = "not-exported"


# How a summary names each kind ("6 × no learning point"), for the codes a summary shows.
LABELS: dict[Code, str] = {
    Code.NO_LEARNING_POINT: "question with no learning point",
    Code.UNSERVED_LEARNING_POINT: "learning point no question serves",
    Code.DUPLICATE_PROMPT: "prompt used twice",
    Code.NO_OPTION_FEEDBACK: "wrong option with no feedback",
    Code.RESERVED_ID: "module id of a bundled module",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a content file."""

    file: str
    line: int | None
    field: str
    message: str
    severity: str = "error"  # Severity
    code: str = Code.INVALID

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {prefix}{self.message}"

    @property
    def label(self) -> str:
        """The kind of problem in a few words, for summaries."""
        try:
            return LABELS[Code(self.code)]
        except (KeyError, ValueError):
            return str(self.code).replace("-", " ")


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def for_reading(problems: list[Problem], per_kind: int) -> tuple[list[Problem], list[Problem]]:
    """(what to list, what to count): every error, and the first `per_kind` warnings of each
    kind; the rest of each kind are left to a count, so a warning on every one of 20,000
    imported questions does not bury the errors and the summary."""
    shown: list[Problem] = []
    counted: list[Problem] = []
    seen: dict[str, int] = {}
    for problem in problems:
        if problem.severity == "warning":
            seen[problem.code] = seen.get(problem.code, 0) + 1
            if seen[problem.code] > per_kind:
                counted.append(problem)
                continue
        shown.append(problem)
    return shown, counted


class BankError(Exception):
    """A bank (or import) failed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
