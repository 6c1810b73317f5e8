"""`cpd`: the command line. Each command is thin: it asks the library and prints the answer."""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from scr_cpd import __version__
from scr_cpd.cli.env import friendly_errors, make_env


class FriendlyGroup(TyperGroup):
    """Turns the errors a person can cause into one sentence and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            typer.echo("\nStopped. Everything you answered so far is saved.", err=True)
            raise typer.Exit(130) from None
        except sqlite3.DatabaseError as exc:
            # Damage found after opening (a malformed page), or a lock held too long.
            from scr_cpd.progress.store import DB_NAME, explain_database_error

            home = getattr(ctx.find_root().obj, "home", None)
            path = home / DB_NAME if home is not None else Path(DB_NAME)
            typer.echo(f"Error: {explain_database_error(path, exc)}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if not isinstance(exc, friendly_errors()):
                raise
            from scr_cpd.content.errors import BankError

            if isinstance(exc, BankError):
                for problem in exc.problems:
                    typer.echo(str(problem), err=True)
            else:
                typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(getattr(exc, "exit_code", 1)) from None


app = typer.Typer(
    cls=FriendlyGroup,
    help="Learn from serious case reviews: themed modules, cited feedback, reflections and a CPD log.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scr-cpd {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(None, "--home", help="Folder for your progress, keys and extra banks (env SCR_CPD_HOME).", show_default=False),
    plain: Optional[bool] = typer.Option(None, "--plain/--interactive", help="Plain numbered prompts (screen readers, pipes); default: plain when input is not a terminal.", show_default=False),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Learn from serious case reviews: themed modules, cited feedback, reflections and a CPD log.

    Run `cpd` alone for the home menu.
    """
    ctx.obj = make_env(home, plain)
    if ctx.invoked_subcommand is None:
        from scr_cpd.cli.learn import home_menu

        home_menu(ctx.obj)


def _register() -> None:
    from scr_cpd.cli import bank, export, learn, profile, reflect, review

    learn.register(app)
    reflect.register(app)
    profile.register(app)
    export.register(app)
    app.add_typer(bank.app, name="bank")
    app.add_typer(review.app, name="review")


_register()


def main() -> None:
    try:
        app()
    except Exception as exc:  # a bug, not a user error: say so in one line unless debugging
        if os.environ.get("SCR_CPD_DEBUG"):
            raise
        typer.echo(f"Internal error: {type(exc).__name__}: {exc} (set SCR_CPD_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(1)
