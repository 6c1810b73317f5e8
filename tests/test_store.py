"""The progress layer: the SQLite store (schema, permissions, refusing files that are not ours),
the quiz loop that commits each answer, and the per-module summary."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shlex
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from scr_cpd.common.text import format_duration
from scr_cpd.content.loader import parse_bank_file
from scr_cpd.content.model import bank_from_dict
from scr_cpd.progress import store as store_module
from scr_cpd.progress.figures import figures
from scr_cpd.progress.quiz import (
    IDLE_CAP_SECONDS,
    Presented,
    Stop,
    plan_module,
    present,
    run_session,
)
from scr_cpd.progress.store import (
    DB_NAME,
    MIGRATIONS,
    AlreadyAnswered,
    Store,
    StoreError,
    ensure_home,
)

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-bank.yaml"

EXPECTED_SCHEMA = {
    "attempts": [
        "id",
        "session_id",
        "module_id",
        "question_id",
        "revision",
        "content_hash",
        "response",
        "correct",
        "confidence",
        "answered_at",
        "seconds",
    ],
    "cards": ["module_id", "question_id", "revision", "card", "due", "last_review"],
    "profile": ["key", "value"],
    "reflections": [
        "id",
        "uid",
        "module_id",
        "prompt_id",
        "prompt",
        "what",
        "so_what",
        "now_what",
        "tags",
        "learning_points",
        "seconds",
        "created_at",
        "updated_at",
        "follow_up_due",
        "impact",
        "impact_at",
    ],
    "sessions": [
        "id",
        "kind",
        "module_id",
        "bank_version",
        "plan",
        "started_at",
        "ended_at",
        "status",
    ],
    "settings": ["key", "value"],
    "extra_answers": [
        "id",
        "session_id",
        "module_id",
        "question_id",
        "revision",
        "content_hash",
        "response",
        "correct",
        "confidence",
        "answered_at",
        "seconds",
    ],
}
EXPECTED_INDEXES = [
    "attempts_one_per_session",
    "attempts_question",
    "attempts_session",
    "cards_due",
    "sessions_module",
    "sessions_one_open_run",
]


@pytest.fixture
def tiny():
    data, problems = parse_bank_file(FIXTURE)
    assert problems == []
    return bank_from_dict(data, FIXTURE)


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "home")
    yield opened
    opened.close()


def module(store, bank):
    return figures(store, [bank]).module(bank.id)


def schema_of(db: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- Schema and files ----------------------------------------------------------------------


def test_migrating_a_blank_database_gives_the_expected_schema(store):
    assert schema_of(store.db) == EXPECTED_SCHEMA
    indexes = [
        r[0]
        for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        )
    ]
    assert indexes == EXPECTED_INDEXES
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_migrates_nothing_and_keeps_data(tmp_path):
    first = Store.open(tmp_path)
    first.set_setting("colour", "blue")
    first.close()
    again = Store.open(tmp_path)
    assert again.setting("colour") == "blue"
    assert schema_of(again.db) == EXPECTED_SCHEMA


def test_migrations_run_one_by_one_from_an_older_version(tmp_path):
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    db.execute("INSERT INTO profile (key, value) VALUES ('name', 'Alex')")
    db.close()
    store = Store(path)
    assert schema_of(store.db) == EXPECTED_SCHEMA
    assert store.profile() == {"name": "Alex"}


def test_home_folder_is_owner_only_and_database_files_are_0600(tmp_path):
    home = tmp_path / "new" / "home"
    store = Store.open(home)
    store.set_setting("x", "1")  # makes sure the WAL files exist
    assert mode(home) == 0o700
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
        assert mode(home / name) == 0o600, name
    store.close()


@pytest.mark.parametrize("round_", range(3))
def test_processes_creating_the_home_and_database_at_once_all_succeed(tmp_path, round_):
    """All read user_version 0 at once: each must re-read it under the write lock (or fail on
    'table sessions already exists'), and must not mistake the half-made database for
    another program's."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)
    results = context.Queue()
    workers = [
        context.Process(target=_open_store_after, args=(tmp_path / "home", barrier, results))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert outcomes == ["ok"] * 4
    assert schema_of(Store.open(tmp_path / "home").db) == EXPECTED_SCHEMA


def _open_store_after(home: Path, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        Store.open(home).close()
        results.put("ok")
    except Exception as exc:  # reported to the test, which shows it
        results.put(f"{type(exc).__name__}: {exc}")


# --- Files that are not ours are refused and left byte-for-byte unchanged --------------------


def test_a_file_that_is_not_sqlite_is_named_and_left_untouched(tmp_path):
    path = tmp_path / DB_NAME
    original = os.urandom(3000)
    path.write_bytes(original)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(caught.value).startswith(f"{path} is not a readable scr-cpd progress database")
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]


def test_a_text_file_in_place_of_the_database_is_left_untouched(tmp_path):
    path = tmp_path / DB_NAME
    path.write_text("my notes, not a database\n" * 200)
    original = path.read_bytes()
    with pytest.raises(StoreError, match="not a readable scr-cpd progress database"):
        Store(path)
    assert path.read_bytes() == original


def test_another_programs_sqlite_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / DB_NAME
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.execute("INSERT INTO contacts VALUES ('someone')")
    other.commit()
    other.close()
    original = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(caught.value).startswith(f"{path} is an SQLite database of another program")
    assert path.read_bytes() == original  # not even switched to WAL mode


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path):
    Store.open(tmp_path).close()
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    db.close()
    original = path.read_bytes()
    with pytest.raises(StoreError, match="written by a newer version of scr-cpd"):
        Store(path)
    assert path.read_bytes() == original


def test_home_folder_under_a_regular_file_is_named(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("I am a file")
    home = afile / "sub"
    with pytest.raises(StoreError) as caught:
        ensure_home(home)
    assert str(caught.value) == (
        f"cannot write to the home folder {home} (Not a directory); choose another with --home or SCR_CPD_HOME"
    )
    with pytest.raises(StoreError, match=f"home folder {home}"):
        Store.open(home)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any folder")
def test_read_only_home_folder_is_named(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    try:
        with pytest.raises(
            StoreError, match=f"cannot write to the home folder {home} \\(Permission denied\\)"
        ):
            Store.open(home)
    finally:
        home.chmod(0o700)


# --- Sessions, attempts, settings ----------------------------------------------------------


def test_every_response_shape_round_trips(store):
    session = store.start_session("module", "tiny", [("tiny", "a")], "1.0")
    responses = [2, [0, 2], True, False, 131, 12.5, "Paris", [1, 0]]
    for i, response in enumerate(responses):
        store.record_attempt(session.id, "tiny", f"q{i}", 1, "hash", response, i % 2 == 0, 3.14159)
    attempts = store.attempts(session_id=session.id)
    assert [a.response for a in attempts] == responses
    assert [type(a.response) for a in attempts] == [type(r) for r in responses]
    assert attempts[0].seconds == 3.14 and attempts[0].correct and not attempts[1].correct


def test_an_attempt_is_visible_to_another_connection_at_once(store):
    session = store.start_session("module", "tiny", [("tiny", "q")])
    store.record_attempt(session.id, "tiny", "q", 1, "h", 0, True, 1.0)
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1
    other.close()


def test_sessions_start_resume_and_end(store):
    first = store.start_session("module", "tiny", [("tiny", "a"), ("tiny", "b")], "1.0")
    assert store.active_session("module", "tiny") == first
    assert first.plan == [("tiny", "a"), ("tiny", "b")]
    assert store.active_session("module", "other") is None
    store.end_session(first.id, "completed")
    assert store.active_session("module", "tiny") is None
    assert [s.status for s in store.sessions("tiny")] == ["completed"]


def test_settings_and_profile(store):
    assert store.setting("missing", "default") == "default"
    store.set_setting("k", "v1")
    store.set_setting("k", "v2")
    assert store.setting("k") == "v2"
    store.set_profile(name="Alex", role=None)
    assert store.profile() == {"name": "Alex"}


def test_a_failed_write_leaves_nothing_half_done(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction():
            store.db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
            store.db.execute("INSERT INTO settings (key, value) VALUES ('b', NULL)")
    assert store.setting("a") is None


# --- The quiz loop -------------------------------------------------------------------------


class ScriptedUI:
    """Answers by question id; `Stop` as an answer stops there, like q or end of input."""

    def __init__(
        self, answers: dict[str, Any], clock: list[float] | None = None, step: float = 0.0
    ):
        self.answers = answers
        self.asked: list[Presented] = []
        self.feedback: list[Any] = []
        self.said: list[str] = []
        self.clock = clock
        self.step = step

    def ask(self, presented: Presented) -> Any:
        self.asked.append(presented)
        if self.clock is not None:
            self.clock[0] += self.step
        answer = self.answers[presented.question.id]
        if answer is Stop:
            raise Stop("stopped")
        return answer

    def ask_confidence(self) -> str | None:
        return "sure"

    def show_feedback(self, feedback: Any) -> None:
        self.feedback.append(feedback)

    def say(self, text: str) -> None:
        self.said.append(text)


RIGHT = {
    "q-single": 0,
    "q-multiple": [0, 2],
    "q-true-false": True,
    "q-numeric": 7,
    "q-short": "Paris",
    "q-matching": [0, 1],
}


def lookup_in(bank: Any):
    return lambda module_id, question_id: (
        bank.question(question_id) if module_id == bank.id else None
    )


def test_every_answer_is_committed_before_feedback_is_shown(store, tiny):
    session = store.start_session("module", "tiny", plan_module(tiny, random.Random(1)))
    seen_in_db: list[int] = []

    class Checking(ScriptedUI):
        def show_feedback(self, feedback: Any) -> None:
            seen_in_db.append(len(store.attempts(session_id=session.id)))
            super().show_feedback(feedback)

    result = run_session(store, session, lookup_in(tiny), Checking(RIGHT), rng=random.Random(1))
    assert seen_in_db == [1, 2, 3, 4, 5, 6]
    assert result.finished and result.correct == 6 and result.score == 1.0
    assert store.sessions("tiny")[0].status == "completed"


def test_stopping_keeps_the_session_active_and_resuming_asks_only_the_rest(store, tiny):
    plan = plan_module(tiny, random.Random(3))
    session = store.start_session("module", "tiny", plan)
    third = plan[2][1]
    first_ui = ScriptedUI({**RIGHT, third: Stop})
    first = run_session(store, session, lookup_in(tiny), first_ui)
    assert not first.finished
    assert [p.question.id for p in first_ui.asked] == [q for _, q in plan[:3]]
    assert store.active_session("module", "tiny") == session

    second_ui = ScriptedUI(RIGHT)
    second = run_session(store, store.active_session("module", "tiny"), lookup_in(tiny), second_ui)
    assert [p.question.id for p in second_ui.asked] == [q for _, q in plan[2:]]
    assert [p.number for p in second_ui.asked] == [3, 4, 5, 6]
    assert second.finished and second.previously_answered == 2 and second.correct == 6
    assert len(store.attempts(session_id=session.id)) == 6


def test_wrong_answers_are_stored_as_wrong_with_hash_and_revision(store, tiny):
    session = store.start_session("module", "tiny", [("tiny", "q-single"), ("tiny", "q-numeric")])
    run_session(store, session, lookup_in(tiny), ScriptedUI({"q-single": 1, "q-numeric": 8}))
    attempts = store.attempts(session_id=session.id)
    assert [(a.question_id, a.response, a.correct) for a in attempts] == [
        ("q-single", 1, False),
        ("q-numeric", 8, False),
    ]
    assert attempts[0].content_hash == tiny.question("q-single").content_hash
    assert attempts[0].revision == 1


def test_time_on_task_is_measured_and_idle_time_capped(store, tiny):
    now = [1000.0]
    session = store.start_session("module", "tiny", [("tiny", "q-single"), ("tiny", "q-numeric")])
    ui = ScriptedUI(RIGHT, clock=now, step=42.0)
    run_session(store, session, lookup_in(tiny), ui, clock=lambda: now[0])
    assert [a.seconds for a in store.attempts(session_id=session.id)] == [42.0, 42.0]

    idle = store.start_session("module", "tiny", [("tiny", "q-single")])
    run_session(
        store,
        idle,
        lookup_in(tiny),
        ScriptedUI(RIGHT, clock=now, step=5000.0),
        clock=lambda: now[0],
    )
    assert store.attempts(session_id=idle.id)[0].seconds == IDLE_CAP_SECONDS


def test_questions_no_longer_in_the_bank_are_skipped_with_a_message(store, tiny):
    session = store.start_session("module", "tiny", [("tiny", "q-single"), ("tiny", "q-gone")])
    ui = ScriptedUI(RIGHT)
    result = run_session(store, session, lookup_in(tiny), ui)
    assert ui.said == ["1 question in this session is no longer in the bank and is skipped."]
    assert result.finished and result.total == 1 and result.score == 1.0


def test_options_are_shuffled_unless_the_bank_says_not_to(tiny):
    from dataclasses import replace

    fixed = tiny.question("q-single")
    assert all(present(fixed, 1, 1, random.Random(s)).option_order == (0, 1, 2) for s in range(20))
    shuffled = replace(fixed, shuffle=True)
    orders = {present(shuffled, 1, 1, random.Random(s)).option_order for s in range(20)}
    assert len(orders) > 1 and all(sorted(o) == [0, 1, 2] for o in orders)


def test_matching_right_hand_side_is_never_shown_in_matching_order(tiny):
    matching = tiny.question("q-matching")
    assert all(present(matching, 1, 1, random.Random(s)).right_order == (1, 0) for s in range(20))


def test_option_feedback_is_for_the_options_chosen_in_the_order_shown(store, tiny):
    session = store.start_session("module", "tiny", [("tiny", "q-multiple")])
    ui = ScriptedUI({"q-multiple": [0, 1]})
    run_session(store, session, lookup_in(tiny), ui)
    assert ui.feedback[0].option_feedback == [("Two", "Two is even."), ("Three", "Three is odd.")]


# --- Module progress -------------------------------------------------------------------------


def test_module_progress_goes_from_not_started_to_passed(store, tiny):
    assert module(store, tiny).status == "not started"
    in_bank_order = [q.key for q in tiny.questions]  # q-short is fifth
    session = store.start_session("module", "tiny", in_bank_order)
    run_session(store, session, lookup_in(tiny), ScriptedUI({**RIGHT, "q-short": Stop}))
    assert module(store, tiny).status == "in progress"

    wrong = {**RIGHT, "q-single": 1, "q-multiple": [0], "q-numeric": 1, "q-short": "Lyon"}
    run_session(store, session, lookup_in(tiny), ScriptedUI(wrong))
    progress = module(store, tiny)
    assert progress.completions == 1
    # The four answers given before the stop count: only q-short was answered wrongly.
    assert progress.best_score == pytest.approx(5 / 6, abs=1e-4)
    assert progress.status == "passed"

    again = store.start_session("module", "tiny", in_bank_order)
    run_session(store, again, lookup_in(tiny), ScriptedUI(wrong))
    progress = module(store, tiny)
    assert (progress.status, progress.best_score, progress.completions, progress.answers) == (
        "passed",
        pytest.approx(5 / 6, abs=1e-4),
        2,
        12,
    )


def test_a_completed_module_below_the_pass_mark_is_completed_not_passed(store, tiny):
    session = store.start_session("module", "tiny", plan_module(tiny, random.Random(0)))
    wrong = {
        "q-single": 1,
        "q-multiple": [0],
        "q-true-false": False,
        "q-numeric": 1,
        "q-short": "Lyon",
        "q-matching": [0, 1],
    }
    run_session(store, session, lookup_in(tiny), ScriptedUI(wrong))
    progress = module(store, tiny)
    assert (progress.status, progress.best_score) == ("completed", pytest.approx(1 / 6, abs=1e-4))


def test_format_duration():
    assert format_duration(0) == "0 min"
    assert format_duration(29) == "0 min"
    assert format_duration(59 * 60) == "59 min"
    assert format_duration(3600 + 5 * 60) == "1 h 05 min"


def test_store_module_never_prints(capsys, store, tiny):
    session = store.start_session("module", "tiny", [("tiny", "q-single")])
    run_session(store, session, lookup_in(tiny), ScriptedUI(RIGHT))
    module(store, tiny)
    assert capsys.readouterr() == ("", "")
    assert store_module.BUSY_TIMEOUT_MS >= 5000


def test_a_question_answered_twice_in_one_session_counts_once_by_its_first_answer(store, tiny):
    """Two terminals on the same module share its session and may both answer a question: the
    store keeps the first answer and refuses the second, so no score can pass 100 %."""
    session = store.start_session("module", "tiny", [q.key for q in tiny.questions])
    for question in tiny.questions:
        store.record_attempt(
            session.id, "tiny", question.id, 1, question.content_hash, 0, True, 1.0
        )
        with pytest.raises(AlreadyAnswered):
            store.record_attempt(
                session.id, "tiny", question.id, 1, question.content_hash, 0, False, 1.0
            )
    store.end_session(session.id, "completed")
    progress = module(store, tiny)
    assert (progress.best_score, progress.answers) == (1.0, 6)


# --- Unlucky files (issue 14) ----------------------------------------------------------------

CPD = str(Path(sys.executable).with_name("cpd"))
# Plausible answers for every question type in plain mode (it re-asks on invalid input): with
# --seed 3, the first six questions of neglect are answered, then `q` stops.
SIX_ANSWERS = "\n".join(["1", "abcd", "abc", "ab", "x", "0"] * 2 + ["q"]) + "\n"


def run_cpd(home: Path, *args: str, umask: int | None = None, stdin: str = ""):
    """The installed `cpd`, as a person runs it (errors reach `main`, not a test runner)."""
    return subprocess.run(
        [CPD, "--plain", "--home", str(home), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
        env=dict(os.environ, NO_COLOR="1"),
    )


def test_an_emptied_database_is_named_and_left_untouched(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    db = home / DB_NAME
    db.write_bytes(b"")
    os.utime(db, (time.time() - 60, time.time() - 60))  # emptied a while ago, not being created
    result = run_cpd(home, "progress")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: {db} is empty (0 bytes), so the history it held is gone; it has been left "
        "untouched — restore it from a backup, or delete it to start afresh"
    )
    assert db.read_bytes() == b"" and not (home / f"{DB_NAME}-wal").exists()


def test_a_hand_edited_value_is_one_sentence_never_an_internal_error(tmp_path):
    home = tmp_path / "home"
    assert run_cpd(home, "start", "neglect", "--seed", "3", stdin=SIX_ANSWERS).returncode == 0
    db = sqlite3.connect(home / DB_NAME)
    assert db.execute("UPDATE attempts SET revision = 'r'").rowcount > 0
    db.commit()
    db.close()
    result = run_cpd(home, "export", "-o", str(tmp_path / "log.json"))
    assert result.returncode == 1 and "Internal error" not in result.stderr
    assert "holds a value that a CPD log cannot carry (attempts.0.revision)" in result.stderr
    assert not (tmp_path / "log.json").exists()


def test_a_damaged_page_is_one_sentence_for_every_command(tmp_path):
    home = tmp_path / "home"
    run_cpd(home, "start", "neglect", "--seed", "3", stdin=SIX_ANSWERS)
    db = sqlite3.connect(home / DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray((home / DB_NAME).read_bytes())
    data[4096 * 2 : 4096 * 4] = b"A" * (4096 * 2)
    (home / DB_NAME).write_bytes(bytes(data))
    for args in (["progress"], ["modules"], ["export", "-o", "-"], ["start", "neglect"]):
        result = run_cpd(home, *args)
        assert result.returncode == 1 and "Internal error" not in result.stderr, args
        assert "is not a readable scr-cpd progress database (it may be damaged)" in result.stderr


def test_with_umask_000_every_folder_is_0700_and_every_file_0600(tmp_path):
    home = tmp_path / "home"
    out = tmp_path / "log.json"
    assert (
        run_cpd(home, "start", "neglect", "--seed", "3", umask=0, stdin=SIX_ANSWERS).returncode == 0
    )
    assert run_cpd(home, "progress", umask=0).returncode == 0
    assert run_cpd(home, "export", "-o", str(out), umask=0).returncode == 0
    folders = [home, *(p for p in home.rglob("*") if p.is_dir())]
    files = [p for p in home.rglob("*") if p.is_file()]
    assert {home / "cache", home / "keys"} <= set(folders) and len(files) >= 3
    assert {str(p): oct(mode(p)) for p in folders} == {str(p): "0o700" for p in folders}
    assert {str(p): oct(mode(p)) for p in files} == {str(p): "0o600" for p in files}
    assert mode(out) == 0o600


def read_only(home: Path, *args: str):
    """Run `cpd` with `home` read-only: a read-only bind mount for root, permissions otherwise."""
    if os.geteuid() != 0:
        home.chmod(0o500)
        try:
            return run_cpd(home, *args)
        finally:
            home.chmod(0o700)
    command = " ".join(shlex.quote(a) for a in [CPD, "--plain", "--home", str(home), *args])
    h = shlex.quote(str(home))
    script = f"mount --bind {h} {h} && mount -o remount,ro,bind {h} {h} && exec {command}"
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ, NO_COLOR="1"),
    )
    if "mount:" in result.stderr or "unshare:" in result.stderr:
        pytest.skip("cannot make a read-only mount here")
    return result


def test_a_read_only_home_still_serves_the_commands_that_only_read(tmp_path):
    home = tmp_path / "home"
    run_cpd(home, "profile", "--name", "Sam Jones")
    run_cpd(home, "start", "neglect", "--seed", "3", stdin=SIX_ANSWERS)
    run_cpd(home, "export", "-o", str(tmp_path / "first.json"))  # makes the key
    writable = {args: run_cpd(home, args).stdout for args in ("modules", "progress")}
    before = sorted((p.name, p.stat().st_size) for p in home.rglob("*") if p.is_file())
    modules = read_only(home, "modules")
    assert modules.returncode == 0 and modules.stdout == writable["modules"], modules.stderr
    progress = read_only(home, "progress")
    assert progress.returncode == 0 and progress.stdout == writable["progress"], progress.stderr
    assert "Answers: 0 " not in progress.stdout
    log = read_only(home, "export", "-o", "-")
    answered = json.loads(log.stdout)["totals"]["questions_answered"]
    assert log.returncode == 0 and f"Answers: {answered} " in progress.stdout
    start = read_only(home, "start", "neglect", "--restart")  # must write: refused
    assert start.returncode == 1 and start.stderr.startswith("Error: cannot write to ")
    assert "Internal error" not in start.stderr
    after = sorted((p.name, p.stat().st_size) for p in home.rglob("*") if p.is_file())
    assert after == before  # nothing written


def test_a_read_only_home_without_a_database_shows_an_empty_history(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    progress = read_only(home, "progress")
    assert progress.returncode == 0 and "Answers: 0" in progress.stdout, progress.stderr
    assert list(home.iterdir()) == []
