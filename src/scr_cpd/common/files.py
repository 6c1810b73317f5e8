"""Files in and files out, the one way every command does it.

In: only regular files, within a size cap, read without waiting on a FIFO or a device.
Out: atomically (a temporary file in the same folder, then a rename), readable by the owner only
whatever the umask, never over an existing file without `force`, never over a FIFO, device or
folder, never over one of the home folder's own files, and never leaving the temporary file behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

TEMP_SUFFIX = ".cpd-tmp"


class InputError(Exception):
    """An input file cannot be read; the message is one sentence naming the file."""


class OutputError(Exception):
    """An output file cannot be written; the message is one sentence naming the file and the fix."""


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def regular_file_size(path: Path) -> int:
    """The size of a regular file (0 for anything else, which `read_bounded` then refuses):
    lets a caller refuse a file too large in its own words before reading any of it."""
    try:
        info = path.stat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def read_bounded(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at `path`, refused when larger than `limit`.

    Checked before opening (opening a FIFO would wait for a writer; /dev/zero never ends) and
    again while reading (a file that grows meanwhile).
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"cannot read {path}: it is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"cannot read {path}: it is not a regular file (a pipe or a device?)")
    if info.st_size > limit:
        raise InputError(
            f"{path} is too large ({_size_text(info.st_size)}; a {what} is at most "
            f"{_size_text(limit)})"
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {_reason(exc)}") from None
    chunks, total = [], 0
    try:
        while total <= limit:
            chunk = os.read(fd, max(info.st_size, 65536) + 1)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {_reason(exc)}") from None
    finally:
        os.close(fd)
    if total > limit:
        raise InputError(f"{path} is too large (a {what} is at most {_size_text(limit)})")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == 40:  # ELOOP
        return "too many levels of symbolic links"
    return (exc.strerror or str(exc)).lower()


def walk_files(paths: Iterable[Path], suffixes: tuple[str, ...] = ()) -> Iterator[Path]:
    """Each file named, and each file below each folder named (sorted, hidden ones skipped, links
    to folders not followed), once; with `suffixes`, only files below folders that end so.
    A link in a folder that leads nowhere (or round in a loop) is listed too, so that reading
    it says why it cannot be read rather than the walk failing or passing over it."""
    seen: set[object] = set()
    for path in paths:
        path = Path(path)
        found = _walk(path, suffixes) if path.is_dir() else iter([path])
        for item in found:
            key = _identity(item)
            if key not in seen:
                seen.add(key)
                yield item


def _identity(path: Path) -> object:
    """What makes two names one file: its device and inode (one stat, where resolving a path
    costs a look-up per folder in it); a path that cannot be looked up is its own."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return path
    return (info.st_dev, info.st_ino)


def _walk(folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path, suffixes)
        elif _file_or_dead_link(entry) and (not suffixes or entry.name.lower().endswith(suffixes)):
            yield path


def _file_or_dead_link(entry: os.DirEntry[str]) -> bool:
    try:
        if entry.is_file():
            return True
        return entry.is_symlink() and not os.path.exists(entry.path)  # leads nowhere
    except OSError:  # a link in a loop
        return True


def make_private_dir(path: Path) -> Path:
    """Create `path` (and its parents) as 0700 whatever the umask; an existing folder is kept."""
    path = Path(path)
    old = os.umask(0o077)
    try:
        path.mkdir(parents=True, exist_ok=True)
    finally:
        os.umask(old)
    return path


def check_output_path(path: Path, force: bool = False, protected: Iterable[Path] = ()) -> None:
    """Refuse an output path that would clobber something: an existing file without `force`, a
    FIFO, device or folder ever, or one of `protected` (the home folder's own files) ever."""
    path = Path(path)
    for own in protected:
        if _same_file(path, Path(own)):
            raise OutputError(
                f"will not write to {path}: it is one of the app's own files; choose another name"
            )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {path}: it is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"will not write to {path}: it is not a regular file")
    if not force:
        raise OutputError(f"{path} already exists; use --force to replace it")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def write_private(
    path: Path,
    data: str | bytes,
    keep_existing: bool = False,
    force: bool = True,
    protected: Iterable[Path] = (),
) -> Path:
    """Write `data` atomically as an owner-only file.

    `force=False` refuses an existing file (see `check_output_path`); `keep_existing` lets the
    first of several writers win quietly (for files the app creates itself, such as a key).
    """
    path = Path(path)
    if not keep_existing:
        check_output_path(path, force=force, protected=protected)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    clean_stale_temps(folder, path.name)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_existing:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        else:
            os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def clean_stale_temps(folder: Path, name: str) -> None:
    """Remove what a killed earlier write of `name` left behind (its temporary files)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    prefix = f".{name}."
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
            try:
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
            except OSError:
                pass
