"""Cells a spreadsheet shows as text and never runs: the one formula neutraliser."""

from __future__ import annotations

from typing import Any

from scr_cpd.common.text import visible

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """`value` with a leading apostrophe when a spreadsheet would evaluate it."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def safe_cell(value: Any) -> str:
    """Any value as a CSV cell: control, bidi and zero-width characters made visible (line breaks
    included), then neutralised."""
    return neutralise(visible(value))
