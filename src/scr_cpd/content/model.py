"""The content the app runs on: light, immutable objects built from a validated bank.

Kept free of pydantic and YAML so that listing modules and starting a quiz stay fast; see
`schema.py` for the rules a bank must meet and `loader.py` for how files become these objects.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scr_cpd.common.text import normalise_answer
from scr_cpd.content.vocabulary import DEFAULT_PASS_MARK

BRIEFING_TITLE = "Learning for the future: messages for the police from SCRs 2017-19"


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool = False
    feedback: str | None = None


@dataclass(frozen=True)
class Pair:
    left: str
    right: str


@dataclass(frozen=True)
class Citation:
    title: str | None
    section: str | None
    page: int | None

    def __str__(self) -> str:
        where = f"Briefing p.{self.page}" if self.page else "Briefing"
        if self.title and self.title != BRIEFING_TITLE:
            where = f"{self.title}, p.{self.page}" if self.page else self.title
        return f"{where} — {self.section}" if self.section else where


@dataclass(frozen=True)
class Question:
    module_id: str
    id: str
    type: str
    prompt: str
    explanation: str
    citation: Citation
    learning_points: tuple[str, ...] = ()
    revision: int = 1
    tags: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    shuffle: bool = True
    answer: Any = None
    tolerance: float = 0.0
    unit: str | None = None
    answers: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    correct_feedback: str | None = None
    incorrect_feedback: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.module_id, self.id)

    @property
    def is_scenario(self) -> bool:
        return "scenario" in self.tags

    @property
    def content_hash(self) -> str:
        """A short fingerprint of exactly what the learner was asked and could choose."""
        wording = {
            "prompt": self.prompt,
            "options": [[o.text, o.correct] for o in self.options],
            "answer": self.answer,
            "tolerance": self.tolerance,
            "answers": list(self.answers),
            "pairs": [[p.left, p.right] for p in self.pairs],
        }
        blob = json.dumps(wording, sort_keys=True, ensure_ascii=False).encode()
        import hashlib  # here, not at the top: listing modules never needs it

        return hashlib.sha256(blob).hexdigest()[:16]

    def is_correct(self, response: Any) -> bool:
        """Grade a response in the shape the quiz stores (see `describe_response`)."""
        kind = self.type
        if kind == "single":
            return (
                isinstance(response, int)
                and 0 <= response < len(self.options)
                and self.options[response].correct
            )
        if kind == "multiple":
            wanted = {i for i, o in enumerate(self.options) if o.correct}
            return isinstance(response, list) and set(response) == wanted
        if kind == "true_false":
            return response is self.answer
        if kind == "numeric":
            return (
                isinstance(response, (int, float))
                and math.isfinite(response)
                and abs(float(response) - float(self.answer)) <= self.tolerance + 1e-9
            )
        if kind == "short_answer":
            return isinstance(response, str) and normalise_text(response) in {
                normalise_text(a) for a in self.answers
            }
        if kind == "matching":
            return isinstance(response, list) and response == list(range(len(self.pairs)))
        return False

    def correct_response_text(self) -> str:
        kind = self.type
        if kind in ("single", "multiple"):
            return "; ".join(o.text for o in self.options if o.correct)
        if kind == "true_false":
            return "True" if self.answer else "False"
        if kind == "numeric":
            value = with_unit(format_number(self.answer), self.unit)
            if self.tolerance:
                return f"{value} (±{format_number(self.tolerance)})"
            return value
        if kind == "short_answer":
            return self.answers[0]
        if kind == "matching":
            return "; ".join(f"{p.left} → {p.right}" for p in self.pairs)
        return ""

    def describe_response(self, response: Any) -> str:
        """The learner's answer in words, for feedback and the CPD log."""
        kind = self.type
        try:
            if kind == "single":
                return str(self.options[response].text)
            if kind == "multiple":
                return "; ".join(self.options[i].text for i in response) or "(none)"
            if kind == "true_false":
                return "True" if response else "False"
            if kind == "numeric":
                return with_unit(format_number(response), self.unit)
            if kind == "matching":
                return "; ".join(
                    f"{p.left} → {self.pairs[r].right}" for p, r in zip(self.pairs, response)
                )
        except (IndexError, TypeError):
            return str(response)
        return str(response)


@dataclass(frozen=True)
class Reflection:
    id: str
    prompt: str
    learning_points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    version: str
    summary: str
    estimated_minutes: int
    pass_mark: float
    citation: Citation
    learning_points: dict[str, str]
    questions: tuple[Question, ...]
    reflections: tuple[Reflection, ...] = ()
    path: Path | None = None
    origin: str = "bundled"
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def reflection(self, reflection_id: str) -> Reflection | None:
        return next((r for r in self.reflections if r.id == reflection_id), None)


def normalise_text(text: str) -> str:
    """How short answers are compared: case, accents, spacing, hyphens and punctuation ignored
    (`common.text.normalise_answer`)."""
    return normalise_answer(text)


def format_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def with_unit(number: str, unit: str | None) -> str:
    """A number with its unit as a person writes them: 45%, but 30 months and 12 SCRs."""
    if not unit:
        return number
    return number + unit if not unit[0].isalnum() else f"{number} {unit}"


def bank_from_dict(data: dict[str, Any], path: Path | None = None, origin: str = "bundled") -> Bank:
    """Build a Bank from a dict that has already passed validation (see `loader`)."""
    default = data.get("source") or {}

    def citation(override: dict[str, Any] | None) -> Citation:
        override = override or {}
        return Citation(
            title=override.get("title") or default.get("title"),
            section=override.get("section") or default.get("section"),
            page=override.get("page") or default.get("page"),
        )

    questions = tuple(
        Question(
            module_id=data["id"],
            id=q["id"],
            type=q["type"],
            prompt=q["prompt"],
            explanation=q["explanation"],
            citation=citation(q.get("source")),
            learning_points=tuple(q.get("learning_points") or ()),
            revision=q.get("revision", 1),
            tags=tuple(q.get("tags") or ()),
            options=tuple(
                Option(o["text"], bool(o.get("correct")), o.get("feedback"))
                for o in q.get("options") or ()
            ),
            shuffle=q.get("shuffle", True),
            answer=q.get("answer"),
            tolerance=float(q.get("tolerance") or 0),
            unit=q.get("unit"),
            answers=tuple(q.get("answers") or ()),
            pairs=tuple(Pair(p["left"], p["right"]) for p in q.get("pairs") or ()),
            correct_feedback=q.get("correct_feedback"),
            incorrect_feedback=q.get("incorrect_feedback"),
        )
        for q in data["questions"]
    )
    return Bank(
        id=data["id"],
        title=data["title"],
        version=str(data.get("version", "1.0")),
        summary=data["summary"],
        estimated_minutes=data.get("estimated_minutes", 15),
        pass_mark=data.get("pass_mark", DEFAULT_PASS_MARK),
        citation=citation(None),
        learning_points={lp["id"]: lp["text"] for lp in data.get("learning_points") or ()},
        questions=questions,
        reflections=tuple(
            Reflection(r["id"], r["prompt"], tuple(r.get("learning_points") or ()))
            for r in data.get("reflections") or ()
        ),
        path=path,
        origin=origin,
    )
