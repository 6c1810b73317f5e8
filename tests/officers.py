"""Officers with real signed logs, for the tests of what is built from a team's logs.

Each officer has a home folder with the tiny fixture bank, a profile and one completed run of
the tiny module whose answers the test chooses (in the store's own form: option positions in the
bank file, true/false, a number, the typed text, the right-hand side chosen per left-hand side).
Their log is then exported through the real `cpd export`, signed with their own key.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from helpers import TINY, cpd

from scr_cpd.progress.store import Store

RIGHT = {
    "q-single": 0,
    "q-multiple": [0, 2],
    "q-true-false": True,
    "q-numeric": 7,
    "q-short": "Paris",
    "q-matching": [0, 1],
}
WRONG = {
    "q-single": 1,
    "q-multiple": [0, 1],
    "q-true-false": False,
    "q-numeric": 8,
    "q-short": "Lyon",
    "q-matching": [1, 0],
}
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def officer_home(root: Path, staff: str, name: str | None = None) -> Path:
    home = root / f"officer-{staff}"
    (home / "banks").mkdir(parents=True)
    shutil.copy(TINY, home / "banks" / "tiny.yaml")
    result = cpd(
        "profile",
        "--name",
        name or f"PC {staff} Officer",
        "--staff-number",
        staff,
        "--force",
        "Northshire Police",
        home=home,
    )
    assert result.exit_code == 0, result.output
    return home


def answer(
    home: Path,
    responses: dict[str, Any],
    confidence: dict[str, str] | None = None,
    start: datetime = START,
    complete: bool = True,
) -> None:
    """One sitting of the tiny module, answered as `responses` says (question id -> response)."""
    from scr_cpd.content.loader import load_library

    bank = load_library(home).get("tiny")
    store = Store.open(home)
    session = store.start_session("module", "tiny", [q.key for q in bank.questions], bank.version)
    for n, q in enumerate(bank.questions):
        if q.id not in responses:
            continue
        response = responses[q.id]
        store.record_attempt(
            session.id,
            "tiny",
            q.id,
            q.revision,
            q.content_hash,
            response,
            q.is_correct(response),
            30.0 + n,
            (confidence or {}).get(q.id),
            stamp(start + timedelta(minutes=n)),
        )
    if complete:
        store.end_session(session.id, "completed")
    # The sitting began just before its first answer and ended with its last, as in a real one.
    end = start + timedelta(minutes=len(bank.questions))
    store.db.execute(
        "UPDATE sessions SET started_at = ?, ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE ? END WHERE id = ?",
        (stamp(start - timedelta(seconds=5)), stamp(end), session.id),
    )
    store.close()


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def export(home: Path, out: Path, *args: str) -> dict[str, Any]:
    result = cpd("export", "-o", str(out), "--force", *args, home=home)  # a newer export replaces
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()) if out.suffix == ".json" else {}


def trust(reviewer_home: Path, doc: dict[str, Any]) -> None:
    fp = doc["integrity"]["fingerprint"]
    result = cpd("review", "trust", fp, "--name", doc["profile"]["name"], home=reviewer_home)
    assert result.exit_code == 0, result.output


def team(root: Path, reviewer_home: Path, answers: list[dict[str, Any]], **kw: Any) -> list[Path]:
    """One trusted, signed log per entry of `answers`, in root/logs/officer-N.json."""
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, responses in enumerate(answers):
        home = officer_home(root / "homes", str(1000 + i))
        answer(home, responses, **kw)
        path = logs / f"officer-{1000 + i}.json"
        trust(reviewer_home, export(home, path))
        paths.append(path)
    return paths
