"""The CPD log as a PDF (fpdf2), set in DejaVu Sans, which ships with the package.

fpdf2's multi_cell and cell measure and encode text one character at a time and take tens of
seconds for a long log, so this module does its own typesetting in three steps:

1. *set*: every piece of the log becomes `Line`s (text wrapped with the font's metrics);
2. *paginate* (pdf_layout): lines are assigned to pages (a heading never ends a page; a
   reflection of up to half a page is never split; a table's header row is repeated);
3. *draw*: each page is added and its lines are placed through `fpdf_adapter.Writer`, the one
   place that uses fpdf2.

Knowing the page count before drawing also gives "Page 3 of 40" without fpdf2's alias pass.
Characters the font has no glyph for (emoji, for instance) become U+FFFD, so nothing is silently
dropped and nothing crashes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from contextlib import ExitStack
from importlib import resources
from itertools import accumulate, repeat
from operator import add
from pathlib import Path
from typing import Any, cast

from scr_cpd.progress.log.render import RenderError
from scr_cpd.progress.log.render.fpdf_adapter import Writer, describe, new_document
from scr_cpd.progress.log.render.pdf_layout import (
    BLUE,
    BODY,
    CELL_LINES,
    CELL_PAD,
    FONT_FILES,
    GREY,
    INK,
    LABEL_WIDTH,
    LEADING,
    MARGIN,
    PAGE_W,
    PT,
    RED,
    REPLACEMENT,
    SMALL,
    Block,
    Box,
    Color,
    Line,
    Run,
    gap,
    missing_glyphs,
    paginate,
)
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
    parse_time,
)


class Typesetter:
    """Measures, wraps and draws text in the document's fonts."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.widths = writer.widths
        self.missing = {style: missing_glyphs(widths) for style, widths in self.widths.items()}
        self.fallback = {
            style: REPLACEMENT if REPLACEMENT in widths else "?"
            for style, widths in self.widths.items()
        }
        self.word_cache: dict[str, dict[str, int]] = {style: {} for style in FONT_FILES}

    # --- measuring and wrapping
    def fit(self, text: str, style: str = "") -> str:
        """Text the font can draw: tabs become spaces, missing glyphs become U+FFFD."""
        text = text.replace("\t", "    ")
        if text.isascii():  # visible() left no control characters; the font has all of ASCII
            return text
        return self.missing[style].sub(self.fallback[style], text)

    def units(self, word: str, style: str) -> int:
        cache = self.word_cache[style]
        width = cache.get(word)
        if width is None:
            width = cache[word] = sum(map(self.widths[style].__getitem__, word))
        return width

    def width(self, text: str, style: str, size: float) -> float:
        return sum(map(self.widths[style].__getitem__, text)) * size * 0.001 * PT

    def wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        """Greedy line breaking at spaces; a word wider than the line is split where it must be."""
        limit = width / (size * 0.001 * PT)
        lines: list[str] = []
        for para in text.split("\n"):
            lines += self.wrap_paragraph(para, style, limit)
        return lines

    def wrap_paragraph(self, para: str, style: str, limit: float) -> list[str]:
        """Lines of one paragraph; loops once per line, not per word (bisect on running widths)."""
        space = self.widths[style][" "]
        cache = self.word_cache[style]
        words = para.split(" ")
        found = list(map(cache.get, words))
        sizes = (
            [self.units(word, style) for word in words]
            if None in found
            else cast("list[int]", found)
        )
        if sum(sizes) + space * len(words) <= space + limit:
            return [para]  # it fits on one line (as the loop below would find)
        ends = list(
            accumulate(map(add, sizes, repeat(space)))
        )  # ends[i]: width up to word i, plus a space
        lines: list[str] = []
        first, base = 0, 0
        while first < len(words):
            last = bisect_right(ends, base + space + limit, lo=first) - 1
            if last < first:  # the word alone is wider than the line
                lines += self.split_word(words[first], style, limit)
                last = first
            else:
                lines.append(" ".join(words[first : last + 1]))
            first, base = last + 1, ends[last]
        return lines

    def split_word(self, word: str, style: str, limit: float) -> list[str]:
        widths = self.widths[style]
        pieces, start, used = [], 0, 0
        for i, char in enumerate(word):
            w = widths[char]
            if used + w > limit and i > start:
                pieces.append(word[start:i])
                start, used = i, 0
            used += w
        pieces.append(word[start:])
        return pieces

    # --- setting text as lines
    def para(
        self,
        text: str,
        size: float = BODY,
        style: str = "",
        color: Color = INK,
        indent: float = 0.0,
        after: float = 1.5,
        bullet: str = "",
    ) -> list[Line]:
        """Wrapped text; a `bullet` hangs in the indent before the first line."""
        text = self.fit(text, style)
        step = size * LEADING * PT
        wrapped = self.wrap(text, style, size, PAGE_W - 2 * MARGIN - indent) or [""]
        lines = [Line((Run(t, style, size, color),), step, x=indent) for t in wrapped]
        if bullet:
            lines[0].runs = (
                Run(bullet, style, size, color, at=indent - 4),
                Run(wrapped[0], style, size, color, at=indent),
            )
        if len(lines) > 1:  # no line of a paragraph alone at the foot or the head of a page
            lines[0].keep = lines[-2].keep = 1
        lines[-1].advance += after
        return lines

    def heading(
        self,
        text: str,
        size: float,
        before: float = 3.0,
        after: float = 1.5,
        outline: tuple[str, int] | None = None,
        keep: int = 4,
    ) -> list[Line]:
        """A heading that shares its page with the `keep` lines that follow it."""
        lines = self.para(text, size=size, style="B", color=BLUE, after=after)
        for line in lines:
            line.keep = keep
        lines[0].outline = outline
        return [gap(before, keep=len(lines) + keep), *lines]

    def label(self, label: str, hint: str = "") -> Line:
        runs = [Run(self.fit(label, "B"), "B")]
        if hint:
            runs.append(Run("  " + self.fit(hint), "", SMALL, GREY, down=(BODY - SMALL) * PT))
        return Line(tuple(runs), BODY * LEADING * PT, keep=2)

    def facts(self, facts: Iterable[Fact]) -> list[Line]:
        """Label and value side by side, each wrapped in its own column."""
        lines: list[Line] = []
        step = BODY * LEADING * PT
        for fact in facts:
            labels = self.wrap(self.fit(fact.label, "B"), "B", BODY, LABEL_WIDTH - 3)
            values = self.wrap(self.fit(fact.value), "", BODY, PAGE_W - 2 * MARGIN - LABEL_WIDTH)
            for n in range(max(len(labels), len(values))):
                runs = []
                if n < len(labels):
                    runs.append(Run(labels[n], "B", at=0))
                if n < len(values):
                    runs.append(Run(values[n], at=LABEL_WIDTH))
                lines.append(Line(tuple(runs), step, keep=1 if n == 0 else 0))
            lines[-1].advance += 0.6
        return lines

    def table(
        self,
        columns: tuple[str, ...],
        rows: list[tuple[str, ...]],
        shares: tuple[float, ...],
        numeric: set[int],
    ) -> list[Line]:
        widths = [(PAGE_W - 2 * MARGIN) * s / sum(shares) for s in shares]
        header = self.row(columns, widths, numeric, header=True)
        header.keep = 1
        body = [self.row(row, widths, numeric, header=False) for row in rows]
        for line in body:
            line.repeat = header
        return [header, *body, gap(3)]

    def row(
        self, cells: tuple[str, ...], widths: list[float], numeric: set[int], header: bool
    ) -> Line:
        size, style = SMALL + 0.5, "B" if header else ""
        step = size * LEADING * PT
        runs, boxes, x = [], [], 0.0
        wrapped = [
            self.wrap(self.fit(cell, style), style, size, w - 2 * CELL_PAD)[:CELL_LINES]
            for cell, w in zip(cells, widths)
        ]
        height = max(len(w) for w in wrapped) * step + 2 * CELL_PAD
        for i, (lines, w) in enumerate(zip(wrapped, widths)):
            boxes.append(Box(x, w, height, header))
            for n, text in enumerate(lines):
                at = (
                    x + w - CELL_PAD - self.width(text, style, size)
                    if i in numeric
                    else x + CELL_PAD
                )
                runs.append(Run(text, style, size, INK, at=at, down=CELL_PAD + n * step))
            x += w
        return Line(tuple(runs), height, boxes=tuple(boxes))

    # --- drawing
    def draw(self, y: float, line: Line) -> None:
        w = self.writer
        if line.outline:
            w.bookmark(y, line.outline[0], line.outline[1])
        for box in line.boxes:  # drawn at once; text is written at the end of the page, on top
            w.box(MARGIN + box.x, y, box.width, box.height, box.filled)
        x = MARGIN + line.x
        runs = line.runs
        for i, run in enumerate(runs):
            if run.at is not None:
                x = MARGIN + run.at
            if run.text:
                w.put(
                    x, y + run.down + run.size * PT * 1.05, run.text, run.style, run.size, run.color
                )
            if i + 1 < len(runs) and runs[i + 1].at is None:
                x += self.width(run.text, run.style, run.size)


# --- the log, set as blocks
def section(t: Typesetter, title: str) -> Block:
    return Block(t.heading(title, 13, before=5, after=2, outline=(title, 0)))


def header_blocks(t: Typesetter, view: LogView) -> list[Block]:
    banks = view.banks or ["none"]
    lines = t.heading(TITLE, 20, before=0, after=3) + t.facts(
        [*view.details, Fact("Question banks", banks[0])]
    )
    for bank in banks[1:]:
        lines += t.para(bank, indent=LABEL_WIDTH, after=0.6)
    return [Block(lines)]


def signature_blocks(t: Typesetter, view: LogView) -> list[Block]:
    lines = t.facts([Fact("Key fingerprint", view.fingerprint)])
    lines += t.para(
        view.verify_note.replace("`", ""), size=SMALL + 0.5, color=GREY if view.signed else RED
    )
    return [section(t, "Signature"), Block(lines)]


def review_blocks(t: Typesetter, review: ReviewView) -> list[Block]:
    lines = t.facts(review.facts)
    if review.comment:
        lines += [t.label("Overall comment"), *t.para(review.comment)]
    blocks = [section(t, "Supervisor review"), Block(lines)]
    if review.comments:
        blocks.append(Block(t.heading("Comments on reflections", 11, before=2)))
        for c in review.comments:
            blocks.append(
                Block(
                    [t.label(c.label), *t.para(c.value or "(no comment)", after=2.5)], together=True
                )
            )
    return blocks


def reflection_block(t: Typesetter, r: ReflectionView) -> Block:
    lines = t.heading(r.heading, 11.5, before=4, after=0.5, outline=(t.fit(r.heading), 1))
    lines += t.para(r.meta, size=SMALL, color=GREY, after=2)
    lines += [t.label("Prompt"), *t.para(r.prompt, after=2)]
    for part in r.parts:
        lines += [t.label(part.label, part.hint), *t.para(part.text, after=2)]
    if r.learning_points:
        lines.append(t.label("Learning points"))
        for point in r.learning_points:
            lines += t.para(point, indent=5, after=0.6, bullet="•")
        lines[-1].advance += 1.4
    lines += [
        t.label("Competency and Values Framework"),
        *t.para(", ".join(r.tags) or "none chosen", after=2),
    ]
    return Block(lines, together=True)


def log_blocks(t: Typesetter, view: LogView) -> list[Block]:
    blocks = header_blocks(t, view) + signature_blocks(t, view)
    blocks += [section(t, "Summary"), Block(t.facts(view.totals))]
    if view.review:
        blocks += review_blocks(t, view.review)
    blocks += [
        section(t, "Modules"),
        Block(t.table(MODULE_COLUMNS, view.modules, (44, 15, 13, 12, 16), {2, 3, 4})),
    ]
    if view.identifiers:
        blocks += [
            section(t, "Possible identifying information"),
            Block(t.para(IDENTIFIERS_NOTE, size=SMALL + 0.5, after=2)),
            Block(t.table(IDENTIFIER_COLUMNS, view.identifiers, (40, 18, 27, 15), set())),
        ]
    blocks.append(section(t, "Reflections"))
    if not view.reflections:
        blocks.append(Block(t.para("No reflections in this period.")))
    blocks += [reflection_block(t, r) for r in view.reflections]
    return blocks


def font_paths(stack: ExitStack) -> dict[str, Path]:
    folder = resources.files("scr_cpd.progress").joinpath("fonts")
    paths = {}
    for style, name in FONT_FILES.items():
        source = folder.joinpath(name)
        if not source.is_file():
            raise RenderError(
                f"cannot make a PDF: the font {name} is missing from the installation; reinstall scr-cpd"
            )
        paths[style] = stack.enter_context(resources.as_file(source))
    return paths


def render(doc: dict[str, Any]) -> bytes:
    view = build_view(doc)
    with ExitStack() as stack:
        pdf, writer = new_document(font_paths(stack), parse_time(doc.get("generated_at")))
        t = Typesetter(writer)
        officer = view.officer or "officer not named"
        describe(
            pdf,
            title=f"{TITLE} – {officer}",
            author=officer,
            creator=f"scr-cpd {view.app_version}".strip(),
            head=t.fit(f"{TITLE} – {officer}"),
            date=t.fit(f"Generated {view.generated_at}"),
        )
        pages = paginate(log_blocks(t, view))
        pdf.total_pages = len(pages)
        for page in pages:
            writer.new_page()
            for y, line, _ in page:
                t.draw(y, line)
        return writer.finish()
