"""Helpers for the browser tests: serving a folder on localhost, and what one opened page did."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""The axe-core tags of WCAG 2.1 level A and AA."""


class Visit(NamedTuple):
    """One opened page and what it did."""

    page: Any
    """playwright.sync_api.Page"""
    outside_requests: list[str]
    """URLs of requests to any origin other than the site's (aborted)."""
    errors: list[str]
    """Console errors, uncaught exceptions and CSP violations, in order."""


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    """The URL path the folder is served under; anything outside it is not found."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".not-served" / "x")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = Path(self.directory) / "404.html"
        if code == 404 and not_found.is_file():
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection early (a page navigated away) is no error of the site.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path, prefix: str = "/") -> Iterator[str]:
    """Serve a folder under a URL path (e.g. "/kommunedata/") on a free localhost port for the duration of
    the block, as a static host would; yields the folder's URL."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler_class = type("Handler", (_Handler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def representative_pages(site_dir: Path, lang: str) -> list[str]:
    """One page of every type in a language: the home page, every list page, and for every folder of
    pages (documents of a type, municipalities, indicators, datasets, embed pages …) its largest page,
    which has the most of what the template can show. Pages at the top of the site (404.html) too."""
    root = site_dir / lang
    pages = [f"{lang}/index.html"]
    pages += sorted(p.relative_to(site_dir).as_posix() for p in root.glob("*.html") if p.name != "index.html")
    for section in sorted(p for p in root.iterdir() if p.is_dir()):
        if (section / "index.html").is_file():
            pages.append((section / "index.html").relative_to(site_dir).as_posix())
        children = sorted(section.glob("*/index.html"))
        if children:
            largest = max(children, key=lambda p: (p.stat().st_size, p.as_posix()))
            pages.append(largest.relative_to(site_dir).as_posix())
    if lang == "en":
        pages += sorted(p.name for p in site_dir.glob("*.html") if p.name != "index.html")
    return pages


def axe_violations(page: Any, axe_source: str, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations on the page, one line per element. axe is evaluated through the DevTools
    protocol, which the page's CSP (script-src 'self') does not govern, so the page's own CSP stays on."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(axe_source)
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    else:
        options["runOnly"] = {"type": "tag", "values": WCAG_TAGS}
    violations = page.evaluate("options => window.axe.run(document, options).then(r => r.violations)", options)
    found = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            found.append(f"{violation['id']} at {' '.join(map(str, node['target']))}: {summary}")
    return found
