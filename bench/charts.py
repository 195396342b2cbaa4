"""Milliseconds per chart: specs built, then drawn cold (empty cache) and again from the cache.

    python -m bench.charts                  # the shipped site's charts
    python -m bench.charts --config PATH    # another site, e.g. a corpus from bench.corpus

Prints one row per chart kind and a total. Not a test: tests/test_bench.py runs it once to keep it working.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from site_builder.build import load_site
from site_builder.chart_images import ChartImages
from site_builder.charts import Chart, site_charts
from site_builder.diagnostics import Diagnostics
from site_builder.render import ATLAS
from site_builder.theme import load_theme

REPO = Path(__file__).resolve().parent.parent


def measure(config: Path) -> list[tuple[str, int, float, float, float]]:
    """(chart kind, charts, ms per spec, ms per cold drawing, ms per cached drawing) for every kind and the total."""
    import json

    diagnostics = Diagnostics()
    site = load_site(config, diagnostics)
    theme = load_theme(site, diagnostics) if site is not None else None
    if site is None or theme is None:
        raise SystemExit("\n".join(str(d) for d in diagnostics.sorted()))
    atlas = json.loads(theme.assets[ATLAS]) if ATLAS in theme.assets else None
    started = time.perf_counter()
    charts: dict[str, Chart] = {}
    for lang in site.config.settings.languages:
        for page_charts in site_charts(site, theme.strings[lang], atlas).values():
            for chart in page_charts:
                charts[f"{lang}/{chart.id}"] = chart
    spec_seconds = time.perf_counter() - started
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
            timings = []
            for images in (cold_images, warm_images):
                started = time.perf_counter()
                for chart in kind_charts:
                    images.svg(chart.spec)
                timings.append(time.perf_counter() - started)
            totals[0] += timings[0]
            totals[1] += timings[1]
            share = spec_seconds * len(kind_charts) / len(charts)
            rows.append(
                (
                    kind,
                    len(kind_charts),
                    _ms(share, kind_charts),
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
    args = parser.parse_args(argv)
    print(f"{'chart kind':<24}{'charts':>8}{'spec ms':>10}{'cold ms':>10}{'cached ms':>11}")
    for kind, count, spec, cold, cached in measure(args.config):
        print(f"{kind:<24}{count:>8}{spec:>10.1f}{cold:>10.1f}{cached:>11.2f}")


if __name__ == "__main__":
    main()
