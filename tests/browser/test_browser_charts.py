"""Interactive charts in a real browser: the button, lazy loading from the site itself, the CSP, fallbacks.

A fixture page written to the chart markup contract (with the built site's own assets) tests charts.js on
its own; the real pages with charts are tested the same way once the build makes them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_support import Visit, axe_violations, serve

VOTES_SPEC: dict[str, Any] = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "description": "Votes per party",
    "width": 320,
    "height": 160,
    "data": {"values": [{"party": "Ap", "votes": 14}, {"party": "H", "votes": 9}, {"party": "SV", "votes": 4}]},
    "params": [{"name": "hover", "select": {"type": "point", "on": "pointerover"}}],
    "mark": {"type": "bar", "tooltip": True},
    "encoding": {
        "x": {"field": "party", "type": "nominal", "title": "Parti"},
        "y": {"field": "votes", "type": "quantitative", "title": "Stemmer"},
        "opacity": {"condition": {"param": "hover", "value": 1}, "value": 0.7},
    },
    "config": {"locale": {"number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", " kr"]}}},
}

STATIC_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-description"'
    ' width="320" height="160" viewBox="0 0 320 160"><rect x="20" y="20" width="60" height="140" fill="#0b5fa5"/></svg>'
)


def _sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode("ascii")


def _figure(chart_id: str, spec: str) -> str:
    return f"""<figure class="chart" id="chart-{chart_id}" data-spec="{spec}">
  <div class="chart-image">{STATIC_SVG.format(id=chart_id)}</div>
  <figcaption><span class="chart-title" id="{chart_id}-title">Stemmer per parti</span>
  <span class="chart-description" id="{chart_id}-description">Ap 14, H 9, SV 4.</span></figcaption>
</figure>"""


@pytest.fixture(scope="session")
def fixture_url(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page with two charts per the contract (one whose spec is missing), using the built site's assets."""
    root = tmp_path_factory.mktemp("chart-fixture")
    shutil.copytree(site_dir / "assets", root / "assets")
    (root / "charts").mkdir()
    (root / "charts" / "votes.vl.json").write_text(json.dumps(VOTES_SPEC), encoding="utf-8")
    built = (site_dir / "en" / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>', built)
    assert csp is not None, "the built pages carry a CSP meta tag"
    assets = root / "assets"
    page = f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{csp.group(0)}
<title>Figurer</title>
<link rel="stylesheet" href="assets/style.css" integrity="{_sri(assets / "style.css")}">
</head>
<body>
<main id="main">
<h1>Figurer</h1>
{_figure("votes", "charts/votes.vl.json")}
{_figure("missing", "charts/missing.vl.json")}
</main>
<script src="assets/charts.js" integrity="{_sri(assets / "charts.js")}" defer
  data-integrity-vega="{_sri(assets / "vendor" / "vega.min.js")}"
  data-integrity-vega-lite="{_sri(assets / "vendor" / "vega-lite.min.js")}"
  data-integrity-vega-embed="{_sri(assets / "vendor" / "vega-embed.min.js")}"
  data-label-interactive="Interaktiv figur" data-label-loading="Laster …"
  data-label-ready="Den interaktive figuren vises." data-label-failed="Kunne ikke lastes."></script>
</body>
</html>
"""
    (root / "index.html").write_text(page, encoding="utf-8")
    with serve(root) as url:
        yield url


def _requests_of(visit: Visit) -> list[str]:
    """URLs the page asks for from now on (the page's own requests so far are not recorded)."""
    seen: list[str] = []
    visit.page.on("request", lambda request: seen.append(request.url))
    return seen


def _press_and_wait(visit: Visit, figure: str) -> None:
    page = visit.page
    page.locator(f"{figure} .chart-button").click()
    # Either outcome ends with a status message and the figure no longer busy.
    page.locator(f"{figure}:not([aria-busy]) .chart-status:not(:empty)").wait_for(timeout=20_000)


def test_the_button_loads_vega_from_the_site_only_when_pressed_and_replaces_the_static_svg(
    open_page: Callable[..., Visit], fixture_url: str, axe_source: str
) -> None:
    visit = open_page(fixture_url)
    page = visit.page
    button = page.locator("#chart-votes .chart-button")
    assert button.inner_text() == "Interaktiv figur"
    assert page.evaluate("typeof window.vega") == "undefined"
    requests = _requests_of(visit)

    _press_and_wait(visit, "#chart-votes")

    assert page.locator("#chart-votes .chart-status").inner_text() == "Den interaktive figuren vises."
    assert page.locator("#chart-votes .chart-image .chart-view svg.marks").count() == 1
    assert page.locator("#chart-votes .chart-image > svg").count() == 0, "the static SVG is replaced"
    assert not button.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('chart-view')"), "focus stays on the chart"
    vendor = sorted(url.rsplit("/", 1)[-1] for url in requests if "/assets/vendor/" in url)
    assert vendor == ["vega-embed.min.js", "vega-lite.min.js", "vega.min.js"]
    assert page.locator("style").count() == 0, "no <style> element injected"
    assert visit.errors == []
    assert visit.outside_requests == []
    assert axe_violations(page, axe_source) == []

    # A tooltip on hover, styled by the site's stylesheet.
    page.locator("#chart-votes .chart-view .mark-rect path").first.hover()
    page.locator("#vg-tooltip-element.visible").wait_for(timeout=5_000)
    tooltip = page.locator("#vg-tooltip-element")
    assert "14" in tooltip.inner_text() or "9" in tooltip.inner_text() or "4" in tooltip.inner_text()
    assert tooltip.evaluate("element => getComputedStyle(element).position") == "fixed"
    assert visit.errors == []


def test_a_chart_whose_spec_cannot_be_loaded_keeps_its_static_svg(
    open_page: Callable[..., Visit], fixture_url: str
) -> None:
    visit = open_page(fixture_url)
    page = visit.page
    _press_and_wait(visit, "#chart-missing")

    assert page.locator("#chart-missing .chart-image > svg").is_visible()
    assert page.locator("#chart-missing .chart-view").count() == 0
    assert page.locator("#chart-missing .chart-status").inner_text() == "Kunne ikke lastes."
    assert page.locator("#chart-missing .chart-button").is_enabled(), "the reader may try again"
    assert [e for e in visit.errors if "404" not in e] == []


def test_the_button_works_from_the_keyboard(open_page: Callable[..., Visit], fixture_url: str) -> None:
    visit = open_page(fixture_url)
    page = visit.page
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chart-button')"):
            break
    assert page.evaluate("document.activeElement.closest('figure').id") == "chart-votes"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows a focus outline"
    page.keyboard.press("Enter")
    page.locator("#chart-votes .chart-view svg.marks").wait_for(timeout=20_000)
    assert visit.errors == []


def test_without_javascript_the_static_svg_shows_and_no_button(
    open_page: Callable[..., Visit], fixture_url: str
) -> None:
    visit = open_page(fixture_url, javascript=False)
    page = visit.page
    assert page.locator("#chart-votes .chart-image > svg").is_visible()
    assert page.locator(".chart-button").count() == 0
    assert visit.outside_requests == []


def _chart_pages(site_dir: Path, lang: str) -> dict[str, str]:
    """Per folder of pages (decisions, indicators, embed …), the page with the most charts."""
    best: dict[str, tuple[int, str]] = {}
    for path in sorted((site_dir / lang).rglob("index.html")):
        count = path.read_text(encoding="utf-8").count('<figure class="chart"')
        relative = path.relative_to(site_dir).as_posix()
        folder = relative.split("/")[1] if relative.count("/") > 1 else "home"
        if count and count > best.get(folder, (0, ""))[0]:
            best[folder] = (count, relative)
    return {folder: relative for folder, (_count, relative) in sorted(best.items())}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_chart_on_the_real_pages_becomes_interactive(
    open_page: Callable[..., Visit], site_dir: Path, axe_source: str, lang: str
) -> None:
    pages = _chart_pages(site_dir, lang)
    assert {"home", "decisions", "strategies", "indicators", "organisations", "embed"} <= set(pages), pages
    problems: list[str] = []
    for path in pages.values():
        visit = open_page(path)
        page = visit.page
        figures = page.locator("figure.chart[data-spec]")
        ids = [figures.nth(i).get_attribute("id") for i in range(figures.count())]
        if page.evaluate("typeof window.vega") != "undefined":
            problems.append(f"{path}: Vega loaded before any button was pressed")
        for figure_id in ids:
            _press_and_wait(visit, f"#{figure_id}")
            if page.locator(f"#{figure_id} .chart-view svg.marks").count() != 1:
                status = page.locator(f"#{figure_id} .chart-status").inner_text()
                problems.append(f"{path}#{figure_id}: no interactive view ({status})")
        problems += [f"{path}: {v}" for v in axe_violations(page, axe_source)]
        problems += [f"{path}: console: {e}" for e in visit.errors]
        problems += [f"{path}: request to another origin: {u}" for u in visit.outside_requests]
        if page.locator("style").count():
            problems.append(f"{path}: a <style> element was injected")
    assert problems == [], "\n".join(problems)


def test_without_javascript_the_real_charts_show_their_static_svg(
    open_page: Callable[..., Visit], site_dir: Path
) -> None:
    for path in _chart_pages(site_dir, "en").values():
        visit = open_page(path, javascript=False)
        page = visit.page
        figures = page.locator("figure.chart")
        assert figures.count() > 0, path
        for i in range(figures.count()):
            svg = figures.nth(i).locator(".chart-image > svg")
            assert svg.is_visible(), f"{path}: chart {i + 1}"
            assert svg.bounding_box()["height"] > 40, f"{path}: chart {i + 1} is drawn"
        assert page.locator(".chart-button").count() == 0
        assert visit.outside_requests == []
