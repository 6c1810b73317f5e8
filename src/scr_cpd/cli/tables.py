"""One table printer for the CLI: aligned plain text, every cell made visible first.

Built by hand rather than with rich's Table: a rich Table takes seconds to lay out thousands of
rows, and text from files must never reach the terminal with control characters in it.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Collection, Sequence

from scr_cpd.common.text import visible

# Combining marks and wide (East Asian, emoji) characters: only text holding one needs counting.
_UNEVEN = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0900-\u0dff"
    "\u1100-\u115f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u2e80-\ua4cf\uac00-\ud7a3"
    "\uf900-\ufaff\ufe00-\ufe4f\uff00-\uff60\uffe0-\uffe6\U0001f000-\U0001faff"
    "\U00020000-\U0003fffd]"
)


def cell_width(text: str) -> int:
    """Columns `text` takes on a terminal (wide East Asian characters count two)."""
    if text.isascii() or _UNEVEN.search(text) is None:
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def fit(text: str, width: int, from_left: bool = False) -> str:
    """Cut text to `width` columns with an ellipsis (at the start for file paths)."""
    if cell_width(text) <= width:
        return text
    if text.isascii():  # one column a character: cut in one step
        keep = max(width - 1, 0)
        return "…" + text[len(text) - keep :] if from_left else text[:keep] + "…"
    while text and cell_width(text) > width - 1:
        text = text[1:] if from_left else text[:-1]
    return "…" + text if from_left else text + "…"


def terminal_width() -> int:
    try:
        return int(os.environ.get("COLUMNS", "")) or shutil.get_terminal_size().columns
    except ValueError:
        return shutil.get_terminal_size().columns


SQUEEZED_MIN = 14  # columns a squeezed column keeps, however narrow the terminal


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    right: Collection[str] = (),
    squeeze: str | None = None,
    width: int | None = None,
    rule: bool = True,
    below: Collection[str] = (),
) -> list[str]:
    """Lines of an aligned table. Columns named in `right` align right; the `squeeze` column
    (cut from the left, as for file paths) gives way when the table is wider than `width`.

    Columns named in `below`, when the table is wider than `width` even so, move to a second,
    indented line under each row, so that no line is wider than the terminal: a terminal would
    break it anywhere, a date or a path included."""
    cells = [[visible(c) for c in row] for row in rows]
    sizes = [[cell_width(c) for c in row] for row in cells]  # each cell measured once
    width = width or terminal_width()
    table = Cells(list(headers), cells, sizes)
    if below and table.natural_width(squeeze) > width:
        return _two_line_table(table, right, squeeze, width, rule, below)
    return _aligned(table, right, squeeze, width, rule)


class Cells:
    """A table's headers and its cells, made visible and measured once."""

    def __init__(self, headers: list[str], cells: list[list[str]], sizes: list[list[int]]):
        self.headers, self.cells, self.sizes = headers, cells, sizes

    def widths(self) -> list[int]:
        return [
            max([cell_width(h)] + [row[i] for row in self.sizes])
            for i, h in enumerate(self.headers)
        ]

    def natural_width(self, squeeze: str | None) -> int:
        """The width on one line a row, the squeezed column at its narrowest."""
        widths = self.widths()
        if squeeze is not None and squeeze in self.headers:
            index = self.headers.index(squeeze)
            widths[index] = min(widths[index], SQUEEZED_MIN)
        return sum(widths) + 2 * (len(widths) - 1)

    def columns(self, indexes: list[int]) -> Cells:
        return Cells(
            [self.headers[i] for i in indexes],
            [[row[i] for i in indexes] for row in self.cells],
            [[row[i] for i in indexes] for row in self.sizes],
        )


def _aligned(
    table: Cells, right: Collection[str], squeeze: str | None, width: int, rule: bool
) -> list[str]:
    headers, widths = table.headers, table.widths()
    if squeeze is not None and squeeze in headers:
        over = sum(widths) + 2 * (len(widths) - 1) - width
        index = headers.index(squeeze)
        if over > 0:
            widths[index] = max(SQUEEZED_MIN, widths[index] - over)

    aligned = [name in right for name in headers]
    squeezed = [name == squeeze for name in headers]

    def line(values: Sequence[str], measured: Sequence[int]) -> str:
        out = []
        for i, text in enumerate(values[: len(widths)]):
            size = measured[i]
            if size > widths[i]:
                text = fit(text, widths[i], from_left=squeezed[i])
                size = cell_width(text)
            pad = " " * (widths[i] - size)
            out.append(pad + text if aligned[i] else text + pad)
        return "  ".join(out).rstrip()

    lines = [line(headers, [cell_width(h) for h in headers])]
    if rule:
        lines.append("-" * min(width, sum(widths) + 2 * (len(widths) - 1)))
    return lines + [line(row, measured) for row, measured in zip(table.cells, table.sizes)]


def _two_line_table(
    table: Cells,
    right: Collection[str],
    squeeze: str | None,
    width: int,
    rule: bool,
    below: Collection[str],
) -> list[str]:
    """The table with the `below` columns on an indented line of their own under each row; if
    the first line is still too wide, its widest text columns (a name, say) are cut at their
    end to fit, one after another."""
    top = table.columns([i for i, h in enumerate(table.headers) if h not in below])
    under = table.columns([i for i, h in enumerate(table.headers) if h in below])
    _cut_to_fit(top, right, width)
    upper = _aligned(top, right, squeeze if squeeze in top.headers else None, width, False)
    lower = _aligned(under, right, squeeze if squeeze in under.headers else None, width - 2, False)
    lines = [upper[0], "  " + lower[0]]
    if rule:
        lines.append("-" * min(width, max(top.natural_width(None), 2 + under.natural_width(None))))
    for row_line, under_line in zip(upper[1:], lower[1:]):
        lines += [row_line, "  " + under_line]
    return lines


def _cut_to_fit(table: Cells, right: Collection[str], width: int) -> None:
    """Cut the widest left-aligned columns at their end, one after another (none below
    SQUEEZED_MIN), until a row fits `width`."""
    widths = table.widths()
    candidates = [i for i, h in enumerate(table.headers) if h not in right]
    while candidates and (over := sum(widths) + 2 * (len(widths) - 1) - width) > 0:
        widest = max(candidates, key=lambda i: widths[i])
        candidates.remove(widest)
        keep = max(SQUEEZED_MIN, widths[widest] - over)
        for row, sizes in zip(table.cells, table.sizes):
            if sizes[widest] > keep:
                row[widest] = fit(row[widest], keep)
                sizes[widest] = cell_width(row[widest])
        widths = table.widths()
