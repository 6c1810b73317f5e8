"""Write a bank dict as readable YAML in the field order of the format's documentation."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scr_cpd.content.yamlsource import LineMap

BANK_ORDER = (
    "format",
    "id",
    "title",
    "version",
    "summary",
    "estimated_minutes",
    "pass_mark",
    "source",
    "learning_points",
    "questions",
    "reflections",
)
QUESTION_ORDER = (
    "id",
    "type",
    "revision",
    "tags",
    "prompt",
    "options",
    "shuffle",
    "answer",
    "tolerance",
    "unit",
    "answers",
    "pairs",
    "correct_feedback",
    "incorrect_feedback",
    "explanation",
    "learning_points",
    "source",
)
OPTION_ORDER = ("text", "correct", "feedback")


def bank_to_yaml(bank: dict[str, Any], header: str = "") -> str:
    """YAML text that reads back (with `read_yaml`) as `bank`; `header` becomes # comments."""
    return written_bank(bank, header)[0]


def written_bank(bank: dict[str, Any], header: str = "") -> tuple[str, dict[str, Any], LineMap]:
    """`bank_to_yaml`'s text, with what `read_yaml` reads from it: the data (the bank in the
    format's field order) and the line of every value, so a caller can validate the bank and
    point at lines without reading the text again.

    The writer is exact by construction (see below); tests/test_yaml_write.py reads random
    banks back and checks both the data and the line map.
    """
    ordered = _ordered(bank, BANK_ORDER)
    ordered["questions"] = [_ordered_question(q) for q in bank.get("questions") or []]
    comments = [f"# {line}".rstrip() for line in header.splitlines()]
    writer = _Writer(comments)
    writer.bank(ordered)
    return "\n".join(writer.out) + "\n", ordered, writer.lines


# --- A writer for bank data (mappings, lists, text, numbers, true/false, null) ---------------
#
# Every value is written in a form that YAML (1.1, as PyYAML's SafeLoader reads it) can only
# read back as that value, so nothing needs reading again:
# - text plain where nothing in it could mean something else: it starts with a letter, holds
#   only printable characters, no '#', '\', tab or ': ', does not end with ':' or a space, has
#   no double space and is no word YAML reads as true/false/null; folded at single spaces;
# - text of several lines as a literal block ("|", "|-") when its lines can be one: no line
#   break other than "\n", at most one trailing "\n", the first line not indented;
# - any other text double-quoted, with JSON's escapes and YAML's for what YAML will not take
#   raw in a file (both read the same inside double quotes);
# - numbers in YAML 1.1's own spelling (1.0e+16, not 1e+16; .inf, .nan).
# Lines are counted as they are written, in the way `read_yaml` counts them.

_WIDTH = 96
_PLAIN = re.compile(r"[A-Za-z][^\x00-\x1f\x7f-\x9f#\\\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NOT_TEXT = {"y", "yes", "n", "no", "true", "false", "on", "off", "null"}
_NO_BREAK_BEFORE = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Characters a YAML file may not hold raw (or that would read as a line break): escaped.
_UNPRINTABLE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_ESCAPES = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


class _Writer:
    def __init__(self, comments: list[str]):
        self.out: list[str] = list(comments)
        self.lines: dict[tuple[Any, ...], int] = {}
        self.keys: dict[Any, str] = {}
        self.heads: dict[tuple[int, Any], str] = {}  # (indent, key) -> the key, indented

    def bank(self, data: dict[str, Any]) -> None:
        """The top-level mapping, with a blank line before each list or mapping and each
        question, so the file is easy to scan."""
        self.lines[()] = len(self.out) + 1  # the first line after the comments
        for key, value in data.items():
            written = len(self.out) >= self.lines[()]
            if written and _is_collection(value) and key != "source":
                self.out.append("")
            path = (key,)
            self.lines[path] = len(self.out) + 1
            if key == "questions" and isinstance(value, list) and value:
                self.out.append(self.key(key) + ":")
                for i, item in enumerate(value):
                    if i:
                        self.out.append("")
                    self.item(item, path + (i,), 2)
            else:
                self.value(value, self.key(key), path, 0)

    def key(self, key: Any) -> str:
        known = self.keys.get(key)
        if known is None:
            text = str(key)
            plain = _KEY.fullmatch(text) is not None and text.lower() not in _NOT_TEXT
            known = self.keys[key] = text if plain else _quoted(text)
        return known

    def mapping(self, data: dict[Any, Any], path: tuple[Any, ...], indent: int, first: str) -> None:
        # The hot loop of a large import: short plain text and true/false are written here,
        # the rest by `value`.
        out, lines, heads = self.out, self.lines, self.heads
        for i, (key, value) in enumerate(data.items()):
            child = path + (key,)
            lines[child] = len(out) + 1
            head = (
                heads.get((indent, key)) or self.head(indent, key) if i else first + self.key(key)
            )
            kind = type(value)
            if kind is str:
                if len(head) + len(value) < _WIDTH - 1 and "\n" not in value and _is_plain(value):
                    out.append(f"{head}: {value}")
                    continue
            elif kind is bool:
                out.append(head + (": true" if value else ": false"))
                continue
            self.value(value, head, child, indent)

    def head(self, indent: int, key: Any) -> str:
        head = self.heads[(indent, key)] = " " * indent + self.key(key)
        return head

    def value(self, value: Any, head: str, path: tuple[Any, ...], indent: int) -> None:
        """`head` (a key, indented) and its value: on the same line or the lines below."""
        if isinstance(value, dict) and value:
            self.out.append(head + ":")
            self.mapping(value, path, indent + 2, " " * (indent + 2))
        elif isinstance(value, list) and value:
            self.out.append(head + ":")
            self.sequence(value, path, indent + 2)
        else:
            self.out.extend(_scalar(value, head + ": ", indent + 2))

    def sequence(self, items: list[Any], path: tuple[Any, ...], indent: int) -> None:
        for i, item in enumerate(items):
            self.item(item, path + (i,), indent)

    def item(self, item: Any, path: tuple[Any, ...], indent: int) -> None:
        """One list item ("- ..."), its contents indented two further."""
        pad = " " * indent
        self.lines[path] = len(self.out) + 1
        if isinstance(item, dict) and item:
            self.mapping(item, path, indent + 2, pad + "- ")
        elif isinstance(item, list) and item:
            self.out.append(pad + "-")
            self.lines[path] += 1  # a nested list starts at its first item
            self.sequence(item, path, indent + 2)
        else:
            self.out.extend(_scalar(item, pad + "- ", indent + 2))


def _is_collection(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _scalar(value: Any, head: str, indent: int) -> list[str]:
    if isinstance(value, str):
        return _text(value, head, indent)
    if isinstance(value, bool):
        return [head + ("true" if value else "false")]
    if value is None:
        return [head + "null"]
    if isinstance(value, int):
        return [head + str(int(value))]
    if isinstance(value, float):
        return [head + _float(value)]
    if isinstance(value, dict):
        return [head + "{}"]
    if isinstance(value, list):
        return [head + "[]"]
    return _text(str(value), head, indent)


def _float(value: float) -> str:
    """A float as YAML 1.1 reads it back: with a '.' in its digits, .inf, -.inf or .nan."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    digits, _, exponent = text.partition("e")
    if "." not in digits:
        digits += ".0"
    return f"{digits}e{exponent}" if exponent else digits


def _text(text: str, head: str, indent: int) -> list[str]:
    if "\n" in text:
        if _literal_fits(text):
            return _literal(text, head, indent)
    elif _is_plain(text):
        if len(head) + len(text) <= _WIDTH:
            return [head + text]
        return _folded(text, head, indent)
    quoted = _quoted(text)
    # Inside double quotes a line break reads back as a space too, where spaces are single.
    return _folded(quoted, head, indent) if "  " not in quoted else [head + quoted]


def _is_plain(text: str) -> bool:
    return (
        _PLAIN.fullmatch(text) is not None
        and ": " not in text
        and not text.endswith((":", " "))
        and "  " not in text
        and text.lower() not in _NOT_TEXT
    )


def _literal_fits(text: str) -> bool:
    body = text.rstrip("\n")
    return (
        "\n" in body
        and len(text) - len(body) <= 1
        and not text.startswith((" ", "\t", "\n"))
        and "\r" not in text
        and _LITERAL_UNSAFE.search(text) is None
        and not any(line.strip(" ") == "" and line for line in body.split("\n"))
    )


def _folded(text: str, head: str, indent: int) -> list[str]:
    """A text on as many lines as it needs, broken at single spaces (which YAML reads back as
    spaces) and, for plain text, never before a character that could start something else."""
    lines: list[str] = []
    line = head
    width = max(_WIDTH, len(head) + 20)
    for i, word in enumerate(text.split(" ")):
        if i == 0:
            line += word
        elif len(line) + 1 + len(word) > width and word[:1] not in _NO_BREAK_BEFORE:
            lines.append(line)
            line = " " * indent + word
        else:
            line += " " + word
    return lines + [line]


def _literal(text: str, head: str, indent: int) -> list[str]:
    body = text.rstrip("\n")
    pad = " " * indent
    lines = [head + ("|" if text.endswith("\n") else "|-")]
    lines += [pad + line if line else "" for line in body.split("\n")]
    return lines


def _quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    if _UNPRINTABLE.search(quoted) is None:
        return quoted
    return _UNPRINTABLE.sub(lambda m: _ESCAPES.get(m[0]) or f"\\u{ord(m[0]):04x}", quoted)


def _ordered_question(question: Any) -> Any:
    if not isinstance(question, dict):
        return question
    ordered = _ordered(question, QUESTION_ORDER)
    if isinstance(ordered.get("options"), list):
        ordered["options"] = [_ordered(o, OPTION_ORDER) for o in ordered["options"]]
    return ordered


def _ordered(item: Any, order: tuple[str, ...]) -> Any:
    if not isinstance(item, dict):
        return item
    known = {key: item[key] for key in order if key in item}
    return {**known, **{k: v for k, v in item.items() if k not in known}}
