"""The learner's record: a SQLite file in the home folder, every answer committed as it is given.

Schema changes are append-only named migrations tracked with PRAGMA user_version.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from scr_cpd.common.text import has_hidden_characters
from scr_cpd.progress.home import (
    DB_NAME,
    StoreError,
    connect_read_only,
    ensure_home,
    explain_database_error,
    home_files,
    prepare_home,
    private_file,
    refuse_an_emptied_file,
    writable,
)
from scr_cpd.progress.migrations import MIGRATIONS, migration, run_script

__all__ = [
    "DB_NAME",
    "MIGRATIONS",
    "StoreError",
    "ensure_home",
    "explain_database_error",
    "home_files",
    "migration",
    "prepare_home",
    "run_script",
]

BUSY_TIMEOUT_MS = 10_000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None = None) -> str:
    return (moment or utcnow()).astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


class AlreadyAnswered(Exception):
    """The question was already answered in this session (by another process on the same
    module); that first answer is the one that counts."""


@dataclass(frozen=True)
class Session:
    id: int
    kind: str
    module_id: str | None
    plan: list[tuple[str, str]]
    started_at: str
    status: str


@dataclass(frozen=True)
class Attempt:
    id: int
    session_id: int
    module_id: str
    question_id: str
    revision: int
    content_hash: str
    response: Any
    correct: bool
    confidence: str | None
    answered_at: str
    seconds: float


class Store:
    """All reads and writes of progress. Each write is its own committed transaction."""

    def __init__(self, path: Path, read_only: bool = False):
        """Open (or create) the database; `read_only` opens an existing one without writing
        anything, for a home folder that cannot be written (see `open_store`)."""
        self.path = path
        self.read_only = read_only
        try:
            if read_only:
                self.db = connect_read_only(path)
                self._check_is_ours()
                if self._version() < len(MIGRATIONS):
                    raise StoreError(
                        f"{path} needs updating for this version of scr-cpd, but its folder "
                        "cannot be written; run scr-cpd once where it can, or use --home"
                    )
                return
            if not path.exists():
                ensure_home(path.parent)
                private_file(path)
            else:
                refuse_an_emptied_file(path)
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check_is_ours()  # before WAL mode, which would rewrite another file's header
            self._retry_while_locked(lambda: self.db.execute("PRAGMA journal_mode = WAL"))
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(explain_database_error(path, exc)) from None

    @staticmethod
    def _retry_while_locked(
        step: Callable[[], Any], seconds: float = BUSY_TIMEOUT_MS / 1000
    ) -> Any:
        # Switching a brand-new file to WAL can report "locked" at once, without waiting on the
        # busy timeout, while another process is doing the same: wait and try again.
        deadline = time.monotonic() + seconds
        while True:
            try:
                return step()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @classmethod
    def open(cls, home: Path) -> "Store":
        return cls(home / DB_NAME)

    @classmethod
    def open_for_reading(cls, home: Path) -> "Store":
        """The home's store, read-only when the home folder cannot be written (read-only media,
        a locked-down share): commands that only read still work, and one that writes fails with
        one sentence naming the folder. Without a database yet, an empty history is shown."""
        try:
            return cls.open(home)
        except StoreError:
            if writable(home):
                raise
        if (home / DB_NAME).exists():
            return cls(home / DB_NAME, read_only=True)
        empty = cls.__new__(cls)
        empty.path, empty.read_only = home / DB_NAME, True
        empty.db = sqlite3.connect(":memory:", isolation_level=None)
        empty.db.row_factory = sqlite3.Row
        empty._migrate()
        empty.db.execute("PRAGMA query_only = ON")
        return empty

    def close(self) -> None:
        self.db.close()

    def _version(self) -> int:
        return self._known_version(int(self.db.execute("PRAGMA user_version").fetchone()[0]))

    def _known_version(self, version: int) -> int:
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer version of scr-cpd; upgrade scr-cpd to use it"
            )
        return version

    def _check_is_ours(self) -> None:
        """Refuse, without writing, a file that is not SQLite or holds another program's tables."""
        # One statement, so that both are read from the same snapshot even while another
        # process is creating the tables.
        version, tables = self.db.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), (SELECT COUNT(*) FROM sqlite_master)"
        ).fetchone()
        if self._known_version(version) == 0 and tables:
            raise StoreError(
                f"{self.path} is an SQLite database of another program, not scr-cpd progress; it has been left untouched — use --home to choose another folder"
            )

    def _migrate(self) -> None:
        if self._version() == len(MIGRATIONS):
            return
        # The version is read again under the write lock: two processes opening a new
        # database at once must not both run the same migration.
        while True:
            with self.transaction():
                version = self._version()
                if version == len(MIGRATIONS):
                    return
                MIGRATIONS[version](self.db)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    def transaction(self) -> "_Transaction":
        return _Transaction(self.db)

    # --- sessions ---------------------------------------------------------------------

    def start_session(
        self,
        kind: str,
        module_id: str | None,
        plan: list[tuple[str, str]],
        bank_version: str | None = None,
    ) -> Session:
        """A new session; for a module run, the run already open for that module if there is one
        (a second process on the same module joins it: the store holds one open run per module)."""
        started = iso()
        with self.transaction():
            if kind == "module":
                row = self.db.execute(
                    "SELECT * FROM sessions WHERE kind = 'module' AND module_id IS ? AND status = 'active'",
                    (module_id,),
                ).fetchone()
                if row is not None:
                    return _session(row)
            cursor = self.db.execute(
                "INSERT INTO sessions (kind, module_id, bank_version, plan, started_at) VALUES (?, ?, ?, ?, ?)",
                (kind, module_id, bank_version, json.dumps(plan), started),
            )
        return Session(
            int(cursor.lastrowid or 0),
            kind,
            module_id,
            [(p[0], p[1]) for p in plan],
            started,
            "active",
        )

    def active_session(self, kind: str, module_id: str | None) -> Session | None:
        row = self.db.execute(
            "SELECT * FROM sessions WHERE kind = ? AND module_id IS ? AND status = 'active' ORDER BY id DESC LIMIT 1",
            (kind, module_id),
        ).fetchone()
        return _session(row) if row else None

    def active_sessions(self) -> list[Session]:
        rows = self.db.execute(
            "SELECT * FROM sessions WHERE status = 'active' ORDER BY id DESC"
        ).fetchall()
        return [_session(r) for r in rows]

    def end_session(self, session_id: int, status: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?",
                (status, iso(), session_id),
            )

    def sessions(self, module_id: str | None = None, status: str | None = None) -> list[Session]:
        query, args = "SELECT * FROM sessions WHERE 1=1", []
        if module_id is not None:
            query += " AND module_id = ?"
            args.append(module_id)
        if status is not None:
            query += " AND status = ?"
            args.append(status)
        return [_session(r) for r in self.db.execute(query + " ORDER BY id", args)]

    # --- attempts ---------------------------------------------------------------------

    def record_attempt(
        self,
        session_id: int,
        module_id: str,
        question_id: str,
        revision: int,
        content_hash: str,
        response: Any,
        correct: bool,
        seconds: float,
        confidence: str | None = None,
        answered_at: str | None = None,
    ) -> int:
        """Store one answer; raises AlreadyAnswered if the session already has one for it."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO attempts (session_id, module_id, question_id, revision, content_hash, response,"
                " correct, confidence, answered_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, module_id, question_id) DO NOTHING",
                (
                    session_id,
                    module_id,
                    question_id,
                    revision,
                    content_hash,
                    json.dumps(response),
                    int(correct),
                    confidence,
                    answered_at or iso(),
                    round(seconds, 2),
                ),
            )
        if cursor.rowcount == 0:
            raise AlreadyAnswered(f"{module_id}/{question_id} was already answered in this session")
        return int(cursor.lastrowid or 0)

    def attempts(
        self, session_id: int | None = None, module_id: str | None = None
    ) -> list[Attempt]:
        query, args = "SELECT * FROM attempts WHERE 1=1", list[int | str]()
        if session_id is not None:
            query += " AND session_id = ?"
            args.append(session_id)
        if module_id is not None:
            query += " AND module_id = ?"
            args.append(module_id)
        return [_attempt(r) for r in self.db.execute(query + " ORDER BY id", args)]

    def iter_attempts(self) -> Iterator[Attempt]:
        for row in self.db.execute("SELECT * FROM attempts ORDER BY id"):
            yield _attempt(row)

    # --- settings ---------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
            )

    # --- profile ----------------------------------------------------------------------

    def plain_rows(self, sql: str, args: Any = ()) -> sqlite3.Cursor:
        """The query's rows as plain tuples, for reading many at once (named rows take a fifth
        longer to read)."""
        cursor = self.db.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, args)

    def profile(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.db.execute("SELECT key, value FROM profile")}

    def set_profile(self, **values: str | None) -> None:
        """Each field given, as one line (see `profile_value`); nothing is saved if one is refused."""
        given = {
            key: profile_value(key, value) for key, value in values.items() if value is not None
        }
        with self.transaction():
            for key, value in given.items():
                self.db.execute(
                    "INSERT OR REPLACE INTO profile (key, value) VALUES (?, ?)", (key, value)
                )


def profile_value(key: str, value: str) -> str:
    """A profile field as a log carries it: one line, each run of spaces and line breaks folded to
    one space. A control, bidi or zero-width character is refused: printed on a supervisor's
    screen it could move the cursor, recolour the text or reorder what is shown."""
    hidden = has_hidden_characters(value)
    if hidden:
        what = key.replace("_", " ")
        raise StoreError(f"the {what} holds a hidden character {hidden}; type it again without it")
    return " ".join(value.split())


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT: takes the write lock up front so two processes queue, not fail."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def _session(row: sqlite3.Row) -> Session:
    return Session(
        row["id"],
        row["kind"],
        row["module_id"],
        [tuple(p) for p in json.loads(row["plan"])],
        row["started_at"],
        row["status"],
    )


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        row["id"],
        row["session_id"],
        row["module_id"],
        row["question_id"],
        row["revision"],
        row["content_hash"],
        json.loads(row["response"]),
        bool(row["correct"]),
        row["confidence"],
        row["answered_at"],
        row["seconds"],
    )
