"""Sign a CPD log with the officer's Ed25519 key, and tell an untouched log from an edited one.

The officer's signature covers `integrity.digests`: a SHA-256 of every part of the log (one per
reflection), so verification can say *which* part no longer matches. A supervisor's review block
signs a digest of the officer's whole signed log plus the review itself.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scr_cpd.progress.files import write_private

KEY_FILE = "signing-key.pem"
UNSIGNED_PARTS = ("integrity", "review")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def fingerprint(public_raw: bytes) -> str:
    digest = hashlib.sha256(public_raw).hexdigest()[:32]
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_path(home: Path) -> Path:
    return home / "keys" / KEY_FILE


def load_or_create_key(home: Path) -> Any:
    """The person's own signing key, created (owner-only) the first time it is needed."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path(home)
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    write_private(path, pem)
    return key


def public_raw(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def part_digests(doc: dict[str, Any]) -> dict[str, Any]:
    digests: dict[str, Any] = {}
    for name, value in doc.items():
        if name in UNSIGNED_PARTS:
            continue
        if name == "reflections" and isinstance(value, list):
            digests[name] = {str(r.get("id")): sha256(r) for r in value if isinstance(r, dict)}
        else:
            digests[name] = sha256(value)
    return digests


def sign_log(doc: dict[str, Any], key: Any) -> dict[str, Any]:
    body = {k: v for k, v in doc.items() if k not in UNSIGNED_PARTS}
    digests = part_digests(body)
    raw = public_raw(key)
    body["integrity"] = {
        "algorithm": "ed25519",
        "public_key": b64(raw),
        "fingerprint": fingerprint(raw),
        "digests": digests,
        "signature": b64(key.sign(canonical(digests))),
    }
    return body


def officer_part(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "review"}


def sign_review(doc: dict[str, Any], key: Any, supervisor: dict[str, str], date: str, outcome: str,
                comment: str = "", comments: list[dict[str, str]] | None = None) -> dict[str, Any]:
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
    return {**officer_part(doc), "review": review}


@dataclass
class Verdict:
    """`status` is one of: valid, edited, unsigned, unknown signer (and for files: not a CPD log,
    unsupported version, damaged). `detail` says what, in a few words."""

    status: str
    detail: str = ""
    fingerprint: str | None = None
    signer: str | None = None
    review_status: str | None = None
    review_detail: str = ""
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "valid" and self.review_status in (None, "valid")


def _verify_signature(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def changed_parts(doc: dict[str, Any], signed: dict[str, Any]) -> list[str]:
    now = part_digests({k: v for k, v in doc.items() if k not in UNSIGNED_PARTS})
    changed = []
    for name in sorted(set(now) | set(signed)):
        before, after = signed.get(name), now.get(name)
        if isinstance(before, dict) and isinstance(after, dict):
            for rid in sorted(set(before) | set(after)):
                if rid not in after:
                    changed.append(f"reflection {rid} removed")
                elif rid not in before:
                    changed.append(f"reflection {rid} added")
                elif before[rid] != after[rid]:
                    changed.append(f"reflection {rid}")
        elif before != after:
            changed.append(name if name in now and name in signed else f"{name} {'added' if name in now else 'removed'}")
    return changed


def verify_log(doc: dict[str, Any], trusted: dict[str, str] | None = None) -> Verdict:
    trusted = trusted or {}
    integrity = doc.get("integrity")
    if not isinstance(integrity, dict):
        return Verdict("unsigned", "the log carries no signature")
    try:
        digests = integrity["digests"]
        fp = fingerprint(base64.b64decode(integrity["public_key"], validate=True))
        good = _verify_signature(integrity["public_key"], integrity["signature"], canonical(digests))
    except (KeyError, TypeError, ValueError):
        return Verdict("edited", "the signature block is incomplete or altered")
    if not good:
        return Verdict("edited", "the signature block does not match its key", fingerprint=fp)
    changed = changed_parts(doc, digests)
    if changed:
        return Verdict("edited", "changed after signing: " + ", ".join(changed), fingerprint=fp, changed=changed)
    verdict = Verdict("valid", f"signed by key {fp}", fingerprint=fp, signer=trusted.get(fp))
    if fp not in trusted:
        verdict.status = "unknown signer"
        verdict.detail = f"valid signature by key {fp}, which is not in your trusted list (cpd review trust {fp} --name ...)"
    _verify_review(doc, verdict, trusted)
    return verdict


def _verify_review(doc: dict[str, Any], verdict: Verdict, trusted: dict[str, str]) -> None:
    review = doc.get("review")
    if review is None:
        return
    if not isinstance(review, dict):
        verdict.review_status, verdict.review_detail = "edited", "the review block is not readable"
        return
    body = {k: v for k, v in review.items() if k != "signature"}
    try:
        fp = fingerprint(base64.b64decode(review["public_key"], validate=True))
        good = _verify_signature(review["public_key"], review["signature"], canonical(body))
    except (KeyError, TypeError, ValueError):
        verdict.review_status, verdict.review_detail = "edited", "the review's signature block is incomplete"
        return
    if not good:
        verdict.review_status, verdict.review_detail = "edited", "the review was changed after it was signed"
    elif review.get("covers") != sha256(officer_part(doc)):
        verdict.review_status, verdict.review_detail = "edited", "the officer's part changed after the review was signed"
    elif fp not in trusted:
        verdict.review_status, verdict.review_detail = "unknown signer", f"review signed by key {fp}, not in your trusted list"
    else:
        verdict.review_status, verdict.review_detail = "valid", f"review signed by {trusted[fp]} ({fp})"
