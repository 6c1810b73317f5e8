"""The rules of working through a module: continue or start afresh, what was missed, a retake.

No printing here: `cli.learn` says what these decide.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from scr_cpd.content.model import Bank
from scr_cpd.progress.quiz import plan_module
from scr_cpd.progress.store import Session, Store


@dataclass(frozen=True)
class ModuleRun:
    session: Session
    answered: int  # answers already given in this session
    resumed: bool  # an earlier session goes on (with at least one answer in it)

    @property
    def shows_introduction(self) -> bool:
        """The module's introduction is shown until its first answer is given."""
        return self.answered == 0


def begin_module(store: Store, bank: Bank, rng: random.Random, restart: bool = False) -> ModuleRun:
    """The module's active session, continued; or a new one (the old one abandoned on restart,
    its answers kept in the history)."""
    session = store.active_session("module", bank.id)
    if session and restart:
        store.end_session(session.id, "abandoned")
        session = None
    if session is None:
        session = store.start_session("module", bank.id, plan_module(bank, rng), bank.version)
        return ModuleRun(session, 0, False)
    answered = len({(a.module_id, a.question_id) for a in store.attempts(session_id=session.id)})
    return ModuleRun(session, answered, answered > 0)


def answered_in(store: Store, module_id: str) -> int | None:
    """How many questions the module's unfinished session has answered; None if there is none."""
    session = store.active_session("module", module_id)
    if session is None:
        return None
    return len({a.question_id for a in store.attempts(session_id=session.id)})


def modules_in_progress(store: Store, banks: list[Bank]) -> list[Bank]:
    """Modules with an unfinished session, most recently started first."""
    by_id = {b.id: b for b in banks}
    found: list[Bank] = []
    for session in store.active_sessions():
        bank = by_id.get(session.module_id or "")
        if session.kind == "module" and bank is not None and bank not in found:
            found.append(bank)
    return found


def missed_questions(store: Store, session_id: int) -> list[str]:
    """The question ids answered wrongly in a session (by their latest answer), in asking order."""
    latest: dict[str, bool] = {}
    for attempt in store.attempts(session_id=session_id):
        latest[attempt.question_id] = attempt.correct
    return [qid for qid, correct in latest.items() if not correct]


def missed_learning_points(bank: Bank, missed: list[str]) -> list[str]:
    """The text of each learning point the missed questions teach, once, in order."""
    points: list[str] = []
    for qid in missed:
        question = bank.question(qid)
        for lp in question.learning_points if question else ():
            if lp not in points:
                points.append(lp)
    return [bank.learning_points.get(lp, lp) for lp in points]


def start_retake(store: Store, bank: Bank, missed: list[str]) -> Session:
    return store.start_session("retake", bank.id, [(bank.id, q) for q in missed], bank.version)


def abandon(store: Store, session: Session) -> None:
    """A retake (or practice) left unfinished is not resumed; its answers are kept all the same."""
    store.end_session(session.id, "abandoned")
