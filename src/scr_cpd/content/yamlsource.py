"""Read YAML while remembering the line of every value, so errors can point at it.

`read_yaml` builds the data and its line map in one pass over the events of PyYAML's C parser
(libyaml, through `CSafeLoader`), whose marks give every value its line.
"""

from __future__ import annotations

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

from scr_cpd.content.errors import BankError, Code, Problem

Path_ = tuple[Any, ...]
LineMap = Mapping[Path_, int]  # where each value of a file is: ('questions', 2, 'prompt') -> 14
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
        last = text.rstrip().count("\n") + 1  # the last line holding anything
        if line is not None and line > last:  # YAML saw the end of the file first
            line = last
            message = (
                "the file ends before a [, { or quote opened on this line or above it is closed"
            )
        elif _tab_indented(text, mark.line if mark else None):
            message = "a tab character is used for indentation; indent with spaces"
        elif any(
            hint in message
            for hint in ("expected", "not allowed here", "not allowed in this context")
        ):
            message += " (check the indentation of this line and of the lines above it)"
        problem = Problem(
            filename, line, "", f"YAML syntax error: {message}", code=Code.YAML_SYNTAX
        )
        raise BankError([problem]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a file
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = (
            f"holds the character <U+{ord(char):04X}>, a control character YAML does not allow "
            "in a file; delete it"
        )
        raise BankError(
            [Problem(filename, line, "", message, code=Code.HIDDEN_CHARACTER)]
        ) from None
    except yaml.YAMLError as exc:
        message = f"YAML error: {' '.join(str(exc).split())}"
        raise BankError([Problem(filename, None, "", message, code=Code.YAML_SYNTAX)]) from None
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

    def fail(self, event: Any, message: str, code: Code = Code.YAML_FEATURE) -> BankError:
        line = event.start_mark.line + 1
        return BankError([Problem(self.filename, line, "", message, code=code)])

    def document(self) -> tuple[Any, dict[Path_, int]]:
        self.next_event()  # stream start
        event = self.next_event()
        if isinstance(event, StreamEndEvent):
            raise BankError([Problem(self.filename, 1, "", "the file is empty", code=Code.EMPTY)])
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
        event: Any = next_event()
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
                raise self.fail(event, f"the key {key!r} appears twice here", Code.YAML_SYNTAX)
            # A value's line is its key's line: `options:` rather than its first option.
            child = path + (key,)
            lines[child] = _line(event)
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
            raise self.fail(
                event, f"cannot read {value!r} as a value here; put it in quotes", Code.BAD_VALUE
            )
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return construct(self.loader, node)
        except Exception:  # noqa: BLE001 - PyYAML's constructors raise KeyError, IndexError…
            # on values their tag does not fit (`!!bool x`, an empty `!!int`): all one mistake.
            kind = tag.rsplit(":", 1)[-1]
            message = (
                f"cannot read {value!r} as {kind}; correct the value, or remove the !!{kind} tag"
            )
            raise self.fail(event, message, Code.BAD_VALUE) from None


def _line(event: Any) -> int:
    """The 1-based line an event starts on."""
    return int(event.start_mark.line) + 1


def line_for(lines: LineMap, path: Path_) -> int | None:
    """The line of `path`, or of the nearest enclosing value that exists in the file."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def hidden_characters(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """(path, the character as <U+XXXX>) for each text value or key in `data` that holds a
    control, bidi or zero-width character (line breaks and tabs are ordinary in text)."""
    from scr_cpd.common.text import has_hidden_characters

    if isinstance(data, str):
        found = has_hidden_characters(data)
        if found is not None:
            yield path, found
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and has_hidden_characters(key) is not None:
                yield path + (key,), has_hidden_characters(key) or ""
            yield from hidden_characters(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from hidden_characters(value, path + (i,))
