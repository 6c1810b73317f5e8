"""`cpd practice`, `cpd settings`, and what scheduling adds to modules, progress and the menu.

Runs in plain mode with piped input. Two small banks of true statements (answer 1 is right,
2 is wrong, whatever the order) are installed in the home folder.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from helpers import cpd

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=LONDON)  # Monday
NEXT_DAY = T0 + timedelta(days=1)

BANK = """\
format: scr-cpd/bank@1
id: {id}
title: {title}
version: "1.0"
summary: Three true statements, for tests.
estimated_minutes: 5
source:
  section: Testing practice
  page: {page}
learning_points:
  - id: lp
    text: Every statement here is true.
questions:
{questions}
"""
QUESTION = """\
  - id: {id}
    type: true_false
    prompt: "{prompt}"
    answer: true
    explanation: It is true by construction.
    learning_points: [lp]
"""


@pytest.fixture(autouse=True)
def banks(isolated_home):
    folder = isolated_home / "banks"
    folder.mkdir(parents=True)
    for module_id, page in (("alpha", 3), ("beta", 4)):
        questions = "".join(
            QUESTION.format(
                id=f"{module_id[0]}{n}", prompt=f"{module_id.title()} statement {n} is true."
            )
            for n in (1, 2, 3)
        )
        (folder / f"{module_id}.yaml").write_text(
            BANK.format(
                id=module_id, title=f"{module_id.title()} module", page=page, questions=questions
            )
        )
    return folder


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def answer_module(module_id: str, answers: str, when: datetime = T0):
    """Work through a module: `answers` is one line per prompt (answer, then confidence)."""
    with at(when):
        result = cpd("start", module_id, "--seed", "1", input=answers)
    assert result.exit_code == 0, result.output
    return result


ALL_WRONG_SURE = "2\n1\n" * 3


def test_a_module_lists_its_blind_spots_and_offers_them_for_reflection(monkeypatch):
    import scr_cpd.cli.reflect as reflect

    offered = []
    monkeypatch.setattr(
        reflect,
        "offer_reflection",
        lambda env, bank, suggestions: offered.append((bank.id, suggestions)),
    )
    result = answer_module("alpha", "2\n1\n" + "1\n1\n" + "2\n3\n")
    assert "Blind spots — you were sure, and it was wrong (1):" in result.output
    assert offered[0][0] == "alpha"
    [suggestion] = offered[0][1]
    assert suggestion.startswith("You were sure of your answer to “Alpha statement")


def test_nothing_due_says_when_and_offers_the_weakest_anyway():
    answer_module("alpha", ALL_WRONG_SURE)
    with at(T0 + timedelta(hours=2)):
        declined = cpd("practice", input="n\n")
        accepted = cpd("practice", input="y\n" + "1\n\n" * 3)
    assert declined.exit_code == 0
    assert (
        "Nothing is due today. The next question is due tomorrow (Tuesday 4 March)."
        in declined.output
    )
    assert "Practise your 3 weakest questions anyway?" in declined.output
    assert "Question 1" not in declined.output
    assert "Practice complete: 3 of 3 correct." in accepted.output


def test_nothing_answered_yet_points_to_a_module():
    result = cpd("practice", "beta")
    assert result.exit_code == 0
    assert "Nothing to practise in beta yet" in result.output
    assert "`cpd start beta`" in result.output


def test_practice_interleaves_modules_and_asks_confidence():
    answer_module("alpha", ALL_WRONG_SURE)
    answer_module("beta", ALL_WRONG_SURE)
    with at(NEXT_DAY):
        result = cpd("practice", input="1\n1\n" * 6)
    assert result.exit_code == 0, result.output
    modules = [
        line.removeprefix("From: ")
        for line in result.output.splitlines()
        if line.startswith("From: ")
    ]
    assert modules == ["Alpha module", "Beta module"] * 3
    assert result.output.count("How sure were you?") == 6
    assert "6 questions due; practising 6 from 2 modules." in result.output
    assert "Practice complete: 6 of 6 correct." in result.output
    assert (
        "Nothing more is due today. The next question is due on Friday 7 March (in 3 days)."
        in result.output
    )


def test_limit_and_module_narrow_the_practice():
    answer_module("alpha", ALL_WRONG_SURE)
    answer_module("beta", ALL_WRONG_SURE)
    with at(NEXT_DAY):
        limited = cpd("practice", "--limit", "2", input="1\n\n" * 2)
        only_beta = cpd("practice", "beta", input="1\n\n" * 2)
    assert "6 questions due; practising 2 from 2 modules." in limited.output
    assert "4 questions still due today" in limited.output
    assert (
        "2 questions due; practising 2 from 1 module." in only_beta.output
    )  # one beta was in the first two
    assert "From: Alpha module" not in only_beta.output


def test_stopping_keeps_answers_and_leaves_the_rest_due():
    answer_module("alpha", ALL_WRONG_SURE)
    with at(NEXT_DAY):
        stopped = cpd("practice", input="1\n1\nq\n")
        again = cpd("practice", input="")
    assert "Stopped. 1 answer saved" in stopped.output
    assert "2 questions due; practising 2" in again.output


def test_confidence_can_be_turned_off():
    assert cpd("settings", "confidence", "off").exit_code == 0
    assert "confidence: off" in cpd("settings").output
    answer_module("alpha", "2\n" * 3)
    with at(NEXT_DAY):
        result = cpd("practice", input="1\n" * 3)
    assert "How sure were you?" not in result.output
    assert "Practice complete: 3 of 3 correct." in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["settings", "confidence", "maybe"], "confidence can be on or off, not 'maybe'"),
        (["settings", "colour"], "no setting called 'colour'"),
        (["practice", "gamma"], "no module called 'gamma'"),
    ],
)
def test_usage_errors_are_one_sentence(args, message):
    result = cpd(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_progress_shows_mastery_due_blind_spots_hours_and_weeks():
    answer_module("alpha", "2\n1\n" + "1\n1\n" + "1\n1\n")
    with at(NEXT_DAY):
        result = cpd("progress")
    assert result.exit_code == 0, result.output
    row = next(
        line.split() for line in result.output.splitlines() if line.strip().startswith("alpha")
    )
    assert row[:6] == [
        "alpha",
        "completed",
        "67%",
        "67%",
        "1",
        "3",
    ]  # status, best, mastery, due, answers
    assert "Remembered now: 2 of " in result.output  # the bundled modules count too
    assert "Due for practice today: 1 — `cpd practice` asks them" in result.output
    assert "Blind spots (last answered sure, and wrong): 1" in result.output
    assert "  · alpha: Alpha statement" in result.output
    assert "CPD hours: 0.00 this month · 0.00 this year" in result.output
    assert "Activity over the last 12 weeks, in minutes, oldest first:" in result.output
    assert "  Week of 3 March: 0 minutes" in result.output


def test_home_menu_offers_the_due_questions():
    answer_module("alpha", ALL_WRONG_SURE)
    with at(NEXT_DAY):
        result = cpd(input="1\n" + "1\n1\n" * 3 + "q\n")
    assert "  1. Practise 3 due questions" in result.output
    assert "Practice complete: 3 of 3 correct." in result.output


@pytest.mark.parametrize("args", [["--help"], ["modules"]])
def test_help_and_modules_do_not_load_fsrs(args, isolated_home):
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom scr_cpd.cli.app import app\n"
        f"result = CliRunner().invoke(app, {args!r})\nassert result.exit_code == 0, result.output\n"
        "print('fsrs' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("False")


def test_blind_spots_in_practice_are_listed_with_a_way_to_reflect():
    answer_module("alpha", ALL_WRONG_SURE)
    with at(NEXT_DAY):
        result = cpd("practice", input="2\n1\n" + "1\n1\n" * 2)
    assert "Practice complete: 2 of 3 correct." in result.output
    assert "Blind spots — you were sure, and it was wrong (1):" in result.output
    assert "Reflect on them with `cpd reflect alpha`." in result.output


def test_progress_draws_a_weekly_chart_outside_plain_mode(isolated_home):
    from typer.testing import CliRunner

    from scr_cpd.cli.app import app

    answer_module("alpha", ALL_WRONG_SURE)
    with at(NEXT_DAY):
        result = CliRunner().invoke(app, ["--interactive", "progress"])
    assert result.exit_code == 0, result.output
    assert "Minutes per week, last 12 weeks" in result.output
    assert " 3 Mar" in result.output
    assert "Week of" not in result.output


def test_bars_are_scaled_in_eighths():
    from scr_cpd.cli.overview import bar

    assert bar(0, 100) == ""
    assert bar(100, 100, width=4) == "████"
    assert bar(50, 100, width=3) == "█▌"
    assert bar(1, 1000, width=4) == "▏"  # any activity shows


def test_skip_stores_no_confidence_and_old_skip_values_become_null(isolated_home, tmp_path):
    import sqlite3

    from scr_cpd.progress.store import MIGRATIONS, Store

    answer_module("alpha", "1\n\n" * 3 + "n\n")  # Enter at "How sure were you?" skips it
    store = Store.open(isolated_home)
    assert {a.confidence for a in store.attempts()} == {None}
    store.close()
    # A database written before the fix held the word "Skip": the migration clears it.
    old = tmp_path / "old"
    old.mkdir()
    db = sqlite3.connect(old / "progress.db")
    for step in MIGRATIONS[:3]:
        step(db)
    db.execute("PRAGMA user_version = 3")
    db.execute("INSERT INTO sessions (kind, plan, started_at) VALUES ('module', '[]', 'now')")
    for n, confidence in enumerate(("Skip", "sure", None)):
        db.execute(
            "INSERT INTO attempts (session_id, module_id, question_id, revision, content_hash,"
            " response, correct, confidence, answered_at, seconds)"
            " VALUES (1, 'alpha', ?, 1, 'h', '0', 1, ?, 'now', 1)",
            (f"q{n}", confidence),
        )
    db.commit()
    db.close()
    store = Store.open(old)
    assert [a.confidence for a in store.attempts()] == [None, "sure", None]
    store.close()


def test_a_week_of_seconds_reads_as_under_a_minute_not_as_none():
    from scr_cpd.cli.overview import minutes_label

    assert minutes_label(0) == "0"
    assert minutes_label(12) == "<1"  # its bar is drawn, so its figure must not say 0
    assert minutes_label(29.9) == "<1"
    assert minutes_label(30) == "<1"  # half a minute rounds to none, as the totals round it
    assert minutes_label(90) == "2"
    assert minutes_label(600) == "10"


def test_the_plain_weeks_say_less_than_a_minute_for_a_week_of_seconds():
    from datetime import date

    from rich.console import Console

    from scr_cpd.cli.overview import print_weeks_as_text

    console = Console(record=True, width=80)
    print_weeks_as_text(console, [(date(2026, 3, 2), 0.0), (date(2026, 3, 9), 20.0)])
    text = console.export_text()
    assert "Week of 2 March: 0 minutes" in text
    assert "Week of 9 March: less than a minute" in text
