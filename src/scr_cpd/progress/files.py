"""Writing files the way every export should: atomically, readable by the owner only."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output file cannot be written; the message is one sentence for the user."""


def write_private(path: Path, data: str | bytes, keep_existing: bool = False) -> Path:
    """Write via a temp file in the same folder and rename, so a reader never sees half a file.

    With `keep_existing`, a file already at `path` (say, made by another process a moment ago)
    is never replaced: the first writer wins and the others leave it as it is.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        if keep_existing:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        else:
            os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
