"""`cpd review warehouse`: verified logs into DuckDB tables (and Parquet), one copy each."""

from __future__ import annotations

import json
import re
import stat
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from helpers import cpd
from officers import RIGHT, WRONG, answer, export, officer_home, team

from scr_cpd.progress import reflections as rf
from scr_cpd.progress.store import Store

DOCS = Path(__file__).resolve().parents[1] / "docs" / "records.md"
NOW = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(
    minutes=30
)  # room for the reflection


def doc_queries():
    """The example queries docs/records.md shows, by their heading."""
    text = DOCS.read_text()
    return dict(re.findall(r"#### ([^\n]+)\n\n```sql\n(.*?)```", text, re.S))


@pytest.fixture
def logs(tmp_path, isolated_home):
    """Three trusted officers (two right on everything, one wrong), one of them with a
    reflection; plus an edited log, an unsigned one and one by a key nobody trusted."""
    paths = team(tmp_path, isolated_home, [RIGHT, RIGHT, WRONG], start=NOW)
    store = Store.open(tmp_path / "homes" / "officer-1000")
    uid = rf.create(store, "What did you learn?", "tiny", "r-tiny", ["lp-choice"], ["integrity"])
    rf.save_field(store, uid, "what", "Words for the supervisor only", 600)
    store.close()
    export(tmp_path / "homes" / "officer-1000", paths[0])
    folder = paths[0].parent
    edited = json.loads(paths[1].read_text())
    edited["totals"]["cpd_hours"] = 40
    (folder / "edited.json").write_text(json.dumps(edited))
    stranger = officer_home(tmp_path / "other", "555")
    answer(stranger, RIGHT, start=NOW)
    export(stranger, folder / "stranger.json")
    unsigned = {k: v for k, v in edited.items() if k != "integrity"}
    (folder / "unsigned.json").write_text(json.dumps(unsigned))
    return folder


def load(folder, db, *args):
    return cpd("review", "warehouse", str(folder), "--duckdb", str(db), *args)


def test_only_valid_logs_are_loaded_and_the_rest_listed(logs, tmp_path):
    db = tmp_path / "force.duckdb"
    result = load(logs, db)
    assert result.exit_code == 1, result.output
    assert f"Loaded 3 log(s) into {db}: 3 officer(s)" in result.output
    assert "6 attempt(s)" not in result.output and "18 attempt(s), 1 reflection(s)" in result.output
    assert "Not loaded (3), as `cpd review verify` says:" in result.output
    assert f"{logs / 'edited.json'}: edited (changed after signing: totals)" in result.output
    assert f"{logs / 'unsigned.json'}: unsigned" in result.output
    assert f"{logs / 'stranger.json'}: unknown signer" in result.output
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM officers WHERE name = 'PC 1000 Officer'"
    ).fetchone() == (1,)
    assert con.execute("SELECT count(*), sum(correct::INT) FROM attempts").fetchone() == (18, 12)
    response = con.execute(
        "SELECT response FROM attempts WHERE question_id = 'q-numeric' AND NOT correct"
    ).fetchone()[0]
    assert json.loads(response) == {"value": 8}
    assert con.execute("SELECT count(*) FROM sessions WHERE status = 'completed'").fetchone() == (
        3,
    )


def test_loading_again_keeps_one_copy(logs, tmp_path):
    db = tmp_path / "force.duckdb"
    load(logs, db)
    before = _counts(db)
    result = load(logs, db)
    assert "Loaded 0 log(s)" in result.output and "(3 already there, kept once)" in result.output
    assert _counts(db) == before
    # A later export of the same officer overlaps the first: its attempts are not counted twice.
    home = logs.parent / "homes" / "officer-1001"
    answer(home, WRONG, start=NOW + timedelta(minutes=8))
    export(home, logs / "officer-1001-again.json")
    result = load(logs, db)
    assert "Loaded 1 log(s)" in result.output
    after = _counts(db)
    assert after["attempts"] == before["attempts"] + 6 and after["logs"] == before["logs"] + 1
    assert after["sessions"] == before["sessions"] + 1 and after["officers"] == 3


def _counts(db):
    con = duckdb.connect(str(db), read_only=True)
    tables = ("logs", "officers", "modules", "sessions", "attempts", "reflections")
    found = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    con.close()
    return found


def test_reflection_text_only_when_asked(logs, tmp_path):
    plain, full = tmp_path / "plain.duckdb", tmp_path / "full.duckdb"
    load(logs, plain)
    load(logs, full, "--with-text")
    query = "SELECT what, words, tags, learning_points FROM reflections"
    assert duckdb.connect(str(plain)).execute(query).fetchall() == [
        (None, 5, ["integrity"], ["lp-choice"])
    ]
    assert duckdb.connect(str(full)).execute(query).fetchone()[0] == "Words for the supervisor only"
    assert b"supervisor only" not in plain.read_bytes()


def test_the_documented_queries_answer_their_questions(logs, tmp_path):
    db = tmp_path / "force.duckdb"
    load(logs, db)
    queries = doc_queries()
    assert len(queries) == 3, queries
    con = duckdb.connect(str(db), read_only=True)
    hours = con.execute(queries["Hours per officer this year"]).fetchall()
    assert hours[0][:2] == ("PC 1000 Officer", "1000") and len(hours) == 3
    assert hours[0][2] == round((30 + 31 + 32 + 33 + 34 + 35 + 600) / 3600, 2)
    facility = con.execute(queries["Facility per question across the force"]).fetchall()
    assert ("tiny", "q-single", 3, 3, 0.67) in [row[:2] + row[3:] for row in facility]
    nobody = [row[0] for row in con.execute(queries["Modules nobody started"]).fetchall()]
    assert "neglect" in nobody and "tiny" not in nobody


def test_parquet_for_a_force_warehouse(logs, tmp_path):
    out = tmp_path / "parquet"
    result = load(logs, tmp_path / "force.duckdb", "--parquet", str(out))
    assert f"Wrote 6 Parquet file(s) to {out}." in result.output
    assert pq.read_table(out / "attempts.parquet").num_rows == 18
    assert sorted(pq.read_table(out / "officers.parquet").column("name").to_pylist()) == [
        "PC 1000 Officer",
        "PC 1001 Officer",
        "PC 1002 Officer",
    ]


def test_without_duckdb_one_sentence_names_the_extra(logs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    result = load(logs, tmp_path / "x.duckdb")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == ("Error: the warehouse needs DuckDB and pyarrow: pip install 'scr-cpd[warehouse]'")
        or "pip install 'scr-cpd[warehouse]'" in result.output.splitlines()[-1]
    )
    assert "Traceback" not in result.output and not (tmp_path / "x.duckdb").exists()


@pytest.mark.parametrize("kind", ["folder", "text"])
def test_a_bad_database_file_is_one_sentence(logs, tmp_path, kind):
    target = tmp_path / "target"
    if kind == "folder":
        target.mkdir()
    else:
        target.write_text("PDR dates\n" * 100)
    result = load(logs, target)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(target) in result.output
    if kind == "text":
        assert target.read_text() == "PDR dates\n" * 100
