"""`cpd`: the command line. Each command is thin: it asks the library and prints the answer."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import typer
import typer.main
from typer.core import TyperGroup

from scr_cpd import __version__
from scr_cpd.cli import coercion
from scr_cpd.cli.env import friendly_errors, make_env

coercion.install()  # plain option values without pydantic: most of a command's start-up


class FriendlyGroup(TyperGroup):
    """Turns the errors a person can cause into one sentence and an exit code, never a traceback;
    builds each command from `COMMANDS` when it is first needed."""

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in self.commands:
            adder = COMMANDS.get(name)
            if adder is not None:
                self._add_commands(adder)
            else:  # unknown: load them all, so that "Did you mean …?" knows every name
                self._add_all_commands()
        return super().get_command(ctx, name)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_global_options(args)
        return list(super().parse_args(ctx, args))

    def list_commands(self, ctx: Any) -> list[str]:
        self._add_all_commands()
        return super().list_commands(ctx)

    def _add_all_commands(self) -> None:
        for adder in dict.fromkeys(COMMANDS.values()):
            self._add_commands(adder)

    def _add_commands(self, adder: Callable[[typer.Typer], None]) -> None:
        added = self.__dict__.setdefault("_added", set())
        if adder in added:
            return
        added.add(adder)
        holder = typer.Typer(rich_markup_mode=None, add_completion=False)
        holder.callback()(_no_callback)  # always a group, even for a single command
        adder(holder)
        group: Any = typer.main.get_command(holder)
        for name, command in group.commands.items():
            _humanise(command)
            self.commands.setdefault(name, command)

    def invoke(self, ctx: Any) -> Any:
        from typer._click.exceptions import BadParameter

        try:
            return super().invoke(ctx)
        except BadParameter as exc:
            raise plain_usage_error(exc) from None
        except KeyboardInterrupt:
            typer.echo(f"\n{stopped_message(ctx.invoked_subcommand)}", err=True)
            raise typer.Exit(130) from None
        except sqlite3.DatabaseError as exc:
            # Damage found after opening (a malformed page), or a lock held too long.
            from scr_cpd.progress.store import DB_NAME, explain_database_error

            home = getattr(ctx.find_root().obj, "home", None)
            path = home / DB_NAME if home is not None else Path(DB_NAME)
            typer.echo(f"Error: {explain_database_error(path, exc)}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            from scr_cpd.progress.quiz import Stop

            if isinstance(exc, Stop):  # Ctrl-C or the end of input at a prompt
                typer.echo("Stopped. Everything you answered so far is saved.", err=True)
                raise typer.Exit(0) from None
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


def _no_callback() -> None:
    pass


GLOBAL_FLAGS = ("--plain", "--interactive")
GLOBAL_WITH_VALUE = ("--home",)


def hoist_global_options(args: list[str]) -> list[str]:
    """Global options written after the subcommand (`cpd start neglect --plain`) moved before it,
    where the root command reads them: defined once, accepted anywhere (up to a `--`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in GLOBAL_FLAGS or arg.split("=", 1)[0] in GLOBAL_WITH_VALUE and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_WITH_VALUE and i + 1 < len(args):
            front += args[i : i + 2]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _humanise(command: Any) -> None:
    """Help that reads as a person wrote it: each command's whole first sentence in command
    lists (never cut with "..."), and arguments and values named MODULE, FILE, DATE, N or TEXT
    rather than `<str>` or `<list[str]>`."""
    if command.short_help is None and command.help:
        first = command.help.strip().split("\n\n")[0]
        command.short_help = " ".join(first.split())
    for param in command.params:
        _humanise_param(param)
    for sub in getattr(command, "commands", {}).values():
        _humanise(sub)


def _humanise_param(param: Any) -> None:
    if param.param_type_name == "argument":
        if param.metavar is None:
            param.metavar = param.name.upper()
        param.display_type_rich = lambda ctx: None  # the name says what it is
        shown = param.metavar + ("..." if param.nargs != 1 else "")
        param._usage_display_name = lambda: shown if param.required else f"[{shown}]"
        return
    kind = getattr(param, "type_descriptor", None)
    if getattr(param, "is_flag", False) or param.metavar is not None or kind is None:
        return
    if kind.is_datetime:
        param.metavar = "DATE"
    elif kind.is_choice:
        param.metavar = "|".join(str(getattr(c, "value", c)) for c in kind.choices)
    elif kind.annotation in (int, float):
        param.metavar = "N"
        low, high = kind.parameter_info.min, kind.parameter_info.max
        if low is not None and high is None:
            param._get_number_range_help_str = lambda: f"at least {low}"
    elif kind.is_path:
        param.metavar = "FILE"
    else:
        param.metavar = "TEXT"


_VALIDATION_WORDS = (
    ("Input should be a valid integer", "it must be a whole number."),
    ("Input should be a valid number", "it must be a number."),
    ("Input should be less than or equal to ", "it must be at most "),
    ("Input should be greater than or equal to ", "it must be at least "),
    ("Input should be less than ", "it must be less than "),
    ("Input should be greater than ", "it must be more than "),
)


def plain_usage_error(exc: Any) -> Any:
    """A value that does not parse, said without the framework's words (no strftime formats,
    no "Input should be…", no "Value error,")."""
    from typer._click.exceptions import MissingParameter

    if isinstance(exc, MissingParameter):
        return _plain_missing(exc)
    kind = getattr(getattr(exc, "param", None), "type_descriptor", None)
    message = str(exc.message)
    if kind is not None and kind.is_datetime:
        parts = message.split("'")
        given = parts[1] if len(parts) > 2 else "that"
        from scr_cpd.common.text import DATE_HINT

        message = f"{given!r} is not a date; {DATE_HINT}"
    message = message.removeprefix("Value error, ")
    for framework, plain in _VALIDATION_WORDS:
        if message.startswith(framework):
            tail = "" if plain.endswith(".") else message[len(framework) :].split(" [", 1)[0]
            message = plain + tail
            break
    exc.message = message.rstrip(".") + "."
    return exc


def _plain_missing(exc: Any) -> Any:
    """ "Missing option '--outcome'. Choose accepted, discuss or revise." in one line, where the
    framework lists the choices one per line after a stray full stop."""
    param = exc.param
    if param is not None:
        exc.param_hint = exc.param_hint or param.get_error_hint()
        exc.param_type = exc.param_type or param.param_type_name
        described = getattr(param, "type_descriptor", None)
        choices = [str(getattr(c, "value", c)) for c in getattr(described, "choices", None) or []]
        if choices:
            listed = (
                ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
            )
            exc.message = f"Choose {listed}."
        exc.param = None  # the message is complete: nothing is appended to it
    return exc


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scr-cpd {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(
        None,
        "--home",
        metavar="DIR",
        help="Folder for your progress, keys and extra banks (env SCR_CPD_HOME). Before or after the command.",
        show_default=False,
    ),
    plain: Optional[bool] = typer.Option(
        None,
        "--plain/--interactive",
        help="Plain numbered prompts (screen readers, pipes), or arrow-key menus. Default: plain when input is not a terminal, TERM is dumb or `cpd settings plain on`.",
        show_default=False,
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Learn from serious case reviews: themed modules, cited feedback, reflections and a CPD log.

    Run `cpd` alone for the home menu.
    """
    ctx.obj = make_env(home, plain)
    if ctx.invoked_subcommand is None:
        from scr_cpd.cli.home import home_menu

        home_menu(ctx.obj)


# Every command, by the function that adds it (and its siblings) to a Typer app. A command's
# module is imported, and typer builds its options, only when the command runs, or for the
# whole list in `cpd --help`: `cpd modules` need not import and build twenty other commands.
# A new command goes here (tests/test_cli_modules.py checks every one has help).
def _learn(app: typer.Typer) -> None:
    from scr_cpd.cli import learn

    learn.register(app)  # modules, start, progress, practice, settings


def _reflect(app: typer.Typer) -> None:
    from scr_cpd.cli import reflect

    reflect.register(app)  # reflect, reflections


def _profile(app: typer.Typer) -> None:
    from scr_cpd.cli import profile

    profile.register(app)


def _export(app: typer.Typer) -> None:
    from scr_cpd.cli import export

    export.register(app)


def _bank(app: typer.Typer) -> None:
    from scr_cpd.cli import bank

    app.add_typer(bank.app, name="bank")


def _review(app: typer.Typer) -> None:
    from scr_cpd.cli import review

    app.add_typer(review.app, name="review")


# Where a person answers or writes (no command at all: the home menu): Ctrl-C keeps all of it.
ANSWERING = {None, "start", "practice", "reflect", "reflections", "profile", "settings"}


def stopped_message(command: str | None) -> str:
    """What Ctrl-C left behind, in the words that fit the command that was stopped."""
    if command in ANSWERING:
        return "Stopped. Everything you answered so far is saved."
    return "Stopped. Nothing was left half-written."


COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "modules": _learn,
    "start": _learn,
    "progress": _learn,
    "practice": _learn,
    "settings": _learn,
    "reflect": _reflect,
    "reflections": _reflect,
    "profile": _profile,
    "export": _export,
    "bank": _bank,
    "review": _review,
}


def main() -> None:
    try:
        app()
    except Exception as exc:  # a bug, not a user error: say so in one line unless debugging
        if os.environ.get("SCR_CPD_DEBUG"):
            raise
        typer.echo(
            f"Internal error: {type(exc).__name__}: {exc} (set SCR_CPD_DEBUG=1 for details, and please report it)",
            err=True,
        )
        sys.exit(1)
    finally:
        # The command has finished and said so: Ctrl-C from here would only make a finished
        # run look killed (no message, exit -2) while the interpreter shuts down.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
