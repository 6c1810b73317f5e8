"""Validate bank files and folders together, including problems that span files."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scr_cpd.content.errors import Problem
from scr_cpd.content.loader import BANK_SUFFIXES, parse_bank_file


@dataclass
class Report:
    files: int = 0
    problems: list[Problem] = field(default_factory=list)
    banks: dict[str, dict] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file()))
        else:
            files.append(path)
    return files


def validate_paths(paths: list[Path]) -> Report:
    report = Report()
    seen: dict[str, Path] = {}
    for path in expand(paths):
        report.files += 1
        if not path.exists():
            report.problems.append(Problem(str(path), None, "", "no such file or folder"))
            continue
        data, problems = parse_bank_file(path)
        report.problems.extend(problems)
        module_id = data.get("id")
        if module_id in seen:
            report.problems.append(Problem(str(path), None, "id", f"module id {module_id!r} is also used by {seen[module_id]}; module ids must be unique"))
        elif module_id:
            seen[module_id] = path
            report.banks[module_id] = data
    return report
