"""Find content and registry files and parse them, keeping every position.

Nothing here knows the content types: it yields YAML data with positions and
the Markdown body text, and records every problem as a diagnostic.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics
from .markdown import markdown_problem, may_have_markdown_problem
from .yamlio import Location, YamlDocument, YamlSyntaxError, parse_yaml

MAX_FILE_BYTES = 2_000_000
"""Larger files are refused: no real document comes near, and a huge one would stall the build."""

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass
class SourceFile:
    """A file's text and its path as shown in diagnostics (relative to the project root)."""

    path: Path
    shown: str
    text: str


@dataclass
class RawDocument:
    """A content file split into front matter and Markdown body."""

    source: SourceFile
    front_matter: YamlDocument
    body: str
    body_line: int
    """The 1-based line in the file where the body starts."""

    @property
    def stem(self) -> str:
        return self.source.path.stem


@dataclass
class RawRegistry:
    """One data/<name>.yaml file."""

    name: str
    source: SourceFile
    document: YamlDocument


def shown_path(path: Path, root: Path) -> str:
    """The path as an editor knows it: relative to the project, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, root: Path, diagnostics: Diagnostics, confine: bool = False) -> SourceFile | None:
    """Read a UTF-8 file (a BOM and Windows line endings are accepted).

    With `confine`, a file whose real location is outside `root` (through a symbolic link) is refused.
    """
    shown = shown_path(path, root)
    if confine:
        try:
            outside = not path.resolve().is_relative_to(root.resolve())
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
            diagnostics.error(shown, 1, 1, f"cannot read the file: {getattr(exc, 'strerror', None) or exc}")
            return None
        if outside:
            _outside(shown, diagnostics)
            return None
    return _source_file(path, shown, diagnostics)


def _outside(shown: str, diagnostics: Diagnostics) -> None:
    diagnostics.error(
        shown, 1, 1, f"'{shown}' is a symbolic link that leads outside the project",
        "copy the file into the project instead",
    )  # fmt: skip


def _source_file(path: Path, shown: str, diagnostics: Diagnostics) -> SourceFile | None:
    """The file's text, checked: within the size limit, UTF-8 and free of NUL characters."""
    try:
        data = _read_limited(path)
    except OSError as exc:
        diagnostics.error(shown, 1, 1, f"cannot read the file: {exc.strerror or exc}")
        return None
    if isinstance(data, int):
        diagnostics.error(
            shown, 1, 1, f"file is {data:,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
            "split it into several documents",
        )  # fmt: skip
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.error(shown, line, column, "the file is not valid UTF-8", "save it with UTF-8 encoding")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        diagnostics.error(shown, line, 1, "the file contains a NUL character", "is this a binary file?")
        return None
    return SourceFile(path=path, shown=shown, text=text)


def _read_limited(path: Path) -> bytes | int:
    """The file's bytes, or its size if that is over MAX_FILE_BYTES (then it is not read)."""
    with open(path, "rb", buffering=0) as file:  # one open file for the size and the bytes
        size = os.fstat(file.fileno()).st_size
        return size if size > MAX_FILE_BYTES else file.readall()


def _parse(
    source: SourceFile, text: str, line_offset: int, diagnostics: Diagnostics, start: int = 0, end: int | None = None
) -> YamlDocument | None:
    try:
        document = parse_yaml(text, line_offset=line_offset, start=start, end=end)
    except YamlSyntaxError as exc:
        diagnostics.error(source.shown, exc.line, exc.column, f"YAML syntax error: {exc.message}")
        return None
    for problem in document.problems:
        diagnostics.error(source.shown, problem.line, problem.column, problem.message, problem.hint)
    return None if document.problems else document


def split_front_matter(source: SourceFile, diagnostics: Diagnostics) -> RawDocument | None:
    """Split `---` front matter from the Markdown body and parse the YAML."""
    text = source.text
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        diagnostics.error(
            source.shown,
            1,
            1,
            "the file does not start with YAML front matter",
            "begin the file with a line '---', the fields, then another '---'",
        )
        return None
    end = _FRONT_MATTER_END.search(text, 4)
    if end is None:
        diagnostics.error(source.shown, 1, 1, "the front matter is not closed", "end the YAML fields with a line '---'")
        return None
    document = _parse(source, text, line_offset=1, diagnostics=diagnostics, start=4, end=end.start())
    if document is None:
        return None
    if not isinstance(document.data, dict):
        diagnostics.error(
            source.shown, 2, 1, "the front matter must be a mapping of fields", "write one 'field: value' per line"
        )
        return None
    body_start = end.end() + 1
    body_line = text[:body_start].count("\n") + 1
    raw = RawDocument(source=source, front_matter=document, body=text[body_start:], body_line=body_line)
    return raw if _within_markdown_limits(raw, diagnostics) else None


def _texts(value: dict[str, Any] | list[Any], found: list[str]) -> list[str]:
    """Every string in `value` (a front matter's data), appended to `found`."""
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, (dict, list)):
            _texts(item, found)
    return found


def _strings(value: Any, location: Location) -> Iterator[tuple[Location, str]]:
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*location, index))


def _within_markdown_limits(raw: RawDocument, diagnostics: Diagnostics) -> bool:
    """Refuse Markdown nested too deep to render, in the body and in any front-matter text."""
    fine = True
    problem = markdown_problem(raw.body)
    if problem is not None:
        diagnostics.error(raw.source.shown, raw.body_line + problem[0], 1, problem[1], problem[2])
        fine = False
    if not may_have_markdown_problem(_texts(raw.front_matter.data, [])):
        return fine
    for location, text in _strings(raw.front_matter.data, ()):
        problem = markdown_problem(text)
        if problem is not None:
            line, column = raw.front_matter.position(location)
            diagnostics.error(raw.source.shown, line, column, problem[1], problem[2])
            fine = False
    return fine


def _markdown_files(content_dir: Path) -> list[tuple[tuple[str, ...], bool]]:
    """Every Markdown file below `content_dir` (not in linked folders) as its path's parts, in path order,
    and whether it is a symbolic link: what `Path.rglob` finds, from the folder listings alone."""
    found: list[tuple[tuple[str, ...], bool]] = []
    pending: list[tuple[str, ...]] = [()]
    while pending:
        parts = pending.pop()
        try:
            entries = os.scandir(os.path.join(content_dir, *parts))
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((*parts, entry.name))
                elif entry.name.endswith(".md") and entry.is_file():
                    found.append(((*parts, entry.name), entry.is_symlink()))
    found.sort()  # by parts, as Paths sort
    return found


def read_content(content_dir: Path, root: Path, diagnostics: Diagnostics) -> list[SourceFile]:
    """Every content file's text, in path order; files whose real location is outside `root` (through a
    symbolic link) are refused, as `read_text` refuses them."""
    sources = []
    shown_folder = shown_path(content_dir, root)
    prefix = "" if shown_folder == "." else f"{shown_folder}/"
    # Resolving a path looks at every folder on the way, which costs more than reading a small file: each
    # folder is resolved once, and only a file that is a link itself on its own.
    inside: dict[tuple[str, ...], bool] = {}
    real_root = root.resolve()
    for parts, is_link in _markdown_files(content_dir):
        path = content_dir.joinpath(*parts)
        shown = prefix + "/".join(parts)
        try:
            folder = parts[:-1]
            if folder not in inside:
                inside[folder] = content_dir.joinpath(*folder).resolve().is_relative_to(real_root)
            within = path.resolve().is_relative_to(real_root) if is_link else inside[folder]
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
            diagnostics.error(shown, 1, 1, f"cannot read the file: {getattr(exc, 'strerror', None) or exc}")
            continue
        if not within:
            _outside(shown, diagnostics)
            continue
        source = _source_file(path, shown, diagnostics)
        if source is not None:
            sources.append(source)
    return sources


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused (if it was running) while a phase makes many objects that stay.

    A full collection walks every object alive, and the more objects a phase keeps the more often one
    runs: loading 10,000 documents spent a third of its time in them, and parsed data holds no cycles.
    Cycles made meanwhile are collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def split_content(sources: list[SourceFile], diagnostics: Diagnostics) -> list[RawDocument]:
    """Each content file split into front matter and body; those that cannot be are reported."""
    documents = []
    with paused_cycle_collection():
        for source in sources:
            raw = split_front_matter(source, diagnostics)
            if raw is not None:
                documents.append(raw)
    return documents


def markdown_body(text: str) -> str | None:
    """The Markdown body of a content file's text as `split_front_matter` cuts it, without parsing the
    front matter; None if the text has none."""
    end = _FRONT_MATTER_END.search(text, 4) if text.startswith("---\n") else None
    return None if end is None else text[end.end() + 1 :]


def load_registries(data_dir: Path, names: list[str], root: Path, diagnostics: Diagnostics) -> list[RawRegistry]:
    """Parse data/<name>.yaml for each known registry; other files there are reported."""
    registries = []
    if data_dir.is_dir():
        for path in sorted(data_dir.glob("*.y*ml")):
            if path.stem not in names:
                diagnostics.error(
                    shown_path(path, root),
                    1,
                    1,
                    f"unknown registry '{path.stem}'",
                    "registries are: " + ", ".join(names),
                )
    for name in names:
        path = data_dir / f"{name}.yaml"
        if not path.exists():
            continue
        source = read_text(path, root, diagnostics, confine=True)
        if source is None:
            continue
        document = _parse(source, source.text, line_offset=0, diagnostics=diagnostics)
        if document is None:
            continue
        if document.data is None:
            document.data = []
        if not isinstance(document.data, list):
            diagnostics.error(
                source.shown, 1, 1, f"data/{name}.yaml must be a list of entries", "start each entry with '- id: ...'"
            )
            continue
        registries.append(RawRegistry(name=name, source=source, document=document))
    return registries
