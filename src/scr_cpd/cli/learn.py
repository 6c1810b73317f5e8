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


def modules(ctx: typer.Context) -> None:
    """List the modules: questions, minutes, your status and best score."""
    from rich.table import Table

    from scr_cpd.progress.summary import module_progress

    env = get_env(ctx)
    banks = env.library.ordered()
    env.warn_bank_problems()
    done = module_progress(env.store, banks)
    table = Table(box=None if env.plain else _box(), header_style=None if env.plain else "bold")
    for column in ("Module", "Title", "Questions", "Minutes", "Status", "Best"):
        table.add_column(column, justify="right" if column in ("Questions", "Minutes", "Best") else "left")
    for bank in banks:
        p = done[bank.id]
        best = f"{p.best_score:.0%}" if p.best_score is not None else "–"
        table.add_row(bank.id, bank.title, str(len(bank.questions)), str(bank.estimated_minutes), p.status, best)
    env.console().print(table)
    if not banks:
        env.console().print("No modules are installed.")


def _box() -> Any:
    from rich import box

    return box.SIMPLE_HEAD


def start(
    ctx: typer.Context,
    module: str = typer.Argument(..., help="Module id, as listed by `cpd modules`."),
    restart: bool = typer.Option(False, "--restart", help="Start afresh instead of continuing (earlier answers stay in your history)."),
    seed: Optional[int] = typer.Option(None, "--seed", hidden=True, help="Fix the question order (for tests and demos)."),
) -> None:
    """Work through a module: answer each question, get feedback with the briefing page."""
    env = get_env(ctx)
    bank = env.bank(module)
    run_module(env, bank, restart=restart, rng=random.Random(seed))


def run_module(env: Env, bank: Any, restart: bool = False, rng: random.Random | None = None) -> None:
    from scr_cpd.progress.quiz import plan_module

    rng = rng or random.Random()
    ui = env.ui()
    console = env.console()
    store = env.store
    session = store.active_session("module", bank.id)
    if session and restart:
        store.end_session(session.id, "abandoned")
        session = None
    if session:
        answered = len(store.attempts(session_id=session.id))
        console.print(f"Continuing {bank.title}: {answered} of {len(session.plan)} answered. (Use --restart to begin again.)")
    else:
        session = store.start_session("module", bank.id, plan_module(bank, rng), bank.version)
        console.print(f"{bank.title}\n{bank.summary}")
        console.print(f"{len(bank.questions)} questions, about {bank.estimated_minutes} minutes. Type q at any prompt to stop; your answers are kept.")
    result = _run(env, session, ui, rng)
    if not result.finished:
        console.print(f"Stopped. {result.previously_answered + len(result.answered)} answer(s) saved; `cpd start {bank.id}` continues where you left off.")
        return
    missed = _show_summary(env, bank, result)
    if missed and ui.confirm(f"Retake the {len(missed)} question(s) you missed?", default=True):
        retake = store.start_session("retake", bank.id, [(bank.id, q) for q in missed], bank.version)
        again = _run(env, retake, ui, rng)
        if again.finished:
            console.print(f"Retake: {again.correct} of {again.total} correct.")


def _run(env: Env, session: Any, ui: Any, rng: random.Random) -> Any:
    from scr_cpd.progress.quiz import run_session

    library = env.library

    def lookup(module_id: str, question_id: str) -> Any:
        bank = library.get(module_id)
        return bank.question(question_id) if bank else None

    return run_session(env.store, session, lookup, ui, rng=rng)


def _show_summary(env: Env, bank: Any, result: Any) -> list[str]:
    console = env.console()
    attempts = env.store.attempts(session_id=result.session.id)
    missed = [a.question_id for a in attempts if not a.correct]
    verdict = "Passed" if result.score >= bank.pass_mark else "Not yet passed"
    console.print(f"Module complete: {result.correct} of {result.total} correct ({result.score:.0%}). "
                  f"Pass mark {bank.pass_mark:.0%}: {verdict}.")
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
    """Your progress per module: status, best score, attempts and time; with totals."""
    print_progress(get_env(ctx))


def print_progress(env: Env) -> None:
    from rich.table import Table

    from scr_cpd.progress.summary import format_duration, module_progress

    banks = env.library.ordered()
    done = module_progress(env.store, banks)
    table = Table(box=None if env.plain else _box())
    for column in ("Module", "Status", "Best", "Attempts", "Time"):
        table.add_column(column, justify="left" if column in ("Module", "Status") else "right")
    for bank in banks:
        p = done[bank.id]
        best = f"{p.best_score:.0%}" if p.best_score is not None else "–"
        table.add_row(bank.id, p.status, best, str(p.attempts), format_duration(p.seconds))
    console = env.console()
    console.print(table)
    seconds = sum(p.seconds for p in done.values())
    passed = sum(p.status == "passed" for p in done.values())
    console.print(f"Modules passed: {passed} of {len(banks)} · Questions answered: {sum(p.attempts for p in done.values())} · Time on task: {format_duration(seconds)} ({seconds / 3600:.1f} CPD hours)")


def home_menu(env: Env) -> None:
    """`cpd` alone: continue, choose a module, see progress, or quit."""
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
        choices += [("Choose a module", ("choose", None)), ("See my progress", ("progress", None)), ("Quit", ("quit", None))]
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
                picked = ui.choose("Which module?", [(f"{b.title} ({len(b.questions)} questions)", b) for b in banks] + [("Back", None)])
            except Stop:
                return
            if picked is not None:
                run_module(env, picked)
        elif action == "progress":
            print_progress(env)


