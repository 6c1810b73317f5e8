"""The twelve bundled modules: every structural rule of the briefing's content (issue 3).

Each rule is checked per module, so a failure names the module that breaks it.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict
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
            # One, several or all options may be right (see the balance tests below).
            assert correct_options(q) and 3 <= len(q.options) <= 5, where(q)
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
        rough = APPROXIMATE.search(" ".join(q.prompt.split()))
        if answer.is_integer() and not q.unit:
            assert q.tolerance == 0, f"{where(q)}: a count needs tolerance 0"
        if rough and q.unit != "%":
            assert q.tolerance <= 0.2 * answer, f"{where(q)}: an 'about' count within 20 %"
        if q.unit == "%":
            assert q.tolerance <= 2, f"{where(q)}: a percentage needs tolerance of 2 or less"
        as_typed = int(answer) if answer.is_integer() else answer
        assert q.is_correct(as_typed) and q.is_correct(answer), where(q)
        assert not q.is_correct(answer + q.tolerance + 1), where(q)
        assert not q.is_correct(answer - q.tolerance - 1), where(q)


# key-data: figures as an officer uses them. Exact recall is kept for the headline figures; the
# rest are asked as "about how many" (with a stated tolerance) or "which is closest".
HEADLINE_FIGURES = {235, 131, 42}
APPROXIMATE = re.compile(
    r"\babout (how many|what (percentage|share))\b|\bwhich is closest\b|\broughly\b", re.IGNORECASE
)
# (figure, words beside it): each must be taught by at least one key-data question.
KEY_FIGURES = [
    ("57%", "open"),
    ("28%", "transient"),
    ("28%", "multiple partners"),
    ("34%", "adverse childhood"),
    ("23%", "as a child"),
    ("15%", "intellectual disability"),
    ("37%", "sexual exploitation"),
    ("37%", "bullying"),
    ("30%", "alcohol"),
    ("105", "deliberately inflicted"),
    ("80", "homicide"),
    ("3%", "SUDI"),
    ("9%", "suicide"),
]


def full_text(q: Question) -> str:
    parts = [what_is_read(q), q.explanation, q.correct_feedback or "", q.incorrect_feedback or ""]
    parts += [o.feedback or "" for o in q.options]
    return " ".join(" ".join(parts).split())


def test_key_data_recalls_exactly_only_the_headline_figures():
    exact = [q for q in numeric_questions("key-data") if q.tolerance == 0]
    assert {int(q.answer) for q in exact} <= HEADLINE_FIGURES, [where(q) for q in exact]
    assert {
        int(q.answer)
        for q in numeric_questions("key-data") + numeric_questions("scr-basics")
        if q.tolerance == 0
    } >= HEADLINE_FIGURES


def test_key_data_asks_mostly_about_rough_sizes():
    questions = bank("key-data").questions
    rough = [q for q in questions if APPROXIMATE.search(" ".join(q.prompt.split()))]
    figures = [q for q in questions if q.type in ("numeric", "single") and not q.is_scenario]
    assert 2 * len(rough) >= len(figures), f"{len(rough)} rough of {len(figures)} figure questions"
    for q in rough:
        if q.type == "numeric":
            assert q.tolerance > 0 and f"within {q.tolerance:g}" in q.prompt, where(q)


@pytest.mark.parametrize(("figure", "beside"), KEY_FIGURES)
def test_key_data_teaches_each_key_figure(figure, beside):
    texts = [full_text(q) for q in bank("key-data").questions]
    assert any(figure in t and beside.lower() in t.lower() for t in texts), (figure, beside)


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
        candidates = [right[1:], right[:-1], sorted(right + wrong[:1]), wrong, []]
        return [c for c in candidates if c != right]
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


# --- Citations -------------------------------------------------------------------------------

# The briefing's contents page: (level, section, first page). Level 0 is a part, 1 a section,
# 2 a sub-section. A question's cited section must be one of these, and its page must lie between
# the section's first page and the first page of the next entry at the same level or above.
CONTENTS = [
    (0, "Part 1: Introduction and key data", 3),
    (1, "About this briefing", 3),
    (1, "Who this briefing is for", 3),
    (1, "What is a serious case review?", 4),
    (1, "The new system", 4),
    (1, "The 2017-19 analysis report", 5),
    (1, "Themes and trends across SCRs 1998-2019", 6),
    (1, "Key data from the 2017-19 SCRs", 7),
    (2, "Parental and family characteristics", 12),
    (2, "Child characteristics", 14),
    (0, "Part 2: Learning for the police", 15),
    (1, "Recognising and responding to neglect", 15),
    (1, "Paying attention to the child's lived experience", 16),
    (1, "Recognising the meaning and significance of behaviour", 17),
    (1, "Adolescents, cumulative harm and relationships", 18),
    (2, "Relationships and capitalising on 'reachable moments'", 18),
    (1, "Lack of action following disclosure or evidence of abuse", 20),
    (2, "Inaction following children's minimisation or denial", 20),
    (2, "ABE interviews", 21),
    (1, "Professional responses to perpetrators of child sexual abuse", 22),
    (1, "Cultural difference and engaging and challenging parents", 23),
    (1, "Sharing information and communicating effectively", 24),
    (2, "The importance of effective communication", 25),
    (1, "Professional disagreement and escalation of concerns", 26),
    (1, "A system-wide response", 27),
]
LAST_PAGE = 27  # the references start on p.28


def section_pages() -> dict[str, tuple[int, int]]:
    pages = {}
    for i, (level, title, first) in enumerate(CONTENTS):
        later = [page for lvl, _, page in CONTENTS[i + 1 :] if lvl <= level]
        pages[title] = (first, later[0] if later else LAST_PAGE)
    return pages


@pytest.mark.parametrize("module", ALL)
def test_every_question_cites_a_section_of_the_briefing_on_the_page_it_gives(module):
    pages = section_pages()
    for q in bank(module).questions:
        section = q.citation.section
        assert section in pages, f"{where(q)} cites an unknown section {section!r}"
        first, last = pages[section]
        assert first <= q.citation.page <= last, (
            f"{where(q)}: {section!r} is not on p.{q.citation.page}"
        )


# --- No give-aways -----------------------------------------------------------------------------
# Each rule holds over all twelve banks; the per-module limits keep one bank from hiding behind
# the others. `modules` arguments let a reviewer check a subset of banks the same way.


def questions_of(modules, *types: str) -> list[Question]:
    return [q for m in modules for q in bank(m).questions if not types or q.type in types]


def false_share(modules) -> tuple[int, int]:
    statements = questions_of(modules, "true_false")
    return sum(not q.answer for q in statements), len(statements)


def test_true_false_answers_are_balanced_over_all_banks():
    """Always answering 'false' (or 'true') must not pass a module set: 40-60 % are false."""
    false, total = false_share(ALL)
    assert 0.4 * total <= false <= 0.6 * total, f"{false} of {total} true/false answers are false"


@pytest.mark.parametrize("module", ALL)
def test_no_bank_leans_on_false(module):
    false, total = false_share([module])
    assert false <= 0.7 * total, f"{false} of {total} true/false answers are false"


def correct_count_kind(q: Question) -> str:
    right = len(correct_options(q))
    return "all" if right == len(q.options) else str(right)


def correct_count_kinds(modules) -> Counter:
    return Counter(correct_count_kind(q) for q in questions_of(modules, "multiple"))


def test_multiple_choice_questions_vary_how_many_options_are_right():
    """One right option, several, or all: counting the ticks must not tell you the answer."""
    kinds = correct_count_kinds(ALL)
    total = sum(kinds.values())
    assert "1" in kinds and "all" in kinds, f"correct-option counts used: {dict(kinds)}"
    assert set(kinds) - {"1", "all"}, f"no question has several (not all) right: {dict(kinds)}"
    assert max(kinds.values()) <= total / 2, f"one count dominates: {dict(kinds)}"


def first_position_share(modules) -> tuple[int, int]:
    choices = questions_of(modules, "single", "multiple")
    return sum(q.options[0].correct for q in choices), len(choices)


def test_correct_options_are_spread_over_authored_positions():
    """Exports (GIFT, Aiken) and unshuffled questions keep the authored order."""
    first, total = first_position_share(ALL)
    assert first <= 0.4 * total, f"a right option is authored first in {first} of {total}"
    singles = questions_of(ALL, "single")
    positions = Counter(correct_options(q)[0] for q in singles)
    assert max(positions.values()) <= 0.4 * len(singles), f"right option by position: {positions}"


# Words that mark a statement as false for anyone who has learned to spot absolutes.
GIVEAWAY_WORDS = {"only", "never", "always", "alone", "solely", "entirely", "exclusively", "none"}
# (module, question id) -> why the word is part of the fact tested rather than a give-away.
GIVEAWAY_REVIEWED: dict[tuple[str, str], str] = {}


def giveaways(modules) -> list[tuple[str, str]]:
    found = []
    for q in questions_of(modules, "true_false"):
        words = set(re.findall(r"[a-z]+", q.prompt.lower()))
        hits = sorted(words & GIVEAWAY_WORDS)
        if not q.answer and hits and (q.module_id, q.id) not in GIVEAWAY_REVIEWED:
            found.append((where(q), ", ".join(hits)))
    return found


@pytest.mark.parametrize("module", ALL)
def test_no_false_statement_gives_itself_away_with_an_absolute(module):
    assert giveaways([module]) == []


def test_reviewed_giveaway_exceptions_still_exist():
    for module, question_id in GIVEAWAY_REVIEWED:
        assert question_id in {q.id for q in bank(module).questions}, (module, question_id)


# --- Near-duplicates across modules ------------------------------------------------------------

# TF-IDF cosine over what an officer reads (prompt, options, pairs), with plurals and -ing/-ed
# folded. 0.40 flags the near-duplicate scenarios issue 15 names (they scored 0.42-0.61 when it
# was filed), while questions that merely share a setting (a custody suite, a car journey, a
# domestic call) scored 0.30-0.39.
NEAR_DUPLICATE = 0.40
WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def what_is_read(q: Question) -> str:
    parts = [q.prompt, *(o.text for o in q.options), *(f"{p.left} {p.right}" for p in q.pairs)]
    return " ".join(parts)


def near_duplicates(modules) -> list[tuple[float, str, str]]:
    questions = questions_of(modules)
    docs = [Counter(_stem(w) for w in WORD.findall(what_is_read(q).lower())) for q in questions]
    df = Counter(w for doc in docs for w in doc)
    vectors = []
    for doc in docs:
        weights = {w: n * math.log(len(docs) / df[w]) for w, n in doc.items()}
        norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
        vectors.append({w: x / norm for w, x in weights.items()})
    found = []
    for i, j in itertools.combinations(range(len(questions)), 2):
        if questions[i].module_id == questions[j].module_id:
            continue
        score = sum(x * vectors[j].get(w, 0.0) for w, x in vectors[i].items())
        if score >= NEAR_DUPLICATE:
            found.append((round(score, 2), where(questions[i]), where(questions[j])))
    return sorted(found, reverse=True)


def test_no_near_duplicate_questions_across_modules():
    assert near_duplicates(ALL) == []


# --- Own words: sentence by sentence -------------------------------------------------------------

SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+[-–—]\s+")
BRIEFING_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Shorter runs are names and labels (a section title, one of the briefing's own list items).
SENTENCE_MIN_WORDS = 8
TOO_CLOSE = 0.8
NOT_PROSE = {"id", "format", "version", "source", "title", "type", "tags", "learning_points"}


def word_sentences(text: str):
    for piece in SENTENCE_BREAK.split(text):
        words = tuple(w.replace("’", "'") for w in BRIEFING_WORD.findall(piece.lower()))
        if len(words) >= SENTENCE_MIN_WORDS:
            yield words


def prose(node):
    """Every string a bank shows to a person, without ids and citation metadata."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_PROSE:
                yield from prose(value)
    elif isinstance(node, list):
        for value in node:
            yield from prose(value)


@lru_cache(maxsize=1)
def briefing_sentences():
    text = (SHARED / "source" / "police-briefing-scr-2017-19.txt").read_text(encoding="utf-8")
    sentences = sorted(set(word_sentences(text)))
    index = defaultdict(list)
    for number, words in enumerate(sentences):
        for word, count in Counter(words).items():
            index[word].append((number, count))
    return sentences, index


def sentences_too_close(module: str) -> list[tuple[float, str, str]]:
    sentences, index = briefing_sentences()
    data, _ = parse_bank_file(bank(module).path)
    ours = {words for text in prose(data) for words in word_sentences(text)}
    found = []
    for words in ours:
        shared = Counter()
        for word, count in Counter(words).items():
            for number, theirs in index.get(word, ()):
                shared[number] += min(count, theirs)
        for number, common in shared.items():
            # 2 * common / total bounds difflib's ratio from above; skip what cannot reach it.
            if 2 * common < TOO_CLOSE * (len(words) + len(sentences[number])):
                continue
            ratio = difflib.SequenceMatcher(None, words, sentences[number], autojunk=False).ratio()
            if ratio >= TOO_CLOSE:
                found.append((round(ratio, 2), " ".join(words), " ".join(sentences[number])))
    return sorted(found, reverse=True)


@pytest.mark.parametrize("module", ALL)
def test_no_sentence_follows_a_briefing_sentence_closely(module):
    if not (SHARED / "source").is_dir():
        pytest.skip("the shared source folder is not next to this checkout")
    assert sentences_too_close(module) == []


def test_a_numeric_answer_reads_with_its_unit_as_a_person_writes_it():
    from scr_cpd.content.model import with_unit

    assert [with_unit("30", "months"), with_unit("42", "%"), with_unit("7", None)] == [
        "30 months",
        "42%",
        "7",
    ]
    units = {
        q.unit: q
        for bank in library().ordered()
        for q in bank.questions
        if q.type == "numeric" and q.unit
    }
    assert set(units) == {"%", "months", "SCRs"}  # a new unit: check it reads well here
    assert units["months"].correct_response_text().endswith(" months")
    assert units["SCRs"].describe_response(12) == "12 SCRs"
    assert units["%"].describe_response(42) == "42%"
