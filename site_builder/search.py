"""Full-text search without a server: what each page tells Pagefind, and the Pagefind index itself.

Pages that describe one thing (a document, municipality, organisation,
indicator or dataset) mark their <main> with data-pagefind-body and carry
filters (municipality, type, year) as <meta data-pagefind-filter> tags. Lists
and the home page are left out: they only repeat the summaries of the pages
they link to. Pagefind splits the index by each page's <html lang>, so every
UI language has its own index and stemming.

The index is made by the Pagefind binary that the `pagefind_bin` package
ships, run on copies of the rendered pages (see `_bundle`); nothing is
fetched. A part whose pages have not changed since the last build is taken
from that build's bundle (search_cache.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from . import urls
from .diagnostics import Diagnostic, Diagnostics
from .graph import IndicatorRef, Site, document_year
from .i18n import Strings
from .model import ContentDocument
from .output import OutputFiles, PageFlags, read
from .pagefind_bundle import UnknownFormat, stable_bundle
from .search_cache import Bundle, BundleStore, StoredBundles
from .write import Written, digest

FILTERS = ("municipality", "type", "year")
"""The filters every index has, in the order the search page shows them."""

Filters = list[tuple[str, str]]

_MARKER = b"data-pagefind-body"
_INLINE_SVG = re.compile(rb"<svg\b.*?</svg>", re.DOTALL)
_ENTRY = "pagefind-entry.json"
# Pagefind's ready-made interfaces inject their own styles; the search page uses pagefind.js with its own
# markup instead, so these are not published.
UNPUBLISHED = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-highlight.js",
    }
)
# A merged bundle is searched with the first bundle's script and WebAssembly; its own are never loaded.
_PRIMARY_ONLY = re.compile(r"^(pagefind\.js|pagefind-worker\.js|wasm\.[^/]+\.pagefind)$")
TIMEOUT_SECONDS = 300
PAGES_PER_PART = 2_000
"""The most pages one Pagefind run indexes (its memory at 2,000 pages is about 0.3 GB)."""
PAGES_INDEXED_AT_ONCE = 3_000
"""The most pages of the runs side by side (about 0.5 GB): the two parts of a site a little over
PAGES_PER_PART pages, not two full parts of a large site, where `serve` has the least memory to spare."""
MEMORY_FOLDER = Path("/dev/shm")
"""Linux's folder in memory (tmpfs), where Pagefind reads the copies of each part's pages and writes its
bundle (see `_bundle`): thousands of small files, which take a disk's journal about a second per 1,000
(the 3,300 copies of a part at 2,000 documents: 3.9 s on disk, 0.12 s in memory), read and removed at once."""
PARTS_FILE = "parts.json"
"""Lists, by language, the folders (under pagefind/) of the bundles that the search page merges in."""


def _municipality_names(site: Site, t: Strings, identifiers: Iterable[str | None]) -> Filters:
    names = {site.registries.municipalities[m].value.name_in(t.lang) for m in identifiers if m}
    return [("municipality", name) for name in sorted(names, key=str.casefold)]


def document_filters(site: Site, t: Strings, document: ContentDocument) -> Filters:
    """A document's municipality (or an agreement's parties), content type and year."""
    found = _municipality_names(site, t, [document.municipality, *document.parties])
    found.append(("type", t(f"type.{document.type}")))
    year = document_year(document)
    if year is not None:
        found.append(("year", str(year)))
    return found


def municipality_filters(site: Site, t: Strings, municipality_id: str) -> Filters:
    return [*_municipality_names(site, t, [municipality_id]), ("type", t("type.municipality"))]


def organisation_filters(site: Site, t: Strings, organisation_id: str) -> Filters:
    organisation = site.registries.organisations[organisation_id].value
    return [*_municipality_names(site, t, [organisation.municipality]), ("type", t("type.organisation"))]


def indicator_filters(site: Site, t: Strings, ref: IndicatorRef) -> Filters:
    return [
        *_municipality_names(site, t, [ref.strategy.municipality]),
        ("type", t("type.indicator")),
    ]


def filter_options(site: Site, t: Strings) -> dict[str, list[str]]:
    """Every value each filter takes in one language's index, in the order the search form lists them."""
    found: Filters = []
    for document in site.documents.values():
        found.extend(document_filters(site, t, document))
    for municipality_id in site.registries.municipalities:
        found.extend(municipality_filters(site, t, municipality_id))
    for organisation_id in site.registries.organisations:
        found.extend(organisation_filters(site, t, organisation_id))
    for ref in site.indicators.values():
        found.extend(indicator_filters(site, t, ref))
    type_order = [t(f"type.{k}") for k in [*urls.SECTIONS, "municipality", "organisation", "indicator"]]
    values = {name: {v for n, v in found if n == name} for name in FILTERS}
    return {
        "municipality": sorted(values["municipality"], key=str.casefold),
        "type": [label for label in type_order if label in values["type"]],
        "year": sorted(values["year"], reverse=True),
    }


def searchable(html: bytes) -> bool:
    """Whether a page asks to be in the search index (its <main> has data-pagefind-body)."""
    return _MARKER in html


def pagefind_executable() -> Path | None:
    """The Pagefind binary shipped by the pagefind_bin package (a dependency), if installed."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(get_executable())
    return path if path.is_file() else None


def search_index(
    files: Mapping[str, bytes],
    diagnostics: Diagnostics,
    jobs: int = 1,
    stored: BundleStore | None = None,
    flags: Mapping[str, PageFlags] | None = None,
    written: Mapping[str, Written] | None = None,
) -> OutputFiles:
    """Pagefind's index of the pages that ask for it, as output files under pagefind/.

    Pagefind's memory grows with the pages of a run (about 0.16 GB per 1,000 pages, and faster on
    large runs: about 3 GB for one language of a site of 10,000 documents), so it runs on parts of about
    PAGES_PER_PART pages of one language folder. The first part of each language makes the bundle the
    search page loads; the others are bundles of their own under pagefind/part-N/, which the search page
    merges in (Pagefind's mergeIndex), as PARTS_FILE lists them by language. Up to `jobs` parts are
    indexed side by side while their pages together are at most PAGES_INDEXED_AT_ONCE (see `_Slots`).
    A part whose pages are those of a bundle in `stored` (an earlier build's) is not indexed again. The
    files are those `stored` gives: bytes, or (from SpooledBundles) files on disk.

    A page in `flags` (see output.PageFlags) that is not searchable is not read; one that is and whose
    file's record is in `written` is known by the record's digest, and read only if its part is indexed.
    """
    executable = pagefind_executable()
    if executable is None:
        diagnostics.error(
            "pyproject.toml", 1, 1, "cannot make the search index: the Pagefind binary is not installed",
            "install the project's dependencies: pip install -e .",
        )  # fmt: skip
        return OutputFiles()
    stored = stored if stored is not None else StoredBundles(None)
    primary: Bundle = {}
    languages: dict[str, object] = {}
    entry: dict[str, Any] = {}
    parts: list[Bundle] = []
    runs = _runs(files, _identity(executable), flags or {}, written or {})
    found = [stored.get(run.key) for run in runs]
    todo = [run for run, bundle in zip(runs, found, strict=True) if bundle is None]
    indexed = _bundles(executable, files, todo, jobs, diagnostics, stored)
    if indexed is None:
        return OutputFiles()
    fresh = iter(indexed)
    made = [bundle if bundle is not None else next(fresh) for bundle in found]
    del found, indexed
    folder_languages: set[str] = set()
    for run, bundle in zip(runs, made, strict=True):
        top, number = run.top, run.number
        part_languages = set(json.loads(read(bundle[_ENTRY])).get("languages", {}))
        clash = part_languages & set(languages) if number == 0 else part_languages - folder_languages
        if clash:
            diagnostics.error(top or "index.html", 1, 1, f"pages of language {min(clash)} outside its folder")
            return OutputFiles()
        if number == 0:
            folder_languages = part_languages
            entry = json.loads(read(bundle.pop(_ENTRY)))
            languages.update(entry.get("languages", {}))
            primary.update(bundle)
        else:
            parts.append({k: v for k, v in bundle.items() if not _PRIMARY_ONLY.match(k)})
    del made
    stored.keep_only_used()
    if not primary:
        return OutputFiles()
    entry["languages"] = dict(sorted(languages.items()))
    primary[_ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    bundles = {"": dict(sorted(primary.items())), **{f"part-{n}/": part for n, part in enumerate(parts, start=1)}}
    listed: dict[str, list[str]] = {}
    produced: Bundle = {}
    for prefix, bundle in bundles.items():
        if prefix:
            for language in json.loads(read(bundle[_ENTRY])).get("languages", {}):
                listed.setdefault(language, []).append(prefix)
        produced.update({f"{urls.PAGEFIND_DIR}/{prefix}{relative}": content for relative, content in bundle.items()})
    produced[f"{urls.PAGEFIND_DIR}/{PARTS_FILE}"] = json.dumps(
        dict(sorted(listed.items())), ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return OutputFiles.taking(produced)


@dataclass(frozen=True)
class _Run:
    """The pages of one Pagefind run: a part of a top folder's pages."""

    top: str
    number: int
    """The part's number in its top folder; the first part's bundle is the one the search page loads."""
    paths: list[str]
    key: str
    """Names the pages and their bytes, and the Pagefind that indexes them: the same key, the same bundle."""
    size: int = 0
    """The bytes of the pages (their copies are fewer: see `_copy`)."""


_MADE = "copies 2, stable"
"""Names the way `_bundle` makes a bundle: how it gives Pagefind the pages, which decides the order Pagefind
numbers them in (before: in place, or copied on disk), and that it is stored stable (before: as Pagefind
wrote it). A bundle made another way is not this one's."""


def _identity(executable: Path) -> str:
    """What names this Pagefind and the way it reads the pages in a run's key: a bundle made by another
    binary, or of pages given another way, is not this one's."""
    try:
        found = executable.stat()
    except OSError:
        return f"{executable}:{_MADE}"
    return f"{executable}:{found.st_size}:{found.st_mtime_ns}:{_MADE}"


def _runs(
    files: Mapping[str, bytes], pagefind: str, flags: Mapping[str, PageFlags], written: Mapping[str, Written]
) -> list[_Run]:
    """The pages that ask to be indexed, in parts of about PAGES_PER_PART pages of one top folder (a
    language's folder), by top folder and part number.

    Each page goes to the part a hash of its path picks: every part then holds a like mix of pages
    (Pagefind ranks each part's results by that part's own word statistics, which are then alike), and a
    page added or removed changes only its own part, not every part after it, as long as the number of
    parts stays.
    """
    pages: dict[str, dict[str, str]] = {}
    sizes: dict[str, int] = {}
    for path in sorted(p for p in files if p.endswith(".html")):  # other files may be read from disk
        known = flags.get(path)
        if known is not None and not known.searchable:
            continue
        record = written.get(path) if known is not None else None
        if record is not None:
            page_digest = record.digest  # the file's write.digest, as of the bytes it holds
            sizes[path] = record.size
        else:
            content = files[path]
            if not searchable(content):
                continue
            page_digest = digest(content)
            sizes[path] = len(content)
        top = path.split("/", 1)[0] if "/" in path else ""
        pages.setdefault(top, {})[path] = page_digest
    runs: list[_Run] = []
    for top, digests in sorted(pages.items()):
        count = -(-len(digests) // PAGES_PER_PART)
        dealt: list[list[str]] = [[] for _ in range(count)]
        for path in digests:
            dealt[_part_of(path, count)].append(path)
        for number, paths in enumerate(part for part in dealt if part):
            key = hashlib.sha256(pagefind.encode("utf-8"))
            for path in paths:
                key.update(f"\0{path}\0{digests[path]}".encode())
            runs.append(_Run(top, number, paths, key.hexdigest(), sum(sizes[path] for path in paths)))
    return runs


def _part_of(path: str, count: int) -> int:
    """The part of `count` a page goes to, by a hash of its path (the same on every build)."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big") % count


def _copy(files: Mapping[str, bytes], paths: Iterable[str], folder: Path) -> None:
    """The pages at `paths` as files below `folder`, in that order, without their inline charts."""
    for path in paths:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_INLINE_SVG.sub(b"", files[path]))


def _bundles(
    executable: Path,
    files: Mapping[str, bytes],
    runs: list[_Run],
    jobs: int,
    diagnostics: Diagnostics,
    stored: BundleStore,
) -> list[Bundle] | None:
    """Each run's bundle (see `_bundle`), in the order of `runs`; None if Pagefind failed on one.

    Pagefind runs side by side as `_Slots` allow; one thread more than them copies the next run's pages
    meanwhile, and each thread makes its bundle stable and stores it while Pagefind indexes another run
    (a large site's parts go one at a time, and the copies and bundles took a third as long again).
    """
    slots = _Slots(jobs, _memory_folder())
    with ThreadPoolExecutor(max(1, min(jobs + 1, len(runs)))) as pool:  # the threads mostly wait on Pagefind
        results = list(pool.map(partial(_bundle, executable, files, slots, stored), runs))
    for _, problems in results:
        diagnostics.items.extend(p for p in problems if p not in diagnostics.items)  # each run's warnings alike
    bundles = [bundle for bundle, _ in results if bundle is not None]
    return bundles if len(bundles) == len(results) else None


class _Slots:
    """Pagefind processes side by side: at most `jobs`, of at most PAGES_INDEXED_AT_ONCE pages together
    (the parts of a small site; a large site's parts of PAGES_PER_PART pages go one at a time); and the
    room in the folder in memory for the runs' copies and bundles."""

    def __init__(self, jobs: int, memory: str | None) -> None:
        self._jobs = jobs
        self._running = 0
        self._pages = 0
        self._changed = threading.Condition()
        self.memory = memory
        self._room = _free_bytes(memory) if memory is not None else 0
        """The memory folder's free bytes as the index begins. Whether a run goes there or to disk is decided
        by this alone, not by what the other runs hold at the time: a run copied to disk numbers its pages in
        another order (see `_bundle`), and which runs those are must not depend on the threads' timing."""
        self._held = 0
        self.copying = threading.Lock()
        """Held while a run's pages are copied: one at a time, the first run's first, so that Pagefind
        starts as soon as it can (side by side, the copies shared one core and all ended late)."""
        self.failed = False
        """Pagefind failed on a run: the runs not yet started are not indexed."""

    @contextlib.contextmanager
    def folder_for(self, run: _Run) -> Iterator[str | None]:
        """The folder for the run's copies and bundle: the memory folder if it has room for them as the
        index began (waiting while other runs hold that room), else None (the temporary folder, on disk)."""
        needed = 2 * run.size  # the copies, and a bundle smaller than them
        if self.memory is None or needed > self._room:
            yield None
            return
        with self._changed:
            self._changed.wait_for(lambda: self._held + needed <= self._room)
            self._held += needed
        try:
            yield self.memory
        finally:
            with self._changed:
                self._held -= needed
                self._changed.notify_all()

    def _free_for(self, pages: int) -> bool:
        return self._running == 0 or (self._running < self._jobs and self._pages + pages <= PAGES_INDEXED_AT_ONCE)

    @contextlib.contextmanager
    def taken(self, pages: int) -> Iterator[bool]:
        """Wait for room for a run of `pages` pages, and hold it; whether to index (no run failed)."""
        with self._changed:
            self._changed.wait_for(lambda: self._free_for(pages))
            self._running += 1
            self._pages += pages
            go_on = not self.failed
        try:
            yield go_on
        finally:
            with self._changed:
                self._running -= 1
                self._pages -= pages
                self._changed.notify_all()


def _bundle(
    executable: Path, files: Mapping[str, bytes], slots: _Slots, stored: BundleStore, run: _Run
) -> tuple[Bundle | None, list[Diagnostic]]:
    """The stable bundle (pagefind_bundle.py) Pagefind makes of copies of the run's pages, which it reads
    from a folder of their own; stored in `stored`.

    Pagefind numbers the pages in the order the folder lists them, which depends on the file system and on
    the order the files were made in: copies made one after the other, in the run's order, into a new
    folder, give the same bundle however many workers wrote the pages and wherever they are (in place, the
    pages of a build into a folder in memory gave another index on every build). The copies leave the
    inline charts out: Pagefind indexes no text of inline SVG, and reads half as much.
    """
    found = Diagnostics()
    problem: OSError | None = None
    with slots.folder_for(run) as chosen:
        # The memory folder may yet fill up (another program's files): then on disk.
        for folder in dict.fromkeys([chosen, None]):
            try:
                with tempfile.TemporaryDirectory(prefix="site-builder-pagefind-", dir=folder) as work:
                    site = Path(work) / "site"
                    with slots.copying:
                        _copy(files, run.paths, site)
                    with slots.taken(len(run.paths)) as go_on:
                        if not go_on:
                            return None, []
                        made = _pagefind(executable, site, Path(work) / "pagefind", found)
                        if made is None:
                            slots.failed = True  # before another run takes the room
                break
            except OSError as exc:
                problem = exc
        else:
            found.error(
                str(executable), 1, 1, f"cannot make the search index: {problem}",
                "free some space in the temporary folders",
            )  # fmt: skip
            slots.failed = True
            made = None
    if made is None:
        return None, found.items
    try:
        bundle = stable_bundle(made)
    except (UnknownFormat, OSError, EOFError, KeyError, ValueError) as exc:
        found.warning(
            str(executable), 1, 1, f"the search index may differ between builds: {exc}",
            "use the Pagefind version that pyproject.toml names",
        )  # fmt: skip
        return dict(made), found.items  # not stored: the next build tries again, and warns again
    return stored.put(run.key, bundle), found.items


def _free_bytes(folder: str) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def _memory_folder() -> str | None:
    """MEMORY_FOLDER if this system has it (else the usual temporary folder)."""
    return str(MEMORY_FOLDER) if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK) else None


def _pagefind(executable: Path, site: Path, out_dir: Path, diagnostics: Diagnostics) -> dict[str, bytes] | None:
    """The files Pagefind makes of the pages in `site`; None if it failed."""
    command = [str(executable), "--site", str(site), "--output-path", str(out_dir), "--quiet"]
    # Pagefind reads a configuration file from its working folder: an empty one of ours, not the editor's.
    work = out_dir.parent
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False, cwd=work)
    except (OSError, subprocess.TimeoutExpired) as exc:
        diagnostics.error(str(executable), 1, 1, f"cannot make the search index: {exc}")
        return None
    if run.returncode != 0 or not (out_dir / _ENTRY).is_file():
        output = (run.stderr or run.stdout).strip().splitlines()
        diagnostics.error(
            str(executable), 1, 1,
            f"Pagefind failed to make the search index (exit {run.returncode}): {' / '.join(output[-5:])}",
        )  # fmt: skip
        return None
    return {
        p.relative_to(out_dir).as_posix(): p.read_bytes()
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and p.name not in UNPUBLISHED
    }
