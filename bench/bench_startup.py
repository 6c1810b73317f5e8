"""Start-up time: `cpd --help` and `cpd modules` against a minimal typer hello-world.

Both are measured in the same run, interleaved, as fresh processes with the same interpreter,
so machine noise hits them alike. Target (issue 2): each `cpd` command within 1.2x the
hello-world's median wall time.

    PYTHONPATH=src python bench/bench_startup.py [--reps 40]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    print(f"Hello {name}")


if __name__ == "__main__":
    app()
'''

SRC = Path(__file__).resolve().parent.parent / "src"
TARGET = 1.2


def wall_time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40, help="runs of each command (default 40)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        env = dict(os.environ, SCR_CPD_HOME=str(Path(tmp) / "home"), NO_COLOR="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
        env.pop("SCR_CPD_BANKS", None)
        py = sys.executable
        cases = {
            "hello --help": [py, str(hello), "--help"],
            "hello (run)": [py, str(hello)],
            "cpd --help": [py, "-m", "scr_cpd", "--help"],
            "cpd modules": [py, "-m", "scr_cpd", "modules"],
        }
        # Warm-up: compiles .pyc files, creates the database and fills the bank cache, as after
        # the officer's first run; the benchmark measures the everyday (warm) start.
        for argv in cases.values():
            wall_time(argv, env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.reps):
            for name, argv in cases.items():
                times[name].append(wall_time(argv, env))

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.reps} runs each, interleaved; python {sys.version.split()[0]}")
    for name, values in times.items():
        print(f"  {name:<14} median {medians[name] * 1000:6.1f} ms   min {min(values) * 1000:6.1f} ms")
    pairs = [("cpd --help", "hello --help"), ("cpd modules", "hello (run)"), ("cpd modules", "hello --help")]
    worst = 0.0
    for ours, theirs in pairs:
        ratio = medians[ours] / medians[theirs]
        worst = max(worst, ratio)
        print(f"  {ours} / {theirs}: {ratio:.2f}x")
    print(f"worst ratio {worst:.2f}x (target <= {TARGET}x): {'OK' if worst <= TARGET else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
