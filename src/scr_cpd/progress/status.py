"""The words for where things stand, defined once: a module's status, a session's kind and state.

Every output (`cpd modules`, `cpd progress`, the log and each of its renderings) uses these,
so a supervisor reads the same word for the same state everywhere. docs/figures.md says what
each module status means.
"""

from __future__ import annotations

from enum import StrEnum


class ModuleStatus(StrEnum):
    """A module's status, from the learner's whole record (see docs/figures.md)."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"  # a run finished, below the pass mark
    PASSED = "passed"  # a run finished at or above the pass mark


MODULE_STATUSES: tuple[str, ...] = tuple(s.value for s in ModuleStatus)


class SessionKind(StrEnum):
    MODULE = "module"  # a run through a module's questions: the only kind that is scored
    RETAKE = "retake"  # the questions missed in a run, asked again straight after it
    PRACTICE = "practice"  # questions due for spaced practice


class SessionStatus(StrEnum):
    ACTIVE = "active"  # open: can be resumed
    COMPLETED = "completed"  # every planned question answered
    ABANDONED = "abandoned"  # closed before the end (a restart, a stopped retake or practice)


# How a session's state reads in a rendering: the same words as a module's status where they
# mean the same thing ("in progress", "completed").
SESSION_STATUS_LABELS: dict[str, str] = {
    SessionStatus.ACTIVE: ModuleStatus.IN_PROGRESS.value,
    SessionStatus.COMPLETED: ModuleStatus.COMPLETED.value,
    SessionStatus.ABANDONED: "stopped",
}
REFLECTION_STATUS = "written"


def session_status_label(status: object) -> str:
    """The word a rendering shows for a session's (or a reflection's) status."""
    text = str(status) if status is not None else ""
    return SESSION_STATUS_LABELS.get(text, text)
