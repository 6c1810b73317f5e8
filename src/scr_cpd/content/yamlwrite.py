"""Write a bank dict as readable YAML in the field order of the format's documentation."""

from __future__ import annotations

from typing import Any

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
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)  # indent list items under their key

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
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
        width=96,
        default_flow_style=False,
        indent=2,
    )
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    spaced = _space_out(body)
    # A blank line could end up inside a text kept with "|+"; never let layout change content.
    if yaml.load(spaced, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) != ordered:
        spaced = body
    return comments + spaced


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
