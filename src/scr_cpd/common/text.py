"""Text helpers, each defined once: slugs, shortening, durations, counts, answer comparison, and
making text from files safe to show.

`visible` is the one function that stands between text that came from a file (a bank, a log, a
keyring) or from a person and a terminal, a CSV cell or a rendering: control characters,
bidirectional controls and zero-width characters are shown as escapes instead of acting.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Characters that are invisible or change how the rest of a line is shown. Kept as given in the
# store and the log; shown as `<U+XXXX>` wherever text is displayed.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_ZERO_WIDTH = {0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _is_hidden(cp: int) -> bool:
    return (
        cp < 0x20
        or 0x7F <= cp < 0xA0
        or cp in _BIDI
        or cp in _ZERO_WIDTH
        or cp in (0x2028, 0x2029)
        or 0xD800 <= cp < 0xE000  # lone surrogates (JSON can carry them)
    )


_HIDDEN = re.compile(
    "["
    + "".join(re.escape(chr(cp)) for cp in range(0x2A00) if _is_hidden(cp) and cp < 0xD800)
    + "\ufeff\ud800-\udfff]"
)


def _escape(char: str, multiline: bool) -> str:
    if multiline and char in "\n\t":
        return char
    if char in _NAMED:
        return _NAMED[char]
    return f"<U+{ord(char):04X}>"


def visible(value: Any, multiline: bool = False) -> str:
    """`value` as text safe to print: every control, bidi or zero-width character made visible.

    One-line fields (names, titles, table cells) show a line break as `\\n`; with `multiline`
    (a reflection's body, an explanation) line breaks and tabs stay, and CRLF becomes LF.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if multiline:
        text = text.replace("\r\n", "\n")
    if _HIDDEN.search(text) is None:
        return text
    return _HIDDEN.sub(lambda m: _escape(m.group(), multiline), text)


def has_hidden_characters(text: str, allow_newlines: bool = True) -> str | None:
    """The first control, bidi or zero-width character in `text` as `<U+XXXX>`, or None.

    Tabs and (with `allow_newlines`) line breaks are ordinary in multi-line text.
    """
    for match in _HIDDEN.finditer(text):
        char = match.group()
        if char == "\t" or (allow_newlines and char in "\r\n"):
            continue
        return f"<U+{ord(char):04X}>"
    return None


def remove_hidden_characters(text: str) -> str:
    """`text` without its control, bidi and zero-width characters; line breaks and tabs stay
    (for text converted from another format, where a person cannot have meant them)."""
    return _HIDDEN.sub(lambda m: m.group() if m.group() in "\t\r\n" else "", text)


def one_line(value: Any) -> str:
    """Visible text with every run of whitespace (line breaks included) folded to one space."""
    return " ".join(visible(value, multiline=True).split())


def fold_accents(text: str) -> str:
    """ASCII where there is an ASCII letter underneath: "Zoë" -> "Zoe", "cumulée" -> "cumulee"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slugify(text: str, max_len: int = 60) -> str:
    """Lower-case ASCII kebab-case, accents folded ("Zoë Smith" -> "zoe-smith"); "" if nothing is
    left. Cut at a hyphen where possible so a long title does not end mid-word."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_accents(text).lower()).strip("-")
    if len(slug) > max_len:
        head = slug[:max_len]
        slug = head.rsplit("-", 1)[0] if "-" in head else head
    return slug.strip("-")


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, cut at a word where possible, ending in "…"."""
    flat = " ".join(str(text).split())
    if len(flat) <= width:
        return flat
    head = flat[: max(width - 1, 1)]
    if " " in head[width // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


def minutes(seconds: Any) -> int:
    """Whole minutes, rounded half up as `round` does for these; 0 for anything unreadable."""
    try:
        return max(0, round(float(seconds) / 60))
    except (TypeError, ValueError):
        return 0


def format_duration(seconds: Any) -> str:
    """ "7 min", "1 h 05 min": the one way every output shows a length of time."""
    hours, mins = divmod(minutes(seconds), 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def noun(n: float, word: str, plural: str | None = None) -> str:
    """`word` in the form that goes with `n`: `plural` (default `word` + "s") unless `n` is 1.

    For a word alone, a verb included: f"{count(n, 'file')} {noun(n, 'was', 'were')} skipped".
    """
    return word if n == 1 else plural or word + "s"


def count(n: int, word: str, plural: str | None = None) -> str:
    """`n` and `word` as a person writes them, thousands separated by commas: the one way every
    message shows a count.

    >>> count(1, "answer"), count(0, "answer"), count(1000, "entry", "entries")
    ('1 answer', '0 answers', '1,000 entries')
    """
    return f"{n:,} {noun(n, word, plural)}"


def normalise_answer(text: str) -> str:
    """What two typed answers share when a person would call them the same: case, accents,
    spacing, hyphens and punctuation ignored ("Achieving best-evidence" == "achieving Best
    Evidence")."""
    folded = fold_accents(unicodedata.normalize("NFKC", text)).casefold()
    folded = folded.replace("’", "'").replace("‘", "'")
    return re.sub(r"[\W_]+", "", folded)


DATE_HINT = "use YYYY-MM-DD, for example 2026-04-01"  # the one way a bad date is explained
