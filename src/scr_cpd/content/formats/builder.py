"""What every format reader shares: the bank being built, its problems, ids, decoding the text.

A reader feeds a `BankBuilder` question by question; the builder gives each question its id,
settles what the bank format cannot hold (duplicate choices, one-sided pairs…) with a warning,
and returns an `ImportResult`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scr_cpd.common.text import has_hidden_characters, remove_hidden_characters, slugify
from scr_cpd.content.errors import Code, Problem, errors_in, warnings_in
from scr_cpd.content.vocabulary import (
    BANK_FORMAT,
    DEFAULT_VERSION,
    MAX_OPTIONS,
    MAX_PAIRS,
    MIN_OPTIONS,
    MIN_PAIRS,
)

BankDict = dict[str, Any]
_REQUIRED_TEXT = {"prompt", "explanation", "text", "left", "right"}
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class ImportResult:
    """A bank dict ready to dump as YAML, and everything worth telling the trainer about it."""

    bank: BankDict
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_in(self.problems)


def decode_text(data: bytes, filename: str) -> tuple[str, Problem | None]:
    """UTF-8 text with any BOM removed and line endings normalised, or a Problem saying where
    the first byte that is not UTF-8 sits."""
    if data.startswith(_UTF16_BOMS):
        return "", Problem(
            filename,
            1,
            "file",
            "file is UTF-16; save it as UTF-8 and import again",
            code=Code.NOT_UTF8,
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return "", Problem(
            filename,
            line,
            "file",
            f"not UTF-8: byte 0x{bad} at byte offset "
            f"{exc.start} (line {line}); save the file as UTF-8",
            code=Code.NOT_UTF8,
        )
    return normalize_newlines(text), None


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def empty_bank(filename: str, module_id: str = "", title: str = "") -> BankDict:
    stem = Path(filename).stem
    return {
        "format": BANK_FORMAT,
        "id": module_id or slugify(stem) or "imported",
        "title": title or _title_from_stem(stem),
        "version": DEFAULT_VERSION,
        "summary": f"Imported from {filename}",
        "estimated_minutes": 5,
        "source": {"title": f"Imported from {filename}", "page": 1},
        "learning_points": [],
        "questions": [],
        "reflections": [],
    }


def _title_from_stem(stem: str) -> str:
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Imported questions"


def estimated_minutes(question_count: int) -> int:
    return min(600, max(5, round(1.5 * question_count)))


def placeholder_explanation(filename: str, line: int) -> str:
    return f"Imported from {filename} line {line}; no general feedback was given."


def option_key(text: str) -> str:
    """How the bank validator compares option texts: case- and space-insensitive."""
    return " ".join(text.lower().split())


class BankBuilder:
    """Collects questions, reflections and problems for one imported file."""

    def __init__(self, filename: str):
        self.filename = Path(filename).name
        # Whether any text may hold a control, bidi or zero-width character; a reader that
        # knows its input cannot make one (see `source_text`) spares the look at every text.
        self.may_hide = True
        self.problems: list[Problem] = []
        self.questions: list[BankDict] = []
        self.reflections: list[BankDict] = []
        self._used_ids: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def error(
        self, line: int | None, where: str, message: str, code: Code = Code.NOT_IMPORTED
    ) -> None:
        self.problems.append(Problem(self.filename, line, where, message, "error", code))

    def warn(self, line: int | None, where: str, message: str, code: Code = Code.CHANGED) -> None:
        self.problems.append(Problem(self.filename, line, where, message, "warning", code))

    def new_id(self, prefix: str, title: str | None) -> str:
        base = slugify(title or "")
        if base and not base.startswith(f"{prefix}-"):
            base = f"{prefix}-{base}"
        if not base:
            count = len(self.questions if prefix == "q" else self.reflections) + 1
            base = f"{prefix}-{count}"
        n = self._next_suffix.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self._used_ids:
            n += 1
            candidate = f"{base}-{n}"
        self._next_suffix[base] = n + 1
        self._used_ids.add(candidate)
        return candidate

    def add_question(self, question: BankDict, line: int, title: str | None = None) -> bool:
        """Give the question its id (and a placeholder explanation if it has none) and add it, if
        the bank format can hold it; otherwise say why it was left out."""
        cleaned = self._visible_only(question, line, "question")
        if cleaned is not question:  # in place: the reader keeps `question`, reads its id after
            question.clear()
            question.update(cleaned)
        if not question.get("prompt"):
            self.warn(line, "question", "question has no text left after conversion; skipped")
            return False
        if question["type"] in ("single", "multiple") and not self._settle_options(question, line):
            return False
        if question["type"] == "matching" and not self._settle_pairs(question, line):
            return False
        if question["type"] == "short_answer" and not question.get("answers"):
            self.warn(line, "answers", "no accepted answer has text left after conversion; skipped")
            return False
        if not question.get("explanation"):
            self.warn(
                line,
                "explanation",
                "no general feedback to use as the explanation; a "
                "placeholder was written - replace it with one that teaches the why",
                Code.PLACEHOLDER,
            )
            question["explanation"] = placeholder_explanation(self.filename, line)
        question["id"] = self.new_id("q", title)
        self.questions.append(question)
        return True

    def add_reflection(self, prompt: str, title: str | None, line: int) -> None:
        prompt = self._visible_only(prompt, line, "reflection")
        if not prompt:
            self.warn(line, "reflection", "essay has no text left after conversion; skipped")
            return
        self.reflections.append(
            {"id": self.new_id("r", title), "prompt": prompt, "learning_points": []}
        )

    def source_text(self, text: str, entities: bool = False) -> None:
        """Tell the builder the text being read: without a hidden character in it (nor, with
        `entities`, an HTML entity, which could stand for one) no text made from it has one."""
        self.may_hide = has_hidden_characters(text) is not None or (entities and "&" in text)

    def _visible_only(self, value: Any, line: int, where: str) -> Any:
        """`value` with every control, bidi and zero-width character taken out (a bank refuses
        them, since they could disguise text on the officer's screen), saying so once."""
        if not self.may_hide:
            return value
        found: list[str] = []

        def clean(item: Any) -> Any:
            if isinstance(item, str):
                char = has_hidden_characters(item)
                if char is None:
                    return item
                found.append(char)
                return remove_hidden_characters(item).strip()
            if isinstance(item, dict):
                # An optional text left empty is left out; a required one is settled below.
                cleaned = {key: clean(inner) for key, inner in item.items()}
                return {k: v for k, v in cleaned.items() if v != "" or k in _REQUIRED_TEXT}
            if isinstance(item, list):
                return [inner for inner in map(clean, item) if inner != ""]
            return item

        cleaned = clean(value)
        if found:
            self.warn(
                line,
                where,
                f"invisible characters removed ({', '.join(dict.fromkeys(found))}): control, "
                "bidi and zero-width characters could disguise the text on screen",
            )
        return cleaned

    def _settle_options(self, question: BankDict, line: int) -> bool:
        options = []
        seen: dict[str, BankDict] = {}
        for option in question["options"]:
            key = option_key(option["text"])
            if not key:
                self.warn(
                    line,
                    "options",
                    "a choice has no text left after conversion (image only?); it was dropped",
                )
            elif key in seen:
                self.warn(line, "options", f"duplicate choice {option['text']!r} dropped")
                if option.get("correct"):
                    seen[key]["correct"] = True
            else:
                seen[key] = option
                options.append(option)
        question["options"] = options
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            self.warn(
                line,
                "options",
                f"{len(options)} usable choices; a bank question needs "
                f"{MIN_OPTIONS}-{MAX_OPTIONS}; question skipped",
            )
            return False
        correct = sum(1 for o in options if o.get("correct"))
        if question["type"] == "single" and correct != 1 or correct == 0:
            self.warn(
                line,
                "options",
                f"{correct} correct choices left after dropping duplicates; question skipped",
            )
            return False
        return True

    def _settle_pairs(self, question: BankDict, line: int) -> bool:
        pairs: list[BankDict] = []
        lefts: set[str] = set()
        rights: set[str] = set()
        for pair in question["pairs"]:
            left, right = pair["left"].lower(), pair["right"].lower()
            if not left or not right:
                self.warn(line, "pairs", "a pair has no text left on one side; pair dropped")
                continue
            if left in lefts or right in rights:
                self.warn(
                    line,
                    "pairs",
                    f"pair {pair['left']!r} -> {pair['right']!r} repeats a "
                    "side of another pair; bank pairs must be one-to-one; pair dropped",
                )
                continue
            lefts.add(left)
            rights.add(right)
            pairs.append(pair)
        question["pairs"] = pairs
        if not MIN_PAIRS <= len(pairs) <= MAX_PAIRS:
            self.warn(
                line,
                "pairs",
                f"{len(pairs)} usable pairs; a matching question needs "
                f"{MIN_PAIRS}-{MAX_PAIRS}; question skipped",
            )
            return False
        return True

    def result(self, module_id: str = "", title: str = "") -> ImportResult:
        bank = empty_bank(self.filename, module_id, title)
        bank = self._visible_only(bank, 1, "file")  # the title (a category) and the file's name
        bank["title"] = bank.get("title") or "Imported questions"
        bank["questions"] = self.questions
        bank["reflections"] = self.reflections
        bank["estimated_minutes"] = estimated_minutes(len(self.questions))
        if not self.questions:
            self.warn(
                None,
                "file",
                "no question could be imported, so the bank is not usable "
                "as it stands (a bank needs at least one question)",
                Code.NOTHING_IMPORTED,
            )
        return ImportResult(bank, self.problems)
