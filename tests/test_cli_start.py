"""`cpd start MODULE` in plain mode, through typer's CliRunner, on the tiny fixture bank.

A `Typist` stands in for stdin: for each question it reads which one is on screen and types
the line the test scripted for it, so no test depends on the (shuffled) question order.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
from pathlib import Path

import pytest
from helpers import TINY
from helpers import TINY_PROMPTS as PROMPTS
from helpers import TINY_RIGHT as RIGHT
from typer.testing import CliRunner

from scr_cpd.cli.app import app
from scr_cpd.progress.store import DB_NAME, Store

FIXTURE = TINY
HEADING = re.compile(r"^Question (\d+) of (\d+) · ")
WRONG = {
    "q-single": "2",
    "q-multiple": "1 2",
    "q-true-false": "2",
    "q-numeric": "8",
    "q-short": "Lyon",
    "q-matching": "ab",
}
EOF = None


class Typist(io.TextIOBase):
    """stdin whose next line depends on the screen: the scripted answer for the question shown,
    Enter for "How sure were you?", the next of `then` for any other prompt; EOF when a script
    runs out (or says EOF), as at the end of a pipe."""

    def __init__(self, screen: io.BytesIO, answers: dict[str, list[str | None]], then: list[str]):
        self.screen = screen
        self.answers = {qid: list(lines) for qid, lines in answers.items()}
        self.then = list(then)
        self.asked: list[str] = []

    def readable(self) -> bool:
        return True

    def readline(self, size: int = -1) -> str:
        sys.stdout.flush()
        lines = self.screen.getvalue().decode("utf-8").splitlines()
        prompt = lines[-1] if lines else ""
        if prompt.startswith("How sure were you?"):
            reply: str | None = ""
        elif prompt.startswith(("Your answer", "For items")):
            start = max(i for i, line in enumerate(lines) if HEADING.match(line))
            qid = PROMPTS[lines[start + 1]]
            self.asked.append(qid)
            queue = self.answers.get(qid) or [EOF]
            reply = queue.pop(0)
        else:
            reply = self.then.pop(0) if self.then else EOF
        if reply is None:
            return ""
        sys.stdout.write(reply + "\n")  # echo, as a terminal would
        return reply + "\n"


class TypistRunner(CliRunner):
    def __init__(self, answers: dict[str, list[str | None]], then: list[str]):
        super().__init__()
        self.answers, self.then = answers, then
        self.typist: Typist | None = None

    @contextlib.contextmanager
    def isolation(self, *args, **kwargs):
        with super().isolation(*args, **kwargs) as streams:
            self.typist = sys.stdin = Typist(streams[2], self.answers, self.then)
            yield streams


@pytest.fixture
def home(tmp_path, monkeypatch):
    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(FIXTURE, banks / "tiny.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(banks))
    return tmp_path / "home"


def cpd(
    home: Path,
    *args: str,
    answers: dict[str, str | list] | None = None,
    then: list[str] = (),
    runner_out: list | None = None,
):
    scripted = {
        qid: [a] if isinstance(a, str) or a is None else list(a)
        for qid, a in (answers or {}).items()
    }
    runner = TypistRunner(scripted, list(then))
    result = runner.invoke(app, ["--plain", "--home", str(home), *args])
    if runner_out is not None:
        runner_out.append(runner.typist)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def attempts(home: Path):
    store = Store.open(home)
    try:
        return store.attempts()
    finally:
        store.close()


def sessions(home: Path):
    store = Store.open(home)
    try:
        return store.sessions()
    finally:
        store.close()


# --- A whole module --------------------------------------------------------------------------


def test_all_right_shows_feedback_citation_and_a_pass(home):
    result = cpd(home, "start", "tiny", answers=RIGHT, then=["n"])
    out = result.output
    assert result.exit_code == 0
    assert (
        "Tiny test module\nOne question of each type, for tests.\n6 questions, about 5 minutes."
        in out
    )
    assert out.count("Correct ✓") == 6 and "Incorrect" not in out
    assert (
        "Correct ✓\nYou answered: Blue\n  Yes, blue on a clear day.\n"
        "Why: Scattered sunlight makes a clear sky look blue.\nBriefing p.7 — Testing the loop"
    ) in out
    assert "Correct ✓\nWhy: Water wets what it touches.\nBriefing p.9 — Facts section" in out
    assert "Module complete: 6 of 6 correct (100%). Pass mark 50%: Passed." in out
    assert "Retake" not in out and "Learning points to revisit" not in out
    assert [(a.question_id, a.correct) for a in attempts(home)] == [
        (q, True) for q in _asked_order(out)
    ]
    [tiny_row] = [
        line.split()
        for line in cpd(home, "modules").stdout.splitlines()
        if line.startswith("tiny ")
    ]
    assert tiny_row[-2:] == ["passed", "100%"]
    [tiny_row] = [
        line.split()
        for line in cpd(home, "progress").stdout.splitlines()
        if line.startswith("tiny ")
    ]
    assert tiny_row[1:3] == ["passed", "100%"]


def _asked_order(output: str) -> list[str]:
    lines = output.splitlines()
    return [PROMPTS[lines[i + 1]] for i, line in enumerate(lines) if HEADING.match(line)]


def test_wrong_answers_show_what_was_chosen_the_answer_and_the_option_feedback(home):
    out = cpd(home, "start", "tiny", answers=WRONG, then=["n", "n"]).output
    assert out.count("Incorrect ✗") == 6 and "\nCorrect ✓" not in out
    assert (
        "Incorrect ✗\nYou answered: Green\n  Green is the grass, not the sky.\nThe answer: Blue\n  Yes, blue on a clear day.\n"
        "Why: Scattered sunlight makes a clear sky look blue.\nBriefing p.7 — Testing the loop"
    ) in out
    # Per option: what was rightly chosen, what was wrongly chosen, and the right one missed.
    assert (
        "Your choices:\n  ✓ Two — chosen, and right. Two is even.\n"
        "  ✗ Three — chosen, but not right. Three is odd.\n"
        "  ✗ Four — missed: this one is right too.\nWhy:"
    ) in out
    # Per pair, ✓ or ✗, and the right match named for each wrong one.
    assert (
        "Your matches:\n  ✗ Cat → Woof; the match is Miaow\n  ✗ Dog → Miaow; the match is Woof\n"
    ) in out
    # What was typed is on the screen already: only the answer is named, once.
    assert "Incorrect ✗\nThe answer: Paris\nWhy:" in out
    assert "Incorrect ✗\nThe answer: 7\nWhy:" in out
    assert "Incorrect ✗\nThe answer: True\nWhy:" in out
    assert out.count("The answer: Two; Four") == 0


def test_summary_shows_score_against_pass_mark_and_points_to_revisit_and_retakes_only_the_missed(
    home,
):
    answers = {
        **RIGHT,
        "q-single": ["2", "1"],
        "q-numeric": ["8", "7"],
    }  # wrong first, right in the retake
    out = cpd(home, "start", "tiny", answers=answers, then=["y", "n"]).output
    assert "Module complete: 4 of 6 correct (67%). Pass mark 50%: Passed." in out
    revisit = out.split("Learning points to revisit:\n", 1)[1].splitlines()[:2]
    assert sorted(revisit) == ["  · Choosing well matters.", "  · The key facts are worth knowing."]
    assert "Retake the 2 questions you missed? [Y/n] y" in out
    retake = out.split("Retake the 2 questions you missed?", 1)[1]
    assert sorted(_asked_order(retake)) == ["q-numeric", "q-single"]
    assert "Question 1 of 2 · " in retake and "Question 2 of 2 · " in retake
    assert "Retake: 2 of 2 correct." in out
    kinds = [s.kind for s in sessions(home)]
    assert kinds == ["module", "retake"]
    assert len(attempts(home)) == 8


def test_invalid_answers_are_explained_and_asked_again(home):
    answers = {
        "q-single": ["7", "one", "1 2", "1"],
        "q-multiple": ["", "1 9", "1 3"],
        "q-true-false": ["maybe", "t"],
        "q-numeric": ["seven", "1e999", "7"],
        "q-short": ["   ", "Paris."],
        "q-matching": ["b", "bz", "1 2", "b a"],
    }
    result = cpd(home, "start", "tiny", answers=answers, then=["n"])
    out = result.output
    assert result.exit_code == 0
    for message in (
        "Type a number from 1 to 3.",
        "Choose just one option.",
        "Type a number from 1 to 3 (or several, separated by spaces).",
        "Type 1 for true or 2 for false.",
        "Type a number, for example 42 or 12.5.",
        "Type an answer, or q to stop.",
        "Type 2 letters from a to b, one for each numbered item, e.g. ab.",
    ):
        assert message in out, message
    assert out.count("Correct ✓") == 6
    assert len(attempts(home)) == 6  # nothing stored for the invalid lines


# --- Stopping, resuming, restarting ------------------------------------------------------------


def test_end_of_input_ends_cleanly_with_a_message_and_keeps_every_answer(home):
    result = cpd(home, "start", "tiny", answers={})
    assert result.exit_code == 0
    assert result.output.rstrip().endswith(
        "Stopped. 0 answers saved; `cpd start tiny` continues where you left off."
    )

    # All answered, then the input ends at the retake offer: the module is complete and saved.
    result = cpd(home, "start", "tiny", answers=WRONG)
    assert result.exit_code == 0
    assert "Module complete: 0 of 6 correct (0%)" in result.output
    assert [s.status for s in sessions(home)] == ["completed"]
    assert len(attempts(home)) == 6


def test_stopping_part_way_keeps_the_answers_and_resume_asks_only_the_rest(home):
    typists: list = []
    order = _order_for(home)
    stop_at = order[3]
    first = cpd(home, "start", "tiny", *SEED, answers={**RIGHT, stop_at: EOF}, runner_out=typists)
    assert first.exit_code == 0
    assert (
        "Stopped. 3 answers saved; `cpd start tiny` continues where you left off." in first.output
    )
    assert [a.question_id for a in attempts(home)] == order[:3]

    second = cpd(home, "start", "tiny", answers=RIGHT, then=["n"], runner_out=typists)
    out = second.output
    assert out.startswith(
        "Continuing Tiny test module: 3 of 6 answered. (Use --restart to begin again.)"
    )
    assert typists[1].asked == order[3:]
    assert re.findall(r"Question (\d) of 6", out) == ["4", "5", "6"]
    assert "Module complete: 6 of 6 correct (100%)." in out
    assert [a.question_id for a in attempts(home)] == order
    assert [s.status for s in sessions(home)] == ["completed"]


SEED = ["--seed", "5"]


def _order_for(home: Path) -> list[str]:
    """Start the module with SEED and stop at once, to learn the order SEED gives; then forget it."""
    out = cpd(home, "start", "tiny", *SEED, answers={}).output
    first = _asked_order(out)[0]
    store = Store.open(home)
    [session] = store.sessions()
    plan = [qid for _, qid in session.plan]
    store.db.execute("DELETE FROM sessions")
    store.close()
    assert plan[0] == first
    return plan


def test_the_stop_message_counts_answers_as_a_person_writes_them(home):
    order = _order_for(home)
    one = cpd(home, "start", "tiny", *SEED, answers={**RIGHT, order[1]: "q"})
    assert "Stopped. 1 answer saved; `cpd start tiny` continues where you left off." in one.output
    two = cpd(home, "start", "tiny", *SEED, answers={**RIGHT, order[2]: "q"})
    assert "Stopped. 2 answers saved; `cpd start tiny` continues where you left off." in two.output
    assert "answer(s)" not in one.output + two.output
    assert len(attempts(home)) == 2


def test_typing_q_stops_like_end_of_input(home):
    order = _order_for(home)
    result = cpd(home, "start", "tiny", *SEED, answers={**RIGHT, order[1]: "q"})
    assert "Stopped. 1 answer saved;" in result.output
    assert result.exit_code == 0
    assert len(attempts(home)) == 1


def test_restart_starts_afresh_and_keeps_earlier_attempts(home):
    order = _order_for(home)
    cpd(home, "start", "tiny", *SEED, answers={**WRONG, order[2]: EOF})
    assert len(attempts(home)) == 2
    out = cpd(home, "start", "tiny", "--restart", answers=RIGHT, then=["n"]).output
    assert "Continuing" not in out
    assert re.findall(r"Question (\d) of 6", out) == ["1", "2", "3", "4", "5", "6"]
    assert "Module complete: 6 of 6 correct (100%)." in out
    assert [s.status for s in sessions(home)] == ["abandoned", "completed"]
    history = attempts(home)
    assert len(history) == 8 and [a.correct for a in history[:2]] == [False, False]


# --- Mistakes a person can make ------------------------------------------------------------------


def test_unknown_module_is_one_line_suggesting_cpd_modules_exit_2(home):
    result = cpd(home, "start", "tinny")
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "'tinny'" in line and "`cpd modules`" in line
    assert "did you mean 'tiny'?" in line


def test_corrupt_database_is_named_and_left_byte_for_byte(home):
    home.mkdir(parents=True)
    database = home / DB_NAME
    database.write_bytes(b"SQLite format 2\x00" + bytes(range(256)) * 20)
    before = database.read_bytes()
    result = cpd(home, "start", "tiny", answers=RIGHT)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {database} is not a readable scr-cpd progress database (it may be damaged); it has been "
        "left untouched — move it aside, or use --home to start elsewhere"
    )
    assert database.read_bytes() == before


def test_home_folder_that_cannot_be_written_is_named(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    result = cpd(afile / "sub", "start", "tiny")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: cannot write to the home folder {afile / 'sub'} (Not a directory); choose another with --home or SCR_CPD_HOME"
    )


def test_end_of_input_in_the_retake_says_so_and_keeps_its_answers(home):
    first, second = [q for q in _order_for(home) if q in ("q-single", "q-numeric")]
    answers = {**RIGHT, first: [WRONG[first], RIGHT[first]], second: [WRONG[second]]}
    result = cpd(home, "start", "tiny", *SEED, answers=answers, then=["y"])
    assert result.exit_code == 0
    retake = result.output.split("Retake the 2 questions you missed? [Y/n] y", 1)[1]
    assert "Retake stopped. 1 answer saved." in retake
    assert [s.status for s in sessions(home)] == ["completed", "abandoned"]
    assert len(attempts(home)) == 7


# --- Global options anywhere, forgiving grading, one answer per match -----------------------


def test_global_options_are_accepted_after_the_subcommand_too(home):
    # Options after the subcommand, as a person types them (no --plain or --home before it).
    result = CliRunner().invoke(app, ["start", "tiny", "--plain", "--home", str(home)], input="q\n")
    assert result.exit_code == 0, result.output
    assert "Stopped. 0 answers saved" in result.output
    assert Store.open(home).sessions()  # the session went to --home
    for args in (["modules", "--plain", f"--home={home}"], ["progress", "--home", str(home)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0 and "tiny" in result.output, (args, result.output)


def test_short_answers_forgive_case_spacing_hyphens_punctuation_and_accents(home):
    answers = {**RIGHT, "q-short": "  pÁris!! "}
    out = cpd(home, "start", "tiny", answers=answers, then=["n"]).output
    assert out.count("Correct ✓") == 6


def test_a_number_may_carry_the_questions_unit(home, tmp_path, monkeypatch):
    bank = (tmp_path / "banks" / "tiny.yaml").read_text(encoding="utf-8")
    bank = bank.replace("    answer: 7\n", "    answer: 7\n    unit: days\n")
    (tmp_path / "banks" / "tiny.yaml").write_text(bank, encoding="utf-8")
    answers = {**RIGHT, "q-numeric": ["7 weeks", "7 days"]}
    out = cpd(home, "start", "tiny", answers=answers, then=["n"]).output
    assert "Type a number, for example 24 or 24 days." in out  # "weeks" is not its unit
    assert out.count("Correct ✓") == 6
    [numeric] = [a for a in attempts(home) if a.question_id == "q-numeric"]
    assert numeric.response == 7


def test_matching_cannot_give_one_answer_to_two_items(home):
    answers = {**RIGHT, "q-matching": ["aa", "ba"]}
    out = cpd(home, "start", "tiny", answers=answers, then=["n"]).output
    assert "Each letter goes with one item only; a was given twice." in out
    assert out.count("Correct ✓") == 6 and len(attempts(home)) == 6


def test_start_without_a_module_opens_the_chooser_with_status_and_best(home):
    cpd(home, "start", "tiny", answers=RIGHT, then=["n"])
    result = cpd(home, "start", then=["q"])
    assert result.exit_code == 0
    assert "Which module?" in result.output
    assert "Tiny test module · passed, best 100%" in result.output
    assert "Back" in result.output


# --- Start-up ----------------------------------------------------------------------------------


def test_start_collects_no_garbage_until_the_first_prompt_and_always_turns_collection_back_on(
    home, monkeypatch
):
    """Start-up runs without the cyclic collector (it only re-scanned what start-up builds);
    it is back on, with start-up's objects frozen out of it, once a prompt waits for the
    person, and after every ending: finished, stopped, or an unknown module."""
    import gc

    collections: list[int] = []
    at_prompt: list[tuple[bool, int]] = []
    typist_readline = Typist.readline

    def readline(self, size: int = -1) -> str:
        if not at_prompt:
            at_prompt.append((gc.isenabled(), len(collections)))
        return typist_readline(self, size)

    def count(phase: str, info: dict) -> None:
        if phase == "start" and start_seen:
            collections.append(info["generation"])

    start_seen: list[bool] = []
    monkeypatch.setattr(Typist, "readline", readline)
    import scr_cpd.cli.console as console

    hold = console.hold_collector
    monkeypatch.setattr(console, "hold_collector", lambda: (start_seen.append(True), hold()))
    frozen = gc.get_freeze_count()
    gc.callbacks.append(count)
    try:
        result = cpd(home, "start", "tiny", answers=RIGHT, then=["n", ""])
    finally:
        gc.callbacks.remove(count)
    assert "Module complete: 6 of 6 correct" in result.output
    assert start_seen and at_prompt == [(True, 0)]  # on at the first prompt; none ran before it
    assert gc.get_freeze_count() > frozen and gc.isenabled()
    assert cpd(home, "start", "tiny", "--restart", answers={}).exit_code == 0  # stopped
    assert gc.isenabled()
    assert cpd(home, "start", "nothing-here").exit_code == 2
    assert gc.isenabled()
