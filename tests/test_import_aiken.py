"""Aiken import: single-answer questions, and a line-numbered error for each broken one."""

from __future__ import annotations

from pathlib import Path

from helpers import no_slower_than_ordinary
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_cpd.content.formats.aiken import parse_aiken
from scr_cpd.content.importing import import_bank

TWO_QUESTIONS = """\
Who chairs a MARAC?
A) The police officer in the case
B) A chair agreed locally
C) The child's teacher
ANSWER: B

Which of these is a MAPPA category?
A. Registered sexual offenders
B. Shoplifters
C. Witnesses
ANSWER: A
"""


def parse(text: str):
    return parse_aiken(text, "quiz.txt")


def error_lines(result) -> list[int | None]:
    return [p.line for p in result.errors]


def test_two_questions_with_both_label_styles():
    result = parse(TWO_QUESTIONS)
    assert not result.errors
    first, second = result.bank["questions"]
    assert first == {
        "id": "q-1",
        "type": "single",
        "prompt": "Who chairs a MARAC?",
        "options": [
            {"text": "The police officer in the case"},
            {"text": "A chair agreed locally", "correct": True},
            {"text": "The child's teacher"},
        ],
        "explanation": "Imported from quiz.txt line 1; no general feedback was given.",
        "learning_points": [],
    }
    assert second["id"] == "q-2" and second["options"][0]["correct"] is True
    assert result.bank["id"] == "quiz"
    assert [p.line for p in result.warnings] == [1, 7]  # placeholder explanations


def test_blank_lines_are_optional_and_whitespace_lines_ignored():
    text = "Q one?\nA) x\nB) y\nANSWER: A\n \t\nQ two?\nA)no space\nB) z\nANSWER: A\n"
    result = parse(text)
    assert not result.errors
    assert [q["options"][0]["text"] for q in result.bank["questions"]] == ["x", "no space"]


def test_answer_letter_not_among_options():
    result = parse("Q?\nA) x\nB) y\nANSWER: D\n\n" + TWO_QUESTIONS)
    assert error_lines(result) == [4]
    assert "not among the options" in result.errors[0].message
    assert len(result.bank["questions"]) == 2


def test_question_without_options():
    result = parse("Q?\nANSWER: A\n")
    assert error_lines(result) == [2]
    assert "no options" in result.errors[0].message


def test_question_without_answer_line_then_the_next_one_imports():
    result = parse("Q one?\nA) x\nB) y\nQ two?\nA) p\nB) q\nANSWER: B\n")
    assert error_lines(result) == [1]
    assert [q["prompt"] for q in result.bank["questions"]] == ["Q two?"]


def test_question_without_answer_at_end_of_file():
    result = parse(TWO_QUESTIONS + "\nLast?\nA) x\nB) y\n")
    assert error_lines(result) == [13]
    assert len(result.bank["questions"]) == 2


def test_aikenadv_numbering_line_is_an_error_and_parsing_continues():
    text = "Q?\nA. x\nB. y\nNUMBERING: 123\nANSWER: B\n\nNext?\nA) p\nB) q\nANSWER: A\n"
    result = parse(text)
    assert error_lines(result) == [4]
    assert "NUMBERING" in result.errors[0].message
    assert [q["prompt"] for q in result.bank["questions"]] == ["Next?"]


def test_lowercase_or_numbered_labels_are_errors():
    result = parse("Q?\n1) x\n2) y\nANSWER: A\n\nR?\na) x\nb) y\nANSWER: A\n\n" + TWO_QUESTIONS)
    assert error_lines(result) == [2, 7]
    assert len(result.bank["questions"]) == 2


def test_several_answer_letters_and_lowercase_letter_are_errors():
    result = parse("Q?\nA) x\nB) y\nANSWER: A,B\n\nR?\nA) x\nB) y\nANSWER: b\n")
    assert error_lines(result) == [4, 9]
    assert result.bank["questions"] == []


def test_lowercase_answer_keyword_is_an_error():
    result = parse("Q?\nA) x\nB) y\nanswer: A\n")
    assert error_lines(result) == [4]


def test_option_before_any_question():
    result = parse("A) x\nB) y\nANSWER: A\n\n" + TWO_QUESTIONS)
    assert error_lines(result) == [1]
    assert len(result.bank["questions"]) == 2


def test_a_single_option_is_an_error():
    result = parse("Q?\nA) only\nANSWER: A\n")
    assert error_lines(result) == [3]


def test_multi_line_stem_is_joined_with_a_warning():
    result = parse("First part\nsecond part?\nA) x\nB) y\nANSWER: A\n")
    assert result.bank["questions"][0]["prompt"] == "First part second part?"
    assert "several lines" in "\n".join(p.message for p in result.warnings)


def test_html_in_aiken_is_plain_text():
    result = parse("Keep <b>this</b> & that?\nA) <i>x</i>\nB) y\nANSWER: A\n")
    question = result.bank["questions"][0]
    assert question["prompt"] == "Keep <b>this</b> & that?"
    assert question["options"][0]["text"] == "<i>x</i>"


def test_duplicate_options_are_dropped_and_too_few_skip_the_question():
    result = parse("Q?\nA)  .\nB)  .\nC)  .\nANSWER: A\n")
    assert result.bank["questions"] == []
    assert not result.errors
    assert any("skipped" in p.message for p in result.warnings)


def test_import_bank_with_crlf_bom_and_aiken_extension(tmp_path: Path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TWO_QUESTIONS.replace("\n", "\r\n").encode())
    result = import_bank(path, None)
    assert not result.errors
    assert len(result.bank["questions"]) == 2


AIKEN_BITS = st.sampled_from(
    [
        "Q?",
        "A) x",
        "B. y",
        "C)",
        "ANSWER: A",
        "ANSWER: Z",
        "ANSWER:",
        "answer: b",
        "NUMBERING: 1",
        "1) z",
        "a) z",
        "",
        " ",
        "\t",
        "é",
        "A)  .",
        "ANSWER: A,B",
    ]
)


def parsed_quickly(text: str, filename: str):
    """The parser's result (a hang is reported by bench/fuzz.py; size ratios below)."""
    return parse_aiken(text, filename)


@settings(max_examples=300, deadline=None)
@given(st.lists(AIKEN_BITS | st.text(max_size=6), max_size=40).map("\n".join))
def test_parse_aiken_never_raises_on_aiken_like_text(text):
    result = parsed_quickly(text, "fuzz.txt")
    for question in result.bank["questions"]:
        assert sum(1 for o in question["options"] if o.get("correct")) == 1


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_parse_aiken_never_raises_on_any_text(text):
    parsed_quickly(text, "fuzz.txt")


def test_parse_aiken_is_fast_on_large_input():
    text = "Q?\n" + "A) x\n" * 100000 + ("Stem\nA) a\nB) b\nANSWER: A\n" * 20000)
    assert len(parse_aiken(text, "big.txt").bank["questions"]) == 20000
    no_slower_than_ordinary(parse_aiken, text, "Stem\nA) a\nB) b\nANSWER: A\n")
