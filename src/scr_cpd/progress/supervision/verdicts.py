"""From a good signature to a verdict a supervisor can act on: whose key it is (by the trust
list, never by the file), whether the log's profile matches that identity, whether the key was
revoked before it signed, and whether a sign-off comes from a key trusted as a supervisor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from scr_cpd.common.text import normalise_answer
from scr_cpd.progress.log.signing import Verdict, verify_log
from scr_cpd.progress.log.vocabulary import Status
from scr_cpd.progress.supervision.plausibility import flags
from scr_cpd.progress.supervision.trust import OWN_KEY_NAME, TrustedKey, TrustList


class TrustedNames(Mapping[str, str]):
    """TrustList.names() as a view, built for no log: a force's trust list can hold thousands of
    keys, and a team summary asks it about every log."""

    def __init__(self, trust: TrustList) -> None:
        self.trust = trust

    def __getitem__(self, fingerprint: str) -> str:
        if fingerprint is not None and fingerprint == self.trust.own:
            return OWN_KEY_NAME
        return self.trust.keys[fingerprint].name

    def __iter__(self) -> Iterator[str]:
        yield from self.trust.keys
        if self.trust.own and self.trust.own not in self.trust.keys:
            yield self.trust.own

    def __len__(self) -> int:
        own = self.trust.own
        return len(self.trust.keys) + (1 if own and own not in self.trust.keys else 0)


def judge(doc: dict[str, Any], trust: TrustList | None = None) -> Verdict:
    """The verdict on a parsed log (its format already checked)."""
    trust = trust or TrustList()
    verdict = verify_log(doc, TrustedNames(trust))
    if verdict.status == Status.VALID and verdict.fingerprint != trust.own:
        _check_officer(doc, verdict, trust.keys[str(verdict.fingerprint)], trust)
    if verdict.review_status in (Status.VALID, Status.UNKNOWN_SIGNER):
        _check_review(doc, verdict, trust)
    verdict.flags = flags(doc)
    return verdict


def _same(a: Any, b: str) -> bool:
    return normalise_answer(str(a or "")) == normalise_answer(b)


def _utc(stamp: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc) if moment else None


def _revoked_before(key: TrustedKey, signed_at: Any) -> bool:
    """The key was revoked before it signed: compared as moments (`10:00-05:00` is 15:00 UTC),
    and a signing time that cannot be read counts as after the revocation."""
    if not key.revoked_at:
        return False
    revoked, signed = _utc(key.revoked_at), _utc(signed_at)
    if revoked is None:
        return str(signed_at or "") >= str(key.revoked_at)
    return signed is None or signed >= revoked


def _revocation(key: TrustedKey) -> str:
    reason = f": {key.revoked_reason}" if key.revoked_reason else ""
    return f"revoked on {str(key.revoked_at)[:10]}{reason}"


def _staff_number_of_another(key: TrustedKey, staff: Any, trust: TrustList) -> TrustedKey | None:
    """Another trusted key whose staff number the log carries, when the signer's key was
    trusted without one (its staff number would otherwise be taken on the log's word)."""
    if key.staff_number or not isinstance(staff, str) or not normalise_answer(staff):
        return None
    holders = trust.staff_numbers.get(normalise_answer(staff), [])
    return next((k for k in holders if k.fingerprint != key.fingerprint), None)


def _check_officer(
    doc: dict[str, Any], verdict: Verdict, key: TrustedKey, trust: TrustList
) -> None:
    fp = verdict.fingerprint
    if _revoked_before(key, doc.get("generated_at")):
        verdict.status = Status.REVOKED_KEY
        verdict.detail = f"signed on {str(doc.get('generated_at'))[:10]} by key {fp} of {key.name}, {_revocation(key)}"
        return
    found = doc.get("profile")
    profile: dict[str, Any] = found if isinstance(found, dict) else {}
    name, staff = profile.get("name", ""), profile.get("staff_number", "")
    if not _same(name, key.name) or (key.staff_number and not _same(staff, key.staff_number)):
        claimed = f"{name or '(no name)'}" + (f" (staff number {staff})" if staff else "")
        verdict.status = Status.IDENTITY_MISMATCH
        verdict.detail = (
            f"signed by key {fp}, trusted as {key.who}, but the log's profile says {claimed}"
        )
        return
    other = _staff_number_of_another(key, staff, trust)
    if other is not None:
        verdict.status = Status.IDENTITY_MISMATCH
        verdict.detail = (
            f"signed by key {fp}, trusted as {key.who}, but the log's staff number {staff} "
            f"is that of {other.who}, trusted for key {other.fingerprint}"
        )
        return
    if key.revoked_at:
        verdict.detail += f"; the key was {_revocation(key)}, after this log was signed"


def _check_review(doc: dict[str, Any], verdict: Verdict, trust: TrustList) -> None:
    review = doc["review"]
    fp = verdict.review_fingerprint
    outcome = review.get("outcome")
    found = review.get("supervisor")
    supervisor: dict[str, Any] = found if isinstance(found, dict) else {}
    claimed = supervisor.get("name") or "(no name)"
    key = trust.keys.get(str(fp))
    verdict.reviewer = None
    if fp == verdict.fingerprint:
        verdict.review_status = Status.SELF_SIGNED_REVIEW
        verdict.review_detail = (
            f"{outcome}, signed with the officer's own key {fp}, though it names {claimed}"
        )
    elif fp == trust.own:
        verdict.reviewer = OWN_KEY_NAME
    elif key is None:
        return  # unknown signer, as verify_log said
    elif _revoked_before(key, review.get("date")):
        verdict.review_status = Status.REVOKED_KEY
        verdict.review_detail = f"{outcome}, signed by key {fp} of {key.name}, {_revocation(key)}"
    elif key.role != "supervisor":
        verdict.review_status = Status.REVIEWER_NOT_SUPERVISOR
        verdict.review_detail = f"{outcome}, signed by key {fp}, trusted as {key.who}"
    elif not _same(claimed, key.name) or (
        key.staff_number and not _same(supervisor.get("staff_number"), key.staff_number)
    ):
        staff = supervisor.get("staff_number")
        named = f"{claimed}" + (f" (staff number {staff})" if staff else "")
        verdict.review_status = Status.IDENTITY_MISMATCH
        verdict.review_detail = (
            f"{outcome}, signed by key {fp}, trusted as {key.who}, but the review names {named}"
        )
    else:
        verdict.reviewer = key.name
