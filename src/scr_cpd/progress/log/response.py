"""What an officer chose, in the stable form a CPD log carries (`attempts[].response`).

The store keeps a response in the question's own terms: option positions in the bank file, a
true/false, a number, the typed text, or for matching the right-hand position chosen for each
left-hand side. Positions alone would mean something else once a trainer edits the options, so
the log names each chosen text by a short hash too:

    single, multiple    {"options": [{"index": 2, "hash": "1a2b3c4d"}]}
    matching            {"pairs": [{"left": 0, "right": 1, "left_hash": "…", "right_hash": "…"}]}
    true_false, numeric,
    short_answer        {"value": true}  {"value": 131}  {"value": "the typed text"}

`index`, `left` and `right` count from 0 in the order the bank file lists them (not the order
shown, which may have been shuffled). `hash` is the first 8 hex digits of the SHA-256 of the
option's exact text (UTF-8). The field is optional in `scr-cpd/log@1`: logs written before it
existed still verify, and an attempt whose question or wording is no longer in the banks has none.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from scr_cpd.content.model import Question

HASH_LENGTH = 8
CHOICE_TYPES = ("single", "multiple")
VALUE_TYPES = ("true_false", "numeric", "short_answer")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]


def _indices(response: Any, size: int) -> list[int] | None:
    items = response if isinstance(response, list) else [response]
    if all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < size for i in items):
        return list(items)
    return None


def _fits_value(kind: str, response: Any) -> bool:
    if kind == "true_false":
        return isinstance(response, bool)
    if kind == "numeric":
        number = isinstance(response, (int, float)) and not isinstance(response, bool)
        return number and math.isfinite(response)
    return isinstance(response, str)


def stable_response(
    question: Question | None, content_hash: str, response: Any
) -> dict[str, Any] | None:
    """The log's form of a stored response, or None when it cannot be named for certain (the
    question is gone, its wording changed since, or the response does not fit its type)."""
    if question is None or question.content_hash != content_hash:
        return None
    kind = question.type
    if kind in CHOICE_TYPES:
        if (kind == "single") == isinstance(response, list):
            return None
        chosen = _indices(response, len(question.options))
        if chosen is None:
            return None
        return {
            "options": [{"index": i, "hash": text_hash(question.options[i].text)} for i in chosen]
        }
    if kind == "matching":
        pairs = question.pairs
        rights = _indices(response, len(pairs)) if isinstance(response, list) else None
        if rights is None or len(rights) != len(pairs):
            return None
        return {
            "pairs": [
                {
                    "left": left,
                    "right": right,
                    "left_hash": text_hash(pairs[left].left),
                    "right_hash": text_hash(pairs[right].right),
                }
                for left, right in enumerate(rights)
            ]
        }
    if kind in VALUE_TYPES and _fits_value(kind, response):
        return {"value": response}
    return None


def stored_response(question: Question, stable: Any) -> Any:
    """The store's form of a log's response to `question` as it is worded now, or None when the
    response does not name this wording's options (a hash differs, or it has another shape)."""
    if not isinstance(stable, dict):
        return None
    kind = question.type
    if kind in CHOICE_TYPES:
        chosen = []
        for item in stable.get("options") or []:
            index = item.get("index") if isinstance(item, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(question.options):
                return None
            if item.get("hash") != text_hash(question.options[index].text):
                return None
            chosen.append(index)
        if kind == "single":
            return chosen[0] if len(chosen) == 1 else None
        return chosen
    if kind == "matching":
        return _stored_pairs(question, stable.get("pairs"))
    value = stable.get("value")
    return value if kind in VALUE_TYPES and _fits_value(kind, value) else None


def _stored_pairs(question: Question, pairs: Any) -> list[int] | None:
    if not isinstance(pairs, list) or len(pairs) != len(question.pairs):
        return None
    rights = [0] * len(pairs)
    for item in pairs:
        left, right = (item.get("left"), item.get("right")) if isinstance(item, dict) else (0, -1)
        if not isinstance(left, int) or not isinstance(right, int):
            return None
        if not (0 <= left < len(pairs) and 0 <= right < len(pairs)):
            return None
        wanted = (text_hash(question.pairs[left].left), text_hash(question.pairs[right].right))
        if (item.get("left_hash"), item.get("right_hash")) != wanted:
            return None
        rights[left] = right
    return rights
