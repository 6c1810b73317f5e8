"""Read YAML while remembering the line of every value, so errors can point at it.

`read_yaml` builds the data and its line map from PyYAML's events: the reference for what a
bank file means. `read_yaml_fast` gives the same data several times faster for the common
case, a file that uses none of the YAML features on which the two readers could disagree, and
makes the line map only if a problem needs a line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from scr_cpd.content.errors import BankError, Problem

Path_ = tuple[Any, ...]
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_CORE_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null")}
# The first characters with which a plain scalar can mean something other than text, as
# PyYAML's SafeLoader reads YAML 1.1 (numbers, true/yes/on, null/~, dates, <<, =). Anything
# else is text, which spares the resolver's regular expressions for most of a bank.
_MAYBE_TYPED = frozenset("-+.0123456789yYnNtTfFoO~<=")
_UNSET = object()
_ALIAS = "YAML aliases (*name) are not allowed in a bank; write the value out in full"


def read_yaml(text: str, filename: str) -> tuple[Any, dict[Path_, int]]:
    """Return (data, lines): `lines` maps a path like ('questions', 2, 'prompt') to a 1-based line."""
    loader = _BaseLoader(text)
    try:
        return _Builder(loader, filename).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or "not valid YAML"
        if _tab_indented(text, mark.line if mark else None):
            message = "a tab character is used for indentation; indent with spaces"
        elif any(
            hint in message
            for hint in ("expected", "not allowed here", "not allowed in this context")
        ):
            message += " (check the indentation of this line and of the lines above it)"
        raise BankError([Problem(filename, line, "", f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as exc:
        raise BankError([Problem(filename, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()


def _tab_indented(text: str, line_index: int | None) -> bool:
    """Whether the line of a syntax error (or the one before it) is indented with a tab.

    libyaml says only "found character that cannot start any token", which does not help.
    """
    if line_index is None:
        return False
    lines = text.split("\n")
    nearby = lines[max(0, line_index - 1) : line_index + 1]
    return any("\t" in line[: len(line) - len(line.lstrip(" \t"))] for line in nearby)


MAX_DEPTH = 32  # a bank needs about six levels; far deeper nesting is a mistake or an attack


class _Builder:
    """Builds plain data straight from the parser's events, noting the line of every value.

    Working from events rather than the composed node graph keeps a 10,000-question bank
    quick to read; an alias is refused where it appears, so a "billion laughs" file is never
    expanded.
    """

    def __init__(self, loader: Any, filename: str):
        self.loader = loader
        self.next_event = loader.get_event
        self.filename = filename
        self.lines: dict[Path_, int] = {}
        self.plain: dict[str, Any] = {}  # plain scalar -> its value; values repeat a lot
        self.keys: dict[str, Any] = {}  # the same for keys, which repeat even more

    def fail(self, event: Any, message: str) -> BankError:
        return BankError([Problem(self.filename, event.start_mark.line + 1, "", message)])

    def document(self) -> tuple[Any, dict[Path_, int]]:
        self.next_event()  # stream start
        event = self.next_event()
        if isinstance(event, StreamEndEvent):
            raise BankError([Problem(self.filename, 1, "", "the file is empty")])
        data = self.value(self.next_event(), ())
        self.next_event()  # document end
        event = self.next_event()
        if isinstance(event, DocumentStartEvent):
            raise self.fail(
                event, "a bank holds one YAML document; remove the second '---' and what follows it"
            )
        return data, self.lines

    def value(self, event: Any, path: Path_) -> Any:
        self.lines.setdefault(path, event.start_mark.line + 1)
        if type(event) is ScalarEvent:
            return self.scalar(event)
        return self.collection(event, path)

    def collection(self, event: Any, path: Path_) -> Any:
        kind = type(event)
        if kind is AliasEvent:
            raise self.fail(event, _ALIAS)
        if len(path) >= MAX_DEPTH:
            raise self.fail(event, f"values are nested more than {MAX_DEPTH} levels deep")
        if kind is MappingStartEvent:
            return self.mapping(event, path)
        if kind is SequenceStartEvent:
            self.check_tag(event, "tag:yaml.org,2002:seq")
            items: list[Any] = []
            event = self.next_event()
            while type(event) is not SequenceEndEvent:
                items.append(self.value(event, path + (len(items),)))
                event = self.next_event()
            return items
        raise self.fail(event, "this is not valid in a bank")

    def mapping(self, start: Any, path: Path_) -> dict[Any, Any]:
        # The hot loop of a large bank: locals and an inlined test for plain text keep it quick.
        self.check_tag(start, "tag:yaml.org,2002:map")
        next_event, scalar, lines, typed, keys = (
            self.next_event,
            self.scalar,
            self.lines,
            _MAYBE_TYPED,
            self.keys,
        )
        result: dict[Any, Any] = {}
        event = next_event()
        while type(event) is not MappingEndEvent:
            if type(event) is not ScalarEvent:
                raise self.fail(
                    event, _ALIAS if type(event) is AliasEvent else "a key must be plain text"
                )
            text = event.value
            plain = event.implicit[0] and event.tag is None
            key = keys.get(text, _UNSET) if plain else _UNSET
            if key is _UNSET:
                if text == "<<" and event.implicit[0]:
                    raise self.fail(event, "YAML merge keys (<<) are not allowed in a bank")
                key = scalar(event)
                if plain:
                    keys[text] = key
            if key in result:
                raise self.fail(event, f"the key {key!r} appears twice here")
            # A value's line is its key's line: `options:` rather than its first option.
            child = path + (key,)
            lines[child] = event.start_mark.line + 1
            event = next_event()
            if type(event) is ScalarEvent:
                text = event.value
                if event.tag is None and (not event.implicit[0] or (text and text[0] not in typed)):
                    result[key] = text
                else:
                    result[key] = scalar(event)
            else:
                result[key] = self.collection(event, child)
            event = next_event()
        return result

    def check_tag(self, event: Any, default: str) -> None:
        if event.tag not in (None, "!", default):
            raise self.fail(event, f"YAML tags such as {event.tag} are not allowed in a bank")

    def scalar(self, event: Any) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            if not event.implicit[0] or (value and value[0] not in _MAYBE_TYPED):
                return value  # quoted, block or plain text
            if value in self.plain:
                return self.plain[value]
            tag = self.loader.resolve(yaml.ScalarNode, value, (True, False))
            if tag == _STR:
                self.plain[value] = value
                return value
            result = self.plain[value] = self.construct(event, tag)
            return result
        if tag not in _CORE_TAGS:
            raise self.fail(event, f"YAML tags such as {tag} are not allowed in a bank")
        return self.construct(event, tag)

    def construct(self, event: Any, tag: str) -> Any:
        value = event.value
        construct = self.loader.yaml_constructors.get(tag)
        if construct is None:  # e.g. a bare "=": YAML 1.1 gives it a meaning but no value
            raise self.fail(event, f"cannot read {value!r} as a value here; put it in quotes")
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return construct(self.loader, node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            kind = tag.rsplit(":", 1)[-1]
            raise self.fail(
                event, f"cannot read {value!r} as {kind}: {getattr(exc, 'problem', None) or exc}"
            ) from None


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of `path`, or of the nearest enclosing value that exists in the file."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


# --- The fast reader ------------------------------------------------------------------------
#
# yaml_rs (Rust) reads a bank about four times faster than the line reader, but it reads YAML
# 1.2, where PyYAML reads YAML 1.1: the two give some plain scalars different meanings (`yes`,
# `012`, `1e3`, `1:30`, `<<`…), and yaml_rs accepts anchors, aliases and tags. So its reading is
# used only when nothing in the file could be read differently:
#   - no character on which the readers differ (a tab, a backslash escape, a line break other
#     than \n, a byte order mark or another character YAML does not allow) and no second
#     document;
#   - no anchor, alias, tag, directive, reserved character or explicit key (`? `) where a value
#     can begin;
#   - every plain word where a value or key can begin that could be more than text (it starts
#     like a number, a boolean, a null, a date, `<<` or `=`) means the same to both readers, as
#     a plain scalar on its own, and a key is text to both. Each distinct word is checked once.
# A value can begin at the start of a line (past its indentation and any `- ` or `: `
# indicators) or after a `:`; inside a flow collection ([…] or {…}), also after `[`, `{` or `,`.
# Over-approximating this only costs time (and may send a file to the line reader); missing a
# place could change a value. A word runs to a space or `#` (in a flow collection, also to
# `,[]{}`); a scalar of several words is text to both readers, except PyYAML's dates with a
# time, whose first word is a date, which is checked and never let through.

try:
    import yaml_rs
except ImportError:  # the line reader reads everything, only slower
    yaml_rs = None

# ASCII controls but \n (so also tab and \r), the backslash of escapes, C1 controls (with NEL,
# a line break to YAML 1.1), the line and paragraph separators (line breaks to YAML 1.1), byte
# order marks and non-characters.
_ASCII_UNSAFE = "".join(map(chr, [*range(0x0A), *range(0x0B, 0x20), 0x5C, 0x7F]))
_UNSAFE = _ASCII_UNSAFE + "".join(
    map(chr, [*range(0x80, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF])
)
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \n]|\Z)", re.MULTILINE)
# Each pattern starts with a literal, which `re` finds quickly. Groups: an explicit key's `?`;
# or a word that starts with a character of _MAYBE_TYPED or `&*!%@`` (anchor, alias, tag,
# directive, reserved) and the first character after its spaces (none: the word is the whole
# scalar); or a flow collection, to the end of its line.
_FIRST = "[-+.0-9yYnNtTfFoO~<=&*!%@`]"
_BLOCK_VALUES = [
    re.compile(
        start + f"(?:(\\?)(?: |$)|({_FIRST}[^ \\n#]*+)[ ]*+([^\\n#]?)|([\\[{{][^\\n]*))",
        re.MULTILINE,
    )
    for start in (r"\n[ ]*+(?:[-:](?: +|$))*+", ":[ ]*+")
]
_FLOW_WORDS = [
    re.compile(re.escape(mark) + f"[ ]*+({_FIRST}[^ \\n#,\\[\\]{{}}]*+)[ ]*+([^\\n#,\\[\\]{{}}]?)")
    for mark in ":[{,"
]
_FLOW_EXPLICIT_KEY = re.compile(r"[\[{,][ ]*\?(?: |$)", re.MULTILINE)
_NOT_PLAIN = frozenset("&*!%@`")
_DIGIT_OR_SIGN = frozenset("+-.0123456789")


def read_yaml_fast(text: str, filename: str) -> tuple[Any, Mapping[Path_, int]]:
    """`read_yaml`, quicker: the same data, or the same BankError. When the fast reader can be
    trusted with the file, the line map is a `LazyLines`, made only when a line is asked for."""
    data = _read_plain_yaml(text)
    if data is _UNSET:
        return read_yaml(text, filename)
    return data, LazyLines(text, filename)


def _read_plain_yaml(text: str) -> Any:
    """yaml_rs's reading of a mapping, or _UNSET when it might differ from `read_yaml`'s (or
    is no mapping: the line reader then says what is wrong)."""
    if yaml_rs is None:
        return _UNSET
    body = text[4:] if text.startswith("---\n") else text
    if _has_unsafe_character(body) or _has_document_marker(body):
        return _UNSET
    words = _words_to_check("\n" + body)
    if words is None or not _words_agree(words):
        return _UNSET
    data = _yaml_rs_loads(text)
    return data if type(data) is dict else _UNSET


def _has_unsafe_character(text: str) -> bool:
    return any(c in text for c in (_ASCII_UNSAFE if text.isascii() else _UNSAFE))


def _has_document_marker(text: str) -> bool:
    maybe = "\n---" in text or "\n..." in text or text.startswith(("---", "..."))
    return maybe and _DOCUMENT_MARKER.search(text) is not None


def _words_to_check(text: str) -> dict[str, bool] | None:
    """The distinct plain words whose meaning the two readers might not share, each mapped to
    whether it is (also) a key; None when a value begins with a mark the fast reader does not
    refuse (an anchor, alias, tag…) or with an explicit key."""
    found: set[tuple[str, str, str, str]] = set()
    for pattern in _BLOCK_VALUES:
        found.update(pattern.findall(text))
    if any(question for question, _, _, _ in found):
        return None  # an explicit key, which may be a whole mapping
    flows = [flow for _, _, _, flow in found if flow]
    pairs = {(word, more) for _, word, more, flow in found if not flow}
    if flows:
        if any(
            flow.count("[") + flow.count("{") != flow.count("]") + flow.count("}") for flow in flows
        ):
            return None  # a flow collection over several lines, or brackets in quotes
        flow_text = "\n".join(flows)
        if "?" in flow_text and _FLOW_EXPLICIT_KEY.search(flow_text):
            return None
        for pattern in _FLOW_WORDS:
            pairs.update(pattern.findall(flow_text))
    words: dict[str, bool] = {}
    for word, more in pairs:
        if word[0] in _NOT_PLAIN:
            return None
        if word[-1] == ":":  # a key (`word:` then a space or the end of the line)
            words[word[:-1]] = True
        elif not more or word[0] in _DIGIT_OR_SIGN:  # the whole scalar, or maybe a date
            words.setdefault(word, False)
    words.pop("", None)
    return words


def _words_agree(words: dict[str, bool]) -> bool:
    """Whether each word, as a plain scalar on its own, means the same to PyYAML and yaml_rs
    (and, for a key, is text to both)."""
    if not words:
        return True
    ordered = sorted(words)
    theirs = _yaml_rs_loads("".join(f"- {word}\n" for word in ordered))
    if type(theirs) is not list or len(theirs) != len(ordered):
        return False
    loader = _BaseLoader("")
    try:
        for word, value in zip(ordered, theirs):
            mine = _plain_value(loader, word)
            # repr tells -0.0 from 0.0 (and lets NaN equal NaN)
            if (
                type(mine) is not type(value)
                or repr(mine) != repr(value)
                or isinstance(mine, datetime.date)
            ):
                return False
            if words[word] and type(mine) is not str:
                return False
    finally:
        loader.dispose()
    return True


def _plain_value(loader: Any, word: str) -> Any:
    """What `_Builder.scalar` makes of a plain scalar; _UNSET where it would refuse it."""
    if word[0] not in _MAYBE_TYPED:
        return word
    tag = loader.resolve(yaml.ScalarNode, word, (True, False))
    if tag == _STR:
        return word
    construct = loader.yaml_constructors.get(tag)
    if construct is None:
        return _UNSET
    try:
        return construct(loader, yaml.ScalarNode(tag, word))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return _UNSET


def _yaml_rs_loads(text: str) -> Any:
    try:
        return yaml_rs.loads(
            text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error
        )
    except Exception:  # a syntax error, a duplicate key…: the line reader will say which
        return _UNSET
    except BaseException as exc:  # pyo3 turns a panic in Rust into a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return _UNSET


class LazyLines(Mapping):
    """The line map of a file the fast reader read, made by `read_yaml` the first time a line
    is asked for. `made` says whether it has been; `data` is then the line reader's data (for
    `check_bank_text` to compare with the fast reader's), or `error` its BankError if it
    refused the file."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename
        self.lines: dict[Path_, int] | None = None
        self.data: Any = None
        self.error: BankError | None = None

    @property
    def made(self) -> bool:
        return self.lines is not None

    def _map(self) -> dict[Path_, int]:
        if self.lines is None:
            try:
                self.data, self.lines = read_yaml(self.text, self.filename)
            except BankError as exc:
                self.error, self.lines = exc, {}
        return self.lines

    def __getitem__(self, path: Path_) -> int:
        return self._map()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._map()

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())

    def __bool__(self) -> bool:  # `lines or {}` must not make the map
        return True
