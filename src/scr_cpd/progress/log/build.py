"""Build the canonical CPD log (`scr-cpd/log@1`) from the progress store.

Its figures (each module's status, best score, answers and time; the totals) come from
`progress.figures`, the same function `cpd progress` shows; this module adds the detail:
every sitting, every answer and every reflection in the period.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from scr_cpd import __version__
from scr_cpd.content.model import Bank
from scr_cpd.progress.figures import figures, period_bounds, where
from scr_cpd.progress.log.response import stable_response
from scr_cpd.progress.log.vocabulary import SELF_DIRECTED
from scr_cpd.progress.reflections import FIELDS, all_entries
from scr_cpd.progress.status import REFLECTION_STATUS, ModuleStatus, SessionKind
from scr_cpd.progress.store import Store, iso

FORMAT = "scr-cpd/log@1"
_UNSEEN: Any = object()  # a response not read yet (None: read, and not nameable)


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
    counted = figures(store, banks, since, until)
    activities = _activities(store, titles, low, high) + [
        {
            "kind": "reflection",
            "module_id": r["module_id"],
            "title": r["prompt"][:120],
            "started_at": r["created_at"],
            "ended_at": r["updated_at"],
            "status": REFLECTION_STATUS,
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
        "modules": [m.as_log() for m in counted.modules],
        "activities": activities,
        "attempts": attempts,
        "reflections": reflections,
        "totals": counted.totals.as_log(),
        "activity_type": SELF_DIRECTED,
        "learning_outcomes": _learning_outcomes(counted.modules, banks),
        "identifiers": identifiers,
    }


def _attempts(
    store: Store, low: str | None, high: str | None, questions: dict[tuple[str, str], Any]
) -> list[dict[str, Any]]:
    clause, args = where("answered_at", low, high)
    rows = store.plain_rows(
        # CAST: a value edited by hand counts as SQL's SUM counts it in the figures (text as 0)
        "SELECT module_id, question_id, revision, content_hash, CAST(correct AS INTEGER),"
        " confidence, answered_at, CAST(seconds AS REAL), response"
        f" FROM attempts WHERE {clause} ORDER BY id",
        args,
    )
    # An officer gives the same few responses to a question again and again: each distinct one
    # is read and named once (hashing a question's wording is most of the work), and the
    # attempts share the one (read-only) response object. (fetchall and unpacking each row into
    # names: half the time of reading the rows one at a time and indexing them.)
    responses: dict[tuple[Any, ...], dict[str, Any] | None] = {}
    attempts: list[dict[str, Any]] = []
    append = attempts.append
    for (
        module_id,
        question_id,
        revision,
        content_hash,
        correct,
        confidence,
        answered_at,
        seconds,
        raw,
    ) in rows.fetchall():
        key = (module_id, question_id, content_hash, raw)
        response = responses.get(key, _UNSEEN)
        if response is _UNSEEN:
            question = questions.get((module_id, question_id))
            response = responses[key] = stable_response(question, content_hash, json.loads(raw))
        attempt = {
            "module_id": module_id,
            "question_id": question_id,
            "revision": revision,
            "content_hash": content_hash,
            "correct": bool(correct),
            "confidence": confidence,
            "answered_at": answered_at,
            "seconds": seconds,
        }
        if response is not None:  # optional in log@1: only when the wording answered is known
            attempt["response"] = response
        append(attempt)
    return attempts


def _activities(
    store: Store, titles: dict[str, str], low: str | None, high: str | None
) -> list[dict[str, Any]]:
    clause, args = where("s.started_at", low, high)
    rows = store.plain_rows(
        "SELECT s.kind, s.module_id, s.started_at, s.ended_at, s.status, COUNT(a.id), COALESCE(SUM(a.correct), 0),"
        " COALESCE(SUM(a.seconds), 0) FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id"
        f" WHERE {clause} GROUP BY s.id ORDER BY s.id",
        args,
    )
    activities = []
    for kind, module_id, started, ended, status, answered, correct, seconds in rows:
        if answered == 0:
            continue
        title = titles.get(module_id, module_id or "Practice across modules")
        if kind == SessionKind.RETAKE:
            label = f"Retake: {title}"
        elif kind == SessionKind.PRACTICE:
            label = "Practice" + (f": {title}" if module_id else " across modules")
        else:  # a module run, or a kind this version does not know
            label = title
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
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from scr_cpd.progress import pii

    by_id = {b.id: b for b in banks}
    records: list[dict[str, Any]] = []
    identifiers: list[dict[str, Any]] = []
    for e in all_entries(store, since=low, until=high):
        bank = by_id.get(e.module_id or "")
        record: dict[str, Any] = {
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
            "seconds": round(_number(e.seconds), 2),
            "follow_up_due": e.follow_up_due,
            "impact": e.impact or None,
            "impact_at": e.impact_at,
        }
        for field in (*FIELDS, "impact"):
            found = pii.find_identifiers(record[field]) if record[field] else []
            for finding in found:
                identifiers.append(
                    {"reflection": e.uid, "field": field, "kind": finding.kind, "redacted": redact}
                )
            if found and redact:
                record[field] = pii.redact(record[field])
        records.append(record)
    return records, identifiers


def _learning_outcomes(modules: list[Any], banks: list[Bank]) -> list[dict[str, str]]:
    """The learning points of every module passed in the period, in the bank's order."""
    by_id = {b.id: b for b in banks}
    passed = [m.module_id for m in modules if m.status is ModuleStatus.PASSED]
    return [
        {"module_id": module_id, "id": point, "text": text}
        for module_id in passed
        if module_id in by_id
        for point, text in by_id[module_id].learning_points.items()
    ]


def _number(value: Any) -> float:
    """A stored number, or 0 for a value edited by hand into something else."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
