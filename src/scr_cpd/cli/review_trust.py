"""`cpd review trust`: add, list, remove and revoke trusted keys; export and import a keyring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from scr_cpd.cli.env import Env, UserError
from scr_cpd.common.text import count, noun, visible

EXAMPLE = 'cpd review trust FINGERPRINT --name "PC 1234 Jones" --staff-number 1234'


def add(env: Env, fingerprint: str | None, name: str | None, staff_number: str, role: str) -> None:
    from scr_cpd.progress.store import iso
    from scr_cpd.progress.supervision.trust import trust_key

    if not fingerprint:
        raise UserError(
            f"give a key fingerprint and --name, e.g. {EXAMPLE}; or --list", exit_code=2
        )
    if not name:
        raise UserError(
            visible(f'say whose key it is: cpd review trust {fingerprint} --name "PC 1234 Jones"'),
            exit_code=2,
        )
    key, before = trust_key(env.home, fingerprint, name, iso(), staff_number, role)
    if before and before.who != key.who:
        typer.echo(visible(f"Key {key.fingerprint} was {before.who}; now trusted as {key.who}."))
    else:
        typer.echo(visible(f"Trusted key {key.fingerprint} as {key.who}."))


def remove(env: Env, fingerprint: str | None, name: str | None) -> None:
    from scr_cpd.progress.supervision.trust import untrust_key

    if not fingerprint or name:
        raise UserError("--remove takes a fingerprint and no --name", exit_code=2)
    fp, before = untrust_key(env.home, fingerprint)
    typer.echo(
        visible(f"Removed key {fp} ({before.who}).")
        if before
        else f"Key {fp} was not in your trusted list."
    )


def revoke(env: Env, fingerprint: str, reason: str) -> None:
    from scr_cpd.progress.store import iso
    from scr_cpd.progress.supervision.trust import revoke_key

    key = revoke_key(env.home, fingerprint, reason, iso())
    typer.echo(
        visible(
            f"Revoked key {key.fingerprint} ({key.who}) from {str(key.revoked_at)[:16]}: "
            f"what it signs from now on shows as `revoked key`."
        )
    )


def describe(key: Any) -> str:
    text = f"{key.fingerprint}  {key.who}  (added {key.added_at[:10] or '?'}"
    if key.revoked_at:
        text += f"; revoked {key.revoked_at[:10]}: {key.revoked_reason}"
    return text + ")"


def list_keys(env: Env, extra: str | None) -> None:
    from scr_cpd.progress.log.signing import KeyFileError, own_fingerprint
    from scr_cpd.progress.supervision.trust import read_trusted, trust_path

    if extra:
        raise UserError("--list takes no fingerprint or --name", exit_code=2)
    keys = read_trusted(env.home)
    try:
        own = own_fingerprint(env.home)
    except KeyFileError as exc:
        own = None
        typer.echo(f"Note: {exc}.")
    if not keys:
        typer.echo(
            f"You trust no keys yet ({trust_path(env.home)} is empty). Add one with: {EXAMPLE}"
        )
    for key in sorted(keys.values(), key=lambda k: k.name.casefold()):
        typer.echo(visible(describe(key)))
    if own:
        typer.echo(f"Your own key {own} is trusted on this computer without being listed.")


def export(env: Env, path: Path, force: bool) -> None:
    from scr_cpd.common.files import write_private
    from scr_cpd.progress.log.signing import key_fingerprint, load_or_create_key
    from scr_cpd.progress.store import iso
    from scr_cpd.progress.supervision.keyring import export_keyring

    key = load_or_create_key(env.home)
    write_private(path, export_keyring(env.home, key, iso()), force=force)
    typer.echo(visible(f"Wrote {path}, signed by your key {key_fingerprint(key)}."))
    typer.echo("Whoever imports it should check that fingerprint with you first.")


def import_keyring(env: Env, path: Path, yes: bool) -> None:
    from scr_cpd.progress.supervision.keyring import import_keyring, keyring_changes, read_keyring

    keyring = read_keyring(path)
    typer.echo(
        visible(
            f"Keyring {path}: {count(len(keyring.keys), 'key')}, published {keyring.published_at[:10]} "
            f"by key {keyring.publisher}."
        )
    )
    typer.echo("Check that fingerprint with whoever publishes your force's keyring.")
    changes = keyring_changes(env.home, keyring)
    if not changes:
        typer.echo("Your trusted list already matches it; nothing to change.")
        return
    for change in changes:
        before = f" (was {change.before.who})" if change.kind == "change" and change.before else ""
        typer.echo(visible(f"  {change.kind}: {describe(change.key)}{before}"))
        for other in change.alike:  # check with the officer that both keys are theirs
            typer.echo(
                visible(f"    note: key {other.fingerprint} is already trusted as {other.who}")
            )
    if not yes and not typer.confirm(
        f"Apply {noun(len(changes), 'this', 'these')} {count(len(changes), 'change')}?",
        default=False,
    ):
        typer.echo("Nothing imported.")
        raise typer.Exit(1)
    import_keyring(env.home, changes)
    typer.echo(f"Imported {count(len(changes), 'change')} into your trusted list.")
