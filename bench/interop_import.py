"""Run `cpd bank import` on the real GIFT and Aiken files in ../shared/interop-samples/.

    PYTHONPATH=src python bench/interop_import.py [SAMPLES_DIR]
    PYTHONPATH=src python bench/interop_import.py --big

With --big: the time to import a GIFT and an Aiken file of about 10 MB (the size limit), as
`import_bank` (reading the file) and `convert` (also writing the bank and checking that it
validates), each against a baseline measured in the same run: reading the file and splitting
it into lines.

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


GIFT_QUESTION = (
    "// [tag:scenario]\n::Q{i}::[html]<p>Question {i}: which is <b>right</b>?</p> {{\n"
    "=Right {i}#Yes\n~Wrong {i}#No\n~Other {i}#No\n####Because {i}.\n}}\n\n"
)
AIKEN_QUESTION = (
    "Question {i}: which is right?\nA) Right {i}\nB) Wrong {i}\nC) Other {i}\nANSWER: A\n\n"
)


def big(folder: Path) -> None:
    from scr_cpd.content.importing import convert, import_bank
    from scr_cpd.content.vocabulary import MAX_IMPORT_BYTES

    for suffix, question in ((".gift", GIFT_QUESTION), (".aiken", AIKEN_QUESTION)):
        parts, size = [], 0
        while size < MAX_IMPORT_BYTES - 200_000:
            parts.append(question.format(i=len(parts)))
            size += len(parts[-1])
        path = folder / f"big{suffix}"
        path.write_text("".join(parts), encoding="utf-8")
        base = cpu(lambda: path.read_text(encoding="utf-8").splitlines())
        imported = cpu(lambda: import_bank(path))
        converted = cpu(lambda: convert(path, None, str(folder / "big.yaml")))
        print(
            f"{suffix[1:]:>5}: {size / 1e6:.1f} MB, {len(parts):,} questions; baseline (read + split "
            f"lines) {base:.2f} s CPU; import_bank {imported:.1f} s ({imported / base:.0f}×); "
            f"convert (import, write, validate) {converted:.1f} s ({converted / base:.0f}×)"
        )


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    if sys.argv[1:] == ["--big"]:
        with tempfile.TemporaryDirectory() as tmp:
            big(Path(tmp))
        return 0
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
                ],
            )
            ms = (time.perf_counter() - start) * 1000
            problems = [
                line for line in result.output.splitlines() if line.startswith(path.name + ":")
            ]
            errors = [p for p in problems if ": warning: " not in p]
            unlined = [p for p in problems if not re.match(rf"{re.escape(path.name)}:\d+:", p)]
            questions = re.search(r"(\d+) question\(s\)", result.output)
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
