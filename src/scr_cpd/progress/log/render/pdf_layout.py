"""PDF layout without fpdf2: the page geometry, lines and blocks, and pagination.

Every piece of the log is set as `Line`s (see `to_pdf.Typesetter`); `paginate` assigns them to
pages: a heading never ends a page, a block kept together of up to half a page is never split,
no line of a paragraph is left alone at the foot or the head of a page (each line says how many
after it must share its page: `Line.keep`), and a table's header row is repeated on each page it
runs onto.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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
