"""The charts at the top of the HTML team report: CPD hours per officer, modules by officer, and
answers per week.

Each chart is inline SVG drawn from the summary rows only, so every figure is the one the log's
own totals and module records give. Every text from a log is made visible and escaped. A chart
is an image with a title and a description a screen reader reads out, and the table behind it
stays in the page (the hours are the officers table's own column). Charts are drawn 680 px wide,
the printable width of an A4 portrait page, and shrink with a narrower window.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from scr_cpd.common.text import count, noun, shorten, visible
from scr_cpd.progress.log.vocabulary import ModuleStatus
from scr_cpd.progress.supervision.team import SummaryRow

WIDTH: Final = 680
LABEL_WIDTH: Final = 200
LABEL_CHARS: Final = 28  # an officer's name beside a bar or a grid row
MODULE_CHARS: Final = 18  # a module id above a grid column
MAX_WEEKS: Final = 52
MAX_STEPS: Final = 6  # between the ticks of an axis

# Each module status as a letter or sign and a fill (light enough to read the letter on, and
# distinct in greyscale): the colour is never the only sign.
STATUS_MARKS: Final[dict[ModuleStatus, tuple[str, str, str]]] = {
    "passed": ("P", "#1b7837", "#ffffff"),
    "completed": ("C", "#a6dba0", "#1b1b1b"),
    "in progress": ("I", "#fdb863", "#1b1b1b"),
    "not started": ("–", "#f4f4f4", "#444444"),
}
NOT_IN_LOG: Final = ("·", "not in this log")
BAR_FILL: Final = "#2166ac"  # CPD hours
COLUMN_FILL: Final = "#5e3c99"  # answers per week
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CHART_STYLE: Final = """
figure.chart{margin:1.5rem 0;break-inside:avoid}
figure.chart svg{display:block;max-width:100%;height:auto}
figure.chart figcaption{font-size:.9em;color:#444;margin:.35rem 0}
svg.chart text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1b1b1b}
svg.chart .tick{fill:#555;font-size:11px}svg.chart .grid{stroke:#ddd;stroke-width:1}
svg.chart .mark{font-weight:700;font-size:12px}
table.chart-data{width:auto;font-size:.85em;margin-bottom:1rem}
table.chart-data th,table.chart-data td{padding:.15rem .3rem}
.wide{overflow-x:auto}
table.grid{table-layout:auto}table.grid td{text-align:center;font-weight:600}
table.grid th[scope=col]{font-size:.75em;font-weight:600;overflow-wrap:normal}
table.chart-data th[scope=row]{white-space:nowrap;font-weight:normal}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
""".strip()


def escaped(value: Any) -> str:
    """Text from a file, safe in HTML and SVG text and attributes."""
    return html.escape(visible(value))


def _label(value: Any, width: int) -> str:
    return html.escape(shorten(visible(value), width))


def _hours(value: float) -> str:
    return f"{value:.2f}"


def axis(value: float, least: float) -> list[float]:
    """Ticks from 0 to just above `value` (at least `least`), at most six even steps of
    1, 2, 2.5 or 5 × 10ⁿ: the last tick is the axis's end."""
    value = max(value, least)
    magnitude = 10.0 ** math.floor(math.log10(value / MAX_STEPS))
    for size in (1, 2, 2.5, 5, 10):
        step = size * magnitude
        steps = math.ceil(value / step - 1e-9)
        if steps <= MAX_STEPS:
            break
    return [step * i for i in range(steps + 1)]


def _figure(name: str, title: str, desc: str, width: int, height: int, body: list[str]) -> str:
    """An SVG image with its title and description, for a screen reader and as a tooltip."""
    return (
        f'<svg class="chart" id="chart-{name}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="chart-{name}-title chart-{name}-desc">'
        f'<title id="chart-{name}-title">{title}</title>'
        f'<desc id="chart-{name}-desc">{desc}</desc>' + "".join(body) + "</svg>"
    )


# --- CPD hours per officer ----------------------------------------------------------------------

BAR_PITCH: Final = 24
BAR_HEIGHT: Final = 16


def hours_chart(officers: list[SummaryRow]) -> str:
    """One horizontal bar per officer, in the report's order, with the hours written beside it."""
    ticks = axis(max(r.hours for r in officers), 1.0)
    top = ticks[-1]
    plot = WIDTH - LABEL_WIDTH - 56
    height = 8 + len(officers) * BAR_PITCH + 24
    body = []
    for tick in ticks:
        x = LABEL_WIDTH + tick / top * plot
        body.append(
            f'<line class="grid" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 20}"/>'
            f'<text class="tick" x="{x:.1f}" y="{height - 6}" text-anchor="middle">{tick:g}</text>'
        )
    for i, row in enumerate(officers):
        y = 8 + i * BAR_PITCH
        width = row.hours / top * plot
        body.append(
            f'<g class="bar"><title>{escaped(row.name)}: {_hours(row.hours)} CPD hours</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 12}" text-anchor="end">'
            f"{_label(row.name, LABEL_CHARS)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_FILL}"/>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 12}">{_hours(row.hours)}</text></g>'
        )
    low = min(officers, key=lambda r: r.hours)
    high = max(officers, key=lambda r: r.hours)
    total = sum(r.hours for r in officers)
    desc = (
        f"One bar per officer, in the order of the officers table, which gives the same figures. "
        f"{count(len(officers), 'officer')}, {_hours(total)} CPD hours in all; the fewest "
        f"{_hours(low.hours)} ({escaped(low.name)}), the most {_hours(high.hours)} "
        f"({escaped(high.name)})."
    )
    svg = _figure("hours", "CPD hours per officer", desc, WIDTH, height, body)
    caption = "Time on task from each log's totals; the figures are in the officers table."
    return _wrap("CPD hours per officer", svg, caption, "")


# --- modules by officer -------------------------------------------------------------------------

CELL_WIDTH: Final = 30
CELL_HEIGHT: Final = 22
HEADER: Final = 100


def module_ids(officers: Iterable[SummaryRow]) -> list[str]:
    """Every module in any officer's log, in the order the logs list them."""
    found: dict[str, None] = {}
    for row in officers:
        found.update(dict.fromkeys(row.module_statuses))
    return list(found)


def _mark(status: str | None) -> tuple[str, str, str, str]:
    """Letter, fill, letter colour and word for one grid cell."""
    for known, (letter, fill, ink) in STATUS_MARKS.items():
        if status == known:
            return letter, fill, ink, known
    return NOT_IN_LOG[0], "none", "#444444", NOT_IN_LOG[1]


def status_counts(officers: list[SummaryRow], modules: list[str]) -> dict[str, int]:
    """How many cells of the grid have each status (and how many modules are not in a log)."""
    counts: dict[str, int] = dict.fromkeys([*STATUS_MARKS, NOT_IN_LOG[1]], 0)
    for row in officers:
        for module in modules:
            counts[_mark(row.module_statuses.get(module))[3]] += 1
    return counts


def module_grid(officers: list[SummaryRow]) -> str:
    """A row per officer, a column per module; each cell the module's status in that log."""
    modules = module_ids(officers)
    width = max(WIDTH, LABEL_WIDTH + len(modules) * CELL_WIDTH + 90)
    legend_y = HEADER + len(officers) * CELL_HEIGHT + 14
    body = []
    for j, module in enumerate(modules):
        x = LABEL_WIDTH + j * CELL_WIDTH + CELL_WIDTH / 2
        body.append(
            f'<text transform="translate({x:.0f},{HEADER - 8}) rotate(-45)">'
            f"<title>{escaped(module)}</title>{_label(module, MODULE_CHARS)}</text>"
        )
    for i, row in enumerate(officers):
        y = HEADER + i * CELL_HEIGHT
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">'
            f"{_label(row.name, LABEL_CHARS)}</text>"
        )
        for j, module in enumerate(modules):
            body.append(_cell(LABEL_WIDTH + j * CELL_WIDTH, y, row, module))
    body += _legend(legend_y, any(len(r.module_statuses) < len(modules) for r in officers))
    counts = status_counts(officers, modules)
    desc = (
        f"{count(len(officers), 'officer')} by {count(len(modules), 'module')}, one row per officer: "
        + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        + ". Each cell also carries its letter; the table below gives every cell in words."
    )
    svg = _figure("modules", "Modules by officer", desc, width, legend_y + 24, body)
    caption = "Module status per officer: " + ", ".join(
        f"{letter} {status}" for status, (letter, _, _) in STATUS_MARKS.items()
    )
    return _wrap("Modules by officer", svg, caption + ".", grid_table(officers, modules))


def _cell(x: int, y: int, row: SummaryRow, module: str) -> str:
    letter, fill, ink, word = _mark(row.module_statuses.get(module))
    outline = ' stroke="#999" stroke-dasharray="2 2"' if fill == "none" else ' stroke="#fff"'
    return (
        f'<g class="cell"><title>{escaped(row.name)}, {escaped(module)}: {word}</title>'
        f'<rect x="{x}" y="{y}" width="{CELL_WIDTH - 2}" height="{CELL_HEIGHT - 2}" '
        f'fill="{fill}"{outline}/>'
        f'<text class="mark" x="{x + CELL_WIDTH / 2 - 1:.0f}" y="{y + 15}" text-anchor="middle" '
        f'style="fill:{ink}">{letter}</text></g>'
    )


def _legend(y: int, missing: bool) -> list[str]:
    items: list[tuple[str, str, str, str]] = [(s, *mark) for s, mark in STATUS_MARKS.items()]
    if missing:
        items.append((NOT_IN_LOG[1], NOT_IN_LOG[0], "none", "#444444"))
    out = []
    for k, (word, letter, fill, ink) in enumerate(items):
        x = k * 130
        outline = ' stroke="#999" stroke-dasharray="2 2"' if fill == "none" else ""
        out.append(
            f'<rect x="{x}" y="{y}" width="18" height="16" fill="{fill}"{outline}/>'
            f'<text class="mark" x="{x + 9}" y="{y + 12}" text-anchor="middle" '
            f'style="fill:{ink}">{letter}</text><text x="{x + 24}" y="{y + 12}">{word}</text>'
        )
    return out


def grid_table(officers: list[SummaryRow], modules: list[str]) -> str:
    head = "".join(f'<th scope="col">{escaped(m)}</th>' for m in modules)
    rows = []
    for row in officers:
        cells = "".join(_table_cell(row.module_statuses.get(m)) for m in modules)
        rows.append(f'<tr><th scope="row">{escaped(row.name)}</th>{cells}</tr>')
    return (
        '<div class="wide"><table class="chart-data grid">'
        '<caption class="sr">Module status per officer</caption>'
        f'<thead><tr><th scope="col">Officer</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _table_cell(status: str | None) -> str:
    letter, _, _, word = _mark(status)
    return f'<td><span aria-hidden="true">{letter}</span><span class="sr">{word}</span></td>'


# --- answers per week ---------------------------------------------------------------------------

PLOT_LEFT: Final = 44
PLOT_HEIGHT: Final = 150


def team_weeks(officers: Iterable[SummaryRow]) -> dict[date, tuple[int, int]]:
    """Per week (its Monday): answers across the team, and how many officers answered."""
    weeks: dict[date, tuple[int, int]] = {}
    for row in officers:
        for monday, answers in row.answers_by_week.items():
            week = date.fromisoformat(monday)
            total, people = weeks.get(week, (0, 0))
            weeks[week] = (total + answers, people + 1)
    return dict(sorted(weeks.items()))


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _span(first: date, last: date) -> list[date]:
    days = (last - first).days
    return [date.fromordinal(first.toordinal() + 7 * n) for n in range(days // 7 + 1)]


def activity_chart(officers: list[SummaryRow]) -> str:
    """A column per week, from the first week with an answer to the last (at most a year)."""
    weeks = team_weeks(officers)
    if not weeks:
        return '<h3>Answers per week</h3><p class="meta">No answers in these logs yet.</p>'
    span = _span(max(min(weeks), _weeks_before(max(weeks))), max(weeks))
    shown = {w: weeks.get(w, (0, 0))[0] for w in span}
    ticks = axis(max(shown.values()), 5.0)
    top = ticks[-1]
    plot = WIDTH - PLOT_LEFT - 10
    pitch = min(40.0, plot / len(span))
    body = []
    for tick in ticks:
        y = 10 + PLOT_HEIGHT - tick / top * PLOT_HEIGHT
        body.append(
            f'<line class="grid" x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{PLOT_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    body += _month_labels(span, pitch)
    for k, (week, answers) in enumerate(shown.items()):
        body.append(_column(PLOT_LEFT + k * pitch, pitch, week, answers, top))
    body.append(
        f'<text class="tick" x="{PLOT_LEFT}" y="{PLOT_HEIGHT + 44}">Answers per week '
        "(weeks start on Monday, UTC)</text>"
    )
    svg = _figure(
        "activity", "Answers per week", _activity_desc(weeks, span), WIDTH, PLOT_HEIGHT + 50, body
    )
    caption = "Answers across the team; the table lists every week with an answer."
    return _wrap("Answers per week", svg, caption, weeks_table(weeks))


def _weeks_before(last: date) -> date:
    return date.fromordinal(last.toordinal() - 7 * (MAX_WEEKS - 1))


def _month_labels(span: list[date], pitch: float) -> list[str]:
    """The month under the column of its first week (the year with the first label and each
    January), skipping any label that would run into the one before."""
    out, free_from, year_due = [], 0.0, True
    for k, week in enumerate(span):
        x = PLOT_LEFT + k * pitch
        if not (week.day <= 7 or (k == 0 and week.day <= 21)) or x < free_from:
            continue
        label = MONTHS[week.month - 1] + (f" {week.year}" if year_due or week.month == 1 else "")
        out.append(
            f'<text class="tick" x="{x + 1:.1f}" y="{PLOT_HEIGHT + 26}">{label}</text>'
            f'<line class="grid" x1="{x:.1f}" y1="{PLOT_HEIGHT + 10}" x2="{x:.1f}" '
            f'y2="{PLOT_HEIGHT + 16}"/>'
        )
        free_from, year_due = x + 7 * len(label) + 6, False
    return out


def _column(x: float, pitch: float, week: date, answers: int, top: float) -> str:
    if not answers:
        return ""
    height = answers / top * PLOT_HEIGHT
    return (
        f'<g class="column"><title>Week of {_day(week)}: {count(answers, "answer")}</title>'
        f'<rect x="{x + pitch * 0.15:.1f}" y="{10 + PLOT_HEIGHT - height:.1f}" '
        f'width="{pitch * 0.7:.1f}" height="{height:.1f}" fill="{COLUMN_FILL}"/></g>'
    )


def _activity_desc(weeks: dict[date, tuple[int, int]], span: list[date]) -> str:
    total = sum(answers for answers, _ in weeks.values())
    busiest = max(weeks, key=lambda w: (weeks[w][0], w))
    earlier = sum(a for w, (a, _) in weeks.items() if w < span[0])
    desc = (
        f"One column per week from the week of {_day(span[0])} to the week of {_day(span[-1])}: "
        f"{count(total, 'answer')} in all; the busiest week was the week of {_day(busiest)}, with "
        f"{count(weeks[busiest][0], 'answer')} from {count(weeks[busiest][1], 'officer')}."
    )
    if earlier:
        desc += f" {count(earlier, 'earlier answer')} {noun(earlier, 'is', 'are')} in the table below, not the chart."
    return desc


def weeks_table(weeks: dict[date, tuple[int, int]]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{_day(week)}</th><td class="num">{answers}</td>'
        f'<td class="num">{people}</td></tr>'
        for week, (answers, people) in weeks.items()
    )
    return (
        '<table class="chart-data"><caption class="sr">Answers per week</caption>'
        '<thead><tr><th scope="col">Week of</th><th scope="col" class="num">Answers</th>'
        '<th scope="col" class="num">Officers answering</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


# --- the section --------------------------------------------------------------------------------


def _wrap(heading: str, svg: str, caption: str, table: str) -> str:
    return (
        f'<h3>{heading}</h3><figure class="chart">{svg}<figcaption>{caption}</figcaption></figure>'
        + table
    )


def charts(officers: list[SummaryRow]) -> str:
    """The charts section of the report, or nothing when no officer's log could be read."""
    if not officers:
        return ""
    parts = ["<section><h2>At a glance</h2>", hours_chart(officers)]
    if module_ids(officers):
        parts.append(module_grid(officers))
    parts += [activity_chart(officers), "</section>"]
    return "\n".join(parts)
