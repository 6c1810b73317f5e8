"""Moodle GIFT in: `parse_gift` reads a GIFT file into a bank dict (`gift_write` writes one).

Where a strict GIFT grammar and Moodle's importer (question/format/gift/format.php) disagree,
this follows Moodle: questions are blocks separated by blank lines, whole-line `//` comments are
ignored, the first unescaped `{` and the first unescaped `}` delimit the answers, and the question
type is decided in Moodle's order (essay, numerical, `~` choice, `=...->` matching, T/F, short).
Whatever the bank format cannot hold is reported as a warning with its line, never dropped
silently.
"""

from __future__ import annotations

import re
from typing import Any

from scr_cpd.common.text import slugify
from scr_cpd.content.formats.builder import BankBuilder, ImportResult, normalize_newlines
from scr_cpd.content.formats.gift_answers import AnswerReader
from scr_cpd.content.formats.gift_syntax import (
    WS,
    Block,
    GiftQuestion,
    hide_escapes,
    line_end,
    read_blocks,
    show,
    span,
    split_format,
)
from scr_cpd.content.vocabulary import MAX_UNIT_LENGTH

_BLANK = "___"
_TAG_COMMENT = re.compile(r"\[tag:([^\]]+)\]")
_SIDECAR_COMMENT = re.compile(
    r"//\s*scr-cpd\s+(correct_feedback|incorrect_feedback|unit|revision):\s?(.*)"
)


def parse_gift(text: str, filename: str) -> ImportResult:
    """Convert GIFT text to a `scr-cpd/bank@1` dict; problems are returned, never raised."""
    return _GiftParser(filename).parse(text)


class _GiftParser(AnswerReader):
    def __init__(self, filename: str):
        self.out = BankBuilder(filename)
        self.categories: dict[str, None] = {}  # in order of first use; a set for lookups
        self.category: str | None = None
        self.category_of: dict[str, str] = {}

    def parse(self, text: str) -> ImportResult:
        self.out.source_text(text, entities=True)
        for block in read_blocks(normalize_newlines(text).removeprefix("\ufeff")):
            self._block(block)
        self._tag_categories()
        first = _category_name(next(iter(self.categories))) if self.categories else ""
        return self.out.result(slugify(first), first)

    # categories

    def _block(self, block: Block) -> None:
        start, end = span(block.text, 0, len(block.text))
        if start == end:
            return
        if block.text.startswith("$CATEGORY:", start):
            self._category(block, start, end)
        else:
            self._question(block, start, end)

    def _category(self, block: Block, start: int, end: int) -> None:
        first_end = block.text.find("\n", start, end)
        if first_end != -1 and block.text[first_end:end].strip(WS):
            self.out.error(
                block.line_at(first_end + 1),
                "category",
                "no blank line after $CATEGORY: Moodle reads the following lines as "
                "part of the category name, so they were not imported",
            )
            end = first_end
        path = show(block.text[start + len("$CATEGORY:") : end]).strip(WS)
        path = re.sub(r"^\$[a-z]+\$/", "", path)
        line = block.line_at(start)
        if self.categories and path != self.category:
            self.out.warn(
                line,
                "category",
                f"category changes to {path!r}; a bank is one "
                "module, so the questions that follow are tagged "
                f"{slugify(_category_name(path)) or '(nothing)'!r} instead",
            )
        self.category = path
        if path:
            self.categories.setdefault(path)

    def _tag_categories(self) -> None:
        if len(self.categories) < 2:
            return
        for i, question in enumerate(self.out.questions):
            tag = slugify(_category_name(self.category_of.get(question["id"], "")))
            tags = question.get("tags", [])
            if tag and tag not in tags:
                self.out.questions[i] = _with_tags(question, tags + [tag])

    # one question block

    def _question(self, block: Block, start: int, end: int) -> None:
        text = block.text
        title, start = self._title(block, start, end)
        line = block.line_at(start)
        opening, closing = text.find("{", start, end), text.find("}", start, end)
        where = f"question {title!r}" if title else "question"
        if opening == -1 and closing == -1:
            self.out.warn(
                line,
                where,
                "description (text with no answer block) skipped: "
                "a bank holds only questions and reflections",
            )
            return
        if opening == -1 or closing == -1 or closing < opening:
            self._brace_error(block, opening, closing, where)
            return
        self._check_extra_braces(block, opening, closing, end, where)
        q = self._frame(block, title, line, start, opening, closing, end, where)
        if q is not None:
            self._typed(q, where)

    def _title(self, block: Block, start: int, end: int) -> tuple[str | None, int]:
        text = block.text
        if not text.startswith("::", start):
            if text.startswith(":", start) and "::" in text[start + 1 : line_end(text, start)]:
                self.out.warn(
                    block.line_at(start),
                    "title",
                    "text starts like a title with one "
                    "':' missing (a title is ::name::); kept as question text",
                )
            return None, start
        finish = text.find("::", start + 2, end)
        if finish == -1:
            self.out.warn(
                block.line_at(start),
                "title",
                "title has no closing '::'; the leading '::' was dropped, as Moodle does",
            )
            return None, span(text, start + 2, end)[0]
        title = show(text[start + 2 : finish]).strip(WS)
        return title or None, span(text, finish + 2, end)[0]

    def _brace_error(self, block: Block, opening: int, closing: int, where: str) -> None:
        if closing == -1:
            self.out.error(
                block.line_at(opening),
                where,
                "'{' is never closed (a '}' is "
                "missing, or a blank line splits the answers); question not imported",
            )
        elif opening == -1:
            self.out.error(
                block.line_at(closing), where, "'}' with no '{' before it; question not imported"
            )
        else:
            self.out.error(
                block.line_at(closing),
                where,
                "'}' comes before the first '{'; question not imported",
            )

    def _check_extra_braces(
        self, block: Block, opening: int, closing: int, end: int, where: str
    ) -> None:
        inner = block.text.find("{", opening + 1, closing)
        if inner != -1:
            self.out.warn(
                block.line_at(inner),
                where,
                "unescaped '{' inside the answers is kept "
                "as text (Moodle uses the first '{' and first '}'); write it as \\{",
            )
        tail = block.text[closing + 1 : end]
        if "{" in tail or "}" in tail:
            self.out.warn(
                block.line_at(closing + 1),
                where,
                "several {} groups: only the first "
                "is read as answers; the rest stays in the question text, as in Moodle",
            )

    def _frame(
        self,
        block: Block,
        title: str | None,
        line: int,
        start: int,
        opening: int,
        closing: int,
        end: int,
        where: str,
    ) -> GiftQuestion | None:
        text = block.text
        blank = "" if text[end - 1] == "}" else _BLANK
        if blank:
            self.out.warn(
                block.line_at(closing),
                where,
                "missing-word layout: text follows the "
                f"answers, so the prompt shows {_BLANK} where the answer block was",
            )
        raw_prompt = text[start:opening] + blank + text[closing + 1 : end]
        if not show(split_format(raw_prompt, "moodle")[1]).strip(WS):
            self.out.error(line, where, "question has no text; not imported")
            return None
        fmt, prompt = self._convert(raw_prompt, "moodle", line, where)
        a_start, a_end = span(text, opening + 1, closing)
        explanation = ""
        separator = text.rfind("####", a_start, a_end)
        if separator != -1:
            explanation = self._render(
                text[separator + 4 : a_end], fmt, block.line_at(separator), where
            )
            a_end = span(text, a_start, separator)[1]
        return GiftQuestion(block, title, line, fmt, prompt, a_start, a_end, explanation)

    def _typed(self, q: GiftQuestion, where: str) -> None:
        answers = q.answers
        if not answers:
            self._essay(q, where)
        elif answers[0] == "#":
            self._add(q, self._numeric(q, where))
        elif "~" in answers:
            self._add(q, self._choice(q, where))
        elif "=" in answers and "->" in answers:
            self._add(q, self._matching(q, where))
        elif _true_false_word(answers) is not None:
            self._add(q, self._true_false(q, where))
        else:
            self._add(q, self._short_answer(q, where))

    def _add(self, q: GiftQuestion, fields: dict[str, Any] | None) -> None:
        if fields is None:
            return
        question = {"id": "", "type": fields.pop("type")}
        tags = _comment_tags(q.block.comments)
        if tags:
            question["tags"] = tags
        question["prompt"] = q.prompt
        question.update(fields)
        for key in _apply_sidecar(question, q.block.comments):
            self.out.warn(
                q.line,
                key,
                f"'// scr-cpd {key}:' is longer than {MAX_UNIT_LENGTH} characters; left out",
            )
        question["explanation"] = q.explanation
        question["learning_points"] = []
        if self.out.add_question(question, q.line, q.title) and self.category is not None:
            self.category_of[question["id"]] = self.category

    def _essay(self, q: GiftQuestion, where: str) -> None:
        if q.explanation:
            self.out.warn(
                q.line,
                where,
                "essay general feedback left out: reflection prompts have no feedback",
            )
        self.out.add_reflection(q.prompt, q.title, q.line)


# --- small helpers ---------------------------------------------------------------


def _category_name(path: str) -> str:
    """The last part of a Moodle category path ('//' is an escaped '/')."""
    parts = re.split(r"(?<!/)/(?!/)", path.strip("/ "))
    return parts[-1].replace("//", "/").strip() if parts else ""


def _true_false_word(answers: str) -> str | None:
    hash_at = answers.find("#")
    word = answers[:hash_at].strip(WS) if hash_at > 0 else answers
    return word if word in ("T", "TRUE", "F", "FALSE") else None


def _with_tags(question: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """The question with `tags` placed right after its type, where a trainer would write them."""
    rest = {k: v for k, v in question.items() if k not in ("id", "type", "tags")}
    return {"id": question["id"], "type": question["type"], "tags": tags, **rest}


def _comment_tags(comments: list[str]) -> list[str]:
    tags = []
    for comment in comments:
        for raw in _TAG_COMMENT.findall(comment):
            tag = slugify(raw)
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _apply_sidecar(question: dict[str, Any], comments: list[str]) -> list[str]:
    """Fields GIFT has no place for, written by bank_to_gift as `// scr-cpd key: value` comments
    (Moodle ignores them); the answer block wins when it carries the same field. Returns the
    keys left out for being too long."""
    too_long = []
    for comment in comments:
        match = _SIDECAR_COMMENT.fullmatch(comment)
        if not match:
            continue
        key, value = match.group(1), show(hide_escapes(match.group(2))).strip(WS)
        if key == "revision":
            if value.isdigit() and len(value) < 6 and "revision" not in question:
                question["revision"] = int(value)
        elif value and key not in question and (key != "unit" or question["type"] == "numeric"):
            if key == "unit" and len(value) > MAX_UNIT_LENGTH:
                too_long.append(key)
            else:
                question[key] = value
    return too_long
