"""The README must not drift from the app: every command documented, the module table true,
and the quick start exactly the two lines CI runs."""

import re
import subprocess
from pathlib import Path

import pytest
import typer.main

from scr_cpd.cli.app import app
from scr_cpd.content.loader import load_library

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_paths(group, prefix=()):
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        yield (*prefix, name), command
        if hasattr(command, "list_commands"):
            yield from command_paths(command, (*prefix, name))


COMMANDS = list(command_paths(typer.main.get_command(app)))


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path):
    command = dict((" ".join(p), c) for p, c in COMMANDS)[path]
    assert (command.help or "").strip(), f"`cpd {path}` has no help text"
    top = path.split()[0]
    assert f"`cpd {top}" in README, f"`cpd {top}` is missing from the README's command table"
    if " " in path:
        assert path.split()[1] in README, f"`cpd {path}` is missing from the README"


def test_module_table_matches_the_bundled_banks():
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| (.+?) \| [^|]+ \| (\d+) \| (\d+) \| (\d+) \|$", README, re.M
    )
    banks = load_library(None).ordered()
    assert [
        (
            b.id,
            b.title,
            len(b.questions),
            sum(q.is_scenario for q in b.questions),
            len(b.reflections),
        )
        for b in banks
    ] == [(mid, title, int(n), int(s), int(r)) for mid, title, n, s, r in rows]


def test_quick_start_is_two_lines_and_ci_runs_the_second():
    block = README.split("## Quick start", 1)[1].split("```")[1]
    lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 2
    assert "pytest" in lines[1] and "cpd" in lines[0]
    ci = subprocess.run(
        [
            "bash",
            "-c",
            "awk '/^## +Quick start/{q=1;next} q&&/^```/{if(f){exit}f=1;next} q&&f&&NF&&$1!~/^#/{print}' README.md | sed -n 2p",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ci.stdout.strip() == lines[1]
    assert "sed -n 2p" in (ROOT / ".ci" / "run").read_text()
