"""The words a CPD log and its readers share, each defined once: format ids, review outcomes and
the verdicts a reader gives a file."""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal, get_args

LOG_FORMAT: Final = "scr-cpd/log@1"
LOG_FAMILY: Final = "scr-cpd/log@"
BANK_FAMILY: Final = "scr-cpd/bank@"
KEYRING_FORMAT: Final = "scr-cpd/keyring@1"
TRUST_FORMAT: Final = "scr-cpd/trust@1"

Outcome = Literal["accepted", "discuss", "revise"]
OUTCOMES: Final[tuple[str, ...]] = get_args(Outcome)
OUTCOMES_NEEDING_A_COMMENT: Final = ("discuss", "revise")

# A module's status, as the log's schema reads it (strict models want a Literal); the words are
# progress.status.ModuleStatus's, and tests/test_figures.py checks that the two agree.
ModuleStatus = Literal["not started", "in progress", "completed", "passed"]
MODULE_STATUSES: Final[tuple[str, ...]] = get_args(ModuleStatus)

# What kind of CPD activity a log records: this app's learning is done alone.
ActivityType = Literal["self-directed", "team"]
ACTIVITY_TYPES: Final[tuple[str, ...]] = get_args(ActivityType)
SELF_DIRECTED: Final = "self-directed"

# How a team summary can be ordered (lowest first: who needs attention).
SortKey = Literal["name", "hours", "score", "last", "modules"]
SORT_KEYS: Final[tuple[str, ...]] = get_args(SortKey)

Role = Literal["officer", "supervisor"]
ROLES: Final[tuple[str, ...]] = get_args(Role)


class Status(StrEnum):
    """What a reader concludes about a file (or about the review inside it)."""

    VALID = "valid"
    EDITED = "edited"
    UNSIGNED = "unsigned"
    UNKNOWN_SIGNER = "unknown signer"
    IDENTITY_MISMATCH = "identity mismatch"
    SELF_SIGNED_REVIEW = "self-signed review"
    REVIEWER_NOT_SUPERVISOR = "reviewer not trusted as a supervisor"
    REVOKED_KEY = "revoked key"
    DAMAGED = "damaged"
    NOT_A_LOG = "not a CPD log"
    UNSUPPORTED_VERSION = "unsupported version"
    PRINTABLE_COPY = "printable copy"
    UNREADABLE = "unreadable"


# A file with one of these could not be read as a log at all (no officer, no figures).
LOAD_FAILURES: Final = (
    Status.NOT_A_LOG,
    Status.UNSUPPORTED_VERSION,
    Status.DAMAGED,
    Status.PRINTABLE_COPY,
    Status.UNREADABLE,
)
STATUSES: Final[tuple[str, ...]] = tuple(s.value for s in Status)
# A supervisor may sign a log with these: its signature is good, whoever's key it is.
SIGNABLE: Final = (Status.VALID, Status.UNKNOWN_SIGNER)
