"""`cpd` alone: the home menu.

Every entry of every menu does what it says, Back and Quit included; no menu asks the person
to add a flag. A screen that ends in a menu waits for Enter before the menu is drawn again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scr_cpd.cli.env import Env
from scr_cpd.cli.learn import BACK
from scr_cpd.progress.quiz import EndOfInput, Stop

QUIT = "quit"
BACK_TO_MENU = "Stopped; back to the menu (Ctrl-C there quits)."


def home_menu(env: Env) -> None:
    """Continue, practise, choose a module, reflect, see progress, export, or quit."""
    from scr_cpd.cli.env import friendly_errors

    env.warn_bank_problems()
    env.console().print("scr-cpd — learning from serious case reviews (2017-19)")
    while True:
        try:
            action = env.ui().choose("What would you like to do?", _home_choices(env))
        except Stop:  # Ctrl-C (or q) at the home menu: quit
            return
        if action == QUIT:
            return
        try:
            action(env)
        except EndOfInput:  # nothing more can be asked
            return
        except Stop:  # Ctrl-C (or q) part-way: back to the menu, as after a module
            env.console().print(BACK_TO_MENU)
        except friendly_errors() as exc:  # one sentence, then the menu again
            env.console(stderr=True).print(f"Error: {exc}", markup=False)


def _home_choices(env: Env) -> list[tuple[str, Any]]:
    from scr_cpd.common.text import count
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.follow_up import due as due_follow_ups
    from scr_cpd.progress.runs import modules_in_progress
    from scr_cpd.progress.schedule import due_questions

    banks = env.library.ordered()
    choices: list[tuple[str, Any]] = []
    going = modules_in_progress(env.store, banks)
    if len(going) == 1:
        choices.append((f"Continue {going[0].title}", _continue))
    elif going:
        choices.append((f"Continue a module ({len(going)} in progress)", _continue))
    unfinished = rf.unfinished(env.store)
    if unfinished:
        from scr_cpd.common.text import shorten

        about = shorten(unfinished[-1].prompt, 50)  # shown in full when it is opened
        choices.append((f"Finish your reflection: {about}", _finish_reflection))
    follow_ups = len(due_follow_ups(env.store))
    if follow_ups:
        choices.append(
            (
                f"Follow up {count(follow_ups, 'reflection')}: did you do what you planned?",
                _follow_up,
            )
        )
    due = len(due_questions(env.store, banks))
    if due:
        choices.append((f"Practise {count(due, 'due question')}", _practise))
    return choices + [
        ("Choose a module", _choose),
        ("Write a reflection", _reflect),
        ("See my progress", _progress),
        ("Export my CPD log", _export),
        ("Quit", QUIT),
    ]


def _continue(env: Env) -> None:
    from scr_cpd.cli.learn import BACK, answered_text, run_module
    from scr_cpd.progress.runs import modules_in_progress

    going = modules_in_progress(env.store, env.library.ordered())
    if len(going) == 1:
        run_module(env, going[0])
        return
    picked = env.ui().choose(
        "Which module would you like to continue?",
        [(f"{b.title} ({answered_text(env, b)})", b) for b in going] + [("Back", BACK)],
    )
    if picked != BACK:
        run_module(env, picked)


def _choose(env: Env) -> None:
    from scr_cpd.cli.learn import choose_module

    choose_module(env)


def _practise(env: Env) -> None:
    from scr_cpd.cli.practice import run_practice

    run_practice(env)


def _reflect(env: Env) -> None:
    from scr_cpd.cli.reflect import reflect_interactively

    reflect_interactively(env)


def _finish_reflection(env: Env) -> None:
    from scr_cpd.cli.reflect import finish_reflection
    from scr_cpd.progress import reflections as rf

    unfinished = rf.unfinished(env.store)
    if unfinished:
        finish_reflection(env, unfinished[-1].uid)


def _follow_up(env: Env) -> None:
    from scr_cpd.cli.follow_up import STOPPED, follow_up_one
    from scr_cpd.progress.follow_up import due

    try:
        for entry in due(env.store):
            follow_up_one(env, entry)
    except Stop:
        env.console().print(STOPPED)
        return
    env.ui().pause("Enter to go back to the menu")


def _progress(env: Env) -> None:
    from scr_cpd.cli.learn import print_progress

    print_progress(env)
    env.ui().pause("Enter to go back to the menu")


EXPORT_FORMATS = [
    ("JSON — the signed log for your supervisor", "json"),
    ("HTML — to read or print", "html"),
    ("PDF", "pdf"),
    ("Markdown", "md"),
    ("CSV — one row per activity", "csv"),
]


def _export(env: Env) -> None:
    """Which format, where to write it, and whether to mask what may identify someone; then
    the same export as `cpd export`."""
    from scr_cpd.cli.export import ask_for_name, write_export
    from scr_cpd.common.text import slugify
    from scr_cpd.progress.store import utcnow

    ui = env.ui()
    fmt = ui.choose("Which format?", [*EXPORT_FORMATS, ("Back", BACK)])
    if fmt == BACK:
        return
    ask_for_name(env)  # first: the file's suggested name carries it
    name = slugify(env.store.profile().get("name", "")) or "officer"
    suggested = str(Path.cwd() / f"cpd-log-{name}-{utcnow():%Y-%m-%d}.{fmt}")
    where = ui.text("Where should it be written? (Enter keeps this)", False, default=suggested)
    redact = ui.confirm(
        "Mask text that may identify someone (names, postcodes, phone numbers)?", default=False
    )
    write_export(
        env, fmt, None, None, Path(where or suggested).expanduser(), redact, ask_name=False
    )
    ui.pause("Enter to go back to the menu")
