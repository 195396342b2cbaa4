"""The files a build makes, by output path: bytes in memory, or files on disk read only when needed.

Drawn charts (SVG and PNG downloads) are most of a large site's bytes; they stay in the chart cache
until they are written, so a build's memory does not grow with them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path


class OutputFiles(Mapping[str, bytes]):
    """Output files in path order; a value given as a Path is that file's bytes, read when asked for."""

    def __init__(self, items: Mapping[str, bytes | Path] | None = None) -> None:
        self._items: dict[str, bytes | Path] = dict(sorted(items.items())) if items else {}

    def __getitem__(self, path: str) -> bytes:
        value = self._items[path]
        return value.read_bytes() if isinstance(value, Path) else value

    def __contains__(self, path: object) -> bool:
        return path in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def stored(self, path: str) -> bytes | Path:
        """The file's bytes, or the file on disk that holds them, without reading it."""
        return self._items[path]

    def moved(self, source: Path, target: Path) -> OutputFiles:
        """These files after the folder `source` was renamed `target`: a file of it is read at its new place."""
        prefix = f"{source}{os.sep}"
        moved = OutputFiles()
        moved._items = {  # already in path order
            path: target / str(value)[len(prefix) :]
            if isinstance(value, Path) and str(value).startswith(prefix)
            else value
            for path, value in self._items.items()
        }
        return moved

    def with_files(self, more: Mapping[str, bytes]) -> OutputFiles:
        """These files and `more` (which wins where both have a path), in path order, nothing read."""
        return OutputFiles({**self._items, **stored_items(more)})


def stored_items(files: Mapping[str, bytes]) -> dict[str, bytes | Path]:
    """Every file of `files` as bytes or as the file on disk that holds them, reading none from disk."""
    stored = getattr(files, "stored", None)
    if stored is None:
        return dict(files.items())
    return {path: stored(path) for path in files}


def relocated(files: Mapping[str, bytes], source: Path, target: Path) -> Mapping[str, bytes]:
    """`files` after the folder `source` (where pages were spooled) became `target` (see write.py)."""
    moved = getattr(files, "moved", None)
    return moved(source, target) if moved is not None else files
