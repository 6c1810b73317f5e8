"""The interactive (questionary) prompts: driven through prompt_toolkit's pipe input in-process,
and through a pseudo-terminal against the real `python -m scr_cpd` process."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from typer.testing import CliRunner

from scr_cpd.cli.app import app
from scr_cpd.progress.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-bank.yaml"
SRC = Path(__file__).resolve().parent.parent / "src"
DOWN, ENTER, SPACE, CTRL_C, BACKSPACE = "\x1b[B", "\r", " ", "\x03", "\x7f"
SEED = ["--seed", "5"]

# Keys for the right answer to each tiny question (options in bank order; the matching
# right-hand side is shown crossed: Woof, then Miaow).
RIGHT_KEYS = {
    "q-single": ENTER,
    "q-multiple": SPACE + DOWN + DOWN + SPACE + ENTER,
    "q-true-false": ENTER,
    "q-numeric": "7" + ENTER,
    "q-short": "Paris" + ENTER,
    "q-matching": DOWN + ENTER + ENTER,
}
SURE = "1" + ENTER  # "How sure were you?": 1 is Sure (the pointer starts on Skip)
NEXT = ENTER  # "Enter for the next question", after the feedback
PROMPT_READY = {
    "q-single": r"number or arrow keys",
    "q-true-false": r"number or arrow keys",
    "q-multiple": r"space or number to tick",
    "q-numeric": "Your answer",
    "q-short": "Your answer",
    "q-matching": r"letter or arrow keys",
}


@pytest.fixture(autouse=True)
def banks(tmp_path, monkeypatch):
    folder = tmp_path / "banks"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "tiny.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(folder))
    return folder


@pytest.fixture
def keys():
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def run(home: Path, keys, text: str, *args: str):
    keys.send_text(text)
    keys.close()  # end of input: a missing key fails the test instead of hanging it
    result = CliRunner().invoke(app, ["--interactive", "--home", str(home), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def plan_for(home: Path) -> list[str]:
    """The order SEED gives, learnt by starting the module with no keys at all; then forgotten."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        run(home, pipe, "", "start", "tiny", *SEED)
    store = Store.open(home)
    [session] = store.sessions()
    store.db.execute("DELETE FROM sessions")
    store.close()
    return [qid for _, qid in session.plan]


def attempts(home: Path):
    store = Store.open(home)
    try:
        return store.attempts()
    finally:
        store.close()


def test_a_whole_module_answered_with_arrow_keys(tmp_path, keys):
    home = tmp_path / "home"
    order = plan_for(home)
    typed = "".join(RIGHT_KEYS[q] + SURE + NEXT for q in order) + "n"  # "n": no reflection now
    result = run(home, keys, typed, "start", "tiny", *SEED)
    assert result.exit_code == 0
    out = result.output
    assert out.count("Correct ✓") == 6
    assert (
        "Why: Scattered sunlight makes a clear sky look blue.\nBriefing p.7 — Testing the loop"
        in out
    )
    assert "Module complete: 6 of 6 correct (100%). Pass mark 50%: Passed." in out
    assert [(a.question_id, a.response, a.correct, a.confidence) for a in attempts(home)] == [
        (
            q,
            {
                "q-single": 0,
                "q-multiple": [0, 2],
                "q-true-false": True,
                "q-numeric": 7,
                "q-short": "Paris",
                "q-matching": [0, 1],
            }[q],
            True,
            "sure",
        )
        for q in order
    ]


def test_wrong_choice_shows_the_answer_and_the_feedback(tmp_path, keys):
    home = tmp_path / "home"
    order = plan_for(home)
    first = order[0]
    wrong = {
        "q-single": DOWN + ENTER,
        "q-multiple": SPACE + DOWN + SPACE + ENTER,
        "q-true-false": DOWN + ENTER,
        "q-numeric": "8" + ENTER,
        "q-short": "Lyon" + ENTER,
        "q-matching": ENTER + ENTER,
    }[first]
    result = run(home, keys, wrong + SURE + CTRL_C, "start", "tiny", *SEED)
    named = {"q-multiple": "missed: this one is right too", "q-matching": "; the match is "}
    assert "Incorrect ✗" in result.output and named.get(first, "The answer: ") in result.output
    assert "Blind spot: you were sure, and it was wrong." in result.output
    [attempt] = attempts(home)
    assert (attempt.question_id, attempt.correct) == (first, False)


def test_ctrl_c_stops_and_keeps_what_was_answered(tmp_path, keys):
    home = tmp_path / "home"
    order = plan_for(home)
    typed = RIGHT_KEYS[order[0]] + SURE + NEXT + RIGHT_KEYS[order[1]] + SURE + NEXT + CTRL_C
    result = run(home, keys, typed, "start", "tiny", *SEED)
    assert result.exit_code == 0
    assert (
        "Stopped. 2 answers saved; `cpd start tiny` continues where you left off." in result.output
    )
    assert [a.question_id for a in attempts(home)] == order[:2]


def test_bad_input_is_refused_inside_the_prompt_then_corrected(tmp_path, keys):
    home = tmp_path / "home"
    order = plan_for(home)
    fixes = {
        "q-multiple": ENTER + SPACE + DOWN + DOWN + SPACE + ENTER,  # nothing ticked, then two
        "q-numeric": "seven" + ENTER + BACKSPACE * 5 + "7" + ENTER,
        "q-short": "   " + ENTER + "Paris" + ENTER,
    }
    typed = "".join(fixes.get(q, RIGHT_KEYS[q]) + SURE + NEXT for q in order) + "n"
    result = run(home, keys, typed, "start", "tiny", *SEED)
    assert "Select at least one option (space bar), then press Enter." in result.output
    assert result.output.count("Correct ✓") == 6
    assert len(attempts(home)) == 6


def test_home_menu_quits(tmp_path, keys):
    # Choose a module / See my progress / Quit: two downs reach Quit.
    result = run(tmp_path / "home", keys, DOWN + DOWN + ENTER)
    assert result.exit_code == 0
    assert "scr-cpd — learning from serious case reviews" in result.output


# --- A real terminal -------------------------------------------------------------------------

pexpect = pytest.importorskip("pexpect")


def spawn(home: Path, *args: str):
    env = dict(os.environ, PYTHONPATH=str(SRC), SCR_CPD_HOME=str(home), TERM="xterm", NO_COLOR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scr_cpd", *args],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )
    return child


def test_real_terminal_runs_interactive_prompts_and_ctrl_c_keeps_answers(tmp_path):
    home = tmp_path / "home"
    order = plan_for(home)
    child = spawn(home, "start", "tiny", *SEED)
    child.expect("Question 1 of 6")
    # Keys typed before the prompt has the terminal in raw mode would be thrown away.
    child.expect(PROMPT_READY[order[0]])
    child.send(RIGHT_KEYS[order[0]])
    child.expect("How sure were you?")
    child.expect(r"number or arrow keys")
    child.send(SURE)
    child.expect("Correct ✓")
    child.expect("Enter for the next question")
    child.send(NEXT)
    child.expect("Question 2 of 6")
    child.sendintr()  # Ctrl-C, through the terminal
    # At a prompt it stops the module (exit 0); while output is printing it interrupts (130).
    stopped = [
        r"Stopped\. 1 answer saved; `cpd start tiny` continues",
        "Stopped. Everything you answered so far is saved.",
    ]
    which = child.expect(stopped)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == [0, 130][which]
    assert [a.question_id for a in attempts(home)] == order[:1]


def test_real_terminal_plain_flag_gives_numbered_prompts(tmp_path):
    child = spawn(tmp_path / "home", "--plain", "start", "tiny")
    child.expect(r"Your answer \(|For items 1-2")
    child.sendline("q")
    child.expect(r"Stopped\. 0 answers saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_default_key_bindings_are_built_once_and_are_prompt_toolkits_own(keys):
    """Every prompt_toolkit Application used to build its ~600 default key bindings afresh
    (three per questionary menu); they are built once now. Differential: the shared set binds
    the same keys to the same handlers as a freshly built one."""
    import importlib

    from prompt_toolkit.key_binding import defaults
    from prompt_toolkit.key_binding.bindings import auto_suggest, open_in_editor, page_navigation

    from scr_cpd.cli.interactive import _share_default_bindings

    application = importlib.import_module("prompt_toolkit.application.application")
    prompt = importlib.import_module("prompt_toolkit.shortcuts.prompt")  # not the function
    _share_default_bindings()
    _share_default_bindings()  # twice: still one cache, not a cache of a cache
    fresh = {
        (application, "load_key_bindings"): defaults.load_key_bindings,
        (application, "load_page_navigation_bindings"): (
            page_navigation.load_page_navigation_bindings
        ),
        (prompt, "load_auto_suggest_bindings"): auto_suggest.load_auto_suggest_bindings,
        (prompt, "load_open_in_editor_bindings"): open_in_editor.load_open_in_editor_bindings,
    }

    def described(bindings) -> list[tuple]:
        return [(b.keys, b.handler.__qualname__, b.eager is not None) for b in bindings.bindings]

    for (module, name), build in fresh.items():
        shared = getattr(module, name)
        assert shared() is shared(), name
        assert not hasattr(shared.__wrapped__, "cache_info"), name
        assert described(shared()) == described(build()), name
        assert len(described(shared())) > 0


def test_the_early_choices_are_drawn_only_where_the_menu_can_take_their_place(monkeypatch, capsys):
    from scr_cpd.cli import interactive

    monkeypatch.delitem(sys.modules, "questionary", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(interactive, "terminal_width", lambda: 40)
    monkeypatch.setattr(interactive, "terminal_height", lambda: 10)
    assert interactive._preview("Your answer:", ["1) Blue", "2) Green"]) == 3
    assert capsys.readouterr().out == "? Your answer:\n   1) Blue\n   2) Green\n"
    # A line the terminal would wrap, or more lines than the screen holds: nothing drawn.
    assert interactive._preview("A question that runs past forty columns:", ["1) Blue"]) == 0
    assert interactive._preview("Your answer:", [f"{n}) x" for n in range(9)]) == 0
    assert interactive._preview("Your answer:", ["1) 東京東京東京東京東京東京東京東京東京"]) == 0
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert interactive._preview("Your answer:", ["1) Blue"]) == 0
    assert capsys.readouterr().out == ""


def test_keys_are_not_echoed_while_the_first_menu_loads_and_echo_comes_back(monkeypatch):
    import pty
    import select
    import termios

    from scr_cpd.cli.console import echo_held

    leader, follower = pty.openpty()
    with os.fdopen(follower, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)

        def echoes() -> bool:
            return bool(termios.tcgetattr(follower)[3] & termios.ECHO)

        assert echoes()
        with pytest.raises(KeyboardInterrupt):
            with echo_held():
                assert not echoes()
                os.write(leader, b"2\n")  # typed meanwhile: kept for what reads next
                select.select([follower], [], [], 5)  # the terminal has taken the line in
                raise KeyboardInterrupt  # Ctrl-C while questionary loads
        assert echoes()
        assert os.read(follower, 16) == b"2\n"
        os.set_blocking(leader, False)
        try:
            echoed = os.read(leader, 64)
        except BlockingIOError:  # nothing was written back to the screen
            echoed = b""
        assert b"2" not in echoed
        with echo_held(False):
            assert echoes()
    os.close(leader)


@pytest.mark.parametrize("moment", ["loading questionary", "building the menu"])
def test_ctrl_c_at_any_moment_before_the_first_menu_answers_stops_as_at_the_menu(
    monkeypatch, moment
):
    from scr_cpd.cli import interactive
    from scr_cpd.progress.quiz import Stop

    def loading():
        if moment == "loading questionary":
            raise KeyboardInterrupt
        return object()

    monkeypatch.setattr(interactive, "_questionary", loading)
    with pytest.raises(Stop):
        with interactive._questionary_showing("Your answer:", ["1) Blue", "2) Green"]):
            raise KeyboardInterrupt  # while the choices are made and the menu is built
