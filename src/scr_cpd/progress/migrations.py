"""The progress database's schema: append-only named migrations, tracked with PRAGMA user_version.

`Store` runs the ones a database has not had yet, one by one, each in its own transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

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


@migration
def m005_skipped_confidence_is_null(db: sqlite3.Connection) -> None:
    # "Skip" at "How sure were you?" was once stored as the word itself; it means no confidence.
    db.execute(
        "UPDATE attempts SET confidence = NULL"
        " WHERE confidence IS NOT NULL AND confidence NOT IN ('sure', 'fairly', 'guess')"
    )


@migration
def m006_reflection_follow_up(db: sqlite3.Connection) -> None:
    """A review date for each "Now what?", and the officer's answer to it ("impact").

    Reflections that already have a "Now what?" are due 30 days after they were written."""
    run_script(
        db,
        """
        ALTER TABLE reflections ADD COLUMN follow_up_due TEXT;      -- ISO time, NULL when none is set
        ALTER TABLE reflections ADD COLUMN impact TEXT NOT NULL DEFAULT '';  -- what changed
        ALTER TABLE reflections ADD COLUMN impact_at TEXT;          -- when the answer was given
        UPDATE reflections SET follow_up_due = strftime('%Y-%m-%dT%H:%M:%S+00:00',
            created_at, '+30 days') WHERE trim(now_what) != ''
        """,
    )
