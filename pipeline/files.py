"""Files on disk: atomic, change-aware writes, and the one rule for which paths may be used.

The rule: homelang reads and writes only regular files and folders inside its own
folders (``source/``, ``locales/``, ``build/``, ``.homelang/``), never through a
symbolic link, and a path read from a state file (a manifest, a summary) is used only
after :func:`confined` has placed it inside the folder it belongs to.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.errors import PathError, PipelineError

LINK = "a symbolic link: homelang neither reads nor writes through links in its folders"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Write ``data`` to ``path`` atomically; return False (and touch nothing) if unchanged.

    ``mode`` sets the file's permissions (default: an existing file's, or 0644).

    The bytes go to a temporary file in the same folder, are flushed to disk, then
    renamed over the target, so a crash leaves either the old file or the new one.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        # KeyboardInterrupt included: never leave the temporary file behind.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def atomic_write_text(path: Path, text: str) -> bool:
    """:func:`atomic_write` for UTF-8 text with ``\\n`` line endings."""
    return atomic_write(path, text.encode("utf-8"))


def read_regular(path: Path, shown: Path, limit: int | None = None, follow: bool = False) -> bytes:
    """The bytes of ``path`` if it is a regular file (never a folder, a device or a FIFO;
    never a link unless ``follow``), at most ``limit`` bytes of it.

    ``FileNotFoundError`` is left to the caller (a missing file often means "empty").
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW))
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:  # the last part of the path is a link
            raise PathError(LINK, shown) from None
        if isinstance(exc, IsADirectoryError):
            raise PathError("a folder, not a file", shown) from None
        if isinstance(exc, NotADirectoryError):
            raise PathError("a file stands where a folder on its path should be", shown) from None
        raise
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PathError("not a regular file", shown)
        if limit is None:
            return f.read()
        if info.st_size <= limit:
            data = f.read(limit + 1)
            if len(data) <= limit:
                return data
        raise PathError(f"larger than {limit // 1_000_000} MB: not a homelang file", shown)


#: Suffixes of the files homelang keeps in its folders (templates among them): a name with
#: one is a regular file.
FILE_SUFFIXES = frozenset(
    {".po", ".pot", ".mo", ".json", ".md", ".html", ".pdf", ".sqlite", ".csv", ".typ", ".j2"}
)


def parse_json(data: bytes, shown: Path, error: type[PipelineError]) -> Any:
    """A state file's JSON document, or ``error`` naming the file (and line) when it is not
    UTF-8 JSON; a number of thousands of digits or deep nesting is refused too."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error("not UTF-8", shown, data[: exc.start].count(b"\n") + 1) from None
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}", shown, exc.lineno) from None
    except (ValueError, RecursionError):
        raise error("not valid JSON: a number too large or nesting too deep", shown) from None


def odd_entry(folder: Path) -> tuple[Path, str] | None:
    """The first entry at or under ``folder`` (sorted walk) that homelang must not use, and why:
    a symbolic link, or a folder, FIFO or device named like one of homelang's files."""
    if folder.is_symlink():
        return folder, LINK
    for parent, folders, names in os.walk(folder):
        folders.sort()
        for name in sorted(folders + names):
            path = Path(parent, name)
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                return path, LINK
            if path.suffix in FILE_SUFFIXES and not stat.S_ISREG(mode):
                return path, f"not a regular file, but homelang keeps {path.suffix} files here"
    return None


def check_folder(folder: Path, root: Path) -> None:
    """Raise :class:`PathError` naming the first entry of ``folder`` that :func:`odd_entry` finds."""
    found = odd_entry(folder)
    if found is not None:
        path, why = found
        raise PathError(why, path.relative_to(root) if path.is_relative_to(root) else path)


def confined(folder: Path, relative: str, shown: Path) -> Path:
    """``folder / relative`` when ``relative`` is a plain relative path that stays inside
    ``folder`` and crosses no link; else :class:`PathError` naming ``shown`` (never the
    value itself: it is file content we did not write).

    For paths read from state files: an absolute path, ``..``, a backslash, a NUL or a
    link on the way is refused before anything is opened, written, linked or deleted.
    """
    parts = PurePosixPath(relative).parts
    if (
        not parts
        or relative.startswith("/")
        or any(p in ("..", ".") for p in relative.split("/"))
        or any(c in relative for c in "\\\0")
    ):
        raise PathError(f"not a path inside {folder.name}/", shown)
    path = folder
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise PathError(LINK, shown)
    return path
