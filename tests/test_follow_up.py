"""Following up a reflection's "Now what?": the review date, `cpd reflections follow-up [ID]`,
the home menu's entry, and the impact in the log and every rendering."""

import json
import re
import shutil
from datetime import datetime, timedelta, timezone

import time_machine
from helpers import TINY, cpd
from test_cli_modules import complete_tiny
from test_export_render import pdf_lines
from test_signing import key_fingerprint, make_log, new_key, sign_log

from scr_cpd.progress import reflections as rf
from scr_cpd.progress.store import Store

WRITTEN = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PLAN = "I will check where each child sleeps on every visit."
IMPACT = "Yes. I now look at every bedroom and record what I saw."


def at(moment):
    return time_machine.travel(moment, tick=False)


def write_reflection(home, now_what=PLAN):
    with at(WRITTEN):
        answers = ["1", "I saw bare cupboards.", "", "Neglect hides other harm.", "", now_what]
        result = cpd("reflect", "neglect", input="\n".join([*answers, "", ""]) + "\n", home=home)
    assert result.exit_code == 0, result.output
    [entry] = rf.all_entries(Store.open(home))
    return entry


def test_a_now_what_is_due_30_days_after_it_was_written(isolated_home):
    entry = write_reflection(isolated_home)
    assert entry.follow_up_due == "2026-04-01T09:00:00+00:00"
    with at(WRITTEN + timedelta(days=29)):
        early = cpd("reflections", "follow-up", home=isolated_home)
        pending = cpd("reflections", "show", entry.uid, home=isolated_home)
    assert f"Follow-up due 2026-04-01 (`cpd reflections follow-up {entry.uid}`)" in pending.output
    assert early.exit_code == 0
    assert "No follow-ups are due" in early.output
    with at(WRITTEN + timedelta(days=31)):
        result = cpd("reflections", "follow-up", input=IMPACT + "\n\n", home=isolated_home)
        again = cpd("reflections", "follow-up", home=isolated_home)
    assert result.exit_code == 0, result.output
    assert f"You planned to: “{PLAN}” — did you? What changed?" in result.output
    assert f"Saved the impact of {entry.uid}." in result.output
    kept = rf.get(Store.open(isolated_home), entry.uid)
    assert kept.impact == IMPACT
    assert kept.impact_at == "2026-04-02T09:00:00+00:00"
    assert kept.now_what == PLAN  # the plan itself is untouched
    assert "No follow-ups are due" in again.output
    shown = cpd("reflections", "show", entry.uid, home=isolated_home)
    assert f"Impact (followed up 2026-04-02): did you? What changed?\n{IMPACT}" in shown.output


def test_follow_up_by_id_before_it_is_due_and_the_plan_shortened_and_made_visible(isolated_home):
    plan = "I will \u202eask\u202c the school nurse first. " + "Then more words follow. " * 10
    entry = write_reflection(isolated_home, now_what=plan)
    result = cpd("reflections", "follow-up", entry.uid, input="Done.\n\n", home=isolated_home)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("You planned to"))
    assert "<U+202E>ask<U+202C>" in line and "\u202e" not in line
    assert "…" in line and "Then more words follow. " * 10 not in line
    assert rf.get(Store.open(isolated_home), entry.uid).impact == "Done."


def test_bad_ids_and_reflections_with_no_plan_are_one_sentence(isolated_home):
    missing = cpd("reflections", "follow-up", "r-nope", home=isolated_home)
    assert missing.exit_code == 1
    assert "no reflection with id 'r-nope'" in missing.output
    assert "Traceback" not in missing.output
    entry = write_reflection(isolated_home, now_what="")
    assert entry.follow_up_due is None  # no plan, so nothing to follow up
    result = cpd("reflections", "follow-up", entry.uid, home=isolated_home)
    assert result.exit_code == 1
    assert "has no Now what? to follow up" in result.output


def test_an_impact_that_may_identify_someone_is_warned_about_and_can_be_rewritten(
    isolated_home,
):
    entry = write_reflection(isolated_home)
    answers = ["I visited Mrs Smith at SW1A 1AA again.", "", "y", "I visited the family again."]
    result = cpd(
        "reflections",
        "follow-up",
        entry.uid,
        input="\n".join([*answers, "", ""]),
        home=isolated_home,
    )
    assert result.exit_code == 0, result.output
    assert "Warning — Impact:" in result.output and "postcode" in result.output
    assert rf.get(Store.open(isolated_home), entry.uid).impact == "I visited the family again."


def test_stopping_keeps_nothing_half_written_and_loses_no_answer(isolated_home):
    entry = write_reflection(isolated_home)
    with at(WRITTEN + timedelta(days=31)):
        result = cpd("reflections", "follow-up", input="", home=isolated_home)
    assert result.exit_code == 0
    assert "Stopped." in result.output
    assert rf.get(Store.open(isolated_home), entry.uid).impact == ""


def menu_number(output, label_start):
    return re.search(rf"^\s+(\d+)\. {re.escape(label_start)}", output, re.M).group(1)


def test_the_home_menu_offers_due_follow_ups(isolated_home):
    write_reflection(isolated_home)
    with at(WRITTEN + timedelta(days=1)):
        before = cpd(input="q\n", home=isolated_home)
    assert "Follow up" not in before.output
    with at(WRITTEN + timedelta(days=31)):
        menu = cpd(input="q\n", home=isolated_home)
        number = menu_number(menu.output, "Follow up 1 reflection: did you do what you planned?")
        result = cpd(input=f"{number}\n{IMPACT}\n\n\nq\n", home=isolated_home)
        after = cpd(input="q\n", home=isolated_home)
    assert f"You planned to: “{PLAN}”" in result.output
    [entry] = rf.all_entries(Store.open(isolated_home))
    assert entry.impact == IMPACT
    assert "Follow up" not in after.output


def test_the_signed_log_carries_the_impact_verifies_and_every_rendering_shows_it(
    isolated_home, tmp_path
):
    entry = write_reflection(isolated_home)
    cpd("reflections", "follow-up", entry.uid, input=IMPACT + "\n\n", home=isolated_home)
    out = {}
    for fmt in ("json", "md", "html", "csv", "pdf"):
        out[fmt] = tmp_path / f"log.{fmt}"
        result = cpd("export", "--format", fmt, "-o", str(out[fmt]), home=isolated_home)
        assert result.exit_code == 0, result.output
    doc = json.loads(out["json"].read_text())
    [record] = doc["reflections"]
    assert record["follow_up_due"] == "2026-04-01T09:00:00+00:00"
    assert record["impact"] == IMPACT and record["impact_at"]
    assert doc["activity_type"] == "self-directed"
    assert doc["learning_outcomes"] == []  # no module passed yet
    verified = cpd("review", "verify", str(out["json"]), home=isolated_home)
    assert verified.exit_code == 0 and ": valid (signed by key" in verified.output
    assert "**What changed?** The impact: did I do what I planned" in out["md"].read_text()
    assert IMPACT in out["md"].read_text()
    html = out["html"].read_text()
    assert "What changed?" in html and IMPACT in html
    assert f"What changed? {IMPACT}" in out["csv"].read_text()
    assert any("What changed?" in line for line in pdf_lines(out["pdf"].read_bytes()))
    assert "Activity type" in out["md"].read_text()


def test_an_edited_impact_is_caught_and_an_older_log_without_the_fields_still_verifies(
    isolated_home, tmp_path
):
    old = sign_log(make_log(), new_key(1))
    assert all("impact" not in r for r in old["reflections"]) and "activity_type" not in old
    (tmp_path / "old.json").write_text(json.dumps(old))
    cpd("review", "trust", key_fingerprint(new_key(1)), "--name", "PC 1234 Jones")
    result = cpd("review", "verify", str(tmp_path / "old.json"))
    assert result.exit_code == 0, result.output
    assert ": valid (signed by key" in result.output
    old["reflections"][0]["impact"] = "Added after signing."
    (tmp_path / "edited.json").write_text(json.dumps(old))
    edited = cpd("review", "verify", str(tmp_path / "edited.json"))
    assert edited.exit_code == 1 and "edited" in edited.output


def test_the_learning_outcomes_are_the_points_of_each_module_passed(tmp_path, monkeypatch):

    folder = tmp_path / "banks"
    folder.mkdir()
    shutil.copy(TINY, folder / "tiny.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(folder))
    home = tmp_path / "home"
    complete_tiny(home, right=6)
    out = tmp_path / "log.json"
    assert cpd("export", "-o", str(out), home=home).exit_code == 0
    doc = json.loads(out.read_text())
    assert [(o["module_id"], o["id"]) for o in doc["learning_outcomes"]] == [
        ("tiny", "lp-choice"),
        ("tiny", "lp-facts"),
        ("tiny", "lp-words"),
    ]
    assert doc["learning_outcomes"][0]["text"] == "Choosing well matters."
    shown = cpd("review", "show", str(out), home=home)
    assert "Learning outcomes: 3 learning points from the modules passed" in shown.output
