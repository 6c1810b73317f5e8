"""Reflections: What? So what? Now what?, each field saved the moment it is written."""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from scr_cpd.progress.store import Store, iso, utcnow

FIELDS = ("what", "so_what", "now_what")
FIELD_LABELS = {
    "what": "What? What happened, or what did I learn?",
    "so_what": "So what? Why does it matter to my practice?",
    "now_what": "Now what? What will I do differently?",
}
FIELD_CAP_SECONDS = 20 * 60
FOLLOW_UP_DAYS = 30  # a "Now what?" is followed up this many days after it was written

# The Competency and Values Framework (College of Policing): competencies, then values.
CVF_TAGS = {
    "emotionally-aware": "We are emotionally aware",
    "take-ownership": "We take ownership",
    "collaborative": "We are collaborative",
    "deliver-support-inspire": "We deliver, support and inspire",
    "analyse-critically": "We analyse critically",
    "innovative-open-minded": "We are innovative and open-minded",
    "integrity": "Integrity",
    "impartiality": "Impartiality",
    "public-service": "Public service",
    "transparency": "Transparency",
}


class ReflectionError(Exception):
    """A reflection id or tag the person gave does not exist; one sentence."""


@dataclass(frozen=True)
class ReflectionEntry:
    uid: str
    module_id: str | None
    prompt_id: str | None
    prompt: str
    what: str
    so_what: str
    now_what: str
    tags: list[str]
    learning_points: list[str]
    seconds: float
    created_at: str
    updated_at: str
    follow_up_due: str | None = None
    impact: str = ""
    impact_at: str | None = None

    def text(self, field: str) -> str:
        return str(getattr(self, field))

    @property
    def is_empty(self) -> bool:
        return not any(self.text(f).strip() for f in FIELDS)

    @property
    def missing(self) -> list[str]:
        """The fields not written yet, in order."""
        return [f for f in FIELDS if not self.text(f).strip()]

    @property
    def is_unfinished(self) -> bool:
        """Some answers written, some not (a reflection stopped part-way)."""
        return not self.is_empty and bool(self.missing)


def new_uid() -> str:
    return f"r-{utcnow():%Y%m%d}-{secrets.token_hex(3)}"


def create(
    store: Store,
    prompt: str,
    module_id: str | None = None,
    prompt_id: str | None = None,
    learning_points: list[str] | None = None,
    tags: list[str] | None = None,
    first: tuple[str, str, float] | None = None,
) -> str:
    """A new reflection; `first` (field, text, seconds) is its first answer, written in the same
    transaction, so that no blank reflection is ever left behind by a killed process."""
    tags_json, points_json = json.dumps(check_tags(tags or [])), json.dumps(learning_points or [])
    field, text, seconds = first or ("what", "", 0.0)
    if field not in FIELDS:
        raise ReflectionError(f"unknown field {field!r}; use one of {', '.join(FIELDS)}")
    seconds = min(max(seconds, 0.0), FIELD_CAP_SECONDS)
    due = follow_up_date() if field == "now_what" and text.strip() else None
    while True:  # ids are short and random: on the rare clash, draw another
        uid, now = new_uid(), iso()
        try:
            with store.transaction():
                store.db.execute(
                    "INSERT INTO reflections (uid, module_id, prompt_id, prompt, tags, learning_points,"
                    f" created_at, updated_at, follow_up_due, {field}, seconds)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        uid,
                        module_id,
                        prompt_id,
                        prompt,
                        tags_json,
                        points_json,
                        now,
                        now,
                        due,
                        text,
                        seconds,
                    ),
                )
            return uid
        except sqlite3.IntegrityError:
            continue


def save_field(store: Store, uid: str, field: str, text: str, seconds: float = 0.0) -> None:
    if field not in FIELDS:
        raise ReflectionError(f"unknown field {field!r}; use one of {', '.join(FIELDS)}")
    due = follow_up_date() if field == "now_what" and text.strip() else None
    with store.transaction():
        cursor = store.db.execute(
            f"UPDATE reflections SET {field} = ?, seconds = seconds + ?, updated_at = ?,"
            " follow_up_due = COALESCE(follow_up_due, ?) WHERE uid = ?",
            (text, min(max(seconds, 0.0), FIELD_CAP_SECONDS), iso(), due, uid),
        )
    if cursor.rowcount == 0:
        raise ReflectionError(f"no reflection with id {uid!r}; see `cpd reflections list`")


def follow_up_date() -> str:
    """When a "Now what?" written now is followed up."""
    return iso(utcnow() + timedelta(days=FOLLOW_UP_DAYS))


def set_tags(store: Store, uid: str, tags: list[str]) -> None:
    with store.transaction():
        store.db.execute(
            "UPDATE reflections SET tags = ?, updated_at = ? WHERE uid = ?",
            (json.dumps(check_tags(tags)), iso(), uid),
        )


def check_tags(tags: list[str]) -> list[str]:
    unknown = [t for t in tags if t not in CVF_TAGS]
    if unknown:
        raise ReflectionError(f"unknown tag {unknown[0]!r}; use one of {', '.join(CVF_TAGS)}")
    return list(dict.fromkeys(tags))


def get(store: Store, uid: str) -> ReflectionEntry:
    row = _rows(store, "WHERE uid = ?", [uid]).fetchone()
    if row is None:
        raise ReflectionError(f"no reflection with id {uid!r}; see `cpd reflections list`")
    return _entry(row)


def all_entries(
    store: Store, module_id: str | None = None, since: str | None = None, until: str | None = None
) -> list[ReflectionEntry]:
    query, args = "WHERE 1=1", []
    if module_id:
        query += " AND module_id = ?"
        args.append(module_id)
    if since:
        query += " AND created_at >= ?"
        args.append(since)
    if until:
        query += " AND created_at < ?"
        args.append(until)
    return list(map(_entry, _rows(store, query + " ORDER BY created_at, id", args).fetchall()))


def unfinished(store: Store) -> list[ReflectionEntry]:
    """Reflections stopped part-way (some answers written, some not), oldest first."""
    return [e for e in all_entries(store) if e.is_unfinished]


def delete(store: Store, uid: str) -> None:
    with store.transaction():
        cursor = store.db.execute("DELETE FROM reflections WHERE uid = ?", (uid,))
    if cursor.rowcount == 0:
        raise ReflectionError(f"no reflection with id {uid!r}; see `cpd reflections list`")


# Every field of an entry, read by its column of the same name as plain tuples (a quarter of
# the time of named rows).
_FIELD_NAMES = tuple(f.name for f in fields(ReflectionEntry))
_COLUMNS = ", ".join(_FIELD_NAMES)


def _rows(store: Store, where: str, args: list[str]) -> sqlite3.Cursor:
    return store.plain_rows(f"SELECT {_COLUMNS} FROM reflections {where}", args)


def _entry(row: tuple[Any, ...]) -> ReflectionEntry:
    values = dict(zip(_FIELD_NAMES, row))
    values["tags"] = json.loads(values["tags"])
    values["learning_points"] = json.loads(values["learning_points"])
    return ReflectionEntry(**values)
