"""Turn bank files into `Bank` objects, reporting every problem in a file at once.

Problems are `file:line: field: message`. Validation is pydantic (`schema.py`) plus the checks
that need the whole file (ids, cross-references); results are cached per file so that listing
and starting modules does not pay for YAML parsing or pydantic on every run.
"""

from __future__ import annotations

import json
import os
import typing
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scr_cpd import __version__
from scr_cpd.content.errors import BankError, Problem, errors_in

if TYPE_CHECKING:
    from scr_cpd.content.model import Bank

BUNDLED_DIR = Path(__file__).parent / "banks"
MAX_BANK_BYTES = 8 * 1024 * 1024
BANK_SUFFIXES = (".yaml", ".yml")


def read_bank_text(path: Path) -> str:
    """The file's text; BankError (one sentence, with the line) when it cannot be read as UTF-8."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BANK_BYTES:
            raise BankError(
                [
                    Problem(
                        name,
                        None,
                        "",
                        f"the file is {size / 1e6:.1f} MB; a bank may be at most {MAX_BANK_BYTES // 1024 // 1024} MB — split it into several modules",
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise BankError(
            [Problem(name, None, "", f"cannot read the file ({exc.strerror})")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BankError(
            [
                Problem(
                    name,
                    line,
                    "",
                    f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
                )
            ]
        ) from None
    return text.replace("\r\n", "\n")


def parse_bank_file(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Read and validate one file: (validated data, problems). Raises nothing for bad content."""
    try:
        text = read_bank_text(path)
    except BankError as exc:
        return {}, exc.problems
    data, _, problems = check_bank_text(text, str(path))
    return data, problems


def check_bank_text(text: str, filename: str) -> tuple[dict[str, Any], Mapping, list[Problem]]:
    """(validated data or {}, line map, problems) for a bank file's text. Raises nothing for
    bad content.

    The fast reader reads the file when it can; the line reader then runs only if a problem
    needs a line, and where the two readings differ (they should not), the line reader's is
    the one validated.
    """
    from scr_cpd.content.yamlsource import LazyLines, read_yaml_fast

    try:
        data, lines = read_yaml_fast(text, filename)
    except BankError as exc:
        return {}, {}, exc.problems
    normalised, problems = validate_bank_data(data, filename, lines)
    if isinstance(lines, LazyLines) and lines.made:
        if lines.error is not None:
            return {}, {}, lines.error.problems
        line_reader_data, lines.data = lines.data, None  # not kept with the line map
        if not _same_data(line_reader_data, data):
            normalised, problems = validate_bank_data(line_reader_data, filename, lines)
    return normalised, lines, problems


def _same_data(a: Any, b: Any) -> bool:
    """Equal, and of the same types throughout (True is not 1, nor 1 1.0): marshal's oldest
    format writes every value with its type and no sharing, and quicker than repr would."""
    import marshal

    try:
        return marshal.dumps(a, 0) == marshal.dumps(b, 0)
    except ValueError:  # a value marshal cannot write (a date): not what the fast reader makes
        return False


def validate_bank_data(
    data: Any, filename: str, lines: Mapping | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a bank's data; return (normalised data, every problem found, errors and warnings)."""
    from pydantic import ValidationError

    from scr_cpd.content.schema import Bank as BankModel
    from scr_cpd.content.yamlsource import line_for

    lines = lines or {}
    if not isinstance(data, dict):
        return {}, [
            Problem(
                filename,
                line_for(lines, ()),
                "",
                "a bank must be a mapping of fields (format:, id:, title:, …)",
            )
        ]
    problems: list[Problem] = []
    normalised: dict[str, Any] = {}
    try:
        normalised = BankModel.model_validate(data).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_problem_from_pydantic(error, data, filename, lines))
    problems.extend(_cross_checks(data, filename, lines))
    problems.sort(key=lambda p: (p.line or 0, p.severity != "error"))
    errors = errors_in(problems)
    return ({} if errors else normalised), problems


def _problem_from_pydantic(error: Any, data: dict, filename: str, lines: dict) -> Problem:
    from scr_cpd.content.schema import QUESTION_TYPES
    from scr_cpd.content.yamlsource import line_for

    loc = [part for i, part in enumerate(error["loc"]) if not (part in QUESTION_TYPES and i == 2)]
    kind = error["type"]
    message = error["msg"]
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        suggestion = _suggest_field(error["loc"], str(loc[-1]))
        message = f"unknown field{suggestion}"
    elif kind == "union_tag_invalid":
        message = (
            f"unknown question type {error['ctx']['tag']!r}; use one of {', '.join(QUESTION_TYPES)}"
        )
        loc = loc + ["type"]
    elif kind == "union_tag_not_found":
        message = f"every question needs a type: one of {', '.join(QUESTION_TYPES)}"
    elif kind == "string_pattern_mismatch":
        message = "use lower-case letters, digits and single hyphens only (e.g. my-module-1)"
    elif kind in ("bool_parsing", "bool_type"):
        message = f"should be true or false (got {error.get('input')!r})"
    elif kind == "string_type" and isinstance(error.get("input"), bool):
        # `text: No` or `feedback: yes`: YAML reads these words as true/false.
        message = "should be text, but YAML reads yes/no/on/off/true/false as true or false; put the text in quotes"
    elif kind == "literal_error" and loc == ["format"]:
        message = f"must be 'scr-cpd/bank@1' (got {error.get('input')!r}); is this a bank file?"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return Problem(filename, line_for(lines, tuple(loc)), _field_name(loc, data), message)


def _field_name(loc: list, data: dict) -> str:
    """questions.q-poverty-lens.options[2].text rather than questions.4.options.2.text."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = (
                item.get("id")
                if isinstance(item, dict) and isinstance(item.get("id"), str)
                else None
            )
            parts.append(f".{label}" if label else f"[{part + 1}]")
            node = item
        else:
            parts.append(f".{part}" if parts else str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts)


def _suggest_field(loc: tuple, name: str) -> str:
    from pydantic import BaseModel

    from scr_cpd.content import schema

    model: Any = schema.Bank
    types = {
        "single": schema.SingleQuestion,
        "multiple": schema.MultipleQuestion,
        "true_false": schema.TrueFalseQuestion,
        "numeric": schema.NumericQuestion,
        "short_answer": schema.ShortAnswerQuestion,
        "matching": schema.MatchingQuestion,
    }
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in types:
            model = types[part]
            continue
        info = model.model_fields.get(part) if model else None
        model = _inner_model(info.annotation, BaseModel) if info else None
    if model is None:
        return ""
    import difflib

    close = difflib.get_close_matches(name, list(model.model_fields), n=1)
    return (
        f" (did you mean {close[0]!r}?)"
        if close
        else f"; allowed here: {', '.join(model.model_fields)}"
    )


def _inner_model(annotation: Any, base: type) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, base)
        if found is not None:
            return found
    return None


def _cross_checks(data: dict, filename: str, lines: Mapping) -> list[Problem]:  # noqa: C901 (to be split)
    """Checks that need the whole file; defensive, since the data may also be malformed.

    Lines are looked up only for problems found, since a file read by the fast reader has
    no line map until one is needed.
    """
    from scr_cpd.content.yamlsource import line_for

    problems: list[Problem] = []

    def add(path: tuple, field_name: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(filename, line_for(lines, path), field_name, message, severity))

    def items(key: str) -> list[tuple[int, dict]]:
        value = data.get(key)
        return (
            [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
            if isinstance(value, list)
            else []
        )

    sections = {key: items(key) for key in ("learning_points", "questions", "reflections")}
    known_points = {_as_id(lp.get("id")) for _, lp in sections["learning_points"]} - {None}
    for key, section in sections.items():
        first_seen: dict[str, int] = {}
        for i, item in section:
            item_id = item.get("id")
            if type(item_id) is not str:
                item_id = _as_id(item_id)
            if item_id is None:
                continue
            if item_id in first_seen:
                add(
                    (key, i, "id"),
                    f"{key}.{item_id}",
                    f"duplicate id {item_id!r} (first used at line {line_for(lines, (key, first_seen[item_id], 'id'))})",
                )
            else:
                first_seen[item_id] = i

    served: Counter[str] = Counter()
    prompts: dict[str, tuple] = {}  # normalised prompt -> the path of its first use
    for key in ("questions", "reflections"):
        is_question = key == "questions"
        for i, item in sections[key]:
            refs = item.get("learning_points") or []
            for j, ref in enumerate(refs if isinstance(refs, list) else []):
                if type(ref) is not str:
                    ref = _as_id(ref)
                    if ref is None:
                        continue
                if ref not in known_points:
                    import difflib

                    close = difflib.get_close_matches(str(ref), [str(p) for p in known_points], n=1)
                    hint = (
                        f" (did you mean {close[0]!r}?)"
                        if close
                        else " (define it under learning_points:)"
                    )
                    add(
                        (key, i, "learning_points", j),
                        f"{_label(key, i, item)}.learning_points",
                        f"unknown learning point {ref!r}{hint}",
                    )
                elif is_question:
                    served[ref] += 1
            if is_question and not refs:
                add(
                    (key, i),
                    _label(key, i, item),
                    "no learning_points: say which learning point this question serves",
                    "warning",
                )
            prompt = item.get("prompt")
            if isinstance(prompt, str):
                norm = " ".join(prompt.lower().split())
                first = prompts.setdefault(norm, (key, i, "prompt"))
                if first[:2] != (key, i):
                    add(
                        (key, i, "prompt"),
                        f"{_label(key, i, item)}.prompt",
                        f"the same prompt as line {line_for(lines, first) or 0}",
                        "warning",
                    )
            if is_question and item.get("type") in ("single", "multiple"):
                options = item.get("options")
                for j, option in enumerate(options if isinstance(options, list) else []):
                    if (
                        isinstance(option, dict)
                        and not option.get("correct")
                        and not option.get("feedback")
                    ):
                        add(
                            (key, i, "options", j),
                            f"{_label(key, i, item)}.options[{j + 1}]",
                            "no feedback for this wrong option: say why it is tempting and wrong",
                            "warning",
                        )
    if sections["questions"]:
        for i, lp in sections["learning_points"]:
            point_id = _as_id(lp.get("id"))
            if point_id in known_points and not served[point_id]:
                add(
                    ("learning_points", i),
                    f"learning_points.{point_id}",
                    "no question serves this learning point",
                    "warning",
                )
    return problems


def _label(key: str, index: int, item: dict) -> str:
    return f"{key}.{item.get('id', index + 1)}"


def _as_id(value: Any) -> str | None:
    """An id as the schema will read it (numbers become text); None for what is no id at all
    (a list, a mapping…), which the schema reports."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


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
                    )
                )
                continue
            origins[module_id] = path
            library.banks[module_id] = bank_from_dict(data, path, origin)
    cache.save()
    return library


# The files whose code decides what a bank file validates to: a cache made by other code
# (an upgrade, or a developer's edit without a version bump) is not used.
RULE_FILES = ("loader.py", "schema.py", "yamlsource.py", "errors.py")


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

    def get(self, path: Path) -> tuple[dict | None, list[Problem]]:
        entry = self.entries.get(str(path))
        try:
            if entry and entry["stamp"] == self._stamp(path):
                return entry["data"], [Problem(**p) for p in entry["problems"]]
        except (OSError, KeyError, TypeError):
            pass
        return None, []

    def put(self, path: Path, data: dict, problems: list[Problem]) -> None:
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
