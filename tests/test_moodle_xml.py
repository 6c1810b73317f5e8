"""Moodle XML in and out: Moodle's reading of each element, our export against Moodle's own
format, the round trip over every bundled bank, and hostile files."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET  # parsing our own output only

import pytest
from helpers import cpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_gift import EVERY_TYPE, NUMBERS, SCENARIOS, SIMPLE, bank_of, banks, q

from scr_cpd.content.formats.moodle_xml_read import parse_moodle_xml
from scr_cpd.content.formats.moodle_xml_write import bank_to_moodle_xml
from scr_cpd.content.loader import BUNDLED_DIR, validate_bank_data
from scr_cpd.content.validate import check_file

BUNDLED = sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def parse(text: str):
    return parse_moodle_xml(text, "sample.xml")


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def warnings_of(result) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.warnings]


def comparable(bank: dict) -> dict:
    """What Moodle XML carries: everything but learning points and sources."""

    def item(value: dict) -> dict:
        kept = {k: v for k, v in value.items() if k not in ("learning_points", "source")}
        if kept.get("revision") == 1:
            del kept["revision"]
        if kept.get("shuffle") is True:
            del kept["shuffle"]
        if "options" in kept:
            kept["options"] = [
                {k: v for k, v in o.items() if v is not False} for o in kept["options"]
            ]
        return kept

    return {
        "id": bank["id"],
        "title": bank["title"],
        "questions": [item(x) for x in bank["questions"]],
        "reflections": [(r["id"], r["prompt"]) for r in bank["reflections"]],
    }


# --- reading what Moodle writes --------------------------------------------------------------

MOODLE_FILE = quiz(
    """<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Safeguarding Basics</text></category>
    <info format="html"><text></text></info>
  </question>
  <question type="multichoice">
    <name><text>Which agency</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which agency <b>leads</b>?</p><img src="@@PLUGINFILE@@/a.png">]]></text></questiontext>
    <generalfeedback format="html"><text>&lt;p&gt;Because.&lt;/p&gt;</text></generalfeedback>
    <idnumber>Not An Id!</idnumber>
    <single>true</single>
    <shuffleanswers>0</shuffleanswers>
    <correctfeedback format="html"><text>Your answer is correct.</text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>Partly.</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>Your answer is incorrect.</text></incorrectfeedback>
    <answer fraction="100" format="html"><text>Police</text><feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="50" format="html"><text>Health</text></answer>
    <answer fraction="0" format="html"><text>Nobody</text></answer>
    <hint format="html"><text>Think.</text></hint>
    <tags><tag><text>Scenario Work</text></tag></tags>
  </question>""",
    """  <question type="truefalse">
    <name><text>tf</text></name>
    <questiontext format="moodle_auto_format"><text>Water is wet.</text></questiontext>
    <idnumber>q-water</idnumber>
    <answer fraction="0" format="moodle_auto_format"><text>true</text><feedback><text>No!</text></feedback></answer>
    <answer fraction="100" format="moodle_auto_format"><text>false</text><feedback><text>Yes!</text></feedback></answer>
  </question>""",
    """  <question type="numerical">
    <name><text>How many</text></name>
    <questiontext format="plain_text"><text>How many reviews?</text></questiontext>
    <generalfeedback format="plain_text"><text>235.</text></generalfeedback>
    <answer fraction="100"><text>235</text><tolerance>2</tolerance><feedback><text>Right.</text></feedback></answer>
    <answer fraction="50"><text>200</text><tolerance>0</tolerance></answer>
    <answer fraction="0"><text>*</text><feedback><text>Check it.</text></feedback></answer>
    <units><unit><multiplier>1</multiplier><unit_name>reviews</unit_name></unit>
      <unit><multiplier>0.01</multiplier><unit_name>hundreds</unit_name></unit></units>
  </question>""",
    """  <question type="shortanswer">
    <name><text>Law</text></name>
    <questiontext format="markdown"><text>Name the *scheme*.</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>Sarah's Law</text><feedback><text>Yes.</text></feedback></answer>
    <answer fraction="100"><text>a\\*b</text></answer>
    <answer fraction="100"><text>Sar*</text></answer>
    <answer fraction="0"><text>*</text><feedback><text>It is Sarah's Law.</text></feedback></answer>
  </question>""",
    """  <question type="matching">
    <name><text>Match</text></name>
    <questiontext format="html"><text>Match them.</text></questiontext>
    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html"><text>LCSPR</text><answer><text>Local review</text></answer></subquestion>
    <subquestion format="html"><text>CSPRP</text><answer><text>National panel</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>A distractor</text></answer></subquestion>
  </question>""",
    """  <question type="essay">
    <name><text>Reflect on it</text></name>
    <questiontext format="html"><text>&lt;p&gt;What did you notice?&lt;/p&gt;</text></questiontext>
    <graderinfo format="html"><text>Look for X.</text></graderinfo>
  </question>""",
    """  <question type="description">
    <name><text>Intro</text></name>
    <questiontext format="html"><text>Read this first.</text></questiontext>
  </question>""",
    """  <question type="category">
    <category><text>$course$/top/Safeguarding Basics/Online harm</text></category>
  </question>
  <question type="truefalse">
    <name><text>second</text></name>
    <questiontext format="html"><text>Second?</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>""",
)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_file_moodle_writes_is_read_question_by_question():
    result = parse(MOODLE_FILE)
    bank = result.bank
    assert result.errors == []
    assert bank["id"] == "safeguarding-basics" and bank["title"] == "Safeguarding Basics"
    single, tf, numeric, short, matching, second = bank["questions"]
    assert single["id"] == "q-which-agency" and single["type"] == "single"
    assert single["prompt"] == "Which agency leads?" and single["explanation"] == "Because."
    assert single["options"] == [
        {"text": "Police", "correct": True, "feedback": "Yes."},
        {"text": "Health"},
        {"text": "Nobody"},
    ]
    assert single["shuffle"] is False
    assert single["correct_feedback"] == "Your answer is correct."
    assert single["incorrect_feedback"] == "Your answer is incorrect."
    assert tf == {
        "id": "q-water",
        "type": "true_false",
        "tags": ["safeguarding-basics"],
        "prompt": "Water is wet.",
        "answer": False,
        "correct_feedback": "Yes!",
        "incorrect_feedback": "No!",
        "explanation": tf["explanation"],
        "learning_points": [],
    }
    assert (numeric["answer"], numeric["tolerance"], numeric["unit"]) == (235, 2, "reviews")
    assert numeric["correct_feedback"] == "Right." and numeric["incorrect_feedback"] == "Check it."
    assert short["answers"] == ["Sarah's Law", "a*b"] and short["prompt"] == "Name the *scheme*."
    assert short["incorrect_feedback"] == "It is Sarah's Law."
    assert matching["pairs"] == [
        {"left": "LCSPR", "right": "Local review"},
        {"left": "CSPRP", "right": "National panel"},
    ]
    assert "shuffle" not in matching
    assert second["tags"] == ["online-harm"] and single["tags"] == [
        "scenario-work",
        "safeguarding-basics",
    ]
    assert bank["reflections"] == [
        {"id": "r-reflect-on-it", "prompt": "What did you notice?", "learning_points": []}
    ]


def test_what_cannot_be_carried_is_listed_with_the_line_of_its_element():
    result = parse(MOODLE_FILE)
    found = warnings_of(result)

    def at(needle: str, words: str) -> None:
        line = line_of(MOODLE_FILE, needle)
        assert any(n == line and words in m for n, m in found), (line, words, found)

    at('<question type="multichoice">', "idnumber 'Not An Id!' is not a bank id")
    at(
        '<questiontext format="html"><text><![CDATA[',
        "media left out of <questiontext>: @@PLUGINFILE@@/a.png",
    )
    at('<answer fraction="50" format="html">', "partial credit (50%) left out")
    at("<partiallycorrectfeedback", "partially-correct feedback left out")
    at('<hint format="html">', "1 hint left out")
    at('<answer fraction="50"><text>200', "answer '200' (50%) left out")
    at("<unit><multiplier>0.01", "unit 'hundreds' left out")
    at('<question type="shortanswer">', "case-sensitive matching is not carried")
    at('<answer fraction="100"><text>Sar*', "wildcard answer 'Sar*' left out")
    at(
        '<subquestion format="html"><text></text>',
        "extra answer 'A distractor' (a distractor) left out",
    )
    at('<question type="essay">', "essay <graderinfo> left out")
    at(
        '<question type="description">',
        "a description (text with no answer) is not a question; skipped",
    )
    at(
        '<question type="category">\n    <category><text>$course$/top/Safeguarding Basics/Online',
        "category changes to",
    )
    questions_with_a_placeholder = [m for _, m in found if "placeholder" in m]
    assert len(questions_with_a_placeholder) == 4  # tf, short answer, matching, second


def test_an_unknown_question_type_is_skipped_with_its_line():
    text = quiz('<question type="ddwtos"><name><text>Drag</text></name></question>')
    result = parse(text)
    assert warnings_of(result)[0] == (3, "question type 'ddwtos' has no bank equivalent; skipped")


def test_single_false_or_empty_is_multiple_and_several_full_marks_make_multiple():
    def one(single: str, fractions: tuple[str, ...]) -> dict:
        answers = "".join(
            f'<answer fraction="{f}"><text>opt {i}</text></answer>' for i, f in enumerate(fractions)
        )
        text = quiz(
            f'<question type="multichoice"><name><text>x</text></name><questiontext><text>Q?</text>'
            f"</questiontext><single>{single}</single>{answers}</question>"
        )
        return parse(text).bank["questions"][0]

    assert one("false", ("50", "50", "-100"))["type"] == "multiple"
    assert one("", ("50", "50", "0"))["type"] == "multiple"
    assert one("true", ("100", "100", "0"))["type"] == "multiple"
    chosen = one("false", ("50", "50", "-100"))
    assert [o.get("correct", False) for o in chosen["options"]] == [True, True, False]


# --- writing what Moodle reads ---------------------------------------------------------------

# The elements Moodle's importer (question/format/xml/format.php) reads for each type, in the
# order its exporter writes them.
MOODLE_ELEMENTS = {
    "multichoice": [
        "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
        "idnumber", "single", "shuffleanswers", "answernumbering", "showstandardinstruction",
        "correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "shownumcorrect",
        "answer",
    ],
    "truefalse": ["name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber", "answer"],
    "numerical": [
        "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
        "idnumber", "answer", "units", "unitgradingtype", "unitpenalty", "showunits", "unitsleft",
    ],
    "shortanswer": ["name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber", "usecase", "answer"],
    "matching": [
        "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
        "idnumber", "shuffleanswers", "correctfeedback", "partiallycorrectfeedback",
        "incorrectfeedback", "shownumcorrect", "subquestion",
    ],
    "essay": [
        "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
        "idnumber", "responseformat", "responserequired", "responsefieldlines", "minwordlimit",
        "maxwordlimit", "attachments", "attachmentsrequired", "maxbytes", "filetypeslist",
        "graderinfo", "responsetemplate",
    ],
}  # fmt: skip
TEXT_FORMATS = {"html", "moodle_auto_format", "plain_text", "markdown"}


def collapse(tags: list[str]) -> list[str]:
    return [t for i, t in enumerate(tags) if i == 0 or tags[i - 1] != t]


@pytest.mark.parametrize("module", BUNDLED)
def test_the_export_has_the_structure_moodle_reads(module):
    data, _, _ = check_file(BUNDLED_DIR / f"{module}.yaml")
    root = ET.fromstring(bank_to_moodle_xml(data))
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/top/{module}"
    assert len(questions) == len(data["questions"]) + len(data["reflections"])
    for question in questions:
        kind = question.get("type")
        tags = collapse([child.tag for child in question if child.tag != "tags"])
        assert [t for t in tags if t != "units"] == [
            t for t in MOODLE_ELEMENTS[kind] if t != "units"
        ]
        for element in question.iter():
            if element.get("format") is not None:
                assert element.get("format") in TEXT_FORMATS
                assert element.find("text") is not None, (kind, element.tag)
        for answer in question.findall("answer"):
            float(answer.get("fraction"))
            assert answer.find("text") is not None
        for sub in question.findall("subquestion"):
            assert sub.find("text") is not None and sub.find("answer/text") is not None


def test_multiple_answer_fractions_sum_to_full_marks():
    root = ET.fromstring(bank_to_moodle_xml(EVERY_TYPE))
    multiple = root.findall("question")[2]
    fractions = [float(a.get("fraction")) for a in multiple.findall("answer")]
    assert multiple.findtext("single") == "false"
    assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=1e-4)
    assert sum(f for f in fractions if f < 0) == pytest.approx(-100, abs=1e-4)


@pytest.mark.parametrize(
    "bank",
    [EVERY_TYPE, SIMPLE, SCENARIOS, NUMBERS],
    ids=["every", "simple", "scenarios", "numbers"],
)
def test_round_trip_of_test_banks_is_identical_without_problems(bank):
    result = parse_moodle_xml(bank_to_moodle_xml(bank), "exported.xml")
    assert result.problems == []
    assert comparable(result.bank) == comparable(bank)


def test_revision_and_shuffle_survive_the_round_trip():
    bank = bank_of(
        [
            q("q-a", "true_false", answer=True, revision=3),
            q(
                "q-b",
                "matching",
                pairs=[{"left": "a", "right": "b"}, {"left": "c", "right": "d"}],
                shuffle=False,
            ),
        ]
    )
    back = parse_moodle_xml(bank_to_moodle_xml(bank), "x.xml").bank["questions"]
    assert back[0]["revision"] == 3 and back[1]["shuffle"] is False


# --- through the CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize("module", BUNDLED)
def test_every_bundled_bank_exports_and_imports_back_identically(tmp_path, module):
    xml = tmp_path / f"{module}.xml"
    written = cpd("bank", "export", module, "--format", "moodle-xml", "-o", str(xml))
    assert written.exit_code == 0, written.output
    assert written.stdout.startswith(f"Wrote {xml}: ") and written.stdout.endswith(
        " as Moodle XML.\n"
    )
    assert "Not carried by Moodle XML: module " in written.stderr
    out = tmp_path / f"{module}.yaml"
    imported = cpd("bank", "import", str(xml))
    assert imported.exit_code == 0, imported.output
    assert (
        f"{module}.xml: id: warning: module id {module!r} is already used by a bundled module"
        in imported.output
    )
    original, _, _ = check_file(BUNDLED_DIR / f"{module}.yaml")
    back, _, problems = check_file(out)
    assert [p for p in problems if p.severity == "error"] == []
    assert comparable(back) == comparable(original)


def test_import_is_detected_from_a_quiz_root_and_an_installed_id_is_warned(tmp_path, isolated_home):
    bank = bank_of([q("q-a", "true_false", answer=True)], module_id="my-team")
    installed = tmp_path / "my-team.yaml"
    import yaml

    installed.write_text(yaml.safe_dump(bank))
    assert cpd("bank", "install", str(installed)).exit_code == 0
    source = tmp_path / "export.txt"
    source.write_text(bank_to_moodle_xml(bank))
    result = cpd("bank", "import", str(source), "-o", str(tmp_path / "back.yaml"))
    assert result.exit_code == 0, result.output
    assert (
        "export.txt: id: warning: module id 'my-team' is already used by an installed module; change `id:`"
        in result.output
    )


def test_an_xml_file_or_a_quiz_root_is_read_as_moodle_xml(tmp_path):
    from scr_cpd.content.importing import import_bank

    empty = tmp_path / "quiz.xml"
    empty.write_text("<quiz/>", encoding="utf-8")
    result = import_bank(empty, None)
    assert result.errors == [] and [p.code for p in result.warnings] == ["nothing-imported"]
    sniffed = tmp_path / "quiz.dat"
    sniffed.write_text('<?xml version="1.0"?>\n<!-- from Moodle -->\n<quiz>\n</quiz>\n')
    assert import_bank(sniffed, None).errors == []
    gift = tmp_path / "quiz.gift"
    gift.write_text("<quiz>\n::Q::Is it? {T}\n")
    assert import_bank(gift, None).bank["questions"][0]["type"] == "true_false"


def test_unknown_format_names_moodle_xml():
    result = cpd("bank", "export", "neglect", "--format", "qti")
    assert result.exit_code == 2 and "gift or moodle-xml" in result.output


HOSTILE = {
    "billion-laughs.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>\n<quiz>&j;</quiz>\n",
        "the file declares XML entities",
    ),
    "external.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>&x;</quiz>\n',
        "external.xml: file: the file refers to an external entity or DTD (file:///etc/passwd)",
    ),
    "external-dtd.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://example.invalid/x.dtd">\n<quiz></quiz>\n',
        "external-dtd.xml: file: the file refers to an external entity or DTD",
    ),
    "broken.xml": (
        "<quiz>\n<question type='truefalse'>\n</quiz>\n",
        "broken.xml:3: file: not well-formed XML: mismatched tag",
    ),
    "wrong-root.xml": (
        "<html><body/></html>",
        "wrong-root.xml:1: file: the root element is <html>, not <quiz>",
    ),
    "not-xml.xml": ("Just words.\n", "not-xml.xml:1: file: the file is not XML"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_gets_one_sentence_and_nothing_is_written(tmp_path, name):
    text, expected = HOSTILE[name]
    source = tmp_path / name
    source.write_text(text)
    result = cpd("bank", "import", str(source))
    assert result.exit_code == 1, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.splitlines()) == 2  # the problem, and "nothing written"
    assert not (tmp_path / name).with_suffix(".yaml").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need POSIX")
def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    result = cpd("bank", "import", str(fifo), "--format", "moodle-xml")
    assert result.exit_code == 1 and "not a regular file" in result.output


# --- property: whatever the importer writes validates ------------------------------------------

WORDS = st.sampled_from(
    ["a", "Zoë", "<b>x</b>", "&amp;", "*", "->", " ", "\n", "1.5", "true", "%", "]]&gt;", "\u200b"]
)
TEXT = st.lists(WORDS, max_size=6).map("".join)


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def moodle_question(draw) -> str:
    kind = draw(
        st.sampled_from(
            ["multichoice", "truefalse", "numerical", "shortanswer", "matching", "essay"]
        )
    )
    fmt = draw(st.sampled_from(sorted(TEXT_FORMATS)))
    parts = [
        f"<name><text>{esc(draw(TEXT))}</text></name>",
        f'<questiontext format="{fmt}"><text>{esc(draw(TEXT))}</text></questiontext>',
    ]
    if draw(st.booleans()):
        parts.append(f"<idnumber>{esc(draw(TEXT))}</idnumber>")
    parts.append(f"<single>{draw(st.sampled_from(['true', 'false']))}</single>")
    for _ in range(draw(st.integers(0, 5))):
        fraction = draw(st.sampled_from(["100", "0", "50", "-100", "x"]))
        body = draw(st.sampled_from([esc(draw(TEXT)), "*", "true", "false", "12", "x"]))
        parts.append(
            f'<answer fraction="{fraction}"><text>{body}</text><tolerance>{draw(st.sampled_from(["0", "1", "x"]))}</tolerance><feedback><text>{esc(draw(TEXT))}</text></feedback></answer>'
        )
    for _ in range(draw(st.integers(0, 4))):
        parts.append(
            f'<subquestion format="{fmt}"><text>{esc(draw(TEXT))}</text><answer><text>{esc(draw(TEXT))}</text></answer></subquestion>'
        )
    return f'<question type="{kind}">{"".join(parts)}</question>'


@settings(max_examples=120, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(moodle_question(), min_size=1, max_size=4), TEXT)
def test_whatever_the_importer_writes_validates(questions, category):
    text = quiz(
        f'<question type="category"><category><text>$course$/top/{esc(category)}</text></category></question>',
        *questions,
    )
    result = parse(text)
    if result.bank["questions"]:
        _, problems = validate_bank_data(result.bank, "imported.yaml")
        assert [p for p in problems if p.severity == "error"] == []
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", result.bank["id"])


@settings(
    max_examples=100,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(banks())
def test_any_bank_survives_export_and_import(bank):
    result = parse_moodle_xml(bank_to_moodle_xml(bank), "exported.xml")
    assert result.problems == []
    assert comparable(result.bank) == comparable(bank)
