"""`cpd review warehouse`: verified logs into DuckDB tables (and Parquet), one copy each."""

from __future__ import annotations

import json
import re
import stat
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from helpers import cpd
from officers import RIGHT, WRONG, answer, export, officer_home, team

from scr_cpd.progress import reflections as rf
from scr_cpd.progress import warehouse as wh
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
    assert f"Loaded 3 logs into {db}: 3 officers" in result.output
    assert "6 attempts" not in result.output and "18 attempts, 1 reflection in all" in result.output
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
    assert "Loaded 0 logs" in result.output and "(3 already there, kept once)" in result.output
    assert _counts(db) == before
    # A later export of the same officer overlaps the first: its attempts are not counted twice.
    home = logs.parent / "homes" / "officer-1001"
    answer(home, WRONG, start=NOW + timedelta(minutes=8))
    export(home, logs / "officer-1001-again.json")
    result = load(logs, db)
    assert "Loaded 1 log into" in result.output
    after = _counts(db)
    assert after["attempts"] == before["attempts"] + 6 and after["logs"] == before["logs"] + 1
    assert after["sessions"] == before["sessions"] + 1 and after["officers"] == 3


def _module_row(db, staff):
    con = duckdb.connect(str(db), read_only=True)
    found = con.execute(
        "SELECT m.status, m.attempts, m.correct, m.as_of, o.role FROM modules AS m"
        " JOIN officers AS o USING (officer) WHERE o.staff_number = ? AND m.module_id = 'tiny'",
        [staff],
    ).fetchall()
    con.close()
    return found


def test_a_newer_export_replaces_what_changed_in_any_order(logs, tmp_path):
    home = logs.parent / "homes" / "officer-1001"
    answer(home, WRONG, start=NOW + timedelta(minutes=8))
    assert cpd("profile", "--role", "Detective Constable", home=home).exit_code == 0
    time.sleep(1)  # exports are stamped to the second: this one is newer, not as new
    newer = tmp_path / "newer"
    newer.mkdir()
    doc = export(home, newer / "officer-1001-later.json")
    tiny = next(m for m in doc["modules"] if m["id"] == "tiny")
    expected = (tiny["status"], tiny["attempts"], tiny["correct"], "Detective Constable")
    assert tiny["attempts"] == 12 and tiny["correct"] == 6  # the first export had 6 and 6
    together = tmp_path / "together"
    together.mkdir()
    for path in [*logs.glob("officer-*.json"), *newer.glob("*.json")]:
        (together / path.name).write_bytes(path.read_bytes())
    for name, folders in {
        "newer-last": [logs, newer],
        "newer-first": [newer, logs],
        "one-run": [together],
    }.items():
        db = tmp_path / f"{name}.duckdb"
        for folder in folders:
            load(folder, db)
        (row,) = _module_row(db, "1001")  # one row, from the newer export whatever the order
        assert (*row[:3], row[4]) == expected, name
        assert row[3] == datetime.fromisoformat(doc["generated_at"]), name
        counts = _counts(db)
        assert counts["attempts"] == 18 + 6 and counts["sessions"] == 3 + 1, name
        assert counts["logs"] == 4 and counts["officers"] == 3, name
        assert _module_row(db, "1000")[0][1] == 6  # the other officers' rows are untouched


def test_a_newer_export_replaces_a_reflection_and_its_text(logs, tmp_path):
    db = tmp_path / "force.duckdb"
    load(logs, db, "--with-text")
    home = logs.parent / "homes" / "officer-1000"
    store = Store.open(home)
    (uid,) = [r.uid for r in rf.all_entries(store)]
    rf.save_field(store, uid, "what", "Rewritten later, in more words than before", 60)
    store.close()
    export(home, logs / "officer-1000-later.json")
    load(logs, db, "--with-text")
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT what, words FROM reflections").fetchall() == [
        ("Rewritten later, in more words than before", 7)
    ]


def test_an_unchanged_log_is_not_verified_again_while_its_signer_is_trusted(
    logs, tmp_path, monkeypatch
):
    db = tmp_path / "force.duckdb"
    load(logs, db)
    verified = []
    real = wh.review_api().load_log

    def spy(path, *args, **kwargs):
        verified.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(wh.review_api(), "load_log", spy)
    result = load(logs, db)
    assert "Loaded 0 logs" in result.output and "(3 already there, kept once)" in result.output
    assert sorted(verified) == ["edited.json", "stranger.json", "unsigned.json"]
    # The trusted list changed: a key no longer trusted is refused, although its bytes are known.
    first = logs / "officer-1000.json"
    fp = json.loads(first.read_text())["integrity"]["fingerprint"]
    assert cpd("review", "trust", fp, "--remove").exit_code == 0
    verified.clear()
    result = load(logs, db)
    assert f"{first}: unknown signer (valid signature by key {fp}" in result.output
    assert "(2 already there, kept once)" in result.output and "officer-1000.json" in verified
    assert cpd("review", "trust", fp, "--name", "PC 1000 Officer").exit_code == 0
    assert "(3 already there, kept once)" in load(logs, db).output
    # A file changed in place is verified again, and refused.
    third = logs / "officer-1002.json"
    edited = json.loads(third.read_text())
    edited["totals"]["cpd_hours"] = 99
    third.write_text(json.dumps(edited))
    result = load(logs, db)
    assert result.exit_code == 1
    assert f"{third}: edited (changed after signing: totals)" in result.output


def test_worker_processes_and_small_batches_load_the_same_rows(logs, tmp_path, monkeypatch):
    home = logs.parent / "homes" / "officer-1001"
    answer(home, WRONG, start=NOW + timedelta(minutes=8))
    export(home, logs / "officer-1001-again.json")
    trusted = wh.trusted_names(tmp_path / "home")
    found, default = {}, wh.BATCH
    for workers, batch in [(1, default), (2, default), (1, 1), (2, 2)]:
        monkeypatch.setattr(wh, "BATCH", batch)
        db = wh.connect(tmp_path / f"{workers}-{batch}.duckdb")
        report = wh.load_logs(db, [logs], trusted, workers=workers)
        tables = {t: db.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in wh.TABLES}
        db.close()
        found[workers, batch] = (report.loaded, [r.verdict for r in report.rejected], tables)
    first = found[1, default]
    assert len(first[0]) == 4 and len(first[1]) == 3 and len(first[2]["attempts"]) == 24
    assert all(result == first for result in found.values())


def test_a_warehouse_made_with_primary_keys_is_upgraded(logs, tmp_path):
    db = tmp_path / "earlier.duckdb"
    con = duckdb.connect(str(db))
    for name, (columns, _, key) in wh.TABLES.items():  # as the first version made them
        con.execute(f"CREATE TABLE {name} ({columns}, PRIMARY KEY ({', '.join(key)}))")
    con.close()
    assert "Loaded 3 logs" in load(logs, db).output
    home = logs.parent / "homes" / "officer-1001"
    answer(home, WRONG, start=NOW + timedelta(minutes=8))
    export(home, logs / "officer-1001-again.json")
    assert "Loaded 1 log into" in load(logs, db).output
    con = duckdb.connect(str(db), read_only=True)
    keys = "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    assert con.execute(keys).fetchone() == (0,)
    con.close()
    assert _counts(db)["attempts"] == 24 and _module_row(db, "1001")[0][1] == 12


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
    assert f"Wrote 6 Parquet files to {out}." in result.output
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
