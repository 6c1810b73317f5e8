"""The two ways a person answers questions: plain numbered text, or interactive prompts.

Both implement `progress.quiz.QuizUI`. Plain mode needs no cursor control or colour, so it
works with screen readers, pipes and tests; the interactive one uses questionary (imported
only when it is used).
"""

from __future__ import annotations

import re
import string
import sys
from typing import TYPE_CHECKING, Any, Callable, TextIO

from scr_cpd.cli.env import escape, print_table  # noqa: F401  (in env: `cpd modules` need not import ui)
from scr_cpd.progress.quiz import CONFIDENCE_LEVELS, Feedback, Presented, Stop

if TYPE_CHECKING:
    from rich.console import Console

LETTERS = string.ascii_lowercase
QUIT_WORDS = {"q", "quit", "exit", ":q"}
CONFIDENCE_LABELS = {"sure": "Sure", "fairly": "Fairly sure", "guess": "Guessing"}


def make_console(plain: bool, stderr: bool = False) -> Console:
    # rich is imported when something is printed through it: `cpd modules` in plain mode (a
    # pipe, a screen reader) starts without it.
    from rich.console import Console

    if plain:
        return Console(
            no_color=True,
            highlight=False,
            emoji=False,
            stderr=stderr,
            soft_wrap=True,
            force_terminal=False,
        )
    return Console(highlight=False, stderr=stderr)


# --- What both modes print ---------------------------------------------------------------


def question_heading(p: Presented) -> str:
    q = p.question
    kind = {
        "single": "Choose one",
        "multiple": "Choose all that apply",
        "true_false": "True or false",
        "numeric": "Type a number",
        "short_answer": "Type a short answer",
        "matching": "Match each item",
    }[q.type]
    return f"Question {p.number} of {p.total} · {kind}"


def print_feedback(console: Console, fb: Feedback, plain: bool) -> None:  # noqa: C901 (to be split)
    """Right or wrong in words and a symbol (never colour alone), why, and where it is taught."""
    q = fb.question

    def styled(text: str, style: str) -> str:
        return text if plain else f"[{style}]{text}[/]"

    console.print()
    console.print(
        styled("Correct ✓", "bold green") if fb.correct else styled("Incorrect ✗", "bold red")
    )
    chosen = dict(fb.option_feedback)
    if q.type == "single":
        console.print(f"You answered: {escape(q.describe_response(fb.response))}")
        if chosen:
            console.print(f"  {escape(next(iter(chosen.values())))}")
    elif q.type == "multiple":
        console.print("You chose:")
        for i in fb.presented.option_order:
            if i in fb.response:
                option = q.options[i]
                mark = "✓" if option.correct else "✗"
                note = f" — {escape(option.feedback)}" if option.feedback else ""
                console.print(f"  {mark} {escape(option.text)}{note}")
    elif not fb.correct:
        console.print(f"You answered: {escape(q.describe_response(fb.response))}")
    if not fb.correct:
        console.print(f"The answer: {escape(q.correct_response_text())}")
        if q.type == "single":
            right = next(o for o in q.options if o.correct)
            if right.feedback:
                console.print(f"  {escape(right.feedback)}")
    if fb.general_feedback:
        console.print(escape(fb.general_feedback))
    if fb.confidence == "sure" and not fb.correct:
        console.print(
            styled("Blind spot:", "yellow")
            + " you were sure, and it was wrong. Worth a reflection at the end."
        )
    console.print(styled("Why:", "bold") + " " + escape(q.explanation))
    console.print(styled(escape(str(q.citation)), "dim"))
    console.print()


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, for a menu entry."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


# --- Plain mode ----------------------------------------------------------------------------


class PlainUI:
    """Numbered options, typed answers; reads whole lines so it works from a pipe."""

    stop_hint = "Type q at any prompt to stop; your answers are kept."

    def __init__(self, console: Console, stdin: TextIO | None = None):
        self.console = console
        self.stdin = stdin

    def say(self, text: str) -> None:
        self.console.print(text)

    def read(self, prompt: str) -> str:
        self.console.print(prompt, end="")
        line = (self.stdin or sys.stdin).readline()
        if not line:
            self.console.print()
            raise Stop("end of input")
        line = line.strip()
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
        self.console.print(escape(q.prompt))
        if q.type in ("single", "multiple"):
            for n, i in enumerate(p.option_order, start=1):
                self.console.print(f"  {n}. {escape(q.options[i].text)}")
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
            return self.ask_until(f"Your answer (a number{unit}; q to stop): ", parse_number)
        if q.type == "short_answer":
            return self.ask_until("Your answer (q to stop): ", parse_text)
        if q.type == "matching":
            for n, pair in enumerate(q.pairs, start=1):
                self.console.print(f"  {n}. {escape(pair.left)}")
            for n, r in enumerate(p.right_order):
                self.console.print(f"  {LETTERS[n]}) {escape(q.pairs[r].right)}")
            # The letters in order are never the answer (the right-hand side is never shown in
            # matching order), so the example cannot give it away.
            example = LETTERS[: len(q.pairs)]
            return self.ask_until(
                f"For items 1-{len(q.pairs)} in order, type the letter of each match (e.g. {example}; q to stop): ",
                lambda s: parse_matching(s, p),
            )
        raise ValueError(f"unknown question type {q.type}")

    def ask_confidence(self) -> str | None:
        def parse(text: str) -> str | None:
            if text == "":
                return None
            choice = {
                "1": "sure",
                "2": "fairly",
                "3": "guess",
                "s": "sure",
                "f": "fairly",
                "g": "guess",
            }.get(text.lower())
            if choice is None:
                raise ValueError("Type 1, 2 or 3, or press Enter to skip.")
            return choice

        return self.ask_until(
            "How sure were you? 1 sure, 2 fairly sure, 3 guessing (Enter to skip): ", parse
        )

    def show_feedback(self, fb: Feedback) -> None:
        print_feedback(self.console, fb, plain=True)

    def confirm(self, question: str, default: bool = True) -> bool:
        hint = "Y/n" if default else "y/N"
        while True:
            try:
                answer = self.read(f"{question} [{hint}] ").lower()
            except Stop:
                return False
            if answer == "":
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.console.print("Type y or n.")

    def choose(self, title: str, choices: list[tuple[str, Any]]) -> Any:
        self.console.print(title)
        for n, (label, _) in enumerate(choices, start=1):
            self.console.print(f"  {n}. {label}")

        def parse(text: str) -> Any:
            if text.isdigit() and 1 <= int(text) <= len(choices):
                return choices[int(text) - 1][1]
            raise ValueError(f"Type a number from 1 to {len(choices)}.")

        return self.ask_until("Your choice (q to quit): ", parse)

    def text(self, prompt: str, multiline: bool = True) -> str:
        """A free text; in plain mode a blank line (or a line with a single '.') ends it."""
        self.console.print(prompt)
        if multiline:
            self.console.print("(Finish with an empty line.)")
        lines: list[str] = []
        while True:
            self.console.print("> ", end="")
            line = (self.stdin or sys.stdin).readline()
            if not line:
                if lines:
                    break
                raise Stop("end of input")
            line = line.rstrip("\n")
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


def parse_number(text: str) -> float | int:
    cleaned = text.replace(",", "").replace("%", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError("Type a number, for example 42 or 12.5.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("Type a number, for example 42 or 12.5.")
    return int(value) if value.is_integer() else value


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
    return [p.right_order[LETTERS.index(c)] for c in letters]


# --- Interactive mode -----------------------------------------------------------------------


class InteractiveUI(PlainUI):
    """Arrow-key prompts (questionary) and styled output (rich). Ctrl-C stops, keeping answers."""

    stop_hint = "Press Ctrl-C at any prompt to stop; your answers are kept."

    def _ask(self, prompt: Any) -> Any:
        try:
            answer = prompt.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise Stop("interrupted") from None
        return answer

    def ask(self, p: Presented) -> Any:
        import questionary

        q = p.question
        self.console.print()
        self.console.rule(question_heading(p), style="cyan")
        self.console.print(escape(q.prompt))
        if q.type in ("single", "multiple"):
            choices = self._option_choices(
                [q.options[i].text for i in p.option_order],
                list(p.option_order),
                numbered=q.type == "multiple",
            )
        if q.type == "single":
            return self._ask(
                questionary.select("Your answer:", choices=choices, use_shortcuts=len(choices) <= 9)
            )
        if q.type == "multiple":
            while True:
                picked = self._ask(
                    questionary.checkbox(
                        "Choose all that apply (space to select, enter to submit):", choices=choices
                    )
                )
                if picked:
                    return sorted(picked)
                self.console.print("Select at least one option (space bar), then press Enter.")
        if q.type == "true_false":
            return self._ask(
                questionary.select(
                    "Your answer:",
                    choices=[
                        questionary.Choice("True", value=True),
                        questionary.Choice("False", value=False),
                    ],
                    use_shortcuts=True,
                )
            )
        if q.type == "numeric":

            def valid(text: str) -> bool | str:
                try:
                    parse_number(text)
                    return True
                except ValueError as exc:
                    return str(exc)

            unit = f" ({q.unit})" if q.unit else ""
            return parse_number(self._ask(questionary.text(f"Your answer{unit}:", validate=valid)))
        if q.type == "short_answer":
            return parse_text(
                self._ask(
                    questionary.text(
                        "Your answer:", validate=lambda t: bool(t.strip()) or "Type an answer."
                    )
                )
            )
        if q.type == "matching":
            rights = self._option_choices(
                [q.pairs[r].right for r in p.right_order], list(p.right_order), letters=True
            )
            width = self.console.width - 8
            return [
                self._ask(questionary.select(f"{shorten(pair.left, width)} →", choices=rights))
                for pair in q.pairs
            ]
        raise ValueError(f"unknown question type {q.type}")

    def _option_choices(
        self, texts: list[str], values: list[Any], letters: bool = False, numbered: bool = False
    ) -> list[Any]:
        """Menu entries that fit on one line; when some do not, the options are printed in full
        (wrapped) above the menu first, so nothing an officer must read is cut off."""
        import questionary

        width = max(self.console.width - 10, 20)
        labels = [LETTERS[n] if letters else str(n + 1) for n in range(len(texts))]
        if any(len(t) > width for t in texts):
            from rich.table import Table

            grid = Table.grid(padding=(0, 1))  # wrapped lines stay indented under their text
            grid.add_column(justify="right", min_width=4)
            grid.add_column()
            for label, text in zip(labels, texts):
                grid.add_row(f"{label}.", escape(text))
            self.console.print(grid)
        prefix = (lambda n: f"{labels[n]}. ") if letters or numbered else (lambda n: "")
        return [
            questionary.Choice(prefix(n) + shorten(t, width), value=v)
            for n, (t, v) in enumerate(zip(texts, values))
        ]

    def ask_confidence(self) -> str | None:
        import questionary

        choices = [questionary.Choice(CONFIDENCE_LABELS[c], value=c) for c in CONFIDENCE_LEVELS]
        choices.append(questionary.Choice("Skip", value=None))
        return self._ask(
            questionary.select("How sure were you?", choices=choices, use_shortcuts=True)
        )

    def show_feedback(self, fb: Feedback) -> None:
        print_feedback(self.console, fb, plain=False)

    def confirm(self, question: str, default: bool = True) -> bool:
        import questionary

        try:
            return bool(self._ask(questionary.confirm(question, default=default)))
        except Stop:
            return False

    def choose(self, title: str, choices: list[tuple[str, Any]]) -> Any:
        import questionary

        return self._ask(
            questionary.select(
                title, choices=[questionary.Choice(label, value=value) for label, value in choices]
            )
        )

    def text(self, prompt: str, multiline: bool = True) -> str:
        import questionary

        hint = " (Esc then Enter to finish)" if multiline else ""
        return str(self._ask(questionary.text(prompt + hint, multiline=multiline)) or "").strip()
