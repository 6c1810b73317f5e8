"""Reading the answer block of a GIFT question, type by type, as Moodle's importer does:
choices (with weights and feedback), true/false, short answers, numerical answers and matching
pairs. Whatever the bank format cannot hold is reported on the builder with its line."""

from __future__ import annotations

import math
import re
from typing import Any

from scr_cpd.content.formats.builder import BankBuilder
from scr_cpd.content.formats.gift_syntax import (
    WS,
    Block,
    GiftQuestion,
    show,
    span,
    split_format,
    to_plain,
)

_FULL = 99.999  # a weight at or above this is full credit (Moodle writes 100 or 100.0)
_WEIGHT_RE = re.compile(r"%-*\d{1,2}\.?\d*%")
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CHOICE_SPLIT = re.compile(r"[~=]")
_EQUALS = re.compile("=")
Fields = dict[str, Any]
Piece = tuple[int, str, bool]


class AnswerReader:
    """The answer-reading half of the GIFT parser; `out` collects questions and problems."""

    out: BankBuilder

    def _convert(self, raw: str, fmt: str, line: int, where: str) -> tuple[str, str]:
        """(format, plain text) of a piece of GIFT text; media it referred to are reported."""
        fmt, raw = split_format(raw.strip(WS), fmt)
        text, media = to_plain(raw, fmt)
        for ref in media:
            self.out.warn(line, where, f"media left out (the terminal cannot show it): {ref}")
        return fmt, text

    def _render(self, raw: str, fmt: str, line: int, where: str) -> str:
        return self._convert(raw, fmt, line, where)[1]

    # answer pieces

    @staticmethod
    def _pieces(
        block: Block, start: int, end: int, pattern: re.Pattern[str], keep_marker: bool
    ) -> list[Piece]:
        """Moodle's explode(): (line, trimmed piece, had_marker) per answer, the first piece
        dropped when empty. `keep_marker` keeps '=' on choices, like Moodle's "~=" trick."""
        text = block.text
        markers = list(pattern.finditer(text, start, end))
        begins = [start] + [
            m.start() if keep_marker and m.group() == "=" else m.end() for m in markers
        ]
        finishes = [m.start() for m in markers] + [end]
        pieces = []
        for i, (begin, finish) in enumerate(zip(begins, finishes)):
            begin, finish = span(text, begin, finish)
            if i == 0 and begin == finish:
                continue
            pieces.append((block.line_at(begin), text[begin:finish], i > 0))
        return pieces

    def _feedback(self, raw: str | None, fmt: str, line: int, where: str) -> str:
        if raw is None:
            return ""
        if "#" in raw:
            self.out.warn(line, where, "unescaped '#' inside feedback kept as text; write \\#")
        return self._render(raw, fmt, line, where)

    # multiple choice

    def _choice(self, q: GiftQuestion, where: str) -> dict[str, Any] | None:
        pieces = self._pieces(q.block, q.start, q.end, _CHOICE_SPLIT, True)
        if len(pieces) < 2:
            self.out.error(q.line, where, "a choice question needs at least 2 choices")
            return None
        single_mode = "=" in q.answers
        options, weights = [], []
        for line, raw, had_marker in pieces:
            weight, body = self._choice_weight(raw, had_marker, line, where)
            answer, hash_, feedback = body.partition("#")
            option = {"text": self._render(answer, q.fmt, line, where)}
            feedback_text = self._feedback(feedback if hash_ else None, q.fmt, line, where)
            if feedback_text:
                option["feedback"] = feedback_text
            options.append(option)
            weights.append((weight, line))
        return self._choice_fields(q, options, weights, single_mode, where)

    def _choice_weight(
        self, raw: str, had_marker: bool, line: int, where: str
    ) -> tuple[float, str]:
        if raw.startswith("="):
            if _WEIGHT_RE.match(raw, 1):
                self.out.warn(
                    line,
                    where,
                    "a weight after '=' is ignored (the answer counts "
                    "100% and the %..% stays in its text, as in Moodle); use ~%n%",
                )
            return 100.0, raw[1:]
        match = _WEIGHT_RE.match(raw)
        if match:
            return _weight_value(match.group()), raw[match.end() :]
        if not had_marker:
            self.out.warn(
                line,
                where,
                f"choice {raw[:40]!r} has no '=' or '~' in front; read "
                "as a wrong choice (0%), as Moodle does",
            )
        return 0.0, raw

    def _choice_fields(
        self,
        q: GiftQuestion,
        options: list[Fields],
        weights: list[tuple[float, int]],
        single_mode: bool,
        where: str,
    ) -> Fields | None:
        if single_mode:
            correct = [w >= _FULL for w, _ in weights]
            for (w, line), option in zip(weights, options):
                if 0 < w < _FULL:
                    self.out.warn(
                        line,
                        where,
                        f"partial credit {w:g}% on {option['text']!r} "
                        "cannot be expressed; the choice counts as wrong",
                    )
        else:
            correct = [w > 0 for w, _ in weights]
            self._check_all_or_nothing([w for w, _ in weights], q.line, where)
        if not any(correct):
            self.out.error(
                q.line,
                where,
                "no correct choice (no '=' and no positive %weight%); question not imported",
            )
            return None
        for option, is_correct in zip(options, correct):
            if is_correct:
                option["correct"] = True
        kind = "multiple" if not single_mode or sum(correct) > 1 else "single"
        if single_mode and kind == "multiple":
            self.out.warn(
                q.line,
                where,
                f"{sum(correct)} '=' answers (Moodle accepts any one of "
                "them): imported as 'multiple', where all of them must be chosen",
            )
        return {"type": kind, "options": [_ordered_option(o) for o in options]}

    def _check_all_or_nothing(self, weights: list[float], line: int, where: str) -> None:
        positive = [w for w in weights if w > 0]
        if not positive:
            return
        equal = max(positive) - min(positive) < 0.01
        if not equal or abs(sum(positive) - 100) > 0.1:
            shown = ", ".join(f"{w:g}%" for w in weights)
            self.out.warn(
                line,
                where,
                f"partial weights ({shown}) are not all-or-nothing; every "
                "choice with a positive weight now simply counts as correct",
            )

    # true/false

    def _true_false(self, q: GiftQuestion, where: str) -> dict[str, Any]:
        word, *feedbacks = q.answers.split("#", 2)
        fields = {"type": "true_false", "answer": word.strip(WS) in ("T", "TRUE")}
        # Moodle: the first feedback is shown after a wrong answer, the second after a right one.
        for key, raw in zip(("incorrect_feedback", "correct_feedback"), feedbacks):
            text = self._render(raw, q.fmt, q.line, where)
            if text:
                fields[key] = text
        return fields

    # short answer

    def _short_answer(self, q: GiftQuestion, where: str) -> dict[str, Any] | None:
        pieces = self._pieces(q.block, q.start, q.end, _EQUALS, False)
        if pieces and not pieces[0][2]:
            self.out.warn(
                q.line,
                where,
                "the answer has no '=' in front; Moodle reads it as the "
                "one accepted answer, and so does this import",
            )
        accepted: list[str] = []
        correct_feedbacks: list[str] = []
        fields: Fields = {"type": "short_answer"}
        for line, raw, _ in pieces:
            weight, answer, feedback = self._weighted_answer(raw, q.fmt, line, where)
            if answer == "*" and weight < _FULL:
                if feedback:
                    fields["incorrect_feedback"] = feedback
            elif weight < _FULL:
                self.out.warn(
                    line,
                    where,
                    f"answer {answer!r} worth {weight:g}% dropped: only "
                    "full-credit answers can be kept",
                )
            else:
                accepted.extend(self._literal_answer(answer, line, where))
                if feedback:
                    correct_feedbacks.append(feedback)
        accepted = self._unique_answers(accepted, q.line, where)
        if not accepted:
            self.out.error(q.line, where, "no full-credit answer; question not imported")
            return None
        fields["answers"] = accepted
        self._one_correct_feedback(fields, correct_feedbacks, q.line, where)
        return _ordered_short(fields)

    def _weighted_answer(self, raw: str, fmt: str, line: int, where: str) -> tuple[float, str, str]:
        match = _WEIGHT_RE.match(raw)
        weight = _weight_value(match.group()) if match else 100.0
        body = raw[match.end() :] if match else raw
        answer, hash_, feedback = body.partition("#")
        feedback_text = self._feedback(feedback if hash_ else None, fmt, line, where)
        return weight, self._render(answer, fmt, line, where), feedback_text

    def _literal_answer(self, answer: str, line: int, where: str) -> list[str]:
        """Moodle short answers treat '*' as a wildcard and '\\*' as a literal asterisk."""
        if re.search(r"(?<!\\)\*", answer):
            plain = " ".join(re.sub(r"(?<!\\)\*", " ", answer).split())
            plain = plain.replace("\\*", "*")
            self.out.warn(
                line,
                where,
                f"wildcard answer {answer!r} cannot be expressed; "
                + (f"kept as {plain!r}" if plain else "dropped"),
            )
            return [plain] if plain else []
        return [answer.replace("\\*", "*")] if answer else []

    def _unique_answers(self, answers: list[str], line: int, where: str) -> list[str]:
        unique, seen = [], set()
        for answer in answers:
            key = " ".join(answer.lower().split())
            if key in seen:
                self.out.warn(
                    line,
                    where,
                    f"answer {answer!r} repeats another (answers are "
                    "compared ignoring case and spaces); dropped",
                )
                continue
            seen.add(key)
            unique.append(answer)
        return unique

    def _one_correct_feedback(
        self, fields: Fields, feedbacks: list[str], line: int, where: str
    ) -> None:
        distinct = list(dict.fromkeys(feedbacks))
        if distinct:
            fields["correct_feedback"] = distinct[0]
        if len(distinct) > 1:
            self.out.warn(
                line,
                where,
                "accepted answers have different feedback; only the "
                "first is kept, as the correct-answer feedback",
            )

    # numerical

    def _numeric(self, q: GiftQuestion, where: str) -> dict[str, Any] | None:
        text = q.block.text
        start, end = q.start + 1, q.end
        wrong = text.find("~", start, end)
        fields: dict[str, Any] = {"type": "numeric"}
        if wrong != -1:
            _, hash_, raw = text[wrong:end].partition("#")
            feedback = self._render(raw, q.fmt, q.block.line_at(wrong), where) if hash_ else ""
            if feedback:
                fields["incorrect_feedback"] = feedback
            end = wrong
        pieces = self._pieces(q.block, start, end, _EQUALS, False)
        if not pieces:
            self.out.error(q.line, where, "numerical question with no answer; not imported")
            return None
        values = []
        for line, raw, _ in pieces:
            parsed = self._numeric_answer(raw, q.fmt, line, where)
            if parsed is None:
                return None
            values.append((line, *parsed))
        return self._numeric_fields(fields, values, q.line, where)

    def _numeric_answer(
        self, raw: str, fmt: str, line: int, where: str
    ) -> tuple[float, int | float | None, int | float | None, str] | None:
        match = _WEIGHT_RE.match(raw)
        weight = _weight_value(match.group()) if match else 100.0
        body = raw[match.end() :] if match else raw
        value, hash_, feedback = body.partition("#")
        value = show(value).strip(WS)
        answer, tolerance = _number_and_tolerance(value)
        if answer is None and value == "*":
            return weight, None, None, self._feedback(feedback if hash_ else None, fmt, line, where)
        if answer is None or tolerance is None:
            self.out.error(
                line,
                where,
                f"numerical answer {value!r} is not a number, number:"
                "tolerance or min..max; question not imported",
            )
            return None
        if tolerance < 0:
            self.out.warn(line, where, f"negative tolerance in {value!r} made positive")
            tolerance = -tolerance
        return (
            weight,
            answer,
            tolerance,
            self._feedback(feedback if hash_ else None, fmt, line, where),
        )

    def _numeric_fields(
        self, fields: dict[str, Any], values: list[Any], line: int, where: str
    ) -> dict[str, Any] | None:
        kept = None
        for answer_line, weight, answer, tolerance, feedback in values:
            if answer is None:  # '*' = any other answer
                if feedback and "incorrect_feedback" not in fields:
                    fields["incorrect_feedback"] = feedback
            elif weight >= _FULL and kept is None:
                kept = (answer, tolerance, feedback)
            else:
                self.out.warn(
                    answer_line,
                    where,
                    f"numerical answer {_number_text(answer)} "
                    f"(worth {weight:g}%) dropped: a bank question keeps one answer",
                )
        if kept is None:
            self.out.error(line, where, "no full-credit numerical answer; question not imported")
            return None
        answer, tolerance, feedback = kept
        result = {"type": "numeric", "answer": answer, "tolerance": tolerance}
        if feedback:
            result["correct_feedback"] = feedback
        if "incorrect_feedback" in fields:
            result["incorrect_feedback"] = fields["incorrect_feedback"]
        return result

    # matching

    def _matching(self, q: GiftQuestion, where: str) -> dict[str, Any] | None:
        pieces = self._pieces(q.block, q.start, q.end, _EQUALS, False)
        if len(pieces) < 2:
            self.out.error(q.line, where, "a matching question needs at least 2 pairs")
            return None
        pairs = []
        for line, raw, _ in pieces:
            if "->" not in raw:
                self.out.error(
                    line, where, f"matching pair {raw[:40]!r} has no '->'; question not imported"
                )
                return None
            left_raw, _, right_raw = raw.partition("->")
            left = self._render(left_raw, q.fmt, line, where)
            right = show(right_raw).strip(WS)
            if not left or not right:
                self.out.warn(
                    line,
                    where,
                    f"pair with an empty side ({left!r} -> {right!r}) is "
                    "an extra distractor in Moodle; bank pairs cannot hold it; dropped",
                )
                continue
            pairs.append({"left": left, "right": right})
        return {"type": "matching", "pairs": pairs}


# --- small helpers ---------------------------------------------------------------


def _weight_value(weight: str) -> float:
    try:
        return float(weight.strip("%"))
    except ValueError:
        return 0.0


def _number(text: str) -> int | float | None:
    text = text.strip(WS)
    if not _NUMBER_RE.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    value = float(text)
    return value if math.isfinite(value) else None


def _tidy(value: float) -> int | float:
    value = float(f"{value:.12g}")
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _number_and_tolerance(value: str) -> tuple[int | float | None, int | float | None]:
    """Moodle's numerical forms: 'n', 'n:tolerance' and 'min..max' (stored as mid ± half)."""
    marker = value.find("..")
    if marker > 0:
        low, high = _number(value[:marker]), _number(value[marker + 2 :])
        if low is None or high is None:
            return None, None
        middle = (low + high) / 2
        return _tidy(middle), _tidy(high - middle)
    marker = value.find(":")
    if marker > 0:
        return _number(value[:marker]), _number(value[marker + 1 :])
    return _number(value), 0


def _number_text(value: int | float) -> str:
    return str(_tidy(value))


def _ordered_option(option: dict[str, Any]) -> dict[str, Any]:
    ordered = {"text": option["text"]}
    if option.get("correct"):
        ordered["correct"] = True
    if option.get("feedback"):
        ordered["feedback"] = option["feedback"]
    return ordered


def _ordered_short(fields: dict[str, Any]) -> dict[str, Any]:
    keys = ("type", "answers", "correct_feedback", "incorrect_feedback")
    return {k: fields[k] for k in keys if fields.get(k)}
