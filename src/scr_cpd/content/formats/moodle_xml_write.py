"""Moodle XML out: `bank_to_moodle_xml` writes a bank as a `<quiz>` file Moodle imports, with
the elements and order of Moodle's own exporter (question/format/xml/format.php), and
`moodle_xml_export_losses` lists the bank's own fields Moodle has no place for.

Texts are written in Moodle's markdown format, so what an officer reads is what Moodle shows.
The module becomes a `$course$/top/<id>` category with the title as its description; a
question's id is its name and its idnumber; a revision above 1 is kept in an XML comment,
which Moodle ignores and `parse_moodle_xml` reads back.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from scr_cpd.content.formats.losses import export_losses

Fields = dict[str, Any]
_TEXT_FORMAT = "markdown"


def bank_to_moodle_xml(bank: Fields) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    out += _category(bank)
    for number, question in enumerate(bank.get("questions") or [], 1):
        out.append(f"<!-- question: {number}  -->")
        out += _QUESTION_WRITERS[question["type"]](question)
    for reflection in bank.get("reflections") or []:
        out += _essay(reflection)
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def moodle_xml_export_losses(bank: Fields) -> list[str]:
    """The bank's own fields Moodle XML has no place for: learning points and sources."""
    return export_losses(bank)


# --- pieces ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return f"<text>{escape(str(value))}</text>"


def _rich(tag: str, value: Any, indent: str = "    ", fmt: str = _TEXT_FORMAT) -> list[str]:
    return [
        f"{indent}<{tag} format={quoteattr(fmt)}>",
        f"{indent}  {_text(value or '')}",
        f"{indent}</{tag}>",
    ]


def _simple(tag: str, value: Any, indent: str = "    ") -> str:
    return f"{indent}<{tag}>{escape(str(value))}</{tag}>"


def _category(bank: Fields) -> list[str]:
    return [
        "<!-- question: 0  -->",
        '  <question type="category">',
        "    <category>",
        f"      {_text('$course$/top/' + str(bank.get('id', 'imported')))}",
        "    </category>",
        *_rich("info", " ".join(str(bank.get("title", "")).split()), fmt="plain_text"),
        "    <idnumber></idnumber>",
        "  </question>",
    ]


def _header(
    question: Fields, kind: str, grade: str = "1.0000000", penalty: str = "0.3333333"
) -> list[str]:
    lines = [
        f'  <question type="{kind}">',
        "    <name>",
        f"      {_text(question['id'])}",
        "    </name>",
    ]
    revision = int(question.get("revision") or 1)
    if revision > 1:
        lines.append(f"    <!-- scr-cpd revision: {revision} -->")
    lines += _rich("questiontext", question["prompt"])
    lines += _rich("generalfeedback", question.get("explanation", ""))
    lines += [
        _simple("defaultgrade", grade),
        _simple("penalty", penalty),
        _simple("hidden", 0),
        _simple("idnumber", question["id"]),
    ]
    return lines


def _footer(question: Fields) -> list[str]:
    tags = question.get("tags") or []
    lines = (
        ["    <tags>", *(f"      <tag>{_text(tag)}</tag>" for tag in tags), "    </tags>"]
        if tags
        else []
    )
    return lines + ["  </question>"]


def _combined(question: Fields) -> list[str]:
    return [
        *_rich("correctfeedback", question.get("correct_feedback", "")),
        *_rich("partiallycorrectfeedback", ""),
        *_rich("incorrectfeedback", question.get("incorrect_feedback", "")),
        "    <shownumcorrect/>",
    ]


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _answer(
    fraction: str, text: Any, feedback: Any, fmt: str = _TEXT_FORMAT, extra: tuple[str, ...] = ()
) -> list[str]:
    return [
        f'    <answer fraction="{fraction}" format={quoteattr(fmt)}>',
        f"      {_text(text)}",
        *_rich("feedback", feedback or "", "      "),
        *extra,
        "    </answer>",
    ]


def _percent(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _multichoice(question: Fields) -> list[str]:
    options = question["options"]
    single = question["type"] == "single"
    right = sum(1 for o in options if o.get("correct")) or 1
    wrong = (len(options) - right) or 1
    lines = _header(question, "multichoice")
    lines += [
        _simple("single", _bool(single)),
        _simple("shuffleanswers", _bool(question.get("shuffle", True) is not False)),
        _simple("answernumbering", "abc"),
        _simple("showstandardinstruction", 0),
        *_combined(question),
    ]
    for option in options:
        if single:
            fraction = "100" if option.get("correct") else "0"
        else:
            fraction = _percent(100 / right if option.get("correct") else -100 / wrong)
        lines += _answer(fraction, option["text"], option.get("feedback"))
    return lines + _footer(question)


def _truefalse(question: Fields) -> list[str]:
    lines = _header(question, "truefalse", penalty="1.0000000")
    truth = bool(question["answer"])
    for word, value in (("true", True), ("false", False)):
        right = value == truth
        feedback = question.get("correct_feedback" if right else "incorrect_feedback")
        lines += _answer("100" if right else "0", word, feedback, "moodle_auto_format")
    return lines + _footer(question)


def _number(value: Any) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _numerical(question: Fields) -> list[str]:
    lines = _header(question, "numerical")
    tolerance = (f"      <tolerance>{_number(question.get('tolerance', 0))}</tolerance>",)
    lines += _answer(
        "100",
        _number(question["answer"]),
        question.get("correct_feedback"),
        "moodle_auto_format",
        tolerance,
    )
    if question.get("incorrect_feedback"):
        lines += _answer(
            "0",
            "*",
            question["incorrect_feedback"],
            "moodle_auto_format",
            ("      <tolerance>0</tolerance>",),
        )
    if question.get("unit"):
        lines += [
            "    <units>",
            "      <unit>",
            "        <multiplier>1</multiplier>",
            f"        {_simple('unit_name', question['unit'], '')}",
            "      </unit>",
            "    </units>",
        ]
    lines += [
        _simple("unitgradingtype", 0),
        _simple("unitpenalty", "0.1000000"),
        _simple("showunits", 0 if question.get("unit") else 3),
        _simple("unitsleft", 0),
    ]
    return lines + _footer(question)


def _shortanswer(question: Fields) -> list[str]:
    lines = _header(question, "shortanswer")
    lines.append(_simple("usecase", 0))
    for answer in question["answers"]:
        # Moodle reads '*' as a wildcard and '\*' as a literal asterisk.
        lines += _answer(
            "100",
            answer.replace("*", "\\*"),
            question.get("correct_feedback"),
            "moodle_auto_format",
        )
    if question.get("incorrect_feedback"):
        lines += _answer("0", "*", question["incorrect_feedback"], "moodle_auto_format")
    return lines + _footer(question)


def _matching(question: Fields) -> list[str]:
    lines = _header(question, "matching")
    lines.append(_simple("shuffleanswers", _bool(question.get("shuffle", True) is not False)))
    lines += _combined(question)
    for pair in question["pairs"]:
        lines += [
            f"    <subquestion format={quoteattr(_TEXT_FORMAT)}>",
            f"      {_text(pair['left'])}",
            "      <answer>",
            f"        {_text(pair['right'])}",
            "      </answer>",
            "    </subquestion>",
        ]
    return lines + _footer(question)


def _essay(reflection: Fields) -> list[str]:
    lines = _header({**reflection, "explanation": ""}, "essay", penalty="0.0000000")
    lines += [
        _simple("responseformat", "editor"),
        _simple("responserequired", 1),
        _simple("responsefieldlines", 15),
        _simple("minwordlimit", ""),
        _simple("maxwordlimit", ""),
        _simple("attachments", 0),
        _simple("attachmentsrequired", 0),
        _simple("maxbytes", 0),
        _simple("filetypeslist", ""),
        *_rich("graderinfo", "", fmt="html"),
        *_rich("responsetemplate", "", fmt="html"),
    ]
    return lines + ["  </question>"]


_QUESTION_WRITERS = {
    "single": _multichoice,
    "multiple": _multichoice,
    "true_false": _truefalse,
    "numeric": _numerical,
    "short_answer": _shortanswer,
    "matching": _matching,
}
