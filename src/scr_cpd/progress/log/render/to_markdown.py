"""The CPD log as Markdown (CommonMark/GFM), readable raw or rendered.

Text from the log is escaped so it can only ever be text: no links, images, raw HTML, headings,
lists, tables or code blocks of its own. Tables hold only one-line cells; reflections, which can
be long, are laid out as paragraphs outside any table, with their line breaks kept.
"""

from __future__ import annotations

import re
from typing import Any

from scr_cpd.progress.log.render.view import (
    IDENTIFIER_COLUMNS,
    IDENTIFIERS_NOTE,
    MODULE_COLUMNS,
    TITLE,
    Fact,
    LogView,
    ReflectionView,
    ReviewView,
    build_view,
)

# Escaped wherever they appear: emphasis, code, links and images, raw HTML and autolinks,
# entities, table cells, strikethrough, maths, attribute lists ({: ...}) and @mentions.
_ALWAYS = re.compile(r"([\\`*_\[\]<>&|~$#{}@])")
# Escaped only where they would start a block at the beginning of a line: list items, setext
# heading underlines, thematic breaks and ordered lists ("1." / "1)").
_LINE_START = re.compile(r"^([+\-=])|^(\d+)([.)])", re.MULTILINE)
# Bare URLs ("http://…", "www.…") become links in GFM; an escaped ":" or "." stops that.
_WWW = re.compile(r"(?i)(?<=www)\.")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def escape(text: str, line_start: bool = True) -> str:
    """Markdown for `text` that renders as exactly that text (it may span lines).

    With `line_start` False the text follows something else on its line (a label, "| "), so its
    first characters cannot start a block and are left alone; later lines are always escaped.
    """
    text = _ALWAYS.sub(r"\\\1", text)
    if "://" in text:
        text = text.replace("://", "\\://")
    if "www." in text.lower():
        text = _WWW.sub(r"\\.", text)
    if line_start:
        text = _LINE_START.sub(_escape_block_start, text)
    else:
        first, newline, rest = text.partition("\n")
        text = first + newline + _LINE_START.sub(_escape_block_start, rest)
    # Leading spaces would make an indented code block; non-breaking spaces keep the indent.
    return _INDENT.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), text)


def _escape_block_start(m: re.Match[str]) -> str:
    return f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}"


def inline(text: str, line_start: bool = False) -> str:
    """One line of escaped text, for headings, list items and table cells."""
    return escape(" ".join(text.split()), line_start)


def block(text: str) -> str:
    """Escaped paragraphs: blank lines separate them, single line breaks stay as hard breaks."""
    paragraphs = []
    for para in re.split(r"\n[ \t\u00a0]*\n", text.strip("\n")):
        lines = [line.rstrip() for line in para.split("\n")]
        paragraphs.append("\\\n".join(escape(line) for line in lines if line.strip()))
    return "\n\n".join(p for p in paragraphs if p)


def facts_md(facts: list[Fact]) -> list[str]:
    return [f"- **{escape(f.label)}:** {inline(f.value)}" for f in facts]


def table_md(columns: tuple[str, ...], rows: list[tuple[str, ...]], numeric: set[int]) -> list[str]:
    align = ["---:" if i in numeric else "---" for i in range(len(columns))]
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(inline(cell) or " " for cell in row) + " |" for row in rows]
    return lines


def code_spans(text: str) -> str:
    """Our own wording with `commands` kept as code spans and everything else escaped."""
    pieces = text.split("`")
    return "".join(f"`{p}`" if i % 2 else escape(p) for i, p in enumerate(pieces))


def header_md(view: LogView) -> list[str]:
    lines = [f"# {TITLE}", ""] + facts_md(view.details)
    lines.append("- **Question banks:**" + ("" if view.banks else " none"))
    lines += [f"  - {inline(b, line_start=True)}" for b in view.banks]
    return lines


def signature_md(view: LogView) -> list[str]:
    return [
        "## Signature",
        "",
        f"**Signing key fingerprint:** {inline(view.fingerprint)}",
        "",
        code_spans(view.verify_note),
    ]


def review_md(review: ReviewView) -> list[str]:
    lines = ["## Supervisor review", ""] + facts_md(review.facts)
    if review.comment:
        lines += ["", "### Overall comment", "", block(review.comment)]
    if review.comments:
        lines += ["", "### Comments on reflections", ""]
        for c in review.comments:
            lines += [f"**{inline(c.label)}**", "", block(c.value) or "(no comment)", ""]
    return lines


def reflection_md(r: ReflectionView) -> list[str]:
    lines = [
        f"### {inline(r.heading)}",
        "",
        f"*{inline(r.meta)}*",
        "",
        "**Prompt**",
        "",
        block(r.prompt),
    ]
    for part in r.parts:
        lines += ["", f"**{escape(part.label)}** {escape(part.hint)}", "", block(part.text)]
    if r.learning_points:
        lines += ["", "**Learning points**", ""] + [
            f"- {inline(p, line_start=True)}" for p in r.learning_points
        ]
    tags = ", ".join(r.tags) if r.tags else "none chosen"
    lines += ["", f"**Competency and Values Framework:** {inline(tags)}"]
    return lines


def document(view: LogView) -> str:
    sections = [header_md(view), signature_md(view), ["## Summary", ""] + facts_md(view.totals)]
    if view.review:
        sections.append(review_md(view.review))
    sections.append(["## Modules", ""] + table_md(MODULE_COLUMNS, view.modules, {2, 3, 4}))
    if view.identifiers:
        sections.append(
            ["## Possible identifying information", "", escape(IDENTIFIERS_NOTE), ""]
            + table_md(IDENTIFIER_COLUMNS, view.identifiers, set())
        )
    reflections: list[str] = ["## Reflections"]
    for r in view.reflections:
        reflections += [""] + reflection_md(r)
    if not view.reflections:
        reflections += ["", "No reflections in this period."]
    sections.append(reflections)
    return "\n\n".join("\n".join(s).rstrip("\n") for s in sections) + "\n"


def render(doc: dict[str, Any]) -> bytes:
    return document(build_view(doc)).encode("utf-8")
