"""Real GIFT and Aiken files written by others (kept outside the repo, in ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scr_cpd.content.importing import import_bank
from scr_cpd.content.loader import validate_bank_data

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "interop-samples"
# Malformed on purpose (ide_*), or written in a dialect a standard importer must refuse.
MALFORMED = ("ide_error_", "ide_textsection_")
DIALECTS = {"aikenadv_hebrew_english_sample.txt"}


def sample_files() -> list[Path]:
    folders = [SAMPLES / "gift", SAMPLES / "aiken"]
    return sorted(
        p for folder in folders if folder.is_dir() for p in folder.iterdir() if p.is_file()
    )


def malformed(path: Path) -> bool:
    return path.name.startswith(MALFORMED) or path.name in DIALECTS


def imported(path: Path):
    return import_bank(path, path.parent.name)  # the folder says gift or aiken


@pytest.fixture(params=sample_files() or [None], ids=lambda p: p.name if p else "no-samples")
def sample(request) -> Path:
    if request.param is None:
        pytest.skip(f"interop samples not found at {SAMPLES}")
    return request.param


def test_every_sample_imports_without_raising(sample):
    result = imported(sample)
    assert result.bank["format"] == "scr-cpd/bank@1"
    assert all(p.severity in ("error", "warning") for p in result.problems)
    assert all(p.line is None or p.line >= 1 for p in result.problems)


def test_well_formed_samples_import_with_no_errors(sample):
    if malformed(sample):
        pytest.skip("malformed on purpose")
    result = imported(sample)
    assert result.errors == []


def test_malformed_samples_give_a_line_numbered_problem(sample):
    if not malformed(sample):
        pytest.skip("well-formed")
    result = imported(sample)
    assert any(p.line for p in result.problems), result.problems
    if sample.name in DIALECTS:
        assert result.errors


def test_well_formed_imports_validate_as_banks(sample):
    if malformed(sample):
        pytest.skip("malformed on purpose")
    result = imported(sample)
    if not result.bank["questions"]:
        # Description- or essay-only files: nothing a bank can hold; the importer says so.
        assert any(p.field == "file" and "no question" in p.message for p in result.warnings)
        pytest.skip("no question to validate (a bank needs at least one)")
    _, problems = validate_bank_data(result.bank, sample.name)
    assert [p for p in problems if p.severity == "error"] == []


def test_expected_counts_for_a_few_samples():
    if not SAMPLES.is_dir():
        pytest.skip(f"interop samples not found at {SAMPLES}")
    expected = {
        "gift/qaseditor_all.gift": (19, 2),
        "gift/rgiftparser_test.gift": (39, 0),
        "gift/pegjs_numerical1.gift": (10, 0),
        "aiken/moodle_questions.aiken.txt": (2, 0),
        "aiken/kabanowa47_sample_quiz.txt": (4, 0),
    }
    for name, (questions, reflections) in expected.items():
        path = SAMPLES / name
        if not path.exists():
            continue
        bank = imported(path).bank
        assert (len(bank["questions"]), len(bank["reflections"])) == (questions, reflections), name
