"""`cpd bank export`, as a library: a checked bank file out as another tool's format, with a
list of everything that format cannot carry (never dropped silently)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scr_cpd.content.errors import Problem
from scr_cpd.content.vocabulary import EXPORT_FORMATS, ExportFormat


class ExportRefused(Exception):
    """Nothing was exported; the message is one sentence saying why and what to do."""

    def __init__(self, message: str, problems: list[Problem] | None = None, usage: bool = False):
        super().__init__(message)
        self.problems = problems or []
        self.usage = usage


@dataclass
class Exported:
    text: str
    module_id: str
    questions: int
    reflections: int
    changed: list[str] = field(default_factory=list)  # written differently, or left out
    not_carried: list[str] = field(default_factory=list)  # bank-only fields, per question


def export_format(fmt: str) -> ExportFormat:
    for known in EXPORT_FORMATS:
        if fmt.lower() == known:
            return known
    raise ExportRefused(
        f"unknown format {fmt!r}: banks export as {' or '.join(EXPORT_FORMATS)}", usage=True
    )


def export_file(path: Path, fmt: str = "gift") -> Exported:
    """The bank in `path`, validated, written in `fmt`; `ExportRefused` if it has errors."""
    from scr_cpd.content.validate import check_file

    chosen = export_format(fmt)
    data, _, problems = check_file(path)
    if not data:
        raise ExportRefused(f"{path} has errors (above); fix them before exporting", problems)
    if chosen == "moodle-xml":
        from scr_cpd.content.formats.moodle_xml_write import (
            bank_to_moodle_xml,
            moodle_xml_export_losses,
        )

        return Exported(
            bank_to_moodle_xml(data),
            data["id"],
            len(data["questions"]),
            len(data.get("reflections") or []),
            [],
            moodle_xml_export_losses(data),
        )
    from scr_cpd.content.formats.gift_write import (
        bank_to_gift,
        gift_export_losses,
        gift_export_problems,
    )

    return Exported(
        bank_to_gift(data),
        data["id"],
        len(data["questions"]),
        len(data.get("reflections") or []),
        gift_export_problems(data),
        gift_export_losses(data),
    )
