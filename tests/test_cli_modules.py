"""`cpd modules`, `cpd progress`, the home menu, help and start-up imports."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scr_cpd.cli.app import app
from scr_cpd.content.loader import load_library
from scr_cpd.progress.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-bank.yaml"
SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture
def banks(tmp_path, monkeypatch):
    folder = tmp_path / "banks"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "tiny.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(folder))
    return folder


def cpd(home: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(app, ["--plain", "--home", str(home), *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def complete_tiny(home: Path, right: int) -> None:
    """Record a completed run of the tiny module with `right` of its six answers correct."""
    bank = load_library(None).get("tiny")
    store = Store.open(home)
    plan = [q.key for q in bank.questions]
    session = store.start_session("module", "tiny", plan, bank.version)
    for n, question in enumerate(bank.questions):
        store.record_attempt(
            session.id, "tiny", question.id, 1, question.content_hash, 0, n < right, 30.0
        )
    store.end_session(session.id, "completed")
    store.close()


def row(output: str, module_id: str) -> list[str]:
    [line] = [line for line in output.splitlines() if line.startswith(module_id + " ")]
    return line.split()


def test_modules_lists_one_line_per_module_in_plain_mode(banks, tmp_path):
    result = cpd(tmp_path / "home", "modules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Module", "Title", "Questions", "Minutes", "Status", "Best"]
    assert lines[1].startswith("scr-basics ")
    assert len(lines) == 1 + 13  # the twelve bundled modules and the tiny one, never wrapped
    tiny = "tiny                 Tiny test module"
    assert any(line.startswith(tiny) for line in lines)
    assert row(result.stdout, "tiny")[-5:] == ["6", "5", "not", "started", "–"]
    assert "\x1b[" not in result.stdout


def test_modules_and_progress_show_status_and_best_score_after_a_module(banks, tmp_path):
    home = tmp_path / "home"
    complete_tiny(home, right=2)
    assert row(cpd(home, "modules").stdout, "tiny")[-2:] == ["completed", "33%"]
    complete_tiny(home, right=5)
    assert row(cpd(home, "modules").stdout, "tiny")[-2:] == ["passed", "83%"]
    assert row(cpd(home, "modules").stdout, "neglect")[-3:] == ["not", "started", "–"]

    progress = cpd(home, "progress")
    assert progress.exit_code == 0
    tiny = row(progress.stdout, "tiny")
    assert tiny[1:3] == ["passed", "83%"]
    assert "12" in tiny and tiny[-2:] == ["6", "min"]  # 12 answers of 30 s each
    assert (
        "Modules completed: 1 of 13 · Modules passed: 1 of 13 · Answers: 12 · Time on task: 6 min"
        " (0.10 CPD hours)" in progress.stdout
    )


def test_an_unfinished_module_shows_as_in_progress(banks, tmp_path):
    home = tmp_path / "home"
    store = Store.open(home)
    store.start_session("module", "tiny", [("tiny", "q-single")])
    store.close()
    assert row(cpd(home, "modules").stdout, "tiny")[-3:] == ["in", "progress", "–"]


def test_a_bank_with_errors_is_reported_and_the_others_still_load(banks, tmp_path):
    broken = banks / "broken.yaml"
    broken.write_text(
        FIXTURE.read_text()
        .replace("id: tiny\n", "id: broken\n")
        .replace("    explanation: A week has seven days.\n", "")
    )
    line = broken.read_text().splitlines().index("  - id: q-numeric") + 1
    result = cpd(tmp_path / "home", "modules")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"Bank not loaded: {broken}:{line}: questions.q-numeric.explanation: is required"
    ]
    assert (
        "tiny " in result.stdout and "neglect " in result.stdout and "broken" not in result.stdout
    )
    # and a module of a good bank can still be started
    assert "Tiny test module" in cpd(tmp_path / "home", "start", "tiny", input="q\n").stdout


def test_modules_when_the_home_folder_cannot_be_written(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    result = cpd(afile / "home", "modules")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: cannot write to the home folder {afile / 'home'} (Not a directory); choose another with --home or SCR_CPD_HOME\n"
    )


def test_home_menu_in_plain_mode_offers_to_continue_and_quits_cleanly(banks, tmp_path):
    home = tmp_path / "home"
    cpd(home, "start", "tiny", input="q\n")
    result = CliRunner().invoke(app, ["--plain", "--home", str(home)], input="q\n")
    assert result.exit_code == 0
    assert "  1. Continue Tiny test module\n" in result.stdout
    assert "Quit" in result.stdout
    at_eof = CliRunner().invoke(app, ["--plain", "--home", str(home)], input="")
    assert at_eof.exit_code == 0


def test_continue_with_several_modules_in_progress_asks_which(banks, tmp_path):
    home = tmp_path / "home"
    cpd(home, "start", "tiny", input="q\n")
    cpd(home, "start", "neglect", input="q\n")
    # 1: Continue a module; the newest first, then Back; then Quit (the last entry).
    result = cpd(home, input="1\n3\n")
    out = result.stdout
    assert result.exit_code == 0
    assert "  1. Continue a module (2 in progress)\n" in out
    assert "Which module would you like to continue?\n" in out
    neglect = len(load_library(home).get("neglect").questions)
    assert f"  1. Recognising and responding to neglect (0 of {neglect} answered)\n" in out
    assert "  2. Tiny test module (0 of 6 answered)\n  3. Back\n" in out
    # Back returns to the home menu, which is shown again (input then ends: a clean stop).
    assert out.count("What would you like to do?") == 2
    # Choosing one continues it: no flag is suggested from a menu.
    out = cpd(home, input="1\n2\nq\n").stdout
    assert "Tiny test module" in out and "Question 1 of 6" in out and "--restart" not in out


def test_home_menu_shows_progress_then_quits(banks, tmp_path):
    result = CliRunner().invoke(app, ["--plain", "--home", str(tmp_path / "home")], input="9\n")
    assert "Type a number from 1 to" in result.stdout
    choices = [
        line for line in result.stdout.splitlines() if line.startswith("  ") and ". " in line
    ]
    progress = next(line.split(".")[0].strip() for line in choices if "progress" in line)
    quit_ = next(line.split(".")[0].strip() for line in choices if "Quit" in line)
    result = CliRunner().invoke(
        app, ["--plain", "--home", str(tmp_path / "home")], input=f"{progress}\n{quit_}\n"
    )
    assert result.exit_code == 0
    assert "Modules passed: 0 of 13" in result.stdout


def _commands() -> list[tuple[str, ...]]:
    from typer import _click as click  # typer vendors click
    from typer.main import get_command

    root = get_command(app)
    ctx = click.Context(root)
    found = []
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        found.append((name,))
        if hasattr(command, "list_commands"):
            found.extend((name, sub) for sub in command.list_commands(ctx))
    return found


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help(command):
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:")
    usage, _, description = result.output.partition("\n\n")
    assert description.strip() and not description.startswith("Options:"), (
        f"`cpd {' '.join(command)}` has no help text"
    )
    # Written for a person: no framework type names, braces, strftime formats or cut lines.
    for leak in ("<str>", "<list[", "<int", "<path>", "{", "%Y", "x>="):
        assert leak not in result.output, f"`cpd {' '.join(command)} --help` shows {leak!r}"
    assert "..." not in description, f"`cpd {' '.join(command)} --help` cuts a line"


@pytest.mark.parametrize(
    "args, sentence",
    [
        (
            ["export", "--since", "2025-13-01"],
            "'2025-13-01' is not a date; use YYYY-MM-DD, for example 2026-04-01",
        ),
        (["practice", "--limit", "0"], "'--limit' / '-n': it must be at least 1."),
        (["practice", "--limit", "x"], "'--limit' / '-n': it must be a whole number."),
        (
            ["review", "sign", "log.json"],
            "Error: Missing option '--outcome'. Choose accepted, discuss or revise.\n",
        ),
        (["review", "verify"], "Error: Missing argument 'LOGS'.\n"),
    ],
)
def test_option_errors_are_plain_sentences(args, sentence):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert sentence in result.output
    for leak in ("%Y", "Input should be", "Value error", "unable to parse", ". .", "\t"):
        assert leak not in result.output


def test_top_level_commands_are_the_documented_ones():
    names = [c[0] for c in _commands() if len(c) == 1]
    for expected in ("modules", "start", "progress"):
        assert expected in names
    assert names[:3] == ["modules", "start", "progress"]


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("scr-cpd ")


def _modules_imported(args: list[str], home: Path) -> set[str]:
    code = (
        "import sys, io\n"
        "sys.argv = ['cpd'] + sys.argv[1:]\n"
        "from scr_cpd.cli.app import main\n"
        "out = sys.stdout; sys.stdout = io.StringIO()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stdout = out\n"
        "import json; print(json.dumps(sorted(sys.modules)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC), SCR_CPD_HOME=str(home))
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


HEAVY = {"questionary", "prompt_toolkit", "fpdf", "cryptography", "fsrs", "phonenumbers"}


def test_help_and_a_warm_modules_leave_heavy_packages_and_the_bank_parser_unloaded(tmp_path):
    home = tmp_path / "home"
    assert not HEAVY & {m.split(".")[0] for m in _modules_imported(["--help"], home)}
    _modules_imported(["modules"], home)  # first run: parses the banks and fills the cache
    warm = _modules_imported(["modules"], home)
    assert not HEAVY & {m.split(".")[0] for m in warm}
    assert not {"yaml", "scr_cpd.content.schema", "scr_cpd.content.yamlsource"} & warm
    assert not {
        m for m in warm if m == "rich" or m.startswith("rich.")
    }  # a plain table needs no rich
    # other commands' modules are imported only when they run
    assert (
        not {"scr_cpd.cli.review", "scr_cpd.cli.export", "scr_cpd.cli.bank", "scr_cpd.cli.profile"}
        & warm
    )


def test_plain_mode_is_chosen_automatically_when_input_is_not_a_terminal(banks, tmp_path):
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "home"), "start", "tiny"], input="q\n"
    )
    # the plain prompt, for typed answers: numbered options or lettered matches
    assert "Your answer (" in result.stdout or "type the letter of each match" in result.stdout
    assert "Stopped. 0 answers saved" in result.stdout


def test_table_is_one_line_per_row_in_plain_mode_and_wraps_to_the_terminal_otherwise(
    capsys, monkeypatch
):
    from scr_cpd.cli.env import print_table

    monkeypatch.setenv("COLUMNS", "40")
    rows = [("a-module", "A title long enough to need more than one line here", 12)]
    print_table(True, ("Module", "Title", "Questions"), rows, right=("Questions",))
    assert capsys.readouterr().out.splitlines() == [
        "Module    Title                                                Questions",
        "a-module  A title long enough to need more than one line here         12",
    ]
    print_table(False, ("Module", "Title", "Questions"), rows, right=("Questions",))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Module", "Title", "Questions"]
    assert set(lines[1]) == {"─"}
    assert all(len(line) <= 39 for line in lines)
    assert lines[2].startswith("a-module  A title long") and lines[2].endswith(" 12")
    wrapped = [line[len("a-module  ") :].replace(" 12", "").strip() for line in lines[2:]]
    assert " ".join(wrapped) == "A title long enough to need more than one line here"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_rows_long_last_column_folds_beside_it_or_under_it_on_a_terminal(monkeypatch):
    from scr_cpd.cli.console import echo_row

    flags = "misleading: option 1 was chosen 76 times, the right answer 0 times"
    monkeypatch.setenv("COLUMNS", "60")
    for start, expected in [
        (
            20,
            [
                "q-a      5  60%".ljust(20) + "misleading: option 1 was chosen 76",
                " " * 20 + "times, the right answer 0 times",
            ],
        ),
        (
            40,
            [
                "q-a      5  60%",
                "      misleading: option 1 was chosen 76 times, the right",
                "      answer 0 times",
            ],
        ),
    ]:
        row = "q-a      5  60%".ljust(start) + flags
        out = _Terminal()
        monkeypatch.setattr("sys.stdout", out)
        echo_row(row, start)
        assert out.getvalue().splitlines() == expected
        monkeypatch.setattr("sys.stdout", pipe := io.StringIO())
        echo_row(row, start)
        assert pipe.getvalue() == row + "\n"  # into a pipe, the row stays whole


def test_plain_mode_prints_without_rich_and_as_rich_would(tmp_path, capsys):
    # A module in plain mode (a pipe) never imports rich...
    loaded = _modules_imported(["--plain", "start", "neglect"], tmp_path / "home")
    assert "scr_cpd.cli.ui" in loaded and not {m for m in loaded if m.split(".")[0] == "rich"}
    # ...and its printer writes what rich's plain console wrote, markup escapes undone.
    import io

    from rich.console import Console
    from rich.markup import escape as rich_escape

    from scr_cpd.cli.console import PlainConsole, escape

    samples = ["[bold]x[/]", "Delete it? [y/N] ", "path\\[x]", "trail\\", "  · [#f00] :smile:"]
    for text in samples:
        assert escape(text) == rich_escape(text)
        buffer = io.StringIO()
        Console(file=buffer, no_color=True, highlight=False, emoji=False, soft_wrap=True).print(
            escape(text)
        )
        PlainConsole().print(escape(text))
        assert capsys.readouterr().out == buffer.getvalue(), text


def test_an_error_in_a_menu_action_is_one_sentence_and_the_menu_comes_back(banks, tmp_path):
    home = tmp_path / "home"
    menu = cpd(home, input="").stdout
    entries = [line.strip() for line in menu.splitlines() if line.strip()[:2].rstrip(".").isdigit()]
    export = next(e.split(".")[0] for e in entries if "Export my CPD log" in e)
    # Export to a folder that does not exist: one sentence, then the menu again.
    typed = f"{export}\n1\n{tmp_path / 'no' / 'such' / 'folder' / 'log.json'}\n\n"
    result = cpd(home, input=typed)
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "Error: " in result.output
    assert result.stdout.count("What would you like to do?") == 2
