"""A team summary as a CSV file for a spreadsheet and as one self-contained HTML page, its
charts first (progress/supervision/dashboard.py), then the table of officers.

Every string from a log is shown with control, bidi and zero-width characters made visible
(scr_cpd.common.text.visible); CSV cells are also neutralised so no spreadsheet runs them, and
HTML is escaped and carries a policy that loads and runs nothing. Printed, the page is black on
white, fits A4 portrait and keeps each chart on one page.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from scr_cpd.common.spreadsheet import safe_cell
from scr_cpd.common.text import count, noun
from scr_cpd.progress.log.vocabulary import STATUSES
from scr_cpd.progress.supervision.dashboard import CHART_STYLE, charts, escaped
from scr_cpd.progress.supervision.team import SummaryRow

CSV_COLUMNS = (
    "file",
    "name",
    "name_in_log",
    "staff_number",
    "role",
    "force",
    "period_since",
    "period_until",
    "cpd_hours",
    "modules_completed",
    "modules_passed",
    "modules_total",
    "average_score",
    "reflections",
    "last_activity",
    "verification",
    "verification_detail",
    "flags",
    "review_outcome",
    "review_verification",
    "review_detail",
    "reviewer",
)


def csv_values(row: SummaryRow) -> list[Any]:
    if not row.loaded:
        blank = [""] * (CSV_COLUMNS.index("verification") - 1)
        return [row.path, *blank, row.status, row.detail, "", "", "", "", ""]
    score = "" if row.average_score is None else f"{row.average_score * 100:.0f}"
    return [
        row.path,
        row.name,
        row.claimed_name,
        row.staff_number,
        row.role,
        row.force,
        row.since or "",
        row.until or "",
        f"{row.hours:.2f}",
        row.modules_completed,
        row.modules_passed,
        row.modules_total,
        score,
        row.reflections,
        row.last_activity or "",
        row.status,
        row.detail,
        "; ".join(row.flags),
        row.review_outcome or "",
        row.review_status or "",
        row.review_detail,
        row.reviewer,
    ]


def render_csv(rows: Iterable[SummaryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(v) for v in csv_values(row)])
    return out.getvalue()


HTML_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;margin:2rem;max-width:80rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin-top:2rem}
p.meta{color:#555;margin:0 0 1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
th{background:#f0f0f0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600}.valid{color:#17622b}
.edited,.damaged,.unsigned,.identity-mismatch,.self-signed-review,.revoked-key,.flag{color:#a4000f}
.unknown-signer,.not-a-cpd-log,.unsupported-version,.unreadable,.printable-copy,
.reviewer-not-trusted-as-a-supervisor{color:#8a4b00}
.detail{display:block;font-size:.85em;color:#555;font-weight:normal;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}
table.officers{min-width:64rem}.nowrap{white-space:nowrap}
td.verdict{min-width:16rem}td.file{min-width:9rem}
h3{font-size:1rem;margin:1.5rem 0 .25rem}
@page{size:A4 portrait;margin:14mm}
@media print{body{margin:0;font-size:10pt;max-width:none;color:#000;background:#fff}
th{background:none}tr{break-inside:avoid}thead{display:table-header-group}
h2,h3{break-after:avoid}h2.officers{break-before:page}.wide{overflow:visible}
table.officers{min-width:0}}
""".strip()

_e = escaped


def _status_class(status: str | None) -> str:
    return (status or "").lower().replace(" ", "-") if status in STATUSES else ""


def _tally(rows: list[SummaryRow]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


OFFICER_HEADERS = (
    # A narrow window scrolls the table sideways (.wide) rather than squeezing its twelve
    # columns until each row is a tall strip of broken words.
    '<table class="officers"><thead><tr><th>Officer</th><th>Staff number</th><th>Period</th>'
    '<th class="num">CPD hours</th><th class="num">Completed</th><th class="num">Passed</th>'
    '<th class="num">Average score</th><th class="num">Reflections</th><th>Last activity</th>'
    "<th>Verification</th><th>Review</th><th>File</th></tr></thead><tbody>"
)


def render_html(rows: list[SummaryRow], generated_at: str, skipped: int = 0) -> str:
    """One self-contained page: no scripts, no external files; every string from a log escaped."""
    officers = [r for r in rows if r.loaded]
    failures = [r for r in rows if not r.loaded]
    tally = _tally(rows)
    out = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>CPD team summary</title>",
        f"<style>{HTML_STYLE}\n{CHART_STYLE}</style></head><body>",
        "<h1>CPD team summary</h1>",
        f'<p class="meta">{count(len(officers), "officer log")}, generated {_e(generated_at)} by scr-cpd'
        f"{' · ' + _e(tally) if tally else ''}</p>",
    ]
    if officers:
        out += [
            charts(officers),
            '<h2 class="officers">Officers</h2><div class="wide">',
            OFFICER_HEADERS,
            *(_html_row(row) for row in officers),
            "</tbody></table></div>",
        ]
    else:
        out.append("<p>No officer logs could be read.</p>")
    if failures:
        out.append(
            "<h2>Files that could not be read</h2><table><thead><tr><th>File</th><th>Problem</th>"
            "</tr></thead><tbody>"
        )
        for row in failures:
            out.append(
                f'<tr><td>{_e(row.path)}</td><td><span class="status {_status_class(row.status)}">'
                f'{_e(row.status)}</span><span class="detail">{_e(row.detail)}</span></td></tr>'
            )
        out.append("</tbody></table>")
    if skipped:
        out.append(
            f'<p class="meta">{count(skipped, "file")} in the folders {noun(skipped, "was", "were")} not .json and {noun(skipped, "was", "were")} skipped.</p>'
        )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _review_cell(row: SummaryRow) -> str:
    if not row.review_outcome:
        return "–"
    review = _e(row.review_outcome)
    if row.reviewer:
        review += f'<span class="detail">by {_e(row.reviewer)}</span>'
    if row.review_status != "valid":
        review += (
            f'<span class="detail status {_status_class(row.review_status)}">'
            f"signature: {_e(row.review_status)}</span>"
            f'<span class="detail">{_e(row.review_detail)}</span>'
        )
    return review


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _whole_dates(html: str) -> str:
    """Each date kept on one line (a browser may otherwise break it at a hyphen)."""
    return _DATE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', html)


def _html_row(row: SummaryRow) -> str:
    score = "–" if row.average_score is None else f"{row.average_score:.0%}"
    verification = (
        f'<span class="status {_status_class(row.status)}">{_e(row.status)}</span>'
        f'<span class="detail">{_e(row.detail)}</span>'
    ) + "".join(f'<span class="detail flag">flag: {_e(flag)}</span>' for flag in row.flags)
    name = _e(row.name or "(no name)")
    if row.claimed_name != row.name:
        name += f'<span class="detail">name in the log: {_e(row.claimed_name)}</span>'
    cells = [
        name + (f'<span class="detail">{_e(row.role)}</span>' if row.role else ""),
        _e(row.staff_number),
        _whole_dates(_e(row.period)),
        f'<td class="num">{row.hours:.2f}',
        f'<td class="num">{row.modules_completed} of {row.modules_total}',
        f'<td class="num">{row.modules_passed}',
        f'<td class="num">{score}',
        f'<td class="num">{row.reflections}',
        _whole_dates(_e((row.last_activity or "–")[:10])),
        f'<td class="verdict">{verification}',
        _review_cell(row),
        f'<td class="file">{_e(row.path)}',
    ]
    return (
        "<tr>"
        + "".join((c if c.startswith("<td") else f"<td>{c}") + "</td>" for c in cells)
        + "</tr>"
    )
