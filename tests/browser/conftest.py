"""Real-browser fixtures: the shipped site built once, served on localhost, opened in Debian's Chromium.

Stable API (other test modules rely on these names):

- `site_dir`: the built site (a folder), built once per session.
- `site_url`: "http://127.0.0.1:PORT/PATH/" serving `site_dir` under the path of the site's base_url; a
  missing path gets the site's 404.html (if any) with status 404, as static hosts such as GitHub Pages do.
- `browser`: one headless Chromium per session (/usr/bin/chromium via Playwright, never a downloaded one).
- `open_page(path, *, javascript=True, color_scheme="light", width=1280, height=900, new_page=False)` →
  `Visit`, which unpacks as `(page, outside_requests, errors)`: every request to another origin than the
  page's own (such requests are also aborted), and every console error, uncaught exception and CSP
  violation. Visits reuse one shared page unless `new_page=True`.
- `node_modules`: the test tools installed by `npm ci` (axe-core, vnu-jar); `axe_source`: axe-core's script
  for `browser_support.axe_violations(page, axe_source)`.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from site_builder import search
from site_builder.build import build
from site_builder.diagnostics import BuildFailed

from .browser_support import Visit, serve

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SITE_BUILDER_CHROMIUM", "/usr/bin/chromium"))
NODE_MODULES = REPO / "node_modules"
SEARCH_PAGES_PER_PART = 20
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
def _built_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The repository's own site, built once per session into a temporary folder, and its base URL."""
    out = tmp_path_factory.mktemp("browser") / "site"
    try:
        # Small index parts, so that every search in these tests also searches the parts merged in, as on a
        # site of thousands of documents.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(search, "PAGES_PER_PART", SEARCH_PAGES_PER_PART)
            result = build(REPO / "site.yaml", out)
    except BuildFailed as failed:
        pytest.fail("the shipped site does not build:\n" + "\n".join(map(str, failed.diagnostics)))
    return out, str(result.site.config.settings.base_url)


@pytest.fixture(scope="session")
def site_dir(_built_site: tuple[Path, str]) -> Path:
    """The repository's own site, built once per session into a temporary folder."""
    return _built_site[0]


@pytest.fixture(scope="session")
def site_url(_built_site: tuple[Path, str]) -> Iterator[str]:
    """The built site served by a threaded http.server on a free localhost port, under the path of the
    configured base URL (as on GitHub Pages), so that the 404 page's root-relative links resolve."""
    directory, base_url = _built_site
    prefix = urllib.parse.urlsplit(base_url).path or "/"
    with serve(directory, prefix) as url:
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


class _Tab:
    """A page whose events go to the lists of its latest visit."""

    def __init__(self, context: Any) -> None:
        self.origin = ""
        self.outside_requests: list[str] = []
        self.errors: list[str] = []
        self.page = page = context.new_page()
        page.expose_binding("__siteTestCsp", lambda _source, text: self.errors.append(f"CSP violation: {text}"))
        page.on("request", lambda request: self._request(request.url))
        page.on("websocket", lambda socket: self.outside_requests.append(socket.url))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.route(self.outside, lambda route: route.abort())

    def outside(self, address: str) -> bool:
        if address.startswith(("data:", "blob:", "about:")):
            return False
        return address != self.origin and not address.startswith(self.origin + "/")

    def _request(self, url: str) -> None:
        if self.outside(url):
            self.outside_requests.append(url)

    def visit(self, url: str, color_scheme: str, width: int, height: int) -> Visit:
        parts = urllib.parse.urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.outside_requests = []
        self.errors = []
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.emulate_media(color_scheme=color_scheme)
        self.page.goto(url, wait_until="load")
        return Visit(self.page, self.outside_requests, self.errors)


@pytest.fixture(scope="session")
def _shared_tabs() -> dict[bool, _Tab]:
    """The page each context reuses from visit to visit (several times faster than a new page each time)."""
    return {}


@pytest.fixture
def open_page(
    _contexts: dict[bool, Any], _shared_tabs: dict[bool, _Tab], site_url: str
) -> Iterator[Callable[..., Visit]]:
    """Open a site path (relative to the site root, or a full localhost URL) and record what the page does.

    By default the visit reuses one shared page (navigating away from the previous visit's); pass
    `new_page=True` for a page of its own, closed after the test.
    """
    own: list[_Tab] = []

    def open_(
        path: str,
        *,
        javascript: bool = True,
        color_scheme: str = "light",
        width: int = 1280,
        height: int = 900,
        new_page: bool = False,
    ) -> Visit:
        url = path if path.startswith("http://") else site_url + path.lstrip("/")
        if new_page:
            tab = _Tab(_contexts[javascript])
            own.append(tab)
        else:
            tab = _shared_tabs.get(javascript)
            if tab is None or tab.page.is_closed():
                tab = _shared_tabs[javascript] = _Tab(_contexts[javascript])
        return tab.visit(url, color_scheme, width, height)

    yield open_
    for tab in own:
        tab.page.close()


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The npm test tools (axe-core, vnu-jar), installed by `npm ci` in the repository root."""
    _require(NODE_MODULES / "axe-core" / "axe.min.js", "axe-core (npm ci)")
    return NODE_MODULES


@pytest.fixture(scope="session")
def axe_source(node_modules: Path) -> str:
    """axe-core's script, for `browser_support.axe_violations`."""
    return (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def java() -> str:
    found = shutil.which("java")
    if found is None:
        pytest.fail("java not found; run `make test` (installs default-jre-headless)")
    return found
