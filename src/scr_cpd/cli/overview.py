"""What `cpd progress` shows below its table: what is remembered and due, blind spots, CPD hours
and a chart of activity per week (a text list in plain mode, which a screen reader reads well)."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from scr_cpd.cli.env import Env, escape

CHART_WEEKS = 12
BAR_WIDTH = 30
EIGHTHS = " ▏▎▍▌▋▊▉"


def print_overview(env: Env, banks: Sequence[Any], known: dict[str, Any]) -> None:
    from scr_cpd.progress.activity import activity

    console = env.console()
    _print_memory(console, known)
    _print_blind_spots(console, banks, known)
    act = activity(env.store, weeks=CHART_WEEKS)
    console.print(f"CPD hours: {act.month_hours:.1f} this month · {act.year_hours:.1f} this year")
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
        minutes = round(seconds / 60)
        console.print(
            f"  Week of {week_label(monday, long=True)}:"
            f" {minutes} minute{'' if minutes == 1 else 's'}"
        )


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
            escape(week_label(monday)), f"[cyan]{bar(seconds, most)}[/]", str(round(seconds / 60))
        )
    console.print(table)


def bar(value: float, most: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character; any activity shows at least a sliver."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / most * width * 8))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")
