"""Choosing the due questions from a heavy history (issue: under 200 ms for 50,000 attempts).

Builds, in a temporary home, 50,000 attempts over every bundled question spread across the last
two years (right and wrong, with and without confidence), builds their cards by replaying that
history through FSRS, then times `due_questions` and the other reads `cpd practice` and
`cpd progress` make.

    PYTHONPATH=src python bench/bench_practice.py [--attempts N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from scr_cpd.content.loader import load_library
from scr_cpd.progress import schedule
from scr_cpd.progress.activity import activity
from scr_cpd.progress.store import Store, iso, utcnow

CONFIDENCE = ("sure", "fairly", "guess", None)


def build_history(store: Store, questions: list, attempts: int, rng: random.Random) -> None:
    now = utcnow()
    span = timedelta(days=730).total_seconds()
    times = sorted(now - timedelta(seconds=rng.uniform(0, span)) for _ in range(attempts))
    per_session = 20
    rows = []
    with store.transaction() as db:
        for start in range(0, attempts, per_session):
            # one answer per question per session, as the store keeps it
            picked = rng.sample(questions, min(per_session, attempts - start))
            session = db.execute(
                "INSERT INTO sessions (kind, module_id, plan, started_at, ended_at, status)"
                " VALUES (?, NULL, ?, ?, ?, 'completed')",
                (
                    "practice",
                    json.dumps([q.key for q in picked]),
                    iso(times[start]),
                    iso(times[start]),
                ),
            ).lastrowid
            for offset, q in enumerate(picked):
                rows.append(
                    (
                        session,
                        q.module_id,
                        q.id,
                        q.revision,
                        q.content_hash,
                        "0",
                        int(rng.random() < 0.7),
                        rng.choice(CONFIDENCE),
                        iso(times[start + offset]),
                        round(rng.uniform(5, 90), 2),
                    )
                )
        db.executemany(
            "INSERT INTO attempts (session_id, module_id, question_id, revision, content_hash,"
            " response, correct,"
            " confidence, answered_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def timed(fn, runs: int) -> tuple[float, float, object]:
    """(median ms, worst ms, last result)."""
    laps, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        laps.append((time.perf_counter() - started) * 1000)
    return statistics.median(laps), max(laps), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        banks = load_library(None).ordered()
        questions = [q for bank in banks for q in bank.questions]
        store = Store.open(home)

        started = time.perf_counter()
        build_history(store, questions, args.attempts, rng)
        built = time.perf_counter() - started
        started = time.perf_counter()
        cards = schedule.rebuild_cards(store)
        replayed = time.perf_counter() - started
        store.set_setting(schedule.BACKFILL_SETTING, iso())
        store.close()
        print(
            f"history: {args.attempts:,} attempts over {len(questions)} questions"
            f" in {len(banks)} modules "
            f"(written in {built:.2f} s); {cards} cards replayed through FSRS in {replayed:.2f} s"
        )

        def open_and_choose() -> list:
            fresh = Store.open(home)
            try:
                return schedule.due_questions(fresh, banks)
            finally:
                fresh.close()

        store = Store.open(home)
        figures = [
            ("due_questions (open store + choose)", lambda: open_and_choose()),
            ("due_questions (store open)", lambda: schedule.due_questions(store, banks)),
            ("next_due", lambda: schedule.next_due(store, banks)),
            ("weakest_questions", lambda: schedule.weakest_questions(store, banks)),
            ("mastery (cpd progress)", lambda: schedule.mastery(store, banks)),
            ("activity (cpd progress)", lambda: activity(store)),
        ]
        for label, fn in figures:
            median, worst, result = timed(fn, args.runs)
            size = f" → {len(result)} due" if label.startswith("due_questions") else ""
            print(f"{label:40s} median {median:7.1f} ms   worst {worst:7.1f} ms{size}")
        median, _, _ = timed(lambda: open_and_choose(), args.runs)
        print(
            "target: choose the due questions in < 200 ms: "
            f"{'met' if median < 200 else 'NOT met'} ({median:.1f} ms)"
        )
        store.close()


if __name__ == "__main__":
    main()
