"""The learner's preferences: which exist, their allowed values and defaults, stored in the
progress database. One registry, read by the commands and the quiz loop alike."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from scr_cpd.progress.store import DB_NAME, Store


class SettingError(Exception):
    """An unknown setting or a value it cannot take; one sentence, a usage error."""

    exit_code = 2


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    allowed: tuple[str, ...]
    help: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "confidence",
            "on",
            ("on", "off"),
            "after each answer, ask how sure you were (sure / fairly sure / guessing)",
        ),
        Setting(
            "plain",
            "off",
            ("on", "off"),
            "plain numbered prompts by default (screen readers); --interactive overrides it",
        ),
    )
}


def known(key: str) -> Setting:
    spec = SETTINGS.get(key.strip().lower())
    if spec is None:
        raise SettingError(
            f"There is no setting called {key!r}; the settings are: {', '.join(SETTINGS)}."
        )
    return spec


def value(store: Store, key: str) -> str:
    spec = SETTINGS[key]
    stored = store.setting(key, spec.default)
    return stored if stored in spec.allowed else spec.default


def change(store: Store, key: str, new_value: str) -> Setting:
    spec = known(key)
    cleaned = new_value.strip().lower()
    if cleaned not in spec.allowed:
        raise SettingError(
            f"The setting {spec.key} can be {' or '.join(spec.allowed)}, not {new_value!r}."
        )
    store.set_setting(spec.key, cleaned)
    return spec


def asks_confidence(store: Store) -> bool:
    return value(store, "confidence") == "on"


def plain_by_default(store: Store) -> bool:
    return value(store, "plain") == "on"


def peek(home: Path, key: str) -> str:
    """A setting read without opening the store: read-only, no migration, nothing created, so
    that a command that never touches progress (`cpd bank validate`) works in any home folder;
    the default when there is no database yet or it cannot be read."""
    spec = SETTINGS[key]
    path = home / DB_NAME
    if not path.is_file():
        return spec.default
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return spec.default
    return str(row[0]) if row and row[0] in spec.allowed else spec.default
