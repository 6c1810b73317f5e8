"""What a person sees: the installed `cpd` in a pseudo-terminal, its output rendered by pyte on
an 80×24 screen. Walks every item of the home menu and its sub-menus (Back included), answers
every question type with the number and letter keys, and presses Ctrl-C at every kind of prompt;
asserts on the screen, then on the store."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from helpers import TINY, TINY_PROMPTS

from scr_cpd.progress import reflections as rf
from scr_cpd.progress.store import Store

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

CPD = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "cpd"
pytestmark = pytest.mark.skipif(not CPD.exists(), reason="the installed .venv/bin/cpd is needed")
ENTER, CTRL_C, ESC = "\r", "\x03", "\x1b"
ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>78])|\r")
READY = "(number or arrow keys, then Enter)"  # a numbered menu waits for a key
# The right answer to each tiny question, by keys: numbers in numbered lists, letters in
# matching (the right-hand side is shown crossed: a) Woof, b) Miaow).
RIGHT = {
    "q-single": ["1" + ENTER],
    "q-multiple": ["13" + ENTER],
    "q-true-false": ["1" + ENTER],
    "q-numeric": ["7" + ENTER],
    "q-short": ["paris" + ENTER],
    "q-matching": ["b" + ENTER, "a" + ENTER],
}
PROMPT_READY = {
    "q-single": READY,
    "q-true-false": READY,
    "q-multiple": "(space or number to tick, Enter to submit)",
    "q-numeric": "? Your answer:",
    "q-short": "? Your answer:",
    "q-matching": "(letter or arrow keys, then Enter)",
}


class Terminal:
    """The real `cpd` in a pty, its output rendered on a rows×cols screen."""

    def __init__(self, *args: str, home: Path, cwd: Path, rows: int = 24, cols: int = 80, **env):
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        environ = dict(os.environ, SCR_CPD_HOME=str(home), TERM="xterm-256color")
        environ.update(env)
        environ.pop("COLUMNS", None)
        environ.pop("LINES", None)
        self.child = pexpect.spawn(
            str(CPD), list(args), env=environ, cwd=str(cwd), dimensions=(rows, cols)
        )
        self.fresh = ""  # what was printed since the last key was sent, escapes removed

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def pump(self, quiet: float = 0.1, timeout: float = 10) -> str:
        """Feed output to the screen until nothing new arrives for `quiet` seconds."""
        end, last = time.time() + timeout, time.time()
        while time.time() < end and time.time() - last < quiet:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.05)
                self.stream.feed(chunk)
                if b"\x1b[6n" in chunk:  # where is the cursor? (a terminal answers at once)
                    cursor = self.screen.cursor
                    self.child.send(f"\x1b[{cursor.y + 1};{cursor.x + 1}R")
                self.fresh += ESCAPES.sub("", chunk.decode("utf-8", "replace"))
                last = time.time()
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                break
        return self.text

    def wait(self, shown: str, timeout: float = 10) -> str:
        """Pump until `shown` has been printed since the last key was sent, and is on the
        screen; returns the screen once the output has settled."""
        end = time.time() + timeout
        while shown not in self.fresh or shown not in self.text:
            if time.time() > end:
                raise AssertionError(f"{shown!r} never appeared on:\n{self.text}")
            self.pump(0.02, timeout=1)
        return self.pump()

    def send(self, keys: str, then: str | None = None) -> str:
        self.fresh = ""
        self.child.send(keys)
        return self.wait(then) if then else self.pump()

    def end(self) -> int:
        self.child.expect(pexpect.EOF, timeout=10)
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def where(tmp_path, monkeypatch):
    banks = tmp_path / "banks"
    banks.mkdir()
    shutil.copy(TINY, banks / "tiny.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(banks))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def open_cpd(where: Path, *args: str, **kw) -> Terminal:
    return Terminal(*args, home=where / "home", cwd=where, **kw)


def attempts(where: Path):
    store = Store.open(where / "home")
    try:
        return store.attempts()
    finally:
        store.close()


def question_on_screen(t: Terminal) -> str:
    """The id of the (last) tiny question on the screen."""
    lines = t.text.splitlines()
    return next(TINY_PROMPTS[line] for line in reversed(lines) if line in TINY_PROMPTS)


def answer(t: Terminal, qid: str, keys: list[str] | None = None) -> None:
    t.wait(PROMPT_READY[qid])
    for n, key in enumerate(keys or RIGHT[qid]):
        if n:  # the next item of a matching question
            t.wait("(letter or arrow keys, then Enter)")
        t.send(key)


# --- A module, every question type ---------------------------------------------------------


def test_a_whole_module_with_number_and_letter_keys_and_the_verdict_stays_on_screen(where):
    t = open_cpd(where, "start", "tiny", "--seed", "5")
    asked = []
    for number in range(1, 7):
        t.wait(f"Question {number} of 6")
        qid = question_on_screen(t)
        asked.append(qid)
        answer(t, qid)
        t.wait("How sure were you?")
        t.wait(READY)
        screen = t.send("1" + ENTER, then="Enter for the next question")
        # The verdict, the why and the citation are all on the screen while it waits.
        assert "Correct ✓" in screen and "Why:" in screen and "Briefing p." in screen
        assert screen.splitlines()[-1].strip() != "" or "Enter for the next question" in screen
        t.send(ENTER)
    screen = t.wait("Write a reflection for your CPD log now?")
    assert "Module complete: 6 of 6 correct (100%). Pass mark 50%: Passed." in screen
    t.send("n")
    assert t.end() == 0
    assert sorted(asked) == sorted(TINY_PROMPTS.values())
    assert [(a.question_id, a.correct, a.confidence) for a in attempts(where)] == [
        (q, True, "sure") for q in asked
    ]


def test_wrong_answers_name_what_was_wrong_and_missed_and_one_answer_per_match(where):
    t = open_cpd(where, "--interactive", "start", "tiny", "--seed", "5")
    seen = {}
    for number in range(1, 7):
        t.wait(f"Question {number} of 6")
        qid = question_on_screen(t)
        if qid == "q-matching":
            t.wait("(letter or arrow keys, then Enter)")
            t.send("a" + ENTER, then="Dog →")
            # Woof is given to Cat: the second menu cannot give it again.
            screen = t.wait("(letter or arrow keys, then Enter)")
            assert "- Woof (given to Cat)" in screen
            t.send(ENTER)
        else:
            wrong = {
                "q-single": ["2" + ENTER],
                "q-multiple": ["12" + ENTER],
                "q-true-false": ["2" + ENTER],
                "q-numeric": ["8" + ENTER],
                "q-short": ["Lyon" + ENTER],
            }[qid]
            answer(t, qid, wrong)
        t.wait(READY)
        seen[qid] = t.send(ENTER, then="Enter for the next question")  # Enter: Skip
        t.send(ENTER)
    assert "✗ Four — missed: this one is right too." in seen["q-multiple"]
    assert "✗ Three — chosen, but not right. Three is odd." in seen["q-multiple"]
    assert "✓ Two — chosen, and right. Two is even." in seen["q-multiple"]
    assert "✗ Cat → Woof; the match is Miaow" in seen["q-matching"]
    assert "✗ Dog → Miaow; the match is Woof" in seen["q-matching"]
    assert "The answer: Paris" in seen["q-short"]
    t.wait("Retake the 6 questions you missed?")
    assert "Stopped." in t.send(CTRL_C, then="Stopped.")  # Ctrl-C at a yes/no question
    assert t.end() == 0
    stored = attempts(where)
    assert len(stored) == 6 and not any(a.correct for a in stored)
    assert all(a.confidence is None for a in stored)  # Skip stores no confidence


# --- Ctrl-C at every kind of prompt --------------------------------------------------------


def test_ctrl_c_at_the_confidence_prompt_keeps_the_answer(where):
    t = open_cpd(where, "start", "tiny", "--seed", "5")
    t.wait("Question 1 of 6")
    qid = question_on_screen(t)
    answer(t, qid)
    t.wait("How sure were you?")
    t.wait(READY)
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Stopped. 1 answer saved; `cpd start tiny` continues" in screen
    assert t.end() == 0
    [kept] = attempts(where)
    assert (kept.question_id, kept.correct, kept.confidence) == (qid, True, None)


def test_ctrl_c_at_a_question_and_at_the_pause_keeps_what_was_answered(where):
    t = open_cpd(where, "start", "tiny", "--seed", "5")
    t.wait("Question 1 of 6")
    answer(t, question_on_screen(t))
    t.wait(READY)
    t.send("2" + ENTER, then="Enter for the next question")
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Stopped. 1 answer saved" in screen
    assert t.end() == 0
    # Quitting at a question: the next run continues after the one answer...
    t = open_cpd(where, "start", "tiny", "--seed", "5")
    screen = t.wait("Question 2 of 6")
    assert "Continuing Tiny test module: 1 of 6 answered." in screen
    qid = question_on_screen(t)
    t.wait(PROMPT_READY[qid])
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Stopped. 1 answer saved" in screen
    assert t.end() == 0
    assert len(attempts(where)) == 1


# --- The home menu and its sub-menus -------------------------------------------------------


def home(t: Terminal) -> str:
    return t.wait(READY)


def pick(t: Terminal, label: str) -> str:
    """Press the number (or letter) shown before `label` in the menu on the screen."""
    line = next(line for line in reversed(t.text.splitlines()) if label in line)
    key = line.strip().lstrip("»").strip()[0]
    return t.send(key + ENTER)


def test_home_menu_every_item_and_back_returns_to_it(where):
    t = open_cpd(where)
    screen = home(t)
    assert "What would you like to do?" in screen and "5) Quit" in screen
    # Choose a module -> the modules, with their status -> Back.
    pick(t, "Choose a module")
    screen = t.wait("Back")
    assert "Tiny test module · not started" in screen
    pick(t, "Back")
    screen = home(t)
    assert "? Which module? Back" in screen and screen.rstrip().endswith("5) Quit")
    # Write a reflection -> the modules -> Back.
    pick(t, "Write a reflection")
    t.wait("A free reflection (no module)")
    pick(t, "Back")
    assert "? Which module is this reflection about? Back" in home(t)
    # See my progress waits before the menu is drawn again.
    pick(t, "See my progress")
    screen = t.wait("Enter to go back to the menu")
    assert (
        "Modules passed: 0 of" in screen
        and "What would you like to do?" not in screen.split("See my progress")[-1]
    )
    t.send(ENTER)
    home(t)
    # Export -> Back; then Export -> JSON, here, no masking.
    pick(t, "Export my CPD log")
    t.wait("Back")
    pick(t, "Back")
    assert "? Which format? Back" in home(t)
    pick(t, "Export my CPD log")
    t.wait("Back")
    pick(t, "JSON")
    # No name in the profile yet: asked for first, so the file's suggested name carries it.
    t.wait("Your name for the log")
    screen = t.send("Sam Jones" + ENTER, then="Where should it be written?")
    assert "cpd-log-sam-jones-" in screen.replace("\n", "")  # the long path wraps
    t.send(ENTER, then="Mask text that may identify someone")
    screen = t.send("n", then="Enter to go back to the menu")
    assert "Wrote" in screen and "CPD hours" in screen
    t.send(ENTER)
    home(t)
    # Ctrl-C part-way through an export goes back to the menu, writing nothing.
    pick(t, "Export my CPD log")
    t.wait("Back")
    pick(t, "HTML")
    t.wait("Where should it be written?")
    t.send(CTRL_C, then="Stopped; back to the menu")
    home(t)
    pick(t, "Quit")
    assert t.end() == 0
    assert len(list(where.glob("cpd-log-sam-jones-*.json"))) == 1
    assert not list(where.glob("cpd-log-*.html"))


def test_ctrl_c_at_exports_name_prompt_stops_and_writes_nothing(where):
    t = open_cpd(where, "export", "-o", "log.json")
    t.wait("Your name for the log (Enter to leave it out):")
    assert "[]" not in t.text  # no empty default shown
    screen = t.send(CTRL_C, then="Stopped. Nothing was exported.")
    assert "Aborted" not in screen
    assert t.end() == 130
    assert not (where / "log.json").exists()


def test_continue_from_the_menu_and_the_module_chooser_ask_no_flag(where):
    t = open_cpd(where, "start", "tiny", "--seed", "5")
    t.wait("Question 1 of 6")
    answer(t, question_on_screen(t))
    t.wait(READY)
    t.send("2" + ENTER, then="Enter for the next question")
    t.send(CTRL_C, then="Stopped.")
    t.end()
    t = open_cpd(where)
    home(t)
    pick(t, "Continue Tiny test module")
    screen = t.wait("Question 2 of 6")
    assert "Continuing Tiny test module: 1 of 6 answered." in screen
    assert "--restart" not in screen
    t.wait(PROMPT_READY[question_on_screen(t)])
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Stopped. 1 answer saved; “Continue” in the menu goes on" in screen
    # Back at the home menu: nothing was lost, and the menu is still there.
    home(t)
    pick(t, "Choose a module")
    t.wait("Tiny test module · in progress")
    pick(t, "Tiny test module")
    screen = t.wait("Start again")
    assert "Tiny test module: 1 of 6 answered." in screen
    pick(t, "Back")
    home(t)
    t.send(CTRL_C)
    assert t.end() == 0
    assert len(attempts(where)) == 1


def the_one_reflection(where: Path) -> rf.ReflectionEntry:
    """The store's only reflection (the test fails if there are none or several)."""
    store = Store.open(where / "home")
    [entry] = rf.all_entries(store)
    store.close()
    return entry


def test_a_free_reflection_stopped_part_way_is_kept_marked_and_offered(where):
    t = open_cpd(where, "reflect")
    t.wait("A free reflection (no module)")
    pick(t, "A free reflection (no module)")
    t.wait("Write my own prompt")
    pick(t, "Write my own prompt")
    t.wait("What is this reflection about?")
    t.send("A night shift I keep thinking about" + ENTER, then="What? What happened")
    t.send("A neighbour called about a crying baby.")
    t.send(ESC + ENTER, then="So what?")
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Whatever you finished writing is saved" in screen
    t.end()
    entry = the_one_reflection(where)
    assert entry.module_id is None and entry.what == "A neighbour called about a crying baby."
    assert entry.is_unfinished
    from helpers import cpd

    listing = cpd("reflections", "list", home=where / "home").output
    assert "unfinished (1 of 3)" in listing and "Finish an unfinished one" in listing
    # The home menu offers to finish it; the missing answers are asked, nothing else.
    t = open_cpd(where)
    home(t)
    pick(t, "Finish your reflection")
    t.wait("So what?")
    t.send("Babies cannot speak for themselves." + ESC + ENTER, then="Now what?")
    t.send("Ask to see the baby." + ESC + ENTER, then="Saved reflection")
    home(t)
    t.send(CTRL_C)
    t.end()
    entry = the_one_reflection(where)
    assert not entry.is_unfinished and entry.now_what == "Ask to see the baby."


def test_a_reflection_is_checked_field_by_field_and_edit_starts_from_the_text(where):
    t = open_cpd(where, "reflect", "tiny")
    t.wait("What did you learn from this tiny module?")
    pick(t, "What did you learn from this tiny module?")
    t.wait("What? What happened")
    t.send("I spoke to Mrs Smith about it." + ESC + ENTER)
    screen = t.wait("Edit it now?")
    assert "a name (Mrs Smith)" in screen
    t.send("y", then="What? What happened")
    # The box holds the text as written: delete the name's two words and go on.
    t.send("\x01" + "\x1bf" * 4 + "\x1b\x7f" * 2 + "a parent" + ESC + ENTER, then="So what?")
    t.send(CTRL_C, then="Stopped.")
    t.end()
    entry = the_one_reflection(where)
    assert entry.what == "I spoke to a parent about it."


def test_ctrl_c_while_writing_an_answer_keeps_what_was_typed_but_not_an_edit(where):
    t = open_cpd(where, "reflect", "tiny")
    t.wait("What did you learn from this tiny module?")
    pick(t, "What did you learn from this tiny module?")
    t.wait("What? What happened")
    t.send("A cold house." + ESC + ENTER, then="So what?")
    t.send("Neglect can hide" + ENTER + "other harm")
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Kept what you had written for “So what?”" in screen
    assert t.end() == 0
    entry = the_one_reflection(where)
    assert (entry.what, entry.so_what, entry.now_what) == (
        "A cold house.",
        "Neglect can hide\nother harm",
        "",
    )
    assert entry.seconds > 0  # the time spent on the kept answer counts
    # Changing a written answer and pressing Ctrl-C leaves it as it was.
    t = open_cpd(where, "reflections", "edit", entry.uid, "--field", "so-what")
    t.wait("So what?")
    t.send(" and more")
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Kept what" not in screen
    t.end()
    again = the_one_reflection(where)
    assert again.so_what == "Neglect can hide\nother harm"


def test_plain_mode_ctrl_c_while_writing_keeps_the_lines_typed(where):
    t = open_cpd(where, "--plain", "reflect", "tiny")
    t.wait("Your choice (q to quit):")
    t.send("1" + ENTER, then="What? What happened")
    t.send("First line" + ENTER + "second line" + ENTER, then="> ")
    screen = t.send(CTRL_C, then="Stopped.")
    assert "Kept what you had written for “What?”" in screen
    assert t.end() == 0
    entry = the_one_reflection(where)
    assert entry.what == "First line\nsecond line" and entry.is_unfinished


def test_ctrl_c_while_writing_a_follow_up_keeps_the_impact_typed(where):
    store = Store.open(where / "home")
    uid = rf.create(store, "A prompt", first=("now_what", "Ask to see the child alone.", 5.0))
    store.close()
    t = open_cpd(where, "reflections", "follow-up", uid)
    t.wait("did you? What changed?")
    t.send("I did, twice")
    screen = t.send(CTRL_C, then="Stopped.")
    assert f"Kept what you had written as the impact of {uid}." in screen
    t.end()
    entry = the_one_reflection(where)
    assert entry.impact == "I did, twice" and entry.impact_at


# --- Plain mode in a terminal --------------------------------------------------------------


def stop_at_question_one(t: Terminal, prompt: str) -> str:
    screen = t.wait(prompt)
    if "q to stop" in prompt:
        t.child.sendline("q")
    else:
        t.send(CTRL_C)
    t.wait("Stopped.")
    assert t.end() == 0
    return screen


def test_plain_mode_term_dumb_the_plain_setting_and_the_introduction_each_time(where):
    from helpers import cpd

    # TERM=dumb chooses plain; quitting at question 1 shows the introduction again next time.
    screen = stop_at_question_one(
        open_cpd(where, "start", "tiny", "--seed", "5", TERM="dumb"), "q to stop):"
    )
    assert "Your answer (" in screen and "One question of each type, for tests." in screen
    screen = stop_at_question_one(
        open_cpd(where, "start", "tiny", "--plain", "--seed", "5"), "q to stop):"
    )
    assert "One question of each type, for tests." in screen and "Continuing" not in screen
    # Plain mode on a terminal wraps at a word, not mid-word at the screen's edge.
    lines = screen.splitlines()
    assert all(len(line) <= 80 for line in lines)
    sentence = "6 questions, about 5 minutes. Type q at any prompt to stop; your answers are kept."
    assert sentence in " ".join(line.strip() for line in lines) and sentence not in screen
    # `cpd settings plain on` makes plain the default; --interactive still gives the menus.
    assert cpd("settings", "plain", "on", home=where / "home").exit_code == 0
    screen = stop_at_question_one(open_cpd(where, "start", "tiny", "--seed", "5"), "q to stop):")
    assert "Your answer (" in screen
    t = open_cpd(where, "start", "tiny", "--interactive")
    t.wait("Question 1 of 6")
    stop_at_question_one(t, PROMPT_READY[question_on_screen(t)])


def test_menus_wrap_long_entries_at_120_columns_too(where):
    t = open_cpd(where, "reflect", "neglect", rows=40, cols=120)
    screen = t.wait(READY)
    lines = [line for line in screen.splitlines() if line.strip()]
    assert all(len(line) <= 120 for line in lines)
    entry = next(i for i, line in enumerate(lines) if line.lstrip(" »").startswith("1) "))
    # A long prompt goes on, indented under its own text, instead of being cut.
    assert lines[entry + 1].startswith(" " * 6) and not lines[entry + 1].startswith(" " * 7)
    t.send(CTRL_C)
    assert t.end() == 0


def test_a_chosen_prompt_is_echoed_in_one_line_then_shown_whole_once(where):
    from scr_cpd.content.loader import load_library

    prompt = load_library(where).get("neglect").reflections[0].prompt
    t = open_cpd(where, "reflect", "neglect")
    t.wait(READY)
    screen = t.send("1" + ENTER, then="What? What happened")
    lines = screen.splitlines()
    echo = next(i for i, line in enumerate(lines) if line.startswith("? Choose a prompt: "))
    assert lines[echo].endswith("…") and len(lines[echo]) <= 80
    # On a 24-row screen the prompt is printed whole once, not twice, above the first answer.
    after = " ".join(" ".join(lines[echo + 1 :]).split())
    assert after.count(" ".join(prompt.split())) == 1, screen
    assert lines[echo + 1].strip() == "" or prompt.startswith(lines[echo + 1].strip()), screen
    t.send(CTRL_C)
    assert t.end() == 0


def test_a_long_answer_is_echoed_whole_once_chosen(where):
    import yaml

    bank = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    single = next(q for q in bank["questions"] if q["id"] == "q-single")
    long_text = "Green, the colour of grass in spring after a week of rain " * 3
    single["options"][1]["text"] = long_text.strip()
    bank["questions"] = [single]
    (where / "banks" / "tiny.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    t = open_cpd(where, "start", "tiny")
    t.wait(READY)
    t.send("2" + ENTER, then="How sure were you?")
    echo = t.text.split("? Your answer:", 1)[1].split("? How sure were you?")[0]
    # questionary's own echo clipped a folded entry at the screen's edge; every word is there now
    assert " ".join(echo.split()) == " ".join(long_text.split())
    t.send(CTRL_C)
    t.end()


def test_feedback_that_wraps_keeps_its_indent_on_every_line(where):
    import yaml

    bank = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    single = next(q for q in bank["questions"] if q["id"] == "q-single")
    single["options"][1]["feedback"] = "Green is the grass. " * 8  # wraps at 80 columns
    bank["questions"] = [single]
    (where / "banks" / "tiny.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    t = open_cpd(where, "start", "tiny")
    t.wait(READY)
    t.send("2" + ENTER, then="How sure were you?")
    t.wait(READY)
    screen = t.send(ENTER, then="Enter for the next question")
    lines = screen.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  Green is the grass."))
    wrapped = lines[first + 1]
    assert wrapped.startswith("  ") and wrapped[2] != " " and "grass" in wrapped, screen
    t.send(CTRL_C)
    t.end()


def only_the_single_question(where: Path) -> None:
    import yaml

    bank = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    bank["questions"] = [q for q in bank["questions"] if q["id"] == "q-single"]
    (where / "banks" / "tiny.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")


def test_the_first_choices_are_readable_before_the_menu_loads_and_a_key_typed_then_counts(where):
    only_the_single_question(where)
    t = open_cpd(where, "start", "tiny")
    end = time.time() + 10
    while "   2) Green" not in t.fresh:  # the choices, drawn before the menu is ready
        assert time.time() < end, t.text
        t.pump(0.01, timeout=0.5)
    assert READY not in t.fresh  # read before the menu: its instruction is not there yet
    t.child.send("2")  # typed while the menu loads: the menu gets it
    screen = t.wait(READY)
    # The menu took the choices' place: each once, the pointer on the one typed.
    lines = screen.splitlines()
    assert [line for line in lines if line.strip().endswith(("Blue", "Green", "Red"))] == [
        "   1) Blue",
        " » 2) Green",
        "   3) Red",
    ], screen
    assert sum(line.startswith("? Your answer:") for line in lines) == 1, screen
    t.send(ENTER, then="How sure were you?")
    t.send(CTRL_C)
    t.end()
    assert [(a.question_id, a.correct) for a in attempts(where)] == [("q-single", False)]


def test_no_early_choices_when_they_would_not_fit_on_the_screen(where):
    only_the_single_question(where)
    t = open_cpd(where, "start", "tiny", rows=4)
    t.wait("(number or arrow keys")
    # Moving back up over lines scrolled off the screen is not possible: the menu alone draws.
    assert t.fresh.count("? Your answer:") == 1, t.fresh
    t.send(CTRL_C)
    t.end()


def test_a_checklist_first_is_readable_early_too_and_one_question_is_one_question(where):
    import yaml

    bank = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    bank["questions"] = [q for q in bank["questions"] if q["id"] == "q-multiple"]
    (where / "banks" / "tiny.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    t = open_cpd(where, "start", "tiny")
    end = time.time() + 10
    while "○ 3. Four" not in t.fresh:
        assert time.time() < end, t.text
        t.pump(0.01, timeout=0.5)
    assert "(space or number" not in t.fresh and "1 question, about" in t.fresh
    screen = t.wait(PROMPT_READY["q-multiple"])
    assert [line for line in screen.splitlines() if "○" in line] == [
        " » ○ 1. Two",
        "   ○ 2. Three",
        "   ○ 3. Four",
    ], screen
    t.send(CTRL_C)
    t.end()


def test_ctrl_c_while_the_menu_loads_stops_as_at_the_menu(where):
    only_the_single_question(where)
    t = open_cpd(where, "start", "tiny")
    end = time.time() + 10
    while "   2) Green" not in t.fresh:
        assert time.time() < end, t.text
        t.pump(0.01, timeout=0.5)
    t.child.send(CTRL_C)  # the menu may be loading still, or just ready: the same either way
    screen = t.wait("Stopped.")
    assert "Traceback" not in t.fresh
    assert "Stopped. 0 answers saved; `cpd start tiny` continues where you left off." in screen
    assert t.end() == 0
    assert attempts(where) == []


# --- tables at 80 columns: nothing wider than the screen, nothing broken mid-word --------------


def printed_lines(t: Terminal) -> list[str]:
    return [line.rstrip("\r") for line in t.fresh.split("\n")]


def assert_fits(t: Terminal, cols: int = 80) -> None:
    wide = [line for line in printed_lines(t) if len(line) > cols]
    assert not wide, "printed wider than the screen:\n" + "\n".join(wide)


def test_a_team_summary_fits_an_80_column_terminal(where):
    import json

    from test_signing import signed_log

    team = where / "team"
    team.mkdir()
    for seed, name in enumerate(["PCSO 1002 Eilidh Hughes-Montgomery", "PC 7 Al Li", "DC 3 Jo"]):
        doc = signed_log(seed=seed + 1, name=name, staff=str(1000 + seed))
        (team / f"officer-number-{seed}.json").write_text(json.dumps(doc), encoding="utf-8")
    t = open_cpd(where, "review", "summary", "team")
    t.wait("3 files shown")
    assert t.end() == 1  # nobody's key is trusted here
    assert_fits(t)
    screen = t.text
    for seed in range(3):  # each file named whole, under its officer's figures
        assert f"team/officer-number-{seed}.json" in screen
    rows = re.findall(r"^(\S.*?)\s+\d+\s+\d+\.\d\d\s+\d+/\d+.*(\d{4}-\d\d-\d\d)$", screen, re.M)
    names = [name for name, _ in rows]
    assert names[:2] == ["DC 3 Jo", "PC 7 Al Li"]  # a name too long for the room is cut at its end
    assert names[2].startswith("PCSO 1002 Eilidh Hughes") and names[2].endswith("…")
    assert "check each officer's\nfingerprint" in screen or "fingerprint with them" in screen


def test_the_list_of_reflections_keeps_ids_whole_at_80_columns(where):
    store = Store.open(where / "home")
    try:
        for module in ("information-sharing", "disclosure-and-abe"):
            uid = rf.create(store, "Think of the last referral or record you wrote " * 3, module)
            rf.set_tags(store, uid, ["analyse-critically", "integrity"])
    finally:
        store.close()
    t = open_cpd(where, "reflections", "list")
    t.wait("disclosure-and-abe")
    assert t.end() == 0
    assert_fits(t)
    ids = re.findall(r"^(r-\d{8}-[0-9a-f]{6})\s+\d{4}-\d\d-\d\d\s+(\S+)\s+done$", t.text, re.M)
    assert [module for _, module in ids] == ["information-sharing", "disclosure-and-abe"]
    assert "  Think of the last referral" in t.text  # the prompt, on a line of its own


def test_bank_stats_folds_a_long_flag_under_its_column_at_80_columns(where):
    import yaml
    from helpers import TINY as tiny

    bank = yaml.safe_load(tiny.read_text(encoding="utf-8"))
    question = next(q for q in bank["questions"] if q["type"] == "single")
    question["options"][1]["text"] = "A green sky, which is what a long wrong option says " * 2
    (where / "banks" / "tiny.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    from scr_cpd.content.loader import load_library

    built = {q.id: q for q in load_library(where / "home").get("tiny").questions}[question["id"]]
    store = Store.open(where / "home")
    try:
        for _ in range(3):
            session = store.start_session("practice", "tiny", [("tiny", built.id)])
            store.record_attempt(
                session.id, "tiny", built.id, built.revision, built.content_hash, 1, False, 9.0
            )
    finally:
        store.close()
    t = open_cpd(where, "bank", "stats", "tiny", "--min-answers", "1")
    t.wait("flagged.")
    assert t.end() == 0
    assert_fits(t)
    lines = t.text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(f"  {built.id} "))
    assert lines[row].split()[1:3] == ["3", "0%"]
    flags_at = lines[row].index("too hard; misleading: ")
    folded = lines[row + 1 : row + 3]  # the flags folded at words under where they start
    assert all(line[:flags_at].isspace() and line[flags_at] != " " for line in folded)
    flags = " ".join(line.strip() for line in [lines[row][flags_at:], *folded])
    assert flags.endswith("was chosen 3 times, the right answer 0 times")
    assert lines[row + 3].strip().startswith("wrong answers: option 2")


def test_hostile_text_in_a_log_cannot_repaint_the_narrow_team_summary(where):
    import json

    from test_review_attacks import hostile_log
    from test_signing import new_key, sign_log

    team = where / "team"
    team.mkdir()
    (team / "jones.json").write_text(json.dumps(sign_log(hostile_log(), new_key(1))), "utf-8")
    t = open_cpd(where, "review", "summary", "team")
    t.wait("1 file shown")
    t.end()
    raw = t.fresh
    assert "\x1b[2J" not in raw and "\x07" not in raw and "\u202e" not in raw
    assert_fits(t)
    lines = t.text.splitlines()
    assert lines[0].startswith("Officer") and lines[3].startswith("PC 1234 Jones")
    assert not any(line.startswith("Verification: valid") for line in lines)
    assert lines[4].split()[:2] == ["unknown", "signer"]  # its verdict, on the line under it
