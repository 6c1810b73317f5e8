"""`cpd practice`: the questions that are due, across modules, scheduled by FSRS.

Also what the module runs share with practice: updating a question's card after each answer,
and finding the blind spots (answers given with confidence that were wrong).
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Callable, Optional

import typer

from scr_cpd.cli.console import safe
from scr_cpd.cli.env import Env, get_env
from scr_cpd.common.text import count, shorten

DEFAULT_LIMIT = 20
WEAKEST_LIMIT = 10


def practice(
    ctx: typer.Context,
    module: Optional[str] = typer.Argument(
        None,
        metavar="MODULE",
        help="Only this module (id from `cpd modules`); default: every module.",
        show_default=False,
    ),
    limit: int = typer.Option(
        DEFAULT_LIMIT, "--limit", "-n", min=1, help="At most this many questions."
    ),
    seed: Optional[int] = typer.Option(
        None, "--seed", hidden=True, help="Fix the option order (for tests and demos)."
    ),
) -> None:
    """Practise the questions that are due, mixed across modules.

    Wrong and unsure answers come back sooner; sure and right ones later.
    """
    env = get_env(ctx)
    if module is not None:
        env.bank(module)
    run_practice(env, module, limit, random.Random(seed))


def run_practice(
    env: Env,
    module_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
    rng: random.Random | None = None,
) -> None:
    from scr_cpd.progress.schedule import due_questions, ensure_cards

    store, console = env.store, env.console()
    banks = env.library.ordered()
    ensure_cards(store)
    due = due_questions(store, banks, module_id=module_id)
    if due:
        plan = due[:limit]
        modules = len({m for m, _ in plan})
        console.print(
            f"{count(len(due), 'question')} due; practising {len(plan)} from {count(modules, 'module')}. "
            f"{env.ui().stop_hint}"
        )
    else:
        plan = _offer_weakest(env, module_id, limit)
        if not plan:
            return
    _close_stale_practice(env)
    session = store.start_session("practice", module_id, plan)
    ui = env.ui()
    result = run_quiz(
        env, session, _Labelled(ui, {b.id: b.title for b in banks}), rng or random.Random()
    )
    if result.finished:
        console.print(f"Practice complete: {result.correct} of {result.total} correct.")
    else:
        store.end_session(session.id, "abandoned")
        console.print(
            f"Stopped. {count(len(result.answered), 'answer')} saved;"
            " `cpd practice` picks up what is still due."
        )
    blind_spots = session_blind_spots(env, session.id)
    print_blind_spots(env, blind_spots)
    if blind_spots:
        commands = " or ".join(
            f"`cpd reflect {m}`" for m in dict.fromkeys(q.module_id for q in blind_spots)
        )
        console.print(f"Reflect on them with {commands}.")
    _say_what_is_next(env, module_id)


def _offer_weakest(env: Env, module_id: str | None, limit: int) -> list[tuple[str, str]]:
    from scr_cpd.progress.schedule import next_due, weakest_questions

    console, banks = env.console(), env.library.ordered()
    weakest = weakest_questions(env.store, banks, min(limit, WEAKEST_LIMIT), module_id)
    if not weakest:
        where = f"in {module_id} " if module_id else ""
        start = (
            f"`cpd start {module_id}`" if module_id else "`cpd start MODULE` (see `cpd modules`)"
        )
        console.print(
            f"Nothing to practise {where}yet: questions come up for practice once you have"
            f" answered them. Start with {start}."
        )
        return []
    upcoming = next_due(env.store, banks, module_id=module_id)
    when = f" The next question is due {describe_due(upcoming)}." if upcoming else ""
    console.print(f"Nothing is due today.{when}")
    if env.ui().confirm(
        f"Practise your {count(len(weakest), 'weakest question')} anyway?", default=True
    ):
        return weakest
    return []


def _close_stale_practice(env: Env) -> None:
    """A practice left unfinished is not resumed: what is still due comes up again by itself."""
    for session in env.store.active_sessions():
        if session.kind == "practice":
            env.store.end_session(session.id, "abandoned")


def _say_what_is_next(env: Env, module_id: str | None) -> None:
    from scr_cpd.progress.schedule import due_questions, next_due

    banks = env.library.ordered()
    still = len(due_questions(env.store, banks, module_id=module_id))
    if still:
        again = f"cpd practice {module_id}" if module_id else "cpd practice"
        env.console().print(
            f"{count(still, 'question')} still due today: run `{again}` again to carry on."
        )
        return
    upcoming = next_due(env.store, banks, module_id=module_id)
    if upcoming:
        env.console().print(
            f"Nothing more is due today. The next question is due {describe_due(upcoming)}."
        )


def describe_due(when: datetime, now: datetime | None = None) -> str:
    """'tomorrow (Friday 7 March)' or 'on Monday 10 March (in 4 days)', in local time."""
    from scr_cpd.progress.store import utcnow

    today = (now or utcnow()).astimezone().date()
    day = when.astimezone().date()
    named = f"{day:%A} {day.day} {day:%B}" + (f" {day.year}" if day.year != today.year else "")
    days = (day - today).days
    if days <= 0:
        return "today"
    if days == 1:
        return f"tomorrow ({named})"
    return f"on {named} (in {days} days)"


# --- Shared with module runs ---------------------------------------------------------------


def card_updater(env: Env) -> Callable[[Any, Any], None]:
    """The quiz's on_answer callback: every answer of every session moves the question's card."""
    from scr_cpd.progress.schedule import review

    def on_answer(question: Any, feedback: Any) -> None:
        review(env.store, question, feedback.correct, feedback.confidence)

    return on_answer


def run_quiz(env: Env, session: Any, ui: Any, rng: random.Random) -> Any:
    """Run a session over every loaded bank: confidence asked unless turned off, cards updated."""
    from scr_cpd.progress.quiz import run_session
    from scr_cpd.progress.settings import asks_confidence

    library = env.library

    def lookup(module_id: str, question_id: str) -> Any:
        bank = library.get(module_id)
        return bank.question(question_id) if bank else None

    return run_session(
        env.store,
        session,
        lookup,
        ui,
        ask_confidence=asks_confidence(env.store),
        rng=rng,
        on_answer=card_updater(env),
    )


def session_blind_spots(env: Env, session_id: int) -> list[Any]:
    """Questions answered 'sure' and wrong in this session, in the order they were asked."""
    from scr_cpd.progress.schedule import is_blind_spot

    found = []
    for attempt in env.store.attempts(session_id=session_id):
        bank = env.library.get(attempt.module_id)
        question = bank.question(attempt.question_id) if bank else None
        if (
            question
            and is_blind_spot(attempt.correct, attempt.confidence)
            and question not in found
        ):
            found.append(question)
    return found


def print_blind_spots(env: Env, questions: list[Any]) -> None:
    if not questions:
        return
    console = env.console()
    console.print(f"Blind spots — you were sure, and it was wrong ({len(questions)}):")
    for question in questions:
        console.print(f"  · {shorten(question.prompt, 100)} ({question.citation})", markup=False)


def blind_spot_prompts(questions: list[Any]) -> list[str]:
    """One reflection prompt per blind spot, for `cli.reflect.offer_reflection` to suggest."""
    return [
        f"You were sure of your answer to “{shorten(q.prompt, 100)}”, and it was wrong. "
        f"What made you sure, what does the briefing say ({q.citation}),"
        " and what will you check next time?"
        for q in questions
    ]


class _Labelled:
    """Names the module before each question, as practice mixes them."""

    def __init__(self, ui: Any, titles: dict[str, str]):
        self._ui = ui
        self._titles = titles

    def ask(self, presented: Any) -> Any:
        module_id = presented.question.module_id
        self._ui.say(f"From: {safe(self._titles.get(module_id, module_id))}")
        return self._ui.ask(presented)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ui, name)
