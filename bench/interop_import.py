"""Run `cpd bank import` on the real GIFT and Aiken files in ../shared/interop-samples/.

    PYTHONPATH=src python bench/interop_import.py [SAMPLES_DIR]

(The time to import a file at the 10 MB limit is bench/bench_import.py's.)

For each file: the import's exit code, questions written, problems (errors/warnings, and whether
every one names a line), whether the written bank passes `cpd bank validate`, and the time taken.
Files named ide_error_* are malformed on purpose: they must get line-numbered messages
(errors, or warnings where Moodle itself accepts the file), never a traceback.
Nothing is copied into the project; output goes to a temporary folder.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "interop-samples"
PROBLEM = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+)?:? .*?(?P<warning>warning: )?", re.M)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from typer.testing import CliRunner

    from scr_cpd.cli.app import app

    samples = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not samples.is_dir():
        print(f"no samples at {samples}")
        return 0
    files = sorted(p for p in samples.rglob("*") if p.suffix in (".gift", ".txt") and p.is_file())
    runner = CliRunner()
    failures = 0
    print(
        f"{'file':<48} {'exit':>4} {'qs':>4} {'err':>4} {'warn':>4} {'no line':>7} {'valid':>5} {'ms':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            fmt = "aiken" if path.parent.name == "aiken" else "gift"
            out = Path(tmp) / f"{path.stem}.yaml"
            start = time.perf_counter()
            result = runner.invoke(
                app,
                [
                    "--plain",
                    "--home",
                    f"{tmp}/home",
                    "bank",
                    "import",
                    str(path),
                    "--format",
                    fmt,
                    "-o",
                    str(out),
                    "--all-warnings",
                ],
            )
            ms = (time.perf_counter() - start) * 1000
            problems = [
                line for line in result.output.splitlines() if line.startswith(path.name + ":")
            ]
            errors = [p for p in problems if ": warning: " not in p]
            unlined = [p for p in problems if not re.match(rf"{re.escape(path.name)}:\d+:", p)]
            questions = re.search(r"([\d,]+) questions? and", result.output)
            valid = "-"
            if result.exit_code == 0:
                check = runner.invoke(
                    app, ["--plain", "--home", f"{tmp}/home", "bank", "validate", str(out)]
                )
                valid = "yes" if check.exit_code == 0 else "NO"
            malformed = path.name.startswith("ide_error_")
            ok = (
                "Traceback" not in result.output
                and result.exception is None
                or isinstance(result.exception, SystemExit)
            )
            # A refusal is fine when it says why: errors with lines, or no question to import
            # (a file of descriptions only, or an essay only, cannot make a bank).
            ok = ok and (
                valid == "yes"
                if result.exit_code == 0
                else "Error: nothing written" in result.output and bool(problems)
            )
            # Malformed files must say what is wrong and where (an error, or a warning where
            # Moodle itself would accept the file); only file-level notes may lack a line.
            lined = [p for p in problems if re.match(rf"{re.escape(path.name)}:\d+:", p)]
            ok = ok and (
                not malformed
                or bool(lined)
                and all(p in lined or ": file: " in p for p in problems)
            )
            failures += not ok
            print(
                f"{path.parent.name + '/' + path.name:<48} {result.exit_code:>4} {questions.group(1) if questions else '-':>4} {len(errors):>4} "
                f"{len(problems) - len(errors):>4} {len(unlined):>7} {valid:>5} {ms:>6.0f}{'' if ok else '  <- check'}"
            )
    print(f"{len(files)} files, {failures} needing a look")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
