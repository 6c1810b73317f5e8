"""Spotting text that may identify a child, family or case, and masking it.

Reflections and exported logs must not identify anyone. This is a guard, not a guarantee: it
warns about postcodes, phone numbers, emails, National Insurance numbers, full dates (which may
be dates of birth), crime or incident reference numbers and titled names ("Mrs Smith"), and
leaves the anonymised forms the briefing itself uses ("Child A", "p.15", "2017-19") alone.

Every pattern is linear: bounded repeats, or an unbounded run whose start is pinned by a
look-behind, so a 20,000-character answer cannot make a regex backtrack catastrophically.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scr_cpd.common.text import count

KINDS = (
    "postcode",
    "phone",
    "email",
    "ni-number",
    "date-of-birth",
    "reference-number",
    "titled-name",
)

_NOUNS = {
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "ni-number": "a National Insurance number",
    "date-of-birth": "a date",
    "reference-number": "a reference number",
    "titled-name": "a name",
}

_MASKS = {
    "postcode": "[postcode removed]",
    "phone": "[phone number removed]",
    "email": "[email address removed]",
    "ni-number": "[NI number removed]",
    "date-of-birth": "[date removed]",
    "reference-number": "[reference number removed]",
    "titled-name": "[name removed]",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


class _Lazy:
    """A pattern compiled the first time it is used: compiling them all takes longer than
    checking a thousand reflections, and most reflections need only a few (none at all when a
    text has no digit and no capital M or D)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.search(text, pos)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.match(text, pos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)


_A = re.ASCII
_AI = re.ASCII | re.IGNORECASE

# --- postcodes: the official shapes A9, A99, AA9, AA99, A9A, AA9A + inward 9AA, and GIR 0AA.
_POSTCODE = _Lazy(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR[ \u00a0]?0AA"
    r"|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"[ \u00a0]?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    _AI,
)

_ORDINAL_END = _Lazy(r"(?:1st|2nd|3rd|[04-9]th)$")

# --- emails: local part pinned to its start, domain labels bounded.
_EMAIL = _Lazy(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])",
    _A,
)

# --- National Insurance numbers; the prefix exclusions are checked in code.
_NI = _Lazy(r"(?<![A-Za-z0-9])[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![A-Za-z0-9])", _AI)
_NI_FIRST = set("ABCEGHJKLMNOPRSTWXYZ")  # not D F I Q U V
_NI_SECOND = set("ABCEGHJKLMNPRSTWXYZ")  # not D F I O Q U V
_NI_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}

# --- dates
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_MONTH_ABBREVIATIONS = "jan feb mar apr may jun jul aug sep oct nov dec".split()

# 12/03/2015, 12.03.2015, 12-03-2015, 12/03/15
_DAY_FIRST = _Lazy(
    r"(?<![0-9])(?<![0-9][./-])(?P<d>[0-9]{1,2})(?P<s>[/.-])(?P<m>[0-9]{1,2})(?P=s)"
    r"(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])(?![./-][0-9])",
    _A,
)
_DATE_PATTERNS = [
    # 12 March 2015, 12th Mar 2015, 12th of March, 2015, 12-Mar-2015
    _Lazy(
        rf"(?<![0-9])(?P<d>[0-9]{{1,2}}){_ORD}(?:\s{{1,3}}of)?(?:\s{{1,3}}|-)"
        rf"(?P<m>{_MONTH_NAME}),?(?:\s{{1,3}}|-)(?P<y>[0-9]{{4}})(?![0-9])",
        _AI,
    ),
    # March 12, 2015
    _Lazy(
        rf"(?<![a-z])(?P<m>{_MONTH_NAME})\s{{1,3}}(?P<d>[0-9]{{1,2}})(?![0-9]){_ORD},?"
        rf"\s{{1,3}}(?P<y>[0-9]{{4}})(?![0-9])",
        _AI,
    ),
    _DAY_FIRST,
    # 2015-03-12
    _Lazy(
        r"(?<![0-9])(?<![0-9][./-])(?P<y>[0-9]{4})(?P<s>[/.-])(?P<m>[0-9]{1,2})(?P=s)"
        r"(?P<d>[0-9]{1,2})(?![0-9])(?![./-][0-9])",
        _A,
    ),
]

# "DOB", "D.O.B.", "date of birth", "born (on)" followed by a date, even a partial one.
_DOB = _Lazy(
    r"(?<![A-Za-z])(?:D\.?O\.?B(?![A-Za-z])\.?|date\s{1,3}of\s{1,3}birth|born(?:\s{1,3}on)?)"
    r"(?![A-Za-z])[\s:,-]{0,4}(?:the\s{1,3})?"
    r"(?:[0-9]{4}[/.-][0-9]{1,2}[/.-][0-9]{1,2}"
    r"|[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})"
    r"|[0-9]{1,2}[/.-][0-9]{4}"
    r"|[0-9]{1,2}[/-][0-9]{1,2}"
    rf"|[0-9]{{1,2}}{_ORD}(?:\s{{1,3}}of)?(?:\s{{1,3}}|-){_MONTH_NAME}"
    rf"(?:,?(?:\s{{1,3}}|-)[0-9]{{4}})?"
    rf"|{_MONTH_NAME}\s{{1,3}}[0-9]{{4}}"
    rf"|{_MONTH_NAME}\s{{1,3}}[0-9]{{1,2}}(?![0-9]){_ORD}(?:,?\s{{1,3}}[0-9]{{4}})?"
    r")(?![0-9])",
    _AI,
)

# --- crime, occurrence and incident reference numbers
_REF_WORDS = r"(?:ref(?:erence)?|number|no)"
_REF_KEYED = _Lazy(
    r"(?<![A-Za-z])"
    rf"(?:CRN|URN|crime(?:\s{{1,3}}{_REF_WORDS})?|occurrence(?:\s{{1,3}}{_REF_WORDS})?"
    rf"|incident(?:\s{{1,3}}{_REF_WORDS})?|case\s{{1,3}}{_REF_WORDS}"
    r"|log(?:\s{1,3}(?:number|no))?|ref(?:erence)?(?:\s{1,3}(?:number|no))?)"
    r"(?![A-Za-z])\.?[ \t]{0,3}(?:[:#][ \t]{0,3})?"
    r"(?P<token>[A-Za-z0-9](?:[A-Za-z0-9]|[/-](?=[A-Za-z0-9])){1,40})",
    _AI,
)
_REF_OF_DATE = _Lazy(
    r"(?<![A-Za-z])(?:incident|occurrence|log|serial|CAD)(?:\s{1,3}(?:number|no\.?))?"
    r"[ \t]{0,3}:?[ \t]{0,3}[0-9]{1,6}\s{1,3}of\s{1,3}"
    r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})(?![0-9])",
    _AI,
)
_YEARISH = _Lazy(r"(?:19|20)[0-9]{2}(?:[/-](?:[0-9]{2}|(?:19|20)[0-9]{2}))?", _A)
_DIGIT_RUN = _Lazy(r"(?<![0-9])(?<![0-9][.,])[0-9]{8,}(?![0-9])", _A)

# --- UK-shaped phone numbers, confirmed by phonenumbers (which also runs its own matcher).
_UK_PHONE = _Lazy(
    r"(?<![0-9+])(?:\+44[ -]?(?:\(0\)[ -]?)?|\(0|0)[0-9]{2,5}\)?(?:[ -]?[0-9]){6,8}(?![0-9])",
    _A,
)

# The matcher's cost grows with every digit group it tries ("1/1/1/..." x 10,000 took 0.6 s);
# UK numbers do not depend on it, so a cap far above any real answer bounds the worst case.
_MATCHER_TRIES = 500
_DIGIT_STRETCH = _Lazy(r"\d(?:[ ()./\-]{0,3}\d){6}")

# --- titled names
# A title not straight after a letter ("Dr", not "Mr" in "Amr"): that test is made in
# _titled_names, so that the pattern starts with a letter and the search can skip ahead to
# the next M or D (five times quicker over a reflection than a look-behind at every place).
_TITLED = _Lazy(
    r"(?:Mrs|Mr|Ms|Miss|Dr|Master|Mx)(?:\.\s{0,3}|\s{1,3})"
    r"(?P<name>[^\W\d_]+(?:['\u2019-][^\W\d_]+)*)"
)
_NAME_WORD = _Lazy(r"[ \t](?P<name>[^\W\d_]+(?:['\u2019-][^\W\d_]+)*)")


_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = "0123456789"


def find_identifiers(text: str) -> list[Finding]:
    """Everything in `text` that may identify someone, sorted and non-overlapping."""
    found: list[Finding] = [*_emails(text)]
    if "M" in text or "D" in text:  # every title starts with one (a test at memory speed)
        found += _titled_names(text)
    if _has_digit(text):  # every other kind has a digit in it; most reflections have none
        for detect in (_postcodes, _ni_numbers, _dates, _phones, _references):
            found += detect(text)
    return merge(found) if found else found


def _has_digit(text: str) -> bool:
    """Whether `text` has a digit (`\\d`: any script's). In ASCII text only 0-9 are digits, and
    ten substring tests run at memory speed, a tenth of the time of the regex's scan."""
    if text.isascii():
        return any(map(text.__contains__, _ASCII_DIGITS))
    return _DIGIT.search(text) is not None


def merge(findings: list[Finding]) -> list[Finding]:
    """Combine overlapping findings; the earliest, then longest, one names the kind.

    Equal spans go to the kind listed first in KINDS, so a digit run that is a phone number
    is reported as a phone.
    """
    ordered = sorted(findings, key=lambda f: (f.start, -f.end, _rank(f.kind)))
    merged: list[Finding] = []
    for f in ordered:
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            if f.end > last.end:
                tail = f.text[last.end - f.start :]
                merged[-1] = Finding(last.kind, last.start, f.end, last.text + tail)
        else:
            merged.append(f)
    return merged


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """Replace each finding by a mask such as "[postcode removed]".

    Without findings, masks whatever find_identifiers sees, repeating until nothing is left:
    removing one item can expose a neighbour it was glued to, and redacting twice must change
    nothing.
    """
    if findings is not None:
        return _apply_masks(text, findings)
    for _ in range(8):
        found = find_identifiers(text)
        if not found:
            break
        text = _apply_masks(text, found)
    return text


def describe(findings: list[Finding], limit: int = 6) -> str:
    """A short sentence: '2 things that may identify someone: a postcode (SW1A 1AA), ...'."""
    if not findings:
        return "nothing that may identify someone"
    items = [f"{_NOUNS.get(f.kind, 'something')} ({_shorten(f.text)})" for f in findings[:limit]]
    if len(findings) > limit:
        items.append(f"and {len(findings) - limit} more")
    return f"{count(len(findings), 'thing')} that may identify someone: " + ", ".join(items)


def _rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def mask_for(kind: str) -> str:
    return _MASKS.get(kind, "[removed]")


def _apply_masks(text: str, findings: list[Finding]) -> str:
    for f in findings:
        if not 0 <= f.start <= f.end <= len(text) or text[f.start : f.end] != f.text:
            raise ValueError(f"finding {f!r} does not match the text it is applied to")
    pieces = []
    position = 0
    for f in merge(findings):
        pieces.append(text[position : f.start])
        pieces.append(mask_for(f.kind))
        position = f.end
    pieces.append(text[position:])
    return "".join(pieces)


def _shorten(snippet: str, width: int = 40) -> str:
    flat = " ".join(snippet.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def _finding(kind: str, text: str, start: int, end: int) -> Finding:
    return Finding(kind, start, end, text[start:end])


def _postcodes(text: str) -> Iterator[Finding]:
    for m in _POSTCODE.finditer(text):
        if _ORDINAL_END.search(m.group()):
            continue  # "the A1 2nd exit"
        yield _finding("postcode", text, m.start(), m.end())


def _emails(text: str) -> Iterator[Finding]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        yield _finding("email", text, m.start(), m.end())


def _ni_numbers(text: str) -> Iterator[Finding]:
    for m in _NI.finditer(text):
        value = m.group()
        if " " in value and value != value.upper():
            continue  # "at 12 34 56 a" is prose; lower case passes only when written solid
        prefix = value[:2].upper()
        if prefix[0] in _NI_FIRST and prefix[1] in _NI_SECOND and prefix not in _NI_BANNED:
            yield _finding("ni-number", text, m.start(), m.end())


def _dates(text: str) -> Iterator[Finding]:
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if _is_full_date(m):
                yield _finding("date-of-birth", text, m.start(), m.end())
    for m in _DOB.finditer(text):
        yield _finding("date-of-birth", text, m.start(), m.end())


def _is_full_date(m: re.Match[str]) -> bool:
    year_text = m.group("y")
    if len(year_text) == 2:
        if m.group("s") != "/":
            return False  # "4.3.12" is far more often a paragraph number than a date
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
        if not 1900 <= year <= 2099:
            return False
    day = int(m.group("d"))
    month_text = m.group("m")
    if not month_text.isdigit():
        return _valid(year, _MONTH_ABBREVIATIONS.index(month_text[:3].lower()) + 1, day)
    month = int(month_text)
    if m.re is _DAY_FIRST.compiled:  # 03/25/2015 is still a full date, written the US way
        return _valid(year, month, day) or _valid(year, day, month)
    return _valid(year, month, day)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _titled_names(text: str) -> Iterator[Finding]:
    at = 0
    while (m := _TITLED.search(text, at)) is not None:
        before = text[m.start() - 1] if m.start() else ""
        if before.isalnum() and not before.isdecimal():  # a letter: [^\W\d_]
            at = m.start() + 1
            continue
        at = m.end()
        if not _looks_like_name(m.group("name")):
            continue
        end = m.end()
        for _ in range(2):  # "Mrs Jane Smith", "Dr Anna Maria Patel"
            more = _NAME_WORD.match(text, end)
            if not more or not _looks_like_name(more.group("name")):
                break
            end = more.end()
        yield _finding("titled-name", text, m.start(), end)


def _looks_like_name(word: str) -> bool:
    """Capitalised and at least two letters: "Mr X" is already anonymised, like "Child A"."""
    return word[0].isupper() and sum(c.isalpha() for c in word) >= 2


def _phones(text: str) -> list[Finding]:
    if not _DIGIT_STRETCH.search(text):
        return []  # the matcher is the slow part; no number has fewer than seven digits
    import phonenumbers

    found = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.VALID, max_tries=_MATCHER_TRIES
    )
    for match in matcher:
        found.append(_finding("phone", text, match.start, match.end))
    # The matcher never accepts unallocated or drama numbers (07700 900123) as VALID, and
    # splits runs of space-separated numbers; UK-shaped candidates are checked one by one.
    for m in _UK_PHONE.finditer(text):
        try:
            number = phonenumbers.parse(m.group(), "GB")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            found.append(_finding("phone", text, m.start(), m.end()))
    return found


def _references(text: str) -> Iterator[Finding]:
    for m in _REF_KEYED.finditer(text):
        token = m.group("token")
        digits = sum(c.isdigit() for c in token)
        if digits >= 4 and not _YEARISH.fullmatch(token):
            yield _finding("reference-number", text, m.start(), m.end())
    for m in _REF_OF_DATE.finditer(text):
        yield _finding("reference-number", text, m.start(), m.end())
    # A run that is really a phone number is absorbed by its phone finding when merged.
    for m in _DIGIT_RUN.finditer(text):
        yield _finding("reference-number", text, m.start(), m.end())
