"""The build cache: what the last build read and wrote, so a rebuild does only what changed.

It lives in `.site-builder-cache/` next to site.yaml (git-ignored; deleting it only costs time):

- `build.json`: a fingerprint of every input of the last successful build (settings, content, data,
  files, the themes, site_builder's own code and the versions of the libraries that shape the output,
  the git commit the "last changed" dates come from) and the modification time of each output folder;
  `written.json`: each output file's size, time and hash.
  A build whose inputs have the fingerprint of the last one, into the same intact output folder, has
  nothing to do: the build is deterministic, so it would write the same bytes.
- `hashes.json`: the content hash of each file the fingerprint covers, with its size, times and inode,
  so that an unchanged file is not read again to fingerprint the next build.
- `markdown.json`: every Markdown text of the last build converted to HTML, by the text's hash.
- `charts/`: drawn charts by spec hash (see chart_images.py).
- `search/`: the search index's Pagefind bundles, by a hash of the pages of each (see search_cache.py).

A build that uses the cache writes the same bytes as one without it; only unchanged work is skipped.
The cache holds HTML that goes into pages unchecked, so it is JSON (never pickle), and it is ignored
when any file in it is tracked by git: a pull request cannot bring its own cache along.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path
from typing import IO, Any

from pydantic_core import to_json

from .config import DEFAULT_THEME, load_config
from .diagnostics import Diagnostics
from .parallel import in_background
from .write import MARKER, Written

CACHE_DIR = ".site-builder-cache"
FORMAT = 1
"""Raised whenever the files below change shape; an older cache is then ignored."""

_PACKAGE = Path(__file__).resolve().parent
_HASHED_BYTES = 4_000_000
"""Files up to this size are fingerprinted by content; larger ones (PDFs in files/) by size and time."""


def cache_dir(config_path: Path) -> Path:
    return config_path.resolve().parent / CACHE_DIR


def _library_versions() -> list[str]:
    """The installed version of every library site_builder depends on: any of them can change the output."""
    try:
        declared = requires("site-builder") or []
    except PackageNotFoundError:
        declared = []
    names = sorted({_requirement_name(line) for line in declared if "extra ==" not in line})
    found = [f"python={sys.version}"]
    for name in names:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=missing")
    return found


def _requirement_name(requirement: str) -> str:
    for stop in "<>=!~;[ (":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip().lower()


def _git_commit(root: Path) -> str:
    """The commit the pages' "last changed" dates come from, and whether the clone is shallow (a shallow
    clone knows less history, so other dates); the dates change only when these do."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD", "--is-shallow-repository"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "no git"
    return " ".join(done.stdout.split()) if done.returncode == 0 else "no git"


class FileHashes:
    """The content hash of each file fingerprinted before, by path, with the file's status when it was read.

    A file whose size, modification and change times and inode are all those it had when it was hashed is
    not read again: the change time cannot be set back by any tool, so an edit always changes it. A file
    changed within `_SETTLED_NS` of being hashed is hashed again next time, in case the file system's clock
    is too coarse to tell the two versions apart.
    """

    def __init__(self, known: dict[str, list[Any]] | None = None) -> None:
        self._known = known or {}
        self._seen: dict[str, list[Any]] = {}

    @classmethod
    def load(cls, folder: Path) -> FileHashes:
        stored = _load(folder / "hashes.json")
        if not isinstance(stored, dict) or stored.get("format") != FORMAT or not isinstance(stored.get("files"), dict):
            return cls()
        return cls({str(k): v for k, v in stored["files"].items() if isinstance(v, list) and len(v) == 5})

    def hash(self, path: str, stat: os.stat_result) -> str:
        status = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        known = self._known.get(path)
        if known is not None and known[:4] == status and isinstance(known[4], str):
            self._seen[path] = known
            return known[4]
        read_at = time.time_ns()
        with open(path, "rb", buffering=0) as handle:  # at most _HASHED_BYTES: read whole, not in chunks
            content = hashlib.blake2b(handle.readall(), digest_size=16).hexdigest()
        if read_at - max(stat.st_mtime_ns, stat.st_ctime_ns) > _SETTLED_NS:
            self._seen[path] = [*status, content]
        return content

    def save(self, folder: Path) -> None:
        """Remember the files hashed this time (and only those, so that the record does not grow forever)."""
        if self._seen != self._known:
            _store(folder / "hashes.json", {"format": FORMAT, "files": self._seen})


_SETTLED_NS = 2_000_000_000
"""How long a file must have been left alone for its hash to be remembered: the coarsest common file
system clock (FAT) counts in steps of two seconds."""


def _add_tree(digest: Any, folder: Path, label: str, hashes: FileHashes, theme: bool = False) -> None:
    """Every file below `folder`: its path, and its bytes (or size and time when large).

    In a `theme`, npm's node_modules folders are left out unless below assets/: they hold the sources
    vendor/copy-vendor.mjs copies into assets/vendor/ (tens of megabytes), and the build reads none of them.
    """
    if not folder.exists():
        digest.update(f"{label}: none\n".encode())
        return
    top = str(folder)
    for directory, folders, names in os.walk(top):
        relative = os.path.relpath(directory, top)
        published = relative == "assets" or relative.startswith("assets" + os.sep)
        folders[:] = sorted(
            f for f in folders if f != "__pycache__" and (f != "node_modules" or published or not theme)
        )
        prefix = f"{label}/" if relative == "." else f"{label}/{Path(relative).as_posix()}/"
        for name in sorted(names):
            path = os.path.join(directory, name)
            try:
                stat = os.stat(path)
                if stat.st_size <= _HASHED_BYTES:
                    content = hashes.hash(path, stat)
                else:
                    content = f"{stat.st_size}:{stat.st_mtime_ns}"
            except OSError as exc:
                content = f"unreadable: {exc}"
            digest.update(f"{prefix}{name}\0{content}\n".encode())


def fingerprint(config_path: Path, options: dict[str, Any], hashes: FileHashes | None = None) -> str | None:
    """One hash over everything a build reads; None if the settings cannot be read (the build will say why).

    `hashes` may know files hashed by an earlier build; it learns the ones hashed now.
    """
    config = load_config(config_path, Diagnostics())
    if config is None:
        return None
    hashes = hashes if hashes is not None else FileHashes()
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"format {FORMAT}\n{sorted(options.items())}\n".encode())
    digest.update("\n".join(_library_versions()).encode() + b"\n")
    digest.update(f"commit {_git_commit(config.root)}\n".encode())
    digest.update(config_path.resolve().read_bytes())
    for label, folder in (("content", config.content_dir), ("data", config.data_dir), ("files", config.files_dir)):
        _add_tree(digest, folder, label, hashes)
    _add_tree(digest, _PACKAGE, "site_builder", hashes)
    _add_tree(digest, DEFAULT_THEME, "theme", hashes, theme=True)
    if config.theme_dir is not None:
        _add_tree(digest, config.theme_dir, "site-theme", hashes, theme=True)
    return digest.hexdigest()


@dataclass
class BuildCache:
    """The cache of one project: read when a build starts, written when it has succeeded."""

    folder: Path
    fingerprint: str | None
    out_dir: str | None = None
    """The output folder the last build wrote, resolved."""
    last_fingerprint: str | None = None
    folders: dict[str, int] = field(default_factory=dict)
    """Each folder of the last build's output (relative; "" is the output itself) and its modification time."""
    _markdown: dict[bytes, str] | None = None

    @classmethod
    def open(cls, config_path: Path, options: dict[str, Any]) -> BuildCache:
        """The project's cache; empty if there is none, it is unreadable or it cannot be trusted."""
        folder = cache_dir(config_path)
        if not trusted(folder):
            cache = cls(folder, fingerprint(config_path, options))
            cache._markdown = {}
            return cache
        hashes = FileHashes.load(folder)
        cache = cls(folder, fingerprint(config_path, options, hashes))
        hashes.save(folder)
        cache._read_last_build()
        return cache

    @classmethod
    def of_last_build(cls, config_path: Path) -> BuildCache | None:
        """The project's cache as the last build left it, without a fingerprint of the inputs now (`serve`
        starts from that build's output, see last_output.py); None if it cannot be trusted."""
        folder = cache_dir(config_path)
        if not trusted(folder):
            return None
        cache = cls(folder, None)
        cache._read_last_build()
        return cache

    def _read_last_build(self) -> None:
        state = _load(self.folder / "build.json")
        if isinstance(state, dict) and state.get("format") == FORMAT:
            try:
                self.out_dir = str(state["out_dir"]) if state["out_dir"] else None
                self.last_fingerprint = str(state["fingerprint"]) if state["fingerprint"] else None
                self.folders = {str(k): int(v) for k, v in state["folders"].items()}
            except (KeyError, TypeError, ValueError, AttributeError):
                self.out_dir, self.last_fingerprint, self.folders = None, None, {}

    @property
    def markdown(self) -> dict[bytes, str]:
        """HTML of the last build's Markdown texts, by `text_key` of the text."""
        if self._markdown is None:
            self._markdown = {}
            stored = _load(self.folder / "markdown.json")
            if (
                isinstance(stored, dict)
                and stored.get("converter") == _converter()
                and isinstance(stored.get("texts"), dict)
            ):
                self._markdown = {
                    bytes.fromhex(k): v for k, v in stored["texts"].items() if isinstance(v, str) and _is_hex(k)
                }
        return self._markdown

    def intact(self, out_dir: Path) -> bool:
        """Whether `out_dir` is the last build's output, no file added, removed or replaced since.

        Every change of a folder's entries changes its modification time, so checking the folders finds
        a deleted page without looking at each of the hundreds of thousands of files. A file edited in
        place is not found: the output folder is the build's own (see write.MARKER).
        """
        target = out_dir.resolve()
        if self.out_dir != str(target) or not self.folders or not (target / MARKER).is_file():
            return False
        # Paths as strings, not Path objects: a large site has a hundred thousand folders, and pathlib's
        # parsing took twice as long as the stat calls themselves (0.35 s of 0.6 at 10,000 documents).
        prefix = f"{target}{os.sep}"
        try:
            return all(
                os.stat(f"{prefix}{folder}").st_mtime_ns == mtime_ns for folder, mtime_ns in self.folders.items()
            )
        except OSError:
            return False

    def up_to_date(self, out_dir: Path) -> bool:
        """True if the inputs are those of the last build and `out_dir` still holds what it wrote."""
        return self.fingerprint is not None and self.fingerprint == self.last_fingerprint and self.intact(out_dir)

    def previous_output(self, out_dir: Path) -> dict[str, Written] | None:
        """What the last build wrote into `out_dir`, if that folder still holds it; else None."""
        if not self.intact(out_dir):
            return None
        written = _load(self.folder / "written.json")
        if not isinstance(written, dict):
            return None
        try:
            return {str(k): Written(int(v[0]), int(v[1]), str(v[2])) for k, v in written.items()}
        except (TypeError, ValueError, IndexError):
            return None

    def forget_output(self) -> None:
        """Before writing into the output: if writing stops halfway, the next build must not trust it."""
        _remove(self.folder / "build.json")

    def save_markdown(self, markdown: dict[bytes, str]) -> Callable[[], None]:
        """Start storing the build's converted Markdown, if it changed, by another process while this one
        writes the site (encoding takes about 0.05 s at 2,000 texts); the function returned waits for it."""
        if markdown == self.markdown:
            return lambda: None
        texts = {key.hex(): html for key, html in markdown.items()}
        return in_background(lambda: _store(self.folder / "markdown.json", {"converter": _converter(), "texts": texts}))

    def save(self, out_dir: Path | None, written: dict[str, Written]) -> None:
        """Record a successful build (after `save_markdown`). A cache that cannot be written only costs the
        next build time."""
        if out_dir is None:
            return
        target = out_dir.resolve()
        folders: dict[str, int] = {}
        try:
            for relative in sorted({posixpath.dirname(path) for path in written} | {""}):
                while relative not in folders:
                    folders[relative] = os.stat(f"{target}/{relative}").st_mtime_ns
                    relative = posixpath.dirname(relative)
        except OSError:
            return
        _store(self.folder / "written.json", {path: list(record) for path, record in written.items()})
        # build.json last: it is what makes the next build trust the rest.
        state = {"format": FORMAT, "fingerprint": self.fingerprint, "out_dir": str(target), "folders": folders}
        _store(self.folder / "build.json", state)


def _converter() -> str:
    """What Markdown's HTML depends on besides the text: the converter's code and library versions."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"format {FORMAT}\n".encode())
    for name in ("markdown-it-py", "mdit-py-plugins", "cmarkgfm", "nh3"):
        try:
            digest.update(f"{name}={version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=missing\n".encode())
    for module in ("markdown.py", "adjusted_markdown.py"):
        digest.update((_PACKAGE / module).read_bytes())
    return digest.hexdigest()


def trusted(folder: Path) -> bool:
    """False if the cache folder is a link or git tracks anything in it (it came with the sources)."""
    if folder.is_symlink():
        return False
    try:
        listed = subprocess.run(
            ["git", "-C", str(folder.parent), "ls-files", "-z", "--", CACHE_DIR],
            capture_output=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return True  # no git: nothing can have come with a pull request
    return listed.returncode != 0 or not listed.stdout


def _is_hex(text: Any) -> bool:
    try:
        bytes.fromhex(text)
    except (TypeError, ValueError):
        return False
    return True


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _store(path: Path, value: Any) -> None:
    # pydantic's encoder, in Rust: the text of compact json.dumps(ensure_ascii=False), in half the time
    store_atomically(path, lambda out: out.write(to_json(value)))


def store_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> bool:
    """Make the file `path` of what `write` writes, through a temporary file beside it, so that an
    interrupted build never leaves half a file; False if the disk refused (a cache file that cannot be
    written only costs the next build time)."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            _remove(Path(temporary))
        return False
    return True


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        return
