"""`cpd review sign`: pairing `--on ID` with its `--comment` in the order typed, and reporting
the sign-off the library made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from scr_cpd.cli.env import UserError
from scr_cpd.common.text import count, visible

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


def _dangling(rid: str) -> UserError:
    return UserError(
        f"--on {rid} has no comment: follow it with --comment TEXT, or write --on {rid}=TEXT",
        exit_code=2,
    )


def pair_comments(events: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """(overall comment, [(reflection id, comment)]) from `--on ID=TEXT`, or `--on ID` followed by
    its `--comment TEXT`; the one `--comment` that follows no bare `--on` is the overall comment."""
    overall: str | None = None
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for name, value in events:
        if name == "--on":
            if pending is not None:
                raise _dangling(pending)
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
        raise _dangling(pending)
    for rid, text in pairs:
        if not rid or not text.strip():
            raise UserError(
                f'--on {rid or "?"}: give the reflection id and a comment, e.g. --on r-1="Good insight"',
                exit_code=2,
            )
    return overall or "", pairs


def comments_from_args(
    ctx: typer.Context, comment: list[str] | None, on: list[str] | None
) -> tuple[str, list[tuple[str, str]]]:
    events = ctx.meta.get(ORDER_META, [])
    if sum(n == "--on" for n, _ in events) != len(on or []) or sum(
        n == "--comment" for n, _ in events
    ) != len(comment or []):
        raise UserError(
            "could not tell which --comment belongs to which --on; write each as --on ID=TEXT",
            exit_code=2,
        )
    return pair_comments(events)


def report_sign_off(log: Path, outcome: str, pairs: list[tuple[str, str]], done: Any) -> None:
    typer.echo(visible(f"Signed {log}: {outcome}, {count(len(pairs), 'comment')} on reflections."))
    if done.replaced:
        earlier = done.replaced
        who = (earlier.get("supervisor") or {}).get("name") or "someone"
        typer.echo(
            visible(f"This replaces the earlier review ({earlier.get('outcome')}) by {who}.")
        )
    elif done.untrusted_officer:
        fp = done.untrusted_officer
        typer.echo(
            f"Note: the officer's key {fp} is not in your trusted list; check it with them and run "
            f'`cpd review trust {fp} --name "..."`.'
        )
    typer.echo(visible(f"Wrote {done.target} (the original is unchanged)."))
    typer.echo(
        f"Your key is {done.fingerprint}; the officer can trust it with "
        f'`cpd review trust {done.fingerprint} --name "..." --role supervisor`.'
    )
