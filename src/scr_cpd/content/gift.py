"""Moodle GIFT: `parse_gift` reads a GIFT file into a bank dict, `bank_to_gift` writes one.

Where a strict GIFT grammar and Moodle's importer (question/format/gift/format.php) disagree,
this follows Moodle: questions are blocks separated by blank lines, whole-line `//` comments are
ignored, the first unescaped `{` and the first unescaped `}` delimit the answers, and the question
type is decided in Moodle's order (essay, numerical, `~` choice, `=...->` matching, T/F, short).
Whatever the bank format cannot hold is reported as a warning with its line, never dropped
silently.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from html.parser import HTMLParser

from scr_cpd.content.importing import BankBuilder, ImportResult, normalize_newlines, slugify

_WS = " \t\n\r\0\x0b"  # what PHP's trim() strips; Moodle trims with it, not with str.strip()
_BLANK = "___"
_TEXT_FORMATS = ("moodle", "html", "plain", "markdown")
_FULL = 99.999  # a weight at or above this is full credit (Moodle writes 100 or 100.0)

# Escapes are swapped for private-use characters before parsing, as Moodle does with its
# "&&035;" placeholders, so an escaped control character never splits anything.
_ESCAPABLE = "\\:#={}~n"
_HIDDEN = {c: chr(0xE000 + i) for i, c in enumerate(_ESCAPABLE)}
_SHOWN = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _HIDDEN.items()})
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_WEIGHT_RE = re.compile(r"%-*\d{1,2}\.?\d*%")
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CHOICE_SPLIT = re.compile(r"[~=]")
_EQUALS = re.compile("=")
_TAG_COMMENT = re.compile(r"\[tag:([^\]]+)\]")
_SIDECAR_COMMENT = re.compile(
    r"//\s*scr-cpd\s+(correct_feedback|incorrect_feedback|unit|revision):\s?(.*)"
)
_LOOKS_HTML = re.compile(
    r"</?(p|br|div|span|img|a|b|i|u|em|strong|ul|ol|li|table|tr|td|th|h[1-6]|pre|code|sup|sub|"
    r"font|hr|audio|video|iframe|blockquote)\b[^<>]*>|&(nbsp|amp|lt|gt|quot|#\d+);",
    re.I,
)


def parse_gift(text: str, filename: str) -> ImportResult:
    """Convert GIFT text to a `scr-cpd/bank@1` dict; problems are returned, never raised."""
    return _GiftParser(filename).parse(text)


# --- blocks and escapes ------------------------------------------------------------------------


def _hide_escapes(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _HIDDEN[m.group(1)], text)


def _show(text: str) -> str:
    return text.translate(_SHOWN)


@dataclass
class _Block:
    """One question's lines: trimmed, escapes hidden, comment lines taken out (kept apart)."""

    text: str
    comments: list[str]
    line_numbers: list[int]  # source line of each line of `text`
    newlines: list[int]

    def line_at(self, offset: int) -> int:
        return self.line_numbers[bisect_left(self.newlines, offset)]


def _read_blocks(text: str):
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(_WS)
        if line:
            current.append((number, line))
        elif current:
            yield _make_block(current)
            current = []
    if current:
        yield _make_block(current)


def _make_block(lines: list[tuple[int, str]]) -> _Block:
    # Moodle blanks comment lines; dropping them keeps a stray empty line out of the prompt.
    comments = [line for _, line in lines if line.startswith("//")]
    kept = [(n, line) for n, line in lines if not line.startswith("//")] or [(lines[0][0], "")]
    body = _hide_escapes("\n".join(line for _, line in kept))
    newlines = [i for i, ch in enumerate(body) if ch == "\n"]
    return _Block(body, comments, [n for n, _ in kept], newlines)


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    """The part of text[start:end] left after PHP-style trimming."""
    while start < end and text[start] in _WS:
        start += 1
    while end > start and text[end - 1] in _WS:
        end -= 1
    return start, end


# --- text formats --------------------------------------------------------------------------


def _split_format(raw: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a leading [html]/[markdown]/... tag sets the format."""
    if raw.startswith("["):
        close = raw.find("]")
        if close > 0 and raw[1:close] in _TEXT_FORMATS:
            return raw[1:close], raw[close + 1 :]
    return default, raw


def _to_plain(raw: str, fmt: str) -> tuple[str, list[str]]:
    """Plain text for the terminal from text in a Moodle format, plus any media it referred to."""
    text = _show(raw).strip(_WS)
    if fmt == "html" or (fmt == "moodle" and _LOOKS_HTML.search(text)):
        return html_to_text(text, keep_newlines=fmt == "moodle")
    return text, ["@@PLUGINFILE@@"] if "@@PLUGINFILE@@" in text else []


_PRE_SPACE, _PRE_NEWLINE = "\ue0f0", "\ue0f1"


class _HtmlText(HTMLParser):
    _BLOCKS = {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "table",
        "tr",
        "blockquote",
        "pre",
    }
    _MEDIA = {"img", "audio", "video", "source", "embed", "object", "iframe"}

    def __init__(self, keep_newlines: bool):
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.media: list[str] = []
        self._links: list[tuple[str, int]] = []
        self._pre = 0
        self._pre_opened = False  # HTML drops a newline straight after <pre>

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self._pre += 1
                self._pre_opened = True
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._MEDIA:
            self.media.append(values.get("src") or values.get("data") or f"<{tag}>")
        elif tag == "a":
            self._links.append((values.get("href", ""), len(self.parts)))

    def handle_endtag(self, tag):
        if tag in self._BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre" and self._pre:
                self._pre -= 1
        elif tag == "a" and self._links:
            self._close_link(*self._links.pop())

    def _close_link(self, href: str, first_part: int) -> None:
        if "@@PLUGINFILE@@" in href:
            self.media.append(href)
        elif href.startswith(("http://", "https://", "mailto:")):
            shown = "".join(self.parts[first_part : first_part + 50])  # bounded: links can nest
            if href not in shown:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if self._pre:
            if self._pre_opened and data.startswith("\n"):
                data = data[1:]
            self._pre_opened = False
            self.parts.append(data.replace(" ", _PRE_SPACE).replace("\n", _PRE_NEWLINE))
        elif self.keep_newlines:
            self.parts.append("\n".join(re.sub(r"\s+", " ", part) for part in data.split("\n")))
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str, keep_newlines: bool = False) -> tuple[str, list[str]]:
    """Readable text from HTML: tags removed, entities decoded, breaks kept from <br>/<p>."""
    parser = _HtmlText(keep_newlines)
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # noqa: BLE001 - html.parser still trips on odd "<!" markup
        import html as html_lib

        text = html_lib.unescape(re.sub(r"<[^<>]*>", " ", html))
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.replace(_PRE_SPACE, " ").replace(_PRE_NEWLINE, "\n").strip(), parser.media


# --- the parser --------------------------------------------------------------------------


@dataclass
class _Question:
    """What every question type shares once the braces have been found."""

    block: _Block
    title: str | None
    line: int
    fmt: str
    prompt: str
    start: int  # the answer text, trimmed, general feedback removed: block.text[start:end]
    end: int
    explanation: str

    @property
    def answers(self) -> str:
        return self.block.text[self.start : self.end]


class _GiftParser:
    def __init__(self, filename: str):
        self.out = BankBuilder(filename)
        self.categories: list[str] = []
        self.category: str | None = None
        self.category_of: dict[str, str] = {}

    def parse(self, text: str) -> ImportResult:
        for block in _read_blocks(normalize_newlines(text).removeprefix("\ufeff")):
            self._block(block)
        self._tag_categories()
        first = _category_name(self.categories[0]) if self.categories else ""
        return self.out.result(slugify(first), first)

    # categories

    def _block(self, block: _Block) -> None:
        start, end = _span(block.text, 0, len(block.text))
        if start == end:
            return
        if block.text.startswith("$CATEGORY:", start):
            self._category(block, start, end)
        else:
            self._question(block, start, end)

    def _category(self, block: _Block, start: int, end: int) -> None:
        first_end = block.text.find("\n", start, end)
        if first_end != -1 and block.text[first_end:end].strip(_WS):
            self.out.error(
                block.line_at(first_end + 1),
                "category",
                "no blank line after $CATEGORY: Moodle reads the following lines as "
                "part of the category name, so they were not imported",
            )
            end = first_end
        path = _show(block.text[start + len("$CATEGORY:") : end]).strip(_WS)
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
        if path and path not in self.categories:
            self.categories.append(path)

    def _tag_categories(self) -> None:
        if len(self.categories) < 2:
            return
        for i, question in enumerate(self.out.questions):
            tag = slugify(_category_name(self.category_of.get(question["id"], "")))
            tags = question.get("tags", [])
            if tag and tag not in tags:
                self.out.questions[i] = _with_tags(question, tags + [tag])

    # one question block

    def _question(self, block: _Block, start: int, end: int) -> None:
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

    def _title(self, block: _Block, start: int, end: int) -> tuple[str | None, int]:
        text = block.text
        if not text.startswith("::", start):
            if text.startswith(":", start) and "::" in text[start + 1 : _line_end(text, start)]:
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
            return None, _span(text, start + 2, end)[0]
        title = _show(text[start + 2 : finish]).strip(_WS)
        return title or None, _span(text, finish + 2, end)[0]

    def _brace_error(self, block: _Block, opening: int, closing: int, where: str) -> None:
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

    def _check_extra_braces(self, block, opening, closing, end, where) -> None:
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

    def _frame(self, block, title, line, start, opening, closing, end, where) -> _Question | None:
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
        if not _show(_split_format(raw_prompt, "moodle")[1]).strip(_WS):
            self.out.error(line, where, "question has no text; not imported")
            return None
        fmt, prompt = self._convert(raw_prompt, "moodle", line, where)
        a_start, a_end = _span(text, opening + 1, closing)
        explanation = ""
        separator = text.rfind("####", a_start, a_end)
        if separator != -1:
            explanation = self._render(
                text[separator + 4 : a_end], fmt, block.line_at(separator), where
            )
            a_end = _span(text, a_start, separator)[1]
        return _Question(block, title, line, fmt, prompt, a_start, a_end, explanation)

    def _convert(self, raw: str, fmt: str, line: int, where: str) -> tuple[str, str]:
        """(format, plain text) of a piece of GIFT text; media it referred to are reported."""
        fmt, raw = _split_format(raw.strip(_WS), fmt)
        text, media = _to_plain(raw, fmt)
        for ref in media:
            self.out.warn(line, where, f"media left out (the terminal cannot show it): {ref}")
        return fmt, text

    def _render(self, raw: str, fmt: str, line: int, where: str) -> str:
        return self._convert(raw, fmt, line, where)[1]

    def _typed(self, q: _Question, where: str) -> None:
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

    def _add(self, q: _Question, fields: dict | None) -> None:
        if fields is None:
            return
        question = {"id": "", "type": fields.pop("type")}
        tags = _comment_tags(q.block.comments)
        if tags:
            question["tags"] = tags
        question["prompt"] = q.prompt
        question.update(fields)
        _apply_sidecar(question, q.block.comments)
        question["explanation"] = q.explanation
        question["learning_points"] = []
        if self.out.add_question(question, q.line, q.title) and self.category is not None:
            self.category_of[question["id"]] = self.category

    def _essay(self, q: _Question, where: str) -> None:
        if q.explanation:
            self.out.warn(
                q.line,
                where,
                "essay general feedback left out: reflection prompts have no feedback",
            )
        self.out.add_reflection(q.prompt, q.title, q.line)

    # answer pieces

    @staticmethod
    def _pieces(block: _Block, start: int, end: int, pattern: re.Pattern, keep_marker: bool):
        """Moodle's explode(): (line, trimmed piece, had_marker) per answer, the first piece
        dropped when empty. `keep_marker` keeps '=' on choices, like Moodle's "~=" trick."""
        text = block.text
        markers = list(pattern.finditer(text, start, end))
        begins = [start] + [
            m.start() if keep_marker and m.group() == "=" else m.end() for m in markers
        ]
        finishes = [m.start() for m in markers] + [end]
        pieces = []
        for i, (begin, finish) in enumerate(zip(begins, finishes)):
            begin, finish = _span(text, begin, finish)
            if i == 0 and begin == finish:
                continue
            pieces.append((block.line_at(begin), text[begin:finish], i > 0))
        return pieces

    def _feedback(self, raw: str | None, fmt: str, line: int, where: str) -> str:
        if raw is None:
            return ""
        if "#" in raw:
            self.out.warn(line, where, "unescaped '#' inside feedback kept as text; write \\#")
        return self._render(raw, fmt, line, where)

    # multiple choice

    def _choice(self, q: _Question, where: str) -> dict | None:
        pieces = self._pieces(q.block, q.start, q.end, _CHOICE_SPLIT, True)
        if len(pieces) < 2:
            self.out.error(q.line, where, "a choice question needs at least 2 choices")
            return None
        single_mode = "=" in q.answers
        options, weights = [], []
        for line, raw, had_marker in pieces:
            weight, body = self._choice_weight(raw, had_marker, line, where)
            answer, hash_, feedback = body.partition("#")
            option = {"text": self._render(answer, q.fmt, line, where)}
            feedback_text = self._feedback(feedback if hash_ else None, q.fmt, line, where)
            if feedback_text:
                option["feedback"] = feedback_text
            options.append(option)
            weights.append((weight, line))
        return self._choice_fields(q, options, weights, single_mode, where)

    def _choice_weight(self, raw: str, had_marker: bool, line: int, where: str):
        if raw.startswith("="):
            if _WEIGHT_RE.match(raw, 1):
                self.out.warn(
                    line,
                    where,
                    "a weight after '=' is ignored (the answer counts "
                    "100% and the %..% stays in its text, as in Moodle); use ~%n%",
                )
            return 100.0, raw[1:]
        match = _WEIGHT_RE.match(raw)
        if match:
            return _weight_value(match.group()), raw[match.end() :]
        if not had_marker:
            self.out.warn(
                line,
                where,
                f"choice {raw[:40]!r} has no '=' or '~' in front; read "
                "as a wrong choice (0%), as Moodle does",
            )
        return 0.0, raw

    def _choice_fields(self, q, options, weights, single_mode, where) -> dict | None:
        if single_mode:
            correct = [w >= _FULL for w, _ in weights]
            for (w, line), option in zip(weights, options):
                if 0 < w < _FULL:
                    self.out.warn(
                        line,
                        where,
                        f"partial credit {w:g}% on {option['text']!r} "
                        "cannot be expressed; the choice counts as wrong",
                    )
        else:
            correct = [w > 0 for w, _ in weights]
            self._check_all_or_nothing([w for w, _ in weights], q.line, where)
        if not any(correct):
            self.out.error(
                q.line,
                where,
                "no correct choice (no '=' and no positive %weight%); question not imported",
            )
            return None
        for option, is_correct in zip(options, correct):
            if is_correct:
                option["correct"] = True
        kind = "multiple" if not single_mode or sum(correct) > 1 else "single"
        if single_mode and kind == "multiple":
            self.out.warn(
                q.line,
                where,
                f"{sum(correct)} '=' answers (Moodle accepts any one of "
                "them): imported as 'multiple', where all of them must be chosen",
            )
        return {"type": kind, "options": [_ordered_option(o) for o in options]}

    def _check_all_or_nothing(self, weights: list[float], line: int, where: str) -> None:
        positive = [w for w in weights if w > 0]
        if not positive:
            return
        equal = max(positive) - min(positive) < 0.01
        if not equal or abs(sum(positive) - 100) > 0.1:
            shown = ", ".join(f"{w:g}%" for w in weights)
            self.out.warn(
                line,
                where,
                f"partial weights ({shown}) are not all-or-nothing; every "
                "choice with a positive weight now simply counts as correct",
            )

    # true/false

    def _true_false(self, q: _Question, where: str) -> dict:
        word, *feedbacks = q.answers.split("#", 2)
        fields = {"type": "true_false", "answer": word.strip(_WS) in ("T", "TRUE")}
        # Moodle: the first feedback is shown after a wrong answer, the second after a right one.
        for key, raw in zip(("incorrect_feedback", "correct_feedback"), feedbacks):
            text = self._render(raw, q.fmt, q.line, where)
            if text:
                fields[key] = text
        return fields

    # short answer

    def _short_answer(self, q: _Question, where: str) -> dict | None:
        pieces = self._pieces(q.block, q.start, q.end, _EQUALS, False)
        if pieces and not pieces[0][2]:
            self.out.warn(
                q.line,
                where,
                "the answer has no '=' in front; Moodle reads it as the "
                "one accepted answer, and so does this import",
            )
        accepted, correct_feedbacks, fields = [], [], {"type": "short_answer"}
        for line, raw, _ in pieces:
            weight, answer, feedback = self._weighted_answer(raw, q.fmt, line, where)
            if answer == "*" and weight < _FULL:
                if feedback:
                    fields["incorrect_feedback"] = feedback
            elif weight < _FULL:
                self.out.warn(
                    line,
                    where,
                    f"answer {answer!r} worth {weight:g}% dropped: only "
                    "full-credit answers can be kept",
                )
            else:
                accepted.extend(self._literal_answer(answer, line, where))
                if feedback:
                    correct_feedbacks.append(feedback)
        accepted = self._unique_answers(accepted, q.line, where)
        if not accepted:
            self.out.error(q.line, where, "no full-credit answer; question not imported")
            return None
        fields["answers"] = accepted
        self._one_correct_feedback(fields, correct_feedbacks, q.line, where)
        return _ordered_short(fields)

    def _weighted_answer(self, raw: str, fmt: str, line: int, where: str):
        match = _WEIGHT_RE.match(raw)
        weight = _weight_value(match.group()) if match else 100.0
        body = raw[match.end() :] if match else raw
        answer, hash_, feedback = body.partition("#")
        feedback_text = self._feedback(feedback if hash_ else None, fmt, line, where)
        return weight, self._render(answer, fmt, line, where), feedback_text

    def _literal_answer(self, answer: str, line: int, where: str) -> list[str]:
        """Moodle short answers treat '*' as a wildcard and '\\*' as a literal asterisk."""
        if re.search(r"(?<!\\)\*", answer):
            plain = " ".join(re.sub(r"(?<!\\)\*", " ", answer).split())
            plain = plain.replace("\\*", "*")
            self.out.warn(
                line,
                where,
                f"wildcard answer {answer!r} cannot be expressed; "
                + (f"kept as {plain!r}" if plain else "dropped"),
            )
            return [plain] if plain else []
        return [answer.replace("\\*", "*")] if answer else []

    def _unique_answers(self, answers: list[str], line: int, where: str) -> list[str]:
        unique, seen = [], set()
        for answer in answers:
            key = " ".join(answer.lower().split())
            if key in seen:
                self.out.warn(
                    line,
                    where,
                    f"answer {answer!r} repeats another (answers are "
                    "compared ignoring case and spaces); dropped",
                )
                continue
            seen.add(key)
            unique.append(answer)
        return unique

    def _one_correct_feedback(self, fields, feedbacks, line, where) -> None:
        distinct = list(dict.fromkeys(feedbacks))
        if distinct:
            fields["correct_feedback"] = distinct[0]
        if len(distinct) > 1:
            self.out.warn(
                line,
                where,
                "accepted answers have different feedback; only the "
                "first is kept, as the correct-answer feedback",
            )

    # numerical

    def _numeric(self, q: _Question, where: str) -> dict | None:
        text = q.block.text
        start, end = q.start + 1, q.end
        wrong = text.find("~", start, end)
        fields: dict = {"type": "numeric"}
        if wrong != -1:
            _, hash_, raw = text[wrong:end].partition("#")
            feedback = self._render(raw, q.fmt, q.block.line_at(wrong), where) if hash_ else ""
            if feedback:
                fields["incorrect_feedback"] = feedback
            end = wrong
        pieces = self._pieces(q.block, start, end, _EQUALS, False)
        if not pieces:
            self.out.error(q.line, where, "numerical question with no answer; not imported")
            return None
        values = []
        for line, raw, _ in pieces:
            parsed = self._numeric_answer(raw, q.fmt, line, where)
            if parsed is None:
                return None
            values.append((line, *parsed))
        return self._numeric_fields(fields, values, q.line, where)

    def _numeric_answer(self, raw: str, fmt: str, line: int, where: str):
        match = _WEIGHT_RE.match(raw)
        weight = _weight_value(match.group()) if match else 100.0
        body = raw[match.end() :] if match else raw
        value, hash_, feedback = body.partition("#")
        value = _show(value).strip(_WS)
        answer, tolerance = _number_and_tolerance(value)
        if answer is None and value == "*":
            return weight, None, None, self._feedback(feedback if hash_ else None, fmt, line, where)
        if answer is None or tolerance is None:
            self.out.error(
                line,
                where,
                f"numerical answer {value!r} is not a number, number:"
                "tolerance or min..max; question not imported",
            )
            return None
        if tolerance < 0:
            self.out.warn(line, where, f"negative tolerance in {value!r} made positive")
            tolerance = -tolerance
        return (
            weight,
            answer,
            tolerance,
            self._feedback(feedback if hash_ else None, fmt, line, where),
        )

    def _numeric_fields(self, fields: dict, values: list, line: int, where: str) -> dict | None:
        kept = None
        for answer_line, weight, answer, tolerance, feedback in values:
            if answer is None:  # '*' = any other answer
                if feedback and "incorrect_feedback" not in fields:
                    fields["incorrect_feedback"] = feedback
            elif weight >= _FULL and kept is None:
                kept = (answer, tolerance, feedback)
            else:
                self.out.warn(
                    answer_line,
                    where,
                    f"numerical answer {_number_text(answer)} "
                    f"(worth {weight:g}%) dropped: a bank question keeps one answer",
                )
        if kept is None:
            self.out.error(line, where, "no full-credit numerical answer; question not imported")
            return None
        answer, tolerance, feedback = kept
        result = {"type": "numeric", "answer": answer, "tolerance": tolerance}
        if feedback:
            result["correct_feedback"] = feedback
        if "incorrect_feedback" in fields:
            result["incorrect_feedback"] = fields["incorrect_feedback"]
        return result

    # matching

    def _matching(self, q: _Question, where: str) -> dict | None:
        pieces = self._pieces(q.block, q.start, q.end, _EQUALS, False)
        if len(pieces) < 2:
            self.out.error(q.line, where, "a matching question needs at least 2 pairs")
            return None
        pairs = []
        for line, raw, _ in pieces:
            if "->" not in raw:
                self.out.error(
                    line, where, f"matching pair {raw[:40]!r} has no '->'; question not imported"
                )
                return None
            left_raw, _, right_raw = raw.partition("->")
            left = self._render(left_raw, q.fmt, line, where)
            right = _show(right_raw).strip(_WS)
            if not left or not right:
                self.out.warn(
                    line,
                    where,
                    f"pair with an empty side ({left!r} -> {right!r}) is "
                    "an extra distractor in Moodle; bank pairs cannot hold it; dropped",
                )
                continue
            pairs.append({"left": left, "right": right})
        return {"type": "matching", "pairs": pairs}


# --- small helpers -------------------------------------------------------------------------


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end == -1 else end


def _category_name(path: str) -> str:
    """The last part of a Moodle category path ('//' is an escaped '/')."""
    parts = re.split(r"(?<!/)/(?!/)", path.strip("/ "))
    return parts[-1].replace("//", "/").strip() if parts else ""


def _true_false_word(answers: str) -> str | None:
    hash_at = answers.find("#")
    word = answers[:hash_at].strip(_WS) if hash_at > 0 else answers
    return word if word in ("T", "TRUE", "F", "FALSE") else None


def _weight_value(weight: str) -> float:
    try:
        return float(weight.strip("%"))
    except ValueError:
        return 0.0


def _number(text: str) -> int | float | None:
    text = text.strip(_WS)
    if not _NUMBER_RE.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    value = float(text)
    return value if math.isfinite(value) else None


def _tidy(value: float) -> int | float:
    value = float(f"{value:.12g}")
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _number_and_tolerance(value: str):
    """Moodle's numerical forms: 'n', 'n:tolerance' and 'min..max' (stored as mid ± half)."""
    marker = value.find("..")
    if marker > 0:
        low, high = _number(value[:marker]), _number(value[marker + 2 :])
        if low is None or high is None:
            return None, None
        middle = (low + high) / 2
        return _tidy(middle), _tidy(high - middle)
    marker = value.find(":")
    if marker > 0:
        return _number(value[:marker]), _number(value[marker + 1 :])
    return _number(value), 0


def _number_text(value: int | float) -> str:
    return str(_tidy(value))


def _ordered_option(option: dict) -> dict:
    ordered = {"text": option["text"]}
    if option.get("correct"):
        ordered["correct"] = True
    if option.get("feedback"):
        ordered["feedback"] = option["feedback"]
    return ordered


def _ordered_short(fields: dict) -> dict:
    keys = ("type", "answers", "correct_feedback", "incorrect_feedback")
    return {k: fields[k] for k in keys if fields.get(k)}


def _with_tags(question: dict, tags: list[str]) -> dict:
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


def _apply_sidecar(question: dict, comments: list[str]) -> None:
    """Fields GIFT has no place for, written by bank_to_gift as `// scr-cpd key: value` comments
    (Moodle ignores them); the answer block wins when it carries the same field."""
    for comment in comments:
        match = _SIDECAR_COMMENT.fullmatch(comment)
        if not match:
            continue
        key, value = match.group(1), _show(_hide_escapes(match.group(2))).strip(_WS)
        if key == "revision":
            # A revision above 1 tells officers' progress the meaning changed; keep it as a number.
            if value.isdigit() and "revision" not in question:
                question["revision"] = int(value)
        elif value and key not in question and (key != "unit" or question["type"] == "numeric"):
            question[key] = value


# --- export --------------------------------------------------------------------------------


def bank_to_gift(bank: dict) -> str:
    """A GIFT file Moodle can import. Bank-only fields (learning points, sources, ...) are not
    carried; feedback GIFT has no place for is kept in `// scr-cpd` comments, which Moodle
    ignores and parse_gift reads back. `gift_export_problems` lists everything not carried."""
    blocks = [
        f"$CATEGORY: {bank.get('id', 'imported')}",
        f"// {' '.join(str(bank.get('title', '')).split())}",
    ]
    blocks += [_question_to_gift(q) for q in bank.get("questions", []) if _exportable(q)]
    blocks += [
        f"::{_escape(r['id'])}::[markdown]{_escape(r['prompt'])}{{}}"
        for r in bank.get("reflections", [])
    ]
    return "\n\n".join(blocks) + "\n"


def gift_export_problems(bank: dict) -> list[str]:
    """What `bank_to_gift` cannot hand to Moodle intact, one message per thing."""
    messages = []
    for question in bank.get("questions", []):
        qid = question.get("id", "?")
        for answer in question.get("answers", []) if question["type"] == "short_answer" else []:
            if "->" in answer:
                messages.append(
                    f"{qid}: answer {answer!r} contains '->', which Moodle reads as "
                    "a matching question; left out"
                )
        for pair in question.get("pairs", []) if question["type"] == "matching" else []:
            if "->" in pair["left"]:
                messages.append(
                    f"{qid}: pair {pair['left']!r} contains '->' on its left side, "
                    "which GIFT cannot write; left out"
                )
        if not _exportable(question):
            messages.append(f"{qid}: nothing of the question is left to write; question left out")
        for key in _sidecar_fields(question):
            messages.append(
                f"{qid}: GIFT has no place for {key}; kept as a '// scr-cpd' "
                "comment, which Moodle ignores"
            )
    if bank.get("learning_points"):
        messages.append(
            "learning points, sources and other bank-only fields are not part of "
            "GIFT and are not exported"
        )
    return messages


def _question_to_gift(question: dict) -> str:
    lines = [f"// [tag:{tag}]" for tag in question.get("tags", [])]
    lines += [
        f"// scr-cpd {key}: {_escape(str(question[key]))}" for key in _sidecar_fields(question)
    ]
    answers = _ANSWER_WRITERS[question["type"]](question)
    lines.append(f"::{_escape(question['id'])}::[markdown]{_escape(question['prompt'])}{answers}")
    return "\n".join(lines)


_SIDECAR_FIELDS = {
    "single": ("correct_feedback", "incorrect_feedback"),
    "multiple": ("correct_feedback", "incorrect_feedback"),
    "matching": ("correct_feedback", "incorrect_feedback"),
    "numeric": ("unit",),
}


def _sidecar_fields(question: dict) -> list[str]:
    keys = list(_SIDECAR_FIELDS.get(question["type"], ()))
    if question["type"] == "short_answer":
        # Any '->' in a block that also holds '=' makes Moodle read it as matching.
        keys += [
            k
            for k in ("correct_feedback", "incorrect_feedback")
            if "->" in str(question.get(k, ""))
        ]
    if question.get("revision", 1) != 1:
        keys.append("revision")
    return [key for key in keys if question.get(key)]


def _short_answers_to_write(question: dict) -> list[str]:
    return [a for a in question["answers"] if "->" not in a]


def _pairs_to_write(question: dict) -> list[dict]:
    return [p for p in question["pairs"] if "->" not in p["left"]]


def _exportable(question: dict) -> bool:
    if question["type"] == "short_answer":
        return bool(_short_answers_to_write(question))
    if question["type"] == "matching":
        return len(_pairs_to_write(question)) >= 2
    return True


def _escape(text: str) -> str:
    """Moodle's repchar(): backslash doubled, control characters escaped, newlines as \\n."""
    text = str(text).replace("\r", "").replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text(text: str) -> str:
    """Escaped text that cannot be mistaken for a leading [format] tag."""
    guard = "[markdown]" if _split_format(str(text), "")[0] else ""
    return guard + _escape(text)


def _feedback_suffix(feedback: str | None) -> str:
    return f"#{_text(feedback)}" if feedback else ""


def _general(question: dict) -> str:
    return f"\t####{_text(question['explanation'])}"


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _single_prefix(option: dict) -> str:
    # After '~' a text starting with '%' would be read as a weight, so give an explicit 0%;
    # after '=' Moodle never reads a weight.
    if option.get("correct"):
        return "="
    return "~%0%" if option["text"].startswith("%") else "~"


def _choices_to_gift(question: dict) -> str:
    options = question["options"]
    if question["type"] == "multiple":
        right = sum(1 for o in options if o.get("correct")) or 1
        wrong = (len(options) - right) or 1
        lines = [
            f"\t~%{_percent(100 / right if o.get('correct') else -100 / wrong)}%"
            f"{_text(o['text'])}{_feedback_suffix(o.get('feedback'))}"
            for o in options
        ]
    else:
        lines = [
            f"\t{_single_prefix(o)}{_text(o['text'])}{_feedback_suffix(o.get('feedback'))}"
            for o in options
        ]
    return "{\n" + "\n".join(lines + [_general(question)]) + "\n}"


def _exact_number(value: int | float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _true_false_to_gift(question: dict) -> str:
    word = "TRUE" if question["answer"] else "FALSE"
    wrong, right = question.get("incorrect_feedback"), question.get("correct_feedback")
    feedback = f"#{_text(wrong) if wrong else ''}" if wrong or right else ""
    feedback += f"#{_text(right)}" if right else ""
    return f"{{{word}{feedback}####{_text(question['explanation'])}}}"


def _numeric_to_gift(question: dict) -> str:
    value = f"{_exact_number(question['answer'])}:{_exact_number(question.get('tolerance', 0))}"
    right, wrong = question.get("correct_feedback"), question.get("incorrect_feedback")
    if not right and not wrong:
        return f"{{#{value}####{_text(question['explanation'])}}}"
    lines = [f"\t={value}{_feedback_suffix(right)}"]
    if wrong:
        lines.append(f"\t~#{_text(wrong)}")
    return "{#\n" + "\n".join(lines + [_general(question)]) + "\n}"


def _short_answer_to_gift(question: dict) -> str:
    inline = {k: v for k, v in question.items() if k.endswith("_feedback") and "->" not in v}
    right = _feedback_suffix(inline.get("correct_feedback"))
    # Moodle short answers read '=%n%' as a weight and '*' as a wildcard ('\\*' is a literal *).
    lines = [
        f"\t={'%100%' if a.startswith('%') else ''}{_text(a)}".replace("*", "\\*") + right
        for a in _short_answers_to_write(question)
    ]
    if inline.get("incorrect_feedback"):
        lines.append(f"\t=%0%*#{_text(inline['incorrect_feedback'])}")
    return "{\n" + "\n".join(lines + [_general(question)]) + "\n}"


def _matching_to_gift(question: dict) -> str:
    lines = [f"\t={_text(p['left'])} -> {_escape(p['right'])}" for p in _pairs_to_write(question)]
    return "{\n" + "\n".join(lines + [_general(question)]) + "\n}"


_ANSWER_WRITERS = {
    "single": _choices_to_gift,
    "multiple": _choices_to_gift,
    "true_false": _true_false_to_gift,
    "numeric": _numeric_to_gift,
    "short_answer": _short_answer_to_gift,
    "matching": _matching_to_gift,
}
