"""`cpd bank stats`: how a bank's questions perform, from the answers in the local history.

Only answers to a question's current wording count (same content hash): a response is stored as
option positions, which mean something else once the options have changed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scr_cpd.content.model import Bank, Question, format_number, with_unit
from scr_cpd.progress.store import Store

MIN_ANSWERS = 5  # fewer answers than this say little about a question: no flag
TOO_EASY = 0.9  # facility above this: nearly everyone gets it right
TOO_HARD = 0.3  # facility below this: most get it wrong


@dataclass
class Choice:
    """One wrong answer and how often it was given."""

    label: str
    count: int


@dataclass
class QuestionStats:
    question: Question
    answers: int = 0
    correct: int = 0
    earlier: int = 0  # answers to an earlier wording, not counted
    wrong: list[Choice] = field(default_factory=list)
    right_count: int = 0  # how often the right choice was picked, to compare with wrong ones
    flags: list[str] = field(default_factory=list)

    @property
    def facility(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass
class ModuleStats:
    bank: Bank
    by_type: dict[str, int]
    served: dict[str, int]  # learning point id -> questions serving it
    questions: list[QuestionStats]

    @property
    def unserved(self) -> list[str]:
        return [lp for lp, n in self.served.items() if not n]

    @property
    def answers(self) -> int:
        return sum(q.answers for q in self.questions)

    @property
    def earlier(self) -> int:
        return sum(q.earlier for q in self.questions)


def module_stats(store: Store, bank: Bank, min_answers: int = MIN_ANSWERS) -> ModuleStats:
    responses: dict[str, list[tuple[Any, bool]]] = {q.id: [] for q in bank.questions}
    earlier: Counter[str] = Counter()
    hashes = {q.id: q.content_hash for q in bank.questions}
    rows = store.db.execute(
        "SELECT question_id, content_hash, response, correct FROM attempts WHERE module_id = ? ORDER BY id",
        (bank.id,),
    )
    for row in rows:
        qid = row["question_id"]
        if qid not in hashes:
            continue
        if row["content_hash"] != hashes[qid]:
            earlier[qid] += 1
            continue
        responses[qid].append((json.loads(row["response"]), bool(row["correct"])))
    by_type = Counter(q.type for q in bank.questions)
    served = {lp: 0 for lp in bank.learning_points}
    for question in bank.questions:
        for lp in set(question.learning_points):
            if lp in served:
                served[lp] += 1
    stats = [question_stats(q, responses[q.id], earlier[q.id], min_answers) for q in bank.questions]
    return ModuleStats(bank, dict(by_type), served, stats)


def question_stats(
    question: Question,
    responses: list[tuple[Any, bool]],
    earlier: int = 0,
    min_answers: int = MIN_ANSWERS,
) -> QuestionStats:
    stats = QuestionStats(question, len(responses), sum(ok for _, ok in responses), earlier)
    stats.right_count, stats.wrong = _choices(question, [r for r, _ in responses])
    stats.flags = _flags(stats, min_answers)
    return stats


def _choices(question: Question, responses: list[Any]) -> tuple[int, list[Choice]]:
    """(times the right choice was given, every wrong choice with its count, most common first).

    For single and multiple choice every wrong option is listed, even one nobody picks (a
    distractor that never distracts is worth knowing about too).
    """
    kind = question.type
    if kind in ("single", "multiple"):
        picked: Counter[int] = Counter()
        for response in responses:
            chosen = [response] if kind == "single" else response
            for index in chosen if isinstance(chosen, list) else []:
                if isinstance(index, int):
                    picked[index] += 1
        right = [picked[i] for i, o in enumerate(question.options) if o.correct]
        wrong = [
            Choice(_option_label(question, i), picked[i])
            for i, o in enumerate(question.options)
            if not o.correct
        ]
        return min(right, default=0), sorted(wrong, key=lambda c: -c.count)
    if kind == "matching":
        pairs: Counter[tuple[int, int]] = Counter()
        right_per_left: Counter[int] = Counter()
        for response in responses:
            for left, chosen in enumerate(response if isinstance(response, list) else []):
                if chosen == left:
                    right_per_left[left] += 1
                elif (
                    isinstance(chosen, int)
                    and 0 <= chosen < len(question.pairs)
                    and left < len(question.pairs)
                ):
                    pairs[(left, chosen)] += 1
        wrong = [
            Choice(f"{question.pairs[a].left} → {question.pairs[b].right}", n)
            for (a, b), n in pairs.most_common()
        ]
        worst = pairs.most_common(1)
        return (right_per_left[worst[0][0][0]] if worst else 0), wrong
    given: Counter[str] = Counter()
    right_answers = 0
    for response in responses:
        if question.is_correct(response):
            right_answers += 1
        else:
            given[_free_label(question, response)] += 1
    return right_answers, [Choice(label, n) for label, n in given.most_common()]


def _option_label(question: Question, index: int) -> str:
    return f"option {index + 1} {_short(question.options[index].text)}"


def _free_label(question: Question, response: Any) -> str:
    if question.type == "true_false":
        return "True" if response else "False"
    if question.type == "numeric" and isinstance(response, (int, float)):
        return with_unit(format_number(response), question.unit)
    if question.type == "short_answer" and isinstance(response, str):
        return repr(" ".join(response.split()).casefold())  # group "Abe" with "ABE "
    return str(response)


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= width else f"“{text[: width - 1].rstrip()}…”"


def difficulty_flags(facility: float) -> list[str]:
    """ "too easy" or "too hard" by the share of right answers: the one rule for both reports."""
    if facility > TOO_EASY:
        return ["too easy"]
    return ["too hard"] if facility < TOO_HARD else []


def _flags(stats: QuestionStats, min_answers: int) -> list[str]:
    facility = stats.facility
    if facility is None or stats.answers < min_answers:
        return []
    flags = difficulty_flags(facility)
    top = stats.wrong[0] if stats.wrong else None
    if top is not None and top.count > stats.right_count:
        flags.append(
            f"misleading: {top.label} was chosen {_times(top.count)}, the right answer {_times(stats.right_count)}"
        )
    return flags


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def bank_stats(
    store: Store, banks: list[Bank], min_answers: int = MIN_ANSWERS
) -> list[ModuleStats]:
    return [module_stats(store, bank, min_answers) for bank in banks]
