"""Write a bank dict as readable YAML in the field order of the format's documentation."""

from __future__ import annotations

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
    caller who validates it does not read it again."""
    import yaml

    from scr_cpd.content.yamlsource import read_yaml

    # libyaml's emitter (CSafeDumper) writes a 10 MB bank in seconds where PyYAML's own takes
    # minutes; it writes list items level with their key, which `_indent_lists` then indents.
    class Dumper(yaml.CSafeDumper):
        pass

    def text(dumper: Dumper, value: str) -> yaml.Node:
        # Several lines read best as a literal block; PyYAML falls back to quotes if it must.
        style = "|" if "\n" in value.strip("\n") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
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
    body = yaml.dump(
        ordered,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=92,  # list items gain 2 to 4 columns in `_indent_lists`
        default_flow_style=False,
        indent=2,
    )
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    spaced = _space_out(_indent_lists(body))
    # A blank line could end up inside a text kept with "|+", an indented "- " line inside a
    # text: never let layout change content.
    data, lines = read_yaml(comments + spaced, "bank")
    if data != ordered:
        data, lines = read_yaml(comments + body, "bank")
        spaced = body
    return comments + spaced, data, lines


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
