"""`cpd bank import`, as a library: a question file of another tool in, a checked bank out.

`import_bank` reads a GIFT, Aiken or Moodle XML file safely (a regular file within the size limit, decoded
as UTF-8) and runs its reader; `convert` also writes the bank as YAML and checks that it passes
`cpd bank validate`, refusing (with `ImportRefused`) what should not be written. Neither prints:
the command prints the problems and the outcome.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scr_cpd.common.files import InputError, read_bounded, regular_file_size
from scr_cpd.common.text import count, noun
from scr_cpd.content.errors import Code, Problem, errors_in
from scr_cpd.content.formats.builder import ImportResult, decode_text, empty_bank
from scr_cpd.content.vocabulary import IMPORT_FORMATS, MAX_IMPORT_BYTES, ImportFormat

_AIKEN_ANSWER_LINE = re.compile(r"^[ \t]*ANSWER:", re.MULTILINE)
_SUFFIXES: dict[str, ImportFormat] = {".gift": "gift", ".aiken": "aiken", ".xml": "moodle-xml"}
# A Moodle XML file: an XML declaration and comments at most before the <quiz> root.
_QUIZ_ROOT = re.compile(
    r"\A\s*(<\?xml[^>]{0,200}\?>\s*)?(<!--.{0,2000}?-->\s*)*<quiz[\s>/]", re.DOTALL
)


class ImportRefused(Exception):
    """Nothing was written; the message is one sentence saying why and what to do."""

    def __init__(self, message: str, problems: list[Problem] | None = None, usage: bool = False):
        super().__init__(message)
        self.problems = problems or []
        self.usage = usage  # a mistake in the command itself (exit code 2)


def import_format(fmt: str | None) -> ImportFormat | None:
    """The import format named on the command line (None: tell from the file)."""
    if fmt is None:
        return None
    for known in IMPORT_FORMATS:
        if fmt.lower() == known:
            return known
    raise ImportRefused(f"unknown format {fmt!r}: use {' or '.join(IMPORT_FORMATS)}", usage=True)


def import_bank(path: Path, fmt: str | None = None) -> ImportResult:
    """Read a GIFT, Aiken or Moodle XML file and convert it; never raises for a bad or unreadable file."""
    path = Path(path)
    name = path.name
    size = regular_file_size(path)
    if size > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES // 1024 // 1024
        message = f"file is {size:,} bytes; the import limit is {limit} MB"
        return ImportResult(
            empty_bank(name), [Problem(name, None, "file", message, code=Code.TOO_LARGE)]
        )
    try:
        data = read_bounded(path, MAX_IMPORT_BYTES, "question file to import")
    except InputError as exc:
        message = str(exc).replace(str(path), "the file", 1)  # the problem names the file
        unreadable = Problem(name, None, "file", message, code=Code.UNREADABLE)
        return ImportResult(empty_bank(name), [unreadable])
    text, problem = decode_text(data, name)
    if problem is None:
        chosen, problem = detect_format(path, text, fmt)
    if problem is not None:
        return ImportResult(empty_bank(name), [problem])
    return _parse(chosen, text, name)


def detect_format(path: Path, text: str, fmt: str | None) -> tuple[ImportFormat, Problem | None]:
    """The format given, or the one the file's name (and for .txt, its content) says."""
    if fmt:
        for known in IMPORT_FORMATS:
            if fmt.lower() == known:
                return known, None
        listed = ", ".join(IMPORT_FORMATS)
        message = f"unknown import format {fmt!r}; use one of {listed}"
        return "gift", Problem(path.name, None, "format", message, code=Code.UNKNOWN_FORMAT)
    suffix = path.suffix.lower()
    if suffix not in (".gift", ".aiken") and _QUIZ_ROOT.match(text[:5000]):
        return "moodle-xml", None
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix], None
    if suffix == ".txt":
        return ("aiken" if _AIKEN_ANSWER_LINE.search(text) else "gift"), None
    message = (
        f"cannot tell the format of a {suffix or 'no'}-extension file; "
        f"give the format ({', '.join(IMPORT_FORMATS)})"
    )
    return "gift", Problem(path.name, None, "format", message, code=Code.UNKNOWN_FORMAT)


def _parse(fmt: ImportFormat, text: str, filename: str) -> ImportResult:
    if fmt == "moodle-xml":
        from scr_cpd.content.formats.moodle_xml_read import parse_moodle_xml

        return parse_moodle_xml(text, filename)
    if fmt == "aiken":
        from scr_cpd.content.formats.aiken import parse_aiken

        return parse_aiken(text, filename)
    from scr_cpd.content.formats.gift_read import parse_gift

    return parse_gift(text, filename)


@dataclass
class Converted:
    """A bank converted from another format, written as YAML and checked."""

    source: Path
    yaml_text: str
    problems: list[Problem]  # what the import itself found
    checks: list[Problem] = field(default_factory=list)  # `bank validate`'s warnings on the bank
    questions: int = 0
    reflections: int = 0

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    def check_summary(self) -> list[tuple[str, int]]:
        """Each kind of warning `bank validate` gives on the bank, with its count, commonest first."""
        return Counter(p.label for p in self.checks).most_common()


def convert(
    source: Path,
    fmt: str | None,
    output_name: str,
    partial: bool = False,
    taken: Mapping[str, str] | None = None,
) -> Converted:
    """Import `source` and write it as bank YAML; `ImportRefused` when nothing should be written
    (errors, unless `partial`; no question at all; a bank that would not validate). `taken`
    maps module ids already in use to where they come from (bundled ones are always added):
    a bank given one of them is written with a warning, never silently."""
    from scr_cpd.content.loader import validate_bank_data
    from scr_cpd.content.validate import bundled_ids
    from scr_cpd.content.yamlwrite import written_bank

    result = import_bank(source, fmt)
    in_use = {module_id: "bundled" for module_id in bundled_ids()} | dict(taken or {})
    _warn_taken_id(result, in_use, Path(source).name)
    errors = result.errors
    imported = len(result.bank.get("questions") or [])
    if errors and not (partial and imported):
        hint = f", or use --partial to write the {count(imported, 'question')} that could be read"
        raise ImportRefused(
            f"nothing written: {count(len(errors), 'error')} above; "
            f"fix {noun(len(errors), 'it', 'them')} and import again" + (hint if imported else ""),
            result.problems,
        )
    if not imported:
        raise ImportRefused(
            f"nothing written: no question in {source} could be imported, and a bank needs at least one",
            result.problems,
        )
    text, data, lines = written_bank(result.bank, header=import_header(source))
    _, checks = validate_bank_data(data, output_name, lines, normalise=False)
    if errors_in(checks):
        raise ImportRefused(
            "nothing written: the converted bank would not pass `cpd bank validate` (above)",
            result.problems + checks,
        )
    return Converted(
        source,
        text,
        result.problems,
        checks,
        imported,
        len(result.bank.get("reflections") or []),
    )


_ORIGINS = {"bundled": "a bundled", "home": "an installed", "SCR_CPD_BANKS": "an SCR_CPD_BANKS"}


def _warn_taken_id(result: ImportResult, in_use: Mapping[str, str], filename: str) -> None:
    module_id = str(result.bank.get("id", ""))
    if module_id in in_use and result.bank.get("questions"):
        result.problems.append(
            Problem(
                filename,
                None,
                "id",
                f"module id {module_id!r} is already used by {_ORIGINS.get(in_use[module_id], 'a')} module; "
                "change `id:` in the written bank before installing it",
                "warning",
                Code.RESERVED_ID,
            )
        )


def import_header(source: Path) -> str:
    return (
        f"Imported from {source.name} by `cpd bank import`.\n"
        "Before sharing it: give each question a learning point and an explanation that teaches,\n"
        "cite the source page, then run `cpd bank validate` on this file."
    )
