"""Types, kept by the suite: mypy --strict on the library layers (common, content, progress, which
ship a py.typed marker), and mypy's default checks on the CLI."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

needs_mypy = pytest.mark.skipif(
    shutil.which("mypy") is None and not (ROOT / ".venv/bin/mypy").exists(),
    reason="mypy is not installed (pip install -e '.[test]')",
)


def mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@needs_mypy
def test_library_layers_are_strictly_typed():
    result = mypy("--strict", "src/scr_cpd/common", "src/scr_cpd/content", "src/scr_cpd/progress")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_mypy
def test_cli_is_typed():
    result = mypy("src/scr_cpd/cli")
    assert result.returncode == 0, result.stdout + result.stderr
