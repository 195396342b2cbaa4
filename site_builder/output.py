"""The files a build makes, by output path: bytes in memory, or files on disk read only when needed.

Drawn charts (SVG and PNG downloads) are most of a large site's bytes; they stay in the chart cache
until they are written, so a build's memory does not grow with them.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the steps after rendering need to know of a page, found by the worker that rendered it, so
    that they need not read thousands of pages back from disk."""

    indexed: bool
    """Search engines may index it (see sitemap.py)."""
    links: tuple[bytes, ...]
    """Its links that the whole-site check must follow (see links.page_links)."""


class Spooled(enum.Enum):
    """A stored value that stands for the file of the same path in the spool folder (see OutputFiles)."""

    FILE = "spooled"


SPOOLED = Spooled.FILE
Stored = bytes | Path | Spooled


class OutputFiles(Mapping[str, bytes]):
    """Output files, listed in path order; a value given as a Path is that file's bytes, read when asked for.

    A file written to the spool folder is held as SPOOLED rather than as its Path: a large site has
    hundreds of thousands of them, and a Path object takes three times the memory of its path.
    """

    def __init__(self, items: Mapping[str, bytes | Path] | None = None) -> None:
        self._items: Mapping[str, Stored] = dict(items) if items else {}
        self._spool: Path | None = None
        self._order: list[str] | None = None
        """Path order, sorted when first listed: `serve` looks hundreds of thousands of files up after an
        edit and never lists them."""

    @classmethod
    def taking(cls, items: Mapping[str, Stored], spool: Path | None = None) -> OutputFiles:
        """The files of `items`, which is not copied: the caller changes it no more. A SPOOLED value is the
        file of its path in `spool`."""
        files = cls()
        files._items = items
        files._spool = spool
        return files

    def _stored(self, path: str, value: Stored) -> bytes | Path:
        if isinstance(value, Spooled):
            assert self._spool is not None, "a spooled file without a spool folder"
            return self._spool / path
        return value

    def __getitem__(self, path: str) -> bytes:
        value = self._stored(path, self._items[path])
        return value.read_bytes() if isinstance(value, Path) else value

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
        return self._stored(path, self._items[path])

    def stored_items(self) -> dict[str, bytes | Path]:
        """Each file's `stored` value, in a new dict."""
        return {path: self._stored(path, value) for path, value in self._items.items()}

    def moved(self, source: Path, target: Path) -> OutputFiles:
        """These files after the folder `source` was renamed `target`: a file of it is read at its new place."""
        prefix = f"{source}{os.sep}"
        return OutputFiles.taking(
            {
                path: target / str(value)[len(prefix) :]
                if isinstance(value, Path) and str(value).startswith(prefix)
                else value
                for path, value in self._items.items()
            },
            target if self._spool == source else self._spool,
        )

    def with_files(self, more: Mapping[str, bytes]) -> OutputFiles:
        """These files and `more` (which wins where both have a path), nothing read."""
        return OutputFiles.taking({**self._items, **stored_items(more)}, self._spool)


def paths(files: Mapping[str, bytes]) -> Set[str]:
    """The paths of `files` as a set, without listing them one by one where `files` can say."""
    own = getattr(files, "paths", None)
    return own() if own is not None else files.keys()


def stored_items(files: Mapping[str, bytes]) -> dict[str, bytes | Path]:
    """Every file of `files` as bytes or as the file on disk that holds them, reading none from disk: a new
    dict, in no particular order."""
    own = getattr(files, "stored_items", None)
    if own is not None:
        items: dict[str, bytes | Path] = own()  # a new dict too
        return items
    stored = getattr(files, "stored", None)
    if stored is None:
        return dict(files.items())
    return {path: stored(path) for path in files}


def relocated(files: Mapping[str, bytes], source: Path, target: Path) -> Mapping[str, bytes]:
    """`files` after the folder `source` (where pages were spooled) became `target` (see write.py)."""
    moved = getattr(files, "moved", None)
    return moved(source, target) if moved is not None else files
