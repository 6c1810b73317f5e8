"""Validate bank files and folders together, including problems that span files."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scr_cpd.common.collector import collector_paused
from scr_cpd.common.text import count
from scr_cpd.content.errors import BankError, Code, Problem, errors_in, warnings_in
from scr_cpd.content.loader import BUNDLED_DIR, check_bank_text, read_bank_text
from scr_cpd.content.vocabulary import BANK_SUFFIXES

if TYPE_CHECKING:
    from scr_cpd.content.yamlsource import LineMap  # only a type: reading YAML is not needed here


@dataclass
class Checked:
    """One bank that passed validation: its data, where it came from and its line map."""

    path: Path
    data: dict[str, Any]
    lines: LineMap = field(default_factory=dict, repr=False)


@dataclass
class Report:
    files: int = 0
    problems: list[Problem] = field(default_factory=list)
    banks: dict[str, dict[str, Any]] = field(default_factory=dict)
    checked: dict[str, Checked] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_in(self.problems)


def expand(paths: list[Path]) -> list[Path]:
    """Each file named, and each bank file (.yaml, .yml) below each folder named."""
    from scr_cpd.common.files import walk_files

    return list(walk_files(paths, BANK_SUFFIXES))


def check_file(path: Path) -> tuple[dict[str, Any], LineMap, list[Problem]]:
    """(validated data or {}, line map, problems) for one file; raises nothing for bad content.

    The line map may be made only when a line is first asked for (see `check_bank_text`)."""
    with collector_paused():
        try:
            text = read_bank_text(path)
        except BankError as exc:
            return {}, {}, exc.problems
        return check_bank_text(text, str(path))


def validate_paths(
    paths: list[Path],
    against: list[Path] | None = None,
    reserved: dict[str, Path] | None = None,
) -> Report:
    """Check every bank under `paths`; compare with the old versions in `against`, if any.

    `reserved` maps module ids that are already taken (the bundled banks) to their files: a
    bank elsewhere that reuses one of them would never load, so it gets a warning.
    """
    report = Report()
    seen: dict[str, Path] = {}
    for path in expand(paths):
        report.files += 1
        if not os.path.lexists(path):  # a broken link or a loop: the reader says which
            report.problems.append(
                Problem(str(path), None, "", "no such file or folder", code=Code.NOT_FOUND)
            )
            continue
        data, lines, problems = check_file(path)
        report.problems.extend(problems)
        module_id = data.get("id")
        if module_id in seen:
            report.problems.append(
                Problem(
                    str(path),
                    None,
                    "id",
                    f"module id {module_id!r} is also used by {seen[module_id]}; module ids must be unique",
                    code=Code.DUPLICATE_MODULE,
                )
            )
        elif module_id:
            seen[module_id] = path
            report.banks[module_id] = data
            report.checked[module_id] = Checked(path, data, lines)
            report.problems.extend(_reserved_id(path, module_id, lines, reserved or {}))
    if against:
        report.problems.extend(compare_with_old(report, against))
    return report


def _reserved_id(
    path: Path, module_id: str, lines: LineMap, reserved: dict[str, Path]
) -> list[Problem]:
    from scr_cpd.content.yamlsource import line_for

    owner = reserved.get(module_id)
    if owner is None or _same_file(owner, path):
        return []
    return [
        Problem(
            str(path),
            line_for(lines, ("id",)),
            "id",
            f"{module_id!r} is the id of a bundled module, which would be loaded instead of this bank; choose another id",
            "warning",
            Code.RESERVED_ID,
        )
    ]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def compare_with_old(report: Report, against: list[Path]) -> list[Problem]:
    """Match each old bank to the checked bank with the same module id, and compare the two."""
    from scr_cpd.content.compare import compare_banks

    problems: list[Problem] = []
    old_banks: list[Checked] = []
    for path in expand(against):
        if not path.exists():
            problems.append(
                Problem(
                    str(path),
                    None,
                    "",
                    "no such file or folder (given with --against)",
                    code=Code.NOT_FOUND,
                )
            )
            continue
        data, lines, old_problems = check_file(path)
        if not data:
            problems.append(
                Problem(
                    str(path),
                    None,
                    "",
                    f"the old bank given with --against has {count(len(errors_in(old_problems)), 'error')} of its own, so it cannot be compared; run `cpd bank validate {path}`",
                    code=Code.NOT_COMPARED,
                )
            )
            continue
        old_banks.append(Checked(path, data, lines))
    unmatched = [c for c in old_banks if c.data["id"] not in report.checked]
    for old in old_banks:
        new = report.checked.get(old.data["id"])
        if new is None and len(report.checked) == 1 and len(unmatched) == 1:
            new = next(
                iter(report.checked.values())
            )  # one file against one file: the id itself changed
        if new is None and report.errors:
            problems.append(
                Problem(
                    str(old.path),
                    None,
                    "",
                    "not compared: fix the errors above first, then validate again with --against",
                    "warning",
                    Code.NOT_COMPARED,
                )
            )
            continue
        if new is None:
            problems.append(
                Problem(
                    str(old.path),
                    None,
                    "id",
                    f"no bank checked has the module id {old.data['id']!r}: removing or renaming a module orphans officers' progress on it",
                    "warning",
                    Code.PROGRESS_BREAK,
                )
            )
            continue
        problems.extend(
            compare_banks(old.data, new.data, str(old.path), str(new.path), new.lines, old.lines)
        )
    return problems


_ID_LINE = re.compile(r"^id:\s*['\"]?([a-z0-9-]+)", re.MULTILINE)


def bundled_ids() -> dict[str, Path]:
    """The module ids of the bundled banks, read from each file's top-level `id:` line (cheaply)."""
    ids: dict[str, Path] = {}
    for path in sorted(BUNDLED_DIR.glob("*.y*ml")):
        try:
            match = _ID_LINE.search(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if match:
            ids[match.group(1)] = path
    return ids
