"""Team summary rows remembered by each file's content hash, so a re-run over an unchanged team
reads no log at all: a file whose size, modification and change times and inode are unchanged
keeps the content hash it had, and a hash seen before keeps its row. A file whose state changed (a copied
folder, a log saved again from an email) is read and hashed, but not checked again when the
cache knows its content hash.

Kept in <home>/cache/review-summary.json (owner-only), read and written with orjson: a re-run's
cost is then mostly one stat per file. Rows depend on the trust list too, so a changed trust list
(or another app version) starts the cache afresh.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from scr_cpd import __version__
from scr_cpd.common.files import (
    InputError,
    OutputError,
    make_private_dir,
    read_bounded,
    write_private,
)
from scr_cpd.progress.log.vocabulary import Status
from scr_cpd.progress.supervision.team import SummaryRow, file_state
from scr_cpd.progress.supervision.trust import TrustList

CACHE_FILE = "review-summary.json"
CACHE_FORMAT = 4  # raised whenever a row is worked out differently (new checks, new fields)
MAX_CACHE_BYTES = 200 * 1024 * 1024
_ROW_FIELDS = {f.name for f in fields(SummaryRow)} - {"path"}


def trust_digest(trust: TrustList) -> str:
    """A hash of everything in the trust list (every field of every key, read as it is stored:
    a force's list holds thousands of keys, and this runs before each summary)."""
    import orjson

    records = [vars(key) for _, key in sorted(trust.keys.items())]
    return hashlib.sha256(
        orjson.dumps([records, trust.own], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


class SummaryCache:
    def __init__(self, home: Path, trust: TrustList) -> None:
        self.path = home / "cache" / CACHE_FILE
        self.stamp = {"format": CACHE_FORMAT, "version": __version__, "trust": trust_digest(trust)}
        self.files: dict[str, list[Any]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self.changed = False
        self._load()

    def _load(self) -> None:
        import orjson  # the app's own file: the quickest reader will do

        try:
            data = orjson.loads(read_bounded(self.path, MAX_CACHE_BYTES, "cache"))
        except (InputError, orjson.JSONDecodeError):
            return  # no cache yet, or a damaged one: start afresh
        if isinstance(data, dict) and all(data.get(k) == v for k, v in self.stamp.items()):
            files, rows = data.get("files"), data.get("rows")
            self.files = files if isinstance(files, dict) else {}
            self.rows = rows if isinstance(rows, dict) else {}

    def lookup(self, path: Path) -> SummaryRow | None:
        """The row of a file whose size, times and inode are as last seen (see file_state)."""
        entry = self.files.get(os.path.abspath(path))
        state = file_state(path)
        if not isinstance(entry, list) or state is None or entry[:-1] != state:
            return None
        return self.row(entry[-1], path)

    def known(self) -> frozenset[str]:
        """The content hashes the cache holds a row for."""
        return frozenset(self.rows)

    def row(self, digest: Any, path: Path) -> SummaryRow | None:
        """The row kept for this content hash, shown for `path`."""
        row = self.rows.get(digest) if isinstance(digest, str) else None
        if not isinstance(row, dict) or row.keys() != _ROW_FIELDS:
            return None
        return SummaryRow(path=path, **row)

    def store(
        self, path: Path, state: list[int] | None, digest: str | None, row: SummaryRow
    ) -> None:
        if state is None or digest is None or row.status == Status.PRINTABLE_COPY:
            return  # unreadable now, or a verdict that depends on the file's name as well
        self.files[os.path.abspath(path)] = [*state, digest]
        self.rows[digest] = {name: getattr(row, name) for name in _ROW_FIELDS}
        self.changed = True

    def save(self) -> None:
        import orjson

        if not self.changed:
            return
        kept = {entry[-1] for entry in self.files.values()}
        body = {
            **self.stamp,
            "files": self.files,
            "rows": {h: r for h, r in self.rows.items() if h in kept},
        }
        try:
            make_private_dir(self.path.parent)
            write_private(self.path, orjson.dumps(body))
        except (OSError, OutputError, orjson.JSONEncodeError):
            pass  # a cache that cannot be written only costs time next run
