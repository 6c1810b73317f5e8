"""Learning records that travel: the bodies of `cpd export --format xapi`, `cpd review warehouse`
and `cpd bank stats --logs`. Each parses nothing itself: the commands pass their options here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, List, Optional

import typer

from scr_cpd.cli.console import echo_folded, terminal_width
from scr_cpd.cli.env import UserError, get_env
from scr_cpd.common.text import count, noun, shorten, slugify, visible


def _write(path: Path, data: bytes | str, force: bool = True) -> None:
    from scr_cpd.common.files import OutputError, write_private

    try:
        write_private(path, data, force=force)
    except OutputError as exc:
        raise UserError(str(exc)) from None


# --- cpd export --format xapi -----------------------------------------------------------------


def write_xapi(
    doc: dict[str, Any],
    output: Path | None,
    ndjson: bool,
    home_page: str | None,
    mbox: str | None,
    force: bool = False,
) -> None:
    from scr_cpd.progress.log.xapi import XapiError, render

    try:
        found = render(doc, ndjson, home_page, mbox)
    except XapiError as exc:
        raise UserError(str(exc), 2) from None
    name = slugify(str(doc["profile"].get("name") or "")) or "officer"
    path = output or Path(
        f"cpd-xapi-{name}-{doc['generated_at'][:10]}.{'ndjson' if ndjson else 'json'}"
    )
    _write(path, found.data, force)
    account = found.actor.get("account")
    named = (
        f"account {account['name']} on {account['homePage']}" if account else found.actor["mbox"]
    )
    kind = "NDJSON" if ndjson else "JSON"
    typer.echo(f"Wrote {path} (xAPI {kind}): {count(found.count, 'statement')} for {named}.")
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
        f"Loaded {count(len(report.loaded), 'log')} into {target}{again}: "
        f"{count(rows['officers'], 'officer')}, {count(rows['modules'], 'module record')}, "
        f"{count(rows['sessions'], 'session')}, {count(rows['attempts'], 'attempt')}, "
        f"{count(rows['reflections'], 'reflection')} in all."
    ]
    if report.rejected:
        lines.append(f"Not loaded ({len(report.rejected)}), as `cpd review verify` says:")
        lines += [f"  {r.path}: {r.verdict}" for r in report.rejected]
    if written:
        lines.append(f"Wrote {count(len(written), 'Parquet file')} to {written[0].parent}.")
    return lines


# --- cpd bank stats --logs --------------------------------------------------------------------


def team_stats_command(
    env: Any,
    banks: list[Any],
    logs: list[Path],
    csv_file: Path | None,
    html_file: Path | None,
    min_answers: int,
) -> None:
    """The body of `cpd bank stats --logs`: figures per question, then what was not used."""
    from scr_cpd.progress import team_stats as ts
    from scr_cpd.progress.store import iso
    from scr_cpd.progress.warehouse import trusted_names

    if not logs:
        raise UserError("--csv and --html need --logs PATH (a team's signed logs)", 2)
    report = ts.team_stats(logs, trusted_names(env.home), banks, min_answers)
    if not report.used and not report.rejected:
        raise UserError("no .json files found in " + ", ".join(str(p) for p in logs))
    narrow = sys.stdout.isatty() and team_stats_width(report) > terminal_width()
    for line in team_stats_lines(report, min_answers, narrow):
        echo_folded(visible(line))
    if csv_file:
        _write(csv_file, ts.render_csv(report))
    if html_file:
        _write(html_file, ts.render_html(report, iso()))
    if report.rejected or not report.used:
        raise typer.Exit(1)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _r(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


FIGURES = "Officers  Answers  Facility  Discrimination  Sure+wrong  Guess+right"


def team_stats_width(report: Any) -> int:
    """How wide a question's row is with its figures beside its id (flags not counted)."""
    widest = max((len(t.question.id) for t in report.questions), default=0)
    return 2 + widest + 2 + len(FIGURES)


def team_stats_lines(report: Any, min_answers: int, narrow: bool = False) -> list[str]:
    """The report as lines. `narrow` (a terminal too narrow for a row): each question's
    figures go on an indented line under its id, and its flags under them."""
    lines = [f"Question statistics from {count(len(report.used), 'verified log')}."]
    by_module: dict[str, list[Any]] = {}
    for t in report.questions:
        by_module.setdefault(t.bank.id, []).append(t)
    for module_id, items in by_module.items():
        bank = items[0].bank
        width = max(len(t.question.id) for t in items)
        lines += ["", f"{module_id}: {bank.title} (version {bank.version})"]
        if narrow:
            lines += ["  Question", f"    {FIGURES}"]
        else:
            lines.append(f"  {'Question':<{width}}  {FIGURES}  Flags")
        for t in items:
            figures = (
                f"{t.officers:>8}  {t.answers:>7}  {_share(t.facility):>8}"
                f"  {_r(t.discrimination):>14}  {t.sure_wrong:>10}  {t.guess_right:>11}"
            )
            flags = "; ".join(t.flags) or "-"
            if narrow:
                lines += [f"  {t.question.id}", f"    {figures}", f"    flags: {flags}"]
            else:
                lines.append(f"  {t.question.id:<{width}}  {figures}  {flags}")
            wrong = [b for b in t.bars if not b.right]
            if wrong:
                shown = ", ".join(f"{shorten(b.label, 48)} ×{b.count}" for b in wrong)
                indent = "    " if narrow else f"  {'':<{width}}  "
                lines.append(f"{indent}wrong first answers: {shown}")
    if report.older:
        lines += ["", "Answers to older wordings (not counted above):"]
        lines += [
            f"  {o.module_id}/{o.question_id} wording {o.content_hash}: {count(o.officers, 'officer')}, "
            f"{count(o.answers, 'answer')}, {_share(o.correct / o.answers)} right"
            for o in report.older
        ]
    if report.unknown:
        lines.append(
            f"{count(report.unknown, 'answer')} to questions no longer in their bank "
            f"{noun(report.unknown, 'was', 'were')} left out."
        )
    if report.rejected:
        lines += ["", f"Not used ({len(report.rejected)}), as `cpd review verify` says:"]
        lines += [f"  {r.path}: {r.verdict}" for r in report.rejected]
    from scr_cpd.progress.bank_stats import TOO_EASY, TOO_HARD
    from scr_cpd.progress.team_stats import NOT_DISCRIMINATING

    note = STATS_NOTE.format(
        officers=count(min_answers, "officer"),
        easy=TOO_EASY,
        hard=TOO_HARD,
        dull=NOT_DISCRIMINATING,
    )
    return lines + ["", note]


STATS_NOTE = (
    "Each officer counts once per question, by their first answer to its current wording. "
    "Facility is the share of those answers that were right; discrimination is the correlation "
    "with the officer's score on the rest of the module (Moodle's discrimination index, -1 to +1). "
    "Flags need {officers}: too easy above {easy:.0%}, too hard below {hard:.0%}, not discriminating "
    "when the discriminative efficiency is under {dull:.0%}, misleading when a wrong answer is chosen more often "
    "than the right one. See docs/records.md."
)
