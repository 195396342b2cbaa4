"""Atom feeds (RFC 4287) of decisions, site-wide and per municipality, in every UI language.

Every date in a feed comes from the content (a decision's date, its meetings'
dates, the day its file last changed in the repository), never from the clock,
so two builds of the same content give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from . import urls
from .graph import Site
from .i18n import Strings
from .model import ContentDocument

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
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
    found = [(d, _updated(site, d)) for d in documents if d.type == "decision"]
    return [(d, day) for d, day in found if day is not None][:MAX_ENTRIES]


def municipalities_with_feeds(site: Site) -> list[str]:
    """Municipalities that have at least one dated decision, and so a feed."""
    return [m for m, documents in site.by_municipality.items() if _dated(site, documents)]


def site_feed(site: Site, t: Strings) -> Feed | None:
    if not _dated(site, site.by_type.get("decision", [])):
        return None
    return Feed(urls.decisions_feed_path(t.lang), t("feed.decisions", site=site.config.settings.name_in(t.lang)))


def municipality_feed(site: Site, t: Strings, municipality_id: str) -> Feed | None:
    if not _dated(site, site.by_municipality.get(municipality_id, [])):
        return None
    name = site.registries.municipalities[municipality_id].value.name_in(t.lang)
    return Feed(urls.municipality_feed_path(t.lang, municipality_id), t("feed.municipality", municipality=name))


def feed_files(site: Site, strings: dict[str, Strings]) -> dict[str, bytes]:
    """Every feed of the site, by output path."""
    files: dict[str, bytes] = {}
    for lang in site.config.settings.languages:
        t = strings[lang]
        feed = site_feed(site, t)
        if feed is not None:
            files[feed.path] = _atom(site, t, feed, urls.section_path(lang, "decision"), site.by_type["decision"])
        for municipality_id in municipalities_with_feeds(site):
            feed = municipality_feed(site, t, municipality_id)
            assert feed is not None
            page = urls.municipality_path(lang, municipality_id)
            files[feed.path] = _atom(site, t, feed, page, site.by_municipality[municipality_id])
    return files


def _text(parent: ET.Element, tag: str, text: str, lang: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    if lang is not None:
        element.set(XML_LANG, lang)
    return element


def _link(parent: ET.Element, href: str, rel: str, media_type: str | None = None, lang: str | None = None) -> None:
    element = ET.SubElement(parent, "link", {"href": href, "rel": rel})
    if media_type:
        element.set("type", media_type)
    if lang:
        element.set("hreflang", lang)


def _atom(site: Site, t: Strings, feed: Feed, page_path: str, documents: list[ContentDocument]) -> bytes:
    settings = site.config.settings
    base = settings.base_url
    entries = _dated(site, documents)
    # Plain tag names with an xmlns attribute give the usual unprefixed Atom markup.
    root = ET.Element("feed", {"xmlns": ATOM, XML_LANG: t.lang})
    _text(root, "id", urls.public_url(base, feed.path))
    _text(root, "title", feed.title)
    _text(root, "subtitle", settings.description_in(t.lang))
    _text(root, "updated", _timestamp(max(day for _, day in entries)))
    _link(root, urls.public_url(base, feed.path), "self", "application/atom+xml")
    _link(root, urls.public_url(base, page_path), "alternate", "text/html", t.lang)
    author = ET.SubElement(root, "author")
    _text(author, "name", settings.publisher.name if settings.publisher else settings.name_in(t.lang))
    if settings.publisher and settings.publisher.url:
        _text(author, "uri", str(settings.publisher.url))
    _text(root, "rights", f"{settings.licence.name} ({settings.licence.url})")
    for document, updated in entries:
        model = document.model
        url = urls.public_url(base, urls.document_path(t.lang, document.type, document.id))
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", url)
        _text(entry, "title", model.title, model.lang)
        _text(entry, "updated", _timestamp(updated))
        published = _published(document)
        if published is not None:
            _text(entry, "published", _timestamp(published))
        _link(entry, url, "alternate", "text/html", t.lang)
        municipality = getattr(model, "municipality", None)
        if municipality:
            label = site.registries.municipalities[municipality].value.name_in(t.lang)
            ET.SubElement(entry, "category", {"term": municipality, "label": label})
        if model.summary:
            _text(entry, "summary", model.summary, model.lang)
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"
