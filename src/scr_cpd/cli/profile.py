"""`cpd profile`: the name, role, force and staff number printed on every log and sign-off."""

from __future__ import annotations

from typing import Optional

import typer

from scr_cpd.cli.console import safe
from scr_cpd.cli.env import get_env

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
        current = store.profile()
        ui = env.ui()
        env.console().print("Press Enter to keep what is shown in brackets.")
        try:
            for key, label in FIELDS:
                answer = (
                    ui.read(f"{label} [{current.get(key, '')}]: ")
                    if env.plain
                    else _ask(label, current.get(key, ""))
                )
                if answer:
                    store.set_profile(**{key: answer.strip()})
        except Stop:
            pass
    saved = store.profile()
    console = env.console()
    for key, label in FIELDS:
        console.print(f"{label.split(' (')[0]}: {safe(saved.get(key, '')) or '(not set)'}")


def _ask(label: str, default: str) -> str:
    import questionary

    from scr_cpd.progress.quiz import Stop

    try:
        return str(questionary.text(f"{label}:", default=default).unsafe_ask() or "")
    except (KeyboardInterrupt, EOFError):
        raise Stop("interrupted") from None
