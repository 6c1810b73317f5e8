"""A team at a glance: one summary row per officer's log, read in parallel, sorted and filtered.

Names come from the trust list when the key is trusted; figures come from the log's own records
(its totals and module records), never computed a second way.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from scr_cpd.common.collector import collector_paused
from scr_cpd.progress.log.signing import Verdict
from scr_cpd.progress.log.vocabulary import SORT_KEYS, STATUSES, SortKey, Status  # noqa: F401 (re-exported)
from scr_cpd.progress.supervision import SupervisionError
from scr_cpd.progress.supervision.logfile import load_log_bytes, read_log_bytes
from scr_cpd.progress.supervision.trust import TrustList

# The officer's verdict shows the trusted identity for these (the key is in the trust list).
_TRUSTED_STATUSES = (Status.VALID, Status.IDENTITY_MISMATCH, Status.REVOKED_KEY)


@dataclass
class SummaryRow:
    """One officer's log, or (with `name` None) a file that could not be read."""

    path: Path
    status: str
    detail: str
    name: str | None = None
    claimed_name: str = ""
    staff_number: str = ""
    role: str = ""
    force: str = ""
    since: str | None = None
    until: str | None = None
    hours: float = 0.0
    modules_completed: int = 0
    modules_passed: int = 0
    modules_total: int = 0
    average_score: float | None = None
    reflections: int = 0
    last_activity: str | None = None
    review_outcome: str | None = None
    review_status: str | None = None
    review_detail: str = ""
    reviewer: str = ""
    flags: list[str] = field(default_factory=list)
    log_id: str | None = None
    module_statuses: dict[str, str] = field(
        default_factory=dict
    )  # module id -> its record's status
    answers_by_week: dict[str, int] = field(default_factory=dict)  # Monday (UTC) -> answers

    @property
    def loaded(self) -> bool:
        return self.name is not None

    @property
    def ok(self) -> bool:
        return (
            self.status == Status.VALID
            and self.review_status in (None, Status.VALID)
            and not self.flags
        )

    @property
    def period(self) -> str:
        return (
            f"{self.since} to {self.until or '?'}" if self.since else f"up to {self.until or '?'}"
        )


def _day(stamp: str | None) -> str | None:
    return stamp[:10] if stamp else None


def last_activity(doc: dict[str, Any]) -> str | None:
    """The latest module answer, reflection or sitting (a module's last answer covers its attempts)."""
    stamps = [m.get("last_activity") for m in doc["modules"]]
    stamps += [r.get("updated_at") for r in doc["reflections"]]
    stamps += [a.get("ended_at") or a.get("started_at") for a in doc["activities"]]
    found = [s for s in stamps if s]
    return max(found) if found else None


def answers_by_week(attempts: list[Any]) -> dict[str, int]:
    """How many answers the log holds per week (its Monday, UTC, as YYYY-MM-DD), oldest first;
    an answer without a readable time is not counted (attempts are read without failing).

    When every time is a UTC time as the app writes it (`2026-02-06T17:57:06+00:00`), one
    regular expression checks them all at once and each day's Monday is found once; any other
    list is counted answer by answer."""
    stamps = [a.get("answered_at") if type(a) is dict else None for a in attempts]
    try:
        joined = "\n".join(stamps) + "\n"  # type: ignore[arg-type]
    except TypeError:  # a time that is not text
        return _answers_by_week_each(attempts)
    if not _UTC_STAMPS.fullmatch(joined):
        return _answers_by_week_each(attempts)
    weeks: dict[str, int] = {}
    for day, count in Counter(stamp[:10] for stamp in stamps).items():  # type: ignore[index]
        monday = _week_of(day)  # None for a day no calendar has (2026-02-30): not counted
        if monday:
            weeks[monday] = weeks.get(monday, 0) + count
    return dict(sorted(weeks.items()))


# Times as the app writes them, one per line: a valid time of day; the day is checked by
# _week_of. ASCII digits only ([0-9], not \d, which matches any script's digits).
_UTC_STAMPS = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\+00:00\n)*"
)


def _answers_by_week_each(attempts: list[Any]) -> dict[str, int]:
    weeks: dict[str, int] = {}
    for attempt in attempts:
        monday = _week_of(attempt.get("answered_at") if isinstance(attempt, dict) else None)
        if monday:
            weeks[monday] = weeks.get(monday, 0) + 1
    return dict(sorted(weeks.items()))


def _week_of(stamp: Any) -> str | None:
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
        day = (moment.astimezone(timezone.utc) if moment.tzinfo else moment).date()
        return (day - timedelta(days=day.weekday())).isoformat()
    except (ValueError, OverflowError):
        return None


def summarise(path: Path, doc: dict[str, Any], verdict: Verdict) -> SummaryRow:
    profile, period, totals = doc["profile"], doc["period"], doc["totals"]
    modules = doc["modules"]
    scores = [m["best_score"] for m in modules if m.get("best_score") is not None]
    review = doc.get("review") or {}
    claimed = profile.get("name", "")
    trusted = verdict.signer if verdict.status in _TRUSTED_STATUSES else None
    return SummaryRow(
        path=path,
        status=verdict.status,
        detail=verdict.detail,
        name=trusted or claimed,
        claimed_name=claimed,
        staff_number=profile.get("staff_number", ""),
        role=profile.get("role", ""),
        force=profile.get("force", ""),
        since=_day(period.get("since")),
        until=_day(period.get("until") or doc["generated_at"]),
        hours=float(totals["cpd_hours"]),
        modules_completed=int(totals["modules_completed"]),
        modules_passed=int(totals["modules_passed"]),
        modules_total=len(modules),
        average_score=sum(scores) / len(scores) if scores else None,
        reflections=len(doc["reflections"]),
        last_activity=last_activity(doc),
        review_outcome=review.get("outcome"),
        review_status=verdict.review_status,
        review_detail=verdict.review_detail,
        reviewer=verdict.reviewer or "",
        flags=list(verdict.flags),
        log_id=_log_id(doc),
        module_statuses={m["id"]: m["status"] for m in modules},
        answers_by_week=answers_by_week(doc["attempts"]),
    )


def _log_id(doc: dict[str, Any]) -> str | None:
    integrity = doc.get("integrity")
    signature = integrity.get("signature") if isinstance(integrity, dict) else None
    return signature if isinstance(signature, str) else None


def failed_row(path: Path, verdict: Verdict) -> SummaryRow:
    return SummaryRow(path=path, status=verdict.status, detail=verdict.detail)


# row (None: the cache holds it under this content hash), file state, content hash
Entry = tuple[SummaryRow | None, list[int] | None, str | None]


class RowCache(Protocol):
    def lookup(self, path: Path) -> SummaryRow | None: ...

    def known(self) -> Collection[str]: ...

    def row(self, digest: str, path: Path) -> SummaryRow | None: ...

    def store(
        self, path: Path, state: list[int] | None, digest: str | None, row: SummaryRow
    ) -> None: ...


def file_state(path: Path) -> list[int] | None:
    """Size, modification and change times and inode: unchanged, they vouch for an unchanged
    content hash. (The change time too: a file edited in place can be given back its size and
    modification time, but any write or `touch` sets its change time to the present.)"""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def summary_entry(path: Path, trust: TrustList, known: Collection[str] = ()) -> Entry:
    """The row for one file, with what a cache needs to remember it; no row when its content
    hash is `known` (the same bytes summarised before, under another name or date)."""
    state = file_state(path)  # before reading: a later change shows as a new state next time
    raw, failure = read_log_bytes(path)
    if failure:
        return failed_row(path, failure), None, None
    digest = hashlib.sha256(raw).hexdigest()
    if digest in known:
        return None, state, digest
    doc, verdict = load_log_bytes(path, raw, trust, quick=True)
    del raw
    row = failed_row(path, verdict) if doc is None else summarise(path, doc, verdict)
    return row, state, digest


def summary_row(path: Path, trust: TrustList) -> SummaryRow:
    row = summary_entry(path, trust)[0]
    assert row is not None  # nothing is known without a cache
    return row


PARALLEL_FROM = 40  # files; below this, starting worker processes costs more than it saves
MAX_WORKERS = 4


def worker_count(files: int) -> int:
    """Every core (up to MAX_WORKERS) once there are enough files to share."""
    return min(MAX_WORKERS, os.cpu_count() or 1) if files >= PARALLEL_FROM else 1


def iter_summaries(
    paths: Iterable[Path],
    trust: TrustList,
    workers: int | None = None,
    cache: RowCache | None = None,
) -> Iterator[SummaryRow]:
    """One row per file, in the order given; files the cache vouches for by their state are not
    read, and files it holds by their content hash are read but not checked again. Each process
    reads one file at a time, so a team of any size fits in memory; a large team is shared
    between worker processes, one per core."""
    paths = list(paths)
    cached = {}
    for index, path in enumerate(paths):
        row = cache.lookup(path) if cache else None
        if row is not None:
            cached[index] = row
    todo = [p for i, p in enumerate(paths) if i not in cached]
    known = cache.known() if cache else ()
    count = worker_count(len(todo)) if workers is None else workers
    entries = _entries(todo, trust, count, known)
    for index, path in enumerate(paths):
        if index in cached:
            yield cached[index]
            continue
        row, state, digest = next(entries)
        if row is None:
            row = (cache.row(str(digest), path) if cache else None) or summary_row(path, trust)
        if cache:
            cache.store(path, state, digest, row)
        yield row


def _entries(
    paths: list[Path], trust: TrustList, workers: int, known: Collection[str]
) -> Iterator[Entry]:
    """Entries in order, from worker processes when there are several. The cyclic garbage
    collector is paused meanwhile: a log is a tree (freed as soon as it is summarised), and
    collections triggered by parsing each one cost a quarter of the time."""
    if workers > 1 and len(paths) > 1:
        found = _parallel_entries(paths, trust, workers, known)
        if found is not None:
            yield from found
            return
    with collector_paused():
        for path in paths:
            yield summary_entry(path, trust, known)


_worker_state: list[Any] = []  # the trust list and the content hashes known, in each worker


def _start_worker(trust: TrustList, known: Collection[str]) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, quietly
    gc.disable()
    _worker_state[:] = [trust, known]


def _worker_entry(path: Path) -> Entry:
    return summary_entry(path, *_worker_state)


def chunk_size(files: int, workers: int) -> int:
    """Files per message to a worker: few messages (each costs the parent a wake-up), yet about
    eight per worker, so no worker is left with the last long stretch alone."""
    return max(1, min(64, files // (workers * 8)))


def _import_what_workers_need() -> None:
    import jiter  # noqa: F401
    import orjson  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: F401

    from scr_cpd.progress.supervision import summary_fields  # noqa: F401


def _parallel_entries(
    paths: list[Path], trust: TrustList, workers: int, known: Collection[str]
) -> Iterator[Entry] | None:
    """Entries from a pool of worker processes, or None if this system cannot start one."""
    import multiprocessing

    _import_what_workers_need()  # once here, rather than once in each forked worker

    try:
        pool = multiprocessing.get_context().Pool(
            workers, initializer=_start_worker, initargs=(trust, known)
        )
    except (OSError, ImportError, ValueError):
        return None

    def entries() -> Iterator[Entry]:
        with pool:
            yield from pool.imap(_worker_entry, paths, chunksize=chunk_size(len(paths), workers))

    return entries()


def merge_copies(rows: list[SummaryRow]) -> tuple[list[SummaryRow], int]:
    """One row per log: copies of one signed log (the same officer's signature) with the same
    verdict make one row, and a reviewed copy (`x.reviewed.json`) is kept over the log without a
    review. A copy whose verdict differs (another review, say) and every edited file keep a row
    of their own, so no edit hides behind its original. Returns (rows, how many were merged)."""

    def verdict(row: SummaryRow) -> tuple[Any, ...]:
        return (row.log_id, row.status, row.detail, tuple(row.flags))

    def copy(row: SummaryRow) -> bool:  # an edited file is never taken for a copy
        return row.log_id is not None and row.status != Status.EDITED

    def review(row: SummaryRow) -> tuple[Any, ...]:
        return (row.review_status, row.review_outcome, row.review_detail)

    first: dict[tuple[Any, ...], SummaryRow] = {}
    reviewed = set()
    for row in rows:
        if copy(row):
            first.setdefault(verdict(row) + review(row), row)
            if any(review(row)):
                reviewed.add(verdict(row))
    kept_rows = [
        r
        for r in rows
        if not copy(r)
        or (first[verdict(r) + review(r)] is r and (any(review(r)) or verdict(r) not in reviewed))
    ]
    return kept_rows, len(rows) - len(kept_rows)


def sort_rows(rows: list[SummaryRow], by: str = "name", reverse: bool = False) -> list[SummaryRow]:
    """Officers first, then unreadable files. Numbers sort lowest first: who needs attention."""

    def key(row: SummaryRow) -> tuple[Any, ...]:
        values: dict[str, Any] = {
            "hours": row.hours,
            "score": -1.0 if row.average_score is None else row.average_score,
            "last": row.last_activity or "",
            "modules": row.modules_completed,
        }
        value = values.get(by, (row.name or "").casefold())
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
        if only_invalid and row.ok:
            continue
        if statuses and row.status not in statuses:
            continue
        if since and row.loaded and (row.last_activity or "")[:10] < since.isoformat():
            continue
        kept.append(row)
    return kept


def normalise_status(text: str) -> str:
    """`unknown-signer`, `Unknown signer` → `unknown signer`; raises if it is not a status."""
    known = {_status_words(s): s for s in STATUSES}
    status = known.get(_status_words(text))
    if status is None:
        raise SupervisionError(
            f"{text!r} is not a verification status; use one of: {', '.join(STATUSES)}"
        )
    return status


def _status_words(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").lower().split())
