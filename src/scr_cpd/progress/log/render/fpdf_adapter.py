"""The one module that talks to fpdf2, private internals included.

fpdf2's `text`, `cell` and `multi_cell` map every character through the font subset one at a
time, select the font and colour through several layers each time, and write each line to the
page on its own: most of the time a long PDF takes. `Writer.put` maps each character once per
document, writes font and colour operators only when they change, and writes a page's text in
one go. That needs five things fpdf2 does not publish: `FPDF._out`, `FPDF._set_font_for_page`,
a font's `i`, `cw`, `cmap` and `subset.pick`. They are used here only; `fast_text_available`
checks they exist, and without them everything goes through the public `FPDF.text` (slower, the
same pages: a test compares both). `quicker_output` swaps three more internals while the document
is written (the compression level, and how each object lists its fields), each only if it is there;
tests compare its bytes with fpdf2's own. pyproject.toml pins fpdf2 to the versions this was
tested with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from scr_cpd.progress.log.render.pdf_layout import (
    FAMILY,
    FONT_FILES,
    GREY,
    MARGIN,
    PAGE_H,
    PAGE_W,
    PT,
    RULE,
    SHADE,
    TOP,
    Color,
)


def rgb(color: Color) -> bytes:
    """The PDF operator setting the fill (text) colour."""
    return _RGB.get(color) or _RGB.setdefault(
        color, (" ".join(f"{c / 255:.3f}" for c in color) + " rg").encode("ascii")
    )


_RGB: dict[Color, bytes] = {}
_FONT_OPERATORS: dict[tuple[int, float], bytes] = {}


def pdf_string(text: str) -> str:
    """Escape a PDF literal string's delimiters (as fpdf2's escape_parens does)."""
    return text.replace("\\", "\\\\").replace(")", "\\)").replace("(", "\\(").replace("\r", "\\r")


def pdf_bytes(data: bytes) -> bytes:
    """`pdf_string` for bytes."""
    return (
        data.replace(b"\\", b"\\\\")
        .replace(b")", b"\\)")
        .replace(b"(", b"\\(")
        .replace(b"\r", b"\\r")
    )


def fast_text_available(pdf: Any) -> bool:
    """Whether this fpdf2 has the internals `Writer.put` relies on; if not, it uses FPDF.text."""
    font = pdf.fonts.get(FAMILY.lower())
    return (
        hasattr(pdf, "_out")
        and hasattr(pdf, "_set_font_for_page")
        and hasattr(font, "i")
        and hasattr(getattr(font, "subset", None), "pick")
    )


class Writer:
    """Draws on an fpdf2 document: text, shaded and ruled boxes, lines, bookmarks, pages."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.fonts = fonts = {style: pdf.fonts[FAMILY.lower() + style] for style in FONT_FILES}
        # Per style: each drawable character's width (1/1000 em), keyed by character so that
        # measuring a word is one C-level map over it.
        self.widths: dict[str, dict[str, int]] = {
            style: {chr(cp): font.cw[cp] for cp in font.cmap} for style, font in fonts.items()
        }
        # Per style: each character drawn so far (and so in the font subset), and its code in the
        # page's text as a str.translate table (one C-level pass over a line).
        self.known: dict[str, set[str]] = {style: set() for style in FONT_FILES}
        self.codes: dict[str, dict[int, str]] = {style: {} for style in FONT_FILES}
        self.tables: dict[str, dict[int, str] | None] = {style: {} for style in FONT_FILES}
        self.escapes: dict[str, bool] = dict.fromkeys(FONT_FILES, False)
        self.fast = fast_text_available(pdf)
        self.k: float = pdf.k  # points per mm
        self.state: tuple[str, float, Color] | None = None  # font and colour last set on this page
        self.ops: list[bytes] = []  # this page's text operators, written in one go (see flush)
        self.page_fonts: set[int] = set()  # fonts already listed in this page's resources

    def width(self, text: str, style: str, size: float) -> float:
        return sum(map(self.widths[style].__getitem__, text)) * size * 0.001 * PT

    def put(
        self, x: float, baseline: float, text: str, style: str, size: float, color: Color
    ) -> None:
        """Write one line of text at (x, baseline), in mm (see the module docstring).

        This relies on nothing else setting the fill colour (which text is drawn in): fpdf2's
        fill colour is never set, and `shade` fills inside q/Q.
        """
        if not self.fast:
            self.slow_put(x, baseline, text, style, size, color)
            return
        table = self.tables[style]
        if not self.known[style].issuperset(text):
            self.add_characters(text, style)
            table = self.tables[style]
        if table is not None:  # every code is one byte after a zero byte: see add_characters
            encoded = text.translate(table).encode("utf-16-be")
            if self.escapes[style]:
                encoded = pdf_bytes(encoded)
        else:
            encoded = text.translate(self.codes[style]).encode("latin-1")
        state = self.state
        ops = self.ops
        if state is None or state[0] != style or state[1] != size:
            ops.append(self.font_operator(style, size))
        if state is None or state[2] != color:
            ops.append(rgb(color))
        self.state = (style, size, color)
        ops.append(
            b"BT %.2f %.2f Td (%b) Tj ET" % (x * self.k, (PAGE_H - baseline) * self.k, encoded)
        )

    def add_characters(self, text: str, style: str) -> None:
        """Add the line's new characters to the font subset (in the order they first appear).

        Each character's code in the page's text is two bytes, the big-endian glyph number in
        the subset, escaped as a PDF string. `codes` maps each character to that text, for
        `str.translate`. While every code is below 256, `tables` also holds a one-to-one table
        (character -> the code's low byte as a character): translating a line through it and
        encoding the result as UTF-16-BE gives the same bytes in two fast passes, then escaped
        only if one of the codes needs it (`escapes`).
        """
        font, known = self.fonts[style], self.known[style]
        codes, table = self.codes[style], self.tables[style]
        for char in dict.fromkeys(text):
            if char in known:
                continue
            glyph = font.subset.pick(ord(char))
            code = "" if glyph is None else chr(glyph).encode("utf-16-be").decode("latin-1")
            codes[ord(char)] = pdf_string(code)
            known.add(char)
            if table is not None and glyph is not None and glyph > 0xFF:
                table = self.tables[style] = None
            elif table is not None:
                table[ord(char)] = code[1:]
                self.escapes[style] = self.escapes[style] or pdf_string(code) != code

    def slow_put(
        self, x: float, baseline: float, text: str, style: str, size: float, color: Color
    ) -> None:
        if self.state != (style, size, color):
            self.pdf.set_font(FAMILY, style, size)
            self.pdf.set_text_color(*color)
            self.state = (style, size, color)
        self.pdf.text(x, baseline, text)

    def font_operator(self, style: str, size: float) -> bytes:
        font = self.fonts[style]
        if font.i in self.page_fonts:
            operator = _FONT_OPERATORS.get((font.i, size))
            if operator is None:  # as fpdf2 writes it
                operator = _FONT_OPERATORS[font.i, size] = (
                    f"BT /F{font.i} {size:.2f} Tf ET".encode()
                )
            return operator
        self.page_fonts.add(font.i)
        listed: str = self.pdf._set_font_for_page(font, size)  # lists it in the page's resources
        return listed.encode("latin-1")

    def shade(self, x: float, y: float, width: float, height: float) -> None:
        """Fill a rectangle with SHADE, leaving the fill colour as it was (text uses it too)."""
        pdf = self.pdf
        if not self.fast:
            pdf.set_fill_color(*SHADE)
            pdf.rect(x, y, width, height, style="F")
            return
        k = pdf.k
        pdf._out(
            b"q %b %.2f %.2f %.2f %.2f re f Q"
            % (rgb(SHADE), x * k, (PAGE_H - y) * k, width * k, -height * k)
        )

    def box(self, x: float, y: float, width: float, height: float, filled: bool) -> None:
        if filled:
            self.shade(x, y, width, height)
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.2)
        self.pdf.rect(x, y, width, height, style="D")

    def bookmark(self, y: float, title: str, level: int) -> None:
        self.pdf.set_y(y)
        self.pdf.start_section(title, level=level)

    def flush(self) -> None:
        """Write the text operators gathered for the current page."""
        if self.ops:
            self.pdf._out(b"\n".join(self.ops))
            self.ops = []

    def new_page(self) -> None:
        self.flush()
        self.pdf.add_page()  # calls LogPDF.footer (previous page) and LogPDF.header

    def finish(self) -> bytes:
        self.flush()
        with quicker_output():
            return bytes(self.pdf.output())


# zlib's level 3 instead of fpdf2's default (6): half the compression time for a file about 7%
# larger (bench/bench_render.py measures both).
COMPRESSION_LEVEL = 3


@contextmanager
def quicker_output(level: int = COMPRESSION_LEVEL, fields: bool = True) -> Iterator[None]:
    """While a document is written: its streams compressed at `level`, and (`fields`) each
    object's fields listed without `dir()`.

    fpdf2 lists the fields of each of its objects (pages, content streams, bookmarks) with `dir()`
    and turns each field name into its PDF name: most of the time `output()` takes that is not
    compression. `object_fields` lists the same fields, in the same order, from a cache per class,
    and the name conversion is cached; a test checks the bytes are the same as fpdf2's own. Both
    are fpdf2 internals, swapped only while the document is written and only if they are there.
    """
    from fpdf import syntax

    saved: list[tuple[Any, str, Any]] = []

    def swap(owner: Any, name: str, value: Any) -> None:
        if hasattr(owner, name):
            saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, value)

    try:
        swap(syntax.PDFContentStream, "_COMPRESSION_LEVEL", level)
        if (
            fields
            and hasattr(syntax, "build_obj_dict")
            and hasattr(syntax.PDFObject, "_build_obj_dict")
        ):
            swap(syntax.PDFObject, "_build_obj_dict", object_fields)
            swap(syntax, "camel_case", cache(syntax.camel_case))
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


_FIELDS: dict[type, frozenset[str]] = {}


def object_fields(obj: Any, security_handler: Any = None) -> dict[str, object]:
    """What fpdf2's `PDFObject._build_obj_dict` returns, without calling `dir()` on each object.

    `dir(obj)` is the sorted names of its class's attributes and its own; the class's methods,
    properties named id and ref, and names starting with _ are left out either way.
    """
    from fpdf.syntax import build_obj_dict

    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(
            name
            for name in dir(cls)
            if not name.startswith("_")
            and name not in ("id", "ref")
            and not callable(getattr(cls, name, None))
        )
    own = getattr(obj, "__dict__", None)
    if own:
        names = names.union(name for name in own if not name.startswith("_"))
    return build_obj_dict(
        {name: getattr(obj, name) for name in sorted(names)},
        _security_handler=security_handler,
        _obj_id=obj.id,
    )


def pdf_class() -> Any:
    from fpdf import FPDF

    class LogPDF(FPDF):
        """Header: the log's title and officer, and when it was generated; footer: page n of N."""

        writer: Writer | None = None
        running_head = ""
        running_date = ""
        total_pages = 0

        def header(self) -> None:
            w = self.writer
            if w is None:
                return
            w.state = None  # a new page starts with no font set
            w.page_fonts = set()
            w.put(MARGIN, 12, self.running_head, "", 7.5, GREY)
            date_x = PAGE_W - MARGIN - w.width(self.running_date, "", 7.5)
            w.put(date_x, 12, self.running_date, "", 7.5, GREY)
            w.flush()
            self.set_draw_color(*RULE)
            self.set_line_width(0.2)
            self.line(MARGIN, 14, PAGE_W - MARGIN, 14)

        def footer(self) -> None:
            w = self.writer
            if w is None:
                return
            text = f"Page {self.page_no()} of {self.total_pages}"
            w.put((PAGE_W - w.width(text, "", 7.5)) / 2, PAGE_H - 9, text, "", 7.5, GREY)
            w.flush()

    return LogPDF


def new_document(fonts: dict[str, Path], created: datetime | None) -> tuple[Any, Writer]:
    """An A4 document in millimetres with the log's fonts, no automatic page breaks, and a writer."""
    pdf = pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.alias_nb_pages(None)  # page totals are known before drawing
    for style, path in fonts.items():
        pdf.add_font(FAMILY, style, str(path))
    if created is not None and created.tzinfo is not None:
        pdf.set_creation_date(created)
    writer = Writer(pdf)
    pdf.writer = writer
    return pdf, writer


def describe(pdf: Any, title: str, author: str, creator: str, head: str, date: str) -> None:
    """The document's metadata and running head (the text already fitted to the font)."""
    pdf.running_head, pdf.running_date = head, date
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject("Continuing professional development log")
    pdf.set_creator(creator)
    pdf.set_lang("en-GB")
