"""`cpd settings`: the few preferences a learner can change, stored in the progress database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import typer

from scr_cpd.cli.env import Env, UserError, get_env


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    allowed: tuple[str, ...]
    help: str


SETTINGS = {
    s.key: s
    for s in (
        Setting(
            "confidence",
            "on",
            ("on", "off"),
            "after each answer, ask how sure you were (sure / fairly sure / guessing)",
        ),
    )
}


def setting_value(env: Env, key: str) -> str:
    spec = SETTINGS[key]
    value = env.store.setting(key, spec.default)
    return value if value in spec.allowed else spec.default


def asks_confidence(env: Env) -> bool:
    return setting_value(env, "confidence") == "on"


def settings(
    ctx: typer.Context,
    key: Optional[str] = typer.Argument(
        None,
        metavar="KEY",
        help="The setting to show or change, e.g. confidence.",
        show_default=False,
    ),
    value: Optional[str] = typer.Argument(
        None, metavar="VALUE", help="Its new value, e.g. on or off.", show_default=False
    ),
) -> None:
    """Show or change your settings (for example `cpd settings confidence off`)."""
    env = get_env(ctx)
    console = env.console()
    if key is None:
        for spec in SETTINGS.values():
            console.print(f"{spec.key}: {setting_value(env, spec.key)} — {spec.help}", markup=False)
        return
    spec = _known(key)
    if value is None:
        console.print(f"{spec.key}: {setting_value(env, spec.key)} — {spec.help}", markup=False)
        return
    value = value.strip().lower()
    if value not in spec.allowed:
        raise UserError(
            f"{spec.key} can be {' or '.join(spec.allowed)}, not {value!r}", exit_code=2
        )
    env.store.set_setting(spec.key, value)
    console.print(f"{spec.key}: {value}", markup=False)


def _known(key: str) -> Any:
    spec = SETTINGS.get(key.strip().lower())
    if spec is None:
        raise UserError(
            f"no setting called {key!r}; the settings are: {', '.join(SETTINGS)}", exit_code=2
        )
    return spec
