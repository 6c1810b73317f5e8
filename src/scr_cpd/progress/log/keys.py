"""The officer's or supervisor's own Ed25519 signing key (<home>/keys/signing-key.pem, owner-only)
and key fingerprints: the first 128 bits of the SHA-256 of the raw public key, in groups of four.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from scr_cpd.common.files import OutputError, write_private
from scr_cpd.progress.store import StoreError

KEY_FILE = "signing-key.pem"
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{32}$")


class KeyFileError(StoreError):
    """The signing key file exists but cannot be used; the message is one sentence for the user."""


def fingerprint(public_raw: bytes) -> str:
    digest = hashlib.sha256(public_raw).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def normalise_fingerprint(text: str) -> str | None:
    """`AB12 cd34:...` or `ab12cd34...` → `ab12:cd34:...`; None if it is not a key fingerprint."""
    bare = re.sub(r"[\s:]", "", text).lower()
    if not FINGERPRINT_RE.match(bare):
        return None
    return ":".join(bare[i : i + 4] for i in range(0, 32, 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_path(home: Path) -> Path:
    return home / "keys" / KEY_FILE


def load_or_create_key(home: Path) -> Any:
    """The person's own signing key, created (owner-only) the first time it is needed."""
    path = key_path(home)
    if not path.exists():
        _create_key(path)
    return _read_key(path)


def _read_key(path: Path) -> Any:
    """The key in the layout _create_key writes read from its seed, sparing the import of
    cryptography's whole key-file reader (a tenth of an export); any other file, or a damaged
    one, goes to the full reader, which says what is wrong."""
    try:
        seed = _pkcs8_seed(path.read_bytes())
    except OSError:
        seed = None
    if seed is None:
        return _load_key(path)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(seed)


def _load_key(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise KeyFileError(f"cannot read your signing key {path} ({exc.strerror})") from None
    except (ValueError, TypeError):
        raise KeyFileError(
            f"your signing key {path} is damaged; restore it from a backup, or move it away to "
            "get a new key (logs you signed before will then show a different fingerprint)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 signing key made by scr-cpd")
    return key


def _create_key(path: Path) -> None:
    """Write a new key without ever replacing one: two processes creating it at once agree on one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(path, pem, keep_existing=True)
    except OSError as exc:
        raise KeyFileError(
            f"cannot create your signing key in {path.parent} ({exc.strerror})"
        ) from None
    except OutputError as exc:
        raise KeyFileError(f"cannot create your signing key: {exc}") from None


def public_raw(key: Any) -> bytes:
    raw: bytes = key.public_key().public_bytes_raw()
    return raw


def key_fingerprint(key: Any) -> str:
    return fingerprint(public_raw(key))


def own_fingerprint(home: Path) -> str | None:
    """The fingerprint of the key in this home folder, if there is one (never creates it)."""
    path = key_path(home)
    if not path.exists():
        return None
    return key_fingerprint(_read_key(path))


# An Ed25519 private key as PKCS#8 DER (RFC 8410) is these 16 bytes, then the 32-byte seed.
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")
_PEM_LINES = (b"-----BEGIN PRIVATE KEY-----", b"-----END PRIVATE KEY-----")


def _pkcs8_seed(pem: bytes) -> bytes | None:
    """The seed of a key file laid out exactly as _create_key writes it, else None. Reading it
    this way spares checking others' logs the import of cryptography's whole key-file reader."""
    lines = pem.strip().splitlines()
    if len(lines) != 3 or (lines[0], lines[2]) != _PEM_LINES:
        return None
    try:
        der = base64.b64decode(lines[1], validate=True)
    except ValueError:
        return None
    return der[16:] if len(der) == 48 and der.startswith(_PKCS8_ED25519) else None
