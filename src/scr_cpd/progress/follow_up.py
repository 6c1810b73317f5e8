"""Following up a reflection's "Now what?": which are due, and the officer's answer ("impact").

Each "Now what?" gets a review date when it is first written (`reflections.FOLLOW_UP_DAYS`
later). Once that date has passed and no answer has been given, the follow-up is due. The
answer is committed the moment it is given, like every other field of a reflection.
"""

from __future__ import annotations

from scr_cpd.progress import pii
from scr_cpd.progress.reflections import ReflectionEntry, ReflectionError, all_entries, get
from scr_cpd.progress.store import Store, iso

IMPACT_LABEL = "Impact: did you? What changed in your practice?"


def is_due(entry: ReflectionEntry, now: str) -> bool:
    return bool(
        entry.now_what.strip()
        and not entry.impact.strip()
        and entry.follow_up_due is not None
        and entry.follow_up_due <= now
    )


def due(store: Store) -> list[ReflectionEntry]:
    """Reflections whose follow-up date has passed and that have no impact yet, oldest first."""
    now = iso()
    return [e for e in all_entries(store) if is_due(e, now)]


def save_impact(store: Store, uid: str, text: str) -> list[pii.Finding]:
    """Keep `text` as the reflection's impact (committed at once); returns what in it may
    identify someone, so that the caller can offer to edit it."""
    get(store, uid)  # one sentence for an unknown id
    if not text.strip():
        raise ReflectionError("an empty answer was not kept; write what changed, or stop")
    now = iso()
    with store.transaction():
        store.db.execute(
            "UPDATE reflections SET impact = ?, impact_at = ?, updated_at = ? WHERE uid = ?",
            (text, now, now, uid),
        )
    return pii.find_identifiers(text)
