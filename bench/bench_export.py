"""`cpd export` over a heavy history, in every format, as a person runs it (a whole process).

The history: 2,000 sessions, 20,000 answers and 1,000 reflections over the bundled modules.
Targets: JSON under 0.5 s and 100 MB; PDF under 1.5 s and 150 MB, also with a cold bank cache;
the other formats under 3 s and 200 MB. Each figure is also given as a ratio to a baseline
measured in the same run, interleaved: a process that only reads the same rows with sqlite3 and
writes them as JSON (the least any export does). `--against DIR` measures another checkout's
`src` the same way, interleaved, to show a change made nothing slower.

`cpd modules` is measured beside them, the start-up floor of any command, and with the PDF the
floor of fpdf2 itself: a bare script that imports it, adds the log's fonts, writes as many pages
as the log's PDF has with one line on each, and writes the file.

    PYTHONPATH=src python bench/bench_export.py [--repeat 3] [--against ../main/src] [--formats json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
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

# Each run in its own wrapper, so that the peak memory and CPU time reported are that run's
# alone; the wall time is taken in the wrapper too, from starting the command to its exit, so the
# wrapper's own start-up is not counted. CPU time (user + system) moves less than wall time when
# the machine is busy.
WRAPPER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "r = subprocess.run(sys.argv[1:], capture_output=True); t = time.perf_counter() - t; "
    "sys.stderr.write(r.stderr.decode()); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(r.returncode, u.ru_maxrss, u.ru_utime + u.ru_stime, t)"
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
            # Each sitting at its own time of day; its answers follow one another, as a person's do.
            start = datetime(2026, 1 + s * 10 // sessions, 1 + s % 28, 8, tzinfo=timezone.utc)
            start += timedelta(minutes=s * 37 % 600)
            times, moment = [], start
            for _ in questions:
                moment += timedelta(seconds=rng.randint(20, 90))
                times.append(moment.isoformat())
            cur = store.db.execute(
                "INSERT INTO sessions (kind, module_id, bank_version, plan, started_at, ended_at, status) VALUES (?, ?, ?, ?, ?, ?, 'completed')",
                (
                    "module",
                    bank.id,
                    bank.version,
                    json.dumps([q.key for q in questions]),
                    start.isoformat(),
                    moment.isoformat(),
                ),
            )
            for q, day in zip(questions, times):
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


# The least an export does: start Python, read the history's rows, write them as JSON.
BASELINE = (
    "import json, sqlite3, sys; db = sqlite3.connect(sys.argv[1]); rows = {t: db.execute("
    "f'SELECT * FROM {t}').fetchall() for t in ('sessions', 'attempts', 'reflections')}; "
    "open(sys.argv[2], 'w').write(json.dumps(rows))"
)
# The least a PDF of the log does with fpdf2, without setting a word of it: start Python, import
# fpdf2, add the log's two fonts, add as many pages as the log's PDF has with one short line on
# each, and write the file (fpdf2 then subsets the fonts and compresses every page).
PDF_FLOOR = (
    "import sys; from fpdf import FPDF; pdf = FPDF(unit='mm', format='A4'); "
    "pdf.set_auto_page_break(False); fonts = sys.argv[1]; "
    "pdf.add_font('DejaVu', '', fonts + '/DejaVuSans.ttf'); "
    "pdf.add_font('DejaVu', 'B', fonts + '/DejaVuSans-Bold.ttf'); "
    "[(pdf.add_page(), pdf.set_font('DejaVu', 'B' if n % 2 else '', 10), "
    "pdf.text(18, 20, f'Page {n + 1}')) for n in range(int(sys.argv[2]))]; "
    "pdf.output(sys.argv[3])"
)
FONTS = SRC / "scr_cpd" / "progress" / "fonts"
TARGETS = {"json": (0.5, 100), "pdf": (1.5, 150)}  # seconds, MB; the others (3, 200)


def run(
    home: Path, fmt: str, out: Path, src: Path = SRC, cold: bool = False, pages: int = 0
) -> tuple[float, float, float]:
    """Seconds, peak MB and CPU seconds of one export (fmt "baseline": the baseline process;
    "pdf-floor": the PDF floor's, with `pages` pages)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    out.unlink(missing_ok=True)
    if cold:
        shutil.rmtree(home / "cache", ignore_errors=True)
    if fmt == "baseline":
        args = [sys.executable, "-c", BASELINE, str(home / "progress.db"), str(out)]
    elif fmt == "pdf-floor":
        args = [sys.executable, "-c", PDF_FLOOR, str(FONTS), str(pages), str(out)]
    elif fmt == "modules":  # the floor: start-up, the banks and a look at the store
        args = [sys.executable, "-m", "scr_cpd", "--home", str(home), "modules"]
    else:
        args = [sys.executable, "-m", "scr_cpd", "--home", str(home), "export", "-f", fmt]
        args += ["-o", str(out)]
    command = [sys.executable, "-c", WRAPPER, *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    code, peak_kb, cpu, seconds = result.stdout.split()
    if code != "0":
        raise SystemExit(f"export --format {fmt} failed: {result.stderr}")
    return float(seconds), int(peak_kb) / 1024, float(cpu)


def older_copy(home: Path, copy: Path, src: Path) -> Path:
    """The history as the checkout in `src` keeps it: its schema version, no later tables."""
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("cache"))
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from scr_cpd.progress.store import MIGRATIONS; print(len(MIGRATIONS))",
        ],
        env=dict(os.environ, PYTHONPATH=str(src)),
        capture_output=True,
        text=True,
        check=True,
    )
    db = sqlite3.connect(copy / "progress.db")
    if int(found.stdout) < 4:  # before m004: no extra_answers, no unique indexes
        db.executescript(
            "DROP INDEX attempts_one_per_session; DROP INDEX sessions_one_open_run;"
            " DROP TABLE extra_answers;"
        )
    db.execute(f"PRAGMA user_version = {int(found.stdout)}")
    db.close()
    return copy


def measure(home: Path, tmp: Path, repeat: int, against: Path | None, formats: list[str]) -> None:
    cases = [("pdf", True)] if "pdf" in formats else []  # cold first: then warm again
    cases += [(fmt, False) for fmt in formats] + [("modules", False)]
    sources = [("this", SRC, home)]
    if against:
        sources.append(("against", against, older_copy(home, tmp / "home-against", against)))
    for name, src, where in sources:  # the first export makes the key and the bank cache
        run(where, "json", tmp / f"warm-{name}.json", src)
    pages = 0
    if "pdf" in formats:
        run(home, "pdf", tmp / "pages.pdf")
        pages = page_count(tmp / "pages.pdf")
        cases.append(("pdf-floor", False))
    runs: dict[tuple[str, str, bool], list[tuple[float, float, float]]] = {}
    for _ in range(repeat):  # interleaved, so that a busy machine slows every case alike
        runs.setdefault(("base", "baseline", False), []).append(
            run(home, "baseline", tmp / "baseline.json")
        )
        for name, src, where in sources:
            for fmt, cold in cases:
                out = tmp / f"log-{name}.{fmt}"
                if fmt == "pdf-floor" and name != "this":
                    continue
                runs.setdefault((name, fmt, cold), []).append(
                    run(where, fmt, out, src, cold, pages)
                )
    base = statistics.median(r[0] for r in runs[("base", "baseline", False)])
    base_cpu = statistics.median(r[2] for r in runs[("base", "baseline", False)])
    print(
        f"  baseline (read the rows, write JSON)  {base:5.2f} s, CPU {base_cpu:4.2f} s"
        f" (medians of {repeat})"
    )
    for fmt, cold in cases:
        seconds = statistics.median(r[0] for r in runs[("this", fmt, cold)])
        cpu = statistics.median(r[2] for r in runs[("this", fmt, cold)])
        peak = max(r[1] for r in runs[("this", fmt, cold)])
        goal_s, goal_mb = TARGETS.get(fmt, (3.0, 200))
        verdict = "ok" if seconds < goal_s and peak < goal_mb else "OVER TARGET"
        line = (
            f"  {fmt + (' cold' if cold else ''):9}  {seconds:5.2f} s = {seconds / base:4.1f}x "
            f"baseline, CPU {cpu:4.2f} s = {cpu / base_cpu:4.1f}x; peak {peak:4.0f} MB"
        )
        if fmt == "modules":
            line += " (the floor of any command)"
        elif fmt == "pdf-floor":
            line += f" (fpdf2 alone: import, fonts, {pages} pages of one line, output)"
        else:
            line += f" (goal {goal_s} s, {goal_mb} MB: {verdict})"
        if against and fmt != "pdf-floor":
            other = statistics.median(r[2] for r in runs[("against", fmt, cold)])
            other_wall = statistics.median(r[0] for r in runs[("against", fmt, cold)])
            other_peak = max(r[1] for r in runs[("against", fmt, cold)])
            line += (
                f"; vs --against ({other_wall:4.2f} s, CPU {other:4.2f} s, {other_peak:3.0f} MB):"
                f" {cpu / other:4.2f}x CPU, {seconds / other_wall:4.2f}x wall,"
                f" {peak / other_peak:4.2f}x memory"
            )
        print(line)


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF written by fpdf2: the /Count of its page tree's root (the
    one object of type /Pages; fpdf2 writes objects uncompressed)."""
    import re

    for chunk in pdf.read_bytes().split(b"endobj"):
        if re.search(rb"/Type /Pages\b", chunk) and (count := re.search(rb"/Count (\d+)", chunk)):
            return int(count.group(1))
    raise SystemExit(f"cannot count the pages of {pdf}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another checkout's src folder to compare")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="the formats to measure, comma-separated"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        started = time.perf_counter()
        build_history(home)
        print(
            "history: 2,000 sessions, 20,000 answers, 1,000 reflections "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        against = args.against.resolve() if args.against else None
        formats = [f for f in args.formats.split(",") if f in FORMATS]
        measure(home, Path(tmp), args.repeat, against, formats)


if __name__ == "__main__":
    main()
