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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import LockError, PathError

#: What a holder writes into the lock file (see below).
HOLDER = re.compile(r"'[\w .-]{1,80}', pid \d{1,10}, since [\d: +-]{10,30}")


#: How often a waiting run tries the lock again (seconds).
RETRY = 0.01
#: Seconds a short write (an online save, an invitation) waits for a CLI run to end.
SHORT_WAIT = 5.0
#: Seconds a CLI command waits, so that the saves of ``homelang serve`` (milliseconds
#: each) never make it fail; a CLI run holding the lock longer still refuses it.
CLI_WAIT = 2.0


@contextmanager
def project_lock(state_dir: Path, command: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the project lock for the duration of the block, or raise :class:`LockError`.

    ``wait``: seconds to keep trying while another run holds it (``serve`` saves one
    entry at a time beside CLI runs); 0 refuses at once. Each thread opens the lock
    file itself, and the kernel gives ``flock`` to one open file at a time, so the
    threads of one process exclude each other as processes do.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    try:  # never through a link: the lock file is truncated and written
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise PathError(f"cannot open the project lock: {exc.strerror}", path) from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
                if not HOLDER.fullmatch(holder):  # only our own words are quoted back
                    holder = "unknown"
                raise LockError(
                    f"another homelang run holds the project lock ({holder}); "
                    "try again when it ends"
                )
            time.sleep(RETRY)
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


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
