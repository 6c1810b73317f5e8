"""Answer → next question: our own time, from the moment an answer is submitted to the moment
the next question is on screen waiting for input.

That span holds grading, the committed store write, the spaced-repetition card update, the
feedback and the next question's text. It runs the real loop (`cli.practice.run_quiz`, as
`cpd start` does) in plain mode over every bundled question, with a home folder that already
holds a long history, output going to /dev/null. Target (issue 2): under 30 ms.

The interactive mode differs only in how it draws (rich styles, a rule) and in questionary's
own prompt; the rich drawing of feedback and heading is timed separately at the end. The same
step as a person sees it, through a terminal, and the time to the first question on screen are
in bench_first_question.py.

    PYTHONPATH=src python bench/bench_answer.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_MS = 30.0


def typed_answer(p: Any, right: bool) -> str:
    """What an officer types in plain mode for the question `p` (right or wrong)."""
    q = p.question
    shown = list(p.option_order)
    if q.type == "single":
        pick = (
            next(i for i in shown if q.options[i].correct)
            if right
            else next(i for i in shown if not q.options[i].correct)
        )
        return str(shown.index(pick) + 1)
    if q.type == "multiple":
        picks = [i for i in shown if q.options[i].correct] if right else shown[:1]
        return " ".join(str(shown.index(i) + 1) for i in picks)
    if q.type == "true_false":
        return "1" if q.answer == right else "2"
    if q.type == "numeric":
        return str(q.answer if right else q.answer + q.tolerance + 1)
    if q.type == "short_answer":
        return q.answers[0] if right else "not the answer"
    if q.type == "matching":
        letters = "abcdefghij"
        order = list(p.right_order)
        return (
            "".join(letters[order.index(i)] for i in range(len(q.pairs)))
            if right
            else letters[: len(q.pairs)]
        )
    raise ValueError(q.type)


def make_ui(console: Any, rng: random.Random) -> Any:
    from scr_cpd.cli.ui import PlainUI

    class TimedUI(PlainUI):
        """PlainUI whose keyboard answers at once, noting when each answer is submitted and
        when the next question starts waiting for one."""

        def __init__(self) -> None:
            super().__init__(console)
            self.current: Any = None
            self.submitted: float | None = None
            self.samples: list[float] = []

        def ask(self, p: Any) -> Any:
            self.current = p
            return super().ask(p)

        def read(self, prompt: str) -> str:
            waiting = time.perf_counter()
            if prompt.startswith(("Your answer", "For items")):
                if self.submitted is not None:
                    self.samples.append(waiting - self.submitted)
                reply = typed_answer(self.current, right=rng.random() < 0.7)
            elif prompt.startswith("How sure"):
                reply = rng.choice(["1", "2", "3", ""])
            else:
                reply = "n"
            self.submitted = time.perf_counter()
            return reply

    return TimedUI()


def seed_history(store: Any, banks: list[Any], sessions: int, rng: random.Random) -> int:
    rows = []
    for n in range(sessions):
        bank = banks[n % len(banks)]
        session = store.start_session(
            "module", bank.id, [q.key for q in bank.questions], bank.version
        )
        for q in bank.questions:
            rows.append(
                (
                    session.id,
                    bank.id,
                    q.id,
                    q.revision,
                    q.content_hash,
                    "0",
                    int(rng.random() < 0.7),
                    None,
                    "2025-01-01T10:00:00+00:00",
                    20.0,
                )
            )
        store.end_session(session.id, "completed")
    with store.transaction():
        store.db.executemany(
            "INSERT INTO attempts (session_id, module_id, question_id, revision, content_hash, response, correct,"
            " confidence, answered_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def any_response(q: Any) -> Any:
    """A response of the right shape for `q` (the first option, the first side…)."""
    return {
        "single": 0,
        "multiple": [0],
        "true_false": True,
        "numeric": 1,
        "short_answer": "x",
        "matching": list(range(len(q.pairs))),
    }[q.type]


def interactive_drawing(questions: list[Any], rng: random.Random) -> list[float]:
    """Time the rich drawing of feedback plus the next heading and prompt, as interactive mode does."""
    from rich.console import Console
    from rich.markup import escape

    from scr_cpd.cli.ui import print_feedback, question_heading
    from scr_cpd.progress.quiz import Feedback, present

    console = Console(file=io.StringIO(), force_terminal=True, width=100, highlight=False)
    samples = []
    for n, q in enumerate(questions):
        p = present(q, n + 1, len(questions), rng)
        fb = Feedback(p, any_response(q), rng.random() < 0.7, "sure")
        start = time.perf_counter()
        print_feedback(console, fb, plain=False)
        console.rule(question_heading(p), style="cyan")
        console.print(escape(q.prompt))
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=2, help="times through every bundled question (default 2)"
    )
    parser.add_argument(
        "--history",
        type=int,
        default=200,
        help="completed sessions already in the database (default 200)",
    )
    args = parser.parse_args()

    from scr_cpd.cli.env import make_env
    from scr_cpd.cli.practice import run_quiz
    from scr_cpd.cli.ui import make_console

    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(Path(tmp) / "home", plain=True)
        banks = env.library.ordered()
        history = seed_history(env.store, banks, args.history, rng)
        samples: list[float] = []
        first: float | None = None
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
            console = make_console(plain=True)
            for _ in range(args.rounds):
                for bank in banks:
                    ui = make_ui(console, rng)
                    session = env.store.start_session(
                        "module", bank.id, [q.key for q in bank.questions], bank.version
                    )
                    run_quiz(env, session, ui, rng)
                    if first is None:
                        first = ui.samples[0]
                        ui.samples = ui.samples[1:]
                    samples.extend(ui.samples)
        drawing = interactive_drawing([q for b in banks for q in b.questions], rng)

    ms = [s * 1000 for s in samples]
    print(
        f"{len(ms)} answers over {sum(len(b.questions) for b in banks)} questions; database already holding {history} attempts"
    )
    print(
        f"  answer -> next question (plain, our own time): median {statistics.median(ms):.1f} ms, "
        f"95th percentile {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms"
    )
    print(f"  first answer of the run (imports the scheduler): {first * 1000:.1f} ms")
    draw = [s * 1000 for s in drawing]
    print(
        f"  interactive drawing of feedback + next heading: median {statistics.median(draw):.1f} ms, max {max(draw):.1f} ms"
    )
    verdict = "OK" if percentile(ms, 0.95) < TARGET_MS else "OVER TARGET"
    print(
        f"target < {TARGET_MS:.0f} ms (95th percentile): {verdict}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
