"""Flags on a log whose signature may be good but whose figures a person could not have produced.

A signature proves who signed and that nothing changed since; it cannot prove the figures are
true, since an officer can edit their own store and sign again. These checks catch the edits that
leave a trace: answers faster than anyone reads, more time on task than the period holds, answers
dated after the export, module figures that disagree with the answers they were built from.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

FASTEST_MEDIAN_SECONDS = 2.0  # nobody reads a question and its options faster
MIN_ANSWERS_FOR_SPEED = 5
SECONDS_TOLERANCE = 1.0  # module seconds are rounded to 2 decimals


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def flags(doc: dict[str, Any]) -> list[str]:
    """One short sentence per implausible thing in the log's figures (empty when none)."""
    attempts = [a for a in doc.get("attempts") or [] if isinstance(a, dict)]
    by_module: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for attempt in attempts:
        by_module[str(attempt.get("module_id"))].append(attempt)
    found = _speed_flags(by_module)
    found += _time_flags(doc, attempts)
    found += _module_flags(doc, by_module)
    return found


def _speed_flags(by_module: dict[str, list[dict[str, Any]]]) -> list[str]:
    found = []
    for module_id, answers in sorted(by_module.items()):
        if len(answers) < MIN_ANSWERS_FOR_SPEED:
            continue
        median = statistics.median(_number(a.get("seconds")) for a in answers)
        if median < FASTEST_MEDIAN_SECONDS:
            found.append(
                f"answers in {module_id} took a median of {median:.1f} s each "
                f"(faster than a person can read a question)"
            )
    return found


def _period_span(doc: dict[str, Any], attempts: list[dict[str, Any]]) -> tuple[Any, Any]:
    period = _dict(doc.get("period"))
    generated = _moment(doc.get("generated_at"))
    start = _moment(period.get("since"))
    if start is None:
        stamps = [_moment(a.get("answered_at")) for a in attempts]
        stamps += [
            _moment(x.get("started_at")) for x in doc.get("activities") or [] if isinstance(x, dict)
        ]
        stamps += [
            _moment(r.get("created_at"))
            for r in doc.get("reflections") or []
            if isinstance(r, dict)
        ]
        known = [s for s in stamps if s is not None]
        start = min(known) if known else None
    until = _moment(period.get("until"))
    end = until + timedelta(days=1) if until else generated
    return start, end


def _time_flags(doc: dict[str, Any], attempts: list[dict[str, Any]]) -> list[str]:
    found = []
    generated = _moment(doc.get("generated_at"))
    if generated is not None:
        late = [a for a in attempts if (_moment(a.get("answered_at")) or generated) > generated]
        if late:
            found.append(f"{len(late)} answer(s) dated after the log was generated")
    totals = _dict(doc.get("totals"))
    seconds = _number(totals.get("seconds"))
    start, end = _period_span(doc, attempts)
    if start is not None and end is not None and seconds > (end - start).total_seconds() + 60:
        hours = max((end - start).total_seconds(), 0) / 3600
        found.append(
            f"{seconds / 3600:.1f} h on task in a period of {hours:.1f} h "
            "(more time than the period allows)"
        )
    return found


def _module_flags(doc: dict[str, Any], by_module: dict[str, list[dict[str, Any]]]) -> list[str]:
    found = []
    for module in doc.get("modules") or []:
        if not isinstance(module, dict):
            continue
        answers = by_module.get(str(module.get("id")), [])
        claimed = (
            _number(module.get("attempts")),
            _number(module.get("correct")),
            _number(module.get("seconds")),
        )
        counted = (
            float(len(answers)),
            float(sum(a.get("correct") is True for a in answers)),
            sum(_number(a.get("seconds")) for a in answers),
        )
        if claimed[:2] != counted[:2] or abs(
            claimed[2] - counted[2]
        ) > SECONDS_TOLERANCE + 0.01 * len(answers):
            found.append(
                f"module {module.get('id')} claims {claimed[0]:.0f} answers ({claimed[1]:.0f} right, "
                f"{claimed[2] / 60:.0f} min) but its answers show {counted[0]:.0f} "
                f"({counted[1]:.0f} right, {counted[2] / 60:.0f} min)"
            )
    return found
