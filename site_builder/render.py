"""Render every page of the site, in every UI language, into memory.

Templates come from the site's theme folder first and the default theme
second; `default:NAME` always names the default theme's template so an
override can extend it. Each page type's context is a dataclass below.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import urls
from .config import DEFAULT_THEME
from .diagnostics import Diagnostics
from .graph import IndicatorRef, Site, document_year
from .i18n import Strings, load_strings
from .load import shown_path
from .markdown import MarkdownRenderer
from .model import ContentDocument
from .models import Municipality, Organisation
from .schemas import document_schemas, schema_text

# --- template contexts -------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A labelled link, already relative to the page it appears on."""

    label: str
    url: str
    lang: str | None = None


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

    def url(self, path: str) -> str:
        return urls.relative_url(self.path, path)

    @property
    def site_name(self) -> str:
        return self.site.config.settings.name_in(self.lang)

    @property
    def canonical(self) -> str:
        return urls.public_url(self.site.config.settings.base_url, self.path)

    @property
    def alternates(self) -> list[Link]:
        """This page in every UI language, for the language switcher and hreflang."""
        if self.alternate_path is None:
            return []
        return [
            Link(self.t(f"language.{lang}"), self.url(self.alternate_path(lang)), lang)
            for lang in self.site.config.settings.languages
        ]

    def alternate_public(self, lang: str) -> str:
        assert self.alternate_path is not None
        return urls.public_url(self.site.config.settings.base_url, self.alternate_path(lang))

    @property
    def navigation(self) -> list[tuple[Link, bool]]:
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
        ]
        return [(Link(label, self.url(path)), self._within(path)) for label, path in items]

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


@dataclass
class HomeContext(PageContext):
    latest_decisions: list[ContentDocument] = field(default_factory=list)
    strategies: list[ContentDocument] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    """(content type, number of documents) for every type that has documents."""


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

    @property
    def model(self) -> Any:
        assert self.document is not None
        return self.document.model


@dataclass
class MunicipalityContext(PageContext):
    municipality_id: str = ""
    documents_by_type: list[tuple[str, list[ContentDocument]]] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    """Organisations whose member list names this municipality."""


@dataclass
class OrganisationContext(PageContext):
    organisation_id: str = ""
    documents: list[ContentDocument] = field(default_factory=list)
    body_of: str | None = None


@dataclass
class IndicatorContext(PageContext):
    ref: IndicatorRef | None = None


# --- environment ---------------------------------------------------------------------


class TemplateProblem(Exception):
    """A template failed; carries the template file and line for the diagnostic."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message


def make_environment(theme_dirs: list[Path]) -> jinja2.Environment:
    """Site theme first, default theme last; `default:` prefixes the default theme explicitly."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs]
    default_loader = jinja2.FileSystemLoader(str(DEFAULT_THEME / "templates"))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": default_loader}, delimiter=":")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["json_ld"] = _json_ld
    return environment


def _json_ld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block; '<' is escaped so no tag can close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _template_location(exc: BaseException, theme_dirs: list[Path], root: Path) -> tuple[str, int]:
    """The innermost template frame in a rendering error's traceback."""
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith(".html") or filename.endswith(".xml"):
            return shown_path(Path(filename), root), line
    return "templates", 1


# --- rendering -------------------------------------------------------------------------


def theme_dirs(site: Site) -> list[Path]:
    """The site's own theme (if any) first, then the default theme."""
    dirs = [DEFAULT_THEME]
    if site.config.theme_dir is not None and site.config.theme_dir.resolve() != DEFAULT_THEME.resolve():
        dirs.insert(0, site.config.theme_dir)
    return dirs


def render_site(site: Site, diagnostics: Diagnostics) -> dict[str, bytes]:
    """Every output file of the site, by path. Refuses two pages with one path."""
    dirs = theme_dirs(site)
    root = site.config.root
    strings = load_strings(list(reversed(dirs)), list(site.config.settings.languages), root, diagnostics)
    if diagnostics.has_errors():
        return {}
    try:
        environment = make_environment(dirs)
    except jinja2.TemplateError as exc:
        diagnostics.error("templates", 1, 1, f"cannot set up templates: {exc}")
        return {}
    files: dict[str, bytes] = {}
    renderer = MarkdownRenderer()

    def add(path: str, content: bytes) -> None:
        if path in files:
            diagnostics.error(path, 1, 1, f"two pages would be written to {path}", "rename one of the documents")
            return
        files[path] = content

    for lang in site.config.settings.languages:
        for context in _pages(site, lang, strings[lang], renderer):
            try:
                html = environment.get_template(context.template).render(page=context)
            except jinja2.TemplateSyntaxError as exc:
                where = shown_path(Path(exc.filename), root) if exc.filename else exc.name or "template"
                diagnostics.error(where, exc.lineno, 1, f"template syntax error: {exc.message}")
                return {}
            except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError) as exc:
                path, line = _template_location(exc, dirs, root)
                diagnostics.error(path, line, 1, f"cannot render {context.path}: {type(exc).__name__}: {exc}")
                return {}
            add(context.path, _tidy(html).encode("utf-8"))
    root_redirect = environment.get_template("redirect.html").render(
        target=urls.relative_url("index.html", urls.home_path(site.config.settings.default_language)),
        site=site,
        strings=strings[site.config.settings.default_language],
    )
    add("index.html", _tidy(root_redirect).encode("utf-8"))
    for doc_type, schema in document_schemas().items():
        add(urls.schema_path(doc_type), schema_text(schema).encode("utf-8"))
    for directory in reversed(dirs):
        assets = directory / "assets"
        if assets.is_dir():
            for asset in sorted(p for p in assets.rglob("*") if p.is_file()):
                files[urls.asset_path(asset.relative_to(assets).as_posix())] = asset.read_bytes()
    return dict(sorted(files.items()))


def _swap(item_path: Callable[[str, Any], str], key: Any, lang: str) -> str:
    """`item_path(lang, key)` with the key bound first, for a taxonomy page's other languages."""
    return item_path(lang, key)


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _tidy(html: str) -> str:
    """Collapse the runs of blank lines that template logic leaves behind."""
    return _BLANK_LINES.sub("\n\n", html)


def _pages(site: Site, lang: str, t: Strings, renderer: MarkdownRenderer) -> Iterator[PageContext]:
    """Every page's context in one language."""

    def markdown(text: str | None) -> Markup:
        return renderer.render(text) if text else Markup("")

    base: dict[str, Any] = {"site": site, "lang": lang, "t": t, "markdown": markdown}
    home = Link(t("nav.home"), "")

    def crumbs(path: str, *trail: tuple[str, str]) -> list[Link]:
        links = [Link(home.label, urls.relative_url(path, urls.home_path(lang)))]
        links.extend(Link(label, urls.relative_url(path, target)) for label, target in trail)
        return links

    decisions = site.by_type.get("decision", [])
    yield HomeContext(
        **base,
        path=urls.home_path(lang),
        title=site.config.settings.name_in(lang),
        template="home.html",
        alternate_path=urls.home_path,
        latest_decisions=decisions[:10],
        strategies=site.by_type.get("strategy", []),
        counts=[(k, len(v)) for k, v in site.by_type.items()],
    )

    for doc_type, section in urls.SECTIONS.items():
        path = urls.section_path(lang, doc_type)
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

    for document in site.documents.values():
        yield _document_context(site, document, lang, base, crumbs)

    yield from _registry_pages(site, lang, t, base, crumbs)


def _document_context(
    site: Site, document: ContentDocument, lang: str, base: dict[str, Any], crumbs: Callable[..., list[Link]]
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
    )


def _registry_pages(
    site: Site, lang: str, t: Strings, base: dict[str, Any], crumbs: Callable[..., list[Link]]
) -> Iterator[PageContext]:
    registries = site.registries
    shown_municipalities = sorted(
        {m for m in site.by_municipality}
        | {m for e in registries.organisations.values() for m in [e.value.municipality] if m},
        key=lambda m: registries.municipalities[m].value.name,
    )
    path = urls.municipalities_path(lang)
    yield ListContext(
        **base,
        path=path,
        title=t("nav.municipalities"),
        template="list.html",
        breadcrumbs=crumbs(path),
        alternate_path=urls.municipalities_path,
        intro=t("municipalities.intro"),
        links=[
            Link(
                registries.municipalities[m].value.name_in(lang),
                urls.relative_url(path, urls.municipality_path(lang, m)),
            )
            for m in shown_municipalities
        ],
    )
    networks_of: dict[str, list[str]] = {}
    for org_id, entry in registries.organisations.items():
        for member in entry.value.members:
            if member.municipality:
                networks_of.setdefault(member.municipality, []).append(org_id)
    for municipality_id in sorted(registries.municipalities):
        path = urls.municipality_path(lang, municipality_id)
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
            documents_by_type=[(k, v) for k, v in grouped if v],
            bodies=site.bodies.get(municipality_id, []),
            networks=sorted(networks_of.get(municipality_id, [])),
        )

    independent = [o for o, e in sorted(registries.organisations.items()) if not e.value.municipality]
    path = urls.organisations_path(lang)
    yield ListContext(
        **base,
        path=path,
        title=t("nav.organisations"),
        template="list.html",
        breadcrumbs=crumbs(path),
        alternate_path=urls.organisations_path,
        intro=t("organisations.intro"),
        links=[
            Link(
                registries.organisations[o].value.name_in(lang),
                urls.relative_url(path, urls.organisation_path(lang, o)),
            )
            for o in independent
        ],
    )
    for organisation_id, entry in sorted(registries.organisations.items()):
        path = urls.organisation_path(lang, organisation_id)
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
            documents=site.by_organisation.get(organisation_id, []),
            body_of=entry.value.municipality,
        )

    path = urls.indicators_path(lang)
    yield ListContext(
        **base,
        path=path,
        title=t("nav.indicators"),
        template="list.html",
        breadcrumbs=crumbs(path),
        alternate_path=urls.indicators_path,
        intro=t("indicators.intro"),
        links=[
            Link(ref.indicator.name, urls.relative_url(path, urls.indicator_path(lang, i)), ref.strategy.model.lang)
            for i, ref in sorted(site.indicators.items())
        ],
    )
    for indicator_id, ref in sorted(site.indicators.items()):
        path = urls.indicator_path(lang, indicator_id)
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
        )

    yield from _taxonomy_pages(site, lang, t, base, crumbs)


def _taxonomy_pages(
    site: Site, lang: str, t: Strings, base: dict[str, Any], crumbs: Callable[..., list[Link]]
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
        path = list_path(lang)
        yield ListContext(
            **base,
            path=path,
            title=t(f"nav.{name}"),
            template="list.html",
            breadcrumbs=crumbs(path),
            alternate_path=list_path,
            intro=t(f"{name}.intro"),
            links=[
                Link(f"{label(key)} ({len(docs)})", urls.relative_url(path, item_path(lang, key)))
                for key, docs in index.items()
            ],
        )
        for key, documents in index.items():
            path = item_path(lang, key)
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
