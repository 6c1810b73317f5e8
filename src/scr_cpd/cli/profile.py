"""`cpd profile`: the name, role, force and staff number printed on every log and sign-off."""

from __future__ import annotations

from typing import Optional

import typer

from scr_cpd.cli.console import safe
from scr_cpd.cli.env import Env, get_env

FIELDS = (
    ("name", "Name"),
    ("role", "Role (e.g. PC, DS, Sergeant)"),
    ("force", "Force"),
    ("staff_number", "Staff or collar number"),
)


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)


def profile(
    ctx: typer.Context,
    name: Optional[str] = typer.Option(
        None, "--name", help="Your name as it should appear on your CPD log."
    ),
    role: Optional[str] = typer.Option(None, "--role", help="Your role or rank."),
    force: Optional[str] = typer.Option(None, "--force", help="Your police force."),
    staff_number: Optional[str] = typer.Option(
        None, "--staff-number", help="Your staff or collar number."
    ),
    show: bool = typer.Option(False, "--show", help="Only show the profile."),
) -> None:
    """Set who you are for your CPD log (asks for each field, or set them with the options)."""
    from scr_cpd.progress.quiz import Stop

    env = get_env(ctx)
    store = env.store
    given = {"name": name, "role": role, "force": force, "staff_number": staff_number}
    if any(v is not None for v in given.values()):
        store.set_profile(**{k: v.strip() for k, v in given.items() if v is not None})
    elif not show:
        env.console().print("Press Enter to keep what is shown in brackets.")
        try:
            for key, label in FIELDS:
                _ask_field(env, key, label)
        except Stop:
            pass
    saved = store.profile()
    console = env.console()
    for key, label in FIELDS:
        console.print(f"{label.split(' (')[0]}: {safe(saved.get(key, '')) or '(not set)'}")


def _ask_field(env: Env, key: str, label: str) -> None:
    """Ask for one field until it is left as it is or given in a form a log can carry; each
    answer is saved as it is given."""
    from scr_cpd.progress.store import StoreError

    while True:
        current = env.store.profile().get(key, "")
        answer = env.ui().read(f"{label} [{current}]: ") if env.plain else _ask(label, current)
        if not answer.strip():
            return
        try:
            env.store.set_profile(**{key: answer})
            return
        except StoreError as exc:
            env.console().print(f"{str(exc)[0].upper()}{str(exc)[1:]}.", markup=False)


def _ask(label: str, default: str) -> str:
    import questionary

    from scr_cpd.progress.quiz import Stop

    try:
        return str(questionary.text(f"{label}:", default=default).unsafe_ask() or "")
    except (KeyboardInterrupt, EOFError):
        raise Stop("interrupted") from None
