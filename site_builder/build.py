"""The whole build, phase by phase: config → load → model → graph → render → write."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildCache
from .config import SiteConfig, load_config
from .diagnostics import BuildFailed, Diagnostics
from .document_checks import DocumentChecks, lint_document
from .graph import Site, build_site
from .history import last_changes
from .i18n import Strings
from .incremental import (
    KeptFiles,
    MergedFiles,
    OutputFolder,
    SiteState,
    dropped_files,
    files_of_no_page,
    load_state,
    merged_flags,
    merged_pages,
    plan,
    save_state,
    site_state,
)
from .lint import lint_personal_data
from .load import RawDocument, RawRegistry, SourceFile, load_registries, markdown_body, read_content, split_content
from .markdown import MarkdownRenderer
from .model import validate_document, validate_documents, validate_registries
from .models import REGISTRIES
from .output import PageFlags, paths, relocated
from .parallel import refuse_in_a_starting_process
from .schemas import made_ahead
from .series import load_series
from .write import OutputRefused, Written, digest, staging_folder, write_site

if TYPE_CHECKING:
    from .opendata.exports import OpenData, RecordItems
    from .theme import Theme


@dataclass
class BuildResult:
    site: Site
    files: Mapping[str, bytes]
    """Every output file by its path below the output folder."""
    state: SiteState
    """What was rendered from what, for the next build to render only what a change touches."""
    made: frozenset[str] | None = None
    """The files this build made; None if it made every one (the others are the last build's)."""
    loaded: Loaded | None = None
    """The site, theme and open data it was rendered from."""
    derived: Mapping[str, bytes] = field(default_factory=dict)
    """The feeds, sitemap, robots.txt and search index among `files`."""
    unowned: frozenset[str] | None = None
    """The files among `files` that belong to no page, if known (see Previous)."""
    spooled: Mapping[str, Written] = field(default_factory=dict)
    """The record of each file among `files` that was written to the spool folder (see write.py)."""


@dataclass
class Previous:
    """The last good build, for a rebuild to keep what a change does not touch."""

    state: SiteState
    files: Mapping[str, bytes]
    unowned: frozenset[str] | None = None
    """The files that belong to no page (open data, assets, feeds): every build makes them afresh. Worked
    out from `files` if not given."""
    written: Mapping[str, Written] = field(default_factory=dict)
    """The record of each of `files` as the output folder holds it, if known (see BuildCache.previous_output)."""

    def unchanged_file(self, path: str, content: bytes) -> Path | None:
        """The last build's file at `path` in its output folder, if `files` are that folder's and the file
        holds `content` (by its record in `written`); else None."""
        record = self.written.get(path)
        if not isinstance(self.files, OutputFolder) or record is None or record.size != len(content):
            return None
        return self.files.folder / path if record.digest == digest(content) else None

    def files_of_no_page(self) -> frozenset[str]:
        if self.unowned is None:
            self.unowned = files_of_no_page(paths(self.files), self.state.pages)
        return self.unowned


def load_site(config_path: Path, diagnostics: Diagnostics, checks: DocumentChecks | None = None) -> Site | None:
    """Read, validate and resolve everything; None if the content has errors.

    `checks` (kept by `serve` between rebuilds) checks again only the content files whose text changed.
    """
    sources = read_sources(config_path, diagnostics, checks)
    return checked_site(sources, diagnostics, checks) if sources is not None else None


@dataclass
class Sources:
    """The configuration, registries and content files as read and parsed, not yet checked."""

    config: SiteConfig
    registries: list[RawRegistry]
    documents: list[RawDocument]


@dataclass
class SourceFiles:
    """The configuration and registries as read and parsed, and the content files as read."""

    config: SiteConfig
    registries: list[RawRegistry]
    content: list[SourceFile]


def read_sources(config_path: Path, diagnostics: Diagnostics, checks: DocumentChecks | None = None) -> Sources | None:
    """The first half of `load_site`: every source read and parsed; None without a configuration."""
    files = read_files(config_path, diagnostics)
    return split_sources(files, diagnostics, checks) if files is not None else None


def read_files(config_path: Path, diagnostics: Diagnostics) -> SourceFiles | None:
    """The configuration and registries read and parsed, the content files read; None without a configuration."""
    config = load_config(config_path, diagnostics)
    if config is None:
        return None
    raw_registries = load_registries(config.data_dir, list(REGISTRIES), config.root, diagnostics)
    return SourceFiles(config, raw_registries, read_content(config.content_dir, config.root, diagnostics))


def split_sources(files: SourceFiles, diagnostics: Diagnostics, checks: DocumentChecks | None = None) -> Sources:
    """The content files split into front matter and body (by `checks`, if given, which keeps what it found)."""
    split = split_content if checks is None else checks.split
    return Sources(files.config, files.registries, split(files.content, diagnostics))


def checked_site(sources: Sources, diagnostics: Diagnostics, checks: DocumentChecks | None = None) -> Site | None:
    """The second half of `load_site`: the sources linted, validated and resolved into the site."""
    config, raw_registries, raw_documents = sources.config, sources.registries, sources.documents
    if checks is None:  # `checks` linted each file as it split it
        for raw in raw_documents:
            lint_document(raw, diagnostics)
    for registry in raw_registries:
        lint_personal_data(registry.source, [], diagnostics)
    registries = validate_registries(raw_registries, diagnostics)
    documents = validate_documents(raw_documents, diagnostics, checks.validate if checks else validate_document)
    series = load_series(config.data_dir, config.root, diagnostics)
    history = last_changes(config.root, [config.content_dir, config.data_dir])
    identifiers = _identifiers(raw_documents, raw_registries)
    site = build_site(config, registries, documents, diagnostics, history, identifiers, series)
    return None if diagnostics.has_errors() else site


Progress = Callable[[str], None]
"""Told the name of each phase as it starts, for a progress line."""


def _quiet(phase: str) -> None:
    return None


def compile_site(
    config_path: Path,
    diagnostics: Diagnostics,
    progress: Progress = _quiet,
    search: bool = True,
    jobs: int = 1,
    markdown: MarkdownRenderer | None = None,
    previous: Previous | None = None,
    checks: DocumentChecks | None = None,
    spool: Path | None = None,
    record_items: RecordItems | None = None,
) -> BuildResult | None:
    """Everything a build makes, in memory, with the whole-site checks; None if anything failed.

    `search=False` skips the search index, which checks nothing about the content. `jobs` processes
    render the pages; the output is the same for any number. `markdown` may hold Markdown converted
    by an earlier build (see cache.py). With the `previous` build, only the pages a change touches are
    rendered (incremental.py) and only their links checked; the files are the same as a clean build's.
    `checks` keeps each content file's checks for the next rebuild (document_checks.py). With a `spool`
    folder, pages are written there as they are rendered and the result holds them as files (render.py);
    the open data too. `record_items` keeps each document's open-data record for the next rebuild.
    """
    from .opendata.exports import derive_open_data
    from .theme import load_theme

    progress("reading and checking the content")
    # Other cores make the schemas the site publishes, and convert the content's Markdown (cut from the
    # files as read, by text), while this one parses and checks the content and derives the open data,
    # alone otherwise; the pages' workers convert what is left.
    with made_ahead(jobs):
        files = read_files(config_path, diagnostics)
        if files is None:
            return None
        markdown = markdown if markdown is not None else MarkdownRenderer()
        bodies = (markdown_body(source.text) or "" for source in files.content)
        with markdown.ahead(bodies, jobs):
            sources = split_sources(files, diagnostics, checks)
            site = checked_site(sources, diagnostics, checks)
            theme = load_theme(site, diagnostics) if site is not None else None
            if site is None or theme is None:
                return None
            progress("deriving the open data")
            unchanged = previous.unchanged_file if previous is not None else None
            open_data = derive_open_data(
                site, theme.strings, diagnostics, spool=spool, items=record_items, unchanged=unchanged
            )
            if diagnostics.has_errors():
                return None
            state = site_state(site, theme.dirs)
    return render_checked(
        Loaded(site, theme, open_data), state, diagnostics, progress, search, jobs, markdown, previous, spool=spool
    )


@dataclass
class Loaded:
    """The site as read and derived before rendering: what `serve` keeps to apply an edit of bodies alone."""

    site: Site
    theme: Theme
    open_data: OpenData


def render_checked(
    loaded: Loaded,
    state: SiteState,
    diagnostics: Diagnostics,
    progress: Progress = _quiet,
    search: bool = True,
    jobs: int = 1,
    markdown: MarkdownRenderer | None = None,
    previous: Previous | None = None,
    derived: Mapping[str, bytes] | None = None,
    spool: Path | None = None,
) -> BuildResult | None:
    """The pages `state` needs rendered (all, or with `previous` only the stale ones), the feeds, sitemap
    and search index, and the link check; None if anything failed. `derived`: the feeds and sitemap of
    the last build, when the rebuild cannot change them (see bodies.py)."""
    from .links import check_links
    from .render import render_site

    site, theme = loaded.site, loaded.theme
    planned = plan(previous.state, state) if previous is not None else None
    if planned is None:
        progress(f"rendering {len(site.documents)} documents in {len(site.config.settings.languages)} languages")
    else:
        progress(f"rendering the pages of {len(planned.documents)} changed or related documents"
                 + (" and every listing" if planned.listings else ""))  # fmt: skip
    dropped: frozenset[str] = frozenset()
    kept: Container[str] = frozenset()
    keys: dict[str, str] = {}
    if previous is not None and planned is not None:
        dropped = dropped_files(previous.state, planned, previous.files, previous.files_of_no_page())
        kept = KeptFiles(previous.files, dropped)
        keys = {path: record.key for path, record in previous.state.pages.items() if record.key and path not in dropped}
    rendered = render_site(site, theme, loaded.open_data, diagnostics, jobs, markdown, planned, kept, keys, spool)
    if diagnostics.has_errors():
        return None
    pages: Mapping[str, bytes] = rendered.files
    state.pages = rendered.pages
    state.flags = {path: facts.flags for path, facts in rendered.facts.items()}
    written: Mapping[str, Written] = rendered.spooled
    if previous is not None and planned is not None:
        pages = MergedFiles(previous.files, dropped, rendered.files)
        state.pages = merged_pages(previous.state, dropped, rendered.pages)
        state.flags = merged_flags(previous.state, dropped, state.flags)
        if search:  # for the index, a kept file's record is the last build's
            written = {**previous.written, **rendered.spooled}
    remade = derived is None or search
    # The sitemap needs every page's source; the link check only the new pages'.
    page_sources = {
        path: (site.documents[record.document].source_path, site.documents[record.document].source_text)
        for path, record in (state.pages if remade else rendered.pages).items()
        if record.document is not None
    }
    progress("making the feeds, the sitemap and the search index")
    if remade:
        derived = _derived_files(
            site, theme.strings, pages, page_sources, state.flags, written, diagnostics, search, jobs
        )
    if derived is None:
        return None
    files: Mapping[str, bytes]
    made: frozenset[str] | None = None
    unowned: frozenset[str] | None = None
    if isinstance(pages, MergedFiles):
        files = MergedFiles(pages.previous, pages.dropped, rendered.files.with_files(derived))
        made = frozenset(paths(files.made))
        unowned = files_of_no_page(made, rendered.pages)  # each is made afresh, so among `made`
    else:
        files = rendered.files.with_files(derived)
    progress("checking every link")
    links = {path: page.links for path, page in rendered.facts.items()}
    check_links(files, page_sources, diagnostics, site.config.settings.base_url, made, links)
    if diagnostics.has_errors():
        return None
    return BuildResult(
        site=site, files=files, state=state, made=made, loaded=loaded, derived=derived, unowned=unowned,
        spooled=rendered.spooled,
    )  # fmt: skip


def _derived_files(
    site: Site,
    strings: dict[str, Strings],
    files: Mapping[str, bytes],
    page_sources: Mapping[str, tuple[str, str]],
    flags: Mapping[str, PageFlags],
    written: Mapping[str, Written],
    diagnostics: Diagnostics,
    search: bool,
    jobs: int,
) -> dict[str, bytes] | None:
    """The Atom feeds, sitemap.xml, robots.txt and (if asked) the Pagefind index of the rendered files.
    The pages in `flags` (and, for the index, whose records are `written`) are not read."""
    from .feeds import feed_files
    from .search import search_index
    from .search_cache import SEARCH_CACHE, StoredBundles
    from .sitemap import site_map_files

    derived = {**feed_files(site, strings), **site_map_files(site, files, page_sources, flags)}
    if search:
        stored = StoredBundles(site.config.root / SEARCH_CACHE)
        derived.update(search_index(files, diagnostics, jobs, stored, flags, written))
    for path in sorted(set(derived) & set(files)):
        diagnostics.error(path, 1, 1, f"two files would be written to {path}", "rename the document or folder")
    return None if diagnostics.has_errors() else derived


_REGISTRY_KINDS = {"municipalities": "municipality", "organisations": "organisation", "parties": "party",
                   "topics": "topic", "conventions": "convention"}  # fmt: skip


def _identifiers(raw_documents: list[RawDocument], raw_registries: list[RawRegistry]) -> dict[str, set[str]]:
    """Every identifier the sources declare, valid or not, by kind of reference target."""
    found: dict[str, set[str]] = {"document": set()}
    for raw in raw_documents:
        found["document"].add(raw.stem)
        found.setdefault(str(raw.front_matter.data.get("type")), set()).add(raw.stem)
    for registry in raw_registries:
        kind = _REGISTRY_KINDS.get(registry.name)
        if kind is not None:
            found[kind] = {str(e["id"]) for e in registry.document.data if isinstance(e, dict) and "id" in e}
    return found


def check(config_path: Path) -> Diagnostics:
    """Validate everything, render in memory and check every link; write nothing."""
    diagnostics = Diagnostics()
    compile_site(config_path, diagnostics, search=False)
    return diagnostics


def build(
    config_path: Path,
    out_dir: Path | None = None,
    progress: Progress = _quiet,
    jobs: int = 1,
    cache: BuildCache | None = None,
    search: bool = True,
) -> BuildResult:
    """Build the site; write it to `out_dir` when given. Raises BuildFailed on content errors.

    With a `cache`, Markdown converted by the last build is reused, only changed files are written,
    and what this build made is recorded for the next; the bytes written are the same. `search=False`
    leaves out the search index (for benchmarks of page rendering).
    """
    refuse_in_a_starting_process()
    diagnostics = Diagnostics()
    markdown = MarkdownRenderer(cache.markdown) if cache is not None else None
    previous_output = cache.previous_output(out_dir) if cache is not None and out_dir is not None else None
    previous = None
    if cache is not None and out_dir is not None and previous_output is not None:
        state = load_state(cache.folder)
        previous = (
            None if state is None else Previous(state, OutputFolder(out_dir, previous_output), written=previous_output)
        )
    # Pages go straight into the folder that will replace the output, not into memory (see write.py).
    spool = staging_folder(out_dir) if out_dir is not None else None
    markdown_stored: Callable[[], None] = _nothing
    try:
        if spool is not None:
            _make_spool(spool)
        result = compile_site(config_path, diagnostics, progress, search, jobs, markdown, previous, spool=spool)
        if result is None:
            raise BuildFailed(diagnostics.sorted())
        if cache is not None and markdown is not None:
            markdown_stored = cache.save_markdown(markdown.converted())
        written: dict[str, Written] = {}
        if out_dir is not None:
            made = len(result.files) if result.made is None else len(result.made)
            progress(f"writing {made} of {len(result.files)} files")
            if cache is not None:
                cache.forget_output()
                save_state(cache.folder, None)
            protected = _protected_paths(result.site.config)
            written = write_site(result.files, out_dir, protected, previous_output, result.made, spool, result.spooled)
            if cache is not None:
                save_state(cache.folder, result.state)
            if spool is not None:
                result.files = relocated(result.files, spool, out_dir.resolve())
        if cache is not None:
            cache.save(out_dir, written)
    finally:
        # Only now: the Markdown is stored while the site is written and the build recorded. (Its file is
        # replaced whole, and holds no more than HTML by text: a record of this build does not depend on it.)
        markdown_stored()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return result


def _nothing() -> None:
    return None


def _make_spool(spool: Path) -> None:
    shutil.rmtree(spool, ignore_errors=True)
    try:
        spool.mkdir(parents=True)
    except OSError as exc:
        raise OutputRefused(f"cannot write the site: {exc}") from exc


def _protected_paths(config: SiteConfig) -> list[Path]:
    """Folders the output may never replace: the project and every folder of sources."""
    folders = [config.root, config.content_dir, config.data_dir, config.files_dir, config.root / "themes"]
    folders.append(config.root / "site_builder")
    if config.theme_dir is not None:
        folders.append(config.theme_dir)
    return folders
