"""Fuzz the parsers that read files from outside: 10,000 inputs per parser.

    PYTHONPATH=src python bench/fuzz.py [--runs N] [--seed S] [--only NAME] [SAMPLES_DIR]

Inputs are mutations (insertions of syntax pieces, deletions, duplications, byte flips) of real
files: the bundled banks and the test fixture for the bank reader, the GIFT and Aiken files in
../shared/interop-samples for the importers. For each parser it prints the tracebacks found
(grouped by where they were raised, with one input that causes each), the inputs that took
longer than the time limit (hangs), and the inputs whose checks failed (for an importer: a bank
it wrote that does not validate). A clean run ends with "0 tracebacks, 0 hangs, 0 failed checks".

To fuzz another parser (the log reader, say), add a `Parser` to PARSERS: a name, the seed texts,
the syntax pieces worth inserting, and a `check` that runs the parser on a text and raises
AssertionError when its result is wrong (any other exception counts as a traceback).
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "interop-samples"
TIME_LIMIT = 5  # seconds for one input; longer is reported as a hang


@dataclass
class Parser:
    name: str
    seeds: Callable[[Path], list[str]]  # the real files to mutate (given the samples folder)
    pieces: list[str]
    check: Callable[[str], None]


@dataclass
class Findings:
    tracebacks: dict[str, tuple[str, str]] = field(default_factory=dict)  # where -> (trace, input)
    hangs: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # first line of the failure -> input
    seconds: float = 0.0


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


# --- the parsers ------------------------------------------------------------------------------


def _texts(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.is_file()]


def bank_seeds(_samples: Path) -> list[str]:
    from scr_cpd.content.loader import BUNDLED_DIR

    return _texts(sorted(BUNDLED_DIR.glob("*.yaml")) + [ROOT / "tests/fixtures/tiny-bank.yaml"])


def sample_seeds(kind: str) -> Callable[[Path], list[str]]:
    def seeds(samples: Path) -> list[str]:
        found = _texts(sorted((samples / kind).glob("*"))) if (samples / kind).is_dir() else []
        return found or [FALLBACK[kind]]

    return seeds


FALLBACK = {
    "gift": "::Q1::Which? {\n=Right#Yes\n~Wrong#No\n####Why.\n}\n\n::Q2::Is it? {T####Why.}\n",
    "aiken": "Which is right?\nA) This one\nB) That one\nANSWER: A\n",
}


def check_bank(text: str) -> None:
    from scr_cpd.content.loader import check_bank_text

    data, _, problems = check_bank_text(text, "fuzz.yaml")
    _sound(problems)
    assert bool(data) == (not [p for p in problems if p.severity == "error"]), "data with errors"


def check_import(parse: Callable[[str, str], object]) -> Callable[[str], None]:
    def check(text: str) -> None:
        from scr_cpd.content.loader import check_bank_text, validate_bank_data
        from scr_cpd.content.yamlsource import read_yaml
        from scr_cpd.content.yamlwrite import written_bank

        result = parse(text, "fuzz.txt")
        _sound(result.problems)  # type: ignore[attr-defined]
        bank = result.bank  # type: ignore[attr-defined]
        if not bank["questions"]:
            return
        written, data, lines = written_bank(bank)
        _, checks = validate_bank_data(data, "fuzz.yaml", lines)
        errors = [str(p) for p in checks if p.severity == "error"]
        assert not errors, f"the bank written does not validate: {errors[0]}"
        _, _, again = check_bank_text(written, "fuzz.yaml")
        errors = [str(p) for p in again if p.severity == "error"]
        assert not errors, f"the bank written does not read back: {errors[0]}"
        assert read_yaml(written, "fuzz.yaml") == (data, lines), "read back differently"

    return check


def _sound(problems: list[object]) -> None:
    from scr_cpd.content.errors import Problem

    for p in problems:
        assert isinstance(p, Problem), f"not a Problem: {p!r}"
        assert p.severity in ("error", "warning") and p.code, f"unsound problem: {p!r}"
        assert p.line is None or p.line >= 1, f"line {p.line}"


def _gift(text: str, name: str) -> object:
    from scr_cpd.content.formats.gift_read import parse_gift

    return parse_gift(text, name)


def _aiken(text: str, name: str) -> object:
    from scr_cpd.content.formats.aiken import parse_aiken

    return parse_aiken(text, name)


YAML_PIECES = ["!!bool x", "!!int", "!!float", "!!str", "&a ", "*a", "<<: ", "? ", "- ", ": ",
               "\n", "\n  ", "\t", "'", '"', "\\x1b", "\\u202e", "#", "|", ">-", "[", "]", "{",
               "}", ",", "---\n", "...\n", "%YAML 1.1\n", "1.10", "yes", "~", "=", "\u202e",
               "\u200b", "\x85", "\ufeff", "é", "!x ", "@", "`"]  # fmt: skip
GIFT_PIECES = ["::", "{", "}", "=", "~", "#", "####", "->", "%50%", "%-100%", "%", ":", "..",
               "\\", "\\{", "\\n", "$CATEGORY: a/b", "// [tag:x]", "// scr-cpd unit: cm",
               "[html]", "[markdown]", "<p>", "</p>", "<img src='a.png'>", "&amp;", "TRUE", "F",
               "*", "\n", "\n\n", "\t", "1e400", "\u202e", "\x1b[2J", "\x00", "\u200b"]  # fmt: skip
AIKEN_PIECES = ["A) ", "B) ", "C. ", "a) ", "1) ", "ANSWER: A", "ANSWER: Z", "answer: a",
                "ANSWER:", "NUMBERING: none", "\n", "\n\n", "\t", "\u202e", "\x1b", "\u200b",
                "é"]  # fmt: skip

PARSERS = [
    Parser("bank reader (YAML)", bank_seeds, YAML_PIECES, check_bank),
    Parser("GIFT importer", sample_seeds("gift"), GIFT_PIECES, check_import(_gift)),
    Parser("Aiken importer", sample_seeds("aiken"), AIKEN_PIECES, check_import(_aiken)),
]


# --- mutating and running ---------------------------------------------------------------------


def mutate(rng: random.Random, text: str, pieces: list[str]) -> str:
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(text))
        action = rng.random()
        if action < 0.5:
            text = text[:at] + rng.choice(pieces) + text[at:]
        elif action < 0.7:
            text = text[:at] + text[at + rng.randint(1, 60) :]
        elif action < 0.85:
            text = text[:at] + text[at : at + rng.randint(1, 200)] + text[at:]
        elif text:
            text = text[:at] + chr(rng.randint(0, 0x30FF)) + text[at + 1 :]
    return text


def run(parser: Parser, samples: Path, runs: int, rng: random.Random) -> Findings:
    seeds = parser.seeds(samples)
    found = Findings()
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    for _ in range(runs):
        text = mutate(rng, rng.choice(seeds), parser.pieces)
        signal.alarm(TIME_LIMIT)
        try:
            parser.check(text)
        except Hang:
            found.hangs.append(text)
        except AssertionError as exc:
            found.failed.setdefault(str(exc).splitlines()[0][:200] if str(exc) else "?", text)
        except Exception:  # noqa: BLE001 - every other exception is what we are looking for
            frame = traceback.extract_tb(sys.exc_info()[2])[-1]
            where = f"{sys.exc_info()[0].__name__} at {frame.filename}:{frame.lineno}"  # type: ignore[union-attr]
            found.tracebacks.setdefault(where, (traceback.format_exc(), text))
        finally:
            signal.alarm(0)
    found.seconds = time.perf_counter() - start
    return found


def report(parser: Parser, runs: int, found: Findings) -> int:
    print(f"== {parser.name}: {runs:,} inputs in {found.seconds:.1f} s")
    for where, (trace, text) in found.tracebacks.items():
        print(f"-- traceback: {where}\n{trace}-- input: {text[:400]!r}\n")
    for text in found.hangs[:5]:
        print(f"-- hang (over {TIME_LIMIT} s): {text[:400]!r}\n")
    for message, text in found.failed.items():
        print(f"-- failed check: {message}\n-- input: {text[:400]!r}\n")
    total = len(found.tracebacks) + len(found.hangs) + len(found.failed)
    print(
        f"   {len(found.tracebacks)} tracebacks, {len(found.hangs)} hangs, {len(found.failed)} failed checks\n"
    )
    return total


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("samples", nargs="?", type=Path, default=SAMPLES)
    args.add_argument("--runs", type=int, default=10_000)
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--only", help="run only the parsers whose name contains this")
    options = args.parse_args()
    rng = random.Random(options.seed)
    total = 0
    for parser in PARSERS:
        if options.only and options.only.lower() not in parser.name.lower():
            continue
        total += report(parser, options.runs, run(parser, options.samples, options.runs, rng))
    print(f"all parsers: {total} distinct problems found")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
