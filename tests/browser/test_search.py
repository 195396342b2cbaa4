"""Search in Chromium: Pagefind's index through the site's own script in each language, its filters, the
header search box, the page without JavaScript, and the 404 page's links from a nested address."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .browser_support import Visit

TROMSO_DECISION = (
    "Trygg by Norge- satsningen gjennom medlemskap i Nordic Safe Cities - en nordisk allianse for trygge byer"
)
NORRTALJE_STRATEGY = "Trygghets- och säkerhetsstrategi för Norrtälje kommun"


def _bundle_holding(site_dir: Path, page: str) -> str:
    """The folder (under pagefind/) of the index part whose fragments hold a page."""
    pagefind = site_dir / "pagefind"
    for fragment in sorted(pagefind.rglob("*.pf_fragment")):
        if f'"url":"{page}"'.encode() in gzip.decompress(fragment.read_bytes()):
            return fragment.parent.parent.relative_to(pagefind).as_posix()
    raise AssertionError(f"no part of the index holds {page}")


def _search(page: Any, query: str) -> list[str]:
    """Type a query into the search page and return the result titles once the status line reports them."""
    page.locator("#search-filters").wait_for(state="visible")
    page.fill("#search-q", query)
    page.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q)", arg=query, timeout=15_000
    )
    return page.locator("#search-results h2 a").all_inner_texts()


def test_english_search_finds_tromsos_decision_to_join_nordic_safe_cities(open_page: Callable[..., Visit]) -> None:
    visit = open_page("en/search/", new_page=True)
    page = visit.page
    page.locator("#search-no-script").wait_for(state="hidden")
    titles = _search(page, "Nordic Safe Cities")
    assert TROMSO_DECISION in titles[:5]
    link = page.locator("#search-results a", has_text=TROMSO_DECISION)
    assert link.get_attribute("href", timeout=1000).endswith("/en/decisions/tromso-sak-124-22-nordic-safe-cities/")
    assert " pages match “Nordic Safe Cities”" in page.inner_text("#search-status")
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/en/decisions/tromso-sak-124-22-nordic-safe-cities/")
    assert visit.errors == []
    assert visit.outside_requests == []


def test_swedish_search_finds_norrtaljes_strategy(open_page: Callable[..., Visit], site_dir: Path) -> None:
    visit = open_page("sv/search/", new_page=True)
    titles = _search(visit.page, "tryggaste")
    assert NORRTALJE_STRATEGY in titles[:5]
    # The Swedish index holds the Swedish UI pages only.
    hrefs = visit.page.locator("#search-results h2 a").evaluate_all("links => links.map(a => a.pathname)")
    assert hrefs and all("/sv/" in href for href in hrefs)
    # The index comes in parts (small ones in these tests), and the results come from the first part and the
    # parts that the search page merged in.
    parts = {_bundle_holding(site_dir, href[href.index("/sv/") :]) for href in hrefs}
    assert "." in parts and any(part.startswith("part-") for part in parts)
    assert visit.errors == []


def test_filters_by_municipality_type_and_year_are_in_the_index(open_page: Callable[..., Visit]) -> None:
    visit = open_page("en/search/?municipality=Troms%C3%B8&type=Decision", new_page=True)
    page = visit.page
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('Tromsø, Decision')")
    assert page.locator("#search-results h2 a").all_inner_texts() == [TROMSO_DECISION]
    bundle = page.get_attribute("#search-form", "data-pagefind")
    filters = page.evaluate(
        """async (bundle) => {
            // The page's own Pagefind module, with the parts of the index the page merged in.
            const pagefind = await import(new URL(bundle, document.baseURI).href);
            return await pagefind.filters();
        }""",
        bundle,
    )
    assert {"municipality", "type", "year"} <= set(filters)
    assert filters["municipality"]["Tromsø"] >= 3
    assert filters["type"]["Decision"] == 4
    assert set(filters["year"]) >= {"2019", "2021", "2022"}
    # Choosing a year narrows a query and is kept in the address for sharing.
    page.select_option("#search-filter-municipality", "")
    page.select_option("#search-filter-type", "")
    page.select_option("#search-filter-year", "2019")
    page.fill("#search-q", "strategi")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('strategi')")
    assert "year=2019" in page.url
    facts = page.locator("#search-results .meta").all_inner_texts()
    assert facts and all(fact.endswith("2019") for fact in facts)
    assert visit.errors == []


def test_header_search_box_leads_to_results(open_page: Callable[..., Visit]) -> None:
    visit = open_page("en/municipalities/tromso/", new_page=True)
    page = visit.page
    page.fill("#site-search-q", "Nordic Safe Cities")
    page.press("#site-search-q", "Enter")
    page.wait_for_load_state("load")
    assert "/en/search/?q=Nordic+Safe+Cities" in page.url
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0", timeout=15_000)
    assert TROMSO_DECISION in page.locator("#search-results h2 a").all_inner_texts()
    assert page.input_value("#search-q") == "Nordic Safe Cities"
    assert visit.errors == []


def test_without_javascript_the_search_page_explains_and_offers_the_lists(open_page: Callable[..., Visit]) -> None:
    visit = open_page("en/search/?q=Nordic+Safe+Cities", javascript=False)
    page = visit.page
    assert page.locator("#search-no-script").is_visible()
    assert "needs JavaScript" in page.inner_text("#search-no-script")
    assert page.locator("#search-filters").is_hidden()
    assert page.locator("#search-browse a", has_text="Municipalities").is_visible()
    assert page.locator("#search-browse a", has_text=TROMSO_DECISION).is_visible()
    assert visit.errors == []


def test_404_page_links_work_from_a_nested_address(open_page: Callable[..., Visit], site_url: str) -> None:
    visit = open_page("en/decisions/no-such-decision/deeper/", new_page=True)
    page = visit.page
    assert page.locator("h1").inner_text() == "Fant ikke siden"
    # The stylesheet (root-relative, with its integrity value) applies at this depth too.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"
    page.locator("a[hreflang=en]", has_text="Search the site").click()
    page.wait_for_load_state("load")
    assert page.url == site_url + "en/search/"
    assert page.locator("h1").inner_text() == "Search"
    # The only error is the browser's note that the first address answered 404, as it should.
    assert visit.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
