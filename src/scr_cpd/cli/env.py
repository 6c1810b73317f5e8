"""What every command shares: the home folder, plain or interactive mode, the store and banks."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import typer

from scr_cpd.content.errors import BankError
from scr_cpd.progress.store import Store, StoreError, prepare_home


class UserError(Exception):
    """Something the person can fix; printed as one sentence. exit_code 2 = usage, 1 = check failed."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def default_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path("scr-cpd", appauthor=False)


@dataclass
class Env:
    home: Path
    plain: bool
    _store: Store | None = field(default=None, repr=False)
    _library: Any = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:  # read-only when the home cannot be written: reading still works
            self._store = Store.open_for_reading(self.home)
        return self._store

    @property
    def library(self) -> Any:
        if self._library is None:
            from scr_cpd.common.files import make_private_dir
            from scr_cpd.content.loader import load_library

            prepare_home(self.home)
            try:  # the cache only saves time: a home that cannot be written still lists banks
                make_private_dir(self.home / "cache")
            except OSError:
                pass
            self._library = load_library(self.home, cache_dir=self.home / "cache")
        return self._library

    def console(self, stderr: bool = False) -> Any:
        from scr_cpd.cli.ui import make_console

        return make_console(self.plain, stderr=stderr)

    def ui(self) -> Any:
        from scr_cpd.cli.ui import InteractiveUI, PlainUI

        return (PlainUI if self.plain else InteractiveUI)(self.console())

    def bank(self, module_id: str) -> Any:
        bank = self.library.get(module_id)
        if bank is None:
            import difflib

            close = difflib.get_close_matches(module_id, list(self.library.banks), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UserError(
                f"no module called {module_id!r}{hint}; run `cpd modules` to see them", exit_code=2
            )
        return bank

    def warn_bank_problems(self) -> None:
        errors = self.library.errors
        for problem in errors[:10]:
            typer.echo(f"Bank not loaded: {problem}", err=True)
        if len(errors) > 10:
            typer.echo(
                f"… and {len(errors) - 10} more; run `cpd bank validate` for all of them.", err=True
            )


def make_env(home: Path | None, plain: bool | None) -> Env:
    if home is None:
        home = (
            Path(os.environ["SCR_CPD_HOME"]) if os.environ.get("SCR_CPD_HOME") else default_home()
        )
    if plain is None:
        plain = not sys.stdin.isatty() or os.environ.get("TERM") == "dumb"
    return Env(home=home.expanduser(), plain=plain)


def get_env(ctx: typer.Context) -> Env:
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = make_env(None, None)
    return root.obj


def fail(message: str, exit_code: int = 1) -> "typer.Exit":
    raise UserError(message, exit_code)


def friendly_errors() -> tuple[type[Exception], ...]:
    """The errors a person can cause, each shown as one sentence (see `app.FriendlyGroup`).

    Imported when an error happens, not at start-up, to keep `cpd --help` quick."""
    from scr_cpd.common.files import OutputError
    from scr_cpd.progress.reflections import ReflectionError

    return (UserError, StoreError, BankError, OutputError, ReflectionError)


def escape(text: str) -> str:
    """rich's markup escape, imported when first used: importing rich.markup at start-up costs
    every command, even `cpd --help`, a noticeable share of its start."""
    from rich.markup import escape as escape_markup

    return escape_markup(text)


def print_table(
    plain: bool, columns: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[str] = ()
) -> None:
    """Columns padded with spaces.

    Plain mode gives one line per row and draws no rule: a screen reader reads each row as one
    line. Otherwise the header is bold (when colour is allowed) and underlined, and the widest
    left-aligned column wraps to fit the terminal. No rich here: importing and laying out a
    rich table would double the time `cpd modules` takes.
    """
    table = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    if not plain:
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
    """Narrow the widest left-aligned column so that a row fits the terminal."""
    import shutil

    room = shutil.get_terminal_size().columns - 1
    excess = sum(widths) + 2 * (len(widths) - 1) - room
    candidates = [i for i, r in enumerate(right_aligned) if not r]
    if excess > 0 and candidates:
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] = max(12, widths[widest] - excess)


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _colour() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )
