"""Build the canonical CPD log (`scr-cpd/log@1`) from the progress store."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from scr_cpd import __version__
from scr_cpd.content.model import Bank
from scr_cpd.progress.log.response import stable_response
from scr_cpd.progress.reflections import FIELDS, all_entries
from scr_cpd.progress.store import Store, iso

FORMAT = "scr-cpd/log@1"


def period_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """ISO strings to compare timestamps with: since inclusive, until inclusive (so < the next day)."""
    return (
        since.isoformat() if since else None,
        (until + timedelta(days=1)).isoformat() if until else None,
    )


def _where(column: str, low: str | None, high: str | None) -> tuple[str, list[str]]:
    clauses, args = [], []
    if low:
        clauses.append(f"{column} >= ?")
        args.append(low)
    if high:
        clauses.append(f"{column} < ?")
        args.append(high)
    return (" AND ".join(clauses) or "1=1"), args


def build_log(
    store: Store,
    banks: list[Bank],
    since: date | None = None,
    until: date | None = None,
    redact: bool = False,
    generated_at: str | None = None,
) -> dict[str, Any]:
    low, high = period_bounds(since, until)
    titles = {b.id: b.title for b in banks}
    attempts = _attempts(store, low, high, {q.key: q for b in banks for q in b.questions})
    reflections, identifiers = _reflections(store, banks, low, high, redact)
    modules = _modules(store, banks, attempts, low, high)
    activities = _activities(store, titles, low, high) + [
        {
            "kind": "reflection",
            "module_id": r["module_id"],
            "title": r["prompt"][:120],
            "started_at": r["created_at"],
            "ended_at": r["updated_at"],
            "status": "written",
            "questions": 0,
            "correct": 0,
            "seconds": r["seconds"],
        }
        for r in reflections
    ]
    activities.sort(key=lambda a: a["started_at"])
    profile = store.profile()
    return {
        "format": FORMAT,
        "generated_at": generated_at or iso(),
        "app": {"name": "scr-cpd", "version": __version__},
        "profile": {k: profile.get(k, "") for k in ("name", "role", "force", "staff_number")},
        "period": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
        "banks": [{"id": b.id, "title": b.title, "version": b.version} for b in banks],
        "modules": modules,
        "activities": activities,
        "attempts": attempts,
        "reflections": reflections,
        "totals": totals(modules, attempts, reflections),
        "identifiers": identifiers,
    }


def totals(modules: list[dict], attempts: list[dict], reflections: list[dict]) -> dict[str, Any]:
    """CPD hours are time on task: answering questions and writing reflections, idle time capped."""
    seconds = round(sum(a["seconds"] for a in attempts) + sum(r["seconds"] for r in reflections), 2)
    return {
        "cpd_hours": round(seconds / 3600, 2),
        "seconds": seconds,
        "modules_available": len(modules),
        "modules_completed": sum(m["status"] in ("completed", "passed") for m in modules),
        "modules_passed": sum(m["status"] == "passed" for m in modules),
        "questions_answered": len(attempts),
        "reflections": len(reflections),
    }


def _attempts(
    store: Store, low: str | None, high: str | None, questions: dict[tuple[str, str], Any]
) -> list[dict[str, Any]]:
    where, args = _where("answered_at", low, high)
    rows = store.db.execute(
        "SELECT module_id, question_id, revision, content_hash, correct, confidence, answered_at, seconds,"
        f" response FROM attempts WHERE {where} ORDER BY id",
        args,
    )
    return [_with_response(questions.get((r[0], r[1])), r) for r in rows]


def _with_response(question: Any, r: Any) -> dict[str, Any]:
    """One attempt; `response` (optional in log@1) only when the wording answered is known."""
    response = stable_response(question, r[3], json.loads(r[8]))
    return {
        "module_id": r[0],
        "question_id": r[1],
        "revision": r[2],
        "content_hash": r[3],
        "correct": bool(r[4]),
        "confidence": r[5],
        "answered_at": r[6],
        "seconds": r[7],
    } | ({"response": response} if response is not None else {})


def _modules(
    store: Store, banks: list[Bank], attempts: list[dict], low: str | None, high: str | None
) -> list[dict]:
    where, args = _where("s.ended_at", low, high)
    best: dict[str, float] = {}
    completions: dict[str, int] = {}
    for row in store.db.execute(
        "SELECT s.module_id, s.plan, COALESCE(SUM(a.correct), 0) FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id"
        f" WHERE s.kind = 'module' AND s.status = 'completed' AND {where} GROUP BY s.id",
        args,
    ):
        score = row[2] / (len(json.loads(row[1])) or 1)
        best[row[0]] = max(best.get(row[0], 0.0), score)
        completions[row[0]] = completions.get(row[0], 0) + 1
    active = {
        r[0]
        for r in store.db.execute(
            "SELECT module_id FROM sessions WHERE kind = 'module' AND status = 'active'"
        )
    }
    per_module: dict[str, dict[str, Any]] = {}
    for a in attempts:
        m = per_module.setdefault(
            a["module_id"],
            {
                "attempts": 0,
                "correct": 0,
                "seconds": 0.0,
                "first": a["answered_at"],
                "last": a["answered_at"],
            },
        )
        m["attempts"] += 1
        m["correct"] += a["correct"]
        m["seconds"] += a["seconds"]
        m["last"] = a["answered_at"]
    records = []
    for bank in banks:
        m = per_module.get(bank.id, {})
        if bank.id in best and best[bank.id] >= bank.pass_mark:
            status = "passed"
        elif bank.id in best:
            status = "completed"
        elif bank.id in active or m:
            status = "in progress"
        else:
            status = "not started"
        records.append(
            {
                "id": bank.id,
                "title": bank.title,
                "bank_version": bank.version,
                "status": status,
                "questions": len(bank.questions),
                "pass_mark": bank.pass_mark,
                "best_score": round(best[bank.id], 4) if bank.id in best else None,
                "completions": completions.get(bank.id, 0),
                "attempts": m.get("attempts", 0),
                "correct": m.get("correct", 0),
                "seconds": round(m.get("seconds", 0.0), 2),
                "first_activity": m.get("first"),
                "last_activity": m.get("last"),
            }
        )
    return records


def _activities(
    store: Store, titles: dict[str, str], low: str | None, high: str | None
) -> list[dict]:
    where, args = _where("s.started_at", low, high)
    rows = store.db.execute(
        "SELECT s.kind, s.module_id, s.started_at, s.ended_at, s.status, COUNT(a.id), COALESCE(SUM(a.correct), 0),"
        " COALESCE(SUM(a.seconds), 0) FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id"
        f" WHERE {where} GROUP BY s.id ORDER BY s.id",
        args,
    )
    activities = []
    for kind, module_id, started, ended, status, answered, correct, seconds in rows:
        if answered == 0:
            continue
        title = titles.get(module_id, module_id or "Practice across modules")
        label = {
            "module": title,
            "retake": f"Retake: {title}",
            "practice": "Practice" + (f": {title}" if module_id else " across modules"),
        }.get(kind, title)
        activities.append(
            {
                "kind": kind,
                "module_id": module_id,
                "title": label,
                "started_at": started,
                "ended_at": ended,
                "status": status,
                "questions": answered,
                "correct": correct,
                "seconds": round(seconds, 2),
            }
        )
    return activities


def _reflections(
    store: Store, banks: list[Bank], low: str | None, high: str | None, redact: bool
) -> tuple[list[dict], list[dict]]:
    from scr_cpd.progress import pii

    by_id = {b.id: b for b in banks}
    records, identifiers = [], []
    for e in all_entries(store, since=low, until=high):
        bank = by_id.get(e.module_id or "")
        record = {
            "id": e.uid,
            "module_id": e.module_id,
            "module_title": bank.title if bank else None,
            "prompt_id": e.prompt_id,
            "prompt": e.prompt,
            "what": e.what,
            "so_what": e.so_what,
            "now_what": e.now_what,
            "learning_points": [
                {"id": lp, "text": bank.learning_points.get(lp, lp) if bank else lp}
                for lp in e.learning_points
            ],
            "tags": e.tags,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
            "seconds": round(e.seconds, 2),
        }
        for field in FIELDS:
            found = pii.find_identifiers(record[field])
            for finding in found:
                identifiers.append(
                    {"reflection": e.uid, "field": field, "kind": finding.kind, "redacted": redact}
                )
            if found and redact:
                record[field] = pii.redact(record[field])
        records.append(record)
    return records, identifiers
