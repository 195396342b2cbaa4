"""Milliseconds per chart: specs built, then drawn cold (empty cache) and again from the cache.

    python -m bench.charts                  # the shipped site's charts
    python -m bench.charts --config PATH    # another site, e.g. a corpus from bench.corpus
    python -m bench.charts --specs-only     # only build the specs (drawing cold takes most of the run)

Prints one row per chart kind and a total. A kind's spec time comes from building each page's charts alone
(`site_charts(..., only={page})`, less the cost of a call that builds nothing), shared among the page's
charts; the total is one build of every chart. Not a test: tests/test_charts.py runs it once to keep it working.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

from site_builder.build import load_site
from site_builder.chart_images import ChartImages
from site_builder.charts import Atlas, Chart, site_charts
from site_builder.diagnostics import Diagnostics
from site_builder.graph import Site
from site_builder.i18n import Strings
from site_builder.render import ATLAS
from site_builder.theme import load_theme

REPO = Path(__file__).resolve().parent.parent


def measure(config: Path, draw: bool = True) -> list[tuple[str, int, float, float, float]]:
    """(chart kind, charts, ms per spec, ms per cold drawing, ms per cached drawing) for every kind and the total.

    Without `draw`, the drawing columns are 0.
    """
    diagnostics = Diagnostics()
    site = load_site(config, diagnostics)
    theme = load_theme(site, diagnostics) if site is not None else None
    if site is None or theme is None:
        raise SystemExit("\n".join(str(d) for d in diagnostics.sorted()))
    atlas = partial(json.loads, theme.assets[ATLAS]) if ATLAS in theme.assets else None
    started = time.perf_counter()
    charts: dict[str, Chart] = {}
    for lang in site.config.settings.languages:
        for page_charts in site_charts(site, theme.strings[lang], atlas).values():
            for chart in page_charts:
                charts[f"{lang}/{chart.id}"] = chart
    spec_seconds = time.perf_counter() - started
    spec_by_kind = _spec_seconds_by_kind(site, [theme.strings[lang] for lang in site.config.settings.languages], atlas)
    fonts = [d / "fonts" for d in theme.dirs]
    by_kind: dict[str, list[Chart]] = defaultdict(list)
    for chart in charts.values():
        by_kind[_kind(chart.id)].append(chart)
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        cold_images = ChartImages(Path(cache), fonts)
        warm_images = ChartImages(Path(cache), fonts)
        totals = [0.0, 0.0]
        for kind, kind_charts in sorted(by_kind.items()):
            timings = [0.0, 0.0]
            for index, images in enumerate((cold_images, warm_images) if draw else ()):
                started = time.perf_counter()
                for chart in kind_charts:
                    images.svg(chart.spec)
                timings[index] = time.perf_counter() - started
            totals[0] += timings[0]
            totals[1] += timings[1]
            seconds, built = spec_by_kind[kind]
            rows.append(
                (
                    kind,
                    len(kind_charts),
                    1000 * seconds / max(built, 1),
                    _ms(timings[0], kind_charts),
                    _ms(timings[1], kind_charts),
                )
            )
        everything = list(charts.values())
        rows.append(
            (
                "all",
                len(everything),
                _ms(spec_seconds, everything),
                _ms(totals[0], everything),
                _ms(totals[1], everything),
            )
        )
    return rows


def _spec_seconds_by_kind(site: Site, languages: list[Strings], atlas: Atlas | None) -> dict[str, list[float]]:
    """Seconds spent building each kind's specs and how many were built, page by page."""
    found: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for t in languages:
        started = time.perf_counter()
        site_charts(site, t, atlas, only=())
        overhead = time.perf_counter() - started
        for path in site_charts(site, t, atlas):
            started = time.perf_counter()
            shown = site_charts(site, t, atlas, only={path})[path]
            seconds = max(time.perf_counter() - started - overhead, 0.0)
            for chart in shown:
                found[_kind(chart.id)][0] += seconds / len(shown)
                found[_kind(chart.id)][1] += 1
    return found


def _kind(chart_id: str) -> str:
    kind = chart_id.split("-", 1)[0]
    for part in ("vote", "journey", "fees", "relations", "members", "map"):
        if f"-{part}" in chart_id:
            return f"{kind} {part}"
    return kind


def _ms(seconds: float, charts: list[Chart]) -> float:
    return 1000 * seconds / max(len(charts), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "site.yaml")
    parser.add_argument("--specs-only", action="store_true", help="build the specs, do not draw them")
    args = parser.parse_args(argv)
    print(f"{'chart kind':<24}{'charts':>8}{'spec ms':>10}{'cold ms':>10}{'cached ms':>11}")
    for kind, count, spec, cold, cached in measure(args.config, draw=not args.specs_only):
        print(f"{kind:<24}{count:>8}{spec:>10.1f}{cold:>10.1f}{cached:>11.2f}")


if __name__ == "__main__":
    main()
