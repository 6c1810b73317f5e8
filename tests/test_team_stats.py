"""`cpd bank stats --logs`: question statistics from a team's signed logs."""

from __future__ import annotations

import csv
import io
import json
import shutil
import statistics
from dataclasses import replace

import pytest
from helpers import TINY, cpd
from officers import RIGHT, WRONG, answer, export, officer_home, team, trust

from scr_cpd.progress.team_stats import efficiency, pearson, render_html, team_stats

QUESTIONS = ["q-single", "q-multiple", "q-true-false", "q-numeric", "q-short", "q-matching"]
# Who got what right (1) or wrong (0), officer by officer, in QUESTIONS order.
DESIGN = [
    [1, 1, 1, 1, 0, 1],
    [1, 1, 1, 1, 0, 0],
    [1, 0, 1, 1, 0, 1],
    [1, 0, 1, 0, 1, 0],
    [1, 0, 1, 0, 1, 0],
    [0, 0, 1, 0, 1, 0],
]
CONFIDENCE = {0: {"q-single": "sure"}, 5: {"q-single": "sure"}, 1: {"q-numeric": "guess"}}


@pytest.fixture
def trainer(isolated_home):
    (isolated_home / "banks").mkdir(parents=True)
    shutil.copy(TINY, isolated_home / "banks" / "tiny.yaml")
    return isolated_home


@pytest.fixture
def logs(tmp_path, trainer):
    answers = [{q: (RIGHT if ok else WRONG)[q] for q, ok in zip(QUESTIONS, row)} for row in DESIGN]
    paths = []
    for i, responses in enumerate(answers):
        home = officer_home(tmp_path / "homes", str(1000 + i))
        answer(home, responses, confidence=CONFIDENCE.get(i))
        paths.append(tmp_path / "logs" / f"officer-{1000 + i}.json")
        paths[-1].parent.mkdir(exist_ok=True)
        trust(trainer, export(home, paths[-1]))
    folder = paths[0].parent
    shutil.copy(paths[0], folder / "officer-1000-copy.json")  # handed in twice: counted once
    # An officer who answered before the trainer reworded q-single's options.
    old = officer_home(tmp_path / "homes", "2000")
    bank = old / "banks" / "tiny.yaml"
    bank.write_text(bank.read_text().replace("text: Red", "text: Crimson"))
    answer(old, {"q-single": WRONG["q-single"]})
    trust(trainer, export(old, folder / "officer-2000.json"))
    edited = json.loads(paths[1].read_text())
    edited["attempts"][0]["correct"] = not edited["attempts"][0]["correct"]
    (folder / "edited.json").write_text(json.dumps(edited))
    return folder


def test_per_question_figures_and_flags(logs, trainer):
    result = cpd("bank", "stats", "tiny", "--logs", str(logs))
    assert result.exit_code == 1, result.output  # one file was not used
    out = result.output
    assert "Question statistics from 8 verified logs." in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  q-")}
    assert lines["q-single"].split()[1:4] == ["6", "6", "83%"]
    assert lines["q-true-false"].split()[1:4] == ["6", "6", "100%"]
    assert lines["q-true-false"].endswith("too easy")
    assert (
        "misleading: option 2 “Three” was chosen 4 times, the right answer 2 times"
        in (lines["q-multiple"])
    )
    assert "not discriminating" in lines["q-short"]
    assert "not discriminating" not in lines["q-numeric"]
    assert "wrong first answers: 2. Green ×1, 3. Red ×0" in out
    assert "tiny/q-single wording" in out and "1 officer, 1 answer, 0% right" in out
    assert f"{logs / 'edited.json'}: edited (changed after signing: attempts)" in out


def test_discrimination_is_the_correlation_with_the_rest_of_the_module(logs, trainer):
    from scr_cpd.content.loader import load_library
    from scr_cpd.progress.warehouse import trusted_names

    report = team_stats([logs], trusted_names(trainer), [load_library(trainer).get("tiny")])
    found = {t.question.id: t for t in report.questions}
    for n, qid in enumerate(QUESTIONS):
        item = [row[n] for row in DESIGN]
        rest = [(sum(row) - row[n]) / (len(row) - 1) for row in DESIGN]
        expected = statistics.correlation(item, rest) if len(set(item)) > 1 else None
        assert found[qid].discrimination == pytest.approx(expected), qid
    assert found["q-single"].sure_wrong == 1 and found["q-single"].rated == 2
    assert found["q-numeric"].guess_right == 1
    assert found["q-single"].answers == 6  # the copy of one log counted once


def test_measures_on_small_cases():
    assert pearson([1, 0], [1, 0]) == pytest.approx(1)
    assert pearson([1, 1], [0.5, 0]) is None
    assert efficiency([1, 0, 0], [0.2, 0.9, 0.1]) == pytest.approx(
        statistics.covariance([1, 0, 0], [0.2, 0.9, 0.1])
        / statistics.covariance([0, 0, 1], [0.1, 0.2, 0.9])
    )


def test_csv_one_row_per_question(logs, trainer, tmp_path):
    out = tmp_path / "stats.csv"
    result = cpd("bank", "stats", "--logs", str(logs), "--csv", str(out))
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["question"] for r in rows] == QUESTIONS
    multiple = rows[1]
    assert (multiple["module"], multiple["officers"], multiple["answers"]) == ("tiny", "6", "6")
    assert multiple["facility"] == "0.33" and multiple["flags"].startswith("misleading")
    assert rows[2]["discrimination"] == "" and rows[2]["flags"] == "too easy"
    assert float(rows[3]["discrimination"]) > 0.5


def test_html_is_self_contained_with_a_chart_per_question(logs, trainer, tmp_path):
    out = tmp_path / "stats.html"
    cpd("bank", "stats", "--logs", str(logs), "--html", str(out))
    page = out.read_text()
    assert page.count("<svg") == 6 and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "<script" not in page and "<link" not in page
    assert "Green</text>" in page and "edited.json" in page


def test_html_escapes_what_came_from_files(logs, trainer):
    from scr_cpd.content.loader import load_library
    from scr_cpd.progress.warehouse import trusted_names

    report = team_stats([logs], trusted_names(trainer), [load_library(trainer).get("tiny")])
    first = report.questions[0]
    report.questions[0] = replace(
        first, question=replace(first.question, prompt="<script>x</script>")
    )
    page = render_html(report, "2026-12-01")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_usage_errors_are_one_sentence(trainer, tmp_path):
    result = cpd("bank", "stats", "--csv", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and "--csv and --html need --logs PATH" in result.output
    (tmp_path / "empty").mkdir()
    result = cpd("bank", "stats", "--logs", str(tmp_path / "empty"))
    assert result.exit_code == 1 and "no .json files found in" in result.output


def test_only_the_verified_logs_count(trainer, tmp_path):
    paths = team(tmp_path, trainer, [RIGHT])
    stranger = officer_home(tmp_path / "x", "9")
    answer(stranger, WRONG)
    export(stranger, paths[0].parent / "stranger.json")
    result = cpd("bank", "stats", "tiny", "--logs", str(paths[0].parent))
    assert "from 1 verified log." in result.output
    assert "stranger.json: unknown signer" in result.output


def test_on_a_narrow_terminal_each_question_s_figures_go_under_its_id(logs, trainer):
    from scr_cpd.cli.records import team_stats_lines, team_stats_width
    from scr_cpd.content.loader import load_library
    from scr_cpd.progress.warehouse import trusted_names

    report = team_stats([logs], trusted_names(trainer), [load_library(trainer).get("tiny")])
    wide = team_stats_lines(report, 5)
    narrow = team_stats_lines(report, 5, narrow=True)
    row = next(line for line in wide if line.startswith("  q-single "))
    at = narrow.index("  q-single")
    assert narrow[at + 1].split() == row.split()[1:7]  # the same figures, under the id
    assert narrow[at + 1].startswith("    ") and len(narrow[at + 1]) <= 80
    assert narrow[at + 2] == "    flags: " + row.split("  ")[-1].strip()
    assert max(len(line) for line in wide if line.startswith("  q-")) > team_stats_width(report)
