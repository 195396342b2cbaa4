"""Real-browser fixtures: the shipped site built once, served on localhost, opened in Debian's Chromium.

Stable API (other test modules rely on these names):

- `site_dir`: the built site (a folder), built once per session.
- `site_url`: "http://127.0.0.1:PORT/" serving `site_dir`; a missing path gets the site's 404.html (if any)
  with status 404, as static hosts such as GitHub Pages do.
- `browser`: one headless Chromium per session (/usr/bin/chromium via Playwright, never a downloaded one).
- `open_page(path, *, javascript=True, color_scheme="light", width=1280, height=900)` → `Visit`, which
  unpacks as `(page, outside_requests, errors)`: every request to another origin than the site's (such
  requests are also aborted), and every console error, uncaught exception and CSP violation.
- `node_modules`: the test tools installed by `npm ci` (axe-core, vnu-jar).
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import Visit, serve

from site_builder.build import build

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SITE_BUILDER_CHROMIUM", "/usr/bin/chromium"))
NODE_MODULES = REPO / "node_modules"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The init script runs before any page script; CSP violations are reported to the test via a binding
# (bindings are not subject to the page's CSP).
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__siteTestCsp(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') +
    ' at ' + event.sourceFile + ':' + event.lineNumber);
});
"""


def _require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} not found at {path}; run `make test` (as root on a fresh Debian machine) to install it")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site, built once per session into a temporary folder."""
    out = tmp_path_factory.mktemp("browser") / "site"
    build(REPO / "site.yaml", out)
    return out


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """The built site served by a threaded http.server on a free localhost port."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session."""
    _require(CHROMIUM, "Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Python Playwright is missing; install the test extra: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def _contexts(browser: Any) -> Iterator[dict[bool, Any]]:
    """One browser context with JavaScript and one without, shared by all tests."""
    contexts: dict[bool, Any] = {}
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript, service_workers="block")
        context.add_init_script(_CSP_LISTENER)
        contexts[javascript] = context
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.fixture
def open_page(_contexts: dict[bool, Any], site_url: str) -> Iterator[Callable[..., Visit]]:
    """Open a site path (relative to the site root, or a full localhost URL) and record what the page does.

    Pages are closed after the test.
    """
    opened: list[Any] = []

    def open_(
        path: str, *, javascript: bool = True, color_scheme: str = "light", width: int = 1280, height: int = 900
    ) -> Visit:
        url = path if path.startswith("http://") else site_url + path.lstrip("/")
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"

        def outside(address: str) -> bool:
            if address.startswith(("data:", "blob:", "about:")):
                return False
            return address != origin and not address.startswith(origin + "/")

        page = _contexts[javascript].new_page()
        opened.append(page)
        outside_requests: list[str] = []
        errors: list[str] = []
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme=color_scheme)
        page.expose_binding("__siteTestCsp", lambda _source, text: errors.append(f"CSP violation: {text}"))
        page.on("request", lambda request: outside_requests.append(request.url) if outside(request.url) else None)
        page.on("websocket", lambda socket: outside_requests.append(socket.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        page.route(outside, lambda route: route.abort())
        page.goto(url, wait_until="load")
        return Visit(page, outside_requests, errors)

    yield open_
    for page in opened:
        page.close()


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The npm test tools (axe-core, vnu-jar), installed by `npm ci` in the repository root."""
    _require(NODE_MODULES / "axe-core" / "axe.min.js", "axe-core (npm ci)")
    return NODE_MODULES


@pytest.fixture(scope="session")
def java() -> str:
    found = shutil.which("java")
    if found is None:
        pytest.fail("java not found; run `make test` (installs default-jre-headless)")
    return found
