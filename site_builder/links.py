"""Whole-site check: every link and anchor from one page to another resolves."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostics

_LINK = re.compile(rb"""<(?:a|link)\b[^>]*?\bhref="([^"]*)"|<(?:img|script)\b[^>]*?\bsrc="([^"]*)\"""")
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def check_links(
    files: Mapping[str, bytes],
    page_sources: Mapping[str, tuple[str, str]],
    diagnostics: Diagnostics,
    base_url: str = "/",
    pages: Collection[str] | None = None,
) -> None:
    """Report links between pages that lead nowhere, at the source file of the page when known.

    With `pages`, only the links on those pages are checked (a rebuild's new pages; the others were
    checked when they were made; CI's clean build checks every link).

    `page_sources` maps an output page to (source path shown to editors, source text) for pages made from
    content, so the diagnostic can name the line that holds the link. A root-relative link (as on the 404
    page) resolves below the path of `base_url`, where the site is published.
    """
    base_path = urlsplit(base_url).path or "/"
    # Pages share most of their links (navigation, footer, assets): each link's text is taken apart once.
    parsed: dict[bytes, _Link | None] = {}
    for page in files if pages is None else sorted(p for p in pages if p in files):
        if not page.endswith(".html"):
            continue
        html = files[page]
        folder = posixpath.dirname(page)
        for match in _LINK.finditer(html):
            raw_bytes = match.group(1) or match.group(2) or b""
            try:
                link = parsed[raw_bytes]
            except KeyError:
                link = parsed[raw_bytes] = _parse(raw_bytes.decode(), base_path)
            if link is None:
                continue
            if link.within_page:
                target = page
            elif link.from_root is not None:
                target = link.from_root
            else:
                # posixpath.join(folder, path), which a path unquoted to start with / replaces
                target = posixpath.normpath(f"{folder}/{link.path}" if folder and link.path[0] != "/" else link.path)
                if link.folder or target == ".":
                    target = "index.html" if target == "." else f"{target}/index.html"
            problem = None
            if target.startswith("../") or target not in files:
                problem = f"the page {page} links to '{link.raw}', which is not on the site"
            elif (
                link.fragment
                and target.endswith(".html")
                # The page itself is read already (pages may be files on disk: see output.py).
                and not _has_anchor(html if target == page else files[target], link.anchor)
            ):
                problem = f"the page {page} links to '{link.raw}', but that page has no anchor '#{link.fragment}'"
            if problem is None:
                continue
            where, text = page_sources.get(page, (page, ""))
            offset = text.find(link.fragment or link.raw) if text else -1
            line = text.count("\n", 0, offset) + 1 if offset >= 0 else 1
            diagnostics.error(where, line, 1, problem, "fix the link or the identifier it points to")


@dataclass(frozen=True, slots=True)
class _Link:
    """A link's text taken apart, the same on every page it appears on."""

    raw: str
    path: str
    """Unquoted, relative to the page's folder; "" for a link within the page."""
    fragment: str
    from_root: str | None
    """The target of a root-relative link, which does not depend on the page."""
    folder: bool
    """The link ends in a slash: it leads to the folder's index.html."""
    anchor: bytes = field(init=False)
    within_page: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchor", unquote(self.fragment).encode())
        object.__setattr__(self, "within_page", not self.path)


def _parse(raw: str, base_path: str) -> _Link | None:
    """None for a link to another site."""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or raw.startswith("//"):
        return None
    from_root = None
    if parts.path.startswith("/"):
        # A path outside base_url's folder is above the folder the site is published in.
        inside = parts.path.startswith(base_path)
        joined = (unquote(parts.path[len(base_path) :]) or ".") if inside else "../" + parts.path
        from_root = posixpath.normpath(joined)
        if parts.path.endswith("/") or from_root == ".":
            from_root = "index.html" if from_root == "." else f"{from_root}/index.html"
    path = unquote(parts.path) if from_root is None else parts.path
    return _Link(raw, path, parts.fragment, from_root, parts.path.endswith("/"))


def _has_anchor(html: bytes, anchor: bytes) -> bool:
    """Whether an element of `html` has the id `anchor`: an `id="…"` attribute not at the end of a longer
    name (as the regular expression \\bid="…" finds), without collecting every id of the page."""
    if not anchor or b'"' in anchor:
        return False
    needle = b'id="' + anchor + b'"'
    start = html.find(needle)
    while start >= 0:
        if start == 0 or html[start - 1] not in _WORD:
            return True
        start = html.find(needle, start + 1)
    return False
