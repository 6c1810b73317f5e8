"""The plain way a person answers questions: numbered options typed as text, whole lines read,
no cursor control or colour, so it works with screen readers, pipes and tests.

`PlainUI` implements `progress.quiz.QuizUI`; `cli.interactive.InteractiveUI` is the arrow-key
version. What both print (headings, feedback) is in `cli.feedback`.
"""

from __future__ import annotations

import re
import string
import sys
from typing import TYPE_CHECKING, Any, Callable, TextIO

from scr_cpd.cli.console import make_console, release_collector, safe  # noqa: F401
from scr_cpd.cli.feedback import print_feedback, question_heading  # noqa: F401
from scr_cpd.common.text import normalise_answer, one_line
from scr_cpd.progress.quiz import EndOfInput, Feedback, Presented, Stop

if TYPE_CHECKING:
    from rich.console import Console

LETTERS = string.ascii_lowercase
QUIT_WORDS = {"q", "quit", "exit", ":q"}
CONFIDENCE_LABELS = {"sure": "Sure", "fairly": "Fairly sure", "guess": "Guessing"}
CONFIDENCE_KEYS = {"1": "sure", "2": "fairly", "3": "guess", "s": "sure", "f": "fairly"}
CONFIDENCE_KEYS["g"] = "guess"
NOT_TEXT = "That line was not readable text (UTF-8); please type it again."
_SURROGATE = re.compile("[\udc80-\udcff]")


class PlainUI:
    """Numbered options, typed answers; reads whole lines so it works from a pipe."""

    stop_hint = "Type q at any prompt to stop; your answers are kept."

    def __init__(self, console: Console, stdin: TextIO | None = None):
        self.console = console
        self.stdin = stdin

    def say(self, text: str) -> None:
        self.console.print(text)

    def _line(self) -> str:
        """One line of input; bytes that are not UTF-8 are refused, not a crash."""
        release_collector()  # see `console.hold_collector`
        stream = self.stdin or sys.stdin
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") != "surrogateescape":
            try:
                reconfigure(errors="surrogateescape")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot change
                pass
        try:
            line = stream.readline()
        except UnicodeDecodeError:
            return "\udcff\n"
        return line

    def read(self, prompt: str) -> str:
        self.console.print(prompt, end="")
        line = self._line()
        if not line:
            self.console.print()
            raise EndOfInput("end of input")
        line = line.strip()
        if _SURROGATE.search(line):
            raise ValueError(NOT_TEXT)
        if line.lower() in QUIT_WORDS:
            raise Stop("quit")
        return line

    def ask_until(self, prompt: str, parse: Callable[[str], Any]) -> Any:
        while True:
            try:
                return parse(self.read(prompt))
            except ValueError as exc:
                self.console.print(str(exc))

    def ask(self, p: Presented) -> Any:
        q = p.question
        self.console.print()
        self.console.print(question_heading(p))
        self.console.print(safe(q.prompt))
        if q.type in ("single", "multiple"):
            for n, i in enumerate(p.option_order, start=1):
                self.console.print(f"  {n}. {safe(q.options[i].text)}")
            hint = "number" if q.type == "single" else "numbers, separated by spaces"
            return self.ask_until(
                f"Your answer ({hint}; q to stop): ", lambda s: parse_choice(s, p)
            )
        if q.type == "true_false":
            self.console.print("  1. True\n  2. False")
            return self.ask_until(
                "Your answer (1 = true, 2 = false; q to stop): ", parse_true_false
            )
        if q.type == "numeric":
            unit = f" in {q.unit}" if q.unit else ""
            return self.ask_until(
                f"Your answer (a number{unit}; q to stop): ", lambda s: parse_number(s, q.unit)
            )
        if q.type == "short_answer":
            return self.ask_until("Your answer (q to stop): ", parse_text)
        if q.type == "matching":
            return self._ask_matching(p)
        raise ValueError(f"unknown question type {q.type}")

    def _ask_matching(self, p: Presented) -> Any:
        q = p.question
        for n, pair in enumerate(q.pairs, start=1):
            self.console.print(f"  {n}. {safe(pair.left)}")
        for n, r in enumerate(p.right_order):
            self.console.print(f"  {LETTERS[n]}) {safe(q.pairs[r].right)}")
        # The letters in order are never the answer (the right-hand side is never shown in
        # matching order), so the example cannot give it away.
        example = LETTERS[: len(q.pairs)]
        return self.ask_until(
            f"For items 1-{len(q.pairs)} in order, type the letter of each match (e.g. {example}; q to stop): ",
            lambda s: parse_matching(s, p),
        )

    def ask_confidence(self) -> str | None:
        def parse(text: str) -> str | None:
            if text == "":
                return None
            choice = CONFIDENCE_KEYS.get(text.lower())
            if choice is None:
                raise ValueError("Type 1, 2 or 3, or press Enter to skip.")
            return choice

        return self.ask_until(
            "How sure were you? 1 sure, 2 fairly sure, 3 guessing (Enter to skip): ", parse
        )

    def show_feedback(self, fb: Feedback) -> None:
        print_feedback(self.console, fb, plain=True)

    def pause(self, message: str = "Enter for the next question") -> None:
        """Plain mode never waits: its output scrolls in a screen reader's or a pipe's own way."""

    def confirm(self, question: str, default: bool = True) -> bool:
        hint = "Y/n" if default else "y/N"
        while True:
            try:
                answer = self.read(f"{question} [{hint}] ").lower()
            except Stop:
                return False
            except ValueError as exc:
                self.console.print(str(exc))
                continue
            if answer == "":
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.console.print("Type y or n.")

    def choose(
        self, title: str, choices: list[tuple[str, Any]], one_line_echo: bool = False
    ) -> Any:
        """The value of the chosen entry (never its label); raises Stop on q or end of input.
        `one_line_echo`: the caller shows the entry whole next (interactive mode echoes the
        choice in one line; plain mode echoes nothing)."""
        self.console.print(title)
        for n, (label, _) in enumerate(choices, start=1):
            self.console.print(f"  {n}. {safe(one_line(label))}")

        def parse(text: str) -> Any:
            if text.isdigit() and 1 <= int(text) <= len(choices):
                return choices[int(text) - 1][1]
            raise ValueError(f"Type a number from 1 to {len(choices)}.")

        return self.ask_until("Your choice (q to quit): ", parse)

    def pick_many(self, title: str, labels: list[str]) -> list[int]:
        """Any number of the numbered entries (none: Enter); their indexes."""
        self.console.print(safe(title))
        for n, label in enumerate(labels, start=1):
            self.console.print(f"  {n}. {safe(label)}")

        def parse(text: str) -> list[int]:
            picks = text.replace(",", " ").split()
            if not all(p.isdigit() and 1 <= int(p) <= len(labels) for p in picks):
                raise ValueError(
                    f"Type numbers from 1 to {len(labels)} separated by spaces, or press Enter to skip."
                )
            return list(dict.fromkeys(int(p) - 1 for p in picks))

        return list(self.ask_until("Numbers separated by spaces (Enter to skip): ", parse))

    def text(self, prompt: str, multiline: bool = True, default: str = "") -> str:
        """A free text; in plain mode a blank line (or a line with a single '.') ends it."""
        keeps = f" [{default}]" if default and not multiline else ""
        self.console.print(safe(prompt + keeps))
        if multiline:
            self.console.print("(Finish with an empty line.)")
        lines: list[str] = []
        while True:
            self.console.print("> ", end="")
            try:
                line = self._line()
            except KeyboardInterrupt:  # Ctrl-C: stop, keeping the lines already typed
                self.console.print()
                raise Stop("interrupted", "\n".join(lines).strip()) from None
            if not line:
                if lines:
                    break
                raise EndOfInput("end of input")
            line = line.rstrip("\n")
            if _SURROGATE.search(line):
                self.console.print(NOT_TEXT)
                continue
            if line.strip() in ("", ".") or not multiline:
                if not multiline:
                    lines.append(line)
                break
            lines.append(line)
        return "\n".join(lines).strip()


def parse_choice(text: str, p: Presented) -> Any:
    count = len(p.option_order)
    picks = [t for t in re.split(r"[\s,]+", text) if t]
    if not picks or not all(t.isdigit() and 1 <= int(t) <= count for t in picks):
        raise ValueError(
            f"Type a number from 1 to {count}"
            + (" (or several, separated by spaces)." if p.question.type == "multiple" else ".")
        )
    chosen = [p.option_order[int(t) - 1] for t in picks]
    if p.question.type == "single":
        if len(chosen) != 1:
            raise ValueError("Choose just one option.")
        return chosen[0]
    return sorted(set(chosen))


def parse_true_false(text: str) -> bool:
    value = text.lower()
    if value in ("1", "t", "true", "y", "yes"):
        return True
    if value in ("2", "f", "false", "n", "no"):
        return False
    raise ValueError("Type 1 for true or 2 for false.")


def parse_number(text: str, unit: str | None = None) -> float | int:
    """A number, with thousands commas, and the question's unit after it if the person adds it
    ("24 months", "24 month", "40%")."""
    cleaned = text.replace(",", "").strip()
    match = re.fullmatch(r"([-+]?[0-9.eE+-]+)\s*(.*)", cleaned)
    if match and _is_unit(match.group(2), unit):
        cleaned = match.group(1)
    try:
        value = float(cleaned)
    except ValueError:
        example = f"24 or 24 {unit}" if unit and unit != "%" else "42 or 12.5"
        raise ValueError(f"Type a number, for example {example}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("Type a number, for example 42 or 12.5.")
    return int(value) if value.is_integer() else value


def _is_unit(word: str, unit: str | None) -> bool:
    if not word or word == "%":
        return True
    if not unit:
        return False
    given, wanted = normalise_answer(word), normalise_answer(unit)
    return bool(given) and given in (wanted, wanted.rstrip("s"), wanted + "s")


def parse_text(text: str) -> str:
    if not text.strip():
        raise ValueError("Type an answer, or q to stop.")
    return text.strip()


def parse_matching(text: str, p: Presented) -> list[int]:
    count = len(p.question.pairs)
    letters = [c for c in text.lower() if c.isalpha()]
    valid = LETTERS[:count]
    if len(letters) != count or any(c not in valid for c in letters):
        raise ValueError(
            f"Type {count} letters from {valid[0]} to {valid[-1]}, one for each numbered item, e.g. {valid}."
        )
    if len(set(letters)) != count:
        twice = next(c for c in letters if letters.count(c) > 1)
        raise ValueError(f"Each letter goes with one item only; {twice} was given twice.")
    return [p.right_order[LETTERS.index(c)] for c in letters]
