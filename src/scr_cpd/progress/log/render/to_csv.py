"""The CPD log as CSV for a spreadsheet: one row per activity, each reflection a row of its own.

UTF-8 with a byte-order mark so Excel reads accents correctly. Any cell that a spreadsheet would
treat as a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe,
so opening the file can never run anything the officer typed.

The first rows are the log's figures: one `module` summary row per module (status, best score,
answers and time, as every rendering shows them) and one `totals` row; their minutes column is
left empty, so summing it over the file still counts each sitting once. The log lists each
reflection among its activities as well; those entries are replaced here by the reflection's own
row, which carries the same date and time plus the text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from scr_cpd.common.spreadsheet import FORMULA_TRIGGERS, neutralise  # noqa: F401 (re-exported)
from scr_cpd.common.text import one_line, visible
from scr_cpd.progress.log.render.view import (
    format_number,
    module_rows,
    parse_time,
    reflection_parts,
    tag_names,
    total_facts,
)
from scr_cpd.progress.status import session_status_label

COLUMNS = ("date", "kind", "module", "title", "questions", "correct", "score", "minutes", "details")
# Excel refuses longer cells (it splits them over rows); the JSON log keeps the full text.
CELL_LIMIT = 32_000
TRUNCATED = " … [truncated: the full text is in the JSON log]"


def fit(value: str) -> str:
    return value if len(value) <= CELL_LIMIT else value[: CELL_LIMIT - len(TRUNCATED)] + TRUNCATED


def timestamp(value: Any) -> str:
    """'2026-11-26 14:03' in UTC: sorts as text, and spreadsheets read it as a date and time."""
    moment = parse_time(value)
    return f"{moment:%Y-%m-%d %H:%M}" if moment else one_line(value)


def number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def minutes_cell(seconds: Any) -> str:
    """Minutes with one decimal, as a number a spreadsheet can sum."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        return ""
    return f"{seconds / 60:.1f}"


def activity_row(activity: dict[str, Any]) -> list[str]:
    questions, correct = activity.get("questions"), activity.get("correct")
    score = ""
    if isinstance(questions, int) and questions > 0 and isinstance(correct, (int, float)):
        score = f"{round(100 * correct / questions)}%"
    details = f"status: {one_line(session_status_label(activity.get('status')))}"
    if activity.get("ended_at"):
        details += f"; ended {timestamp(activity.get('ended_at'))}"
    return [
        timestamp(activity.get("started_at")),
        one_line(activity.get("kind")),
        one_line(activity.get("module_id")),
        one_line(activity.get("title")),
        number(questions),
        number(correct),
        score,
        minutes_cell(activity.get("seconds")),
        details,
    ]


def reflection_details(record: dict[str, Any], names: dict[str, str]) -> str:
    parts = [f"{p.label} {p.text.strip()}" for p in reflection_parts(record)]
    tags = [
        names.get(t, one_line(t)) if isinstance(t, str) else one_line(t)
        for t in record.get("tags") or []
    ]
    if tags:
        parts.append("Competency and Values Framework: " + ", ".join(tags))
    parts.append(f"Reference {one_line(record.get('id'))}")
    return "\n".join(parts)


def reflection_row(record: dict[str, Any], names: dict[str, str]) -> list[str]:
    return [
        timestamp(record.get("created_at")),
        "reflection",
        one_line(record.get("module_id")),
        visible(record.get("prompt"), multiline=True).strip(),
        "",
        "",
        "",
        minutes_cell(record.get("seconds")),
        reflection_details(record, names),
    ]


SUMMARY_KIND = "summary"


def summary_rows(doc: dict[str, Any]) -> list[list[str]]:
    """The figures, worded as in the other renderings (view.module_rows and view.total_facts)."""
    when = timestamp(doc.get("generated_at"))
    modules = [m for m in doc.get("modules") or [] if isinstance(m, dict)]
    found = []
    for module, (title, status, best, answers, time) in zip(modules, module_rows(doc)):
        details = f"status: {status}; best score: {best}; answers: {answers}; time: {time}"
        found.append(
            [
                when,
                SUMMARY_KIND,
                one_line(module.get("id")),
                title,
                answers,
                format_number(module.get("correct", 0)),
                best,
                "",
                details,
            ]
        )
    totals = "; ".join(f"{fact.label}: {fact.value}" for fact in total_facts(doc))
    found.append([when, SUMMARY_KIND, "", "Totals", "", "", "", "", totals])
    return found


def rows(doc: dict[str, Any]) -> list[list[str]]:
    activities = [a for a in doc.get("activities") or [] if isinstance(a, dict)]
    found = [activity_row(a) for a in activities if a.get("kind") != "reflection"]
    names = tag_names()
    found += [reflection_row(r, names) for r in doc.get("reflections") or [] if isinstance(r, dict)]
    found.sort(key=lambda row: row[0])
    return found


def render(doc: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in summary_rows(doc) + rows(doc):
        writer.writerow([neutralise(fit(cell)) for cell in row])
    return out.getvalue().encode("utf-8-sig")
