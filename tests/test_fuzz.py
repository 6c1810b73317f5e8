"""Fuzzing the parsers that read files from outside: the YAML bank reader, the GIFT and the Aiken
importers. Whatever the input: no exception, every problem a `Problem` (with a line where one
can be named), and whatever an importer writes passes `cpd bank validate`.

Bounded so that the suite stays quick; `bench/fuzz.py` runs the same checks on 10,000 inputs per
parser, mutated from real banks and interop samples.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_cpd.content.errors import Problem
from scr_cpd.content.formats.aiken import parse_aiken
from scr_cpd.content.formats.builder import ImportResult
from scr_cpd.content.formats.gift_read import parse_gift
from scr_cpd.content.loader import check_bank_text, validate_bank_data
from scr_cpd.content.yamlsource import read_yaml
from scr_cpd.content.yamlwrite import written_bank

FIXTURE = (Path(__file__).parent / "fixtures" / "tiny-bank.yaml").read_text(encoding="utf-8")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

# Pieces that mean something to YAML, GIFT or Aiken, and characters that should never reach a
# terminal: inserted at random places, they find the corners a parser forgets.
YAML_PIECES = [
    "!!bool x",
    "!!int",
    "!!float",
    "!!str",
    "!!null x",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "- ",
    ": ",
    "\n",
    "\n  ",
    "\t",
    "'",
    '"',
    "\\x1b",
    "\\u202e",
    "#",
    "|",
    ">-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "1.10",
    "yes",
    "~",
    "=",
    "0x1f",
    "2024-01-01",
    "\u202e",
    "\u200b",
    "\x85",
    "\ufeff",
    "é",
    "\U0001f600",
    "!x ",
    "@",
    "`",
]
GIFT_PIECES = [
    "::",
    "::T::",
    "{",
    "}",
    "=",
    "~",
    "#",
    "####",
    "->",
    "%50%",
    "%-100%",
    "%",
    ":",
    "..",
    "\\",
    "\\{",
    "\\:",
    "\\n",
    "$CATEGORY: a/b",
    "// [tag:x]",
    "// scr-cpd unit: cm",
    "[html]",
    "[markdown]",
    "<p>",
    "</p>",
    "<b>x</b>",
    "<img src='a.png'>",
    "&amp;",
    "&#0;",
    "TRUE",
    "F",
    "T",
    "*",
    "\n",
    "\n\n",
    " ",
    "\t",
    "1",
    "2.5",
    "-3",
    "1e400",
    "word",
    "Q?",
    "\u202e",
    "\x1b[2J",
    "\x00",
    "\u200b",
]
AIKEN_PIECES = [
    "Q?",
    "A) ",
    "B) ",
    "C. ",
    "a) ",
    "1) ",
    "ANSWER: A",
    "ANSWER: B",
    "ANSWER: Z",
    "answer: a",
    "ANSWER:",
    "NUMBERING: none",
    "\n",
    "\n\n",
    " ",
    "\t",
    "x",
    "word",
    "\u202e",
    "\x1b",
    "\u200b",
    "é",
    "::",
    "{",
    "}",
]


def _assert_problems(problems: list[Problem]) -> None:
    assert all(isinstance(p, Problem) and p.severity in ("error", "warning") for p in problems)
    assert all(p.line is None or p.line >= 1 for p in problems)
    assert all(p.code for p in problems)


def assert_bank_reader_holds(text: str) -> None:
    data, _, problems = check_bank_text(text, "fuzz.yaml")
    _assert_problems(problems)
    assert bool(data) == (not [p for p in problems if p.severity == "error"])


def assert_import_holds(result: ImportResult) -> None:
    """No exception got here; the problems are sound, and a bank with questions validates."""
    _assert_problems(result.problems)
    if not result.bank["questions"]:
        return
    text, data, lines = written_bank(result.bank)
    _, checks = validate_bank_data(data, "fuzz.yaml", lines)
    assert not [p for p in checks if p.severity == "error"], (checks, result.bank)
    _, _, reread = check_bank_text(text, "fuzz.yaml")
    assert not [p for p in reread if p.severity == "error"], reread
    assert read_yaml(text, "fuzz.yaml") == (data, lines)  # what was validated is what is read


def _mutated(draw, base: str, pieces: list[str]) -> str:
    text = base
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(pieces)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        else:
            text = text[:at] + text[at : at + 80] + text[at:]
    return text


def _assembled(draw, pieces: list[str]) -> str:
    return "".join(draw(st.lists(st.sampled_from(pieces) | st.text(max_size=4), max_size=40)))


@FUZZ
@given(st.data())
def test_the_bank_reader_never_raises_on_a_mutated_bank(data):
    assert_bank_reader_holds(_mutated(data.draw, FIXTURE, YAML_PIECES))


@FUZZ
@given(st.data())
def test_the_gift_importer_never_raises_and_writes_banks_that_validate(data):
    text = _assembled(data.draw, GIFT_PIECES)
    assert_import_holds(parse_gift(text, "fuzz.gift"))


@FUZZ
@given(st.data())
def test_a_mutated_gift_question_imports_or_says_why(data):
    base = "::Q1::Which? {\n=Right#Yes\n~Wrong#No\n####Why.\n}\n\n::Q2::Is it? {T#no#yes####Why.}\n"
    assert_import_holds(parse_gift(_mutated(data.draw, base, GIFT_PIECES), "fuzz.gift"))


@FUZZ
@given(st.data())
def test_the_aiken_importer_never_raises_and_writes_banks_that_validate(data):
    base = "Which is right?\nA) This one\nB) That one\nANSWER: A\n\nAnd now?\nA. Yes\nB. No\nANSWER: B\n"
    text = (
        _mutated(data.draw, base, AIKEN_PIECES)
        if data.draw(st.booleans())
        else _assembled(data.draw, AIKEN_PIECES)
    )
    assert_import_holds(parse_aiken(text, "fuzz.txt"))
