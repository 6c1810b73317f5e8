"""Readable plain text from the HTML that Moodle formats carry (GIFT's [html], Moodle XML).

Tags are removed, entities decoded, paragraphs and line breaks kept, list items shown as "- ",
links kept as "(address)" when their text does not show it, and every media reference (images,
audio, @@PLUGINFILE@@ links) returned apart so that the importer can say what was left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

LOOKS_HTML = re.compile(
    r"</?(p|br|div|span|img|a|b|i|u|em|strong|ul|ol|li|table|tr|td|th|h[1-6]|pre|code|sup|sub|"
    r"font|hr|audio|video|iframe|blockquote)\b[^<>]*>|&(nbsp|amp|lt|gt|quot|#\d+);",
    re.I,
)


def looks_like_html(text: str) -> bool:
    """Whether text in Moodle's auto-format holds HTML markup or entities."""
    return LOOKS_HTML.search(text) is not None


_PRE_SPACE, _PRE_NEWLINE = "\ue0f0", "\ue0f1"


class _HtmlText(HTMLParser):
    _BLOCKS = {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "table",
        "tr",
        "blockquote",
        "pre",
    }
    _MEDIA = {"img", "audio", "video", "source", "embed", "object", "iframe"}

    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.media: list[str] = []
        self._links: list[tuple[str, int]] = []
        self._pre = 0
        self._pre_opened = False  # HTML drops a newline straight after <pre>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self._pre += 1
                self._pre_opened = True
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._MEDIA:
            self.media.append(values.get("src") or values.get("data") or f"<{tag}>")
        elif tag == "a":
            self._links.append((values.get("href", ""), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre" and self._pre:
                self._pre -= 1
        elif tag == "a" and self._links:
            self._close_link(*self._links.pop())

    def _close_link(self, href: str, first_part: int) -> None:
        if "@@PLUGINFILE@@" in href:
            self.media.append(href)
        elif href.startswith(("http://", "https://", "mailto:")):
            shown = "".join(self.parts[first_part : first_part + 50])  # bounded: links can nest
            if href not in shown:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._pre:
            if self._pre_opened and data.startswith("\n"):
                data = data[1:]
            self._pre_opened = False
            self.parts.append(data.replace(" ", _PRE_SPACE).replace("\n", _PRE_NEWLINE))
        elif self.keep_newlines:
            self.parts.append("\n".join(_SPACES.sub(" ", part) for part in data.split("\n")))
        else:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(html: str, keep_newlines: bool = False) -> tuple[str, list[str]]:
    """Readable text from HTML: tags removed, entities decoded, breaks kept from <br>/<p>."""
    if "<" in html or "&" in html:
        tokens = _simple_tokens(html)
        if tokens is None:
            return _parsed(html, keep_newlines)
        return _tidied(_handled(tokens, _HtmlText(keep_newlines))), []
    # No markup (most answers and feedback): what the parser would make of it, without one.
    if keep_newlines:
        text = _BLANK_LINES.sub(
            "\n\n", "\n".join(" ".join(line.split()) for line in html.split("\n"))
        )
    else:
        text = " ".join(html.split())
    return _unmarked(text).strip(), []


def _parsed(html: str, keep_newlines: bool) -> tuple[str, list[str]]:
    parser = _HtmlText(keep_newlines)
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # noqa: BLE001 - html.parser still trips on odd "<!" markup
        import html as html_lib

        text = html_lib.unescape(_TAG.sub(" ", html))
    return _tidied(text), parser.media


def _tidied(text: str) -> str:
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines))
    return _unmarked(text).strip()


def _unmarked(text: str) -> str:
    return text.replace(_PRE_SPACE, " ").replace(_PRE_NEWLINE, "\n")


# Most HTML in question files is a few plain tags (<p>, <b>, <br>) and entities: such text is
# cut into tags and text here and handed to the same handlers, without html.parser's scanner
# (a third of a large GIFT import). Anything else goes through html.parser.
_SIMPLE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\s*(/?)>")
_SIMPLE_NAMES = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "br", "b"}
_SIMPLE_NAMES |= {"i", "u", "em", "strong", "span", "sup", "sub", "code", "table", "tr", "td"}
_SIMPLE_NAMES |= {"th", "tbody", "thead", "blockquote", "small", "big", "s", "strike", "hr"}


def _simple_tokens(html: str) -> list[tuple[str, str]] | None:
    """("data", text) / ("start", tag) / ("end", tag) for simple HTML, else None."""
    tokens: list[tuple[str, str]] = []
    at = 0
    for match in _SIMPLE_TAG.finditer(html):
        name = match[2].lower()
        if name not in _SIMPLE_NAMES or "<" in html[at : match.start()]:
            return None
        if match.start() > at:
            tokens.append(("data", html[at : match.start()]))
        if match[1]:
            tokens.append(("end", name))
        else:
            tokens.append(("start", name))
            if match[3]:
                tokens.append(("end", name))
        at = match.end()
    if "<" in html[at:]:
        return None
    if at < len(html):
        tokens.append(("data", html[at:]))
    return tokens


def _handled(tokens: list[tuple[str, str]], parser: _HtmlText) -> str:
    from html import unescape

    for kind, value in tokens:
        if kind == "data":
            parser.handle_data(unescape(value))
        elif kind == "start":
            parser.handle_starttag(value, [])
        else:
            parser.handle_endtag(value)
    return "".join(parser.parts)


_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[ \t\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TAG = re.compile(r"<[^<>]*>")
