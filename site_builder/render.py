"""Render every page of the site, in every UI language, into memory (output path → bytes)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from . import urls
from .chart_images import ChartImages
from .charts import Chart, site_charts
from .diagnostics import Diagnostic, Diagnostics
from .feeds import site_feed
from .figures import Figure, chart_files, figure
from .graph import Site
from .i18n import Strings
from .incremental import PageRecord, Plan
from .links import base_path_of, page_links
from .load import shown_path
from .markdown import MarkdownRenderer
from .model import ContentDocument
from .opendata.exports import OpenData
from .output import InFolder, LinkTarget, OutputFiles, PageFacts, Stored
from .pages import (
    CatalogueContext,
    DatasetContext,
    DocumentContext,
    PageContext,
    PageMaker,
    embed_context,
    not_found_page,
    other_page_paths,
    site_pages,
)
from .parallel import Interleaved, start_interleaved
from .schemas import document_schemas, schema_text
from .search import searchable
from .sitemap import indexed
from .theme import Theme, template_location
from .write import Written, spool_file, spool_files

CHART_CACHE = ".site-builder-cache/charts"
"""Drawn charts by spec hash, next to site.yaml; git-ignored."""
ATLAS = "vendor/world-atlas/countries-110m.json"
"""The theme's basemap for network maps (Natural Earth via world-atlas, public domain)."""


@dataclass
class RenderedSite:
    files: OutputFiles
    """Every output file by path."""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    """Every page rendered, with the document it shows and the chart files made with it."""
    facts: dict[str, PageFacts] = field(default_factory=dict)
    """What the sitemap and the link check need of each page rendered (see PageFacts)."""
    spooled: dict[str, Written] = field(default_factory=dict)
    """The record of each file written to the spool folder (see write.py)."""


def render_site(
    site: Site,
    theme: Theme,
    open_data: OpenData,
    diagnostics: Diagnostics,
    jobs: int = 1,
    markdown: MarkdownRenderer | None = None,
    plan: Plan | None = None,
    kept: Container[str] = frozenset(),
    previous_keys: Mapping[str, str] | None = None,
    spool: Path | None = None,
) -> RenderedSite:
    """Every page, schema, asset and open-data file, by output path. Refuses two files with one path.

    Pages are rendered by up to `jobs` processes; the result does not depend on how many. `markdown` may
    bring Markdown converted by an earlier build. With a `plan`, only the pages it names are rendered
    (and their charts); the files that belong to no page are made all the same. Files in `kept` stay as
    the last build made them: a chart shown on a page rendered again and on one kept keeps its files.
    A data page whose key (see PageRecord.key) is in `previous_keys` for its path is not rendered again.
    With a `spool` folder, every page and chart download is written there as it is made (a page by the
    worker that renders it) and the files hold it as that file: a large site's pages are not all kept in
    memory. (The open data, schemas and assets are in memory all the same.)
    """
    previous_keys = previous_keys or {}
    root = site.config.root
    files: dict[str, Stored] = {}
    spooled_prefix = f"{spool}{os.sep}" if spool is not None else None
    in_spool = InFolder(spool) if spool is not None else None
    facts: dict[str, PageFacts] = {}
    spooled: dict[str, Written] = dict(open_data.spooled)
    renderer = markdown if markdown is not None else MarkdownRenderer()
    images = ChartImages(site.config.root / CHART_CACHE, [d / "fonts" for d in reversed(theme.dirs)])
    atlas = partial(_parsed, theme.assets[ATLAS]) if ATLAS in theme.assets else None

    def add(path: str, content: Stored) -> None:
        if path in files:
            diagnostics.error(path, 1, 1, f"two files would be written to {path}", "rename one of the documents")
            return
        if isinstance(content, Path) and in_spool is not None and str(content) == f"{spooled_prefix}{path}":
            files[path] = in_spool
        else:
            files[path] = content

    def add_made(path: str, content: bytes | Path) -> None:
        """A page or chart download made here: into the spool, if there is one."""
        if isinstance(content, Path):
            add(path, content)
            return
        stored = _stored(spool, path, content, diagnostics)
        if stored is not None:
            add(path, stored[0])
            if stored[1] is not None:
                spooled[path] = stored[1]

    known_links: dict[LinkTarget, LinkTarget] = {}
    base_path = base_path_of(site.config.settings.base_url)

    def add_facts(path: str, found: PageFacts) -> None:
        # Most links are on many pages (menus, municipalities, related documents): one object each keeps
        # the millions of a large site's links to the few hundred thousand that differ.
        links = tuple(known_links.setdefault(link, link) for link in found.links)
        facts[path] = PageFacts(found.indexed, links, found.searchable)

    def add_page(path: str, html: str) -> None:
        content = _tidy(html).encode("utf-8")
        add_facts(path, page_facts(content, path, base_path))
        add_made(path, content)

    records: dict[str, PageRecord] = {}
    chosen = None if plan is None else plan.documents
    listings = plan is None or plan.listings
    documents = [d for d in site.documents.values() if chosen is None or d.id in chosen]
    # A batch of documents at a time: a language's chart specs and drawn figures for tens of thousands of
    # documents would not fit in memory together (see _batches for the other pages).
    size = DOCUMENTS_PER_BATCH if len(documents) > DOCUMENTS_AT_ONCE else max(1, len(documents))
    batches = [documents[i : i + size] for i in range(0, len(documents), size)]
    whole = len(batches) <= 1 and plan is None  # every page at once: a clean build of a site that needs no batches
    embedded: set[str] = set()
    """Every chart's embed page, made with the pages of the batch that first shows the chart."""

    def prepared(lang: str, t: Strings, batch: _Batch) -> _Prepared | None:
        """The batch's charts drawn and their files made, and what its workers need; None if one failed."""
        wanted = None if whole else batch.wanted(site, lang, listings)
        scanned = whole or (listings and batch.others is not False)  # the other pages' charts need the whole site
        charts = site_charts(site, t, atlas, wanted, documents=None if scanned else batch.documents)
        images.draw_ahead((chart.spec for page_charts in charts.values() for chart in page_charts), jobs)
        drawn = _figures(charts, images, t, diagnostics)
        del charts
        if drawn is None:
            return None
        figures, svgs = drawn
        del drawn
        own_files: dict[str, list[str]] = {}
        # Each chart's embed page is made by the workers with the pages, its figure given as theirs are.
        embeds: list[PageMaker] = []
        for page_path, shown in list(figures.items()):
            for item in shown:
                embed_path = urls.embed_path(lang, item.chart.id)
                if embed_path in files or embed_path in kept or embed_path in embedded:
                    continue
                embedded.add(embed_path)
                figures[embed_path] = [figure(item.chart, embed_path, svgs[item.chart.id], t)]
                embeds.append(partial(embed_context, site, t, theme.integrity, figures[embed_path][0], page_path))
                made = chart_files(item.chart, images)
                for path, content in made.items():
                    add_made(path, content)
                own_files.setdefault(page_path, []).extend([embed_path, *made])
        del svgs
        images.forget_keys()
        batch_ids = None if whole else {d.id for d in batch.documents}
        pages_of_batch = partial(
            site_pages, site, lang, t, renderer, open_data, theme.integrity, batch_ids, listings, batch.others
        )
        # Each document's own JSON is written by the worker that renders its page in the first language.
        data = _DocumentData(open_data) if lang == site.config.settings.languages[0] else None
        render = partial(_page, theme, root, renderer, figures, previous_keys, spool, data, base_path)
        return _Prepared(partial(_first, embeds, pages_of_batch), render, batch.size + len(embeds), own_files)

    def collected(pages: list[_Page], own_files: dict[str, list[str]]) -> bool:
        """The pages of a batch taken in; False if one failed (its diagnostics are then in `diagnostics`)."""
        for page in pages:
            renderer.adopt(page.markdown)
            if page.kept:
                continue
            if page.written is not None and in_spool is not None:
                add(page.path, in_spool)
            elif page.content is not None:
                add(page.path, page.content)
            else:
                diagnostics.items.extend(page.problems)
                return False
            if page.facts is not None:
                add_facts(page.path, page.facts)
            if page.written is not None:
                spooled[page.path] = page.written
            for path, written in page.data_written:
                spooled[path] = written
                open_data.by_page.pop(path, None)  # the bytes are on disk: free them
            if page.path not in embedded:  # an embed page is among the files of the page that shows its chart
                records[page.path] = PageRecord(page.document, tuple(own_files.get(page.path, ())), page.key)
        return True

    # While the workers make one batch's pages, this process draws the next batch's charts and makes their
    # files, which it did with the other core idle: at 10,000 documents about 80 s of the build's 250.
    running: tuple[Interleaved[_Page], dict[str, list[str]]] | None = None

    def finished() -> bool:
        """The batch under way, if any, taken in; False if one of its pages failed."""
        nonlocal running
        if running is None:
            return True
        pages = running[0].results()
        own_files = running[1]
        running = None
        return collected(pages, own_files)

    try:
        for lang in site.config.settings.languages:
            t = theme.strings[lang]
            # Every page links to the site's feed, which goes through every decision once (feeds.site_feed):
            # here, before the workers fork, so that each does not copy the memory that touches (30 MB at 10,000).
            site_feed(site, t)
            for batch in _batches(site, t, open_data, theme.integrity, batches, listings):
                ready = prepared(lang, t, batch)
                if not finished() or ready is None:
                    return RenderedSite(OutputFiles())
                running = (start_interleaved(ready.make, ready.render, jobs, ready.estimate), ready.own_files)
                del ready
        if not finished():
            return RenderedSite(OutputFiles())
    finally:
        if running is not None:  # interrupted, or failed: stop the workers still running
            running[0].stop()
    default_language = site.config.settings.default_language
    root_redirect = _render(
        theme, "redirect.html", "index.html", root, diagnostics,
        target=urls.relative_url("index.html", urls.home_path(default_language)),
        site=site,
        strings=theme.strings[default_language],
    )  # fmt: skip
    if root_redirect is None:
        return RenderedSite(OutputFiles())
    add_page("index.html", root_redirect)
    not_found = not_found_page(site, theme.strings, theme.integrity)
    not_found_html = _render(theme, not_found.template, not_found.path, root, diagnostics, page=not_found)
    if not_found_html is None:
        return RenderedSite(OutputFiles())
    add_page(not_found.path, not_found_html)
    for doc_type, schema in document_schemas().items():
        add(urls.schema_path(doc_type), schema_text(schema).encode("utf-8"))
    if open_data.by_page and open_data.spool is not None:  # the documents whose pages were not rendered
        try:
            spooled.update(spool_files(open_data.spool, open_data.by_page))
        except OSError as exc:
            diagnostics.error(str(open_data.spool), 1, 1, f"cannot write the open data: {exc}", "free some disk space")
            return RenderedSite(OutputFiles())
        open_data.by_page.clear()
    for path, content in open_data.files.items():
        add(path, content)
    for relative in sorted(site.files):
        add(urls.file_path(relative), site.config.files_dir / relative)
    for name, content in theme.assets.items():
        add(urls.asset_path(name), content)
    return RenderedSite(OutputFiles.taking(files), dict(sorted(records.items())), facts, spooled)


@functools.lru_cache(maxsize=1)
def _parsed(json_bytes: bytes) -> Any:
    """The basemap, parsed once (not on every rebuild of `serve`); read, never changed."""
    return json.loads(json_bytes)


DOCUMENTS_AT_ONCE = 2000
"""A site of at most this many documents has its pages made all together: fewer rounds of workers, and the
memory that takes is small next to a large site's."""
DOCUMENTS_PER_BATCH = 500
"""Documents whose pages (and charts) are made together on a larger site; see `render_site`. Each round of
workers grows with its batch: at 10,000 documents, batches of 2,000 took the build to 2.2 GB, of 500 to 1.9.
The same number of the other pages (municipalities, organisations, indicators) make a batch of their own."""


@dataclass(frozen=True)
class _Batch:
    """Pages of one language made together, with their charts."""

    documents: list[ContentDocument]
    """The documents whose own pages are made."""
    others: bool | frozenset[str]
    """Every page that is not a document's (True), none, or those at these output paths."""

    @property
    def size(self) -> int:
        return len(self.documents) + (len(self.others) if isinstance(self.others, frozenset) else 0)

    def wanted(self, site: Site, lang: str, listings: bool) -> Container[str]:
        """The output paths of the pages made."""
        if isinstance(self.others, frozenset):
            return self.others
        return _planned_paths(site, lang, self.documents, listings and self.others)


class _Prepared(NamedTuple):
    """A batch ready for its workers (see render_site)."""

    make: Callable[[], Iterator[PageMaker]]
    render: Callable[[PageMaker], _Page]
    estimate: int
    own_files: dict[str, list[str]]
    """The files made with each page besides the page: its charts' embed pages and downloads."""


def _batches(
    site: Site,
    t: Strings,
    open_data: OpenData,
    integrity: Mapping[str, str],
    document_batches: list[list[ContentDocument]],
    listings: bool,
) -> list[_Batch]:
    """The batches of one language: the documents' batches, the first with every other page; or on a site
    large enough to make its documents in batches, the other pages too, DOCUMENTS_PER_BATCH at a time.

    The other pages come first, so that a chart shown on a municipality's page and on documents' pages is
    made with the same page as when all are made at once. On a large site the others' charts would
    take as much memory as several batches of documents' (at 10,000 documents, the thousands of indicator
    and municipality pages took the build from 0.7 to 1.1 GB)."""
    if len(document_batches) <= 1 or not listings:
        return [_Batch(documents, number == 0) for number, documents in enumerate(document_batches or [[]])]
    paths = other_page_paths(site, t.lang, t, open_data, integrity)
    others = [
        _Batch([], frozenset(paths[i : i + DOCUMENTS_PER_BATCH])) for i in range(0, len(paths), DOCUMENTS_PER_BATCH)
    ]
    return [*others, *(_Batch(documents, False) for documents in document_batches)]


@dataclass(frozen=True)
class _Planned:
    """The output paths of the pages made together in one language: the chosen documents' and, with
    `listings`, every page that is not a document's."""

    documents: frozenset[str]
    """The chosen documents' pages."""
    others: frozenset[str]
    """The pages of the documents not chosen."""
    listings: bool

    def __contains__(self, path: object) -> bool:
        return path in self.documents or (self.listings and path not in self.others)


def _planned_paths(site: Site, lang: str, documents: list[ContentDocument], listings: bool) -> _Planned:
    chosen = {urls.document_path(lang, d.type, d.id) for d in documents}
    others = {urls.document_path(lang, d.type, d.id) for d in site.documents.values()} - chosen if listings else set()
    return _Planned(frozenset(chosen), frozenset(others), listings)


def _first(first: list[PageMaker], then: Callable[[], Iterator[PageMaker]]) -> Iterator[PageMaker]:
    """The pages `first`, then those `then` makes (for map_interleaved, which calls this in every worker)."""
    yield from first
    yield from then()


def _figures(
    charts: dict[str, list[Chart]], images: ChartImages, t: Strings, diagnostics: Diagnostics
) -> tuple[dict[str, list[Figure]], dict[str, str]] | None:
    """Each page's charts drawn (or read from the cache), and each chart's drawing by id as first shown; None
    if vl-convert refuses a spec."""
    found: dict[str, list[Figure]] = {}
    drawn: dict[str, str] = {}
    for page_path, page_charts in charts.items():
        for chart in page_charts:
            try:
                svg = images.svg(chart.spec)
            except (ValueError, RuntimeError) as exc:
                diagnostics.error(
                    page_path,
                    1,
                    1,
                    f"cannot draw chart {chart.id}: {exc}",
                    "this is a bug in site_builder's charts; please report it",
                )
                return None
            found.setdefault(page_path, []).append(figure(chart, page_path, svg, t))
            drawn.setdefault(chart.id, svg)
    return found, drawn


class _Page(NamedTuple):
    """One rendered page, as a worker hands it back (a tuple, which pickle copies in C: see PageFacts)."""

    path: str
    content: bytes | None
    """The page; None if it was spooled (see `written`) or the template failed (`problems` says why)."""
    document: str | None
    """The document the page shows, if any."""
    problems: list[Diagnostic]
    markdown: dict[bytes, str | None]
    """Texts the page showed from Markdown (None: from the stored HTML, see MarkdownRenderer.take_new), so the
    next pages need not convert them again."""
    key: str = ""
    """See PageRecord.key."""
    kept: bool = False
    """The last build's page shows the same (its key is this one's) and stays."""
    facts: PageFacts | None = None
    written: Written | None = None
    """The page's record, if it was spooled: the file of its path in the spool folder."""
    data_written: tuple[tuple[str, Written], ...] = ()
    """The open-data files written with the page (see OpenData.by_page), with their records."""


@dataclass(frozen=True)
class _DocumentData:
    """The documents' own JSON files that the pages of one language write (see OpenData.by_page)."""

    open_data: OpenData

    def file_of(self, context: PageContext) -> tuple[str, bytes] | None:
        if not isinstance(context, DocumentContext) or context.document is None:
            return None
        path = self.open_data.document_files.get(context.document.id)
        content = self.open_data.by_page.get(path) if path is not None else None
        return None if path is None or content is None else (path, content)


def _page(
    theme: Theme,
    root: Path,
    renderer: MarkdownRenderer,
    figures: dict[str, list[Figure]],
    previous_keys: Mapping[str, str],
    spool: Path | None,
    data: _DocumentData | None,
    base_path: str,
    make: PageMaker,
) -> _Page:
    # Made here, in the worker that renders the page, so each document's Markdown is converted by one
    # worker (and in the same pass over the pages as the templates, spread over the same workers).
    context = make()
    key = _content_key(context)
    if key and previous_keys.get(context.path) == key:
        return _Page(context.path, None, None, [], {}, key, kept=True)
    context.charts = figures.get(context.path, [])
    found = Diagnostics()
    html = _render(theme, context.template, context.path, root, found, page=context)
    document = context.document.id if isinstance(context, DocumentContext) and context.document else None
    markdown = renderer.take_new()
    if html is None:
        return _Page(context.path, None, document, found.items, markdown, key)
    content = _tidy(html).encode("utf-8")
    stored = _stored(spool, context.path, content, found)
    if stored is None:
        return _Page(context.path, None, document, found.items, markdown, key)
    data_written: tuple[tuple[str, Written], ...] = ()
    data_file = data.file_of(context) if data is not None else None
    if data_file is not None and spool is not None:
        with contextlib.suppress(OSError):  # left to the parent, which reports it (see render_site)
            data_written = ((data_file[0], spool_file(spool, *data_file)),)
    own = content if spool is None else None  # a spooled page's file is known to the parent by its path
    return _Page(
        context.path, own, document, found.items, markdown, key,
        facts=page_facts(content, context.path, base_path), written=stored[1], data_written=data_written,
    )  # fmt: skip


def page_facts(html: bytes, path: str, base_path: str) -> PageFacts:
    """What the steps after rendering need to know of the page at `path` (see PageFacts); `base_path`: see
    links.base_path_of."""
    return PageFacts(indexed(html), page_links(html, path, base_path), searchable(html))


def _stored(
    spool: Path | None, path: str, content: bytes, diagnostics: Diagnostics
) -> tuple[bytes | Path, Written | None] | None:
    """The page's bytes, or with a `spool` folder the file they were written to and its record; None if
    writing failed."""
    if spool is None:
        return content, None
    try:
        return spool / path, spool_file(spool, path, content)
    except OSError as exc:
        diagnostics.error(path, 1, 1, f"cannot write {path}: {exc}", "free some disk space or choose another --out")
        return None


def _content_key(context: PageContext) -> str:
    """For the data pages, which every rebuild renders: a hash of all they show besides the theme and
    settings (which a rebuild's plan covers); "" for other pages."""
    if isinstance(context, DatasetContext):
        tables = [(t.name, t.title, t.description, t.columns, t.primary_key) for t in context.tables]
        dataset = context.dataset.digest if context.dataset is not None else None
        shown = repr((context.lang, context.title, context.breadcrumbs, dataset, tables))
    elif isinstance(context, CatalogueContext):
        digests = [dataset.digest for dataset in context.datasets]
        shown = repr((context.lang, context.title, context.breadcrumbs, digests, context.descriptions))
    else:
        return ""
    return hashlib.blake2b(shown.encode("utf-8"), digest_size=16).hexdigest()


def _render(
    theme: Theme, template: str, output: str, root: Path, diagnostics: Diagnostics, **context: Any
) -> str | None:
    """One template rendered, or None with a diagnostic naming the template file and line."""
    try:
        return theme.environment.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = shown_path(Path(exc.filename), root) if exc.filename else exc.name or "template"
        diagnostics.error(where, exc.lineno, 1, f"template syntax error: {exc.message}")
    except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        path, line = template_location(exc, root)
        diagnostics.error(path, line, 1, f"cannot render {output}: {type(exc).__name__}: {exc}")
    return None


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _tidy(html: str) -> str:
    """Collapse the runs of blank lines that template logic leaves behind."""
    return _BLANK_LINES.sub("\n\n", html)
