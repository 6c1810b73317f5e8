"""The fields of a log that a team summary reads, as a small pydantic model (strict): what
summary_fields.validate_summary_fields asks when its quick look does not plainly pass a log."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from scr_cpd.progress.log.vocabulary import ModuleStatus


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class _Person(_Part):
    name: str = ""
    role: str = ""
    force: str = ""
    staff_number: str = ""


class _Period(_Part):
    since: str | None = None
    until: str | None = None


class _Totals(_Part):
    cpd_hours: float
    seconds: float = 0
    modules_available: int = 0
    modules_completed: int
    modules_passed: int


class _Module(_Part):
    id: str
    status: ModuleStatus
    best_score: float | None = None
    last_activity: str | None = None
    attempts: int = 0
    correct: int = 0
    seconds: float = 0


class _Reflection(_Part):
    id: str
    created_at: str
    updated_at: str


class _Activity(_Part):
    started_at: str
    ended_at: str | None


class _Review(_Part):
    outcome: str
    supervisor: _Person
    date: str


class _Integrity(BaseModel):
    """The signature block exactly (no extra key): the one part of a log nobody signs."""

    model_config = ConfigDict(extra="forbid", strict=True)
    algorithm: str = "ed25519"
    public_key: str
    fingerprint: str
    digests: dict[str, Any]
    signature: str


class SummaryFields(_Part):
    generated_at: str
    profile: _Person
    period: _Period
    totals: _Totals
    modules: list[_Module]
    reflections: list[_Reflection]
    activities: list[_Activity]
    attempts: list[Any]  # only counted here; the plausibility checks read them defensively
    review: _Review | None = None
    integrity: _Integrity | None = None
