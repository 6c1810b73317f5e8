"""The officer's commands: `modules`, `start` and `progress`, and running a module."""

from __future__ import annotations

import random
from typing import Any, Optional

import typer

from scr_cpd.cli.env import Env, get_env
from scr_cpd.common.text import count

BACK = "back"  # the value of every menu's Back entry


def register(app: typer.Typer) -> None:
    app.command("modules")(modules)
    app.command("start")(start)
    app.command("progress")(progress)

    from scr_cpd.cli.practice import practice
    from scr_cpd.cli.settings import settings

    app.command("practice")(practice)
    app.command("settings")(settings)


def modules(ctx: typer.Context) -> None:
    """List the modules: questions, minutes, your status and best score."""
    from scr_cpd.cli.overview import print_modules

    print_modules(get_env(ctx))


def start(
    ctx: typer.Context,
    module: Optional[str] = typer.Argument(
        None,
        metavar="MODULE",
        help="Module id, as listed by `cpd modules`; leave out to choose from a list.",
        show_default=False,
    ),
    restart: bool = typer.Option(
        False,
        "--restart",
        help="Start afresh instead of continuing (earlier answers stay in your history).",
    ),
    seed: Optional[int] = typer.Option(
        None, "--seed", hidden=True, help="Fix the question order (for tests and demos)."
    ),
) -> None:
    """Work through a module: answer each question, get feedback with the briefing page."""
    from scr_cpd.cli.console import hold_collector, release_collector
    from scr_cpd.progress.quiz import Stop

    env = get_env(ctx)
    rng = random.Random(seed)
    hold_collector()
    try:
        if module is not None:
            run_module(env, env.bank(module), restart=restart, rng=rng, from_menu=False)
            return
        try:
            choose_module(env, rng=rng)
        except Stop:
            return
    finally:
        release_collector()


def answered_text(env: Env, bank: Any) -> str:
    from scr_cpd.progress.runs import answered_in

    return f"{answered_in(env.store, bank.id) or 0} of {len(bank.questions)} answered"


def choose_module(env: Env, rng: random.Random | None = None) -> None:
    """The modules with their status and best score (the figures `cpd modules` shows); an
    unfinished one asks whether to continue or start again."""
    banks = env.library.ordered()
    from scr_cpd.cli.overview import module_rows

    rows = {row[0]: row for row in module_rows(env, banks)}
    labels = []
    for bank in banks:  # one line each where the screen allows, so that Back stays in view
        _, title, _, _, status, best = rows[bank.id]
        score = f", best {best}" if best != "–" else ""
        labels.append((f"{title} · {status}{score}", bank))
    picked = env.ui().choose("Which module?", labels + [("Back", BACK)])
    if picked == BACK:
        return
    restart = False
    answered = answered_text(env, picked) if rows[picked.id][4] == "in progress" else None
    if answered is not None:
        how = env.ui().choose(
            f"{picked.title}: {answered}.",
            [("Continue where I left off", False), ("Start again", True), ("Back", BACK)],
        )
        if how == BACK:
            return
        restart = how
    run_module(env, picked, restart=restart, rng=rng)


def run_module(
    env: Env,
    bank: Any,
    restart: bool = False,
    rng: random.Random | None = None,
    from_menu: bool = True,
) -> None:
    """Continue or start the module, then the summary, a retake of the missed, a reflection."""
    from scr_cpd.cli.practice import blind_spot_prompts, print_blind_spots, session_blind_spots
    from scr_cpd.progress.runs import begin_module
    from scr_cpd.progress.schedule import ensure_cards

    rng = rng or random.Random()
    ui, console = env.ui(), env.console()
    ensure_cards(env.store)
    run = begin_module(env.store, bank, rng, restart=restart)
    if run.shows_introduction:
        console.print(f"{bank.title}\n{bank.summary}", markup=False)
        console.print(
            f"{count(len(bank.questions), 'question')}, "
            f"about {count(bank.estimated_minutes, 'minute')}."
            f" {ui.stop_hint}"
        )
    else:
        again = "" if from_menu else " (Use --restart to begin again.)"
        console.print(
            f"Continuing {bank.title}: {run.answered} of {len(run.session.plan)} answered.{again}",
            markup=False,
        )
    result = _run(env, run.session, ui, rng)
    if not result.finished:
        how = (
            "“Continue” in the menu goes on from"
            if from_menu
            else f"`cpd start {bank.id}` continues"
        )
        console.print(
            f"Stopped. {count(result.previously_answered + len(result.answered), 'answer')} saved; "
            f"{how} where you left off."
        )
        return
    missed = _show_summary(env, bank, result)
    blind_spots = session_blind_spots(env, result.session.id)
    print_blind_spots(env, blind_spots)
    from scr_cpd.progress.quiz import Stop

    try:
        if missed:
            _offer_retake(env, bank, missed, ui, rng)
        _offer_reflection(env, bank, blind_spot_prompts(blind_spots))
    except Stop:
        console.print("Stopped. Your answers are saved.")


def _offer_retake(env: Env, bank: Any, missed: list[str], ui: Any, rng: random.Random) -> None:
    from scr_cpd.progress.runs import abandon, start_retake

    if not ui.confirm(f"Retake the {count(len(missed), 'question')} you missed?", default=True):
        return
    console = env.console()
    retake = start_retake(env.store, bank, missed)
    again = _run(env, retake, ui, rng)
    if again.finished:
        console.print(f"Retake: {again.correct} of {again.total} correct.")
    else:  # a retake is not resumed; its answers are kept all the same
        abandon(env.store, retake)
        console.print(f"Retake stopped. {count(len(again.answered), 'answer')} saved.")


def _offer_reflection(env: Env, bank: Any, suggestions: list[str]) -> None:
    from scr_cpd.cli.reflect import offer_reflection

    offer_reflection(env, bank, suggestions)


def _run(env: Env, session: Any, ui: Any, rng: random.Random) -> Any:
    from scr_cpd.cli.practice import run_quiz

    return run_quiz(env, session, ui, rng)


def _show_summary(env: Env, bank: Any, result: Any) -> list[str]:
    from scr_cpd.progress.runs import missed_learning_points, missed_questions

    console = env.console()
    missed = missed_questions(env.store, result.session.id)
    verdict = "Passed" if result.score >= bank.pass_mark else "Not yet passed"
    console.print(
        f"Module complete: {result.correct} of {result.total} correct ({result.score:.0%}). "
        f"Pass mark {bank.pass_mark:.0%}: {verdict}."
    )
    points = missed_learning_points(bank, missed)
    if points:
        console.print("Learning points to revisit:")
        for text in points:
            console.print(f"  · {text}", markup=False)
    return missed


def progress(ctx: typer.Context) -> None:
    """Your progress per module: status, best score, answers and time; with totals."""
    print_progress(get_env(ctx))


def print_progress(env: Env) -> None:
    from scr_cpd.cli.overview import print_progress as print_all

    print_all(env)
