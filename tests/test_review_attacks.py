"""A supervisor is never fooled: each attack on the signed CPD log, tried through the real CLI."""

import copy
import csv
import io
import json

import pytest
from helpers import cpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_signing import make_log, new_key, signed_log

from scr_cpd.common.text import count
from scr_cpd.progress.log.signing import key_fingerprint, load_or_create_key, sign_log, sign_review
from scr_cpd.progress.supervision.logfile import load_log
from scr_cpd.progress.supervision.trust import TrustedKey, TrustList

JONES, SMITH, PATEL = (key_fingerprint(new_key(n)) for n in (1, 2, 9))
SERGEANT = {"name": "Sgt 4321 Patel", "role": "Sergeant", "force": "", "staff_number": "4321"}


def write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def trust_team():
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones", "--staff-number", "1234")
    cpd("review", "trust", SMITH, "--name", "PC 5678 Smith", "--staff-number", "5678")


# 1. Identity: a trusted officer signs a log carrying another officer's name and staff number.


def test_a_log_in_another_officers_name_is_an_identity_mismatch(tmp_path):
    trust_team()
    forged = write(tmp_path / "smith.json", signed_log(seed=1, name="PC 5678 Smith", staff="5678"))
    result = cpd("review", "verify", str(forged))
    assert result.exit_code == 1
    assert result.output == (
        f"{forged}: identity mismatch (signed by key {JONES}, trusted as PC 1234 Jones "
        "(staff number 1234, officer), but the log's profile says PC 5678 Smith (staff number 5678))\n"
    )
    summary = cpd("review", "summary", str(tmp_path))
    assert summary.exit_code == 1
    row = summary.output.splitlines()[1]
    assert row.startswith("PC 1234 Jones") and "identity mismatch" in row  # the trusted name
    shown = cpd("review", "show", str(forged))
    assert shown.exit_code == 1 and shown.output.splitlines()[1].startswith("*** NOT VALID")


def test_a_trust_list_from_before_roles_still_loads_as_officers(tmp_path, isolated_home):
    isolated_home.mkdir(parents=True)
    (isolated_home / "trusted-keys.json").write_text(
        json.dumps(
            {JONES: {"name": "PC 1234 Jones", "added_at": "2026-01-01"}, SMITH: "PC 5678 Smith"}
        )
    )
    listed = cpd("review", "trust", "--list").output
    assert f"{JONES}  PC 1234 Jones (officer)  (added 2026-01-01)" in listed
    assert f"{SMITH}  PC 5678 Smith (officer)  (added ?)" in listed
    log = write(tmp_path / "jones.json", signed_log(seed=1))
    assert cpd("review", "verify", str(log)).exit_code == 0


# 2. Sign-offs: the officer signs off his own log in a sergeant's name; or an officer's key does.


def test_an_officer_signing_off_his_own_log_is_a_self_signed_review(tmp_path):
    trust_team()
    doc = sign_review(signed_log(seed=1), new_key(1), SERGEANT, "2026-11-27", "accepted", "ok")
    path = write(tmp_path / "jones.reviewed.json", doc)
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 1
    assert (
        "; review: self-signed review (accepted, signed with the officer's own key" in result.output
    )
    report = tmp_path / "team.csv"
    summary = cpd(
        "review", "summary", str(path), "--csv", str(report), "--html", str(tmp_path / "t.html")
    )
    assert "accepted (self-signed review)" in summary.output
    row = next(csv.DictReader(io.StringIO(report.read_text())))
    assert row["review_verification"] == "self-signed review" and row["reviewer"] == ""
    page = (tmp_path / "t.html").read_text()
    assert "signature: self-signed review" in page and "by Sgt 4321 Patel" not in page


def test_a_sign_off_counts_only_from_a_key_trusted_as_supervisor(tmp_path):
    trust_team()
    doc = sign_review(signed_log(seed=1), new_key(9), SERGEANT, "2026-11-27", "accepted", "ok")
    path = write(tmp_path / "jones.reviewed.json", doc)
    cpd("review", "trust", PATEL, "--name", "Sgt 4321 Patel")  # as an officer
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 1
    assert "review: reviewer not trusted as a supervisor (accepted, signed by key" in result.output
    cpd("review", "trust", PATEL, "--name", "Sgt 4321 Patel", "--role", "supervisor")
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 0 and result.output.endswith(
        f"signed by key {PATEL}, Sgt 4321 Patel)\n"
    )


def test_signing_your_own_log_off_is_refused(tmp_path, isolated_home):
    cpd("profile", "--name", "PC 1234 Jones")
    key = load_or_create_key(isolated_home)
    log = write(tmp_path / "me.json", sign_log(make_log(), key))
    result = cpd("review", "sign", str(log), "--outcome", "accepted")
    assert result.exit_code == 1 and "signed with your own key" in result.output
    assert not (tmp_path / "me.reviewed.json").exists()


# 3. A keyring a force publishes; revocation.


def test_keyring_export_and_import_with_confirmation(tmp_path, isolated_home):
    trust_team()
    cpd("review", "trust", PATEL, "--name", "Sgt 4321 Patel", "--role", "supervisor")
    ring = tmp_path / "force.keyring.json"
    exported = cpd("review", "trust", "--export", str(ring))
    assert exported.exit_code == 0 and "signed by your key" in exported.output
    publisher = key_fingerprint(load_or_create_key(isolated_home))
    other = tmp_path / "other"
    refused = cpd("review", "trust", "--import", str(ring), home=other, input="n\n")
    assert refused.exit_code == 1 and "Nothing imported." in refused.output
    assert f"by key {publisher}." in refused.output
    assert "  add: " + PATEL + "  Sgt 4321 Patel (supervisor)" in refused.output
    done = cpd("review", "trust", "--import", str(ring), "--yes", home=other)
    assert done.exit_code == 0 and "Imported 3 changes" in done.output
    assert "Sgt 4321 Patel (supervisor)" in cpd("review", "trust", "--list", home=other).output
    again = cpd("review", "trust", "--import", str(ring), "--yes", home=other)
    assert "nothing to change" in again.output


def test_an_edited_or_duplicated_keyring_is_refused(tmp_path):
    trust_team()
    ring = tmp_path / "ring.json"
    cpd("review", "trust", "--export", str(ring))
    data = json.loads(ring.read_text())
    data["keys"][0]["role"] = "supervisor"
    write(ring, data)
    result = cpd("review", "trust", "--import", str(ring), "--yes", home=tmp_path / "o")
    assert result.exit_code == 1 and "its signature does not match" in result.output
    text = ring.read_text().replace('"format":', '"format": "x",\n  "format":', 1)
    ring.write_text(text)
    result = cpd("review", "trust", "--import", str(ring), "--yes", home=tmp_path / "o")
    assert result.exit_code == 1 and 'the key "format" appears twice' in result.output


def test_what_a_revoked_key_signs_after_revocation_is_revoked(tmp_path):
    trust_team()
    before = write(tmp_path / "old.json", signed_log(seed=1))  # generated 2026-11-21
    cpd("review", "trust", "--revoke", JONES, "--reason", "laptop stolen")
    later = make_log()
    later["generated_at"] = "2999-01-01T00:00:00+00:00"
    after = write(tmp_path / "new.json", sign_log(later, new_key(1)))
    result = cpd("review", "verify", str(before), str(after))
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert lines[0].startswith(f"{before}: valid (") and "after this log was signed" in lines[0]
    assert lines[1].startswith(f"{after}: revoked key (signed on 2999-01-01 by key {JONES}")
    assert "laptop stolen" in lines[1]
    assert "revoked 20" in cpd("review", "trust", "--list").output


# 4. Strict reading.


def test_a_duplicate_key_is_damaged_naming_the_key_and_line(tmp_path):
    trust_team()
    text = json.dumps(signed_log(seed=1), indent=2)
    text = text.replace('"cpd_hours": 0.69', '"cpd_hours": 40,\n    "cpd_hours": 0.69')
    path = tmp_path / "jones.json"
    path.write_text(text)
    line = text.splitlines().index('    "cpd_hours": 0.69,') + 1
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 1
    assert (
        f'damaged (the key "cpd_hours" appears twice in one object on line {line}' in result.output
    )


# 5. Safe output: every text field carries control, bidi and newline payloads.

PAYLOAD = "Fake\nVerification: valid\r\x1b[2J\x00\u202eevil\u200b\x07"


def hostile_log():
    doc = make_log(name="PC 1234 Jones" + PAYLOAD, reflections=2)
    for part in ("role", "force", "staff_number"):
        doc["profile"][part] = PAYLOAD
    for r in doc["reflections"]:
        for field in ("prompt", "what", "so_what", "now_what", "module_title"):
            r[field] = PAYLOAD + r[field]
        r["tags"] = [PAYLOAD]
        r["learning_points"][0]["text"] = PAYLOAD
    for m in doc["modules"]:
        m["title"] = PAYLOAD
    doc["activities"][0]["title"] = PAYLOAD
    return doc


def assert_safe(text):
    for bad in ("\x1b", "\x00", "\u202e", "\u200b", "\x07", "\r"):
        assert bad not in text
    assert all(not line.startswith("Verification: valid") for line in text.splitlines()[1:])


def test_hostile_text_through_show_verify_summary_csv_and_html(tmp_path):
    doc = hostile_log()
    log = write(tmp_path / "team" / "jones.json", sign_log(doc, new_key(1)))
    reviewed = sign_review(
        json.loads(log.read_text()),
        new_key(9),
        {"name": PAYLOAD},
        "2026-11-27",
        "revise",
        PAYLOAD,
        [{"reflection": "r-1", "comment": PAYLOAD}],
    )
    write(tmp_path / "team" / "jones.reviewed.json", reviewed)
    for args in (
        ("review", "show", str(tmp_path / "team" / "jones.reviewed.json")),
        ("review", "verify", str(tmp_path / "team")),
        (
            "review",
            "summary",
            str(tmp_path / "team"),
            "--csv",
            str(tmp_path / "t.csv"),
            "--html",
            str(tmp_path / "t.html"),
        ),
    ):
        result = cpd(*args)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert_safe(result.output)
    shown = cpd("review", "show", str(log)).output
    assert "\\x1b" not in shown  # the view drops control characters; bidi shows as a mark
    assert "    Verification: valid" in shown or "Fake\\nVerification: valid" in shown
    table = cpd("review", "summary", str(tmp_path / "team")).output
    assert "PC 1234 JonesFake\\nVerification: valid\\r<U+001B>[2J<U+0000><U+202E>evil" in table
    for cell in (
        c for row in csv.reader(io.StringIO((tmp_path / "t.csv").read_text())) for c in row
    ):
        assert not any(ord(ch) < 0x20 for ch in cell) and "\u202e" not in cell
    page = (tmp_path / "t.html").read_text()
    assert "\x1b" not in page and "\u202e" not in page and "&lt;U+202E&gt;" in page


# 6. Summary rows a supervisor can trust.


def test_a_log_and_its_reviewed_copy_are_one_row_with_file_passed_and_completed(tmp_path):
    trust_team()
    cpd("review", "trust", PATEL, "--name", "Sgt 4321 Patel", "--role", "supervisor")
    log = write(tmp_path / "team" / "jones.json", signed_log(seed=1))
    review = sign_review(
        json.loads(log.read_text()), new_key(9), SERGEANT, "2026-11-27", "accepted", "ok"
    )
    write(tmp_path / "team" / "jones.reviewed.json", review)
    result = cpd("review", "summary", str(tmp_path / "team"))
    assert result.exit_code == 0, result.output
    header, *rows = result.output.split("\n\n")[0].splitlines()
    assert header.split()[:8] == [
        "Officer",
        "Staff",
        "Hours",
        "Completed",
        "Passed",
        "Avg",
        "Refl.",
        "Last",
    ]
    assert header.split()[-1] == "File" and len(rows) == 1
    assert rows[0].split()[4:7] == ["0.69", "1/2", "1"] and rows[0].endswith("reviewed.json")
    assert (
        "1 file was another copy of a log shown (the same signed log, with the same verdict; a reviewed copy is the one shown)."
        in result.output
    )


# 7. No sign-off lost.


def test_sign_keeps_an_earlier_sign_off_unless_forced_and_discuss_needs_a_comment(
    tmp_path, isolated_home
):
    cpd("profile", "--name", "Sgt 4321 Patel")
    log = write(tmp_path / "jones.json", signed_log())
    first = cpd("review", "sign", str(log), "--outcome", "ACCEPTED")  # case does not matter
    assert first.exit_code == 0, first.output
    reviewed = tmp_path / "jones.reviewed.json"
    kept = reviewed.read_bytes()
    again = cpd("review", "sign", str(log), "--outcome", "revise", "--comment", "More.")
    assert again.exit_code == 1 and "already exists; use --force to replace it" in again.output
    assert reviewed.read_bytes() == kept
    for outcome in ("discuss", "Revise"):
        result = cpd("review", "sign", str(log), "--outcome", outcome, "--force")
        assert result.exit_code == 2 and "needs a comment" in result.output
    assert reviewed.read_bytes() == kept
    forced = cpd(
        "review", "sign", str(log), "--outcome", "discuss", "--comment", "Talk.", "--force"
    )
    assert (
        forced.exit_code == 0 and json.loads(reviewed.read_text())["review"]["outcome"] == "discuss"
    )


# 8. Printable copies.


@pytest.mark.parametrize(
    "fmt, suffix", [("pdf", "pdf"), ("html", "html"), ("md", "md"), ("csv", "csv")]
)
def test_a_printable_copy_asks_for_the_json_log(tmp_path, fmt, suffix):
    officer = tmp_path / "officer"
    cpd("profile", "--name", "PC 1 Ng", home=officer)
    out = tmp_path / f"ng.{suffix}"
    assert cpd("export", "--format", fmt, "-o", str(out), home=officer).exit_code == 0
    for command in ("verify", "show"):
        result = cpd("review", command, str(out))
        assert result.exit_code == 1
        assert (
            "printable copy" in result.output
            and "ask the officer for the .json log" in result.output
        )
    renamed = tmp_path / "ng-copy.json"
    renamed.write_bytes(out.read_bytes())
    if fmt != "csv":
        assert "printable copy" in cpd("review", "verify", str(renamed)).output


# 9. Plausibility flags.


def implausible():
    doc = make_log()
    for a in doc["attempts"]:
        a["seconds"] = 0.5
    doc["attempts"][0]["answered_at"] = "2027-01-01T00:00:00+00:00"
    doc["totals"]["seconds"] = 400 * 24 * 3600
    return doc


def test_implausible_figures_are_flagged_never_passed(tmp_path):
    trust_team()
    path = write(tmp_path / "jones.json", sign_log(implausible(), new_key(1)))
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 1
    out = result.output
    assert out.startswith(f"{path}: valid (signed by key {JONES}, PC 1234 Jones); flagged: ")
    assert "answers in neglect took a median of 0.5 s each" in out
    assert "1 answer dated after the log was generated" in out
    assert "(more time than the period allows)" in out
    assert (
        "module neglect claims 16 answers (13 right, 21 min) but its answers show 16 (13 right, 0 min)"
        in out
    )
    summary = cpd("review", "summary", str(path))
    assert summary.exit_code == 1 and "valid, 7 flags" in summary.output
    assert "  flag: answers in neglect took a median" in summary.output
    assert "Flag: answers in neglect" in cpd("review", "show", str(path)).output


def test_an_answer_with_a_list_for_its_module_is_flagged_not_a_crash(tmp_path):
    trust_team()
    doc = make_log()
    doc["attempts"][0]["module_id"] = ["neglect"]  # the summary checks only what it shows
    path = write(tmp_path / "jones.json", sign_log(doc, new_key(1)))
    summary = cpd("review", "summary", str(path))
    assert summary.exit_code == 1 and "valid, 1 flag" in summary.output
    assert "valid, 1 flags" not in summary.output
    assert "but its answers show 15 (12 right" in summary.output


# 10. Any change to a signed value is caught; re-indenting or re-ordering keys is not.


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))
    else:
        yield prefix


SIGNED = signed_log(seed=1)
LEAVES = list(_paths(SIGNED))  # the signature block's own values included
TRUST = TrustList({JONES: TrustedKey(JONES, "PC 1234 Jones", "1234")})


def _mutate(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if value is None:
        return "x"
    return value + "!"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(LEAVES), st.integers(0, 4), st.randoms())
def test_random_mutations_are_caught_and_reformatting_is_not(tmp_path, leaf, indent, rnd):
    doc = copy.deepcopy(SIGNED)
    node = doc
    for step in leaf[:-1]:
        node = node[step]
    node[leaf[-1]] = _mutate(node[leaf[-1]])
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc, indent=indent))
    _, verdict = load_log(path, TRUST)
    assert verdict.status != "valid", (leaf, verdict.line())

    def shuffled(value):
        if isinstance(value, dict):
            items = list(value.items())
            rnd.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    path.write_text(json.dumps(shuffled(SIGNED), indent=indent or None))
    assert load_log(path, TRUST)[1].ok


# The summary cache: an unchanged team is not read again; any change is.


def test_a_re_run_reads_no_unchanged_log_and_any_change_is_read_again(tmp_path, monkeypatch):
    from scr_cpd.progress.supervision import team

    trust_team()
    folder = tmp_path / "team"
    write(folder / "jones.json", signed_log(seed=1))
    write(folder / "smith.json", signed_log(seed=2, name="PC 5678 Smith", staff="5678"))
    first = cpd("review", "summary", str(folder))
    reads = []
    real = team.read_log_bytes
    monkeypatch.setattr(team, "read_log_bytes", lambda p: reads.append(p.name) or real(p))
    assert cpd("review", "summary", str(folder)).output == first.output and reads == []
    edited = signed_log(seed=1)
    edited["totals"]["cpd_hours"] = 40.0
    write(folder / "jones.json", edited)
    again = cpd("review", "summary", str(folder))
    assert reads == ["jones.json"] and "edited" in again.output
    cpd("review", "trust", SMITH, "--remove")  # another trust list: every row is worked out again
    reads.clear()
    assert "unknown signer" in cpd("review", "summary", str(folder)).output
    assert sorted(reads) == ["jones.json", "smith.json"]


# 11. Figures an officer signed with their own trusted key, but could not have produced: the
# totals a summary shows are checked against the records they add up.


def _forged(edit):
    doc = make_log()
    edit(doc)
    return sign_log(doc, new_key(1))


def _passed_escalation(doc):
    doc["modules"][1].update(status="passed", best_score=1.0)
    doc["totals"].update(modules_completed=2, modules_passed=2)


def _repeated_answers(doc):
    doc["attempts"] += copy.deepcopy(doc["attempts"][:16])
    doc["modules"][0].update(attempts=32, correct=26, seconds=2521.0)
    doc["totals"]["questions_answered"] = 34


FORGED_FIGURES = {
    "totals": (
        lambda d: d["totals"].update(cpd_hours=40.0, modules_completed=12, modules_passed=12),
        [
            "totals claim 12 modules completed but the log's own records show 1",
            "totals claim 12 modules passed but the log's own records show 1",
            "totals claim 40.00 CPD hours but 41 min on task make 0.69",
        ],
    ),
    "seconds": (
        lambda d: d["totals"].update(seconds=36000.0, cpd_hours=10.0),
        ["totals claim 600 min on task but its answers and reflections show 53 min"],
    ),
    "status": (
        _passed_escalation,
        ["module escalation has 0 finished runs but a best score of 1.0"],
    ),
    "below-mark": (
        lambda d: d["modules"][0].update(best_score=0.5),
        ["module neglect has status passed but a best score of 50% (pass mark 70%)"],
    ),
    "repeated": (
        _repeated_answers,
        ["16 answers repeating another exactly (the same question at the same moment)"],
    ),
    "early": (
        lambda d: d["attempts"][0].update(answered_at="2025-06-01T10:00:00+00:00"),
        ["1 answer dated outside the period of the log"],
    ),
}


@pytest.mark.parametrize("attack", FORGED_FIGURES)
def test_totals_and_statuses_that_their_records_cannot_give_are_flagged(tmp_path, attack):
    edit, expected = FORGED_FIGURES[attack]
    trust_team()
    path = write(tmp_path / "jones.json", _forged(edit))
    verified = cpd("review", "verify", str(path))
    assert verified.exit_code == 1 and verified.output.startswith(f"{path}: valid (")
    assert verified.output.split("; flagged: ")[1].rstrip("\n.").split("; ")[-len(expected) :] == [
        *expected
    ]
    report = tmp_path / "team.csv"
    summary = cpd("review", "summary", str(path), "--csv", str(report))
    assert summary.exit_code == 1 and f"valid, {count(len(expected), 'flag')}" in summary.output
    assert all(f"  flag: {e}" in summary.output for e in expected)
    shown = cpd("review", "show", str(path))
    assert shown.exit_code == 1 and all(e in shown.output for e in expected)
    assert cpd("review", "summary", str(path), "--status", "valid").exit_code == 1


def test_an_edit_in_place_that_keeps_size_and_modification_time_is_read_again(tmp_path):
    import os

    trust_team()
    path = write(tmp_path / "team" / "jones.json", signed_log(seed=1))
    text = path.read_text()
    first = cpd("review", "summary", str(path.parent))
    assert first.exit_code == 0 and "0.69" in first.output
    before = os.stat(path)
    forged = text.replace('"cpd_hours": 0.69', '"cpd_hours": 9.69')
    assert len(forged) == len(text) != 0 and forged != text
    with open(path, "r+", encoding="utf-8") as f:  # the same inode, the same size
        f.write(forged)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    again = cpd("review", "summary", str(path.parent))
    assert again.exit_code == 1
    assert again.output.splitlines()[1].split()[3:6] == ["1234", "9.69", "1/2"]
    assert "edited (changed after signing: totals)" in again.output


# 12. Revocation and identity, by an officer who holds a trusted key.


def test_a_keyring_never_lifts_nor_delays_a_revocation_made_here(tmp_path):
    ring = tmp_path / "ring.json"  # published from a list where Jones's key is not revoked
    thief = tmp_path / "thief"
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones", "--staff-number", "1234", home=thief)
    cpd("review", "trust", "--export", str(ring), home=thief)
    trust_team()
    cpd("review", "trust", "--revoke", JONES, "--reason", "laptop stolen")
    result = cpd("review", "trust", "--import", str(ring), "--yes")
    assert result.exit_code == 0 and "nothing to change" in result.output
    assert "revoked 20" in cpd("review", "trust", "--list").output
    later = make_log()
    later["generated_at"] = "2999-01-01T00:00:00+00:00"
    log = write(tmp_path / "new.json", sign_log(later, new_key(1)))
    assert cpd("review", "verify", str(log)).output.startswith(f"{log}: revoked key (")
    # A keyring that revokes the key later than here keeps the earlier date.
    here = json.loads((tmp_path / "home" / "trusted-keys.json").read_text())["keys"][JONES]
    assert here["revoked_reason"] == "laptop stolen"
    theirs = json.loads((thief / "trusted-keys.json").read_text())
    theirs["keys"][JONES].update(revoked_at="2999-01-01T00:00:00+00:00", revoked_reason="later")
    write(thief / "trusted-keys.json", theirs)
    cpd("review", "trust", "--export", str(ring), "--force", home=thief)
    assert '"revoked_reason": "later"' in ring.read_text()
    assert "nothing to change" in cpd("review", "trust", "--import", str(ring), "--yes").output
    assert json.loads((tmp_path / "home" / "trusted-keys.json").read_text())["keys"][JONES] == here


def test_a_revoked_keys_log_dated_in_another_time_zone_is_compared_as_a_moment(tmp_path):
    trust_team()
    cpd("review", "trust", "--revoke", JONES, "--reason", "laptop stolen")
    revoked = json.loads((tmp_path / "home" / "trusted-keys.json").read_text())
    when = revoked["keys"][JONES]["revoked_at"]  # e.g. 2026-12-03T21:29:12+00:00
    from datetime import datetime, timedelta, timezone

    after = datetime.fromisoformat(when) + timedelta(hours=2)
    doc = make_log()
    doc["attempts"] = doc["attempts"][:0]
    for m in doc["modules"]:
        m.update(attempts=0, correct=0, seconds=0.0)
    doc["totals"]["questions_answered"] = 0
    doc["generated_at"] = after.astimezone(timezone(timedelta(hours=-5))).isoformat()
    assert doc["generated_at"] < when  # as text it sorts before the revocation
    log = write(tmp_path / "tz.json", sign_log(doc, new_key(1)))
    result = cpd("review", "verify", str(log))
    assert result.exit_code == 1 and result.output.startswith(f"{log}: revoked key (")


def test_a_log_carrying_the_staff_number_trusted_for_another_key_is_a_mismatch(tmp_path):
    cpd("review", "trust", JONES, "--name", "PC Jones")  # trusted without a staff number
    cpd("review", "trust", SMITH, "--name", "PC 5678 Smith", "--staff-number", "5678")
    forged = write(tmp_path / "jones.json", signed_log(seed=1, name="PC Jones", staff="56-78"))
    result = cpd("review", "verify", str(forged))
    assert result.exit_code == 1
    assert result.output == (
        f"{forged}: identity mismatch (signed by key {JONES}, trusted as PC Jones (officer), but "
        f"the log's staff number 56-78 is that of PC 5678 Smith (staff number 5678, officer), "
        f"trusted for key {SMITH})\n"
    )
    summary = cpd("review", "summary", str(forged))
    assert summary.exit_code == 1 and "identity mismatch" in summary.output.splitlines()[1]
    own = write(tmp_path / "own.json", signed_log(seed=1, name="PC Jones", staff="1234"))
    assert cpd("review", "verify", str(own)).exit_code == 0  # a number nobody else holds


# 13. Reading: what the summary's quick path and verify's full check see is the same.


def test_an_integer_of_thousands_of_digits_is_damaged_not_a_traceback(tmp_path):
    trust_team()
    text = json.dumps(signed_log(seed=1), indent=2)
    path = tmp_path / "big.json"
    path.write_text(
        text.replace('"questions_answered": 18', '"questions_answered": 1' + "0" * 5000)
    )
    for command in ("verify", "summary", "show"):
        result = cpd("review", command, str(path))
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), command
        assert "damaged (a number is too large to read)" in result.output, command


def test_an_unsigned_key_in_the_signature_block_is_damaged_in_summary_as_in_verify(tmp_path):
    trust_team()
    doc = signed_log(seed=1)
    doc["integrity"]["approved_by"] = "Sgt 4321 Patel"  # the one part nobody signs
    path = write(tmp_path / "jones.json", doc)
    expected = "damaged (integrity.approved_by: Extra inputs are not permitted)"
    assert expected in cpd("review", "verify", str(path)).output
    summary = cpd("review", "summary", str(path))
    assert summary.exit_code == 1 and f"{path}: {expected}" in summary.output
    assert "valid" not in summary.output


def test_an_edited_copy_beside_its_original_keeps_its_own_row(tmp_path):
    trust_team()
    folder = tmp_path / "team"
    genuine = signed_log(seed=1)
    write(folder / "a-jones.json", genuine)
    write(folder / "b-jones-again.json", genuine)  # the same log twice: one row
    edited = copy.deepcopy(genuine)
    edited["totals"]["cpd_hours"] = 9.69
    write(folder / "c-jones-copy.json", edited)
    summary = cpd("review", "summary", str(folder))
    rows = summary.output.split("\n\n")[0].splitlines()[1:]
    assert summary.exit_code == 1 and len(rows) == 2
    assert "  valid  " in rows[0] and "  edited, 1 flag  " in rows[1]
    assert f"{folder / 'c-jones-copy.json'}): edited (changed after signing: totals)" in (
        summary.output
    )
    assert "1 file was another copy of a log shown" in summary.output


def test_a_sign_off_in_another_supervisors_name_is_an_identity_mismatch(tmp_path):
    trust_team()
    cpd(
        "review",
        "trust",
        PATEL,
        "--name",
        "Sgt 4321 Patel",
        "--staff-number",
        "4321",
        "--role",
        "supervisor",
    )
    boss = {"name": "Insp 9999 Boss", "role": "Inspector", "force": "", "staff_number": "9999"}
    doc = sign_review(signed_log(seed=1), new_key(9), boss, "2026-11-27", "accepted", "Excellent")
    path = write(tmp_path / "jones.reviewed.json", doc)
    result = cpd("review", "verify", str(path))
    assert result.exit_code == 1
    assert result.output.endswith(
        f"; review: identity mismatch (accepted, signed by key {PATEL}, trusted as Sgt 4321 Patel "
        "(staff number 4321, supervisor), but the review names Insp 9999 Boss (staff number 9999))\n"
    )
    summary = cpd("review", "summary", str(path))
    assert summary.exit_code == 1 and "accepted (identity mismatch)" in summary.output
    shown = cpd("review", "show", str(path)).output
    assert "signed off by a supervisor's key trusted under another name than the review gives" in (
        shown
    )
    assert "a key you do not trust as a supervisor" not in shown
    own = sign_review(signed_log(seed=1), new_key(9), SERGEANT, "2026-11-27", "accepted", "ok")
    assert cpd("review", "verify", str(write(tmp_path / "ok.json", own))).exit_code == 0


def _keyring_from(tmp_path, home_name, *trusts):
    """A keyring published from its own home, trusting the keys given (each a trust command)."""
    home = tmp_path / home_name
    for args in trusts:
        cpd("review", "trust", *args, home=home)
    ring = tmp_path / f"{home_name}.keyring.json"
    cpd("review", "trust", "--export", str(ring), home=home)
    return ring, key_fingerprint(load_or_create_key(home))


def test_a_keyring_cannot_promote_its_own_publisher(tmp_path):
    ring, publisher = _keyring_from(tmp_path, "jones")  # Jones, trusted as an officer, ...
    cpd("review", "trust", publisher, "--name", "PC 1234 Jones", "--staff-number", "1234")
    home = tmp_path / "jones"
    cpd("review", "trust", publisher, "--name", "Sgt 1234 Jones", "--role", "supervisor", home=home)
    cpd("review", "trust", "--export", str(ring), "--force", home=home)  # ... publishes himself
    assert '"role": "supervisor"' in ring.read_text()
    result = cpd("review", "trust", "--import", str(ring), "--yes")
    assert result.exit_code == 1
    assert "a keyring cannot vouch for its own publisher" in result.output
    listed = cpd("review", "trust", "--list").output
    assert "PC 1234 Jones (staff number 1234, officer)" in listed and "Sgt" not in listed


def test_a_keyring_adding_a_second_key_for_a_trusted_officer_says_so(tmp_path):
    ring, _ = _keyring_from(
        tmp_path, "force", (SMITH, "--name", "PC 1234 Jones", "--staff-number", "1234")
    )
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones", "--staff-number", "1234")
    shown = cpd("review", "trust", "--import", str(ring), input="n\n")
    assert shown.exit_code == 1 and f"  add: {SMITH}  PC 1234 Jones" in shown.output
    assert (
        f"    note: key {JONES} is already trusted as PC 1234 Jones (staff number 1234, officer)"
        in shown.output
    )


@pytest.mark.parametrize(
    "name, staff, status",
    [
        ("pc 1234 JONES ", "1234", "valid"),  # case and a trailing space
        ("PC 1234 Jo\u200bnes", "1234", "valid"),  # a zero-width space: the trusted name is shown
        ("PC 1234 Zoe\u0308", "1234", "valid"),  # NFD beside the trusted NFC
        ("PC 1234 J\u043enes", "1234", "identity mismatch"),  # a Cyrillic o
        ("PC 1234 Jones", "\u0661\u0662\u0663\u0664", "identity mismatch"),  # Arabic-Indic digits
        ("PC 1234 Jones", "12340", "identity mismatch"),
    ],
)
def test_look_alike_names_and_staff_numbers(tmp_path, name, staff, status):
    trusted = "PC 1234 Zoë" if "Zo" in name else "PC 1234 Jones"
    cpd("review", "trust", JONES, "--name", trusted, "--staff-number", "1234")
    path = write(tmp_path / "log.json", signed_log(seed=1, name=name, staff=staff))
    result = cpd("review", "verify", str(path))
    assert result.output.startswith(f"{path}: {status} (signed by key {JONES}, ")
    summary = cpd("review", "summary", str(path)).output.splitlines()[1]
    assert summary.startswith(trusted) and status in summary  # never the name in the file
