import sqlite3

import pytest
from helpers import cpd

from scr_cpd.progress import reflections as rf
from scr_cpd.progress.store import Store


def reflect(home, text_lines, module="neglect", prompt_choice="1"):
    return cpd("reflect", module, input="\n".join([prompt_choice, *text_lines]) + "\n", home=home)


def test_reflect_saves_three_fields_and_tags(isolated_home):
    result = reflect(
        isolated_home,
        [
            "I learned to look in the cupboards.",
            "",
            "Neglect hides other harm.",
            "",
            "I will check sleeping arrangements.",
            "",
            "1 5",
        ],
    )
    assert result.exit_code == 0, result.output
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.module_id == "neglect"
    assert entry.prompt_id is not None
    assert entry.what == "I learned to look in the cupboards."
    assert entry.so_what == "Neglect hides other harm."
    assert entry.now_what == "I will check sleeping arrangements."
    assert entry.tags == ["emotionally-aware", "analyse-critically"]
    assert entry.learning_points  # taken from the bank's prompt
    assert f"Saved reflection {entry.uid}" in result.output


def test_multi_line_answers_are_kept(isolated_home):
    reflect(isolated_home, ["first line", "second line", "", "so", "", "now", "", ""])
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.what == "first line\nsecond line"


def test_stopping_midway_keeps_finished_fields(isolated_home):
    # Input ends while the officer is typing "So what?": What? is already committed.
    result = reflect(isolated_home, ["What I saw.", ""])
    assert result.exit_code == 0
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.what == "What I saw."
    assert entry.so_what == ""
    assert "saved" in result.output.lower()


def test_nothing_written_keeps_no_reflection(isolated_home):
    result = reflect(isolated_home, [])
    assert result.exit_code == 0
    assert rf.all_entries(Store.open(isolated_home)) == []


def test_identifier_warning_then_edit(isolated_home):
    # The check runs on each answer as it is saved: the warning comes straight after What?
    lines = [
        "Mrs Smith at SW1A 1AA told me.",
        "",
        "y",
        "A parent told me.",
        "",
        "matters",
        "",
        "act",
        "",
        "",
    ]
    result = reflect(isolated_home, lines)
    assert "Warning" in result.output and "postcode" in result.output
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.what == "A parent told me."


def test_identifier_warning_keep(isolated_home):
    lines = ["Call 07700 900123 was the lead.", "", "n", "matters", "", "act", "", ""]
    result = reflect(isolated_home, lines)
    assert "phone" in result.output.lower()
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert "07700 900123" in entry.what


def test_free_reflection_with_own_prompt(isolated_home):
    # no module: choose "A free reflection" (last module choice), then "Write my own prompt"
    modules = cpd("modules", home=isolated_home)
    assert modules.exit_code == 0
    count = len([line for line in modules.output.splitlines()[1:] if line.strip()])
    result = cpd(
        "reflect",
        input=f"{count + 1}\n1\nA shift I keep thinking about\nwhat\n\nso\n\nnow\n\n\n",
        home=isolated_home,
    )
    assert result.exit_code == 0, result.output
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.module_id is None and entry.prompt == "A shift I keep thinking about"


def test_list_show_edit_delete(isolated_home):
    reflect(isolated_home, ["old what", "", "so", "", "now", "", ""])
    store = Store.open(isolated_home)
    [entry] = rf.all_entries(store)
    listing = cpd("reflections", "list", home=isolated_home)
    assert entry.uid in listing.output
    shown = cpd("reflections", "show", entry.uid, home=isolated_home)
    assert "old what" in shown.output and "Now what?" in shown.output

    edited = cpd(
        "reflections",
        "edit",
        entry.uid,
        "--field",
        "what",
        input="new what\n\n",
        home=isolated_home,
    )
    assert edited.exit_code == 0, edited.output
    after = rf.get(Store.open(isolated_home), entry.uid)
    assert after.what == "new what"
    assert after.created_at == entry.created_at
    assert after.updated_at >= entry.updated_at

    kept = cpd("reflections", "delete", entry.uid, input="n\n", home=isolated_home)
    assert kept.exit_code == 1 and rf.all_entries(Store.open(isolated_home))
    gone = cpd("reflections", "delete", entry.uid, input="y\n", home=isolated_home)
    assert gone.exit_code == 0 and rf.all_entries(Store.open(isolated_home)) == []


def test_unknown_reflection_id_is_one_sentence(isolated_home):
    result = cpd("reflections", "show", "r-nope", home=isolated_home)
    assert result.exit_code == 1
    assert "no reflection with id 'r-nope'" in result.output
    assert "Traceback" not in result.output


def test_unknown_tag_is_a_usage_error(isolated_home):
    result = cpd("reflect", "neglect", "--tag", "bravery", input="1\n", home=isolated_home)
    assert result.exit_code == 2
    assert "unknown tag 'bravery'" in result.output


def test_save_field_commits_immediately(isolated_home):
    store = Store.open(isolated_home)
    uid = rf.create(store, "prompt", "neglect")
    rf.save_field(store, uid, "what", "typed", 12.5)
    other = sqlite3.connect(isolated_home / "progress.db")  # a second connection sees it at once
    assert other.execute(
        "SELECT what, seconds FROM reflections WHERE uid = ?", (uid,)
    ).fetchone() == ("typed", 12.5)


def test_field_time_is_capped(isolated_home):
    store = Store.open(isolated_home)
    uid = rf.create(store, "prompt")
    rf.save_field(store, uid, "what", "x", 10_000)
    assert rf.get(store, uid).seconds == rf.FIELD_CAP_SECONDS


@pytest.mark.parametrize("field", ["nope", "what; DROP TABLE reflections"])
def test_save_field_rejects_unknown_fields(isolated_home, field):
    store = Store.open(isolated_home)
    uid = rf.create(store, "prompt")
    with pytest.raises(rf.ReflectionError):
        rf.save_field(store, uid, field, "x")


def test_a_clashing_id_is_redrawn(isolated_home, monkeypatch):
    store = Store.open(isolated_home)
    ids = iter(["r-20260101-aaaaaa", "r-20260101-aaaaaa", "r-20260101-bbbbbb"])
    monkeypatch.setattr(rf, "new_uid", lambda: next(ids))
    assert rf.create(store, "first") == "r-20260101-aaaaaa"
    assert rf.create(store, "second") == "r-20260101-bbbbbb"


def test_reflection_time_counts_in_progress_as_in_the_log(isolated_home):
    store = Store.open(isolated_home)
    uid = rf.create(store, "prompt", "neglect")
    rf.save_field(store, uid, "what", "text", 600)
    result = cpd("progress", home=isolated_home)
    assert "Time on task: 10 min (0.17 CPD hours)" in result.output


# --- Never a blank reflection, never "Internal error" ------------------------------------------


def test_unfinished_reflection_is_marked_and_edit_fills_it_in(isolated_home):
    reflect(isolated_home, ["What I saw.", ""])  # input ends at "So what?"
    listing = cpd("reflections", "list", home=isolated_home).output
    assert "unfinished (1 of 3)" in listing and "`cpd reflections edit ID`" in listing
    [entry] = rf.all_entries(Store.open(isolated_home))
    # Plain mode: an empty answer keeps the current text; the missing ones are typed.
    result = cpd(
        "reflections",
        "edit",
        entry.uid,
        input="\nwhy it matters\n\nwhat next\n\n",
        home=isolated_home,
    )
    assert "Current text:\nWhat I saw." in result.output
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert (entry.what, entry.so_what, entry.now_what) == (
        "What I saw.",
        "why it matters",
        "what next",
    )
    assert "done" in cpd("reflections", "list", home=isolated_home).output


def test_a_free_reflection_from_the_menu_of_modules(isolated_home):
    # The entry "A free reflection (no module)" gives no module, never its own title.
    modules = cpd("modules", home=isolated_home)
    count = len([line for line in modules.output.splitlines()[1:] if line.strip()])
    result = cpd("reflect", input=f"{count + 1}\n2\n", home=isolated_home)  # then Back
    assert result.exit_code == 0 and "Internal error" not in result.output
    result = cpd("reflect", input=f"{count + 2}\n", home=isolated_home)  # Back at once
    assert result.exit_code == 0 and rf.all_entries(Store.open(isolated_home)) == []


def test_invalid_utf8_is_asked_again_in_one_sentence(isolated_home):
    from typer.testing import CliRunner

    from scr_cpd.cli.app import app

    typed = b"1\n\xff\xfe broken\nWhat I saw.\n\nso\n\nnow\n\n\n"
    result = CliRunner().invoke(
        app, ["--plain", "--home", str(isolated_home), "reflect", "neglect"], input=typed
    )
    assert result.exit_code == 0, result.output
    assert "That line was not readable text (UTF-8); please type it again." in result.output
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.what == "What I saw."


def test_an_editor_with_an_unbalanced_quote_is_one_sentence(isolated_home, monkeypatch):
    monkeypatch.setenv("EDITOR", "'nano")
    monkeypatch.delenv("VISUAL", raising=False)
    result = cpd("reflect", "neglect", "--editor", input="1\n", home=isolated_home)
    assert result.exit_code == 2
    assert (
        'cannot read the EDITOR setting "\'nano" (No closing quotation); fix EDITOR'
        in result.output
    )
    assert "Internal error" not in result.output and rf.all_entries(Store.open(isolated_home)) == []


@pytest.mark.parametrize("sig", ["SIGHUP", "SIGTERM", "SIGKILL"])
def test_a_killed_reflect_never_leaves_a_blank_reflection(isolated_home, sig):
    import os
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, SCR_CPD_HOME=str(isolated_home))
    child = subprocess.Popen(
        [sys.executable, "-m", "scr_cpd", "--plain", "reflect", "neglect"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    child.stdin.write(b"1\n")  # a prompt, then nothing: killed while writing "What?"
    child.stdin.flush()
    seen = b""
    while b"What? What happened" not in seen:
        seen += child.stdout.read1(4096)
    time.sleep(0.1)
    child.send_signal(getattr(signal, sig))
    child.wait(timeout=20)
    assert rf.all_entries(Store.open(isolated_home)) == []


def test_text_that_could_repaint_the_terminal_is_shown_visibly(isolated_home):
    store = Store.open(isolated_home)
    uid = rf.create(store, "Clear \x1b[2J the screen", first=("what", "bidi \u202e here", 1.0))
    store.close()
    shown = cpd("reflections", "show", uid, home=isolated_home).output
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "Clear <U+001B>[2J the screen" in shown and "bidi <U+202E> here" in shown
