"""Serving ``/docs`` in tests, crawling its links, and driving headless Chromium.

:func:`mounted` puts the documentation in front of CORE's router the way
``service.app`` routes it, so the tests see what ``core serve`` serves.
"""

from __future__ import annotations

import os
import shutil
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import html

from service.docs import DOCS_PATH

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "docs"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def mounted(router: Any, docs: Wsgi) -> Wsgi:
    """Route ``/docs`` and below to ``docs``, everything else to CORE's router."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == DOCS_PATH or path.startswith(DOCS_PATH + "/"):
            environ["core.address"] = router.address(environ)
            return docs(environ, start_response)
        return router(environ, start_response)

    return app


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serving(app: Wsgi) -> Iterator[str]:
    """Serve ``app`` over HTTP on a free local port; yield its base URL."""
    server = make_server(
        "127.0.0.1",
        0,
        app,
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def links(document: bytes | str) -> list[str]:
    """Every ``href`` of a page."""
    return [str(link) for link in html.fromstring(document).xpath("//a/@href")]


def ids(document: bytes | str) -> set[str]:
    """Every ``id`` of a page: the anchors a link may name."""
    return {str(value) for value in html.fromstring(document).xpath("//@id")}


def resolve(page_url: str, link: str) -> tuple[str, str]:
    """The absolute URL of a link from a page, and its fragment."""
    target, fragment = urldefrag(urljoin(page_url, link))
    return target, fragment


def same_site(base: str, url: str) -> bool:
    """Whether ``url`` is on the server at ``base``."""
    return urlsplit(url).netloc == urlsplit(base).netloc


def chromium_path() -> str:
    """The Chromium to drive; skip (or fail, when it is required) without one."""
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return found
    reason = "Chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CORE_REQUIRE_CHROMIUM") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


class Chromium:
    """Headless Chromium with a profile of its own.

    :param binary: the Chromium executable.
    :param profile: an empty folder for its user data.
    """

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary = binary
        self.profile = profile

    def run(self, *arguments: str) -> str:
        """Run Chromium once; return what it printed."""
        command = [
            self.binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self.profile}",
            *arguments,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def dom(self, url: str) -> str:
        """The page's DOM once loaded."""
        return self.run("--dump-dom", url)

    def screenshot(self, url: str, path: Path, width: int, height: int) -> Path:
        """Save a PNG of the page at a window of ``width`` by ``height``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run(f"--screenshot={path}", f"--window-size={width},{height}", url)
        return path


def png_size(path: Path) -> tuple[int, int]:
    """The width and height written in a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
