"""Aiken: one-line stem, `A)`/`A.` options, `ANSWER: X`; single-answer questions only.

Follows Moodle's importer (question/format/aiken/format.php): lines are trimmed, lines shorter
than 2 characters are ignored, an option is a capital letter then `)` or `.`. Beyond Moodle, each
broken question gets an error on its own line and the parser carries on with the next question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scr_cpd.content.formats.builder import BankBuilder, ImportResult, normalize_newlines

_OPTION = re.compile(r"([A-Z])[).][ \t]?(.*)")
_BAD_LABEL = re.compile(r"(\d{1,2}|[a-z])[).]\s")
_ANSWER = re.compile(r"answer\s*:", re.IGNORECASE)
_KEYWORD = re.compile(r"[A-Z][A-Z_]+:")  # e.g. NUMBERING: from the AikenAdv dialect
_ANY_KEYWORD = re.compile(r"\S+:(\s|$)")  # the same in any script, e.g. Hebrew ANSWER lines


@dataclass
class _Open:
    """A question being read: its stem lines and options (label, text, line)."""

    line: int
    stem: list[str]
    options: list[tuple[str, str, int]] = field(default_factory=list)


class _AikenParser:
    def __init__(self, filename: str):
        self.out = BankBuilder(filename)
        self.open: _Open | None = None
        # After an error, the rest of that question (options, keywords, its ANSWER) is ignored.
        self.skipping = False

    def parse(self, text: str) -> ImportResult:
        self.out.source_text(text)
        lines = normalize_newlines(text).removeprefix("\ufeff").split("\n")
        for number, raw in enumerate(lines, 1):
            self._line(number, raw.strip())
        if self.open:
            self._drop(self.open.line, "question has no ANSWER line before the end of the file")
        return self.out.result()

    def _line(self, number: int, line: str) -> None:
        if not line:
            self.skipping = False
            return
        if len(line) < 2:  # Moodle ignores these too
            return
        if _ANSWER.match(line):
            self._answer(number, line)
        elif self.skipping and self._still_skipping(line):
            return
        elif match := _OPTION.fullmatch(line):
            self._option(number, match.group(1), match.group(2).strip())
        elif _BAD_LABEL.match(line) and self.open:
            self._drop(
                number,
                f"option label in {line[:30]!r} is not Aiken: options are labelled "
                "with capital letters, A) or A.",
            )
        else:
            self._text_line(number, line)

    def _still_skipping(self, line: str) -> bool:
        self.skipping = bool(
            _OPTION.fullmatch(line) or _BAD_LABEL.match(line) or _ANY_KEYWORD.match(line)
        )
        return self.skipping

    def _text_line(self, number: int, line: str) -> None:
        if self.open is None:
            self.open = _Open(number, [line])
        elif not self.open.options:
            self.open.stem.append(line)
        elif _KEYWORD.match(line):
            self._drop(
                number,
                f"unexpected line {line[:40]!r} between the options and ANSWER "
                "(a dialect keyword such as AikenAdv's NUMBERING: is not Aiken)",
            )
        else:
            self._drop(
                self.open.line,
                f"question has no ANSWER line before the next question starts at line {number}",
            )
            self.skipping = False
            self.open = _Open(number, [line])

    def _option(self, number: int, label: str, text: str) -> None:
        if self.open is None:
            self.out.error(number, "option", "option line with no question text before it")
            self.skipping = True
            return
        if any(label == seen for seen, _, _ in self.open.options):
            self._drop(number, f"option label {label} is used twice")
            return
        self.open.options.append((label, text, number))

    def _answer(self, number: int, line: str) -> None:
        if self.skipping:
            self.skipping = False
            return
        question, self.open = self.open, None
        if question is None:
            self.out.error(number, "ANSWER", "ANSWER line with no question before it")
            return
        letter = self._answer_letter(number, line, question)
        if letter is not None:
            self._finish(question, letter, number)

    def _answer_letter(self, number: int, line: str, question: _Open) -> str | None:
        value = line.split(":", 1)[1].strip()
        labels = [label for label, _, _ in question.options]
        if not line.startswith("ANSWER:"):
            message = "the keyword must be written ANSWER: in capitals, colon straight after"
        elif not question.options:
            message = "question has no options (A) ... lines)"
        elif len(question.options) < 2:
            message = "question has fewer than 2 options"
        elif not re.fullmatch(r"[A-Z]", value):
            message = (
                f"ANSWER {value!r} is not one capital letter; Aiken questions have "
                "exactly one right option"
            )
        elif value not in labels:
            message = f"ANSWER {value} is not among the options ({', '.join(labels)})"
        else:
            return value
        self.out.error(
            number, "ANSWER", f"{message}; question at line {question.line} not imported"
        )
        return None

    def _finish(self, question: _Open, letter: str, answer_line: int) -> None:
        if len(question.stem) > 1:
            self.out.warn(
                question.line,
                "question",
                "question text runs over several lines; "
                "Moodle's Aiken import needs it on one line (lines joined here)",
            )
        labels = [label for label, _, _ in question.options]
        if labels != [chr(ord("A") + i) for i in range(len(labels))]:
            self.out.warn(
                question.line,
                "options",
                f"option labels {''.join(labels)} are not "
                "A, B, C... in order; Moodle goes by position, this import by letter",
            )
        options = [
            {"text": text, **({"correct": True} if label == letter else {})}
            for label, text, _ in question.options
        ]
        self.out.add_question(
            {
                "id": "",
                "type": "single",
                "prompt": " ".join(question.stem),
                "options": options,
                "explanation": "",
                "learning_points": [],
            },
            question.line,
        )

    def _drop(self, line: int, message: str) -> None:
        where = f"question at line {self.open.line}" if self.open else "question"
        self.out.error(line, where, f"{message}; question not imported")
        self.open = None
        self.skipping = True


def parse_aiken(text: str, filename: str) -> ImportResult:
    """Convert Aiken text to a `scr-cpd/bank@1` dict; problems are returned, never raised."""
    return _AikenParser(filename).parse(text)
