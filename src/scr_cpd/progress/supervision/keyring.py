"""A keyring a force can publish: the trusted keys (identity, role, revocation) in one JSON file
signed by its publisher, which supervisors import after checking the publisher's fingerprint."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scr_cpd.common.files import InputError, read_bounded
from scr_cpd.common.strict_json import JSONProblem, loads
from scr_cpd.common.text import normalise_answer
from scr_cpd.progress.log.digests import canonical
from scr_cpd.progress.log.keys import b64, fingerprint, normalise_fingerprint, public_raw
from scr_cpd.progress.log.signing import verify_signature
from scr_cpd.progress.log.vocabulary import KEYRING_FORMAT
from scr_cpd.progress.supervision import SupervisionError
from scr_cpd.progress.supervision.trust import (
    MAX_TRUST_BYTES,
    TrustedKey,
    key_from_record,
    read_trusted,
    save_trusted,
)


@dataclass(frozen=True)
class Keyring:
    publisher: str  # fingerprint of the key that signed it
    published_at: str
    keys: dict[str, TrustedKey]


@dataclass(frozen=True)
class Change:
    kind: str  # "add", "change", "revoke"
    key: TrustedKey
    before: TrustedKey | None
    # other keys already trusted with the same name or staff number (a second key for one
    # person is often a new computer, but may be someone passing as them)
    alike: tuple[TrustedKey, ...] = ()


def export_keyring(home: Path, key: Any, when: str) -> str:
    """The trusted list as a keyring signed with `key`."""
    keys = read_trusted(home)
    raw = public_raw(key)
    body: dict[str, Any] = {
        "format": KEYRING_FORMAT,
        "published_at": when,
        "keys": [{"fingerprint": fp, **keys[fp].record()} for fp in sorted(keys)],
        "publisher": {
            "algorithm": "ed25519",
            "public_key": b64(raw),
            "fingerprint": fingerprint(raw),
        },
    }
    body["signature"] = b64(key.sign(canonical(body)))
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def read_keyring(path: Path) -> Keyring:
    """A keyring whose signature holds; SupervisionError naming the file otherwise."""
    try:
        data = loads(read_bounded(path, MAX_TRUST_BYTES, "keyring"))
    except (InputError, JSONProblem) as exc:
        raise SupervisionError(f"cannot import {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != KEYRING_FORMAT:
        raise SupervisionError(
            f"cannot import {path}: it is not a scr-cpd keyring ({KEYRING_FORMAT})"
        )
    body = {k: v for k, v in data.items() if k != "signature"}
    found = data.get("publisher")
    publisher: dict[str, Any] = found if isinstance(found, dict) else {}
    try:
        good = verify_signature(publisher["public_key"], data["signature"], canonical(body))
        fp = fingerprint(base64.b64decode(publisher["public_key"], validate=True))
    except (KeyError, TypeError, ValueError):
        good, fp = False, ""
    if not good or publisher.get("fingerprint") != fp:
        raise SupervisionError(
            f"cannot import {path}: its signature does not match (the keyring was edited after it was published)"
        )
    keys: dict[str, TrustedKey] = {}
    entries = data.get("keys")
    for entry in entries if isinstance(entries, list) else [None]:
        fp_text = entry.get("fingerprint") if isinstance(entry, dict) else None
        key = key_from_record(fp_text, entry) if isinstance(fp_text, str) else None
        if key is None or normalise_fingerprint(key.fingerprint) != key.fingerprint:
            raise SupervisionError(f"cannot import {path}: a key in it is not in the expected form")
        keys[key.fingerprint] = key
    return Keyring(fp, str(data.get("published_at", "")), keys)


def _merged(key: TrustedKey, before: TrustedKey) -> TrustedKey:
    """A keyring's entry for a key already trusted, as importing keeps it: its first date of
    trust, and the earlier of the two revocations, so a keyring never lifts a revocation made
    here nor moves it later (a stolen key's keyring would do just that)."""
    revoked = sorted((k for k in (before, key) if k.revoked_at), key=lambda k: str(k.revoked_at))
    first = revoked[0] if revoked else key
    return replace(
        key,
        added_at=before.added_at,
        revoked_at=first.revoked_at,
        revoked_reason=first.revoked_reason,
    )


def keyring_changes(home: Path, keyring: Keyring) -> list[Change]:
    """What importing would change in the trusted list (keys only here are kept)."""
    current = read_trusted(home)
    index = _Identities(current.values())
    changes = []
    for fp, key in sorted(keyring.keys.items(), key=lambda item: item[1].name.casefold()):
        before = current.get(fp)
        merged = key if before is None else _merged(key, before)
        alike = tuple(k for k in index.alike(key) if k.fingerprint != fp)
        if before is None:
            changes.append(Change("add", key, None, alike))
        elif merged.revoked_at != before.revoked_at:
            changes.append(Change("revoke", merged, before))
        elif merged != before:
            if fp == keyring.publisher:
                raise SupervisionError(
                    f"cannot import the keyring: it changes how you trust the very key that "
                    f"signed it ({fp}, now {before.who}); a keyring cannot vouch for its own publisher"
                )
            changes.append(Change("change", merged, before, alike))
    return changes


class _Identities:
    """The trusted keys by name and by staff number, as compared everywhere else."""

    def __init__(self, keys: Iterable[TrustedKey]) -> None:
        self.by: dict[tuple[str, str], list[TrustedKey]] = {}
        for key in keys:
            for facet in self._facets(key):
                self.by.setdefault(facet, []).append(key)

    @staticmethod
    def _facets(key: TrustedKey) -> list[tuple[str, str]]:
        staff = [("staff", normalise_answer(key.staff_number))] if key.staff_number else []
        return [("name", normalise_answer(key.name)), *staff]

    def alike(self, key: TrustedKey) -> list[TrustedKey]:
        """Keys with the same name or the same staff number as `key`, each once."""
        found = [k for facet in self._facets(key) for k in self.by.get(facet, [])]
        return list({k.fingerprint: k for k in found}.values())


def import_keyring(home: Path, changes: list[Change]) -> None:
    keys = read_trusted(home)
    for change in changes:
        before = keys.get(change.key.fingerprint)
        keys[change.key.fingerprint] = _merged(change.key, before) if before else change.key
    save_trusted(home, keys)
