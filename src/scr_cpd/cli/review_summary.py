"""How `cpd review summary` prints a team: the table (File column included), then what needs
attention, then files that could not be read, then a tally. Plain text through one table
printer: no rich layout cost however many rows."""

from __future__ import annotations

import sys
from typing import Any

import typer

from scr_cpd.cli.console import echo_folded
from scr_cpd.cli.tables import render_table
from scr_cpd.common.text import DATE_HINT, count, noun, visible

MAX_LISTED = 20


def _score(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


def _review(row: Any) -> str:
    if not row.review_outcome:
        return "–"
    return row.review_outcome + ("" if row.review_status == "valid" else f" ({row.review_status})")


def table_lines(
    officers: list[Any], plain: bool, width: int | None = None, terminal: bool = False
) -> list[str]:
    """The officers' table. On a `terminal` too narrow for one line an officer, each officer's
    verification, review and file go on a second line under the figures (a terminal would
    otherwise break the line anywhere, in the middle of a date or a path); into a pipe or a file
    it stays one line an officer."""
    from scr_cpd.cli.tables import terminal_width

    width = width or terminal_width()
    wide = width >= 120
    reviewed = any(r.review_outcome for r in officers)
    headers = ["Officer", "Staff"] + (["Period"] if wide else [])
    headers += ["Hours", "Compl." if terminal and width < 100 else "Completed"]
    headers += ["Passed", "Avg", "Refl.", "Last", "Verification"]
    headers += (["Review"] if reviewed else []) + ["File"]
    rows = []
    for r in officers:
        cells = [r.name or "(no name)", r.staff_number] + ([r.period] if wide else [])
        cells += [
            f"{r.hours:.2f}",
            f"{r.modules_completed}/{r.modules_total}",
            str(r.modules_passed),
            _score(r.average_score),
            str(r.reflections),
            (r.last_activity or "–")[:10],
            r.status + (f", {count(len(r.flags), 'flag')}" if r.flags else ""),
        ]
        cells += ([_review(r)] if reviewed else []) + [str(r.path)]
        rows.append(cells)
    right = {"Hours", "Completed", "Compl.", "Passed", "Avg", "Refl."}
    below = {"Verification", "Review", "File"} if terminal else set()
    return render_table(
        headers, rows, right=right, squeeze="File", width=width, rule=not plain, below=below
    )


def print_summary(rows: list[Any], total: int, skipped: int, merged: int, plain: bool) -> None:
    officers = [r for r in rows if r.loaded]
    failures = [r for r in rows if not r.loaded]
    if officers:
        echo_folded("\n".join(table_lines(officers, plain, terminal=sys.stdout.isatty())))
        print_problems(officers)
    if failures:
        echo_folded()
        echo_folded(f"{count(len(failures), 'file')} could not be read:")
        for r in failures:
            echo_folded(visible(f"  {r.path}: {r.status} ({r.detail})"))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    hidden = total - len(rows) - merged
    echo_folded()
    echo_folded(
        f"{count(len(rows), 'file')} shown{f' ({hidden} filtered out)' if hidden else ''}"
        + (f": {tally}" if tally else "")
        + "."
    )
    if merged:
        echo_folded(
            f"{count(merged, 'file')} {noun(merged, 'was', 'were')} another copy of a log shown "
            "(the same signed log, with the same verdict; a reviewed copy is the one shown)."
        )
    if skipped:
        echo_folded(
            f"{count(skipped, 'file')} in the folders {noun(skipped, 'was', 'were')} not .json "
            f"and {noun(skipped, 'was', 'were')} skipped."
        )


def _only_untrusted(row: Any) -> bool:
    """A good signature by a key not trusted yet, and nothing else wrong."""
    return (
        row.status == "unknown signer"
        and row.review_status in (None, "valid", "unknown signer")
        and not row.flags
    )


def print_problems(officers: list[Any]) -> None:
    """Logs that are not valid one by one (flags and review problems too); logs by keys not yet
    trusted as one line."""
    problems = [r for r in officers if not r.ok and not _only_untrusted(r)]
    unknown = sum(r.status == "unknown signer" for r in officers)
    if problems or unknown:
        echo_folded()
    for r in problems[:MAX_LISTED]:
        echo_folded(visible(f"{r.name or r.path} ({r.path}): {r.status} ({r.detail})"))
        if r.review_status not in (None, "valid"):
            echo_folded(visible(f"  review: {r.review_status} ({r.review_detail})"))
        for flag in r.flags:
            echo_folded(visible(f"  flag: {flag}"))
    if len(problems) > MAX_LISTED:
        echo_folded(
            f"… and {len(problems) - MAX_LISTED} more; run `cpd review verify` on them for every line."
        )
    if unknown:
        echo_folded(
            f"{count(unknown, 'log')} {noun(unknown, 'has', 'have')} a good signature by a key you do not trust yet: check each officer's "
            "fingerprint with them, then `cpd review trust FINGERPRINT --name ...` (see `cpd review verify`)."
        )


def summarise_team(
    env: Any,
    paths: list[Any],
    trust: Any,
    csv_file: Any,
    html_file: Any,
    sort: str,
    reverse: bool,
    only_invalid: bool,
    status: list[str],
    since: str | None,
) -> bool:
    """Read, filter, print and write the team summary; True when every row shown is valid."""
    from datetime import date

    from scr_cpd.cli.env import UserError
    from scr_cpd.progress.supervision.summary_cache import SummaryCache
    from scr_cpd.progress.supervision.team import (
        filter_rows,
        iter_summaries,
        merge_copies,
        normalise_status,
        sort_rows,
    )

    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise UserError(
            visible(f"--since {since!r} is not a date; {DATE_HINT}"), exit_code=2
        ) from None
    statuses = {_usage(normalise_status, s) for s in status}
    expanded = log_files(paths)
    cache = SummaryCache(env.home, trust)
    rows, merged = merge_copies(list(iter_summaries(expanded.files, trust, cache=cache)))
    cache.save()
    shown = sort_rows(filter_rows(rows, statuses, only_invalid, since_date), sort, reverse)
    print_summary(shown, len(expanded.files), len(expanded.skipped), merged, env.plain)
    write_reports(shown, csv_file, html_file, len(expanded.skipped))
    return all(r.ok for r in shown)


def _usage(check: Any, value: str) -> Any:
    from scr_cpd.cli.env import UserError
    from scr_cpd.progress.supervision import SupervisionError

    try:
        return check(value)
    except SupervisionError as exc:
        raise UserError(visible(exc), exit_code=2) from None


def write_reports(rows: list[Any], csv_file: Any, html_file: Any, skipped: int) -> None:
    from scr_cpd.common.files import write_private
    from scr_cpd.progress.store import iso
    from scr_cpd.progress.supervision.team_report import render_csv, render_html

    if csv_file:
        write_private(csv_file, render_csv(rows))
        typer.echo(visible(f"Wrote {csv_file}"))
    if html_file:
        write_private(html_file, render_html(rows, iso(), skipped))
        typer.echo(visible(f"Wrote {html_file}"))


def log_files(paths: list[Any]) -> Any:
    """The files named and the .json files in the folders named; one sentence if there are none."""
    from scr_cpd.cli.env import UserError
    from scr_cpd.progress.supervision.logfile import expand_paths

    expanded = expand_paths(paths)
    if not expanded.files:
        raise UserError(visible("no .json files found in " + ", ".join(str(p) for p in paths)))
    return expanded
