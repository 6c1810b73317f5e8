"""The supervisor's commands: `cpd review show|verify|trust|summary|sign`.

Everything an officer wrote is shown as text: escaped for rich markup, with terminal control
characters replaced, so a log can neither style nor steer the supervisor's terminal.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, List, Optional

import typer
from typer.core import TyperCommand

from scr_cpd.cli.env import Env, UserError, get_env

app = typer.Typer(
    help="Read, verify and sign off officers' CPD logs, one at a time or a whole team.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

# C0/C1 control characters (but newline and tab) and the bidirectional overrides/isolates.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
STYLE = {"valid": "green", "edited": "bold red", "damaged": "bold red", "unsigned": "red"}


def clean(text: Any) -> str:
    """Officer text made safe to print: no escape sequences, no hidden text-direction changes."""
    return UNSAFE_CHARS.sub("\ufffd", "" if text is None else str(text))


def safe(text: Any) -> str:
    """Officer text made safe for a rich markup string."""
    from rich.markup import escape

    return escape(clean(text))


@contextmanager
def friendly() -> Iterator[None]:
    """The review library's and file writer's errors become one sentence (and exit 1)."""
    from scr_cpd.common.files import OutputError
    from scr_cpd.progress.review import ReviewError

    try:
        yield
    except (ReviewError, OutputError) as exc:
        raise UserError(str(exc)) from None


def _trusted(env: Env) -> dict[str, str]:
    from scr_cpd.progress.review import trusted_names

    with friendly():
        return trusted_names(env.home)


# --- verify -----------------------------------------------------------------------------------


@app.command("verify")
def verify(
    ctx: typer.Context,
    logs: List[Path] = typer.Argument(
        ..., help="Log files (.json), or folders of them.", show_default=False
    ),
) -> None:
    """Check each log's signature: one line per file. Exit 1 if any is not valid.

    valid (signed by a key in your trusted list), edited (says which part no longer matches),
    unsigned, unknown signer (a good signature by a key you have not trusted yet), not a CPD log,
    unsupported version, damaged, unreadable. A supervisor's review is checked too.
    """
    from scr_cpd.progress.review import expand_paths, load_log

    env = get_env(ctx)
    trusted = _trusted(env)
    expanded = expand_paths(logs)
    if not expanded.files:
        raise UserError("no .json files found in " + ", ".join(str(p) for p in logs))
    failed = 0
    for path in expanded.files:
        _, verdict = load_log(path, trusted)
        failed += not verdict.ok
        typer.echo(clean(f"{path}: {verdict.line()}"))
    if len(expanded.files) > 1:
        typer.echo(
            f"{len(expanded.files)} file(s): {len(expanded.files) - failed} valid, {failed} not valid."
        )
    if failed:
        raise typer.Exit(1)


# --- trust ------------------------------------------------------------------------------------


@app.command("trust")
def trust(
    ctx: typer.Context,
    fingerprint: Optional[str] = typer.Argument(
        None,
        help="The key's fingerprint, as printed on the officer's log (abcd:ef01:…).",
        show_default=False,
    ),
    name: Optional[str] = typer.Option(
        None, "--name", help='Whose key it is, e.g. "PC 1234 Jones".', show_default=False
    ),
    remove: bool = typer.Option(False, "--remove", help="Stop trusting this key."),
    list_keys: bool = typer.Option(False, "--list", help="Show the keys you trust."),
) -> None:
    """Keep a list of officers' keys you trust, so `verify` can say `valid` and whose log it is.

    Check the fingerprint with the officer (in person, or from the log they handed you) before
    trusting it: a log signed by any other key shows as `unknown signer`.
    """
    from scr_cpd.progress.review import trust_key, untrust_key
    from scr_cpd.progress.store import iso

    env = get_env(ctx)
    if list_keys:
        if fingerprint or name or remove:
            raise UserError("--list takes no fingerprint, --name or --remove", exit_code=2)
        return _list_trusted(env)
    if not fingerprint:
        raise UserError('give a key fingerprint and --name "PC 1234 Jones", or --list', exit_code=2)
    with friendly():
        if remove:
            if name:
                raise UserError("--remove takes no --name", exit_code=2)
            fp, before = untrust_key(env.home, fingerprint)
            typer.echo(
                clean(f"Removed key {fp} ({before}).")
                if before
                else f"Key {fp} was not in your trusted list."
            )
            return
        if not name:
            raise UserError(
                f'say whose key it is: cpd review trust {fingerprint} --name "PC 1234 Jones"',
                exit_code=2,
            )
        fp, before = trust_key(env.home, fingerprint, name, iso())
    if before and before != name:
        typer.echo(clean(f"Key {fp} was {before}; now trusted as {name}."))
    else:
        typer.echo(clean(f"Trusted key {fp} as {name}."))


def _list_trusted(env: Env) -> None:
    from scr_cpd.progress.log.signing import KeyFileError, own_fingerprint
    from scr_cpd.progress.review import read_trusted, trust_path

    with friendly():
        trusted = read_trusted(env.home)
    try:
        own = own_fingerprint(env.home)
    except KeyFileError as exc:
        own = None
        typer.echo(f"Note: {exc}.")
    if not trusted:
        typer.echo(
            f'You trust no keys yet ({trust_path(env.home)} is empty). Add one with: cpd review trust FINGERPRINT --name "PC 1234 Jones"'
        )
    for fp, entry in sorted(
        trusted.items(), key=lambda item: str(item[1].get("name", "")).casefold()
    ):
        typer.echo(
            clean(f"{fp}  {entry.get('name', '')}  (added {str(entry.get('added_at', '?'))[:10]})")
        )
    if own:
        typer.echo(f"Your own key {own} is trusted on this computer without being listed.")


# --- show -------------------------------------------------------------------------------------


@app.command("show")
def show(
    ctx: typer.Context,
    log: Path = typer.Argument(
        ..., help="The log file (.json) the officer exported.", show_default=False
    ),
) -> None:
    """Show one log: verification first, then who, period, CPD hours, modules, and every
    reflection in full with any supervisor feedback."""
    from scr_cpd.progress.review import load_log

    env = get_env(ctx)
    doc, verdict = load_log(log, _trusted(env))
    if doc is None:
        raise UserError(clean(f"{log}: {verdict.line()}"))
    console = env.console()
    render_log(console, doc, verdict, env.plain)


def render_log(console: Any, doc: dict[str, Any], verdict: Any, plain: bool) -> None:
    _print_verdict(console, verdict, plain)
    _print_header(console, doc)
    _print_modules(console, doc["modules"], plain)
    review = doc.get("review")
    comments = _comments_by_reflection(review)
    _print_reflections(console, doc["reflections"], comments, plain)
    _print_identifiers(console, doc.get("identifiers") or [])
    if review:
        _print_review(console, review, verdict, {r["id"] for r in doc["reflections"]}, plain)


def _heading(console: Any, text: str, plain: bool) -> None:
    console.print()
    if plain:
        console.print(text)
        console.print("-" * len(text))
    else:
        console.print(f"[bold underline]{text}[/]")


def _print_verdict(console: Any, verdict: Any, plain: bool) -> None:
    style = STYLE.get(verdict.status, "yellow")
    line = f"Verification: {safe(verdict.status)}" + (
        f" — {safe(verdict.detail)}" if verdict.detail else ""
    )
    console.print(line if plain else f"[{style}]{line}[/]")
    if verdict.review_status:
        style = STYLE.get(verdict.review_status, "yellow")
        line = f"Review signature: {safe(verdict.review_status)}" + (
            f" — {safe(verdict.review_detail)}" if verdict.review_detail else ""
        )
        console.print(line if plain else f"[{style}]{line}[/]")


def _print_header(console: Any, doc: dict[str, Any]) -> None:
    profile, period, totals = doc["profile"], doc["period"], doc["totals"]
    console.print()
    console.print(f"CPD log of {safe(profile.get('name') or '(no name given)')}")
    facts = [
        ("Role", profile.get("role")),
        ("Force", profile.get("force")),
        ("Staff number", profile.get("staff_number")),
    ]
    shown = [f"{label}: {safe(value)}" for label, value in facts if value]
    if shown:
        console.print(" · ".join(shown))
    until = period.get("until") or doc["generated_at"][:10]
    span = (
        f"{safe(period['since'])} to {safe(until)}"
        if period.get("since")
        else f"everything up to {safe(until)}"
    )
    console.print(
        f"Period: {span} · exported {safe(_when(doc['generated_at']))}"
        f" with scr-cpd {safe(doc['app']['version'])}"
    )
    console.print(
        f"CPD hours: {totals['cpd_hours']:.2f} · modules completed: {totals['modules_completed']} of "
        f"{len(doc['modules'])} · questions answered: {totals['questions_answered']} · "
        f"reflections: {len(doc['reflections'])}"
    )


def duration(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _score(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


def _answers(count: int) -> str:
    return f"{count} answer" + ("" if count == 1 else "s")


def _print_modules(console: Any, modules: list[dict[str, Any]], plain: bool) -> None:
    _heading(console, f"Modules ({len(modules)})", plain)
    if plain:
        for m in modules:
            console.print(
                f"{safe(m['title'])} ({safe(m['id'])}): {safe(m['status'])}; best score {_score(m.get('best_score'))}"
                f" (pass mark {m['pass_mark']:.0%}); {_answers(m.get('attempts', 0))}; {duration(m.get('seconds', 0))}"
            )
        return
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        header_style="bold",
        padding=(0, 1),
        collapse_padding=True,
        show_edge=False,
    )
    for column in ("Module", "Status", "Best", "Pass", "Answers", "Time", "Last"):
        table.add_column(
            column,
            justify="right" if column in ("Best", "Pass", "Answers", "Time") else "left",
            no_wrap=column != "Module",
        )
    for m in modules:
        table.add_row(
            safe(m["title"]),
            safe(m["status"]),
            _score(m.get("best_score")),
            f"{m['pass_mark']:.0%}",
            str(m.get("attempts", 0)),
            duration(m.get("seconds", 0)),
            safe((m.get("last_activity") or "–")[:10]),
        )
    console.print(table)


def _comments_by_reflection(review: dict[str, Any] | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for c in (review or {}).get("comments", []):
        found.setdefault(c["reflection"], []).append(c["comment"])
    return found


def _print_reflections(
    console: Any, reflections: list[dict[str, Any]], comments: dict[str, list[str]], plain: bool
) -> None:
    _heading(console, f"Reflections ({len(reflections)})", plain)
    if not reflections:
        console.print("No reflections in this log.")
    for n, r in enumerate(reflections, start=1):
        console.print()
        where = r.get("module_title") or "free reflection"
        title = f"{n}. {safe(where)} · {safe(r['created_at'][:10])} · id {safe(r['id'])}"
        console.print(title if plain else f"[bold]{title}[/]")
        if r["updated_at"][:10] != r["created_at"][:10]:
            console.print(f"(edited {safe(r['updated_at'][:10])})")
        _field(console, "Prompt:", r["prompt"], plain)
        _field(console, "What?", r["what"], plain)
        _field(console, "So what?", r["so_what"], plain)
        _field(console, "Now what?", r["now_what"], plain)
        points = r.get("learning_points") or []
        if points:
            console.print("Learning points:" if plain else "[bold]Learning points:[/]")
            _bullets(console, [p["text"] for p in points], plain)
        if r.get("tags"):
            console.print(
                ("Tags: " if plain else "[bold]Tags:[/] ") + ", ".join(safe(t) for t in r["tags"])
            )
        for comment in comments.get(r["id"], []):
            _field(console, "Supervisor's comment:", comment, plain, style="cyan")


def _bullets(console: Any, items: list[str], plain: bool) -> None:
    if plain:  # one line each: the terminal or screen reader wraps
        for item in items:
            console.print(f"  - {safe(item)}")
        return
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row("  -", safe(item))
    console.print(grid)


def _when(stamp: str) -> str:
    """`2026-11-26T04:07:31+00:00` → `2026-11-26 04:07 UTC`."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    zone = (
        "UTC"
        if moment.utcoffset() is not None and not moment.utcoffset()
        else moment.strftime("%z")
    )
    return f"{moment:%Y-%m-%d %H:%M} {zone}".rstrip()


def _field(console: Any, label: str, text: str, plain: bool, style: str = "bold") -> None:
    body = safe(text) if text.strip() else "(left blank)"
    console.print(f"{label} {body}" if plain else f"[{style}]{label}[/] {body}")


def _print_identifiers(console: Any, identifiers: list[dict[str, Any]]) -> None:
    if not identifiers:
        return
    kept = [i for i in identifiers if not i.get("redacted")]
    console.print()
    console.print(
        f"At export, {len(identifiers)} passage(s) looked as if they could identify a child, family or case"
        f" ({len(identifiers) - len(kept)} masked, {len(kept)} kept by the officer):"
    )
    for i in identifiers:
        state = "masked" if i.get("redacted") else "kept"
        console.print(
            f"  - reflection {safe(i['reflection'])}, {safe(i['field'])}: {safe(i['kind'])} ({state})"
        )


def _print_review(
    console: Any, review: dict[str, Any], verdict: Any, reflection_ids: set[str], plain: bool
) -> None:
    _heading(console, "Supervisor review", plain)
    if verdict.review_status != "valid":
        console.print(
            f"(the review's signature is {safe(verdict.review_status)}: read it with care)"
        )
    person = review["supervisor"]
    who = safe(person.get("name") or "(no name)")
    extra = [safe(person[k]) for k in ("role", "force") if person.get(k)]
    if person.get("staff_number"):
        extra.append(f"staff number {safe(person['staff_number'])}")
    console.print(
        f"Outcome: {safe(review['outcome'])} · {who}"
        + (f" ({', '.join(extra)})" if extra else "")
        + f" · {safe(review['date'][:10])}"
    )
    if review.get("comment"):
        _field(console, "Comment:", review["comment"], plain)
    stray = [c for c in review.get("comments", []) if c["reflection"] not in reflection_ids]
    for c in stray:
        _field(
            console,
            f"On reflection {safe(c['reflection'])} (not in this log):",
            c["comment"],
            plain,
        )
    count = len(review.get("comments", [])) - len(stray)
    if count:
        console.print(f"{count} comment(s) on reflections, shown with each reflection above.")


# --- summary ----------------------------------------------------------------------------------


class SortBy(str, Enum):
    name = "name"
    hours = "hours"
    score = "score"
    last = "last"
    modules = "modules"


@app.command("summary")
def summary(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(
        ..., help="Log files or folders of them (every .json file inside).", show_default=False
    ),
    csv_file: Optional[Path] = typer.Option(
        None, "--csv", help="Also write the table as CSV (spreadsheet-safe).", show_default=False
    ),
    html_file: Optional[Path] = typer.Option(
        None, "--html", help="Also write a self-contained HTML team report.", show_default=False
    ),
    sort: SortBy = typer.Option(
        SortBy.name,
        "--sort",
        help="Order officers by name, or lowest first by hours, score, last activity or modules completed.",
    ),
    reverse: bool = typer.Option(False, "--reverse", help="Reverse the order."),
    only_invalid: bool = typer.Option(
        False, "--only-invalid", help="Only logs (and files) that are not valid."
    ),
    status: Optional[List[str]] = typer.Option(
        None,
        "--status",
        help="Only this verification status (repeatable): valid, edited, unsigned, unknown-signer, damaged, …",
        show_default=False,
    ),
    since: Optional[str] = typer.Option(
        None,
        "--since",
        help="Only officers active on or after this date (YYYY-MM-DD).",
        show_default=False,
    ),
) -> None:
    """One row per officer: name, staff number, period, CPD hours, modules completed, average
    score, reflections, last activity and verification. Files that cannot be read are listed
    with the reason; the rest are still summarised. Exit 1 if any file shown is not valid."""
    from datetime import date

    from scr_cpd.progress.review import (
        ReviewError,
        expand_paths,
        filter_rows,
        iter_summaries,
        normalise_status,
        sort_rows,
    )

    env = get_env(ctx)
    since_date = None
    if since:
        try:
            since_date = date.fromisoformat(since)
        except ValueError:
            raise UserError(
                f"--since {since!r} is not a date; write it as YYYY-MM-DD", exit_code=2
            ) from None
    try:
        statuses = {normalise_status(s) for s in status or []}
    except ReviewError as exc:
        raise UserError(str(exc), exit_code=2) from None
    trusted = _trusted(env)
    expanded = expand_paths(paths)
    if not expanded.files:
        raise UserError("no .json files found in " + ", ".join(str(p) for p in paths))
    rows = list(iter_summaries(expanded.files, trusted))
    shown = sort_rows(filter_rows(rows, statuses, only_invalid, since_date), sort.value, reverse)
    not_ok = sum(1 for r in shown if r.status != "valid" or r.review_status not in (None, "valid"))
    _print_summary(env, shown, len(rows), len(expanded.skipped))
    _write_reports(shown, csv_file, html_file, len(expanded.skipped))
    if not_ok:
        raise typer.Exit(1)


def _print_summary(env: Env, rows: list[Any], total: int, skipped: int) -> None:
    """The table, then what needs attention, then files that could not be read, then a tally."""
    console = env.console()
    officers = [r for r in rows if r.loaded]
    failures = [r for r in rows if not r.loaded]
    if officers:
        console.print(_summary_table(env, officers, console.width), soft_wrap=True)
        _print_problems(console, officers)
    if failures:
        console.print()
        console.print(f"{len(failures)} file(s) could not be read:")
        for r in failures:
            console.print(f"  {safe(r.path)}: {safe(r.status)} ({safe(r.detail)})")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    hidden = total - len(rows)
    console.print()
    console.print(
        f"{len(rows)} file(s) shown{f' ({hidden} filtered out)' if hidden else ''}"
        + (f": {tally}" if tally else "")
        + "."
    )
    if skipped:
        console.print(f"{skipped} file(s) in the folders were not .json and were skipped.")


def _summary_table(env: Env, officers: list[Any], width: int) -> str:
    """The officers as aligned text (rich markup). Period and file only on a terminal at least
    120 columns wide; --csv and --html always have every column. Built by hand: a rich Table
    takes seconds to lay out a thousand rows."""
    from rich.cells import cell_len

    wide = width >= 120
    reviewed = any(r.review_outcome for r in officers)
    headers = (
        ["Officer", "Staff"]
        + (["Period"] if wide else [])
        + ["Hours", "Modules", "Avg", "Refl.", "Last", "Verification"]
    )
    headers += (["Review"] if reviewed else []) + (["File"] if wide else [])
    right = {"Hours", "Modules", "Avg", "Refl."}
    rows = []
    for r in officers:
        cells = [clean(r.name or "(no name)"), clean(r.staff_number)] + (
            [clean(r.period)] if wide else []
        )
        cells += [
            f"{r.hours:.2f}",
            f"{r.modules_completed}/{r.modules_total}",
            _score(r.average_score),
            str(r.reflections),
            clean((r.last_activity or "–")[:10]),
            r.status,
        ]
        if reviewed:
            review = "–"
            if r.review_outcome:
                review = clean(r.review_outcome) + (
                    "" if r.review_status == "valid" else f" ({r.review_status})"
                )
            cells.append(review)
        if wide:
            cells.append(clean(r.path))
        rows.append(cells)
    widths = [
        max([cell_len(h)] + [cell_len(row[i]) for row in rows]) for i, h in enumerate(headers)
    ]
    squeeze = headers.index("File") if wide else 0  # the column that gives way on a narrow terminal
    over = sum(widths) + 2 * (len(widths) - 1) - width
    if over > 0:
        widths[squeeze] = max(14, widths[squeeze] - over)

    def line(cells: list[str], header: bool = False) -> str:
        if not header and squeeze == 0 and cell_len(cells[0]) > widths[0]:  # a long name: wrap it
            import textwrap

            first, *more = textwrap.wrap(cells[0], widths[0]) or [""]
            blank = [""] * (len(cells) - 1)
            return "\n".join(
                [line([first] + cells[1:])] + [line([part] + blank).rstrip() for part in more]
            )
        out = []
        for i, (name, text) in enumerate(zip(headers, cells)):
            text = _fit(text, widths[i], from_left=name == "File")
            pad = " " * (widths[i] - cell_len(text))
            text = pad + text if name in right else (text + pad if i < len(cells) - 1 else text)
            text = safe(text)
            if not env.plain and header:
                text = f"[bold]{text}[/]"
            elif not env.plain and name == "Verification" and cells[i]:
                text = f"[{STYLE.get(cells[i], 'yellow')}]{text}[/]"
            out.append(text)
        return "  ".join(out)

    lines = [line(headers, header=True)]
    if not env.plain:
        lines.append("─" * min(width, sum(widths) + 2 * (len(widths) - 1)))
    lines += [line(cells) for cells in rows]
    return "\n".join(lines)


def _fit(text: str, width: int, from_left: bool = False) -> str:
    """Cut text to `width` cells with an ellipsis (at the start for file paths)."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[1:] if from_left else text[:-1]
    return "…" + text if from_left else text + "…"


def _print_problems(console: Any, officers: list[Any]) -> None:
    """Edited and unsigned logs one by one; logs by keys not yet trusted as one line."""
    problems = [r for r in officers if r.status not in ("valid", "unknown signer")]
    unknown = sum(r.status == "unknown signer" for r in officers)
    if problems or unknown:
        console.print()
    for r in problems[:20]:
        console.print(
            f"{safe(r.name or r.path)} ({safe(r.path)}): {safe(r.status)} ({safe(r.detail)})"
        )
    if len(problems) > 20:
        console.print(
            f"… and {len(problems) - 20} more; run `cpd review verify` on them for every line."
        )
    if unknown:
        console.print(
            f"{unknown} log(s) have a good signature by a key you do not trust yet: check each officer's "
            "fingerprint with them, then `cpd review trust FINGERPRINT --name ...` (see `cpd review verify`)."
        )


def _write_reports(
    rows: list[Any], csv_file: Path | None, html_file: Path | None, skipped: int
) -> None:
    from scr_cpd.common.files import write_private
    from scr_cpd.progress.review import render_csv, render_html
    from scr_cpd.progress.store import iso

    with friendly():
        if csv_file:
            write_private(csv_file, render_csv(rows))
            typer.echo(f"Wrote {csv_file}")
        if html_file:
            write_private(html_file, render_html(rows, iso(), skipped))
            typer.echo(f"Wrote {html_file}")


# --- sign -------------------------------------------------------------------------------------


class Outcome(str, Enum):
    accepted = "accepted"
    discuss = "discuss"
    revise = "revise"


ORDER_META = "scr_cpd.review.sign.order"
VALUE_OPTIONS = ("--outcome", "-o", "--output")


def scan_comment_options(args: list[str]) -> list[tuple[str, str]]:
    """The `--on` and `--comment` options in the order they were typed (click keeps each apart)."""
    events: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            break
        if token in ("--on", "--comment"):
            if i + 1 < len(args):
                events.append((token, args[i + 1]))
            i += 2
            continue
        for name in ("--on", "--comment"):
            if token.startswith(name + "="):
                events.append((name, token[len(name) + 1 :]))
        i += 2 if token in VALUE_OPTIONS else 1
    return events


def pair_comments(events: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """(overall comment, [(reflection id, comment)]) from `--on ID=TEXT`, or `--on ID` followed by
    its `--comment TEXT`; the one `--comment` that follows no bare `--on` is the overall comment."""
    overall: str | None = None
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for name, value in events:
        if name == "--on":
            if pending is not None:
                raise UserError(
                    f"--on {pending} has no comment: follow it with --comment TEXT, or write --on {pending}=TEXT",
                    exit_code=2,
                )
            rid, eq, text = value.partition("=")
            if eq:
                pairs.append((rid.strip(), text))
            else:
                pending = value.strip()
        elif pending is not None:
            pairs.append((pending, value))
            pending = None
        elif overall is None:
            overall = value
        else:
            raise UserError(
                "give one overall --comment; for a reflection, put --on ID just before its --comment",
                exit_code=2,
            )
    if pending is not None:
        raise UserError(
            f"--on {pending} has no comment: follow it with --comment TEXT, or write --on {pending}=TEXT",
            exit_code=2,
        )
    for rid, text in pairs:
        if not rid or not text.strip():
            raise UserError(
                f'--on {rid or "?"}: give the reflection id and a comment, e.g. --on r-1="Good insight"',
                exit_code=2,
            )
    return overall or "", pairs


class SignCommand(TyperCommand):
    """Remembers the order of `--on`/`--comment` so each comment pairs with its reflection."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[ORDER_META] = scan_comment_options(list(args))
        return super().parse_args(ctx, args)


@app.command("sign", cls=SignCommand)
def sign(
    ctx: typer.Context,
    log: Path = typer.Argument(..., help="The officer's log file (.json).", show_default=False),
    outcome: Outcome = typer.Option(
        ..., "--outcome", help="accepted, discuss or revise.", show_default=False
    ),
    comment: Optional[List[str]] = typer.Option(
        None,
        "--comment",
        help="Your overall comment; after --on ID, the comment on that reflection.",
        show_default=False,
    ),
    on: Optional[List[str]] = typer.Option(
        None,
        "--on",
        help="A reflection to comment on: --on ID=TEXT, or --on ID --comment TEXT (repeatable).",
        show_default=False,
    ),
    output: Optional[Path] = typer.Option(
        None,
        "-o",
        "--output",
        help="Where to write the signed log (default: LOG.reviewed.json beside it).",
        show_default=False,
    ),
) -> None:
    """Sign off a log: your name, role and staff number (from `cpd profile`), the date, an outcome
    and comments, signed with your key over the officer's signed log. Writes a new file and never
    changes the original; the officer sees your feedback with `cpd review show`.

    Comment on single reflections with `--on ID=TEXT`, or with `--on ID` followed by its
    `--comment TEXT`; the `--comment` not following a bare `--on` is your overall comment. For example:

        cpd review sign jones.json --outcome discuss --comment "Good work" --on r-20260302-1a2b="Say more about the referral"
    """
    env = get_env(ctx)
    events = ctx.meta.get(ORDER_META, [])
    if sum(n == "--on" for n, _ in events) != len(on or []) or sum(
        n == "--comment" for n, _ in events
    ) != len(comment or []):
        raise UserError(
            "could not tell which --comment belongs to which --on; write each as --on ID=TEXT",
            exit_code=2,
        )
    overall, pairs = pair_comments(events)
    signed_path, note, fp = sign_log_file(env, log, outcome.value, overall, pairs, output)
    typer.echo(clean(f"Signed {log}: {outcome.value}, {len(pairs)} comment(s) on reflections."))
    if note:
        typer.echo(clean(note))
    typer.echo(clean(f"Wrote {signed_path} (the original is unchanged)."))
    typer.echo(
        f'Your key is {fp}; the officer can trust it with `cpd review trust {fp} --name "..."`.'
    )


def sign_log_file(
    env: Env,
    log: Path,
    outcome: str,
    overall: str,
    pairs: list[tuple[str, str]],
    output: Path | None,
) -> tuple[Path, str | None, str]:
    """Sign and write; returns (where, a note for the supervisor or None, their key's fingerprint)."""
    from scr_cpd.common.files import write_private
    from scr_cpd.progress.log.signing import key_fingerprint, load_or_create_key, sign_review
    from scr_cpd.progress.review import SIGNABLE, dump_log, load_log, reviewed_path
    from scr_cpd.progress.store import iso

    supervisor = _supervisor(env)
    doc, verdict = load_log(log, _trusted(env))
    if doc is None or verdict.status not in SIGNABLE:
        raise UserError(clean(f"cannot sign {log}: it is {verdict.line()}"))
    known = [r["id"] for r in doc["reflections"]]
    unknown = [rid for rid, _ in pairs if rid not in known]
    if unknown:
        listed = ", ".join(known[:8]) + (" …" if len(known) > 8 else "") if known else "none"
        raise UserError(
            clean(f"{log} has no reflection {unknown[0]!r} (its reflections: {listed})"),
            exit_code=2,
        )
    target = output or reviewed_path(log)
    if target.resolve() == log.resolve():
        raise UserError(
            f"the signed log would replace {log}; choose another file with -o", exit_code=2
        )
    note = None
    earlier = doc.get("review")
    if earlier:
        note = f"This replaces the earlier review ({earlier.get('outcome')}) by {earlier.get('supervisor', {}).get('name') or 'someone'}."
    elif verdict.status == "unknown signer":
        note = (
            f"Note: the officer's key {verdict.fingerprint} is not in your trusted list; check it with them and run "
            f'`cpd review trust {verdict.fingerprint} --name "..."`.'
        )
    key = load_or_create_key(env.home)
    signed = sign_review(
        doc,
        key,
        supervisor,
        iso(),
        outcome,
        overall,
        [{"reflection": rid, "comment": text} for rid, text in pairs],
    )
    with friendly():
        write_private(target, dump_log(signed))
    return target, note, key_fingerprint(key)


def _supervisor(env: Env) -> dict[str, str]:
    profile = env.store.profile()
    if not profile.get("name", "").strip():
        raise UserError(
            "your profile has no name, so the officer could not see who signed; run "
            '`cpd profile --name "Sgt 4321 Patel" --role Sergeant --staff-number 4321` first'
        )
    return {k: profile.get(k, "") for k in ("name", "role", "force", "staff_number")}


# `cpd review warehouse` lives with the other learning-record commands.
from scr_cpd.cli.records import register_warehouse  # noqa: E402

register_warehouse(app)
