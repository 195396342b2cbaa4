"""Atom feeds (RFC 4287) of decisions, site-wide and per municipality, in every UI language.

Every date in a feed comes from the content (a decision's date, its meetings'
dates, the day its file last changed in the repository), never from the clock,
so two builds of the same content give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from . import urls
from .graph import Site
from .i18n import Strings
from .model import ContentDocument

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50
"""Feed readers want the latest changes, not an archive; the lists on the site hold the rest."""


@dataclass(frozen=True)
class Feed:
    """One feed: where it is written and the title a page's <link rel="alternate"> gives it."""

    path: str
    title: str


def _updated(site: Site, document: ContentDocument) -> dt.date | None:
    """The latest date the content knows for a decision: its date, its meetings, its file's last change."""
    model = document.model
    dates = [model.date, site.last_changed.get(document.source_path)]
    dates.extend(c.date for c in getattr(model, "consultations", []))
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _published(document: ContentDocument) -> dt.date | None:
    model = document.model
    if model.date is not None:
        return model.date
    dates = [c.date for c in getattr(model, "consultations", []) if c.date]
    return max(dates) if dates else None


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _dated(site: Site, documents: list[ContentDocument]) -> list[tuple[ContentDocument, dt.date]]:
    """Decisions that have a date to place them in time (an undated one cannot be an Atom entry)."""
    return _dated_with(documents, lambda d: _updated(site, d))


def _dated_with(
    documents: list[ContentDocument], updated: Callable[[ContentDocument], dt.date | None]
) -> list[tuple[ContentDocument, dt.date]]:
    found = [(d, updated(d)) for d in documents if d.type == "decision"]
    return [(d, day) for d, day in found if day is not None][:MAX_ENTRIES]


def municipalities_with_feeds(site: Site) -> list[str]:
    """Municipalities that have at least one dated decision, and so a feed."""
    return [m for m, documents in site.by_municipality.items() if _dated(site, documents)]


def site_feed(site: Site, t: Strings, entries: list[tuple[ContentDocument, dt.date]] | None = None) -> Feed | None:
    """The site's feed, if it has one; `entries`, if given, are its dated decisions."""
    if entries is None:
        # Every page links to the site's feed: whether there is one is worked out once per site, not by
        # going through every decision for each of tens of thousands of pages.
        known = _site_feeds.get((id(site), t.lang))
        if known is not None and known[0] is site:
            return known[1]
        feed = site_feed(site, t, _dated(site, site.by_type.get("decision", [])))
        if len(_site_feeds) >= 16:
            _site_feeds.clear()
        _site_feeds[(id(site), t.lang)] = (site, feed)
        return feed
    if not entries:
        return None
    return Feed(urls.decisions_feed_path(t.lang), t("feed.decisions", site=site.config.settings.name_in(t.lang)))


_site_feeds: dict[tuple[int, str], tuple[Site, Feed | None]] = {}
"""The site feed of recent sites (held, so that their ids are not reused) by site and language."""


def municipality_feed(
    site: Site, t: Strings, municipality_id: str, entries: list[tuple[ContentDocument, dt.date]] | None = None
) -> Feed | None:
    """The municipality's feed, if it has one; `entries`, if given, are its dated decisions."""
    if entries is None:
        entries = _dated(site, site.by_municipality.get(municipality_id, []))
    if not entries:
        return None
    name = site.registries.municipalities[municipality_id].value.name_in(t.lang)
    return Feed(urls.municipality_feed_path(t.lang, municipality_id), t("feed.municipality", municipality=name))


def feed_files(site: Site, strings: dict[str, Strings]) -> dict[str, bytes]:
    """Every feed of the site, by output path."""
    known: dict[int, dt.date | None] = {}

    def updated(document: ContentDocument) -> dt.date | None:
        # A decision is in the site's feed and its municipality's, in every language: its dates are read once.
        key = id(document)
        if key not in known:
            known[key] = _updated(site, document)
        return known[key]

    site_entries = _dated_with(site.by_type.get("decision", []), updated)
    municipality_entries = {m: _dated_with(documents, updated) for m, documents in site.by_municipality.items()}
    files: dict[str, bytes] = {}
    for lang in site.config.settings.languages:
        t = strings[lang]
        feed = site_feed(site, t, site_entries)
        if feed is not None:
            files[feed.path] = _atom(site, t, feed, urls.section_path(lang, "decision"), site_entries)
        for municipality_id, entries in municipality_entries.items():
            own = municipality_feed(site, t, municipality_id, entries)
            if own is not None:
                page = urls.municipality_path(lang, municipality_id)
                files[own.path] = _atom(site, t, own, page, entries)
    return files


def _cdata(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    """An attribute value escaped as ElementTree (Python 3.11) escapes it."""
    text = _cdata(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _text(indent: str, tag: str, text: str, lang: str | None = None) -> str:
    attributes = f' xml:lang="{_attribute(lang)}"' if lang is not None else ""
    if not text:
        return f"{indent}<{tag}{attributes} />"
    return f"{indent}<{tag}{attributes}>{_cdata(text)}</{tag}>"


def _link(indent: str, href: str, rel: str, media_type: str | None = None, lang: str | None = None) -> str:
    attributes = f'href="{_attribute(href)}" rel="{_attribute(rel)}"'
    if media_type:
        attributes += f' type="{_attribute(media_type)}"'
    if lang:
        attributes += f' hreflang="{_attribute(lang)}"'
    return f"{indent}<link {attributes} />"


def _atom(site: Site, t: Strings, feed: Feed, page_path: str, entries: list[tuple[ContentDocument, dt.date]]) -> bytes:
    """The feed as ElementTree would write it indented, without building the tree: a site has thousands of feeds."""
    settings = site.config.settings
    base = settings.base_url
    top, inner = "\n  ", "\n    "
    lines = [f"<?xml version='1.0' encoding='utf-8'?>\n<feed xmlns=\"{ATOM}\" xml:lang=\"{_attribute(t.lang)}\">"]
    lines.append(_text(top, "id", urls.public_url(base, feed.path)))
    lines.append(_text(top, "title", feed.title))
    lines.append(_text(top, "subtitle", settings.description_in(t.lang)))
    lines.append(_text(top, "updated", _timestamp(max(day for _, day in entries))))
    lines.append(_link(top, urls.public_url(base, feed.path), "self", "application/atom+xml"))
    lines.append(_link(top, urls.public_url(base, page_path), "alternate", "text/html", t.lang))
    lines.append(f"{top}<author>")
    lines.append(_text(inner, "name", settings.publisher.name if settings.publisher else settings.name_in(t.lang)))
    if settings.publisher and settings.publisher.url:
        lines.append(_text(inner, "uri", str(settings.publisher.url)))
    lines.append(f"{top}</author>")
    lines.append(_text(top, "rights", f"{settings.licence.name} ({settings.licence.url})"))
    for document, updated in entries:
        model = document.model
        url = urls.public_url(base, urls.document_path(t.lang, document.type, document.id))
        lines.append(f"{top}<entry>")
        lines.append(_text(inner, "id", url))
        lines.append(_text(inner, "title", model.title, model.lang))
        lines.append(_text(inner, "updated", _timestamp(updated)))
        published = _published(document)
        if published is not None:
            lines.append(_text(inner, "published", _timestamp(published)))
        lines.append(_link(inner, url, "alternate", "text/html", t.lang))
        municipality = document.municipality
        if municipality:
            label = site.registries.municipalities[municipality].value.name_in(t.lang)
            lines.append(f'{inner}<category term="{_attribute(municipality)}" label="{_attribute(label)}" />')
        if model.summary:
            lines.append(_text(inner, "summary", model.summary, model.lang))
        lines.append(f"{top}</entry>")
    lines.append("\n</feed>\n")
    # ElementTree writes a character UTF-8 cannot hold (a lone surrogate) as a character reference.
    return "".join(lines).encode("utf-8", "xmlcharrefreplace")
