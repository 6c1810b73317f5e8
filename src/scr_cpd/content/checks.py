"""The rules of a bank beyond its schema, and problems in the trainer's words.

`problem_from_pydantic` turns one of pydantic's errors into a `Problem` (with its line, a field
name such as questions.q-id.options[2].text, and a code); `cross_checks` runs the checks that need
the whole file: ids, references to learning points, repeated prompts, missing feedback.
"""

from __future__ import annotations

import typing
from collections import Counter
from typing import TYPE_CHECKING, Any

from scr_cpd.content.errors import Code, Problem
from scr_cpd.content.vocabulary import BANK_FORMAT, CHOICE_TYPES, QUESTION_TYPES

if TYPE_CHECKING:
    from scr_cpd.content.yamlsource import LineMap  # only a type: reading YAML is not needed here


def problem_from_pydantic(
    error: Any, data: dict[str, Any], filename: str, lines: LineMap
) -> Problem:
    from scr_cpd.content.yamlsource import line_for

    loc = [part for i, part in enumerate(error["loc"]) if not (part in QUESTION_TYPES and i == 2)]
    code, message = _pydantic_message(error, loc)
    if code is Code.UNKNOWN_TYPE:
        loc = loc + ["type"]
    return Problem(filename, line_for(lines, tuple(loc)), field_name(loc, data), message, code=code)


def _pydantic_message(error: Any, loc: list[Any]) -> tuple[Code, str]:
    """(code, message in the trainer's words) for one of pydantic's errors."""
    kind, message, value = error["type"], error["msg"], error.get("input")
    types = ", ".join(QUESTION_TYPES)
    if kind == "missing":
        return Code.MISSING, "is required"
    if kind == "extra_forbidden":
        return Code.UNKNOWN_FIELD, f"unknown field{_suggest_field(error['loc'], str(loc[-1]))}"
    if kind == "union_tag_invalid":
        return (
            Code.UNKNOWN_TYPE,
            f"unknown question type {error['ctx']['tag']!r}; use one of {types}",
        )
    if kind == "union_tag_not_found":
        return Code.NO_TYPE, f"every question needs a type: one of {types}"
    if kind == "string_pattern_mismatch":
        return (
            Code.BAD_ID,
            "use lower-case letters, digits and single hyphens only (e.g. my-module-1)",
        )
    if kind in ("bool_parsing", "bool_type"):
        return Code.INVALID, f"should be true or false (got {value!r})"
    if kind == "string_type" and isinstance(value, bool):
        # `text: No` or `feedback: yes`: YAML reads these words as true/false.
        return (
            Code.INVALID,
            "should be text, but YAML reads yes/no/on/off/true/false as true or false; put the text in quotes",
        )
    if kind == "literal_error" and loc == ["format"]:
        return Code.WRONG_FORMAT, f"must be {BANK_FORMAT!r} (got {value!r}); is this a bank file?"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return (Code.VERSION_NOT_TEXT if loc == ["version"] else Code.INVALID), message


def field_name(loc: list[Any], data: dict[str, Any]) -> str:
    """questions.q-poverty-lens.options[2].text rather than questions.4.options.2.text."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = (
                item.get("id")
                if isinstance(item, dict) and isinstance(item.get("id"), str)
                else None
            )
            parts.append(f".{label}" if label else f"[{part + 1}]")
            node = item
        else:
            parts.append(f".{part}" if parts else str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts)


def _suggest_field(loc: tuple[Any, ...], name: str) -> str:
    from pydantic import BaseModel

    from scr_cpd.content import schema

    model: Any = schema.Bank
    types = {
        "single": schema.SingleQuestion,
        "multiple": schema.MultipleQuestion,
        "true_false": schema.TrueFalseQuestion,
        "numeric": schema.NumericQuestion,
        "short_answer": schema.ShortAnswerQuestion,
        "matching": schema.MatchingQuestion,
    }
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in types:
            model = types[part]
            continue
        info = model.model_fields.get(part) if model else None
        model = _inner_model(info.annotation, BaseModel) if info else None
    if model is None:
        return ""
    import difflib

    close = difflib.get_close_matches(name, list(model.model_fields), n=1)
    return (
        f" (did you mean {close[0]!r}?)"
        if close
        else f"; allowed here: {', '.join(model.model_fields)}"
    )


def _inner_model(annotation: Any, base: type) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, base)
        if found is not None:
            return found
    return None


Items = list[tuple[int, dict[str, Any]]]


class _Checks:
    """Checks that need the whole file; defensive, since the data may also be malformed."""

    def __init__(self, data: dict[str, Any], filename: str, lines: LineMap):
        from scr_cpd.content.yamlsource import line_for

        self.filename, self.lines = filename, lines
        self.line_for = line_for  # imported once: a large bank can have a warning per option
        self.problems: list[Problem] = []
        self.sections = {
            key: _items(data, key) for key in ("learning_points", "questions", "reflections")
        }
        points = (_as_id(lp.get("id")) for _, lp in self.sections["learning_points"])
        self.known_points = {p for p in points if p is not None}
        self.served: Counter[str] = Counter()

    def add(
        self,
        path: tuple[Any, ...],
        field_name: str,
        message: str,
        code: Code,
        severity: str = "error",
    ) -> None:
        line = self.line_for(self.lines, path)  # looked up only for the problems found
        self.problems.append(Problem(self.filename, line, field_name, message, severity, code))

    def line(self, path: tuple[Any, ...]) -> int | None:
        return self.line_for(self.lines, path)

    def run(self) -> list[Problem]:
        for key, section in self.sections.items():
            self.duplicate_ids(key, section)
        prompts: dict[str, tuple[Any, ...]] = {}  # normalised prompt -> the path of its first use
        for key in ("questions", "reflections"):
            for i, item in self.sections[key]:
                self.references(key, i, item)
                self.same_prompt(key, i, item, prompts)
                if key == "questions":
                    self.option_feedback(i, item)
        self.unserved()
        return self.problems

    def duplicate_ids(self, key: str, section: Items) -> None:
        first_seen: dict[str, int] = {}
        for i, item in section:
            item_id = item.get("id")
            item_id = item_id if type(item_id) is str else _as_id(item_id)
            if item_id is None:
                continue
            if item_id not in first_seen:
                first_seen[item_id] = i
                continue
            first = self.line((key, first_seen[item_id], "id"))
            message = f"duplicate id {item_id!r} (first used at line {first})"
            self.add((key, i, "id"), f"{key}.{item_id}", message, Code.DUPLICATE_ID)

    def references(self, key: str, i: int, item: dict[str, Any]) -> None:
        refs = item.get("learning_points") or []
        for j, ref in enumerate(refs if isinstance(refs, list) else []):
            ref = ref if type(ref) is str else _as_id(ref)
            if ref is None:
                continue
            if ref in self.known_points:
                self.served[ref] += key == "questions"
                continue
            import difflib

            close = difflib.get_close_matches(ref, sorted(self.known_points), n=1)
            hint = (
                f" (did you mean {close[0]!r}?)" if close else " (define it under learning_points:)"
            )
            self.add(
                (key, i, "learning_points", j),
                f"{_label(key, i, item)}.learning_points",
                f"unknown learning point {ref!r}{hint}",
                Code.UNKNOWN_LEARNING_POINT,
            )
        if key == "questions" and not refs:
            self.add(
                (key, i),
                _label(key, i, item),
                "no learning_points: say which learning point this question serves",
                Code.NO_LEARNING_POINT,
                "warning",
            )

    def same_prompt(
        self, key: str, i: int, item: dict[str, Any], prompts: dict[str, tuple[Any, ...]]
    ) -> None:
        prompt = item.get("prompt")
        if not isinstance(prompt, str):
            return
        first = prompts.setdefault(" ".join(prompt.lower().split()), (key, i, "prompt"))
        if first[:2] != (key, i):
            self.add(
                (key, i, "prompt"),
                f"{_label(key, i, item)}.prompt",
                f"the same prompt as line {self.line(first) or 0}",
                Code.DUPLICATE_PROMPT,
                "warning",
            )

    def option_feedback(self, i: int, item: dict[str, Any]) -> None:
        if item.get("type") not in CHOICE_TYPES:
            return
        options = item.get("options")
        for j, option in enumerate(options if isinstance(options, list) else []):
            if (
                isinstance(option, dict)
                and not option.get("correct")
                and not option.get("feedback")
            ):
                self.add(
                    ("questions", i, "options", j),
                    f"{_label('questions', i, item)}.options[{j + 1}]",
                    "no feedback for this wrong option: say why it is tempting and wrong",
                    Code.NO_OPTION_FEEDBACK,
                    "warning",
                )

    def unserved(self) -> None:
        if not self.sections["questions"]:
            return
        for i, lp in self.sections["learning_points"]:
            point_id = _as_id(lp.get("id"))
            if point_id in self.known_points and not self.served[point_id]:
                self.add(
                    ("learning_points", i),
                    f"learning_points.{point_id}",
                    "no question serves this learning point",
                    Code.UNSERVED_LEARNING_POINT,
                    "warning",
                )


def _items(data: dict[str, Any], key: str) -> Items:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def cross_checks(data: dict[str, Any], filename: str, lines: LineMap) -> list[Problem]:
    """Checks that need the whole file: ids, references, repeated prompts, missing feedback."""
    return _Checks(data, filename, lines).run()


def _label(key: str, index: int, item: dict[str, Any]) -> str:
    return f"{key}.{item.get('id', index + 1)}"


def _as_id(value: Any) -> str | None:
    """An id as the schema will read it (numbers become text); None for what is no id at all
    (a list, a mapping…), which the schema reports."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)
