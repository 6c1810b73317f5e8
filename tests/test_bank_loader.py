"""The content layer: reading bank files, reporting every problem as file:line: field: message,
bank discovery and the per-file cache; and the model the app runs on (grading, citations)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_cpd.content import loader
from scr_cpd.content.errors import Problem
from scr_cpd.content.loader import load_library, parse_bank_file, validate_bank_data
from scr_cpd.content.model import Citation
from scr_cpd.content.validate import validate_paths

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-bank.yaml"

HEADER = """\
format: scr-cpd/bank@1
id: {id}
title: A test module
summary: For tests.
source: {{page: 3, section: Testing}}
learning_points:
  - id: lp-a
    text: Point A.
questions:
"""

GOOD_QUESTION = """\
  - id: q-good
    type: true_false
    prompt: Is this good?
    answer: true
    explanation: It is.
    learning_points: [lp-a]
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def bank_text(questions: str = GOOD_QUESTION, module_id: str = "test-mod") -> str:
    return HEADER.format(id=module_id) + questions


def problems_of(path: Path) -> list[str]:
    _, problems = parse_bank_file(path)
    return [str(p) for p in problems]


def errors_of(path: Path) -> list[str]:
    _, problems = parse_bank_file(path)
    return [str(p) for p in problems if p.severity == "error"]


# --- A good bank ---------------------------------------------------------------------------


def test_tiny_fixture_bank_loads_cleanly_with_one_question_of_each_type():
    data, problems = parse_bank_file(FIXTURE)
    assert problems == []
    assert sorted(q["type"] for q in data["questions"]) == sorted(
        ["single", "multiple", "true_false", "numeric", "short_answer", "matching"]
    )


def test_a_good_bank_has_no_problems(tmp_path):
    path = write(tmp_path, "good.yaml", bank_text())
    assert problems_of(path) == []


# --- Every problem at once, each with file:line: field: message ------------------------------


BAD_BANK = """\
format: scr-cpd/bank@1
id: bad-one
title: Bad
summary: S
source: {page: 3, section: X}
learning_points:
  - id: lp-a
    text: A
questions:
  - id: q1
    type: single
    prompt: P1
    options:
      - {text: a, feedback: nope}
      - {text: b, feedback: nope}
    explanation: E
    learning_points: [lp-a]
  - id: q1
    type: single
    prompt: P2
    options:
      - {text: a, correct: true}
      - {text: b, correct: true}
    learning_points: [lp-b]
  - id: q3
    type: true_false
    prompt: P3
    answer: true
    explanation: E
    explanaton: typo
    learning_points: [lp-a]
  - id: q4
    type: multiple
    prompt: P4
    options:
      - {text: a, feedback: nope}
      - {text: b, feedback: nope}
    explanation: E
    learning_points: [lp-a]
"""


def test_every_problem_in_a_file_is_reported_at_once_with_its_line(tmp_path):
    path = write(tmp_path, "bad.yaml", BAD_BANK)
    assert errors_of(path) == [
        f"{path}:13: questions.q1.options: a single-choice question needs exactly one correct option, found 0",
        f"{path}:18: questions.q1.explanation: is required",
        f"{path}:18: questions.q1: duplicate id 'q1' (first used at line 10)",
        f"{path}:21: questions.q1.options: a single-choice question needs exactly one correct option, found 2",
        f"{path}:24: questions.q1.learning_points: unknown learning point 'lp-b' (did you mean 'lp-a'?)",
        f"{path}:30: questions.q3.explanaton: unknown field (did you mean 'explanation'?)",
        f"{path}:35: questions.q4.options: a multiple-choice question needs at least one correct option",
    ]


def test_yaml_syntax_error_names_its_line(tmp_path):
    path = write(
        tmp_path, "syntax.yaml", "format: scr-cpd/bank@1\nid: x\ntitle: [unclosed\nsummary: s\n"
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:4: YAML syntax error:")


@pytest.mark.parametrize(
    "text, line",
    [
        ("format: scr-cpd/bank@1\nid: x\ntitle: [unclosed\n", 3),
        ('format: scr-cpd/bank@1\nid: "x\n\n\n', 2),
        ("format: scr-cpd/bank@1\ntitle: {a: 1\n", 2),
    ],
)
def test_a_bracket_or_quote_left_open_to_the_end_names_a_line_of_the_file(tmp_path, text, line):
    path = write(tmp_path, "open.yaml", text)
    assert problems_of(path) == [
        f"{path}:{line}: YAML syntax error: the file ends before a [, {{ or quote opened on this "
        "line or above it is closed"
    ]


def test_tab_indentation_is_named_as_such(tmp_path):
    path = write(
        tmp_path,
        "tabs.yaml",
        "format: scr-cpd/bank@1\nid: x\nquestions:\n  - id: q\n\t  type: single\n",
    )
    assert problems_of(path) == [
        f"{path}:5: YAML syntax error: a tab character is used for indentation; indent with spaces"
    ]


def test_unknown_field_without_a_close_match_lists_the_allowed_ones(tmp_path):
    path = write(
        tmp_path,
        "extra.yaml",
        bank_text().replace("title: A test module", "title: A test module\nzzz: 1"),
    )
    [problem] = errors_of(path)
    assert problem.startswith(f"{path}:4: zzz: unknown field; allowed here: format, id, title")


def test_unknown_question_type_lists_the_types(tmp_path):
    path = write(tmp_path, "type.yaml", bank_text(GOOD_QUESTION.replace("true_false", "essay")))
    assert errors_of(path) == [
        f"{path}:11: questions.q-good.type: unknown question type 'essay'; use one of single, multiple, "
        "true_false, numeric, short_answer, matching"
    ]


def test_wrong_format_string_asks_whether_it_is_a_bank(tmp_path):
    path = write(tmp_path, "fmt.yaml", bank_text().replace("scr-cpd/bank@1", "something/else"))
    assert errors_of(path) == [
        f"{path}:1: format: must be 'scr-cpd/bank@1' (got 'something/else'); is this a bank file?"
    ]


def test_bad_module_id_explains_the_pattern(tmp_path):
    path = write(tmp_path, "id.yaml", bank_text(module_id="Bad_Id"))
    assert errors_of(path) == [
        f"{path}:2: id: use lower-case letters, digits and single hyphens only (e.g. my-module-1)"
    ]


def test_duplicate_key_in_a_mapping(tmp_path):
    path = write(tmp_path, "dupkey.yaml", bank_text(GOOD_QUESTION + "    answer: false\n"))
    assert problems_of(path) == [f"{path}:16: the key 'answer' appears twice here"]


def test_numbers_where_text_is_expected_are_read_as_text(tmp_path):
    question = """\
  - id: q-num-text
    type: single
    prompt: How many?
    options:
      - {text: 131, correct: true}
      - {text: 235, feedback: That is all of them.}
    explanation: 131 of them.
    learning_points: [lp-a]
"""
    data, problems = parse_bank_file(write(tmp_path, "n.yaml", bank_text(question)))
    assert problems == []
    assert [o["text"] for o in data["questions"][0]["options"]] == ["131", "235"]


def test_warnings_do_not_stop_a_bank_loading(tmp_path):
    question = GOOD_QUESTION.replace("    learning_points: [lp-a]\n", "")
    data, problems = parse_bank_file(write(tmp_path, "w.yaml", bank_text(question)))
    assert data["id"] == "test-mod"
    assert [p.severity for p in problems] == ["warning", "warning"]
    assert (
        str(problems[0])
        == f"{tmp_path / 'w.yaml'}:7: learning_points.lp-a: warning: no question serves this learning point"
    )


# --- Encodings, line endings and hostile files ----------------------------------------------


def test_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + bank_text().encode())
    data, problems = parse_bank_file(path)
    assert problems == [] and data["id"] == "test-mod"


def test_windows_line_endings_are_accepted_and_lines_still_count_right(tmp_path):
    good = write(tmp_path, "crlf.yaml", bank_text().replace("\n", "\r\n").encode())
    assert problems_of(good) == []
    bad = write(
        tmp_path,
        "crlf-bad.yaml",
        bank_text(GOOD_QUESTION.replace("explanation", "explanatio"))
        .replace("\n", "\r\n")
        .encode(),
    )
    assert errors_of(bad) == [
        f"{bad}:10: questions.q-good.explanation: is required",
        f"{bad}:14: questions.q-good.explanatio: unknown field (did you mean 'explanation'?)",
    ]


def test_bytes_that_are_not_utf8_are_reported_with_their_line(tmp_path):
    path = write(
        tmp_path, "latin1.yaml", bank_text().replace("A test module", "Caf\u00e9").encode("latin-1")
    )
    assert problems_of(path) == [f"{path}:3: byte 0xe9 is not UTF-8; save the file as UTF-8"]


def test_billion_laughs_is_refused_without_expanding_it(tmp_path):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = write(tmp_path, "laughs.yaml", "\n".join(levels) + "\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:2: YAML aliases (*name) are not allowed in a bank")


def test_yaml_tags_are_refused(tmp_path):
    path = write(tmp_path, "tag.yaml", "format: !!python/object:os.system echo\n")
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}:1: YAML tags such as tag:yaml.org,2002:python/object:os.system are not allowed"
    )


def test_a_second_document_is_refused(tmp_path):
    path = write(tmp_path, "two.yaml", bank_text() + "---\nid: another\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:16: a bank holds one YAML document")


def test_merge_keys_are_refused(tmp_path):
    path = write(tmp_path, "merge.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n")
    [problem] = problems_of(path)
    assert "are not allowed in a bank" in problem


def test_deep_nesting_is_refused_not_a_crash(tmp_path):
    path = write(tmp_path, "deep.yaml", "a: " + "[" * 990 + "]" * 990 + "\n")
    assert problems_of(path) == [f"{path}:1: values are nested more than 32 levels deep"]


def test_too_large_a_file_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(loader.MAX_BANK_BYTES + 1)  # sparse: no time spent writing it
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: the file is 8.4 MB; a bank may be at most 8 MB")


def test_empty_file_and_non_mapping(tmp_path):
    empty = write(tmp_path, "empty.yaml", "")
    listing = write(tmp_path, "list.yaml", "- 1\n- 2\n")
    assert problems_of(empty) == [f"{empty}:1: the file is empty"]
    assert problems_of(listing) == [
        f"{listing}:1: a bank must be a mapping of fields (format:, id:, title:, …)"
    ]


def test_unreadable_path_is_a_problem_not_a_crash(tmp_path):
    folder = tmp_path / "a-folder.yaml"
    folder.mkdir()
    [problem] = problems_of(folder)
    assert problem.startswith(f"{folder}: cannot read the file")


def _mutation_values():
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=4),
        st.sampled_from(["single", "matching", "lp-choice", "q-single"]),
    )
    keys = st.one_of(
        st.text(max_size=4),
        st.sampled_from(["id", "type", "options", "text", "correct", "learning_points"]),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=6,
    )


def _paths(node, path=()):
    yield path
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in children:
        yield from _paths(value, path + (key,))


FIXTURE_DATA = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
FIXTURE_PATHS = [p for p in _paths(FIXTURE_DATA) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.sampled_from(FIXTURE_PATHS), _mutation_values()), min_size=1, max_size=3)
)
def test_malformed_data_of_any_shape_gives_problems_never_an_exception(mutations):
    data = copy.deepcopy(FIXTURE_DATA)
    for path, value in mutations:
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    normalised, problems = validate_bank_data(data, "f.yaml", {})
    assert all(isinstance(p, Problem) for p in problems)
    assert bool(normalised) != any(p.severity == "error" for p in problems)


# --- Finding banks, duplicates across files, the cache --------------------------------------


def test_banks_come_from_home_and_scr_cpd_banks(tmp_path, monkeypatch):
    home = tmp_path / "home"
    write(home / "banks", "mine.yaml", bank_text(module_id="from-home"))
    extra = tmp_path / "extra"
    write(extra, "theirs.yml", bank_text(module_id="from-env"))
    write(extra, "notes.txt", "not a bank")
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    library = load_library(home)
    assert library.problems == []
    assert library.get("from-home").origin == "home"
    assert library.get("from-env").origin == "SCR_CPD_BANKS"
    assert library.get("neglect").origin == "bundled"


def test_a_bank_with_errors_is_reported_and_the_others_still_load(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    bad = write(
        extra, "a-bad.yaml", bank_text(GOOD_QUESTION.replace("    explanation: It is.\n", ""))
    )
    write(extra, "b-good.yaml", bank_text(module_id="good-one"))
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    library = load_library(None)
    assert [str(p) for p in library.errors] == [
        f"{bad}:10: questions.q-good.explanation: is required"
    ]
    assert "test-mod" not in library.banks
    assert library.get("good-one") is not None and library.get("neglect") is not None


def test_duplicate_module_ids_across_two_files_name_both(tmp_path, monkeypatch):
    first = write(tmp_path / "one", "first.yaml", bank_text(module_id="same"))
    second = write(tmp_path / "two", "second.yaml", bank_text(module_id="same"))
    monkeypatch.setenv("SCR_CPD_BANKS", f"{tmp_path / 'one'}:{tmp_path / 'two'}")
    library = load_library(None)
    assert [str(p) for p in library.errors] == [
        f"{second}: id: module id 'same' is already used by {first}; give one of them another id"
    ]
    assert library.get("same").path == first
    report = validate_paths([first, second])
    assert [str(p) for p in report.errors] == [
        f"{second}: id: module id 'same' is also used by {first}; module ids must be unique"
    ]


def test_a_bundled_module_id_cannot_be_taken_over(tmp_path, monkeypatch):
    clash = write(tmp_path / "extra", "neglect.yaml", bank_text(module_id="neglect"))
    monkeypatch.setenv("SCR_CPD_BANKS", str(tmp_path / "extra"))
    library = load_library(None)
    [problem] = library.errors
    assert str(problem).startswith(f"{clash}: id: module id 'neglect' is already used by ")
    assert library.get("neglect").origin == "bundled"


def test_cache_is_used_when_the_file_is_unchanged_and_refreshed_when_it_changes(
    tmp_path, monkeypatch
):
    extra = tmp_path / "extra"
    path = write(extra, "mod.yaml", bank_text())
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    cache_dir = tmp_path / "cache"
    assert load_library(None, cache_dir).get("test-mod").title == "A test module"
    [cache_file] = cache_dir.iterdir()
    assert str(path) in json.loads(cache_file.read_text())["entries"]

    calls = []
    real = loader.parse_bank_file
    monkeypatch.setattr(loader, "parse_bank_file", lambda p: calls.append(p) or real(p))
    assert load_library(None, cache_dir).get("test-mod").title == "A test module"
    assert calls == []  # nothing parsed on a warm run

    path.write_text(bank_text().replace("A test module", "A renamed module!"), encoding="utf-8")
    assert load_library(None, cache_dir).get("test-mod").title == "A renamed module!"
    assert calls == [path]


def test_cached_problems_are_reported_again(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    write(extra, "bad.yaml", "id: [x\n")
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    cache_dir = tmp_path / "cache"
    first = [str(p) for p in load_library(None, cache_dir).problems]
    second = [str(p) for p in load_library(None, cache_dir).problems]
    assert first == second and len(first) == 1


def test_a_damaged_cache_is_ignored(tmp_path):
    cache_dir = tmp_path / "cache"
    load_library(None, cache_dir)
    [cache_file] = cache_dir.iterdir()
    cache_file.write_text("{not json")
    assert load_library(None, cache_dir).get("neglect") is not None


# --- The model: grading, citations, fingerprints --------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    data, problems = parse_bank_file(FIXTURE)
    assert problems == []
    from scr_cpd.content.model import bank_from_dict

    return bank_from_dict(data, FIXTURE)


@pytest.mark.parametrize(
    "question_id, right, wrong",
    [
        ("q-single", 0, [1, 2, 3, -1, "0", None, True]),
        ("q-multiple", [0, 2], [[0], [0, 1, 2], [], 0]),
        ("q-true-false", True, [False, 1, "true", None]),
        ("q-numeric", 7, [7.5, 6, float("nan"), float("inf"), "7", None]),
        ("q-short", " paris. ", ["Lyon", "", 7, None]),
        ("q-matching", [0, 1], [[1, 0], [0, 0], [0], None]),
    ],
)
def test_grading_of_each_question_type(tiny, question_id, right, wrong):
    question = tiny.question(question_id)
    assert question.is_correct(right)
    for response in wrong:
        assert not question.is_correct(response), response


def test_citation_reads_briefing_page_and_section(tiny):
    assert str(tiny.question("q-single").citation) == "Briefing p.7 — Testing the loop"
    assert str(tiny.question("q-true-false").citation) == "Briefing p.9 — Facts section"
    assert (
        str(Citation("Working Together 2018", "Chapter 1", 12))
        == "Working Together 2018, p.12 — Chapter 1"
    )
    assert str(Citation(None, None, None)) == "Briefing"


def test_content_hash_follows_the_wording_not_the_explanation(tiny):
    from dataclasses import replace

    question = tiny.question("q-single")
    assert replace(question, explanation="Reworded.").content_hash == question.content_hash
    assert replace(question, prompt="Which colour is grass?").content_hash != question.content_hash
    assert len(question.content_hash) == 16


def test_describe_response_in_words(tiny):
    assert tiny.question("q-multiple").describe_response([0, 2]) == "Two; Four"
    assert tiny.question("q-matching").describe_response([1, 0]) == "Cat → Woof; Dog → Miaow"
    assert tiny.question("q-matching").correct_response_text() == "Cat → Miaow; Dog → Woof"
    assert tiny.question("q-single").describe_response(99) == "99"


def test_a_cache_made_by_other_validation_code_is_not_used(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    write(extra, "mod.yaml", bank_text())
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    cache_dir = tmp_path / "cache"
    load_library(None, cache_dir)
    monkeypatch.setattr(loader, "rules_stamp", lambda: "other code")
    calls = []
    real = loader.parse_bank_file
    monkeypatch.setattr(loader, "parse_bank_file", lambda p: calls.append(p) or real(p))
    load_library(None, cache_dir)
    assert len(calls) == len(list(loader.BUNDLED_DIR.glob("*.yaml"))) + 1


def test_problems_in_a_clean_looking_file_have_their_lines():
    text = bank_text(
        GOOD_QUESTION
        + GOOD_QUESTION.replace("q-good", "q-two").replace(
            "learning_points: [lp-a]", "learning_points: [lp-b]"
        )
    )
    normalised, _, problems = loader.check_bank_text(text, "f.yaml")
    assert normalised == {}
    assert [str(p) for p in problems] == [
        "f.yaml:18: questions.q-two.prompt: warning: the same prompt as line 12",
        "f.yaml:21: questions.q-two.learning_points: unknown learning point 'lp-b' (did you mean 'lp-a'?)",
    ]


def test_the_schemas_format_literal_is_the_vocabularys():
    import typing

    from scr_cpd.content.schema import Bank
    from scr_cpd.content.vocabulary import BANK_FORMAT

    assert typing.get_args(Bank.model_fields["format"].annotation) == (BANK_FORMAT,)


def test_each_problem_carries_a_code_for_tools():
    from scr_cpd.content.errors import Code

    text = bank_text(
        GOOD_QUESTION + GOOD_QUESTION.replace("    learning_points: [lp-a]\n", "    colour: red\n")
    )
    _, _, problems = loader.check_bank_text(text, "f.yaml")
    codes = {p.code for p in problems}
    assert {Code.DUPLICATE_ID, Code.UNKNOWN_FIELD, Code.NO_LEARNING_POINT} <= codes
    assert all(isinstance(p.code, str) and p.code for p in problems)
    assert Problem("f", 1, "", "m").code == Code.INVALID


def test_an_unquoted_version_is_refused_with_a_hint_to_quote_it(tmp_path):
    from scr_cpd.content.errors import Code

    path = write(
        tmp_path,
        "v.yaml",
        bank_text().replace("title: A test module", "title: A test module\nversion: 1.10"),
    )
    data, problems = parse_bank_file(path)
    assert data == {}
    [problem] = problems
    assert problem.code == Code.VERSION_NOT_TEXT and problem.line == 4
    assert str(problem).startswith(
        f"{path}:4: version: is the number 1.1, not text: write it in quotes"
    )
    assert 'version: "1.10"' in problem.message


# --- hostile and unlucky files: line-numbered problems, never a traceback ---------------------


@pytest.mark.parametrize(
    "value",
    ["!!bool x", "!!bool", "!!int", "!!int ''", "!!int _", "!!int +", "!!float", "!!float x"],
)
def test_a_malformed_tagged_value_is_a_problem_with_its_line(value):
    from scr_cpd.content.errors import Code

    text = bank_text().replace("title: A test module", f"title: {value}")
    data, _, problems = loader.check_bank_text(text, "f.yaml")
    assert data == {}
    [problem] = problems
    assert problem.line == 3 and problem.code == Code.BAD_VALUE, problem
    tag, _, written = value.partition(" ")
    written = "" if written == "''" else written
    assert problem.message == (
        f"cannot read {written!r} as {tag[2:]}; correct the value, or remove the {tag} tag"
    )


@pytest.mark.parametrize(
    "hidden",
    ["\u202e", "\u200b", "\x1b[2J", "\x07", "\u2066"],
    ids=["rlo", "zwsp", "esc", "bel", "lri"],
)
def test_hidden_characters_in_bank_text_are_refused_with_file_and_line(tmp_path, hidden):
    from scr_cpd.content.errors import Code

    escaped = hidden.encode("unicode_escape").decode()
    # Raw where YAML allows the character, else as a double-quoted escape.
    raw = bank_text().replace("text: Point A.", f"text: Point {hidden}A.")
    quoted = bank_text().replace("text: Point A.", f'text: "Point {escaped}A."')
    for text in (raw, quoted):
        path = write(tmp_path, "hidden.yaml", text)
        data, problems = parse_bank_file(path)
        assert data == {}, problems
        errors = [p for p in problems if p.severity == "error"]
        assert errors, problems
        assert errors[0].line == 8, errors
        assert errors[0].code == Code.HIDDEN_CHARACTER
        assert f"<U+{ord(hidden[0]):04X}>" in errors[0].message
        # libyaml refuses a raw control character itself, before any field is read
        assert errors[0].field == (
            "" if text is raw and hidden[0] < " " else "learning_points.lp-a.text"
        )
