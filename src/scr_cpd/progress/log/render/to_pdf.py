"""The CPD log as a PDF (fpdf2), set in DejaVu Sans, which ships with the package.

fpdf2's multi_cell and cell measure and encode text one character at a time and take tens of
seconds for a long log, so this module does its own typesetting in three steps:

1. *set*: every piece of the log becomes `Line`s (text wrapped with the font's metrics);
2. *paginate*: lines are assigned to pages (a heading never ends a page; a reflection of up to
   half a page is never split; a table's header row is repeated on each page it runs onto);
3. *draw*: each page is added and its lines are placed, with the text encoded through a
   per-document character table (see `Typesetter.put`).

Knowing the page count before drawing also gives "Page 3 of 40" without fpdf2's alias pass.
Characters the font has no glyph for (emoji, for instance) become U+FFFD, so nothing is silently
dropped and nothing crashes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate, repeat
from operator import add
from typing import Any, Iterable

from scr_cpd.progress.log.render import RenderError
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

FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
MARGIN = 18.0
TOP, BOTTOM = 20.0, PAGE_H - 18.0  # where the body of each page starts and must end
BODY = 10.0  # pt
SMALL = 8.5
LEADING = 1.4  # line height as a multiple of the font size
LABEL_WIDTH = 50.0  # mm
CELL_PAD = 1.6
KEEP_TOGETHER = (BOTTOM - TOP) / 2  # blocks up to half a page are never split; longer ones may be
CELL_LINES = 12  # a table cell longer than this is cut short (tables hold titles, not prose)
INK = (27, 27, 27)
BLUE = (29, 58, 110)
GREY = (80, 90, 95)
RED = (170, 40, 20)
RULE = (177, 180, 182)
SHADE = (243, 242, 241)
PT = 25.4 / 72  # mm per point
REPLACEMENT = "\ufffd"  # drawn for a character the font has no glyph for
Color = tuple[int, int, int]


@dataclass(slots=True)
class Run:
    text: str
    style: str = ""
    size: float = BODY
    color: Color = INK
    at: float | None = None  # mm from the left margin; None: straight after the previous run
    down: float = 0.0  # mm from the top of the line to the top of this run's text


@dataclass(slots=True)
class Box:
    x: float  # mm from the left margin
    width: float
    height: float
    filled: bool


@dataclass(slots=True)
class Line:
    runs: tuple[Run, ...]
    advance: float  # height taken, mm
    x: float = 0.0  # indent from the left margin, mm
    keep: int = 0  # how many following lines must share this line's page
    space: bool = False  # only vertical space: dropped at the top of a page
    boxes: tuple[Box, ...] = ()
    repeat: Line | None = None  # drawn first if this line starts a page (a table's header row)
    outline: tuple[str, int] | None = None  # (title, level) of a PDF bookmark starting here


@dataclass(slots=True)
class Block:
    lines: list[Line]
    together: bool = (
        False  # start a new page rather than split, if the block is short (see KEEP_TOGETHER)
    )


def missing_glyphs(widths: dict[str, int]) -> re.Pattern[str]:
    """A pattern matching any character the font cannot draw (line breaks are left alone)."""
    points = sorted(map(ord, [*widths, "\n"]))
    ranges, start = [], points[0]
    for before, point in zip(points, points[1:]):
        if point != before + 1:
            ranges.append((start, before))
            start = point
    ranges.append((start, points[-1]))
    return re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


def gap(height: float, keep: int = 0) -> Line:
    return Line((), height, keep=keep, space=True)


class Typesetter:
    """Measures, wraps and draws text in the document's fonts."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.fonts = fonts = {style: pdf.fonts[FAMILY.lower() + style] for style in FONT_FILES}
        # Per style: each drawable character's width (1/1000 em), keyed by character so that
        # measuring a word is one C-level map over it.
        self.widths = {
            style: {chr(cp): font.cw[cp] for cp in font.cmap} for style, font in fonts.items()
        }
        self.missing = {style: missing_glyphs(widths) for style, widths in self.widths.items()}
        self.fallback = {
            style: REPLACEMENT if REPLACEMENT in widths else "?"
            for style, widths in self.widths.items()
        }
        self.word_cache: dict[str, dict[str, int]] = {style: {} for style in FONT_FILES}
        self.codes: dict[str, dict[str, str]] = {style: {} for style in FONT_FILES}
        self.fast = fast_text_available(pdf)
        self.k = pdf.k  # points per mm
        self.state: tuple[str, float, Color] | None = None  # font and colour last set on this page
        self.ops: list[str] = []  # this page's text operators, written in one go (see flush)
        self.page_fonts: set[int] = set()  # fonts already listed in this page's resources

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
        sizes = list(map(cache.get, words))
        if None in sizes:
            sizes = [self.units(word, style) for word in words]
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
        pdf = self.pdf
        if line.outline:
            pdf.set_y(y)
            pdf.start_section(line.outline[0], level=line.outline[1])
        for box in line.boxes:  # drawn at once; text is written at the end of the page, on top
            if box.filled:
                self.shade(MARGIN + box.x, y, box.width, box.height)
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.2)
            pdf.rect(MARGIN + box.x, y, box.width, box.height, style="D")
        x = MARGIN + line.x
        runs = line.runs
        for i, run in enumerate(runs):
            if run.at is not None:
                x = MARGIN + run.at
            if run.text:
                self.put(
                    x, y + run.down + run.size * PT * 1.05, run.text, run.style, run.size, run.color
                )
            if i + 1 < len(runs) and runs[i + 1].at is None:
                x += self.width(run.text, run.style, run.size)

    def put(
        self, x: float, baseline: float, text: str, style: str, size: float, color: Color
    ) -> None:
        """Write one line of text at (x, baseline), in mm.

        `FPDF.text` maps every character through the font subset one at a time, selects the
        font and colour through several layers each time, and writes each line to the page on
        its own: most of the time a long PDF takes. Here each character is mapped once per
        document, font and colour operators are written only when they change, and a page's
        text is written in one go by `flush`. This relies on nothing else setting the fill
        colour (which text is drawn in): fpdf2's fill colour is never set, and `shade` fills
        inside q/Q. A test checks that the text drawn is the same as FPDF.text draws.
        """
        if not self.fast:
            self.slow_put(x, baseline, text, style, size, color)
            return
        codes = self.codes[style]
        try:
            encoded = "".join(map(codes.__getitem__, text))
        except KeyError:  # characters not used before in this style: add them to the font subset
            font = self.fonts[style]
            for char in set(text).difference(codes):
                glyph = font.subset.pick(ord(char))
                codes[char] = (
                    ""
                    if glyph is None
                    else pdf_string(chr(glyph).encode("utf-16-be").decode("latin-1"))
                )
            encoded = "".join(map(codes.__getitem__, text))
        state = self.state
        if state is None or state[0] != style or state[1] != size:
            self.ops.append(self.font_operator(style, size))
        if state is None or state[2] != color:
            self.ops.append(rgb(color))
        self.state = (style, size, color)
        self.ops.append(
            f"BT {x * self.k:.2f} {(PAGE_H - baseline) * self.k:.2f} Td ({encoded}) Tj ET"
        )

    def shade(self, x: float, y: float, width: float, height: float) -> None:
        """Fill a rectangle with SHADE, leaving the fill colour as it was (text uses it too)."""
        pdf = self.pdf
        if not self.fast:
            pdf.set_fill_color(*SHADE)
            pdf.rect(x, y, width, height, style="F")
            return
        k = pdf.k
        pdf._out(
            f"q {rgb(SHADE)} {x * k:.2f} {(PAGE_H - y) * k:.2f} {width * k:.2f} {-height * k:.2f} re f Q"
        )

    def font_operator(self, style: str, size: float) -> str:
        font = self.fonts[style]
        if font.i in self.page_fonts:
            return f"BT /F{font.i} {size:.2f} Tf ET"  # as fpdf2 writes it
        self.page_fonts.add(font.i)
        return self.pdf._set_font_for_page(
            font, size
        )  # also lists the font in the page's resources

    def slow_put(
        self, x: float, baseline: float, text: str, style: str, size: float, color: Color
    ) -> None:
        if self.state != (style, size, color):
            self.pdf.set_font(FAMILY, style, size)
            self.pdf.set_text_color(*color)
            self.state = (style, size, color)
        self.pdf.text(x, baseline, text)

    def flush(self) -> None:
        """Write the text operators gathered for the current page."""
        if self.ops:
            self.pdf._out("\n".join(self.ops))
            self.ops = []

    def new_page(self) -> None:
        self.flush()
        self.pdf.add_page()  # calls LogPDF.footer (previous page) and LogPDF.header


class Pages:
    """Lines placed on pages, each with the height (mm from the top of the page) it starts at."""

    def __init__(self) -> None:
        self.pages: list[list[tuple[float, Line, int]]] = [[]]
        self.y = TOP

    def place(self, line: Line, index: int) -> None:
        if line.space and self.y == TOP:
            return  # space above a heading is not wanted at the top of a page
        self.pages[-1].append((self.y, line, index))
        self.y += line.advance

    def break_before(self, index: int, line: Line) -> None:
        """Start a new page for line `index`, taking along the lines that must stay with it."""
        page = self.pages[-1]
        carried = 0
        while carried < len(page) and page[-1 - carried][2] + page[-1 - carried][1].keep >= index:
            carried += 1
        moved = page[len(page) - carried :] if carried < len(page) else []
        del page[len(page) - len(moved) :]
        self.pages.append([])
        self.y = TOP
        if line.repeat is not None and all(
            moved_line is not line.repeat for _, moved_line, _ in moved
        ):
            self.place(line.repeat, -1)
        for _, moved_line, moved_index in moved:
            self.place(moved_line, moved_index)


def paginate(blocks: Iterable[Block]) -> list[list[tuple[float, Line, int]]]:
    """Lay the blocks' lines out on pages: see the module docstring for the rules."""
    lines: list[Line] = []
    together: dict[int, float] = {}  # first line of a short block kept together -> its height
    for block in blocks:
        height = sum(line.advance for line in block.lines)
        if block.together and height <= KEEP_TOGETHER:
            together[len(lines)] = height
        lines += block.lines
    pages = Pages()
    for i, line in enumerate(lines):
        need = line.advance
        if line.keep:
            need += sum(nxt.advance for nxt in lines[i + 1 : i + 1 + line.keep])
        if i in together:
            need = max(need, together[i])
        if pages.y + need > BOTTOM and pages.y > TOP:
            pages.break_before(i, line)
        pages.place(line, i)
    return pages.pages


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


# --- fpdf2
def rgb(color: Color) -> str:
    """The PDF operator setting the fill (text) colour."""
    return _RGB.get(color) or _RGB.setdefault(
        color, " ".join(f"{c / 255:.3f}" for c in color) + " rg"
    )


_RGB: dict[Color, str] = {}


def pdf_string(text: str) -> str:
    """Escape a PDF literal string's delimiters (as fpdf2's escape_parens does)."""
    return text.replace("\\", "\\\\").replace(")", "\\)").replace("(", "\\(").replace("\r", "\\r")


def fast_text_available(pdf: Any) -> bool:
    """Whether this fpdf2 has the internals `Typesetter.put` relies on; if not, it uses FPDF.text."""
    font = pdf.fonts.get(FAMILY.lower())
    return (
        hasattr(pdf, "_out")
        and hasattr(pdf, "_set_font_for_page")
        and hasattr(font, "i")
        and hasattr(getattr(font, "subset", None), "pick")
    )


def pdf_class() -> Any:
    from fpdf import FPDF

    class LogPDF(FPDF):  # type: ignore[misc]
        """Header: the log's title and officer, and when it was generated; footer: page n of N."""

        typesetter: Typesetter | None = None
        running_head = ""
        running_date = ""
        total_pages = 0

        def header(self) -> None:
            t = self.typesetter
            if t is None:
                return
            t.state = None  # a new page starts with no font set
            t.page_fonts = set()
            t.put(MARGIN, 12, self.running_head, "", 7.5, GREY)
            t.put(
                PAGE_W - MARGIN - t.width(self.running_date, "", 7.5),
                12,
                self.running_date,
                "",
                7.5,
                GREY,
            )
            t.flush()
            self.set_draw_color(*RULE)
            self.set_line_width(0.2)
            self.line(MARGIN, 14, PAGE_W - MARGIN, 14)

        def footer(self) -> None:
            t = self.typesetter
            if t is None:
                return
            text = f"Page {self.page_no()} of {self.total_pages}"
            t.put((PAGE_W - t.width(text, "", 7.5)) / 2, PAGE_H - 9, text, "", 7.5, GREY)
            t.flush()

    return LogPDF


def new_pdf(view: LogView, fonts: dict[str, Any]) -> Any:
    pdf = pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.alias_nb_pages(None)  # page totals are known before drawing
    for style, path in fonts.items():
        pdf.add_font(FAMILY, style, str(path))
    t = Typesetter(pdf)
    officer = view.officer or "officer not named"
    pdf.running_head = t.fit(f"{TITLE} – {officer}")
    pdf.running_date = t.fit(f"Generated {view.generated_at}")
    pdf.set_title(f"{TITLE} – {officer}")
    pdf.set_author(officer)
    pdf.set_subject("Continuing professional development log")
    pdf.set_creator(f"scr-cpd {view.app_version}".strip())
    pdf.set_lang("en-GB")
    pdf.typesetter = t
    return pdf


def font_paths(stack: ExitStack) -> dict[str, Any]:
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
        pdf = new_pdf(view, font_paths(stack))
        created = parse_time(doc.get("generated_at"))
        if created is not None and created.tzinfo is not None:
            pdf.set_creation_date(created)
        t: Typesetter = pdf.typesetter
        pages = paginate(log_blocks(t, view))
        pdf.total_pages = len(pages)
        for page in pages:
            t.new_page()
            for y, line, _ in page:
                t.draw(y, line)
        t.flush()
        return bytes(pdf.output())
