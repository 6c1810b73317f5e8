"""Moodle XML parsed safely into a small tree whose every element knows its line.

The file goes through defusedxml's SAX parser: entity declarations (the "billion laughs"),
external entities and external DTDs are refused before anything expands, so a hostile file
costs no more than its own size. What is wrong with a file comes back as one sentence.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, property_lexical_handler
from xml.sax.xmlreader import InputSource, Locator

_ENTITIES = (
    "the file declares XML entities, which can expand a small file into gigabytes; "
    "Moodle never writes them, so the file was not read"
)
_EXTERNAL = (
    "the file refers to an external entity or DTD{}, a way to read other files or "
    "addresses; the file was not read"
)


@dataclass
class Node:
    """One XML element: its tag, attributes, line, children, text and comments."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def child(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The trimmed text of the first `tag` child (Moodle's getpath(..., istext))."""
        found = self.child(tag)
        return found.text.strip() if found is not None else default

    def inner_text(self) -> str:
        """The text of this element's `<text>` child, as Moodle reads it (trimmed)."""
        return self.value("text")


class _TreeBuilder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: Node | None = None
        self._stack: list[Node] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - SAX's name
        self._locator = locator

    def startElement(self, name: str, attrs: object) -> None:  # noqa: N802
        line = self._locator.getLineNumber() if self._locator else 0
        node = Node(name, dict(attrs.items()), line or 0)  # type: ignore[attr-defined]
        if self._stack:
            self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802
        self._stack.pop()

    def characters(self, content: str) -> None:
        if self._stack:
            self._stack[-1].parts.append(content)

    # the lexical handler: comments (where bank_to_moodle_xml keeps a question's revision)
    def comment(self, content: str) -> None:
        if self._stack:
            self._stack[-1].comments.append(content.strip())

    def startDTD(self, name: str, public_id: str | None, system_id: str | None) -> None:  # noqa: N802
        pass

    def endDTD(self) -> None:  # noqa: N802
        pass

    def startCDATA(self) -> None:  # noqa: N802
        pass

    def endCDATA(self) -> None:  # noqa: N802
        pass


def parse_tree(text: str) -> tuple[Node | None, int | None, str]:
    """The root element of `text`, or (None, line, one sentence saying why it cannot be read)."""
    import defusedxml.sax  # type: ignore[import-untyped]  # small, but only imports need it
    from defusedxml import (
        DTDForbidden,
        EntitiesForbidden,
        ExternalReferenceForbidden,
    )

    if not text.lstrip().startswith("<"):
        return None, 1, "the file is not XML: a Moodle XML file starts with <?xml or <quiz>"
    handler = _TreeBuilder()
    parser = defusedxml.sax.make_parser()
    parser.setContentHandler(handler)
    parser.setProperty(property_lexical_handler, handler)
    source = InputSource()
    source.setCharacterStream(io.StringIO(text))
    try:
        parser.parse(source)
    except SAXParseException as exc:
        return None, exc.getLineNumber(), f"not well-formed XML: {exc.getMessage()}"
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            return None, None, _EXTERNAL.format(f" ({exc.sysid or exc.pubid})")
        return None, None, _ENTITIES
    except (ExternalReferenceForbidden, DTDForbidden):
        return None, None, _EXTERNAL.format("")
    return handler.root, None, ""
