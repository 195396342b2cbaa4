"""Whole-site check: every link and anchor from one page to another resolves."""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Collection, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostics
from .output import LinkTarget, paths

_LINK = re.compile(rb"""<(?:a|link)\b[^>]*?\bhref="([^"]*)"|<(?:img|script)\b[^>]*?\bsrc="([^"]*)\"""")
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def check_links(
    files: Mapping[str, bytes],
    page_sources: Mapping[str, tuple[str, str]],
    diagnostics: Diagnostics,
    base_url: str = "/",
    pages: Collection[str] | None = None,
    found: Mapping[str, Sequence[LinkTarget]] | None = None,
) -> None:
    """Report links between pages that lead nowhere, at the source file of the page when known.

    With `pages`, only the links on those pages are checked (a rebuild's new pages; the others were
    checked when they were made; CI's clean build checks every link). `found` holds `page_links` of
    pages, taken where they were rendered: those pages are read only if one of their links is broken.

    `page_sources` maps an output page to (source path shown to editors, source text) for pages made from
    content, so the diagnostic can name the line that holds the link. A root-relative link (as on the 404
    page) resolves below the path of `base_url`, where the site is published.
    """
    base_path = base_path_of(base_url)
    known = found or {}
    # A rebuild checks a few pages: it looks their links' paths up in the files rather than list them all.
    present: Container[str] = files if pages is not None else paths(files)
    for page in files if pages is None else sorted(p for p in pages if p in files):
        if not page.endswith(".html"):
            continue
        targets = known.get(page)
        if targets is not None and all(_reached(target, files, present) for target in targets):
            continue
        # A page not rendered here, or one with a broken link: its links found again, to tell which.
        html = files[page]
        for link, target in _targets(html, page, base_path):
            if _reached(target, files, present, html if target[0] == page else None):
                continue
            if target[0] not in present:
                problem = f"the page {page} links to '{link.raw}', which is not on the site"
            else:
                problem = f"the page {page} links to '{link.raw}', but that page has no anchor '#{link.fragment}'"
            where, text = page_sources.get(page, (page, ""))
            offset = text.find(link.fragment or link.raw) if text else -1
            line = text.count("\n", 0, offset) + 1 if offset >= 0 else 1
            diagnostics.error(where, line, 1, problem, "fix the link or the identifier it points to")


def base_path_of(base_url: str) -> str:
    """The path of the address the site is published at, below which root-relative links resolve."""
    return urlsplit(base_url).path or "/"


def page_links(html: bytes, page: str, base_path: str) -> tuple[LinkTarget, ...]:
    """Where the links of a page lead that `check_links` must follow, in order: all but the links to other
    sites and the links within the page whose anchor it has. Found where the page is rendered, so that the
    whole-site check need neither read the page again nor work out each link's target."""
    return tuple(target for _, target in _targets(html, page, base_path) if not _within(target, page, html))


def _within(target: LinkTarget, page: str, html: bytes) -> bool:
    """A link within the page (to its top, or to an anchor it has)."""
    path, anchor = target
    return path == page and (not anchor or _has_anchor(html, anchor))


def _targets(html: bytes, page: str, base_path: str) -> Iterator[tuple[_Link, LinkTarget]]:
    """Each link of the page that leads within the site, and where."""
    folder = posixpath.dirname(page)
    parent = posixpath.dirname(folder)
    for raw in _links(html):
        link = _parsed(raw, base_path)
        if link is None:
            continue
        if link.within_page:
            path = page
        elif link.from_root is not None:
            path = link.from_root
        elif folder and link.path.startswith("../") and link.path[3:4] != "/":
            # Most links lead out of the page's own folder to where its neighbours' lead (see urls.relative_url).
            path = _from_parent(parent, link.path[3:], link.folder)
        else:
            # A path unquoted to start with / replaces the folder, as in posixpath.join.
            path = _target_path(folder if link.path[0] != "/" else "", link.path, link.folder)
        yield link, (path, link.anchor if link.fragment else b"")


def _target_path(folder: str, path: str, to_folder: bool) -> str:
    """The output path of `path` followed from `folder`; a folder's is its index.html."""
    joined = posixpath.normpath(f"{folder}/{path}" if folder else path)
    if to_folder or joined == ".":
        return "index.html" if joined == "." else f"{joined}/index.html"
    return joined


_from_parent = functools.lru_cache(maxsize=65536)(_target_path)


def _reached(
    target: LinkTarget, files: Mapping[str, bytes], present: Container[str], html: bytes | None = None
) -> bool:
    """Whether the file `target` names is on the site, with the anchor if it names one in a page.
    (`html`: the target page, if already read; pages may be files on disk, see output.py.)"""
    path, anchor = target
    if path.startswith("../") or path not in present:
        return False
    if not anchor or not path.endswith(".html"):
        return True
    return _has_anchor(files[path] if html is None else html, anchor)


@functools.lru_cache(maxsize=8192)
def _parsed(raw: bytes, base_path: str) -> _Link | None:
    # Pages share most of their links (navigation, footer, assets): each link's text is taken apart once.
    return _parse(raw.decode(), base_path)


def _links(html: bytes) -> list[bytes]:
    return [match.group(1) or match.group(2) or b"" for match in _LINK.finditer(html)]


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
