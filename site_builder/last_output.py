"""Where `serve` starts: the output of the last `build`, when that is intact, rather than every page.

A first build of a large site renders for minutes, and `build` has often just made the same pages. Its
cache records what it rendered from what (incremental.py), so `serve` renders only what changed since,
as a cached build does, and serves the rest from that output.

It reads the output through hard links of its own, in the build cache's folder: a later `build` replaces
the output's files (write.py renames new files into place, or the whole folder) and never writes into
one, so the linked files keep the bytes `serve` started from while it runs.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .build import Previous
from .cache import BuildCache
from .incremental import OutputFolder, load_state

LINKS_PREFIX = "serve-"
"""Names the folders of links in the build cache's folder, followed by the serving process's id."""
_LINKERS = 2
"""Threads that make the links (see `_link_files`)."""


@dataclass
class LastOutput:
    """The last build's output, as a rebuild starts from it."""

    previous: Previous
    markdown: dict[bytes, str]
    """That build's Markdown converted to HTML (see cache.py)."""
    out_dir: Path
    links: Path
    """The folder of links to the output's files, which `previous` reads; the caller removes it."""


def last_output(config_path: Path) -> LastOutput | None:
    """The output of the last build of the project, linked; None if there is none or it changed since."""
    cache = BuildCache.of_last_build(config_path)
    if cache is None:
        return None
    _remove_abandoned(cache.folder)  # whether or not this serve starts from the output: they hold disk space
    if cache.out_dir is None:
        return None
    out_dir = Path(cache.out_dir)
    written = cache.previous_output(out_dir)
    state = load_state(cache.folder) if written is not None else None
    if written is None or state is None:
        return None
    try:
        links = Path(tempfile.mkdtemp(prefix=f"{LINKS_PREFIX}{os.getpid()}-", dir=cache.folder))
    except OSError:
        return None
    try:
        _link_files(out_dir, links, written)
        intact = cache.intact(out_dir)  # not if a build replaced any file while they were linked
    except OSError:  # e.g. the output is on another file system
        intact = False
    if not intact:
        shutil.rmtree(links, ignore_errors=True)
        return None
    previous = Previous(state, OutputFolder(links, written), written=written)
    return LastOutput(previous, cache.markdown, out_dir, links)


def _link_files(source: Path, target: Path, paths: Iterable[str]) -> None:
    """Link each file of `paths` below `source` to the same path below `target`. (Paths as strings: a
    large site has hundreds of thousands.)"""
    listed = sorted(paths)
    for folder in sorted({posixpath.dirname(relative) for relative in listed} - {""}):
        os.makedirs(f"{target}/{folder}", exist_ok=True)

    def link(share: list[str]) -> None:
        for relative in share:
            os.link(f"{source}/{relative}", f"{target}/{relative}")

    # Each thread links a run of paths in order, so mostly in folders of its own: a link waits on its
    # folder's lock and the journal more than it computes (400,000 files: 3.9 s with one thread, 3.0 s
    # with two, after 3 to 20 s making the folders).
    size = max(1, -(-len(listed) // _LINKERS))
    with ThreadPoolExecutor(_LINKERS) as pool:
        list(pool.map(link, [listed[start : start + size] for start in range(0, len(listed), size)]))


def _remove_abandoned(cache_folder: Path) -> None:
    """Remove the links of `serve` processes that ended without removing them (killed)."""
    if os.name != "posix":  # where os.kill(pid, 0) asks after a process rather than ending it
        return
    for folder in cache_folder.glob(f"{LINKS_PREFIX}*"):
        pid = folder.name.removeprefix(LINKS_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True
