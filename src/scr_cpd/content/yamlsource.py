"""Read YAML while remembering the line of every value, so errors can point at it."""
from __future__ import annotations

from typing import Any

import yaml

from scr_cpd.content.errors import BankError, Problem

Path_ = tuple[Any, ...]
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, filename: str) -> tuple[Any, dict[Path_, int]]:
    """Return (data, lines): `lines` maps a path like ('questions', 2, 'prompt') to a 1-based line."""
    loader = _BaseLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or "not valid YAML"
        if "\t" in text and "'\\t'" in str(exc):
            message = "a tab character is used for indentation; indent with spaces"
        raise BankError([Problem(filename, line, "", f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as exc:
        raise BankError([Problem(filename, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise BankError([Problem(filename, 1, "", "the file is empty")])
    lines: dict[Path_, int] = {}
    data = _Builder(loader, filename, lines).build(root, ())
    return data, lines


class _Builder:
    def __init__(self, loader: Any, filename: str, lines: dict[Path_, int]):
        self.loader = loader
        self.filename = filename
        self.lines = lines
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str) -> BankError:
        return BankError([Problem(self.filename, node.start_mark.line + 1, "", message)])

    def build(self, node: yaml.Node, path: Path_) -> Any:
        # An alias makes the composer hand back the same node twice: refuse it rather than
        # expand it, which is what keeps "billion laughs" files harmless.
        if id(node) in self.seen:
            raise self.fail(node, "YAML anchors and aliases (&name / *name) are not allowed in a bank")
        self.seen.add(id(node))
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "YAML merge keys (<<) are not allowed in a bank")
                key = self.build(key_node, path + ("<key>",))
                if isinstance(key, (dict, list)):
                    raise self.fail(key_node, "a key must be plain text")
                if key in result:
                    raise self.fail(key_node, f"the key {key!r} appears twice here")
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.fail(node, f"cannot read this value: {getattr(exc, 'problem', exc)}") from None


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of `path`, or of the nearest enclosing value that exists in the file."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
