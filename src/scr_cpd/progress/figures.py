"""Every figure about the learner's record, computed once: per module its status, best score,
answers and time, and the totals (time on task, CPD hours, modules completed and passed).

`cpd modules`, `cpd progress`, the CPD log and each of its renderings all show what `figures`
returns; the renderings only format it. docs/figures.md states the rules in words:

- a module's *best score* is the best of its completed runs, each run scored as the questions
  answered right in it over the questions planned for it (never above 100 %); retakes and
  practice are never scored;
- *completed*: at least one run finished; *passed*: a finished run reached the pass mark;
  *in progress*: answers given (or a run open) but no run finished; *not started*: nothing yet;
- *answers* counts every answer given to the module's questions (runs, retakes, practice);
- *time on task* is the sum of the measured time of those answers (idle time capped) plus the
  time spent writing reflections; *CPD hours* is that time in hours, rounded half up to two
  decimal places, and always shown with two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from scr_cpd.progress.status import ModuleStatus, SessionKind, SessionStatus
from scr_cpd.progress.store import Store


class BankLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def pass_mark(self) -> float: ...
    @property
    def questions(self) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Answered:
    """What a module's answers add up to (within a period)."""

    answers: int = 0
    correct: int = 0
    seconds: float = 0.0
    first: str | None = None
    last: str | None = None


@dataclass(frozen=True)
class ModuleRecord:
    module_id: str
    title: str
    bank_version: str
    questions: int
    pass_mark: float
    status: ModuleStatus
    best_score: float | None  # 0..1, None when no run has finished
    completions: int  # runs finished
    answers: int  # answers given, every kind of session
    correct: int  # of those, right
    seconds: float  # time on task in this module's questions, rounded to 0.01 s
    first_activity: str | None
    last_activity: str | None

    def as_log(self) -> dict[str, Any]:
        """The module's entry in the CPD log (`attempts` is the log@1 name for answers)."""
        return {
            "id": self.module_id,
            "title": self.title,
            "bank_version": self.bank_version,
            "status": self.status.value,
            "questions": self.questions,
            "pass_mark": self.pass_mark,
            "best_score": self.best_score,
            "completions": self.completions,
            "attempts": self.answers,
            "correct": self.correct,
            "seconds": self.seconds,
            "first_activity": self.first_activity,
            "last_activity": self.last_activity,
        }


@dataclass(frozen=True)
class Totals:
    seconds: float  # time on task: answers and reflections
    cpd_hours: float
    modules_available: int
    modules_completed: int  # finished at least once (passed ones included)
    modules_passed: int
    answers: int
    reflections: int

    def as_log(self) -> dict[str, Any]:
        return {
            "cpd_hours": self.cpd_hours,
            "seconds": self.seconds,
            "modules_available": self.modules_available,
            "modules_completed": self.modules_completed,
            "modules_passed": self.modules_passed,
            "questions_answered": self.answers,
            "reflections": self.reflections,
        }


@dataclass(frozen=True)
class Figures:
    modules: list[ModuleRecord]
    totals: Totals

    def module(self, module_id: str) -> ModuleRecord:
        return next(m for m in self.modules if m.module_id == module_id)


# --- the rules ------------------------------------------------------------------------------


def run_score(right: int, planned: int) -> float:
    """A finished run's score: right answers over planned questions, never above 1."""
    return min(1.0, right / planned) if planned > 0 else 0.0


def module_status(best: float | None, pass_mark: float, active: bool) -> ModuleStatus:
    """`active`: answers were given or a run is open. A finished run outranks an open one."""
    if best is not None:
        return ModuleStatus.PASSED if best >= pass_mark else ModuleStatus.COMPLETED
    return ModuleStatus.IN_PROGRESS if active else ModuleStatus.NOT_STARTED


def cpd_hours(seconds: float) -> float:
    """Hours, rounded half up to two decimal places (0.01 h is 36 seconds)."""
    hours = Decimal(repr(float(seconds))) / 3600
    return float(hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def format_hours(hours: Any) -> str:
    """CPD hours as every output shows them: two decimal places."""
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        return str(hours)
    return f"{hours:.2f}"


def format_score(score: Any) -> str:
    """A score as every output shows it: a whole percentage, "–" when there is none."""
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return "–"
    return f"{round(score * 100)}%"


def module_record(
    bank: BankLike, scores: Sequence[float], answered: Answered, open_run: bool
) -> ModuleRecord:
    """One module's figures from its finished runs' scores, its answers and whether a run is open."""
    best = round(max(scores), 4) if scores else None  # the log's precision, used for status too
    return ModuleRecord(
        module_id=bank.id,
        title=bank.title,
        bank_version=bank.version,
        questions=len(bank.questions),
        pass_mark=bank.pass_mark,
        status=module_status(best, bank.pass_mark, open_run or answered.answers > 0),
        best_score=best,
        completions=len(scores),
        answers=answered.answers,
        correct=answered.correct,
        seconds=round(answered.seconds, 2),
        first_activity=answered.first,
        last_activity=answered.last,
    )


def totals(
    modules: Sequence[ModuleRecord],
    answer_seconds: float,
    answers: int,
    reflection_seconds: float,
    reflections: int,
) -> Totals:
    """The totals; time on task counts every answer, also those to questions of a module that is
    no longer installed, and every reflection."""
    seconds = round(answer_seconds + reflection_seconds, 2)
    return Totals(
        seconds=seconds,
        cpd_hours=cpd_hours(seconds),
        modules_available=len(modules),
        modules_completed=sum(
            m.status in (ModuleStatus.COMPLETED, ModuleStatus.PASSED) for m in modules
        ),
        modules_passed=sum(m.status is ModuleStatus.PASSED for m in modules),
        answers=answers,
        reflections=reflections,
    )


# --- reading them from the store -------------------------------------------------------------


def period_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """ISO strings to compare stored times with: since inclusive, until inclusive (< next day)."""
    return (
        since.isoformat() if since else None,
        (until + timedelta(days=1)).isoformat() if until else None,
    )


def where(column: str, low: str | None, high: str | None) -> tuple[str, list[str]]:
    clauses, args = [], []
    if low:
        clauses.append(f"{column} >= ?")
        args.append(low)
    if high:
        clauses.append(f"{column} < ?")
        args.append(high)
    return (" AND ".join(clauses) or "1=1"), args


def figures(
    store: Store, banks: Iterable[BankLike], since: date | None = None, until: date | None = None
) -> Figures:
    """Every module's record and the totals, over the whole history or the period given.

    In a period: a run counts when it finished in it, an answer or a reflection when it was
    given or written in it, and an open run when it started before the period's end.
    """
    low, high = period_bounds(since, until)
    banks = list(banks)
    scores = _run_scores(store, low, high)
    answered = _answered(store, low, high)
    open_runs = _open_runs(store, high)
    records = [
        module_record(b, scores.get(b.id, []), answered.get(b.id, Answered()), b.id in open_runs)
        for b in banks
    ]
    answer_seconds = sum(a.seconds for a in answered.values())
    count = sum(a.answers for a in answered.values())
    clause, args = where("created_at", low, high)
    n, reflecting = store.db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(seconds), 0) FROM reflections WHERE {clause}", args
    ).fetchone()
    return Figures(records, totals(records, answer_seconds, count, float(reflecting), int(n)))


def _run_scores(store: Store, low: str | None, high: str | None) -> dict[str, list[float]]:
    clause, args = where("s.ended_at", low, high)
    rows = store.db.execute(
        "SELECT s.module_id, json_array_length(s.plan),"
        " (SELECT COUNT(*) FROM attempts a WHERE a.session_id = s.id AND a.correct)"
        f" FROM sessions s WHERE s.kind = ? AND s.status = ? AND {clause} ORDER BY s.id",
        [SessionKind.MODULE.value, SessionStatus.COMPLETED.value, *args],
    )
    scores: dict[str, list[float]] = {}
    for module_id, planned, right in rows:
        scores.setdefault(module_id, []).append(run_score(int(right), int(planned)))
    return scores


def _answered(store: Store, low: str | None, high: str | None) -> dict[str, Answered]:
    clause, args = where("answered_at", low, high)
    rows = store.db.execute(
        "SELECT module_id, COUNT(*), COALESCE(SUM(correct), 0), COALESCE(SUM(seconds), 0),"
        f" MIN(answered_at), MAX(answered_at) FROM attempts WHERE {clause} GROUP BY module_id",
        args,
    )
    return {
        row[0]: Answered(int(row[1]), int(row[2]), float(row[3]), row[4], row[5]) for row in rows
    }


def _open_runs(store: Store, high: str | None) -> set[str]:
    clause, args = where("started_at", None, high)
    rows = store.db.execute(
        f"SELECT DISTINCT module_id FROM sessions WHERE kind = ? AND status = ? AND {clause}",
        [SessionKind.MODULE.value, SessionStatus.ACTIVE.value, *args],
    )
    return {row[0] for row in rows}
