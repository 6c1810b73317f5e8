"""`cpd bank …`: the trainer's commands, as a trainer (or an officer installing a bank) runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from helpers import cpd

from scr_cpd.content.loader import BUNDLED_DIR, load_library
from scr_cpd.content.starter import starter_bank
from scr_cpd.content.validate import check_file

STARTER = starter_bank("starter-module")
BUNDLED = sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))

NEGLECT = load_library(None).get("neglect")  # the bundled bank, whose counts the output names


def write(folder: Path, text: str | bytes, name: str = "bank.yaml") -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def assert_clean_failure(result, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )


# --- new --------------------------------------------------------------------------------------


def test_new_writes_a_starter_bank_that_validates_cleanly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cpd("bank", "new", "my-module", "--title", "My module")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Wrote my-module.yaml: a valid bank with one example of each question type.\n"
    )
    assert (tmp_path / "my-module.yaml").read_text().count("\n  - id: q-") == 6
    assert stat.S_IMODE((tmp_path / "my-module.yaml").stat().st_mode) == 0o600
    check = cpd("bank", "validate", "my-module.yaml")
    assert check.exit_code == 0 and check.output == "1 file checked: 0 errors, 0 warnings.\n"


def test_new_refuses_to_overwrite_unless_forced(tmp_path):
    path = write(tmp_path, "keep me", "m.yaml")
    result = cpd("bank", "new", "m", "-o", str(path))
    assert_clean_failure(result, 2)
    assert f"Error: {path} already exists; use --force to replace it" in result.output
    assert path.read_text() == "keep me"
    assert cpd("bank", "new", "m", "-o", str(path), "--force").exit_code == 0
    assert path.read_text().startswith("# yaml-language-server: $schema=bank.schema.json")


def test_new_with_an_invalid_id_suggests_a_valid_one():
    result = cpd("bank", "new", "Neglect Refresher")
    assert_clean_failure(result, 2)
    assert (
        "Error: 'Neglect Refresher' is not a valid module id: use lower-case letters, digits and single hyphens, e.g. neglect-refresher"
        in result.output
    )


def test_new_can_print_to_stdout():
    result = cpd("bank", "new", "printed", "-o", "-")
    assert result.exit_code == 0 and result.output == starter_bank("printed")


# --- validate -----------------------------------------------------------------------------------


def test_validate_prints_each_problem_as_file_line_field_message_and_exits_1(tmp_path):
    text = STARTER.replace("    answer: 131\n", "").replace("type: matching", "type: pairing")
    path = write(tmp_path, text)
    result = cpd("bank", "validate", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "1 file checked: 2 errors, 0 warnings."
    assert any(
        line.startswith(f"{path}:") and "questions.q-reviews-death.answer: is required" in line
        for line in lines
    )
    assert any(
        "questions.q-match-terms.type: unknown question type 'pairing'; use one of single, multiple"
        in line
        for line in lines
    )


def test_validate_folders_all_bundled_banks_are_clean():
    result = cpd("bank", "validate", str(BUNDLED_DIR))
    assert result.exit_code == 0
    assert result.output == f"{len(BUNDLED)} files checked: 0 errors, 0 warnings.\n"


def test_validate_warnings_pass_unless_strict(tmp_path):
    path = write(
        tmp_path,
        STARTER.replace("    learning_points: [see-the-child]\n    source:", "    source:"),
    )
    assert cpd("bank", "validate", str(path)).exit_code == 0
    result = cpd("bank", "validate", "--strict", str(path))
    assert result.exit_code == 1 and "0 errors, 1 warning." in result.output


def test_validate_an_empty_folder_is_a_usage_error(tmp_path):
    result = cpd("bank", "validate", str(tmp_path))
    assert_clean_failure(result, 2)
    assert "no bank files (.yaml or .yml) found there" in result.output


def test_validate_against_reports_an_answer_change_without_a_revision_bump(tmp_path):
    old = write(tmp_path, STARTER, "old.yaml")
    new = write(tmp_path, STARTER.replace("    answer: false\n", "    answer: true\n"), "new.yaml")
    result = cpd("bank", "validate", str(new), "--against", str(old))
    assert result.exit_code == 1
    assert (
        "questions.q-tidy-home: the right answer changed from 'False' to 'True', but the revision is still 1"
        in result.output
    )
    assert result.output.endswith(
        "1 file checked (compared with the old version): 1 error, 0 warnings.\n"
    )


# --- bad input, through the command a trainer runs ---------------------------------------------

BAD_INPUT = {
    "wrong indentation": (
        STARTER.replace("\n    type: numeric\n", "\n   type: numeric\n"),
        "YAML syntax error",
    ),
    "tab": (
        STARTER.replace("\n    type: numeric\n", "\n\ttype: numeric\n"),
        "a tab character is used for indentation; indent with spaces",
    ),
    "anchor bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
        "YAML aliases (*name) are not allowed",
    ),
    "not UTF-8": (
        STARTER.encode().replace(b"Title of the document", b"Titre du caf\xe9"),
        "is not UTF-8; save the file as UTF-8",
    ),
    "no correct answer": (
        STARTER.replace(
            "        correct: true\n        feedback: Right. Seeing",
            "        feedback: Right. Seeing",
        ),
        "needs exactly one correct option, found 0",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gets_one_line_numbered_message_and_exit_1(tmp_path, case):
    text, expected = BAD_INPUT[case]
    path = write(tmp_path, text)
    result = cpd("bank", "validate", str(path))
    assert_clean_failure(result)
    [message, summary] = result.output.splitlines()
    assert message.startswith(f"{path}:") and message.split(":")[1].isdigit(), message
    assert expected in message
    assert summary == "1 file checked: 1 error, 0 warnings."


def test_validate_counts_read_as_a_person_writes_them(tmp_path):
    bad = write(tmp_path, BAD_INPUT["tab"][0], "bad.yaml")
    one = cpd("bank", "validate", str(bad))
    assert_clean_failure(one)
    assert one.output.splitlines()[-1] == "1 file checked: 1 error, 0 warnings."
    unserved = STARTER.replace("    learning_points: [see-the-child]\n    source:", "    source:")
    write(tmp_path, unserved, "quiet.yaml")
    write(tmp_path, BAD_INPUT["tab"][0], "worse.yaml")
    several = cpd("bank", "validate", str(tmp_path))
    assert_clean_failure(several)
    assert several.output.splitlines()[-1] == "3 files checked: 2 errors, 1 warning."
    assert "(s)" not in one.output + several.output


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_a_bom_and_windows_line_endings_validate_cleanly(tmp_path, variant):
    raw = STARTER.encode()
    if "crlf" in variant:
        raw = raw.replace(b"\n", b"\r\n")
    if "bom" in variant:
        raw = b"\xef\xbb\xbf" + raw
    result = cpd("bank", "validate", str(write(tmp_path, raw)))
    assert result.exit_code == 0 and result.output == "1 file checked: 0 errors, 0 warnings.\n"


def test_a_10_mb_file_is_refused_with_one_message(tmp_path):
    path = write(tmp_path, STARTER + "#" + "x" * 10_000_000 + "\n")
    result = cpd("bank", "validate", str(path))
    assert_clean_failure(result)
    assert (
        result.output.splitlines()[0]
        == f"{path}: the file is 10.0 MB; a bank may be at most 8 MB — split it into several modules"
    )


def test_install_and_import_refuse_bad_input_the_same_way(tmp_path):
    path = write(tmp_path, BAD_INPUT["tab"][0])
    result = cpd("bank", "install", str(path))
    assert_clean_failure(result)
    assert "a tab character is used for indentation" in result.output
    assert f"Error: {path} was not installed: fix the error above" in result.output
    gift = write(tmp_path, b"::Q1:: Is it caf\xe9? {TRUE}\n", "latin1.gift")
    result = cpd("bank", "import", str(gift))
    assert_clean_failure(result)
    assert "latin1.gift:1:" in result.output and "UTF-8" in result.output
    assert not (tmp_path / "latin1.yaml").exists()


# --- schema and list ---------------------------------------------------------------------------


def test_schema_is_json_schema_for_the_bank_format(tmp_path):
    result = cpd("bank", "schema")
    schema = json.loads(result.output)
    assert (
        schema["$schema"].startswith("https://json-schema.org/")
        and "questions" in schema["properties"]
    )
    out = tmp_path / "bank.schema.json"
    assert cpd("bank", "schema", "-o", str(out)).output == f"Wrote {out}\n"
    assert json.loads(out.read_text()) == schema


def test_list_shows_every_bank_with_its_origin_version_and_counts(
    isolated_home, tmp_path, monkeypatch
):
    extra = tmp_path / "extra"
    extra.mkdir()
    write(extra, STARTER, "my-own-name.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    result = cpd("bank", "list")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split() for line in result.output.splitlines() if line.strip()}
    counts = [str(len(NEGLECT.questions)), str(len(NEGLECT.reflections))]
    assert rows["neglect"][1:5] == ["1.0", *counts, "bundled"]
    assert rows["starter-module"][1:] == ["1.0", "6", "1", "SCR_CPD_BANKS"]
    assert (
        f"  SCR_CPD_BANKS: {extra}" in result.output
        and f"  home: {isolated_home / 'banks'}" in result.output
    )


# --- install ------------------------------------------------------------------------------------


def test_install_copies_a_valid_bank_into_the_home_banks_folder(isolated_home, tmp_path):
    source = write(tmp_path, STARTER, "download.yaml")
    result = cpd("bank", "install", str(source))
    assert result.exit_code == 0, result.output
    target = isolated_home / "banks" / "starter-module.yaml"
    assert target.read_bytes() == source.read_bytes()
    assert f"Installed starter-module (version 1.0, 6 questions) as {target}." in result.output
    assert "starter-module" in cpd("modules").output


def test_install_refuses_a_bundled_module_id(isolated_home, tmp_path):
    result = cpd("bank", "install", str(write(tmp_path, starter_bank("neglect"))))
    assert_clean_failure(result)
    assert (
        "Error: 'neglect' is the id of a bundled module, which always takes precedence; give your bank another id"
        in result.output
    )
    assert not (isolated_home / "banks" / "neglect.yaml").exists()


def test_install_needs_replace_for_an_installed_module_and_checks_the_revision_rule(
    isolated_home, tmp_path
):
    assert cpd("bank", "install", str(write(tmp_path, STARTER, "v1.yaml"))).exit_code == 0
    v2 = write(tmp_path, STARTER.replace('version: "1.0"', 'version: "1.1"'), "v2.yaml")
    refused = cpd("bank", "install", str(v2))
    assert_clean_failure(refused)
    assert "is already installed" in refused.output and "use --replace" in refused.output

    broken = write(tmp_path, STARTER.replace("    answer: 131\n", "    answer: 130\n"), "v3.yaml")
    result = cpd("bank", "install", str(broken), "--replace")
    assert_clean_failure(result)
    assert (
        "the right answer changed from '131' to '130', but the revision is still 1" in result.output
    )
    assert "answer: 131" in (isolated_home / "banks" / "starter-module.yaml").read_text()

    assert cpd("bank", "install", str(v2), "--replace").exit_code == 0
    assert 'version: "1.1"' in (isolated_home / "banks" / "starter-module.yaml").read_text()


def test_install_replace_removes_the_old_file_when_its_name_differed(isolated_home, tmp_path):
    banks = isolated_home / "banks"
    banks.mkdir(parents=True)
    write(banks, STARTER, "old-name.yaml")
    assert cpd("bank", "install", str(write(tmp_path, STARTER)), "--replace").exit_code == 0
    assert sorted(p.name for p in banks.iterdir()) == ["starter-module.yaml"]


# --- import -------------------------------------------------------------------------------------

GIFT = """\
$CATEGORY: $course$/Safeguarding refresher

// a comment Moodle ignores
::see-baby::You hear a baby in a back room. What do you do? {
  =Ask to see the baby#Right: see the child yourself.
  ~Leave it#An adult's word is not a check.
  ####Seeing the child is the only check.
}

::tidy::A tidy home shows the children are well cared for. {F####Tidiness says little.}

::reviews::How many of the 235 reviews concerned a death? {#131:0####131 of 235.}

::abe::What does ABE stand for? {=Achieving Best Evidence =Achieving the Best Evidence####It is the interview guidance.}

::match::Match each term. {
  =MASH -> Multi-agency safeguarding hub
  =SCR -> Serious case review
  ####Know who is who.
}

::record::Which belong in a record? {
  ~%50%Every child's name#yes
  ~%50%Where they sleep#yes
  ~%-100%Nothing#no
  ####Record what you saw.
}

::essay::Think about a visit you made. {}
"""


def test_import_writes_a_bank_that_passes_validate(tmp_path):
    source = write(tmp_path, GIFT, "refresher.gift")
    result = cpd("bank", "import", str(source))
    assert result.exit_code == 0, result.output
    out = tmp_path / "refresher.yaml"
    assert (
        f"Wrote {out}: 6 questions and 1 reflection prompt from {source}; 0 errors" in result.output
    )
    data, _, problems = check_file(out)
    assert data and not [p for p in problems if p.severity == "error"]
    assert data["id"] == "safeguarding-refresher"
    assert sorted(q["type"] for q in data["questions"]) == [
        "matching",
        "multiple",
        "numeric",
        "short_answer",
        "single",
        "true_false",
    ]
    assert out.read_text().startswith("# Imported from refresher.gift by `cpd bank import`.")
    assert cpd("bank", "validate", str(out)).exit_code == 0


def test_import_lists_each_problem_with_its_line_and_writes_nothing_on_errors(tmp_path):
    source = write(tmp_path, GIFT + "\n::broken::Unclosed {=yes ~no\n", "broken.gift")
    result = cpd("bank", "import", str(source))
    assert_clean_failure(result)
    unclosed = [line for line in result.output.splitlines() if "never closed" in line]
    assert unclosed and unclosed[0].startswith(f"broken.gift:{GIFT.count(chr(10)) + 2}:")
    assert (
        "Error: nothing written: 1 error above; fix it and import again, or use --partial to write the 6 questions that could be read"
        in result.output
    )
    assert not (tmp_path / "broken.yaml").exists()
    partial = cpd("bank", "import", str(source), "--partial")
    assert partial.exit_code == 0 and (tmp_path / "broken.yaml").exists()


def test_import_lists_the_first_five_warnings_of_a_kind_and_counts_the_rest(tmp_path):
    aiken = "".join(f"Question {i}?\nA) Right {i}\nB) Wrong {i}\nANSWER: A\n\n" for i in range(8))
    source = write(tmp_path, aiken, "quiz.aiken")
    result = cpd("bank", "import", str(source))
    assert result.exit_code == 0, result.output
    listed = [line for line in result.output.splitlines() if line.startswith("quiz.aiken:")]
    assert [line.split(":")[1] for line in listed] == ["1", "6", "11", "16", "21"]
    assert "… and 3 more warnings of this kind: no general feedback" in result.output
    assert "(--all-warnings lists every one)" in result.output
    assert "8 warnings while importing" in result.output
    every = cpd("bank", "import", str(source), "--all-warnings", "--force")
    assert len([line for line in every.output.splitlines() if line.startswith("quiz.aiken:")]) == 8
    assert "more warning" not in every.output


def test_import_of_a_file_with_no_question_says_so_and_writes_nothing(tmp_path):
    source = write(tmp_path, "// only a comment\n\n::Essay::Describe a visit. {}\n", "essay.gift")
    result = cpd("bank", "import", str(source))
    assert_clean_failure(result)
    assert (
        f"Error: nothing written: no question in {source} could be imported, and a bank needs at least one"
        in result.output
    )
    assert not (tmp_path / "essay.yaml").exists()


def test_import_of_a_file_over_the_size_limit_is_one_message(tmp_path):
    source = write(tmp_path, "::Q::Is it? {T}\n\n" + "// padding\n" * 1_100_000, "huge.gift")
    result = cpd("bank", "import", str(source))
    assert_clean_failure(result)
    assert result.output.splitlines()[0].startswith("huge.gift: file: file is ")
    assert "Error: nothing written: 1 error above; fix it and import again" in result.output


def test_import_refuses_to_overwrite_unless_forced(tmp_path):
    source = write(tmp_path, GIFT, "q.gift")
    out = write(tmp_path, "mine", "q.yaml")
    result = cpd("bank", "import", str(source))
    assert_clean_failure(result, 2)
    assert (
        f"Error: {out} already exists; use --force to replace it, or -o to choose another file"
        in result.output
    )
    assert out.read_text() == "mine"
    assert cpd("bank", "import", str(source), "--force").exit_code == 0
    assert out.read_text().startswith("# Imported")


def test_import_aiken_to_stdout_keeps_messages_off_the_yaml(tmp_path):
    aiken = "Which is a safeguarding partner?\nA) The police\nB) A bus company\nANSWER: A\n"
    source = write(tmp_path, aiken, "quiz.txt")
    result = cpd("bank", "import", str(source), "--format", "aiken", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Imported from quiz.txt") and "Wrote" not in result.stdout
    assert "1 question and" in result.stderr


def test_import_an_unknown_format_is_a_usage_error(tmp_path):
    result = cpd("bank", "import", str(write(tmp_path, GIFT, "q.gift")), "--format", "qti")
    assert_clean_failure(result, 2)
    assert "unknown format 'qti': use gift or aiken" in result.output


# --- export -------------------------------------------------------------------------------------


def test_export_prints_gift_or_writes_it_without_overwriting(tmp_path):
    printed = cpd("bank", "export", "neglect")
    assert printed.exit_code == 0 and printed.stdout.startswith("$CATEGORY: neglect\n")
    out = tmp_path / "neglect.gift"
    written = cpd("bank", "export", "neglect", "-o", str(out))
    assert (
        written.stdout
        == f"Wrote {out}: {len(NEGLECT.questions)} questions and 3 reflection prompts of neglect"
        " as GIFT.\n"
    )
    assert out.read_text() == printed.stdout
    assert written.stderr == printed.stderr
    again = cpd("bank", "export", "neglect", "-o", str(out))
    assert_clean_failure(again, 2)


def test_export_lists_what_gift_cannot_carry_question_by_question():
    result = cpd("bank", "export", "neglect")
    lost = [line for line in result.stderr.splitlines() if line.startswith("Not carried by GIFT:")]
    assert lost[0].startswith("Not carried by GIFT: module neglect: learning points ")
    assert "; source " in lost[0]
    from scr_cpd.content.validate import check_file

    data, _, _ = check_file(BUNDLED_DIR / "neglect.yaml")
    first = data["questions"][0]
    assert (
        f"Not carried by GIFT: {first['id']}: learning points {', '.join(first['learning_points'])}"
        in result.stderr
    )
    reflection = data["reflections"][0]
    if reflection.get("learning_points"):
        assert f"Not carried by GIFT: {reflection['id']}: learning points" in result.stderr
    assert "$CATEGORY" not in result.stderr and "Not carried" not in result.stdout


def test_export_takes_a_bank_file_and_refuses_an_unknown_module(tmp_path):
    path = write(tmp_path, STARTER)
    assert cpd("bank", "export", str(path)).stdout.startswith("$CATEGORY: starter-module\n")
    result = cpd("bank", "export", "no-such-module")
    assert_clean_failure(result, 2)
    assert "no module called 'no-such-module'" in result.output


@pytest.mark.parametrize("module", BUNDLED)
def test_export_then_import_gives_an_equivalent_bank(tmp_path, module):
    gift = tmp_path / f"{module}.gift"
    assert cpd("bank", "export", module, "-o", str(gift)).exit_code == 0
    imported = cpd("bank", "import", str(gift))
    assert imported.exit_code == 0, imported.output
    again = tmp_path / f"{module}.yaml"
    # Same ids, answers and wording: --against reports no change; only GIFT's missing
    # learning points (and the reuse of a bundled id) are left as warnings.
    check = cpd("bank", "validate", str(again), "--against", str(BUNDLED_DIR / f"{module}.yaml"))
    assert check.exit_code == 0, check.output
    warnings = {line.split("warning: ")[1] for line in check.output.splitlines()[:-1]}
    assert warnings == {
        "no learning_points: say which learning point this question serves",
        f"{module!r} is the id of a bundled module, which would be loaded instead of this bank; choose another id",
    }
    original, _, _ = check_file(BUNDLED_DIR / f"{module}.yaml")
    back, _, _ = check_file(again)
    for before, after in zip(original["questions"], back["questions"], strict=True):
        for key in (
            "id",
            "type",
            "explanation",
            "correct_feedback",
            "incorrect_feedback",
            "unit",
            "tags",
        ):
            assert before.get(key) == after.get(key), (before["id"], key)
        assert [o.get("feedback") for o in before.get("options", [])] == [
            o.get("feedback") for o in after.get("options", [])
        ]
    assert [r["prompt"] for r in original["reflections"]] == [
        r["prompt"] for r in back["reflections"]
    ]


# --- stats --------------------------------------------------------------------------------------


def test_stats_flags_a_misleading_question_from_the_local_history(isolated_home, tmp_path):
    from scr_cpd.content.loader import load_library
    from scr_cpd.progress.store import Store

    bank = load_library(isolated_home).get("neglect")
    question = next(q for q in bank.questions if q.type == "single")
    right = next(i for i, o in enumerate(question.options) if o.correct)
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    store = Store.open(isolated_home)
    for response in [wrong] * 4 + [right]:  # one answer per question per session
        session = store.start_session("practice", bank.id, [(bank.id, question.id)])
        store.record_attempt(
            session.id,
            bank.id,
            question.id,
            question.revision,
            question.content_hash,
            response,
            response == right,
            5.0,
        )
    store.close()

    result = cpd("bank", "stats", "neglect")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "neglect: Recognising and responding to neglect (version 1.0)"
    assert lines[2] == "  Learning points: 4 of 4 served by a question"
    assert lines[3] == "  Answers in this history: 5"
    row = next(line for line in lines if line.startswith(f"  {question.id} "))
    assert row.split()[1:4] == ["5", "20%", "too"] and f"misleading: option {wrong + 1} " in row
    assert "was chosen 4 times, the right answer once" in row
    overview = cpd("bank", "stats")
    assert overview.exit_code == 0 and "1 question flagged." in overview.output


# --- the trainers' guide covers every command ------------------------------------------------


def _bank_commands() -> list[str]:
    from scr_cpd.cli.bank import app as bank_app

    return sorted(c.name or c.callback.__name__ for c in bank_app.registered_commands)


@pytest.mark.parametrize("command", _bank_commands())
def test_every_bank_command_has_help_and_is_in_the_trainers_guide(command):
    guide = (Path(__file__).parent.parent / "docs" / "trainers.md").read_text(encoding="utf-8")
    assert f"cpd bank {command}" in guide
    result = cpd("bank", command, "--help")
    assert result.exit_code == 0 and len(result.output.split("\n\n")[1].strip()) > 20


# --- install precedence, as a library (what `cpd bank install` calls) ------------------------


def test_install_precedence_without_the_cli(tmp_path, monkeypatch):
    from scr_cpd.content.install import InstallRefused, install_bank
    from scr_cpd.content.loader import load_library

    home = tmp_path / "home"
    extra = tmp_path / "extra"
    extra.mkdir()
    shadowed = write(extra, starter_bank("shared-mod"), "shared-mod.yaml")
    monkeypatch.setenv("SCR_CPD_BANKS", str(extra))
    mine = write(tmp_path, starter_bank("shared-mod"), "mine.yaml")
    done = install_bank(mine, home, load_library(home))
    assert done.target == home / "banks" / "shared-mod.yaml" and done.shadowed == shadowed
    assert stat.S_IMODE(done.target.stat().st_mode) == 0o600
    with pytest.raises(InstallRefused, match="already installed"):
        install_bank(mine, home, load_library(home))
    assert install_bank(mine, home, load_library(home), replace=True).target.exists()
    bundled = write(tmp_path, starter_bank(BUNDLED[0]), "bundled-id.yaml")
    with pytest.raises(InstallRefused, match="bundled module, which always takes precedence"):
        install_bank(bundled, home, load_library(home))
    broken = write(tmp_path, "format: nope\n", "broken.yaml")
    with pytest.raises(InstallRefused) as refused:
        install_bank(broken, home, load_library(home))
    assert refused.value.problems and "was not installed" in str(refused.value)


# --- one bad bank never takes the others down ---------------------------------------------------


@pytest.mark.parametrize("value", ["!!bool x", "!!int", "[unclosed", "\u202eevil"])
def test_a_broken_bank_in_the_banks_folder_is_one_line_and_the_rest_works(isolated_home, value):
    banks = isolated_home / "banks"
    banks.mkdir(parents=True)
    bad = write(banks, STARTER.replace("title: Starter module", f"title: {value}"), "bad.yaml")
    assert f"title: {value}" in bad.read_text()
    modules = cpd("modules")
    assert modules.exit_code == 0, modules.output
    assert "neglect" in modules.stdout
    notes = [line for line in modules.stderr.splitlines() if str(bad) in line]
    assert len(notes) == 1 and notes[0].startswith(f"Bank not loaded: {bad}:"), modules.stderr
    assert notes[0].split(f"{bad}:")[1].split(":")[0].isdigit()  # the line
    assert cpd("bank", "export", "neglect").exit_code == 0
    assert cpd("bank", "list").exit_code == 0
    started = cpd("start", "neglect", input="q\n")
    assert (
        "Traceback" not in started.output
        and started.exception is None
        or isinstance(started.exception, SystemExit)
    )


# --- special files: one sentence, never a hang -------------------------------------------------


def _special(tmp_path: Path, kind: str) -> Path:
    import os

    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
        return path
    if kind == "device":
        return Path("/dev/zero")
    if kind == "loop":
        path = tmp_path / "loop.yaml"
        path.symlink_to(tmp_path / "loop.yaml")
        return path
    folder = tmp_path / "folder.gift"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("kind", ["fifo", "device", "loop"])
def test_validate_a_special_file_is_one_sentence_not_a_hang(tmp_path, kind):
    path = _special(tmp_path, kind)
    result = cpd("bank", "validate", str(path))
    assert_clean_failure(result)
    first = result.output.splitlines()[0]
    assert first.startswith(f"{path}: ") and first.count(".") <= 2, result.output
    assert {
        "fifo": "not a regular file",
        "device": "not a regular file",
        "loop": "too many levels of symbolic links",
    }[kind] in first


@pytest.mark.parametrize("kind", ["fifo", "device", "loop", "folder"])
def test_import_a_special_file_is_one_sentence_not_a_hang(tmp_path, kind):
    path = _special(tmp_path, kind)
    out = tmp_path / "out.yaml"
    result = cpd("bank", "import", str(path), "--format", "gift", "-o", str(out))
    assert_clean_failure(result)
    assert result.output.splitlines()[0].startswith(f"{path.name}: file: cannot read the file: ")
    assert not out.exists()


@pytest.mark.parametrize("command", ["new", "import", "export", "schema"])
def test_output_files_are_never_replaced_without_force_nor_a_fifo(tmp_path, command):
    import os

    source = write(tmp_path, "::Q::Is it? {T####Yes.}\n", "q.gift")
    args = {
        "new": ["bank", "new", "m"],
        "import": ["bank", "import", str(source)],
        "export": ["bank", "export", "neglect"],
        "schema": ["bank", "schema"],
    }[command]
    out = write(tmp_path, "keep me", "out.txt")
    result = cpd(*args, "-o", str(out))
    assert_clean_failure(result, 2)
    assert f"{out} already exists; use --force to replace it" in result.output
    assert out.read_text() == "keep me"
    assert cpd(*args, "-o", str(out), "--force").exit_code == 0
    assert out.read_text() != "keep me" and stat.S_IMODE(out.stat().st_mode) == 0o600
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused = cpd(*args, "-o", str(fifo), "--force")
    assert_clean_failure(refused, 2)
    assert "not a regular file" in refused.output and stat.S_ISFIFO(fifo.stat().st_mode)


def test_new_refuses_an_id_longer_than_a_module_id_may_be(tmp_path, monkeypatch):
    from scr_cpd.content.vocabulary import MAX_ID_LENGTH

    monkeypatch.chdir(tmp_path)
    long_id = "-".join(["neglect"] * 20)
    result = cpd("bank", "new", long_id)
    assert_clean_failure(result, 2)
    [line] = result.output.splitlines()
    assert line.startswith(
        f"Error: the module id is {len(long_id)} characters long; a module id is at most {MAX_ID_LENGTH}, e.g. neglect-"
    )
    suggested = line.rsplit("e.g. ", 1)[1]
    assert len(suggested) <= MAX_ID_LENGTH and not list(tmp_path.iterdir())
    assert cpd("bank", "new", suggested).exit_code == 0
