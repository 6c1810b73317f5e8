"""Moodle XML in: `parse_moodle_xml` reads a `<quiz>` file into a bank dict.

Follows Moodle's importer (question/format/xml/format.php): texts are trimmed, a missing text
format means html, `<single>` is false only for "false" or empty, multichoice answers shuffle
only when `<shuffleanswers>` says so, matching ones unless it says not. Whatever the bank format
cannot hold (hints, partial credit, extra units, media...) is a warning naming the question and
the line of its XML element, never dropped silently.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from scr_cpd.common.text import count, slugify
from scr_cpd.content.errors import Code
from scr_cpd.content.formats.builder import BankBuilder, ImportResult, empty_bank
from scr_cpd.content.formats.html_text import html_to_text, looks_like_html
from scr_cpd.content.formats.moodle_xml_tree import Node, parse_tree
from scr_cpd.content.vocabulary import ID_PATTERN, MAX_ID_LENGTH, MAX_UNIT_LENGTH

Fields = dict[str, Any]
_REVISION_COMMENT = re.compile(r"scr-cpd revision: (\d{1,5})")
_SKIPPED_TYPES = {
    "description": "a description (text with no answer) is not a question",
    "cloze": "embedded-answer (cloze) questions have no bank equivalent",
    "multianswer": "embedded-answer (cloze) questions have no bank equivalent",
}


def parse_moodle_xml(text: str, filename: str) -> ImportResult:
    """Convert Moodle XML text to a `scr-cpd/bank@1` dict; problems are returned, never raised."""
    return _MoodleXmlParser(filename).parse(text)


def category_name(path: str) -> str:
    """The last part of a category path without its `$course$/` context ('//' is a '/')."""
    path = re.sub(r"^\$[a-z]+\$/", "", path.strip())
    parts = re.split(r"(?<!/)/(?!/)", path.strip("/ "))
    return parts[-1].replace("//", "/").strip() if parts else ""


def is_full(fraction: float) -> bool:
    return abs(fraction - 100) < 0.01


class _MoodleXmlParser:
    def __init__(self, filename: str):
        self.out = BankBuilder(filename)
        self.category = ""
        self.categories: list[tuple[str, str]] = []  # (name, title from <info>) in order
        self.category_of: dict[str, str] = {}
        self.where = "question"
        self.line = 1

    def parse(self, text: str) -> ImportResult:
        self.out.source_text(text, entities=True)
        root, line, message = parse_tree(text)
        if root is None or root.tag != "quiz":
            if root is not None:
                line = root.line
                message = f"the root element is <{root.tag}>, not <quiz>: not a Moodle XML file"
            self.out.error(line, "file", message, Code.NOT_IMPORTED)
            return ImportResult(empty_bank(self.out.filename), self.out.problems)
        for node in root.all("question"):
            self._question(node)
        self._tag_categories()
        name, title = self.categories[0] if self.categories else ("", "")
        return self.out.result(slugify(name), title or name)

    # --- categories ------------------------------------------------------------------------

    def _category(self, node: Node) -> None:
        category = node.child("category")
        path = category.inner_text() if category is not None else ""
        name = category_name(path)
        info = node.child("info")
        title = self._text(info, "plain_text") if info is not None else ""
        if self.categories and name != self.category:
            self.out.warn(
                node.line,
                "category",
                f"category changes to {path!r}; a bank is one module, so the questions "
                f"that follow are tagged {slugify(name) or '(nothing)'!r} instead",
            )
        self.category = name
        if name and name not in (n for n, _ in self.categories):
            self.categories.append((name, title))

    def _tag_categories(self) -> None:
        if len(self.categories) < 2:
            return
        for i, question in enumerate(self.out.questions):
            tag = slugify(self.category_of.get(question["id"], ""))
            tags = question.get("tags", [])
            if tag and tag not in tags:
                rest = {k: v for k, v in question.items() if k not in ("id", "type", "tags")}
                self.out.questions[i] = {
                    "id": question["id"],
                    "type": question["type"],
                    "tags": [*tags, tag],
                    **rest,
                }

    # --- one question ----------------------------------------------------------------------

    def _question(self, node: Node) -> None:
        kind = node.attrs.get("type", "")
        if kind == "category":
            self._category(node)
            return
        name = node.child("name")
        title = name.inner_text() if name is not None else ""
        self.where = f"question {title!r}" if title else "question"
        self.line = node.line
        reader = _READERS.get(kind)
        if reader is None:
            why = _SKIPPED_TYPES.get(
                kind, f"question type {kind or '(none)'!r} has no bank equivalent"
            )
            self.out.warn(node.line, self.where, f"{why}; skipped")
            return
        prompt_node = node.child("questiontext")
        fmt = prompt_node.attrs.get("format", "html") if prompt_node is not None else "html"
        prompt = self._text(prompt_node, fmt)
        if kind == "essay":
            self._essay(node, prompt, fmt, title)
            return
        fields = reader(self, node, fmt)
        if fields is None:
            return
        self._add(node, fields, prompt, fmt, title)

    def _add(self, node: Node, fields: Fields, prompt: str, fmt: str, title: str) -> None:
        question: Fields = {"id": "", "type": fields.pop("type")}
        tags = self._tags(node)
        if tags:
            question["tags"] = tags
        question["prompt"] = prompt
        question.update(fields)
        revision = self._revision(node)
        if revision:
            question["revision"] = revision
        question["explanation"] = self._text(node.child("generalfeedback"), fmt)
        question["learning_points"] = []
        self._hints(node, fmt)
        if self.out.add_question(question, node.line, self._id_title(node, title)):
            self.category_of[question["id"]] = self.category

    def _essay(self, node: Node, prompt: str, fmt: str, title: str) -> None:
        for tag in ("generalfeedback", "graderinfo", "responsetemplate"):
            if self._text(node.child(tag), fmt):
                self.out.warn(
                    node.line,
                    self.where,
                    f"essay <{tag}> left out: a reflection prompt has only its prompt",
                )
        self.out.add_reflection(prompt, self._id_title(node, title), node.line)

    def _id_title(self, node: Node, title: str) -> str:
        """The question's <idnumber> when it is a valid bank id, else its name (slugified)."""
        idnumber = node.value("idnumber")
        if not idnumber:
            return title
        if re.fullmatch(ID_PATTERN, idnumber) and len(idnumber) <= MAX_ID_LENGTH:
            return idnumber
        self.out.warn(
            node.line,
            self.where,
            f"idnumber {idnumber!r} is not a bank id (lower-case letters, digits and "
            "hyphens); the id was made from the question's name instead",
        )
        return title

    def _tags(self, node: Node) -> list[str]:
        tags: list[str] = []
        for holder in ("tags", "coursetags"):
            group = node.child(holder)
            for tag in group.all("tag") if group is not None else []:
                slug = slugify(tag.inner_text())
                if slug and slug not in tags:
                    tags.append(slug)
        return tags

    def _revision(self, node: Node) -> int:
        for comment in node.comments:
            match = _REVISION_COMMENT.fullmatch(comment)
            if match and int(match.group(1)) > 1:
                return int(match.group(1))
        return 0

    def _hints(self, node: Node, fmt: str) -> None:
        hints = [h for h in node.all("hint") if self._text(h, fmt)]
        if hints:
            self.out.warn(
                hints[0].line,
                self.where,
                f"{count(len(hints), 'hint')} left out: the bank format has no hints "
                "(put what they say in the explanation or the feedback)",
            )

    # --- texts -----------------------------------------------------------------------------

    def _text(self, node: Node | None, default_fmt: str) -> str:
        """The readable text of an element with a `format` and a `<text>` (html converted)."""
        if node is None:
            return ""
        fmt = node.attrs.get("format", default_fmt)
        raw = node.inner_text()
        if node.all("file"):
            self.out.warn(
                node.line,
                self.where,
                f"{count(len(node.all('file')), 'embedded file')} in <{node.tag}> left out",
            )
        if fmt == "html" or (fmt == "moodle_auto_format" and looks_like_html(raw)):
            raw, media = html_to_text(raw)
            if media:
                self.out.warn(
                    node.line,
                    self.where,
                    f"media left out of <{node.tag}>: {', '.join(media[:3])}",
                )
        return raw.strip()

    def _combined(self, node: Node, fields: Fields, fmt: str) -> None:
        for tag, key in (
            ("correctfeedback", "correct_feedback"),
            ("incorrectfeedback", "incorrect_feedback"),
        ):
            text = self._text(node.child(tag), fmt)
            if text:
                fields[key] = text
        partly = node.child("partiallycorrectfeedback")
        if self._text(partly, fmt):
            self.out.warn(
                partly.line if partly else self.line,
                self.where,
                "partially-correct feedback left out: a bank answer is right or wrong",
            )

    def _answers(self, node: Node) -> list[tuple[Node, float]]:
        answers = []
        for answer in node.all("answer"):
            try:
                fraction = float(answer.attrs.get("fraction", "0"))
            except ValueError:
                fraction = 0.0
                self.out.warn(answer.line, self.where, "answer fraction is not a number; read as 0")
            answers.append((answer, fraction))
        return answers

    def _feedback(self, answer: Node, fmt: str) -> str:
        return self._text(answer.child("feedback"), fmt)

    # --- question types --------------------------------------------------------------------

    def _multichoice(self, node: Node, fmt: str) -> Fields | None:
        single = node.value("single", "true") not in ("false", "", "0")
        answers = self._answers(node)
        full = sum(1 for _, f in answers if is_full(f))
        if single and full > 1:
            self.out.warn(
                node.line,
                self.where,
                f"{full} answers give full marks; read as a multiple-answer question",
            )
            single = False
        options = []
        for answer, fraction in answers:
            correct = is_full(fraction) if single else fraction > 0
            if 0 < fraction < 99.99 and single:
                self.out.warn(
                    answer.line,
                    self.where,
                    f"partial credit ({fraction:g}%) left out: the choice counts as wrong",
                )
            option: Fields = {"text": self._text(answer, fmt)}
            if correct:
                option["correct"] = True
            feedback = self._feedback(answer, fmt)
            if feedback:
                option["feedback"] = feedback
            options.append(option)
        positive = {round(f, 3) for _, f in answers if f > 0}
        if not single and len(positive) > 1:
            self.out.warn(
                node.line,
                self.where,
                "uneven weights read as all-or-nothing: every positive choice counts as right",
            )
        fields: Fields = {"type": "single" if single else "multiple", "options": options}
        self._shuffle(node, fields, "false")
        self._combined(node, fields, fmt)
        return fields

    def _shuffle(self, node: Node, fields: Fields, default: str) -> None:
        if node.value("shuffleanswers", default) in ("false", "0", ""):
            fields["shuffle"] = False

    def _truefalse(self, node: Node, fmt: str) -> Fields | None:
        fields: Fields = {"type": "true_false"}
        feedback: dict[bool, str] = {}
        for answer, fraction in self._answers(node):
            says_true = answer.inner_text().lower() != "false"
            right = is_full(fraction)
            if says_true:
                fields["answer"] = right
            feedback[right] = self._feedback(answer, fmt)
        if "answer" not in fields:
            self.out.error(
                node.line, self.where, "true/false question with no 'true' answer; not imported"
            )
            return None
        if feedback.get(True):
            fields["correct_feedback"] = feedback[True]
        if feedback.get(False):
            fields["incorrect_feedback"] = feedback[False]
        return fields

    def _numerical(self, node: Node, fmt: str) -> Fields | None:
        fields: Fields = {"type": "numeric"}
        for answer, fraction in self._answers(node):
            text = answer.inner_text()
            if text == "*" and not is_full(fraction):
                feedback = self._feedback(answer, fmt)
                if feedback:
                    fields["incorrect_feedback"] = feedback
            elif is_full(fraction) and "answer" not in fields:
                if not self._numeric_answer(answer, text, fields, fmt):
                    return None
            else:
                self.out.warn(
                    answer.line,
                    self.where,
                    f"answer {text!r} ({fraction:g}%) left out: a numeric question has one right answer",
                )
        if "answer" not in fields:
            self.out.error(
                node.line, self.where, "numerical question with no full-marks answer; not imported"
            )
            return None
        self._units(node, fields)
        return fields

    def _numeric_answer(self, answer: Node, text: str, fields: Fields, fmt: str) -> bool:
        try:
            value = float(text)
            tolerance = abs(float(answer.value("tolerance", "0") or "0"))
        except ValueError:
            self.out.error(
                answer.line,
                self.where,
                f"answer {text!r} or its tolerance is not a number; not imported",
            )
            return False
        fields["answer"] = int(value) if value.is_integer() and abs(value) < 1e15 else value
        fields["tolerance"] = int(tolerance) if tolerance.is_integer() else tolerance
        feedback = self._feedback(answer, fmt)
        if feedback:
            fields["correct_feedback"] = feedback
        return True

    def _units(self, node: Node, fields: Fields) -> None:
        group = node.child("units")
        units = group.all("unit") if group is not None else []
        for unit in units:
            name = unit.value("unit_name")
            if unit.value("multiplier", "1") in ("1", "1.0") and name and "unit" not in fields:
                if len(name) <= MAX_UNIT_LENGTH:
                    fields["unit"] = name
                    continue
            self.out.warn(
                unit.line,
                self.where,
                f"unit {name!r} left out: a bank question shows one unit, with multiplier 1",
            )

    def _shortanswer(self, node: Node, fmt: str) -> Fields | None:
        if node.value("usecase", "0") not in ("0", ""):
            self.out.warn(
                node.line,
                self.where,
                "case-sensitive matching is not carried: answers are compared ignoring case",
            )
        fields: Fields = {"type": "short_answer", "answers": []}
        for answer, fraction in self._answers(node):
            text = answer.inner_text()
            if text == "*" and not is_full(fraction):
                if self._feedback(answer, fmt):
                    fields["incorrect_feedback"] = self._feedback(answer, fmt)
            elif not is_full(fraction):
                self.out.warn(
                    answer.line,
                    self.where,
                    f"answer {text!r} ({fraction:g}%) left out: bank answers are right or wrong",
                )
            elif re.search(r"(?<!\\)\*", text):
                self.out.warn(
                    answer.line,
                    self.where,
                    f"wildcard answer {text!r} left out: a bank answer is matched whole",
                )
            else:
                fields["answers"].append(text.replace("\\*", "*"))
                feedback = self._feedback(answer, fmt)
                if feedback and "correct_feedback" not in fields:
                    fields["correct_feedback"] = feedback
        return fields

    def _matching(self, node: Node, fmt: str) -> Fields | None:
        pairs = []
        for sub in node.all("subquestion"):
            left = self._text(sub, fmt)
            answer = sub.child("answer")
            right = answer.inner_text() if answer is not None else ""
            if not left:
                self.out.warn(
                    sub.line,
                    self.where,
                    f"extra answer {right!r} (a distractor) left out: bank pairs are one-to-one",
                )
                continue
            pairs.append({"left": left, "right": right})
        fields: Fields = {"type": "matching", "pairs": pairs}
        self._shuffle(node, fields, "1")
        self._combined(node, fields, fmt)
        return fields

    def _no_reader(self, node: Node, fmt: str) -> Fields | None:  # essay: handled apart
        return None


_READERS: dict[str, Callable[[_MoodleXmlParser, Node, str], Fields | None]] = {
    "multichoice": _MoodleXmlParser._multichoice,
    "truefalse": _MoodleXmlParser._truefalse,
    "numerical": _MoodleXmlParser._numerical,
    "shortanswer": _MoodleXmlParser._shortanswer,
    "matching": _MoodleXmlParser._matching,
    "match": _MoodleXmlParser._matching,
    "essay": _MoodleXmlParser._no_reader,
}
