"""What every rendering of a CPD log shows, worked out once: labels, formatted values, safe text.

Each format (Markdown, HTML, PDF, CSV) only escapes and lays out these strings, so the wording
and the numbers are the same in all of them. Every string that comes from the log passes through
`common.text.visible` (multi-line fields) or `one_line` (everything else): control, bidi and
zero-width characters, which could make text read differently from what it says, are shown as
`<U+XXXX>` so that their presence stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scr_cpd.common.text import count, format_duration, one_line, visible
from scr_cpd.progress.figures import format_hours, format_score

TITLE = "CPD log"
NOT_SET = "not set"
BLANK = "(left blank)"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

PARTS = (
    ("what", "What?", "What happened, and what I learned"),
    ("so_what", "So what?", "Why it matters to my practice"),
    ("now_what", "Now what?", "What I will do differently"),
)
IMPACT = ("impact", "What changed?", "The impact: did I do what I planned, and what changed")
FIELD_NAMES = {key: label for key, label, _ in (*PARTS, IMPACT)} | {"prompt": "Prompt"}
ACTIVITY_TYPES = {"self-directed": "Self-directed", "team": "Team"}
IDENTIFIER_KINDS = {"ni-number": "National Insurance number", "date-of-birth": "date of birth"}
OUTCOMES = {
    "accepted": "Accepted",
    "discuss": "Discuss with the officer",
    "revise": "Revise and resubmit",
}
MODULE_COLUMNS = ("Module", "Status", "Best score", "Answers", "Time")
IDENTIFIER_COLUMNS = ("Reflection", "Part", "Looks like", "In this log")
VERIFY_NOTE = (
    "To check that this log has not been edited since it was exported, a supervisor runs "
    "`cpd review verify` on the officer's signed JSON log and confirms it reports this fingerprint."
)
UNSIGNED_NOTE = (
    "This log carries no signature, so `cpd review verify` cannot confirm that it has not been "
    "edited since it was exported."
)
IDENTIFIERS_NOTE = (
    "When this log was exported, the app flagged text that may identify a child, family or case. "
    "Masked text was replaced in this log; kept text was left as the officer wrote it."
)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment


def format_date(value: Any) -> str:
    moment = parse_time(value)
    if moment is None:
        return one_line(value)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def format_time(value: Any) -> str:
    """'26 Nov 2026 14:03 UTC'; a date alone stays a date; anything unreadable is shown as it is."""
    moment = parse_time(value)
    if moment is None:
        return one_line(value)
    if isinstance(value, str) and len(value) <= 10:
        return format_date(value)
    zone = " UTC" if moment.tzinfo else ""
    return f"{format_date(value)} {moment:%H:%M}{zone}"


def format_number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return one_line(value) if value is not None else "0"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Part:
    label: str
    hint: str
    text: str


@dataclass(frozen=True)
class ReflectionView:
    number: int
    ref: str
    heading: str
    meta: str
    prompt: str
    parts: list[Part]
    learning_points: list[str]
    tags: list[str]


@dataclass(frozen=True)
class ReviewView:
    outcome: str
    facts: list[Fact]
    comment: str
    comments: list[Fact]  # label: which reflection; value: the comment


@dataclass(frozen=True)
class LogView:
    officer: str
    details: list[Fact]
    banks: list[str]
    signed: bool
    fingerprint: str
    verify_note: str
    totals: list[Fact]
    modules: list[tuple[str, ...]]
    reflections: list[ReflectionView]
    review: ReviewView | None
    identifiers: list[tuple[str, ...]] = field(default_factory=list)
    app_version: str = ""
    generated_at: str = ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def person_facts(person: dict[str, Any]) -> list[Fact]:
    return [
        Fact("Name", one_line(person.get("name")) or NOT_SET),
        Fact("Role", one_line(person.get("role")) or NOT_SET),
        Fact("Force", one_line(person.get("force")) or NOT_SET),
        Fact("Staff number", one_line(person.get("staff_number")) or NOT_SET),
    ]


def period_text(doc: dict[str, Any]) -> str:
    period = _dict(doc.get("period"))
    since, until = period.get("since"), period.get("until")
    end = format_date(until) if until else format_date(doc.get("generated_at"))
    return f"{format_date(since)} to {end}" if since else f"everything up to {end}"


def bank_lines(doc: dict[str, Any]) -> list[str]:
    lines = []
    for bank in _list(doc.get("banks")):
        bank = _dict(bank)
        title = one_line(bank.get("title")) or one_line(bank.get("id"))
        lines.append(f"{title} (version {one_line(bank.get('version'))})")
    return lines


def total_facts(doc: dict[str, Any]) -> list[Fact]:
    totals = _dict(doc.get("totals"))
    available = format_number(totals.get("modules_available", 0))
    hours_text = one_line(format_hours(totals.get("cpd_hours", 0)))
    return [
        Fact("CPD hours", f"{hours_text} ({format_duration(totals.get('seconds', 0))} on task)"),
        Fact("Modules passed", f"{format_number(totals.get('modules_passed', 0))} of {available}"),
        Fact(
            "Modules completed",
            f"{format_number(totals.get('modules_completed', 0))} of {available}",
        ),
        Fact("Answers", format_number(totals.get("questions_answered", 0))),
        Fact("Reflections", format_number(totals.get("reflections", 0))),
        *outcome_facts(doc),
    ]


def outcome_facts(doc: dict[str, Any]) -> list[Fact]:
    """How many learning outcomes the log records (absent from older logs)."""
    outcomes = doc.get("learning_outcomes")
    if not isinstance(outcomes, list):
        return []
    return [
        Fact(
            "Learning outcomes",
            f"{count(len(outcomes), 'learning point')} from the modules passed",
        )
    ]


def activity_facts(doc: dict[str, Any]) -> list[Fact]:
    kind = doc.get("activity_type")
    if kind is None:
        return []
    return [
        Fact(
            "Activity type",
            ACTIVITY_TYPES.get(kind, one_line(kind)) if isinstance(kind, str) else one_line(kind),
        )
    ]


def module_rows(doc: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for module in _list(doc.get("modules")):
        module = _dict(module)
        rows.append(
            (
                one_line(module.get("title")) or one_line(module.get("id")),
                one_line(module.get("status")),
                format_score(module.get("best_score")),
                format_number(module.get("attempts", 0)),
                format_duration(module.get("seconds", 0)),
            )
        )
    return rows


def tag_names() -> dict[str, str]:
    from scr_cpd.progress.reflections import CVF_TAGS

    return dict(CVF_TAGS)


def answer(value: Any) -> str:
    """An answer as written (indents kept), or a note that it was left blank."""
    text = visible(value, multiline=True)
    return text.strip("\n") if text.strip() else BLANK


def reflection_view(
    number: int, count: int, record: dict[str, Any], names: dict[str, str]
) -> ReflectionView:
    module = (
        one_line(record.get("module_title"))
        or one_line(record.get("module_id"))
        or "Free reflection"
    )
    created, updated = record.get("created_at"), record.get("updated_at")
    meta = f"Reference {one_line(record.get('id'))} · written {format_time(created)}"
    if updated and updated != created:
        meta += f" · last updated {format_time(updated)}"
    if record.get("impact_at"):
        meta += f" · followed up {format_time(record.get('impact_at'))}"
    elif record.get("follow_up_due"):
        meta += f" · follow-up due {format_date(record.get('follow_up_due'))}"
    points = [
        one_line(_dict(lp).get("text")) or one_line(_dict(lp).get("id"))
        for lp in _list(record.get("learning_points"))
    ]
    tags = [
        names.get(tag, one_line(tag)) if isinstance(tag, str) else one_line(tag)
        for tag in _list(record.get("tags"))
    ]
    return ReflectionView(
        number=number,
        ref=one_line(record.get("id")),
        heading=f"Reflection {number} of {count}: {module}",
        meta=meta,
        prompt=visible(record.get("prompt"), multiline=True).strip() or BLANK,
        parts=reflection_parts(record),
        learning_points=[p for p in points if p],
        tags=[t for t in tags if t],
    )


def reflection_parts(record: dict[str, Any]) -> list[Part]:
    """What? So what? Now what?, then the impact once the follow-up has been answered."""
    parts = [Part(label, hint, answer(record.get(key))) for key, label, hint in PARTS]
    key, label, hint = IMPACT
    if isinstance(record.get(key), str) and record[key].strip():
        parts.append(Part(label, hint, answer(record[key])))
    return parts


def reflection_label(ref: Any, numbers: dict[str, int]) -> str:
    ref_text = one_line(ref)
    number = numbers.get(ref) if isinstance(ref, str) else None
    return f"Reflection {number} ({ref_text})" if number else f"Reflection {ref_text}"


def review_view(doc: dict[str, Any], numbers: dict[str, int]) -> ReviewView | None:
    review = doc.get("review")
    if not isinstance(review, dict):
        return None
    outcome = review.get("outcome")
    supervisor = _dict(review.get("supervisor"))
    facts = [
        Fact(
            "Outcome",
            OUTCOMES.get(outcome, one_line(outcome))
            if isinstance(outcome, str)
            else one_line(outcome),
        ),
        Fact("Date", format_time(review.get("date"))),
        Fact("Supervisor", one_line(supervisor.get("name")) or NOT_SET),
        *[Fact(f.label, f.value) for f in person_facts(supervisor)[1:]],
        Fact("Supervisor's key fingerprint", one_line(review.get("fingerprint")) or "unsigned"),
    ]
    comments = [
        Fact(
            reflection_label(_dict(c).get("reflection"), numbers),
            visible(_dict(c).get("comment"), multiline=True).strip(),
        )
        for c in _list(review.get("comments"))
    ]
    return ReviewView(
        outcome=facts[0].value,
        facts=facts,
        comment=visible(review.get("comment"), multiline=True).strip(),
        comments=comments,
    )


def identifier_rows(doc: dict[str, Any], numbers: dict[str, int]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for item in _list(doc.get("identifiers")):
        item = _dict(item)
        part = item.get("field")
        kind = one_line(item.get("kind"))
        rows.append(
            (
                reflection_label(item.get("reflection"), numbers),
                FIELD_NAMES.get(part, one_line(part)) if isinstance(part, str) else one_line(part),
                IDENTIFIER_KINDS.get(kind, kind.replace("-", " ")),
                "masked" if item.get("redacted") is True else "kept",
            )
        )
    return rows


def build_view(doc: dict[str, Any]) -> LogView:
    profile = _dict(doc.get("profile"))
    app = _dict(doc.get("app"))
    integrity = doc.get("integrity")
    fingerprint = one_line(_dict(integrity).get("fingerprint"))
    records = [_dict(r) for r in _list(doc.get("reflections"))]
    numbers = {r["id"]: n for n, r in enumerate(records, 1) if isinstance(r.get("id"), str)}
    names = tag_names()
    officer = one_line(profile.get("name"))
    return LogView(
        officer=officer,
        details=[
            Fact("Officer", officer or NOT_SET),
            *person_facts(profile)[1:],
            Fact("Period", period_text(doc)),
            *activity_facts(doc),
            Fact("Generated", format_time(doc.get("generated_at"))),
            Fact(
                "App",
                f"{one_line(app.get('name')) or 'scr-cpd'} {one_line(app.get('version'))}".strip(),
            ),
        ],
        banks=bank_lines(doc),
        signed=bool(fingerprint),
        fingerprint=fingerprint or "unsigned",
        verify_note=VERIFY_NOTE if fingerprint else UNSIGNED_NOTE,
        totals=total_facts(doc),
        modules=module_rows(doc),
        reflections=[reflection_view(n, len(records), r, names) for n, r in enumerate(records, 1)],
        review=review_view(doc, numbers),
        identifiers=identifier_rows(doc, numbers),
        app_version=one_line(app.get("version")),
        generated_at=format_time(doc.get("generated_at")),
    )
