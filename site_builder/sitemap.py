"""sitemap.xml (sitemaps.org 0.9, with hreflang alternates; an index of several on a large site) and the
robots.txt that points to it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from . import urls
from .graph import Site
from .output import PageFlags

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class SitemapPage:
    """One page: its output path, the same page in each language, and when its content last changed."""

    path: str
    alternates: dict[str, str]
    """Language → output path, every UI language including the page's own."""
    last_changed: dt.date | None = None


_NOINDEX = b'<meta name="robots" content="noindex'


def indexed(html: bytes) -> bool:
    """Whether search engines may index the page (its template did not ask them not to)."""
    return _NOINDEX not in html


def site_map_files(
    site: Site,
    files: Mapping[str, bytes],
    page_sources: Mapping[str, tuple[str, str]],
    flags: Mapping[str, PageFlags] | None = None,
) -> dict[str, bytes]:
    """sitemap.xml and robots.txt for the rendered pages.

    Every page under a language folder is listed, except those that ask search engines not to index them
    (the root's language redirect and 404.html lie outside the language folders). A page made from a
    content file carries the day that file last changed. A page in `flags` is not read.
    """
    settings = site.config.settings
    languages = settings.languages
    known = flags or {}
    pages: list[SitemapPage] = []
    for path in files:
        lang, _, rest = path.partition("/")
        if lang not in languages or not path.endswith(".html"):
            continue
        page = known.get(path)
        if not (page.indexed if page is not None else indexed(files[path])):
            continue
        alternates = {str(other): f"{other}/{rest}" for other in languages if f"{other}/{rest}" in files}
        source = page_sources.get(path)
        pages.append(SitemapPage(path, alternates, site.last_changed.get(source[0]) if source else None))
    return {
        **sitemap_files(settings.base_url, settings.default_language, pages),
        urls.ROBOTS_PATH: robots_txt(settings.base_url),
    }


MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
"""sitemaps.org's limits for one sitemap file: a site beyond them lists its pages in several."""


def sitemap_files(base_url: str, default_language: str, pages: Iterable[SitemapPage]) -> dict[str, bytes]:
    """sitemap.xml: each page once, sorted by address, with <xhtml:link> alternates as search engines
    read them. A site of more pages than one file may list (MAX_URLS, MAX_BYTES) has them in
    sitemap-1.xml, sitemap-2.xml, … in that order, and sitemap.xml is their index.

    The last sitemap made in this process is reused when its pages are the same: most rebuilds in
    `serve` change no address and no date, and writing tens of thousands of entries takes a while.
    """
    listed = sorted(pages, key=lambda p: p.path)
    shown = repr((base_url, default_language, MAX_URLS, MAX_BYTES, listed))
    key = hashlib.blake2b(shown.encode("utf-8"), digest_size=16).digest()
    if _last_sitemap and _last_sitemap[0][0] == key:
        return dict(_last_sitemap[0][1])
    made = _sitemap_files(base_url, default_language, listed)
    _last_sitemap[:] = [(key, made)]
    return dict(made)


_last_sitemap: list[tuple[bytes, dict[str, bytes]]] = []
"""The key and files of the last sitemap made in this process."""

_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_URLSET_START = f'{_DECLARATION}<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">\n'.encode()
_URLSET_END = b"</urlset>\n"


def _sitemap_files(base_url: str, default_language: str, pages: list[SitemapPage]) -> dict[str, bytes]:
    # Written as text, as ElementTree indents it: building the tree took seconds at 10,000 documents.
    room = MAX_BYTES - len(_URLSET_START) - len(_URLSET_END)
    chunks: list[list[bytes]] = [[]]
    latest: list[dt.date | None] = [None]
    size = 0
    for page in pages:
        entry = _url_entry(base_url, default_language, page)
        if len(chunks[-1]) == MAX_URLS or (chunks[-1] and size + len(entry) > room):
            chunks.append([])
            latest.append(None)
            size = 0
        chunks[-1].append(entry)
        size += len(entry)
        if page.last_changed is not None and (latest[-1] is None or page.last_changed > latest[-1]):
            latest[-1] = page.last_changed
    files = {_numbered(n): b"".join([_URLSET_START, *chunk, _URLSET_END]) for n, chunk in enumerate(chunks, 1)}
    if len(chunks) == 1:
        return {urls.SITEMAP_PATH: files[_numbered(1)]}
    index = [f'{_DECLARATION}<sitemapindex xmlns="{SITEMAP}">\n']
    for path, last_changed in zip(files, latest, strict=True):
        index.append(f"  <sitemap>\n    <loc>{escape(urls.public_url(base_url, path))}</loc>\n")
        if last_changed is not None:
            index.append(f"    <lastmod>{last_changed.isoformat()}</lastmod>\n")
        index.append("  </sitemap>\n")
    index.append("</sitemapindex>\n")
    return {urls.SITEMAP_PATH: "".join(index).encode("utf-8"), **files}


def _numbered(number: int) -> str:
    return urls.SITEMAP_PATH.replace(".xml", f"-{number}.xml")


def _url_entry(base_url: str, default_language: str, page: SitemapPage) -> bytes:
    lines = [f"  <url>\n    <loc>{escape(urls.public_url(base_url, page.path))}</loc>\n"]
    if page.last_changed is not None:
        lines.append(f"    <lastmod>{page.last_changed.isoformat()}</lastmod>\n")
    if len(page.alternates) > 1:
        links = list(page.alternates.items())
        if default_language in page.alternates:
            links.append(("x-default", page.alternates[default_language]))
        for lang, path in links:
            href = _attribute(urls.public_url(base_url, path))
            lines.append(f'    <xhtml:link rel="alternate" hreflang={_attribute(lang)} href={href} />\n')
    lines.append("  </url>\n")
    return "".join(lines).encode("utf-8")


def _attribute(value: str) -> str:
    return quoteattr(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})


def robots_txt(base_url: str) -> bytes:
    """Every page may be crawled; the sitemap lists them."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.public_url(base_url, urls.SITEMAP_PATH)}\n".encode()
