"""Learning records that travel: the bodies of `cpd export --format xapi`, `cpd review warehouse`
and `cpd bank stats --logs`. Each parses nothing itself: the commands pass their options here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, List, Optional

import typer

from scr_cpd.cli.env import UserError, get_env
from scr_cpd.common.text import visible


def _write(path: Path, data: bytes | str, force: bool = True) -> None:
    from scr_cpd.common.files import OutputError, write_private

    try:
        write_private(path, data, force=force)
    except OutputError as exc:
        raise UserError(str(exc)) from None


# --- cpd export --format xapi -----------------------------------------------------------------


def write_xapi(
    doc: dict[str, Any], output: Path | None, ndjson: bool, home_page: str | None, mbox: str | None
) -> None:
    from scr_cpd.progress.log.xapi import XapiError, render

    try:
        found = render(doc, ndjson, home_page, mbox)
    except XapiError as exc:
        raise UserError(str(exc), 2) from None
    name = re.sub(r"[^a-z0-9]+", "-", doc["profile"]["name"].lower()).strip("-") or "officer"
    path = output or Path(
        f"cpd-xapi-{name}-{doc['generated_at'][:10]}.{'ndjson' if ndjson else 'json'}"
    )
    _write(path, found.data)
    account = found.actor.get("account")
    named = (
        f"account {account['name']} on {account['homePage']}" if account else found.actor["mbox"]
    )
    kind = "NDJSON" if ndjson else "JSON"
    typer.echo(f"Wrote {path} (xAPI {kind}): {found.count} statement(s) for {named}.")
    if account and not home_page and not mbox:
        typer.echo(
            "The home page is a guess from your force; if your learning record store knows you "
            "by another address, export again with --xapi-home-page URL (see docs/records.md)."
        )


# --- cpd review warehouse ---------------------------------------------------------------------


def register_warehouse(app: typer.Typer) -> None:
    app.command("warehouse")(warehouse)


def warehouse(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(
        ..., help="Log files or folders of them (every .json file inside).", show_default=False
    ),
    duckdb_file: Path = typer.Option(
        ..., "--duckdb", help="The DuckDB database to load into (created if missing)."
    ),
    parquet: Optional[Path] = typer.Option(
        None, "--parquet", help="Also write each table as a Parquet file in this folder."
    ),
    with_text: bool = typer.Option(
        False, "--with-text", help="Load what officers wrote in their reflections too."
    ),
) -> None:
    """Load officers' verified logs into DuckDB tables (officers, logs, modules, sessions,
    attempts, reflections) for a force's own queries. Only valid logs are loaded; the rest are
    listed with their verdict (exit 1). Loading a log again keeps one copy. Needs the extra:
    pip install 'scr-cpd[warehouse]'."""
    from scr_cpd.progress import warehouse as wh

    env = get_env(ctx)
    try:
        db = wh.connect(duckdb_file)
        try:
            report = wh.load_logs(db, paths, wh.trusted_names(env.home), with_text)
            written = wh.export_parquet(db, parquet) if parquet else []
        finally:
            db.close()
    except wh.WarehouseError as exc:
        raise UserError(str(exc)) from None
    for line in warehouse_lines(report, duckdb_file, written):
        typer.echo(visible(line))
    if report.rejected or not (report.loaded or report.already):
        raise typer.Exit(1)


def warehouse_lines(report: Any, target: Path, written: list[Path]) -> list[str]:
    rows = report.rows
    again = f" ({len(report.already)} already there, kept once)" if report.already else ""
    lines = [
        f"Loaded {len(report.loaded)} log(s) into {target}{again}: {rows['officers']} officer(s), "
        f"{rows['modules']} module record(s), {rows['sessions']} session(s), "
        f"{rows['attempts']} attempt(s), {rows['reflections']} reflection(s) in all."
    ]
    if report.rejected:
        lines.append(f"Not loaded ({len(report.rejected)}), as `cpd review verify` says:")
        lines += [f"  {r.path}: {r.verdict}" for r in report.rejected]
    if written:
        lines.append(f"Wrote {len(written)} Parquet file(s) to {written[0].parent}.")
    return lines
