"""The fields of a log that a team summary reads, and the quick look that passes them.

Checking these fields is all a summary needs, and costs a fraction of the full log schema. (The
plausibility checks read the attempts too, and take any value they find there without failing.)
A log whose fields plainly fit (every value of exactly the type the model asks for) is passed by
a quick look that builds nothing and imports no pydantic; the model in summary_model.py runs
only on the others, so its messages name the field just as before. The quick look is never
looser than the model (tests/test_review.py).
"""

from __future__ import annotations

from typing import Any

from scr_cpd.progress.log.vocabulary import MODULE_STATUSES


def validate_summary_fields(doc: dict[str, Any]) -> list[Any]:
    """pydantic's errors for the fields a summary reads (empty when they are all usable)."""
    if plainly_fits(doc):
        return []
    from pydantic import ValidationError

    from scr_cpd.progress.supervision.summary_model import SummaryFields

    try:
        SummaryFields.model_validate(doc)
    except ValidationError as exc:
        return list(exc.errors())
    return []


# --- The quick look: (key, the exact types its value may have), required or optional ------------

_Fields = tuple[tuple[str, tuple[type, ...]], ...]
_STR, _OPT_STR = (str,), (str, type(None))
# Strict, as the model: no bool for a number, an int is a float too.
_INT, _NUM, _OPT_NUM = (int,), (int, float), (int, float, type(None))
_PERSON: _Fields = (("name", _STR), ("role", _STR), ("force", _STR), ("staff_number", _STR))
_PERIOD: _Fields = (("since", _OPT_STR), ("until", _OPT_STR))
_TOTALS: _Fields = (("cpd_hours", _NUM), ("modules_completed", _INT), ("modules_passed", _INT))
_TOTALS_OPTIONAL: _Fields = (("seconds", _NUM), ("modules_available", _INT))
_MODULE: _Fields = (("id", _STR), ("status", _STR))
_MODULE_OPTIONAL: _Fields = (
    ("best_score", _OPT_NUM),
    ("last_activity", _OPT_STR),
    ("attempts", _INT),
    ("correct", _INT),
    ("seconds", _NUM),
)
_REVIEW: _Fields = (("outcome", _STR), ("date", _STR))
_INTEGRITY = {"algorithm", "public_key", "fingerprint", "digests", "signature"}


def _fits(item: Any, required: _Fields, optional: _Fields = ()) -> bool:
    if type(item) is not dict:
        return False
    for key, types in required:
        if key not in item or type(item[key]) not in types:
            return False
    return all(key not in item or type(item[key]) in types for key, types in optional)


def _reflections_fit(items: Any) -> bool:
    if type(items) is not list:
        return False
    for item in items:  # one loop per list, every test inline: a log has hundreds of these
        if (
            type(item) is not dict
            or type(item.get("id")) is not str
            or type(item.get("created_at")) is not str
            or type(item.get("updated_at")) is not str
        ):
            return False
    return True


def _activities_fit(items: Any) -> bool:
    if type(items) is not list:
        return False
    for item in items:
        if (
            type(item) is not dict
            or type(item.get("started_at")) is not str
            or "ended_at" not in item
            or type(item["ended_at"]) not in _OPT_STR
        ):
            return False
    return True


def _module_fits(module: Any) -> bool:
    return _fits(module, _MODULE, _MODULE_OPTIONAL) and module.get("status") in MODULE_STATUSES


def _review_fits(review: Any) -> bool:
    return review is None or (
        _fits(review, _REVIEW) and _fits(review.get("supervisor"), (), _PERSON)
    )


def _integrity_fits(block: Any) -> bool:
    """No key but the signature block's own (verification reads their values itself)."""
    return block is None or (type(block) is dict and block.keys() <= _INTEGRITY)


def plainly_fits(doc: dict[str, Any]) -> bool:
    """True when every field SummaryFields reads is plainly usable; False means "ask pydantic"."""
    modules = doc.get("modules")
    return (
        type(doc.get("generated_at")) is str
        and _fits(doc.get("profile"), (), _PERSON)
        and _fits(doc.get("period"), (), _PERIOD)
        and _fits(doc.get("totals"), _TOTALS, _TOTALS_OPTIONAL)
        and type(modules) is list
        and all(_module_fits(m) for m in modules)
        and _reflections_fit(doc.get("reflections"))
        and _activities_fit(doc.get("activities"))
        and type(doc.get("attempts")) is list
        and _review_fits(doc.get("review"))
        and _integrity_fits(doc.get("integrity"))
    )
