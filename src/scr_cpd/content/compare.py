"""`cpd bank validate --against OLD`: changes to a bank that would break officers' progress.

Progress is keyed on (module id, question id), and each attempt stores the question's revision
and content hash. So between two versions of a bank:
- a changed module id or question id orphans every earlier answer (error for a rename; a
  removed question is reported as a warning, since retiring a question can be deliberate);
- a question whose right answer changed while its `revision:` stayed the same would let answers
  to the old question count towards the new one (error; a typo fixed in the right option is
  not a change of answer);
- a question whose wording changed (content hash differs) with the same revision is fine for a
  typo fix but not for a change of meaning, so it is reported for the trainer to judge (warning).
"""

from __future__ import annotations

from typing import Any

from scr_cpd.content.errors import Code, Problem
from scr_cpd.content.model import Question, bank_from_dict, normalise_text
from scr_cpd.content.yamlsource import LineMap, line_for


def compare_banks(
    old: dict[str, Any],
    new: dict[str, Any],
    old_name: str,
    new_name: str,
    new_lines: LineMap | None = None,
    old_lines: LineMap | None = None,
) -> list[Problem]:
    """Problems (in the new file) with moving officers from the `old` bank to the `new` one.

    Both must be validated bank data (as `parse_bank_file` returns it).
    """
    new_lines, old_lines = new_lines or {}, old_lines or {}
    problems: list[Problem] = []

    def report(
        index: int | None,
        field: str,
        message: str,
        severity: str = "error",
        at: tuple[Any, ...] = ("id",),
    ) -> None:
        line = line_for(new_lines, ("questions", index) if index is not None else at)
        problems.append(Problem(new_name, line, field, message, severity, Code.PROGRESS_BREAK))

    if old["id"] != new["id"]:
        report(
            None,
            "id",
            f"the module id changed from {old['id']!r} (in {old_name}) to {new['id']!r}: officers' progress is kept under the module id, so all of it would be orphaned; keep the id {old['id']!r}",
        )
    old_questions = {q.id: q for q in bank_from_dict(old).questions}
    new_bank = bank_from_dict(new)
    new_index = {q.id: i for i, q in enumerate(new_bank.questions)}
    added = {q.content_hash: q for q in new_bank.questions if q.id not in old_questions}

    for old_index, (qid, removed) in enumerate(old_questions.items()):
        if qid in new_index:
            continue
        where = (
            f"line {line_for(old_lines, ('questions', old_index))} of {old_name}"
            if old_lines
            else old_name
        )
        renamed = added.get(removed.content_hash)
        if renamed is not None:
            report(
                new_index[renamed.id],
                f"questions.{renamed.id}",
                f"this is question {qid!r} ({where}) under a new id: progress is kept per question id, so officers' answers to it would no longer count; keep the id {qid!r}",
            )
        else:
            report(
                None,
                f"questions.{qid}",
                f"question {qid!r} ({where}) was removed: officers' earlier answers to it stay in their logs but no longer count towards this module",
                "warning",
                at=("questions",),
            )

    for after in new_bank.questions:
        before = old_questions.get(after.id)
        if before is None:
            continue
        index = new_index[after.id]
        field = f"questions.{after.id}"
        if after.revision < before.revision:
            report(
                index,
                f"{field}.revision",
                f"revision went down from {before.revision} to {after.revision}; a revision only ever goes up",
            )
            continue
        if after.revision > before.revision or after.content_hash == before.content_hash:
            continue
        bump = f"bump it to `revision: {before.revision + 1}`"
        answer_change = _answer_change(before, after)
        if answer_change:
            report(
                index,
                field,
                f"{answer_change}, but the revision is still {after.revision}: earlier answers would count towards the changed question; {bump}",
            )
        else:
            report(
                index,
                field,
                f"the wording changed ({', '.join(_wording_changes(before, after))}) but the revision is still {after.revision}: fine for a typo fix; if the meaning changed, {bump}",
                "warning",
            )
    return sorted(problems, key=lambda p: p.line or 0)


def _answer_change(before: Question, after: Question) -> str:
    """How the right answer changed, in words; "" when it did not (or only by a typo's worth)."""
    if before.type != after.type:
        return f"the question type changed from {before.type} to {after.type}"
    old, new = before.correct_response_text(), after.correct_response_text()
    kind = after.type
    if kind in ("single", "multiple"):
        same = sum(o.correct for o in before.options) == sum(
            o.correct for o in after.options
        ) and _close(old, new)
    elif kind == "numeric":
        same = float(before.answer) == float(after.answer)
    elif kind == "short_answer":
        same = bool(
            {normalise_text(a) for a in before.answers} & {normalise_text(a) for a in after.answers}
        )
    elif kind == "matching":
        same = len(before.pairs) == len(after.pairs) and _close(old, new)
    else:
        same = before.answer == after.answer
    return "" if same else f"the right answer changed from {old!r} to {new!r}"


def _close(old: str, new: str) -> bool:
    """The same text give or take a typo fix."""
    import difflib

    return (
        normalise_text(old) == normalise_text(new)
        or difflib.SequenceMatcher(None, old, new).ratio() >= 0.85
    )


def _wording_changes(before: Question, after: Question) -> list[str]:
    changes = []
    if before.prompt != after.prompt:
        changes.append("prompt")
    old_texts = [o.text for o in before.options]
    new_texts = [o.text for o in after.options]
    if old_texts != new_texts:
        changes.append("option order" if sorted(old_texts) == sorted(new_texts) else "options")
    if [(p.left, p.right) for p in before.pairs] != [(p.left, p.right) for p in after.pairs]:
        changes.append("pairs")
    if before.answers != after.answers:
        changes.append("accepted answers")
    if before.tolerance != after.tolerance:
        changes.append("tolerance")
    return changes or ["answer details"]
