"""The officer's commands: the home menu, `modules`, `start` and `progress`."""

from __future__ import annotations

import random
from typing import Any, Optional

import typer

from scr_cpd.cli.env import Env, get_env


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
    module: str = typer.Argument(..., help="Module id, as listed by `cpd modules`."),
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
    env = get_env(ctx)
    bank = env.bank(module)
    run_module(env, bank, restart=restart, rng=random.Random(seed))


def run_module(
    env: Env, bank: Any, restart: bool = False, rng: random.Random | None = None
) -> None:
    from scr_cpd.cli.practice import blind_spot_prompts, print_blind_spots, session_blind_spots
    from scr_cpd.progress.quiz import plan_module
    from scr_cpd.progress.schedule import ensure_cards

    rng = rng or random.Random()
    ui = env.ui()
    console = env.console()
    store = env.store
    ensure_cards(store)
    session = store.active_session("module", bank.id)
    if session and restart:
        store.end_session(session.id, "abandoned")
        session = None
    if session:
        answered = len(store.attempts(session_id=session.id))
        console.print(
            f"Continuing {bank.title}: {answered} of {len(session.plan)} answered. (Use --restart to begin again.)"
        )
    else:
        session = store.start_session("module", bank.id, plan_module(bank, rng), bank.version)
        console.print(f"{bank.title}\n{bank.summary}")
        console.print(
            f"{len(bank.questions)} questions, about {bank.estimated_minutes} minutes. {ui.stop_hint}"
        )
    result = _run(env, session, ui, rng)
    if not result.finished:
        console.print(
            f"Stopped. {result.previously_answered + len(result.answered)} answer(s) saved; `cpd start {bank.id}` continues where you left off."
        )
        return
    missed = _show_summary(env, bank, result)
    blind_spots = session_blind_spots(env, result.session.id)
    print_blind_spots(env, blind_spots)
    if missed and ui.confirm(f"Retake the {len(missed)} question(s) you missed?", default=True):
        retake = store.start_session(
            "retake", bank.id, [(bank.id, q) for q in missed], bank.version
        )
        again = _run(env, retake, ui, rng)
        if again.finished:
            console.print(f"Retake: {again.correct} of {again.total} correct.")
        else:  # a retake is not resumed; its answers are kept all the same
            store.end_session(retake.id, "abandoned")
            console.print(f"Retake stopped. {len(again.answered)} answer(s) saved.")
    _offer_reflection(env, bank, blind_spot_prompts(blind_spots))


def _offer_reflection(env: Env, bank: Any, suggestions: list[str]) -> None:
    try:
        from scr_cpd.cli.reflect import offer_reflection
    except (ImportError, AttributeError):
        return
    offer_reflection(env, bank, suggestions)


def _run(env: Env, session: Any, ui: Any, rng: random.Random) -> Any:
    from scr_cpd.cli.practice import run_quiz

    return run_quiz(env, session, ui, rng)


def _show_summary(env: Env, bank: Any, result: Any) -> list[str]:
    console = env.console()
    attempts = env.store.attempts(session_id=result.session.id)
    missed = [a.question_id for a in attempts if not a.correct]
    verdict = "Passed" if result.score >= bank.pass_mark else "Not yet passed"
    console.print(
        f"Module complete: {result.correct} of {result.total} correct ({result.score:.0%}). "
        f"Pass mark {bank.pass_mark:.0%}: {verdict}."
    )
    points: list[str] = []
    for qid in missed:
        question = bank.question(qid)
        for lp in question.learning_points if question else ():
            if lp not in points:
                points.append(lp)
    if points:
        console.print("Learning points to revisit:")
        for lp in points:
            console.print(f"  · {bank.learning_points.get(lp, lp)}", markup=False)
    return missed


def progress(ctx: typer.Context) -> None:
    """Your progress per module: status, best score, answers and time; with totals."""
    print_progress(get_env(ctx))


def print_progress(env: Env) -> None:
    from scr_cpd.cli.overview import print_progress as print_all

    print_all(env)


def home_menu(env: Env) -> None:  # noqa: C901 (to be split)
    """`cpd` alone: continue, practise, choose a module, reflect, see progress, export, or quit."""
    from scr_cpd.progress.quiz import Stop

    console = env.console()
    ui = env.ui()
    banks = env.library.ordered()
    env.warn_bank_problems()
    console.print("scr-cpd — learning from serious case reviews (2017-19)")
    while True:
        choices: list[tuple[str, Any]] = []
        for session in env.store.active_sessions():
            bank = env.library.get(session.module_id) if session.module_id else None
            if session.kind == "module" and bank:
                choices.append((f"Continue {bank.title}", ("continue", bank)))
                break
        due = _due_count(env, banks)
        if due:
            choices.append(
                (f"Practise {due} due question{'' if due == 1 else 's'}", ("practise", None))
            )
        choices += [
            ("Choose a module", ("choose", None)),
            ("Write a reflection", ("reflect", None)),
            ("See my progress", ("progress", None)),
            ("Export my CPD log", ("export", None)),
            ("Quit", ("quit", None)),
        ]
        try:
            action, bank = ui.choose("What would you like to do?", choices)
        except Stop:
            return
        if action == "quit" or action is None:
            return
        if action == "continue":
            run_module(env, bank)
        elif action == "choose":
            try:
                picked = ui.choose(
                    "Which module?",
                    [(f"{b.title} ({len(b.questions)} questions)", b) for b in banks]
                    + [("Back", None)],
                )
            except Stop:
                return
            if picked is not None:
                run_module(env, picked)
        elif action == "progress":
            print_progress(env)
        elif action == "practise":
            from scr_cpd.cli.practice import run_practice

            run_practice(env)
        elif action == "reflect":
            from scr_cpd.cli.reflect import reflect_interactively

            reflect_interactively(env)
        elif action == "export":
            from scr_cpd.cli.export import export_from_menu

            export_from_menu(env)


def _due_count(env: Env, banks: list[Any]) -> int:
    from scr_cpd.progress.schedule import due_questions

    return len(due_questions(env.store, banks))
