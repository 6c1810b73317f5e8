"""The CPD log format `scr-cpd/log@1` as pydantic models: the published JSON Schema and validation.

The JSON export is the canonical log; Markdown, HTML, PDF and CSV are renderings of it.
Only export validation, `cpd export --schema` and the tests import this module.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scr_cpd.progress.log.vocabulary import LOG_FORMAT, ActivityType, ModuleStatus, Outcome

FORMAT = LOG_FORMAT


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class App(Strict):
    name: Literal["scr-cpd"] = "scr-cpd"
    version: str


class Person(Strict):
    """Who the log (or a sign-off) belongs to, as set with `cpd profile`."""

    name: str = ""
    role: str = ""
    force: str = ""
    staff_number: str = ""


class Period(Strict):
    since: str | None = Field(None, description="ISO date, inclusive; null = from the beginning")
    until: str | None = Field(None, description="ISO date, inclusive; null = up to generated_at")


class BankRef(Strict):
    id: str
    title: str
    version: str


class ModuleRecord(Strict):
    id: str
    title: str
    bank_version: str
    status: ModuleStatus
    questions: int = Field(description="questions in the module")
    pass_mark: float
    best_score: float | None = Field(None, description="best score of a completed run, 0-1")
    completions: int = 0
    attempts: int = 0
    correct: int = 0
    seconds: float = Field(0, description="time on task, idle time capped")
    first_activity: str | None = None
    last_activity: str | None = None


class Activity(Strict):
    """One sitting: a module run, a retake of missed questions, a practice session, or a reflection."""

    kind: Literal["module", "retake", "practice", "reflection"]
    module_id: str | None
    title: str
    started_at: str
    ended_at: str | None
    status: str
    questions: int = 0
    correct: int = 0
    seconds: float = 0


class ChosenOption(Strict):
    index: int = Field(ge=0, description="position in the bank file's option list, from 0")
    hash: str = Field(pattern="^[0-9a-f]{8}$", description="sha256 of the option's text, 8 hex")


class ChosenPair(Strict):
    left: int = Field(ge=0, description="left-hand side, position in the bank file from 0")
    right: int = Field(ge=0, description="right-hand side chosen for it, position from 0")
    left_hash: str = Field(pattern="^[0-9a-f]{8}$")
    right_hash: str = Field(pattern="^[0-9a-f]{8}$")


class Response(Strict):
    """What was chosen or typed (see progress.log.response): one of the three fields."""

    options: list[ChosenOption] | None = None
    pairs: list[ChosenPair] | None = None
    value: bool | int | float | str | None = None


class AttemptRecord(Strict):
    module_id: str
    question_id: str
    revision: int
    content_hash: str = Field(description="fingerprint of the exact wording answered")
    correct: bool
    confidence: str | None = None
    answered_at: str
    seconds: float
    response: Response | None = Field(None, description="optional; absent in older logs")


class LearningPointRef(Strict):
    id: str
    text: str


class ReflectionRecord(Strict):
    id: str = Field(description="stable id, e.g. r-20261126-4f2a; used by sign-off comments")
    module_id: str | None
    module_title: str | None
    prompt_id: str | None
    prompt: str
    what: str = Field(description="What? What happened / what I learned")
    so_what: str = Field(description="So what? Why it matters to my practice")
    now_what: str = Field(description="Now what? What I will do differently")
    learning_points: list[LearningPointRef] = []
    tags: list[str] = Field([], description="Competency and Values Framework tags")
    created_at: str
    updated_at: str
    seconds: float = 0
    follow_up_due: str | None = Field(
        None, description="when the Now what? is followed up; optional, absent in older logs"
    )
    impact: str | None = Field(
        None, description="the follow-up answer: did I? what changed? optional"
    )
    impact_at: str | None = Field(None, description="when the impact was written; optional")


class LearningOutcome(Strict):
    """A learning point of a module passed in the period."""

    module_id: str
    id: str
    text: str


class Totals(Strict):
    cpd_hours: float = Field(
        description="time on task (questions and reflections) in hours, 2 decimals"
    )
    seconds: float
    modules_available: int
    modules_completed: int
    modules_passed: int
    questions_answered: int
    reflections: int


class Identifier(Strict):
    """Text that looked like it could identify a child, family or case, at export time."""

    reflection: str
    field: str
    kind: str
    redacted: bool


class Integrity(Strict):
    """Officer's signature: Ed25519 over the canonical JSON of `digests` (see progress.log.signing)."""

    algorithm: Literal["ed25519"] = "ed25519"
    public_key: str = Field(description="raw public key, base64")
    fingerprint: str
    digests: dict[str, str | dict[str, str]] = Field(
        description="sha256 of each part of the log; reflections per id"
    )
    signature: str = Field(description="base64")


class Comment(Strict):
    reflection: str
    comment: str


class Review(Strict):
    """Supervisor sign-off; its signature covers the officer's whole signed log too."""

    supervisor: Person
    date: str
    outcome: Outcome
    comment: str = ""
    comments: list[Comment] = []
    covers: str = Field(
        description="sha256 of the canonical officer part, integrity block included"
    )
    algorithm: Literal["ed25519"] = "ed25519"
    public_key: str
    fingerprint: str
    signature: str


class Log(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"$id": "https://scr-cpd.invalid/schemas/log-1.json"},
    )

    format: Literal["scr-cpd/log@1"]
    generated_at: str
    app: App
    profile: Person
    period: Period
    banks: list[BankRef]
    modules: list[ModuleRecord]
    activities: list[Activity]
    attempts: list[AttemptRecord]
    reflections: list[ReflectionRecord]
    totals: Totals
    activity_type: ActivityType | None = Field(
        None, description="self-directed or team CPD; optional, absent in older logs"
    )
    learning_outcomes: list[LearningOutcome] | None = Field(
        None, description="learning points of the modules passed; optional, absent in older logs"
    )
    identifiers: list[Identifier] = []
    integrity: Integrity | None = None
    review: Review | None = None


def json_schema() -> dict[str, Any]:
    schema = Log.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "scr-cpd CPD log (scr-cpd/log@1)"
    return schema
