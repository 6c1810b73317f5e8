"""Start-up time: `cpd --help` and `cpd modules` against a minimal typer hello-world.

All are measured in the same run, interleaved, as fresh processes of the same interpreter, so
machine noise hits them alike. Target (issue 2): each `cpd` command within 1.2x the wall time
of the hello-world doing the same kind of thing (`--help` against `--help`, `modules` against
running the hello command). CPU time (user + system) is reported too: on a busy machine it is
the steadier of the two.

`cpd` is run as pip's console script runs it (a small file importing `scr_cpd.cli.app.main`).
The home folder is the platform default under a temporary HOME (no SCR_CPD_HOME), as for an
officer; it is warmed first (database created, bank cache filled), as after a first run.

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

# What pip writes as the `cpd` console script; run as a file, like the hello-world.
CPD = """\
import re
import sys
from scr_cpd.cli.app import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""

SRC = Path(__file__).resolve().parent.parent / "src"
TARGET = 1.2


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `argv`."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {code}")
    return wall, usage.ru_utime + usage.ru_stime


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40, help="runs of each command (default 40)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        cpd = Path(tmp) / "cpd"
        cpd.write_text(CPD)
        env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=str(Path(tmp) / "data"), NO_COLOR="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
        for name in ("SCR_CPD_HOME", "SCR_CPD_BANKS"):
            env.pop(name, None)
        py = sys.executable
        cases = {
            "hello --help": [py, str(hello), "--help"],
            "hello (run)": [py, str(hello)],
            "cpd --help": [py, str(cpd), "--help"],
            "cpd modules": [py, str(cpd), "modules"],
            # as in a terminal: header rule, titles wrapped to the width (stdin is not a terminal here)
            "cpd modules (tty)": [py, str(cpd), "--interactive", "modules"],
        }
        for argv in cases.values():  # warm-up: .pyc files, database, bank cache
            run_once(argv, env)
        wall: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.reps):
            for name, argv in cases.items():
                w, c = run_once(argv, env)
                wall[name].append(w)
                cpu[name].append(c)

    load = os.getloadavg()[0]
    print(
        f"{args.reps} runs each, interleaved; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {load:.1f}"
    )
    print(f"  {'':<18} {'wall median':>12} {'wall min':>10} {'CPU median':>11} {'CPU min':>9}")
    for name in cases:
        print(
            f"  {name:<18} {ms(statistics.median(wall[name])):>12} {ms(min(wall[name])):>10} "
            f"{ms(statistics.median(cpu[name])):>11} {ms(min(cpu[name])):>9}"
        )
    worst = 0.0
    for ours, theirs in (
        ("cpd --help", "hello --help"),
        ("cpd modules", "hello (run)"),
        ("cpd modules (tty)", "hello (run)"),
    ):
        by_wall = statistics.median(wall[ours]) / statistics.median(wall[theirs])
        by_cpu = statistics.median(cpu[ours]) / statistics.median(cpu[theirs])
        worst = max(worst, by_wall)
        print(f"  {ours} / {theirs}: {by_wall:.2f}x wall, {by_cpu:.2f}x CPU")
    print(
        f"worst wall-time ratio {worst:.2f}x (target <= {TARGET}x): {'OK' if worst <= TARGET else 'OVER TARGET'}"
    )


if __name__ == "__main__":
    main()
