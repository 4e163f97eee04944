"""Atomic, change-aware file writes: the only way homelang puts bytes on disk."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
