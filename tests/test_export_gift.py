"""GIFT export: Moodle-importable text, and parse_gift(bank_to_gift(bank)) gives the bank back."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_cpd.content.formats.gift_read import parse_gift
from scr_cpd.content.formats.gift_write import bank_to_gift, gift_export_problems
from scr_cpd.content.loader import validate_bank_data

# Grades Moodle's "match grades" accepts (legacy help list), as fractions of 100.
MOODLE_GRADES = {
    100,
    90,
    80,
    75,
    70,
    66.66667,
    60,
    50,
    40,
    33.33333,
    30,
    25,
    20,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10,
    5,
    0,
}

TRICKY = (
    "Tricky: = ~ # { } \\ and a literal \\n, “curly quotes”, café, naïve –\n"
    "a second line: {=not an answer}"
)


def bank_of(
    questions: list[dict], reflections: list[dict] | None = None, module_id: str = "export-test"
) -> dict:
    return {
        "format": "scr-cpd/bank@1",
        "id": module_id,
        "title": "Export: a test bank",
        "version": "1.0",
        "summary": "For tests.",
        "estimated_minutes": 10,
        "source": {"title": "Test", "page": 1},
        "learning_points": [],
        "questions": questions,
        "reflections": reflections or [],
    }


def q(qid: str, kind: str, prompt: str = "Prompt?", **fields) -> dict:
    question = {"id": qid, "type": kind, "prompt": prompt}
    question.update(fields)
    question.setdefault("explanation", f"Why {qid} is so.")
    question["learning_points"] = []
    return question


EVERY_TYPE = bank_of(
    [
        q(
            "q-single",
            "single",
            TRICKY,
            tags=["scenario"],
            options=[
                {
                    "text": "Make the child safe = first",
                    "correct": True,
                    "feedback": "Right #1: {safety}",
                },
                {"text": "%50% of officers would wait", "feedback": "Tempting ~ but wrong."},
                {"text": "[html]<b>not html</b>", "feedback": "Looks like a format tag."},
            ],
            explanation=TRICKY,
            incorrect_feedback="Look again: the child comes first.",
        ),
        q(
            "q-multiple",
            "multiple",
            "Which apply? (Choose all that apply.)",
            options=[
                {"text": "MAPPA", "correct": True, "feedback": "Yes."},
                {"text": "MARAC", "correct": True},
                {"text": "MASH", "correct": True, "feedback": "Yes: hub."},
                {"text": "A car wash", "feedback": "No \\ never."},
                {"text": "%-50% weird", "feedback": "No."},
            ],
        ),
        q(
            "q-tf-false",
            "true_false",
            "True or false: 1+1=3?",
            answer=False,
            incorrect_feedback="You said true # but no.",
            correct_feedback="Right: it is 2.",
        ),
        q(
            "q-tf-true",
            "true_false",
            "True or false: it is raining?",
            answer=True,
            correct_feedback="Only the right-answer feedback.",
        ),
        q(
            "q-tf-wrong-only",
            "true_false",
            "True or false: only wrong feedback?",
            answer=True,
            incorrect_feedback="Only the wrong-answer feedback.",
        ),
        q(
            "q-numeric",
            "numeric",
            "Of 235 reviews, how many were deaths?",
            answer=131,
            tolerance=0,
            correct_feedback="Yes, 131.",
            incorrect_feedback="Check the figure: {131}.",
        ),
        q(
            "q-numeric-float",
            "numeric",
            "What percentage?",
            answer=-12.75,
            tolerance=0.25,
            unit="%",
        ),
        q(
            "q-short",
            "short_answer",
            "Informal name of the disclosure scheme?",
            answers=["Sarah's Law", "Sarahs Law", "a*b", "%100 sure"],
            correct_feedback="Yes.",
            incorrect_feedback="It is named after a child: Sarah's Law.",
        ),
        q(
            "q-matching",
            "matching",
            "Match each term to its meaning.",
            pairs=[
                {"left": "LCSPR", "right": "A local review -> lessons"},
                {"left": "CSPRP", "right": "The national panel"},
                {"left": "ABE = interview", "right": "Achieving Best Evidence: {video}"},
            ],
            incorrect_feedback="See the glossary.",
        ),
    ],
    reflections=[
        {
            "id": "r-own-practice",
            "prompt": "Think of a visit: what did you notice?\nWhat next?",
            "learning_points": [],
        },
    ],
)


def comparable(bank: dict) -> dict:
    """The parts of a bank that GIFT carries: ids, types, texts, answers, feedback."""

    def question(item: dict) -> dict:
        kept = {
            k: v
            for k, v in item.items()
            if k not in ("learning_points", "source", "revision", "shuffle")
        }
        if "options" in kept:
            kept["options"] = [
                {k: v for k, v in o.items() if v is not False} for o in kept["options"]
            ]
        return kept

    return {
        "id": bank["id"],
        "questions": [question(item) for item in bank["questions"]],
        "reflections": [(r["id"], r["prompt"]) for r in bank["reflections"]],
    }


def round_trip(bank: dict):
    result = parse_gift(bank_to_gift(bank), "exported.gift")
    return result, comparable(result.bank)


def validation_errors(bank: dict, filename: str):
    _, problems = validate_bank_data(bank, filename)
    return [p for p in problems if p.severity == "error"]


# --- what the file looks like ------------------------------------------------------------


def test_file_starts_with_category_block_then_title_comment():
    text = bank_to_gift(EVERY_TYPE)
    assert text.startswith("$CATEGORY: export-test\n\n// Export: a test bank\n\n")


def test_every_question_is_one_block_with_title_and_markdown_tag():
    blocks = bank_to_gift(EVERY_TYPE).strip().split("\n\n")[2:]
    heads = [next(line for line in b.split("\n") if line.startswith("::")) for b in blocks]
    ids = [re.match(r"::([a-z0-9-]+)::\[markdown\]", h).group(1) for h in heads]
    assert ids == [x["id"] for x in EVERY_TYPE["questions"]] + ["r-own-practice"]


def test_control_characters_are_escaped_and_newlines_written_as_backslash_n():
    bank = bank_of([q("q-one", "true_false", "a:b=c~d#e{f}g\\h\ni", answer=True)])
    line = next(x for x in bank_to_gift(bank).split("\n") if x.startswith("::q-one"))
    assert line.startswith("::q-one::[markdown]a\\:b\\=c\\~d\\#e\\{f\\}g\\\\h\\ni{TRUE####")


def test_true_false_writes_wrong_answer_feedback_first():
    bank = bank_of(
        [
            q(
                "q-tf",
                "true_false",
                "T?",
                answer=True,
                incorrect_feedback="said false",
                correct_feedback="said true",
                explanation="Because.",
            )
        ]
    )
    assert "{TRUE#said false#said true####Because.}" in bank_to_gift(bank)


def test_numeric_and_short_answer_and_matching_blocks():
    bank = bank_of(
        [
            q("q-n", "numeric", "N?", answer=5, tolerance=0.5, explanation="E"),
            q("q-s", "short_answer", "S?", answers=["one", "two"], explanation="E"),
            q(
                "q-m",
                "matching",
                "M?",
                pairs=[{"left": "a", "right": "1"}, {"left": "b", "right": "2"}],
                explanation="E",
            ),
        ]
    )
    text = bank_to_gift(bank)
    assert "{#5:0.5####E}" in text
    assert "{\n\t=one\n\t=two\n\t####E\n}" in text
    assert "{\n\t=a -> 1\n\t=b -> 2\n\t####E\n}" in text


@pytest.mark.parametrize("right,wrong", [(2, 1), (2, 3), (3, 2), (3, 3), (4, 1), (6, 1), (7, 2)])
def test_multiple_weights_are_grades_moodle_accepts(right, wrong):
    options = [{"text": f"right {i}", "correct": True} for i in range(right)] + [
        {"text": f"wrong {i}"} for i in range(wrong)
    ]
    text = bank_to_gift(bank_of([q("q-m", "multiple", options=options)]))
    weights = [float(w) for w in re.findall(r"~%(-?[\d.]+)%", text)]
    assert len(weights) == right + wrong
    assert all(abs(w) in MOODLE_GRADES for w in weights)
    assert abs(sum(w for w in weights if w > 0) - 100) < 0.001
    assert abs(sum(w for w in weights if w < 0) + 100) < 0.001
    assert "=" not in text.split("::q-m::")[1].split("####")[0].replace("\\=", "")


def test_reflections_become_essays():
    text = bank_to_gift(EVERY_TYPE)
    essay = "::r-own-practice::[markdown]Think of a visit\\: what did you notice?\\nWhat next?{}"
    assert essay in text


def test_what_gift_cannot_carry_is_left_out_and_reported():
    bank = bank_of(
        [
            q("q-arrow", "short_answer", answers=["a -> b", "plain"], incorrect_feedback="x -> y"),
            q("q-only-arrow", "short_answer", answers=["a -> b"]),
            q(
                "q-match",
                "matching",
                pairs=[
                    {"left": "a -> b", "right": "1"},
                    {"left": "c", "right": "2"},
                    {"left": "d", "right": "3"},
                ],
                incorrect_feedback="See the glossary.",
            ),
        ]
    )
    text = bank_to_gift(bank)
    result = parse_gift(text, "exported.gift")
    arrow, match = result.bank["questions"]
    assert arrow["answers"] == ["plain"] and arrow["incorrect_feedback"] == "x -> y"
    assert "q-only-arrow" not in text
    assert [p["left"] for p in match["pairs"]] == ["c", "d"]
    assert match["incorrect_feedback"] == "See the glossary."
    reported = "\n".join(gift_export_problems(bank))
    for expected in (
        "q-arrow: answer 'a -> b'",
        "q-only-arrow: nothing of the question",
        "q-arrow: GIFT has no place for incorrect_feedback",
        "q-match: pair 'a -> b'",
        "q-match: GIFT has no place for incorrect_feedback",
    ):
        assert expected in reported


def test_bank_without_such_things_reports_nothing():
    assert gift_export_problems(SIMPLE) == []


# --- round trips -------------------------------------------------------------------------

SIMPLE = bank_of(
    [
        q("q-a", "single", options=[{"text": "Yes", "correct": True}, {"text": "No"}]),
        q("q-b", "true_false", answer=False),
    ],
    module_id="simple",
)

SCENARIOS = bank_of(
    [
        q(
            f"q-scenario-{n}",
            "single",
            f"You are called to house {n}. What do you do first?",
            tags=["scenario"],
            options=[
                {"text": "See and speak to the child", "correct": True, "feedback": "Right."},
                {
                    "text": "Take the adults' word",
                    "feedback": "Tempting, but the child must be seen.",
                },
                {"text": "Leave a card", "feedback": "Too little."},
            ],
        )
        for n in range(1, 6)
    ],
    reflections=[
        {"id": "r-a", "prompt": "Reflect.", "learning_points": []},
        {"id": "r-b", "prompt": "Reflect again.", "learning_points": []},
    ],
    module_id="scenarios",
)

NUMBERS = bank_of(
    [
        q("q-zero", "numeric", "Zero?", answer=0, tolerance=0),
        q("q-big", "numeric", "Big?", answer=123456789012, tolerance=1000),
        q("q-small", "numeric", "Small?", answer=0.000125, tolerance=1e-06),
        q("q-negative", "numeric", "Negative?", answer=-7, tolerance=0, incorrect_feedback="No."),
    ],
    module_id="numbers",
)


@pytest.mark.parametrize(
    "bank",
    [EVERY_TYPE, SIMPLE, SCENARIOS, NUMBERS],
    ids=["every-type", "simple", "scenarios", "numbers"],
)
def test_round_trip_gives_an_equivalent_bank_without_problems(bank):
    result, back = round_trip(bank)
    assert result.problems == []
    assert back == comparable(bank)


@pytest.mark.parametrize(
    "bank",
    [EVERY_TYPE, SIMPLE, SCENARIOS, NUMBERS],
    ids=["every-type", "simple", "scenarios", "numbers"],
)
def test_round_tripped_bank_validates(bank):
    result, _ = round_trip(bank)
    assert validation_errors(result.bank, "exported.yaml") == []


def test_export_does_not_change_the_bank():
    before = copy.deepcopy(EVERY_TYPE)
    bank_to_gift(EVERY_TYPE)
    assert EVERY_TYPE == before


# --- property: any text survives the trip -------------------------------------------------

ALPHABET = st.sampled_from(
    list("abcXYZ019 \n\t:=~#{}\\%[]-*>/.,'\"“”’éßñ–")
    + ["->", "\\n", "[html]", "[markdown]", "####", "::", "//", "%50%"]
)
TEXT = (
    st.lists(ALPHABET, min_size=1, max_size=25)
    .map("".join)
    .map(str.strip)
    .filter(bool)
    .filter(lambda t: not t.startswith("[plain]"))
)
NO_ARROW = TEXT.filter(lambda t: "->" not in t)
SLUG = st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)


def unique_by_key(texts: list[str]) -> bool:
    keys = [" ".join(t.lower().split()) for t in texts]
    return len(set(keys)) == len(keys)


@st.composite
def questions(draw, qid: str) -> dict:
    kind = draw(
        st.sampled_from(["single", "multiple", "true_false", "numeric", "short_answer", "matching"])
    )
    fields: dict = {}
    if kind in ("single", "multiple"):
        texts = draw(st.lists(TEXT, min_size=3, max_size=5).filter(unique_by_key))
        right = draw(st.integers(1, 1 if kind == "single" else len(texts) - 1))
        fields["options"] = [
            {
                "text": t,
                **({"correct": True} if i < right else {}),
                **({"feedback": f} if (f := draw(st.none() | TEXT)) else {}),
            }
            for i, t in enumerate(texts)
        ]
    elif kind == "true_false":
        fields["answer"] = draw(st.booleans())
    elif kind == "numeric":
        fields["answer"] = draw(st.integers(-(10**9), 10**9) | st.floats(-1e9, 1e9))
        fields["tolerance"] = draw(st.integers(0, 100) | st.floats(0, 100))
    elif kind == "short_answer":
        fields["answers"] = draw(st.lists(NO_ARROW, min_size=1, max_size=3).filter(unique_by_key))
    else:
        lefts = draw(st.lists(NO_ARROW, min_size=2, max_size=4).filter(unique_by_key))
        rights = draw(
            st.lists(TEXT, min_size=len(lefts), max_size=len(lefts)).filter(unique_by_key)
        )
        fields["pairs"] = [{"left": a, "right": b} for a, b in zip(lefts, rights)]
    for key in ("correct_feedback", "incorrect_feedback"):
        if kind not in ("single", "multiple", "matching") or draw(st.booleans()):
            if value := draw(st.none() | TEXT):
                fields[key] = value
    return q(qid, kind, draw(TEXT), explanation=draw(TEXT), **fields)


@st.composite
def banks(draw) -> dict:
    ids = draw(st.lists(SLUG, min_size=1, max_size=4, unique=True))
    items = [draw(questions(f"q-{i}")) for i in ids]
    reflections = [{"id": "r-1", "prompt": draw(TEXT), "learning_points": []}]
    return bank_of(items, reflections, module_id=draw(SLUG))


@settings(
    max_examples=150,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(banks())
def test_any_bank_survives_export_and_import(bank):
    result, back = round_trip(bank)
    assert result.errors == []
    assert back == comparable(bank)
