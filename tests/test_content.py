"""The twelve bundled modules: every structural rule of the briefing's content (issue 3).

Each rule is checked per module, so a failure names the module that breaks it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from scr_cpd.content.loader import BUNDLED_DIR, bank_files, load_library, parse_bank_file
from scr_cpd.content.model import Bank, Question, normalise_text

# Module id -> the briefing pages it covers (first, last).
MODULES = {
    "scr-basics": (3, 6),
    "key-data": (7, 14),
    "neglect": (15, 15),
    "lived-experience": (16, 16),
    "behaviour": (17, 17),
    "adolescents": (18, 19),
    "disclosure-and-abe": (20, 21),
    "perpetrators": (22, 22),
    "cultural-difference": (23, 23),
    "information-sharing": (24, 25),
    "escalation": (26, 26),
    "system-wide": (27, 27),
}
PRACTICE_MODULES = [
    "neglect",
    "lived-experience",
    "behaviour",
    "adolescents",
    "disclosure-and-abe",
    "perpetrators",
    "cultural-difference",
    "information-sharing",
    "escalation",
]
ALL = sorted(MODULES)
SHARED = Path(__file__).resolve().parents[2] / "shared"


@lru_cache(maxsize=1)
def library():
    # Called from inside tests, after the autouse fixture has cleared SCR_CPD_BANKS.
    return load_library(None)


def bank(module_id: str) -> Bank:
    found = library().get(module_id)
    assert found is not None, f"module {module_id!r} is not bundled"
    return found


def wrong_options(q: Question) -> list[int]:
    return [i for i, o in enumerate(q.options) if not o.correct]


def correct_options(q: Question) -> list[int]:
    return [i for i, o in enumerate(q.options) if o.correct]


def where(q: Question) -> str:
    return f"{q.module_id}/{q.id}"


# --- What is bundled ---------------------------------------------------------------------


def test_exactly_the_twelve_modules_are_bundled():
    assert len(bank_files(BUNDLED_DIR)) == 12
    assert sorted(library().banks) == ALL
    assert library().problems == []


@pytest.mark.parametrize("module", ALL)
def test_bank_loads_with_no_errors_and_no_warnings(module):
    data, problems = parse_bank_file(bank(module).path)
    assert [str(p) for p in problems] == []
    assert data["id"] == module
    assert bank(module).path.name == f"{module}.yaml"


@pytest.mark.parametrize("module", ALL)
def test_readme_facing_fields_are_sensible(module):
    b = bank(module)
    assert b.title.strip() and len(b.title) <= 80
    assert len(b.summary) >= 150, "the summary should be a real paragraph"
    # Roughly 1-3 minutes a question, plus a few minutes a reflection.
    assert len(b.questions) <= b.estimated_minutes <= 3 * len(b.questions) + 5 * len(b.reflections)


# --- Questions ---------------------------------------------------------------------------


@pytest.mark.parametrize("module", ALL)
def test_question_count(module):
    minimum = 24 if module == "key-data" else 12
    assert len(bank(module).questions) >= minimum


@pytest.mark.parametrize("module", ALL)
def test_question_types_are_mixed(module):
    types = Counter(q.type for q in bank(module).questions)
    assert len(types) >= 4, f"only {sorted(types)}"
    if module == "key-data":
        assert {"numeric", "single", "true_false"} <= set(types)


@pytest.mark.parametrize("module", PRACTICE_MODULES)
def test_practice_modules_are_at_least_half_scenarios(module):
    questions = bank(module).questions
    scenarios = sum(q.is_scenario for q in questions)
    assert 2 * scenarios >= len(questions), f"{scenarios} scenarios of {len(questions)} questions"


@pytest.mark.parametrize("module", ALL)
def test_every_question_explains_cites_and_serves_a_learning_point(module):
    b = bank(module)
    first, last = MODULES[module]
    for q in b.questions:
        assert q.explanation.strip(), where(q)
        assert q.citation.page is not None and first <= q.citation.page <= last, (
            f"{where(q)} cites p.{q.citation.page}"
        )
        assert q.learning_points, f"{where(q)} serves no learning point"
        assert set(q.learning_points) <= set(b.learning_points), where(q)


@pytest.mark.parametrize("module", ALL)
def test_every_wrong_answer_gets_feedback(module):
    for q in bank(module).questions:
        if q.type in ("single", "multiple"):
            missing = [
                q.options[i].text
                for i in wrong_options(q)
                if not (q.options[i].feedback or "").strip()
            ]
            assert missing == [], f"{where(q)}: no feedback for {missing}"
        else:
            assert (q.incorrect_feedback or "").strip(), f"{where(q)} has no incorrect_feedback"


@pytest.mark.parametrize("module", ALL)
def test_choice_questions_have_sound_options(module):
    for q in bank(module).questions:
        if q.type == "single":
            assert len(correct_options(q)) == 1 and 3 <= len(q.options) <= 5, where(q)
        elif q.type == "multiple":
            assert len(correct_options(q)) >= 2 and wrong_options(q) and 3 <= len(q.options) <= 5, (
                where(q)
            )
        elif q.type == "matching":
            assert 3 <= len(q.pairs) <= 5, where(q)


# --- Learning points and reflections -------------------------------------------------------


@pytest.mark.parametrize("module", ALL)
def test_the_longest_option_does_not_give_the_answer_away(module):
    """An officer must not pass by always picking the longest option."""
    singles = [q for q in bank(module).questions if q.type == "single"]
    longest = [q.id for q in singles if _correct_is_strictly_longest(q)]
    assert len(longest) <= 0.3 * len(singles), f"the correct option is the longest in {longest}"


def _correct_is_strictly_longest(question) -> bool:
    lengths = [len(o.text) for o in question.options]
    right = next(len(o.text) for o in question.options if o.correct)
    return right == max(lengths) and lengths.count(right) == 1


@pytest.mark.parametrize("module", ALL)
def test_every_learning_point_is_served_by_a_question_and_a_reflection(module):
    b = bank(module)
    by_questions = {lp for q in b.questions for lp in q.learning_points}
    by_reflections = {lp for r in b.reflections for lp in r.learning_points}
    assert set(b.learning_points) - by_questions == set(), "not served by any question"
    assert set(b.learning_points) - by_reflections == set(), "not served by any reflection"


@pytest.mark.parametrize("module", ALL)
def test_two_to_four_reflection_prompts(module):
    b = bank(module)
    assert 2 <= len(b.reflections) <= 4
    for r in b.reflections:
        assert r.prompt.strip() and r.learning_points, r.id
        assert set(r.learning_points) <= set(b.learning_points), r.id


def prompts(b: Bank) -> list[tuple[str, str]]:
    return [(" ".join(q.prompt.lower().split()), q.id) for q in b.questions] + [
        (" ".join(r.prompt.lower().split()), r.id) for r in b.reflections
    ]


@pytest.mark.parametrize("module", ALL)
def test_no_duplicate_prompts_within_a_module(module):
    counts = Counter(text for text, _ in prompts(bank(module)))
    assert [ids for text, ids in prompts(bank(module)) if counts[text] > 1] == []


def test_no_prompt_is_repeated_across_modules():
    seen: dict[str, str] = {}
    repeated = []
    for module in ALL:
        for text, item in prompts(bank(module)):
            if text in seen and not seen[text].startswith(f"{module}/"):
                repeated.append((seen[text], f"{module}/{item}"))
            seen.setdefault(text, f"{module}/{item}")
    assert repeated == []


# --- Grading -------------------------------------------------------------------------------


def numeric_questions(module: str) -> list[Question]:
    return [q for q in bank(module).questions if q.type == "numeric"]


@pytest.mark.parametrize("module", ALL)
def test_numeric_tolerances_are_sane_and_graded_as_stated(module):
    for q in numeric_questions(module):
        answer = float(q.answer)
        if answer.is_integer() and not q.unit:
            assert q.tolerance == 0, f"{where(q)}: a count needs tolerance 0"
        if q.unit == "%":
            assert q.tolerance <= 2, f"{where(q)}: a percentage needs tolerance of 2 or less"
        as_typed = int(answer) if answer.is_integer() else answer
        assert q.is_correct(as_typed) and q.is_correct(answer), where(q)
        assert not q.is_correct(answer + q.tolerance + 1), where(q)
        assert not q.is_correct(answer - q.tolerance - 1), where(q)


def correct_response(q: Question):
    """The response, in the shape the quiz stores, that a learner who knows the answer gives."""
    if q.type == "single":
        return correct_options(q)[0]
    if q.type == "multiple":
        return correct_options(q)
    if q.type == "true_false":
        return q.answer
    if q.type == "numeric":
        return int(q.answer) if float(q.answer).is_integer() else q.answer
    if q.type == "short_answer":
        return q.answers[0]
    if q.type == "matching":
        return list(range(len(q.pairs)))
    raise AssertionError(f"unknown type {q.type}")


def wrong_responses(q: Question) -> list:
    if q.type == "single":
        return wrong_options(q)
    if q.type == "multiple":
        right, wrong = correct_options(q), wrong_options(q)
        return [right[1:], sorted(right + wrong[:1]), wrong, []]
    if q.type == "true_false":
        return [not q.answer]
    if q.type == "numeric":
        return [float(q.answer) + q.tolerance + 1]
    if q.type == "short_answer":
        return ["I do not know", q.answers[0] + " not"]
    if q.type == "matching":
        n = len(q.pairs)
        return [list(range(1, n)) + [0], list(reversed(range(n)))]
    raise AssertionError(f"unknown type {q.type}")


@pytest.mark.parametrize("module", ALL)
def test_correct_responses_are_graded_correct_and_wrong_ones_wrong(module):
    for q in bank(module).questions:
        assert q.is_correct(correct_response(q)), where(q)
        for wrong in wrong_responses(q):
            assert not q.is_correct(wrong), f"{where(q)}: {wrong!r} graded correct"


@pytest.mark.parametrize("module", ALL)
def test_every_accepted_short_answer_is_graded_correct(module):
    for q in bank(module).questions:
        if q.type != "short_answer":
            continue
        for answer in q.answers:
            assert normalise_text(answer), f"{where(q)}: an accepted answer is blank"
            assert q.is_correct(answer) and q.is_correct(f"  {answer.upper()}. "), (
                f"{where(q)}: {answer!r}"
            )


# --- Own words -----------------------------------------------------------------------------


def test_no_run_of_twelve_words_is_copied_from_the_briefing():
    tool = SHARED / "tools" / "check-own-words"
    if not tool.exists():
        pytest.skip("the shared tools folder is not next to this checkout")
    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run(
        [sys.executable, str(tool), str(src)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout
    assert "0 copied run(s)" in result.stdout
