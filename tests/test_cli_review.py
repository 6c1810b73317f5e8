"""`cpd review show|verify|trust|summary|sign`: what the supervisor sees, and every bad input."""

import json
from pathlib import Path

import pytest
from helpers import cpd
from test_signing import make_log, new_key, signed_log

from scr_cpd.cli.env import UserError
from scr_cpd.cli.review_sign import pair_comments, scan_comment_options
from scr_cpd.progress.log.signing import key_fingerprint, load_or_create_key, sign_log, verify_log

JONES = key_fingerprint(new_key(1))
SMITH = key_fingerprint(new_key(2))


def write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def team(tmp_path):
    """A shared folder: two good logs, one edited, and the kind of clutter a shared drive has."""
    folder = tmp_path / "team"
    write(folder / "jones.json", signed_log(seed=1))
    write(folder / "smith.json", signed_log(seed=2, name="PC 5678 Smith", staff="5678"))
    edited = signed_log(seed=3, name="PC 9 Brown", staff="9")
    edited["reflections"][0]["what"] = "Rewritten after export."
    write(folder / "brown.json", edited)
    (folder / "rota.json").write_text('{"week": 48}')
    (folder / "cut.json").write_text('{"format": "scr-cpd/log@1", "profile": {"na')
    (folder / "future.json").write_text('{"format": "scr-cpd/log@2"}')
    (folder / "notes.txt").write_text("PDR dates")
    return folder


def no_traceback(result):
    assert "Traceback" not in result.output and "Internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- verify -------------------------------------------------------------------------------------


def test_verify_one_line_per_file_and_exit_1(team, isolated_home):
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")
    result = cpd("review", "verify", str(team))
    no_traceback(result)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        f"{team / 'brown.json'}: edited (changed after signing: reflection r-1)",
        f"{team / 'cut.json'}: damaged (the file ends too early (cut short while copying?))",
        f"{team / 'future.json'}: unsupported version (scr-cpd/log@2 is newer than this scr-cpd reads "
        "(scr-cpd/log@1); upgrade scr-cpd to read it)",
        f"{team / 'jones.json'}: valid (signed by key {JONES}, PC 1234 Jones)",
        f"{team / 'rota.json'}: not a CPD log (the file holds JSON, but not a CPD log)",
        f"{team / 'smith.json'}: unknown signer (valid signature by key {SMITH}, which is not in your trusted list)",
        "6 files: 1 valid, 5 not valid.",
    ]


def test_verify_all_valid_exits_0(team, isolated_home):
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")
    result = cpd("review", "verify", str(team / "jones.json"))
    assert result.exit_code == 0
    assert result.output == f"{team / 'jones.json'}: valid (signed by key {JONES}, PC 1234 Jones)\n"


def test_verify_and_summary_count_files_as_a_person_writes_them(team, isolated_home):
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")
    cpd("review", "trust", SMITH, "--name", "PC 5678 Smith")
    jones, smith, brown = (str(team / f"{name}.json") for name in ("jones", "smith", "brown"))
    one = cpd("review", "verify", jones)
    assert one.exit_code == 0 and len(one.output.splitlines()) == 1  # no count for one file
    two = cpd("review", "verify", jones, smith)
    assert two.exit_code == 0 and two.output.splitlines()[-1] == "2 files: 2 valid, 0 not valid."
    mixed = cpd("review", "verify", jones, smith, brown)
    assert mixed.exit_code == 1
    assert mixed.output.splitlines()[-1] == "3 files: 2 valid, 1 not valid."
    summary = cpd("review", "summary", jones)
    assert summary.exit_code == 0 and "\n1 file shown: 1 valid.\n" in summary.output
    assert "(s)" not in one.output + two.output + mixed.output + summary.output


def test_verify_a_50_mb_file_and_a_missing_one_among_good_ones(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    good = write(tmp_path / "good.json", signed_log())
    result = cpd("review", "verify", str(big), str(tmp_path / "gone.json"), str(good))
    no_traceback(result)
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{big}: damaged (too large (50.0 MB; a CPD log is at most 20.0 MB))",
        f"{tmp_path / 'gone.json'}: unreadable (no such file)",
        f"{good}: unknown signer (valid signature by key {JONES}, which is not in your trusted list)",
    ]


def test_verify_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cpd("review", "verify", str(tmp_path / "empty"))
    assert result.exit_code == 1 and "no .json files found in" in result.output


def test_verify_a_swapped_signature_block(tmp_path):
    jones, smith = signed_log(seed=1), signed_log(seed=2, name="PC 5678 Smith", staff="5678")
    jones["integrity"] = smith["integrity"]
    result = cpd("review", "verify", str(write(tmp_path / "jones.json", jones)))
    assert result.exit_code == 1
    assert ": edited (the signature belongs to a different log: " in result.output


# --- trust --------------------------------------------------------------------------------------


def test_trust_list_rename_remove(isolated_home):
    assert "You trust no keys yet" in cpd("review", "trust", "--list").output
    result = cpd("review", "trust", JONES.replace(":", " "), "--name", "PC 1234 Jones")
    assert (result.exit_code, result.output) == (
        0,
        f"Trusted key {JONES} as PC 1234 Jones (officer).\n",
    )
    result = cpd("review", "trust", JONES, "--name", "PC 1234 A Jones", "--staff-number", "1234")
    assert result.output == (
        f"Key {JONES} was PC 1234 Jones (officer); "
        "now trusted as PC 1234 A Jones (staff number 1234, officer).\n"
    )
    assert cpd("review", "trust", "--list").output.startswith(
        f"{JONES}  PC 1234 A Jones (staff number 1234, officer)  (added 20"
    )
    assert (
        cpd("review", "trust", JONES, "--remove").output
        == f"Removed key {JONES} (PC 1234 A Jones (staff number 1234, officer)).\n"
    )
    assert (
        cpd("review", "trust", JONES, "--remove").output
        == f"Key {JONES} was not in your trusted list.\n"
    )


def test_trust_lists_own_key(isolated_home):
    fp = key_fingerprint(load_or_create_key(isolated_home))
    assert (
        f"Your own key {fp} is trusted on this computer" in cpd("review", "trust", "--list").output
    )


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["review", "trust"], 2, "give a key fingerprint"),
        (["review", "trust", JONES], 2, "say whose key it is"),
        (["review", "trust", "nonsense", "--name", "X"], 1, "'nonsense' is not a key fingerprint"),
        (["review", "trust", JONES, "--list"], 2, "--list takes no fingerprint"),
        (
            ["review", "trust", JONES, "--remove", "--name", "X"],
            2,
            "--remove takes a fingerprint and no --name",
        ),
        (["review", "trust", JONES, "--name", "X", "--role", "boss"], 1, "'boss' is not a role"),
        (["review", "trust", "--list", "--remove"], 2, "use one of --list, --remove at a time"),
    ],
)
def test_trust_usage_errors(args, code, message):
    result = cpd(*args)
    no_traceback(result)
    assert result.exit_code == code and message in result.output


def test_a_damaged_trusted_list_is_one_sentence(isolated_home, tmp_path):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "trusted-keys.json").write_text("{oops")
    result = cpd("review", "verify", str(write(tmp_path / "a.json", signed_log())))
    no_traceback(result)
    assert (
        result.exit_code == 1
        and "your trusted-key list" in result.output
        and "is damaged" in result.output
    )


# --- show ---------------------------------------------------------------------------------------


def test_show_plain(tmp_path):
    doc = make_log(reflections=2)
    doc["reflections"][1]["tags"] = ["collaborative", "integrity"]
    doc["identifiers"] = [
        {"reflection": "r-1", "field": "what", "kind": "postcode", "redacted": True}
    ]
    path = write(tmp_path / "jones.json", sign_log(doc, new_key(1)))
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones", "--staff-number", "1234")
    result = cpd("review", "show", str(path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Verification: valid — signed by key {JONES}, PC 1234 Jones\n\n")
    for text in (
        "CPD log of PC 1234 Jones",
        "Role: PC · Force: Northshire Police · Staff number: 1234",
        "Period: 1 Jan 2026 to 20 Nov 2026 · Generated: 20 Nov 2026 09:30 UTC · App: scr-cpd 0.1.0",
        "CPD hours: 0.69 (41 min on task) · Modules passed: 1 of 12 · Modules completed: 1 of 12"
        " · Answers: 18 · Reflections: 2",
        "Modules (2)\n-----------",
        "Recognising and responding to neglect     passed              81%        16  21 min",
        "Professional disagreement and escalation  in progress           –         2   2 min",
        "Reflection 1 of 2: Recognising and responding to neglect\nReference r-1 · written 10 Jan 2026",
        "Prompt: Think of a home visit where poverty was present…",
        "What? Reflection 2: I did not speak to the children on their own.",
        "So what? Their lived experience was missed.",
        "Now what? I will ask to see each child's room.",
        "  - Neglect rarely occurs on its own.",
        "Tags: We are collaborative, Integrity",
        "Reflection 1 (r-1), What?: postcode (masked)",
    ):
        assert text in out, text
    assert "Supervisor review" not in out


def test_show_prints_officer_text_as_text(tmp_path):
    doc = make_log(name="[bold red]PC[/] \x1b]0;pwned\x07 Jones\u202e", reflections=1)
    doc["reflections"][0]["what"] = "[link=http://x]click[/link] <script>alert(1)</script> \x1b[2J"
    path = write(tmp_path / "log.json", sign_log(doc, new_key(1)))
    for mode in ("--plain", "--interactive"):
        result = cpd_mode(mode, "review", "show", str(path))
        assert result.exit_code == 1, result.output  # unknown signer: not valid
        assert "CPD log of [bold red]PC[/] <U+001B>]0;pwned<U+0007> Jones<U+202E>" in result.output
        assert "[link=http://x]click[/link] <script>alert(1)</script> <U+001B>[2J" in result.output
        assert "\x1b" not in result.output and "\u202e" not in result.output


def cpd_mode(mode, *args):
    from typer.testing import CliRunner

    from scr_cpd.cli.app import app

    return CliRunner().invoke(app, [mode, *args])


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"format": "scr-cpd/log@1", "x"', "damaged (the file ends too early"),
        ('{"holiday": true}', "not a CPD log"),
    ],
)
def test_show_a_bad_file_is_one_sentence(tmp_path, content, message):
    path = tmp_path / "log.json"
    path.write_text(content)
    result = cpd("review", "show", str(path))
    no_traceback(result)
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: {message}" + result.output.split(message, 1)[1]
    assert len(result.output.strip().splitlines()) == 1


def test_show_an_edited_log_still_shows_it_under_a_warning(tmp_path):
    doc = signed_log()
    doc["reflections"][1]["what"] = "Improved later."
    result = cpd("review", "show", str(write(tmp_path / "log.json", doc)))
    assert result.exit_code == 1
    assert result.output.startswith(
        "Verification: edited — changed after signing: reflection r-2\n"
        "*** NOT VALID: what follows is what the file says, not a log you can rely on. ***\n"
    )
    assert result.output.index("NOT VALID") < result.output.index("CPD hours")
    assert "What? Improved later." in result.output


# --- summary ------------------------------------------------------------------------------------


def test_summary_lists_officers_and_every_file_it_could_not_read(team, isolated_home, tmp_path):
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")
    csv_file, html_file = tmp_path / "team.csv", tmp_path / "team.html"
    result = cpd("review", "summary", str(team), "--csv", str(csv_file), "--html", str(html_file))
    no_traceback(result)
    assert result.exit_code == 1
    out = result.output
    table = out.split("\n\n")[0]
    assert [line.split()[0:3] for line in table.splitlines()[1:]] == [
        ["PC", "1234", "Jones"],
        ["PC", "5678", "Smith"],
        ["PC", "9", "Brown"],
    ]
    assert "valid" in table.splitlines()[1] and "edited" in table.splitlines()[3]
    assert "3 files could not be read:" in out
    assert (
        f"  {team / 'cut.json'}: damaged (the file ends too early (cut short while copying?))"
        in out
    )
    assert (
        f"  {team / 'rota.json'}: not a CPD log" in out
        and f"  {team / 'future.json'}: unsupported version" in out
    )
    assert (
        "6 files shown: 1 damaged, 1 edited, 1 not a CPD log, 1 unknown signer, 1 unsupported version, 1 valid."
        in out
    )
    assert "1 file in the folders was not .json and was skipped." in out
    assert (
        f"\nPC 9 Brown ({team / 'brown.json'}): edited (changed after signing: reflection r-1)\n"
        in out
    )
    assert "1 log has a good signature by a key you do not trust yet" in out
    assert f"Wrote {csv_file}" in out and f"Wrote {html_file}" in out
    lines = csv_file.read_text().splitlines()
    assert len(lines) == 7 and lines[0].startswith("file,name,name_in_log,staff_number")
    assert (
        "PC 1234 Jones,PC 1234 Jones,1234,PC,Northshire Police,2026-01-01,2026-11-21,0.69,1,1,2,81,3,"
        in lines[1]
    )
    page = html_file.read_text()
    assert page.count("<tr><td>") == 6 and "PC 5678 Smith" in page


def test_summary_filters_and_sorts(team, isolated_home):
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")
    only = cpd("review", "summary", str(team), "--status", "unknown-signer")
    assert (
        "PC 5678 Smith" in only.output
        and "Jones" not in only.output
        and "could not be read" not in only.output
    )
    assert "1 file shown (5 filtered out): 1 unknown signer." in only.output
    assert only.exit_code == 1
    assert (
        cpd("review", "summary", str(team), "--status", "valid").exit_code == 0
    )  # exit reflects what is shown
    invalid = cpd("review", "summary", str(team), "--only-invalid")
    assert (
        "Jones" not in invalid.output and "Brown" in invalid.output and "cut.json" in invalid.output
    )
    since = cpd("review", "summary", str(team), "--since", "2026-03-01")
    assert "Brown" in since.output and "Jones" not in since.output and "Smith" in since.output
    ordered = cpd("review", "summary", str(team), "--sort", "last", "--reverse")
    names = [line.split()[2] for line in ordered.output.split("\n\n")[0].splitlines()[1:]]
    assert names == ["Brown", "Smith", "Jones"]


def test_summary_rerun_comes_from_the_cache_and_a_copy_is_known_by_its_content(
    team, isolated_home, tmp_path, monkeypatch
):
    import shutil

    from scr_cpd.progress.supervision import team as team_rows

    monkeypatch.setenv("COLUMNS", "400")  # every path in full
    read, checked = [], []
    real_read, real_check = team_rows.read_log_bytes, team_rows.load_log_bytes
    monkeypatch.setattr(team_rows, "read_log_bytes", lambda p: read.append(p) or real_read(p))
    monkeypatch.setattr(
        team_rows, "load_log_bytes", lambda p, *a, **k: checked.append(p) or real_check(p, *a, **k)
    )
    first = cpd("review", "summary", str(team))
    assert len(read) == len(checked) == 6
    read.clear(), checked.clear()
    again = cpd("review", "summary", str(team))
    assert again.output == first.output and read == [] and checked == []  # no log opened

    copy = shutil.copytree(team, tmp_path / "copy")  # new names and dates, the same bytes
    copied = cpd("review", "summary", str(copy))
    assert copied.output == first.output.replace(str(team), str(copy))
    assert len(read) == 6 and checked == []  # read and hashed, not checked again

    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")  # a new trust list: all afresh
    read.clear()
    trusted = cpd("review", "summary", str(team))
    assert len(read) == 6 and "1 unknown signer, 1 unsupported version, 1 valid." in trusted.output

    checked.clear()
    edited = json.loads((team / "jones.json").read_text())
    edited["totals"]["cpd_hours"] = 40
    write(team / "jones.json", edited)
    changed = cpd("review", "summary", str(team))
    assert checked == [team / "jones.json"]  # only the changed file is checked again
    assert (
        "PC 1234 Jones" in changed.output
        and "edited (changed after signing: totals)" in changed.output
    )

    cache = isolated_home / "cache" / "review-summary.json"
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    cache.write_text('{"format": 2, "rows": [')  # a damaged cache only costs time
    assert cpd("review", "summary", str(team)).output == changed.output


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--since", "last week"],
            "--since 'last week' is not a date; use YYYY-MM-DD, for example 2026-04-01",
        ),
        (["--status", "fine"], "'fine' is not a verification status"),
        (["--sort", "rank"], "Invalid value for '--sort'"),
    ],
)
def test_summary_usage_errors(team, args, message):
    result = cpd("review", "summary", str(team), *args)
    no_traceback(result)
    assert result.exit_code == 2 and message in result.output


def test_summary_report_in_a_missing_folder_is_one_sentence(team, tmp_path):
    result = cpd("review", "summary", str(team), "--html", str(tmp_path / "nowhere" / "team.html"))
    no_traceback(result)
    assert "Error: cannot write" in result.output and "does not exist" in result.output


# --- sign ---------------------------------------------------------------------------------------


@pytest.fixture
def supervisor(isolated_home):
    cpd(
        "profile",
        "--name",
        "Sgt 4321 Patel",
        "--role",
        "Sergeant",
        "--staff-number",
        "4321",
        "--force",
        "Northshire Police",
    )
    return key_fingerprint(load_or_create_key(isolated_home))


def test_sign_writes_a_new_file_and_both_signatures_verify(tmp_path, supervisor):
    log = write(tmp_path / "jones.json", signed_log())
    original = log.read_bytes()
    cpd("review", "trust", JONES, "--name", "PC 1234 Jones")
    result = cpd(
        "review",
        "sign",
        str(log),
        "--outcome",
        "discuss",
        "--comment",
        "A thoughtful log.",
        "--on",
        "r-2=Say more about the referral.",
        "--on",
        "r-3",
        "--comment",
        "Good = honest.",
    )
    assert result.exit_code == 0, result.output
    out_path = tmp_path / "jones.reviewed.json"
    assert result.output.splitlines() == [
        f"Signed {log}: discuss, 2 comments on reflections.",
        f"Wrote {out_path} (the original is unchanged).",
        f"Your key is {supervisor}; the officer can trust it with "
        f'`cpd review trust {supervisor} --name "..." --role supervisor`.',
    ]
    assert log.read_bytes() == original
    assert oct(out_path.stat().st_mode & 0o777) == "0o600"
    review = json.loads(out_path.read_text())["review"]
    assert review["supervisor"] == {
        "name": "Sgt 4321 Patel",
        "role": "Sergeant",
        "force": "Northshire Police",
        "staff_number": "4321",
    }
    assert (review["outcome"], review["comment"]) == ("discuss", "A thoughtful log.")
    assert review["comments"] == [
        {"reflection": "r-2", "comment": "Say more about the referral."},
        {"reflection": "r-3", "comment": "Good = honest."},
    ]
    verified = cpd("review", "verify", str(out_path))
    assert verified.exit_code == 0
    assert verified.output == (
        f"{out_path}: valid (signed by key {JONES}, PC 1234 Jones); review: valid "
        f"(discuss, signed by key {supervisor}, your own key)\n"
    )


def test_the_officer_sees_the_feedback(tmp_path, supervisor, isolated_home):
    log = write(tmp_path / "jones.json", signed_log())
    cpd(
        "review",
        "sign",
        str(log),
        "--outcome",
        "revise",
        "--comment",
        "Please add more on escalation.",
        "--on",
        "r-1=Which agency did you call?",
    )
    officer_home = tmp_path / "officer"
    result = cpd("review", "show", str(tmp_path / "jones.reviewed.json"), home=officer_home)
    assert result.exit_code == 1  # neither key is trusted in this home
    out = result.output
    assert (
        f"Review signature: unknown signer — revise, signed by key {supervisor}, which is not in"
        in out
    )
    reflection_1 = out.split("Reflection 1 of 3")[1].split("Reflection 2 of 3")[0]
    assert "Supervisor's comment: Which agency did you call?" in reflection_1
    tail = out.split("Supervisor review\n-----------------\n")[1]
    assert tail.startswith(
        "(the review's signature is unknown signer: read it with care)\n"
        "Outcome: Revise and resubmit · signed off by a key you do not trust as a supervisor · "
    )
    assert (
        "Supervisor: Sgt 4321 Patel · Role: Sergeant · Force: Northshire Police · "
        "Staff number: 4321 (as written in the file)"
    ) in tail
    assert "Comment: Please add more on escalation." in tail
    assert "1 comment on reflections, shown with each reflection above." in tail


def test_sign_with_output_option_and_an_earlier_review(tmp_path, supervisor):
    log = write(tmp_path / "jones.json", signed_log())
    cpd("review", "sign", str(log), "--outcome", "revise", "--comment", "More, please.")
    again = tmp_path / "second.json"
    result = cpd(
        "review",
        "sign",
        str(tmp_path / "jones.reviewed.json"),
        "--outcome",
        "accepted",
        "-o",
        str(again),
    )
    assert result.exit_code == 0, result.output
    assert "This replaces the earlier review (revise) by Sgt 4321 Patel." in result.output
    assert json.loads(again.read_text())["review"]["outcome"] == "accepted"


def test_sign_refuses_without_a_profile_name(tmp_path, isolated_home):
    log = write(tmp_path / "jones.json", signed_log())
    result = cpd("review", "sign", str(log), "--outcome", "accepted")
    no_traceback(result)
    assert result.exit_code == 1
    assert "your profile has no name" in result.output and "cpd profile --name" in result.output
    assert not (tmp_path / "jones.reviewed.json").exists()


@pytest.mark.parametrize(
    "doc_edit, message",
    [
        (
            lambda d: d["reflections"][0].update(what="changed"),
            "cannot sign {log}: it is edited (changed after signing: reflection r-1)",
        ),
        (
            lambda d: d.pop("integrity"),
            "cannot sign {log}: it is unsigned (the log carries no signature)",
        ),
    ],
)
def test_sign_refuses_edited_or_unsigned_logs(tmp_path, supervisor, doc_edit, message):
    doc = signed_log()
    doc_edit(doc)
    log = write(tmp_path / "jones.json", doc)
    result = cpd("review", "sign", str(log), "--outcome", "accepted")
    no_traceback(result)
    assert result.exit_code == 1 and message.format(log=log) in result.output
    assert not (tmp_path / "jones.reviewed.json").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--on", "r-9=Hmm"], "has no reflection 'r-9' (its reflections: r-1, r-2, r-3)"),
        (
            ["--on", "r-1"],
            "--on r-1 has no comment: follow it with --comment TEXT, or write --on r-1=TEXT",
        ),
        (["--comment", "a", "--comment", "b"], "give one overall --comment"),
        (["--on", "r-1="], "give the reflection id and a comment"),
        (["--outcome", "great"], "Invalid value for '--outcome'"),
    ],
)
def test_sign_usage_errors(tmp_path, supervisor, args, message):
    log = write(tmp_path / "jones.json", signed_log())
    outcome = [] if "--outcome" in args else ["--outcome", "accepted"]
    result = cpd("review", "sign", str(log), *outcome, *args)
    no_traceback(result)
    assert result.exit_code == 2 and message in result.output, result.output


def test_sign_never_overwrites_the_original(tmp_path, supervisor):
    log = write(tmp_path / "jones.json", signed_log())
    result = cpd("review", "sign", str(log), "--outcome", "accepted", "-o", str(log))
    assert result.exit_code == 2 and "would replace" in result.output
    reviewed = tmp_path / "jones.reviewed.json"
    cpd("review", "sign", str(log), "--outcome", "accepted")
    result = cpd("review", "sign", str(reviewed), "--outcome", "revise", "--comment", "x")
    assert result.exit_code == 2 and "choose another file with -o" in result.output


def test_sign_to_a_missing_folder_is_one_sentence(tmp_path, supervisor):
    log = write(tmp_path / "jones.json", signed_log())
    result = cpd(
        "review", "sign", str(log), "--outcome", "accepted", "-o", str(tmp_path / "no" / "x.json")
    )
    no_traceback(result)
    assert result.exit_code == 1 and "does not exist" in result.output


def test_an_edited_review_block_is_reported(tmp_path, supervisor):
    log = write(tmp_path / "jones.json", signed_log())
    cpd("review", "sign", str(log), "--outcome", "revise", "--comment", "Needs work.")
    reviewed = tmp_path / "jones.reviewed.json"
    doc = json.loads(reviewed.read_text())
    doc["review"]["outcome"] = "accepted"
    write(reviewed, doc)
    result = cpd("review", "verify", str(reviewed))
    assert result.exit_code == 1
    assert result.output.rstrip().endswith(
        "; review: edited (the review was changed after it was signed)"
    )


@pytest.mark.parametrize(
    "argv, overall, pairs",
    [
        (["--comment", "all", "--on", "r-1", "--comment", "one"], "all", [("r-1", "one")]),
        (["--on", "r-1", "--comment", "one", "--comment", "all"], "all", [("r-1", "one")]),
        (
            ["--on=r-1=a=b", "--comment=all", "-o", "--on", "--on", "r-2", "--comment", "two"],
            "all",
            [("r-1", "a=b"), ("r-2", "two")],
        ),
        (["x.json", "--outcome", "--comment", "--comment", "c"], "c", []),
        (["--", "--comment", "ignored"], "", []),
    ],
)
def test_comment_pairing(argv, overall, pairs):
    assert pair_comments(scan_comment_options(argv)) == (overall, pairs)


def test_comment_pairing_refuses_a_dangling_on():
    with pytest.raises(UserError, match="--on r-1 has no comment"):
        pair_comments(scan_comment_options(["--on", "r-1", "--on", "r-2=x"]))


# --- end to end with a real export --------------------------------------------------------------


def test_real_export_verify_trust_sign_and_return(tmp_path, isolated_home):
    officer = tmp_path / "officer"
    cpd("profile", "--name", "PC 1234 Zoë O’Brien", "--staff-number", "1234", home=officer)
    exported = tmp_path / "share" / "obrien.json"
    exported.parent.mkdir()
    assert cpd("export", "-o", str(exported), home=officer).exit_code == 0
    officer_fp = key_fingerprint(load_or_create_key(officer))

    assert cpd("review", "verify", str(exported)).exit_code == 1
    cpd("review", "trust", officer_fp, "--name", "PC 1234 Zoe O'Brien")  # accents, quotes: the same
    assert cpd("review", "verify", str(exported)).exit_code == 0
    cpd("profile", "--name", "Sgt 4321 Patel")
    assert (
        cpd(
            "review", "sign", str(exported), "--outcome", "accepted", "--comment", "Well done."
        ).exit_code
        == 0
    )

    returned = tmp_path / "share" / "obrien.reviewed.json"
    shown = cpd("review", "show", str(returned), home=officer)
    assert shown.output.startswith(
        f"Verification: valid — signed by key {officer_fp}, your own key\n"
    )
    assert shown.exit_code == 1  # the sergeant's key is not trusted in the officer's home
    assert (
        "Outcome: Accepted · signed off by a key you do not trust as a supervisor" in shown.output
        and "Supervisor: Sgt 4321 Patel" in shown.output
        and "Comment: Well done." in shown.output
    )
    assert verify_log(json.loads(returned.read_text()), {officer_fp: "me"}).status == "valid"


def test_review_help_lists_every_command():
    out = cpd("review", "--help").output
    for command in ("show", "verify", "trust", "summary", "sign"):
        assert command in out
    for command in ("show", "verify", "trust", "summary", "sign"):
        result = cpd("review", command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_review_commands_import_nothing_heavy_at_startup():
    import subprocess
    import sys

    code = (
        "import sys; import scr_cpd.cli.app; "
        "print(','.join(m for m in ('pydantic', 'cryptography', 'pydantic_core') if m in sys.modules))"
    )
    src = str(Path(__file__).resolve().parent.parent / "src")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": src}
    )
    assert out.stdout.strip() == ""


def test_verifying_and_summarising_well_formed_logs_never_loads_the_schema_library(tmp_path):
    """The quick looks pass a log as the app writes it, and every option of `review summary`
    (an optional path, a choice, a repeated text) is read without typer's pydantic coercion."""
    import subprocess
    import sys

    team = tmp_path / "team"
    team.mkdir()
    for n in (1, 2):
        (team / f"{n}.json").write_bytes(orjson_dump(signed_log(seed=n)))
    code = (
        "import sys, io; sys.argv = ['cpd'] + sys.argv[1:]\n"
        "from scr_cpd.cli.app import main\n"
        "sys.stdout = io.StringIO()\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "sys.stdout = sys.__stdout__\n"
        "print(code, 'pydantic' in sys.modules)\n"
    )
    src = str(Path(__file__).resolve().parent.parent / "src")
    home = str(tmp_path / "home")
    runs = {
        "verify": ["review", "verify", str(team / "1.json")],
        "summary": ["review", "summary", str(team), "--sort", "hours", "--status", "unknown-signer"]
        + ["--since", "2026-01-01", "--csv", str(tmp_path / "team.csv")],
    }
    for name, args in runs.items():
        out = subprocess.run(
            [sys.executable, "-c", code, "--plain", "--home", home, *args],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": src},
        )
        assert out.stdout.split() == ["1", "False"], (name, out.stdout, out.stderr)


def orjson_dump(doc):
    import orjson

    return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def test_summary_of_a_folder_without_logs(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    result = cpd("review", "summary", str(tmp_path / "empty"))
    no_traceback(result)
    assert (
        result.exit_code == 1
        and result.output == f"Error: no .json files found in {tmp_path / 'empty'}\n"
    )


def test_sign_with_a_damaged_key_is_one_sentence(tmp_path, supervisor, isolated_home):
    (isolated_home / "keys" / "signing-key.pem").write_text("garbage")
    log = write(tmp_path / "jones.json", signed_log())
    assert cpd("review", "verify", str(log)).output.startswith(f"{log}: unknown signer")
    result = cpd("review", "sign", str(log), "--outcome", "accepted")
    no_traceback(result)
    assert (
        result.exit_code == 1
        and "your signing key" in result.output
        and "is damaged" in result.output
    )
    assert not (tmp_path / "jones.reviewed.json").exists()


@pytest.mark.parametrize("command", ["verify", "summary"])
def test_a_team_folder_with_links_that_lead_nowhere_lists_them_as_unreadable(tmp_path, command):
    team = tmp_path / "team"
    team.mkdir()
    write(team / "jones.json", signed_log())
    (team / "loop.json").symlink_to(team / "loop.json")
    (team / "smith.json").symlink_to(tmp_path / "unmounted" / "smith.json")
    result = cpd("review", command, str(team))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{team / 'loop.json'}: unreadable (too many levels of symbolic links)" in result.output
    assert f"{team / 'smith.json'}: unreadable (no such file)" in result.output
    assert "jones" in result.output.lower()
