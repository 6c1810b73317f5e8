"""The first question on screen: from launching `cpd start MODULE` in a terminal to the moment
the first question's text and its choices are on screen, waiting for a key.

What a person sees is measured as they see it: the installed `.venv/bin/cpd` runs in a
pseudo-terminal (80x24) and its output is rendered by pyte, as tests/test_terminal.py does; the
clock stops when the screen shows the question, every one of its choices and the menu's
instruction (interactive) or the `Your answer` prompt (plain). The introduction does not wait for
a key, so the time to it is reported on the way, and so is the moment the question's text and
every choice are readable: interactive, the first menu's choices are drawn as plain lines while
questionary loads (a key typed meanwhile reaches the menu), and the menu then takes their place.

Baselines, interleaved round by round in the same pseudo-terminal: a bare `python -c pass`, a bare
typer app with two commands printing one line (what bench_startup.py compares against), and a
bare questionary menu of two entries (the floor for any arrow-key menu in this interpreter).
Ratios are per round, reported as the median. CPU time (user + system, of the process up to the
moment the question is on screen: it is killed there) is the steadier figure on a busy machine.

Then answer -> next question through the terminal (interactive, the bundled module): the key that
answers, the confidence menu, the feedback and its pause, the next question on screen; each step
from the key to the next prompt ready, against a bare questionary menu's Enter -> next menu.

Every program runs with its bytecode compiled (as after `pip install`, which compiles it): a
private PYTHONPYCACHEPREFIX, filled by the warm-up, so that PYTHONDONTWRITEBYTECODE in the
environment does not make each run compile our own sources afresh.

One more case runs `cpd start` as an environment with PYTHONDONTWRITEBYTECODE runs an
editable install: our own sources compiled afresh on every run ("no .pyc").

Each round starts a module afresh on a copy of a home folder warmed by a first run (database
created, bank cache filled), as an officer's second day is.

With `--against DIR` (an earlier checkout, e.g. from `git archive COMMIT src | tar -x -C DIR`)
both checkouts' `cpd start` run the same way, interleaved, for a before/after ratio.

    python bench/bench_first_question.py [--rounds 9] [--module neglect] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pexpect
import pyte
from bench_startup import HELLO  # the bare typer app with two commands

ROOT = Path(__file__).resolve().parents[1]
CPD = ROOT / ".venv" / "bin" / "cpd"
TARGET = 0.300  # seconds to the first question on screen (issue 18)
STEP_TARGET = 0.050  # answer -> next question
MENU_READY = ("(number or arrow keys, then Enter)", "(space or number to tick, Enter to submit)")

MENU = """\
import questionary

questionary.select("Pick one:", choices=["Alpha", "Beta"]).unsafe_ask()
questionary.select("And then:", choices=["Gamma", "Delta"]).unsafe_ask()
"""


# What pip writes as the `cpd` console script, run with PYTHONPATH naming a checkout's src/.
CPD_SCRIPT = """\
import sys
from scr_cpd.cli.app import main
sys.exit(main())
"""


class Screen:
    """A program in a pseudo-terminal, its output rendered on an 80x24 screen."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.cpu_before = _children_cpu()
        self.start = time.perf_counter()
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(24, 80))
        self.child.delaybeforesend = None  # pexpect waits 50 ms before each send otherwise

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def until(self, shown: Callable[[str], bool], timeout: float = 30) -> float:
        """Seconds since launch (or since the last `press`) when `shown(screen text)` holds."""
        end = time.perf_counter() + timeout
        while not shown(self.text):
            if time.perf_counter() > end:
                raise SystemExit(f"never shown; the screen was:\n{self.text}")
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.5)
            except pexpect.TIMEOUT:
                continue
            self.stream.feed(chunk)
            if b"\x1b[6n" in chunk:  # where is the cursor? (a terminal answers at once)
                cursor = self.screen.cursor
                self.child.send(f"\x1b[{cursor.y + 1};{cursor.x + 1}R")
        return time.perf_counter() - self.start

    def press(self, keys: str) -> None:
        self.start = time.perf_counter()
        self.child.send(keys)

    def exited(self) -> float:
        """Seconds to the end of the program's output (its exit)."""
        try:
            while True:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=30))
        except pexpect.EOF:
            return time.perf_counter() - self.start

    def kill(self) -> float:
        """Kill the program where it stands; its CPU seconds up to now."""
        if self.child.isalive():
            self.child.kill(signal.SIGKILL)
        self.child.wait() if self.child.isalive() else None
        self.child.close(force=True)
        return _children_cpu() - self.cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def question_shown(
    prompt: str, choices: list[str], marker: tuple[str, ...]
) -> Callable[[str], bool]:
    words = " ".join(prompt.split()[:4])
    starts = [" ".join(c.split()[:2]) for c in choices]

    def shown(text: str) -> bool:
        flat = " ".join(text.split())
        return (
            words in flat
            and all(s in flat for s in starts)
            and (not marker or any(m in text for m in marker))
        )

    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="rounds (default 9)")
    parser.add_argument("--module", default="neglect", help="bundled module (default neglect)")
    parser.add_argument(
        "--against",
        type=Path,
        help="an earlier checkout (its folder holding src/): its `cpd start` runs interleaved too",
    )
    args = parser.parse_args()
    if not CPD.exists():
        raise SystemExit("needs the installed .venv/bin/cpd (pip install -e .)")
    py = str(ROOT / ".venv" / "bin" / "python")

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "hello.py").write_text(HELLO)
        (tmpdir / "menu.py").write_text(MENU)
        # Bytecode as a pip install leaves it: every module compiled once (the warm-up), not
        # compiled afresh on every run as PYTHONDONTWRITEBYTECODE would have our own sources.
        env = dict(os.environ, TERM="xterm-256color", PYTHONPYCACHEPREFIX=str(tmpdir / "pyc"))
        for name in ("SCR_CPD_BANKS", "NO_COLOR", "COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        # As run here when PYTHONDONTWRITEBYTECODE is set: our own sources compiled every run.
        as_is = dict(env, PYTHONDONTWRITEBYTECODE="1")
        as_is.pop("PYTHONPYCACHEPREFIX")
        warm = tmpdir / "warm"
        subprocess.run(
            [str(CPD), "modules"],
            env=dict(env, SCR_CPD_HOME=str(warm)),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        first = run_first(env, warm, tmpdir / "probe", args.module, plain=True, probe=True)
        prompt_ready = probe_prompt(first)

        cases: dict[str, Callable[[], tuple[dict[str, float], float]]] = {
            "python -c pass": lambda: bare([py, "-c", "pass"], env),
            "bare typer app": lambda: typed([py, str(tmpdir / "hello.py"), "hello"], env),
            "bare questionary menu": lambda: menu([py, str(tmpdir / "menu.py")], env),
            "cpd start (interactive)": lambda: run_first(
                env, warm, tmpdir / "i", args.module, plain=False, ready=prompt_ready
            ),
            "cpd start, no .pyc": lambda: run_first(
                as_is, warm, tmpdir / "n", args.module, plain=False, ready=prompt_ready
            ),
            "cpd start --plain": lambda: run_first(
                env, warm, tmpdir / "p", args.module, plain=True, ready=prompt_ready
            ),
        }
        if args.against:
            (tmpdir / "cpd").write_text(CPD_SCRIPT)
            for name, src in (("this", ROOT / "src"), ("earlier", args.against / "src")):
                checkout = dict(env, PYTHONPATH=str(src.resolve()))
                own = tmpdir / f"warm-{name}"  # its own bank cache: the cache is per version
                subprocess.run(
                    [py, str(tmpdir / "cpd"), "modules"],
                    env=dict(checkout, SCR_CPD_HOME=str(own)),
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                checkout["BENCH_CPD"] = f"{py}\0{tmpdir / 'cpd'}"
                cases[f"cpd start, {name} checkout"] = (
                    lambda checkout=checkout, name=name, own=own: run_first(
                        checkout, own, tmpdir / name, args.module, plain=False, ready=prompt_ready
                    )
                )
        for case in cases.values():  # warm-up: .pyc files, the page cache
            case()
        wall: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, case in cases.items():
                marks, used = case()
                wall[name].append(marks)
                cpu[name].append(used)
        bare_menu = [py, str(tmpdir / "menu.py")]
        steps = answer_steps(env, warm, tmpdir / "s", args.module, args.rounds, first, bare_menu)

    report(args, wall, cpu, steps)


def probe_prompt(found: Any) -> Callable[[bool], Callable[[str], bool]]:
    """Given the first question (found by a probe run), the screen test for it being ready."""
    question = found

    def ready(plain: bool, readable: bool = False) -> Callable[[str], bool]:
        choices = [o.text for o in getattr(question, "options", None) or []]
        if question.type == "true_false":
            choices = ["True", "False"]
        if readable:  # the text and every choice, whether or not the menu answers keys yet
            return question_shown(question.prompt, choices, ())
        if plain:
            return question_shown(question.prompt, choices, ("Your answer (",))
        marker = MENU_READY if choices else ("? Your answer",)
        return question_shown(question.prompt, choices, marker)

    return ready


def bare(argv: list[str], env: dict[str, str]) -> tuple[dict[str, float], float]:
    s = Screen(argv, env)
    done = s.exited()
    return {"shown": done}, s.kill()


def typed(argv: list[str], env: dict[str, str]) -> tuple[dict[str, float], float]:
    s = Screen(argv, env)
    done = s.until(lambda text: "Hello world" in text)
    s.exited()
    return {"shown": done}, s.kill()


def menu(
    argv: list[str], env: dict[str, str], step: bool = False
) -> tuple[dict[str, float], float]:
    """The bare menu on screen; with `step`, Enter on it -> the second menu on screen too."""
    s = Screen(argv, env)
    marks = {"shown": s.until(lambda text: "Beta" in text and "Use arrow keys" in text)}
    if step:
        s.press("\r")
        marks["step"] = s.until(lambda text: "Delta" in text)
    return marks, s.kill()


def run_first(
    env: dict[str, str],
    warm: Path,
    home: Path,
    module: str,
    plain: bool,
    ready: Any = None,
    probe: bool = False,
) -> Any:
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(warm, home)
    argv = [*env.get("BENCH_CPD", str(CPD)).split("\0"), "start", module, "--seed", "1"]
    argv.append("--plain" if plain else "--interactive")
    s = Screen(
        argv, {k: v for k, v in env.items() if k != "BENCH_CPD"} | {"SCR_CPD_HOME": str(home)}
    )
    if probe:
        s.until(lambda text: "Your answer (" in text)
        s.kill()
        return identify(s.text, module)
    intro = s.until(lambda text: "questions, about" in text)
    readable = s.until(ready(plain, readable=True))
    shown = s.until(ready(plain))
    return {"intro": intro, "readable": readable, "shown": shown}, s.kill()


def identify(text: str, module: str) -> Any:
    """The question whose prompt is on the screen."""
    from scr_cpd.content.loader import load_library

    with tempfile.TemporaryDirectory() as tmp:
        bank = load_library(Path(tmp)).get(module)
    flat = " ".join(text.split())
    found = [q for q in bank.questions if " ".join(q.prompt.split()[:6]) in flat]
    if len(found) != 1:
        raise SystemExit(f"cannot tell the first question from the screen:\n{text}")
    return found[0]


def answer_steps(
    env: dict[str, str],
    warm: Path,
    home: Path,
    module: str,
    rounds: int,
    question: Any,
    bare_menu: list[str],
) -> dict[str, list[float]]:
    """Interactive, through the terminal: answer -> confidence menu -> feedback and its pause
    -> the next question's menu or prompt ready; each round after the bare menu's step."""
    keys = {"single": "1\r", "true_false": "1\r", "multiple": "1\r", "numeric": "1\r"}
    ready = probe_prompt(question)(False)
    steps: dict[str, list[float]] = {"answer -> confidence": [], "confidence -> feedback": []}
    steps["Enter -> next question"] = []
    steps["bare questionary: Enter -> next menu"] = []
    for _ in range(rounds):
        steps["bare questionary: Enter -> next menu"].append(
            menu(bare_menu, env, step=True)[0]["step"]
        )
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(warm, home)
        argv = [str(CPD), "start", module, "--seed", "1", "--interactive"]
        s = Screen(argv, dict(env, SCR_CPD_HOME=str(home)))
        s.until(ready)
        s.press(keys.get(question.type, "x\r"))
        steps["answer -> confidence"].append(s.until(lambda t: "How sure were you?" in t))
        s.press("\r")
        steps["confidence -> feedback"].append(s.until(lambda t: "Enter for the next" in t))
        s.press("\r")
        steps["Enter -> next question"].append(s.until(next_question_ready))
        s.kill()
    return steps


def next_question_ready(text: str) -> bool:
    after = text.split("Question 2 of")
    return len(after) > 1 and any(m in after[-1] for m in (*MENU_READY, "? Your answer"))


def report(
    args: Any,
    wall: dict[str, list[dict[str, float]]],
    cpu: dict[str, list[float]],
    steps: dict[str, list[float]],
) -> None:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    uptime = os.getloadavg()
    print(
        f"{args.rounds} rounds, interleaved; module {args.module}; Python {sys.version.split()[0]};"
        f" {os.cpu_count()} CPUs; load average {uptime[0]:.1f} {uptime[1]:.1f} {uptime[2]:.1f}"
    )
    bases = ["python -c pass", "bare typer app", "bare questionary menu"]
    print(
        f"  {'':<26} {'wall median':>11} {'CPU median':>10}   "
        + "  ".join(f"{'x ' + b:>24}" for b in bases)
    )
    for name in wall:
        shown = [m["shown"] for m in wall[name]]
        ratios = [
            statistics.median(m["shown"] / w["shown"] for m, w in zip(wall[name], wall[b]))
            for b in bases
        ]
        cpu_ratios = [
            statistics.median(c / d for c, d in zip(cpu[name], cpu[b]) if d) for b in bases
        ]
        cells = "  ".join(f"{r:>10.2f}x (CPU {c:>4.2f}x)" for r, c in zip(ratios, cpu_ratios))
        print(
            f"  {name:<26} {ms(statistics.median(shown)):>11} {ms(statistics.median(cpu[name])):>10}   {cells}"
        )
        if "intro" in wall[name][0]:
            intro = statistics.median(m["intro"] for m in wall[name])
            print(f"  {'  (introduction shown)':<26} {ms(intro):>11}")
            readable = statistics.median(m["readable"] for m in wall[name])
            print(f"  {'  (text and choices shown)':<26} {ms(readable):>11}")
    if "cpd start, earlier checkout" in wall:
        ratio = statistics.median(
            a["shown"] / b["shown"]
            for a, b in zip(wall["cpd start, this checkout"], wall["cpd start, earlier checkout"])
        )
        cpu_ratio = statistics.median(
            a / b
            for a, b in zip(cpu["cpd start, this checkout"], cpu["cpd start, earlier checkout"])
        )
        print(f"  this checkout / the earlier one: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU")
    for name in ("cpd start (interactive)", "cpd start --plain"):
        shown = statistics.median(m["shown"] for m in wall[name])
        readable = statistics.median(m["readable"] for m in wall[name])
        verdict = "met" if readable < TARGET else "NOT met"
        print(
            f"  {name}: first question's text and choices on screen {ms(readable)}, target"
            f" {ms(TARGET)} {verdict}; the menu answering keys {ms(shown)}"
        )
    base_step = statistics.median(steps.pop("bare questionary: Enter -> next menu"))
    print(
        f"  Through the terminal (interactive); bare questionary Enter -> next menu {ms(base_step)}:"
    )
    for name, values in steps.items():
        median = statistics.median(values)
        verdict = "met" if median < STEP_TARGET else "NOT met"
        print(
            f"    {name:<26} median {ms(median):>7} ({median / base_step:.2f}x), max {ms(max(values))}"
            f"; target {ms(STEP_TARGET)} {verdict}"
        )


if __name__ == "__main__":
    main()
