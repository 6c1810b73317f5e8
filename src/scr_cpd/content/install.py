"""`cpd bank install`, as a library: which bank wins when two have the same module id, and
copying a checked bank into the home folder's banks/.

Precedence (see `loader.bank_folders`): a bundled module always wins; a bank installed in the
home folder is replaced only on request, and only by a version that keeps officers' progress
meaningful (`compare.compare_banks`); a bank from $SCR_CPD_BANKS is shadowed by an installed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scr_cpd.common.files import make_private_dir, read_bounded, write_private
from scr_cpd.common.text import noun
from scr_cpd.content.errors import Problem, errors_in
from scr_cpd.content.vocabulary import MAX_BANK_BYTES

if TYPE_CHECKING:
    from scr_cpd.content.loader import Library


class InstallRefused(Exception):
    """The bank was not installed; the message is one sentence saying why and what to do."""

    def __init__(self, message: str, problems: list[Problem] | None = None, usage: bool = False):
        super().__init__(message)
        self.problems = problems or []
        self.usage = usage


@dataclass
class Installed:
    """What `install_bank` did."""

    module_id: str
    version: str
    questions: int
    target: Path
    problems: list[Problem] = field(default_factory=list)  # the bank's warnings
    already: bool = False  # the file given is the installed file itself
    shadowed: Path | None = None  # a bank from $SCR_CPD_BANKS now ignored


def install_bank(file: Path, home: Path, library: Library, replace: bool = False) -> Installed:
    """Check `file` and copy it to <home>/banks/<id>.yaml, honouring the precedence above."""
    from scr_cpd.content.validate import check_file

    data, lines, problems = check_file(file)
    if not data:
        raise InstallRefused(
            f"{file} was not installed: fix the {noun(len(errors_in(problems)), 'error')} above, then run `cpd bank validate {file}`",
            problems,
        )
    module_id = data["id"]
    existing = library.get(module_id)
    target = home / "banks" / f"{module_id}.yaml"
    _check_precedence(file, target, data, lines, existing, replace, problems)
    make_private_dir(target.parent)
    installed = Installed(
        module_id, str(data.get("version")), len(data["questions"]), target, problems
    )
    if _same_file(file, target):
        installed.already = True
        return installed
    write_private(target, read_bounded(file, MAX_BANK_BYTES, "bank file"))
    if existing is not None and existing.origin == "home" and existing.path:
        if not _same_file(existing.path, target):
            existing.path.unlink(missing_ok=True)
    if existing is not None and existing.origin == "SCR_CPD_BANKS":
        installed.shadowed = existing.path
    return installed


def _check_precedence(
    file: Path,
    target: Path,
    data: dict[str, Any],
    lines: Any,
    existing: Any,
    replace: bool,
    problems: list[Problem],
) -> None:
    module_id = data["id"]
    if existing is not None and existing.origin == "bundled":
        raise InstallRefused(
            f"{module_id!r} is the id of a bundled module, which always takes precedence; give your bank another id",
            problems,
        )
    if existing is not None and existing.origin == "home":
        if not replace:
            raise InstallRefused(
                f"a bank with the id {module_id!r} is already installed ({existing.path}, version {existing.version}); use --replace to replace it",
                problems,
            )
        _check_update(existing.path, file, data, lines, problems)
    elif target.exists() and not replace:
        raise InstallRefused(f"{target} already exists; use --replace to overwrite it", problems)


def _check_update(
    old_path: Path, new_path: Path, data: dict[str, Any], lines: Any, problems: list[Problem]
) -> None:
    """Refuse an update that would make officers' earlier answers count for changed questions."""
    from scr_cpd.content.compare import compare_banks
    from scr_cpd.content.validate import check_file

    old, old_lines, _ = check_file(old_path)
    if not old:
        return
    changes = compare_banks(old, data, str(old_path), str(new_path), lines, old_lines)
    if errors_in(changes):
        raise InstallRefused(
            f"{new_path} was not installed: compared with the installed version it would mix up officers' progress (above); ask its author to fix it, or check with `cpd bank validate {new_path} --against {old_path}`",
            problems + changes,
        )
    problems.extend(changes)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
