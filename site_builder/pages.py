"""Every page of the site as a template context: what each page type shows, in one language.

Each page type's context is a dataclass; templates read only what it holds.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, NamedTuple

from markupsafe import Markup

from . import case_steps, connections, feeds, jsonld, search, urls
from .figures import Figure
from .graph import IndicatorRef, Site, document_year
from .i18n import Strings
from .markdown import MarkdownRenderer
from .model import ContentDocument
from .models import Decision, Municipality, Organisation
from .opendata.datasets import Dataset
from .opendata.exports import OpenData
from .opendata.tables import TableSpec
from .progress import strategy_statuses


@dataclass(frozen=True)
class Link:
    """A labelled link, already relative to the page it appears on."""

    label: str
    url: str
    lang: str | None = None


class Footer(NamedTuple):
    """What the footer of a page shows (see the template _footer.html)."""

    licence_text: str
    licence: Link
    links: tuple[Link, ...]
    feeds: tuple[Link, ...]
    source_code: Link | None


_FOOTER_LINKS = (
    ("nav.indicators", "indicators"),
    ("nav.topics", "topics"),
    ("nav.sdgs", "sdgs"),
    ("nav.years", "years"),
    ("nav.data", "data"),
    ("section.pages", "pages"),
)
"""The footer's links, to these folders of the page's language, by their strings' keys."""


@dataclass
class PageContext:
    """What every template gets as `page`."""

    site: Site
    lang: str
    t: Strings
    path: str
    """This page's output path, e.g. nb/decisions/x/index.html."""
    title: str
    template: str
    breadcrumbs: list[Link] = field(default_factory=list)
    markdown: Callable[[str | None], Markup] = field(default=lambda text: Markup(""))
    alternate_path: Callable[[str], str] | None = None
    """Given a language, the path of this page in it."""
    json_ld: dict[str, Any] | None = None
    """schema.org data about the page, written into its head."""
    integrity: Mapping[str, str] = field(default_factory=dict)
    """Subresource Integrity values of the theme's assets, by asset name."""
    charts: list[Figure] = field(default_factory=list)
    """The charts this page shows; pages with none load no chart script."""

    def url(self, path: str) -> str:
        return urls.relative_url(self.path, path)

    @property
    def site_name(self) -> str:
        return self.site.config.settings.name_in(self.lang)

    @property
    def canonical(self) -> str:
        return urls.public_url(self.site.config.settings.base_url, self.path)

    @cached_property
    def alternates(self) -> list[Link]:
        """This page in every UI language, for the language switcher and hreflang."""
        if self.alternate_path is None:
            return []
        return [
            Link(self.t.language_own_name(lang), self.url(self.alternate_path(lang)), lang)
            for lang in self.site.config.settings.languages
        ]

    def alternate_public(self, lang: str) -> str:
        assert self.alternate_path is not None
        return urls.public_url(self.site.config.settings.base_url, self.alternate_path(lang))

    @property
    def navigation(self) -> tuple[tuple[Link, bool], ...]:
        """The main menu: each section's link, and whether this page is in it."""
        lang = self.lang
        items = [
            (self.t("nav.home"), urls.home_path(lang)),
            (self.t("nav.municipalities"), urls.municipalities_path(lang)),
            (self.t("section.decisions"), urls.section_path(lang, "decision")),
            (self.t("section.strategies"), urls.section_path(lang, "strategy")),
            (self.t("section.memberships"), urls.section_path(lang, "membership")),
            (self.t("section.agreements"), urls.section_path(lang, "agreement")),
            (self.t("section.commitments"), urls.section_path(lang, "commitment")),
            (self.t("nav.organisations"), urls.organisations_path(lang)),
            (self.t("nav.data"), urls.data_catalogue_path(lang)),
        ]
        return tuple((Link(label, self.url(path)), self._within(path)) for label, path in items)

    def _within(self, path: str) -> bool:
        folder = path[: -len("index.html")]
        return self.path == path or (folder.count("/") > 1 and self.path.startswith(folder))

    # Links to things, relative to this page.
    def document_url(self, document: ContentDocument | str) -> str:
        doc = self.site.documents[document] if isinstance(document, str) else document
        return self.url(urls.document_path(self.lang, doc.type, doc.id))

    def municipality_url(self, municipality_id: str) -> str:
        return self.url(urls.municipality_path(self.lang, municipality_id))

    def organisation_url(self, organisation_id: str) -> str:
        return self.url(urls.organisation_path(self.lang, organisation_id))

    def indicator_url(self, indicator_id: str) -> str:
        return self.url(urls.indicator_path(self.lang, indicator_id))

    def section_url(self, doc_type: str) -> str:
        return self.url(urls.section_path(self.lang, doc_type))

    def topic_url(self, topic_id: str) -> str:
        return self.url(urls.topic_path(self.lang, topic_id))

    def sdg_url(self, goal: int) -> str:
        return self.url(urls.sdg_path(self.lang, goal))

    def year_url(self, year: int) -> str:
        return self.url(urls.year_path(self.lang, year))

    def asset_url(self, name: str) -> str:
        return self.url(urls.asset_path(name))

    def schema_url(self, doc_type: str) -> str:
        return self.url(urls.schema_path(doc_type))

    # Names of registry entries in this page's language.
    def municipality(self, municipality_id: str) -> Municipality:
        return self.site.registries.municipalities[municipality_id].value

    def municipality_name(self, municipality_id: str) -> str:
        return self.municipality(municipality_id).name_in(self.lang)

    def organisation(self, organisation_id: str) -> Organisation:
        return self.site.registries.organisations[organisation_id].value

    def organisation_name(self, organisation_id: str) -> str:
        organisation = self.organisation(organisation_id)
        name = organisation.name_in(self.lang)
        if organisation.municipality:
            return f"{name} ({self.municipality_name(organisation.municipality)})"
        return name

    def party_label(self, party_id: str | None) -> str:
        if not party_id:
            return ""
        return self.site.registries.parties[party_id].value.abbreviation

    def party_name(self, party_id: str) -> str:
        return self.site.registries.parties[party_id].value.name

    def topic_name(self, topic_id: str) -> str:
        return self.site.registries.topics[topic_id].value.name_in(self.lang)

    def sdg_goal(self, code: str) -> int:
        return int(code.split(".")[0])

    def sdg_name(self, goal: int) -> str:
        entry = self.site.registries.sdgs.get(goal)
        return entry.value.name_in(self.lang) if entry else str(goal)

    def convention_label(self, convention_id: str) -> str:
        convention = self.site.registries.conventions[convention_id].value
        return f"{convention.abbreviation}: {convention.name_in(self.lang)}"

    def document_title(self, document_id: str) -> str:
        return self.site.documents[document_id].model.title

    def document_lang(self, document_id: str) -> str:
        return self.site.documents[document_id].model.lang

    def type_label(self, doc_type: str) -> str:
        return self.t(f"type.{doc_type}")

    def year_of(self, document: ContentDocument) -> int | None:
        return document_year(document)

    # Search, feeds and sharing.
    @cached_property
    def search_filters(self) -> search.Filters | None:
        """Pagefind filters of this page; None leaves the page out of the search index.

        Worked out once per page (as are `alternates`): the templates ask in the head and again in <main>."""
        return None

    @property
    def search_url(self) -> str:
        return self.url(urls.search_path(self.lang))

    @property
    def footer(self) -> Footer:
        settings = self.site.config.settings
        lang, t = self.lang, self.t
        return Footer(
            t("footer.licence"),
            Link(settings.licence.name, str(settings.licence.url)),
            tuple(Link(t(label), self.url(f"{lang}/{folder}/index.html")) for label, folder in _FOOTER_LINKS),
            tuple(self.feeds),
            Link(t("footer.source_code"), str(settings.repository.url)) if settings.repository else None,
        )

    @property
    def feeds(self) -> list[Link]:
        """Atom feeds for <link rel="alternate">: the site's decisions, and the page's own where it has one."""
        feed = feeds.site_feed(self.site, self.t)
        return [Link(feed.title, self.url(feed.path))] if feed else []

    @property
    def og_type(self) -> str:
        return "website"

    @property
    def og_locale(self) -> str:
        """The Open Graph locale (nb_NO), from the locale the UI formats dates and numbers with."""
        return str(self.t.locale)

    def og_locale_of(self, lang: str) -> str:
        return str(Strings(lang, {}).locale)


@dataclass
class HomeContext(PageContext):
    latest_decisions: list[ContentDocument] = field(default_factory=list)
    strategies: list[ContentDocument] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    """(content type, number of documents) for every type that has documents."""
    progress: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """Per strategy: (progress status, number of indicators) for each status that occurs."""


@dataclass
class ListContext(PageContext):
    """A list of documents (by type, topic, SDG or year) or of registry entries."""

    intro: str = ""
    documents: list[ContentDocument] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    """Used instead of documents for lists of municipalities, organisations, topics, SDGs, years."""


@dataclass
class DocumentContext(PageContext):
    document: ContentDocument | None = None
    body: Markup = field(default_factory=Markup)
    backlinks: list[tuple[ContentDocument, str]] = field(default_factory=list)
    """Documents that refer to this one, with the field that refers."""
    edit_url: str | None = None
    last_changed: dt.date | None = None
    data_links: list[Link] = field(default_factory=list)
    """The document's own data (JSON) and the tables it appears in (CSV)."""

    @property
    def model(self) -> Any:
        assert self.document is not None
        return self.document.model

    @cached_property
    def search_filters(self) -> search.Filters | None:
        assert self.document is not None
        return search.document_filters(self.site, self.t, self.document)

    @property
    def og_type(self) -> str:
        return "article"

    @property
    def meeting_neighbours(self) -> dict[str, case_steps.Neighbours]:
        """For a decision, each meeting's previous and next meeting in date order."""
        model = self.model
        return case_steps.meeting_neighbours(model) if isinstance(model, Decision) else {}

    @property
    def decided_memberships(self) -> list[ContentDocument]:
        """Memberships this decision decides, so its page can state their fees in the reader's language."""
        return [doc for doc, field_name in self.backlinks if doc.type == "membership" and field_name == "decided_by"]

    @property
    def case_neighbours(self) -> case_steps.Neighbours:
        """Earlier and later decisions with the same case number."""
        assert self.document is not None
        return case_steps.case_neighbours(self.site, self.document)


@dataclass
class MunicipalityContext(PageContext):
    municipality_id: str = ""
    documents_by_type: list[tuple[str, list[ContentDocument]]] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)

    @property
    def networks(self) -> list[connections.Network]:
        """Networks from memberships, organisations' member lists and relations documents."""
        return connections.networks(self.site, self.municipality_id)

    @property
    def twin_cities(self) -> list[connections.Partner]:
        return connections.twin_cities(self.site, self.municipality_id)

    @property
    def feeds(self) -> list[Link]:
        own = feeds.municipality_feed(self.site, self.t, self.municipality_id)
        return [*super().feeds, *([Link(own.title, self.url(own.path))] if own else [])]

    @cached_property
    def search_filters(self) -> search.Filters | None:
        return search.municipality_filters(self.site, self.t, self.municipality_id)


@dataclass
class OrganisationContext(PageContext):
    organisation_id: str = ""
    documents: list[ContentDocument] = field(default_factory=list)
    body_of: str | None = None

    @property
    def memberships(self) -> list[ContentDocument]:
        """Membership documents for this organisation: who joined or applied, for how long, at what cost."""
        return connections.memberships_of(self.site, self.organisation_id)

    @cached_property
    def search_filters(self) -> search.Filters | None:
        return search.organisation_filters(self.site, self.t, self.organisation_id)


@dataclass
class IndicatorContext(PageContext):
    ref: IndicatorRef | None = None
    data_links: list[Link] = field(default_factory=list)

    @cached_property
    def search_filters(self) -> search.Filters | None:
        assert self.ref is not None
        return search.indicator_filters(self.site, self.t, self.ref)


@dataclass
class EmbedContext(PageContext):
    """A page with one chart and nothing else, for other sites to put in an iframe."""

    page_url: str = ""
    """The page on this site that shows the chart with its context."""


def embed_context(site: Site, t: Strings, integrity: Mapping[str, str], figure: Figure, page_path: str) -> EmbedContext:
    path = urls.embed_path(t.lang, figure.chart.id)
    return EmbedContext(
        site=site, lang=t.lang, t=t, path=path, title=figure.chart.title, template="embed.html",
        alternate_path=partial(_embed_path, figure.chart.id), integrity=integrity, charts=[figure],
        page_url=urls.relative_url(path, page_path),
    )  # fmt: skip


def _embed_path(chart_id: str, lang: str) -> str:
    return urls.embed_path(lang, chart_id)


@dataclass
class CatalogueContext(PageContext):
    """The open-data catalogue: every dataset, and the machine-readable descriptions of them all."""

    datasets: list[Dataset] = field(default_factory=list)
    descriptions: list[Link] = field(default_factory=list)
    """datapackage.json, the DCAT-AP catalogue, Popolo, the JSON Schemas."""

    @cached_property
    def search_filters(self) -> search.Filters | None:
        return []


@dataclass
class DatasetContext(PageContext):
    dataset: Dataset | None = None
    tables: list[TableSpec] = field(default_factory=list)
    """The tables among the dataset's files, with their columns."""

    @cached_property
    def search_filters(self) -> search.Filters | None:
        return []


@dataclass
class SearchContext(PageContext):
    """The search page: a form that works without JavaScript, and everything to browse when search cannot run."""

    filter_options: dict[str, list[str]] = field(default_factory=dict)
    """Each filter's values, as the index holds them."""
    browse: list[Link] = field(default_factory=list)
    """The lists of the site, by type, municipality, organisation, topic, SDG and year."""
    documents: list[ContentDocument] = field(default_factory=list)
    """Every document, by title, so that the browser's find-in-page works as a search without scripts."""

    @property
    def pagefind_url(self) -> str:
        return self.url(f"{urls.PAGEFIND_DIR}/pagefind.js")


@dataclass
class NotFoundContext(PageContext):
    """The 404 page: served at any missing address, so its links start from the site's root path."""

    translations: list[Strings] = field(default_factory=list)
    """Every UI language's strings, to say "not found" in each."""

    def url(self, path: str) -> str:
        return urls.root_relative_url(self.site.config.settings.base_url, path)

    @property
    def by_language(self) -> list[tuple[Strings, str, str]]:
        """Each UI language's strings with the root-relative links to its home and its search page."""
        return [(t, self.url(urls.home_path(t.lang)), self.url(urls.search_path(t.lang))) for t in self.translations]


def _swap(item_path: Callable[[str, Any], str], key: Any, lang: str) -> str:
    """`item_path(lang, key)` with the key bound first, for a taxonomy page's other languages."""
    return item_path(lang, key)


PageMaker = Callable[[], PageContext]
"""Makes one page's context: a render worker makes only its own pages' (document pages convert Markdown)."""


def site_pages(
    site: Site,
    lang: str,
    t: Strings,
    renderer: MarkdownRenderer,
    open_data: OpenData,
    integrity: Mapping[str, str],
    documents: Container[str] | None = None,
    listings: bool = True,
    others: bool | Container[str] = True,
) -> Iterator[PageMaker]:
    """Every page's context in one language, each made when its maker is called.

    An incremental build asks for fewer: the pages of the `documents` named (all if None), the data
    pages, and, if `listings`, every other page that is not a document's own (home, sections, registries).
    `others` may name the output paths of just some of those other pages (see `other_page_paths`), or
    be False for none: a large site makes its pages in batches (see render.py).
    """
    base, crumbs = _shared(site, lang, t, renderer, integrity)
    if others is not False:
        wanted = _every_path if others is True else others.__contains__
        # The other pages are few next to the documents' (one per section, registry entry, dataset), but
        # a listing of every document is slow to render: first, so that no worker starts one at the end.
        for context in _other_pages(site, lang, t, base, crumbs, open_data, listings, wanted):
            yield partial(_made, context)
    for document in site.documents.values():
        if documents is None or document.id in documents:
            yield partial(_document_context, site, document, lang, base, crumbs, open_data)


def other_page_paths(
    site: Site, lang: str, t: Strings, open_data: OpenData, integrity: Mapping[str, str], listings: bool = True
) -> list[str]:
    """The output paths of the pages `site_pages` makes besides the documents', in its order, none of
    them made."""
    found: list[str] = []

    def listed(path: str) -> bool:
        found.append(path)
        return False

    base, crumbs = _shared(site, lang, t, MarkdownRenderer(), integrity)
    for _ in _other_pages(site, lang, t, base, crumbs, open_data, listings, listed):
        pass
    return found


def _shared(
    site: Site, lang: str, t: Strings, renderer: MarkdownRenderer, integrity: Mapping[str, str]
) -> tuple[dict[str, Any], Callable[..., list[Link]]]:
    """What every page context of a language is given, and the breadcrumbs of a page at a path."""

    def markdown(text: str | None) -> Markup:
        return renderer.render(text) if text else Markup("")

    base: dict[str, Any] = {"site": site, "lang": lang, "t": t, "markdown": markdown, "integrity": integrity}
    home = Link(t("nav.home"), "")

    def crumbs(path: str, *trail: tuple[str, str]) -> list[Link]:
        links = [Link(home.label, urls.relative_url(path, urls.home_path(lang)))]
        links.extend(Link(label, urls.relative_url(path, target)) for label, target in trail)
        return links

    return base, crumbs


def _every_path(path: str) -> bool:
    return True


def _made(context: PageContext) -> PageContext:
    return context


def _other_pages(
    site: Site,
    lang: str,
    t: Strings,
    base: dict[str, Any],
    crumbs: Callable[..., list[Link]],
    open_data: OpenData,
    listings: bool,
    wanted: Callable[[str], bool],
) -> Iterator[PageContext]:
    """The pages that are not a document's own, each made only if `wanted` says yes to its output path."""
    # The data pages describe the open data (sizes, counts), which every build makes afresh.
    yield from _data_pages(site, lang, t, base, crumbs, open_data, wanted)
    if not listings:
        return

    decisions = site.by_type.get("decision", [])
    if wanted(urls.home_path(lang)):
        yield HomeContext(
            **base,
            path=urls.home_path(lang),
            title=site.config.settings.name_in(lang),
            template="home.html",
            alternate_path=urls.home_path,
            latest_decisions=decisions[:10],
            strategies=site.by_type.get("strategy", []),
            counts=[(k, len(v)) for k, v in site.by_type.items()],
            progress={strategy.id: _status_counts(site, strategy) for strategy in site.by_type.get("strategy", [])},
        )
    if wanted(urls.search_path(lang)):
        yield _search_page(site, lang, t, base, crumbs)

    for doc_type, section in urls.SECTIONS.items():
        path = urls.section_path(lang, doc_type)
        if not wanted(path):
            continue
        yield ListContext(
            **base,
            path=path,
            title=t(f"section.{section}"),
            template="list.html",
            breadcrumbs=crumbs(path),
            alternate_path=partial(urls.section_path, doc_type=doc_type),
            intro=t(f"section.{section}.intro"),
            documents=site.by_type.get(doc_type, []),
        )

    yield from _registry_pages(site, lang, t, base, crumbs, wanted)


def _search_page(
    site: Site, lang: str, t: Strings, base: dict[str, Any], crumbs: Callable[..., list[Link]]
) -> SearchContext:
    path = urls.search_path(lang)
    lists = [(t(f"section.{section}"), urls.section_path(lang, k)) for k, section in urls.SECTIONS.items()]
    lists += [
        (t("nav.municipalities"), urls.municipalities_path(lang)),
        (t("nav.organisations"), urls.organisations_path(lang)),
        (t("nav.indicators"), urls.indicators_path(lang)),
        (t("nav.topics"), urls.topics_path(lang)),
        (t("nav.sdgs"), urls.sdgs_path(lang)),
        (t("nav.years"), urls.years_path(lang)),
        (t("nav.data"), urls.data_catalogue_path(lang)),
    ]
    return SearchContext(
        **base,
        path=path,
        title=t("search.title"),
        template="search.html",
        breadcrumbs=crumbs(path),
        alternate_path=urls.search_path,
        filter_options=search.filter_options(site, t),
        browse=[Link(label, urls.relative_url(path, target)) for label, target in lists],
        documents=sorted(site.documents.values(), key=lambda d: (d.model.title.casefold(), d.id)),
    )


def not_found_page(site: Site, strings: Mapping[str, Strings], integrity: Mapping[str, str]) -> NotFoundContext:
    """The site's one 404 page, in the default language with the same message in every other."""
    t = strings[site.config.settings.default_language]
    return NotFoundContext(
        site=site, lang=t.lang, t=t, path=urls.NOT_FOUND_PATH, title=t("not_found.title"), template="404.html",
        integrity=integrity, translations=[t, *(strings[lang] for lang in site.config.settings.languages if lang != t.lang)],
    )  # fmt: skip


def _status_counts(site: Site, strategy: ContentDocument) -> list[tuple[str, int]]:
    counts = Counter(item.status for item in strategy_statuses(site, strategy))
    return [(status, counts[status]) for status in ("on-track", "off-track", "no-data") if counts[status]]


def _data_links(path: str, open_data: OpenData, json_path: str | None, tables: list[str]) -> list[Link]:
    links = []
    if json_path is not None:
        links.append(Link(json_path.rsplit("/", 1)[-1], urls.relative_url(path, json_path)))
    links.extend(Link(f"{name}.csv", urls.relative_url(path, urls.table_path(name))) for name in tables)
    return links


def _data_pages(
    site: Site,
    lang: str,
    t: Strings,
    base: dict[str, Any],
    crumbs: Callable[..., list[Link]],
    open_data: OpenData,
    wanted: Callable[[str], bool],
) -> Iterator[PageContext]:
    from .opendata import dcat

    path = urls.data_catalogue_path(lang)
    if wanted(path):
        descriptions = [
            Link(t("data.datapackage"), urls.relative_url(path, urls.DATAPACKAGE_PATH)),
            Link(t("data.dcat_turtle"), urls.relative_url(path, dcat.CATALOGUE_TURTLE_PATH)),
            Link(t("data.dcat_jsonld"), urls.relative_url(path, dcat.CATALOGUE_JSONLD_PATH)),
            Link(t("data.popolo"), urls.relative_url(path, urls.POPOLO_PATH)),
        ]
        descriptions.extend(
            Link(t("data.schema", name=t(f"type.{doc_type}")), urls.relative_url(path, urls.schema_path(doc_type)))
            for doc_type in urls.SECTIONS
        )
        yield CatalogueContext(
            **base,
            path=path,
            title=t("nav.data"),
            template="data.html",
            breadcrumbs=crumbs(path),
            alternate_path=urls.data_catalogue_path,
            datasets=open_data.datasets,
            descriptions=descriptions,
        )
    tables_by_dataset: dict[str, list[TableSpec]] = {}
    for table in open_data.tables:
        tables_by_dataset.setdefault(table.spec.dataset, []).append(table.spec)
    for dataset in open_data.datasets:
        path = urls.dataset_path(lang, dataset.id)
        if not wanted(path):
            continue
        yield DatasetContext(
            **base,
            path=path,
            title=dataset.title[lang],
            template="dataset.html",
            breadcrumbs=crumbs(path, (t("nav.data"), urls.data_catalogue_path(lang))),
            alternate_path=partial(urls.dataset_path, dataset_id=dataset.id),
            json_ld=jsonld.dataset_ld(site, dataset, lang),
            dataset=dataset,
            tables=tables_by_dataset.get(dataset.id, []),
        )


def _document_context(
    site: Site,
    document: ContentDocument,
    lang: str,
    base: dict[str, Any],
    crumbs: Callable[..., list[Link]],
    open_data: OpenData,
) -> DocumentContext:
    t: Strings = base["t"]
    path = urls.document_path(lang, document.type, document.id)
    section = urls.SECTIONS[document.type]
    repository = site.config.settings.repository
    edit_url = None
    if repository is not None:
        edit_url = (
            repository.url.rstrip("/")
            + "/"
            + repository.edit_path.format(branch=repository.branch, path=document.source_path)
        )
    backlinks = [
        (site.documents[link.source], link.field)
        for link in site.backlinks.get(document.id, [])
        if link.source in site.documents and link.field != "related"
    ]
    trail: list[tuple[str, str]] = [(t(f"section.{section}"), urls.section_path(lang, document.type))]
    return DocumentContext(
        **base,
        path=path,
        title=document.model.title,
        template=f"{document.type}.html",
        breadcrumbs=crumbs(path, *trail),
        alternate_path=partial(urls.document_path, doc_type=document.type, doc_id=document.id),
        document=document,
        body=base["markdown"](document.body),
        backlinks=backlinks,
        edit_url=edit_url,
        last_changed=site.last_changed.get(document.source_path),
        json_ld=jsonld.document_ld(site, document, lang),
        data_links=_data_links(
            path,
            open_data,
            open_data.document_files.get(document.id),
            open_data.tables_with(document.origin),
        ),
    )


def _index_page(
    base: dict[str, Any],
    crumbs: Callable[..., list[Link]],
    list_path: Callable[[str], str],
    title_key: str,
    intro_key: str,
    items: list[tuple[str, str, str | None]],
) -> ListContext:
    """A page that lists links: (label, target output path, language of the label if not the UI's)."""
    t: Strings = base["t"]
    path = list_path(base["lang"])
    return ListContext(
        **base,
        path=path,
        title=t(title_key),
        template="list.html",
        breadcrumbs=crumbs(path),
        alternate_path=list_path,
        intro=t(intro_key),
        links=[Link(label, urls.relative_url(path, target), lang) for label, target, lang in items],
    )


def _registry_pages(
    site: Site,
    lang: str,
    t: Strings,
    base: dict[str, Any],
    crumbs: Callable[..., list[Link]],
    wanted: Callable[[str], bool],
) -> Iterator[PageContext]:
    registries = site.registries
    shown_municipalities = sorted(
        {m for m in site.by_municipality}
        | {m for e in registries.organisations.values() for m in [e.value.municipality] if m},
        key=lambda m: registries.municipalities[m].value.name,
    )
    if wanted(urls.municipalities_path(lang)):
        yield _index_page(
            base, crumbs, urls.municipalities_path, "nav.municipalities", "municipalities.intro",
            [(registries.municipalities[m].value.name_in(lang), urls.municipality_path(lang, m), None) for m in shown_municipalities],
        )  # fmt: skip
    for municipality_id in sorted(registries.municipalities):
        path = urls.municipality_path(lang, municipality_id)
        if not wanted(path):
            continue
        documents = site.by_municipality.get(municipality_id, [])
        grouped = [(doc_type, [d for d in documents if d.type == doc_type]) for doc_type in urls.SECTIONS]
        municipality = registries.municipalities[municipality_id].value
        yield MunicipalityContext(
            **base,
            path=path,
            title=municipality.name_in(lang),
            template="municipality.html",
            breadcrumbs=crumbs(path, (t("nav.municipalities"), urls.municipalities_path(lang))),
            alternate_path=partial(urls.municipality_path, municipality_id=municipality_id),
            municipality_id=municipality_id,
            json_ld=jsonld.municipality_ld(site, municipality_id, lang),
            documents_by_type=[(k, v) for k, v in grouped if v],
            bodies=site.bodies.get(municipality_id, []),
        )

    if wanted(urls.organisations_path(lang)):
        independent = [o for o, e in sorted(registries.organisations.items()) if not e.value.municipality]
        yield _index_page(
            base, crumbs, urls.organisations_path, "nav.organisations", "organisations.intro",
            [(registries.organisations[o].value.name_in(lang), urls.organisation_path(lang, o), None) for o in independent],
        )  # fmt: skip
    for organisation_id, entry in sorted(registries.organisations.items()):
        path = urls.organisation_path(lang, organisation_id)
        if not wanted(path):
            continue
        trail = [(t("nav.organisations"), urls.organisations_path(lang))]
        if entry.value.municipality:
            trail = [
                (t("nav.municipalities"), urls.municipalities_path(lang)),
                (
                    registries.municipalities[entry.value.municipality].value.name,
                    urls.municipality_path(lang, entry.value.municipality),
                ),
            ]
        yield OrganisationContext(
            **base,
            path=path,
            title=entry.value.name_in(lang),
            template="organisation.html",
            breadcrumbs=crumbs(path, *trail),
            alternate_path=partial(urls.organisation_path, organisation_id=organisation_id),
            organisation_id=organisation_id,
            json_ld=jsonld.organisation_ld(site, organisation_id, lang),
            documents=site.by_organisation.get(organisation_id, []),
            body_of=entry.value.municipality,
        )

    if wanted(urls.indicators_path(lang)):
        yield _index_page(
            base, crumbs, urls.indicators_path, "nav.indicators", "indicators.intro",
            [(ref.indicator.name, urls.indicator_path(lang, i), ref.strategy.model.lang) for i, ref in sorted(site.indicators.items())],
        )  # fmt: skip
    for indicator_id, ref in sorted(site.indicators.items()):
        path = urls.indicator_path(lang, indicator_id)
        if not wanted(path):
            continue
        yield IndicatorContext(
            **base,
            path=path,
            title=ref.indicator.name,
            template="indicator.html",
            breadcrumbs=crumbs(
                path,
                (t("section.strategies"), urls.section_path(lang, "strategy")),
                (ref.strategy.model.title, urls.document_path(lang, "strategy", ref.strategy.id)),
            ),
            alternate_path=partial(urls.indicator_path, indicator_id=indicator_id),
            ref=ref,
            json_ld=jsonld.indicator_ld(site, ref, lang),
            data_links=[
                Link(f"{indicator_id}.csv", urls.relative_url(path, urls.indicator_csv_path(indicator_id))),
                Link("indicator-values.csv", urls.relative_url(path, urls.table_path("indicator-values"))),
            ],
        )

    yield from _taxonomy_pages(site, lang, t, base, crumbs, wanted)


def _taxonomy_pages(
    site: Site,
    lang: str,
    t: Strings,
    base: dict[str, Any],
    crumbs: Callable[..., list[Link]],
    wanted: Callable[[str], bool],
) -> Iterator[PageContext]:
    taxonomies: list[
        tuple[
            str, Callable[[str], str], Callable[[str, Any], str], dict[Any, list[ContentDocument]], Callable[[Any], str]
        ]
    ] = [
        (
            "topics",
            urls.topics_path,
            urls.topic_path,
            site.by_topic,
            lambda k: site.registries.topics[k].value.name_in(lang),
        ),
        (
            "sdgs",
            urls.sdgs_path,
            urls.sdg_path,
            site.by_sdg,
            lambda k: f"{k}. {site.registries.sdgs[k].value.name_in(lang)}" if k in site.registries.sdgs else str(k),
        ),
        ("years", urls.years_path, urls.year_path, site.by_year, str),
    ]
    for name, list_path, item_path, index, label in taxonomies:
        if wanted(list_path(lang)):
            yield _index_page(
                base, crumbs, list_path, f"nav.{name}", f"{name}.intro",
                [(f"{label(key)} ({len(docs)})", item_path(lang, key), None) for key, docs in index.items()],
            )  # fmt: skip
        for key, documents in index.items():
            path = item_path(lang, key)
            if not wanted(path):
                continue
            yield ListContext(
                **base,
                path=path,
                title=label(key),
                template="list.html",
                breadcrumbs=crumbs(path, (t(f"nav.{name}"), list_path(lang))),
                alternate_path=partial(_swap, item_path, key),
                intro="",
                documents=documents,
            )
