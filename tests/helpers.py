"""Small helpers shared by the CLI tests."""
from __future__ import annotations

from typer.testing import CliRunner

from scr_cpd.cli.app import app


def cpd(*args: str, input: str | None = None, home=None):
    """Run `cpd --plain ARGS` in-process; returns typer's Result (output, exit_code)."""
    prefix = ["--plain"] + (["--home", str(home)] if home else [])
    return CliRunner().invoke(app, [*prefix, *args], input=input)
