"""The trainer's commands: `cpd bank list|validate|schema|new|install|stats|import|export`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import typer

from scr_cpd.cli.console import echo_folded, echo_row
from scr_cpd.cli.env import UserError, get_env
from scr_cpd.common.text import count

app = typer.Typer(help="Write, check, import and share question banks.", no_args_is_help=True)

STDOUT = Path("-")


# --- validate -----------------------------------------------------------------------------


@app.command("validate")
def validate(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Bank files or folders of banks."),
    against: Optional[List[Path]] = typer.Option(
        None,
        "--against",
        help="The previous version of the bank (file or folder): report question ids removed and meanings changed without a `revision:` bump. Repeatable.",
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too (for CI)."),
) -> None:
    """Check banks: every problem in each file as file:line: field: message. Exit 1 on errors."""
    from scr_cpd.content.validate import bundled_ids, validate_paths

    report = validate_paths(paths, against=against, reserved=bundled_ids())
    for problem in report.problems:
        typer.echo(str(problem))
    errors, warnings = len(report.errors), len(report.warnings)
    compared = " (compared with the old version)" if against else ""
    typer.echo(
        f"{count(report.files, 'file')} checked{compared}: {count(errors, 'error')}, {count(warnings, 'warning')}."
    )
    if not report.files:
        raise UserError("no bank files (.yaml or .yml) found there", 2)
    if errors or (strict and warnings):
        raise typer.Exit(1)


# --- list and schema ----------------------------------------------------------------------


@app.command("list")
def list_banks(ctx: typer.Context) -> None:
    """Every loaded bank with its source folder, version and question count."""
    from rich.table import Table

    from scr_cpd.content.loader import bank_folders

    env = get_env(ctx)
    table = Table(box=None, header_style=None if env.plain else "bold")
    for column in ("Module", "Version", "Questions", "Reflections", "From"):
        table.add_column(
            column,
            justify="right" if column in ("Questions", "Reflections") else "left",
            no_wrap=column == "Module",
            overflow="fold",
        )
    for bank in env.library.ordered():
        table.add_row(
            bank.id, bank.version, str(len(bank.questions)), str(len(bank.reflections)), bank.origin
        )
    console = env.console()
    console.print(table)
    console.print("Folders:", markup=False)
    for folder, origin in bank_folders(env.home):
        console.print(f"  {origin}: {folder}", markup=False, highlight=False)
    env.warn_bank_problems()


@app.command("schema")
def schema(
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="Write to this file instead of printing."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Print the JSON Schema of the bank format (point your editor's YAML extension at it)."""
    from scr_cpd.content.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output and output != STDOUT:
        _write(output, text, force)
        typer.echo(f"Wrote {output}")
    else:
        typer.echo(text, nl=False)


# --- new ----------------------------------------------------------------------------------


@app.command("new")
def new(
    module_id: str = typer.Argument(
        ..., metavar="ID", help="The new module's id: lower-case letters, digits and hyphens."
    ),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="File to write (default: ID.yaml here; - prints it)."
    ),
    title: Optional[str] = typer.Option(None, "--title", help="The module's title."),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write a commented starter bank with one example of every question type."""
    from scr_cpd.content.starter import StarterRefused, starter_bank

    try:
        text = starter_bank(module_id, title)
    except StarterRefused as exc:
        raise UserError(str(exc), 2) from None
    path = output or Path(f"{module_id}.yaml")
    if path == STDOUT:
        typer.echo(text, nl=False)
        return
    _write(path, text, force)
    typer.echo(f"Wrote {path}: a valid bank with one example of each question type.")
    typer.echo(
        f"Next: edit it, then `cpd bank validate {path}`. For completion and inline errors in your editor: `cpd bank schema -o {path.parent / 'bank.schema.json'}`."
    )


# --- install ------------------------------------------------------------------------------


@app.command("install")
def install(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The bank file to install."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace an installed bank with the same module id."
    ),
) -> None:
    """Validate a bank and copy it into <home>/banks/, where `cpd modules` finds it."""
    from scr_cpd.content.install import InstallRefused, install_bank

    env = get_env(ctx)
    try:
        done = install_bank(file, env.home, env.library, replace)
    except InstallRefused as exc:
        _echo_problems(exc.problems)
        raise UserError(str(exc), 2 if exc.usage else 1) from None
    _echo_problems(done.problems)
    if done.already:
        typer.echo(f"{file} is already installed.")
        return
    if done.shadowed is not None:
        typer.echo(
            f"Note: {done.shadowed} (from SCR_CPD_BANKS) has the same module id and will now be ignored."
        )
    typer.echo(
        f"Installed {done.module_id} (version {done.version}, {count(done.questions, 'question')}) as {done.target}. Start it with `cpd start {done.module_id}`."
    )


# --- stats --------------------------------------------------------------------------------


@app.command("stats")
def stats(
    ctx: typer.Context,
    module: Optional[str] = typer.Argument(None, help="Module id (default: every module)."),
    min_answers: int = typer.Option(
        5, "--min-answers", min=1, help="Answers a question needs before it is flagged."
    ),
    logs: Optional[List[Path]] = typer.Option(
        None, "--logs", help="A team's signed logs, or folders of them (repeat --logs for more)."
    ),
    csv_file: Optional[Path] = typer.Option(
        None, "--csv", help="With --logs: one row per question."
    ),
    html_file: Optional[Path] = typer.Option(None, "--html", help="With --logs: an HTML report."),
) -> None:
    """Per module: questions by type, learning-point coverage and, from the answers in this
    home folder, each question's facility and wrong answers, flagging questions that look too
    easy, too hard or misleading."""
    from scr_cpd.progress.bank_stats import TOO_EASY, TOO_HARD, module_stats

    env = get_env(ctx)
    banks = [env.bank(module)] if module else env.library.ordered()
    if logs or csv_file or html_file:
        from scr_cpd.cli.records import team_stats_command

        return team_stats_command(env, banks, logs or [], csv_file, html_file, min_answers)
    flagged = 0
    for bank in banks:
        result = module_stats(env.store, bank, min_answers)
        flagged += sum(bool(q.flags) for q in result.questions)
        for line, tail_from in _stats_lines(result, detailed=bool(module)):
            echo_row(line, tail_from) if tail_from else echo_folded(line)
    echo_folded(
        f"Facility is the share of answers that were right, counting only answers to each question's current wording. "
        f"Flags need at least {count(min_answers, 'answer')}: too easy above {TOO_EASY:.0%}, too hard below {TOO_HARD:.0%}, "
        f"misleading when a wrong answer is chosen more often than the right one. {count(flagged, 'question')} flagged."
    )


def _stats_lines(result: Any, detailed: bool) -> list[tuple[str, int]]:
    """The module's lines, each with the column its last, long part starts at (flags, wrong
    answers), or 0 for a line of prose."""
    bank = result.bank
    types = ", ".join(
        f"{n} {kind}" for kind, n in sorted(result.by_type.items(), key=lambda kv: -kv[1])
    )
    served = len(result.served) - len(result.unserved)
    points = f"  Learning points: {served} of {len(result.served)} served by a question"
    if result.unserved:
        points += f"; not served: {', '.join(result.unserved)}"
    lines = [
        (f"{bank.id}: {bank.title} (version {bank.version})", 0),
        (f"  {count(len(bank.questions), 'question')}: {types}", 0),
        (points, 0),
    ]
    uncovered = [q.id for q in bank.questions if not q.learning_points]
    if uncovered:
        lines.append((f"  Questions with no learning point: {', '.join(uncovered)}", 0))
    earlier = f" (and {result.earlier} to earlier wordings, not counted)" if result.earlier else ""
    lines.append((f"  Answers in this history: {result.answers}{earlier}", 0))
    answered = [q for q in result.questions if q.answers]
    if not answered:
        return lines + [("", 0)]
    width = max(len(q.question.id) for q in answered)
    lines.append((f"  {'Question':<{width}}  Answers  Facility  Flags", 0))
    for q in answered:
        if not detailed and not q.flags:
            continue
        flags = "; ".join(q.flags) or "-"
        row = f"  {q.question.id:<{width}}  {q.answers:>7}  {q.facility:>8.0%}  {flags}"
        lines.append((row, width + 23))  # the flags start after the id, Answers and Facility
        if detailed and q.wrong:
            shown = ", ".join(f"{c.label} ×{c.count}" for c in q.wrong[:6])
            more = f", and {len(q.wrong) - 6} more" if len(q.wrong) > 6 else ""
            lines.append((f"  {'':<{width}}  wrong answers: {shown}{more}", width + 4))
    unanswered = [q.question.id for q in result.questions if not q.answers]
    if detailed and unanswered:
        lines.append((f"  Not answered yet: {', '.join(unanswered)}", 0))
    if not detailed:
        quiet = len(answered) - sum(bool(q.flags) for q in answered)
        lines.append(
            (
                f"  ({count(quiet, 'other answered question')} not flagged; `cpd bank stats {bank.id}` shows every one)",
                0,
            )
        )
    return lines + [("", 0)]


IMPORT_WARNINGS_PER_KIND = 5

# --- import and export --------------------------------------------------------------------


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A Moodle GIFT, Moodle XML or Aiken file."),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-f", help="gift, aiken or moodle-xml (default: from the file)."
    ),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="The bank to write (default: FILE with .yaml; - prints it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
    partial: bool = typer.Option(
        False, "--partial", help="Write the questions that could be read even if others could not."
    ),
    all_warnings: bool = typer.Option(
        False, "--all-warnings", help="List every warning (default: the first 5 of each kind)."
    ),
) -> None:
    """Convert a Moodle GIFT, Moodle XML or Aiken file into a bank, listing everything that
    could not be carried over with its line."""
    from scr_cpd.content.importing import ImportRefused, convert, import_format

    path = output or file.with_suffix(".yaml")
    to_stderr = path == STDOUT  # keep the YAML on stdout clean
    per_kind = None if all_warnings else IMPORT_WARNINGS_PER_KIND
    try:
        import_format(fmt)
        if not to_stderr:
            _check_output(path, force)
        taken = {bank.id: bank.origin for bank in get_env(ctx).library.ordered()}
        done = convert(file, fmt, str(path), partial, taken)
    except ImportRefused as exc:
        _echo_problems(exc.problems, to_stderr, per_kind)
        raise UserError(str(exc), 2 if exc.usage else 1) from None
    _echo_problems(done.problems, to_stderr, per_kind)
    if to_stderr:
        typer.echo(done.yaml_text, nl=False)
    else:
        _write(path, done.yaml_text, force)
    where = "" if to_stderr else f"Wrote {path}: "
    typer.echo(f"{where}{_imported(done, file)}", err=to_stderr)
    if done.checks:
        details = "; ".join(f"{n} × {kind}" for kind, n in done.check_summary())
        typer.echo(
            f"`cpd bank validate` warns about: {details}. Run it on the file to see each line.",
            err=to_stderr,
        )


@app.command("export")
def export(
    ctx: typer.Context,
    module: str = typer.Argument(..., help="A module id (see `cpd bank list`) or a bank file."),
    fmt: str = typer.Option("gift", "--format", "-f", help="gift or moodle-xml (Moodle)."),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="File to write (default: print it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
) -> None:
    """Write a bank as a Moodle GIFT or Moodle XML file; importing it back gives an equivalent
    bank. What the format cannot carry (learning points, sources) is listed, question by
    question."""
    from scr_cpd.content.exporting import ExportRefused, export_file, export_format
    from scr_cpd.content.vocabulary import FORMAT_NAMES

    target = None if output is None or output == STDOUT else output
    try:
        name = FORMAT_NAMES[export_format(fmt)]
        if target is not None:
            _check_output(target, force)
        done = export_file(_bank_file(ctx, module), fmt)
    except ExportRefused as exc:
        _echo_problems(exc.problems, err=True)
        raise UserError(str(exc), 2 if exc.usage else 1) from None
    for line in done.changed:
        typer.echo(f"Changed for {name}: {line}", err=True)
    for line in done.not_carried:
        typer.echo(f"Not carried by {name}: {line}", err=True)
    if target is None:
        typer.echo(done.text, nl=False)
        return
    _write(target, done.text, force)
    typer.echo(
        f"Wrote {target}: {count(done.questions, 'question')} and {count(done.reflections, 'reflection prompt')} of {done.module_id} as {name}."
    )


def _bank_file(ctx: typer.Context, module: str) -> Path:
    """A bank file given as such, or the file of the module with that id."""
    source = Path(module)
    if source.suffix in (".yaml", ".yml") and source.is_file():
        return source
    bank = get_env(ctx).bank(module)
    if bank.path is None:
        raise UserError(f"module {module!r} has no file to export", 2)
    return Path(bank.path)


# --- helpers ------------------------------------------------------------------------------


def _imported(done: Any, file: Path) -> str:
    """What an import read and what it met: the line that ends `cpd bank import`."""
    warnings = len(done.problems) - len(done.errors)
    return (
        f"{count(done.questions, 'question')} and {count(done.reflections, 'reflection prompt')} "
        f"from {file}; {count(len(done.errors), 'error')} and {count(warnings, 'warning')} "
        "while importing."
    )


def _echo_problems(problems: list[Any], err: bool = False, per_kind: int | None = None) -> None:
    """Each problem on a line; with `per_kind`, the first few warnings of each kind and a count
    of the rest."""
    from collections import Counter

    from scr_cpd.content.errors import for_reading

    shown, counted = for_reading(problems, per_kind) if per_kind else (problems, [])
    for problem in shown:
        typer.echo(str(problem), err=err)
    first = {p.code: p for p in reversed(counted)}
    for code, n in Counter(p.code for p in counted).most_common():
        kind = first[code].message.split(";")[0]
        typer.echo(f"… and {count(n, 'more warning')} of this kind: {kind}", err=err)
    if counted:
        typer.echo("(--all-warnings lists every one)", err=err)


def _check_output(path: Path, force: bool) -> None:
    """Refuse, before any work, an output file that exists (without --force), a folder, a FIFO
    or a device: a usage error, one sentence."""
    from scr_cpd.common.files import OutputError, check_output_path

    try:
        check_output_path(path, force=force)
    except OutputError as exc:
        raise UserError(f"{exc}, or -o to choose another file", 2) from None


def _write(path: Path, data: str | bytes, force: bool) -> None:
    """Write atomically (never half a file), owner-only; refuse to overwrite unless forced."""
    from scr_cpd.common.files import write_private

    _check_output(path, force)
    write_private(path, data, force=force)
