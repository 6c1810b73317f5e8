"""What the learner has done, per module: status, best score, attempts and time on task."""

from __future__ import annotations

import json
from dataclasses import dataclass

from scr_cpd.content.model import Bank
from scr_cpd.progress.store import Store


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    status: str  # not started | in progress | completed | passed
    best_score: float | None
    completions: int
    attempts: int
    seconds: float
    last_activity: str | None


def session_scores(store: Store, kind: str = "module") -> list[tuple[int, str, float, str]]:
    """(session id, module id, score, ended at) of every completed session of this kind.

    A question answered twice in one session (two terminals on the same module) counts once,
    by its latest answer, as the quiz loop counts it."""
    rows = store.db.execute(
        """SELECT s.id, s.module_id, s.plan, s.ended_at, COALESCE(SUM(a.correct), 0) AS right
           FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id AND a.id IN (
               SELECT MAX(id) FROM attempts GROUP BY session_id, module_id, question_id)
           WHERE s.kind = ? AND s.status = 'completed' GROUP BY s.id ORDER BY s.id""",
        (kind,),
    ).fetchall()
    scores = []
    for row in rows:
        total = len(json.loads(row["plan"])) or 1
        scores.append((row["id"], row["module_id"], row["right"] / total, row["ended_at"]))
    return scores


def module_progress(store: Store, banks: list[Bank]) -> dict[str, ModuleProgress]:
    best: dict[str, float] = {}
    completions: dict[str, int] = {}
    for _, module_id, score, _ in session_scores(store):
        best[module_id] = max(best.get(module_id, 0.0), score)
        completions[module_id] = completions.get(module_id, 0) + 1
    totals = {
        row["module_id"]: row
        for row in store.db.execute(
            "SELECT module_id, COUNT(*) AS n, SUM(seconds) AS secs, MAX(answered_at) AS last FROM attempts GROUP BY module_id"
        )
    }
    active = {s.module_id for s in store.active_sessions() if s.kind == "module"}
    result = {}
    for bank in banks:
        mid = bank.id
        row = totals.get(mid)
        if mid in best and best[mid] >= bank.pass_mark:
            status = "passed"
        elif mid in active:
            status = "in progress"
        elif mid in best:
            status = "completed"
        else:
            status = "not started"
        result[mid] = ModuleProgress(
            module_id=mid,
            status=status,
            best_score=best.get(mid),
            completions=completions.get(mid, 0),
            attempts=row["n"] if row else 0,
            seconds=float(row["secs"] or 0) if row else 0.0,
            last_activity=row["last"] if row else None,
        )
    return result


def format_duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
