"""Flags on a log whose signature may be good but whose figures a person could not have produced.

A signature proves who signed and that nothing changed since; it cannot prove the figures are
true, since an officer can edit their own store and sign again. These checks catch the edits that
leave a trace: answers faster than anyone reads, more time on task than the period holds, answers
dated after the export or outside the period, the same answer given twice, module figures that
disagree with the answers they were built from, a module status its best score cannot give, and
totals (CPD hours, modules completed and passed, answers, reflections) that disagree with the
records they add up.

They read any value without failing (a summary has only checked the fields it shows), and run on
every log of a team, so they make one pass over the answers.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import Any

from scr_cpd.common.text import count, noun
from scr_cpd.progress.figures import cpd_hours, module_status

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


@dataclass
class _Counted:
    seconds: list[float] = field(default_factory=list)
    right: int = 0


def _count(attempts: list[Any]) -> tuple[dict[str, _Counted], list[str]]:
    """Per module: each answer's seconds and how many were right; and every answer's time stamp.

    Read a field at a time (each a C-level pass) when every answer is an object holding every
    field, with its module id in text, as the app writes them; otherwise answer by answer."""
    if set(map(type, attempts)) != {dict}:
        return _count_each(attempts)
    try:
        modules = list(map(itemgetter("module_id"), attempts))
        values = list(map(itemgetter("seconds"), attempts))
        corrects = list(map(itemgetter("correct"), attempts))
        stamps = list(map(itemgetter("answered_at"), attempts))
    except KeyError:
        return _count_each(attempts)
    if set(map(type, modules)) != {str}:
        return _count_each(attempts)
    if set(map(type, values)) != {float}:
        values = [value if type(value) is float else _number(value) for value in values]
    seconds: dict[str, list[float]] = {m: [] for m in modules}
    for module, value in zip(modules, values):
        seconds[module].append(value)
    right = Counter(compress(modules, map(is_, corrects, repeat(True))))
    if set(map(type, stamps)) != {str}:
        stamps = [stamp for stamp in stamps if isinstance(stamp, str)]
    return {m: _Counted(found, right[m]) for m, found in seconds.items()}, stamps


def _count_each(attempts: list[Any]) -> tuple[dict[str, _Counted], list[str]]:
    seconds: dict[Any, list[float]] = {}
    right: dict[Any, int] = {}
    stamps: list[str] = []
    for attempt in attempts:  # one loop, names bound once: a log has hundreds of answers
        if type(attempt) is not dict:
            continue
        get = attempt.get
        module = get("module_id")
        if isinstance(module, (list, dict)):  # not a module id, and not hashable
            module = str(module)
        found = seconds.get(module)
        if found is None:
            found = seconds[module] = []
            right[module] = 0
        value = get("seconds")
        found.append(value if type(value) is float else _number(value))
        if get("correct") is True:
            right[module] += 1
        stamp = get("answered_at")
        if isinstance(stamp, str):
            stamps.append(stamp)
    return {str(m): _Counted(seconds[m], right[m]) for m in seconds}, stamps


def flags(doc: dict[str, Any]) -> list[str]:
    """One short sentence per implausible thing in the log's figures (empty when none)."""
    attempts = doc.get("attempts")
    answers = attempts if isinstance(attempts, list) else []
    by_module, stamps = _count(answers)
    moments = _moments(stamps)
    found = _speed_flags(by_module)
    found += _time_flags(doc, moments)
    found += _module_flags(doc, by_module)
    found += _totals_flags(doc, by_module)
    found += _repeat_flags(answers)
    found += _period_flags(doc, moments)
    return found


def _moments(stamps: list[str]) -> list[datetime]:
    """_moment of each stamp that gives one (one loop: a log has hundreds)."""
    parse, utc = datetime.fromisoformat, timezone.utc
    found: list[datetime] = []
    for stamp in stamps:
        try:
            moment = parse(stamp) if stamp else None
        except ValueError:
            continue
        if moment is not None:
            found.append(moment if moment.tzinfo else moment.replace(tzinfo=utc))
    return found


def _count_after(moments: list[datetime], limit: datetime) -> int:
    """How many of `moments` are later than `limit` (none, at C speed, in the usual case)."""
    return sum(m > limit for m in moments) if moments and max(moments) > limit else 0


def _count_before(moments: list[datetime], limit: datetime) -> int:
    """How many of `moments` are earlier than `limit`."""
    return sum(m < limit for m in moments) if moments and min(moments) < limit else 0


def _speed_flags(by_module: dict[str, _Counted]) -> list[str]:
    found = []
    for module_id, counted in sorted(by_module.items()):
        if len(counted.seconds) < MIN_ANSWERS_FOR_SPEED:
            continue
        median = statistics.median(counted.seconds)
        if median < FASTEST_MEDIAN_SECONDS:
            found.append(
                f"answers in {module_id} took a median of {median:.1f} s each "
                f"(faster than a person can read a question)"
            )
    return found


def _earliest(doc: dict[str, Any], moments: list[datetime]) -> datetime | None:
    since = _moment(_dict(doc.get("period")).get("since"))
    if since is not None:
        return since
    found: list[datetime | None] = list(moments)
    found += [_moment(_dict(x).get("started_at")) for x in doc.get("activities") or []]
    found += [_moment(_dict(r).get("created_at")) for r in doc.get("reflections") or []]
    known = [s for s in found if s is not None]
    return min(known) if known else None


def _time_flags(doc: dict[str, Any], moments: list[datetime]) -> list[str]:
    found = []
    generated = _moment(doc.get("generated_at"))
    if generated is not None:
        late = _count_after(moments, generated)
        if late:
            found.append(f"{count(late, 'answer')} dated after the log was generated")
    seconds = _number(_dict(doc.get("totals")).get("seconds"))
    until = _moment(_dict(doc.get("period")).get("until"))
    start, end = _earliest(doc, moments), until + timedelta(days=1) if until else generated
    if start is not None and end is not None and seconds > (end - start).total_seconds() + 60:
        hours = max((end - start).total_seconds(), 0) / 3600
        found.append(
            f"{seconds / 3600:.1f} h on task in a period of {hours:.1f} h "
            "(more time than the period allows)"
        )
    return found


def _module_flags(doc: dict[str, Any], by_module: dict[str, _Counted]) -> list[str]:
    found = []
    for module in doc.get("modules") or []:
        if not isinstance(module, dict):
            continue
        counted = by_module.get(str(module.get("id")), _Counted())
        claimed = [_number(module.get(k)) for k in ("attempts", "correct", "seconds")]
        answers, right, seconds = len(counted.seconds), counted.right, sum(counted.seconds)
        tolerance = SECONDS_TOLERANCE + 0.01 * answers
        if claimed[:2] != [answers, right] or abs(claimed[2] - seconds) > tolerance:
            found.append(
                f"module {module.get('id')} claims {claimed[0]:.0f} {noun(claimed[0], 'answer')} ({claimed[1]:.0f} right, "
                f"{claimed[2] / 60:.0f} min) but its answers show {answers} "
                f"({right} right, {seconds / 60:.0f} min)"
            )
    return found


def _status_problem(module: dict[str, Any]) -> str | None:
    """Why a module's status cannot come from its best score and completions, or None."""
    best, runs, status = module.get("best_score"), module.get("completions"), module.get("status")
    score = best if isinstance(best, (int, float)) and not isinstance(best, bool) else None
    if best is not None and (score is None or not 0 <= score <= 1):
        return f"a best score of {best!r}"
    if isinstance(runs, int) and (runs == 0) != (score is None):
        return f"{count(runs, 'finished run')} but a best score of {best!r}"
    pass_mark = module.get("pass_mark")
    if score is not None and not isinstance(pass_mark, (int, float)):
        return None  # no pass mark to judge the status by
    expected = module_status(score, _number(pass_mark), active=status != "not started")
    if status != expected.value:
        shown = "none" if score is None else f"{score:.0%} (pass mark {_number(pass_mark):.0%})"
        return f"status {status} but a best score of {shown}"
    return None


def _totals_flags(doc: dict[str, Any], by_module: dict[str, _Counted]) -> list[str]:
    """The totals a summary shows (CPD hours, modules completed and passed, answers,
    reflections) against the records they were added up from."""
    found = []
    modules = [m for m in doc.get("modules") or [] if isinstance(m, dict)]
    for module in modules:
        problem = _status_problem(module)
        if problem:
            found.append(f"module {module.get('id')} has {problem}")
    totals = _dict(doc.get("totals"))
    statuses = [m.get("status") for m in modules]
    found_reflections = doc.get("reflections")
    reflections: list[Any] = found_reflections if isinstance(found_reflections, list) else []
    counted = {
        "modules_completed": statuses.count("completed") + statuses.count("passed"),
        "modules_passed": statuses.count("passed"),
        "questions_answered": sum(len(c.seconds) for c in by_module.values()),
        "reflections": len(reflections),
    }
    for name, shown in counted.items():
        if name in totals and totals[name] != shown:
            found.append(
                f"totals claim {totals[name]!r} {name.replace('_', ' ')} but the log's own records show {shown}"
            )
    seconds = _number(totals.get("seconds"))
    spent: float = sum(sum(c.seconds) for c in by_module.values())
    spent += sum(_number(_dict(r).get("seconds")) for r in reflections)
    if seconds > spent + SECONDS_TOLERANCE + 0.01 * len(reflections):
        found.append(
            f"totals claim {seconds / 60:.0f} min on task but its answers and reflections "
            f"show {spent / 60:.0f} min"
        )
    hours = totals.get("cpd_hours")
    if isinstance(hours, (int, float)) and abs(hours - cpd_hours(seconds)) > 0.011:
        found.append(
            f"totals claim {_number(hours):.2f} CPD hours but {seconds / 60:.0f} min on task "
            f"make {cpd_hours(seconds):.2f}"
        )
    return found


def _repeat_flags(attempts: list[Any]) -> list[str]:
    """Answers given twice: the same question at the same moment."""
    keys = _answer_keys(attempts)
    repeated = len(keys) - len(set(keys))
    if not repeated:
        return []
    return [
        f"{count(repeated, 'answer')} repeating another exactly (the same question at the same moment)"
    ]


def _answer_keys(attempts: list[Any]) -> list[tuple[str, str, str]]:
    """(module, question, moment answered) of each answer, as text. A field at a time when every
    answer is an object holding the three as text, as the app writes them; otherwise one by one."""
    if set(map(type, attempts)) == {dict}:
        try:
            columns = [list(map(itemgetter(name), attempts)) for name in _KEY_FIELDS]
        except KeyError:
            columns = []
        if columns and all(set(map(type, column)) == {str} for column in columns):
            return list(zip(*columns))
    return [
        (str(a.get("module_id")), str(a.get("question_id")), str(a.get("answered_at")))
        for a in attempts
        if type(a) is dict
    ]


_KEY_FIELDS = ("module_id", "question_id", "answered_at")


def _period_flags(doc: dict[str, Any], moments: list[datetime]) -> list[str]:
    """Answers outside the period the log covers (an export holds only the answers given in it)."""
    period = _dict(doc.get("period"))
    since, until = _moment(period.get("since")), _moment(period.get("until"))
    early = _count_before(moments, since) if since else 0
    # The period's last day is whole: an answer at its end or later is outside it.
    end = until + timedelta(days=1, microseconds=-1) if until else None
    late = _count_after(moments, end) if end else 0
    if early or late:
        return [f"{count(early + late, 'answer')} dated outside the period of the log"]
    return []
