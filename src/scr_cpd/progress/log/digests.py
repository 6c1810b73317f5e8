"""Digests of a log's parts: SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8). This
definition is part of the signed format `scr-cpd/log@1`: every log ever signed is checked by it.

Checking has a fast path: `sign_log` hands back every part with its keys already sorted, so for
an exported log orjson's compact output (many times quicker than the json module) is exactly the
canonical bytes. When its digest matches, the part is unchanged (both encoders write JSON that
reads back as the value encoded); when it does not, the canonical digest decides.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def deep_sorted(value: Any) -> Any:
    """A copy with every object's keys in sorted order (the canonical order)."""
    if isinstance(value, dict):
        return {k: deep_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [deep_sorted(v) for v in value]
    return value


def _quick_json(value: Any) -> bytes | None:
    import orjson

    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:  # any value it cannot write takes the canonical path
        return None


def digest_matches(value: Any, expected: Any) -> bool:
    """sha256(value) == expected, trying the fast encoder first (see the module docstring)."""
    quick = _quick_json(value)
    if quick is not None and hashlib.sha256(quick).hexdigest() == expected:
        return True
    return bool(sha256(value) == expected)
