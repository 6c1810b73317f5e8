"""`cpd reflections follow-up [ID]`: did the officer do what their "Now what?" planned, and what
changed? The answer is kept as the reflection's impact (see `progress.follow_up`)."""

from __future__ import annotations

from typing import Any, Optional

import typer

from scr_cpd.cli.console import safe
from scr_cpd.cli.env import Env, UserError, get_env

STOPPED = "Stopped. Whatever you finished writing is saved (`cpd reflections list`)."


def follow_up(
    ctx: typer.Context,
    reflection_id: Optional[str] = typer.Argument(
        None, metavar="[ID]", help="This reflection; leave out for each one that is due."
    ),
) -> None:
    """Follow up a "Now what?": did you do it, and what changed? The answer is kept as its impact."""
    from scr_cpd.progress import follow_up as fu
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    env = get_env(ctx)
    try:
        entries = [rf.get(env.store, reflection_id)] if reflection_id else fu.due(env.store)
    except rf.ReflectionError as exc:
        raise UserError(str(exc), 1) from None
    if not entries:
        env.console().print("No follow-ups are due. Each comes 30 days after its Now what?.")
        return
    try:
        for entry in entries:
            follow_up_one(env, entry)
    except Stop:
        env.console().print(STOPPED)


def follow_up_one(env: Env, entry: Any) -> None:
    """Ask "You planned to … — did you? What changed?" and keep the answer as the impact."""
    from scr_cpd.common.text import shorten, visible
    from scr_cpd.progress import follow_up as fu
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.pii import describe
    from scr_cpd.progress.quiz import Stop

    if not entry.now_what.strip():
        raise UserError(f"{entry.uid} has no Now what? to follow up; write one first", 1)
    planned = visible(shorten(entry.now_what, 70))
    question = f"You planned to: “{planned}” — did you? What changed?"
    env.console().print(f"\n{entry.uid} · {safe(shorten(entry.prompt, 70))}")
    try:
        text = env.ui().text(question, default=entry.impact)
    except Stop as stop:  # an impact written from nothing is kept as far as it got
        if stop.written and not entry.impact:
            fu.save_impact(env.store, entry.uid, stop.written)
            env.console().print(f"Kept what you had written as the impact of {entry.uid}.")
        raise
    for _ in range(3):
        try:
            found = fu.save_impact(env.store, entry.uid, text or entry.impact)
        except rf.ReflectionError as exc:
            env.console().print(str(exc))
            return
        if not found:
            break
        env.console().print(f"Warning — Impact: {safe(describe(found))}")
        if not env.ui().confirm(
            "Edit it now? (No keeps it as written; an export can mask it for you.)", default=True
        ):
            break
        text = env.ui().text(question, default=text)
    env.console().print(f"Saved the impact of {entry.uid}.")
