"""`cpd export` over a heavy history, in every format, as a person runs it (a whole process).

The history: 2,000 sessions, 20,000 attempts and 1,000 reflections over the bundled modules.
Target (issue 4): each format in under 3 s, peak memory under 200 MB.

    PYTHONPATH=src python bench/bench_export.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))

from scr_cpd.content.loader import load_library  # noqa: E402
from scr_cpd.progress import reflections as rf  # noqa: E402
from scr_cpd.progress.store import Store  # noqa: E402

FORMATS = ("json", "md", "html", "pdf", "csv")
SENTENCES = [
    "I attended a call where the children were present and the home was cold.",
    "Reading the module made me see that I took the parent's account at face value.",
    "Next time I will ask to see every child and speak to them on their own.",
    "The referral I wrote described conditions, not what they meant for the child.",
    "I will use plain words and say what daily life is like for the child.",
    "Professional curiosity means asking the next question, even when it feels awkward.",
]

# Each run in its own wrapper, so that the peak memory reported is that run's alone.
WRAPPER = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
    "sys.stderr.write(r.stderr.decode()); print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def build_history(
    home: Path, sessions: int = 2000, attempts: int = 20000, reflections: int = 1000
) -> None:
    rng = random.Random(7)
    banks = load_library(None).ordered()
    store = Store.open(home)
    store.set_profile(
        name="PC 1234 Sam Jones",
        role="Police Constable",
        force="Northshire Police",
        staff_number="1234",
    )
    per_session = attempts // sessions
    with store.transaction():
        for s in range(sessions):
            bank = rng.choice(banks)
            questions = rng.sample(bank.questions, min(per_session, len(bank.questions)))
            day = f"2026-{1 + s * 10 // sessions:02d}-{1 + s % 28:02d}T10:00:00+00:00"
            cur = store.db.execute(
                "INSERT INTO sessions (kind, module_id, bank_version, plan, started_at, ended_at, status) VALUES (?, ?, ?, ?, ?, ?, 'completed')",
                ("module", bank.id, bank.version, json.dumps([q.key for q in questions]), day, day),
            )
            for q in questions:
                store.db.execute(
                    "INSERT INTO attempts (session_id, module_id, question_id, revision, content_hash, response, correct, confidence, answered_at, seconds)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        cur.lastrowid,
                        bank.id,
                        q.id,
                        q.revision,
                        q.content_hash,
                        "0",
                        rng.random() < 0.7,
                        "fairly",
                        day,
                        rng.uniform(20, 90),
                    ),
                )
    for n in range(reflections):
        bank = rng.choice(banks)
        prompt = bank.reflections[0]
        uid = rf.create(
            store,
            prompt.prompt,
            bank.id,
            prompt.id,
            list(prompt.learning_points),
            ["analyse-critically"],
        )
        for field in rf.FIELDS:
            rf.save_field(
                store,
                uid,
                field,
                " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8))),
                120,
            )
    store.close()


def run(home: Path, fmt: str, out: Path) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    command = [
        sys.executable,
        "-c",
        WRAPPER,
        sys.executable,
        "-m",
        "scr_cpd",
        "--home",
        str(home),
        "export",
        "--format",
        fmt,
        "-o",
        str(out),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - start
    code, peak_kb = result.stdout.split()
    if code != "0":
        raise SystemExit(f"export --format {fmt} failed: {result.stderr}")
    return seconds, int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        started = time.perf_counter()
        build_history(home)
        print(
            f"history: 2,000 sessions, 20,000 attempts, 1,000 reflections (built in {time.perf_counter() - started:.1f} s)"
        )
        for fmt in FORMATS:
            out = Path(tmp) / f"log.{fmt}"
            runs = [run(home, fmt, out) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            verdict = "ok" if seconds < 3 and peak < 200 else "OVER TARGET"
            print(
                f"  {fmt:4}  {seconds:5.2f} s (median of {args.repeat})  peak {peak:5.0f} MB  {out.stat().st_size / 1e6:5.1f} MB written  {verdict}"
            )


if __name__ == "__main__":
    main()
