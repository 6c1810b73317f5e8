"""Spaced practice: one FSRS card per question, updated on every answer, read back by due date.

The `cards` table holds each question's card (the `fsrs` Card as JSON) with its due date in an
indexed column, so choosing what is due reads a few rows, never the attempt history. A card
remembers the question revision it was learned at; when a trainer bumps a question's revision
the question is new again and due at once.

Intervals are whole days (no minute-long learning steps): officers come back days later, and a
question is due for the whole of the local day on which its interval ends.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from scr_cpd.content.model import Bank, Question
from scr_cpd.progress.store import Store, iso, parse_iso, utcnow

if TYPE_CHECKING:
    import fsrs

Key = tuple[str, str]


def _scheduler() -> "fsrs.Scheduler":
    import fsrs

    # Fuzzing off: with a few hundred questions there is no pile-up to spread, and
    # the same answers should always give the same schedule.
    return fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(correct: bool, confidence: str | None) -> "fsrs.Rating":
    """Wrong → Again; right but guessed → Hard; right and sure → Easy; otherwise right → Good."""
    from fsrs import Rating

    if not correct:
        return Rating.Again
    return {"guess": Rating.Hard, "sure": Rating.Easy}.get(confidence or "", Rating.Good)


def day_end(now: datetime) -> datetime:
    """The end of the learner's local day containing `now`, in UTC."""
    local = now.astimezone()
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return end.astimezone(timezone.utc)


# --- Writing cards -------------------------------------------------------------------------


def review(
    store: Store,
    question: Question,
    correct: bool,
    confidence: str | None = None,
    when: datetime | None = None,
) -> datetime:
    """Update the question's card with one answer; returns when it is next due."""
    when = (when or utcnow()).astimezone(timezone.utc)
    scheduler = _scheduler()  # imports fsrs before the write lock is taken
    with store.transaction() as db:
        row = db.execute(
            "SELECT revision, card FROM cards WHERE module_id = ? AND question_id = ?", question.key
        ).fetchone()
        card = _reviewed(scheduler, row, question.revision, correct, confidence, when)
        _save(db, question.module_id, question.id, question.revision, card)
    return card.due


def _reviewed(
    scheduler: "fsrs.Scheduler",
    row: Any,
    revision: int,
    correct: bool,
    confidence: str | None,
    when: datetime,
) -> "fsrs.Card":
    from fsrs import Card

    if row is None or row["revision"] != revision:
        card = Card(card_id=int(when.timestamp() * 1000), due=when)
    else:
        card = Card.from_json(row["card"])
    card, _ = scheduler.review_card(card, rating_for(correct, confidence), when)
    return card


def _save(db: Any, module_id: str, question_id: str, revision: int, card: "fsrs.Card") -> None:
    db.execute(
        "INSERT OR REPLACE INTO cards (module_id, question_id, revision, card, due, last_review)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            module_id,
            question_id,
            revision,
            card.to_json(),
            iso(card.due),
            iso(card.last_review) if card.last_review else None,
        ),
    )


def rebuild_cards(store: Store) -> int:
    """Replay every stored attempt into fresh cards (for history answered before cards existed)."""
    from fsrs import Card

    scheduler = _scheduler()
    cards: dict[Key, tuple[int, Card]] = {}
    rows = store.db.execute(
        "SELECT module_id, question_id, revision, correct, confidence, answered_at"
        " FROM attempts ORDER BY id"
    )
    for row in rows:
        key = (row["module_id"], row["question_id"])
        when = parse_iso(row["answered_at"]).astimezone(timezone.utc)
        revision, card = cards.get(key, (None, None))
        if card is None or revision != row["revision"]:
            card = Card(card_id=int(when.timestamp() * 1000), due=when)
        card, _ = scheduler.review_card(
            card, rating_for(bool(row["correct"]), row["confidence"]), when
        )
        cards[key] = (row["revision"], card)
    with store.transaction() as db:
        db.execute("DELETE FROM cards")
        for (module_id, question_id), (revision, card) in cards.items():
            _save(db, module_id, question_id, revision, card)
    return len(cards)


BACKFILL_SETTING = "cards_built_from_history"


def ensure_cards(store: Store) -> None:
    """Once per store: build cards from answers recorded before scheduling existed.

    Call it before answering starts, so that a first new card cannot hide an older history.
    """
    if store.read_only or store.setting(BACKFILL_SETTING) is not None:
        return  # a read-only store (a home that cannot be written) is shown as it is
    has_cards = store.db.execute("SELECT EXISTS (SELECT 1 FROM cards)").fetchone()[0]
    if not has_cards and store.db.execute("SELECT EXISTS (SELECT 1 FROM attempts)").fetchone()[0]:
        rebuild_cards(store)
    store.set_setting(BACKFILL_SETTING, iso())


# --- Reading what is due -------------------------------------------------------------------


def question_index(banks: Iterable[Bank]) -> dict[Key, Question]:
    return {q.key: q for bank in banks for q in bank.questions}


def due_questions(
    store: Store,
    banks: Sequence[Bank],
    now: datetime | None = None,
    module_id: str | None = None,
    limit: int | None = None,
) -> list[Key]:
    """The questions due by the end of today, interleaved across modules, most overdue first.

    A question whose bank revision is higher than its card's is new again and due now.
    """
    ensure_cards(store)
    questions = question_index(b for b in banks if module_id in (None, b.id))
    cutoff = iso(day_end(now or utcnow()))
    query = "SELECT module_id, question_id, revision, due FROM cards WHERE due <= ?"
    args: list[Any] = [cutoff]
    if module_id is not None:
        query += " AND module_id = ?"
        args.append(module_id)
    due: dict[Key, str] = {}
    for row in store.db.execute(query + " ORDER BY due", args):
        key = (row["module_id"], row["question_id"])
        if key in questions:
            due[key] = row["due"]
    for key in _revised(store, questions):
        due[key] = ""  # new again: ahead of everything merely overdue
    chosen = interleave(sorted(due, key=lambda k: (due[k], k)))
    return chosen[:limit] if limit is not None else chosen


def _revised(store: Store, questions: dict[Key, Question]) -> list[Key]:
    """Questions answered at an earlier revision than the bank now has."""
    revised = []
    for key, question in questions.items():
        if question.revision > 1:
            row = store.db.execute(
                "SELECT revision FROM cards WHERE module_id = ? AND question_id = ?", key
            ).fetchone()
            if row is not None and row["revision"] < question.revision:
                revised.append(key)
    return revised


def interleave(keys: Sequence[Key]) -> list[Key]:
    """Round-robin across modules (in order of first appearance), keeping each module's order."""
    queues: dict[str, list[Key]] = defaultdict(list)
    for key in keys:
        queues[key[0]].append(key)
    mixed: list[Key] = []
    while queues:
        for module_id in list(queues):
            mixed.append(queues[module_id].pop(0))
            if not queues[module_id]:
                del queues[module_id]
    return mixed


def due_counts(store: Store, banks: Sequence[Bank], now: datetime | None = None) -> dict[str, int]:
    counts = {b.id: 0 for b in banks}
    for module_id, _ in due_questions(store, banks, now):
        counts[module_id] += 1
    return counts


def next_due(
    store: Store,
    banks: Sequence[Bank],
    now: datetime | None = None,
    module_id: str | None = None,
) -> datetime | None:
    """When the first question not yet due becomes due (None when nothing is scheduled)."""
    questions = question_index(b for b in banks if module_id in (None, b.id))
    query = "SELECT module_id, question_id, due FROM cards WHERE due > ?"
    args: list[Any] = [iso(day_end(now or utcnow()))]
    if module_id is not None:
        query += " AND module_id = ?"
        args.append(module_id)
    for row in store.db.execute(query + " ORDER BY due", args):
        if (row["module_id"], row["question_id"]) in questions:
            return parse_iso(row["due"])
    return None


# --- What the learner knows ----------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where one question stands for the learner, at the bank's current revision."""

    key: Key
    stability: float
    due: str
    last_correct: bool
    last_confidence: str | None


def standings(
    store: Store, banks: Sequence[Bank], module_id: str | None = None
) -> dict[Key, Standing]:
    """Questions still in the banks whose card and latest answer are at the current revision."""
    ensure_cards(store)
    questions = question_index(b for b in banks if module_id in (None, b.id))
    cards = {
        (r["module_id"], r["question_id"]): r
        for r in store.db.execute(
            "SELECT module_id, question_id, revision, due,"
            " json_extract(card, '$.stability') AS stability FROM cards"
        )
    }
    latest = {
        (r["module_id"], r["question_id"]): r
        for r in store.db.execute(
            "SELECT module_id, question_id, revision, correct, confidence FROM attempts"
            " WHERE id IN (SELECT MAX(id) FROM attempts GROUP BY module_id, question_id)"
        )
    }
    result = {}
    for key, question in questions.items():
        card, last = cards.get(key), latest.get(key)
        if (
            card is None
            or last is None
            or question.revision != card["revision"]
            or question.revision != last["revision"]
        ):
            continue
        result[key] = Standing(
            key,
            float(card["stability"] or 0.0),
            card["due"],
            bool(last["correct"]),
            last["confidence"],
        )
    return result


def share_correct(store: Store, questions: dict[Key, Question]) -> dict[Key, float]:
    """The share of right answers per question, counting only its current revision."""
    shares = {}
    for row in store.db.execute(
        "SELECT module_id, question_id, revision, COUNT(*) AS n, SUM(correct) AS right"
        " FROM attempts GROUP BY module_id, question_id, revision"
    ):
        key = (row["module_id"], row["question_id"])
        if key in questions and questions[key].revision == row["revision"]:
            shares[key] = row["right"] / row["n"]
    return shares


def weakest_questions(
    store: Store,
    banks: Sequence[Bank],
    limit: int = 10,
    module_id: str | None = None,
) -> list[Key]:
    """Answered questions with the lowest share correct, then the lowest stability; interleaved."""
    known = standings(store, banks, module_id)
    shares = share_correct(store, question_index(b for b in banks if module_id in (None, b.id)))
    ranked = sorted(known.values(), key=lambda s: (shares.get(s.key, 0.0), s.stability, s.key))
    return interleave([s.key for s in ranked[:limit]])


@dataclass(frozen=True)
class Mastery:
    module_id: str
    questions: int
    remembered: int  # last answer right and not yet due again
    due: int
    blind_spots: tuple[str, ...]  # question ids last answered sure and wrong

    @property
    def share(self) -> float:
        return self.remembered / self.questions if self.questions else 0.0


def mastery(store: Store, banks: Sequence[Bank], now: datetime | None = None) -> dict[str, Mastery]:
    now = now or utcnow()
    cutoff = iso(day_end(now))
    known = standings(store, banks)
    due = due_counts(store, banks, now)
    result = {}
    for bank in banks:
        mine = [known[q.key] for q in bank.questions if q.key in known]
        result[bank.id] = Mastery(
            module_id=bank.id,
            questions=len(bank.questions),
            remembered=sum(s.last_correct and s.due > cutoff for s in mine),
            due=due[bank.id],
            blind_spots=tuple(
                s.key[1] for s in mine if is_blind_spot(s.last_correct, s.last_confidence)
            ),
        )
    return result


def is_blind_spot(correct: bool, confidence: str | None) -> bool:
    """Sure, and wrong: the answers most worth reflecting on."""
    return confidence == "sure" and not correct


def card_of(store: Store, key: Key) -> dict[str, Any] | None:
    """The stored card of one question: revision, due and the fsrs fields."""
    row = store.db.execute(
        "SELECT revision, card, due, last_review FROM cards"
        " WHERE module_id = ? AND question_id = ?",
        key,
    ).fetchone()
    if row is None:
        return None
    return {
        **json.loads(row["card"]),
        "revision": row["revision"],
        "due": row["due"],
        "last_review": row["last_review"],
    }
