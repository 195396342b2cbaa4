"""Charts as parts of pages and as files: inline SVG, data table, downloads and an embed page per chart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import urls
from .chart_images import ChartImages, inline_svg
from .charts import Chart
from .i18n import Strings
from .opendata.csvfile import write_csv
from .opendata.jsontext import json_text
from .opendata.tables import Column


@dataclass(frozen=True)
class Figure:
    """A chart as one page shows it; every URL relative to that page."""

    chart: Chart
    svg: Markup
    cells: list[list[str]]
    """The data table, formatted for the page's language."""
    downloads: list[tuple[str, str]]
    """(label, url) for SVG, PNG, CSV, the Vega-Lite spec and the embed page."""
    spec_url: str
    embed_url: str

    @property
    def anchor(self) -> str:
        return f"chart-{self.chart.id}"


def _cell(value: Any, kind: str, t: Strings) -> str:
    if value is None:
        return ""
    if kind in ("number", "integer") and isinstance(value, int | float):
        return t.number(value) if kind == "number" else str(value)
    if kind == "date":
        return t.date(value)
    return str(value)


def figure(chart: Chart, page_path: str, svg: str, t: Strings) -> Figure:
    def link(suffix: str) -> str:
        return urls.relative_url(page_path, urls.chart_file_path(chart.lang, chart.id, suffix))

    anchor = f"chart-{chart.id}"
    downloads = [
        ("SVG", link(".svg")),
        ("PNG", link(".png")),
        ("CSV", link(".csv")),
        (t("chart.download.spec"), link(".vl.json")),
    ]
    embed_url = urls.relative_url(page_path, urls.embed_path(chart.lang, chart.id))
    cells = [[_cell(v, c.type, t) for v, c in zip(row, chart.columns, strict=True)] for row in chart.rows]
    return Figure(chart, Markup(inline_svg(svg, anchor, f"{anchor}-title {anchor}-description")), cells, downloads,
                  link(".vl.json"), embed_url)  # fmt: skip


def chart_files(chart: Chart, images: ChartImages) -> dict[str, bytes | Path]:
    """A chart's downloads, by output path; the drawn images as their files in the chart cache."""
    columns = [Column(c.name, c.type, c.label) for c in chart.columns]
    spec = json_text(chart.spec, indent=1) + "\n"
    return {
        urls.chart_file_path(chart.lang, chart.id, ".svg"): images.file(chart.spec, ".svg"),
        urls.chart_file_path(chart.lang, chart.id, ".png"): images.file(chart.spec, ".png"),
        urls.chart_file_path(chart.lang, chart.id, ".csv"): write_csv(columns, chart.rows),
        urls.chart_file_path(chart.lang, chart.id, ".vl.json"): spec.encode("utf-8"),
    }
