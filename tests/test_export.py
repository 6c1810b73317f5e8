import json
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest
from helpers import cpd, json_values
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from scr_cpd.progress import reflections as rf
from scr_cpd.progress.log.schema import Log
from scr_cpd.progress.log.signing import verify_log
from scr_cpd.progress.store import Store


def answer_all(home, module="neglect"):
    """Answer every question of a module; plain mode re-asks on invalid input, so a stream of
    plausible answers (a number, letters for matching, text) completes it, some right, some wrong."""
    stream = "\n".join(["1", "abcd", "abc", "ab", "x", "0"] * 40) + "\n"
    return cpd("start", module, "--seed", "3", input=stream, home=home)


def test_export_json_is_signed_valid_and_private(isolated_home, tmp_path):
    cpd("profile", "--name", "Sam Jones", "--staff-number", "1234", home=isolated_home)
    answer_all(isolated_home)
    store = Store.open(isolated_home)
    uid = rf.create(store, "A prompt", "neglect", "r-x", ["rarely-alone"], ["integrity"])
    rf.save_field(store, uid, "what", "What I learned", 60)
    out = tmp_path / "log.json"
    result = cpd("export", "-o", str(out), home=isolated_home)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    Log.model_validate(doc)
    assert doc["profile"]["name"] == "Sam Jones"
    assert doc["totals"]["reflections"] == 1
    assert doc["reflections"][0]["learning_points"][0]["id"] == "rarely-alone"
    assert doc["reflections"][0]["learning_points"][0]["text"]  # resolved from the bank
    neglect = next(m for m in doc["modules"] if m["id"] == "neglect")
    assert neglect["attempts"] >= 16 and neglect["status"] in ("completed", "passed")
    assert doc["totals"]["questions_answered"] == len(doc["attempts"])
    assert all(len(a["content_hash"]) == 16 for a in doc["attempts"])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = isolated_home / "keys" / "signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    verdict = verify_log(doc, {doc["integrity"]["fingerprint"]: "Sam"})
    assert verdict.status == "valid"
    assert doc["integrity"]["fingerprint"] in result.output


def test_an_edit_after_export_is_detected(isolated_home, tmp_path):
    store = Store.open(isolated_home)
    uid = rf.create(store, "A prompt", "neglect")
    rf.save_field(store, uid, "what", "original", 5)
    out = tmp_path / "log.json"
    cpd("export", "-o", str(out), home=isolated_home)
    doc = json.loads(out.read_text())
    doc["reflections"][0]["what"] = "improved later"
    verdict = verify_log(doc)
    assert verdict.status == "edited" and f"reflection {uid}" in verdict.detail
    doc = json.loads(out.read_text())
    doc["totals"]["cpd_hours"] = 99
    assert verify_log(doc).changed == ["totals"]


def test_same_key_is_reused(isolated_home, tmp_path):
    cpd("export", "-o", str(tmp_path / "a.json"), home=isolated_home)
    cpd("export", "-o", str(tmp_path / "b.json"), home=isolated_home)
    a = json.loads((tmp_path / "a.json").read_text())["integrity"]["fingerprint"]
    b = json.loads((tmp_path / "b.json").read_text())["integrity"]["fingerprint"]
    assert a == b


def test_since_after_until_is_a_usage_error(isolated_home, tmp_path):
    result = cpd(
        "export",
        "--since",
        "2026-05-01",
        "--until",
        "2026-01-01",
        "-o",
        str(tmp_path / "x.json"),
        home=isolated_home,
    )
    assert result.exit_code == 2
    assert "--since must be on or before --until" in result.output
    assert not (tmp_path / "x.json").exists()


def test_bad_date_is_a_usage_error(isolated_home):
    result = cpd("export", "--since", "yesterday", home=isolated_home)
    assert result.exit_code == 2


def test_missing_output_folder_is_one_sentence(isolated_home, tmp_path):
    result = cpd("export", "-o", str(tmp_path / "nope" / "log.json"), home=isolated_home)
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_period_filters_reflections(isolated_home, tmp_path):
    store = Store.open(isolated_home)
    uid = rf.create(store, "A prompt")
    rf.save_field(store, uid, "what", "x")
    store.db.execute(
        "UPDATE reflections SET created_at = '2025-01-10T10:00:00+00:00' WHERE uid = ?", (uid,)
    )
    out = tmp_path / "log.json"
    cpd("export", "--since", "2025-02-01", "-o", str(out), home=isolated_home)
    assert json.loads(out.read_text())["reflections"] == []
    cpd(
        "export",
        "--since",
        "2025-01-10",
        "--until",
        "2025-01-10",
        "-o",
        str(out),
        "--force",
        home=isolated_home,
    )
    doc = json.loads(out.read_text())
    assert [r["id"] for r in doc["reflections"]] == [uid]
    assert doc["period"] == {"since": "2025-01-10", "until": "2025-01-10"}


def test_identifiers_are_warned_and_redacted(isolated_home, tmp_path):
    store = Store.open(isolated_home)
    uid = rf.create(store, "A prompt")
    rf.save_field(store, uid, "what", "Mrs Smith lives at SW1A 1AA.")
    out = tmp_path / "log.json"
    warned = cpd("export", "-o", str(out), home=isolated_home)
    assert "may identify someone" in warned.output
    assert "SW1A 1AA" in out.read_text()
    redacted = cpd("export", "--redact", "--force", "-o", str(out), home=isolated_home)
    assert redacted.exit_code == 0
    doc = json.loads(out.read_text())
    assert "SW1A 1AA" not in doc["reflections"][0]["what"]
    assert "Smith" not in doc["reflections"][0]["what"]
    assert {i["kind"] for i in doc["identifiers"]} >= {"postcode", "titled-name"}
    assert all(i["redacted"] for i in doc["identifiers"])
    assert verify_log(doc).status in ("valid", "unknown signer")


def test_schema_is_published(isolated_home):
    result = cpd("export", "--schema", home=isolated_home)
    schema = json.loads(result.output)
    assert schema["title"].startswith("scr-cpd CPD log")
    assert "reflections" in schema["properties"]


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "pdf"])
def test_every_format_writes(isolated_home, tmp_path, fmt):
    store = Store.open(isolated_home)
    uid = rf.create(store, "A prompt", "neglect")
    rf.save_field(store, uid, "what", "<script>alert(1)</script>")
    out = tmp_path / f"log.{fmt}"
    result = cpd("export", "-o", str(out), home=isolated_home)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data
    if fmt == "html":
        assert b"<script>alert(1)</script>" not in data
    if fmt == "pdf":
        assert data.startswith(b"%PDF")


def test_unknown_format(isolated_home):
    result = cpd("export", "--format", "docx", home=isolated_home)
    assert result.exit_code == 2 and "unknown format 'docx'" in result.output


def test_home_menu_exports_a_signed_log_here(isolated_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cpd("profile", "--name", "Sam Jones", home=isolated_home)
    menu = cpd(home=isolated_home, input="").output  # just to read the menu's numbering
    entries = [line.strip() for line in menu.splitlines() if line.strip()[:2].rstrip(".").isdigit()]
    export_number = next(e.split(".")[0] for e in entries if "Export my CPD log" in e)
    quit_number = next(e.split(".")[0] for e in entries if e.endswith("Quit"))
    # Format 1 (JSON); Enter keeps the suggested file here; Enter: no redaction.
    result = cpd(home=isolated_home, input=f"{export_number}\n1\n\n\n{quit_number}\n")
    assert result.exit_code == 0, result.output
    [written] = list(tmp_path.glob("cpd-log-sam-jones-*.json"))
    assert verify_log(json.loads(written.read_text())).status == "unknown signer"


# --- export edges (issue 13) ---------------------------------------------------------------


def test_dash_writes_the_signed_json_log_to_standard_output(isolated_home, tmp_path):
    cpd("profile", "--name", "Sam Jones", home=isolated_home)
    result = cpd("export", "-o", "-", home=isolated_home)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # nothing but the log on standard output
    assert verify_log(doc).status == "unknown signer" and doc["profile"]["name"] == "Sam Jones"
    assert "Wrote the log to standard output (json)" in result.stderr
    assert not list(tmp_path.glob("cpd-log-*"))
    md = cpd("export", "--format", "md", "-o", "-", home=isolated_home)
    assert md.stdout.startswith("# CPD log\n")


def test_an_existing_file_is_replaced_only_with_force(isolated_home, tmp_path):
    out = tmp_path / "log.json"
    out.write_text("my notes")
    refused = cpd("export", "-o", str(out), home=isolated_home)
    assert refused.exit_code == 1
    assert f"{out} already exists; use --force to replace it" in refused.output
    assert out.read_text() == "my notes"
    replaced = cpd("export", "-o", str(out), "--force", home=isolated_home)
    assert replaced.exit_code == 0 and json.loads(out.read_text())["format"] == "scr-cpd/log@1"


@pytest.mark.parametrize("own", ["progress.db", "keys/signing-key.pem", "trusted-keys.json"])
def test_the_home_folders_own_files_are_never_written_over(isolated_home, own):
    cpd("export", "-o", "-", home=isolated_home)  # creates the database and the key
    (isolated_home / "trusted-keys.json").write_text("{}")
    target = isolated_home / own
    before = target.read_bytes()
    result = cpd("export", "-f", "json", "-o", str(target), "--force", home=isolated_home)
    assert result.exit_code == 1 and "it is one of the app's own files" in result.output
    assert target.read_bytes() == before


def test_a_fifo_or_a_folder_is_never_written_over(isolated_home, tmp_path):
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = cpd("export", "-o", str(fifo), "--force", home=isolated_home)
    assert result.exit_code == 1 and "is not a regular file" in result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    folder = cpd("export", "-o", str(tmp_path), "--force", home=isolated_home)
    assert folder.exit_code == 1 and "it is a folder" in folder.output


def test_since_in_the_future_is_a_usage_error(isolated_home, tmp_path):
    result = cpd("export", "--since", "2999-01-01", "-o", str(tmp_path / "x"), home=isolated_home)
    assert result.exit_code == 2 and "--since 2999-01-01 is in the future" in result.output


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "1/4/2026", "2026-4-1"])
def test_a_bad_date_names_the_format_with_an_example(isolated_home, value):
    result = cpd("export", "--until", value, home=isolated_home)
    assert result.exit_code == 2
    assert (
        f"--until {value!r} is not a date; use YYYY-MM-DD, for example 2026-04-01" in result.output
    )


def test_no_profile_warns_and_names_cpd_profile_when_not_interactive(isolated_home, tmp_path):
    result = cpd("export", "-o", str(tmp_path / "log.json"), home=isolated_home)
    assert result.exit_code == 0
    assert "your profile has no name; set it with `cpd profile --name ...`" in result.stderr


def test_no_profile_is_asked_for_in_a_terminal(isolated_home, tmp_path):
    import os
    import sys

    import pexpect

    cpd_bin = os.path.join(os.path.dirname(sys.executable), "cpd")
    out = tmp_path / "log.json"
    child = pexpect.spawn(
        cpd_bin,
        ["--home", str(isolated_home), "export", "-o", str(out)],
        env=dict(os.environ, TERM="dumb"),
        timeout=30,
    )
    child.expect("Your name for the log")
    child.sendline("Sam Jones")
    child.expect(pexpect.EOF)
    assert json.loads(out.read_text())["profile"]["name"] == "Sam Jones"
    assert Store.open(isolated_home).profile()["name"] == "Sam Jones"


# --- the JSON file, made fast and byte for byte as json.dumps makes it (issue 18) ----------


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_log_file_is_byte_for_byte_what_json_dumps_writes(value):
    from scr_cpd.progress.log.export import log_json

    doc = {"format": "scr-cpd/log@1", "value": value}
    assert log_json(doc) == (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_the_collector_paused_while_the_log_is_built_runs_again_after(
    isolated_home, tmp_path, monkeypatch, fmt
):
    import gc

    from scr_cpd.progress.log import build

    answer_all(isolated_home)
    seen = []
    real = build.build_log
    monkeypatch.setattr(
        build, "build_log", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k)
    )
    assert gc.isenabled()
    out = tmp_path / f"log.{fmt}"
    assert cpd("export", "-f", fmt, "-o", str(out), home=isolated_home).exit_code == 0
    assert seen == [False] and gc.isenabled()


def test_an_exported_log_is_byte_for_byte_what_json_dumps_writes(isolated_home, tmp_path):
    answer_all(isolated_home)
    store = Store.open(isolated_home)
    uid = rf.create(store, "Zoë’s prompt — “quoted”\u2028", "neglect")
    rf.save_field(store, uid, "what", "Tabs\tand\nlines, naïve", 61.25)
    out = tmp_path / "log.json"
    assert cpd("export", "-o", str(out), home=isolated_home).exit_code == 0
    data = out.read_bytes()
    doc = json.loads(data)
    assert data == (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    assert verify_log(doc).status == "unknown signer"


# --- the quick path: a type check for the schema, orjson for json (issue 18) ---------------
# A log built from a store passes `fits_schema` only if the schema passes it too, and then
# `signed_json` writes exactly what signing a sorted copy and json.dumps write.

STORED_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.sampled_from([1e-5, 2.5e-7, 1e16, 1e22, -0.0, 1e300])
    | st.text(max_size=8)
    | st.binary(max_size=3)
    | st.sampled_from(["[]", "[0]", "[0, 1]", "1", "true", '"x"', "1e-07", '{"a": 1}', "[null]"])
    | st.sampled_from(["module", "retake", "practice", "passed", "2026-05-01T10:00:00+00:00"])
)
MUTABLE = [
    *(("attempts", c) for c in ("module_id", "question_id", "revision", "content_hash")),
    *(("attempts", c) for c in ("correct", "confidence", "answered_at", "seconds", "response")),
    *(("sessions", c) for c in ("kind", "module_id", "started_at", "ended_at", "status")),
    *(("reflections", c) for c in ("uid", "module_id", "prompt_id", "prompt", "what", "tags")),
    *(("reflections", c) for c in ("learning_points", "seconds", "created_at", "updated_at")),
    ("profile", "value"),
]


@pytest.fixture(scope="module")
def stored_home(tmp_path_factory):
    """A home with answers to every kind of question, a reflection and a profile."""
    home = tmp_path_factory.mktemp("stored") / "home"
    cpd("profile", "--name", "Zoë Jones", "--staff-number", "1234", home=home)
    answer_all(home)
    answer_all(home, "scr-basics")
    store = Store.open(home)
    uid = rf.create(store, "A prompt", "neglect", "r-x", ["rarely-alone"], ["integrity"])
    rf.save_field(store, uid, "what", "Naïve — “quoted”", 61.25)
    store.close()
    return home


@pytest.fixture(scope="module")
def banks():
    from scr_cpd.content.loader import load_library

    return load_library(None).ordered()


def _mutated(template, table, column, value, where):
    import shutil

    shutil.copytree(template, where)
    store = Store.open(where)
    first = f"(SELECT MIN(rowid) FROM {table})"
    try:
        with store.transaction():
            store.db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = {first}", (value,))
    except (
        sqlite3.IntegrityError,
        OverflowError,
    ):  # NOT NULL, or past 64 bits: it cannot be stored
        return None
    return store


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MUTABLE), STORED_VALUES)
def test_a_log_the_quick_check_passes_the_schema_passes_and_both_paths_write_it_alike(
    stored_home, banks, column, value
):
    from scr_cpd.progress.log.build import build_log
    from scr_cpd.progress.log.export import log_json, signed_json
    from scr_cpd.progress.log.shape import fits_schema
    from scr_cpd.progress.log.signing import load_or_create_key, sign_log

    with tempfile.TemporaryDirectory() as tmp:
        store = _mutated(stored_home, *column, value, Path(tmp) / "home")
        assume(store is not None)
        try:
            doc = build_log(store, banks, generated_at="2026-11-01T10:00")
        except (ValueError, TypeError, ArithmeticError):  # the log cannot even be built
            assume(False)
        key = load_or_create_key(Path(tmp) / "home")
        try:
            reference = log_json(sign_log(doc, key))
        except TypeError:  # a blob: json cannot write it, and the quick path must not either
            assert not fits_schema(doc)
            return
        if fits_schema(doc):
            event("quick path")
            Log.model_validate_json(reference)
            assert signed_json(doc, key) is not None
            assert signed_json(doc, key)[0] == reference
        else:
            event("checked path")


def answers_read_row_by_row(store, banks):
    """The log's answers as they were read before issue 18: one named row at a time."""
    from scr_cpd.progress.log.response import stable_response

    questions = {q.key: q for b in banks for q in b.questions}
    attempts = []
    for r in store.db.execute(
        "SELECT module_id, question_id, revision, content_hash, CAST(correct AS INTEGER),"
        " confidence, answered_at, CAST(seconds AS REAL), response FROM attempts ORDER BY id"
    ):
        keys = ("module_id", "question_id", "revision", "content_hash")
        attempt = {**dict(zip(keys, r[:4])), "correct": bool(r[4]), "confidence": r[5]}
        attempt |= {"answered_at": r[6], "seconds": r[7]}
        response = stable_response(questions.get((r[0], r[1])), r[3], json.loads(r[8]))
        if response is not None:
            attempt["response"] = response
        attempts.append(attempt)
    return attempts


def reflections_read_by_name(store):
    return [
        rf.ReflectionEntry(
            **{k: row[k] for k in row.keys() if k not in ("id", "tags", "learning_points")},
            tags=json.loads(row["tags"]),
            learning_points=json.loads(row["learning_points"]),
        )
        for row in store.db.execute("SELECT * FROM reflections ORDER BY created_at, id")
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MUTABLE), STORED_VALUES)
def test_the_quick_readers_read_what_the_row_by_row_readers_read(stored_home, banks, column, value):
    from scr_cpd.progress.log.build import build_log

    with tempfile.TemporaryDirectory() as tmp:
        store = _mutated(stored_home, *column, value, Path(tmp) / "home")
        assume(store is not None)
        try:
            entries = reflections_read_by_name(store)
        except (ValueError, TypeError):  # tags or points that are not JSON: neither reads them
            with pytest.raises((ValueError, TypeError)):
                rf.all_entries(store)
        else:
            assert rf.all_entries(store) == entries
        try:
            reference = answers_read_row_by_row(store, banks)
        except (ValueError, TypeError):  # a response that is not JSON: neither reads it
            with pytest.raises((ValueError, TypeError)):
                build_log(store, banks)
            return
        try:
            doc = build_log(store, banks, generated_at="2026-11-01T10:00")
        except (ValueError, TypeError, ArithmeticError):  # the log cannot even be built
            assume(False)
        assert doc["attempts"] == reference
        assert [type(v) for a in doc["attempts"] for v in a.values()] == [
            type(v) for a in reference for v in a.values()
        ]
        assert [list(a) for a in doc["attempts"]] == [list(a) for a in reference]


PLAIN_JSON = st.recursive(  # the values signed_json is given: fits_schema rules out the rest
    st.none()
    | st.booleans()
    | st.integers(-(2**63) + 1, 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0 or abs(f) >= 1e-4)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory):
    from scr_cpd.progress.log.signing import load_or_create_key

    return load_or_create_key(tmp_path_factory.mktemp("key"))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["format", "banks", "attempts", "reflections"]), PLAIN_JSON))
def test_the_quick_writer_writes_any_plain_log_as_signing_a_sorted_copy_and_json_do(
    signing_key, parts
):
    from scr_cpd.progress.log.export import log_json, signed_json
    from scr_cpd.progress.log.signing import sign_log

    key = signing_key
    made = signed_json(parts, key)
    assert made is not None
    assert made[0] == log_json(sign_log(parts, key))
    assert made[1] == json.loads(made[0])["integrity"]


def test_a_hand_edited_number_takes_the_checked_path_and_is_written_as_json_writes_it(
    isolated_home, tmp_path
):
    answer_all(isolated_home)
    db = sqlite3.connect(isolated_home / "progress.db")
    db.execute(
        "UPDATE attempts SET seconds = 1e-05 WHERE rowid = (SELECT MIN(rowid) FROM attempts)"
    )
    db.commit()
    db.close()
    out = tmp_path / "log.json"
    assert cpd("export", "-o", str(out), home=isolated_home).exit_code == 0
    data = out.read_bytes()
    assert b'"seconds": 1e-05' in data  # as json writes it (orjson would write 0.00001)
    assert data == (json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n").encode()
    assert verify_log(json.loads(data)).status == "unknown signer"


def test_the_quick_check_asks_for_the_parts_the_schema_does():
    # Field by field, the quick look is pinned against the schema in tests/test_review.py.
    from scr_cpd.progress.log import schema, shape

    assert set(shape.PARTS_IN_ORDER) == set(schema.Log.model_fields) - {"integrity", "review"}
    assert schema.ReflectionRecord.model_fields["tags"].annotation == list[str]
    assert not shape.fits_schema({**dict.fromkeys(shape.PARTS_IN_ORDER, [])})


def test_the_log_as_built_and_exported_passes_the_schema(isolated_home, stored_home, banks):
    from scr_cpd.progress.log.build import build_log
    from scr_cpd.progress.log.shape import fits_schema

    doc = build_log(Store.open(stored_home), banks)
    assert fits_schema(doc)
    Log.model_validate(doc, strict=False)
    assert any("response" in a for a in doc["attempts"])
