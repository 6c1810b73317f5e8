"""Learning records that travel: the bodies of `cpd export --format xapi`, `cpd review warehouse`
and `cpd bank stats --logs`. Each parses nothing itself: the commands pass their options here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from scr_cpd.cli.env import UserError


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
