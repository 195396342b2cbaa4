"""Chart specs drawn as SVG and PNG by vl-convert, cached on disk by a hash of the spec.

An unchanged chart is never drawn twice across builds: the cache key covers
the spec, vl-convert's version and the fonts, so any change to them draws anew.
Cache files are written atomically, so an interrupted build leaves no half file.
The cache is not used when git tracks files in it: drawn SVG goes into pages as
it is, so a pull request must not bring its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

from .cache import store_atomically, trusted

PNG_SCALE = 2
"""PNG downloads at twice the SVG's size, sharp on high-density screens and in print."""

_registered_fonts: set[Path] = set()


def vl_convert_with_fonts(font_dirs: list[Path]) -> ModuleType:
    """vl-convert, given the theme's fonts (once per process) so that it measures text as browsers draw
    it. Imported when a chart is first drawn: most builds draw none (they are cached), and some sites
    have no charts."""
    import vl_convert

    for folder in font_dirs:
        if folder.is_dir() and folder not in _registered_fonts:
            vl_convert.register_font_directory(str(folder))
            _registered_fonts.add(folder)
    return vl_convert


class ChartImages:
    """Draws specs, reading and filling the on-disk cache."""

    def __init__(self, cache_dir: Path | None, font_dirs: list[Path]) -> None:
        self.cache_dir = cache_dir if cache_dir is None or trusted(cache_dir.parent) else None
        self.font_dirs = font_dirs
        self._drawn_ahead: dict[str, bytes] = {}
        """Images drawn by `draw_ahead` when there is no cache folder to put them in."""
        self.drawn = 0
        """How many images this build drew rather than read from the cache."""
        self._drawing_failed = False
        """Whether `draw_ahead`'s processes failed once (and so would again)."""
        self._keys: dict[int, tuple[dict[str, Any], str]] = {}
        """Each spec looked up since `forget_keys`, by identity, with its key: a chart is looked up five
        times (drawn ahead, shown, its embed page, its two images), and its key is its spec's JSON hashed."""

    @cached_property
    def _salt(self) -> str:
        """Part of every key: what the drawing depends on besides the spec. Worked out when the first
        chart is looked up, as a site without charts needs none."""
        fonts = hashlib.sha256()
        for folder in self.font_dirs:
            for font in sorted(folder.glob("*.[ot]tf")) if folder.is_dir() else []:
                fonts.update(font.name.encode() + font.read_bytes())
        return f"{version('vl-convert-python')}:{fonts.hexdigest()}:{_ID_SCHEME}"

    def _key(self, spec: dict[str, Any]) -> str:
        # A spec is never changed once made (see charts._spec); the entry holds it, so its id stays its own.
        known = self._keys.get(id(spec))
        if known is not None and known[0] is spec:
            return known[1]
        text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha256(f"{self._salt}\n{text}".encode()).hexdigest()
        self._keys[id(spec)] = (spec, key)
        return key

    def forget_keys(self) -> None:
        """Let go of the specs looked up so far (when their pages are made: see render.py)."""
        self._keys.clear()

    def _cached(self, key: str, suffix: str) -> bytes | None:
        if self.cache_dir is None:
            return self._drawn_ahead.get(key + suffix)
        path = self.cache_dir / key[:2] / f"{key}{suffix}"
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _store(self, key: str, suffix: str, data: bytes) -> None:
        if self.cache_dir is None:
            return
        # A read-only or full disk only costs speed: the image was drawn and is used all the same.
        store_atomically(self.cache_dir / key[:2] / f"{key}{suffix}", lambda out: out.write(data))

    def svg(self, spec: dict[str, Any]) -> str:
        key = self._key(spec)
        cached = self._cached(key, ".svg")
        if cached is not None:
            return cached.decode("utf-8")
        drawn = stable_ids(vl_convert_with_fonts(self.font_dirs).vegalite_to_svg(spec))
        self.drawn += 1
        self._store(key, ".svg", drawn.encode("utf-8"))
        return drawn

    def draw_ahead(self, specs: Iterable[dict[str, Any]], jobs: int) -> None:
        """Draw every spec not drawn before, SVG and PNG, over up to `jobs` processes, into the cache.

        The workers start afresh instead of being forked: vl-convert's engine does not work in a forked
        child once it has run in the parent. Below a few charts per worker, `svg` and `png` draw them.
        """
        todo: dict[str, dict[str, Any]] = {}
        for spec in specs:
            key = self._key(spec)
            if key not in todo and not self._has(key):
                todo[key] = spec
        workers = min(jobs, len(todo) // MIN_CHARTS_PER_WORKER)
        if workers < 2 or self._drawing_failed:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(
            workers, multiprocessing.get_context("spawn"), vl_convert_with_fonts, (self.font_dirs,)
        )
        # Outside the `try`: a process that is itself starting cannot start others, and must fail (see below).
        drawings = pool.map(_draw, todo.values(), chunksize=4)
        try:
            for key, (svg, png) in zip(todo, drawings, strict=True):
                for suffix, data in ((".svg", svg), (".png", png)):
                    if self.cache_dir is None:
                        self._drawn_ahead[key + suffix] = data
                    else:
                        self._store(key, suffix, data)
                self.drawn += 1
        except (BrokenProcessPool, ValueError, RuntimeError):
            # A drawing process stopped (killed, or a script that calls build() without the
            # `if __name__ == "__main__":` guard, which each new process runs again and fails in), or
            # vl-convert refused a spec: what is left is drawn one by one, where a refused spec is reported
            # (render._figures). A multiprocessing.Pool would start new processes forever instead.
            self._drawing_failed = True
        finally:
            pool.shutdown(cancel_futures=True)

    def _has(self, key: str) -> bool:
        if self.cache_dir is None:
            return key + ".png" in self._drawn_ahead
        return (self.cache_dir / key[:2] / f"{key}.svg").is_file() and (
            self.cache_dir / key[:2] / f"{key}.png"
        ).is_file()

    def file(self, spec: dict[str, Any], suffix: str) -> Path | bytes:
        """The drawn image (suffix ".svg" or ".png") as its file in the cache, or its bytes if not cached."""
        if self.cache_dir is not None:
            key = self._key(spec)
            path = self.cache_dir / key[:2] / f"{key}{suffix}"
            if path.is_file():
                return path
        return self.svg(spec).encode("utf-8") if suffix == ".svg" else self.png(spec)

    def png(self, spec: dict[str, Any]) -> bytes:
        key = self._key(spec)
        cached = self._cached(key, ".png")
        if cached is not None:
            return cached
        drawn = bytes(vl_convert_with_fonts(self.font_dirs).svg_to_png(self.svg(spec), scale=PNG_SCALE))
        self._store(key, ".png", drawn)
        return drawn


MIN_CHARTS_PER_WORKER = 8
"""Starting a drawing process takes about a second; below this many charts each, draw in the build's own."""


def _draw(spec: dict[str, Any]) -> tuple[bytes, bytes]:
    """SVG and PNG of one spec, in a drawing process."""
    import vl_convert  # the pool's initializer gave it the fonts

    svg = stable_ids(vl_convert.vegalite_to_svg(spec))
    return svg.encode("utf-8"), bytes(vl_convert.svg_to_png(svg, scale=PNG_SCALE))


# An id attribute: `id="…"` not at the end of a longer name, as \bid="…" would find it. Written with the
# check after the literal start, which Python's regular expressions then look for directly: 25 times faster
# than a pattern that starts with \b, which is tried at every character (it took 8 % of a 10,000-document build).
_ID = re.compile(r'id(?<!\wid)="([^"]+)"')
_NUMBERED_ID = re.compile(r'id(?<!\wid)="([A-Za-z_-]*)(\d+)"')
_ID_SCHEME = "ids-from-1"
"""Part of the cache key: images cached before their ids were numbered per chart are drawn again."""


def stable_ids(svg: str) -> str:
    """The SVG with its numbered ids (clip1, clip2, …) counted from 1 within this one chart.

    vl-convert numbers clip paths from a counter that runs across every chart one process draws, so a
    spec would give other bytes after other charts, and a chart from the cache would differ from the
    same chart drawn in a clean build.
    """
    found = list(dict.fromkeys((m.group(1), m.group(2)) for m in _NUMBERED_ID.finditer(svg)))
    if not found:
        return svg
    counters: dict[str, int] = {}
    renamed: dict[str, str] = {}
    for prefix, number in found:
        counters[prefix] = counters.get(prefix, 0) + 1
        renamed[prefix + number] = f"{prefix}{counters[prefix]}"
    names = "|".join(re.escape(name) for name in sorted(renamed, key=len, reverse=True))
    return re.sub(rf'(id="|#)({names})(?=["\)])', lambda m: m.group(1) + renamed[m.group(2)], svg)


_INNER_ARIA = re.compile(r' (?:role|aria-roledescription|aria-label)="[^"]*"')


def inline_svg(svg: str, prefix: str, labelled_by: str) -> str:
    """The SVG ready to sit inside a page: one image for assistive technology, ids unique on the page.

    vl-convert numbers clip paths and gradients from 1 in every chart, so two charts on one page
    would share ids; each gets its chart's prefix.
    """
    for name in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"').replace(f"#{name})", f"#{prefix}-{name})")
        svg = svg.replace(f'href="#{name}"', f'href="#{prefix}-{name}"')
    # The whole picture is one image named by the caption; Vega's roles on mark containers would make
    # nameless images inside it (axe: svg-img-alt), and the data table already gives every value.
    svg = _INNER_ARIA.sub("", svg)
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-labelledby="{labelled_by}" focusable="false" ', svg, count=1)
    return re.sub(r'<svg([^>]*?) class="marks"', r'<svg\1 class="chart-svg"', svg, count=1)
