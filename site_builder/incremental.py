"""What an edit touches: which pages a change makes stale, so a rebuild renders only those.

A page shows its own document in full, and other documents only through their front matter (titles,
dates, references, counts); a document's Markdown body appears on its own page alone (and in the open
data and the search index, which every build makes afresh). So:

- an edit of a document's body makes only that document's pages stale;
- an edit of its front matter, or adding or removing a document, makes stale its pages, the pages of the
  documents related to it before and after the edit (see `related`), and every listing: each page that
  is not one document's own (home, sections, municipalities, organisations, topics, indicators, data);
- anything else (settings, registries, measured series, the theme, git history, site_builder itself)
  makes every page stale.

Tests build a project, edit it in each of these ways and compare the incremental output with a clean
build's, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .graph import Site
from .model import ContentDocument
from .output import InFolder, PageFlags, Stored, page_flags, paths, relocated, stored_items

CODE = Path(__file__).parent
THEME_PARTS = ("templates", "strings", "assets", "fonts")
"""What a build reads of a theme (its vendor/ folder holds the npm packages assets/ is copied from)."""


@dataclass(frozen=True)
class DocumentState:
    """What a rebuild compares of one document."""

    front: str
    """A hash of its validated front matter and where it lives."""
    body: str
    """A hash of its Markdown body."""
    related: frozenset[str]
    """The documents whose pages show something of this one, or whose front matter its pages show."""


@dataclass(frozen=True)
class PageRecord:
    """One rendered page: the document it shows (None for a listing) and the files made with it."""

    document: str | None
    files: tuple[str, ...] = ()
    """Its charts' downloads and embed pages."""
    key: str = ""
    """For a page rendered on every build (the data pages): a hash of what it shows, so an equal one is kept."""


@dataclass
class SiteState:
    """What the last build rendered from what, to plan the next."""

    key: str
    """A hash of every input except the documents."""
    documents: dict[str, DocumentState]
    pages: dict[str, PageRecord] = field(default_factory=dict)
    flags: dict[str, PageFlags] = field(default_factory=dict)
    """Each HTML file rendered, pages and the embed pages among their files, with what the sitemap and the
    search index need of it: a rebuild reads none of the pages it keeps (at 10,000 documents, about 100,000)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "documents": {k: [d.front, d.body, sorted(d.related)] for k, d in self.documents.items()},
            "pages": {k: [p.document, list(p.files), p.key] for k, p in self.pages.items()},
            "flags": {k: [f.indexed, f.searchable] for k, f in self.flags.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> SiteState | None:
        """The state stored by `to_json`, or None if it is not one."""
        try:
            documents = {
                str(k): DocumentState(str(v[0]), str(v[1]), frozenset(map(str, v[2])))
                for k, v in data["documents"].items()
            }
            pages = {
                str(k): PageRecord(None if v[0] is None else str(v[0]), tuple(map(str, v[1])), str(v[2]))
                for k, v in data["pages"].items()
            }
            flags = {str(k): page_flags(v[0], v[1]) for k, v in data["flags"].items()}
            return cls(str(data["key"]), documents, pages, flags)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None


@dataclass(frozen=True)
class Plan:
    """The pages a rebuild renders; every other page stays as the last build made it."""

    documents: frozenset[str]
    """Documents whose own pages are rendered again."""
    listings: bool
    """Whether every listing is rendered again."""
    removed: frozenset[str]
    """Documents that are gone, whose pages go too."""


def _hash(*parts: str | bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _dump(value: Any) -> str:
    if hasattr(value, "model_dump_json"):
        return str(value.model_dump_json())
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _files_hash(folders: Iterable[Path], pattern: str = "*") -> str:
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(folder.parent).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_key(site: Site, theme_dirs: Iterable[Path]) -> str:
    """A hash of everything a page may show that is not a document: settings, registries, series, history,
    files, the theme and site_builder's own code."""
    registries = {
        name: {str(k): _dump(e.value) for k, e in entries.items()} for name, entries in vars(site.registries).items()
    }
    return _hash(
        _dump(site.config.settings),
        json.dumps(registries, sort_keys=True),
        _dump({k: [_dump(p) for p in v] for k, v in sorted(site.series.items())}),
        json.dumps({k: str(v) for k, v in sorted(site.last_changed.items())}),
        json.dumps(sorted(site.files)),
        _files_hash(folder / part for folder in theme_dirs for part in THEME_PARTS),
        _files_hash([CODE], "*.py"),
    )


def related_documents(site: Site) -> dict[str, set[str]]:
    """For each document, the others whose pages show part of it or whose front matter its pages show:
    references both ways, decisions of the same case, relations of the same municipality (they share a chart)."""
    related: dict[str, set[str]] = {doc_id: set() for doc_id in site.documents}
    for target, links in site.backlinks.items():
        for link in links:
            if target in related and link.source in related:
                related[target].add(link.source)
                related[link.source].add(target)
    groups: dict[tuple[str, ...], list[str]] = {}
    for document in site.documents.values():
        municipality = document.municipality or ""
        if document.type == "decision":
            case = str(getattr(document.model, "case", "") or "")
            if case:
                groups.setdefault(("case", municipality, case), []).append(document.id)
        elif document.type == "relations":
            groups.setdefault(("relations", municipality), []).append(document.id)
    for members in groups.values():
        for member in members:
            related[member].update(other for other in members if other != member)
    return related


def document_hashes(document: ContentDocument) -> tuple[str, str]:
    """(front matter, body) hashes of one document."""
    front = _hash(_dump(document.model), document.source_path, document.type)
    return front, _hash(document.body)


def site_state(site: Site, theme_dirs: Iterable[Path]) -> SiteState:
    """The state of `site` before rendering (its pages are added as they are rendered)."""
    related = related_documents(site)
    documents = {
        doc_id: DocumentState(*document_hashes(document), frozenset(related[doc_id]))
        for doc_id, document in site.documents.items()
    }
    return SiteState(inputs_key(site, theme_dirs), documents)


def plan(old: SiteState | None, new: SiteState) -> Plan | None:
    """The pages to render again to go from `old`'s build to `new`'s; None if every page must be."""
    if old is None or old.key != new.key or not old.pages:
        return None
    removed = frozenset(set(old.documents) - set(new.documents))
    documents: set[str] = set()
    listings = bool(removed)
    for doc_id, state in new.documents.items():
        before = old.documents.get(doc_id)
        if before is None or before.front != state.front:
            listings = True
            documents.add(doc_id)
            documents.update(state.related)
            if before is not None:
                documents.update(before.related)
        elif before.body != state.body:
            documents.add(doc_id)
    for doc_id in removed:
        documents.update(old.documents[doc_id].related)
    return Plan(frozenset(documents & set(new.documents)), listings, removed)


def stale_files(old: SiteState, plan: Plan) -> set[str]:
    """Pages of the last build that the rebuild replaces or removes, with their chart files: the pages it
    renders again and the pages of removed documents."""
    stale: set[str] = set()
    for path, record in old.pages.items():
        document = record.document
        if (document is None and plan.listings) or document in plan.documents or document in plan.removed:
            stale.add(path)
            stale.update(record.files)
    return stale


def page_owned(pages: Mapping[str, PageRecord]) -> set[str]:
    """Every file that belongs to one of `pages` (the page and its chart files)."""
    owned = set(pages)
    for record in pages.values():
        owned.update(record.files)
    return owned


def files_of_no_page(paths: Iterable[str], pages: Mapping[str, PageRecord]) -> frozenset[str]:
    """The files among `paths` that belong to none of `pages` (open data, assets, feeds): every build
    makes them afresh."""
    return frozenset(paths).difference(page_owned(pages))


def dropped_files(
    old: SiteState, plan: Plan, previous: Mapping[str, bytes], unowned: Collection[str]
) -> frozenset[str]:
    """The files of the last build (`previous`) that a rebuild does not keep: the stale ones (see
    `stale_files`) and those that belong to no page (`unowned`), which every build makes afresh. Found
    from the pages a change touches, not from every file: an edit in `serve` keeps hundreds of thousands."""
    return frozenset(path for group in (stale_files(old, plan), unowned) for path in group if path in previous)


class KeptFiles(Container[str]):
    """The files of the last build that a rebuild keeps as they are."""

    def __init__(self, previous: Mapping[str, bytes], dropped: frozenset[str]) -> None:
        self.previous = previous
        self.dropped = dropped

    def __contains__(self, path: object) -> bool:
        return path not in self.dropped and path in self.previous


class MergedFiles(Mapping[str, bytes]):
    """The last build's files that a rebuild keeps (all but the `dropped`), read only when asked for, and
    the files it made.

    Nothing here goes through every path unless the files are listed: on a large site an edit in `serve`
    keeps hundreds of thousands of files, and must reach the browser within a second."""

    def __init__(self, previous: Mapping[str, bytes], dropped: frozenset[str], made: Mapping[str, bytes]) -> None:
        self.previous = previous
        self.dropped = dropped
        """A subset of `previous`."""
        self.kept = KeptFiles(previous, dropped)
        self.made = made
        self._paths: frozenset[str] | None = None
        self._order: list[str] | None = None
        """Path order, sorted when first listed (a rebuild in `serve` looks files up and never lists them)."""
        self._length: int | None = None

    def __getitem__(self, path: str) -> bytes:
        if path in self.made:
            return self.made[path]
        if path in self.kept:
            return self.previous[path]
        raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        return path in self.made or path in self.kept

    def __iter__(self) -> Iterator[str]:
        if self._order is None:
            self._order = sorted(self.paths())
        return iter(self._order)

    def __len__(self) -> int:
        if self._length is None:
            new = sum(1 for path in paths(self.made) if path in self.dropped or path not in self.previous)
            self._length = len(self.previous) - len(self.dropped) + new
        return self._length

    def paths(self) -> frozenset[str]:
        if self._paths is None:
            self._paths = frozenset(paths(self.previous)).difference(self.dropped).union(paths(self.made))
        return self._paths

    def moved(self, source: Path, target: Path) -> MergedFiles:
        """The same files after the folder `source` was renamed `target` (see output.relocated)."""
        return MergedFiles(self.previous, self.dropped, relocated(self.made, source, target))

    def stored(self, path: str) -> bytes | Path:
        """The file's bytes, or the file on disk that holds them (see output.OutputFiles)."""
        source = self.made if path in self.made else self.previous
        stored = getattr(source, "stored", None)
        return stored(path) if stored is not None else source[path]

    def stored_items(self) -> dict[str, Stored]:
        """Each file's stored value (see output.OutputFiles), in a new dict."""
        items = stored_items(self.previous)
        for path in self.dropped:
            del items[path]
        items.update(stored_items(self.made))
        return items


def merged_flags(old: SiteState, dropped: Collection[str], made: Mapping[str, PageFlags]) -> dict[str, PageFlags]:
    """The flags of every HTML file after a rebuild: the last build's of the files it kept, and the new ones'."""
    return _merged(old.flags, dropped, made)


def merged_pages(old: SiteState, dropped: Collection[str], made: Mapping[str, PageRecord]) -> dict[str, PageRecord]:
    """The page records after a rebuild, in path order: the last build's that it kept, and the ones it rendered."""
    pages = _merged(old.pages, dropped, made)
    return dict(sorted(pages.items())) if made.keys() - old.pages.keys() else pages  # only new pages need a sort


_V = TypeVar("_V")


def _merged(old: Mapping[str, _V], dropped: Collection[str], made: Mapping[str, _V]) -> dict[str, _V]:
    """The last build's values by page, without the `dropped` pages (every page of the last build is among
    its files, so all the others are kept), and the new ones in their place. A copy with a few changes,
    not a new dict of tens of thousands of pages looked up one by one: an edit in `serve` must reach the
    browser within a second."""
    merged = dict(old)
    for path in dropped:
        if path not in made:
            merged.pop(path, None)
    merged.update(made)
    return merged


class OutputFolder(Mapping[str, bytes]):
    """The files of the last build's output folder, read when asked for."""

    def __init__(self, folder: Path, paths: Iterable[str]) -> None:
        self.folder = folder
        self._paths = frozenset(paths)

    def __getitem__(self, path: str) -> bytes:
        if path not in self._paths:
            raise KeyError(path)
        return (self.folder / path).read_bytes()

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)

    def paths(self) -> frozenset[str]:
        return self._paths

    def stored(self, path: str) -> Path:
        """The file on disk that holds the bytes of `path` (see output.OutputFiles)."""
        if path not in self._paths:
            raise KeyError(path)
        return self.folder / path

    def stored_items(self) -> dict[str, Stored]:
        """Each file as the file of its path in the folder, nothing read (see output.stored_items)."""
        return dict.fromkeys(self._paths, InFolder(self.folder))

    def folders(self) -> set[Path]:
        """The folder the files are read from (see output.OutputFiles.folders)."""
        return {self.folder}


STATE_FILE = "render.json"
"""In the build cache's folder: the last build's `SiteState`."""


def load_state(cache_folder: Path) -> SiteState | None:
    try:
        return SiteState.from_json(json.loads((cache_folder / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def save_state(cache_folder: Path, state: SiteState | None) -> None:
    """Store `state` (or forget the last one); a cache that cannot be written only costs time."""
    path = cache_folder / STATE_FILE
    try:
        if state is None:
            path.unlink(missing_ok=True)
            return
        cache_folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state.to_json(), sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        return
