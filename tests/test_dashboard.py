"""The charts of the HTML team report (progress/supervision/dashboard.py): the right bars, cells
and columns for a known team, every text escaped and made visible, and a page a screen reader
and a printer can use."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import cpd
from test_signing import make_log, new_key

from scr_cpd.common.text import shorten, visible
from scr_cpd.progress.figures import totals as figure_totals
from scr_cpd.progress.log.signing import sign_log
from scr_cpd.progress.log.vocabulary import MODULE_STATUSES
from scr_cpd.progress.status import ModuleStatus
from scr_cpd.progress.supervision import dashboard, team, team_report

# A known team: hours, each module's status in the officer's log, and answers per day answered.
# Cole's log has no "escalation" module at all (another set of banks).
TEAM = {
    "PC 1 Able": (
        3.0,
        {"neglect": "passed", "escalation": "passed", "adolescents": "completed"},
        {"2026-03-02": 5, "2026-03-18": 2},
    ),
    "PC 2 Baker": (
        1.5,
        {"neglect": "passed", "escalation": "in progress", "adolescents": "not started"},
        {"2026-03-04": 3},
    ),
    "PC 3 Cole": (0.75, {"neglect": "completed", "adolescents": "not started"}, {"2026-03-30": 4}),
}
WEEKS = {"2026-03-02": (8, 2), "2026-03-16": (2, 1), "2026-03-30": (4, 1)}  # answers, officers


def log_totals(modules, attempts):
    """The log's totals from its module records and answers, by the figures' own function."""
    records = [SimpleNamespace(status=ModuleStatus(m["status"])) for m in modules]
    seconds = sum(a["seconds"] for a in attempts)
    return figure_totals(records, seconds, len(attempts), 0.0, 0).as_log()


def team_log(name, staff, seed, hours, statuses, answered):
    """A signed log whose module records carry these statuses, and whose answers fall on these
    days; its totals are made by the log builder's own function, so the hours are its figure."""
    doc = make_log(name=name, staff=staff, reflections=0, seed=seed)
    module, attempt = doc["modules"][0], doc["attempts"][0]
    doc["modules"] = [
        {**module, "id": m, "title": m.title(), "status": s} for m, s in statuses.items()
    ]
    days = [day for day, n in answered.items() for _ in range(n)]
    doc["attempts"] = [
        {
            **attempt,
            "module_id": "neglect",
            "question_id": f"q-{n}",
            "answered_at": f"{day}T10:00:00+00:00",
            "seconds": hours * 3600 / len(days),
        }
        for n, day in enumerate(days)
    ]
    doc["totals"] = log_totals(doc["modules"], doc["attempts"])
    return sign_log(doc, new_key(seed))


def write_team(folder, members=TEAM):
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (name, (hours, statuses, answered)) in enumerate(members.items(), start=1):
        doc = team_log(name, str(seed), seed, hours, statuses, answered)
        (folder / f"officer-{seed}.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "cut.json").write_text('{"format": "scr-cpd/log@1", "profile": {"na')
    return folder


def report(tmp_path, members=TEAM):
    """The team's page as `cpd review summary --html` writes it."""
    page = tmp_path / "team.html"
    result = cpd(
        "review", "summary", str(write_team(tmp_path / "team", members)), "--html", str(page)
    )
    assert f"Wrote {page}" in result.output, result.output
    return page


def charts(page_text):
    """Each chart's SVG, parsed as XML: escaping that left any markup loose would fail here."""
    found = re.findall(r'<svg class="chart".*?</svg>', page_text, re.S)
    assert page_text.count("<svg") == len(found)
    return {svg.get("id"): svg for svg in map(ET.fromstring, found)}


def row_for(name, hours=1.0, statuses=None, weeks=None):
    return team.SummaryRow(
        path=Path(f"{name}.json"),
        status="valid",
        detail="",
        name=name,
        hours=hours,
        module_statuses=statuses or {},
        answers_by_week=weeks or {},
    )


# --- what the rows carry ------------------------------------------------------------------------


def test_rows_carry_each_module_status_and_answers_per_week_from_the_log(tmp_path):
    doc = team_log("PC 1 Able", "1", 1, *TEAM["PC 1 Able"])
    row = team.summarise(Path("able.json"), doc, team.Verdict("valid", ""))
    assert row.module_statuses == TEAM["PC 1 Able"][1]
    assert row.answers_by_week == {"2026-03-02": 5, "2026-03-16": 2}  # weeks start on Monday
    assert sum(row.answers_by_week.values()) == doc["totals"]["questions_answered"]
    assert row.hours == 3.0 and row.modules_completed == 3 and row.modules_passed == 2


def test_answers_per_week_reads_any_value_without_failing():
    attempts = [
        {"answered_at": "2026-03-08T23:30:00-02:00"},  # Monday 9 March in UTC
        {"answered_at": "2026-03-09T00:10:00+00:00"},
        {"answered_at": "0001-01-01T00:00:00+05:00"},  # before year 1 in UTC
        {"answered_at": "last Tuesday"},
        {"answered_at": 20260309},
        {},
        "2026-03-09",
        None,
    ]
    assert team.answers_by_week(attempts) == {"2026-03-09": 2}


def test_the_new_figures_survive_the_summary_cache(tmp_path):
    first = report(tmp_path).read_text()
    cached = tmp_path / "home" / "cache" / "review-summary.json"
    rows = json.loads(cached.read_text())["rows"].values()
    assert sorted(r["answers_by_week"].get("2026-03-02", 0) for r in rows if r["name"]) == [0, 3, 5]
    again = tmp_path / "again.html"
    cpd("review", "summary", str(tmp_path / "team"), "--html", str(again))
    strip = lambda text: re.sub(r"generated \S+", "", text)  # noqa: E731
    assert strip(again.read_text()) == strip(first)


# --- the charts of a known team -----------------------------------------------------------------


def test_hours_bars_one_per_officer_in_the_report_order_and_to_scale(tmp_path):
    svg = charts(report(tmp_path).read_text())["chart-hours"]
    bars = svg.findall("g[@class='bar']")
    assert [b.find("title").text for b in bars] == [
        "PC 1 Able: 3.00 CPD hours",
        "PC 2 Baker: 1.50 CPD hours",
        "PC 3 Cole: 0.75 CPD hours",
    ]
    widths = [float(b.find("rect").get("width")) for b in bars]
    plot = dashboard.WIDTH - dashboard.LABEL_WIDTH - 56
    assert widths == [round(plot * h / 3, 1) for h in (3.0, 1.5, 0.75)]  # axis 0 to 3 h
    ticks = [t.text for t in svg.findall("text[@class='tick']")]
    assert ticks == ["0", "0.5", "1", "1.5", "2", "2.5", "3"]
    assert [b.findall("text")[1].text for b in bars] == ["3.00", "1.50", "0.75"]


def test_module_grid_cells_carry_letter_and_colour_for_each_status(tmp_path):
    page = report(tmp_path).read_text()
    svg = charts(page)["chart-modules"]
    cells = svg.findall("g[@class='cell']")
    found = [(c.find("title").text, c.find("text").text, c.find("rect").get("fill")) for c in cells]
    marks = dashboard.STATUS_MARKS
    expected = []
    for name, (_, statuses, _) in TEAM.items():
        for module in ("neglect", "escalation", "adolescents"):  # the order the logs list them
            status = statuses.get(module)
            letter, fill = marks[status][:2] if status else ("·", "none")
            expected.append((f"{name}, {module}: {status or 'not in this log'}", letter, fill))
    assert found == expected
    legend = [t.text for t in svg.findall("text") if t.get("class") is None][-5:]
    assert legend == ["passed", "completed", "in progress", "not started", "not in this log"]
    desc = svg.find("desc").text
    assert desc.startswith(
        "3 officers by 3 modules, one row per officer: 3 passed, 2 completed, "
        "1 in progress, 2 not started, 1 not in this log."
    )
    table = page.split('<table class="chart-data grid">')[1].split("</table>")[0]
    assert (
        '<tr><th scope="row">PC 2 Baker</th><td><span aria-hidden="true">P</span>'
        '<span class="sr">passed</span></td><td><span aria-hidden="true">I</span>'
        '<span class="sr">in progress</span></td>' in table
    )


def test_every_module_status_has_its_own_letter_and_colour():
    assert tuple(dashboard.STATUS_MARKS) == tuple(reversed(MODULE_STATUSES))
    letters = [m[0] for m in dashboard.STATUS_MARKS.values()] + [dashboard.NOT_IN_LOG[0]]
    fills = [m[1] for m in dashboard.STATUS_MARKS.values()]
    assert len(set(letters)) == len(letters) and len(set(fills)) == len(fills)


def test_answers_per_week_columns_and_table(tmp_path):
    page = report(tmp_path).read_text()
    svg = charts(page)["chart-activity"]
    columns = [c.find("title").text for c in svg.findall("g[@class='column']")]
    assert columns == [
        "Week of 2 Mar 2026: 8 answers",
        "Week of 16 Mar 2026: 2 answers",
        "Week of 30 Mar 2026: 4 answers",
    ]
    assert "from the week of 2 Mar 2026 to the week of 30 Mar 2026: 14 answers in all" in (
        svg.find("desc").text
    )
    assert "the busiest week was the week of 2 Mar 2026, with 8 answers from 2 officers" in (
        svg.find("desc").text
    )
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td></tr>',
        page,
    )
    assert rows == [("2 Mar 2026", "8", "2"), ("16 Mar 2026", "2", "1"), ("30 Mar 2026", "4", "1")]
    heights = [float(r.get("height")) for r in svg.findall("g/rect")]
    assert heights == [150.0, 37.5, 75.0]  # 150 px for an axis of 0 to 8 answers
    ticks = [t.text for t in svg.findall("text[@class='tick']")][:5]
    assert ticks == ["0", "2", "4", "6", "8"]


def test_a_long_history_shows_its_last_year_and_keeps_every_week_in_the_table():
    weeks = {"2024-01-01": 1, "2026-01-05": 2, "2026-11-23": 3}  # Mondays
    page = dashboard.activity_chart([row_for("PC 1 Able", weeks=weeks)])
    svg = charts(page)["chart-activity"]
    assert svg.find("desc").text.startswith(
        "One column per week from the week of 1 Dec 2025 to the week of 23 Nov 2026"
    )
    assert "1 earlier answer is in the table below, not the chart." in svg.find("desc").text
    assert len(svg.findall("g[@class='column']")) == 2
    assert '<th scope="row">1 Jan 2024</th>' in page


def test_a_team_without_modules_or_answers_gets_the_hours_chart_only():
    page = dashboard.charts([row_for("PC 1 Able")])
    assert list(charts(page)) == ["chart-hours"]
    assert "No answers in these logs yet." in page
    assert dashboard.charts([]) == ""


@pytest.mark.parametrize(
    "value, least, ticks",
    [
        (3.0, 1.0, [0, 0.5, 1, 1.5, 2, 2.5, 3]),
        (10.26, 1.0, [0, 2, 4, 6, 8, 10, 12]),
        (0.0, 1.0, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (2, 5.0, [0, 1, 2, 3, 4, 5]),
        (204, 5.0, [0, 50, 100, 150, 200, 250]),
        (1234.5, 1.0, [0, 250, 500, 750, 1000, 1250]),
    ],
)
def test_axes_end_just_above_the_largest_figure_in_even_steps(value, least, ticks):
    assert dashboard.axis(value, least) == pytest.approx(ticks)


# --- hostile text -------------------------------------------------------------------------------

EVIL_NAME = 'PC <script>alert("x")</script> & \u202eevil\nVerification: valid\x1b[2J'
EVIL_MODULE = '<b>"neglect"</b>&amp;\u200b\r\n'


def test_hostile_names_and_module_ids_are_escaped_and_made_visible(tmp_path):
    members = {
        EVIL_NAME: (1.0, {EVIL_MODULE: "passed", "neglect": "in progress"}, {"2026-03-02": 2})
    }
    page = report(tmp_path, members).read_text()
    for bad in ("<script", "<b>", "\u202e", "\u200b", "\x1b", "\r"):
        assert bad not in page
    found = charts(page)  # every chart still parses: no markup got loose
    shown_name, shown_module = visible(EVIL_NAME), visible(EVIL_MODULE)
    assert "\n" not in shown_name and "\\n" in shown_name and "<U+202E>" in shown_name
    bar = found["chart-hours"].find("g[@class='bar']")
    assert bar.find("title").text == f"{shown_name}: 1.00 CPD hours"
    assert bar.find("text").text == shorten(shown_name, dashboard.LABEL_CHARS)
    cell = found["chart-modules"].find("g[@class='cell']")
    assert cell.find("title").text == f"{shown_name}, {shown_module}: passed"
    header = found["chart-modules"].find("text[@transform]")
    assert header.find("title").text == shown_module
    assert f"({shown_name})" in found["chart-hours"].find("desc").text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;U+202E&gt;evil\\n" in page
    for svg in found.values():
        for text in svg.itertext():
            assert not any(ord(ch) < 0x20 or 0x202A <= ord(ch) <= 0x202E for ch in text)


# --- a page for a screen reader and a printer ---------------------------------------------------


def test_each_chart_is_an_image_with_a_title_and_a_description(tmp_path):
    page = report(tmp_path).read_text()
    found = charts(page)
    assert list(found) == ["chart-hours", "chart-modules", "chart-activity"]
    for name, svg in found.items():
        title, desc = svg[0], svg[1]
        assert svg.get("role") == "img" and (title.tag, desc.tag) == ("title", "desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and len(desc.text) > 60
        assert page.count(f'id="{title.get("id")}"') == 1
    assert found["chart-hours"].find("desc").text == (
        "One bar per officer, in the order of the officers table, which gives the same figures. "
        "3 officers, 5.25 CPD hours in all; the fewest 0.75 (PC 3 Cole), the most 3.00 "
        "(PC 1 Able)."
    )
    assert page.index("<h2>At a glance</h2>") < page.index('<h2 class="officers">Officers</h2>')
    assert page.count("<tr><td>") == 4  # the officers table and the unreadable file stay


def test_the_page_is_self_contained_and_prints_on_white_a4(tmp_path):
    page = report(tmp_path).read_text()
    for loads_something in ("http:", "https:", "url(", "@import", "<link", "<script", "href="):
        assert loads_something not in page
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@page{size:A4 portrait" in style and "@media print" in style
    assert "prefers-color-scheme" not in style
    for colour in re.findall(r"background:#([0-9a-f]{6})", style):
        assert min(int(colour[i : i + 2], 16) for i in (0, 2, 4)) >= 0xE0  # light only
    widths = [int(svg.get("width")) for svg in charts(page).values()]
    assert max(widths) <= 688  # A4's 210 mm less two 14 mm margins, at 96 px an inch
    assert "figure.chart{margin:1.5rem 0;break-inside:avoid}" in style
    assert ".wide{overflow-x:auto}" in style  # wide tables scroll on screen, never in print:
    printed = style.split("@media print")[1]
    assert ".wide{overflow:visible}" in printed and "table.officers{min-width:0}}" in printed


def test_team_report_uses_the_charts_escaping():
    assert team_report._e is dashboard.escaped
