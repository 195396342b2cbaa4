"""Pagefind's bundles of earlier builds, by the pages each indexed (see search.py): a part of the search
index whose pages did not change is taken from here rather than indexed again.

Each bundle is one ZIP file, stored without compression (Pagefind's files are compressed already) and
written atomically. Like the chart cache, it is not used when git tracks files in the build cache: the
bundles' files, scripts among them, are published as they are, and a pull request must not bring its own.

`serve` keeps the bundles it serves as files of their own (`SpooledBundles`), in front of that cache.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import threading
import zipfile
from pathlib import Path
from typing import IO

from .cache import CACHE_DIR, store_atomically, trusted
from .write import spool_files

SEARCH_CACHE = f"{CACHE_DIR}/search"
"""The folder, next to site.yaml, that holds the bundles."""

Bundle = dict[str, "bytes | Path"]
"""A bundle's files by their path in it: their bytes, or the files on disk that hold them."""


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

    def keep(self, key: str) -> None:
        """Keep the bundle stored under `key`, if any, at the next `keep_only_used`, as if taken."""
        self._used.add(key)

    def put(self, key: str, bundle: dict[str, bytes]) -> Bundle:
        """Store `bundle` under `key`, and give it back. A disk that cannot take it only costs the next
        build time."""
        if self.folder is None:
            return dict(bundle)

        def write(out: IO[bytes]) -> None:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
                for name, content in bundle.items():
                    archive.writestr(name, content)

        if store_atomically(self.folder / f"{key}.zip", write):
            self._used.add(key)
        return dict(bundle)

    def keep_only_used(self) -> None:
        """Remove the bundles this build neither took nor stored: those of pages since changed."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self._used:
                with contextlib.suppress(OSError):
                    path.unlink()


class SpooledBundles:
    """The bundles `serve` serves, each written once into a folder of its own below `folder` and given as
    the paths of its files from then on, in front of the build cache's bundles in `cache` (which still
    take every bundle made).

    A large site's index is hundreds of megabytes (171 MB at 10,000 documents): held whole in memory
    while made, it was a tenth of serve's memory, and all of it was written out again after every edit,
    of which one part had changed.
    """

    def __init__(self, folder: Path, cache: Path) -> None:
        self.folder = folder
        self._cache = cache
        self.stored = StoredBundles(cache)
        self._spooled: dict[str, tuple[Path, Bundle]] = {}
        self._used: set[str] = set()
        self._unused: list[Path] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()  # bundles are made, and so put, by several threads

    def get(self, key: str) -> Bundle | None:
        with self._lock:
            found = self._spooled.get(key)
            if found is not None:
                self._used.add(key)
                self.stored.keep(key)
                return dict(found[1])
        bundle = self.stored.get(key)
        return None if bundle is None else self._spool(key, bundle)

    def put(self, key: str, bundle: dict[str, bytes]) -> Bundle:
        self.stored.put(key, bundle)
        return self._spool(key, bundle)

    def _spool(self, key: str, bundle: dict[str, bytes]) -> Bundle:
        folder = self.folder / str(next(self._numbers))  # not by key: a key's old folder may still be served
        try:
            spool_files(folder, bundle)
        except OSError:  # a full disk: this bundle is served from memory
            shutil.rmtree(folder, ignore_errors=True)
            return dict(bundle)
        spooled: Bundle = {name: folder / name for name in bundle}
        with self._lock:
            self._spooled[key] = (folder, spooled)
            self._used.add(key)
        return dict(spooled)

    def keep_only_used(self) -> None:
        """As StoredBundles.keep_only_used; the folders of the bundles not used are removed by
        `remove_unused`, once the index made of the others is served in place of theirs."""
        self.stored.keep_only_used()
        self.stored = StoredBundles(self._cache)  # whether the cache is trusted is asked for every index
        with self._lock:
            for key in set(self._spooled) - self._used:
                self._unused.append(self._spooled.pop(key)[0])
            self._used = set()

    def remove_unused(self) -> None:
        with self._lock:
            unused, self._unused = self._unused, []
        for folder in unused:
            shutil.rmtree(folder, ignore_errors=True)


BundleStore = StoredBundles | SpooledBundles
