"""A real ``homelang serve`` (waitress, its own process) over a test project, and a phone to open it.

:func:`serving` starts ``python -m pipeline -C PROJECT serve --port 0`` and reads the
staff address it prints; :func:`phone` is Debian's Chromium through playwright at a
375 x 812 viewport.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import ARGS, CHROMIUM

STAFF = re.compile(r"(http://127\.0\.0\.\d:\d+)/\?staff=([A-Za-z0-9_-]+)")
PHONE = {"width": 375, "height": 812}


@dataclass(frozen=True)
class Site:
    url: str  # http://127.0.0.1:PORT
    staff: str  # the address that opens the dashboard
    output: str  # what serve printed before it was ready


@contextmanager
def serving(project: Path, *args: str) -> Iterator[Site]:
    """``homelang serve`` on an ephemeral loopback port, stopped (SIGTERM) afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "-C", str(project), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        found = None
        for line in process.stdout:
            lines.append(line)
            found = found or STAFF.search(line)
            if line.startswith("Ctrl-C"):
                break
        if found is None:
            pytest.fail(f"serve did not start:\n{''.join(lines)}{process.stderr.read()}")
        yield Site(found.group(1), found.group(0), "".join(lines))
    finally:
        process.terminate()
        process.communicate(timeout=30)


@contextmanager
def phone(scripts: bool = True) -> Iterator:
    """A phone-sized browser context in Debian's headless Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is needed: make system")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=scripts
            )
        finally:
            browser.close()
