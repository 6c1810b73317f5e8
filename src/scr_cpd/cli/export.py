"""`cpd export`: the CPD log, signed, as JSON (canonical), Markdown, HTML, PDF, CSV or xAPI."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any, Optional

import typer

from scr_cpd.cli.env import Env, UserError, get_env
from scr_cpd.common.text import count

STDOUT = Path("-")


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    fmt: Optional[str] = typer.Option(
        None,
        "--format",
        "-f",
        help="json (the signed canonical log), md, html, pdf, csv or xapi (statements for a"
        " learning record store); default: from -o, else json.",
    ),
    since: Optional[str] = typer.Option(
        None, "--since", help="Only activity on or after this date (YYYY-MM-DD)."
    ),
    until: Optional[str] = typer.Option(
        None, "--until", help="Only activity on or before this date (YYYY-MM-DD)."
    ),
    output: Optional[Path] = typer.Option(
        None,
        "-o",
        "--output",
        help="File to write (- for standard output); default: cpd-log-<name>-<date>.<format> here.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace the output file if it exists."),
    redact: bool = typer.Option(
        False,
        "--redact",
        help="Mask text that looks like it identifies someone (postcodes, phone numbers, names…).",
    ),
    schema: bool = typer.Option(
        False, "--schema", help="Print the JSON Schema of the log format and exit."
    ),
    ndjson: bool = typer.Option(False, "--ndjson", help="xapi: one statement per line."),
    home_page: Optional[str] = typer.Option(
        None, "--xapi-home-page", help="xapi: your force's account home page (see docs/records.md)."
    ),
    mbox: Optional[str] = typer.Option(
        None, "--xapi-mbox", help="xapi: name the officer by email."
    ),
) -> None:
    """Export your CPD log, signed with your own key so a supervisor can check it was not edited."""
    from scr_cpd.progress.log import export as library

    if schema:
        import json

        from scr_cpd.progress.log.schema import json_schema

        typer.echo(json.dumps(json_schema(), indent=2))
        return
    xapi = (fmt or "").lower() == "xapi"
    try:
        chosen = None if xapi else library.format_for(fmt, output if output != STDOUT else None)
        first, last = library.parse_day(since, "--since"), library.parse_day(until, "--until")
        library.check_period(first, last, date.today())
    except library.ExportError as exc:
        raise UserError(str(exc), 2) from None
    env = get_env(ctx)
    if chosen is None:
        from scr_cpd.cli.records import write_xapi

        doc = library.signed_log(env.store, env.library.ordered(), env.home, first, last, redact)
        return write_xapi(doc, output, ndjson, home_page, mbox, force)
    from scr_cpd.progress.quiz import Stop

    try:
        write_export(env, chosen.value, first, last, output, redact, force)
    except Stop:  # Ctrl-C at the name's prompt, as at any prompt of a command
        typer.echo("Stopped. Nothing was exported.", err=True)
        raise typer.Exit(130) from None


def write_export(
    env: Env,
    fmt: str,
    since: date | None,
    until: date | None,
    output: Path | None,
    redact: bool,
    force: bool = False,
    ask_name: bool = True,
) -> None:
    """Export and write the file (or standard output); what it holds goes to standard error.
    A profile without a name is asked for one first, unless the caller has (`ask_name`)."""
    from scr_cpd.common.files import OutputError, check_output_path, write_private
    from scr_cpd.progress.log.export import export_log
    from scr_cpd.progress.store import home_files

    to_stdout = output == STDOUT
    protected = home_files(env.home)
    if output is not None and not to_stdout:
        check_output_path(output, force=force, protected=protected)  # before any work is done
    if ask_name:
        ask_for_name(env)
    made = export_log(env.store, env.library.ordered(), env.home, fmt, since, until, redact)
    if to_stdout:
        sys.stdout.buffer.write(made.data)
        sys.stdout.flush()
        where = "the log to standard output"
    else:
        path = output or Path(made.default_name)
        try:
            write_private(path, made.data, force=force, protected=protected)
        except OutputError as exc:
            raise UserError(str(exc)) from None
        where = str(path)
    _report(env, where, fmt, made.doc, redact)


def ask_for_name(env: Env) -> None:
    """A log without the officer's name helps no supervisor: ask for it, or say how to set it."""
    if env.store.profile().get("name"):
        return
    err = env.console(stderr=True)
    if not sys.stdin.isatty():
        err.print("Warning: your profile has no name; set it with `cpd profile --name ...`.")
        return
    from scr_cpd.progress.quiz import Stop

    try:
        name = typer.prompt(
            "Your name for the log (Enter to leave it out)",
            default="",
            show_default=False,
            err=True,
        )
    except typer.Abort:  # Ctrl-C or the end of input: stop as at any other prompt
        typer.echo(err=True)
        raise Stop("interrupted") from None
    if name.strip():
        env.store.set_profile(name=name.strip())
        err.print("Saved to your profile; change it with `cpd profile`.")


def _report(env: Env, where: str, fmt: str, doc: dict[str, Any], redact: bool) -> None:
    from scr_cpd.progress.figures import format_hours

    err = env.console(stderr=True)
    totals = doc["totals"]
    err.print(
        f"Wrote {where} ({fmt}): {format_hours(totals['cpd_hours'])} CPD hours, "
        f"modules completed {totals['modules_completed']} of {totals['modules_available']}, "
        f"passed {totals['modules_passed']} of {totals['modules_available']}, "
        f"{count(totals['reflections'], 'reflection')}.",
        markup=False,
    )
    err.print(
        f"Signed with your key {doc['integrity']['fingerprint']}; give your supervisor this fingerprint "
        "so they can trust it (`cpd review trust`).",
        markup=False,
    )
    _warn_identifiers(env, doc, redact)


def _warn_identifiers(env: Env, doc: dict[str, Any], redact: bool) -> None:
    found = doc.get("identifiers") or []
    if not found:
        return
    err = env.console(stderr=True)
    kinds = sorted({f["kind"] for f in found})
    where = sorted({f["reflection"] for f in found})
    if redact:
        err.print(
            f"Masked {count(len(found), 'possible identifier')} ({', '.join(kinds)}) in {', '.join(where)}."
        )
    else:
        err.print(
            f"Warning: {count(len(found), 'thing')} that may identify someone ({', '.join(kinds)}) in {', '.join(where)}. "
            "Edit them (`cpd reflections edit ID`) or export with --redact."
        )
