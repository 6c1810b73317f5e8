"""GIFT import: Moodle's reading of each construct, mapped onto the bank format."""

from __future__ import annotations

import time
from pathlib import Path

from helpers import no_slower_than_ordinary
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_cpd.content.formats.gift_read import parse_gift
from scr_cpd.content.formats.html_text import html_to_text
from scr_cpd.content.importing import import_bank
from scr_cpd.content.vocabulary import MAX_IMPORT_BYTES as MAX_BYTES


def parse(text: str):
    return parse_gift(text, "sample.gift")


def only_question(text: str) -> dict:
    result = parse(text)
    assert not result.errors, result.errors
    assert len(result.bank["questions"]) == 1, result.problems
    return result.bank["questions"][0]


def messages(result, severity: str | None = None) -> str:
    return "\n".join(p.message for p in result.problems if severity in (None, p.severity))


def lines_of(result, severity: str) -> list[int | None]:
    return [p.line for p in result.problems if p.severity == severity]


# --- bank shape ------------------------------------------------------------------------------


def test_bank_fields_come_from_the_first_category_without_course_prefix():
    result = parse("$CATEGORY: $course$/top/Safeguarding Basics\n\n::One::Q? {T####Why.}\n")
    bank = result.bank
    assert bank["format"] == "scr-cpd/bank@1"
    assert bank["id"] == "safeguarding-basics"
    assert bank["title"] == "Safeguarding Basics"
    assert bank["version"] == "1.0"
    assert bank["summary"] == "Imported from sample.gift"
    assert bank["source"] == {"title": "Imported from sample.gift", "page": 1}
    assert bank["estimated_minutes"] == 5
    assert bank["learning_points"] == [] and bank["reflections"] == []
    assert not result.problems


def test_bank_id_falls_back_to_the_file_stem():
    result = parse_gift("Q? {T####x}", "My Quiz_2024.gift")
    assert result.bank["id"] == "my-quiz-2024"


def test_estimated_minutes_is_one_and_a_half_per_question():
    text = "\n\n".join(f"Q{i}? {{T####x}}" for i in range(10))
    assert parse(text).bank["estimated_minutes"] == 15


def test_several_categories_become_tags_with_a_warning_per_change():
    text = "$CATEGORY: Unit/Neglect\n\nA? {T####x}\n\n$CATEGORY: Unit/Online harm\n\nB? {F####x}\n"
    result = parse(text)
    first, second = result.bank["questions"]
    assert result.bank["id"] == "neglect"
    assert first["tags"] == ["neglect"] and second["tags"] == ["online-harm"]
    assert list(first)[:3] == ["id", "type", "tags"]
    assert lines_of(result, "warning") == [5]
    assert "category changes" in messages(result)


def test_text_under_category_without_blank_line_is_an_error():
    result = parse("$CATEGORY: A\nQ? {T####x}\n")
    assert result.errors and result.errors[0].line == 2
    assert result.bank["questions"] == []


def test_ids_from_titles_are_slugged_and_made_unique():
    text = "::Cumulée incidence::A? {T####x}\n\n::Cumulée incidence::B? {T####x}\n\nC? {T####x}"
    ids = [q["id"] for q in parse(text).bank["questions"]]
    assert ids == ["q-cumulee-incidence", "q-cumulee-incidence-2", "q-3"]


def test_title_with_escaped_colon():
    question = only_question("::Unit\\: one::Q? {T####x}")
    assert question["id"] == "q-unit-one"


def test_missing_general_feedback_gets_a_placeholder_and_warning():
    result = parse("\n\nQ? {T}")
    question = result.bank["questions"][0]
    assert question["explanation"] == (
        "Imported from sample.gift line 3; no general feedback was given."
    )
    assert lines_of(result, "warning") == [3]


# --- multiple choice ---------------------------------------------------------------------


def test_single_choice_with_feedback_per_option():
    question = only_question(
        "::Scene::You arrive first. What do you do? {\n"
        "  =Make the child safe #Right: safety first.\n"
        "  ~Wait for backup #Tempting, but the child is at risk.\n"
        "  ~Call the parents\n"
        "  ####Safety of the child comes first.\n}"
    )
    assert question == {
        "id": "q-scene",
        "type": "single",
        "prompt": "You arrive first. What do you do?",
        "options": [
            {"text": "Make the child safe", "correct": True, "feedback": "Right: safety first."},
            {"text": "Wait for backup", "feedback": "Tempting, but the child is at risk."},
            {"text": "Call the parents"},
        ],
        "explanation": "Safety of the child comes first.",
        "learning_points": [],
    }


def test_several_equals_become_multiple_with_warning():
    result = parse("Q? {=a =b ~c####x}")
    question = result.bank["questions"][0]
    assert question["type"] == "multiple"
    assert [o.get("correct", False) for o in question["options"]] == [True, True, False]
    assert "imported as 'multiple'" in messages(result, "warning")


def test_positive_weights_are_correct_in_multiple_answer_mode():
    result = parse("Q? {~%50%a ~%50%b ~%-100%c####x}")
    question = result.bank["questions"][0]
    assert question["type"] == "multiple"
    assert [o.get("correct", False) for o in question["options"]] == [True, True, False]
    assert not result.problems


def test_uneven_weights_warn_that_they_are_not_all_or_nothing():
    result = parse("Q? {~%70%a ~%30%b ~%0%c####x}")
    assert result.bank["questions"][0]["type"] == "multiple"
    assert "not all-or-nothing" in messages(result, "warning")


def test_partial_credit_beside_an_equals_answer_counts_as_wrong_with_warning():
    result = parse("Q? {=a ~%50%b ~c####x}")
    question = result.bank["questions"][0]
    assert question["type"] == "single"
    assert "partial credit 50%" in messages(result, "warning")


def test_choice_with_no_correct_answer_is_an_error_with_its_line():
    result = parse("Intro\n\nQuestion {\n  Correct answer\n  ~Wrong 1\n  ~Wrong 2\n}")
    assert [p.line for p in result.errors] == [3]
    assert "no '=' or '~'" in messages(result, "warning")


def test_arrow_inside_a_choice_does_not_make_matching():
    question = only_question("How? {~a -> b =c -> d####x}")
    assert question["type"] == "single"
    assert question["options"][1] == {"text": "c -> d", "correct": True}


def test_duplicate_options_are_dropped_with_a_warning():
    result = parse("Q? {=Yes ~yes ~No####x}")
    assert [o["text"] for o in result.bank["questions"][0]["options"]] == ["Yes", "No"]
    assert "duplicate choice" in messages(result, "warning")


def test_too_few_usable_options_skip_the_question():
    result = parse('Q? {=<img src\\="@@PLUGINFILE@@/a.png"> ~b####x}')
    assert result.bank["questions"] == []
    assert "question skipped" in messages(result, "warning")
    assert "media left out" in messages(result, "warning")


# --- true/false -------------------------------------------------------------------------


def test_true_false_feedback_follows_moodle_first_is_for_a_wrong_answer():
    question = only_question("Grant is buried in Grant's tomb.{FALSE#said true#said false####g}")
    assert question["answer"] is False
    assert question["incorrect_feedback"] == "said true"
    assert question["correct_feedback"] == "said false"


def test_true_false_variants():
    text = "A {T####x}\n\nB {TRUE####x}\n\nC { F ####x}\n\nD {FALSE#only wrong####x}"
    questions = parse(text).bank["questions"]
    assert [q["answer"] for q in questions] == [True, True, False, False]
    assert questions[3]["incorrect_feedback"] == "only wrong"
    assert "correct_feedback" not in questions[3]


def test_equals_in_the_stem_is_accepted_like_moodle():
    assert only_question("::Q1:: 1+1=2 {T####x}")["prompt"] == "1+1=2"


# --- short answer -------------------------------------------------------------------------


def test_short_answer_keeps_full_credit_answers_and_warns_on_partial():
    result = parse("Name the scheme. {=Sarah's Law =%100%Sarahs Law =%50%Sarah####x}")
    question = result.bank["questions"][0]
    assert question["type"] == "short_answer"
    assert question["answers"] == ["Sarah's Law", "Sarahs Law"]
    assert "worth 50% dropped" in messages(result, "warning")


def test_short_answer_wildcards_warn_and_catch_all_becomes_incorrect_feedback():
    result = parse("Q? {=%100%*manually*#Yes =%0%*#No, it is marked by hand.####x}")
    question = result.bank["questions"][0]
    assert question["answers"] == ["manually"]
    assert question["correct_feedback"] == "Yes"
    assert question["incorrect_feedback"] == "No, it is marked by hand."
    assert "wildcard" in messages(result, "warning")


def test_lone_answer_without_equals_is_a_short_answer_with_warning():
    result = parse("Q? {anything####x}")
    assert result.bank["questions"][0]["answers"] == ["anything"]
    assert "no '=' in front" in messages(result, "warning")


# --- numerical ------------------------------------------------------------------------------


def test_numerical_forms():
    text = (
        "A {#1822####x}\n\nB {#5:0.5####x}\n\nC {#1..5####x}\n\nD {#-5..5####x}\n\n"
        "E {#3.141..3.142####x}"
    )
    values = [(q["answer"], q["tolerance"]) for q in parse(text).bank["questions"]]
    assert values == [(1822, 0), (5, 0.5), (3, 2), (0, 5), (3.1415, 0.0005)]


def test_numerical_keeps_the_full_credit_answer_and_warns_about_others():
    result = parse(
        "Q? {#\n  =2006:1#Right\n  =%50%2006:3#Close\n  ~#Not a likely year\n  ####General\n}"
    )
    question = result.bank["questions"][0]
    assert (question["answer"], question["tolerance"]) == (2006, 1)
    assert question["correct_feedback"] == "Right"
    assert question["incorrect_feedback"] == "Not a likely year"
    assert [p.line for p in result.warnings] == [3]


def test_numerical_answer_that_is_not_a_number_is_an_error():
    result = parse("Q?\n{#abc}")
    assert [p.line for p in result.errors] == [2]
    assert result.bank["questions"] == []


# --- matching ------------------------------------------------------------------------------


def test_matching_pairs_and_distractor_warning():
    result = parse(
        "Match. {\n  =MAPPA -> Managing offenders\n  =MARAC -> Domestic abuse risk\n"
        "  =MASH -> Shared safeguarding hub\n  = -> A distractor\n  ####x\n}"
    )
    question = result.bank["questions"][0]
    assert question["pairs"] == [
        {"left": "MAPPA", "right": "Managing offenders"},
        {"left": "MARAC", "right": "Domestic abuse risk"},
        {"left": "MASH", "right": "Shared safeguarding hub"},
    ]
    assert [p.line for p in result.warnings] == [5]


def test_matching_pair_without_arrow_is_an_error():
    result = parse("Match. {=a -> 1 =b}")
    assert result.errors and result.errors[0].line == 1


# --- essays, descriptions, layout ---------------------------------------------------------


def test_essay_becomes_a_reflection_prompt():
    result = parse("::Own practice::Think of a visit where you noticed neglect.{}")
    assert result.bank["reflections"] == [
        {
            "id": "r-own-practice",
            "prompt": ("Think of a visit where you noticed neglect."),
            "learning_points": [],
        }
    ]


def test_description_is_skipped_with_a_warning():
    result = parse("Some information\nover two lines\n\nQ? {T####x}")
    assert "description" in messages(result, "warning")
    assert lines_of(result, "warning") == [1]


def test_missing_word_layout_warns_and_marks_the_blank():
    result = parse("Moodle costs {~lots =nothing ~a little} to download.")
    question = result.bank["questions"][0]
    assert question["prompt"] == "Moodle costs ___ to download."
    assert "missing-word" in messages(result, "warning")


def test_answer_block_first_gives_a_leading_blank():
    result = parse("{=Asia} is the largest continent.")
    assert result.bank["questions"][0]["prompt"] == "___ is the largest continent."


def test_several_brace_groups_warn():
    result = parse("Pick {=a =b} then {=c}")
    assert "several {} groups" in messages(result, "warning")


def test_unclosed_brace_is_an_error_with_its_line_and_parsing_goes_on():
    result = parse("Intro line\nA single line scope {\n\n::Next:: Q? {T####x}")
    assert [p.line for p in result.errors] == [2]
    assert [q["id"] for q in result.bank["questions"]] == ["q-next"]


def test_blank_line_inside_braces_splits_the_question():
    result = parse("Q? {\n=a\n\n~b\n}")
    assert len(result.errors) == 2
    assert [p.line for p in result.errors] == [1, 5]


# --- text --------------------------------------------------------------------------------


def test_escapes_are_unescaped():
    question = only_question("Which is \\{not\\} special\\: \\~ \\= \\# \\\\ a\\nb? {T####x}")
    assert question["prompt"] == "Which is {not} special: ~ = # \\ a\nb?"


def test_comment_lines_are_ignored_even_inside_a_question():
    question = only_question("// about\nFirst part\n// note\nsecond part {T####x}")
    assert question["prompt"] == "First part\nsecond part"


def test_metadata_tag_comments_become_tags():
    assert only_question("// [id:4] [tag:Advanced]\nQ? {T####x}")["tags"] == ["advanced"]


def test_html_is_turned_into_text_and_media_is_reported():
    result = parse(
        '[html]<p>One &amp; two</p><p>Three<br>four <img src\\="@@PLUGINFILE@@/x.png">'
        "</p>{T####<b>Why</b>}"
    )
    question = result.bank["questions"][0]
    assert question["prompt"] == "One & two\n\nThree\nfour"
    assert question["explanation"] == "Why"
    assert "media left out" in messages(result, "warning")


def test_markdown_and_plain_are_kept_as_text():
    text = "[markdown]Use **bold** <here>{T####x}\n\n[plain]A <b>tag</b>{T####x}"
    prompts = [q["prompt"] for q in parse(text).bank["questions"]]
    assert prompts == ["Use **bold** <here>", "A <b>tag</b>"]


def test_html_to_text_keeps_links_and_lists():
    text, media = html_to_text('<ul><li>one</li><li>two</li></ul><a href="https://x.org">site</a>')
    assert text == "- one\n- two\n\nsite (https://x.org)"
    assert media == []


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\ue0f0\ue0f1é"))),
    st.booleans(),
)
def test_text_without_markup_reads_as_the_html_parser_reads_it(text, keep_newlines):
    from scr_cpd.content.formats.html_text import _parsed

    assert html_to_text(text, keep_newlines) == _parsed(text, keep_newlines)


HTML_BITS = st.sampled_from(
    ["<p>", "</p>", "<P >", "<br>", "<br/>", "<br />", "<b>", "</b>", "<li>", "</li>", "<ul>"]
    + ["</ul>", "<pre>", "</pre>", "<a href='https://x.org'>", "</a>", "<script>", "</script>"]
    + ["<img src=x>", "<span class=c>", "</span>", "<hr/>", "<h1>", "</h1>", "<!-- c -->", "<"]
    + [">", "< p>", "</ p>", "<p", "&amp;", "&lt;", "&nbsp;", "&#39;", "&#x41;", "&bogus;", "&"]
    + ["<p/>", "<div />", "a", "b c", " ", "\n", "\t", "\xa0", "é", "\ue0f0", "x&y", "1<2"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(HTML_BITS, max_size=30).map("".join), st.booleans())
def test_simple_html_reads_as_the_html_parser_reads_it(text, keep_newlines):
    from scr_cpd.content.formats.html_text import _parsed

    assert html_to_text(text, keep_newlines) == _parsed(text, keep_newlines)


# --- files ---------------------------------------------------------------------------------


def test_import_bank_handles_bom_and_crlf(tmp_path: Path):
    path = tmp_path / "bom.gift"
    path.write_bytes(b"\xef\xbb\xbf::T::Q?\r\n{T####x}\r\n\r\n::U::R? {F####y}\r\n")
    result = import_bank(path, None)
    assert not result.problems
    assert [q["id"] for q in result.bank["questions"]] == ["q-t", "q-u"]


def test_import_bank_reports_non_utf8_with_line_and_offset(tmp_path: Path):
    path = tmp_path / "latin1.gift"
    path.write_bytes("Q one? {T}\n\nCaf\u00e9? {F}\n".encode("latin-1"))
    result = import_bank(path, None)
    assert len(result.errors) == 1
    problem = result.errors[0]
    assert problem.line == 3 and "byte offset 15" in problem.message


def test_import_bank_refuses_files_over_the_limit(tmp_path: Path):
    path = tmp_path / "huge.gift"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    result = import_bank(path, None)
    assert result.errors and "limit" in result.errors[0].message


def test_import_bank_sniffs_txt_and_honours_an_explicit_format(tmp_path: Path):
    gift = tmp_path / "quiz.txt"
    gift.write_text("Q? {T####x}\n", encoding="utf-8")
    aiken = tmp_path / "other.txt"
    aiken.write_text("Q?\nA) x\nB) y\nANSWER: A\n", encoding="utf-8")
    assert import_bank(gift, None).bank["questions"][0]["type"] == "true_false"
    assert import_bank(aiken, None).bank["questions"][0]["type"] == "single"
    assert import_bank(aiken, "gift").bank["questions"] == []


def test_import_bank_unknown_extension_or_missing_file(tmp_path: Path):
    other = tmp_path / "quiz.qti"  # a .xml file is Moodle XML now (tests/test_moodle_xml.py)
    other.write_text("questions", encoding="utf-8")
    assert import_bank(other, None).errors
    assert import_bank(tmp_path / "absent.gift", None).errors


# --- robustness -------------------------------------------------------------------------

GIFT_BITS = st.sampled_from(
    list("{}~=#:\\%->/$[]\n ")
    + [
        "::",
        "####",
        "\n\n",
        "{#",
        "TRUE",
        "F",
        "%50%",
        "%-33.3%",
        "1..5",
        ":0.5",
        "->",
        "//",
        "$CATEGORY: a/b\n\n",
        "[html]",
        "[markdown]",
        "<p>",
        "</a>",
        "<![if",
        "&nbsp;",
        "\\n",
        "\ue000",
        "\r\n",
        "\ufeff",
        "é",
        "\u2028",
    ]
)


def parsed_quickly(text: str, filename: str):
    """The parser's result (a hang is reported by bench/fuzz.py; size ratios below)."""
    return parse_gift(text, filename)


@settings(max_examples=300, deadline=None)
@given(st.lists(GIFT_BITS | st.text(max_size=5), max_size=60).map("".join))
def test_parse_gift_never_raises_on_gift_like_text(text):
    result = parsed_quickly(text, "fuzz.gift")
    assert isinstance(result.bank["questions"], list)
    for problem in result.problems:
        assert problem.severity in ("error", "warning")


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_parse_gift_never_raises_on_any_text(text):
    parsed_quickly(text, "fuzz.gift")


def test_parse_gift_is_fast_on_large_pathological_input():
    text = ("Q {" + "~a" * 20000 + "}\n\n") + ("::t::x {T}\n\n" * 5000) + "{" * 50000
    no_slower_than_ordinary(parse_gift, text, "::t::x {T}\n\n")


# --- the import pipeline as a library (what `cpd bank import` calls) ------------------------


def test_convert_writes_yaml_that_validates_and_summarises_validates_warnings(tmp_path: Path):
    from scr_cpd.content.importing import convert
    from scr_cpd.content.loader import check_bank_text

    source = tmp_path / "quiz.gift"
    source.write_text("::One::Is it? {T####Because.}\n\n::Two::Or this? {F####No.}\n", "utf-8")
    done = convert(source, None, "quiz.yaml")
    assert (done.questions, done.reflections, done.errors) == (2, 0, [])
    data, _, problems = check_bank_text(done.yaml_text, "quiz.yaml")
    assert data["questions"][0]["id"] == "q-one" and not [
        p for p in problems if p.severity == "error"
    ]
    assert done.check_summary() == [("question with no learning point", 2)]


def test_convert_refuses_errors_unless_partial_and_a_file_with_no_question(tmp_path: Path):
    import pytest

    from scr_cpd.content.errors import Code
    from scr_cpd.content.importing import ImportRefused, convert

    source = tmp_path / "broken.gift"
    source.write_text("::One::Is it? {T}\n\n::Two::Unclosed {=a ~b\n", "utf-8")
    with pytest.raises(ImportRefused) as refused:
        convert(source, None, "broken.yaml")
    assert "or use --partial to write the 1 question that" in str(refused.value)
    assert [p.code for p in refused.value.problems if p.severity == "error"] == [Code.NOT_IMPORTED]
    assert convert(source, None, "broken.yaml", partial=True).questions == 1
    empty = tmp_path / "empty.gift"
    empty.write_text("// nothing\n", "utf-8")
    with pytest.raises(ImportRefused, match="no question in"):
        convert(empty, None, "empty.yaml")
    with pytest.raises(ImportRefused) as usage:
        from scr_cpd.content.importing import import_format

        import_format("qti")
    assert usage.value.usage


def test_invisible_characters_are_removed_with_a_warning_so_the_bank_validates():
    text = "::Q::Is \u202eit\u200b? {T#wrong\x1b[2J####Why\u2066.}\n"
    result, question = parse(text), only_question(text)
    assert question["prompt"] == "Is it?" and question["explanation"] == "Why."
    assert question["incorrect_feedback"] == "wrong[2J"
    [warning] = [p for p in result.warnings if "invisible" in p.message]
    assert warning.line == 1 and "<U+202E>" in warning.message and "<U+001B>" in warning.message


def test_the_gift_reader_is_linear_in_the_number_of_categories_and_questions():
    # Each category and each question is looked up once: a file four times as long takes about
    # four times as long (it took sixteen when categories were kept in a list).
    def seconds(n: int) -> float:
        text = "".join(f"$CATEGORY: c{i}\n\n::Same::Q{i} {{T####x}}\n\n" for i in range(n))
        start = time.process_time()
        parse(text)
        return time.process_time() - start

    seconds(200)  # warm up
    small, large = min(seconds(1500) for _ in range(2)), min(seconds(6000) for _ in range(2))
    assert large < 8 * small, (small, large)


def test_a_unit_comment_longer_than_a_unit_may_be_is_left_out_with_a_warning():
    from scr_cpd.content.vocabulary import MAX_UNIT_LENGTH

    text = f"// scr-cpd unit: {'x' * (MAX_UNIT_LENGTH + 1)}\n::Q::How many? {{#3####Three.}}\n"
    result = parse(text)
    assert "unit" not in only_question(text)
    [warning] = result.warnings
    assert warning.field == "unit" and "longer than 20 characters" in warning.message
