"""`cpd modules` and `cpd progress`: each module's figures (from `progress.figures`, the same
function the CPD log uses), then what is remembered and due, blind spots, CPD hours and a chart
of activity per week (a text list in plain mode, which a screen reader reads well)."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

import typer

from scr_cpd.cli.env import Env, escape
from scr_cpd.common.text import count
from scr_cpd.common.text import minutes as whole_minutes

CHART_WEEKS = 12
BAR_WIDTH = 30
EIGHTHS = " ▏▎▍▌▋▊▉"


def module_rows(env: Env, banks: Sequence[Any]) -> list[tuple[Any, ...]]:
    """(id, title, questions, minutes, status, best) per module, from `progress.figures`: the same
    figures `cpd progress`, the module chooser and the log show."""
    from scr_cpd.progress.figures import figures, format_score

    records = figures(env.store, list(banks)).modules
    return [
        (
            b.id,
            b.title,
            len(b.questions),
            b.estimated_minutes,
            r.status.value,
            format_score(r.best_score),
        )
        for b, r in zip(banks, records)
    ]


def print_modules(env: Env) -> None:
    """`cpd modules`: each module's size, the learner's status and best score."""
    from scr_cpd.cli.env import print_table

    banks = env.library.ordered()
    env.warn_bank_problems()
    if not banks:
        typer.echo("No modules are installed.")
        return
    columns = ("Module", "Title", "Questions", "Minutes", "Status", "Best")
    print_table(env.plain, columns, module_rows(env, banks), right=("Questions", "Minutes", "Best"))


def print_progress(env: Env) -> None:
    """`cpd progress`: the figures per module and in total, then memory, blind spots, activity."""
    from scr_cpd.cli.env import print_table
    from scr_cpd.common.text import format_duration
    from scr_cpd.progress.figures import figures, format_hours, format_score
    from scr_cpd.progress.schedule import mastery

    banks = env.library.ordered()
    counted = figures(env.store, banks)
    known = mastery(env.store, banks)
    rows = [
        (
            r.module_id,
            r.status.value,
            format_score(r.best_score),
            f"{known[r.module_id].share:.0%}",
            known[r.module_id].due,
            r.answers,
            format_duration(r.seconds),
        )
        for r in counted.modules
    ]
    columns = ("Module", "Status", "Best", "Mastery", "Due", "Answers", "Time")
    print_table(env.plain, columns, rows, right=columns[2:])
    t = counted.totals
    env.console().print(
        f"Modules completed: {t.modules_completed} of {t.modules_available} · Modules passed: "
        f"{t.modules_passed} of {t.modules_available} · Answers: {t.answers} · Time on task: "
        f"{format_duration(t.seconds)} ({format_hours(t.cpd_hours)} CPD hours)"
    )
    print_overview(env, banks, known)


def print_overview(env: Env, banks: Sequence[Any], known: dict[str, Any]) -> None:
    from scr_cpd.progress.activity import activity
    from scr_cpd.progress.figures import cpd_hours, format_hours

    console = env.console()
    _print_memory(console, known)
    _print_blind_spots(console, banks, known)
    act = activity(env.store, weeks=CHART_WEEKS)
    console.print(
        f"CPD hours: {format_hours(cpd_hours(act.month_seconds))} this month · "
        f"{format_hours(cpd_hours(act.year_seconds))} this year"
    )
    console.print()
    if env.plain:
        print_weeks_as_text(console, act.weeks)
    else:
        print_weeks_as_chart(console, act.weeks)


def _print_memory(console: Any, known: dict[str, Any]) -> None:
    remembered = sum(m.remembered for m in known.values())
    total = sum(m.questions for m in known.values())
    due = sum(m.due for m in known.values())
    share = f" ({remembered / total:.0%})" if total else ""
    hint = " — `cpd practice` asks them" if due else ""
    console.print(
        f"Remembered now: {remembered} of {total} questions{share}"
        f" · Due for practice today: {due}{hint}"
    )


def _print_blind_spots(console: Any, banks: Sequence[Any], known: dict[str, Any]) -> None:
    from scr_cpd.cli.practice import shorten

    spots = [(bank, bank.question(qid)) for bank in banks for qid in known[bank.id].blind_spots]
    if not spots:
        console.print("Blind spots (last answered sure, and wrong): none.")
        return
    console.print(f"Blind spots (last answered sure, and wrong): {len(spots)}")
    for bank, question in spots:
        console.print(f"  · {bank.id}: {shorten(question.prompt, 90)}", markup=False)


def week_label(monday: date, long: bool = False) -> str:
    return f"{monday.day} {monday:%B}" if long else f"{monday.day} {monday:%b}"


def print_weeks_as_text(console: Any, weeks: Sequence[tuple[date, float]]) -> None:
    console.print(f"Activity over the last {len(weeks)} weeks, in minutes, oldest first:")
    for monday, seconds in weeks:
        minutes = whole_minutes(seconds)
        spent = "less than a minute" if minutes == 0 and seconds > 0 else count(minutes, "minute")
        console.print(f"  Week of {week_label(monday, long=True)}: {spent}")


def print_weeks_as_chart(console: Any, weeks: Sequence[tuple[date, float]]) -> None:
    from rich.table import Table

    most = max((s for _, s in weeks), default=0.0)
    # The title goes on its own line: as a table title rich would wrap it to the table's width,
    # which is narrow when there is little activity.
    console.print(f"Minutes per week, last {len(weeks)} weeks")
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right", style="dim")
    table.add_column(min_width=BAR_WIDTH)
    table.add_column(justify="right")
    for monday, seconds in weeks:
        table.add_row(
            escape(week_label(monday)),
            f"[cyan]{bar(seconds, most)}[/]",
            minutes_label(seconds),
        )
    console.print(table)


def minutes_label(seconds: float) -> str:
    """Whole minutes beside a week's bar; "<1" for a week with some activity that rounds to
    none, whose bar shows a sliver (or, as the busiest week, the whole width)."""
    minutes = whole_minutes(seconds)
    return "<1" if minutes == 0 and seconds > 0 else str(minutes)


def bar(value: float, most: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character; any activity shows at least a sliver."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / most * width * 8))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")
