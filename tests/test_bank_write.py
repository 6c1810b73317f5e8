"""Writing banks as YAML: what is written reads back as the same bank, at the lines the writer
says, for the bundled banks, awkward text and random banks."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_cpd.content.loader import BUNDLED_DIR
from scr_cpd.content.validate import check_file
from scr_cpd.content.yamlsource import read_yaml
from scr_cpd.content.yamlwrite import bank_to_yaml, written_bank


def assert_reads_back(bank: dict[str, Any], header: str = "") -> str:
    text, data, lines = written_bank(bank, header)
    read, read_lines = read_yaml(text, "x.yaml")
    assert read == data
    assert dict(lines) == read_lines
    assert yaml.load(text, Loader=yaml.CSafeLoader) == data  # PyYAML itself agrees
    return text


def test_bank_to_yaml_reads_back_as_the_same_bank_for_every_bundled_bank():
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        data, _, _ = check_file(path)
        text = assert_reads_back(data, header="A header\nover two lines")
        assert text.startswith("# A header\n# over two lines\nformat: scr-cpd/bank@1\n")
        assert bank_to_yaml(data, header="A header\nover two lines") == text


def test_bank_to_yaml_keeps_awkward_text_exactly():
    bank = {
        "format": "scr-cpd/bank@1",
        "questions": [
            {
                "id": "q",
                "prompt": "yes",
                "explanation": "line one\n\n\n",
                "answers": ["123", "null", "- dash", "a: b", "#x"],
            },
            {"id": "r", "prompt": "  leading spaces\nand a second line  "},
        ],
    }
    assert read_yaml(bank_to_yaml(bank), "x.yaml")[0] == bank
    assert_reads_back(bank)


def test_the_quick_bank_writer_reads_back_exactly_for_every_bundled_bank_and_awkward_text():
    awkward = ["yes", "No", "a: b", "#x", " lead", "trail ", "two  spaces", "- dash", "x\ty",
               "line\nbreak", "ends\n", "ends\n\n\n", "\nstarts", "\u2028", "é ü", "q\"uote",
               "back\\slash", "null", "1.0", "x" * 300, ("word " * 60).strip()]  # fmt: skip
    banks = [check_file(path)[0] for path in sorted(BUNDLED_DIR.glob("*.yaml"))]
    banks.append({"format": "scr-cpd/bank@1", "questions": [{"id": "q", "answers": awkward}]})
    for data in banks:
        assert_reads_back(data)


@pytest.mark.parametrize(
    "text",
    [
        "two\nlines\n\n",
        "two\nlines\n",
        "a\n \nb",
        "a\nb\n  ",
        "first\n\tsecond",
        "\tfirst\nsecond",
        "x\r\ny\n",
        "a\u2028b\nc",
        "a\x85b",
        "line\n---\n...\n# not a comment",
        "ends with a colon:",
        "On",
        "- a list?",
        "word " * 40 + "#hash",
        "tab\tinside",
        "back\\slash",
    ],
)
def test_awkward_text_reads_back(text):
    assert_reads_back({"format": "scr-cpd/bank@1", "summary": text, "questions": [{"p": text}]})


def test_numbers_keep_their_type_and_value():
    values = [1e16, -2.5e-07, 3.0, 0.1, float("inf"), float("-inf"), 10**30, -7, True, None]
    text = assert_reads_back({"format": "scr-cpd/bank@1", "questions": [{"numbers": values}]})
    assert "1.0e+16" in text and ".inf" in text


def test_the_layout_is_the_one_trainers_write():
    bank = {
        "format": "scr-cpd/bank@1",
        "id": "m",
        "learning_points": ["one", "two"],
        "questions": [{"id": "a", "options": [{"text": "x", "correct": True}]}, {"id": "b"}],
    }
    assert bank_to_yaml(bank) == (
        "format: scr-cpd/bank@1\nid: m\n\nlearning_points:\n  - one\n  - two\n\n"
        "questions:\n  - id: a\n    options:\n      - text: x\n        correct: true\n\n"
        "  - id: b\n"
    )


# Text made of what trips YAML up: indicators, quotes, escapes, every kind of line break and
# control character, words YAML reads as something else, long words and runs of spaces.
AWKWARD = st.lists(
    st.sampled_from(
        list("ab Z-?:,[]{}#&*!|>'\"%@`\\/\t\n\r=~<+.0")
        + ["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\xa0", "\u2028", "\u2029", "\ufeff"]
        + ["\ufffe", "é", "語", "\U0001f600", "yes", "null", "No", "1e3", "0x1F", "2026-01-02"]
        + [" - ", ": ", " #", "---", "...", "|-", "word" * 30]
    ),
    max_size=40,
).map("".join)
SCALARS = (
    AWKWARD
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
)
KEYS = st.sampled_from(["id", "prompt", "options", "text", "yes", "on", "Null", "a b", "-x", "1"])
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | AWKWARD, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(KEYS | AWKWARD, VALUES, max_size=5),
    st.lists(st.dictionaries(KEYS | AWKWARD, VALUES, max_size=6) | VALUES, max_size=4),
)
def test_any_bank_reads_back_as_written_at_the_lines_given(fields, questions):
    bank = {"format": "scr-cpd/bank@1", **fields, "questions": questions}
    assert_reads_back(bank, header="Imported from x.gift\nby a test")
