"""`cpd export`: the CPD log, signed, as JSON (canonical), Markdown, HTML, PDF or CSV."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer

from scr_cpd.cli.env import Env, UserError, get_env

FORMATS = ("json", "md", "html", "pdf", "csv", "xapi")


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    fmt: Optional[str] = typer.Option(
        None,
        "--format",
        "-f",
        help="json (the signed canonical log), md, html, pdf, csv or xapi (statements for a learning record store); default: from -o, else json.",
    ),
    since: Optional[datetime] = typer.Option(
        None,
        "--since",
        formats=["%Y-%m-%d"],
        help="Only activity on or after this date (YYYY-MM-DD).",
    ),
    until: Optional[datetime] = typer.Option(
        None,
        "--until",
        formats=["%Y-%m-%d"],
        help="Only activity on or before this date (YYYY-MM-DD).",
    ),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="File to write; default: cpd-log-<name>-<date>.<format> here."
    ),
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
    if schema:
        from scr_cpd.progress.log.schema import json_schema

        typer.echo(json.dumps(json_schema(), indent=2))
        return
    fmt = _format(fmt, output)
    if since and until and since > until:
        raise UserError("--since must be on or before --until", 2)
    env = get_env(ctx)
    if fmt == "xapi":
        from scr_cpd.cli.records import write_xapi

        doc = export_log(env, since and since.date(), until and until.date(), redact, False)
        return write_xapi(doc, output, ndjson, home_page, mbox)
    write_export(
        env, fmt, since.date() if since else None, until.date() if until else None, output, redact
    )


def export_from_menu(env: Env) -> None:
    """From the home menu: the signed JSON for a supervisor, or a readable copy, in this folder."""
    from scr_cpd.progress.quiz import Stop

    choices = [
        ("JSON — the signed log for your supervisor", "json"),
        ("HTML — to read or print", "html"),
        ("PDF", "pdf"),
        ("Markdown", "md"),
        ("CSV — one row per activity", "csv"),
        ("Back", None),
    ]
    try:
        fmt = env.ui().choose("Which format?", choices)
    except Stop:
        return
    if fmt:
        write_export(env, fmt, None, None, None, False)


def write_export(
    env: Env, fmt: str, since: date | None, until: date | None, output: Path | None, redact: bool
) -> Path:
    doc = export_log(env, since, until, redact, signed=fmt == "json")
    path = output or Path(
        f"cpd-log-{_slug(doc['profile']['name']) or 'officer'}-{doc['generated_at'][:10]}.{fmt}"
    )
    from scr_cpd.common.files import OutputError, write_private

    try:
        write_private(path, render(doc, fmt))
    except OutputError as exc:
        raise UserError(str(exc)) from None
    console = env.console()
    totals = doc["totals"]
    console.print(
        f"Wrote {path} ({fmt}): {totals['cpd_hours']:.2f} CPD hours, {totals['modules_passed']} of "
        f"{totals['modules_available']} modules passed, {totals['reflections']} reflection(s)."
    )
    console.print(
        f"Signed with your key {doc['integrity']['fingerprint']}; give your supervisor this fingerprint "
        "so they can trust it (`cpd review trust`)."
    )
    _warn_identifiers(env, doc, redact)
    return path


def export_log(
    env: Env, since: date | None, until: date | None, redact: bool, signed: bool = True
) -> dict:
    from scr_cpd.progress.log.build import build_log
    from scr_cpd.progress.log.signing import key_fingerprint, load_or_create_key, sign_log

    doc = build_log(env.store, env.library.ordered(), since, until, redact=redact)
    key = load_or_create_key(env.home)
    if not signed:
        # A rendering (md, html, pdf, csv) is for reading; what a supervisor verifies is the signed
        # JSON. It shows only the key's fingerprint, so it need not pay for the digests.
        return {**doc, "integrity": {"fingerprint": key_fingerprint(key)}}
    from scr_cpd.progress.log.schema import Log

    doc = sign_log(doc, key)
    Log.model_validate(doc)  # a bug must never reach a supervisor as a malformed log
    return doc


def render(doc: dict, fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    from scr_cpd.progress.log.render import render as render_other

    return render_other(doc, fmt)


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"markdown": "md", "htm": "html"}.get(suffix, suffix) or "json"
        if fmt not in FORMATS:
            raise UserError(
                f"cannot tell the format from {output}; add --format ({', '.join(FORMATS)})", 2
            )
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", 2)
    return fmt


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _warn_identifiers(env: Env, doc: dict, redact: bool) -> None:
    found = doc.get("identifiers") or []
    if not found:
        return
    err = env.console(stderr=True)
    kinds = sorted({f["kind"] for f in found})
    where = sorted({f["reflection"] for f in found})
    if redact:
        err.print(
            f"Masked {len(found)} possible identifier(s) ({', '.join(kinds)}) in {', '.join(where)}."
        )
    else:
        err.print(
            f"Warning: {len(found)} thing(s) that may identify someone ({', '.join(kinds)}) in {', '.join(where)}. "
            "Edit them (`cpd reflections edit ID`) or export with --redact."
        )
