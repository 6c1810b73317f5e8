"""Spaced practice: FSRS cards, due dates, revisions, interleaving, mastery and activity."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scr_cpd.content.model import bank_from_dict
from scr_cpd.progress import schedule
from scr_cpd.progress.activity import activity
from scr_cpd.progress.store import Store, iso

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in London (GMT)
LONDON = ZoneInfo("Europe/London")


def make_bank(module_id: str, count: int = 3, revisions: dict[str, int] | None = None):
    revisions = revisions or {}
    questions = [
        {
            "id": f"q{n}",
            "type": "true_false",
            "prompt": f"{module_id} statement {n}",
            "answer": True,
            "explanation": "Because.",
            "revision": revisions.get(f"q{n}", 1),
        }
        for n in range(1, count + 1)
    ]
    return bank_from_dict(
        {
            "id": module_id,
            "title": module_id.title(),
            "summary": "s",
            "questions": questions,
            "source": {"page": 1},
        }
    )


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path)
    yield s
    s.close()


def answer(store, question, correct, confidence=None, when=T0, session=None):
    """Record an attempt and review its card, as the quiz does."""
    session = session or store.start_session("practice", None, [question.key])
    store.record_attempt(
        session.id,
        question.module_id,
        question.id,
        question.revision,
        question.content_hash,
        True,
        correct,
        10.0,
        confidence,
        answered_at=iso(when),
    )
    return schedule.review(store, question, correct, confidence, when=when)


def due_at(store, banks, when, **kw):
    with time_machine.travel(when.astimezone(LONDON), tick=False):
        return schedule.due_questions(store, banks, **kw)


@pytest.mark.parametrize(
    "correct, confidence, rating",
    [
        (False, "sure", "Again"),
        (False, None, "Again"),
        (True, "guess", "Hard"),
        (True, "fairly", "Good"),
        (True, None, "Good"),
        (True, "sure", "Easy"),
    ],
)
def test_answers_map_to_ratings(correct, confidence, rating):
    assert schedule.rating_for(correct, confidence).name == rating


def test_a_wrong_answer_is_due_before_a_right_one(store):
    bank = make_bank("alpha")
    wrong, right = bank.questions[:2]
    assert answer(store, wrong, False) < answer(store, right, True)
    assert due_at(store, [bank], T0) == []
    assert due_at(store, [bank], T0 + timedelta(days=1)) == [wrong.key]
    assert set(due_at(store, [bank], T0 + timedelta(days=2))) == {wrong.key, right.key}


def test_sure_and_right_comes_back_later_than_guess_and_right(store):
    bank = make_bank("alpha")
    sure, fairly, guess = bank.questions
    due_sure = answer(store, sure, True, "sure")
    due_fairly = answer(store, fairly, True, "fairly")
    due_guess = answer(store, guess, True, "guess")
    assert due_guess < due_fairly < due_sure
    assert due_at(store, [bank], T0 + timedelta(days=3)) == [guess.key, fairly.key]


def test_a_question_is_due_all_day_once_its_day_comes(store):
    bank = make_bank("alpha", 1)
    with time_machine.travel(datetime(2025, 3, 3, 16, 0, tzinfo=LONDON), tick=False):
        answer(store, bank.questions[0], False, when=schedule.utcnow())
    # Due at 16:00 next day, but asked for from the start of that day.
    assert due_at(store, [bank], datetime(2025, 3, 3, 23, 0, tzinfo=LONDON)) == []
    assert due_at(store, [bank], datetime(2025, 3, 4, 8, 0, tzinfo=LONDON)) == [
        bank.questions[0].key
    ]


def test_a_revision_bump_makes_a_question_new_again(store):
    bank = make_bank("alpha")
    q1 = bank.questions[0]
    answer(store, q1, True, "sure")  # due in about a week
    later = T0 + timedelta(days=1)
    assert due_at(store, [bank], later) == []
    revised = make_bank("alpha", revisions={"q1": 2})
    assert due_at(store, [revised], later) == [q1.key]
    # Answering the new revision starts a fresh card, as for a question never seen.
    new_q1 = revised.questions[0]
    answer(store, new_q1, True, "sure", when=later)
    fresh = schedule.card_of(store, q1.key)
    assert fresh["revision"] == 2
    assert fresh["stability"] == pytest.approx(8.2956)  # FSRS's first-answer stability for Easy
    assert due_at(store, [revised], later) == []


def test_mastery_ignores_answers_to_an_earlier_revision(store):
    bank = make_bank("alpha")
    answer(store, bank.questions[0], True, "sure")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert schedule.mastery(store, [bank])["alpha"].remembered == 1
        assert (
            schedule.mastery(store, [make_bank("alpha", revisions={"q1": 2})])["alpha"].remembered
            == 0
        )


def test_practice_across_two_modules_interleaves_them(store):
    alpha, beta = make_bank("alpha"), make_bank("beta")
    for q in alpha.questions + beta.questions:  # all of alpha answered first, then all of beta
        answer(store, q, False)
    due = due_at(store, [alpha, beta], T0 + timedelta(days=1))
    assert [m for m, _ in due] == ["alpha", "beta"] * 3
    assert {m for m, _ in due_at(store, [alpha, beta], T0 + timedelta(days=1), limit=2)} == {
        "alpha",
        "beta",
    }
    assert due_at(store, [alpha, beta], T0 + timedelta(days=1), module_id="beta") == [
        q.key for q in beta.questions
    ]


def test_interleave_keeps_each_modules_order():
    keys = [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1"), ("c", "1"), ("c", "2")]
    assert schedule.interleave(keys) == [
        ("a", "1"),
        ("b", "1"),
        ("c", "1"),
        ("a", "2"),
        ("c", "2"),
        ("a", "3"),
    ]


def test_questions_no_longer_in_any_bank_are_never_due(store):
    bank = make_bank("alpha")
    answer(store, bank.questions[2], False)
    assert due_at(store, [make_bank("alpha", 2)], T0 + timedelta(days=1)) == []


def test_next_due_is_the_first_question_not_yet_due(store):
    bank = make_bank("alpha")
    answer(store, bank.questions[0], True, "sure")
    answer(store, bank.questions[1], True)
    with time_machine.travel(T0, tick=False):
        assert schedule.next_due(store, [bank]) == T0 + timedelta(days=2)
        assert schedule.next_due(store, [bank], module_id="beta") is None


def test_weakest_questions_come_lowest_share_correct_first(store):
    bank = make_bank("alpha")
    q1, q2, q3 = bank.questions
    answer(store, q1, True)
    answer(store, q2, False)
    answer(store, q3, True, when=T0)
    answer(store, q3, False, when=T0 + timedelta(days=1))
    assert schedule.weakest_questions(store, [bank], limit=2) == [q2.key, q3.key]


def test_mastery_counts_remembered_due_and_blind_spots(store):
    bank = make_bank("alpha")
    q1, q2, q3 = bank.questions
    answer(store, q1, True, "sure")
    answer(store, q2, False, "sure")
    answer(store, q3, False, "guess")
    with time_machine.travel((T0 + timedelta(days=1)).astimezone(LONDON), tick=False):
        m = schedule.mastery(store, [bank])["alpha"]
    assert (m.questions, m.remembered, m.due) == (3, 1, 2)
    assert m.blind_spots == ("q2",)
    assert m.share == pytest.approx(1 / 3)


def test_cards_are_rebuilt_once_from_a_history_recorded_before_scheduling(store):
    bank = make_bank("alpha")
    q1, q2 = bank.questions[:2]
    session = store.start_session("module", "alpha", [q1.key, q2.key])
    store.record_attempt(
        session.id, "alpha", "q1", 1, q1.content_hash, True, False, 5, None, answered_at=iso(T0)
    )
    store.record_attempt(
        session.id, "alpha", "q2", 1, q2.content_hash, True, True, 5, "sure", answered_at=iso(T0)
    )
    assert due_at(store, [bank], T0 + timedelta(days=1)) == [q1.key]
    assert schedule.card_of(store, q2.key)["due"] == iso(T0 + timedelta(days=8))
    # Once built, cards are not rebuilt over newer reviews.
    schedule.review(store, q1, True, "sure", when=T0 + timedelta(days=1))
    assert due_at(store, [bank], T0 + timedelta(days=1)) == []


def test_rebuilding_cards_gives_the_same_schedule_as_answering(store):
    bank = make_bank("alpha")
    q1 = bank.questions[0]
    for days, correct, confidence in [(0, False, None), (1, True, "guess"), (3, True, "sure")]:
        answer(store, q1, correct, confidence, when=T0 + timedelta(days=days))
    incremental = schedule.card_of(store, q1.key)
    schedule.rebuild_cards(store)
    rebuilt = schedule.card_of(store, q1.key)
    assert rebuilt["due"] == incremental["due"]
    assert rebuilt["stability"] == pytest.approx(incremental["stability"])


def test_activity_sums_answers_and_reflections_by_month_year_and_week(store):
    bank = make_bank("alpha")
    q = bank.questions[0]
    for when, seconds in [
        (datetime(2024, 12, 30, 12, tzinfo=timezone.utc), 600),  # last year
        (datetime(2025, 2, 20, 12, tzinfo=timezone.utc), 1200),  # this year, last month
        (datetime(2025, 3, 3, 9, tzinfo=timezone.utc), 1800),
    ]:  # this month and week
        session = store.start_session("practice", "alpha", [q.key])  # one answer per session
        store.record_attempt(
            session.id, "alpha", "q1", 1, q.content_hash, True, True, seconds, answered_at=iso(when)
        )
    store.db.execute(
        "INSERT INTO reflections (uid, prompt, seconds, created_at, updated_at)"
        " VALUES ('r', 'p', 900, ?, ?)",
        (iso(T0), iso(T0)),
    )
    with time_machine.travel(T0.astimezone(LONDON), tick=False):
        act = activity(store, weeks=12)
    assert act.month_seconds == 2700
    assert act.year_seconds == 3900
    assert len(act.weeks) == 12
    assert act.weeks[-1] == (date(2025, 3, 3), 2700)
    assert dict(act.weeks)[date(2025, 2, 17)] == 1200
    assert dict(act.weeks)[date(2024, 12, 30)] == 600
