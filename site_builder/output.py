"""The files a build makes, by output path: bytes in memory, or files on disk read only when needed.

Drawn charts (SVG and PNG downloads) are most of a large site's bytes; they stay in the chart cache
until they are written, so a build's memory does not grow with them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

LinkTarget = tuple[str, bytes]
"""Where a link leads: the output path (below the output folder; outside it if it starts with ../), and the
anchor it names there (b"" for none)."""


class PageFacts(NamedTuple):
    """What the steps after rendering need to know of a page, found by the worker that rendered it, so
    that they need not read thousands of pages back from disk. (A tuple: it travels back from the worker
    by pickle, which copies a tuple in C and a dataclass in Python.)"""

    indexed: bool
    """Search engines may index it (see sitemap.py)."""
    links: tuple[LinkTarget, ...]
    """Where its links lead that the whole-site check must follow (see links.page_links)."""
    searchable: bool
    """It asks to be in the search index (see search.py)."""

    @property
    def flags(self) -> PageFlags:
        return page_flags(self.indexed, self.searchable)


class PageFlags(NamedTuple):
    """What the sitemap and the search index need to know of a page, kept in the build state (see
    incremental.SiteState) so that a rebuild need not read the pages it keeps."""

    indexed: bool
    searchable: bool


_PAGE_FLAGS = {
    (indexed, searchable): PageFlags(indexed, searchable) for indexed in (False, True) for searchable in (False, True)
}


def page_flags(indexed: bool, searchable: bool) -> PageFlags:
    """The one PageFlags of these values: a large site has a few hundred thousand pages, and four kinds."""
    return _PAGE_FLAGS[bool(indexed), bool(searchable)]


@dataclass(frozen=True, slots=True)
class InFolder:
    """A stored value that stands for the file of the same path in `folder`. Every file of a folder holds
    the same one: a large site has hundreds of thousands of pages in its spool folder, and a Path object
    of each would take three times the memory of its path."""

    folder: Path


Stored = bytes | Path | InFolder


class OutputFiles(Mapping[str, bytes]):
    """Output files, listed in path order; a value given as a Path (or InFolder) is that file's bytes, read
    when asked for."""

    def __init__(self, items: Mapping[str, bytes | Path] | None = None) -> None:
        self._items: Mapping[str, Stored] = dict(items) if items else {}
        self._order: list[str] | None = None
        """Path order, sorted when first listed: `serve` looks hundreds of thousands of files up after an
        edit and never lists them."""

    @classmethod
    def taking(cls, items: Mapping[str, Stored]) -> OutputFiles:
        """The files of `items`, which is not copied: the caller changes it no more."""
        files = cls()
        files._items = items
        return files

    def __getitem__(self, path: str) -> bytes:
        return read(_resolved(path, self._items[path]))

    def __contains__(self, path: object) -> bool:
        return path in self._items

    def __iter__(self) -> Iterator[str]:
        if self._order is None:
            self._order = sorted(self._items)
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._items)

    def paths(self) -> Set[str]:
        """Every path, as a set that is not copied."""
        return self._items.keys()

    def stored(self, path: str) -> bytes | Path:
        """The file's bytes, or the file on disk that holds them, without reading it."""
        return _resolved(path, self._items[path])

    def stored_items(self) -> dict[str, Stored]:
        """Each file's stored value, in a new dict."""
        return dict(self._items)

    def folders(self) -> set[Path]:
        """The folders whose files (as InFolder) these files are."""
        return {value.folder for value in self._items.values() if isinstance(value, InFolder)}

    def moved(self, source: Path, target: Path) -> OutputFiles:
        """These files after the folder `source` was renamed `target`: a file of it is read at its new place."""
        prefix = f"{source}{os.sep}"
        before, after = InFolder(source), InFolder(target)

        def moved_value(value: Stored) -> Stored:
            if value == before:
                return after
            if isinstance(value, Path) and str(value).startswith(prefix):
                return target / str(value)[len(prefix) :]
            return value

        return OutputFiles.taking({path: moved_value(value) for path, value in self._items.items()})

    def with_files(self, more: Mapping[str, bytes]) -> OutputFiles:
        """These files and `more` (which wins where both have a path), nothing read."""
        return OutputFiles.taking({**self._items, **stored_items(more)})


def read(content: bytes | Path) -> bytes:
    """A file's bytes, given as they are or as the file on disk that holds them."""
    return content.read_bytes() if isinstance(content, Path) else content


def _resolved(path: str, value: Stored) -> bytes | Path:
    return value.folder / path if isinstance(value, InFolder) else value


def paths(files: Mapping[str, bytes]) -> Set[str]:
    """The paths of `files` as a set, without listing them one by one where `files` can say."""
    own = getattr(files, "paths", None)
    return own() if own is not None else files.keys()


def stored_items(files: Mapping[str, bytes]) -> dict[str, Stored]:
    """Every file of `files` as bytes or as the file on disk that holds them, reading none from disk: a new
    dict, in no particular order."""
    own = getattr(files, "stored_items", None)
    if own is not None:
        items: dict[str, Stored] = own()  # a new dict too
        return items
    stored = getattr(files, "stored", None)
    if stored is None:
        return dict(files.items())
    return {path: stored(path) for path in files}


def relocated(files: Mapping[str, bytes], source: Path, target: Path) -> Mapping[str, bytes]:
    """`files` after the folder `source` (where pages were spooled) became `target` (see write.py)."""
    moved = getattr(files, "moved", None)
    return moved(source, target) if moved is not None else files
