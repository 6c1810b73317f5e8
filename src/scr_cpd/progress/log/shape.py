"""The quick look at a whole `scr-cpd/log@1` log: True when every field plainly fits the schema
in progress/log/schema.py (strict, no unknown keys), without importing pydantic.

Importing the pydantic model costs more than reading and verifying a log, so `cpd review verify`
and `cpd review show` ask this first and the model only when it says False, for the exact
message naming the field. It is never looser than the model: each check here is the model's rule
or a stricter one (an int must fit in 64 bits, a whole number in a float field in 53).
tests/test_review.py pins it against the model, field by field and on mutated logs.
`fits_schema` asks the same of a log built for export, and a little more (see there).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from scr_cpd.progress.log.vocabulary import (
    ACTIVITY_TYPES,
    LOG_FORMAT,
    MODULE_STATUSES,
    OUTCOMES,
)

Check = Callable[[Any], bool]
_INT_LIMIT = 2**63
_WHOLE_FLOAT_LIMIT = 2**53
_HASH8 = re.compile(r"[0-9a-f]{8}")
ONE_AT_A_TIME_BELOW = 16  # records: a short list is checked one record at a time (quicker)


def text(value: Any) -> bool:
    return type(value) is str


def integer(value: Any) -> bool:
    return type(value) is int and -_INT_LIMIT < value < _INT_LIMIT


def counter(value: Any) -> bool:
    """An int of at least 0 (the model's `ge=0`)."""
    return type(value) is int and 0 <= value < _INT_LIMIT


def number(value: Any) -> bool:
    kind = type(value)
    return kind is float or (kind is int and -_WHOLE_FLOAT_LIMIT < value < _WHOLE_FLOAT_LIMIT)


def boolean(value: Any) -> bool:
    return type(value) is bool


def hash8(value: Any) -> bool:
    return type(value) is str and _HASH8.fullmatch(value) is not None


def one_of(*words: str) -> Check:
    allowed = frozenset(words)
    check: Check = lambda value: type(value) is str and value in allowed  # noqa: E731
    COLUMNS[check] = lambda column: _types(column) <= {str} and set(column) <= allowed
    return check


def optional(check: Check) -> Check:
    """The value may also be null."""
    maybe: Check = lambda value: value is None or check(value)  # noqa: E731
    inner = column_check(check)
    if isinstance(check, Model):  # records may share one object (the answers' responses do):
        # each distinct object is checked once
        COLUMNS[maybe] = lambda column: inner(
            list({id(v): v for v in column if v is not None}.values())
        )
    else:
        COLUMNS[maybe] = lambda column: inner([v for v in column if v is not None])
    return maybe


def any_of(*checks: Check) -> Check:
    return lambda value: any(check(value) for check in checks)


def list_of(check: Check) -> Check:
    if isinstance(check, Model):
        model = check
        COLUMNS[model.many] = lambda column: (
            _types(column) <= {list} and model.many([item for value in column for item in value])
        )
        return model.many
    return lambda value: type(value) is list and column_check(check)(value)


def text_map(check: Check) -> Check:
    return lambda value: type(value) is dict and all(check(item) for item in value.values())


# --- the same checks over a whole column (one field of every record of a list) ---------------
# A log holds thousands of answers: checking each field over all of them at once, by the
# types present and the smallest and largest value, is several times quicker than record by
# record, and says the same.


def _types(column: list[Any]) -> set[type]:
    return set(map(type, column))


def _ints_within(column: list[Any], low: int, high: int) -> bool:
    return not column or (low <= min(column) and max(column) < high)


def _numbers_column(column: list[Any]) -> bool:
    kinds = _types(column)
    if not kinds <= {int, float}:
        return False
    ints = [v for v in column if type(v) is int] if int in kinds else []
    return _ints_within(ints, -_WHOLE_FLOAT_LIMIT + 1, _WHOLE_FLOAT_LIMIT)


COLUMNS: dict[Check, Callable[[list[Any]], bool]] = {
    text: lambda column: _types(column) <= {str},
    boolean: lambda column: _types(column) <= {bool},
    integer: lambda c: _types(c) <= {int} and _ints_within(c, -_INT_LIMIT + 1, _INT_LIMIT),
    counter: lambda c: _types(c) <= {int} and _ints_within(c, 0, _INT_LIMIT),
    number: _numbers_column,
    hash8: lambda c: _types(c) <= {str} and all(map(_HASH8.fullmatch, c)),
}


def column_check(check: Check) -> Callable[[list[Any]], bool]:
    """`check` over a whole column: all(map(check, column)), quicker where it can be."""
    if isinstance(check, Model):
        return check.many
    return COLUMNS.get(check) or (lambda column: all(map(check, column)))


class Model:
    """An object with these fields and no others; `name` is the schema class it mirrors."""

    def __init__(self, name: str, required: dict[str, Check], defaulted: dict[str, Check]) -> None:
        self.name, self.required, self.defaulted = name, required, defaulted
        self.fields = {**required, **defaulted}
        self.required_keys = frozenset(required)
        self.columns = {key: column_check(check) for key, check in self.fields.items()}

    def __call__(self, value: Any) -> bool:
        if type(value) is not dict or not self.required_keys <= value.keys():
            return False
        fields = self.fields
        for key, item in value.items():
            check = fields.get(key)
            if check is None or not check(item):
                return False
        return True

    def many(self, records: Any) -> bool:
        """Whether `records` is a list of such objects, checked a field at a time."""
        if type(records) is not list:
            return False
        if len(records) < max(ONE_AT_A_TIME_BELOW, 1):  # none, or a few
            return all(map(self, records))
        if _types(records) != {dict}:
            return False
        present: set[str] = set().union(*records)
        if not (self.required_keys <= present and present <= self.fields.keys()):
            return False
        try:  # a record without a required key stops the itemgetter
            columns = {key: list(map(itemgetter(key), records)) for key in self.required_keys}
        except KeyError:
            return False
        for key in present - self.required_keys:
            try:  # most often in every record
                columns[key] = list(map(itemgetter(key), records))
            except KeyError:
                columns[key] = [record[key] for record in records if key in record]
        return all(self.columns[key](column) for key, column in columns.items())


_opt_text, _opt_number = optional(text), optional(number)
PERSON = Model("Person", {}, {"name": text, "role": text, "force": text, "staff_number": text})
APP = Model("App", {"version": text}, {"name": one_of("scr-cpd")})
PERIOD = Model("Period", {}, {"since": _opt_text, "until": _opt_text})
BANK = Model("BankRef", {"id": text, "title": text, "version": text}, {})
MODULE = Model(
    "ModuleRecord",
    {
        "id": text,
        "title": text,
        "bank_version": text,
        "status": one_of(*MODULE_STATUSES),
        "questions": integer,
        "pass_mark": number,
    },
    {
        "best_score": _opt_number,
        "completions": integer,
        "attempts": integer,
        "correct": integer,
        "seconds": number,
        "first_activity": _opt_text,
        "last_activity": _opt_text,
    },
)
ACTIVITY = Model(
    "Activity",
    {
        "kind": one_of("module", "retake", "practice", "reflection"),
        "module_id": _opt_text,
        "title": text,
        "started_at": text,
        "ended_at": _opt_text,
        "status": text,
    },
    {"questions": integer, "correct": integer, "seconds": number},
)
CHOSEN_OPTION = Model("ChosenOption", {"index": counter, "hash": hash8}, {})
CHOSEN_PAIR = Model(
    "ChosenPair", {"left": counter, "right": counter, "left_hash": hash8, "right_hash": hash8}, {}
)
RESPONSE = Model(
    "Response",
    {},
    {
        "options": optional(list_of(CHOSEN_OPTION)),
        "pairs": optional(list_of(CHOSEN_PAIR)),
        "value": optional(any_of(boolean, integer, number, text)),
    },
)
ATTEMPT = Model(
    "AttemptRecord",
    {
        "module_id": text,
        "question_id": text,
        "revision": integer,
        "content_hash": text,
        "correct": boolean,
        "answered_at": text,
        "seconds": number,
    },
    {"confidence": _opt_text, "response": optional(RESPONSE)},
)
LEARNING_POINT = Model("LearningPointRef", {"id": text, "text": text}, {})
REFLECTION = Model(
    "ReflectionRecord",
    {
        "id": text,
        "module_id": _opt_text,
        "module_title": _opt_text,
        "prompt_id": _opt_text,
        "prompt": text,
        "what": text,
        "so_what": text,
        "now_what": text,
        "created_at": text,
        "updated_at": text,
    },
    {
        "learning_points": list_of(LEARNING_POINT),
        "tags": list_of(text),
        "seconds": number,
        "follow_up_due": _opt_text,
        "impact": _opt_text,
        "impact_at": _opt_text,
    },
)
OUTCOME = Model("LearningOutcome", {"module_id": text, "id": text, "text": text}, {})
TOTALS = Model(
    "Totals",
    {
        "cpd_hours": number,
        "seconds": number,
        "modules_available": integer,
        "modules_completed": integer,
        "modules_passed": integer,
        "questions_answered": integer,
        "reflections": integer,
    },
    {},
)
IDENTIFIER = Model(
    "Identifier", {"reflection": text, "field": text, "kind": text, "redacted": boolean}, {}
)
INTEGRITY = Model(
    "Integrity",
    {
        "public_key": text,
        "fingerprint": text,
        "digests": text_map(any_of(text, text_map(text))),
        "signature": text,
    },
    {"algorithm": one_of("ed25519")},
)
COMMENT = Model("Comment", {"reflection": text, "comment": text}, {})
REVIEW = Model(
    "Review",
    {
        "supervisor": PERSON,
        "date": text,
        "outcome": one_of(*OUTCOMES),
        "covers": text,
        "public_key": text,
        "fingerprint": text,
        "signature": text,
    },
    {"comment": text, "comments": list_of(COMMENT), "algorithm": one_of("ed25519")},
)
LOG = Model(
    "Log",
    {
        "format": one_of(LOG_FORMAT),
        "generated_at": text,
        "app": APP,
        "profile": PERSON,
        "period": PERIOD,
        "banks": list_of(BANK),
        "modules": list_of(MODULE),
        "activities": list_of(ACTIVITY),
        "attempts": list_of(ATTEMPT),
        "reflections": list_of(REFLECTION),
        "totals": TOTALS,
    },
    {
        "activity_type": optional(one_of(*ACTIVITY_TYPES)),
        "learning_outcomes": optional(list_of(OUTCOME)),
        "identifiers": list_of(IDENTIFIER),
        "integrity": optional(INTEGRITY),
        "review": optional(REVIEW),
    },
)
MODELS = (
    PERSON,
    APP,
    PERIOD,
    BANK,
    MODULE,
    ACTIVITY,
    CHOSEN_OPTION,
    CHOSEN_PAIR,
    RESPONSE,
    ATTEMPT,
    LEARNING_POINT,
    REFLECTION,
    OUTCOME,
    TOTALS,
    IDENTIFIER,
    INTEGRITY,
    COMMENT,
    REVIEW,
    LOG,
)


def plainly_a_log(doc: Any) -> bool:
    """True when `doc` plainly passes the log@1 schema; False means "ask the model"."""
    return LOG(doc)


# --- a log built for export ---------------------------------------------------------------

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
TINY = 1e-4


def fits_schema(doc: Any) -> bool:
    """Whether a log build_log made from the store certainly passes the schema, and has no
    number that orjson writes otherwise than json (export.signed_json relies on both).

    The store is SQLite, which keeps whatever a hand edit puts in a column, so a built log is
    checked before it is signed; the schema decides (and names the field) when this says no.
    Numbers must be finite and none so close to 0 that the two encoders differ ("1e-05" against
    "0.00001"): a log's figures are rounded well above that, a hand edit may not be.
    """
    return (
        type(doc) is dict
        and tuple(doc) == PARTS_IN_ORDER
        and LOG(doc)
        and all(map(_plain_floats, _number_columns(doc)))
    )


def _number_columns(doc: dict[str, Any]) -> Iterator[list[Any]]:
    """Each number field of the log's records, as a column (with the answers' typed values)."""
    for part, check in LOG.fields.items():
        model = check if isinstance(check, Model) else getattr(check, "__self__", None)
        if not isinstance(model, Model) or part not in doc:
            continue
        records = doc[part] if model is not check else [doc[part]]
        for key, field_check in model.fields.items():
            if field_check is number and key in model.required_keys:  # in every record (LOG)
                yield list(map(itemgetter(key), records))
            elif field_check in (number, _opt_number):
                yield [record.get(key) for record in records]
    responses = {id(r): r for a in doc["attempts"] if (r := a.get("response"))}  # often shared
    yield [response.get("value") for response in responses.values()]


def _plain_floats(column: list[Any]) -> bool:
    floats = [v for v in column if type(v) is float and v != 0]
    return not floats or (all(map(math.isfinite, floats)) and min(map(abs, floats)) >= TINY)
