"""Reading one log file as a supervisor does: never raises for a bad file; every file ends up
with a Verdict (see scr_cpd.progress.log.vocabulary.Status for every status it can have).

What is read is exactly what was signed: duplicate keys, NaN and lone surrogates are refused
(scr_cpd.common.strict_json), so no reader sees a value the app does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scr_cpd.common.files import InputError, read_bounded, walk_files
from scr_cpd.common.strict_json import JSONProblem, loads
from scr_cpd.progress.log.shape import plainly_a_log
from scr_cpd.progress.log.signing import Verdict, verify_log
from scr_cpd.progress.log.vocabulary import BANK_FAMILY, LOG_FAMILY, LOG_FORMAT, Status
from scr_cpd.progress.supervision.trust import TrustList
from scr_cpd.progress.supervision.verdicts import judge

MAX_LOG_BYTES = 20 * 1024 * 1024
PRINTABLE = {".pdf": "PDF", ".html": "HTML", ".htm": "HTML", ".md": "Markdown", ".csv": "CSV"}
_SNIFF = (
    (b"%PDF-", "PDF"),
    (b"<!doctype html", "HTML"),
    (b"<html", "HTML"),
    (b"# CPD log", "Markdown"),
    (b"\xef\xbb\xbfdate,kind,module,", "CSV"),
    (b"date,kind,module,", "CSV"),
)


def printable_kind(path: Path, head: bytes) -> str | None:
    """ "PDF", "HTML", "Markdown" or "CSV" when the file is a rendering, not the JSON log."""
    start = head[:64].lstrip().lower()
    for magic, kind in _SNIFF:
        if start.startswith(magic.lower()):
            return kind
    return PRINTABLE.get(path.suffix.lower())


def printable_verdict(kind: str) -> Verdict:
    return Verdict(
        Status.PRINTABLE_COPY,
        f"this is a {kind} file, a printable copy at most; it carries no signature to check: "
        "ask the officer for the .json log they exported",
    )


def read_log_bytes(path: Path) -> tuple[bytes, Verdict | None]:
    try:
        return read_bounded(path, MAX_LOG_BYTES, "CPD log"), None
    except InputError as exc:
        message = str(exc)
        if message.startswith(f"{path} is too large"):
            return b"", Verdict(Status.DAMAGED, message.removeprefix(f"{path} is "))
        return b"", Verdict(Status.UNREADABLE, message.removeprefix(f"cannot read {path}: "))


def parse_log(path: Path, raw: bytes) -> tuple[dict[str, Any], Verdict | None]:
    """The document, or the verdict on why it is not a log this version reads."""
    kind = printable_kind(path, raw[:64])
    if kind and not raw.lstrip().startswith(b"{"):
        return {}, printable_verdict(kind)
    try:
        doc = loads(raw)
    except JSONProblem as exc:
        return {}, Verdict(Status.DAMAGED, str(exc))
    return (doc if isinstance(doc, dict) else {}), format_problem(doc)


def format_problem(doc: Any) -> Verdict | None:
    if not isinstance(doc, dict):
        return Verdict(Status.NOT_A_LOG, "the file holds JSON, but not a CPD log")
    fmt = doc.get("format")
    if fmt == LOG_FORMAT:
        return None
    if isinstance(fmt, str) and fmt.startswith(LOG_FAMILY):
        return Verdict(
            Status.UNSUPPORTED_VERSION,
            f"{fmt[:40]} is newer than this scr-cpd reads ({LOG_FORMAT}); upgrade scr-cpd to read it",
        )
    if isinstance(fmt, str) and fmt.startswith(BANK_FAMILY):
        return Verdict(Status.NOT_A_LOG, "it is a question bank")
    return Verdict(Status.NOT_A_LOG, "the file holds JSON, but not a CPD log")


def load_log(
    path: Path, trust: TrustList | None = None, quick: bool = False
) -> tuple[dict[str, Any] | None, Verdict]:
    """The log as a dict (None if it cannot be used) and its verdict.

    The dict is returned exactly as read, since signatures are over its content. It has passed
    the `scr-cpd/log@1` schema, so renderers may rely on its field types; with `quick`, only the
    fields a team summary reads are checked (the full schema costs more than the rest of loading)."""
    path = Path(path)
    raw, failure = read_log_bytes(path)
    if failure:
        return None, failure
    return load_log_bytes(path, raw, trust, quick)


def load_log_bytes(
    path: Path, raw: bytes, trust: TrustList | None = None, quick: bool = False
) -> tuple[dict[str, Any] | None, Verdict]:
    """As load_log, for the bytes already read from `path`."""
    doc, failure = parse_log(path, raw)
    if failure:
        return None, failure
    problem = summary_problem(doc) if quick else schema_problem(doc)
    if problem:
        verdict = verify_log(doc, (trust or TrustList()).names())
        if verdict.status == Status.EDITED:  # a hand edit that also broke the format
            verdict.detail += f" (and the log is no longer well formed: {problem})"
            return None, verdict
        return None, Verdict(Status.DAMAGED, problem)
    return doc, judge(doc, trust)


def _first_problem(errors: list[Any], doc: dict[str, Any]) -> str | None:
    if not errors:
        return None
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{field_path(first['loc'], doc)}: {first['msg']}{more}"


def schema_problem(doc: dict[str, Any]) -> str | None:
    """`field: message` for the first thing that breaks the log schema, or None if it is a log.

    A log whose every field plainly fits is passed without the model (see progress/log/shape.py)."""
    if plainly_a_log(doc):
        return None
    from pydantic import ValidationError

    from scr_cpd.progress.log.schema import Log

    try:
        Log.model_validate(doc, strict=True)
    except ValidationError as exc:
        return _first_problem(list(exc.errors()), doc)
    return None


def summary_problem(doc: dict[str, Any]) -> str | None:
    """`field: message` for the first field a summary reads that is not usable, or None."""
    from scr_cpd.progress.supervision.summary_fields import validate_summary_fields

    return _first_problem(validate_summary_fields(doc), doc)


def field_path(loc: Iterable[Any], doc: Any) -> str:
    """`reflections[r-2].what` rather than `reflections.1.what`: reflections are known by id."""
    parts: list[str] = []
    node = doc
    for step in loc:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            label = (
                item.get("id")
                if isinstance(item, dict) and isinstance(item.get("id"), str)
                else step + 1
            )
            parts[-1:] = [f"{parts[-1]}[{label}]"] if parts else [f"[{label}]"]
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "log"


# --- Which files ------------------------------------------------------------------------------


@dataclass
class Expanded:
    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # files in a folder that are not .json


def expand_paths(paths: Iterable[Path]) -> Expanded:
    """Files as given; folders become every *.json file in them (and their sub-folders), sorted.

    A path that does not exist is kept, so loading reports it like any other bad file."""
    out = Expanded()
    paths = [Path(p) for p in paths]
    named = {p for p in paths if not p.is_dir()}
    for found in walk_files(paths):  # each file once, however often it is named
        if found.name[-5:].lower() == ".json" or found in named:
            out.files.append(found)
        else:
            out.skipped.append(found)
    return out


def reviewed_path(log_path: Path) -> Path:
    """`team/jones.json` → `team/jones.reviewed.json`."""
    stem = log_path.name[:-5] if log_path.name.lower().endswith(".json") else log_path.name
    if stem.endswith(".reviewed"):
        stem = stem[: -len(".reviewed")]
    return log_path.with_name(f"{stem}.reviewed.json")


def dump_log(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
