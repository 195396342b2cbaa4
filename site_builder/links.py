"""Whole-site check: every link and anchor from one page to another resolves."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping
from functools import cache
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostics

_LINK = re.compile(rb"""<(?:a|link)\b[^>]*?\bhref="([^"]*)"|<(?:img|script)\b[^>]*?\bsrc="([^"]*)\"""")
_ID = re.compile(rb"""\bid="([^"]+)\"""")


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

    @cache
    def anchors(path: str) -> frozenset[str]:
        return frozenset(match.decode() for match in _ID.findall(files[path]))

    for page in files if pages is None else sorted(p for p in pages if p in files):
        if not page.endswith(".html"):
            continue
        html = files[page]
        for match in _LINK.finditer(html):
            raw = (match.group(1) or match.group(2) or b"").decode()
            parts = urlsplit(raw)
            if parts.scheme or parts.netloc or raw.startswith("//"):
                continue
            target = page
            if parts.path:
                if not parts.path.startswith("/"):
                    joined = posixpath.join(posixpath.dirname(page), unquote(parts.path))
                elif parts.path.startswith(base_path):
                    joined = unquote(parts.path[len(base_path) :]) or "."
                else:
                    joined = "../" + parts.path  # above the folder the site is published in
                target = posixpath.normpath(joined)
                if parts.path.endswith("/") or target == ".":
                    target = "index.html" if target == "." else f"{target}/index.html"
            problem = None
            if target.startswith("../") or target not in files:
                problem = f"the page {page} links to '{raw}', which is not on the site"
            elif parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in anchors(target):
                problem = f"the page {page} links to '{raw}', but that page has no anchor '#{parts.fragment}'"
            if problem is None:
                continue
            where, text = page_sources.get(page, (page, ""))
            offset = text.find(parts.fragment or raw) if text else -1
            line = text.count("\n", 0, offset) + 1 if offset >= 0 else 1
            diagnostics.error(where, line, 1, problem, "fix the link or the identifier it points to")
