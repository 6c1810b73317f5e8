"""The quiz loop: ask each question, grade it, store it at once, give feedback.

The loop talks to the person only through a `QuizUI`, so it runs the same under the interactive
prompts, the plain numbered mode and the tests.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol, Sequence

from scr_cpd.common.text import count, noun
from scr_cpd.content.model import Bank, Question
from scr_cpd.progress.store import AlreadyAnswered, Session, Store

IDLE_CAP_SECONDS = 300  # a question left on screen longer than this counts as 5 minutes of study
CONFIDENCE_LEVELS = ("sure", "fairly", "guess")


@dataclass(frozen=True)
class Presented:
    """A question as shown: its options in display order (indices into question.options)."""

    question: Question
    number: int
    total: int
    option_order: tuple[int, ...] = ()
    right_order: tuple[int, ...] = ()  # matching: the right-hand sides in display order


@dataclass(frozen=True)
class Feedback:
    presented: Presented
    response: Any
    correct: bool
    confidence: str | None = None
    attempt_id: int | None = None

    @property
    def question(self) -> Question:
        return self.presented.question

    @property
    def option_feedback(self) -> list[tuple[str, str]]:
        """(option text, feedback) for what the learner chose, in the order shown."""
        q = self.question
        if q.type == "single":
            chosen = [self.response]
        elif q.type == "multiple":
            chosen = [i for i in self.presented.option_order if i in self.response]
        else:
            return []
        return [(q.options[i].text, q.options[i].feedback) for i in chosen if q.options[i].feedback]

    @property
    def general_feedback(self) -> str | None:
        q = self.question
        return q.correct_feedback if self.correct else q.incorrect_feedback


class Stop(Exception):
    """The learner chose to stop (typed q, pressed Ctrl-C or reached the end of input).

    Stopped in a free-text answer, `written` is the text typed into it so far (and `seconds`
    the time spent on it, where the caller timed it), so that it need not be lost.
    """

    def __init__(self, reason: str = "", written: str = "") -> None:
        super().__init__(reason)
        self.written = written
        self.seconds = 0.0


class EndOfInput(Stop):
    """The input has ended (a pipe ran dry, or Ctrl-D): nothing more can be asked."""


class QuizUI(Protocol):
    def ask(self, presented: Presented) -> Any: ...  # a response; raises Stop
    def ask_confidence(self) -> str | None: ...  # one of CONFIDENCE_LEVELS or None; raises Stop
    def show_feedback(self, feedback: Feedback) -> None: ...
    # Optionally `pause()`: after feedback, before the next question; may raise Stop.
    def say(self, text: str) -> None: ...


@dataclass
class QuizResult:
    session: Session
    answered: list[Feedback] = field(default_factory=list)
    finished: bool = False
    previously_correct: int = 0
    previously_answered: int = 0

    @property
    def total(self) -> int:
        return len(self.session.plan)

    @property
    def correct(self) -> int:
        return self.previously_correct + sum(f.correct for f in self.answered)

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0


def present(question: Question, number: int, total: int, rng: random.Random) -> Presented:
    order = list(range(len(question.options)))
    if question.shuffle and question.type in ("single", "multiple"):
        rng.shuffle(order)
    rights = list(range(len(question.pairs)))
    if question.type == "matching":
        # Never show the right-hand side already in matching order.
        while len(rights) > 1 and rights == sorted(rights):
            rng.shuffle(rights)
    return Presented(question, number, total, tuple(order), tuple(rights))


def plan_module(
    bank: Bank, rng: random.Random, only: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    questions = [q for q in bank.questions if only is None or q.id in only]
    rng.shuffle(questions)
    return [q.key for q in questions]


def run_session(
    store: Store,
    session: Session,
    lookup: Callable[[str, str], Question | None],
    ui: QuizUI,
    ask_confidence: bool = False,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_answer: Callable[[Question, Feedback], None] | None = None,
) -> QuizResult:
    """Ask every question of the session's plan not yet answered in it; commit each answer.

    Returns when the plan is done (the session is marked completed) or the learner stops
    (the session stays active, to be resumed).
    """
    rng = rng or random.Random()
    done = {(a.module_id, a.question_id): a for a in store.attempts(session_id=session.id)}
    result = QuizResult(
        session,
        previously_answered=len(done),
        previously_correct=sum(a.correct for a in done.values()),
    )
    plan = [key for key in session.plan if lookup(*key) is not None]
    gone = len(session.plan) - len(plan)
    if gone:
        ui.say(
            f"{count(gone, 'question')} in this session {noun(gone, 'is', 'are')} no longer in the bank and {noun(gone, 'is', 'are')} skipped."
        )
        session = Session(
            session.id, session.kind, session.module_id, plan, session.started_at, session.status
        )
        result.session = session
    started = clock()
    for number, key in enumerate(plan, start=1):
        if key in done:
            continue
        question = lookup(*key)
        assert question is not None
        presented = present(question, number, len(plan), rng)
        try:
            response = ui.ask(presented)
        except Stop:
            return result
        now = clock()
        seconds, started = min(now - started, IDLE_CAP_SECONDS), now
        try:
            feedback = _answer(store, session, question, presented, response, seconds)
        except AlreadyAnswered:  # another window on this module answered it first: that counts
            first = next(
                a for a in store.attempts(session_id=session.id) if a.question_id == question.id
            )
            result.previously_answered += 1
            result.previously_correct += first.correct
            ui.say("This question was answered meanwhile in another window; that answer counts.")
            continue
        result.answered.append(feedback)
        stopped = False
        if ask_confidence:
            try:
                feedback = _add_confidence(store, feedback, ui.ask_confidence())
                result.answered[-1] = feedback
            except Stop:
                stopped = True  # the answer is kept; only the confidence is not
        if on_answer:
            on_answer(question, feedback)
        if stopped:
            return result
        ui.show_feedback(feedback)
        try:
            getattr(ui, "pause", _no_pause)()
        except Stop:
            return result
    store.end_session(session.id, "completed")
    result.finished = True
    return result


def _no_pause() -> None:
    pass


def _answer(
    store: Store,
    session: Session,
    question: Question,
    presented: Presented,
    response: Any,
    seconds: float,
) -> Feedback:
    """Grade and commit an answer the moment it is given, before anything else is asked."""
    correct = question.is_correct(response)
    attempt_id = store.record_attempt(
        session.id,
        question.module_id,
        question.id,
        question.revision,
        question.content_hash,
        response,
        correct,
        seconds,
        None,
    )
    return Feedback(presented, response, correct, None, attempt_id)


def _add_confidence(store: Store, feedback: Feedback, confidence: str | None) -> Feedback:
    if confidence not in CONFIDENCE_LEVELS:
        return feedback  # skipped: no confidence is stored (NULL)
    with store.transaction():
        store.db.execute(
            "UPDATE attempts SET confidence = ? WHERE id = ?", (confidence, feedback.attempt_id)
        )
    return replace(feedback, confidence=confidence)
