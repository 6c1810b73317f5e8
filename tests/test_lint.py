"""The habits that keep the code readable and the CLI fast: ruff's rules (no heavy import at module
level, a complexity limit) and ruff's formatting, over the whole tree (see pyproject.toml)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff") or str(ROOT / ".venv/bin/ruff")

needs_ruff = pytest.mark.skipif(
    shutil.which("ruff") is None and not (ROOT / ".venv/bin/ruff").exists(),
    reason="ruff is not installed",
)


@needs_ruff
def test_ruff_finds_nothing():
    result = subprocess.run(
        [RUFF, "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_ruff
def test_tree_is_ruff_formatted():
    result = subprocess.run(
        [RUFF, "format", "--check", "src", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "run `ruff format src tests bench`:\n" + result.stdout
