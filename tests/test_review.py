"""The supervisor's library: loading any file safely, the trusted list, team summaries and reports."""

import csv
import functools
import io
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_signing import make_log, new_key, signed_log

from scr_cpd.common.spreadsheet import FORMULA_TRIGGERS
from scr_cpd.progress.log.signing import (
    Verdict,
    key_fingerprint,
    load_or_create_key,
    sign_log,
    sign_review,
)
from scr_cpd.progress.supervision import SupervisionError, logfile, team, team_report
from scr_cpd.progress.supervision import trust as tr
from scr_cpd.progress.supervision.trust import TrustedKey, TrustList

NAMES = {key_fingerprint(new_key(1)): "PC 1234 Jones", key_fingerprint(new_key(2)): "PC 5678 Smith"}


def trusted_for(*keys, role="officer"):
    """A trust list holding these keys, each under the name its test log carries."""
    found = {}
    for key in keys:
        fp = key_fingerprint(key)
        found[fp] = TrustedKey(fp, NAMES.get(fp, "Sgt Patel"), role=role)
    return TrustList(found)


def write(path, doc):
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


# --- loading one file ---------------------------------------------------------------------------


def test_a_good_log_loads_and_verifies(tmp_path):
    path = write(tmp_path / "jones.json", signed_log())
    doc, verdict = logfile.load_log(path, trusted_for(new_key(1)))
    assert doc["profile"]["name"] == "PC 1234 Jones"
    assert verdict.status == "valid"


@pytest.mark.parametrize(
    "content, status, detail",
    [
        (
            b'{"format": "scr-cpd/log@1", "profile": {"name": "PC',
            "damaged",
            "the file ends too early",
        ),
        (b"", "damaged", "the file is empty"),
        (b"   \n", "damaged", "the file is empty"),
        (b"\xff\xfe{}", "damaged", "not UTF-8 text"),
        (
            b"{'format': 'scr-cpd/log@1'}",
            "damaged",
            "not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)",
        ),
        (b'{"a": NaN}', "damaged", "NaN is not a JSON number"),
        (b'{"a": Infinity}', "damaged", "Infinity is not a JSON number"),
        (b'{"a": "\\ud800"}', "damaged", "lone UTF-16 surrogate"),
        (
            b'{"format": "scr-cpd/log@1",\n "totals": {"cpd_hours": 40,\n "cpd_hours": 1}}',
            "damaged",
            'the key "cpd_hours" appears twice in one object on line 3',
        ),
        (b"[" * 5000 + b"]" * 5000, "damaged", "nested too deeply"),
        (b"Dear Sergeant, please find my log attached.", "damaged", "not valid JSON"),
        (b"[1, 2, 3]", "not a CPD log", "the file holds JSON, but not a CPD log"),
        (b'{"name": "holiday rota"}', "not a CPD log", "the file holds JSON, but not a CPD log"),
        (
            b'{"format": "scr-cpd/bank@1", "id": "neglect"}',
            "not a CPD log",
            "it is a question bank",
        ),
        (
            b'{"format": "scr-cpd/log@2", "whatever": true}',
            "unsupported version",
            "scr-cpd/log@2 is newer than this scr-cpd reads (scr-cpd/log@1); upgrade scr-cpd to read it",
        ),
    ],
)
def test_bad_files_get_a_one_line_verdict(tmp_path, content, status, detail):
    path = tmp_path / "log.json"
    path.write_bytes(content)
    doc, verdict = logfile.load_log(path)
    assert doc is None
    assert verdict.status == status and detail in verdict.detail
    assert "\n" not in verdict.line()


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "log.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(signed_log()).encode())
    assert logfile.load_log(path)[1].status == "unknown signer"


def test_a_50_mb_file_is_refused_from_its_size_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.write(b'{"format": "scr-cpd/log@1", "padding": "')
        handle.truncate(50 * 1024 * 1024)

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(os, "read", no_reading)
    doc, verdict = logfile.load_log(path)
    assert doc is None
    assert verdict.line() == "damaged (too large (50.0 MB; a CPD log is at most 20.0 MB))"


def test_missing_file_and_folder_are_unreadable(tmp_path):
    assert logfile.load_log(tmp_path / "nope.json")[1].line() == "unreadable (no such file)"
    assert logfile.load_log(tmp_path)[1].line() == "unreadable (it is a folder, not a CPD log)"


def test_a_schema_problem_names_the_field_and_reflection(tmp_path):
    doc = make_log()
    doc["reflections"][1]["tags"] = "emotionally-aware"
    doc, verdict = logfile.load_log(write(tmp_path / "log.json", sign_log(doc, new_key())))
    assert doc is None
    assert verdict.status == "damaged"
    assert verdict.detail == "reflections[r-2].tags: Input should be a valid list"


def test_a_hand_edit_that_also_breaks_the_format_is_reported_as_an_edit(tmp_path):
    doc = signed_log()
    del doc["reflections"][0]["so_what"]
    doc, verdict = logfile.load_log(write(tmp_path / "log.json", doc))
    assert doc is None
    assert verdict.status == "edited"
    assert verdict.detail.startswith(
        "changed after signing: reflection r-1 (and the log is no longer well formed: "
        "reflections[r-1].so_what: Field required"
    )


def test_a_hand_edited_reflection_is_named(tmp_path):
    doc = signed_log()
    doc["reflections"][2]["what"] += " (added later)"
    _, verdict = logfile.load_log(write(tmp_path / "log.json", doc))
    assert verdict.line() == "edited (changed after signing: reflection r-3)"


def test_a_swapped_signature_block(tmp_path):
    jones, smith = signed_log(seed=1), signed_log(seed=2, name="PC 5678 Smith", staff="5678")
    jones["integrity"] = smith["integrity"]
    _, verdict = logfile.load_log(
        write(tmp_path / "log.json", jones), trusted_for(new_key(1), new_key(2))
    )
    assert verdict.status == "edited" and "signature belongs to a different log" in verdict.detail


def test_quick_check_accepts_what_the_schema_accepts_and_catches_what_summary_reads(tmp_path):
    assert logfile.summary_problem(signed_log()) is None
    doc = signed_log()
    doc["modules"][0]["status"] = "finished"
    assert logfile.summary_problem(doc) == (
        "modules[neglect].status: Input should be 'not started', 'in progress', 'completed' or 'passed'"
    )
    doc = signed_log()
    doc["totals"]["cpd_hours"] = "7"
    assert logfile.summary_problem(doc) == "totals.cpd_hours: Input should be a valid number"
    doc = signed_log()
    doc["reflections"][1]["updated_at"] = None
    assert (
        logfile.summary_problem(doc)
        == "reflections[r-2].updated_at: Input should be a valid string"
    )
    doc = signed_log()
    doc["activities"] = {}
    assert logfile.summary_problem(doc) == "activities: Input should be a valid list"
    _, verdict = logfile.load_log(write(tmp_path / "log.json", doc), quick=True)
    assert verdict.status in ("edited", "damaged")


summary_values = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3)
summary_values |= st.lists(summary_values, max_size=2) | st.dictionaries(
    st.sampled_from(["id", "name", "since", "started_at", "ended_at"]), summary_values, max_size=2
)
summary_paths = [
    ("generated_at",),
    ("profile",),
    ("profile", "name"),
    ("period", "since"),
    ("totals",),
    ("totals", "cpd_hours"),
    ("totals", "seconds"),
    ("totals", "modules_passed"),
    ("modules",),
    ("modules", 0),
    ("modules", 0, "status"),
    ("modules", 1, "best_score"),
    ("modules", 0, "attempts"),
    ("reflections", 1),
    ("reflections", 0, "updated_at"),
    ("activities",),
    ("activities", 0, "ended_at"),
    ("attempts",),
    ("review",),
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(summary_paths), summary_values | st.just(...)), max_size=3)
)
def test_the_quick_look_at_summary_fields_is_never_looser_than_the_model(changes):
    from scr_cpd.progress.supervision.summary_fields import plainly_fits
    from scr_cpd.progress.supervision.summary_model import SummaryFields

    doc = make_log(reflections=3)
    doc["activities"] = [{"started_at": "2026-01-01T10:00:00+00:00", "ended_at": None}]
    doc["review"] = {"outcome": "accepted", "date": "2026-11-30", "supervisor": {"name": "Sgt"}}
    assert plainly_fits(doc)  # a log as the app writes it takes the quick way
    for path, value in changes:
        node = doc
        for step in path[:-1]:
            node = node[step] if isinstance(node, (dict, list)) and _has(node, step) else None
        if isinstance(node, dict) or (isinstance(node, list) and _has(node, path[-1])):
            if value is ... and isinstance(node, list):
                node.pop(path[-1])
            elif value is ...:
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
    if plainly_fits(doc):
        SummaryFields.model_validate(doc)  # raises if the quick look let through what it refuses


def _has(node, step):
    return step in node if isinstance(node, dict) else isinstance(step, int) and step < len(node)


# --- the quick look at the whole log (verify and show) against the full schema -------------------


@functools.cache
def _full_log_text():
    return json.dumps(_make_full_log())


def full_log():
    """A log using every part of the schema: responses of each kind, identifiers, learning
    outcomes, and a supervisor's review (a fresh copy each call)."""
    return json.loads(_full_log_text())


def _make_full_log():
    doc = make_log(reflections=2)
    responses = [
        {"options": [{"index": 0, "hash": "0a1b2c3d"}]},
        {"pairs": [{"left": 0, "right": 1, "left_hash": "0a1b2c3d", "right_hash": "ffffffff"}]},
        {"value": 7},
        {"value": "paris"},
        {"value": True},
        {"value": 2.5, "options": None},
    ]
    for n, attempt in enumerate(doc["attempts"]):
        attempt["response"] = responses[n % len(responses)]
    doc["identifiers"] = [
        {"reflection": "r-1", "field": "what", "kind": "postcode", "redacted": False}
    ]
    doc["learning_outcomes"] = [{"module_id": "neglect", "id": "rarely-alone", "text": "Alone."}]
    doc["activity_type"] = "self-directed"
    doc["reflections"][0].update(follow_up_due="2026-12-01", impact=None, impact_at=None)
    signed = sign_log(doc, new_key(1))
    supervisor = {"name": "Sgt Patel", "role": "Sergeant", "force": "", "staff_number": "9"}
    comments = [{"reflection": "r-1", "comment": "Good."}]
    return sign_review(signed, new_key(3), supervisor, "2026-11-30", "discuss", "Talk", comments)


def test_the_quick_look_at_a_log_has_every_field_of_the_schema_and_passes_a_full_log():
    from pydantic import BaseModel

    from scr_cpd.progress.log import schema
    from scr_cpd.progress.log.shape import MODELS, plainly_a_log

    for model in MODELS:
        fields = getattr(schema, model.name).model_fields
        assert set(model.fields) == set(fields), model.name
        assert set(model.required) == {n for n, f in fields.items() if f.is_required()}
    classes = {
        name
        for name, value in vars(schema).items()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.model_fields
    }
    assert classes == {model.name for model in MODELS}
    doc = full_log()
    schema.Log.model_validate(doc, strict=True)
    assert plainly_a_log(doc) and plainly_a_log(signed_log())
    assert logfile.load_log_bytes(Path("log.json"), json.dumps(doc).encode(), TRUST_BOTH)[1].ok


TRUST_BOTH = TrustList(
    {**trusted_for(new_key(1)).keys, **trusted_for(new_key(3), role="supervisor").keys}
)
# Values near a field's edge (a bool for a number, -1 for a count, a hash in capitals, a word
# just outside a vocabulary, ints beyond 64 bits) as often as values of any kind.
EDGE_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2**53,
    2**63,
    -(2**63) - 1,
    0.5,
    "",
    "x",
    "0A1B2C3D",
    "0a1b2c3",
] + ["0a1b2c3d\n", "passed", "finished", "ed25519", "rsa", "scr-cpd", "discuss", "team", [], {}]
edge_values = st.sampled_from(EDGE_VALUES)
log_values = st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats()
log_values |= st.sampled_from(["", "x", "0a1b2c3d", "0A1B2C3D", "passed", "ed25519", "discuss"])
log_values = edge_values | log_values
log_values |= st.lists(log_values, max_size=2) | st.dictionaries(
    st.sampled_from(["id", "name", "index", "hash", "value", "extra"]), log_values, max_size=2
)


def _places(node, path=()):
    """Every place in a document, as a path of keys and list positions."""
    yield path
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        yield from _places(child, (*path, key))


@functools.cache
def _patterns():
    """Every place in the full log with list positions as "*", once."""
    found = {
        tuple("*" if isinstance(step, int) else step for step in path): None
        for path in _places(full_log())
    }
    return sorted(found, key=str)


@st.composite
def mutated_logs(draw):
    """A full log with up to three changes, each at a place drawn evenly from the log's fields
    (so a field deep in one attempt's response is as likely as a top-level one): a value
    replaced, a key removed or added, an item added to or dropped from a list."""
    doc = full_log()
    for _ in range(draw(st.integers(1, 3))):
        parent, target, path = None, doc, []
        for step in draw(st.sampled_from(_patterns())):
            if step == "*":
                step = (
                    draw(st.integers(0, len(target) - 1))
                    if isinstance(target, list) and target
                    else None
                )
            if (
                step is None
                or not isinstance(target, (dict, list))
                or step not in (target if isinstance(target, dict) else range(len(target)))
            ):
                break
            parent, target = target, target[step]
            path.append(step)
        change = draw(st.sampled_from(["replace", "remove", "add"]))
        if change == "replace" and path:
            parent[path[-1]] = draw(log_values)
        elif change == "remove" and path:
            del parent[path[-1]]
        elif isinstance(target, dict):
            target[draw(st.sampled_from(["extra", "name", "value", "id", "hash"]))] = draw(
                log_values
            )
        elif isinstance(target, list):
            target.append(draw(log_values))
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_logs())
def test_checked_a_field_at_a_time_a_log_gets_the_answer_it_gets_a_record_at_a_time(doc):
    from scr_cpd.progress.log import shape

    one_at_a_time = shape.plainly_a_log(doc)  # the full log's lists are all short
    saved, shape.ONE_AT_A_TIME_BELOW = shape.ONE_AT_A_TIME_BELOW, 0
    try:
        assert shape.plainly_a_log(doc) == one_at_a_time
    finally:
        shape.ONE_AT_A_TIME_BELOW = saved


def _records_of_each_kind():
    """(model, the records of that kind in a reviewed full log), for each kind held in lists."""
    from scr_cpd.progress.log import shape

    doc = full_log()
    attempts = [a for a in doc["attempts"] if a.get("response")]
    responses = [a["response"] for a in attempts]
    return [
        (shape.BANK, doc["banks"]),
        (shape.MODULE, doc["modules"]),
        (shape.ACTIVITY, doc["activities"]),
        (shape.ATTEMPT, doc["attempts"]),
        (shape.RESPONSE, responses),
        (shape.CHOSEN_OPTION, [o for r in responses for o in r.get("options") or []]),
        (shape.CHOSEN_PAIR, [p for r in responses for p in r.get("pairs") or []]),
        (shape.REFLECTION, doc["reflections"]),
        (shape.LEARNING_POINT, [p for r in doc["reflections"] for p in r["learning_points"]]),
        (shape.OUTCOME, doc["learning_outcomes"]),
        (shape.IDENTIFIER, doc["identifiers"]),
        (shape.COMMENT, doc["review"]["comments"]),
    ]


def test_a_list_checked_a_field_at_a_time_gets_the_answer_record_by_record_gives():
    """Every kind of record, every field (and an unknown one), each edge value and a removal,
    in one record of twenty: the column-wise check agrees with the record-by-record one."""
    import copy

    from scr_cpd.progress.log import shape

    saved = shape.ONE_AT_A_TIME_BELOW
    cases = 0
    for model, sample in _records_of_each_kind():
        for key in [*model.fields, "extra"]:
            for change in [*EDGE_VALUES, "remove"]:
                records = [copy.deepcopy(sample[i % len(sample)]) for i in range(20)]
                if change != "remove":
                    records[7][key] = change
                elif key in records[7]:
                    del records[7][key]
                record_by_record = all(map(model, records))
                shape.ONE_AT_A_TIME_BELOW = 0
                try:
                    assert model.many(records) == record_by_record, (model.name, key, change)
                finally:
                    shape.ONE_AT_A_TIME_BELOW = saved
                cases += 1
    assert cases == 82 * 24  # 12 kinds of record: 70 fields and an unknown one each


def test_the_quick_look_at_a_log_refuses_every_single_change_the_schema_refuses():
    """Every place in the log (the first item of each list), each edge value, a removal and an
    unknown key: whatever the quick look passes, the schema passes too."""
    from pydantic import ValidationError

    from scr_cpd.progress.log.schema import Log
    from scr_cpd.progress.log.shape import plainly_a_log

    passed = refused = 0
    first = {}
    for place in _places(full_log()):  # the first place of each pattern
        first.setdefault(tuple("*" if isinstance(step, int) else step for step in place), place)
    for path in first.values():
        for change in [*EDGE_VALUES, "remove", "add"]:
            doc = full_log()
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            if change == "remove" and path:
                del parent[path[-1]]
            elif change == "add":
                target = parent[path[-1]] if path else doc
                if isinstance(target, dict):
                    target["extra"] = 1
                elif isinstance(target, list):
                    target.append(1)
            elif path:
                parent[path[-1]] = change
            if not plainly_a_log(doc):
                refused += 1
                continue
            passed += 1
            try:
                Log.model_validate(doc, strict=True)
            except ValidationError as exc:
                raise AssertionError(f"the quick look passed {change!r} at {path}: {exc}") from None
    assert passed > 500 and refused > 1000  # both ways taken, many times


@settings(max_examples=300, deadline=None)
@given(mutated_logs())
def test_the_quick_look_at_a_log_is_never_looser_than_the_schema(doc):
    from scr_cpd.progress.log.schema import Log
    from scr_cpd.progress.log.shape import plainly_a_log

    if plainly_a_log(doc):
        Log.model_validate(doc, strict=True)  # raises if the quick look let through what it refuses


@settings(max_examples=300, deadline=None)
@given(mutated_logs(), st.booleans(), st.booleans())
def test_the_quick_digest_check_finds_a_change_whenever_the_full_one_does(doc, swap, resign):
    """Mutated logs (their reflections reordered, too), some signed again after the change (so
    every digest matches again)."""
    from scr_cpd.progress.log.signing import changed_parts, unchanged

    if swap and isinstance(doc.get("reflections"), list):
        doc["reflections"].reverse()
    if resign:
        try:
            doc = sign_log(doc, new_key(1))
        except (TypeError, ValueError):  # not signable as it is (a key it cannot sort, say)
            return
    signed = (
        doc.get("integrity", {}).get("digests") if isinstance(doc.get("integrity"), dict) else None
    )
    if not isinstance(signed, dict):
        return
    if unchanged(doc, signed):
        assert changed_parts(doc, signed) == []


def test_the_quick_digest_check_passes_logs_as_exported():
    from scr_cpd.progress.log.signing import unchanged

    for doc in (full_log(), signed_log(), signed_log(seed=2)):
        assert unchanged(doc, doc["integrity"]["digests"])


@settings(max_examples=200, deadline=None)
@given(mutated_logs())
def test_the_quick_look_at_a_log_gives_the_verdict_the_full_schema_gives(doc):
    from unittest import mock

    raw = json.dumps(doc).encode()
    trust = TRUST_BOTH
    quick = logfile.load_log_bytes(Path("log.json"), raw, trust)
    with mock.patch.object(logfile, "plainly_a_log", lambda doc: False):
        full = logfile.load_log_bytes(Path("log.json"), raw, trust)
    assert quick[0] == full[0]
    assert quick[1] == full[1]


# --- which files --------------------------------------------------------------------------------


def test_folders_expand_to_json_files_and_skip_the_rest(tmp_path):
    team = tmp_path / "team"
    (team / "north").mkdir(parents=True)
    (team / ".git").mkdir()
    for name in ("b.json", "a.JSON", "north/c.json", ".git/x.json"):
        (team / name).write_text("{}")
    (team / "notes.txt").write_text("hello")
    (team / "north" / "log.pdf").write_bytes(b"%PDF")
    single = team / "b.json"
    out = logfile.expand_paths([team, single, tmp_path / "missing.json"])
    assert [p.relative_to(tmp_path).as_posix() for p in out.files] == [
        "team/a.JSON",
        "team/b.json",
        "team/north/c.json",
        "missing.json",
    ]
    assert sorted(p.name for p in out.skipped) == ["log.pdf", "notes.txt"]


# --- the trusted list ---------------------------------------------------------------------------


def test_trust_rename_and_remove(tmp_path):
    fp = key_fingerprint(new_key(1))
    key, before = tr.trust_key(
        tmp_path, fp.replace(":", "").upper(), "  PC 1234   Jones ", "2026-11-26"
    )
    assert (key.fingerprint, key.name, key.role, before) == (fp, "PC 1234 Jones", "officer", None)
    assert tr.read_trusted(tmp_path) == {fp: TrustedKey(fp, "PC 1234 Jones", added_at="2026-11-26")}
    assert oct(os.stat(tr.trust_path(tmp_path)).st_mode & 0o777) == "0o600"
    key, before = tr.trust_key(tmp_path, fp, "PC 1234 A Jones", "2026-11-27", "1234", "supervisor")
    assert (
        before.name == "PC 1234 Jones"
        and key.who == "PC 1234 A Jones (staff number 1234, supervisor)"
    )
    assert tr.load_trust(tmp_path).names() == {fp: "PC 1234 A Jones"}
    assert tr.untrust_key(tmp_path, fp) == (fp, key)
    assert tr.untrust_key(tmp_path, fp) == (fp, None)
    assert tr.read_trusted(tmp_path) == {}


@pytest.mark.parametrize(
    "keys, own",
    [((), None), (("a",), "b"), (("a", "b"), "a"), ((), "c")],
)
def test_the_trusted_names_view_is_the_trust_lists_names(keys, own):
    from scr_cpd.progress.supervision.verdicts import TrustedNames

    found = TrustList({k * 32: TrustedKey(k * 32, f"PC {k}") for k in keys}, own=own and own * 32)
    view = TrustedNames(found)
    assert dict(view) == found.names() and len(view) == len(found.names())
    assert bool(view) == bool(found.names()) and ("z" * 32 in view) is False


def test_own_key_is_trusted_without_being_listed(tmp_path):
    fp = key_fingerprint(load_or_create_key(tmp_path))
    assert tr.load_trust(tmp_path).names() == {fp: tr.OWN_KEY_NAME}
    assert tr.read_trusted(tmp_path) == {}


@pytest.mark.parametrize(
    "fingerprint, name, message",
    [
        ("12345", "PC 1", "is not a key fingerprint"),
        ("ab12:cd34:ef56:7890:abcd:ef01:2345:6789", "   ", "give the key's owner a name"),
    ],
)
def test_bad_trust_requests(tmp_path, fingerprint, name, message):
    with pytest.raises(SupervisionError, match=message):
        tr.trust_key(tmp_path, fingerprint, name, "2026-11-26")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"ab12": "a name"}'])
def test_a_damaged_trusted_list_is_one_sentence(tmp_path, content):
    tr.trust_path(tmp_path).write_text(content)
    with pytest.raises(
        SupervisionError, match="your trusted-key list .* (is damaged|is not in the expected form)"
    ):
        tr.load_trust(tmp_path)


# --- summaries ----------------------------------------------------------------------------------


def test_summary_row_of_a_log(tmp_path):
    doc = signed_log()
    row = team.summarise(
        tmp_path / "jones.json", doc, logfile.load_log(write(tmp_path / "jones.json", doc))[1]
    )
    assert (row.name, row.staff_number, row.since, row.until) == (
        "PC 1234 Jones",
        "1234",
        "2026-01-01",
        "2026-11-21",
    )
    assert (row.hours, row.modules_completed, row.modules_total) == (0.69, 1, 2)
    assert row.average_score == 0.8125 and row.reflections == 3
    assert row.last_activity == "2026-02-11T10:00:00+00:00"
    assert row.status == "unknown signer" and row.review_outcome is None


def test_iter_summaries_reports_every_file_and_loses_none(tmp_path):
    good = write(tmp_path / "a.json", signed_log(seed=1))
    edited = signed_log(seed=2, name="PC 2 Edited")
    edited["totals"]["cpd_hours"] = 99.0
    write(tmp_path / "b.json", edited)
    (tmp_path / "c.json").write_text('{"format": "scr-cpd/log@9"}')
    (tmp_path / "d.json").write_text('{"format": "scr-cpd/log@1", "gener')
    (tmp_path / "e.json").write_text('{"shopping": ["milk"]}')
    files = logfile.expand_paths([tmp_path]).files
    rows = list(team.iter_summaries(files, trusted_for(new_key(1))))
    assert [(r.path.name, r.status) for r in rows] == [
        ("a.json", "valid"),
        ("b.json", "edited"),
        ("c.json", "unsupported version"),
        ("d.json", "damaged"),
        ("e.json", "not a CPD log"),
    ]
    assert rows[1].hours == 99.0 and "totals" in rows[1].detail
    assert good == rows[0].path


def test_worker_processes_give_the_same_rows_in_the_same_order(tmp_path):
    for n in range(6):
        write(tmp_path / f"{n}.json", signed_log(seed=n + 1, name=f"PC {n}"))
    (tmp_path / "6.json").write_text("{")
    files = logfile.expand_paths([tmp_path]).files
    trusted = trusted_for(new_key(2))
    assert list(team.iter_summaries(files, trusted, workers=2)) == list(
        team.iter_summaries(files, trusted, workers=1)
    )


@pytest.mark.parametrize(
    "cores, files, workers", [(2, 100, 2), (2, 10, 1), (8, 100, 4), (1, 100, 1)]
)
def test_every_core_works_on_a_large_team_whatever_the_load(monkeypatch, cores, files, workers):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 3.0, 3.0))  # a busy machine: no matter
    assert team.worker_count(files) == workers


@pytest.mark.parametrize(
    "files, workers, chunk", [(40, 2, 2), (1000, 2, 62), (5000, 2, 64), (5, 4, 1)]
)
def test_workers_get_files_in_few_messages_yet_finish_together(files, workers, chunk):
    assert team.chunk_size(files, workers) == chunk


def row(name, hours=1.0, score=0.5, last="2026-11-01", modules=1, status="valid", path=None):
    return team.SummaryRow(
        path=Path(path or f"{name}.json"),
        status=status,
        detail="",
        name=name,
        hours=hours,
        average_score=score,
        last_activity=last,
        modules_completed=modules,
    )


def test_sorting_puts_who_needs_attention_first_and_failures_last():
    rows = [
        row("b", hours=5, score=None, last="2026-10-01", modules=3),
        row("A", hours=2, score=0.9, modules=1),
        team.failed_row(Path("z.json"), Verdict("damaged", "x")),
        row("c", hours=9, score=0.4, last=None),
    ]
    names = lambda by, rev=False: [r.name or r.path.name for r in team.sort_rows(rows, by, rev)]  # noqa: E731
    assert names("name") == ["A", "b", "c", "z.json"]
    assert names("hours") == ["A", "b", "c", "z.json"]
    assert names("hours", True) == ["c", "b", "A", "z.json"]
    assert names("score") == ["b", "c", "A", "z.json"]
    assert names("last") == ["c", "b", "A", "z.json"]
    assert names("modules") == ["A", "c", "b", "z.json"]


def test_filters():
    failure = team.failed_row(Path("z.json"), Verdict("damaged", "x"))
    rows = [row("a"), row("b", status="edited"), row("c", last="2026-01-05"), failure]
    assert [r.path.name for r in team.filter_rows(rows, only_invalid=True)] == ["b.json", "z.json"]
    assert [r.path.name for r in team.filter_rows(rows, statuses={"edited", "damaged"})] == [
        "b.json",
        "z.json",
    ]
    assert [r.path.name for r in team.filter_rows(rows, since=date(2026, 6, 1))] == [
        "a.json",
        "b.json",
        "z.json",
    ]
    assert team.normalise_status("Unknown-Signer") == "unknown signer"
    with pytest.raises(SupervisionError, match="not a verification status"):
        team.normalise_status("fine")


# Few days, so that good and bad times on one day meet in one list.
_made_stamps = st.builds(
    lambda day, sep, time, frac, off: f"{day}{sep}{time}{frac}{off}",
    st.sampled_from(["2026-02-06", "2026-02-09", "2026-02-30", "0001-01-01", "9999-12-31"]),
    st.sampled_from(["T", " ", "x"]),
    st.sampled_from(["17:57:06", "00:00:00", "23:59:59", "24:00:00", "25:00:00", "23:60:00"]),
    st.sampled_from(["", "", ".5", ".123456"]),
    st.sampled_from(["+00:00", "+00:00", "+00:00", "-00:00", "Z", "", "+05:30", "-02:00", "+00:0"]),
)
_stamps = (
    _made_stamps
    | st.datetimes(timezones=st.timezones() | st.none()).map(lambda moment: moment.isoformat())
    | st.text(max_size=26)
    | st.sampled_from(["2026-W06-1T17:57:06+00:00", "2026-02-06T17:57:06+00:00", None, 7])
)


def _weeks_the_long_way(attempts):
    weeks = {}
    for attempt in attempts:
        monday = team._week_of(attempt.get("answered_at") if isinstance(attempt, dict) else None)
        if monday:
            weeks[monday] = weeks.get(monday, 0) + 1
    return dict(sorted(weeks.items()))


@settings(max_examples=300, deadline=None)
@given(st.lists(_stamps.map(lambda stamp: {"answered_at": stamp}), max_size=30))
def test_answers_per_week_the_quick_way_counts_as_the_long_way(attempts):
    assert team.answers_by_week(attempts) == _weeks_the_long_way(attempts)


# Times as the app writes them, with days and times no calendar or clock has among them.
_app_stamps = st.builds(
    lambda day, time: f"{day}T{time}+00:00",
    st.sampled_from(["2026-02-06", "2026-02-09", "2026-02-30", "2026-13-01", "0001-01-01"])
    | st.dates().map(str),
    st.sampled_from(["17:57:06", "00:00:00", "23:59:59", "24:00:00", "19:60:00", "1٧:57:06"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_app_stamps.map(lambda stamp: {"answered_at": stamp}), max_size=40))
def test_answers_per_week_of_app_written_times_count_as_the_long_way(attempts):
    assert team.answers_by_week(attempts) == _weeks_the_long_way(attempts)


_odd = (
    st.none() | st.booleans() | st.integers(-3, 3) | st.just([]) | st.just({}) | st.text(max_size=3)
)
_answer = st.fixed_dictionaries(
    {},
    optional={
        "module_id": st.sampled_from(["neglect", "voice", "None"]) | _odd,
        "seconds": st.floats(allow_nan=False, allow_infinity=False) | _odd,
        "correct": st.booleans() | _odd,
        "answered_at": st.sampled_from(["2026-02-06T17:57:06+00:00", ""]) | _odd,
    },
)
# Module ids in text, as the app writes them (the quick way), with odd values in the rest.
_app_answer = st.fixed_dictionaries(
    {"module_id": st.sampled_from(["neglect", "voice", "trauma"])},
    optional={
        "seconds": st.floats(0, 500, allow_nan=False) | _odd,
        "correct": st.booleans() | _odd,
        "answered_at": st.just("2026-02-06T17:57:06+00:00") | _odd,
    },
)


# Every field there, as the app writes them, some holding what it never writes.
_full_answer = st.fixed_dictionaries(
    {
        "module_id": st.sampled_from(["neglect", "voice", "trauma"]),
        "seconds": st.floats(0, 500, allow_nan=False) | st.sampled_from([1, True, None, "3"]),
        "correct": st.sampled_from([True, False, 1, 0, "yes", None]),
        "answered_at": st.sampled_from(["2026-02-06T17:57:06+00:00", None, 7]),
    }
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_full_answer, max_size=40)
    | st.lists(_app_answer, max_size=40)
    | st.lists(_answer | _odd, max_size=12)
)
def test_plausibility_counts_field_by_field_as_answer_by_answer(attempts):
    from scr_cpd.progress.supervision import plausibility

    assert plausibility._count(attempts) == plausibility._count_each(attempts)


# --- reports ------------------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_csv_neutralises_formula_triggers_in_every_cell(tmp_path):
    rows = [row(name, path=f"{name}.json") for name in HOSTILE]
    rows.append(team.failed_row(Path("=cmd.json"), Verdict("damaged", "=1+1")))
    parsed = list(csv.reader(io.StringIO(team_report.render_csv(rows))))
    assert parsed[0] == list(team_report.CSV_COLUMNS)
    names = [line[1] for line in parsed[1:-1]]
    assert names == ["'" + name for name in HOSTILE[:4]] + ["\\tTAB", "\\rCR"]  # made visible
    detail = team_report.CSV_COLUMNS.index("verification_detail")
    assert parsed[-1][0] == "'=cmd.json" and parsed[-1][detail] == "'=1+1"
    for line in parsed[1:]:
        assert not any(cell.startswith(FORMULA_TRIGGERS) for cell in line)
    assert parsed[1][8:15] == ["1.00", "1", "0", "0", "50", "0", "2026-11-01"]


def test_html_report_escapes_officer_text_and_runs_nothing():
    evil = row('<script>alert(1)</script>"><img src=x onerror=alert(2)>')
    evil.role = "<b>PC</b>"
    evil.review_outcome, evil.review_status, evil.reviewer = "accepted", "edited", "<i>Sgt</i>"
    failure = team.failed_row(Path("<svg onload=alert(3)>.json"), Verdict("damaged", "<u>x</u>"))
    page = team_report.render_html([evil, failure], "2026-11-26T10:00:00+00:00", skipped=2)
    assert "<script" not in page and "<img" not in page and "<b>PC" not in page
    assert "<svg onload" not in page  # the only SVG: the hours chart (no modules, no answers)
    assert page.count("<svg") == page.count('<svg class="chart" id="chart-hours"') == 1
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    )
    assert "default-src 'none'" in page and "<style>" in page
    assert not re.search(r"<[^>]*\b(src|href|on\w+)=", page)  # no tag loads or runs anything
    assert (
        "Files that could not be read" in page and "2 files in the folders were not .json" in page
    )
    assert "signature: edited" in page
    assert '<span class="status damaged">damaged</span>' in page


def test_reviewed_path():
    assert logfile.reviewed_path(Path("team/jones.json")) == Path("team/jones.reviewed.json")
    assert logfile.reviewed_path(Path("team/jones.reviewed.json")) == Path(
        "team/jones.reviewed.json"
    )
    assert logfile.reviewed_path(Path("jones")) == Path("jones.reviewed.json")


def test_review_round_trip_through_a_file(tmp_path):
    doc = sign_review(
        signed_log(), new_key(9), {"name": "Sgt Patel"}, "2026-11-27", "accepted", "ok"
    )
    path = tmp_path / "jones.reviewed.json"
    path.write_text(logfile.dump_log(doc), encoding="utf-8")
    officer_only = trusted_for(new_key(1), new_key(9))  # the reviewer trusted as an officer
    assert logfile.load_log(path, officer_only)[1].review_status == (
        "reviewer not trusted as a supervisor"
    )
    both = TrustList(
        {**trusted_for(new_key(1)).keys, **trusted_for(new_key(9), role="supervisor").keys}
    )
    loaded, verdict = logfile.load_log(path, both)
    assert verdict.ok and loaded["review"]["outcome"] == "accepted"
    assert verdict.reviewer == "Sgt Patel"


def test_a_named_pipe_is_not_waited_on(tmp_path):
    pipe = tmp_path / "log.json"
    os.mkfifo(pipe)
    assert logfile.load_log(pipe)[1].line() == (
        "unreadable (it is not a regular file (a pipe or a device?))"
    )


def test_a_file_that_grows_past_the_limit_while_read(tmp_path, monkeypatch):
    path = tmp_path / "log.json"
    path.write_bytes(b"{}")
    monkeypatch.setattr(logfile, "MAX_LOG_BYTES", 10)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, n) or b"x" * 20)
    assert logfile.load_log(path)[1].status == "damaged"


# --- the keyring ---------------------------------------------------------------------------------


def test_keyring_changes_name_adds_changes_and_revocations(tmp_path):
    from scr_cpd.progress.supervision import keyring

    publisher, reader = tmp_path / "force", tmp_path / "sgt"
    jones, smith, patel = (key_fingerprint(new_key(n)) for n in (1, 2, 9))
    for home in (publisher, reader):
        tr.trust_key(home, jones, "PC 1234 Jones", "2026-01-01", "1234")
        tr.trust_key(home, smith, "PC 5678 Smith", "2026-01-01")
    tr.trust_key(reader, patel, "Sgt Patel (old name)", "2026-01-01")
    tr.trust_key(publisher, patel, "Sgt 4321 Patel", "2026-02-01", role="supervisor")
    tr.revoke_key(publisher, jones, "left the force", "2026-03-01T00:00:00+00:00")
    ring = tmp_path / "ring.json"
    ring.write_text(keyring.export_keyring(publisher, new_key(7), "2026-03-02"))
    loaded = keyring.read_keyring(ring)
    assert loaded.publisher == key_fingerprint(new_key(7)) and len(loaded.keys) == 3
    changes = keyring.keyring_changes(reader, loaded)
    assert [(c.kind, c.key.fingerprint) for c in changes] == [("revoke", jones), ("change", patel)]
    keyring.import_keyring(reader, changes)
    now = tr.read_trusted(reader)
    assert now[jones].revoked_reason == "left the force" and now[patel].role == "supervisor"
    assert now[patel].added_at == "2026-01-01"  # when this reader first trusted it
    assert keyring.keyring_changes(reader, loaded) == []


@pytest.mark.parametrize(
    "stamp, outside",
    [
        ("2026-03-31T23:59:59.999999+00:00", False),  # the period's last day is whole
        ("2026-04-01T00:00:00+00:00", True),
        ("2026-04-01T00:30:00+01:00", False),  # 23:30 on the last day, in UTC
        ("2025-12-31T23:59:59+00:00", True),
        ("2026-01-01T00:00:00", False),  # no zone: read as UTC
        ("not a moment", False),  # unreadable stamps are not counted as outside
    ],
)
def test_an_answer_is_outside_the_period_exactly_when_its_moment_is(stamp, outside):
    from scr_cpd.progress.supervision.plausibility import flags

    doc = make_log()
    doc["period"] = {"since": "2026-01-01", "until": "2026-03-31"}
    doc["attempts"][0]["answered_at"] = stamp
    shown = "1 answer dated outside the period of the log" in flags(doc)
    assert shown is outside


def test_answers_repeated_are_counted_whatever_their_fields_hold():
    from scr_cpd.progress.supervision.plausibility import flags

    doc = make_log()
    first = doc["attempts"][0]
    doc["attempts"] += [dict(first), dict(first, answered_at=None), dict(first, answered_at=None)]
    assert "2 answers repeating another exactly (the same question at the same moment)" in flags(
        doc
    )
