"""Sign a CPD log with the officer's Ed25519 key, and tell an untouched log from an edited one.

The officer's signature covers `integrity.digests`: a SHA-256 of every part of the log (one per
reflection, plus one of the reflections' order), so verification can say *which* part no longer
matches. A supervisor's review block signs a digest of the officer's whole signed log plus the
review itself.

Digests are taken over canonical JSON (scr_cpd.progress.log.digests), so a log keeps verifying
whatever indentation or key order a tool writes it back with, but any change of content shows.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scr_cpd.progress.log.digests import (  # noqa: F401 (canonical, sha256, deep_sorted re-exported)
    canonical,
    deep_sorted,
    digest_matches,
    sha256,
)
from scr_cpd.progress.log.keys import (  # noqa: F401 (re-exported for earlier importers)
    KEY_FILE,
    KeyFileError,
    _create_key,
    b64,
    fingerprint,
    key_path,
    normalise_fingerprint,
    own_fingerprint,
    public_raw,
)
from scr_cpd.progress.log.keys import key_fingerprint as key_fingerprint
from scr_cpd.progress.log.keys import load_or_create_key as load_or_create_key
from scr_cpd.progress.log.vocabulary import Status

UNSIGNED_PARTS = ("integrity", "review")
# The digest of the reflections' order. A top-level part of this name cannot be signed, so a
# log carrying one is reported as edited (see changed_parts).
ORDER_KEY = "reflections:order"
MAX_LISTED_CHANGES = 6

Encoder = Callable[[Any], bytes]


def signature_matches(public_key_b64: Any, signature_b64: Any, value: Any) -> bool:
    """verify_signature over canonical(value), trying orjson's sorted output first: bytes the
    key signed are bytes the key signed, whichever encoder wrote them."""
    import orjson

    try:
        quick = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        quick = None
    if quick is not None and verify_signature(public_key_b64, signature_b64, quick):
        return True
    return quick != canonical(value) and verify_signature(
        public_key_b64, signature_b64, canonical(value)
    )


def reflection_digests(items: list[Any], encode: Encoder = canonical) -> dict[str, str]:
    """One digest per reflection, keyed by its id; a repeated id gets `#2`, `#3`… so none is lost."""
    return {key: hashlib.sha256(encode(item)).hexdigest() for key, item in _reflection_keys(items)}


def part_digests(doc: dict[str, Any], encode: Encoder = canonical) -> dict[str, Any]:
    """The digest of each signed part. `encode` may be a faster encoder for values it writes
    exactly as `canonical` does; it sorts keys itself, so the parts need not be sorted copies."""
    digests: dict[str, Any] = {}
    for name, value in doc.items():
        if name in UNSIGNED_PARTS:
            continue
        if name == "reflections" and isinstance(value, list):
            digests[name] = per_reflection = reflection_digests(value, encode)
            digests[ORDER_KEY] = hashlib.sha256(encode(list(per_reflection))).hexdigest()
        else:
            digests[name] = hashlib.sha256(encode(value)).hexdigest()
    return digests


def integrity_block(digests: dict[str, Any], key: Any) -> dict[str, Any]:
    """The officer's signature over a log's part digests, keys sorted as the file holds them."""
    raw, signature = public_raw(key), b64(key.sign(canonical(digests)))
    block = {"algorithm": "ed25519", "public_key": b64(raw), "fingerprint": fingerprint(raw)}
    return dict(sorted({**block, "digests": deep_sorted(digests), "signature": signature}.items()))


def sign_log(doc: dict[str, Any], key: Any) -> dict[str, Any]:
    """The log with its integrity block; the parts keep their order, their contents are key-sorted."""
    body = {k: deep_sorted(v) for k, v in doc.items() if k not in UNSIGNED_PARTS}
    if ORDER_KEY in body:
        raise ValueError(f"a log cannot have a part called {ORDER_KEY!r}")
    body["integrity"] = integrity_block(part_digests(body), key)
    return body


def officer_part(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "review"}


def sign_review(
    doc: dict[str, Any],
    key: Any,
    supervisor: dict[str, str],
    date: str,
    outcome: str,
    comment: str = "",
    comments: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The officer's log with a supervisor's review block added (replacing any earlier one)."""
    raw = public_raw(key)
    review = {
        "supervisor": supervisor,
        "date": date,
        "outcome": outcome,
        "comment": comment,
        "comments": comments or [],
        "covers": sha256(officer_part(doc)),
        "algorithm": "ed25519",
        "public_key": b64(raw),
        "fingerprint": fingerprint(raw),
    }
    review["signature"] = b64(key.sign(canonical(review)))
    return {**officer_part(doc), "review": deep_sorted(review)}


@dataclass
class Verdict:
    """What a reader concludes about a file: `status` (a Status), `detail` saying what in a few
    words, the same for the review inside it, and any plausibility flags on its figures."""

    status: str
    detail: str = ""
    fingerprint: str | None = None
    signer: str | None = None
    review_status: str | None = None
    review_detail: str = ""
    changed: list[str] = field(default_factory=list)
    review_fingerprint: str | None = None
    reviewer: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Valid, its review (if any) valid, and nothing implausible in its figures."""
        return (
            self.status == Status.VALID
            and self.review_status in (None, Status.VALID)
            and not self.flags
        )

    def line(self) -> str:
        """One line: `valid (signed by key …, PC 1234 Jones); review: valid (…)`."""
        text = f"{self.status} ({self.detail})" if self.detail else str(self.status)
        if self.review_status:
            review = (
                f"{self.review_status} ({self.review_detail})"
                if self.review_detail
                else self.review_status
            )
            text += f"; review: {review}"
        if self.flags:
            text += f"; flagged: {'; '.join(self.flags)}"
        return text


def verify_signature(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def _public_fingerprint(block: dict[str, Any]) -> str:
    """Fingerprint of the block's public key; raises KeyError/TypeError/ValueError if unreadable."""
    key = block["public_key"]
    if not isinstance(key, str):
        raise TypeError("public key is not text")
    return fingerprint(base64.b64decode(key, validate=True))


def _part_name(name: str) -> str:
    return "the order of reflections" if name == ORDER_KEY else name


def changed_parts(doc: dict[str, Any], signed: dict[str, Any]) -> list[str]:
    """What no longer matches the signed digests: part names, `reflection ID`, `… added/removed`."""
    body = {k: v for k, v in doc.items() if k not in UNSIGNED_PARTS}
    changed = []
    if ORDER_KEY in body:
        changed.append(f"unexpected part {ORDER_KEY!r}")
    reflections = body.get("reflections")
    keyed = _reflection_keys(reflections) if isinstance(reflections, list) else None
    now_keys = set(body)
    if keyed is not None:
        now_keys.add(ORDER_KEY)
    for name in sorted(now_keys | set(signed)):
        before = signed.get(name)
        if name not in now_keys or name not in signed:
            changed.append(f"{_part_name(name)} {'added' if name in now_keys else 'removed'}")
        elif name == ORDER_KEY:
            if not digest_matches([key for key, _ in keyed or []], before):
                changed.append(_part_name(name))
        elif keyed is not None and name == "reflections" and isinstance(before, dict):
            changed += _changed_reflections(keyed, before)
        elif not digest_matches(body[name], before):
            changed.append(name)
    return changed


def unchanged(doc: dict[str, Any], signed: dict[str, Any]) -> bool:
    """True when every part's digest, taken the quick way (see digests.py), is the signed one and
    no part is missing or added: a log as it was exported. False means "ask changed_parts", which
    says what changed; it never finds a change where this finds none (tests/test_review.py)."""
    import orjson

    dumps, sha = orjson.dumps, hashlib.sha256
    matched = 0
    try:
        for name, value in doc.items():
            if name in UNSIGNED_PARTS:
                continue
            expected = signed.get(name)
            if name == "reflections" and type(value) is list:
                if type(expected) is not dict or len(expected) != len(value):
                    return False
                ids = [item.get("id") if type(item) is dict else None for item in value]
                if not all(type(i) is str for i in ids) or len(set(ids)) != len(ids):
                    return False  # ids as the app never writes them: the long way
                for rid, item in zip(ids, value):
                    if expected.get(rid) != sha(dumps(item)).hexdigest():
                        return False
                if signed.get(ORDER_KEY) != sha(dumps(ids)).hexdigest():
                    return False
                matched += 2
            elif name == ORDER_KEY or expected != sha(dumps(value)).hexdigest():
                return False
            else:
                matched += 1
    except orjson.JSONEncodeError:
        return False
    return matched == len(signed)


def _reflection_keys(items: list[Any]) -> list[tuple[str, Any]]:
    """(digest key, reflection) in order, keyed as reflection_digests keys them."""
    keys = [
        str(item.get("id")) if isinstance(item, dict) else f"#{index + 1}"
        for index, item in enumerate(items)
    ]
    if len(set(keys)) == len(keys):  # every id once, as in any log the app wrote
        return list(zip(keys, items))
    seen: set[str] = set()
    keyed = []
    for rid, item in zip(keys, items):
        key, n = rid, 2
        while key in seen:
            key, n = f"{rid}#{n}", n + 1
        seen.add(key)
        keyed.append((key, item))
    return keyed


def _changed_reflections(keyed: list[tuple[str, Any]], signed: dict[str, Any]) -> list[str]:
    changed = []
    now = dict(keyed)
    for rid in sorted(set(now) | set(signed)):
        if rid not in now:
            changed.append(f"reflection {rid} removed")
        elif rid not in signed:
            changed.append(f"reflection {rid} added")
        elif not digest_matches(now[rid], signed[rid]):
            changed.append(f"reflection {rid}")
    return changed


def _describe_changes(changed: list[str]) -> str:
    shown = changed[:MAX_LISTED_CHANGES]
    more = len(changed) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _changed_part_names(changed: list[str]) -> list[str]:
    """Top-level part names only: `reflection r-1 added` counts as `reflections`."""
    names = {"reflections" if c.startswith("reflection ") else c.split(" ")[0] for c in changed}
    return sorted(names)


def _looks_swapped(changed: list[str], signed: dict[str, Any]) -> bool:
    """The signature block came from another log: whose it is, and when or most of it, differ."""
    parts = _changed_part_names(changed)
    return "profile" in parts and ("generated_at" in parts or len(parts) * 2 >= len(signed))


def verify_log(doc: dict[str, Any], trusted: Mapping[str, str] | None = None) -> Verdict:
    """Check the officer's signature and, when present, the supervisor's review signature.

    `trusted` maps key fingerprints to names (the supervisor's trusted list)."""
    trusted = trusted or {}
    verdict = _verify_officer(doc, trusted)
    _verify_review(doc, verdict, trusted)
    return verdict


def _verify_officer(doc: dict[str, Any], trusted: Mapping[str, str]) -> Verdict:
    integrity = doc.get("integrity")
    if integrity is None:
        return Verdict(Status.UNSIGNED, "the log carries no signature")
    if not isinstance(integrity, dict):
        return Verdict(Status.EDITED, "the signature block is not readable")
    try:
        digests = integrity["digests"]
        fp = _public_fingerprint(integrity)
        good = signature_matches(integrity["public_key"], integrity["signature"], digests)
    except (KeyError, TypeError, ValueError):
        return Verdict(Status.EDITED, "the signature block is incomplete or altered")
    if not good or not isinstance(digests, dict):
        return Verdict(Status.EDITED, "the signature block does not match its key", fingerprint=fp)
    if integrity.get("fingerprint") != fp or integrity.get("algorithm") != "ed25519":
        return Verdict(
            Status.EDITED,
            "the signature block's fingerprint or algorithm was changed",
            fingerprint=fp,
        )
    changed = [] if unchanged(doc, digests) else changed_parts(doc, digests)
    if changed:
        if _looks_swapped(changed, digests):
            names = _describe_changes([_part_name(n) for n in _changed_part_names(changed)])
            detail = f"the signature belongs to a different log: {names} do not match"
        else:
            detail = f"changed after signing: {_describe_changes(changed)}"
        return Verdict(Status.EDITED, detail, fingerprint=fp, changed=changed)
    name = trusted.get(fp)
    if name is None:
        return Verdict(
            Status.UNKNOWN_SIGNER,
            f"valid signature by key {fp}, which is not in your trusted list",
            fingerprint=fp,
        )
    return Verdict(Status.VALID, f"signed by key {fp}, {name}", fingerprint=fp, signer=name)


def _sorted_top(doc: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys sorted; the parts inside are already sorted in a log sign_log made."""
    return {k: doc[k] for k in sorted(doc)}


def _verify_review(doc: dict[str, Any], verdict: Verdict, trusted: Mapping[str, str]) -> None:
    if "review" not in doc or doc["review"] is None:
        return
    review = doc["review"]

    def mark(status: str, detail: str) -> None:
        verdict.review_status, verdict.review_detail = status, detail

    if not isinstance(review, dict):
        return mark(Status.EDITED, "the review block is not readable")
    body = {k: v for k, v in review.items() if k != "signature"}
    try:
        fp = _public_fingerprint(review)
        good = verify_signature(review["public_key"], review["signature"], canonical(body))
    except (KeyError, TypeError, ValueError):
        return mark(Status.EDITED, "the review's signature block is incomplete")
    verdict.review_fingerprint = fp
    if not good:
        return mark(Status.EDITED, "the review was changed after it was signed")
    if review.get("fingerprint") != fp:
        return mark(Status.EDITED, "the review's fingerprint was changed")
    if not digest_matches(_sorted_top(officer_part(doc)), review.get("covers")):
        return mark(Status.EDITED, "the officer's part changed after the review was signed")
    outcome = review.get("outcome")
    if fp not in trusted:
        return mark(
            Status.UNKNOWN_SIGNER,
            f"{outcome}, signed by key {fp}, which is not in your trusted list",
        )
    verdict.reviewer = trusted[fp]
    return mark(Status.VALID, f"{outcome}, signed by key {fp}, {trusted[fp]}")
