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
            self.parts.append("\n".join(re.sub(r"\s+", " ", part) for part in data.split("\n")))
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str, keep_newlines: bool = False) -> tuple[str, list[str]]:
    """Readable text from HTML: tags removed, entities decoded, breaks kept from <br>/<p>."""
    parser = _HtmlText(keep_newlines)
    try:
        if "<" in html or "&" in html:
            parser.feed(html)
            parser.close()
        else:  # no markup (most answers): the parser would only pass the text on as data
            parser.handle_data(html)
        text = "".join(parser.parts)
    except Exception:  # noqa: BLE001 - html.parser still trips on odd "<!" markup
        import html as html_lib

        text = html_lib.unescape(re.sub(r"<[^<>]*>", " ", html))
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.replace(_PRE_SPACE, " ").replace(_PRE_NEWLINE, "\n").strip(), parser.media
