"""What every command shares: the home folder, plain or interactive mode, the store and banks."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from scr_cpd.cli.console import escape, make_console, print_table
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


__all__ = ["Env", "UserError", "escape", "get_env", "make_env", "print_table"]


@dataclass
class Env:
    home: Path
    _plain: bool | None = None  # None: decided when first asked (the `plain` setting)
    _store: Store | None = field(default=None, repr=False)
    _library: Any = field(default=None, repr=False)

    @property
    def plain(self) -> bool:
        """Plain numbered prompts: asked for, or input is not a terminal, or TERM=dumb, or the
        `plain` setting is on. Read when first needed, and without opening the store, so that
        `cpd --help` or `cpd bank validate` neither needs nor creates a database."""
        if self._plain is None:
            from scr_cpd.progress.settings import peek

            self._plain = peek(self.home, "plain") == "on"
        return self._plain

    @plain.setter
    def plain(self, value: bool) -> None:
        self._plain = value

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
        return make_console(self.plain, stderr=stderr)

    def ui(self) -> Any:
        from scr_cpd.cli.interactive import InteractiveUI
        from scr_cpd.cli.ui import PlainUI

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
    # Plain when the keys or the screen are not a terminal (a pipe either way: arrow-key menus
    # would garble it), or the terminal cannot move its cursor.
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if plain is None and (not terminal or os.environ.get("TERM") == "dumb"):
        plain = True
    return Env(home=home.expanduser(), _plain=plain)


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
    from scr_cpd.progress.settings import SettingError

    return (UserError, StoreError, BankError, OutputError, ReflectionError, SettingError)
