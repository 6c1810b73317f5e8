"""A supervisor's side of the CPD log: load and verify logs, keep a list of trusted keys,
summarise a team, and sign a review. Never prints or prompts; the CLI does that.

Loading never raises for a bad file: every file ends up with a Verdict whose status is one of
valid, edited, unsigned, unknown signer, not a CPD log, unsupported version, damaged, unreadable.
"""

from __future__ import annotations

import codecs
import csv
import gc
import html
import io
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from scr_cpd.common.files import write_private
from scr_cpd.progress.log.signing import (
    KeyFileError,
    Verdict,
    normalise_fingerprint,
    own_fingerprint,
    verify_log,
)

LOG_FORMAT = "scr-cpd/log@1"
LOG_FAMILY = "scr-cpd/log@"
MAX_LOG_BYTES = 20 * 1024 * 1024
TRUST_FILE = "trusted-keys.json"
OWN_KEY_NAME = "your own key"
LOAD_FAILURES = ("not a CPD log", "unsupported version", "damaged", "unreadable")
STATUSES = ("valid", "edited", "unsigned", "unknown signer") + LOAD_FAILURES
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ReviewError(Exception):
    """Something about the supervisor's own files (the trusted list); one sentence for the user."""


# --- Loading one log --------------------------------------------------------------------------


def load_log(
    path: Path, trusted: dict[str, str] | None = None, quick: bool = False
) -> tuple[dict[str, Any] | None, Verdict]:
    """The log as a dict (None if it cannot be used) and its verdict, in one line.

    The dict is returned exactly as read, since signatures are over its content. It has passed
    the `scr-cpd/log@1` schema, so renderers may rely on its field types; with `quick`, only the
    fields a team summary reads are checked (the full schema costs more than the rest of loading)."""
    raw, failure = _read_limited(Path(path), MAX_LOG_BYTES)
    if failure:
        return None, failure
    doc, failure = _parse(raw)
    del raw
    if failure:
        return None, failure
    problem = summary_problem(doc) if quick else schema_problem(doc)
    if problem:
        verdict = verify_log(doc, trusted)
        if verdict.status == "edited":  # a hand edit that also broke the format: say what changed
            verdict.detail += f" (and the log is no longer well formed: {problem})"
            return None, verdict
        return None, Verdict("damaged", problem)
    return doc, verify_log(doc, trusted)


def _read_limited(path: Path, limit: int) -> tuple[bytes, Verdict | None]:
    """Read at most `limit` bytes; a bigger file is refused from its size alone."""
    try:
        info = os.stat(path)  # before opening: opening a named pipe would wait for a writer
        if not stat.S_ISREG(info.st_mode):
            return b"", Verdict("unreadable", "not a file")
        if info.st_size > limit:
            return b"", Verdict("damaged", _too_large(info.st_size, limit))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return b"", Verdict("unreadable", (exc.strerror or str(exc)).lower())
    chunks, total = [], 0
    try:
        while total <= limit:  # normally one read; more if the file grew meanwhile
            chunk = os.read(fd, max(info.st_size, 65536) + 1)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        return b"", Verdict("unreadable", (exc.strerror or str(exc)).lower())
    finally:
        os.close(fd)
    if total > limit:
        return b"", Verdict("damaged", _too_large(total, limit))
    return chunks[0] if len(chunks) == 1 else b"".join(chunks), None


def _too_large(size: int, limit: int) -> str:
    return (
        f"too large ({size / 1024 / 1024:.1f} MB; a CPD log is at most {limit // 1024 // 1024} MB)"
    )


def _parse(raw: bytes) -> tuple[dict[str, Any], Verdict | None]:
    """JSON → dict with pydantic-core's parser (about twice as fast as the json module's)."""
    from pydantic_core import from_json

    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if not raw.strip():
        return {}, Verdict("damaged", "the file is empty")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return {}, Verdict("damaged", "not UTF-8 text")
    try:
        doc = from_json(raw, allow_inf_nan=False, cache_strings="keys")
    except ValueError as exc:
        message = str(exc)
        if message.startswith("EOF while parsing"):
            return {}, Verdict("damaged", "the file ends too early (cut short while copying?)")
        if message.startswith("recursion limit exceeded"):
            return {}, Verdict("damaged", "not valid JSON (nested too deeply)")
        return {}, Verdict("damaged", f"not valid JSON ({message})")
    return doc, _format_problem(doc)


def _format_problem(doc: Any) -> Verdict | None:
    if not isinstance(doc, dict):
        return Verdict("not a CPD log", "the file holds JSON, but not a CPD log")
    fmt = doc.get("format")
    if fmt == LOG_FORMAT:
        return None
    if isinstance(fmt, str) and fmt.startswith(LOG_FAMILY):
        return Verdict(
            "unsupported version",
            f"{fmt[:40]} is newer than this scr-cpd reads ({LOG_FORMAT}); upgrade scr-cpd to read it",
        )
    if isinstance(fmt, str) and fmt.startswith("scr-cpd/bank@"):
        return Verdict("not a CPD log", "it is a question bank")
    return Verdict("not a CPD log", "the file holds JSON, but not a CPD log")


def schema_problem(doc: dict[str, Any]) -> str | None:
    """`field: message` for the first thing that breaks the log schema, or None if it is a log."""
    from pydantic import ValidationError

    from scr_cpd.progress.log.schema import Log

    try:
        Log.model_validate(doc, strict=True)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        where = _field_path(first["loc"], doc)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{where}: {first['msg']}{more}"
    return None


MODULE_STATUSES = ("not started", "in progress", "completed", "passed")


def summary_problem(doc: dict[str, Any]) -> str | None:  # noqa: C901 (to be split)
    """`field: message` for the first field a summary reads that has the wrong type, or None."""

    def text(value: Any, optional: bool = False) -> bool:
        return isinstance(value, str) or (optional and value is None)

    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def items(name: str) -> list[Any] | str:
        value = doc.get(name)
        if not isinstance(value, list):
            return f"{name}: Input should be a valid list"
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                return f"{name}[{i + 1}]: Input should be an object"
        return value

    if not text(doc.get("generated_at")):
        return "generated_at: Input should be a valid string"
    for name in ("profile", "period", "totals"):
        if not isinstance(doc.get(name), dict):
            return f"{name}: Input should be an object"
    for key in ("name", "role", "force", "staff_number"):
        if not text(doc["profile"].get(key, ""), optional=False):
            return f"profile.{key}: Input should be a valid string"
    for key in ("since", "until"):
        if not text(doc["period"].get(key), optional=True):
            return f"period.{key}: Input should be a valid string"
    if not number(doc["totals"].get("cpd_hours")):
        return "totals.cpd_hours: Input should be a valid number"
    lists = {name: items(name) for name in ("modules", "reflections", "activities")}
    for found in lists.values():
        if isinstance(found, str):
            return found
    checks = (
        ("modules", "status", lambda v: v in MODULE_STATUSES, "Input should be a module status"),
        (
            "modules",
            "best_score",
            lambda v: v is None or number(v),
            "Input should be a valid number",
        ),
        ("modules", "last_activity", lambda v: text(v, True), "Input should be a valid string"),
        ("reflections", "updated_at", text, "Input should be a valid string"),
        ("activities", "started_at", text, "Input should be a valid string"),
        ("activities", "ended_at", lambda v: text(v, True), "Input should be a valid string"),
    )
    for name, key, good, message in checks:
        for i, item in enumerate(lists[name]):
            if not good(item.get(key)):
                return (
                    f"{name}[{item.get('id') if name == 'reflections' else i + 1}].{key}: {message}"
                )
    review = doc.get("review")
    if review is not None:
        if (
            not isinstance(review, dict)
            or not text(review.get("outcome"))
            or not isinstance(review.get("supervisor"), dict)
            or not text(review["supervisor"].get("name", ""))
        ):
            return "review: Input should be a supervisor's review"
    return None


def _field_path(loc: Iterable[Any], doc: Any) -> str:
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
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve() if path.exists() else path.absolute()
        if key not in seen:
            seen.add(key)
            out.files.append(path)

    for path in paths:
        if path.is_dir():
            for child in _walk(path):
                if child.suffix.lower() == ".json":
                    add(child)
                else:
                    out.skipped.append(child)
        else:
            add(path)
    return out


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif entry.is_file():
            yield path


# --- The supervisor's trusted keys ------------------------------------------------------------


def trust_path(home: Path) -> Path:
    return home / TRUST_FILE


def read_trusted(home: Path) -> dict[str, dict[str, str]]:
    """{fingerprint: {name, added_at}} from <home>/trusted-keys.json (empty if there is none)."""
    path = trust_path(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError):
        raise ReviewError(
            f"your trusted-key list {path} is damaged; fix it, or move it away and trust the keys again"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ReviewError(
            f"your trusted-key list {path} is not in the expected form; fix it, or move it away and trust the keys again"
        )
    return data


def trusted_names(home: Path) -> dict[str, str]:
    """{fingerprint: name} for verification: the trusted list plus this home's own key."""
    names = {fp: str(entry.get("name", "")) or fp for fp, entry in read_trusted(home).items()}
    try:
        own = own_fingerprint(home)
    except KeyFileError:  # only signing needs the key; checking others' logs does not
        own = None
    if own and own not in names:
        names[own] = OWN_KEY_NAME
    return names


def parse_fingerprint(text: str) -> str:
    fp = normalise_fingerprint(text)
    if fp is None:
        raise ReviewError(
            f"{text!r} is not a key fingerprint: it has 32 hex digits, shown as eight groups of four (abcd:ef01:…)"
        )
    return fp


def trust_key(home: Path, fingerprint: str, name: str, added_at: str) -> tuple[str, str | None]:
    """Add or rename a trusted key; returns (fingerprint, the name it had before or None)."""
    fp = parse_fingerprint(fingerprint)
    name = " ".join(name.split())
    if not name:
        raise ReviewError('give the key\'s owner a name, e.g. --name "PC 1234 Jones"')
    trusted = read_trusted(home)
    before = trusted.get(fp, {}).get("name")
    trusted[fp] = {"name": name, "added_at": added_at}
    _save_trusted(home, trusted)
    return fp, before


def untrust_key(home: Path, fingerprint: str) -> tuple[str, str | None]:
    """Remove a key; returns (fingerprint, the name it had, or None if it was not trusted)."""
    fp = parse_fingerprint(fingerprint)
    trusted = read_trusted(home)
    entry = trusted.pop(fp, None)
    if entry is not None:
        _save_trusted(home, trusted)
    return fp, entry.get("name") if entry else None


def _save_trusted(home: Path, trusted: dict[str, dict[str, str]]) -> None:
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(
        trust_path(home), json.dumps(trusted, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )


# --- What a log says, briefly -----------------------------------------------------------------


@dataclass
class SummaryRow:
    """One officer's log, or (with `name` None) a file that could not be read."""

    path: Path
    status: str
    detail: str
    name: str | None = None
    staff_number: str = ""
    role: str = ""
    force: str = ""
    since: str | None = None
    until: str | None = None
    hours: float = 0.0
    modules_completed: int = 0
    modules_total: int = 0
    average_score: float | None = None
    reflections: int = 0
    last_activity: str | None = None
    review_outcome: str | None = None
    review_status: str | None = None
    reviewer: str = ""

    @property
    def loaded(self) -> bool:
        return self.name is not None

    @property
    def period(self) -> str:
        return (
            f"{self.since} to {self.until or '?'}" if self.since else f"up to {self.until or '?'}"
        )


def summarise(path: Path, doc: dict[str, Any], verdict: Verdict) -> SummaryRow:
    profile = doc["profile"]
    period = doc["period"]
    modules = doc["modules"]
    scores = [m["best_score"] for m in modules if m.get("best_score") is not None]
    review = doc.get("review") or {}
    return SummaryRow(
        path=path,
        status=verdict.status,
        detail=verdict.detail,
        name=profile.get("name", ""),
        staff_number=profile.get("staff_number", ""),
        role=profile.get("role", ""),
        force=profile.get("force", ""),
        since=_day(period.get("since")),
        until=_day(period.get("until") or doc["generated_at"]),
        hours=float(doc["totals"]["cpd_hours"]),
        modules_completed=sum(1 for m in modules if m["status"] in ("completed", "passed")),
        modules_total=len(modules),
        average_score=sum(scores) / len(scores) if scores else None,
        reflections=len(doc["reflections"]),
        last_activity=last_activity(doc),
        review_outcome=review.get("outcome"),
        review_status=verdict.review_status,
        reviewer=(review.get("supervisor") or {}).get("name", ""),
    )


def last_activity(doc: dict[str, Any]) -> str | None:
    """The latest module answer, reflection or sitting (a module's last answer covers its attempts)."""
    stamps = [m.get("last_activity") for m in doc["modules"]]
    stamps += [r.get("updated_at") for r in doc["reflections"]]
    stamps += [a.get("ended_at") or a.get("started_at") for a in doc["activities"]]
    found = [s for s in stamps if s]
    return max(found) if found else None


def _day(stamp: str | None) -> str | None:
    return stamp[:10] if stamp else None


def failed_row(path: Path, verdict: Verdict) -> SummaryRow:
    return SummaryRow(path=path, status=verdict.status, detail=verdict.detail)


PARALLEL_FROM = 40  # files; below this, starting worker processes costs more than it saves
MAX_WORKERS = 4


def idle_cores() -> int:
    """Cores not already busy (by the load average), at most MAX_WORKERS: on a busy machine,
    extra worker processes only queue for the same cores and cost more than they save."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on Windows
        busy = 0.0
    return max(1, min(MAX_WORKERS, int(cores - busy + 0.5)))


def summary_row(path: Path, trusted: dict[str, str]) -> SummaryRow:
    doc, verdict = load_log(path, trusted, quick=True)
    return failed_row(path, verdict) if doc is None else summarise(path, doc, verdict)


def iter_summaries(
    paths: Iterable[Path], trusted: dict[str, str], workers: int | None = None
) -> Iterator[SummaryRow]:
    """One row per file, in the order given. Each process reads one file at a time, so a team of
    any size fits in memory; a large team is shared between worker processes on idle cores.

    The cyclic garbage collector is paused meanwhile: a log is a tree (freed as soon as it is
    summarised), and collections triggered by parsing each one cost a quarter of the time."""
    paths = list(paths)
    if workers is None:
        workers = idle_cores() if len(paths) >= PARALLEL_FROM else 1
    if workers > 1:
        rows = _parallel_rows(paths, trusted, workers)
        if rows is not None:
            yield from rows
            return
    with _collector_paused():
        for path in paths:
            yield summary_row(path, trusted)


class _collector_paused:
    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self.was_enabled:
            gc.enable()


_worker_trusted: dict[str, str] = {}


def _start_worker(trusted: dict[str, str]) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, quietly
    gc.disable()
    _worker_trusted.update(trusted)


def _worker_row(path: Path) -> SummaryRow:
    return summary_row(path, _worker_trusted)


def _parallel_rows(
    paths: list[Path], trusted: dict[str, str], workers: int
) -> Iterator[SummaryRow] | None:
    """Rows from a pool of worker processes, or None if this system cannot start one."""
    import multiprocessing

    try:
        pool = multiprocessing.get_context().Pool(
            workers, initializer=_start_worker, initargs=(trusted,)
        )
    except (OSError, ImportError, ValueError):
        return None

    def rows() -> Iterator[SummaryRow]:
        with pool:
            yield from pool.imap(_worker_row, paths, chunksize=8)

    return rows()


SORT_KEYS = ("name", "hours", "score", "last", "modules")


def sort_rows(rows: list[SummaryRow], by: str = "name", reverse: bool = False) -> list[SummaryRow]:
    """Officers first, then unreadable files. Numbers sort lowest first: who needs attention."""

    def key(row: SummaryRow) -> tuple[Any, ...]:
        if by == "hours":
            value: Any = row.hours
        elif by == "score":
            value = -1.0 if row.average_score is None else row.average_score
        elif by == "last":
            value = row.last_activity or ""
        elif by == "modules":
            value = row.modules_completed
        else:
            value = (row.name or "").casefold()
        return (value, (row.name or "").casefold(), str(row.path))

    officers = sorted((r for r in rows if r.loaded), key=key, reverse=reverse)
    failures = sorted((r for r in rows if not r.loaded), key=lambda r: str(r.path))
    return officers + failures


def filter_rows(
    rows: Iterable[SummaryRow],
    statuses: set[str] | None = None,
    only_invalid: bool = False,
    since: date | None = None,
) -> list[SummaryRow]:
    kept = []
    for row in rows:
        if only_invalid and row.status == "valid" and row.review_status in (None, "valid"):
            continue
        if statuses and row.status not in statuses:
            continue
        if since and row.loaded and (row.last_activity or "")[:10] < since.isoformat():
            continue
        kept.append(row)
    return kept


def normalise_status(text: str) -> str:
    """`unknown-signer`, `Unknown signer` → `unknown signer`; raises ReviewError if not a status."""
    status = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if status not in STATUSES:
        raise ReviewError(
            f"{text!r} is not a verification status; use one of: {', '.join(STATUSES)}"
        )
    return status


# --- Team reports -----------------------------------------------------------------------------

CSV_COLUMNS = (
    "file",
    "name",
    "staff_number",
    "role",
    "force",
    "period_since",
    "period_until",
    "cpd_hours",
    "modules_completed",
    "modules_total",
    "average_score",
    "reflections",
    "last_activity",
    "verification",
    "verification_detail",
    "review_outcome",
    "review_verification",
    "reviewer",
)


def neutralise_cell(value: Any) -> str:
    """Spreadsheets run a cell starting = + - @ (or tab/CR) as a formula: make it plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_values(row: SummaryRow) -> list[Any]:
    if not row.loaded:
        return [row.path] + [""] * 12 + [row.status, row.detail, "", "", ""]
    score = "" if row.average_score is None else f"{row.average_score * 100:.0f}"
    return [
        row.path,
        row.name,
        row.staff_number,
        row.role,
        row.force,
        row.since or "",
        row.until or "",
        f"{row.hours:.2f}",
        row.modules_completed,
        row.modules_total,
        score,
        row.reflections,
        row.last_activity or "",
        row.status,
        row.detail,
        row.review_outcome or "",
        row.review_status or "",
        row.reviewer,
    ]


def render_csv(rows: Iterable[SummaryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in csv_values(row)])
    return out.getvalue()


HTML_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;margin:2rem;max-width:80rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin-top:2rem}
p.meta{color:#555;margin:0 0 1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
th{background:#f0f0f0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600}.valid{color:#17622b}.edited,.damaged,.unsigned{color:#a4000f}
.unknown-signer,.not-a-cpd-log,.unsupported-version,.unreadable{color:#8a4b00}
.detail{display:block;font-size:.85em;color:#555;font-weight:normal;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}
@media print{body{margin:0;font-size:10pt}th{background:none}tr{break-inside:avoid}}
""".strip()


def _status_class(status: str | None) -> str:
    return (status or "").lower().replace(" ", "-") if status in STATUSES else ""


def render_html(rows: list[SummaryRow], generated_at: str, skipped: int = 0) -> str:
    """One self-contained page: no scripts, no external files; every string from a log escaped."""
    e = html.escape
    officers = [r for r in rows if r.loaded]
    failures = [r for r in rows if not r.loaded]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    out = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>CPD team summary</title>",
        f"<style>{HTML_STYLE}</style></head><body>",
        "<h1>CPD team summary</h1>",
        f'<p class="meta">{len(officers)} officer log(s), generated {e(generated_at)} by scr-cpd'
        f"{' · ' + e(tally) if tally else ''}</p>",
    ]
    if officers:
        out.append(
            "<table><thead><tr><th>Officer</th><th>Staff number</th><th>Period</th>"
            '<th class="num">CPD hours</th><th class="num">Modules</th><th class="num">Average score</th>'
            '<th class="num">Reflections</th><th>Last activity</th><th>Verification</th><th>Review</th>'
            "<th>File</th></tr></thead><tbody>"
        )
        for row in officers:
            out.append(_html_row(row))
        out.append("</tbody></table>")
    else:
        out.append("<p>No officer logs could be read.</p>")
    if failures:
        out.append(
            "<h2>Files that could not be read</h2><table><thead><tr><th>File</th><th>Problem</th>"
            "</tr></thead><tbody>"
        )
        for row in failures:
            out.append(
                f'<tr><td>{e(str(row.path))}</td><td><span class="status {_status_class(row.status)}">'
                f'{e(row.status)}</span><span class="detail">{e(row.detail)}</span></td></tr>'
            )
        out.append("</tbody></table>")
    if skipped:
        out.append(
            f'<p class="meta">{skipped} file(s) in the folders were not .json and were skipped.</p>'
        )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_row(row: SummaryRow) -> str:
    e = html.escape
    score = "–" if row.average_score is None else f"{row.average_score:.0%}"
    review = "–"
    if row.review_outcome:
        review = e(str(row.review_outcome))
        if row.reviewer:
            review += f'<span class="detail">by {e(row.reviewer)}</span>'
        if row.review_status != "valid":
            review += (
                f'<span class="detail status {_status_class(row.review_status)}">'
                f"signature: {e(str(row.review_status))}</span>"
            )
    cells = [
        e(row.name or "(no name)")
        + (f'<span class="detail">{e(row.role)}</span>' if row.role else ""),
        e(row.staff_number),
        e(row.period),
        f'<td class="num">{row.hours:.2f}',
        f'<td class="num">{row.modules_completed} of {row.modules_total}',
        f'<td class="num">{score}',
        f'<td class="num">{row.reflections}',
        e(_day(row.last_activity) or "–"),
        f'<span class="status {_status_class(row.status)}">{e(row.status)}</span>'
        f'<span class="detail">{e(row.detail)}</span>',
        review,
        e(str(row.path)),
    ]
    return (
        "<tr>"
        + "".join((c if c.startswith("<td") else f"<td>{c}") + "</td>" for c in cells)
        + "</tr>"
    )


# --- Sign-off ---------------------------------------------------------------------------------

SIGNABLE = ("valid", "unknown signer")


def reviewed_path(log_path: Path) -> Path:
    """`team/jones.json` → `team/jones.reviewed.json`."""
    stem = log_path.name[:-5] if log_path.name.lower().endswith(".json") else log_path.name
    if stem.endswith(".reviewed"):
        stem = stem[: -len(".reviewed")]
    return log_path.with_name(f"{stem}.reviewed.json")


def dump_log(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
