"""The rules of a module run and the settings registry, in the library, without the CLI."""

from __future__ import annotations

import random

import pytest
from helpers import TINY

from scr_cpd.content.loader import parse_bank_file
from scr_cpd.content.model import bank_from_dict
from scr_cpd.progress import runs
from scr_cpd.progress import settings as registry
from scr_cpd.progress.store import AlreadyAnswered, Store


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def bank():
    data, problems = parse_bank_file(TINY)
    assert problems == []
    return bank_from_dict(data, TINY)


def answer(store, session, bank, qid, correct):
    q = bank.question(qid)
    store.record_attempt(session.id, bank.id, qid, q.revision, q.content_hash, 0, correct, 1.0)


def test_a_new_run_shows_the_introduction_until_its_first_answer(store, bank):
    first = runs.begin_module(store, bank, random.Random(1))
    assert first.shows_introduction and not first.resumed
    again = runs.begin_module(store, bank, random.Random(1))
    assert again.session.id == first.session.id and again.shows_introduction  # nothing answered
    answer(store, first.session, bank, first.session.plan[0][1], True)
    resumed = runs.begin_module(store, bank, random.Random(1))
    assert resumed.resumed and resumed.answered == 1 and not resumed.shows_introduction
    assert runs.answered_in(store, bank.id) == 1


def test_restart_abandons_the_run_and_keeps_its_answers(store, bank):
    run = runs.begin_module(store, bank, random.Random(1))
    answer(store, run.session, bank, "q-single", True)
    fresh = runs.begin_module(store, bank, random.Random(1), restart=True)
    assert fresh.session.id != run.session.id and fresh.answered == 0
    assert [s.status for s in store.sessions()] == ["abandoned", "active"]
    assert len(store.attempts()) == 1


def test_missed_questions_their_learning_points_and_a_retake(store, bank):
    run = runs.begin_module(store, bank, random.Random(1))
    answer(store, run.session, bank, "q-single", False)
    answer(store, run.session, bank, "q-numeric", False)
    answer(store, run.session, bank, "q-short", True)
    with pytest.raises(AlreadyAnswered):  # one answer per question per run counts
        answer(store, run.session, bank, "q-numeric", True)
    missed = runs.missed_questions(store, run.session.id)
    assert missed == ["q-single", "q-numeric"]
    assert runs.missed_learning_points(bank, ["q-single", "q-numeric", "q-multiple"]) == [
        "Choosing well matters.",
        "The key facts are worth knowing.",
    ]
    retake = runs.start_retake(store, bank, missed)
    assert retake.kind == "retake" and retake.plan == [("tiny", "q-single"), ("tiny", "q-numeric")]
    runs.abandon(store, retake)
    assert runs.modules_in_progress(store, [bank]) == [bank]  # the module run still goes on


def test_settings_registry(store):
    assert registry.value(store, "confidence") == "on" and registry.asks_confidence(store)
    assert not registry.plain_by_default(store)
    registry.change(store, "plain", " ON ")
    assert registry.plain_by_default(store)
    with pytest.raises(registry.SettingError, match="can be on or off, not 'maybe'"):
        registry.change(store, "plain", "maybe")
    with pytest.raises(registry.SettingError, match="no setting called 'colour'"):
        registry.known("colour")


def test_the_plain_setting_is_read_without_creating_or_migrating_anything(tmp_path, store):
    empty = tmp_path / "nothing-here"
    assert registry.peek(empty, "plain") == "off" and not empty.exists()
    registry.change(store, "plain", "on")
    assert registry.peek(store.path.parent, "plain") == "on"
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "progress.db").write_bytes(b"not a database")
    assert registry.peek(tmp_path / "damaged", "plain") == "off"
