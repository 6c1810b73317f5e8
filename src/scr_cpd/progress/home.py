"""The home folder and the database file in it: created owner-only whatever the umask, refused
when emptied or damaged (one sentence, the file left untouched), read-only when it cannot be
written, and listed so that no output is ever written over one of its files."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from scr_cpd.common.files import make_private_dir

DB_NAME = "progress.db"


class StoreError(Exception):
    """The progress database cannot be used; the message is one sentence for the user."""


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (if it does not exist yet)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


EMPTIED_AFTER_SECONDS = 5  # an empty file older than this is not one being created right now


def refuse_an_emptied_file(path: Path) -> None:
    """A 0-byte database is a history lost (a failed copy, a truncation), not a new start.

    One that another `cpd` has just created is fine: it writes the header within moments."""
    info = path.stat()
    if info.st_size == 0 and time.time() - info.st_mtime > EMPTIED_AFTER_SECONDS:
        raise StoreError(
            f"{path} is empty (0 bytes), so the history it held is gone; it has been left "
            "untouched — restore it from a backup, or delete it to start afresh"
        )


def connect_read_only(path: Path) -> sqlite3.Connection:
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


def writable(home: Path) -> bool:
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
        if writable(home):
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
