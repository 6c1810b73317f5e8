"""The trainer's commands: `cpd bank list|validate|schema|new|install|stats|import|export`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from scr_cpd.cli.env import get_env

app = typer.Typer(help="Write, check, import and share question banks.", no_args_is_help=True)


@app.command("validate")
def validate(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Bank files or folders of banks."),
) -> None:
    """Check banks: every problem in each file as file:line: field: message. Exit 1 on errors."""
    from scr_cpd.content.validate import validate_paths

    report = validate_paths(paths)
    for problem in report.problems:
        typer.echo(str(problem))
    errors = len(report.errors)
    warnings = len(report.problems) - errors
    typer.echo(f"{report.files} file(s) checked: {errors} error(s), {warnings} warning(s).")
    if errors or not report.files:
        raise typer.Exit(1)


@app.command("list")
def list_banks(ctx: typer.Context) -> None:
    """Every loaded bank with its source folder, version and question count."""
    from rich.table import Table

    env = get_env(ctx)
    table = Table(box=None)
    for column in ("Module", "Version", "Questions", "Reflections", "From", "File"):
        table.add_column(column)
    for bank in env.library.ordered():
        table.add_row(bank.id, bank.version, str(len(bank.questions)), str(len(bank.reflections)), bank.origin, str(bank.path))
    env.console().print(table)
    env.warn_bank_problems()


@app.command("schema")
def schema(output: Path = typer.Option(None, "-o", "--output", help="Write to this file instead of printing.")) -> None:
    """Print the JSON Schema of the bank format (point your editor's YAML extension at it)."""
    from scr_cpd.content.schema import json_schema

    text = json.dumps(json_schema(), indent=2)
    if output:
        from scr_cpd.progress.files import write_private

        write_private(output, text)
        typer.echo(f"Wrote {output}")
    else:
        typer.echo(text)


