"""`cpd bank import` of a GIFT and an Aiken file of about 10 MB (the import limit), as a person
runs it: a whole process that reads the file, converts it, writes the bank and checks that it
validates.

The files are the worst case for an importer: tens of thousands of small questions (a GIFT file
with HTML in every question, feedback on every answer and a scenario tag; an Aiken file of
four-option questions). Each run is measured for wall time, CPU time (user + system) and peak
memory, interleaved with its baseline in the same round: a process that only loads the bank the
import wrote with PyYAML's C loader (`yaml.load(..., Loader=CSafeLoader)`), the least any
program reading that bank as YAML spends. `--against SRC` also runs another checkout's `src`
the same way, to show what a change gained. Target (issue 14): a 10 MB file imports in seconds.

    PYTHONPATH=src python bench/bench_import.py [--rounds 2] [--against OLD/src]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
GIFT_QUESTION = (
    "// [tag:scenario]\n::Q{i}::[html]<p>Question {i}: which is <b>right</b>?</p> {{\n"
    "=Right {i}#Yes\n~Wrong {i}#No\n~Other {i}#No\n####Because {i}.\n}}\n\n"
)
AIKEN_QUESTION = (
    "Question {i}: which is right?\nA) Right {i}\nB) Wrong {i}\nC) Other {i}\nANSWER: A\n\n"
)
WRAPPER = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
    "sys.stderr.write(r.stderr.decode()); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(r.returncode, u.ru_maxrss, u.ru_utime + u.ru_stime)"
)
BASELINE = (
    "import sys, yaml; yaml.load(open(sys.argv[1], encoding='utf-8'), Loader=yaml.CSafeLoader)"
)


def big_file(folder: Path, suffix: str, question: str, limit: int) -> tuple[Path, int]:
    parts, size = [], 0
    while size < limit - 200_000:
        parts.append(question.format(i=len(parts)))
        size += len(parts[-1])
    path = folder / f"big{suffix}"
    path.write_text("".join(parts), encoding="utf-8")
    return path, len(parts)


def timed(args: list[str], src: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one process."""
    import time

    env = dict(os.environ, PYTHONPATH=str(src))
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - start
    code, peak_kb, cpu = result.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(args[:6])}… failed: {result.stderr.strip()[-500:]}")
    return wall, float(cpu), int(peak_kb) / 1024


def import_args(source: Path, out: Path, home: Path) -> list[str]:
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "scr_cpd", "--plain", "--home", str(home), "bank"]
    return command + ["import", str(source), "-o", str(out)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", type=Path, help="another checkout's src folder")
    options = parser.parse_args()
    sys.path.insert(0, str(SRC))
    from scr_cpd.content.vocabulary import MAX_IMPORT_BYTES

    print(f"load average {os.getloadavg()[0]:.1f}; {options.rounds} rounds, medians")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for suffix, question in ((".gift", GIFT_QUESTION), (".aiken", AIKEN_QUESTION)):
            source, count = big_file(folder, suffix, question, MAX_IMPORT_BYTES)
            out = folder / "bank.yaml"
            runs: dict[str, list[tuple[float, float, float]]] = {}
            for _ in range(options.rounds):
                runs.setdefault("import", []).append(
                    timed(import_args(source, out, folder / "home"), SRC)
                )
                runs.setdefault("baseline", []).append(
                    timed([sys.executable, "-c", BASELINE, str(out)], SRC)
                )
                if options.against:
                    runs.setdefault("against", []).append(
                        timed(import_args(source, out, folder / "home-old"), options.against)
                    )
            report(suffix[1:], source, count, runs)


def report(fmt: str, source: Path, count: int, runs: dict) -> None:
    med = {
        name: [statistics.median(r[k] for r in values) for k in range(3)]
        for name, values in runs.items()
    }
    base = med["baseline"]
    print(f"{fmt}: {source.stat().st_size / 1e6:.1f} MB, {count:,} questions")
    for name, (wall, cpu, peak) in med.items():
        ratio = f"{cpu / base[1]:.2f}× the baseline's CPU" if name != "baseline" else "—"
        label = {"import": "cpd bank import", "baseline": "baseline (CSafeLoader of the bank)"}
        print(
            f"  {label.get(name, 'the other checkout'):<36} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
            f"peak {peak:5.0f} MB  {ratio}"
        )


if __name__ == "__main__":
    main()
