"""Printing, shared by every command: the console (rich, only when something is printed through
it), markup escaping, and the one table printer. Imports nothing else of the CLI, so `env` and
`ui` can both use it without importing each other."""

from __future__ import annotations

import gc
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Sequence, TextIO

if TYPE_CHECKING:
    pass

PLAIN_WIDTH = 80  # plain mode's width when the terminal cannot say
_collector_held = False


def hold_collector() -> None:
    """Cyclic garbage collection off until the first prompt waits for the person
    (`release_collector`). Starting a module imports and builds tens of thousands of objects
    that live as long as the process; the collector re-scanned them over and over (30 to 60 ms
    before the first question, and again at every full collection after it)."""
    global _collector_held
    if gc.isenabled():
        gc.disable()
        _collector_held = True


def release_collector() -> None:
    """Collection back on, with everything built so far frozen out of it (it is never garbage:
    modules, classes, the bank). Does nothing unless `hold_collector` turned it off."""
    global _collector_held
    if _collector_held:
        _collector_held = False
        gc.freeze()
        gc.enable()


def terminal_width() -> int:
    return shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns or PLAIN_WIDTH


def terminal_height() -> int:
    return shutil.get_terminal_size((PLAIN_WIDTH, 24)).lines or 24


@contextmanager
def echo_held(hold: bool = True) -> Iterator[None]:
    """The terminal's echo of typed keys off inside the block (when `hold` and the input is a
    terminal), then as it was. Keys typed meanwhile are kept for whatever reads them next."""
    saved = _echo_off() if hold else None
    try:
        yield
    finally:
        if saved is not None:
            import termios

            try:
                termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, saved)
            except (termios.error, OSError, ValueError):
                pass


def _echo_off() -> Any:
    """The terminal's settings before echo was turned off, or None if it was left alone."""
    try:
        import termios
    except ImportError:  # not on Windows
        return None
    try:
        fd = sys.stdin.fileno()
        if not os.isatty(fd):
            return None
        saved = termios.tcgetattr(fd)
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, quiet)  # TCSANOW: typed keys are not flushed
        return saved
    except (termios.error, OSError, ValueError):  # no terminal after all
        return None


def make_console(plain: bool, stderr: bool = False) -> Any:
    """Plain mode prints through `PlainConsole` (no rich to import); otherwise a rich Console."""
    if plain:
        return PlainConsole(stderr=stderr)
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


# A markup tag as rich reads one, after any backslashes (see `escape`).
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


class PlainConsole:
    """Plain mode's printer: text only — no colour, no cursor movement, no box drawing — and no
    rich to import, so plain commands start sooner. On a terminal it wraps at words to the
    terminal's width (80 when it cannot say); into a pipe or a file each line stays whole, as a
    script or a screen reader's file expects. Anything that is not text goes to rich."""

    def __init__(self, stderr: bool = False):
        self.stderr = stderr
        self._rich: Any = None

    @property
    def stream(self) -> TextIO:
        return sys.stderr if self.stderr else sys.stdout

    @property
    def width(self) -> int:
        return terminal_width()

    def print(self, *objects: Any, end: str = "\n", markup: bool = True, **options: Any) -> None:
        if not all(isinstance(o, str) for o in objects):
            self._rich_console().print(*objects, end=end, markup=markup, **options)
            return
        text = " ".join(objects)
        if markup:
            text = _TAG.sub(_unescape, text)
        stream = self.stream
        if stream.isatty():
            text = "\n".join(_wrap_line(line, terminal_width()) for line in text.split("\n"))
        stream.write(text + end)
        stream.flush()

    def _rich_console(self) -> Any:
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(
                no_color=True, highlight=False, emoji=False, stderr=self.stderr, soft_wrap=True
            )
        return self._rich


def echo_folded(text: str = "") -> None:
    """A line of text, folded at words to the terminal's width on a terminal (each folded line
    keeping the first line's indent); whole into a pipe or a file."""
    if sys.stdout.isatty():
        text = "\n".join(_wrap_line(line, terminal_width()) for line in text.split("\n"))
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


TAIL_MIN = 30  # columns the last column of a row needs beside the others, or it goes under them
TAIL_INDENT = 6


def echo_row(line: str, tail_from: int) -> None:
    """A row of a hand-aligned table whose last column (long text: flags, notes) starts at
    `tail_from`. On a terminal too narrow for the row, that column is folded at words under
    where it starts, or, with too little room there, under the row, indented."""
    width = terminal_width()
    head, tail = line[:tail_from].rstrip(), line[tail_from:].strip()
    if not sys.stdout.isatty() or len(line) <= width or not tail:
        echo_folded(line)
        return
    import textwrap

    if width - tail_from >= TAIL_MIN:
        lines = textwrap.wrap(tail, width - tail_from, break_on_hyphens=False)
        text = "\n".join(
            [head.ljust(tail_from) + lines[0], *(" " * tail_from + x for x in lines[1:])]
        )
    else:
        indent = " " * TAIL_INDENT
        wrapped = textwrap.wrap(
            tail, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
        )
        text = "\n".join([_wrap_line(head, width), *wrapped])
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def print_indented(console: Any, line: str) -> None:
    """A line whose leading spaces indent every line it wraps to, not only the first (plain
    mode's printer wraps so already; rich is told with a padding)."""
    indent = len(line) - len(line.lstrip(" "))
    if not indent or isinstance(console, PlainConsole):
        console.print(line)
        return
    from rich.padding import Padding

    console.print(Padding(line[indent:], (0, 0, 0, indent)))


def _unescape(match: re.Match[str]) -> str:
    """`escape` undone: an odd run of backslashes before a tag escaped it; an even one is
    backslashes of the text itself."""
    slashes, tag = match.groups()
    return slashes[: len(slashes) // 2] + tag


def _wrap_line(line: str, width: int) -> str:
    if len(line) <= width:
        return line
    import textwrap

    indent = line[: len(line) - len(line.lstrip(" "))]
    lines = textwrap.wrap(
        line,
        width,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
        drop_whitespace=True,
    )
    return "\n".join(lines) or line


def escape(text: str) -> str:
    """Text made literal for rich markup: each `[tag]`-like run gets a backslash, as
    `rich.markup.escape` does (tests/test_terminal.py checks they agree); written here so that
    plain mode, which never needs rich, does not import it for this."""
    escaped = _TAG.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if escaped.endswith("\\") and not escaped.endswith("\\\\"):
        return escaped + "\\"
    return escaped


def safe(text: str) -> str:
    """Text from a bank or a person, ready for `console.print`: control, bidi and zero-width
    characters made visible (line breaks kept), then markup escaped."""
    from scr_cpd.common.text import visible

    return escape(visible(text, multiline=True))


def print_table(
    plain: bool,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    right: Sequence[str] = (),
    below: Sequence[str] = (),
) -> None:
    """Columns padded with spaces, wrapped at word boundaries to fit the terminal.

    Plain mode draws no rule, and into a pipe or a file gives one line per row (a screen reader
    or a script reads each row as a line). Otherwise the header is
    bold (when colour is allowed) and underlined. On a terminal too narrow for a row on one
    line, the `below` columns go on an indented line of their own under each row, so that the
    others (ids, dates) need not be broken. No rich here: importing and laying out a
    rich table would double the time `cpd modules` takes.
    """
    import typer

    table = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    fitting = not plain or sys.stdout.isatty()  # a plain table into a pipe: one line per row
    room = terminal_width() - 1
    if below and sys.stdout.isatty() and _row_width(table) > room:
        top = [i for i, name in enumerate(columns) if name not in below]
        under = [i for i, name in enumerate(columns) if name in below]
        upper = _cell_lines([[line[i] for i in top] for line in table], top, columns, right, room)
        lower = _cell_lines(
            [[line[i] for i in under] for line in table], under, columns, right, room - 2
        )
        blocks = [a + ["  " + text for text in b] for a, b in zip(upper, lower)]
        widths = [max(map(len, a + ["  " + text for text in b])) for a, b in zip(upper, lower)]
        rule = max(widths)
    else:
        blocks = _cell_lines(table, range(len(columns)), columns, right, room if fitting else 0)
        rule = max(len(line) for block in blocks for line in block)
    for n, block in enumerate(blocks):
        for text in block:
            typer.echo(f"\x1b[1m{text}\x1b[0m" if n == 0 and not plain and _colour() else text)
        if n == 0 and not plain:
            typer.echo("─" * rule)


def _row_width(table: list[list[str]]) -> int:
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    return sum(widths) + 2 * (len(widths) - 1)


def _cell_lines(
    table: list[list[str]],
    indexes: Sequence[int],
    columns: Sequence[str],
    right: Sequence[str],
    room: int,
) -> list[list[str]]:
    """Each row of `table` (the header first) as its lines, its cells padded and, when `room`
    is given, the widest left-aligned cells wrapped at words to fit it."""
    names = [columns[i] for i in indexes]
    widths = [max(len(line[k]) for line in table) for k in range(len(names))]
    if room:
        _fit(widths, [name in right for name in names], room)
    blocks = []
    for line in table:
        wrapped = [_wrap(text, width) for text, width in zip(line, widths)]
        block = []
        for k in range(max(len(parts) for parts in wrapped)):
            cells = [
                (parts[k] if k < len(parts) else "").rjust(width)
                if name in right
                else (parts[k] if k < len(parts) else "").ljust(width)
                for name, parts, width in zip(names, wrapped, widths)
            ]
            block.append("  ".join(cells).rstrip())
        blocks.append(block)
    return blocks


def _fit(widths: list[int], right_aligned: list[bool], room: int) -> None:
    """Narrow the widest left-aligned columns, one after another, until a row fits `room`."""
    candidates = [i for i, r in enumerate(right_aligned) if not r]
    while candidates:
        excess = sum(widths) + 2 * (len(widths) - 1) - room
        if excess <= 0:
            return
        widest = max(candidates, key=lambda i: widths[i])
        narrower = max(12, widths[widest] - excess)
        if narrower >= widths[widest]:
            return
        widths[widest] = narrower
        candidates.remove(widest)


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=True) or [""]


def _colour() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )
