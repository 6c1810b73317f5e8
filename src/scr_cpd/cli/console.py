"""Printing, shared by every command: the console (rich, only when something is printed through
it), markup escaping, and the one table printer. Imports nothing else of the CLI, so `env` and
`ui` can both use it without importing each other."""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from rich.console import Console

PLAIN_WIDTH = 80  # plain mode's width when the terminal cannot say


def terminal_width() -> int:
    return shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns or PLAIN_WIDTH


def make_console(plain: bool, stderr: bool = False) -> Console:
    # rich is imported when something is printed through it: `cpd modules` in plain mode (a
    # pipe, a screen reader) starts without it.
    from rich.console import Console

    if plain:
        # No colour, no cursor movement. On a terminal, wrapped at words to its width (80 when it
        # cannot say); into a pipe or a file, each line whole, as a script or a reader expects.
        on_screen = (sys.stderr if stderr else sys.stdout).isatty()
        return Console(
            no_color=True,
            highlight=False,
            emoji=False,
            stderr=stderr,
            force_terminal=False,
            force_interactive=False,
            soft_wrap=not on_screen,
            width=terminal_width() if on_screen else None,
        )
    return Console(highlight=False, stderr=stderr)


def escape(text: str) -> str:
    """rich's markup escape, imported when first used: importing rich.markup at start-up costs
    every command, even `cpd --help`, a noticeable share of its start."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)


def print_table(
    plain: bool, columns: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[str] = ()
) -> None:
    """Columns padded with spaces, wrapped at word boundaries to fit the terminal.

    Plain mode draws no rule, and into a pipe or a file gives one line per row (a screen reader
    or a script reads each row as a line). Otherwise the header is
    bold (when colour is allowed) and underlined. No rich here: importing and laying out a
    rich table would double the time `cpd modules` takes.
    """
    import typer

    table = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    if not plain or sys.stdout.isatty():  # a plain table into a pipe: one line per row
        _fit(widths, [name in right for name in columns])
    for n, line in enumerate(table):
        wrapped = [_wrap(text, width) for text, width in zip(line, widths)]
        for k in range(max(len(parts) for parts in wrapped)):
            cells = [
                (parts[k] if k < len(parts) else "").rjust(width)
                if name in right
                else (parts[k] if k < len(parts) else "").ljust(width)
                for name, parts, width in zip(columns, wrapped, widths)
            ]
            text = "  ".join(cells).rstrip()
            typer.echo(f"\x1b[1m{text}\x1b[0m" if n == 0 and not plain and _colour() else text)
        if n == 0 and not plain:
            typer.echo("─" * (sum(widths) + 2 * (len(widths) - 1)))


def _fit(widths: list[int], right_aligned: list[bool]) -> None:
    """Narrow the widest left-aligned columns, one after another, until a row fits the terminal."""
    room = terminal_width() - 1
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
