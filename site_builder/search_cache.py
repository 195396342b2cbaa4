"""Pagefind's bundles of earlier builds, by the pages each indexed (see search.py): a part of the search
index whose pages did not change is taken from here rather than indexed again.

Each bundle is one ZIP file, stored without compression (Pagefind's files are compressed already) and
written atomically. Like the chart cache, it is not used when git tracks files in the build cache: the
bundles' files, scripts among them, are published as they are, and a pull request must not bring its own.
"""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path
from typing import IO

from .cache import CACHE_DIR, store_atomically, trusted

SEARCH_CACHE = f"{CACHE_DIR}/search"
"""The folder, next to site.yaml, that holds the bundles."""


class StoredBundles:
    """The bundles in `folder`; every method does nothing without one (or with one git tracks)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder if folder is not None and trusted(folder.parent) else None
        self._used: set[str] = set()

    def get(self, key: str) -> dict[str, bytes] | None:
        """The bundle stored under `key`, by its paths; None if there is none (or it cannot be read)."""
        if self.folder is None:
            return None
        try:
            with zipfile.ZipFile(self.folder / f"{key}.zip") as stored:
                bundle = {name: stored.read(name) for name in stored.namelist()}
        except (OSError, zipfile.BadZipFile, ValueError):
            return None
        if not bundle or any(name.startswith("/") or ".." in name.split("/") for name in bundle):
            return None
        self._used.add(key)
        return bundle

    def put(self, key: str, bundle: dict[str, bytes]) -> None:
        """Store `bundle` under `key`. A disk that cannot take it only costs the next build time."""
        if self.folder is None:
            return

        def write(out: IO[bytes]) -> None:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
                for name, content in bundle.items():
                    archive.writestr(name, content)

        if store_atomically(self.folder / f"{key}.zip", write):
            self._used.add(key)

    def keep_only_used(self) -> None:
        """Remove the bundles this build neither took nor stored: those of pages since changed."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self._used:
                with contextlib.suppress(OSError):
                    path.unlink()
