"""The reader's trusted keys: each binds a key fingerprint to an identity (name, staff number)
and a role (officer or supervisor), and may be revoked. Kept in <home>/trusted-keys.json.

Every name a supervisor sees for a signer comes from here, never from the signed file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from scr_cpd.common.files import InputError, make_private_dir, read_bounded, write_private
from scr_cpd.common.strict_json import JSONProblem, loads
from scr_cpd.common.text import normalise_answer
from scr_cpd.progress.log.keys import KeyFileError, normalise_fingerprint, own_fingerprint
from scr_cpd.progress.log.vocabulary import ROLES, TRUST_FORMAT, Role
from scr_cpd.progress.supervision import SupervisionError

TRUST_FILE = "trusted-keys.json"
OWN_KEY_NAME = "your own key"
MAX_TRUST_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class TrustedKey:
    fingerprint: str
    name: str
    staff_number: str = ""
    role: Role = "officer"
    added_at: str = ""
    revoked_at: str | None = None
    revoked_reason: str = ""

    @property
    def who(self) -> str:
        """`PC 1234 Jones (staff number 1234, officer)`: the identity as trusted."""
        facts = ([f"staff number {self.staff_number}"] if self.staff_number else []) + [self.role]
        return f"{self.name} ({', '.join(facts)})"

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        del data["fingerprint"]
        return data


@dataclass(frozen=True)
class TrustList:
    """What a reader trusts: the listed keys, and their own key (trusted without being listed)."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)
    own: str | None = None

    @cached_property
    def staff_numbers(self) -> dict[str, list[TrustedKey]]:
        """{staff number as compared: the keys trusted with it}, built once per list."""
        found: dict[str, list[TrustedKey]] = {}
        for key in self.keys.values():
            if key.staff_number:
                found.setdefault(normalise_answer(key.staff_number), []).append(key)
        return found

    def names(self) -> dict[str, str]:
        """{fingerprint: the name to show} for every key whose signature is recognised."""
        found = {fp: key.name for fp, key in self.keys.items()}
        if self.own:
            found[self.own] = OWN_KEY_NAME
        return found


def trust_path(home: Path) -> Path:
    return home / TRUST_FILE


def parse_fingerprint(text: str) -> str:
    fp = normalise_fingerprint(text)
    if fp is None:
        raise SupervisionError(
            f"{text!r} is not a key fingerprint: it has 32 hex digits, shown as eight groups of four (abcd:ef01:…)"
        )
    return fp


def parse_role(text: str) -> Role:
    role = text.strip().lower()
    if role not in ROLES:
        raise SupervisionError(f"{text!r} is not a role; use one of: {', '.join(ROLES)}")
    return cast(Role, role)


def key_from_record(fp: str, data: Any) -> TrustedKey | None:
    """A trusted key from its stored form (the old `name` or `{name, added_at}` forms too)."""
    if isinstance(data, str):
        data = {"name": data}
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    text = {k: data.get(k) for k in ("staff_number", "added_at", "revoked_reason")}
    if not all(v is None or isinstance(v, str) for v in text.values()):
        return None
    revoked = data.get("revoked_at")
    role = data.get("role", "officer")
    if role not in ROLES or not (revoked is None or isinstance(revoked, str)):
        return None
    return TrustedKey(
        fingerprint=fp,
        name=data["name"],
        staff_number=text["staff_number"] or "",
        role=role,
        added_at=text["added_at"] or "",
        revoked_at=revoked,
        revoked_reason=text["revoked_reason"] or "",
    )


def read_trusted(home: Path) -> dict[str, TrustedKey]:
    """The listed keys (empty if there is no list). Lists written by earlier versions, which map
    fingerprints to names only, load with every key in the officer role."""
    path = trust_path(home)
    if not path.exists():
        return {}
    fix = "fix it, or move it away and trust the keys again"
    try:
        data = loads(read_bounded(path, MAX_TRUST_BYTES, "trusted-key list"))
    except (InputError, JSONProblem) as exc:
        raise SupervisionError(f"your trusted-key list {path} is damaged ({exc}); {fix}") from None
    if isinstance(data, dict) and data.get("format") == TRUST_FORMAT:
        data = data.get("keys")
    keys: dict[str, TrustedKey] = {}
    for fp, entry in data.items() if isinstance(data, dict) else [("", None)]:
        key = key_from_record(fp, entry) if normalise_fingerprint(str(fp)) == fp else None
        if key is None:
            raise SupervisionError(
                f"your trusted-key list {path} is not in the expected form; {fix}"
            )
        keys[fp] = key
    return keys


def load_trust(home: Path) -> TrustList:
    """The trusted list plus this home's own key (if it has one)."""
    try:
        own = own_fingerprint(home)
    except KeyFileError:  # only signing needs the key; checking others' logs does not
        own = None
    return TrustList(read_trusted(home), own)


def save_trusted(home: Path, keys: dict[str, TrustedKey]) -> None:
    make_private_dir(home)
    body = {"format": TRUST_FORMAT, "keys": {fp: keys[fp].record() for fp in sorted(keys)}}
    write_private(trust_path(home), json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def one_line_name(text: str, what: str = "name") -> str:
    flat = " ".join(text.split())
    if not flat:
        raise SupervisionError(f'give the key\'s owner a {what}, e.g. --name "PC 1234 Jones"')
    return flat


def trust_key(
    home: Path,
    fingerprint: str,
    name: str,
    added_at: str,
    staff_number: str = "",
    role: str = "officer",
) -> tuple[TrustedKey, TrustedKey | None]:
    """Add or change a trusted key; returns (the key as now trusted, as it was before or None)."""
    fp = parse_fingerprint(fingerprint)
    keys = read_trusted(home)
    before = keys.get(fp)
    key = TrustedKey(
        fingerprint=fp,
        name=one_line_name(name),
        staff_number=" ".join(staff_number.split()),
        role=parse_role(role),
        added_at=before.added_at if before else added_at,
        revoked_at=before.revoked_at if before else None,
        revoked_reason=before.revoked_reason if before else "",
    )
    keys[fp] = key
    save_trusted(home, keys)
    return key, before


def untrust_key(home: Path, fingerprint: str) -> tuple[str, TrustedKey | None]:
    """Remove a key; returns (fingerprint, the key as it was, or None if it was not trusted)."""
    fp = parse_fingerprint(fingerprint)
    keys = read_trusted(home)
    before = keys.pop(fp, None)
    if before is not None:
        save_trusted(home, keys)
    return fp, before


def revoke_key(home: Path, fingerprint: str, reason: str, when: str) -> TrustedKey:
    """Mark a trusted key revoked from `when`: what it signs from then on is not valid."""
    fp = parse_fingerprint(fingerprint)
    if not " ".join(reason.split()):
        raise SupervisionError('say why the key is revoked, e.g. --reason "laptop stolen"')
    keys = read_trusted(home)
    if fp not in keys:
        raise SupervisionError(
            f"key {fp} is not in your trusted list; trust it first (with --name) to record its revocation"
        )
    keys[fp] = replace(keys[fp], revoked_at=when, revoked_reason=" ".join(reason.split()))
    save_trusted(home, keys)
    return keys[fp]
