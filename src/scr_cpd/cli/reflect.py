"""Reflections: `cpd reflect [MODULE]` and `cpd reflections list|show|edit|delete|follow-up`."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, List, Optional

import typer

from scr_cpd.cli.console import safe
from scr_cpd.cli.env import Env, UserError, get_env
from scr_cpd.cli.follow_up import STOPPED, follow_up

app = typer.Typer(help="List, read, edit or delete your reflections.", no_args_is_help=True)
FIELD_OPTION = {"what": "what", "so-what": "so_what", "now-what": "now_what"}


def register(root: typer.Typer) -> None:
    root.command("reflect")(reflect)
    root.add_typer(app, name="reflections")


def reflect(
    ctx: typer.Context,
    module: Optional[str] = typer.Argument(
        None, help="Module id; leave out to choose, or to write a free reflection."
    ),
    editor: bool = typer.Option(
        False, "--editor", help="Write each answer in $EDITOR instead of the terminal."
    ),
    tag: List[str] = typer.Option(
        [],
        "--tag",
        help="Competency and Values Framework tag (repeatable); see `cpd reflections tags`.",
    ),
) -> None:
    """Write a reflection: What? So what? Now what? Each answer is saved as soon as you finish it."""

    env = get_env(ctx)
    reflect_interactively(env, env.bank(module) if module else None, editor=editor, tags=tag)


BACK = "back"


def reflect_interactively(
    env: Env, bank: Any = None, editor: bool = False, tags: list[str] | None = None
) -> None:
    """Choose a module (unless given) and a prompt, then write the three answers."""
    from scr_cpd.progress.quiz import Stop

    try:
        if bank is None:
            bank = _choose_module(env)
            if bank == BACK:
                return
        prompt = _choose_prompt(env, bank)
        if prompt is None:
            return
        write_reflection(env, bank, prompt, editor=editor, tags=tags)
    except Stop:
        env.console().print(STOPPED)


def offer_reflection(env: Env, bank: Any, suggestions: list[str] | None = None) -> None:
    """At the end of a module: offer a reflection, blind spots first."""
    from scr_cpd.progress.quiz import Stop

    ui = env.ui()
    try:
        if not ui.confirm("Write a reflection for your CPD log now?", default=True):
            env.console().print(f"You can reflect later with `cpd reflect {bank.id}`.")
            return
        prompt = _choose_prompt(env, bank, suggestions or [])
        if prompt is not None:
            write_reflection(env, bank, prompt)
    except Stop:
        env.console().print(STOPPED)


def _choose_module(env: Env) -> Any:
    ui = env.ui()
    choices = [(b.title, b) for b in env.library.ordered()]
    choices += [("A free reflection (no module)", None), ("Back", BACK)]
    return ui.choose("Which module is this reflection about?", choices)


def _choose_prompt(
    env: Env, bank: Any, suggestions: list[str] | tuple[str, ...] = ()
) -> tuple[str, str | None, list[str]] | None:
    """(prompt text, prompt id, learning point ids), or None to go back."""
    ui = env.ui()
    choices: list[tuple[str, Any]] = [(f"Blind spot: {s}", (s, None, [])) for s in suggestions]
    if bank is not None:
        choices += [(r.prompt, (r.prompt, r.id, list(r.learning_points))) for r in bank.reflections]
    choices += [("Write my own prompt", "own"), ("Back", BACK)]
    picked = ui.choose("Choose a prompt:", choices, one_line_echo=True)  # shown whole next
    if picked == BACK:
        return None
    if picked == "own":
        text = ui.text("What is this reflection about? (one line)", multiline=False)
        if not text:
            return None
        return (text, None, [])
    return picked  # type: ignore[no-any-return]


def write_reflection(
    env: Env,
    bank: Any,
    prompt: tuple[str, str | None, list[str]],
    editor: bool = False,
    tags: list[str] | None = None,
) -> str | None:
    """Ask What? So what? Now what?, saving each answer as it is finished (and, on Ctrl-C,
    the one being written as far as it got). The reflection is created with its first answer,
    so a killed or stopped run never leaves a blank one."""
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    console = env.console()
    text, prompt_id, points = prompt
    try:
        rf.check_tags(tags or [])
    except rf.ReflectionError as exc:
        raise UserError(str(exc), 2) from None
    console.print(f"\n{safe(text)}")
    console.print("Do not name or otherwise identify children, families or cases.")
    uid: str | None = None

    def save(field: str, answer: str, seconds: float) -> str:
        if uid is None:  # the reflection is made with its first answer
            module_id = bank.id if bank else None
            made = (field, answer, seconds)
            return rf.create(env.store, text, module_id, prompt_id, points, tags, made)
        rf.save_field(env.store, uid, field, answer, seconds)
        return uid

    for field in rf.FIELDS:
        try:
            answer, seconds = _ask_field(env, field, editor)
        except Stop as stop:
            if stop.written:  # stopped part-way through an answer: keep what was typed
                uid = save(field, stop.written, stop.seconds)
                _say_kept(env, uid, field)
            raise
        if uid is None and not answer:
            continue
        uid = save(field, answer, seconds)
        _check_identifiers(env, uid, field, editor)
    if uid is None:
        console.print("Nothing was written, so no reflection was kept.")
        return None
    if not tags:
        _ask_tags(env, uid)
    console.print(f"Saved reflection {uid}. See it with `cpd reflections show {uid}`.")
    return uid


def finish_reflection(env: Env, uid: str, editor: bool = False) -> None:
    """Ask the answers a reflection stopped part-way is still missing."""
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    entry = rf.get(env.store, uid)
    env.console().print(f"\n{safe(entry.prompt)}")
    try:
        for field in entry.missing:
            _write_field(env, uid, field, editor)
    except Stop:
        env.console().print(STOPPED)
        return
    env.console().print(f"Saved reflection {uid}. See it with `cpd reflections show {uid}`.")


def _ask_field(env: Env, field: str, editor: bool, current: str = "") -> tuple[str, float]:
    """One answer, and the seconds spent writing it; the current text to start from, if any."""
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    started = time.monotonic()
    label = rf.FIELD_LABELS[field]
    if editor:
        text = edit_in_editor(label, current)
    else:
        if current and env.plain:
            env.console().print(f"Current text:\n{safe(current)}\n(An empty answer keeps it.)")
        try:
            text = env.ui().text(label, default=current)
        except Stop as stop:
            stop.seconds = time.monotonic() - started
            raise
        if not text and current:
            text = current
    return text, time.monotonic() - started


def _write_field(env: Env, uid: str, field: str, editor: bool, current: str = "") -> None:
    """Ask one answer, save it at once, then check it for what may identify someone."""
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    try:
        text, seconds = _ask_field(env, field, editor, current)
    except Stop as stop:
        # An answer written from nothing is kept as far as it got; Ctrl-C while changing a
        # written one leaves it as it was.
        if stop.written and not current:
            rf.save_field(env.store, uid, field, stop.written, stop.seconds)
            _say_kept(env, uid, field)
        raise
    if text == current and current:
        return
    rf.save_field(env.store, uid, field, text, seconds)
    _check_identifiers(env, uid, field, editor)


def _say_kept(env: Env, uid: str, field: str) -> None:
    from scr_cpd.progress import reflections as rf

    option = next(name for name, f in FIELD_OPTION.items() if f == field)
    env.console().print(
        f"Kept what you had written for “{rf.FIELD_LABELS[field].split('?')[0]}?”; add to it"
        f" with `cpd reflections edit {uid} --field {option}`."
    )


def _check_identifiers(env: Env, uid: str, field: str, editor: bool) -> None:
    """Warn as soon as an answer looks like it identifies someone; offer to edit it (starting
    from what was written) or keep it."""
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.pii import describe, find_identifiers

    for _ in range(3):
        current = rf.get(env.store, uid).text(field)
        found = find_identifiers(current)
        if not found:
            return
        label = rf.FIELD_LABELS[field].split("?")[0]
        env.console().print(f"Warning — {label}?: {safe(describe(found))}")
        if not env.ui().confirm(
            "Edit it now? (No keeps it as written; an export can mask it for you.)",
            default=True,
        ):
            return
        text, seconds = _ask_field(env, field, editor, current)
        rf.save_field(env.store, uid, field, text, seconds)


def _ask_tags(env: Env, uid: str) -> None:
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    ui = env.ui()
    names = list(rf.CVF_TAGS)
    try:
        picked = ui.pick_many(
            "Competency and Values Framework tags (optional):", [rf.CVF_TAGS[t] for t in names]
        )
    except Stop:
        return
    tags = [names[n] for n in picked]
    if tags:
        rf.set_tags(env.store, uid, tags)


def _editor_command(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError as exc:  # an unbalanced quote
        raise UserError(
            f"cannot read the EDITOR setting {command!r} ({exc}); fix EDITOR", 2
        ) from None
    if not words:
        raise UserError("EDITOR is empty; set it to an editor, for example EDITOR=nano", 2)
    return words


def edit_in_editor(label: str, current: str = "") -> str:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        raise UserError(
            "--editor needs the EDITOR environment variable (for example EDITOR=nano)", 2
        )
    header = f"# {label}\n# Lines starting with # are ignored. Save and close the editor when you are done.\n"
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as handle:
        handle.write(header + current)
        path = Path(handle.name)
    try:
        os.chmod(path, 0o600)
        result = subprocess.run([*_editor_command(command), str(path)])
        if result.returncode != 0:
            raise UserError(
                f"the editor ({command}) exited with status {result.returncode}; nothing was changed"
            )
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise UserError(f"cannot start the editor {command!r}; check EDITOR") from None
    finally:
        path.unlink(missing_ok=True)
    return "\n".join(line for line in lines if not line.startswith("#")).strip()


# --- cpd reflections ... ---------------------------------------------------------------------


def _entry(env: Env, uid: str) -> Any:
    from scr_cpd.progress import reflections as rf

    try:
        return rf.get(env.store, uid)
    except rf.ReflectionError as exc:
        raise UserError(str(exc), 1) from None


@app.command("list")
def list_reflections(
    ctx: typer.Context,
    module: Optional[str] = typer.Option(None, "--module", help="Only this module."),
) -> None:
    """Your reflections, newest last."""
    from scr_cpd.cli.env import print_table
    from scr_cpd.common.text import one_line, shorten
    from scr_cpd.progress import reflections as rf

    env = get_env(ctx)
    entries = rf.all_entries(env.store, module_id=module)
    if not entries:
        env.console().print("No reflections yet. Write one with `cpd reflect`.")
        return
    rows = [
        (
            e.uid,
            e.created_at[:10],
            e.module_id or "(free)",
            shorten(one_line(e.prompt), 50),
            f"unfinished ({3 - len(e.missing)} of 3)" if e.is_unfinished else "done",
            ", ".join(e.tags),
        )
        for e in entries
    ]
    columns = ("Id", "Date", "Module", "Prompt", "Answers", "Tags")
    print_table(env.plain, columns, rows, below=("Prompt", "Tags"))
    if any(e.is_unfinished for e in entries):
        env.console().print("Finish an unfinished one with `cpd reflections edit ID`.")


@app.command("show")
def show(ctx: typer.Context, reflection_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Show one reflection in full."""
    from scr_cpd.progress import reflections as rf

    env = get_env(ctx)
    e = _entry(env, reflection_id)
    console = env.console()
    console.print(
        f"{e.uid} · {e.module_id or 'free reflection'} · created {e.created_at} · updated {e.updated_at}"
    )
    console.print(f"Prompt: {safe(e.prompt)}")
    for field in rf.FIELDS:
        console.print(f"\n{rf.FIELD_LABELS[field]}\n{safe(e.text(field)) or '(not written)'}")
    if e.impact:
        console.print(f"\nImpact (followed up {e.impact_at[:10]}): did you? What changed?")
        console.print(safe(e.impact))
    elif e.follow_up_due:
        console.print(
            f"\nFollow-up due {e.follow_up_due[:10]} (`cpd reflections follow-up {e.uid}`)"
        )
    if e.tags:
        console.print("\nTags: " + ", ".join(rf.CVF_TAGS.get(t, t) for t in e.tags))


@app.command("edit")
def edit(
    ctx: typer.Context,
    reflection_id: str = typer.Argument(..., metavar="ID"),
    field: Optional[str] = typer.Option(
        None, "--field", help="Only this answer: what, so-what or now-what."
    ),
    editor: bool = typer.Option(False, "--editor", help="Edit in $EDITOR."),
    tag: List[str] = typer.Option([], "--tag", help="Replace the tags with these (repeatable)."),
) -> None:
    """Rewrite a reflection's answers (its created date is kept, its updated date changes)."""
    from scr_cpd.progress import reflections as rf
    from scr_cpd.progress.quiz import Stop

    env = get_env(ctx)
    entry = _entry(env, reflection_id)
    if field is not None and field not in FIELD_OPTION:
        raise UserError(f"--field must be one of {', '.join(FIELD_OPTION)}", 2)
    if tag:
        try:
            rf.set_tags(env.store, entry.uid, tag)
        except rf.ReflectionError as exc:
            raise UserError(str(exc), 2) from None
        if field is None:
            env.console().print(f"Tags of {entry.uid} set to: {', '.join(tag)}")
            return
    fields = [FIELD_OPTION[field]] if field else list(rf.FIELDS)
    try:
        for name in fields:
            _write_field(env, entry.uid, name, editor, current=entry.text(name))
    except Stop:
        env.console().print("Stopped. Answers you finished are saved.")
        return
    env.console().print(f"Updated {entry.uid}.")


@app.command("delete")
def delete(
    ctx: typer.Context,
    reflection_id: str = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a reflection (asks first)."""
    from scr_cpd.progress import reflections as rf

    env = get_env(ctx)
    entry = _entry(env, reflection_id)
    if not yes and not env.ui().confirm(
        f"Delete reflection {entry.uid} ({entry.prompt[:50]})? This cannot be undone.",
        default=False,
    ):
        env.console().print("Kept.")
        raise typer.Exit(1)
    rf.delete(env.store, entry.uid)
    env.console().print(f"Deleted {entry.uid}.")


@app.command("tags")
def tags(ctx: typer.Context) -> None:
    """The Competency and Values Framework tags you can give a reflection."""
    from scr_cpd.progress import reflections as rf

    env = get_env(ctx)
    for tag, label in rf.CVF_TAGS.items():
        env.console().print(f"{tag:26} {label}")


app.command("follow-up")(follow_up)
