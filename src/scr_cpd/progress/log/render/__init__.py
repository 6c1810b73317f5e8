"""Renderings of the canonical CPD log (`scr-cpd/log@1`): Markdown, HTML, PDF and CSV.

`render(doc, fmt)` takes the log as a plain dict (as built, signed and validated) and returns the
file's bytes. Each format lives in its own module, imported only when asked for, so importing
this package costs nothing (fpdf2 loads only for PDF).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

FORMATS = ("md", "html", "pdf", "csv")
_MODULES = {"md": "to_markdown", "html": "to_html", "pdf": "to_pdf", "csv": "to_csv"}


class RenderError(Exception):
    """A rendering cannot be made (e.g. the PDF font is missing); the message is one sentence."""


def render(doc: dict[str, Any], fmt: str) -> bytes:
    """The log `doc` as a file in format `fmt` (md, html, pdf or csv)."""
    name = _MODULES.get(fmt)
    if name is None:
        raise ValueError(f"unknown rendering {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = import_module(f"{__name__}.{name}")
    data: bytes = module.render(doc)
    return data
