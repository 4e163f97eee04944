"""The project lock: one writing homelang run per project at a time.

An exclusive ``flock`` on ``.homelang/lock``: the kernel drops it when the holder
exits or is killed, so a lock left by a crashed run is never stale. The file
records who holds it, for the message the second run prints.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import LockError, PathError

#: What a holder writes into the lock file (see below).
HOLDER = re.compile(r"'[\w .-]{1,80}', pid \d{1,10}, since [\d: +-]{10,30}")


@contextmanager
def project_lock(state_dir: Path, command: str) -> Iterator[None]:
    """Hold the project lock for the duration of the block, or raise :class:`LockError`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    try:  # never through a link: the lock file is truncated and written
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise PathError(f"cannot open the project lock: {exc.strerror}", path) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
            if not HOLDER.fullmatch(holder):  # only our own words are quoted back
                holder = "unknown"
            raise LockError(
                f"another homelang run holds the project lock ({holder}); try again when it ends"
            ) from None
        since = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"'{command}', pid {os.getpid()}, since {since}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
