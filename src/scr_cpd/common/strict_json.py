"""JSON read exactly as it was written, or refused: what a program reads is what a person sees.

Refused, each with one sentence naming the line: a key that appears twice in one object (a reader
would see the first, most programs use the last), NaN and Infinity (not JSON), numbers too large
for a float, lone UTF-16 surrogates, text that is not UTF-8, and nesting too deep to read.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")


class JSONProblem(ValueError):
    """Why the text is not strict JSON; `ends_early` when it was cut short."""

    def __init__(self, message: str, ends_early: bool = False) -> None:
        super().__init__(message)
        self.ends_early = ends_early


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return found


def _no_constant(name: str) -> Any:
    raise JSONProblem(f"{name} is not a JSON number")


def _whole(text: str) -> int:
    if len(text) > sys.get_int_max_str_digits():  # more digits than Python turns into a number
        raise JSONProblem("a number is too large to read")
    return int(text)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JSONProblem("a number is too large to read")
    return number


def loads(raw: bytes | str) -> Any:
    """The value in `raw` (a byte-order mark allowed), or JSONProblem saying what is wrong.

    A file exactly as the app writes it (two-space indents) is read by orjson and written back
    the same way: byte for byte the same text means no key repeated, nothing else to check.
    Any other file is read by jiter, refusing duplicate keys at C speed; a file it refuses is
    read again by the json module, slowly, only to say exactly what is wrong and on which line."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data or data.isspace():
        raise JSONProblem("the file is empty")
    value, refused = _as_written(data)
    if value is not _NOT_AS_WRITTEN:
        return value
    return _read_strictly(data, refused)


_NOT_AS_WRITTEN = object()


def _as_written(data: bytes) -> tuple[Any, bool]:
    """(the value, False) when `data` is the app's own two-space layout of what orjson reads in
    it; otherwise (_NOT_AS_WRITTEN, whether orjson refused the text).

    Sound whatever orjson's quirks: equal bytes are one token sequence, and the text written from
    a dict cannot repeat a key; orjson itself refuses NaN, Infinity, lone surrogates and bad UTF-8."""
    import orjson  # the fastest reader and writer; equal output proves the text is plain

    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _NOT_AS_WRITTEN, True
    if not data.startswith((b'{\n  "', b"[\n  ")):  # not two-space indents: no need to write
        return _NOT_AS_WRITTEN, False
    try:
        written = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes
        return _NOT_AS_WRITTEN, False
    rest = len(data) - len(written)
    if data.startswith(written) and (rest == 0 or data[len(written) :].isspace()):
        return value, False
    return _NOT_AS_WRITTEN, False


def _read_strictly(data: bytes, refused: bool) -> Any:
    import jiter  # one reader with duplicate-key detection, a fraction of the json module's time

    try:  # jiter also refuses text that is not UTF-8, and lone surrogates
        value = jiter.from_json(
            data, allow_inf_nan=False, catch_duplicate_keys=True, cache_mode="keys"
        )
    except ValueError as exc:
        _explain(_text(data))  # raises the precise sentence
        raise JSONProblem(f"not valid JSON ({exc})") from None
    if refused:  # orjson refused what jiter read: a number beyond a float's range, say
        _explain(_text(data))
    return value


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise JSONProblem("not UTF-8 text") from None


def _explain(text: str) -> None:
    """Raise JSONProblem saying exactly why `text` is not strict JSON (the slow, exact path)."""
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique,
            parse_constant=_no_constant,
            parse_float=_finite,
            parse_int=_whole,
        )
    except _Duplicate as dup:
        raise JSONProblem(_duplicate_sentence(text, dup.key)) from None
    except RecursionError:
        raise JSONProblem("not valid JSON (nested too deeply)") from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise JSONProblem(
                "the file ends too early (cut short while copying?)", ends_early=True
            ) from None
        raise JSONProblem(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    _check_values(value)


def _check_values(value: Any) -> None:
    """Lone surrogates, searched only when the raw text could hold them."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise JSONProblem("text holds a lone UTF-16 surrogate (not a character)") from None


def _duplicate_sentence(text: str, key: str) -> str:
    line = _duplicate_line(text)
    where = f" on line {line}" if line else ""
    shown = json.dumps(key, ensure_ascii=True)[:60]
    return f"the key {shown} appears twice in one object{where} (a reader would see one value, the app the other)"


def _duplicate_line(text: str) -> int | None:
    """The line of the first repeated key (a slow walk, only for files that have one)."""
    try:
        _scan(text, 0)
    except _Found as found:
        return text.count("\n", 0, found.pos) + 1
    except (IndexError, ValueError, RecursionError):
        return None
    return None


class _Found(Exception):
    def __init__(self, pos: int) -> None:
        self.pos = pos


def _scan(text: str, i: int) -> int:
    """Walk one JSON value from `i` (text already known to parse); returns where it ends."""
    i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
    char = text[i]
    if char == "{":
        return _scan_object(text, i + 1)
    if char == "[":
        i = _SPACE.match(text, i + 1).end()  # type: ignore[union-attr]
        if text[i] == "]":
            return i + 1
        while True:
            i = _SPACE.match(text, _scan(text, i)).end()  # type: ignore[union-attr]
            if text[i] == "]":
                return i + 1
            i += 1
    if char == '"':
        return int(scanstring(text, i + 1)[1])
    return int(json.JSONDecoder().raw_decode(text, i)[1])


def _scan_object(text: str, i: int) -> int:
    seen: set[str] = set()
    i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
    if text[i] == "}":
        return i + 1
    while True:
        key, end = scanstring(text, i + 1)
        if key in seen:
            raise _Found(i)
        seen.add(key)
        colon = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        i = _SPACE.match(text, _scan(text, colon + 1)).end()  # type: ignore[union-attr]
        if text[i] == "}":
            return i + 1
        i = _SPACE.match(text, i + 1).end()  # type: ignore[union-attr]
