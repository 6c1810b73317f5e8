"""The bank format `scr-cpd/bank@1` as pydantic models: validation and the published JSON Schema.

Only the validator and `cpd bank schema` import this module; the app itself runs on the light
dataclasses in `model.py`, built from data these models have already checked.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scr_cpd.content.vocabulary import (
    BANK_FORMAT,
    DEFAULT_ESTIMATED_MINUTES,
    DEFAULT_PASS_MARK,
    DEFAULT_REVISION,
    DEFAULT_VERSION,
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_OPTIONS,
    MAX_PAIRS,
    MAX_TEXT_LENGTH,
    MAX_UNIT_LENGTH,
    MIN_OPTIONS,
    MIN_PAIRS,
)

FORMAT = BANK_FORMAT
Slug = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH)]


class Strict(BaseModel):
    # coerce_numbers_to_str: `text: 131` or `answers: [131]` is what a trainer means by "131".
    # defer_build: only `Bank` validates, and pydantic builds it (with every model inside it)
    # on first use; building each of these models as it is defined slows every start-up.
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True, defer_build=True
    )


class Source(Strict):
    """Where in the briefing (or another document) a question's answer is taught."""

    title: Text | None = None
    section: Text | None = None
    page: int | None = Field(default=None, ge=1, le=10_000)


class LearningPoint(Strict):
    id: Slug
    text: Text


class Option(Strict):
    text: Text
    correct: bool = False
    feedback: Text | None = None


class QuestionBase(Strict):
    id: Slug
    prompt: Text
    explanation: Text = Field(description="Shown after every answer; it should teach the why.")
    learning_points: list[Slug] = Field(
        default_factory=list
    )  # a factory: pydantic deep-copies a [] default for every question
    source: Source | None = None
    revision: int = Field(
        default=DEFAULT_REVISION, ge=1, description="Bump when the question's meaning changes."
    )
    tags: list[Slug] = Field(default_factory=list)
    correct_feedback: Text | None = None
    incorrect_feedback: Text | None = None


class ChoiceQuestion(QuestionBase):
    options: list[Option] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    shuffle: bool = True

    @field_validator("options")
    @classmethod
    def _unique_texts(cls, options: list[Option]) -> list[Option]:
        keys = [" ".join(option.text.lower().split()) for option in options]
        if len(set(keys)) == len(keys):
            return options
        seen: set[str] = set()
        for key, option in zip(keys, options):
            if key in seen:
                raise ValueError(f"two options have the same text: {option.text!r}")
            seen.add(key)
        return options


class SingleQuestion(ChoiceQuestion):
    type: Literal["single"]

    # Field validators (not model validators) so that this is reported together with any
    # other problem in the question, such as a missing explanation.
    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[Option]) -> list[Option]:
        count = sum(o.correct for o in options)
        if count != 1:
            raise ValueError(
                f"a single-choice question needs exactly one correct option, found {count}"
            )
        return options


class MultipleQuestion(ChoiceQuestion):
    type: Literal["multiple"]

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: list[Option]) -> list[Option]:
        if not any(o.correct for o in options):
            raise ValueError("a multiple-choice question needs at least one correct option")
        return options


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"]
    answer: bool


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: float = Field(allow_inf_nan=False)
    tolerance: float = Field(default=0, ge=0, allow_inf_nan=False)
    unit: Annotated[str, Field(max_length=MAX_UNIT_LENGTH)] | None = None


class ShortAnswerQuestion(QuestionBase):
    type: Literal["short_answer"]
    answers: list[Text] = Field(min_length=1)


class Pair(Strict):
    left: Text
    right: Text


class MatchingQuestion(QuestionBase):
    type: Literal["matching"]
    pairs: list[Pair] = Field(min_length=MIN_PAIRS, max_length=MAX_PAIRS)

    @field_validator("pairs")
    @classmethod
    def _distinct_sides(cls, pairs: list[Pair]) -> list[Pair]:
        for side, values in (
            ("left", [p.left.lower() for p in pairs]),
            ("right", [p.right.lower() for p in pairs]),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"two pairs have the same {side} side")
        return pairs


Question = Annotated[
    Union[
        SingleQuestion,
        MultipleQuestion,
        TrueFalseQuestion,
        NumericQuestion,
        ShortAnswerQuestion,
        MatchingQuestion,
    ],
    Field(discriminator="type"),
]


class ReflectionPrompt(Strict):
    id: Slug
    prompt: Text
    learning_points: list[Slug] = Field(default_factory=list)


class Bank(Strict):
    """One module: what it teaches, its questions and its reflection prompts."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,
        json_schema_extra={"$id": "https://scr-cpd.invalid/schemas/bank-1.json"},
    )

    # BANK_FORMAT, written out: a Literal needs the text itself (a test checks they agree).
    format: Literal["scr-cpd/bank@1"] = Field(description="Format and major version of this file.")
    id: Slug
    title: Text
    version: Annotated[str, Field(min_length=1, max_length=40)] = DEFAULT_VERSION
    summary: Text
    estimated_minutes: int = Field(default=DEFAULT_ESTIMATED_MINUTES, ge=1, le=600)
    pass_mark: float = Field(default=DEFAULT_PASS_MARK, ge=0, le=1)
    source: Source
    learning_points: list[LearningPoint] = []
    questions: list[Question] = Field(min_length=1)
    reflections: list[ReflectionPrompt] = []

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_text(cls, value: object) -> object:
        # `version: 1.10` unquoted is the number 1.1 to YAML: refuse it rather than guess.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(
                f"is the number {value!r}, not text: write it in quotes as you mean it, e.g. "
                'version: "1.10" (unquoted, YAML reads 1.10 as the number 1.1)'
            )
        return value


def json_schema() -> dict[str, Any]:
    schema = Bank.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"scr-cpd question bank ({BANK_FORMAT})"
    return schema
