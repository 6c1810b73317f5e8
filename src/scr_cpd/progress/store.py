"""The learner's record: a SQLite file in the home folder, every answer committed as it is given.

Schema changes are append-only named migrations tracked with PRAGMA user_version.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from scr_cpd.common.files import make_private_dir

DB_NAME = "progress.db"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The progress database cannot be used; the message is one sentence for the user."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None = None) -> str:
    return (moment or utcnow()).astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []
migration = MIGRATIONS.append


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run each statement inside the caller's transaction (executescript would commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migration
def m001_sessions_and_attempts(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,               -- module | retake | practice
            module_id TEXT,                   -- NULL for practice across modules
            bank_version TEXT,
            plan TEXT NOT NULL,               -- JSON [[module_id, question_id], ...] in asking order
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL DEFAULT 'active'  -- active | completed | abandoned
        );
        CREATE INDEX sessions_module ON sessions(module_id, status);
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            module_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            response TEXT NOT NULL,           -- JSON, in the question's own option order
            correct INTEGER NOT NULL,
            confidence TEXT,                  -- sure | fairly | guess, or NULL when not asked
            answered_at TEXT NOT NULL,
            seconds REAL NOT NULL             -- time on task, idle time capped
        );
        CREATE INDEX attempts_question ON attempts(module_id, question_id);
        CREATE INDEX attempts_session ON attempts(session_id);
        CREATE TABLE profile (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


@migration
def m002_reflections_and_settings(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE reflections (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,         -- stable id used in logs and sign-off comments
            module_id TEXT,                   -- NULL for a free reflection
            prompt_id TEXT,                   -- the bank's reflection prompt id, if one was chosen
            prompt TEXT NOT NULL,
            what TEXT NOT NULL DEFAULT '',
            so_what TEXT NOT NULL DEFAULT '',
            now_what TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '[]',             -- JSON: Competency and Values Framework tags
            learning_points TEXT NOT NULL DEFAULT '[]',  -- JSON: learning point ids
            seconds REAL NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)
    """,
    )


@migration
def m003_cards(db: sqlite3.Connection) -> None:
    # One spaced-repetition card per question; `card` is the fsrs Card as JSON.
    run_script(
        db,
        """
        CREATE TABLE cards (
            module_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_review TEXT,
            PRIMARY KEY (module_id, question_id)
        );
        CREATE INDEX cards_due ON cards(due)
    """,
    )


@migration
def m004_one_answer_per_question_per_session(db: sqlite3.Connection) -> None:
    """One answer per question per session, and one open run per module, enforced by the store.

    Two processes on the same session could both answer a question before: the first answer
    (the one the quiz loop counted) is kept; the later ones move to `extra_answers`, kept as
    given but counted nowhere. Of several open runs of one module the newest stays open and
    the others are closed as abandoned (their answers stay in the history).
    """
    run_script(
        db,
        """
        CREATE TABLE extra_answers AS SELECT * FROM attempts WHERE 0;
        INSERT INTO extra_answers SELECT * FROM attempts WHERE id NOT IN (
            SELECT MIN(id) FROM attempts GROUP BY session_id, module_id, question_id);
        DELETE FROM attempts WHERE id IN (SELECT id FROM extra_answers);
        CREATE UNIQUE INDEX attempts_one_per_session
            ON attempts(session_id, module_id, question_id);
        UPDATE sessions SET status = 'abandoned', ended_at = COALESCE(ended_at, started_at)
            WHERE kind = 'module' AND status = 'active' AND id NOT IN (
                SELECT MAX(id) FROM sessions WHERE kind = 'module' AND status = 'active'
                GROUP BY module_id);
        CREATE UNIQUE INDEX sessions_one_open_run ON sessions(module_id)
            WHERE kind = 'module' AND status = 'active'
        """,
    )


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


def _private_file(path: Path) -> None:
    """Create `path` readable by its owner only (if it does not exist yet)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


EMPTIED_AFTER_SECONDS = 5  # an empty file older than this is not one being created right now


def _refuse_an_emptied_file(path: Path) -> None:
    """A 0-byte database is a history lost (a failed copy, a truncation), not a new start.

    One that another `cpd` has just created is fine: it writes the header within moments."""
    info = path.stat()
    if info.st_size == 0 and time.time() - info.st_mtime > EMPTIED_AFTER_SECONDS:
        raise StoreError(
            f"{path} is empty (0 bytes), so the history it held is gone; it has been left "
            "untouched — restore it from a backup, or delete it to start afresh"
        )


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes; `immutable` when even WAL's shared memory cannot be made."""
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"{path.absolute().as_uri()}?{flags}", uri=True, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            db.execute("PRAGMA query_only = ON")
            return db
        except sqlite3.OperationalError:
            db.close()
    raise StoreError(f"cannot read {path}; check its permissions, or use --home")


def _writable(home: Path) -> bool:
    """Whether `home` (or the nearest folder above it that exists) can be written; a path that
    runs into a regular file is no read-only home, so it counts as writable (and fails so)."""
    folder = home
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return True
    probe = folder / f".write-test-{os.getpid()}"
    try:
        probe.write_text("")
        probe.unlink()
    except OSError:
        return False
    return True


def prepare_home(home: Path) -> None:
    """`ensure_home`, except that a home folder that exists but cannot be written (read-only
    media) is accepted: reading commands work there, writing ones fail with one sentence."""
    try:
        ensure_home(home)
    except StoreError:
        if _writable(home):
            raise


def home_files(home: Path) -> list[Path]:
    """Every file the home folder holds (the database, keys, trust list, banks, cache): an export
    or any other output must never be written over one of them."""
    found: list[Path] = []
    for folder, _, names in os.walk(home):
        found += [Path(folder) / name for name in names]
    for suffix in ("", "-wal", "-shm", "-journal"):  # also before the database exists
        found.append(home / f"{DB_NAME}{suffix}")
    return found


def ensure_home(home: Path) -> Path:
    """Create the home folder (0700 whatever the umask) and check that it can be written."""
    try:
        make_private_dir(home)
        probe = home / f".write-test-{os.getpid()}"  # per process: two may start at once
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise StoreError(
            f"cannot write to the home folder {home} ({exc.strerror}); choose another with --home or SCR_CPD_HOME"
        ) from None
    return home


class Store:
    """All reads and writes of progress. Each write is its own committed transaction."""

    def __init__(self, path: Path, read_only: bool = False):
        """Open (or create) the database; `read_only` opens an existing one without writing
        anything, for a home folder that cannot be written (see `open_store`)."""
        self.path = path
        self.read_only = read_only
        try:
            if read_only:
                self.db = _connect_read_only(path)
                self._check_is_ours()
                if self._version() < len(MIGRATIONS):
                    raise StoreError(
                        f"{path} needs updating for this version of scr-cpd, but its folder "
                        "cannot be written; run scr-cpd once where it can, or use --home"
                    )
                return
            if not path.exists():
                ensure_home(path.parent)
                _private_file(path)
            else:
                _refuse_an_emptied_file(path)
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
            if _writable(home):
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

    def profile(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.db.execute("SELECT key, value FROM profile")}

    def set_profile(self, **values: str | None) -> None:
        with self.transaction():
            for key, value in values.items():
                if value is not None:
                    self.db.execute(
                        "INSERT OR REPLACE INTO profile (key, value) VALUES (?, ?)", (key, value)
                    )


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


def explain_database_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    """One sentence for the user about an SQLite error on the progress database at `path`."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a readable scr-cpd progress database (it may be damaged); it has been left untouched — move it aside, or use --home to start elsewhere"
    if "readonly" in text or "unable to open" in text:
        return (
            f"cannot write to {path}; check its permissions, or use --home to choose another folder"
        )
    if "locked" in text:
        return f"{path} is locked by another program; try again in a moment"
    return f"cannot use {path}: {text}"
