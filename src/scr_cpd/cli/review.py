"""The supervisor's commands: `cpd review show|verify|trust|summary|sign`.

Thin: each parses its options, calls one function of scr_cpd.progress.supervision, and prints
the result; everything from a file is printed through scr_cpd.common.text.visible.
"""

from __future__ import annotations

from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, List, Optional

import typer
from typer.core import TyperCommand

from scr_cpd.cli.env import Env, UserError, get_env
from scr_cpd.cli.review_sign import ORDER_META, comments_from_args
from scr_cpd.common.text import count, visible
from scr_cpd.progress.log.vocabulary import OUTCOMES, SORT_KEYS

app = typer.Typer(
    help="Read, verify and sign off officers' CPD logs, one at a time or a whole team.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
Outcome = Enum("Outcome", {o: o for o in OUTCOMES}, type=str)  # type: ignore[misc]
SortBy = Enum("SortBy", {k: k for k in SORT_KEYS}, type=str)  # type: ignore[misc]


@contextmanager
def friendly() -> Iterator[None]:
    """The supervision library's and file writer's errors become one sentence."""
    from scr_cpd.common.files import OutputError
    from scr_cpd.progress.log.signing import KeyFileError
    from scr_cpd.progress.supervision import SupervisionError

    try:
        yield
    except SupervisionError as exc:
        raise UserError(visible(exc), exit_code=2 if exc.usage else 1) from None
    except (OutputError, KeyFileError) as exc:
        raise UserError(visible(exc)) from None


def _trust(env: Env) -> Any:
    from scr_cpd.progress.supervision.trust import load_trust

    with friendly():
        return load_trust(env.home)


def _files(paths: list[Path]) -> Any:
    from scr_cpd.cli.review_summary import log_files

    return log_files(paths)


@app.command("verify")
def verify(
    ctx: typer.Context,
    logs: List[Path] = typer.Argument(
        ..., help="Log files (.json), or folders of them.", show_default=False
    ),
) -> None:
    """Check each log's signature, the identity its key is trusted with, any sign-off, and the
    plausibility of its figures: one line per file. Exit 1 if any is not valid or is flagged.

    Verdicts: valid, edited, unsigned, unknown signer, identity mismatch, revoked key, damaged,
    not a CPD log, unsupported version, printable copy, unreadable; a review can also be a
    self-signed review or by a reviewer not trusted as a supervisor. See docs/supervisors.md.
    """
    from scr_cpd.progress.supervision.logfile import load_log

    trust = _trust(get_env(ctx))
    files = _files(logs).files
    failed = 0
    for path in files:
        _, verdict = load_log(path, trust)
        failed += not verdict.ok
        typer.echo(visible(f"{path}: {verdict.line()}"))
    if len(files) > 1:
        typer.echo(f"{count(len(files), 'file')}: {len(files) - failed} valid, {failed} not valid.")
    if failed:
        raise typer.Exit(1)


@app.command("trust")
def trust(
    ctx: typer.Context,
    fingerprint: Optional[str] = typer.Argument(
        None, help="The key's fingerprint, as printed on the log (abcd:ef01:…).", show_default=False
    ),
    name: Optional[str] = typer.Option(
        None, "--name", help='Whose key it is, e.g. "PC 1234 Jones".', show_default=False
    ),
    staff_number: str = typer.Option(
        "",
        "--staff-number",
        help="Their staff number; a log must then carry it.",
        show_default=False,
    ),
    role: str = typer.Option(
        "officer", "--role", help="officer, or supervisor (whose sign-offs count)."
    ),
    remove: bool = typer.Option(False, "--remove", help="Stop trusting this key."),
    list_keys: bool = typer.Option(False, "--list", help="Show the keys you trust."),
    revoke: Optional[str] = typer.Option(
        None,
        "--revoke",
        metavar="FINGERPRINT",
        help="Revoke a key: what it signs from now on is not valid.",
        show_default=False,
    ),
    reason: str = typer.Option(
        "", "--reason", help="Why the key is revoked (with --revoke).", show_default=False
    ),
    export: Optional[Path] = typer.Option(
        None,
        "--export",
        metavar="FILE",
        help="Write your trusted keys as a keyring signed with your key.",
        show_default=False,
    ),
    import_file: Optional[Path] = typer.Option(
        None,
        "--import",
        metavar="FILE",
        help="Import a published keyring (shows its publisher and what changes first).",
        show_default=False,
    ),
    yes: bool = typer.Option(False, "--yes", help="Import without asking (for scripts)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --export file."),
) -> None:
    """Keep the keys you trust, each bound to a person (name, staff number) and a role.

    Check the fingerprint with its owner (in person, or from a keyring your force publishes)
    before trusting it. Names shown for signers come from this list, never from the log; only
    keys trusted with --role supervisor (or your own) make a sign-off count.
    """
    from scr_cpd.cli import review_trust as actions

    env = get_env(ctx)
    chosen = [
        o
        for o, on in (
            ("--list", list_keys),
            ("--remove", remove),
            ("--revoke", revoke),
            ("--export", export),
            ("--import", import_file),
        )
        if on
    ]
    if len(chosen) > 1:
        raise UserError(f"use one of {', '.join(chosen)} at a time", exit_code=2)
    with friendly():
        if list_keys:
            return actions.list_keys(env, fingerprint or name)
        if revoke:
            return actions.revoke(env, revoke, reason)
        if export:
            return actions.export(env, export, force)
        if import_file:
            return actions.import_keyring(env, import_file, yes)
        if remove:
            return actions.remove(env, fingerprint, name)
        actions.add(env, fingerprint, name, staff_number, role)


@app.command("show")
def show(
    ctx: typer.Context,
    log: Path = typer.Argument(
        ..., help="The log file (.json) the officer exported.", show_default=False
    ),
) -> None:
    """Show one log: the verdict first (with a banner if it is not valid), then who, period,
    CPD hours, modules, and every reflection in full with any supervisor feedback.
    Exit 1 if the log is not valid or its figures are flagged."""
    from scr_cpd.cli.review_show import print_log
    from scr_cpd.progress.supervision.logfile import load_log

    env = get_env(ctx)
    doc, verdict = load_log(log, _trust(env))
    if doc is None:
        raise UserError(visible(f"{log}: {verdict.line()}"))
    print_log(doc, verdict, env.plain)
    if not verdict.ok:
        raise typer.Exit(1)


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
        "name",
        "--sort",
        help="Order officers by name, or lowest first by hours, score, last activity or modules completed.",
    ),
    reverse: bool = typer.Option(False, "--reverse", help="Reverse the order."),
    only_invalid: bool = typer.Option(
        False, "--only-invalid", help="Only logs (and files) that are not valid or are flagged."
    ),
    status: Optional[List[str]] = typer.Option(
        None,
        "--status",
        help="Only this verification status (repeatable): valid, edited, unsigned, unknown-signer, identity-mismatch, damaged, …",
        show_default=False,
    ),
    since: Optional[str] = typer.Option(
        None,
        "--since",
        help="Only officers active on or after this date (YYYY-MM-DD).",
        show_default=False,
    ),
) -> None:
    """One row per log: officer (as trusted), staff number, CPD hours, modules completed and
    passed, average score, reflections, last activity, verification, review and file. A log and
    its reviewed copy make one row. Files that cannot be read are listed with the reason.
    Exit 1 if any file shown is not valid or is flagged."""
    from scr_cpd.cli.review_summary import summarise_team

    env = get_env(ctx)
    with friendly():
        ok = summarise_team(
            env,
            paths,
            _trust(env),
            csv_file,
            html_file,
            sort.value,
            reverse,
            only_invalid,
            status or [],
            since,
        )
    if not ok:
        raise typer.Exit(1)


class SignCommand(TyperCommand):
    """Remembers the order of `--on`/`--comment` so each comment pairs with its reflection."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from scr_cpd.cli.review_sign import scan_comment_options

        ctx.meta[ORDER_META] = scan_comment_options(list(args))
        return super().parse_args(ctx, args)


@app.command("sign", cls=SignCommand)
def sign(
    ctx: typer.Context,
    log: Path = typer.Argument(..., help="The officer's log file (.json).", show_default=False),
    outcome: Outcome = typer.Option(
        ...,
        "--outcome",
        case_sensitive=False,
        help="accepted, discuss or revise (discuss and revise need a comment).",
        show_default=False,
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
    force: bool = typer.Option(
        False, "--force", help="Replace an existing reviewed file (and the sign-off in it)."
    ),
) -> None:
    """Sign off a log: your name, role and staff number (from `cpd profile`), the date, an outcome
    and comments, signed with your key over the officer's signed log. Writes a new file and never
    changes the original, nor an earlier sign-off without --force.

    Comment on single reflections with `--on ID=TEXT`, or with `--on ID` followed by its
    `--comment TEXT`; the `--comment` not following a bare `--on` is your overall comment. For example:

        cpd review sign jones.json --outcome discuss --comment "Good work" --on r-20260302-1a2b="Say more about the referral"
    """
    from scr_cpd.cli.review_sign import report_sign_off
    from scr_cpd.progress.store import iso
    from scr_cpd.progress.supervision.signoff import sign_off

    env = get_env(ctx)
    overall, pairs = comments_from_args(ctx, comment, on)
    with friendly():
        done = sign_off(
            env.home, log, env.store.profile(), outcome.value, overall, pairs, iso(), output, force
        )
    report_sign_off(log, outcome.value, pairs, done)


# `cpd review warehouse` lives with the other learning-record commands.
from scr_cpd.cli.records import register_warehouse  # noqa: E402

register_warehouse(app)
