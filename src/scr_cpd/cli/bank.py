"""The trainer's commands: `cpd bank list|validate|schema|new|install|stats|import|export`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, List, Optional

import typer

from scr_cpd.cli.env import UserError, get_env

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
        f"{report.files} file(s) checked{compared}: {errors} error(s), {warnings} warning(s)."
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
) -> None:
    """Print the JSON Schema of the bank format (point your editor's YAML extension at it)."""
    from scr_cpd.content.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output and output != STDOUT:
        _write(output, text, force=True)
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
    from scr_cpd.content.starter import SLUG, starter_bank, suggest_id

    if not SLUG.match(module_id):
        raise UserError(
            f"{module_id!r} is not a valid module id: use lower-case letters, digits and single hyphens, e.g. {suggest_id(module_id)}",
            2,
        )
    text = starter_bank(module_id, title)
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
    from scr_cpd.content.validate import check_file

    env = get_env(ctx)
    if not file.is_file():
        raise UserError(f"{file} is not a file", 2)
    data, lines, problems = check_file(file)
    for problem in problems:
        typer.echo(str(problem))
    if not data:
        raise UserError(
            f"{file} was not installed: fix the error(s) above, then run `cpd bank validate {file}`"
        )
    module_id = data["id"]
    existing = env.library.get(module_id)
    if existing is not None and existing.origin == "bundled":
        raise UserError(
            f"{module_id!r} is the id of a bundled module, which always takes precedence; give your bank another id"
        )
    target = env.home / "banks" / f"{module_id}.yaml"
    if existing is not None and existing.origin == "home":
        if not replace:
            raise UserError(
                f"a bank with the id {module_id!r} is already installed ({existing.path}, version {existing.version}); use --replace to replace it"
            )
        _check_update(existing.path, file, data, lines)
    elif target.exists() and not replace:
        raise UserError(f"{target} already exists; use --replace to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if _same_file(file, target):
        typer.echo(f"{file} is already installed.")
        return
    _write(target, file.read_bytes(), force=True)
    if (
        existing is not None
        and existing.origin == "home"
        and existing.path
        and not _same_file(existing.path, target)
    ):
        existing.path.unlink(missing_ok=True)
    if existing is not None and existing.origin == "SCR_CPD_BANKS":
        typer.echo(
            f"Note: {existing.path} (from SCR_CPD_BANKS) has the same module id and will now be ignored."
        )
    questions = len(data["questions"])
    typer.echo(
        f"Installed {module_id} (version {data.get('version')}, {questions} questions) as {target}. Start it with `cpd start {module_id}`."
    )


def _check_update(old_path: Path, new_path: Path, data: dict, lines: dict) -> None:
    """Refuse an update that would make officers' earlier answers count for changed questions."""
    from scr_cpd.content.compare import compare_banks
    from scr_cpd.content.validate import check_file

    old, old_lines, _ = check_file(old_path)
    if not old:
        return
    changes = compare_banks(old, data, str(old_path), str(new_path), lines, old_lines)
    for problem in changes:
        typer.echo(str(problem))
    if any(p.severity == "error" for p in changes):
        raise UserError(
            f"{new_path} was not installed: compared with the installed version it would mix up officers' progress (above); ask its author to fix it, or check with `cpd bank validate {new_path} --against {old_path}`"
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
        typer.echo("\n".join(_stats_lines(result, detailed=bool(module))))
    typer.echo(
        f"Facility is the share of answers that were right, counting only answers to each question's current wording. "
        f"Flags need at least {min_answers} answers: too easy above {TOO_EASY:.0%}, too hard below {TOO_HARD:.0%}, "
        f"misleading when a wrong answer is chosen more often than the right one. {flagged} question(s) flagged."
    )


def _stats_lines(result: Any, detailed: bool) -> list[str]:
    bank = result.bank
    types = ", ".join(
        f"{n} {kind}" for kind, n in sorted(result.by_type.items(), key=lambda kv: -kv[1])
    )
    served = len(result.served) - len(result.unserved)
    lines = [
        f"{bank.id}: {bank.title} (version {bank.version})",
        f"  {len(bank.questions)} questions: {types}",
    ]
    points = f"  Learning points: {served} of {len(result.served)} served by a question"
    if result.unserved:
        points += f"; not served: {', '.join(result.unserved)}"
    lines.append(points)
    uncovered = [q.id for q in bank.questions if not q.learning_points]
    if uncovered:
        lines.append(f"  Questions with no learning point: {', '.join(uncovered)}")
    earlier = f" (and {result.earlier} to earlier wordings, not counted)" if result.earlier else ""
    lines.append(f"  Answers in this history: {result.answers}{earlier}")
    answered = [q for q in result.questions if q.answers]
    if not answered:
        return lines + [""]
    width = max(len(q.question.id) for q in answered)
    lines.append(f"  {'Question':<{width}}  Answers  Facility  Flags")
    for q in answered:
        if not detailed and not q.flags:
            continue
        lines.append(
            f"  {q.question.id:<{width}}  {q.answers:>7}  {q.facility:>8.0%}  {'; '.join(q.flags) or '-'}"
        )
        if detailed and q.wrong:
            shown = ", ".join(f"{c.label} ×{c.count}" for c in q.wrong[:6])
            more = f", and {len(q.wrong) - 6} more" if len(q.wrong) > 6 else ""
            lines.append(f"  {'':<{width}}  wrong answers: {shown}{more}")
    unanswered = [q.question.id for q in result.questions if not q.answers]
    if detailed and unanswered:
        lines.append(f"  Not answered yet: {', '.join(unanswered)}")
    if not detailed:
        quiet = len(answered) - sum(bool(q.flags) for q in answered)
        lines.append(
            f"  ({quiet} other answered question(s) not flagged; `cpd bank stats {bank.id}` shows every one)"
        )
    return lines + [""]


# --- import and export --------------------------------------------------------------------


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="A Moodle GIFT or Aiken file."),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-f", help="gift or aiken (default: from the file)."
    ),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="The bank to write (default: FILE with .yaml; - prints it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
    partial: bool = typer.Option(
        False, "--partial", help="Write the questions that could be read even if others could not."
    ),
) -> None:
    """Convert a Moodle GIFT or Aiken file into a bank, listing everything that could not be
    carried over with its line."""
    from scr_cpd.content.importing import import_bank
    from scr_cpd.content.loader import validate_bank_data
    from scr_cpd.content.yamlsource import read_yaml
    from scr_cpd.content.yamlwrite import bank_to_yaml

    if fmt is not None and fmt.lower() not in ("gift", "aiken"):
        raise UserError(f"unknown format {fmt!r}: use gift or aiken", 2)
    if not file.is_file():
        raise UserError(f"{file} is not a file", 2)
    path = output or file.with_suffix(".yaml")
    if path != STDOUT and path.exists() and not force:
        raise UserError(
            f"{path} already exists; use --force to overwrite it, or -o to choose another file", 2
        )
    result = import_bank(file, fmt)
    to_stderr = path == STDOUT  # keep the YAML on stdout clean
    for problem in result.problems:
        typer.echo(str(problem), err=to_stderr)
    errors = result.errors
    imported = len(result.bank.get("questions") or [])
    if errors and not (partial and imported):
        hint = (
            f", or use --partial to write the {imported} question(s) that could be read"
            if imported
            else ""
        )
        raise UserError(
            f"nothing written: {len(errors)} error(s) above; fix them and import again{hint}"
        )
    if not imported:
        raise UserError(
            f"nothing written: no question in {file} could be imported, and a bank needs at least one"
        )
    text = bank_to_yaml(result.bank, header=_import_header(file))
    data, lines = read_yaml(text, str(path))
    _, checks = validate_bank_data(data, str(path), lines)
    if any(p.severity == "error" for p in checks):
        for problem in checks:
            typer.echo(str(problem), err=to_stderr)
        raise UserError(
            "nothing written: the converted bank would not pass `cpd bank validate` (above)"
        )
    if path == STDOUT:
        typer.echo(text, nl=False)
    else:
        _write(path, text, force=True)
    reflections = len(result.bank.get("reflections") or [])
    where = "" if path == STDOUT else f"Wrote {path}: "
    typer.echo(
        f"{where}{imported} question(s) and {reflections} reflection prompt(s) from {file}; {len(errors)} error(s) and {len(result.problems) - len(errors)} warning(s) while importing.",
        err=to_stderr,
    )
    if checks:
        summary = Counter(_warning_kind(p.message) for p in checks)
        details = "; ".join(f"{n} × {kind}" for kind, n in summary.most_common())
        typer.echo(
            f"`cpd bank validate` warns about: {details}. Run it on the file to see each line.",
            err=to_stderr,
        )


def _import_header(file: Path) -> str:
    return (
        f"Imported from {file.name} by `cpd bank import`.\n"
        "Before sharing it: give each question a learning point and an explanation that teaches,\n"
        "cite the source page, then run `cpd bank validate` on this file."
    )


def _warning_kind(message: str) -> str:
    import re

    return re.sub(r" (as|at|on) line \d+", "", message.split(":")[0].split(" (")[0])


@app.command("export")
def export(
    ctx: typer.Context,
    module: str = typer.Argument(..., help="A module id (see `cpd bank list`) or a bank file."),
    fmt: str = typer.Option("gift", "--format", "-f", help="gift (Moodle)."),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="File to write (default: print it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
) -> None:
    """Write a bank as a Moodle GIFT file; importing it back gives an equivalent bank."""
    from scr_cpd.content.gift import bank_to_gift
    from scr_cpd.content.validate import check_file

    if fmt.lower() != "gift":
        raise UserError(f"unknown format {fmt!r}: banks export as gift", 2)
    source = Path(module)
    if not (source.suffix in (".yaml", ".yml") and source.is_file()):
        bank = get_env(ctx).bank(module)
        if bank.path is None:
            raise UserError(f"module {module!r} has no file to export", 2)
        source = bank.path
    data, _, problems = check_file(source)
    if not data:
        for problem in problems:
            typer.echo(str(problem), err=True)
        raise UserError(f"{source} has errors (above); fix them before exporting")
    text = bank_to_gift(data)
    if output is None or output == STDOUT:
        typer.echo(text, nl=False)
        return
    _write(output, text, force)
    typer.echo(
        f"Wrote {output}: {len(data['questions'])} question(s) and {len(data.get('reflections') or [])} reflection prompt(s) of {data['id']} as GIFT."
    )


# --- helpers ------------------------------------------------------------------------------


def _write(path: Path, data: str | bytes, force: bool) -> None:
    """Write atomically (never half a file); refuse to overwrite unless forced."""
    from scr_cpd.common.files import write_private

    if path.exists() and not force:
        raise UserError(f"{path} already exists; use --force to overwrite it", 2)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name", 2)
    write_private(path, data)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
