"""The PDF writer's fast paths (fpdf_adapter) give the bytes or the pages of the slower ones."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import ExitStack
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_export_render import bad_doc, lines_through_fpdf_text, pdf_lines, pdf_objects, reviewed

from scr_cpd.progress.log.render import fpdf_adapter, render
from scr_cpd.progress.log.render.fpdf_adapter import new_document, pdf_string
from scr_cpd.progress.log.render.pdf_layout import INK
from scr_cpd.progress.log.render.to_pdf import font_paths

# Latin, Greek and Cyrillic letters, punctuation, and the characters PDF strings escape
ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    max_codepoint=0x4FF,
) | st.sampled_from("()\\\r’“”—…•")


@cache
def shared_writer() -> Any:
    """One document for many examples: its font subset grows as they add characters."""
    _, writer = new_document(font_paths(ExitStack()), None)
    writer.new_page()
    return writer


def per_character(writer: Any, text: str, style: str) -> bytes:
    """How a line's text was encoded before the one-byte table: one dict lookup per character."""
    return text.translate(writer.codes[style]).encode("latin-1")


def drawn(writer: Any, text: str, style: str) -> bytes:
    writer.put(20.0, 40.0, text, style, 10.0, INK)
    op = writer.ops[-1]
    return op[op.index(b"(") + 1 : op.rindex(b")")]


@settings(max_examples=300, deadline=None)
@given(text=st.text(ALPHABET, max_size=80), bold=st.booleans())
def test_a_line_is_encoded_as_one_lookup_per_character_would(text, bold):
    writer = shared_writer()
    style = "B" if bold else ""
    text = "".join(char for char in text if char in writer.widths[style])
    assert drawn(writer, text, style) == per_character(writer, text, style)


def test_more_than_255_characters_in_a_font_leave_the_one_byte_table():
    _, writer = new_document(font_paths(ExitStack()), None)
    writer.new_page()
    letters = "".join(chr(c) for c in range(0x100, 0x500) if chr(c) in writer.widths[""])[:400]
    first = drawn(writer, letters[:200], "")
    assert writer.tables[""] is not None and first == per_character(writer, letters[:200], "")
    assert drawn(writer, letters, "") == per_character(writer, letters, "")
    assert writer.tables[""] is None  # codes from 256 on need both bytes
    assert drawn(writer, "()\\ plain", "") == per_character(writer, "()\\ plain", "")
    codes = [writer.fonts[""].subset.pick(ord(c)) for c in letters]
    assert max(codes) > 0xFF
    assert per_character(writer, letters, "") == b"".join(
        pdf_string(chr(code).encode("utf-16-be").decode("latin-1")).encode("latin-1")
        for code in codes
    )


def test_a_log_with_hundreds_of_different_letters_shows_them_all():
    doc = reviewed(bad_doc())
    letters = "".join(chr(c) for c in range(0x100, 0x500) if chr(c).isalpha())
    words = [letters[i : i + 12] for i in range(0, len(letters), 12)]
    doc["reflections"][1]["what"] = " ".join(words)
    fast = pdf_lines(render(doc, "pdf"))
    assert {c for c in letters} <= set("".join(fast)) | set("\ufffd")
    assert fast == lines_through_fpdf_text(doc)


def test_objects_are_written_as_fpdf2_writes_them(monkeypatch):
    """object_fields lists each object's fields as fpdf2's dir()-based code does: same bytes."""
    from fpdf import syntax

    doc = reviewed(bad_doc())
    fast = render(doc, "pdf")
    assert syntax.PDFObject._build_obj_dict is not fpdf_adapter.object_fields  # put back
    assert syntax.PDFContentStream._COMPRESSION_LEVEL == -1
    original = fpdf_adapter.quicker_output
    monkeypatch.setattr(
        fpdf_adapter, "quicker_output", lambda: original(fpdf_adapter.COMPRESSION_LEVEL, False)
    )
    assert render(doc, "pdf") == fast


def test_the_compression_level_changes_the_size_not_the_content(monkeypatch):
    doc = reviewed(bad_doc())
    quick = render(doc, "pdf")
    original = fpdf_adapter.quicker_output
    monkeypatch.setattr(fpdf_adapter, "quicker_output", lambda: original(6))
    default = render(doc, "pdf")
    assert quick != default

    def content(data: bytes) -> list[tuple[bytes, bytes]]:
        return [
            (re.sub(rb"/Length \d+", b"", head), stream)
            for head, stream in pdf_objects(data).values()
        ]

    assert content(quick) == content(default)


def test_the_same_log_gives_the_same_pdf_bytes_in_every_run(tmp_path):
    """Font subset codes follow the text, not the order of a set (which changes each run)."""
    path = tmp_path / "log.json"
    path.write_text(json.dumps(reviewed(bad_doc())), encoding="utf-8")
    script = (
        "import json, sys; from scr_cpd.progress.log.render import render; "
        "sys.stdout.buffer.write(render(json.load(open(sys.argv[1], encoding='utf-8')), 'pdf'))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(path)],
            env=dict(os.environ, PYTHONHASHSEED=seed),
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0].startswith(b"%PDF-") and runs[0] == runs[1]
