"""Turn bank files into `Bank` objects, reporting every problem in a file at once.

Problems are `file:line: field: message`. Validation is pydantic (`schema.py`) plus the checks
that need the whole file (ids, cross-references); results are cached per file so that listing
and starting modules does not pay for YAML parsing or pydantic on every run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scr_cpd import __version__
from scr_cpd.common.files import InputError, read_bounded, regular_file_size
from scr_cpd.content.checks import cross_checks, problem_from_pydantic
from scr_cpd.content.errors import BankError, Code, Problem, errors_in
from scr_cpd.content.vocabulary import BANK_SUFFIXES, MAX_BANK_BYTES

if TYPE_CHECKING:
    from scr_cpd.content.model import Bank
    from scr_cpd.content.yamlsource import LineMap

BUNDLED_DIR = Path(__file__).parent / "banks"


def read_bank_text(path: Path) -> str:
    """The file's text; BankError (one sentence, with the line) when it cannot be read as UTF-8,
    is not a regular file (a folder, a FIFO, a device, a symlink loop) or is too large."""
    name = str(path)
    size = regular_file_size(path)
    if size > MAX_BANK_BYTES:
        limit = MAX_BANK_BYTES // 1024 // 1024
        message = f"the file is {size / 1e6:.1f} MB; a bank may be at most {limit} MB — split it into several modules"
        raise BankError([Problem(name, None, "", message, code=Code.TOO_LARGE)])
    try:
        raw = read_bounded(path, MAX_BANK_BYTES, "bank file")
    except InputError as exc:
        message = str(exc).replace(name, "the file", 1)  # the problem names the file already
        raise BankError([Problem(name, None, "", message, code=Code.UNREADABLE)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8"
        raise BankError([Problem(name, line, "", message, code=Code.NOT_UTF8)]) from None
    return text.replace("\r\n", "\n")


def parse_bank_file(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Read and validate one file: (validated data, problems). Raises nothing for bad content."""
    try:
        text = read_bank_text(path)
    except BankError as exc:
        return {}, exc.problems
    data, _, problems = check_bank_text(text, str(path))
    return data, problems


def check_bank_text(text: str, filename: str) -> tuple[dict[str, Any], LineMap, list[Problem]]:
    """(validated data or {}, line map, problems) for a bank file's text. Raises nothing for
    bad content: the file is read once, by `read_yaml`, and what it reads is validated."""
    from scr_cpd.common.text import has_hidden_characters
    from scr_cpd.content.yamlsource import read_yaml

    try:
        data, lines = read_yaml(text, filename)
    except BankError as exc:
        return {}, {}, exc.problems
    normalised, problems = validate_bank_data(data, filename, lines)
    # Only a file with such a character, or an escape that could make one, needs the walk.
    if "\\" in text or has_hidden_characters(text) is not None:
        hidden = hidden_character_problems(data, filename, lines)
        if hidden:
            problems = sorted(problems + hidden, key=lambda p: (p.line or 0, p.severity != "error"))
            normalised = {}
    return normalised, lines, problems


def hidden_character_problems(data: Any, filename: str, lines: LineMap) -> list[Problem]:
    """An error for each text in the bank that holds a control, bidi or zero-width character:
    kept as given, it would reach the officer's terminal and could repaint or reorder it."""
    from scr_cpd.content.checks import field_name
    from scr_cpd.content.yamlsource import hidden_characters, line_for

    return [
        Problem(
            filename,
            line_for(lines, path),
            field_name(list(path), data),
            f"holds the invisible character {char} (a control, bidi or zero-width character, "
            "which could disguise the text on screen); delete it",
            code=Code.HIDDEN_CHARACTER,
        )
        for path, char in hidden_characters(data)
    ]


def validate_bank_data(
    data: Any, filename: str, lines: LineMap | None = None, normalise: bool = True
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a bank's data; return (normalised data, every problem found, errors and warnings).
    With `normalise=False` (a caller that wants only the problems) the data comes back as given."""
    from scr_cpd.content.schema_check import validate_model
    from scr_cpd.content.yamlsource import line_for

    lines = lines or {}
    if not isinstance(data, dict):
        return {}, [
            Problem(
                filename,
                line_for(lines, ()),
                "",
                "a bank must be a mapping of fields (format:, id:, title:, …)",
                code=Code.NOT_A_MAPPING,
            )
        ]
    normalised, schema_errors, checks = validate_model(
        data, normalise, meanwhile=lambda: cross_checks(data, filename, lines)
    )
    problems = [problem_from_pydantic(e, data, filename, lines) for e in schema_errors] + checks
    problems.sort(key=lambda p: (p.line or 0, p.severity != "error"))
    errors = errors_in(problems)
    return ({} if errors else normalised), problems


# --- Finding and loading every bank -------------------------------------------------------


@dataclass
class Library:
    """Every bank that loaded, by module id, and the problems of those that did not."""

    banks: dict[str, Bank] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    def ordered(self) -> list[Bank]:
        """Modules in the order the briefing teaches them (by first page), then by id."""
        return sorted(self.banks.values(), key=lambda b: (b.citation.page or 10_000, b.id))

    def get(self, module_id: str) -> Bank | None:
        return self.banks.get(module_id)


def bank_folders(home: Path | None) -> list[tuple[Path, str]]:
    """Where banks come from, in order of precedence: bundled, <home>/banks, $SCR_CPD_BANKS."""
    folders = [(BUNDLED_DIR, "bundled")]
    if home is not None:
        folders.append((home / "banks", "home"))
    for entry in os.environ.get("SCR_CPD_BANKS", "").split(os.pathsep):
        if entry.strip():
            folders.append((Path(entry).expanduser(), "SCR_CPD_BANKS"))
    return folders


def bank_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    try:
        return sorted(p for p in folder.iterdir() if p.suffix in BANK_SUFFIXES and p.is_file())
    except OSError:
        return []


def load_library(home: Path | None = None, cache_dir: Path | None = None) -> Library:
    from scr_cpd.content.model import bank_from_dict  # here: validating a bank does not need it

    library = Library()
    cache = BankCache(cache_dir)
    origins: dict[str, Path] = {}
    for folder, origin in bank_folders(home):
        for path in bank_files(folder):
            data, problems = cache.get(path)
            if data is None:
                data, problems = parse_bank_file(path)
                cache.put(path, data, problems)
            library.problems.extend(problems)
            if not data:
                continue
            module_id = data["id"]
            if module_id in origins:
                library.problems.append(
                    Problem(
                        str(path),
                        None,
                        "id",
                        f"module id {module_id!r} is already used by {origins[module_id]}; give one of them another id",
                        code=Code.DUPLICATE_MODULE,
                    )
                )
                continue
            origins[module_id] = path
            library.banks[module_id] = bank_from_dict(data, path, origin)
    cache.save()
    return library


# The files whose code decides what a bank file validates to: a cache made by other code
# (an upgrade, or a developer's edit without a version bump) is not used.
RULE_FILES = ("loader.py", "checks.py", "schema.py", "yamlsource.py", "errors.py", "vocabulary.py")


def rules_stamp() -> str:
    here = Path(__file__).parent
    stamps = []
    for name in RULE_FILES:
        try:
            st = (here / name).stat()
            stamps.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            stamps.append("-")
    return f"{__version__}/" + "/".join(stamps)


class BankCache:
    """Validated bank data keyed by file path, size and modification time (and by the app's
    version and validation code, see `rules_stamp`)."""

    def __init__(self, folder: Path | None):
        self.path = folder / f"banks-{__version__}.json" if folder else None
        self.rules = rules_stamp() if folder else ""
        self.entries: dict[str, Any] = {}
        self.dirty = False
        if self.path and self.path.exists():
            try:
                saved = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = None
            if (
                isinstance(saved, dict)
                and saved.get("rules") == self.rules
                and isinstance(saved.get("entries"), dict)
            ):
                self.entries = saved["entries"]

    @staticmethod
    def _stamp(path: Path) -> list[int]:
        st = path.stat()
        return [st.st_mtime_ns, st.st_size]

    def get(self, path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
        entry = self.entries.get(str(path))
        try:
            if entry and entry["stamp"] == self._stamp(path):
                return entry["data"], [Problem(**p) for p in entry["problems"]]
        except (OSError, KeyError, TypeError):
            pass
        return None, []

    def put(self, path: Path, data: dict[str, Any], problems: list[Problem]) -> None:
        if self.path is None:
            return
        try:
            stamp = self._stamp(path)
        except OSError:
            return
        self.entries[str(path)] = {
            "stamp": stamp,
            "data": data,
            "problems": [p.__dict__ for p in problems],
        }
        self.dirty = True

    def save(self) -> None:
        if not (self.path and self.dirty):
            return
        from scr_cpd.common.files import OutputError, make_private_dir, write_private

        try:  # atomic and owner-only (0700 folder, 0600 file) whatever the umask
            make_private_dir(self.path.parent)
            write_private(self.path, json.dumps({"rules": self.rules, "entries": self.entries}))
        except (OSError, OutputError):
            pass  # a cache that cannot be written only costs speed
