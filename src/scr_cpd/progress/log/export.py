"""Export the CPD log: build it from the store, sign and validate it, and render it as a file.

`export_log` is what `cpd export` (and the home menu's export) call; it returns the document and
the bytes of the file, and writes nothing. The JSON is the signed canonical log; the other formats
are renderings for reading, which show the signing key's fingerprint and need no digests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from scr_cpd.common.collector import collector_paused
from scr_cpd.common.text import DATE_HINT, slugify
from scr_cpd.content.model import Bank
from scr_cpd.progress.store import Store, StoreError


class ExportFormat(StrEnum):
    JSON = "json"
    MD = "md"
    HTML = "html"
    PDF = "pdf"
    CSV = "csv"


EXPORT_FORMATS: tuple[str, ...] = tuple(f.value for f in ExportFormat)
_SUFFIXES = {"markdown": "md", "htm": "html"}


class ExportError(Exception):
    """An export cannot be made as asked; the message is one sentence naming the fix."""


def parse_day(text: str | None, option: str) -> date | None:
    """A date given on the command line, or None; a bad one is one sentence naming the format."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else _bad(text, option)
    except ValueError:
        return _bad(text, option)


def _bad(text: str, option: str) -> date:
    raise ExportError(f"{option} {text!r} is not a date; {DATE_HINT}")


def check_period(since: date | None, until: date | None, today: date) -> None:
    """A period that can hold activity: --since on or before --until, and not in the future."""
    if since and until and since > until:
        raise ExportError("--since must be on or before --until")
    if since and since > today:
        raise ExportError(
            f"--since {since.isoformat()} is in the future; today is {today.isoformat()}"
        )


def format_for(fmt: str | None, output: Path | None) -> ExportFormat:
    """The format asked for, or the one an output file's suffix names (JSON when there is none)."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = _SUFFIXES.get(suffix, suffix) or ExportFormat.JSON.value
        if fmt not in EXPORT_FORMATS:
            raise ExportError(
                f"cannot tell the format from {output}; add --format ({', '.join(EXPORT_FORMATS)})"
            )
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return ExportFormat(fmt)


@dataclass(frozen=True)
class Export:
    fmt: ExportFormat
    doc: dict[str, Any]  # the parts a report of the export needs (SUMMARY_PARTS), not the whole log
    data: bytes

    @property
    def default_name(self) -> str:
        """cpd-log-<officer>-<date>.<format>, for when no output file is named."""
        name = slugify(str(self.doc["profile"].get("name") or "")) or "officer"
        return f"cpd-log-{name}-{str(self.doc['generated_at'])[:10]}.{self.fmt.value}"


def export_log(
    store: Store,
    banks: list[Bank],
    home: Path,
    fmt: ExportFormat | str,
    since: date | None = None,
    until: date | None = None,
    redact: bool = False,
    generated_at: str | None = None,
) -> Export:
    """The log for the period, signed with the officer's key (created the first time), as bytes."""
    from scr_cpd.progress.log.build import build_log
    from scr_cpd.progress.log.signing import key_fingerprint, load_or_create_key

    fmt = ExportFormat(fmt)
    # The log is a tree of fresh objects with no cycles, freed by reference counting: the cyclic
    # collector's passes over it while it is built and written as JSON find nothing to free.
    # (A renderer's own objects are left to it as usual.)
    with collector_paused():
        doc = build_log(store, banks, since, until, redact=redact, generated_at=generated_at)
        key = load_or_create_key(home)
        if fmt is ExportFormat.JSON:
            return _json_export(store, doc, key)
    doc = {**doc, "integrity": {"fingerprint": key_fingerprint(key)}}
    from scr_cpd.progress.log.render import render

    data = render(doc, fmt.value)
    return Export(fmt, {part: doc[part] for part in SUMMARY_PARTS}, data)


def _json_export(store: Store, doc: dict[str, Any], key: Any) -> Export:
    from scr_cpd.progress.log.shape import fits_schema

    made = signed_json(doc, key) if fits_schema(doc) else None
    if made is None:  # a value only the schema can judge, or that only json writes exactly
        return _checked_export(store, doc, key)
    data, integrity = made
    return Export(
        ExportFormat.JSON, {part: doc.get(part, integrity) for part in SUMMARY_PARTS}, data
    )


def _checked_export(store: Store, doc: dict[str, Any], key: Any) -> Export:
    """The reference path: sign a key-sorted copy, write it with json, validate it with pydantic."""
    from scr_cpd.progress.log.signing import sign_log

    doc = sign_log(doc, key)  # the built copy is freed here: one document in memory at a time
    data = log_json(doc)
    summary = {part: doc[part] for part in SUMMARY_PARTS}
    del doc
    _validate(store, data)  # from the bytes written: nothing malformed may reach a supervisor
    return Export(ExportFormat.JSON, summary, data)


SUMMARY_PARTS = ("profile", "generated_at", "totals", "identifiers", "integrity")


def signed_log(
    store: Store,
    banks: list[Bank],
    home: Path,
    since: date | None = None,
    until: date | None = None,
    redact: bool = False,
) -> dict[str, Any]:
    """The whole signed log as a document, for what is made from it (xAPI statements)."""
    from scr_cpd.progress.log.build import build_log
    from scr_cpd.progress.log.signing import load_or_create_key, sign_log

    with collector_paused():
        doc = build_log(store, banks, since, until, redact=redact)
        return sign_log(doc, load_or_create_key(home))


def _validate(store: Store, data: bytes) -> None:
    from pydantic import ValidationError

    from scr_cpd.progress.log.schema import Log

    try:
        Log.model_validate_json(data)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise StoreError(
            f"{store.path} holds a value that a CPD log cannot carry ({where}); the database may "
            "have been edited by hand — restore it from a backup"
        ) from None


# Below 1e-4 json.dumps writes floats as "1e-05" where orjson writes "0.00001" or "1.2e-7"; the
# log's own figures are rounded well above that, but a value edited by hand may not be. Text that
# merely looks like such a number only costs the slower path. (Both checks start with a literal,
# which the regex engine and bytes search scan for at C speed.)
_EXPONENT = re.compile(rb"e-\d")


class _NotExact(Exception):
    """orjson would not write this value byte for byte as the json module does."""


def _exact(data: bytes) -> bytes:
    if b"0.0000" in data or _EXPONENT.search(data):
        raise _NotExact
    return data


def log_json(doc: dict[str, Any]) -> bytes:
    """The signed log as the file holds it: indented JSON, UTF-8, ending in a line break.

    Byte for byte what `json.dumps(doc, indent=2, ensure_ascii=False)` writes (a test checks
    it), made by orjson at C speed: the standard library's indenting encoder is pure Python.
    Where the two could differ (tiny floats, lone surrogates, huge integers, NaN) json writes it.
    """
    import orjson

    try:
        return _exact(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    except (orjson.JSONEncodeError, _NotExact):
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def signed_json(doc: dict[str, Any], key: Any) -> tuple[bytes, dict[str, Any]] | None:
    """The file `log_json(sign_log(doc, key))` writes and its integrity block, made without a
    sorted copy of the log: orjson sorts each part's keys as it writes it. `doc` must be one that
    fits_schema passed, which makes sure that every number in it is one orjson writes as json
    does (finite, and no tiny float); None for a value orjson cannot write (a lone surrogate, an
    integer beyond 64 bits). A test checks that both paths give the same bytes.
    """
    import orjson

    from scr_cpd.progress.log.signing import integrity_block, part_digests

    sort, indent = orjson.OPT_SORT_KEYS, orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2
    pieces: list[bytes | memoryview] = [b"{"]
    try:
        integrity = integrity_block(part_digests(doc, partial(orjson.dumps, option=sort)), key)
        for name, value in [*doc.items(), ("integrity", integrity)]:
            # {name: value} written alone is '{\n  "name": value, indented one level\n}': the
            # part as the file holds it between the outer braces, with no pass to indent it
            # and no copy but the one join makes.
            pieces += (memoryview(orjson.dumps({name: value}, option=indent))[1:-2], b",")
    except orjson.JSONEncodeError:
        return None
    pieces[-1] = b"\n}\n"
    return b"".join(pieces), integrity
