"""sitemap.xml (sitemaps.org 0.9, with hreflang alternates) and the robots.txt that points to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
        urls.SITEMAP_PATH: sitemap_xml(settings.base_url, settings.default_language, pages),
        urls.ROBOTS_PATH: robots_txt(settings.base_url),
    }


def sitemap_xml(base_url: str, default_language: str, pages: Iterable[SitemapPage]) -> bytes:
    """Each page once, sorted by address, with <xhtml:link> alternates as search engines read them.

    The last sitemap made in this process is reused when its pages are the same: most rebuilds in
    `serve` change no address and no date, and writing tens of thousands of entries takes a while.
    """
    listed = sorted(pages, key=lambda p: p.path)
    key = hashlib.blake2b(repr((base_url, default_language, listed)).encode("utf-8"), digest_size=16).digest()
    if _last_sitemap and _last_sitemap[0][0] == key:
        return _last_sitemap[0][1]
    text = _sitemap_xml(base_url, default_language, listed)
    _last_sitemap[:] = [(key, text)]
    return text


_last_sitemap: list[tuple[bytes, bytes]] = []
"""The key and bytes of the last sitemap made in this process."""


def _sitemap_xml(base_url: str, default_language: str, pages: list[SitemapPage]) -> bytes:
    # Plain tag names with xmlns attributes keep the conventional prefixes (no ns0:).
    root = ET.Element("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    for page in pages:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = urls.public_url(base_url, page.path)
        if page.last_changed is not None:
            ET.SubElement(url, "lastmod").text = page.last_changed.isoformat()
        if len(page.alternates) > 1:
            for lang, path in page.alternates.items():
                ET.SubElement(
                    url, "xhtml:link", {"rel": "alternate", "hreflang": lang, "href": urls.public_url(base_url, path)}
                )
            if default_language in page.alternates:
                default = urls.public_url(base_url, page.alternates[default_language])
                ET.SubElement(url, "xhtml:link", {"rel": "alternate", "hreflang": "x-default", "href": default})
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def robots_txt(base_url: str) -> bytes:
    """Every page may be crawled; the sitemap lists them."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.public_url(base_url, urls.SITEMAP_PATH)}\n".encode()
