"""Moodle GIFT out: `bank_to_gift` writes a bank as a GIFT file Moodle can import, and
`gift_export_problems` lists everything GIFT cannot carry, naming the question."""

from __future__ import annotations

from typing import Any

from scr_cpd.content.formats.gift_syntax import split_format
from scr_cpd.content.formats.losses import export_losses, plain_item_losses

Fields = dict[str, Any]


def bank_to_gift(bank: dict[str, Any]) -> str:
    """A GIFT file Moodle can import. Bank-only fields (learning points, sources, ...) are not
    carried; feedback GIFT has no place for is kept in `// scr-cpd` comments, which Moodle
    ignores and parse_gift reads back. `gift_export_problems` lists everything not carried."""
    blocks = [
        f"$CATEGORY: {bank.get('id', 'imported')}",
        f"// {' '.join(str(bank.get('title', '')).split())}",
    ]
    blocks += [_question_to_gift(q) for q in bank.get("questions", []) if _exportable(q)]
    blocks += [
        f"::{_escape(r['id'])}::[markdown]{_escape(r['prompt'])}{{}}"
        for r in bank.get("reflections", [])
    ]
    return "\n\n".join(blocks) + "\n"


def gift_export_problems(bank: dict[str, Any]) -> list[str]:
    """What `bank_to_gift` cannot hand to Moodle intact, one message per thing."""
    messages = []
    for question in bank.get("questions", []):
        qid = question.get("id", "?")
        for answer in question.get("answers", []) if question["type"] == "short_answer" else []:
            if "->" in answer:
                messages.append(
                    f"{qid}: answer {answer!r} contains '->', which Moodle reads as "
                    "a matching question; left out"
                )
        for pair in question.get("pairs", []) if question["type"] == "matching" else []:
            if "->" in pair["left"]:
                messages.append(
                    f"{qid}: pair {pair['left']!r} contains '->' on its left side, "
                    "which GIFT cannot write; left out"
                )
        if not _exportable(question):
            messages.append(f"{qid}: nothing of the question is left to write; question left out")
        for key in _sidecar_fields(question):
            messages.append(
                f"{qid}: GIFT has no place for {key}; kept as a '// scr-cpd' "
                "comment, which Moodle ignores"
            )
    return messages


def gift_export_losses(bank: Fields) -> list[str]:
    """The bank's own fields that GIFT has no place for (see formats.losses)."""
    return export_losses(bank, _item_losses)


def _item_losses(item: Fields) -> list[str]:
    lost = plain_item_losses(item)
    if item.get("shuffle") is False:
        lost.append("shuffle: false (Moodle's quiz settings decide the order)")
    return lost


def _question_to_gift(question: dict[str, Any]) -> str:
    lines = [f"// [tag:{tag}]" for tag in question.get("tags", [])]
    lines += [
        f"// scr-cpd {key}: {_escape(str(question[key]))}" for key in _sidecar_fields(question)
    ]
    answers = _ANSWER_WRITERS[question["type"]](question)
    lines.append(f"::{_escape(question['id'])}::[markdown]{_escape(question['prompt'])}{answers}")
    return "\n".join(lines)


_SIDECAR_FIELDS = {
    "single": ("correct_feedback", "incorrect_feedback"),
    "multiple": ("correct_feedback", "incorrect_feedback"),
    "matching": ("correct_feedback", "incorrect_feedback"),
    "numeric": ("unit",),
}


def _sidecar_fields(question: dict[str, Any]) -> list[str]:
    keys = list(_SIDECAR_FIELDS.get(question["type"], ()))
    if question["type"] == "short_answer":
        # Any '->' in a block that also holds '=' makes Moodle read it as matching.
        keys += [
            k
            for k in ("correct_feedback", "incorrect_feedback")
            if "->" in str(question.get(k, ""))
        ]
    keys = [key for key in keys if question.get(key)]
    if int(question.get("revision") or 1) > 1:
        keys.append("revision")  # officers' progress depends on it: it must survive a round trip
    return keys


def _short_answers_to_write(question: dict[str, Any]) -> list[str]:
    return [a for a in question["answers"] if "->" not in a]


def _pairs_to_write(question: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in question["pairs"] if "->" not in p["left"]]


def _exportable(question: dict[str, Any]) -> bool:
    if question["type"] == "short_answer":
        return bool(_short_answers_to_write(question))
    if question["type"] == "matching":
        return len(_pairs_to_write(question)) >= 2
    return True


def _escape(text: str) -> str:
    """Moodle's repchar(): backslash doubled, control characters escaped, newlines as \\n."""
    text = str(text).replace("\r", "").replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text(text: str) -> str:
    """Escaped text that cannot be mistaken for a leading [format] tag."""
    guard = "[markdown]" if split_format(str(text), "")[0] else ""
    return guard + _escape(text)


def _feedback_suffix(feedback: str | None) -> str:
    return f"#{_text(feedback)}" if feedback else ""


def _general(question: dict[str, Any]) -> str:
    return f"\t####{_text(question['explanation'])}"


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _single_prefix(option: dict[str, Any]) -> str:
    # After '~' a text starting with '%' would be read as a weight, so give an explicit 0%;
    # after '=' Moodle never reads a weight.
    if option.get("correct"):
        return "="
    return "~%0%" if option["text"].startswith("%") else "~"


def _choices_to_gift(question: dict[str, Any]) -> str:
    options = question["options"]
    if question["type"] == "multiple":
        right = sum(1 for o in options if o.get("correct")) or 1
        wrong = (len(options) - right) or 1
        lines = [
            f"\t~%{_percent(100 / right if o.get('correct') else -100 / wrong)}%"
            f"{_text(o['text'])}{_feedback_suffix(o.get('feedback'))}"
            for o in options
        ]
    else:
        lines = [
            f"\t{_single_prefix(o)}{_text(o['text'])}{_feedback_suffix(o.get('feedback'))}"
            for o in options
        ]
    return "{\n" + "\n".join(lines + [_general(question)]) + "\n}"


def _exact_number(value: int | float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _true_false_to_gift(question: dict[str, Any]) -> str:
    word = "TRUE" if question["answer"] else "FALSE"
    wrong, right = question.get("incorrect_feedback"), question.get("correct_feedback")
    feedback = f"#{_text(wrong) if wrong else ''}" if wrong or right else ""
    feedback += f"#{_text(right)}" if right else ""
    return f"{{{word}{feedback}####{_text(question['explanation'])}}}"


def _numeric_to_gift(question: dict[str, Any]) -> str:
    value = f"{_exact_number(question['answer'])}:{_exact_number(question.get('tolerance', 0))}"
    right, wrong = question.get("correct_feedback"), question.get("incorrect_feedback")
    if not right and not wrong:
        return f"{{#{value}####{_text(question['explanation'])}}}"
    lines = [f"\t={value}{_feedback_suffix(right)}"]
    if wrong:
        lines.append(f"\t~#{_text(wrong)}")
    return "{#\n" + "\n".join(lines + [_general(question)]) + "\n}"


def _short_answer_to_gift(question: dict[str, Any]) -> str:
    inline = {k: v for k, v in question.items() if k.endswith("_feedback") and "->" not in v}
    right = _feedback_suffix(inline.get("correct_feedback"))
    # Moodle short answers read '=%n%' as a weight and '*' as a wildcard ('\\*' is a literal *).
    lines = [
        f"\t={'%100%' if a.startswith('%') else ''}{_text(a)}".replace("*", "\\*") + right
        for a in _short_answers_to_write(question)
    ]
    if inline.get("incorrect_feedback"):
        lines.append(f"\t=%0%*#{_text(inline['incorrect_feedback'])}")
    return "{\n" + "\n".join(lines + [_general(question)]) + "\n}"


def _matching_to_gift(question: dict[str, Any]) -> str:
    lines = [f"\t={_text(p['left'])} -> {_escape(p['right'])}" for p in _pairs_to_write(question)]
    return "{\n" + "\n".join(lines + [_general(question)]) + "\n}"


_ANSWER_WRITERS = {
    "single": _choices_to_gift,
    "multiple": _choices_to_gift,
    "true_false": _true_false_to_gift,
    "numeric": _numeric_to_gift,
    "short_answer": _short_answer_to_gift,
    "matching": _matching_to_gift,
}
