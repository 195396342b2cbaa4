"""Shared by the hostile corpus (tests/hostile/test_corpus.py) and the fuzz suite (tests/test_fuzz.py).

`unsafe_pages` says what "harmless" means for a built page: no script but JSON-LD, no event handler, no
script URL, no active element. Pages are parsed with the standard library's HTML parser, so entities in
attribute values are decoded the way a browser decodes them before a URL's scheme is looked at.

`time_limit` turns a hang into a failure.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from collections.abc import Iterator
from html.parser import HTMLParser

JSON_LD = "application/ld+json"

ACTIVE_TAGS = frozenset(
    {
        "applet",
        "base",
        "button",
        "embed",
        "form",
        "frame",
        "frameset",
        "iframe",
        "input",
        "isindex",
        "listing",
        "math",
        "noscript",
        "object",
        "plaintext",
        "portal",
        "select",
        "style",
        "svg",
        "template",
        "textarea",
        "xmp",
    }
)
"""Tags the theme never writes and content must never bring: they run code, load code or post data."""

URL_ATTRIBUTES = frozenset(
    {
        "action",
        "background",
        "cite",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "src",
        "xlink:href",
    }
)
ACTIVE_ATTRIBUTES = frozenset({"srcdoc", "style", "autofocus"})
"""`style` can carry expression() and url(javascript:); the theme's CSP forbids inline style anyway."""

SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
SAFE_LINK_RELS = frozenset({"alternate", "canonical", "stylesheet", "icon"})
SAFE_META_HTTP_EQUIV = frozenset({"content-security-policy", "refresh"})

_URL_NOISE = re.compile(r"[\t\n\r]")
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?(?P<url>[^'\"]*)", re.IGNORECASE)


def _url_scheme_is_script(value: str) -> bool:
    """Browsers drop tabs and newlines anywhere in a URL and C0 controls and spaces around it."""
    url = _URL_NOISE.sub("", value).strip("".join(chr(c) for c in range(0x21))).lower()
    return url.startswith(SCRIPT_SCHEMES)


def _is_json_ld(values: dict[str, str]) -> bool:
    return values.get("type", "").strip().lower() == JSON_LD and "src" not in values


def _is_theme_script(values: dict[str, str]) -> bool:
    """The theme's own script files: a path on the site under assets/, pinned by an integrity value."""
    source = values.get("src", "")
    own = bool(source) and not re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", source, re.I) and "assets/" in source
    return own and values.get("integrity", "").startswith("sha384-")


THEME_INPUT_TYPES = frozenset({"search", "checkbox", "radio", "hidden", "submit"})


def _is_theme_control(tag: str, values: dict[str, str]) -> bool:
    """What the theme writes that the sanitiser never lets content write: the search form (a GET to the
    site itself, which posts nothing anywhere) and its fields, and the charts' SVG pictures."""
    if "formaction" in values or "formmethod" in values:
        return False
    if tag == "form":
        action = values.get("action", "")
        external = re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", action, re.I)
        return values.get("role") == "search" and values.get("method", "get").lower() == "get" and not external
    if tag == "input":
        return values.get("type", "text").lower() in THEME_INPUT_TYPES
    if tag == "button":
        return values.get("type", "submit").lower() in ("submit", "button")
    if tag == "select":
        return True
    if tag == "svg":
        return values.get("class") == "chart-svg" and values.get("role") == "img"
    return False


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def _flag(self, tag: str, message: str) -> None:
        line, column = self.getpos()
        self.problems.append(f"{line}:{column}: <{tag}>: {message}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            if not (_is_json_ld(values) or _is_theme_script(values)):
                self._flag(tag, f"script element {values!r}")
        elif tag in ACTIVE_TAGS and not _is_theme_control(tag, values):
            self._flag(tag, "active element")
        elif tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if not rels or not rels <= SAFE_LINK_RELS:
                self._flag(tag, f"link rel={values.get('rel')!r}")
            if "stylesheet" in rels and re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", values.get("href", ""), re.I):
                self._flag(tag, f"stylesheet from elsewhere: {values.get('href')!r}")
        elif tag == "meta" and "http-equiv" in values:
            equiv = values["http-equiv"].strip().lower()
            if equiv not in SAFE_META_HTTP_EQUIV:
                self._flag(tag, f"http-equiv={equiv!r}")
            elif equiv == "refresh":
                match = _REFRESH_URL.search(values.get("content", ""))
                if match and _url_scheme_is_script(match["url"]):
                    self._flag(tag, f"refresh to a script URL: {values.get('content')!r}")
        for name, value in values.items():
            if name.startswith("on"):
                self._flag(tag, f"event handler attribute {name}={value!r}")
            elif name in ACTIVE_ATTRIBUTES:
                self._flag(tag, f"{name}={value!r}")
            elif name in URL_ATTRIBUTES and _url_scheme_is_script(value):
                self._flag(tag, f"script URL {name}={value!r}")
            elif name == "srcset" and any(_url_scheme_is_script(part) for part in value.split(",")):
                self._flag(tag, f"script URL srcset={value!r}")


def unsafe_markup(html: str) -> list[str]:
    """Every place in `html` where a browser could run code the site did not write; empty if none."""
    auditor = _Auditor()
    auditor.feed(html)
    auditor.close()
    return auditor.problems


def unsafe_pages(files: dict[str, bytes]) -> dict[str, list[str]]:
    """`unsafe_markup` for every HTML file of a build, keeping only pages with problems."""
    found = {}
    for path, data in files.items():
        if path.endswith((".html", ".htm", ".xhtml")):
            problems = unsafe_markup(data.decode("utf-8", errors="replace"))
            if problems:
                found[path] = problems
    return found


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block if it runs longer than `seconds` (Unix main thread; elsewhere no limit)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
