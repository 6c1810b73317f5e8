"""The words of the bank format, each defined once: format ids, question types, bank defaults and
limits, the formats banks are imported from and exported to, and where banks come from.

Every layer imports these (progress and cli too) rather than writing the literals again.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

BANK_FORMAT: Final = "scr-cpd/bank@1"

QuestionType = Literal["single", "multiple", "true_false", "numeric", "short_answer", "matching"]
QUESTION_TYPES: Final[tuple[QuestionType, ...]] = get_args(QuestionType)
CHOICE_TYPES: Final[tuple[QuestionType, ...]] = ("single", "multiple")

# Bank defaults: what a bank that leaves a field out gets.
DEFAULT_VERSION: Final = "1.0"
DEFAULT_PASS_MARK: Final = 0.7
DEFAULT_ESTIMATED_MINUTES: Final = 15
DEFAULT_REVISION: Final = 1

# Limits of the format (the schema enforces them; importers and `bank new` respect them).
ID_PATTERN: Final = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ID_LENGTH: Final = 80
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MIN_PAIRS, MAX_PAIRS = 2, 10
MAX_TEXT_LENGTH: Final = 20_000
MAX_UNIT_LENGTH: Final = 20
MAX_BANK_BYTES: Final = 8 * 1024 * 1024
MAX_IMPORT_BYTES: Final = 10 * 1024 * 1024
BANK_SUFFIXES: Final = (".yaml", ".yml")

# Formats other tools write, which `cpd bank import` reads and `cpd bank export` writes.
ImportFormat = Literal["gift", "aiken", "moodle-xml"]
IMPORT_FORMATS: Final[tuple[ImportFormat, ...]] = get_args(ImportFormat)
ExportFormat = Literal["gift", "moodle-xml"]
EXPORT_FORMATS: Final[tuple[ExportFormat, ...]] = get_args(ExportFormat)
FORMAT_NAMES: Final[dict[str, str]] = {"gift": "GIFT", "aiken": "Aiken", "moodle-xml": "Moodle XML"}

# Where a loaded bank came from, in order of precedence.
BankOrigin = Literal["bundled", "home", "SCR_CPD_BANKS"]
