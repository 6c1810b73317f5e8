"""What both modes print around a question: its heading, and the feedback after an answer.

Feedback says right or wrong in words and a symbol (never colour alone); names, once, what was
right, what was wrong and what was missed, per option and per pair; then why, and where the
briefing teaches it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scr_cpd.cli.console import print_indented, safe
from scr_cpd.progress.quiz import Feedback, Presented

if TYPE_CHECKING:
    from rich.console import Console

KINDS = {
    "single": "Choose one",
    "multiple": "Choose all that apply",
    "true_false": "True or false",
    "numeric": "Type a number",
    "short_answer": "Type a short answer",
    "matching": "Match each item",
}


def question_heading(p: Presented) -> str:
    return f"Question {p.number} of {p.total} · {KINDS[p.question.type]}"


def _styled(text: str, style: str, plain: bool) -> str:
    return text if plain else f"[{style}]{text}[/]"


def print_feedback(console: Console, fb: Feedback, plain: bool) -> None:
    """The verdict, what was right/wrong/missed, the blind-spot note, why, and the citation."""
    console.print()
    verdict = ("Correct ✓", "bold green") if fb.correct else ("Incorrect ✗", "bold red")
    console.print(_styled(*verdict, plain))
    for line in answer_lines(fb):
        print_indented(console, safe(line))
    if fb.general_feedback:
        console.print(safe(fb.general_feedback))
    if fb.confidence == "sure" and not fb.correct:
        console.print(
            _styled("Blind spot:", "yellow", plain)
            + " you were sure, and it was wrong. Worth a reflection at the end."
        )
    console.print(_styled("Why:", "bold", plain) + " " + safe(fb.question.explanation))
    console.print(_styled(safe(str(fb.question.citation)), "dim", plain))
    console.print()


def answer_lines(fb: Feedback) -> list[str]:
    """The lines between the verdict and the explanation, by question type."""
    kind = fb.question.type
    if kind == "single":
        return _single(fb)
    if kind == "multiple":
        return _multiple(fb)
    if kind == "matching":
        return _matching(fb)
    # true/false, a number, a short answer: what was typed is on screen already.
    return [] if fb.correct else [f"The answer: {fb.question.correct_response_text()}"]


def _single(fb: Feedback) -> list[str]:
    q = fb.question
    chosen = q.options[fb.response]
    lines = [f"You answered: {chosen.text}"]
    if chosen.feedback:
        lines.append(f"  {chosen.feedback}")
    if not fb.correct:
        right = next(o for o in q.options if o.correct)
        lines.append(f"The answer: {right.text}")
        if right.feedback:
            lines.append(f"  {right.feedback}")
    return lines


def _multiple(fb: Feedback) -> list[str]:
    """Each option that matters, in the order shown: chosen and right, chosen but wrong, or a
    right one that was missed. Options rightly left alone are not repeated."""
    q = fb.question
    lines = ["Your choices:"]
    for i in fb.presented.option_order:
        option, picked = q.options[i], i in fb.response
        if picked and option.correct:
            mark, note = "✓", "chosen, and right"
        elif picked:
            mark, note = "✗", "chosen, but not right"
        elif option.correct:
            mark, note = "✗", "missed: this one is right too"
        else:
            continue
        why = f" {option.feedback}" if option.feedback else ""
        lines.append(f"  {mark} {option.text} — {note}.{why}")
    return lines


def _matching(fb: Feedback) -> list[str]:
    q = fb.question
    lines = ["Your matches:"]
    for n, (pair, given) in enumerate(zip(q.pairs, fb.response)):
        if given == n:
            lines.append(f"  ✓ {pair.left} → {pair.right}")
        else:
            lines.append(f"  ✗ {pair.left} → {q.pairs[given].right}; the match is {pair.right}")
    return lines
