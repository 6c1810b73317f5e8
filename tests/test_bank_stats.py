"""How questions perform, from the local history: facility, wrong answers and flags."""

from __future__ import annotations

import pytest

from scr_cpd.content.model import bank_from_dict
from scr_cpd.content.starter import starter_bank
from scr_cpd.content.yamlsource import read_yaml
from scr_cpd.progress.bank_stats import module_stats
from scr_cpd.progress.store import Store

BANK = bank_from_dict(read_yaml(starter_bank("stats-module"), "s.yaml")[0])
Q = {q.id: q for q in BANK.questions}


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path)
    yield store
    store.close()


def answer(store: Store, question_id: str, *responses, content_hash: str | None = None) -> None:
    question = Q[question_id]
    for response in responses:  # one answer per question per session: a practice session each
        session = store.start_session("practice", BANK.id, [(BANK.id, question_id)])
        store.record_attempt(
            session.id,
            BANK.id,
            question_id,
            question.revision,
            content_hash or question.content_hash,
            response,
            question.is_correct(response),
            3.0,
        )


def stats_for(store: Store, question_id: str):
    return next(q for q in module_stats(store, BANK).questions if q.question.id == question_id)


def test_types_and_learning_point_coverage(store):
    result = module_stats(store, BANK)
    assert result.by_type == {
        "single": 1,
        "multiple": 1,
        "true_false": 1,
        "numeric": 1,
        "short_answer": 1,
        "matching": 1,
    }
    assert result.served == {"see-the-child": 2, "record-and-share": 4}
    assert result.unserved == [] and result.answers == 0


def test_facility_and_every_wrong_option_with_its_count(store):
    answer(store, "q-see-the-baby", 0, 0, 0, 1, 2, 1)
    stats = stats_for(store, "q-see-the-baby")
    assert (stats.answers, stats.correct) == (6, 3)
    assert stats.facility == 0.5
    assert [(c.label, c.count) for c in stats.wrong] == [
        ("option 2 “Take the parents' word that the baby is…”", 2),
        ("option 3 “Leave, as no offence has been disclosed.”", 1),
    ]
    assert stats.flags == []


def test_too_easy_needs_five_answers(store):
    answer(store, "q-tidy-home", False, False, False, False)
    assert stats_for(store, "q-tidy-home").flags == []
    answer(store, "q-tidy-home", False)
    assert stats_for(store, "q-tidy-home").flags == ["too easy"]


def test_too_hard_and_misleading(store):
    answer(store, "q-see-the-baby", 1, 1, 1, 2, 0)
    assert stats_for(store, "q-see-the-baby").flags == [
        "too hard",
        "misleading: option 2 “Take the parents' word that the baby is…” was chosen 3 times, the right answer once",
    ]


def test_a_wrong_option_picked_more_than_a_right_one_in_multiple_choice_is_misleading(store):
    answer(store, "q-what-to-record", [0, 1], [0, 2], [0, 2], [0, 2], [0, 1, 2])
    stats = stats_for(store, "q-what-to-record")
    assert stats.right_count == 2 and stats.wrong[0].count == 4
    assert stats.flags[-1].startswith(
        "misleading: option 3 “Only what the adults told you” was chosen 4 times"
    )


def test_free_answers_are_grouped_and_counted(store):
    answer(store, "q-reviews-death", 131, 104, 104, 235, 104)
    answer(store, "q-abe-words", "Achieving best evidence", "ABE", "abe ", "Abe")
    numeric = stats_for(store, "q-reviews-death")
    assert [(c.label, c.count) for c in numeric.wrong] == [("104", 3), ("235", 1)]
    assert numeric.flags == [
        "too hard",
        "misleading: 104 was chosen 3 times, the right answer once",
    ]
    assert [(c.label, c.count) for c in stats_for(store, "q-abe-words").wrong] == [("'abe'", 3)]


def test_matching_counts_each_wrong_pairing(store):
    answer(store, "q-match-terms", [0, 1, 2], [1, 0, 2], [1, 0, 2])
    stats = stats_for(store, "q-match-terms")
    assert [(c.label, c.count) for c in stats.wrong] == [
        ("MASH → Local authority designated officer", 2),
        ("LADO → Multi-agency safeguarding hub", 2),
    ]


def test_answers_to_an_earlier_wording_are_not_counted(store):
    answer(store, "q-see-the-baby", 1, 1, 1, 1, 1, content_hash="0123456789abcdef")
    answer(store, "q-see-the-baby", 0)
    stats = stats_for(store, "q-see-the-baby")
    assert (stats.answers, stats.earlier, stats.flags) == (1, 5, [])
    assert module_stats(store, BANK).earlier == 5


def test_answers_to_other_modules_or_unknown_questions_are_ignored(store):
    session = store.start_session("module", "other", [("other", "q-see-the-baby")])
    store.record_attempt(
        session.id, "other", "q-see-the-baby", 1, Q["q-see-the-baby"].content_hash, 1, False, 1.0
    )
    store.record_attempt(session.id, BANK.id, "q-gone", 1, "x", 1, False, 1.0)
    assert module_stats(store, BANK).answers == 0
