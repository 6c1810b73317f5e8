"""One truth for every figure: `cpd modules`, `cpd progress`, the JSON log and its Markdown, HTML
and CSV renderings report the same status, best score, answers and time for every module, and
the same totals, over random histories (runs, retakes, practice, interruptions, restarts,
reflections and two writers at once); the store keeps one answer per question per session."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import TINY, cpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_cpd.common.text import format_duration
from scr_cpd.content.loader import load_library
from scr_cpd.progress import reflections as rf
from scr_cpd.progress.figures import cpd_hours, figures, format_hours, format_score
from scr_cpd.progress.store import MIGRATIONS, AlreadyAnswered, Store

MODULES = ("tiny", "tiny-two")
SECONDS = (0.5, 12.25, 30.0, 299.99)


@pytest.fixture
def two_banks(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("banks")
    shutil.copy(TINY, folder / "tiny.yaml")
    text = TINY.read_text().replace("id: tiny\n", "id: tiny-two\n", 1)
    text = text.replace("title: Tiny test module", "title: Second tiny module", 1)
    (folder / "tiny-two.yaml").write_text(text.replace("pass_mark: 0.5", "pass_mark: 0.8"))
    monkeypatch.setenv("SCR_CPD_BANKS", str(folder))
    library = load_library(None)
    return {m: library.get(m) for m in MODULES}


# --- a model of the rules (docs/figures.md), to check the library against -------------------


class Model:
    def __init__(self, banks):
        self.banks = banks
        self.scores = {m: [] for m in MODULES}
        self.answers = dict.fromkeys(MODULES, 0)
        self.seconds = dict.fromkeys(MODULES, 0.0)
        self.open = {}  # module -> {question id: correct}
        self.reflection_seconds = 0.0

    def answered(self, module, seconds):
        self.answers[module] += 1
        self.seconds[module] += seconds

    def status(self, module):
        best = max(self.scores[module], default=None)
        if best is not None:
            return "passed" if round(best, 4) >= self.banks[module].pass_mark else "completed"
        active = module in self.open or self.answers[module] > 0
        return "in progress" if active else "not started"


def apply(op, stores, model, banks):
    kind = op[0]
    a, b = stores
    if kind == "run":
        _, module, count, finish, right, two_writers, pick = op
        bank = banks[module]
        plan = [q.key for q in bank.questions]
        session = a.start_session("module", module, plan, bank.version)  # joins an open run
        done = model.open.setdefault(module, {})
        todo = [q for q in bank.questions if q.id not in done]
        for n, q in enumerate(todo if finish else todo[:count]):
            seconds = SECONDS[(pick + n) % len(SECONDS)]
            writer, other = (b, a) if two_writers and n % 2 else (a, b)
            correct = right[n % len(right)]
            writer.record_attempt(
                session.id, module, q.id, q.revision, q.content_hash, 0, correct, seconds
            )
            if two_writers:  # the other process answers the same question: refused
                with pytest.raises(AlreadyAnswered):
                    other.record_attempt(
                        session.id, module, q.id, q.revision, q.content_hash, 0, not correct, 1.0
                    )
            done[q.id] = correct
            model.answered(module, seconds)
        if finish:
            a.end_session(session.id, "completed")
            model.scores[module].append(sum(done.values()) / len(plan))
            del model.open[module]
    elif kind == "restart":
        session = a.active_session("module", op[1])
        if session:
            a.end_session(session.id, "abandoned")
            model.open.pop(op[1], None)
    elif kind in ("retake", "practice"):
        _, module, count, finish, seconds = op
        questions = banks[module].questions[:count]
        session = a.start_session(kind, module, [q.key for q in questions])
        for q in questions:
            a.record_attempt(session.id, module, q.id, q.revision, q.content_hash, 0, True, seconds)
            model.answered(module, seconds)
        a.end_session(session.id, "completed" if finish else "abandoned")
    elif kind == "reflect":
        uid = rf.create(a, "A prompt", op[1])
        rf.save_field(a, uid, "what", "Something I learned.", op[2])
        model.reflection_seconds += min(op[2], rf.FIELD_CAP_SECONDS)  # idle time capped


module = st.sampled_from(MODULES)
OPERATIONS = st.one_of(
    st.tuples(
        st.just("run"),
        module,
        st.integers(0, 6),
        st.booleans(),
        st.lists(st.booleans(), min_size=1, max_size=6),
        st.booleans(),
        st.integers(0, 3),
    ),
    st.tuples(st.just("restart"), module),
    st.tuples(
        st.just("retake"), module, st.integers(1, 3), st.booleans(), st.sampled_from(SECONDS)
    ),
    st.tuples(
        st.just("practice"), module, st.integers(1, 6), st.booleans(), st.sampled_from(SECONDS)
    ),
    st.tuples(st.just("reflect"), st.sampled_from((None, *MODULES)), st.integers(0, 1900)),
)


# --- reading the figures back out of each output ---------------------------------------------

PROGRESS_ROW = re.compile(
    r"^(\S+)\s+(not started|in progress|completed|passed)\s+(\S+)\s+\S+\s+\d+\s+(\d+)\s+(.+?)\s*$"
)


def from_progress(text):
    rows = {}
    for line in text.splitlines():
        match = PROGRESS_ROW.match(line)
        if match and match.group(1) in MODULES:
            rows[match.group(1)] = match.group(2, 3, 4, 5)
    totals = re.search(
        r"Modules completed: (\d+) of \d+ · Modules passed: (\d+) of \d+ · Answers: (\d+) · "
        r"Time on task: (.+?) \((\S+) CPD hours\)",
        text,
    )
    return rows, totals.group(1, 2, 3, 4, 5)


def from_json(doc):
    rows = {
        m["id"]: (
            m["status"],
            format_score(m["best_score"]),
            str(m["attempts"]),
            format_duration(m["seconds"]),
        )
        for m in doc["modules"]
        if m["id"] in MODULES
    }
    t = doc["totals"]
    totals = (
        str(t["modules_completed"]),
        str(t["modules_passed"]),
        str(t["questions_answered"]),
        format_duration(t["seconds"]),
        format_hours(t["cpd_hours"]),
    )
    return rows, totals


def facts_totals(text):
    found = re.search(r"CPD hours:?\s+(\S+) \((.+?) on task\)", text)
    return (
        re.search(r"Modules completed:?\s+(\d+) of", text).group(1),
        re.search(r"Modules passed:?\s+(\d+) of", text).group(1),
        re.search(r"Answers:?\s+(\d+)", text).group(1),
        found.group(2),
        found.group(1),
    )


def from_markdown(text, titles):
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0] in titles:
            rows[titles[cells[0]]] = tuple(cells[1:])
    return rows, facts_totals(text.replace("**", ""))


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.text, self.cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def from_html(text, titles):
    parser = Cells()
    parser.feed(text)
    rows = {titles[r[0]]: tuple(r[1:]) for r in parser.rows if len(r) == 5 and r[0] in titles}
    return rows, facts_totals(" ".join(" ".join(parser.text).split()))


def from_csv(data):
    rows, totals = {}, None
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        if row["kind"] != "summary":
            continue
        if row["title"] == "Totals":
            totals = facts_totals(row["details"])
        else:
            found = re.fullmatch(
                r"status: (.+); best score: (.+); answers: (\d+); time: (.+)", row["details"]
            )
            rows[row["module"]] = found.groups()
    return {m: r for m, r in rows.items() if m in MODULES}, totals


# --- the property -----------------------------------------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(OPERATIONS, max_size=8))
def test_every_output_reports_the_same_figures_for_every_module(two_banks, tmp_path, history):
    home = Path(tempfile.mkdtemp(dir=tmp_path)) / "home"  # a fresh home for each example
    stores = (Store.open(home), Store.open(home))  # two writers on one database
    model = Model(two_banks)
    for op in history:
        apply(op, stores, model, two_banks)
    for s in stores:
        s.close()

    titles = {b.title: m for m, b in two_banks.items()}
    counted = figures(Store.open(home), list(two_banks.values()))
    for m in MODULES:  # the library agrees with the rules as written in docs/figures.md
        record = counted.module(m)
        assert record.status == model.status(m)
        assert record.answers == model.answers[m]
        assert record.seconds == pytest.approx(model.seconds[m], abs=0.01)
        best = max(model.scores[m], default=None)
        assert record.best_score == (None if best is None else round(best, 4))
        assert record.best_score is None or 0 <= record.best_score <= 1
    expected_seconds = sum(model.seconds.values()) + model.reflection_seconds
    assert counted.totals.cpd_hours == cpd_hours(round(expected_seconds, 2))

    progress_rows, progress_totals = from_progress(cpd("--home", str(home), "progress").stdout)
    exported = {
        fmt: cpd("--home", str(home), "export", "--format", fmt, "-o", "-").stdout_bytes
        for fmt in ("json", "md", "html", "csv")
    }
    json_rows, json_totals = from_json(json.loads(exported["json"]))
    assert progress_rows == json_rows and len(json_rows) == 2
    assert progress_totals == json_totals
    md_text, html_text = exported["md"].decode(), exported["html"].decode()
    assert from_markdown(md_text, titles) == (json_rows, json_totals)
    assert from_html(html_text, titles) == (json_rows, json_totals)
    csv_rows, csv_totals = from_csv(exported["csv"])
    assert csv_rows == json_rows and csv_totals == json_totals
    modules = cpd("--home", str(home), "modules").stdout
    for m in MODULES:
        line = next(x for x in modules.splitlines() if x.startswith(m + " "))
        assert line.split()[-1] == json_rows[m][1] and json_rows[m][0] in line


# --- the rules, one by one ---------------------------------------------------------------------


def run(store, bank, right, finish=True, session=None):
    session = session or store.start_session("module", bank.id, [q.key for q in bank.questions])
    for n, q in enumerate(bank.questions[: len(right)]):
        store.record_attempt(session.id, bank.id, q.id, 1, q.content_hash, 0, right[n], 10.0)
    if finish:
        store.end_session(session.id, "completed")
    return session


def test_a_retake_after_a_failed_run_leaves_the_module_completed_with_its_score(
    two_banks, tmp_path
):
    store = Store.open(tmp_path / "h")
    tiny = two_banks["tiny"]
    run(store, tiny, [True, True] + [False] * 4)
    retake = store.start_session("retake", "tiny", [q.key for q in tiny.questions[2:]])
    for q in tiny.questions[2:]:
        store.record_attempt(retake.id, "tiny", q.id, 1, q.content_hash, 0, True, 10.0)
    store.end_session(retake.id, "completed")
    record = figures(store, [tiny]).module("tiny")
    assert (record.status, record.best_score, record.answers) == ("completed", 0.3333, 10)


def test_a_new_run_after_a_failed_one_keeps_the_module_completed(two_banks, tmp_path):
    """The log used to say "completed" and `cpd progress` "in progress": both now say completed."""
    store = Store.open(tmp_path / "h")
    tiny = two_banks["tiny"]
    run(store, tiny, [False] * 6)
    run(store, tiny, [True], finish=False)
    record = figures(store, [tiny]).module("tiny")
    assert (record.status, record.completions, record.best_score) == ("completed", 1, 0.0)


def test_cpd_hours_are_rounded_half_up_to_two_places():
    assert cpd_hours(180) == 0.05  # 0.05 h exactly
    assert cpd_hours(17.99) == 0.0 and cpd_hours(18) == 0.01  # 0.005 h rounds up
    assert cpd_hours(3600 * 1.335) == 1.34  # not to even
    assert format_hours(0.1) == "0.10" and format_hours(0) == "0.00"


def test_a_second_process_on_the_same_module_joins_its_open_run(two_banks, tmp_path):
    home = tmp_path / "h"
    first, second = Store.open(home), Store.open(home)
    tiny = two_banks["tiny"]
    plan = [q.key for q in tiny.questions]
    one = first.start_session("module", "tiny", plan)
    assert second.start_session("module", "tiny", list(reversed(plan))).id == one.id
    run(first, tiny, [True, True], finish=False, session=one)
    result = cpd("--home", str(home), "start", "tiny", input="q\n")
    assert "Continuing Tiny test module: 2 of 6 answered." in result.output


def test_two_processes_answering_at_once_never_count_an_answer_twice(two_banks, tmp_path):
    home = tmp_path / "h"
    tiny = two_banks["tiny"]
    store = Store.open(home)
    session = store.start_session("module", "tiny", [q.key for q in tiny.questions])
    script = (
        "import sys\nfrom scr_cpd.progress.store import Store, AlreadyAnswered\n"
        f"s = Store.open(__import__('pathlib').Path({str(home)!r}))\n"
        f"for q in {[q.id for q in tiny.questions]!r} * 20:\n"
        "    try:\n"
        f"        s.record_attempt({session.id}, 'tiny', q, 1, 'h', 0, True, 1.0)\n"
        "    except AlreadyAnswered:\n"
        "        pass\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(3)]
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0]
    store.end_session(session.id, "completed")
    record = figures(store, [tiny]).module("tiny")
    assert (record.answers, record.best_score, record.status) == (6, 1.0, "passed")


def test_the_quiz_says_when_another_window_answered_a_question_first(two_banks, tmp_path):
    from scr_cpd.progress.quiz import run_session

    store, other = Store.open(tmp_path / "h"), Store.open(tmp_path / "h")
    tiny = two_banks["tiny"]
    session = store.start_session("module", "tiny", [q.key for q in tiny.questions])
    said = []

    class UI:
        def ask(self, presented):
            q = presented.question
            if q.id == "q-numeric":  # meanwhile, another window answers this one
                other.record_attempt(session.id, "tiny", q.id, 1, q.content_hash, 7, True, 5.0)
            return {"q-single": 0, "q-multiple": [0], "q-numeric": 1}.get(q.id, 0)

        def ask_confidence(self):
            return None

        def show_feedback(self, feedback):
            pass

        def say(self, text):
            said.append(text)

    result = run_session(store, session, lambda m, q: tiny.question(q), UI())
    assert any("answered meanwhile in another window; that answer counts" in s for s in said)
    answers = store.attempts(session_id=session.id)
    assert len(answers) == 6
    assert next(a for a in answers if a.question_id == "q-numeric").response == 7
    assert result.finished and result.correct == sum(a.correct for a in answers)


def test_migration_keeps_the_first_answer_and_one_open_run_per_module(tmp_path):
    path = tmp_path / "progress.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for step in MIGRATIONS[:3]:
        step(db)
    db.execute("PRAGMA user_version = 3")
    db.execute("COMMIT")
    for n in (1, 2, 3):
        db.execute(
            "INSERT INTO sessions (kind, module_id, plan, started_at, status)"
            " VALUES ('module', 'tiny', '[[\"tiny\", \"q1\"]]', ?, 'active')",
            (f"2026-01-0{n}T10:00:00+00:00",),
        )
    for correct, seconds in ((0, 5.0), (1, 7.0), (1, 9.0)):
        db.execute(
            "INSERT INTO attempts (session_id, module_id, question_id, revision, content_hash,"
            " response, correct, answered_at, seconds) VALUES (3, 'tiny', 'q1', 1, 'h', '0', ?,"
            " '2026-01-03T10:00:00+00:00', ?)",
            (correct, seconds),
        )
    db.close()
    store = Store(path)
    kept = store.attempts(session_id=3)
    assert [(a.correct, a.seconds) for a in kept] == [(False, 5.0)]  # the first answer counts
    extra = store.db.execute("SELECT correct, seconds FROM extra_answers ORDER BY id").fetchall()
    assert [tuple(r) for r in extra] == [(1, 7.0), (1, 9.0)]  # kept as given, counted nowhere
    assert [s.id for s in store.active_sessions()] == [3]
    assert {s.id: s.status for s in store.sessions("tiny")} == {
        1: "abandoned",
        2: "abandoned",
        3: "active",
    }


def test_the_logs_status_words_are_the_figures_own():
    from scr_cpd.progress.log import vocabulary
    from scr_cpd.progress.status import MODULE_STATUSES

    assert vocabulary.MODULE_STATUSES == MODULE_STATUSES
