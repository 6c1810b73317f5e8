"""`cpd`: the command line. Each command is thin: it asks the library and prints the answer."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from scr_cpd import __version__
from scr_cpd.cli.env import FRIENDLY_ERRORS, UserError, get_env, make_env


class FriendlyGroup(TyperGroup):
    """Turns the errors a person can cause into one sentence and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FRIENDLY_ERRORS as exc:
            from scr_cpd.content.errors import BankError

            err = typer.echo
            if isinstance(exc, BankError):
                for problem in exc.problems:
                    err(str(problem), err=True)
            else:
                err(f"Error: {exc}", err=True)
            raise typer.Exit(getattr(exc, "exit_code", 1)) from None
        except KeyboardInterrupt:
            typer.echo("\nStopped. Everything you answered so far is saved.", err=True)
            raise typer.Exit(130) from None


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
    from scr_cpd.cli import bank, learn

    learn.register(app)
    app.add_typer(bank.app, name="bank")


_register()


def main() -> None:
    try:
        app()
    except Exception as exc:  # a bug, not a user error: say so in one line unless debugging
        if os.environ.get("SCR_CPD_DEBUG"):
            raise
        typer.echo(f"Internal error: {type(exc).__name__}: {exc} (set SCR_CPD_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(1)
