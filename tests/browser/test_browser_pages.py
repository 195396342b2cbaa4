"""Every page type in every language, in Chromium: axe-core (WCAG 2.1 A/AA) in light and dark mode,
reflow at 320 px, no request leaving the site, no console error; the Nu Html Checker over the whole site;
the language switcher."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from .browser_support import Visit, axe_violations, representative_pages

LANGUAGES = ["nb", "sv", "en"]


def _check_pages(
    open_page: Callable[..., Visit], site_dir: Path, lang: str, check: Callable[[Visit], list[str]], **options: Any
) -> None:
    problems: list[str] = []
    pages = representative_pages(site_dir, lang)
    for path in pages:
        visit = open_page(path, **options)
        found = check(visit)
        found += [f"request to another origin: {url}" for url in visit.outside_requests]
        found += [f"console: {error}" for error in visit.errors]
        problems += [f"{path}: {problem}" for problem in found]
    assert len(pages) > 20
    assert problems == [], f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_wcag_violation_on_any_page_type_in_light_or_dark_mode(
    open_page: Callable[..., Visit], site_dir: Path, axe_source: str, lang: str
) -> None:
    def light_and_dark(visit: Visit) -> list[str]:
        found = axe_violations(visit.page, axe_source)
        # The dark scheme changes colours only, so only the colour rules run again (on the same page).
        visit.page.emulate_media(color_scheme="dark")
        assert visit.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        dark = axe_violations(visit.page, axe_source, ["color-contrast", "link-in-text-block"])
        return found + [f"in dark mode: {violation}" for violation in dark]

    _check_pages(open_page, site_dir, lang, light_and_dark)


# Boxes that may scroll sideways inside themselves at 320 px (WCAG 1.4.10 allows it for data tables and
# figures); everything else must fit.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (element) => element.closest('table, pre, .chart-image, .table-scroll');
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (inScroller(element)) continue;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      wide.push(element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).split(' ')[0] : '') + ' right edge ' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_scrolls_sideways_at_320_px(open_page: Callable[..., Visit], site_dir: Path, lang: str) -> None:
    def reflow(visit: Visit) -> list[str]:
        result = visit.page.evaluate(_OVERFLOW)
        if result["scrollWidth"] <= 320:
            return []
        return [f"page is {result['scrollWidth']} px wide at 320 px: {', '.join(result['wide'])}"]

    _check_pages(open_page, site_dir, lang, reflow, width=320, height=640)


def test_nu_html_checker_finds_no_error_in_the_whole_site(site_dir: Path, node_modules: Path, java: str) -> None:
    jar = node_modules / "vnu-jar" / "build" / "dist" / "vnu.jar"
    pages = list(site_dir.rglob("*.html"))
    completed = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--skip-non-html", "--format", "json", str(site_dir)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(completed.stderr or completed.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('url', '').split(str(site_dir))[-1]}:{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()[:120]}]"
        for m in messages
    ]
    assert len(pages) > 300
    assert errors == [], f"{len(errors)} Nu Html Checker errors:\n" + "\n".join(errors[:80])


@pytest.mark.parametrize("section", ["decisions", "strategies", "memberships"])
def test_the_language_switcher_leads_to_the_same_document(
    open_page: Callable[..., Visit], site_dir: Path, section: str
) -> None:
    documents = sorted((site_dir / "nb" / section).glob("*/index.html"))
    assert documents, f"the shipped site has {section}"
    path = documents[0].relative_to(site_dir).as_posix()
    visit = open_page(path)
    page = visit.page
    document_id = path.split("/")[2]
    for lang in ("sv", "en", "nb"):
        page.locator(f"nav.languages a[hreflang={lang}]").click()
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.lang") == lang
        assert re.search(rf"/{lang}/{section}/{re.escape(document_id)}/(index\.html)?$", page.url), page.url
        assert page.locator(f"nav.languages a[hreflang={lang}][aria-current]").count() == 1
    assert visit.errors == []
    assert visit.outside_requests == []


# What a browser fetches by itself when it shows a page (links and forms only on a click).
_FETCHED = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "source": ("src", "srcset"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
_FETCHED_LINKS = {
    "stylesheet",
    "icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
    "preconnect",
    "dns-prefetch",
}
_ELSEWHERE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


class _ResourceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elsewhere: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        names: tuple[str, ...] = _FETCHED.get(tag, ())
        if tag == "link" and _FETCHED_LINKS & set((values.get("rel") or "").lower().split()):
            names = ("href", "imagesrcset")
        for name in names:
            for url in re.split(r",\s*", values.get(name) or ""):
                if _ELSEWHERE.match(url):
                    self.elsewhere.append(f"<{tag} {name}={url.split()[0]}>")
        if "url(" in (values.get("style") or ""):
            self.elsewhere += [f"<{tag} style> {u}" for u in _css_urls_elsewhere(values["style"] or "")]


def _css_urls_elsewhere(css: str) -> list[str]:
    found = re.findall(r"""url\(\s*['"]?([^'")\s]+)""", css) + re.findall(r"""@import\s+['"]([^'"]+)""", css)
    return [url for url in found if _ELSEWHERE.match(url)]


def test_no_page_or_stylesheet_of_the_whole_site_loads_anything_from_elsewhere(site_dir: Path) -> None:
    """Every page of the site, not only the ones the browser opens: nothing it loads by itself (scripts,
    styles, images, fonts, frames) comes from another host."""
    problems: list[str] = []
    pages = sorted(site_dir.rglob("*.html"))
    for page in pages:
        finder = _ResourceFinder()
        finder.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(site_dir)}: {what}" for what in finder.elsewhere]
    for stylesheet in sorted(site_dir.rglob("*.css")):
        urls = _css_urls_elsewhere(stylesheet.read_text(encoding="utf-8"))
        problems += [f"{stylesheet.relative_to(site_dir)}: {url}" for url in urls]
    assert len(pages) > 300
    assert problems == []
