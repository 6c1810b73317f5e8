"""A force's learning warehouse: verified CPD logs loaded into DuckDB tables (and Parquet).

Only logs that verify (`cpd review verify` says valid) are loaded; every other file is reported
with its verdict. Officers are known by their key's fingerprint, and named from the trusted list,
never from the file. Loading is idempotent: each row has a natural key (an attempt is the officer,
question and moment it was answered), so the same log loaded twice, or two overlapping exports
of one officer, keep one copy; for rows that change over time (a module's status, a session, a
reflection) the newest export wins. Reflection text is left out unless asked for.

DuckDB and pyarrow are an optional extra: `pip install 'scr-cpd[warehouse]'`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable

from scr_cpd.common.files import make_private_dir, walk_files

EXTRA = "pip install 'scr-cpd[warehouse]'"
BATCH = 250  # logs per insert: large enough for bulk speed, small enough for memory

TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (columns, what the newest export replaces ('' = never), primary key)
    "logs": (
        "log_id VARCHAR, officer VARCHAR NOT NULL, file VARCHAR, generated_at TIMESTAMPTZ,"
        " period_since DATE, period_until DATE, app_version VARCHAR, cpd_hours DOUBLE,"
        " review_outcome VARCHAR",
        "",
        ("log_id",),
    ),
    "officers": (
        "officer VARCHAR, name VARCHAR, staff_number VARCHAR, role VARCHAR, force VARCHAR,"
        " as_of TIMESTAMPTZ",
        "name, staff_number, role, force, as_of",
        ("officer",),
    ),
    "modules": (
        "officer VARCHAR, module_id VARCHAR, title VARCHAR, bank_version VARCHAR, status VARCHAR,"
        " questions INTEGER, pass_mark DOUBLE, best_score DOUBLE, completions INTEGER,"
        " attempts INTEGER, correct INTEGER, seconds DOUBLE, first_activity TIMESTAMPTZ,"
        " last_activity TIMESTAMPTZ, as_of TIMESTAMPTZ",
        "title, bank_version, status, questions, pass_mark, best_score, completions, attempts,"
        " correct, seconds, first_activity, last_activity, as_of",
        ("officer", "module_id"),
    ),
    "sessions": (
        "session_id VARCHAR, officer VARCHAR, kind VARCHAR, module_id VARCHAR, title VARCHAR,"
        " started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, status VARCHAR, questions INTEGER,"
        " correct INTEGER, seconds DOUBLE, as_of TIMESTAMPTZ",
        "title, ended_at, status, questions, correct, seconds, as_of",
        ("session_id",),
    ),
    "attempts": (
        "officer VARCHAR, module_id VARCHAR, question_id VARCHAR, answered_at TIMESTAMPTZ,"
        " seq INTEGER, revision INTEGER, content_hash VARCHAR, correct BOOLEAN,"
        " confidence VARCHAR, seconds DOUBLE, response JSON, log_id VARCHAR",
        "",
        ("officer", "module_id", "question_id", "answered_at", "seq"),
    ),
    "reflections": (
        "officer VARCHAR, reflection_id VARCHAR, module_id VARCHAR, prompt_id VARCHAR,"
        " prompt VARCHAR, learning_points VARCHAR[], tags VARCHAR[], created_at TIMESTAMPTZ,"
        " updated_at TIMESTAMPTZ, seconds DOUBLE, words INTEGER, what VARCHAR, so_what VARCHAR,"
        " now_what VARCHAR, as_of TIMESTAMPTZ",
        "module_id, prompt_id, prompt, learning_points, tags, created_at, updated_at, seconds,"
        " words, what, so_what, now_what, as_of",
        ("officer", "reflection_id"),
    ),
}


class WarehouseError(Exception):
    """The warehouse cannot be written; one sentence for the user."""


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
        for name, (columns, _, key) in TABLES.items():
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {name} ({columns}, PRIMARY KEY ({', '.join(key)}))"
            )
    except (duckdb.Error, OSError) as exc:
        raise WarehouseError(
            f"cannot use {path} as a DuckDB warehouse ({_first_line(exc)})"
        ) from None
    os.chmod(path, 0o600)  # officers' records: the owner's alone, as the app's own files are
    return db


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def log_id(doc: dict[str, Any]) -> str:
    return hashlib.sha256(str(doc["integrity"]["signature"]).encode()).hexdigest()[:32]


def _key(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


class _Rows:
    """Rows of one batch, per table; rows with the same key keep the newest export's."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {n: {} for n in TABLES}

    def add(self, table: str, row: dict[str, Any]) -> None:
        key = tuple(row[k] for k in TABLES[table][2])
        rows = self.tables[table]
        old = rows.get(key)
        if old is None or row.get("as_of", "") >= old.get("as_of", ""):
            rows[key] = row


def _rows_of(doc: dict[str, Any], verdict: Any, path: Path, text: bool, rows: _Rows) -> None:
    officer, as_of, lid = verdict.fingerprint, doc["generated_at"], log_id(doc)
    profile, period = doc["profile"], doc["period"]
    rows.add(
        "logs",
        {
            "log_id": lid,
            "officer": officer,
            "file": str(path),
            "generated_at": as_of,
            "period_since": period.get("since"),
            "period_until": period.get("until"),
            "app_version": doc["app"]["version"],
            "cpd_hours": doc["totals"]["cpd_hours"],
            "review_outcome": (doc.get("review") or {}).get("outcome"),
        },
    )
    rows.add(
        "officers",
        {"officer": officer, "name": verdict.signer}
        | {k: profile.get(k, "") for k in ("staff_number", "role", "force")}
        | {"as_of": as_of},
    )
    for m in doc["modules"]:
        rows.add("modules", {"officer": officer, "module_id": m["id"]} | _pick(m, "modules", as_of))
    for s in doc["activities"]:
        if s["kind"] != "reflection":
            sid = _key(officer, s["kind"], s["module_id"], s["started_at"])
            rows.add(
                "sessions", {"session_id": sid, "officer": officer} | _pick(s, "sessions", as_of)
            )
    _attempt_rows(doc, officer, lid, rows)
    for r in doc["reflections"]:
        words = sum(len(str(r.get(f, "")).split()) for f in ("what", "so_what", "now_what"))
        rows.add(
            "reflections",
            _pick(r, "reflections", as_of)
            | {
                "officer": officer,
                "reflection_id": r["id"],
                "learning_points": [lp["id"] for lp in r.get("learning_points", [])],
                "words": words,
            }
            | {f: (r.get(f) if text else None) for f in ("what", "so_what", "now_what")},
        )


def _columns(table: str) -> list[str]:
    return [c.strip().split()[0] for c in TABLES[table][0].split(",")]


def _pick(item: dict[str, Any], table: str, as_of: str) -> dict[str, Any]:
    return {c: item.get(c) for c in _columns(table) if c in item} | {"as_of": as_of}


def _attempt_rows(doc: dict[str, Any], officer: str, lid: str, rows: _Rows) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for a in doc["attempts"]:
        key = (a["module_id"], a["question_id"], a["answered_at"])
        seen[key] = seq = seen.get(key, 0) + 1
        response = a.get("response")
        rows.add(
            "attempts",
            {
                "officer": officer,
                "module_id": key[0],
                "question_id": key[1],
                "answered_at": key[2],
                "seq": seq,
                "revision": a["revision"],
                "content_hash": a["content_hash"],
                "correct": a["correct"],
                "confidence": a.get("confidence"),
                "seconds": a["seconds"],
                "response": None if response is None else json.dumps(response),
                "log_id": lid,
            },
        )


def _flush(db: Any, rows: _Rows) -> None:
    import pyarrow as pa

    for table, found in rows.tables.items():
        if not found:
            continue
        columns = _columns(table)
        batch = pa.table({c: [row.get(c) for row in found.values()] for c in columns})
        db.register("batch", batch)
        _, replace, key = TABLES[table]
        names = ", ".join(columns)
        action = "DO NOTHING"
        if replace:
            updates = ", ".join(f"{c} = excluded.{c}" for c in replace.replace(" ", "").split(","))
            action = f"DO UPDATE SET {updates} WHERE excluded.as_of::TIMESTAMPTZ >= {table}.as_of"
        db.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM batch"
            f" ON CONFLICT ({', '.join(key)}) {action}"
        )
        db.unregister("batch")


def load_logs(
    db: Any,
    paths: Iterable[Path],
    trusted: dict[str, str],
    with_text: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Verify each log and load the valid ones (see the module docstring)."""
    report = LoadReport()
    known = {r[0] for r in db.execute("SELECT log_id FROM logs").fetchall()}
    rows, pending = _Rows(), 0
    for n, path in enumerate(walk_files(paths, (".json",)), start=1):
        doc, verdict = load_verified(path, trusted)
        if doc is None or not verdict.ok:
            report.rejected.append(Rejected(path, verdict.line()))
            continue
        lid = log_id(doc)
        (report.already if lid in known else report.loaded).append(path)
        if lid not in known:
            known.add(lid)
            _rows_of(doc, verdict, path, with_text, rows)
            pending += 1
        if pending >= BATCH:
            _flush(db, rows)
            rows, pending = _Rows(), 0
        if progress:
            progress(n)
    _flush(db, rows)
    report.rows = {t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}
    return report


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
