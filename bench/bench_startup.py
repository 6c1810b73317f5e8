"""Start-up: every light command, and `--help` of each, against a bare typer app with two commands.

Issue 18's target: each command that needs no heavy library (`modules`, `progress`, `reflections
list`, `bank list`, `review verify` of one log, `settings`, `profile`) and its `--help` at most
1.05x the bare app doing the same kind of thing (running a command with an option; printing its
help). All run as fresh processes of the same interpreter, interleaved round by round, and each
ratio is taken per round (so a busy moment hits both sides) and reported as the median; CPU time
(user + system) is reported too, the steadier figure on a shared machine.

`cpd` is run as pip's console script runs it. The home folder is warmed first (database created,
bank cache filled, a signed log exported for `review verify`), as after a first run.

    PYTHONPATH=src python bench/bench_startup.py [--reps 15]
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

HELLO = """\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = typer.Option("world", "--name", help="Who to greet.")) -> None:
    \"\"\"Say hello.\"\"\"
    print(f"Hello {name}")


@app.command()
def bye(name: str = typer.Option("world", "--name", help="Who to see off.")) -> None:
    \"\"\"Say goodbye.\"\"\"
    print(f"Bye {name}")


if __name__ == "__main__":
    app()
"""

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
TARGET = 1.05


def run_once(argv: list[str], env: dict[str, str], check: bool = True) -> tuple[float, float]:
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
    if code and check:
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
        home = Path(tmp) / "home"
        env["SCR_CPD_HOME"] = str(home)
        log = Path(tmp) / "log.json"
        subprocess.run(
            [py, str(cpd), "profile", "--name", "PC 1 Bench"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [py, str(cpd), "export", "-o", str(log)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        commands = {
            "modules": ["modules"],
            "progress": ["progress"],
            "reflections list": ["reflections", "list"],
            "bank list": ["bank", "list"],
            "review verify LOG": ["review", "verify", str(log)],
            "settings": ["settings"],
            "profile": ["profile"],
        }
        cases = {
            "bare (run)": [py, str(hello), "hello", "--name", "x"],
            "bare --help": [py, str(hello), "hello", "--help"],
        }
        for name, words in commands.items():
            cases[f"cpd {name}"] = [py, str(cpd), *words]
            cases[f"cpd {name} --help"] = [
                py,
                str(cpd),
                *words[: 2 if name != "review verify LOG" else 2],
                "--help",
            ]
        cases["cpd --help"] = [py, str(cpd), "--help"]
        for argv in cases.values():  # warm-up: .pyc files, database, bank cache
            run_once(argv, env, check=False)
        wall: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.reps):
            for name, argv in cases.items():
                w, c = run_once(argv, env, check=False)
                wall[name].append(w)
                cpu[name].append(c)

    load = os.getloadavg()[0]
    print(
        f"{args.reps} runs each, interleaved; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {load:.1f}"
    )
    print(f"  {'':<30} {'wall median':>12} {'CPU median':>11} {'ratio wall':>11} {'ratio CPU':>10}")
    for name in cases:
        base = "bare --help" if name.endswith("--help") else "bare (run)"
        ratio_wall = statistics.median(a / b for a, b in zip(wall[name], wall[base]))
        ratio_cpu = statistics.median(a / b for a, b in zip(cpu[name], cpu[base]))
        verdict = "" if name.startswith("bare") else ("ok" if ratio_wall <= TARGET else "over")
        print(
            f"  {name:<30} {ms(statistics.median(wall[name])):>12} "
            f"{ms(statistics.median(cpu[name])):>11} {ratio_wall:>10.2f}x {ratio_cpu:>9.2f}x {verdict}"
        )
    print(f"Target: each cpd command at most {TARGET}x the bare app (the per-round median ratio).")


if __name__ == "__main__":
    main()
