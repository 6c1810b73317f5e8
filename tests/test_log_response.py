"""Each attempt in the signed log carries what was chosen, in a stable form (log@1, optional)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from helpers import cpd
from officers import RIGHT, WRONG, answer, export, officer_home, trust

from scr_cpd.content.loader import load_library
from scr_cpd.content.model import Option
from scr_cpd.progress.log.response import stable_response, stored_response, text_hash
from scr_cpd.progress.log.schema import Log
from scr_cpd.progress.log.signing import sign_log
from scr_cpd.progress.supervision.logfile import load_log


def h(text):
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def tiny(home):
    return load_library(home).get("tiny")


def test_the_exported_log_names_each_response_by_position_and_text_hash(tmp_path, isolated_home):
    home = officer_home(tmp_path, "1234")
    answer(home, {**WRONG, "q-single": 2, "q-short": "  Lyon "})
    doc = export(home, tmp_path / "log.json")
    got = {a["question_id"]: a["response"] for a in doc["attempts"]}
    assert got["q-single"] == {"options": [{"index": 2, "hash": h("Red")}]}
    assert got["q-multiple"] == {
        "options": [{"index": 0, "hash": h("Two")}, {"index": 1, "hash": h("Three")}]
    }
    assert got["q-true-false"] == {"value": False}
    assert got["q-numeric"] == {"value": 8}
    assert got["q-short"] == {"value": "  Lyon "}  # as typed
    assert got["q-matching"] == {
        "pairs": [
            {"left": 0, "right": 1, "left_hash": h("Cat"), "right_hash": h("Woof")},
            {"left": 1, "right": 0, "left_hash": h("Dog"), "right_hash": h("Miaow")},
        ]
    }
    trust(isolated_home, doc)
    result = cpd("review", "verify", str(tmp_path / "log.json"))
    assert result.exit_code == 0 and ": valid (signed by key" in result.output


def test_an_edited_response_breaks_the_signature(tmp_path, isolated_home):
    home = officer_home(tmp_path, "1234")
    answer(home, WRONG)
    path = tmp_path / "log.json"
    doc = export(home, path)
    trust(isolated_home, doc)
    doc["attempts"][0]["response"] = {"options": [{"index": 0, "hash": h("Blue")}]}
    path.write_text(json.dumps(doc))
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 1 and "edited (changed after signing: attempts)" in result.output


def test_a_log_from_before_responses_still_verifies(tmp_path, isolated_home):
    home = officer_home(tmp_path, "1234")
    answer(home, RIGHT)
    doc = export(home, tmp_path / "new.json")
    old = {k: v for k, v in doc.items() if k != "integrity"}
    old["attempts"] = [{k: v for k, v in a.items() if k != "response"} for a in old["attempts"]]
    from scr_cpd.progress.log.signing import load_or_create_key

    signed = sign_log(old, load_or_create_key(home))
    Log.model_validate(signed, strict=True)
    (tmp_path / "old.json").write_text(json.dumps(signed))
    trust(isolated_home, doc)
    result = cpd("review", "verify", str(tmp_path / "old.json"))
    assert result.exit_code == 0 and ": valid (signed by key" in result.output
    loaded, verdict = load_log(tmp_path / "old.json")  # the full log@1 schema
    assert loaded is not None and verdict.status == "unknown signer"
    assert all("response" not in a for a in loaded["attempts"])


def test_no_response_when_the_wording_answered_is_no_longer_in_the_bank(tmp_path):
    home = officer_home(tmp_path, "1234")
    answer(home, RIGHT)
    path = home / "banks" / "tiny.yaml"
    path.write_text(path.read_text().replace("text: Red", "text: Crimson"))
    doc = export(home, tmp_path / "log.json")
    got = {a["question_id"]: a.get("response") for a in doc["attempts"]}
    assert got["q-single"] is None  # its options changed since: positions would mislead
    assert got["q-numeric"] == {"value": 7}


@pytest.mark.parametrize("qid", sorted(RIGHT))
def test_stable_and_stored_forms_round_trip(qid, tmp_path):
    q = tiny(officer_home(tmp_path, "1")).question(qid)
    for response in (RIGHT[qid], WRONG[qid]):
        stable = stable_response(q, q.content_hash, response)
        assert stable is not None
        assert stored_response(q, json.loads(json.dumps(stable))) == response


def test_a_response_naming_other_texts_is_not_read_back(tmp_path):
    bank = tiny(officer_home(tmp_path, "1"))
    single = bank.question("q-single")
    stable = stable_response(single, single.content_hash, 1)
    reworded = replace(single, options=(single.options[0], Option("Grey"), single.options[2]))
    assert stored_response(reworded, stable) is None
    assert stored_response(single, {"options": [{"index": 9, "hash": text_hash("x")}]}) is None
    matching = bank.question("q-matching")
    pairs = stable_response(matching, matching.content_hash, [1, 0])
    pairs["pairs"][0]["right_hash"] = "00000000"
    assert stored_response(matching, pairs) is None


@pytest.mark.parametrize(
    "qid, response",
    [
        ("q-single", [0]),
        ("q-single", 7),
        ("q-multiple", 0),
        ("q-numeric", True),
        ("q-matching", [0]),
    ],
)
def test_a_response_that_does_not_fit_its_question_is_left_out(qid, response, tmp_path):
    q = tiny(officer_home(tmp_path, "1")).question(qid)
    assert stable_response(q, q.content_hash, response) is None
