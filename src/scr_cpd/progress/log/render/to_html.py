"""The CPD log as one self-contained HTML page: inline CSS, no scripts, nothing fetched.

Every string from the log is escaped with `html.escape`, and a Content-Security-Policy forbids
scripts and outside resources as a second line of defence. Reflection text keeps its line
breaks (white-space: pre-wrap); printing keeps each reflection on one page where it fits.
"""

from __future__ import annotations

from html import escape
from typing import Any

from scr_cpd.progress.log.render.view import (
    IDENTIFIER_COLUMNS,
    IDENTIFIERS_NOTE,
    MODULE_COLUMNS,
    TITLE,
    Fact,
    LogView,
    ReflectionView,
    ReviewView,
    build_view,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
NUMERIC_COLUMNS = {2, 3, 4}

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 1rem;
  line-height: 1.5; color: #1b1b1b; background: #fff; max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 2rem; margin: 0 0 1rem; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 .8rem; padding-bottom: .2rem; border-bottom: 2px solid #1d3a6e; }
h3 { font-size: 1.15rem; margin: 0 0 .3rem; }
h4 { font-size: 1rem; margin: 1rem 0 .2rem; }
h4 .hint { font-weight: normal; color: #505a5f; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.facts ul { margin: 0; padding-left: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #b1b4b6; padding: .35rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f3f2f1; overflow-wrap: normal; }  /* our own words: whole, never "Answer|s" */
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #f3f2f1; border-left: 4px solid #1d3a6e; padding: .5rem .8rem; margin: .8rem 0; }
.note.warning { border-left-color: #d4351c; }
.fingerprint { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f3f2f1; padding: 0 .2rem; }
.reflection, .review { border: 1px solid #b1b4b6; border-radius: 4px; padding: 1rem 1.2rem; margin: 1rem 0; }
.meta { color: #505a5f; font-size: .9rem; margin: 0 0 .6rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
nav ul { padding-left: 1.2rem; }
a { color: #1d3a6e; }
@page { margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .reflection, .review, tr, dl.facts { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def e(text: Any) -> str:
    return escape(str(text), quote=True)


def facts_html(facts: list[Fact], extra: str = "") -> str:
    rows = "".join(f"<dt>{e(f.label)}</dt><dd>{e(f.value)}</dd>" for f in facts)
    return f'<dl class="facts">{rows}{extra}</dl>'


def table_html(
    caption: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], numeric: set[int]
) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f'<th scope="col"{cls(i)}>{e(c)}</th>' for i, c in enumerate(columns))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{e(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><caption>{e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def header_html(view: LogView) -> str:
    banks = "".join(f"<li>{e(b)}</li>" for b in view.banks) or "<li>none</li>"
    extra = f"<dt>Question banks</dt><dd><ul>{banks}</ul></dd>"
    return f"<header><h1>{e(TITLE)}</h1>{facts_html(view.details, extra)}</header>"


def nav_html(view: LogView) -> str:
    links = [("signature", "Signature"), ("summary", "Summary")]
    if view.review:
        links.append(("review", "Supervisor review"))
    links.append(("modules", "Modules"))
    if view.identifiers:
        links.append(("identifiers", "Possible identifying information"))
    links.append(("reflections", f"Reflections ({len(view.reflections)})"))
    items = "".join(f'<li><a href="#{anchor}">{e(label)}</a></li>' for anchor, label in links)
    return f'<nav aria-label="Contents"><ul>{items}</ul></nav>'


def section(anchor: str, heading: str, body: str) -> str:
    return (
        f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{e(heading)}</h2>{body}</section>'
    )


def code_spans(text: str) -> str:
    """Escaped text with `backticked` parts (our own wording only) set as code."""
    pieces = e(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def signature_html(view: LogView) -> str:
    warning = "" if view.signed else " warning"
    body = (
        f'<p>Signing key fingerprint: <strong class="fingerprint">{e(view.fingerprint)}</strong></p>'
        f'<p class="note{warning}">{code_spans(view.verify_note)}</p>'
    )
    return section("signature", "Signature", body)


def review_html(review: ReviewView) -> str:
    parts = [facts_html(review.facts)]
    if review.comment:
        parts.append(f'<h3>Overall comment</h3><p class="text">{e(review.comment)}</p>')
    if review.comments:
        items = "".join(
            f'<li><strong>{e(c.label)}</strong>: <span class="text">{e(c.value)}</span></li>'
            for c in review.comments
        )
        parts.append(f"<h3>Comments on reflections</h3><ul>{items}</ul>")
    return section("review", "Supervisor review", f'<div class="review">{"".join(parts)}</div>')


def reflection_html(r: ReflectionView) -> str:
    anchor = f"reflection-{r.number}"
    parts = [
        f'<article class="reflection" aria-labelledby="{anchor}">',
        f'<h3 id="{anchor}">{e(r.heading)}</h3>',
        f'<p class="meta">{e(r.meta)}</p>',
        f'<h4>Prompt</h4><p class="text">{e(r.prompt)}</p>',
    ]
    for part in r.parts:
        parts.append(
            f'<h4>{e(part.label)} <span class="hint">{e(part.hint)}</span></h4>'
            f'<p class="text">{e(part.text)}</p>'
        )
    if r.learning_points:
        items = "".join(f"<li>{e(p)}</li>" for p in r.learning_points)
        parts.append(f"<h4>Learning points</h4><ul>{items}</ul>")
    tags = ", ".join(r.tags) if r.tags else "none chosen"
    parts.append(f"<h4>Competency and Values Framework</h4><p>{e(tags)}</p>")
    parts.append("</article>")
    return "".join(parts)


def page(view: LogView) -> str:
    title = f"{TITLE} – {view.officer}" if view.officer else TITLE
    body = [
        header_html(view),
        nav_html(view),
        "<main>",
        signature_html(view),
        section("summary", "Summary", facts_html(view.totals)),
    ]
    if view.review:
        body.append(review_html(view.review))
    modules = table_html("Progress in each module", MODULE_COLUMNS, view.modules, NUMERIC_COLUMNS)
    body.append(section("modules", "Modules", modules))
    if view.identifiers:
        note = f'<p class="note warning">{e(IDENTIFIERS_NOTE)}</p>'
        table = table_html("Flagged text", IDENTIFIER_COLUMNS, view.identifiers, set())
        body.append(section("identifiers", "Possible identifying information", note + table))
    reflections = (
        "".join(reflection_html(r) for r in view.reflections)
        or "<p>No reflections in this period.</p>"
    )
    body.append(section("reflections", "Reflections", reflections))
    body.append("</main>")
    generator = f"scr-cpd {view.app_version}".strip()
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{e(generator)}">\n'
        f"<title>{e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def render(doc: dict[str, Any]) -> bytes:
    return page(build_view(doc)).encode("utf-8")
