"""What the GIFT reader and writer share: Moodle's trimming, escapes, text formats and the
blocks a GIFT file is made of (one question each, between blank lines)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from scr_cpd.content.formats.html_text import html_to_text, looks_like_html

WS = " \t\n\r\0\x0b"  # what PHP's trim() strips; Moodle trims with it, not with str.strip()
TEXT_FORMATS = ("moodle", "html", "plain", "markdown")

# Escapes are swapped for private-use characters before parsing, as Moodle does with its
# "&&035;" placeholders, so an escaped control character never splits anything.
_ESCAPABLE = "\\:#={}~n"
_HIDDEN = {c: chr(0xE000 + i) for i, c in enumerate(_ESCAPABLE)}
_SHOWN = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _HIDDEN.items()})
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")


def hide_escapes(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _HIDDEN[m.group(1)], text)


def show(text: str) -> str:
    return text.translate(_SHOWN)


@dataclass
class Block:
    """One question's lines: trimmed, escapes hidden, comment lines taken out (kept apart)."""

    text: str
    comments: list[str]
    line_numbers: list[int]  # source line of each line of `text`
    newlines: list[int]

    def line_at(self, offset: int) -> int:
        return self.line_numbers[bisect_left(self.newlines, offset)]


_NEWLINE = re.compile("\n")


def read_blocks(text: str) -> Iterator[Block]:
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(WS)
        if line:
            current.append((number, line))
        elif current:
            yield make_block(current)
            current = []
    if current:
        yield make_block(current)


def make_block(lines: list[tuple[int, str]]) -> Block:
    # Moodle blanks comment lines; dropping them keeps a stray empty line out of the prompt.
    comments = [line for _, line in lines if line.startswith("//")]
    kept = [(n, line) for n, line in lines if not line.startswith("//")] or [(lines[0][0], "")]
    body = hide_escapes("\n".join(line for _, line in kept))
    newlines = [m.start() for m in _NEWLINE.finditer(body)]
    return Block(body, comments, [n for n, _ in kept], newlines)


def span(text: str, start: int, end: int) -> tuple[int, int]:
    """The part of text[start:end] left after PHP-style trimming."""
    while start < end and text[start] in WS:
        start += 1
    while end > start and text[end - 1] in WS:
        end -= 1
    return start, end


def split_format(raw: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a leading [html]/[markdown]/... tag sets the format."""
    if raw.startswith("["):
        close = raw.find("]")
        if close > 0 and raw[1:close] in TEXT_FORMATS:
            return raw[1:close], raw[close + 1 :]
    return default, raw


def to_plain(raw: str, fmt: str) -> tuple[str, list[str]]:
    """Plain text for the terminal from text in a Moodle format, plus any media it referred to."""
    text = show(raw).strip(WS)
    if fmt == "html" or (fmt == "moodle" and looks_like_html(text)):
        return html_to_text(text, keep_newlines=fmt == "moodle")
    return text, ["@@PLUGINFILE@@"] if "@@PLUGINFILE@@" in text else []


@dataclass
class GiftQuestion:
    """What every question type shares once the braces have been found."""

    block: Block
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


def line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end == -1 else end
