"""A force's learning warehouse: verified CPD logs loaded into DuckDB tables (and Parquet).

Only logs that verify (`cpd review verify` says valid) are loaded; every other file is reported
with its verdict. Officers are known by their key's fingerprint, and named from the trusted list,
never from the file. Loading is idempotent: each row has a natural key (an attempt is the officer,
question and moment it was answered), so the same log loaded twice, or two overlapping exports
of one officer, keep one copy; for rows that change over time (a module's status, a session, a
reflection) the newest export wins. Reflection text is left out unless asked for.

Speed: logs are checked in worker processes, a batch at a time, and their rows go to DuckDB as
Arrow columns. A file whose exact bytes were verified and loaded before is known by its SHA-256
and not verified again, as long as its signers are still trusted (see `check_file`).

DuckDB and pyarrow are an optional extra: `pip install 'scr-cpd[warehouse]'`.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
from collections import deque
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator

from scr_cpd import __version__
from scr_cpd.common.collector import collector_paused
from scr_cpd.common.files import InputError, make_private_dir, read_bounded, walk_files
from scr_cpd.progress.warehouse_tables import (
    COLUMNS,
    FILES,
    TABLES,
    Batch,
    Columns,
    WarehouseError,
    create_tables,
    first_line,
    flush,
)

EXTRA = "pip install 'scr-cpd[warehouse]'"
BATCH = 2000  # logs per transaction at most (and see ROWS)
ROWS = 250_000  # answers per transaction: DuckDB writes inserts of two row groups or more
# straight to the file (smaller ones go through its write-ahead log first, costing twice)
PARALLEL_FROM = 40  # files; below this, starting worker processes costs more than it saves
MAX_WORKERS = 4
CHUNK = 8  # files per task sent to a worker
MAX_LOG_BYTES = 20 * 1024 * 1024  # larger files skip the hash shortcut; verifying refuses them


@functools.cache
def review_api() -> Any:
    """The one door into the supervisor's review code: `load_log(path, trust)` (the log or None,
    and its Verdict, judged as `cpd review verify` judges it) and `load_trust(home)`."""
    from scr_cpd.progress.supervision import logfile, trust

    return SimpleNamespace(load_log=logfile.load_log, load_trust=trust.load_trust)


def trusted_names(home: Path) -> Any:
    """The reader's trust: the trusted keys with their names and roles, and the reader's own key."""
    return review_api().load_trust(home)


def load_verified(path: Path, trusted: Any) -> tuple[dict[str, Any] | None, Any]:
    doc, verdict = review_api().load_log(path, trusted)
    return doc, verdict


@dataclass
class Rejected:
    path: Path
    verdict: str  # the verdict's one line, as `cpd review verify` prints it


@dataclass
class LoadReport:
    loaded: list[Path] = field(default_factory=list)
    already: list[Path] = field(default_factory=list)  # valid, and already in the warehouse
    rejected: list[Rejected] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows after loading


def connect(path: Path) -> Any:
    """An open DuckDB database at `path` with our tables (created when missing)."""
    try:
        import duckdb
        import pyarrow  # type: ignore[import-untyped]  # noqa: F401  (bulk inserts use Arrow)
    except ImportError:
        raise WarehouseError(f"the warehouse needs DuckDB and pyarrow: {EXTRA}") from None
    if path.exists() and not path.is_file():
        raise WarehouseError(f"{path} is not a file; give --duckdb a database file name")
    try:
        db = duckdb.connect(str(path))
        create_tables(db)
    except (duckdb.Error, OSError) as exc:
        raise WarehouseError(
            f"cannot use {path} as a DuckDB warehouse ({first_line(exc)})"
        ) from None
    os.chmod(path, 0o600)  # officers' records: the owner's alone, as the app's own files are
    return db


def log_id(doc: dict[str, Any]) -> str:
    return hashlib.sha256(str(doc["integrity"]["signature"]).encode()).hexdigest()[:32]


def _key(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


# --- One file: checked, and turned into columns ---------------------------------------------

Known = dict[str, tuple[str, str | None]]  # file SHA-256 -> (officer, reviewer) fingerprints


@dataclass
class Checked:
    """What checking one file found. `columns` is None for a file known by its hash."""

    path: Path
    sha: str | None  # SHA-256 of the bytes that were verified (None if the file changed meanwhile)
    verdict: str | None = None  # the verdict's line when the file is not loaded
    lid: str = ""
    officer: str = ""
    reviewer: str | None = None
    columns: Columns | None = None


def _still_trusted(trust: Any, fingerprint: str, role: str | None = None) -> bool:
    """The key is in the reader's trust as it was when the file was loaded: listed (or the
    reader's own), not revoked, and a reviewer's still trusted as a supervisor."""
    if fingerprint == trust.own:
        return True
    key = trust.keys.get(fingerprint)
    return key is not None and key.revoked_at is None and (role is None or key.role == role)


def check_file(path: Path, trusted: Any, known: Known, with_text: bool) -> Checked:
    """Verify one file and, if it is valid, turn it into columns.

    A file whose exact bytes were verified and loaded before is the same log, with the same
    signatures, so it is not verified again. Only the trusted list can have changed since; the
    verdict depends on it through whether the officer's key (and the reviewer's) are in it, so
    the shortcut is taken only while they are: otherwise the file is verified in full and gets
    the verdict `cpd review verify` gives it today."""
    before, sha = _stamp(path), _file_hash(path)
    seen = known.get(sha) if sha else None
    if (
        seen
        and _still_trusted(trusted, seen[0])
        and (seen[1] is None or _still_trusted(trusted, seen[1], "supervisor"))
    ):
        return Checked(path, sha)
    doc, verdict = load_verified(path, trusted)
    if doc is None or not verdict.ok:
        return Checked(path, None, verdict.line())
    if before is None or _stamp(path) != before:  # written to meanwhile: verified, not remembered
        sha = None
    columns = log_columns(doc, verdict, path, with_text)
    fp, reviewer = verdict.fingerprint, verdict.review_fingerprint
    return Checked(path, sha, None, log_id(doc), fp, reviewer, columns)


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What changes whenever a file is written to (its change time cannot be set back by hand);
    the same before hashing and after verifying means the bytes hashed are the bytes verified."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_bounded(path, MAX_LOG_BYTES, "CPD log")).hexdigest()
    except InputError:
        return None  # verifying says why the file cannot be used


def log_columns(doc: dict[str, Any], verdict: Any, path: Path, with_text: bool) -> Columns:
    """The rows one valid log gives each table, as columns; one row per natural key."""
    officer, as_of, lid = verdict.fingerprint, doc["generated_at"], log_id(doc)
    profile, period = doc["profile"], doc["period"]
    log = {
        "log_id": lid,
        "officer": officer,
        "file": str(path),
        "generated_at": as_of,
        "period_since": period.get("since"),
        "period_until": period.get("until"),
        "app_version": doc["app"]["version"],
        "cpd_hours": doc["totals"]["cpd_hours"],
        "review_outcome": (doc.get("review") or {}).get("outcome"),
    }
    person = {"officer": officer, "name": verdict.signer, "as_of": as_of}
    person |= {k: profile.get(k, "") for k in ("staff_number", "role", "force")}
    fixed = {"officer": officer, "as_of": as_of}
    modules = {m["id"]: m for m in doc["modules"]}
    sessions = {
        _key(officer, s["kind"], s["module_id"], s["started_at"]): s
        for s in doc["activities"]
        if s["kind"] != "reflection"
    }
    return {
        "logs": {c: [v] for c, v in log.items()},
        "officers": {c: [v] for c, v in person.items()},
        "modules": _columns_of(
            "modules", list(modules.values()), fixed, {"module_id": list(modules)}
        ),
        "sessions": _columns_of(
            "sessions", list(sessions.values()), fixed, {"session_id": list(sessions)}
        ),
        "attempts": _attempt_columns(doc["attempts"], officer, lid),
        "reflections": _reflection_columns(doc["reflections"], fixed, with_text),
    }


def _columns_of(
    table: str, rows: list[dict[str, Any]], fixed: dict[str, Any], made: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    """Each column of `table`: a value the same for every row, one made here, or the row's."""
    found = {}
    for column, _ in COLUMNS[table]:
        if column in made:
            found[column] = made[column]
        elif column in fixed:
            found[column] = [fixed[column]] * len(rows)
        else:
            found[column] = list(map(dict.get, rows, repeat(column, len(rows))))
    return found


def _attempt_columns(
    attempts: list[dict[str, Any]], officer: str, lid: str
) -> dict[str, list[Any]]:
    """`seq` tells apart answers to one question given in the same second."""
    keys = [(a["module_id"], a["question_id"], a["answered_at"]) for a in attempts]
    seq = [1] * len(keys)
    if len(set(keys)) < len(keys):  # rare: count them
        seen: dict[tuple[str, str, str], int] = {}
        for n, key in enumerate(keys):
            seen[key] = seq[n] = seen.get(key, 0) + 1
    made: dict[str, list[Any]] = {
        "seq": seq,
        "response": [
            None if a.get("response") is None else json.dumps(a["response"]) for a in attempts
        ],
    }
    fixed = {"officer": officer, "log_id": lid}
    return _columns_of("attempts", attempts, fixed, made)


def _reflection_columns(
    reflections: list[dict[str, Any]], fixed: dict[str, Any], with_text: bool
) -> dict[str, list[Any]]:
    texts = ("what", "so_what", "now_what")
    items = {r["id"]: r for r in reflections}
    rows = list(items.values())
    made: dict[str, list[Any]] = {
        "reflection_id": list(items),
        "learning_points": [[lp["id"] for lp in r.get("learning_points", [])] for r in rows],
        "words": [sum(len(str(r.get(f, "")).split()) for f in texts) for r in rows],
    }
    for f in texts:
        made[f] = [r.get(f) for r in rows] if with_text else [None] * len(rows)
    return _columns_of("reflections", rows, fixed, made)


# --- Many files: checked on every core, loaded a batch at a time ------------------------------


def load_logs(
    db: Any,
    paths: Iterable[Path],
    trusted: Any,
    with_text: bool = False,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> LoadReport:
    """Verify each log and load the valid ones (see the module docstring). At most ROWS answers
    (BATCH logs) and a few dozen files being checked are held in memory at once, whatever the
    number of files; each batch is written in one transaction."""
    report, files = LoadReport(), list(walk_files(paths, (".json",)))
    known = _known_files(db)
    officers = _values(db, "SELECT officer FROM officers UNION SELECT officer FROM logs")
    seen = _Seen(_values(db, "SELECT log_id FROM logs"), officers, set(known))
    batch = Batch()
    with collector_paused():
        for n, checked in enumerate(_check_all(files, trusted, known, with_text, workers), 1):
            seen.take(checked, report, batch)
            if batch.logs >= BATCH or batch.answers >= ROWS:
                flush(db, batch)
                batch = Batch()
            if progress:
                progress(n)
        flush(db, batch)
    report.rows = {t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}
    return report


def _values(db: Any, query: str) -> set[str]:
    return {row[0] for row in db.execute(query).fetchall()}


def _known_files(db: Any) -> Known:
    """Files verified and loaded before by this version, whose log is still in the warehouse."""
    found = db.execute(
        f"SELECT f.sha256, f.officer, f.reviewer FROM {FILES} AS f"
        " WHERE f.checked_by = ? AND f.log_id IN (SELECT log_id FROM logs)",
        [__version__],
    ).fetchall()
    return {sha: (officer, reviewer) for sha, officer, reviewer in found}


@dataclass
class _Seen:
    log_ids: set[str]
    officers: set[str]
    hashes: set[str]

    def take(self, checked: Checked, report: LoadReport, batch: Batch) -> None:
        """Report one checked file, and add its rows to the batch unless its log is there."""
        if checked.verdict is not None:
            report.rejected.append(Rejected(checked.path, checked.verdict))
            return
        new = checked.columns is not None and checked.lid not in self.log_ids
        (report.loaded if new else report.already).append(checked.path)
        if checked.columns is None:
            return
        if new:
            self.log_ids.add(checked.lid)
            batch.add(checked.columns, fresh=checked.officer not in self.officers)
            self.officers.add(checked.officer)
        if checked.sha and checked.sha not in self.hashes:
            self.hashes.add(checked.sha)
            row = (checked.sha, checked.lid, checked.officer, checked.reviewer, __version__)
            batch.files.append(row)


def _check_all(
    files: list[Path], trusted: Any, known: Known, with_text: bool, workers: int | None
) -> Iterator[Checked]:
    """Each file checked, in order: by worker processes on every core for many files."""
    if workers is None:
        workers = min(MAX_WORKERS, _cores()) if len(files) >= PARALLEL_FROM else 1
    if workers > 1:
        found = _in_pool(files, (trusted, known, with_text), workers)
        if found is not None:
            return found
    return (check_file(path, trusted, known, with_text) for path in files)


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


_worker: dict[str, Any] = {}


def _start_worker(trusted: Any, known: Known, with_text: bool) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, quietly
    gc.disable()
    _worker.update(trusted=trusted, known=known, with_text=with_text)


def _check_chunk(paths: list[Path]) -> list[Checked]:
    return [
        check_file(p, _worker["trusted"], _worker["known"], _worker["with_text"]) for p in paths
    ]


def _in_pool(files: list[Path], setup: tuple[Any, ...], workers: int) -> Iterator[Checked] | None:
    """Checked files from a pool of worker processes (None if this system cannot start one).
    Only a few chunks are sent ahead, so a slow database never piles results up in memory."""
    import multiprocessing

    try:
        pool = multiprocessing.get_context().Pool(workers, _start_worker, setup)
    except (OSError, ImportError, ValueError):
        return None

    def results() -> Iterator[Checked]:
        with pool:
            pending: deque[Any] = deque()
            for start in range(0, len(files), CHUNK):
                pending.append(pool.apply_async(_check_chunk, (files[start : start + CHUNK],)))
                if len(pending) >= 8 * workers:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()

    return results()


def export_parquet(db: Any, folder: Path) -> list[Path]:
    """One Parquet file per table in `folder` (created owner-only), for a force's own warehouse."""
    make_private_dir(folder)
    written = []
    for table in TABLES:
        target = folder / f"{table}.parquet"
        if target.exists() and not target.is_file():
            raise WarehouseError(f"{target} is not a file; choose another --parquet folder")
        order = ", ".join(TABLES[table][2])
        db.execute(
            f"COPY (SELECT * FROM {table} ORDER BY {order}) TO '{_quoted(target)}' (FORMAT PARQUET)"
        )
        os.chmod(target, 0o600)
        written.append(target)
    return written


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
