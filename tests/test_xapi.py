"""`cpd export --format xapi`: the log as xAPI 1.0.3 statements, each checked by an independent
implementation (the `tincan` library's statement model, and aniso8601 for times and durations)."""

from __future__ import annotations

import json
import uuid

import aniso8601
import pytest
from helpers import cpd
from officers import RIGHT, WRONG, answer, export, officer_home
from tincan import Statement

from scr_cpd.progress import reflections as rf
from scr_cpd.progress.log.xapi import BASE, VERBS, duration, force_home_page
from scr_cpd.progress.store import Store

ADL = "http://adlnet.gov/expapi/verbs/"


def check(statement):
    """Valid for tincan's model, nothing lost by it, and times that parse as ISO 8601."""
    parsed = Statement.from_json(json.dumps(statement))
    back = json.loads(parsed.to_json("1.0.3"))
    assert back["id"] == statement["id"] and back["verb"]["id"] == statement["verb"]["id"]
    assert back["object"]["id"] == statement["object"]["id"]
    assert uuid.UUID(statement["id"]).version == 5
    aniso8601.parse_datetime(statement["timestamp"])
    if "duration" in statement.get("result", {}):
        aniso8601.parse_duration(statement["result"]["duration"])
    return statement


def verb(statement):
    return statement["verb"]["display"]["en-US"]


@pytest.fixture
def officer(tmp_path):
    home = officer_home(tmp_path, "1234", "PC 1234 Sam Jones")
    responses = {**RIGHT, "q-multiple": WRONG["q-multiple"], "q-matching": WRONG["q-matching"]}
    answer(home, responses, confidence={"q-single": "sure", "q-numeric": "guess"})
    store = Store.open(home)
    uid = rf.create(store, "What did you learn?", "tiny", "r-tiny", ["lp-choice"], ["integrity"])
    rf.save_field(store, uid, "what", "Private words that stay out of the LRS", 120)
    store.close()
    return home


def xapi(home, tmp_path, *args, name="out.json"):
    out = tmp_path / name
    result = cpd("export", "--format", "xapi", "-o", str(out), *args, home=home)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    found = (
        [json.loads(line) for line in text.splitlines()] if "--ndjson" in args else json.loads(text)
    )
    return [check(s) for s in found], result.output


def test_every_event_becomes_a_valid_statement(officer, tmp_path):
    found, output = xapi(officer, tmp_path, "--xapi-home-page", "https://lms.northshire.example")
    assert f"{len(found)} statements for account 1234 on https://lms.northshire.example" in output
    assert "guess" not in output
    assert [verb(s) for s in found].count("answered") == 6
    assert {verb(s) for s in found} == {"attempted", "answered", "completed", "passed", "reflected"}
    assert all(s["verb"]["id"] == VERBS[verb(s)] for s in found)
    assert all(s["verb"]["id"].startswith(ADL) for s in found if verb(s) != "reflected")
    assert {json.dumps(s["actor"]) for s in found} == {
        json.dumps(
            {
                "objectType": "Agent",
                "name": "PC 1234 Sam Jones",
                "account": {"homePage": "https://lms.northshire.example", "name": "1234"},
            }
        )
    }
    assert "Private words" not in json.dumps(found)


def test_answers_carry_success_response_duration_and_the_wording_hash(officer, tmp_path):
    found, _ = xapi(officer, tmp_path, "--xapi-home-page", "https://lms.example.org")
    log = export(officer, tmp_path / "log.json")
    hashes = {a["question_id"]: a["content_hash"] for a in log["attempts"]}
    answers = {s["object"]["id"].rsplit("/", 1)[1]: s for s in found if verb(s) == "answered"}
    single = answers["q-single"]
    assert single["object"]["id"] == f"{BASE}/modules/tiny/questions/q-single"
    definition = single["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert definition["extensions"][f"{BASE}/extensions/content-hash"] == hashes["q-single"]
    assert single["result"]["success"] is True and single["result"]["response"] == "option-0"
    assert single["result"]["extensions"] == {f"{BASE}/extensions/confidence": "sure"}
    assert single["result"]["duration"] == "PT30S"
    assert answers["q-multiple"]["result"] == {
        "success": False,
        "duration": "PT31S",
        "response": "option-0[,]option-1",
    }
    assert answers["q-matching"]["result"]["response"] == "left-0[.]right-1[,]left-1[.]right-0"
    assert answers["q-matching"]["object"]["definition"]["interactionType"] == "matching"
    assert answers["q-true-false"]["result"]["response"] == "true"
    assert answers["q-numeric"]["result"]["response"] == "7"
    assert answers["q-short"]["result"]["response"] == "Paris"
    assert answers["q-short"]["object"]["definition"]["interactionType"] == "fill-in"
    parent = single["context"]["contextActivities"]["parent"][0]
    assert parent["id"] == f"{BASE}/modules/tiny"
    assert single["context"]["platform"] == "scr-cpd 0.1.0"
    assert single["context"]["extensions"][f"{BASE}/extensions/bank-version"] == "1.0"


def test_a_session_has_one_registration_and_a_scored_outcome(officer, tmp_path):
    found, _ = xapi(officer, tmp_path, "--xapi-home-page", "https://lms.example.org")
    session = [s for s in found if verb(s) != "reflected"]
    assert len({s["context"]["registration"] for s in session}) == 1
    assert "registration" not in next(s for s in found if verb(s) == "reflected")["context"]
    assert verb(found[0]) == "attempted"
    passed = next(s for s in found if verb(s) == "passed")
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"scaled": 0.6667, "raw": 4, "min": 0, "max": 6}
    assert passed["result"]["duration"] == "PT3M15S"  # 30 + 31 + … + 35 seconds
    completed = next(s for s in found if verb(s) == "completed")
    assert completed["result"]["completion"] is True


def test_failing_a_module_says_failed(tmp_path):
    home = officer_home(tmp_path, "77")
    answer(home, WRONG)
    found, _ = xapi(home, tmp_path, "--xapi-home-page", "https://lms.example.org")
    failed = next(s for s in found if verb(s) == "failed")
    assert failed["result"]["success"] is False and failed["result"]["score"]["raw"] == 0
    assert "passed" not in {verb(s) for s in found}


def test_statement_ids_are_the_same_on_every_export(officer, tmp_path):
    first, _ = xapi(officer, tmp_path, name="a.json")
    again, output = xapi(officer, tmp_path, name="b.json")
    assert first == again
    assert len({s["id"] for s in first}) == len(first)
    assert "https://www.northshire.police.uk" in output and "--xapi-home-page" in output


def test_ndjson_and_mbox(officer, tmp_path):
    array, _ = xapi(officer, tmp_path, "--xapi-mbox", "sam.jones@northshire.example")
    lines, output = xapi(
        officer,
        tmp_path,
        "--ndjson",
        "--xapi-mbox",
        "sam.jones@northshire.example",
        name="x.ndjson",
    )
    assert lines == array
    assert array[0]["actor"]["mbox"] == "mailto:sam.jones@northshire.example"
    assert "account" not in array[0]["actor"]
    assert "xAPI NDJSON" in output and "guess" not in output


@pytest.mark.parametrize(
    "args, profile, message",
    [
        ([], ["--staff-number", ""], "xAPI needs your staff number"),
        (["--xapi-mbox", "not-an-email"], [], "'not-an-email' is not an email address"),
        (["--xapi-home-page", "northshire"], [], "'northshire' is not a web address"),
        ([], ["--force", ""], "xAPI needs your force's home page"),
    ],
)
def test_what_xapi_needs_is_one_sentence(tmp_path, args, profile, message):
    home = officer_home(tmp_path, "1234")
    if profile:
        assert cpd("profile", *profile, home=home).exit_code == 0
    out = tmp_path / "x.json"
    result = cpd("export", "--format", "xapi", "-o", str(out), *args, home=home)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_the_validator_rejects_a_broken_statement(officer, tmp_path):
    found, _ = xapi(officer, tmp_path)
    with pytest.raises(ValueError):
        check(dict(found[0], id="not-a-uuid"))
    with pytest.raises(Exception, match="ISO 8601"):
        check(dict(found[1], result={"duration": "30 seconds"}))


def test_durations_and_the_default_home_page():
    assert [duration(s) for s in (0, 30, 75.5, 3600, 3725.25)] == [
        "PT0S",
        "PT30S",
        "PT1M15.5S",
        "PT1H0S",
        "PT1H2M5.25S",
    ]
    assert force_home_page("Northshire Police") == "https://www.northshire.police.uk"
    assert force_home_page("Avon and Somerset Constabulary") == (
        "https://www.avonandsomerset.police.uk"
    )
    assert force_home_page("") is None
