"""Write the rendered site: all of it or, on failure, nothing; after a build, only what changed.

A first build writes into a fresh staging folder beside the output, which then replaces the output in
two renames. Render workers write pages straight into that folder (`spool_file`), so a large site's pages
are never all in memory at once, and the files already in place are not written again. When the last build's output is still intact, only files whose bytes changed are
replaced (each atomically, by a rename) and files no longer made are removed, so a small change
rewrites a few files instead of the whole site. The output folder is guarded: the build never writes
into the project's own folders or into a folder it did not make.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path
from typing import NamedTuple

from .output import InFolder, stored_items

MARKER = ".site-builder-output"
"""A file in every output folder, so a later build knows the folder is its own to replace."""


class Written(NamedTuple):
    """An output file as the build left it, to know next time whether it is still there unchanged."""

    size: int
    mtime_ns: int
    digest: str


def digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


class OutputRefused(Exception):
    """The output folder is not safe to write to, or writing failed; nothing was changed."""


def check_output_dir(out_dir: Path, protected: list[Path]) -> Path:
    """Resolve `out_dir` and refuse folders the build must not replace."""
    target = out_dir.resolve()
    for path in protected:
        path = path.resolve()
        if target == path or target in path.parents:
            raise OutputRefused(f"refusing to write the site to {out_dir}: it would replace {path}")
    if target.exists():
        if not target.is_dir():
            raise OutputRefused(f"refusing to write the site to {out_dir}: it is a file")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise OutputRefused(
                f"refusing to write the site to {out_dir}: the folder is not empty and was not made by site-builder"
            )
    return target


def staging_folder(out_dir: Path) -> Path:
    """Where this process puts the files of `out_dir` before they replace it: beside it, on its file system."""
    target = out_dir.resolve()
    return target.parent / f".{target.name}.staging-{os.getpid()}"


def spool_file(folder: Path, relative: str, content: bytes) -> Written:
    """Write `content` to `folder/relative` (making its folders); return the record `write_site` keeps of
    it, so the write phase need not read the file back."""
    path = f"{folder}/{relative}"
    try:
        return _write_new(path, content)
    except FileNotFoundError:  # the first file of its folder
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return _write_new(path, content)


def spool_files(folder: Path, files: Mapping[str, bytes]) -> dict[str, Written]:
    """`spool_file` for each of `files`, by as many threads as `write_site` uses; raises the first OSError."""
    return _by_writers(list(files), lambda relative: spool_file(folder, relative, files[relative]))


def write_site(
    files: Mapping[str, bytes],
    out_dir: Path,
    protected: list[Path],
    previous: Mapping[str, Written] | None = None,
    made: Collection[str] | None = None,
    spool: Path | None = None,
    spooled: Mapping[str, Written] | None = None,
) -> dict[str, Written]:
    """Make `out_dir` hold exactly `files`; return what it holds.

    `previous` is what the last build wrote into `out_dir`, if that is still there unchanged: then only
    the files that differ are written. `made` names the files a rebuild made; the others are the last
    build's, unchanged, and are neither read nor compared. `spool` is the `staging_folder` of `out_dir`
    when files were already written into it (`spool_file`): a fresh output keeps them where they are (a
    rebuild reads them to compare); the caller removes what is left of it. `spooled` holds what
    `spool_file` returned for them, where known.
    """
    target = check_output_dir(out_dir, protected)
    for relative in files:
        if not _below(relative):
            raise OutputRefused(f"refusing to write outside the output folder: {relative}")
    if spool is not None and spool != staging_folder(target):
        raise OutputRefused(f"the pages were not made for {out_dir}")
    if previous is not None and (target / MARKER).is_file():
        try:
            return _update(files, target, previous, made)
        except OSError:
            pass  # e.g. a file left where a folder must go: write the whole site afresh instead
    return _replace(files, target, spool, spooled or {})


def _below(relative: str) -> bool:
    """Whether a file's relative path names a file inside the output folder (as PurePosixPath reads it,
    which is a hundred times slower on a large site's paths), other than the folder's marker."""
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    return bool(parts) and not relative.startswith("/") and ".." not in parts and relative != MARKER


def _replace(
    files: Mapping[str, bytes], target: Path, spool: Path | None, spooled: Mapping[str, Written]
) -> dict[str, Written]:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(target)
    backup = target.parent / f".{target.name}.previous-{os.getpid()}"
    if spool is None:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(exist_ok=spool is not None)
        in_place = _in_folder(files, staging) if spool is not None else set()
        for folder in sorted({posixpath.dirname(relative) for relative in files if relative not in in_place} - {""}):
            (staging / folder).mkdir(parents=True, exist_ok=True)
        records = _write_all(files, str(staging), in_place, spooled)
        (staging / MARKER).write_text(_MARKER_TEXT)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputRefused(f"cannot write the site: {exc}") from exc
    if target.exists():
        target.rename(backup)
        staging.rename(target)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        staging.rename(target)
    return records


_MARKER_TEXT = "This folder is written by site-builder and replaced on every build.\n"

_WRITERS = 2
"""Threads that create the files of a fresh output folder. Creating a file waits on the file system
(journal, folder locks) more than it computes; with a second thread the disk has work while one waits."""


def _in_folder(files: Mapping[str, bytes], folder: Path) -> set[str]:
    """The paths of `files` whose bytes are the file of the same path in `folder` (see `spool_file`)."""
    spooled = InFolder(folder)
    prefix = f"{folder}/"
    return {
        relative
        for relative, value in stored_items(files).items()
        if value == spooled or (isinstance(value, Path) and str(value) == prefix + relative)
    }


def _write_all(
    files: Mapping[str, bytes], root: str, in_place: Collection[str], spooled: Mapping[str, Written]
) -> dict[str, Written]:
    """Write every file below the folder `root`, whose subfolders exist, except those `in_place` there
    already (see `spool_file`, whose records are `spooled`); return the records in `files`' order."""
    found = {relative: spooled[relative] for relative in in_place if relative in spooled}

    def write_one(relative: str) -> Written:
        path = f"{root}/{relative}"
        if relative in in_place:
            return _record(path)
        # Each file is read here, not before: drawn charts stay on disk until written (see output.py).
        return _write_new(path, files[relative])

    written = _by_writers([relative for relative in files if relative not in found], write_one)
    return {relative: found[relative] if relative in found else written[relative] for relative in files}


def _by_writers(paths: list[str], write: Callable[[str], Written]) -> dict[str, Written]:
    """`write` each path, the paths shared out among `_WRITERS` threads; raises the first OSError."""

    def write_share(number: int) -> list[tuple[str, Written]]:
        return [(relative, write(relative)) for relative in paths[number::_WRITERS]]

    with ThreadPoolExecutor(_WRITERS) as pool:
        return dict(chain.from_iterable(pool.map(write_share, range(_WRITERS))))


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_new(path: str, content: bytes) -> Written:
    """Write one file (as Path.write_bytes does) and record it from the open file: a site has thousands,
    and creating each costs more than writing it, so no second pass looks them up again."""
    stat = _write(path, content)
    return Written(stat.st_size, stat.st_mtime_ns, digest(content))


def _write(path: str, content: bytes) -> os.stat_result:
    fd = os.open(path, _NEW_FILE, 0o666)
    try:
        with memoryview(content) as view:
            written = 0
            while written < len(view):
                written += os.write(fd, view[written:])
        return os.fstat(fd)
    finally:
        os.close(fd)


def _record(path: str) -> Written:
    """The record of a file already written."""
    with open(path, "rb") as handle:
        content = handle.read()
        stat = os.fstat(handle.fileno())
    return Written(stat.st_size, stat.st_mtime_ns, digest(content))


def _update(
    files: Mapping[str, bytes],
    target: Path,
    previous: Mapping[str, Written],
    made: Collection[str] | None,
) -> dict[str, Written]:
    """Write the files whose bytes differ from `previous`, each through a temporary file and a rename."""
    for relative in sorted(set(previous) - set(files), reverse=True):
        path = target / relative
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != target and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    real_target = os.path.realpath(target)
    checked: set[Path] = set()
    records: dict[str, Written] = {}
    for relative in files:
        old = previous.get(relative)
        if made is not None and relative not in made and old is not None:
            records[relative] = old
            continue
        content = files[relative]
        hashed = digest(content)
        if old is not None and old.digest == hashed and old.size == len(content):
            records[relative] = old
            continue
        path = target / relative
        if path.parent not in checked:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The folder was made by an earlier build; refuse one that now leads elsewhere (a link).
            real = os.path.realpath(path.parent)
            if real != real_target and not real.startswith(real_target + os.sep):
                raise OutputRefused(f"refusing to write outside the output folder: {relative}")
            checked.add(path.parent)
        temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
        temporary.write_bytes(content)
        os.replace(temporary, path)
        stat = path.stat()
        records[relative] = Written(stat.st_size, stat.st_mtime_ns, hashed)
    return records
