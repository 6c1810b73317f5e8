"""Speed of the trainer's and the officer's bank loading paths.

    PYTHONPATH=src python bench/bench_validate.py

Prints: `cpd bank validate` on a generated bank of 10,000 questions (target < 1 s), against a
baseline measured in the same run (PyYAML's C loader reading the same file into plain data, with
no line marks and no checks), where the time goes, the same bank with one problem in it, the same
in a fresh process as a trainer runs it, validating the largest real (bundled) bank (target
< 100 ms) against the same baseline, and loading every bundled bank as `cpd start` does (target
< 100 ms), cold (no cache) and warm (per-file cache in the home folder).
"""

from __future__ import annotations

import compileall
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = 10_000
TYPES = ("single", "multiple", "true_false", "numeric", "short_answer", "matching")


def question_yaml(i: int) -> str:
    kind = TYPES[i % len(TYPES)]
    head = (
        f"  - id: q-{i}\n"
        f"    type: {kind}\n"
        f"    prompt: >-\n"
        f"      Question {i}: you attend a home where a child of {i % 17} is living with neglect.\n"
        f"      What does the briefing ask you to do first?\n"
        f"    explanation: Shown after every answer to question {i}; it teaches the why.\n"
        f"    learning_points: [lp-{i % 20}]\n"
        f"    source: {{page: {i % 40 + 1}}}\n"
    )
    if kind in ("single", "multiple"):
        body = "    options:\n"
        for j in range(4):
            correct = j == 0 or (kind == "multiple" and j == 1)
            body += f"      - text: Option {j} of question {i}\n"
            if correct:
                body += "        correct: true\n"
            body += f"        feedback: Why option {j} is {'right' if correct else 'tempting but wrong'}.\n"
        return head + body
    if kind == "true_false":
        return head + f"    answer: {'true' if i % 2 else 'false'}\n"
    if kind == "numeric":
        return head + f"    answer: {i}\n    tolerance: 1\n    unit: '%'\n"
    if kind == "short_answer":
        return head + f"    answers: [answer {i}, the answer {i}]\n"
    return (
        head
        + "    pairs:\n"
        + "".join(
            f"      - left: Left {j} of {i}\n        right: Right {j} of {i}\n" for j in range(3)
        )
    )


def big_bank() -> str:
    points = "".join(
        f"  - id: lp-{n}\n    text: Learning point {n} of the generated bank.\n" for n in range(20)
    )
    head = (
        "format: scr-cpd/bank@1\nid: bench\ntitle: Generated bank\nversion: '1.0'\n"
        "summary: A generated bank for timing validation.\nsource:\n  title: Bench\n  page: 1\n"
        f"learning_points:\n{points}questions:\n"
    )
    return head + "".join(question_yaml(i) for i in range(QUESTIONS))


def best_of(runs: int, fn) -> tuple[float, float]:
    """(best wall time, best CPU time) over `runs`: CPU time is steadier on a busy machine."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def child_best_of(runs: int, command: list[str], env: dict) -> tuple[float, float]:
    """Like best_of for a separate process, its CPU time taken from the children's rusage."""
    import resource

    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return min(walls), min(cpus)


def calibration() -> float:
    """Seconds for a fixed pure-Python loop (10 million additions), to compare machines."""

    def loop() -> None:
        total = 0
        for i in range(10_000_000):
            total += i

    return best_of(3, loop)[1]


def ms(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:.0f} ms wall, {pair[1] * 1000:.0f} ms CPU"


def small_bank(folder: Path) -> Path:
    from scr_cpd.content.starter import starter_bank

    path = folder / "small.yaml"
    path.write_text(starter_bank("small"), encoding="utf-8")
    return path


def profile_validate(path: Path) -> dict[str, float]:
    """Where the time goes, stage by stage (each stage timed on its own)."""
    from scr_cpd.content import loader
    from scr_cpd.content.checks import cross_checks
    from scr_cpd.content.schema import Bank as BankModel
    from scr_cpd.content.yamlsource import read_yaml

    text = loader.read_bank_text(path)
    data, lines = read_yaml(text, str(path))
    model = BankModel.model_validate(data)
    gc.disable()  # as `check_file` does while it reads and validates a bank
    try:
        return {
            "read file": best_of(3, lambda: loader.read_bank_text(path))[1],
            "read YAML with line marks": best_of(3, lambda: read_yaml(text, str(path)))[1],
            "pydantic validate": best_of(3, lambda: BankModel.model_validate(data))[1],
            "pydantic dump": best_of(3, lambda: model.model_dump(mode="json", exclude_none=True))[
                1
            ],
            "cross checks": best_of(3, lambda: cross_checks(data, str(path), lines))[1],
        }
    finally:
        gc.enable()


def plain_load(path: Path) -> None:
    """The baseline: PyYAML's C loader reading the same file into plain data, nothing else."""
    import yaml

    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def ratio(pair: tuple[float, float], base: tuple[float, float]) -> str:
    return f"{pair[1] / base[1]:.2f}× the baseline (CPU)"


def main() -> None:
    src = Path(__file__).resolve().parent.parent / "src"
    sys.path.insert(0, str(src))
    from scr_cpd.content import loader
    from scr_cpd.content.loader import load_library, parse_bank_file
    from scr_cpd.content.validate import validate_paths

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        bank = tmp_path / "bench.yaml"
        bank.write_text(big_bank(), encoding="utf-8")
        size_mb = bank.stat().st_size / 1e6

        data, problems = parse_bank_file(bank)  # also warms imports (pydantic, yaml)
        assert data and not problems, problems[:3]
        print(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; 10M-addition Python loop: {calibration():.2f} s CPU"
        )
        baseline = best_of(3, lambda: plain_load(bank))
        print(f"baseline: yaml.load(CSafeLoader) of the same {size_mb:.1f} MB file: {ms(baseline)}")
        validated = best_of(3, lambda: validate_paths([bank]))
        print(
            f"validate {QUESTIONS:,} questions ({size_mb:.1f} MB), in process: {ms(validated)}, {ratio(validated, baseline)}  (target < 1000 ms)"
        )
        for stage, seconds in profile_validate(bank).items():
            print(f"    {stage:<34} {seconds * 1000:6.0f} ms CPU")
        flawed = tmp_path / "flawed.yaml"
        flawed.write_text(
            big_bank().replace("type: true_false", "type: true_false\n    tags: [Bad Tag]", 1),
            encoding="utf-8",
        )
        report = validate_paths([flawed])
        assert len(report.problems) == 1, report.problems
        print(
            f"the same with one problem in it, in process: {ms(best_of(3, lambda: validate_paths([flawed])))}  (line {report.problems[0].line}: {report.problems[0].message})"
        )

        # An installed app runs from bytecode; without this, a process would compile every
        # source file changed since its .pyc was written (PYTHONDONTWRITEBYTECODE keeps it so).
        compileall.compile_dir(str(src / "scr_cpd"), quiet=1)
        env = dict(os.environ, PYTHONPATH=str(src), SCR_CPD_HOME=str(tmp_path / "home"))
        command = [sys.executable, "-m", "scr_cpd", "bank", "validate", str(bank)]
        print(f"`cpd bank validate` on it, whole process: {ms(child_best_of(3, command, env))}")
        print(
            f"`cpd bank validate` on a 1-question bank, whole process (start-up): {ms(child_best_of(3, command[:-1] + [str(small_bank(tmp_path))], env))}"
        )

        real = max(loader.BUNDLED_DIR.glob("*.yaml"), key=lambda p: p.stat().st_size)
        real_data, _ = parse_bank_file(real)
        real_base = best_of(5, lambda: plain_load(real))
        real_time = best_of(5, lambda: validate_paths([real]))
        print(
            f"validate the largest real bank, {real.name} ({len(real_data['questions'])} questions): {ms(real_time)}, {ratio(real_time, real_base)} ({ms(real_base)})  (target < 100 ms)"
        )

        home = tmp_path / "home"
        cache = home / "cache"
        cold = best_of(5, lambda: load_library(home, cache_dir=None))
        load_library(home, cache_dir=cache)  # fills the cache
        warm = best_of(5, lambda: load_library(home, cache_dir=cache))
        library = load_library(home, cache_dir=cache)
        count = sum(len(b.questions) for b in library.banks.values())
        print(
            f"load {len(library.banks)} bundled banks ({count} questions), cold (no cache): {ms(cold)}  (target < 100 ms)"
        )
        print(
            f"load {len(library.banks)} bundled banks, warm (per-file cache):    {ms(warm)}  (target < 100 ms)"
        )


if __name__ == "__main__":
    main()
