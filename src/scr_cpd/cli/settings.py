"""`cpd settings`: show or change the few preferences a learner has (see `progress.settings`)."""

from __future__ import annotations

from typing import Optional

import typer

from scr_cpd.cli.env import get_env


def settings(
    ctx: typer.Context,
    key: Optional[str] = typer.Argument(
        None,
        metavar="KEY",
        help="The setting to show or change: confidence or plain.",
        show_default=False,
    ),
    value: Optional[str] = typer.Argument(
        None, metavar="VALUE", help="Its new value: on or off.", show_default=False
    ),
) -> None:
    """Show or change your settings (for example `cpd settings confidence off`)."""
    from scr_cpd.progress import settings as registry

    env = get_env(ctx)
    console = env.console()
    if key is None:
        specs = list(registry.SETTINGS.values())
    elif value is None:
        specs = [registry.known(key)]
    else:
        specs = [registry.change(env.store, key, value)]
    for spec in specs:
        current = registry.value(env.store, spec.key)
        console.print(f"{spec.key}: {current} — {spec.help}", markup=False)
