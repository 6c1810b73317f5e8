"""How `cpd review show` prints one log: the verdict first (and a banner when the log is not
valid), then the same view model the Markdown, HTML and PDF renderings use.

Every string from the file goes through scr_cpd.common.text.visible, and text that may span
lines is indented under its label, so nothing an officer wrote can pass for the app's own lines.
"""

from __future__ import annotations

from typing import Any

import typer

from scr_cpd.cli.tables import render_table
from scr_cpd.common.text import count, noun, visible

INDENT = "    "
NOT_VALID_BANNER = (
    "*** NOT VALID: what follows is what the file says, not a log you can rely on. ***"
)
STYLE = {"valid": "green"}


def say(text: str = "", color: str | None = None, plain: bool = True) -> None:
    typer.echo(text if plain or not color else typer.style(text, fg=color, bold=color == "red"))


def verdict_lines(verdict: Any) -> list[tuple[str, str]]:
    """(text, colour) lines: the log's verdict, its review's, and each plausibility flag."""
    lines = [
        (
            f"Verification: {verdict.status}" + (f" — {verdict.detail}" if verdict.detail else ""),
            "green" if verdict.status == "valid" else "red",
        )
    ]
    if verdict.review_status:
        lines.append(
            (
                f"Review signature: {verdict.review_status}"
                + (f" — {verdict.review_detail}" if verdict.review_detail else ""),
                "green" if verdict.review_status == "valid" else "red",
            )
        )
    lines += [(f"Flag: {flag}", "red") for flag in verdict.flags]
    return lines


def print_block(label: str, text: str) -> None:
    """`label first line`, the rest indented: officer text never starts a line of its own."""
    first, *rest = visible(text, multiline=True).split("\n")
    typer.echo(f"{label} {first}".rstrip())
    for more in rest:
        typer.echo(f"{INDENT}{more}".rstrip())


def heading(text: str) -> None:
    typer.echo()
    typer.echo(text)
    typer.echo("-" * len(text))


def print_log(doc: dict[str, Any], verdict: Any, plain: bool) -> None:
    from scr_cpd.progress.log.render.view import build_view, reflection_label

    for text, color in verdict_lines(verdict):
        say(visible(text), color, plain)
    if not verdict.ok:
        say(NOT_VALID_BANNER, "red", plain)
    view = build_view(doc)
    typer.echo()
    typer.echo(visible(f"CPD log of {view.officer or '(no name given)'}"))
    for facts in (view.details[1:4], view.details[4:]):
        typer.echo(visible(" · ".join(f"{f.label}: {f.value}" for f in facts)))
    typer.echo(visible(" · ".join(f"{f.label}: {f.value}" for f in view.totals)))
    typer.echo(visible(f"Key fingerprint: {view.fingerprint}"))
    heading(f"Modules ({len(view.modules)})")
    for line in render_table(
        ("Module", "Status", "Best score", "Attempts", "Time"),
        view.modules,
        right={"Best score", "Attempts", "Time"},
        rule=False,
    ):
        typer.echo(line)
    comments: dict[str, list[str]] = {}
    for fact in view.review.comments if view.review else []:
        comments.setdefault(fact.label, []).append(fact.value)
    numbers = {r.ref: r.number for r in view.reflections}
    _print_reflections(view, comments, numbers, reflection_label)
    _print_identifiers(view)
    if view.review:
        _print_review(view.review, verdict, comments, numbers, reflection_label)


def _print_reflections(view: Any, comments: dict[str, list[str]], numbers: Any, label: Any) -> None:
    heading(f"Reflections ({len(view.reflections)})")
    if not view.reflections:
        typer.echo("No reflections in this log.")
    for r in view.reflections:
        typer.echo()
        typer.echo(visible(r.heading))
        typer.echo(visible(r.meta))
        print_block("Prompt:", r.prompt)
        for part in r.parts:
            print_block(part.label, part.text)
        if r.learning_points:
            typer.echo("Learning points:")
            for point in r.learning_points:
                typer.echo(f"  - {visible(point)}")
        if r.tags:
            typer.echo(visible("Tags: " + ", ".join(r.tags)))
        for comment in comments.pop(label(r.ref, numbers), []):
            print_block("Supervisor's comment:", comment)


def _print_identifiers(view: Any) -> None:
    if not view.identifiers:
        return
    kept = sum(row[3] == "kept" for row in view.identifiers)
    typer.echo()
    typer.echo(
        f"At export, {count(len(view.identifiers), 'passage')} looked as if "
        f"{noun(len(view.identifiers), 'it', 'they')} could identify a child, "
        f"family or case ({len(view.identifiers) - kept} masked, {kept} kept by the officer):"
    )
    for where, part, kind, state in view.identifiers:
        typer.echo(visible(f"  - {where}, {part}: {kind} ({state})"))


def _print_review(
    review: Any, verdict: Any, stray: dict[str, list[str]], numbers: Any, label: Any
) -> None:
    heading("Supervisor review")
    if verdict.review_status != "valid":
        typer.echo(
            visible(f"(the review's signature is {verdict.review_status}: read it with care)")
        )
    facts = {f.label: f.value for f in review.facts}
    signer = verdict.reviewer or (
        "a supervisor's key trusted under another name than the review gives"
        if verdict.review_status == "identity mismatch"
        else "a key you do not trust as a supervisor"
    )
    typer.echo(
        visible(f"Outcome: {review.outcome} · signed off by {signer} · {facts.get('Date', '')}")
    )
    typer.echo(
        visible(
            " · ".join(
                f"{name}: {facts.get(name, '')}"
                for name in ("Supervisor", "Role", "Force", "Staff number")
            )
            + " (as written in the file)"
        )
    )
    if review.comment:
        print_block("Comment:", review.comment)
    for where, texts in stray.items():
        for text in texts:
            print_block(f"On {where} (not in this log):", text)
    comments = len(review.comments) - sum(len(t) for t in stray.values())
    if comments:
        typer.echo(
            f"{count(comments, 'comment')} on reflections, shown with each reflection above."
        )
