"""Every bundled module can be worked through end to end in plain mode, and then shows as passed.

The test answers like an officer at a terminal: it reads what `cpd --plain start` has printed so
far (the question, its numbered options or lettered matches) and types the choices whose text
the bank marks correct. It does not depend on how questions or options are shuffled.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from functools import lru_cache

import pytest
from typer.testing import CliRunner

from scr_cpd.cli.app import app
from scr_cpd.content.loader import load_library
from scr_cpd.content.model import Bank, Question, format_number

MODULES = [
    "scr-basics", "key-data", "neglect", "lived-experience", "behaviour", "adolescents",
    "disclosure-and-abe", "perpetrators", "cultural-difference", "information-sharing",
    "escalation", "system-wide",
]  # fmt: skip
HEADING = re.compile(r"^Question (\d+) of (\d+) · ")
NUMBERED = re.compile(r"^  (\d+)\. (.*)$")
LETTERED = re.compile(r"^  ([a-z])\) (.*)$")


@lru_cache(maxsize=1)
def bundled():
    return load_library(None)


def right_answer(bank: Bank, screen: list[str]) -> str:
    """The line an officer who knows the answer types for the question at the end of `screen`."""
    start = max(i for i, line in enumerate(screen) if HEADING.match(line))
    prompt, shown = screen[start + 1], screen[start + 2 :]
    matches = [q for q in bank.questions if q.prompt == prompt]
    assert len(matches) == 1, f"cannot tell which question this is: {prompt!r}"
    q: Question = matches[0]
    numbered = {
        text: n for line in shown if (m := NUMBERED.match(line)) for n, text in [m.groups()]
    }
    if q.type in ("single", "multiple"):
        return " ".join(numbered[o.text] for o in q.options if o.correct)
    if q.type == "true_false":
        return numbered["True" if q.answer else "False"]
    if q.type == "numeric":
        return format_number(q.answer)
    if q.type == "short_answer":
        return q.answers[0]
    if q.type == "matching":
        lettered = {
            text: c for line in shown if (m := LETTERED.match(line)) for c, text in [m.groups()]
        }
        lefts = sorted(numbered, key=lambda text: int(numbered[text]))
        right_of = {p.left: p.right for p in q.pairs}
        return "".join(lettered[right_of[left]] for left in lefts)
    raise AssertionError(f"unknown question type {q.type}")


class Officer(io.TextIOBase):
    """Stands in for stdin: each line typed depends on what the app has printed so far."""

    def __init__(self, bank: Bank, screen: io.BytesIO):
        self.bank = bank
        self.screen = screen
        self.answered: set[str] = set()

    def readable(self) -> bool:
        return True

    def readline(self, size: int = -1) -> str:
        sys.stdout.flush()
        lines = self.screen.getvalue().decode("utf-8").splitlines()
        asking = lines[-1] if lines else ""
        heading = next((line for line in reversed(lines) if HEADING.match(line)), None)
        if asking.startswith("How sure were you?"):
            reply = "\n"  # skip the confidence rating
        elif heading and heading not in self.answered:  # "Your answer ..." or "For items ..."
            self.answered.add(heading)
            reply = right_answer(self.bank, lines) + "\n"
        else:
            return ""  # anything else (after the module): end of input, as from a pipe
        sys.stdout.write(reply)  # echo, as a terminal would, so each prompt starts a line
        return reply


class OfficerRunner(CliRunner):
    def __init__(self, bank: Bank):
        super().__init__()
        self.bank = bank

    @contextlib.contextmanager
    def isolation(self, *args, **kwargs):
        with super().isolation(*args, **kwargs) as streams:
            sys.stdin = Officer(self.bank, streams[0])
            yield streams


@pytest.mark.parametrize("module", MODULES)
def test_whole_module_can_be_completed_in_plain_mode(module, tmp_path):
    bank = bundled().get(module)
    assert bank is not None
    home = ["--home", str(tmp_path / "officer"), "--plain"]

    result = OfficerRunner(bank).invoke(app, [*home, "start", module, "--seed", "1"])

    assert result.exit_code == 0, result.output[-3000:]
    total = len(bank.questions)
    asked = {int(m.group(1)) for line in result.output.splitlines() if (m := HEADING.match(line))}
    assert asked == set(range(1, total + 1))
    assert f"Module complete: {total} of {total} correct (100%)" in result.output
    assert "Incorrect ✗" not in result.output
    assert "Passed" in result.output

    listed = CliRunner().invoke(app, [*home, "modules"])
    assert listed.exit_code == 0, listed.output
    # A long title wraps onto lines of its own; the module's row is the one with its status.
    rows = [line.split() for line in listed.output.splitlines() if line.split()[:1] == [module]]
    assert any("passed" in row and "100%" in row for row in rows), listed.output
