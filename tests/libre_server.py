"""A LibreTranslate-compatible server on 127.0.0.1 that misbehaves like real engines do.

``POST /translate`` (query string, form or JSON: q, source, target, api_key) and
``GET /languages``, as LibreTranslate answers them. The "translation" is
deterministic (:func:`fake_translate`: every word reversed, prefixed by the target
code) and hurts the way real engines hurt: words inside ``{braces}`` are translated
too and raw URLs come back spaced out. :class:`Behavior` adds latency, 429/500
answers, garbage, dropped or altered tokens, merged paragraphs, or a hang. Every
request is logged so tests can count what was sent. Also used by the benchmark.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

LANGUAGES = ("en", "es", "ar", "vi", "fr")
_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"https?://\S+")
_TOKEN = re.compile(r"⟦\d+⟧")


def fake_translate(text: str, target: str) -> str:
    """What the server answers for ``text``: ``hello {name}`` -> ``es: olleh {eman}``, per paragraph."""
    paragraphs = text.split("\n\n")
    out = []
    for paragraph in paragraphs:
        spaced = _URL.sub(lambda m: m.group().replace("://", ": //").replace(".", ". "), paragraph)
        out.append(f"{target}: " + _WORD.sub(lambda m: m.group()[::-1], spaced))
    return "\n\n".join(out)


@dataclass
class Behavior:
    """How the server misbehaves; tests change it between (or during) runs."""

    latency: float = 0.0
    statuses: list[int] = field(default_factory=list)  # answered first, one per request, then 200
    always_status: int | None = None
    garbage: bool = False
    drop_tokens: bool = False
    alter_tokens: bool = False
    merge_paragraphs: bool = False
    hang: bool = False
    on_request: Callable[[dict], None] | None = None


@dataclass
class Logged:
    path: str
    q: str
    source: str
    target: str
    api_key: str


class LibreServer:
    """Runs in a background thread; ``url`` ends with a slash, as deep-translator wants."""

    def __init__(self) -> None:
        self.behavior = Behavior()
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> LibreServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def translations(self) -> list[Logged]:
        return [r for r in self.log if r.path == "/translate"]

    @property
    def chars(self) -> int:
        """Characters of text received, the way a paid provider would bill them."""
        return sum(len(r.q) for r in self.translations)

    def _answer(self, fields: dict[str, str]) -> tuple[int, bytes]:
        b = self.behavior
        if b.on_request:
            b.on_request(fields)
        if b.latency:
            time.sleep(b.latency)
        if b.hang:
            self._stop.wait(60)  # a server that accepted and never answers
            return 500, b"{}"
        with self._lock:
            status = b.statuses.pop(0) if b.statuses else b.always_status
        if status:
            return status, json.dumps({"error": f"status {status}"}).encode()
        if b.garbage:
            return 200, b"<html><body>Service temporarily unavailable</body></html>"
        text = fake_translate(fields.get("q", ""), fields.get("target", ""))
        if b.drop_tokens:
            text = _TOKEN.sub("", text, count=1)
        if b.alter_tokens:
            text = _TOKEN.sub(
                lambda m: m.group().replace("⟦", "[").replace("⟧", "]"), text, count=1
            )
        if b.merge_paragraphs:
            text = text.replace("\n\n", " ")
        return 200, json.dumps({"translatedText": text}, ensure_ascii=False).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                server.log.append(Logged(path, "", "", "", ""))
                if path == "/languages":
                    body = [
                        {"code": c, "name": c, "targets": [t for t in LANGUAGES if t != c]}
                        for c in LANGUAGES
                    ]
                    self._send(200, json.dumps(body).encode())
                else:
                    self._send(404, b'{"error": "Not Found"}')

            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                fields = {k: v[0] for k, v in parse_qs(parts.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    fields.update({k: str(v) for k, v in json.loads(raw or "{}").items()})
                else:
                    fields.update({k: v[0] for k, v in parse_qs(raw).items()})
                with server._lock:
                    server.log.append(
                        Logged(
                            parts.path,
                            fields.get("q", ""),
                            fields.get("source", ""),
                            fields.get("target", ""),
                            fields.get("api_key", ""),
                        )
                    )
                if parts.path != "/translate":
                    self._send(404, b'{"error": "Not Found"}')
                    return
                self._send(*server._answer(fields))

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its deadline), as clients do

        return Handler


@pytest.fixture
def libre() -> Iterator[LibreServer]:
    """A fresh misbehaving LibreTranslate server for one test."""
    with LibreServer() as server:
        yield server
