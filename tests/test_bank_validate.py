"""Checking banks: the starter bank, bad input, cross-file problems and `--against` comparisons."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_cpd.content.compare import compare_banks
from scr_cpd.content.errors import BankError
from scr_cpd.content.loader import BUNDLED_DIR
from scr_cpd.content.starter import starter_bank, suggest_id
from scr_cpd.content.validate import bundled_ids, check_file, validate_paths
from scr_cpd.content.yamlsource import read_yaml

STARTER = starter_bank("starter-module")


def write(tmp_path: Path, text: str | bytes, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in validate_paths([path]).problems]


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


# --- the starter bank ------------------------------------------------------------------------


def test_starter_bank_validates_with_no_errors_and_no_warnings(tmp_path):
    report = validate_paths([write(tmp_path, STARTER)])
    assert report.problems == []
    assert report.banks["starter-module"]["id"] == "starter-module"


def test_starter_bank_has_one_question_of_every_type_a_learning_point_and_a_reflection(tmp_path):
    from scr_cpd.content.vocabulary import QUESTION_TYPES

    data, _, _ = check_file(write(tmp_path, STARTER))
    assert sorted(q["type"] for q in data["questions"]) == sorted(QUESTION_TYPES)
    assert data["learning_points"] and data["reflections"]
    assert "# " in STARTER and "revision" in STARTER  # commented, and teaches the revision rule


def test_starter_title_with_yaml_punctuation_reads_back_exactly(tmp_path):
    data, _, problems = check_file(write(tmp_path, starter_bank("m", 'Neglect: "the basics" #1')))
    assert problems == [] and data["title"] == 'Neglect: "the basics" #1'


def test_starter_refuses_an_invalid_id_and_suggests_one():
    with pytest.raises(ValueError):
        starter_bank("Not Valid")
    assert suggest_id("Neglect 2: Refresher") == "neglect-2-refresher"


# --- bad input: one clear message with its line, never a traceback or a hang ------------------


def test_wrong_indentation_names_the_line_and_suggests_checking_indentation(tmp_path):
    text = STARTER.replace("\n  - id: record-and-share\n", "\n - id: record-and-share\n")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}:{line_of(text, ' - id: record-and-share')}: YAML syntax error"
    )
    assert "indentation" in problem


def test_a_tab_used_for_indentation_is_named_as_such(tmp_path):
    text = STARTER.replace("\n    type: true_false\n", "\n\ttype: true_false\n")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert (
        problem
        == f"{path}:{line_of(text, chr(9) + 'type: true_false')}: YAML syntax error: a tab character is used for indentation; indent with spaces"
    )


def test_a_byte_order_mark_is_accepted(tmp_path):
    assert problems_of(write(tmp_path, b"\xef\xbb\xbf" + STARTER.encode())) == []


def test_windows_line_endings_are_accepted_and_lines_still_count_right(tmp_path):
    broken = STARTER.replace("    answer: 131\n", "    answer: lots\n")
    path = write(tmp_path, broken.replace("\n", "\r\n").encode())
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}:{line_of(broken, '    answer: lots')}: questions.q-reviews-death.answer:"
    )


def test_an_anchor_bomb_is_refused_at_the_first_alias_without_expanding_it(tmp_path):
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi")
    )
    path = write(tmp_path, bomb)
    [problem] = problems_of(path)  # at once: expanded, the aliases would make 10**9 items
    assert (
        problem
        == f"{path}:2: YAML aliases (*name) are not allowed in a bank; write the value out in full"
    )


def test_a_10_mb_file_is_refused_before_it_is_parsed(tmp_path):
    path = write(tmp_path, STARTER + "#" + "x" * 10_000_000 + "\n")
    [problem] = problems_of(path)
    assert (
        problem
        == f"{path}: the file is 10.0 MB; a bank may be at most 8 MB — split it into several modules"
    )


def test_bytes_that_are_not_utf8_name_their_line(tmp_path):
    raw = STARTER.encode().replace(b"Title of the document", b"Caf\xe9 document")
    path = write(tmp_path, raw)
    [problem] = problems_of(path)
    assert (
        problem
        == f"{path}:{line_of(STARTER, '  title: Title of the document your questions come from')}: byte 0xe9 is not UTF-8; save the file as UTF-8"
    )


def test_a_choice_question_with_no_correct_answer_is_an_error_on_its_line(tmp_path):
    text = STARTER.replace(
        "        correct: true\n        feedback: Right. Seeing", "        feedback: Right. Seeing"
    )
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert (
        problem
        == f"{path}:{line_of(text, '    options:')}: questions.q-see-the-baby.options: a single-choice question needs exactly one correct option, found 0"
    )


def test_a_multiple_choice_question_with_no_correct_answer_is_an_error(tmp_path):
    text = STARTER.replace(
        "      - text: Where each child was sleeping\n        correct: true\n",
        "      - text: Where each child was sleeping\n",
    ).replace(
        "      - text: The name and age of every child you saw\n        correct: true\n",
        "      - text: The name and age of every child you saw\n        feedback: x\n",
    )
    problems = problems_of(write(tmp_path, text))
    assert any(
        "q-what-to-record.options: a multiple-choice question needs at least one correct option"
        in p
        for p in problems
    )


@pytest.mark.parametrize("depth", [100, 5000])
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path, depth):
    path = write(tmp_path, "format: " + "[" * depth + "]" * depth + "\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:1:") and "nest" in problem


def test_tags_that_would_build_objects_are_refused(tmp_path):
    path = write(tmp_path, "format: !!python/object/apply:os.system [echo hi]\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:1: YAML tags such as") and "not allowed" in problem


def test_a_value_that_does_not_fit_its_explicit_tag_is_one_message(tmp_path):
    path = write(tmp_path, "format: !!int many\n")
    assert problems_of(path) == [
        f"{path}:1: cannot read 'many' as int; correct the value, or remove the !!int tag"
    ]


def test_an_empty_file_and_a_second_document(tmp_path):
    empty = write(tmp_path, "# nothing yet\n", "empty.yaml")
    assert problems_of(empty) == [f"{empty}:1: the file is empty"]
    two = write(tmp_path, STARTER + "---\nid: x\n", "two.yaml")
    [problem] = problems_of(two)
    assert problem.startswith(
        f"{two}:{len(STARTER.splitlines()) + 1}: a bank holds one YAML document"
    )


# --- YAML reading agrees with PyYAML's SafeLoader -------------------------------------------

_scalars = st.one_of(
    st.sampled_from(
        [
            "yes",
            "No",
            "on",
            "off",
            "true",
            "False",
            "~",
            "null",
            "",
            "1_000",
            "0x1F",
            "0o17",
            "1e3",
            ".inf",
            "-.5",
            "2024-01-31",
            "12:30",
            "=",
            "<<x",
            "+1",
            "007",
            "Option A",
            "tolerance",
        ]
    ),
    st.text(alphabet="abcyYnNoOtTf019.-+: ", min_size=1, max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.from_regex(r"[a-z]{1,6}", fullmatch=True), _scalars),
        min_size=1,
        max_size=6,
        unique_by=lambda kv: kv[0],
    )
)
def test_plain_scalars_read_as_safe_loader_reads_them(pairs):
    text = "".join(f"{key}: {value}\n" for key, value in pairs)
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(BankError):
            read_yaml(text, "f.yaml")
        return
    data, _ = read_yaml(text, "f.yaml")
    assert data == expected


def test_every_bundled_bank_reads_the_same_as_with_safe_loader():
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert read_yaml(text, str(path))[0] == yaml.safe_load(text), path


def test_a_value_line_is_the_line_of_its_key(tmp_path):
    data, lines = read_yaml(STARTER, "s.yaml")
    assert lines[("questions", 0, "options")] == line_of(STARTER, "    options:")
    assert lines[("questions", 0, "options", 1, "text")] == line_of(
        STARTER, "      - text: Take the parents' word that the baby is asleep and fine."
    )


# --- across files ----------------------------------------------------------------------------


def test_duplicate_module_ids_across_files_are_an_error(tmp_path):
    a = write(tmp_path, STARTER, "a.yaml")
    b = write(tmp_path, STARTER, "b.yaml")
    report = validate_paths([tmp_path])
    assert report.files == 2
    assert [str(p) for p in report.errors] == [
        f"{b}: id: module id 'starter-module' is also used by {a}; module ids must be unique"
    ]


def test_reusing_a_bundled_module_id_is_a_warning_but_the_bundled_folder_itself_is_clean(tmp_path):
    path = write(tmp_path, starter_bank("neglect"))
    report = validate_paths([path], reserved=bundled_ids())
    assert [str(p) for p in report.problems] == [
        f"{path}:{line_of(STARTER, next(line for line in STARTER.splitlines() if line.startswith('id: ')))}: id: warning: 'neglect' is the id of a bundled module, which would be loaded instead of this bank; choose another id"
    ]
    assert validate_paths([BUNDLED_DIR], reserved=bundled_ids()).problems == []


def test_bundled_ids_are_read_from_each_file():
    ids = bundled_ids()
    assert (
        "neglect" in ids
        and ids["neglect"].name == "neglect.yaml"
        and len(ids) == len(list(BUNDLED_DIR.glob("*.yaml")))
    )


def test_the_validator_warnings_the_issue_asks_for(tmp_path):
    text = (
        STARTER.replace(
            "    learning_points: [record-and-share]\n\n  - id: q-tidy-home",
            "\n  - id: q-tidy-home",
        )
        .replace(
            "        feedback: A visit with no crime can still hold the detail another agency needs.\n",
            "",
        )
        .replace(
            "prompt: In a video-recorded interview of a child witness, what does ABE stand for?",
            "prompt: Match each abbreviation with what it stands for.",
        )
    )
    text += "  - id: r-unused\n    prompt: Another prompt.\n"
    text = text.replace(
        "learning_points:                 # what",
        "learning_points:\n  - id: never-served\n    text: Nobody asks about this.                 # what",
        1,
    )
    messages = [p.message for p in validate_paths([write(tmp_path, text)]).warnings]
    assert "no learning_points: say which learning point this question serves" in messages
    assert "no question serves this learning point" in messages
    assert "no feedback for this wrong option: say why it is tempting and wrong" in messages
    assert any(m.startswith("the same prompt as line") for m in messages)


# --- --against: changes that would orphan or muddle officers' progress ------------------------


def compare(tmp_path: Path, new_text: str, old_text: str = STARTER) -> list[str]:
    old = write(tmp_path, old_text, "old.yaml")
    new = write(tmp_path, new_text, "new.yaml")
    return [str(p) for p in validate_paths([new], against=[old]).problems]


def test_an_unchanged_bank_and_a_typo_fix_in_an_explanation_report_nothing(tmp_path):
    assert compare(tmp_path, STARTER) == []
    assert (
        compare(tmp_path, STARTER.replace("the officer's own eyes", "the officers own eyes")) == []
    )


def test_a_changed_answer_without_a_revision_bump_is_an_error_on_the_question(tmp_path):
    text = STARTER.replace("    answer: 131\n", "    answer: 130\n")
    assert compare(tmp_path, text) == [
        f"{tmp_path / 'new.yaml'}:{line_of(text, '  - id: q-reviews-death          # numeric: answer, with an optional tolerance and unit')}: questions.q-reviews-death: "
        "the right answer changed from '131' to '130', but the revision is still 1: earlier answers would count towards the changed question; bump it to `revision: 2`"
    ]


def test_bumping_the_revision_makes_a_change_of_meaning_fine(tmp_path):
    text = STARTER.replace("    answer: 131\n", "    answer: 130\n    revision: 2\n")
    assert compare(tmp_path, text) == []


def test_a_changed_right_option_or_true_false_answer_is_an_error(tmp_path):
    text = (
        STARTER.replace("    answer: false\n", "    answer: true\n")
        .replace(
            "      - text: Where each child was sleeping\n        correct: true\n",
            "      - text: Where each child was sleeping\n        feedback: Not needed.\n",
        )
        .replace(
            "      - text: Only what the adults told you\n",
            "      - text: Only what the adults told you\n        correct: true\n",
        )
    )
    problems = compare(tmp_path, text)
    assert len(problems) == 2
    assert "questions.q-what-to-record: the right answer changed" in problems[0]
    assert "questions.q-tidy-home: the right answer changed from 'False' to 'True'" in problems[1]


def test_a_reworded_prompt_or_a_typo_in_the_right_option_is_a_warning(tmp_path):
    text = STARTER.replace("A clean and tidy home shows", "A clean, tidy home shows").replace(
        "Ask to see the baby and check how and where the baby is sleeping.",
        "Ask to see the baby and check how and where the baby sleeps.",
    )
    problems = compare(tmp_path, text)
    assert [p.split(": ", 2)[1] for p in problems] == [
        "questions.q-see-the-baby",
        "questions.q-tidy-home",
    ]
    assert all(
        ": warning: the wording changed" in p and "bump it to `revision: 2`" in p for p in problems
    )
    assert "(options)" in problems[0] and "(prompt)" in problems[1]


def test_a_renamed_question_is_an_error_and_a_removed_one_a_warning(tmp_path):
    text = STARTER.replace("id: q-abe-words", "id: q-abe-meaning")
    start, end = text.index("  - id: q-match-terms"), text.index("reflections:")
    text = text[:start] + text[end:]
    problems = compare(tmp_path, text)
    assert any(
        ": questions.q-match-terms: warning: question 'q-match-terms' (line" in p
        and "was removed" in p
        for p in problems
    )
    assert any(
        f"new.yaml:{line_of(text, '  - id: q-abe-meaning              # short_answer: any of the answers, case and spaces ignored')}: questions.q-abe-meaning: this is question 'q-abe-words'"
        in p
        for p in problems
    )


def test_a_revision_going_down_is_an_error(tmp_path):
    old = STARTER.replace("    type: true_false\n", "    type: true_false\n    revision: 3\n")
    new = STARTER.replace("    type: true_false\n", "    type: true_false\n    revision: 2\n")
    [problem] = compare(tmp_path, new, old)
    assert "questions.q-tidy-home.revision: revision went down from 3 to 2" in problem


def test_a_changed_module_id_is_an_error(tmp_path):
    [problem] = compare(tmp_path, STARTER.replace("id: starter-module", "id: renamed-module"))
    assert ": id: the module id changed from 'starter-module'" in problem


def test_yes_and_no_read_as_booleans_get_a_hint_to_quote_them(tmp_path):
    text = STARTER.replace(
        "      - text: Leave, as no offence has been disclosed.", "      - text: No"
    )
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line_of(text, '      - text: No')}: questions.q-see-the-baby.options[3].text: should be text, but YAML reads yes/no/on/off/true/false as true or false; put the text in quotes"
    ]


def test_a_new_bank_with_errors_is_not_compared(tmp_path):
    problems = compare(tmp_path, STARTER.replace("    answer: 131\n", ""))
    assert (
        problems[-1]
        == f"{tmp_path / 'old.yaml'}: warning: not compared: fix the errors above first, then validate again with --against"
    )


def test_an_old_bank_with_errors_cannot_be_compared(tmp_path):
    [problem] = compare(tmp_path, STARTER, old_text="format: nonsense\n")
    assert (
        "has 1 error of its own, so it cannot be compared" in problem
        or "errors of its own" in problem
    )


def test_compare_banks_on_every_bundled_bank_with_itself_is_clean():
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        data, lines, _ = check_file(path)
        assert compare_banks(data, data, "old", "new", lines, lines) == []


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_numeric_answer_must_be_a_finite_number(tmp_path, value):
    from scr_cpd.content.loader import parse_bank_file

    path = tmp_path / "bank.yaml"
    path.write_text(
        "format: scr-cpd/bank@1\nid: nums\ntitle: Numbers\nsummary: s\nsource: {page: 1}\n"
        "questions:\n  - id: q-n\n    type: numeric\n    prompt: How many?\n"
        f"    answer: {value}\n    explanation: e\n",
        encoding="utf-8",
    )
    _, problems = parse_bank_file(path)
    assert [(p.line, p.field) for p in problems if p.severity == "error"] == [
        (10, "questions.q-n.answer")
    ]


# --- a large bank is checked on two cores, with the same result -----------------------------


def large_bank(broken: bool) -> tuple[dict, dict]:
    """A bank of 2,400 questions (with, if `broken`, mistakes early, late and at bank level)."""
    from scr_cpd.content.yamlwrite import written_bank

    data, _, _ = check_file(write(Path(__import__("tempfile").mkdtemp()), STARTER))
    template = next(q for q in data["questions"] if q["type"] == "single")
    questions = [{**template, "id": f"q-{i}", "prompt": f"Question {i}?"} for i in range(2400)]
    if broken:
        questions[3] = {**questions[3], "type": "singel"}
        questions[2000] = {**questions[2000], "options": questions[2000]["options"][:1]}
        questions[2399] = {**questions[2399], "id": "q-1", "colour": "red"}
    bank = {**data, "questions": questions, **({"pass_mark": 7} if broken else {})}
    _, written, lines = written_bank(bank)
    return written, lines


@pytest.mark.parametrize("broken", [False, True])
@pytest.mark.parametrize("normalise", [False, True])
def test_a_large_bank_checked_on_two_cores_gives_what_one_core_gives(
    monkeypatch, broken, normalise
):
    from scr_cpd.content import schema_check
    from scr_cpd.content.loader import validate_bank_data

    data, lines = large_bank(broken)
    monkeypatch.setattr(schema_check, "TWO_CORES_FROM", 10**9)
    one = validate_bank_data(data, "big.yaml", lines, normalise)
    monkeypatch.setattr(schema_check, "TWO_CORES_FROM", 1000)
    two = validate_bank_data(data, "big.yaml", lines, normalise)
    assert two == one
    errors = [p for p in one[1] if p.severity == "error"]
    assert bool(errors) == broken and (one[0] == {}) == broken
    if broken:  # the child's question numbers are put back: lines and ids of the later part
        fields = {p.field for p in errors}
        assert fields >= {"questions.q-2000.options", "questions.q-1.colour", "pass_mark"}
        [late] = [p for p in errors if p.field == "questions.q-1.colour"]
        assert late.line == lines[("questions", 2399, "colour")]


def test_a_child_that_fails_leaves_its_part_to_the_parent(monkeypatch):
    import os

    from scr_cpd.content import schema_check
    from scr_cpd.content.loader import validate_bank_data

    data, lines = large_bank(True)
    monkeypatch.setattr(schema_check, "TWO_CORES_FROM", 10**9)
    one = validate_bank_data(data, "big.yaml", lines)
    monkeypatch.setattr(schema_check, "TWO_CORES_FROM", 1000)
    monkeypatch.setattr(schema_check, "_check_and_send", lambda *args: os._exit(3))
    assert validate_bank_data(data, "big.yaml", lines) == one
