"""Write a bank dict as readable YAML in the field order of the format's documentation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
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


def written_bank(bank: dict[str, Any], header: str = "") -> tuple[str, Any, LineMap]:
    """`bank_to_yaml`'s text, with what `read_yaml` reads from it (data and line map), so that a
    caller who validates it does not read it again.

    The bank is written by `_emit` (quick: a 10 MB import is written in a second or two); should
    its reading ever differ from the bank, by PyYAML, laid out the same way; and should that
    differ too (a blank line inside a text kept with "|+"), by PyYAML as it lays it out.
    """
    from scr_cpd.content.errors import BankError
    from scr_cpd.content.yamlsource import read_yaml

    ordered = _ordered(bank, BANK_ORDER)
    ordered["questions"] = [
        {
            **_ordered(q, QUESTION_ORDER),
            **(
                {"options": [_ordered(o, OPTION_ORDER) for o in q["options"]]}
                if "options" in q
                else {}
            ),
        }
        for q in bank.get("questions") or []
    ]
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    layouts: tuple[Callable[[], str], ...] = (
        lambda: _space_out(_emit(ordered)),
        lambda: _space_out(_indent_lists(_pyyaml(ordered))),
        lambda: _pyyaml(ordered),
    )
    text: str = ""
    data: Any = None
    lines: LineMap = {}
    for layout in layouts:
        text = comments + layout()
        try:
            data, lines = read_yaml(text, "bank")
        except BankError:
            continue
        if data == ordered:
            break
    return text, data, lines


def _pyyaml(ordered: dict[str, Any]) -> str:
    import yaml

    # libyaml's emitter (CSafeDumper) writes list items level with their key, which
    # `_indent_lists` then indents.
    class Dumper(yaml.CSafeDumper):
        pass

    def text(dumper: Dumper, value: str) -> yaml.Node:
        # Several lines read best as a literal block; PyYAML falls back to quotes if it must.
        style = "|" if "\n" in value.strip("\n") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump(
        ordered,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=92,  # list items gain 2 to 4 columns in `_indent_lists`
        default_flow_style=False,
        indent=2,
    )


# --- A writer for bank data (mappings, lists, text, numbers, true/false) --------------------
#
# Text is written plain where nothing in it could mean something else to YAML (it starts with a
# letter, holds no '#', no ': ', no tab and is no word YAML reads as true/false/null), folded at
# spaces when long; text of several lines as a literal block; anything else double-quoted,
# with JSON's escapes (which YAML reads alike). `written_bank` checks the result reads back.

_WIDTH = 96
_PLAIN = re.compile(r"[A-Za-z][^\n\t#\\]*")
_NOT_TEXT = {"y", "yes", "n", "no", "true", "false", "on", "off", "null"}
_NO_BREAK_BEFORE = frozenset("-?:,[]{}#&*!|>'\"%@`")
_ESCAPE_MORE = str.maketrans({"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\ufeff"})


def _emit(data: dict[str, Any]) -> str:
    out: list[str] = []
    _mapping(data, 0, out)
    return "\n".join(out) + "\n"


def _mapping(data: dict[str, Any], indent: int, out: list[str], first: str = "") -> None:
    pad = " " * indent
    for i, (key, value) in enumerate(data.items()):
        head = (first if i == 0 and first else pad) + _key(key)
        _value(value, head, indent, out)


def _value(value: Any, head: str, indent: int, out: list[str]) -> None:
    if isinstance(value, dict) and value:
        out.append(head + ":")
        _mapping(value, indent + 2, out)
    elif isinstance(value, list) and value:
        out.append(head + ":")
        _sequence(value, indent + 2, out)
    else:
        out.extend(_scalar(value, head + ": ", indent + 2))


def _sequence(items: list[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            _mapping(item, indent + 2, out, first=pad + "- ")
        elif isinstance(item, list) and item:
            out.append(pad + "-")
            _sequence(item, indent + 2, out)
        else:
            out.extend(_scalar(item, pad + "- ", indent + 2))


def _key(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", text) else _quoted(text)


def _scalar(value: Any, head: str, indent: int) -> list[str]:
    if isinstance(value, bool):
        return [head + ("true" if value else "false")]
    if value is None:
        return [head + "null"]
    if isinstance(value, (int, float)):
        return [head + repr(value)]
    if isinstance(value, dict):
        return [head + "{}"]
    if isinstance(value, list):
        return [head + "[]"]
    text = str(value)
    if "\n" in text.strip("\n") and not text.lstrip("\n").startswith(" "):
        return _literal(text, head, indent)
    if _is_plain(text):
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
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    pad = " " * indent
    lines = [f"{head}|{chomp}"]
    lines += [pad + line if line else "" for line in body.split("\n")]
    lines += [""] * max(0, trailing - 1)
    return lines


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).translate(_ESCAPE_MORE)


def _ordered(item: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    known = {key: item[key] for key in order if key in item}
    return {**known, **{k: v for k, v in item.items() if k not in known}}


def _space_out(body: str) -> str:
    """A blank line before each top-level list and each question, so the file is easy to scan."""
    out: list[str] = []
    section = ""
    for line in body.splitlines():
        if line and not line.startswith(" "):
            section = line
            if line.endswith(":") and line != "source:" and out:
                out.append("")
        elif section == "questions:" and line.startswith("  - ") and out[-1] != section:
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


def _indent_lists(body: str) -> str:
    """List items indented under their key (`key:` then `  - item`), as trainers write them.

    A line belongs to every list whose items start at an indentation it is past (or at, when it
    is an item itself); each such list adds two spaces. A text that happens to hold "- " lines is
    caught by `bank_to_yaml`'s check that the layout reads back the same.
    """
    out: list[str] = []
    lists: list[int] = []  # the indentation of each enclosing list's items
    for line in body.split("\n"):
        stripped = line.lstrip(" ")
        if not stripped:
            out.append(line)
            continue
        indent = len(line) - len(stripped)
        item = stripped.startswith("- ") or stripped == "-"
        while lists and not (indent > lists[-1] or (indent == lists[-1] and item)):
            lists.pop()
        if item and (not lists or lists[-1] != indent):
            lists.append(indent)
        out.append(" " * (2 * len(lists)) + line)
    return "\n".join(out)
