"""`cpd bank stats --logs`: how each question performs across a team, from officers' signed logs.

Only logs that verify count. An answer counts against the wording it answered (its content
hash): answers to the question's current wording make its statistics; answers to older wordings
are counted apart. The unit is the officer, as Moodle's quiz statistics use one attempt per
student: each officer's first answer to the current wording (before practice and feedback shaped
the next ones) gives the facility, the option choices and the calibration; every answer is
counted in `answers`.

Discrimination is Moodle's discrimination index: the correlation between an officer's score on
the question (0 or 1) and their score on the rest of the module (the share right of their first
answers to its other questions), from -1 to 1 (Moodle shows it as a percentage). Discriminative
efficiency is that covariance over the largest covariance the same scores could have; Moodle
marks a question whose efficiency is under 15 % as not pulling its weight, and so do we.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from scr_cpd.common.files import walk_files
from scr_cpd.content.model import Bank, Question
from scr_cpd.progress.bank_stats import (
    MIN_ANSWERS,
    QuestionStats,
    difficulty_flags,
    question_stats,
)
from scr_cpd.progress.log.response import stored_response
from scr_cpd.progress.warehouse import Rejected, load_verified

NOT_DISCRIMINATING = 0.15  # discriminative efficiency under this: Moodle's "dubious" mark
FLAG_NOT_DISCRIMINATING = "not discriminating"


@dataclass(frozen=True)
class Answer:
    officer: str
    correct: bool
    response: Any  # the store's form for the current wording; None when the log has none
    confidence: str | None


@dataclass
class Bar:
    label: str
    count: int
    right: bool


@dataclass
class TeamQuestion:
    bank: Bank
    question: Question
    stats: (
        QuestionStats  # from the first answers: facility, wrong choices, too easy/hard, misleading
    )
    officers: int = 0
    answers: int = 0
    without_response: int = 0  # first answers from logs that do not record the choice
    discrimination: float | None = None
    efficiency: float | None = None
    sure_wrong: int = 0
    guess_right: int = 0
    rated: int = 0  # first answers that carry a confidence
    bars: list[Bar] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def facility(self) -> float | None:
        return self.stats.facility


@dataclass
class OlderWording:
    module_id: str
    question_id: str
    content_hash: str
    officers: int
    answers: int
    correct: int


@dataclass
class TeamReport:
    used: list[Path] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    questions: list[TeamQuestion] = field(default_factory=list)
    older: list[OlderWording] = field(default_factory=list)
    unknown: int = 0  # answers to questions the module's bank no longer has


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    vx, vy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return cov / math.sqrt(vx * vy) if vx > 0 and vy > 0 else None


def efficiency(xs: list[float], ys: list[float]) -> float | None:
    """Covariance over the largest covariance the same two lists could have (sorted together)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    best = sum((x - mx) * (y - my) for x, y in zip(sorted(xs), sorted(ys)))
    return cov / best if best > 0 else None


class _Collector:
    def __init__(self, banks: list[Bank]):
        self.questions = {q.key: q for b in banks for q in b.questions}
        self.modules = {b.id for b in banks}
        self.first: dict[tuple[str, str], dict[str, Answer]] = defaultdict(dict)
        self.answers: Counter[tuple[str, str]] = Counter()
        self.older: dict[tuple[str, str, str], list[tuple[str, bool]]] = defaultdict(list)
        self.unknown = 0

    def add_log(self, officer: str, doc: dict[str, Any]) -> None:
        for a in sorted(doc["attempts"], key=lambda a: a["answered_at"]):
            key = (a["module_id"], a["question_id"])
            question = self.questions.get(key)
            if key[0] not in self.modules:
                continue  # another module than those asked about
            if question is None:
                self.unknown += 1
            elif a["content_hash"] != question.content_hash:
                self.older[(*key, a["content_hash"])].append((officer, bool(a["correct"])))
            else:
                self.answers[key] += 1
                if officer not in self.first[key]:
                    response = stored_response(question, a["response"]) if "response" in a else None
                    answer = Answer(officer, bool(a["correct"]), response, a.get("confidence"))
                    self.first[key][officer] = answer


def team_stats(
    paths: Iterable[Path],
    trusted: dict[str, str],
    banks: list[Bank],
    min_answers: int = MIN_ANSWERS,
) -> TeamReport:
    report, collector = TeamReport(), _Collector(banks)
    seen: set[tuple[str, str]] = set()  # (officer, signature): the same log twice counts once
    for path in walk_files(paths, (".json",)):
        doc, verdict = load_verified(path, trusted)
        if doc is None or not verdict.ok:
            report.rejected.append(Rejected(path, verdict.line()))
            continue
        report.used.append(path)
        if (verdict.fingerprint, doc["integrity"]["signature"]) not in seen:
            seen.add((verdict.fingerprint, doc["integrity"]["signature"]))
            collector.add_log(verdict.fingerprint, doc)
    for bank in banks:
        rest = _rest_scores(bank, collector)
        for q in bank.questions:
            if collector.answers[q.key]:
                report.questions.append(_question(bank, q, collector, rest, min_answers))
    report.older = [
        OlderWording(m, q, h, len({o for o, _ in given}), len(given), sum(ok for _, ok in given))
        for (m, q, h), given in sorted(collector.older.items())
    ]
    report.unknown = collector.unknown
    return report


def _rest_scores(bank: Bank, c: _Collector) -> dict[str, dict[str, float]]:
    """officer -> question id -> their share right on the module's other questions."""
    by_officer: dict[str, dict[str, bool]] = defaultdict(dict)
    for q in bank.questions:
        for officer, answer in c.first.get(q.key, {}).items():
            by_officer[officer][q.id] = answer.correct
    rest: dict[str, dict[str, float]] = {}
    for officer, scores in by_officer.items():
        total, n = sum(scores.values()), len(scores)
        rest[officer] = {qid: (total - ok) / (n - 1) for qid, ok in scores.items() if n > 1}
    return rest


def _question(
    bank: Bank,
    q: Question,
    c: _Collector,
    rest: dict[str, dict[str, float]],
    min_answers: int,
) -> TeamQuestion:
    first = list(c.first[q.key].values())
    known = [(a.response, a.correct) for a in first if a.response is not None]
    stats = question_stats(q, known, min_answers=min_answers)
    # facility counts every officer's first answer, with or without the choice recorded
    stats.answers, stats.correct = len(first), sum(a.correct for a in first)
    stats.flags = [f for f in stats.flags if not f.startswith(("too easy", "too hard"))]
    item = TeamQuestion(bank, q, stats, len(first), c.answers[q.key], len(first) - len(known))
    pairs = [(float(a.correct), rest[a.officer][q.id]) for a in first if q.id in rest[a.officer]]
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    item.discrimination, item.efficiency = pearson(xs, ys), efficiency(xs, ys)
    rated = [a for a in first if a.confidence]
    item.rated = len(rated)
    item.sure_wrong = sum(a.confidence == "sure" and not a.correct for a in rated)
    item.guess_right = sum(a.confidence == "guess" and a.correct for a in rated)
    item.bars = _bars(q, [r for r, _ in known], stats)
    item.flags = _flags(item, min_answers)
    return item


def _flags(item: TeamQuestion, min_answers: int) -> list[str]:
    facility = item.facility
    if facility is None or item.officers < min_answers:
        return []
    flags = difficulty_flags(facility)
    if item.efficiency is not None and item.efficiency < NOT_DISCRIMINATING:
        flags.append(FLAG_NOT_DISCRIMINATING)
    return flags + item.stats.flags  # the misleading flag, from bank_stats


def _bars(q: Question, responses: list[Any], stats: QuestionStats) -> list[Bar]:
    """What officers chose first: every option for choice questions, else right vs each wrong."""
    if q.type in ("single", "multiple"):
        picked: Counter[int] = Counter()
        for r in responses:
            picked.update([r] if q.type == "single" else r)
        return [Bar(f"{i + 1}. {o.text}", picked[i], o.correct) for i, o in enumerate(q.options)]
    right = Bar("right answer", stats.right_count, True)
    return [right] + [Bar(w.label, w.count, False) for w in stats.wrong[:6]]


CSV_COLUMNS = (
    "module",
    "question",
    "officers",
    "answers",
    "facility",
    "discrimination",
    "flags",
    "wording",
    "discriminative_efficiency",
    "sure_and_wrong",
    "guessed_and_right",
)


def _rounded(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def render_csv(report: TeamReport) -> str:
    """One row per question; every cell made visible and safe from spreadsheet formulas."""
    import csv
    import io

    from scr_cpd.common.text import visible

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for t in report.questions:
        row = [t.bank.id, t.question.id, t.officers, t.answers, _rounded(t.facility)]
        row += [_rounded(t.discrimination), "; ".join(t.flags), t.question.content_hash]
        row += [_rounded(t.efficiency), t.sure_wrong, t.guess_right]
        writer.writerow([_cell(visible(v)) for v in row])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


HTML_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #111; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #999; padding: .2em .5em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.flag { color: #8a1c00; font-weight: bold; }
svg text { font: 12px system-ui, sans-serif; }
"""
BAR_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 260, 20, 300


def _svg(bars: list[Bar], caption: str) -> str:
    from html import escape

    top = max((b.count for b in bars), default=0) or 1
    height = ROW_HEIGHT * len(bars) + 4
    parts = [
        f'<svg role="img" aria-label="{escape(caption)}" width="{LABEL_WIDTH + BAR_WIDTH + 50}"'
        f' height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(caption)}</title>'
    ]
    for i, bar in enumerate(bars):
        y = i * ROW_HEIGHT + 2
        width = round(BAR_WIDTH * bar.count / top)
        colour = "#2e7d32" if bar.right else "#b0411e"
        label = bar.label if len(bar.label) <= 44 else bar.label[:43] + "…"
        parts.append(
            f'<text x="0" y="{y + 14}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width}" height="{ROW_HEIGHT - 6}"'
            f' fill="{colour}"/><text x="{LABEL_WIDTH + width + 4}" y="{y + 14}">{bar.count}</text>'
        )
    return "".join(parts) + "</svg>"


def render_html(report: TeamReport, generated_at: str) -> str:
    """A self-contained page: per question its figures, a bar chart of first choices (green the
    right answer) and the same counts as a table; everything from a file or a bank escaped."""
    from html import escape

    from scr_cpd.common.text import count, visible

    def e(value: Any) -> str:
        return escape(visible(value))

    body = [
        f"<h1>Question statistics from {count(len(report.used), 'verified log')}</h1>",
        f"<p>Made {e(generated_at)}. {e(count(len(report.rejected), 'file'))} not used.</p>",
    ]
    for t in report.questions:
        title = f"{t.bank.id} / {t.question.id}"
        flags = "; ".join(t.flags) or "none"
        body.append(f"<h2>{e(title)}</h2><p>{e(t.question.prompt)}</p>")
        body.append(
            "<table><tr><th>Officers</th><th>Answers</th><th>Facility</th><th>Discrimination</th>"
            "<th>Sure and wrong</th><th>Guessed and right</th><th>Flags</th></tr>"
            f'<tr><td class="n">{t.officers}</td><td class="n">{t.answers}</td>'
            f'<td class="n">{e(_rounded(t.facility))}</td><td class="n">{e(_rounded(t.discrimination))}</td>'
            f'<td class="n">{t.sure_wrong}</td><td class="n">{t.guess_right}</td>'
            f'<td class="flag">{e(flags)}</td></tr></table>'
        )
        if t.bars:
            body.append(_svg(t.bars, f"First choices for {title}"))
            rows = "".join(
                f"<tr><td>{e(b.label)}{' (right)' if b.right else ''}</td><td class='n'>{b.count}</td></tr>"
                for b in t.bars
            )
            body.append(f"<table><tr><th>Choice</th><th>Officers</th></tr>{rows}</table>")
    if report.rejected:
        items = "".join(f"<li>{e(r.path)}: {e(r.verdict)}</li>" for r in report.rejected)
        body.append(f"<h2>Not used</h2><ul>{items}</ul>")
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        "<title>Question statistics</title>"
        f"<style>{HTML_STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
