"""A quick check that a log built from the store has the types `scr-cpd/log@1` asks for.

The store is SQLite, which keeps whatever a hand edit puts in a column, so a log built from it is
checked before it is signed. The full check is the pydantic schema (progress.log.schema), whose
import and validation take longer than building the log. `fits_schema` checks the same field
types at C speed, column by column, and is stricter where it is simpler to be (an int field takes
only an int, a float field only a finite int or float): when it says yes the schema says yes (a
test mutates stores at random to show it, and another that this table and the schema agree);
when it says no, the schema decides and names the field. A response (`attempts[].response`) is
not checked here: progress.log.response only ever makes one of the schema's three shapes.
"""

from __future__ import annotations

import math
from operator import itemgetter
from typing import Any

from scr_cpd.progress.log.vocabulary import ACTIVITY_TYPES, LOG_FORMAT, MODULE_STATUSES

Kind = frozenset[Any]  # the types a field may hold, or (for a fixed vocabulary) the values

STR: Kind = frozenset({str})
OPT_STR: Kind = frozenset({str, type(None)})
INT: Kind = frozenset({int})
NUM: Kind = frozenset({int, float})
OPT_NUM: Kind = frozenset({int, float, type(None)})
BOOL: Kind = frozenset({bool})
NUMBERS = (NUM, OPT_NUM)


def values(*allowed: Any) -> Kind:
    """A field that holds one of these values (a Literal or an Enum in the schema)."""
    return frozenset(("value", v) for v in allowed)


PERSON = {"name": STR, "role": STR, "force": STR, "staff_number": STR}
MODULE = {
    "id": STR,
    "title": STR,
    "bank_version": STR,
    "status": values(*MODULE_STATUSES),
    "questions": INT,
    "pass_mark": NUM,
    "best_score": OPT_NUM,
    "completions": INT,
    "attempts": INT,
    "correct": INT,
    "seconds": NUM,
    "first_activity": OPT_STR,
    "last_activity": OPT_STR,
}
ACTIVITY = {
    "kind": values("module", "retake", "practice", "reflection"),
    "module_id": OPT_STR,
    "title": STR,
    "started_at": STR,
    "ended_at": OPT_STR,
    "status": STR,
    "questions": INT,
    "correct": INT,
    "seconds": NUM,
}
ATTEMPT = {
    "module_id": STR,
    "question_id": STR,
    "revision": INT,
    "content_hash": STR,
    "correct": BOOL,
    "confidence": OPT_STR,
    "answered_at": STR,
    "seconds": NUM,
}
# and "response", made by progress.log.response, which makes only the schema's shapes
REFLECTION = {
    "id": STR,
    "module_id": OPT_STR,
    "module_title": OPT_STR,
    "prompt_id": OPT_STR,
    "prompt": STR,
    "what": STR,
    "so_what": STR,
    "now_what": STR,
    "created_at": STR,
    "updated_at": STR,
    "seconds": NUM,
    "follow_up_due": OPT_STR,
    "impact": OPT_STR,
    "impact_at": OPT_STR,
}
# and "learning_points" (LEARNING_POINT records) and "tags" (text), checked on their own
LEARNING_POINT = {"id": STR, "text": STR}
TOTALS = {
    "cpd_hours": NUM,
    "seconds": NUM,
    "modules_available": INT,
    "modules_completed": INT,
    "modules_passed": INT,
    "questions_answered": INT,
    "reflections": INT,
}
BANK = {"id": STR, "title": STR, "version": STR}
OUTCOME = {"module_id": STR, "id": STR, "text": STR}
IDENTIFIER = {"reflection": STR, "field": STR, "kind": STR, "redacted": BOOL}
LISTS = {
    "banks": BANK,
    "modules": MODULE,
    "activities": ACTIVITY,
    "learning_outcomes": OUTCOME,
    "identifiers": IDENTIFIER,
}
TOP = {
    "format": values(LOG_FORMAT),
    "generated_at": STR,
    "activity_type": values(*ACTIVITY_TYPES),
}
ONE = {"profile": PERSON, "period": {"since": OPT_STR, "until": OPT_STR}, "totals": TOTALS}
PARTS = (*TOP, *ONE, *LISTS, "app", "attempts", "reflections")


def fits_schema(doc: dict[str, Any]) -> bool:
    """Whether a log that build_log made certainly passes the schema (see the module docstring)."""
    try:
        return (
            list(doc) == list(PARTS_IN_ORDER)
            and all(_column_fits([doc[name]], kind) for name, kind in TOP.items())
            and all(_fits([doc[name]], fields) for name, fields in ONE.items())
            and all(_fits(doc[name], fields) for name, fields in LISTS.items())
            and _fits([doc["app"]], {"name": values("scr-cpd"), "version": STR})
            and _fits(doc["attempts"], ATTEMPT)
            and _responses_fit(doc["attempts"])
            and _reflections_fit(doc["reflections"])
        )
    except (TypeError, KeyError, AttributeError, OverflowError):
        return False


# The parts in the order build_log writes them.
PARTS_IN_ORDER = (
    "format",
    "generated_at",
    "app",
    "profile",
    "period",
    "banks",
    "modules",
    "activities",
    "attempts",
    "reflections",
    "totals",
    "activity_type",
    "learning_outcomes",
    "identifiers",
)


def _reflections_fit(records: list[Any]) -> bool:
    if not _fits(records, REFLECTION):
        return False
    points = [p for r in records for p in _list(r["learning_points"])]
    tags = [t for r in records for t in _list(r["tags"])]
    return _fits(points, LEARNING_POINT) and set(map(type, tags)) <= STR


def _responses_fit(attempts: list[dict[str, Any]]) -> bool:
    """A typed response's number is written as the log's own figures are (see _plain_numbers)."""
    typed = [a["response"].get("value") for a in attempts if "response" in a]
    return _plain_numbers([v for v in typed if type(v) in (int, float)])


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError("not a list")
    return value


def _fits(records: Any, fields: dict[str, Kind]) -> bool:
    """Every record a dict with each of these fields of an allowed type, every number finite.
    (Which keys a record has is build_log's own doing, not the store's: a test validates its logs
    against the schema.)"""
    if type(records) is not list or set(map(type, records)) - {dict}:
        return False
    return all(_column_fits(list(map(itemgetter(name), records)), k) for name, k in fields.items())


def _column_fits(column: list[Any], kind: Kind) -> bool:
    if type(next(iter(kind))) is tuple:  # a vocabulary: the values themselves
        return all(isinstance(v, str) for v in column) and {("value", v) for v in column} <= kind
    if not set(map(type, column)) <= kind:
        return False
    return kind not in NUMBERS or _plain_numbers(column)


def _plain_numbers(column: list[Any]) -> bool:
    """Finite, and none so close to 0 that json and orjson write it otherwise ("1e-05" against
    "0.00001"): a log's figures are rounded well above that, a hand edit may not be."""
    numbers = [v for v in column if v]  # 0, 0.0 and None are written alike
    return all(map(math.isfinite, numbers)) and (not numbers or min(map(abs, numbers)) >= TINY)


TINY = 1e-4
