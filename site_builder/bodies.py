"""An edit of documents' Markdown bodies alone, applied to the last build without reading the rest of the site.

Only a document's own pages and its records in the open data show its body (see incremental.py); the
graph, the listings, the feeds and the sitemap are made of front matter, registries and history. So when
every file a save changed is a content document whose front matter is as before, `serve` puts the new
bodies into the site it holds, derives the open data again (only the changed documents' records are
encoded again) and renders those documents' pages: no other file is read and no graph is built, which
keeps an edit fast on a site of any size. Anything else (a new, moved or deleted file, front matter,
registries, settings, the theme, or any problem in a changed file) is left to a whole rebuild, which also
reports the problems exactly as a clean build would.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .build import BuildResult, Loaded, Previous, render_checked
from .diagnostics import Diagnostics
from .document_checks import DocumentChecks, lint_document
from .incremental import SiteState, document_hashes
from .load import read_text, shown_path, split_front_matter
from .markdown import MarkdownRenderer
from .model import ContentDocument, validate_document

if TYPE_CHECKING:
    from .opendata.exports import RecordItems


def body_edits(last: BuildResult, changed: Collection[Path]) -> list[tuple[ContentDocument, ContentDocument]] | None:
    """(document in `last`, the same document as its file now reads) for each changed file, if every one is
    a document of `last` whose front matter is unchanged and which has no problem; else None."""
    if last.loaded is None or not changed:
        return None
    config = last.loaded.site.config
    by_source = {document.source_path: document for document in last.loaded.site.documents.values()}
    edits = []
    for path in changed:
        shown = shown_path(path, config.root)
        document = by_source.get(shown)
        if document is None or not path.is_file() or not path.is_relative_to(config.content_dir):
            return None
        found = Diagnostics()
        source = read_text(path, config.root, found, confine=True)
        raw = split_front_matter(source, found) if source is not None else None
        if raw is not None:
            lint_document(raw, found)
        edited = validate_document(raw, found) if raw is not None and not found.items else None
        if edited is None or found.items or edited.id != document.id:
            return None
        before = last.state.documents.get(document.id)
        if before is None or document_hashes(edited)[0] != before.front:
            return None
        edits.append((document, edited))
    return edits


def rebuild_bodies(
    last: BuildResult,
    previous: Previous,
    changed: Collection[Path],
    diagnostics: Diagnostics,
    jobs: int = 1,
    markdown: MarkdownRenderer | None = None,
    checks: DocumentChecks | None = None,
    spool: Path | None = None,
    record_items: RecordItems | None = None,
) -> BuildResult | None:
    """The rebuild after an edit of `changed` files' bodies alone (see the module's text); None if the edit
    is not one, or if rendering it found a problem: then a whole rebuild must be made (and report it).
    `checks` forgets the changed files: they hold documents that this rebuild changed in place. Pages are
    written into `spool`, if given (see render.py), and so is the open data, whose records are
    `record_items` (see compile_site)."""
    from .opendata.exports import derive_open_data

    edits = body_edits(last, changed)
    if edits is None or last.loaded is None:
        return None
    site, theme = last.loaded.site, last.loaded.theme
    documents = dict(last.state.documents)
    undo = []
    # The graph holds each document in many places (by type, by municipality, backlinks): the new body is
    # put into the one object they all share.
    for document, edited in edits:
        undo.append((document, document.body, document.body_line, document.source_text))
        document.body, document.body_line, document.source_text = edited.body, edited.body_line, edited.source_text
        documents[document.id] = replace(documents[document.id], body=document_hashes(document)[1])
    found = Diagnostics()
    open_data = derive_open_data(site, theme.strings, found, last.loaded.open_data, spool, record_items)
    state = SiteState(last.state.key, documents)
    result = None
    if not found.has_errors():
        result = render_checked(
            Loaded(site, theme, open_data), state, found, search=False, jobs=jobs, markdown=markdown,
            previous=previous, derived=last.derived, spool=spool,
        )  # fmt: skip
    if result is None:
        for document, body, body_line, source_text in undo:
            document.body, document.body_line, document.source_text = body, body_line, source_text
        return None
    if checks is not None:
        for document, _ in edits:
            checks.forget(document.source_path)
    diagnostics.items.extend(found.items)
    return result
