"""Renderings of the CPD log (Markdown, HTML, PDF, CSV): what they show, and that bad input stays text."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import scr_cpd
from scr_cpd.progress.log.render import FORMATS, render
from scr_cpd.progress.log.render.to_csv import CELL_LIMIT, FORMULA_TRIGGERS, neutralise

NAME = "Zoë O’Brien-Łukasiewicz"
FINGERPRINT = "1a2b:3c4d:5e6f:7081:92a3:b4c5:d6e7:f809"
SCRIPT = "<script>alert(1)</script>"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]
RLO = "\u202e"
EMOJI = "😀🚓"


def reflection(n: int, **fields) -> dict:
    record = {
        "id": f"r-20261101-{n:04x}",
        "module_id": "neglect",
        "module_title": "Recognising and responding to neglect",
        "prompt_id": "r-own-practice",
        "prompt": f"Prompt number {n}: think of a home visit where poverty was present.",
        "what": f"What answer {n}: I saw a home without food.\nSecond line of what {n}.",
        "so_what": f"So what answer {n}: neglect rarely happens on its own.",
        "now_what": f"Now what answer {n}: I will speak to the child alone.",
        "learning_points": [
            {"id": "rarely-alone", "text": f"Learning point {n}: neglect rarely occurs on its own."}
        ],
        "tags": ["emotionally-aware", "analyse-critically"],
        "created_at": "2026-11-01T09:30:00+00:00",
        "updated_at": "2026-11-02T10:15:00+00:00",
        "seconds": 900.0,
    }
    record.update(fields)
    return record


def sample_doc() -> dict:
    reflections = [
        reflection(1),
        reflection(2, module_id=None, module_title=None, prompt_id=None, tags=[]),
    ]
    return {
        "format": "scr-cpd/log@1",
        "generated_at": "2026-11-26T14:03:00+00:00",
        "app": {"name": "scr-cpd", "version": "0.1.0"},
        "profile": {
            "name": NAME,
            "role": "Detective Constable",
            "force": "Example Constabulary",
            "staff_number": "12345",
        },
        "period": {"since": "2026-04-01", "until": None},
        "banks": [
            {"id": "neglect", "title": "Recognising and responding to neglect", "version": "1.0"},
            {"id": "key-data", "title": "Key data", "version": "1.2"},
        ],
        "modules": [
            {
                "id": "neglect",
                "title": "Recognising and responding to neglect",
                "bank_version": "1.0",
                "status": "passed",
                "questions": 10,
                "pass_mark": 0.7,
                "best_score": 0.9,
                "completions": 2,
                "attempts": 23,
                "correct": 19,
                "seconds": 3900.0,
                "first_activity": "2026-11-01T09:00:00+00:00",
                "last_activity": "2026-11-01T10:05:00+00:00",
            },
            {
                "id": "key-data",
                "title": "Key data",
                "bank_version": "1.2",
                "status": "not started",
                "questions": 8,
                "pass_mark": 0.7,
                "best_score": None,
                "completions": 0,
                "attempts": 0,
                "correct": 0,
                "seconds": 0,
                "first_activity": None,
                "last_activity": None,
            },
        ],
        "activities": [
            {
                "kind": "module",
                "module_id": "neglect",
                "title": "Recognising and responding to neglect",
                "started_at": "2026-11-01T09:00:00+00:00",
                "ended_at": "2026-11-01T09:40:00+00:00",
                "status": "completed",
                "questions": 10,
                "correct": 8,
                "seconds": 2400.0,
            },
            {
                "kind": "retake",
                "module_id": "neglect",
                "title": "Retake: Recognising and responding to neglect",
                "started_at": "2026-11-01T09:45:00+00:00",
                "ended_at": "2026-11-01T10:05:00+00:00",
                "status": "completed",
                "questions": 2,
                "correct": 2,
                "seconds": 600.0,
            },
            *[
                {
                    "kind": "reflection",
                    "module_id": r["module_id"],
                    "title": r["prompt"][:120],
                    "started_at": r["created_at"],
                    "ended_at": r["updated_at"],
                    "status": "written",
                    "questions": 0,
                    "correct": 0,
                    "seconds": r["seconds"],
                }
                for r in reflections
            ],
        ],
        "attempts": [
            {
                "module_id": "neglect",
                "question_id": "q-poverty-lens",
                "revision": 1,
                "content_hash": "ab" * 32,
                "correct": True,
                "confidence": None,
                "answered_at": "2026-11-01T09:01:00+00:00",
                "seconds": 40.0,
            },
        ],
        "reflections": reflections,
        "totals": {
            "cpd_hours": 1.33,
            "seconds": 4800.0,
            "modules_available": 2,
            "modules_completed": 1,
            "modules_passed": 1,
            "questions_answered": 23,
            "reflections": 2,
        },
        "identifiers": [],
        "integrity": {
            "algorithm": "ed25519",
            "public_key": "A" * 44,
            "fingerprint": FINGERPRINT,
            "digests": {"profile": "0" * 64},
            "signature": "B" * 88,
        },
    }


def reviewed(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["review"] = {
        "supervisor": {
            "name": "Sgt Ann Smith",
            "role": "Sergeant",
            "force": "Example Constabulary",
            "staff_number": "999",
        },
        "date": "2026-12-01T10:00:00+00:00",
        "outcome": "discuss",
        "comment": "Overall comment from the supervisor.",
        "comments": [
            {
                "reflection": doc["reflections"][0]["id"],
                "comment": "Comment on the first reflection.",
            }
        ],
        "covers": "c" * 64,
        "algorithm": "ed25519",
        "public_key": "C" * 44,
        "fingerprint": "ffff:eeee:dddd:cccc",
        "signature": "D" * 88,
    }
    doc["identifiers"] = [
        {
            "reflection": doc["reflections"][0]["id"],
            "field": "what",
            "kind": "postcode",
            "redacted": True,
        }
    ]
    return doc


BAD_TEXT = "\n".join(
    [
        SCRIPT,
        *FORMULAS,
        f"Reversed {RLO}txet{RLO} here",
        f"Emoji {EMOJI} here",
        "“Curly” quotes — and an em dash, naïve café",
    ]
)


def bad_doc() -> dict:
    doc = sample_doc()
    long_answer = ("A very long answer about practice. " * 600)[:20_000]
    doc["profile"]["name"] = f"{NAME} {SCRIPT}"
    doc["reflections"] = [
        reflection(
            1, what=BAD_TEXT, so_what=long_answer, now_what=long_answer + "\nend of the long answer"
        ),
        reflection(
            2, prompt='=HYPERLINK("http://x","y")', what="-2+3", so_what="@SUM(A1)", now_what="+1+1"
        ),
        reflection(3, what="x" * 20_000, so_what=f"{RLO}{EMOJI}", now_what="\t=1+1"),
    ]
    doc["activities"][0]["title"] = "+1+1"
    doc["activities"][1]["title"] = "@SUM(A1)"
    doc["totals"]["reflections"] = 3
    return doc


# --- reading the renderings back as text
class TextAndTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: int | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self.headings.append((self._heading, ""))

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = None
        self.text.append(" ")

    def handle_data(self, data):
        self.text.append(data)
        if self._heading is not None:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)


def parse_html(page: str) -> TextAndTags:
    parser = TextAndTags()
    parser.feed(page)
    parser.close()
    return parser


def markdown_to_html(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number -> (dictionary, decoded stream) of every object in an fpdf2 PDF."""
    objects, pos = {}, 0
    header = re.compile(rb"(\d+) 0 obj\s")
    while (m := header.search(data, pos)) is not None:
        start, end_obj = m.end(), data.find(b"endobj", m.end())
        stream_at = data.find(b"stream\n", start)
        if stream_at != -1 and stream_at < end_obj:
            head = data[start:stream_at]
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            raw = data[stream_at + 7 : stream_at + 7 + length]
            objects[int(m.group(1))] = (
                head,
                zlib.decompress(raw) if b"/FlateDecode" in head else raw,
            )
            pos = stream_at + 7 + length
        else:
            objects[int(m.group(1))] = (data[start:end_obj], b"")
            pos = end_obj
    return objects


def pdf_literal(raw: bytes) -> bytes:
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: (
            bytes([int(m.group(1), 8)])
            if m.group(1)[:1].isdigit()
            else escapes.get(m.group(1), m.group(1))
        ),
        raw,
        flags=re.S,
    )


def pdf_lines(data: bytes) -> list[str]:
    """The text of every Tj operator, in order, decoded through each font's ToUnicode map."""
    objects = pdf_objects(data)
    unicode_maps: dict[bytes, dict[int, str]] = {}
    for head, _ in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            font_head = objects[int(number)][0]
            cmap = objects[int(re.search(rb"/ToUnicode (\d+) 0 R", font_head).group(1))][1]
            mapping = {}
            for src, dst in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap):
                mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
            unicode_maps[name] = mapping
    lines: list[str] = []
    pages = [n for n, (head, _) in sorted(objects.items()) if re.search(rb"/Type /Page\b", head)]
    for number in pages:
        contents = int(re.search(rb"/Contents (\d+) 0 R", objects[number][0]).group(1))
        font: dict[int, str] = {}
        for m in re.finditer(
            rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", objects[contents][1], re.S
        ):
            if m.group(1):
                font = unicode_maps[m.group(1)]
            else:
                raw = pdf_literal(m.group(2))
                lines.append(
                    "".join(
                        font.get(int.from_bytes(raw[i : i + 2], "big"), "?")
                        for i in range(0, len(raw), 2)
                    )
                )
    return lines


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def text_of(fmt: str, data: bytes) -> str:
    """What a reader sees, with runs of whitespace as single spaces."""
    if fmt == "md":
        text = "".join(parse_html(markdown_to_html(data.decode("utf-8"))).text)
    elif fmt == "html":
        text = "".join(parse_html(data.decode("utf-8")).text)
    elif fmt == "pdf":
        text = "\n".join(pdf_lines(data))
    else:
        text = "\n".join(" ".join(row.values()) for row in csv_rows(data))
    return " ".join(text.split())


def flat(text: str) -> str:
    return " ".join(text.split())


# --- the contract
def test_sample_documents_are_valid_logs():
    from scr_cpd.progress.log.schema import Log

    for doc in (sample_doc(), reviewed(sample_doc()), bad_doc()):
        Log.model_validate(doc)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="md, html, pdf, csv"):
        render(sample_doc(), "docx")


def test_only_the_pdf_loads_fpdf(tmp_path):
    log = tmp_path / "log.json"
    log.write_text(json.dumps(sample_doc()), encoding="utf-8")
    code = (
        "import json, sys; from scr_cpd.progress.log.render import render; "
        "doc = json.load(open(sys.argv[1], encoding='utf-8')); "
        "[render(doc, f) for f in ('md', 'html', 'csv')]; print('fpdf' in sys.modules)"
    )
    src = str(Path(scr_cpd.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, "-c", code, str(log)], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "False"


# --- what every rendering shows
@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_each_document_format_shows_the_whole_log(fmt):
    doc = reviewed(sample_doc())
    text = text_of(fmt, render(doc, fmt))
    assert "CPD log" in text
    for value in (
        NAME,
        "Detective Constable",
        "Example Constabulary",
        "12345",
        "1 Apr 2026 to 26 Nov 2026",
        "26 Nov 2026 14:03 UTC",
        "scr-cpd 0.1.0",
        "Key data (version 1.2)",
        FINGERPRINT,
        "cpd review verify",
    ):
        assert value in text, value
    for label, value in (
        ("CPD hours", "1.33 (1 h 20 min on task)"),
        ("Modules passed", "1 of 2"),
        ("Modules completed", "1 of 2"),
        ("Answers", "23"),
        ("Reflections", "2"),
    ):
        assert re.search(rf"{label}:? {re.escape(value)}", text), label
    assert "Recognising and responding to neglect passed 90% 23 1 h 05 min" in text
    assert "Key data not started – 0 0 min" in text
    for record in doc["reflections"]:
        for key in ("prompt", "what", "so_what", "now_what"):
            assert flat(record[key]) in text, (key, record[key])
        for point in record["learning_points"]:
            assert point["text"] in text
    assert "Reflection 2 of 2: Free reflection" in text
    assert "We are emotionally aware, We analyse critically" in text
    assert "written 1 Nov 2026 09:30 UTC · last updated 2 Nov 2026 10:15 UTC" in text
    for value in (
        "Discuss with the officer",
        "1 Dec 2026 10:00 UTC",
        "Sgt Ann Smith",
        "ffff:eeee:dddd:cccc",
        "Overall comment from the supervisor.",
        "Comment on the first reflection.",
        f"Reflection 1 ({doc['reflections'][0]['id']})",
        "Possible identifying information",
        "postcode",
        "masked",
    ):
        assert value in text, value


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_an_unsigned_log_without_review_says_so(fmt):
    doc = sample_doc()
    del doc["integrity"]
    text = text_of(fmt, render(doc, fmt))
    assert "fingerprint: unsigned" in text.lower() or "fingerprint unsigned" in text.lower()
    assert "carries no signature" in text
    assert "Supervisor review" not in text
    assert "Possible identifying information" not in text


def test_csv_has_a_row_per_activity_and_per_reflection():
    doc = sample_doc()
    rows = csv_rows(render(doc, "csv"))
    assert list(rows[0]) == [
        "date",
        "kind",
        "module",
        "title",
        "questions",
        "correct",
        "score",
        "minutes",
        "details",
    ]
    summary = [r for r in rows if r["kind"] == "summary"]  # the figures come first
    assert rows[: len(summary)] == summary and len(summary) == len(doc["modules"]) + 1
    rows = rows[len(summary) :]
    assert [r["kind"] for r in rows] == ["module", "reflection", "reflection", "retake"]  # by date
    module = rows[0]
    assert (
        module["date"],
        module["module"],
        module["questions"],
        module["correct"],
        module["score"],
        module["minutes"],
    ) == ("2026-11-01 09:00", "neglect", "10", "8", "80%", "40.0")
    first, second = rows[1], rows[2]
    assert first["title"] == doc["reflections"][0]["prompt"]
    assert first["minutes"] == "15.0"
    for key in ("what", "so_what", "now_what"):
        assert doc["reflections"][0][key] in first["details"]
    assert "We are emotionally aware" in first["details"]
    assert second["module"] == ""
    # Reflection sittings are not counted twice: the minutes add up to the log's time on task.
    assert sum(float(r["minutes"]) for r in rows) == pytest.approx(doc["totals"]["seconds"] / 60)
    assert all(r["minutes"] == "" for r in summary)
    assert "status: passed; best score: 90%; answers: 23; time: 1 h 05 min" in summary[0]["details"]
    assert "CPD hours: 1.33 (1 h 20 min on task)" in summary[-1]["details"]


# --- bad input
def test_html_shows_bad_input_as_text_and_loads_nothing():
    page = render(bad_doc(), "html").decode("utf-8")
    parsed = parse_html(page)
    text = "".join(parsed.text)
    assert SCRIPT in text and f"{NAME} {SCRIPT}" in text
    for formula in FORMULAS:
        assert formula in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "iframe", "img", "link", "object", "embed", "form", "base"}
    for tag, attrs in parsed.tags:
        assert all(not name.startswith("on") for name in attrs), tag
        assert attrs.get("href", "#").startswith("#"), attrs
        assert "src" not in attrs
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert RLO not in page
    assert "x" * 20_000 in text


def test_html_is_one_accessible_printable_page():
    page = render(reviewed(sample_doc()), "html").decode("utf-8")
    parsed = parse_html(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert (
        "white-space: pre-wrap" in page and "@media print" in page and "break-inside: avoid" in page
    )
    levels = [level for level, _ in parsed.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "no heading level is skipped"
    titles = [t for level, t in parsed.headings if level == 2]
    assert titles == [
        "Signature",
        "Summary",
        "Supervisor review",
        "Modules",
        "Possible identifying information",
        "Reflections",
    ]
    reflections = [t for level, t in parsed.headings if level == 3 and t.startswith("Reflection ")]
    assert reflections == [
        "Reflection 1 of 2: Recognising and responding to neglect",
        "Reflection 2 of 2: Free reflection",
    ]
    # Line breaks the officer typed are kept, inside a pre-wrap block.
    assert (
        '<p class="text">What answer 1: I saw a home without food.\nSecond line of what 1.</p>'
        in page
    )


MARKDOWN_ATTACKS = [
    "# Not a heading",
    "Title\n===",
    "Title\n---",
    "---",
    "* * *",
    "[a link](http://evil.example)",
    "![image](x.png)",
    "<b>bold</b> <a href='http://evil.example'>x</a>",
    "<http://evil.example>",
    "[ref]: http://evil.example",
    "1. not a list",
    "- not a list",
    "+ not a list",
    "> not a quote",
    "    not code",
    "```\nnot code\n```",
    "**not bold** _not italic_ ~~not struck~~",
    "| not | a table |",
    "&lt;not an entity&gt;",
    "back\\slash",
]


def test_markdown_cannot_be_broken_out_of():
    doc = bad_doc()
    doc["reflections"][1]["what"] = "\n\n".join(MARKDOWN_ATTACKS)
    doc["modules"][0]["title"] = "Pipe | in a\ntitle # with <b>html</b>"
    markdown = render(doc, "md").decode("utf-8")
    html = markdown_to_html(markdown)
    parsed = parse_html(html)
    tags = [tag for tag, _ in parsed.tags]
    assert not set(tags) & {
        "script",
        "a",
        "img",
        "b",
        "pre",
        "blockquote",
        "ol",
        "hr",
        "del",
        "h4",
        "h5",
        "h6",
    }
    assert tags.count("code") == 1, "only our own `cpd review verify`"
    assert tags.count("em") == 3, "only the reference line of each reflection"
    assert [t for level, t in parsed.headings if level == 1] == ["CPD log"]
    assert [t for level, t in parsed.headings if level == 2] == [
        "Signature",
        "Summary",
        "Modules",
        "Reflections",
    ]
    assert [t for level, t in parsed.headings if level == 3] == [
        f"Reflection {n} of 3: Recognising and responding to neglect" for n in (1, 2, 3)
    ]
    text = "".join(parsed.text)
    for attack in MARKDOWN_ATTACKS:
        for line in attack.split("\n"):
            assert line.strip() in text, line
    assert SCRIPT in text
    # The module table keeps its shape: a header row and one row per module.
    assert html.count("<tr>") == 1 + len(doc["modules"])
    assert "Pipe | in a title # with <b>html</b>" in text
    # Bare URLs are not turned into links by GFM's autolinker either.
    assert "http://" not in markdown and "http\\://" in markdown
    assert RLO not in markdown


def test_csv_neutralises_formulas():
    rows = csv_rows(render(bad_doc(), "csv"))
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    titles = {row["title"] for row in rows}
    assert {"'+1+1", "'@SUM(A1)", '\'=HYPERLINK("http://x","y")'} <= titles
    assert all(len(c) <= CELL_LIMIT for c in cells)
    long_row = next(row for row in rows if "A very long answer" in row["details"])
    assert long_row["details"].endswith("[truncated: the full text is in the JSON log]")
    assert SCRIPT in "".join(cells)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_each_formula_trigger_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert neutralise("a" + value) == "a" + value


def test_pdf_renders_bad_input_legibly():
    data = render(bad_doc(), "pdf")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    lines = pdf_lines(data)
    text = "\n".join(lines)
    assert f"CPD log – {NAME} {SCRIPT}" in lines  # the running head of every page
    assert SCRIPT in lines and all(f in lines for f in FORMULAS)
    assert "“Curly” quotes — and an em dash, naïve café" in lines
    assert "Reversed <U+202E>txet<U+202E> here" in lines  # made visible, not acted on
    assert RLO not in text
    # the 20,000-character word is broken across lines, not lost
    assert "".join(line for line in lines if set(line) == {"x"}) == "x" * 20_000
    assert "end of the long answer" in lines
    pages = sum(1 for line in lines if line.startswith("Page "))
    assert pages > 5 and f"Page {pages} of {pages}" in lines


def test_pdf_fast_text_path_writes_what_fpdf_would():
    """Writer.put bypasses FPDF.text for speed; both must put the same text on the pages."""

    doc = reviewed(bad_doc())
    assert pdf_lines(render(doc, "pdf")) == lines_through_fpdf_text(doc)


def lines_through_fpdf_text(doc):
    """The PDF's text lines with every line drawn through fpdf2's public FPDF.text."""
    from scr_cpd.progress.log.render import fpdf_adapter

    original = fpdf_adapter.fast_text_available
    try:
        fpdf_adapter.fast_text_available = lambda pdf: False
        return pdf_lines(render(doc, "pdf"))
    finally:
        fpdf_adapter.fast_text_available = original


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_bad_input(fmt):
    data = render(reviewed(bad_doc()), fmt)
    assert data
    text = text_of(fmt, data)
    assert SCRIPT in text
    assert "A very long answer about practice." in text


def minimal_doc() -> dict:
    return {
        "format": "scr-cpd/log@1",
        "generated_at": "2026-11-26T14:03:00+00:00",
        "app": {"version": "0.1.0"},
        "profile": {},
        "period": {},
        "banks": [],
        "modules": [],
        "activities": [],
        "attempts": [],
        "reflections": [],
        "totals": {
            "cpd_hours": 0,
            "seconds": 0,
            "modules_available": 0,
            "modules_completed": 0,
            "modules_passed": 0,
            "questions_answered": 0,
            "reflections": 0,
        },
    }


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_an_empty_log_renders(fmt):
    from scr_cpd.progress.log.schema import Log

    Log.model_validate(minimal_doc())
    text = text_of(fmt, render(minimal_doc(), fmt))
    assert re.search(r"Officer:? not set", text)
    assert "everything up to 26 Nov 2026" in text
    assert "No reflections in this period." in text


def test_an_empty_log_is_an_empty_table():
    rows = csv_rows(render(minimal_doc(), "csv"))
    assert [r for r in rows if r["kind"] != "summary"] == []
    (totals,) = rows  # no modules: only the totals row, every figure zero
    assert totals["title"] == "Totals" and "Answers: 0" in totals["details"]


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_a_blank_answer_says_so(fmt):
    doc = sample_doc()
    doc["reflections"][0]["so_what"] = "  \n "
    assert "So what? Why it matters to my practice (left blank)" in text_of(fmt, render(doc, fmt))


def test_a_missing_pdf_font_is_one_clear_error(monkeypatch):
    from scr_cpd.progress.log.render import RenderError, to_pdf

    monkeypatch.setitem(to_pdf.FONT_FILES, "", "NoSuchFont.ttf")
    with pytest.raises(
        RenderError, match="the font NoSuchFont.ttf is missing from the installation; reinstall"
    ):
        render(sample_doc(), "pdf")


def test_only_the_adapter_touches_fpdf2():
    """fpdf2's private internals (and fpdf2 itself) are used behind one module."""
    from pathlib import Path

    import scr_cpd.progress.log.render as package

    internals = re.compile(r"\bfpdf\b|\._out\(|_set_font_for_page|\.cmap\b|\.cw\[|subset\.pick")
    folder = Path(package.__file__).parent
    users = sorted(p.name for p in folder.glob("*.py") if internals.search(p.read_text()))
    assert users == ["fpdf_adapter.py"]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("active", "in progress"), ("completed", "completed"), ("abandoned", "stopped")],
)
def test_csv_uses_the_same_status_words_as_the_other_renderings(stored, shown):
    doc = sample_doc()
    doc["activities"][0]["status"] = stored
    rows = [r for r in csv_rows(render(doc, "csv")) if r["kind"] == "module"]
    assert rows[0]["details"].startswith(f"status: {shown}")
    assert all(word not in r["details"] for r in rows for word in ("active", "abandoned"))


def test_every_rendering_labels_answers_completed_and_passed_apart():
    doc = sample_doc()
    doc["totals"].update(modules_completed=2, modules_passed=0)
    for fmt in ("md", "html", "pdf"):
        text = text_of(fmt, render(doc, fmt))
        assert "Modules completed: 2 of 2" in text.replace("**", "") or re.search(
            r"Modules completed:? 2 of 2", text
        )
        assert re.search(r"Modules passed:? 0 of 2", text) and "Attempts" not in text
        assert re.search(r"\bAnswers\b", text)
    summary = [r for r in csv_rows(render(doc, "csv")) if r["title"] == "Totals"]
    assert "Modules completed: 2 of 2; " in summary[0]["details"]
    assert "Modules passed: 0 of 2; " in summary[0]["details"]


@pytest.mark.parametrize("size", [2, 3, 4, 7])
def test_a_pdf_paragraph_never_leaves_one_line_alone_at_a_page_foot_or_head(size):
    from contextlib import ExitStack

    from scr_cpd.progress.log.render.fpdf_adapter import new_document
    from scr_cpd.progress.log.render.pdf_layout import Block, paginate
    from scr_cpd.progress.log.render.to_pdf import Typesetter, font_paths

    with ExitStack() as stack:
        _, writer = new_document(font_paths(stack), None)
        t = Typesetter(writer)
        word = "word " * 400
        for filler in range(40, 80):  # the paragraph starts at every height near a page's foot
            before = t.para("One line.", after=0) * filler
            text = " ".join(line.runs[0].text for line in t.para(word)[:size])
            para = t.para(text, after=0)  # a paragraph of `size` lines
            assert len(para) == size
            pages = paginate([Block(before), Block(para)])
            split = [sum(1 for _, line, _ in page if line in para) for page in pages]
            split = [n for n in split if n]
            assert all(n > 1 for n in split) or split == [size], (filler, split)
