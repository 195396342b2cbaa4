"""What a citizen gets besides the pages: feeds, sitemap, robots.txt, the 404 page, sharing tags, the
search index and search page, municipality and organisation overviews, and steps through a case."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import shutil
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import MINIMAL_DECISION, page_text

from site_builder import search, sitemap
from site_builder.build import BuildResult, build
from site_builder.diagnostics import Diagnostics
from site_builder.output import InFolder, OutputFiles
from site_builder.pagefind_bundle import stable_bundle
from site_builder.search import UNPUBLISHED, pagefind_executable, search_index
from site_builder.search_cache import StoredBundles
from site_builder.write import spool_files

BASE = "https://example.org/kommunedata/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = ("nb", "sv", "en")
TROMSO_DECISION = "tromso-sak-124-22-nordic-safe-cities"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")


def html(result: BuildResult, path: str) -> str:
    return result.files[path].decode("utf-8")


def section(page: str, heading_id: str) -> str:
    """The <section> that the heading with this id labels."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no section labelled {heading_id}"
    return match.group(0)


def language_pages(result: BuildResult) -> list[str]:
    return [p for p in result.files if p.endswith(".html") and p.split("/", 1)[0] in LANGUAGES]


def assert_valid_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each entry, with RFC 3339 timestamps."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, f"feed needs exactly one <{name}>"
    assert RFC3339.match(feed.findtext(f"{ATOM}updated", ""))
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None, "feed-level author (entries have none)"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry needs exactly one <{name}>"
        assert RFC3339.match(entry.findtext(f"{ATOM}updated", ""))
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1 and alternates[0].get("href", "").startswith(BASE)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids))


def entry_links(feed: ET.Element) -> list[str]:
    return [link.get("href", "") for link in feed.iterfind(f"{ATOM}entry/{ATOM}link[@rel='alternate']")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_decision_feeds_are_atom_and_list_the_tromso_decision(shipped_build, lang):
    page = f"{BASE}{lang}/decisions/{TROMSO_DECISION}/"
    site_feed = ET.fromstring(shipped_build.files[f"{lang}/decisions/feed.xml"])
    assert_valid_atom(site_feed)
    assert page in entry_links(site_feed)
    assert len(entry_links(site_feed)) == 4  # every decision on the site has a date

    tromso_feed = ET.fromstring(shipped_build.files[f"{lang}/municipalities/tromso/feed.xml"])
    assert_valid_atom(tromso_feed)
    assert entry_links(tromso_feed) == [page]
    entry = tromso_feed.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}published") == "2022-08-23T00:00:00Z"
    assert entry.find(f"{ATOM}title").get("{http://www.w3.org/XML/1998/namespace}lang") == "nb"  # type: ignore[union-attr]


def test_feed_dates_come_from_the_content_not_the_clock(make_project):
    """Outside a git repository the only date known is the decision's own, so that is the feed's date."""
    result = build(make_project())
    feed = ET.fromstring(result.files["en/decisions/feed.xml"])
    assert feed.findtext(f"{ATOM}updated") == "2022-08-23T00:00:00Z"
    assert dt.date.today().isoformat() not in result.files["en/decisions/feed.xml"].decode()


def test_pages_announce_their_feeds(shipped_build):
    tromso = html(shipped_build, "en/municipalities/tromso/index.html")
    assert '<link rel="alternate" type="application/atom+xml" title="Decisions concerning Tromsø" href="feed.xml">' in (
        tromso
    )
    assert (
        'type="application/atom+xml" title="Decisions – Municipal decisions and commitments" href="../../decisions/feed.xml"'
        in tromso
    )
    home = html(shipped_build, "sv/index.html")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Beslut – Kommunala beslut och åtaganden" href="decisions/feed.xml">'
        in home
    )
    # A municipality without decisions has no feed of its own to announce.
    assert 'href="../../decisions/feed.xml">' in html(shipped_build, "en/municipalities/odense/index.html")
    assert "en/municipalities/odense/feed.xml" not in shipped_build.files


def test_sitemap_lists_every_page_once_with_its_languages(shipped_build):
    root = ET.fromstring(shipped_build.files["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    locations = [u.findtext(f"{SITEMAP}loc", "") for u in urls]
    assert len(locations) == len(set(locations)) <= 50_000

    expected = set()
    for path in language_pages(shipped_build):
        if '<meta name="robots" content="noindex' not in html(shipped_build, path):
            expected.add(BASE + path.removesuffix("index.html"))
    assert set(locations) == expected
    assert f"{BASE}en/decisions/{TROMSO_DECISION}/" in expected
    assert f"{BASE}sv/search/" in expected

    for url in urls:
        loc = url.findtext(f"{SITEMAP}loc", "")
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        if lastmod is not None:
            dt.date.fromisoformat(lastmod)
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert set(alternates) == {*LANGUAGES, "x-default"}, loc
        assert loc in alternates.values()
        assert alternates["x-default"] == alternates["nb"]
        # Children in the order the sitemaps.org schema requires: loc, lastmod, then other namespaces.
        assert [child.tag for child in url][: 2 if lastmod else 1] == [f"{SITEMAP}loc", f"{SITEMAP}lastmod"][
            : 2 if lastmod else 1
        ]
    decision = next(u for u in urls if u.findtext(f"{SITEMAP}loc") == f"{BASE}en/decisions/{TROMSO_DECISION}/")
    assert decision.findtext(f"{SITEMAP}lastmod") is not None


def test_a_large_sites_sitemap_is_an_index_of_sitemaps_within_the_protocols_limits(shipped_build, monkeypatch):
    # sitemaps.org allows 50,000 addresses and 50 MB a file, and search engines refuse a larger one: a
    # national site (10,000 documents in three languages list about 50,000 pages) is listed in several
    # files in address order, and sitemap.xml becomes their index, which robots.txt names as before.
    assert ET.fromstring(shipped_build.files["sitemap.xml"]).tag == f"{SITEMAP}urlset"  # a small site: one file
    pages = [
        sitemap.SitemapPage(
            f"{lang}/decisions/sak-{n:03}/index.html",
            {other: f"{other}/decisions/sak-{n:03}/index.html" for other in LANGUAGES},
            dt.date(2020, 1, 1) + dt.timedelta(days=n) if n % 3 else None,
        )
        for n in range(40)
        for lang in LANGUAGES
    ]
    monkeypatch.setattr(sitemap, "MAX_URLS", 50)
    files = sitemap.sitemap_files(BASE, "nb", reversed(pages))
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SITEMAP}sitemapindex"
    listed = [(e.findtext(f"{SITEMAP}loc"), e.findtext(f"{SITEMAP}lastmod")) for e in index]
    assert [loc for loc, _ in listed] == [f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    found: list[str] = []
    for name, (_, lastmod) in zip(["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"], listed, strict=True):
        urlset = ET.fromstring(files[name])
        assert urlset.tag == f"{SITEMAP}urlset" and 0 < len(urlset) <= 50
        locs = [url.findtext(f"{SITEMAP}loc") for url in urlset]
        found += locs
        dates = [url.findtext(f"{SITEMAP}lastmod") for url in urlset if url.find(f"{SITEMAP}lastmod") is not None]
        assert lastmod == max(dates)  # when the newest page listed there last changed
        assert len(urlset[0].findall(f"{XHTML}link")) == len(LANGUAGES) + 1  # each language and x-default
    assert found == sorted(BASE + p.path.removesuffix("index.html") for p in pages)

    monkeypatch.setattr(sitemap, "MAX_URLS", 50_000)
    monkeypatch.setattr(sitemap, "MAX_BYTES", 20_000)
    files = sitemap.sitemap_files(BASE, "nb", pages)
    assert len(files) > 2 and all(len(content) <= 20_000 for content in files.values())
    found = [url.findtext(f"{SITEMAP}loc") for name in sorted(files)[:-1] for url in ET.fromstring(files[name])]
    assert len(found) == len(pages) == len(set(found))


def test_robots_txt_names_the_sitemap(shipped_build):
    robots = shipped_build.files["robots.txt"].decode()
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_404_page_links_work_from_any_depth(shipped_build):
    page = html(shipped_build, "404.html")
    assert '<meta name="robots" content="noindex">' in page
    for lang, title in (("nb", "Fant ikke siden"), ("sv", "Sidan hittades inte"), ("en", "Page not found")):
        assert title in page
        assert f'href="/kommunedata/{lang}/"' in page
        assert f'href="/kommunedata/{lang}/search/"' in page
    references = [r for r in re.findall(r'(?:href|src|action)="([^"]+)"', page) if not r.startswith("#")]
    assert len(references) > 15
    for missing_page in (f"{BASE}nb/decisions/no-such-decision/", f"{BASE}a/b/c/d/e.html", BASE + "x"):
        for reference in references:
            url = urljoin(missing_page, reference)
            if not url.startswith(BASE):
                assert urlsplit(url).netloc != "example.org", f"{reference} leaves the site's folder"
                continue
            path = url[len(BASE) :]
            path = posixpath.join(path, "index.html") if path.endswith("/") or not path else path
            assert path in shipped_build.files, f"{reference} from {missing_page} leads to {path}"


def test_open_graph_tags_on_every_page(shipped_build):
    for path in language_pages(shipped_build):
        page = html(shipped_build, path)
        if '<meta name="robots" content="noindex' in page:
            continue  # chart embeds, for other sites' iframes, are not pages to share
        tags = dict(re.findall(r'<meta property="(og:[a-z_:]+)" content="([^"]*)">', page))
        for name in ("og:title", "og:description", "og:type", "og:site_name", "og:locale", "og:url"):
            assert tags.get(name), f"{path} lacks {name}"
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page)
        assert canonical and tags["og:url"] == canonical.group(1), path
    decision = html(shipped_build, f"sv/decisions/{TROMSO_DECISION}/index.html")
    assert '<meta property="og:type" content="article">' in decision
    assert '<meta property="og:locale" content="sv_SE">' in decision
    assert '<meta property="og:locale:alternate" content="nb_NO">' in decision
    assert (
        '<meta property="og:title" content="Trygg by Norge- satsningen gjennom medlemskap i Nordic Safe Cities'
        in decision
    )


def test_tromso_page_lists_its_membership_and_network(shipped_build):
    page = html(shipped_build, "en/municipalities/tromso/index.html")
    networks = section(page, "networks-heading")
    assert 'href="../../organisations/nordic-safe-cities/"' in networks
    assert 'href="../../memberships/tromso-nordic-safe-cities-2022-2024/"' in networks
    assert "membership proposed, 2022–2024" in networks
    memberships = section(page, "membership-heading")
    assert "Tromsø kommunes medlemskap i Nordic Safe Cities 2022–2024" in memberships


def test_nordic_safe_cities_page_lists_members_and_the_decision_to_join(shipped_build):
    page = html(shipped_build, "en/organisations/nordic-safe-cities/index.html")
    assert "Stavanger" in section(page, "members-heading")
    joined = section(page, "memberships-heading")
    assert f'href="../../decisions/{TROMSO_DECISION}/"' in joined
    assert "75,000 DKK per year (2022)" in joined


def test_decision_page_states_the_cost_in_the_readers_language(shipped_build):
    assert "Fee 75,000 DKK per year (2022)" in page_text(shipped_build, f"en/decisions/{TROMSO_DECISION}/index.html")
    assert "Avgift 75 000 DKK per år (2022)" in page_text(shipped_build, f"sv/decisions/{TROMSO_DECISION}/index.html")


def test_trondheim_page_lists_its_twin_cities_and_networks(shipped_build):
    page = html(shipped_build, "en/municipalities/trondheim/index.html")
    twins = section(page, "twin-cities-heading")
    for partner in ("Darmstadt", "Dunfermline", "Graz", "Klaksvik", "Split", "Tiraspol", "Vallejo", "Krakow", "Keren"):
        assert partner in twins
    assert '<a href="../norrkoping/">Norrköping</a> (Sweden): twin city, since 1946' in twins
    assert "relations/trondheim-vennskapsbyer-og-nettverk/" in twins
    networks = section(page, "networks-heading")
    assert "ICORN; International Cities of Refuge Network" in networks
    # The tie shows on the partner's page too.
    odense = html(shipped_build, "en/municipalities/odense/index.html")
    assert '<a href="../trondheim/">Trondheim</a> (Norway): twin city, since 1946' in section(
        odense, "twin-cities-heading"
    )


def test_trondheim_case_history_has_previous_and_next_meetings(shipped_build):
    page = html(shipped_build, "en/decisions/trondheim-ps-87-19-internasjonal-strategi/index.html")
    meetings = re.findall(r'<section class="consultation" id="([^"]+)"', page)
    assert len(meetings) == 8
    steps = {m: section(page, f"{m}-heading") for m in meetings}

    def links(meeting: str) -> list[str]:
        found = re.search(r'<ul class="case-steps".*?</ul>', steps[meeting], re.S)
        assert found, meeting
        return re.findall(r'href="#([^"]+)"', found.group(0))

    assert links("mangfoldsradet-2019-03-26") == ["funksjonshemmedes-rad-2019-03-26"]
    assert links("finans-og-naeringskomiteen-2019-05-28") == [
        "finans-og-naeringskomiteen-2019-05-09",
        "bystyret-2019-06-13",
    ]
    assert links("bystyret-2019-08-29") == ["bystyret-2019-06-13"]
    assert "Previous meeting: City council (Trondheim), 13 June 2019" in page_text(
        shipped_build, "en/decisions/trondheim-ps-87-19-internasjonal-strategi/index.html"
    )
    assert "Nästa möte" in html(shipped_build, "sv/decisions/trondheim-ps-87-19-internasjonal-strategi/index.html")


def test_decisions_sharing_a_case_number_link_to_each_other(make_project):
    later = MINIMAL_DECISION.replace("date: 2022-08-23", "date: 2022-09-14").replace(
        "title: Medlemskap i Nordic Safe Cities", "title: Kommunestyrets vedtak om Nordic Safe Cities"
    )
    result = build(
        make_project(
            {
                "content/decisions/tromso/tromso-nsc.md": MINIMAL_DECISION.replace(
                    "status:", "case_number: 124/22\nstatus:"
                ),
                "content/decisions/tromso/tromso-nsc-ks.md": later.replace("status:", "case_number: 124/22\nstatus:"),
            }
        )
    )
    first = page_text(result, "en/decisions/tromso-nsc/index.html")
    second = page_text(result, "en/decisions/tromso-nsc-ks/index.html")
    assert "Later decision in the same case: Kommunestyrets vedtak om Nordic Safe Cities" in first
    assert "Earlier decision in the same case" not in first
    assert "Earlier decision in the same case: Medlemskap i Nordic Safe Cities" in second
    assert 'href="../tromso-nsc/"' in html(result, "en/decisions/tromso-nsc-ks/index.html")


def test_search_index_covers_every_language_and_is_byte_identical(shipped_build):
    bundle = {p: c for p, c in shipped_build.files.items() if p.startswith("pagefind/")}
    entry = json.loads(bundle["pagefind/pagefind-entry.json"])
    assert list(entry["languages"]) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert f"pagefind/wasm.{lang}.pagefind" in bundle
    assert "pagefind/pagefind.js" in bundle
    assert "pagefind/pagefind-ui.css" not in bundle  # its own UI injects styles; the site uses its JS API
    again = search_index(shipped_build.files, Diagnostics())
    assert again == bundle


def test_search_index_made_a_language_at_a_time_without_charts_is_the_index_of_one_run(shipped_build, tmp_path):
    # Pagefind runs once per language folder to bound its memory, on copies of the pages without their
    # inline charts; a single run over every page as published must give the same bundle.
    executable = pagefind_executable()
    assert executable is not None
    # Pagefind numbers the pages in the order their folder lists them: the build's, where it copies them.
    work = Path(tempfile.mkdtemp(dir=search._memory_folder()))
    try:
        for path, content in sorted(shipped_build.files.items()):
            if path.endswith(".html") and b"data-pagefind-body" in content:
                (work / "site" / path).parent.mkdir(parents=True, exist_ok=True)
                (work / "site" / path).write_bytes(content)
        out = work / "out"
        subprocess.run([str(executable), "--site", str(work / "site"), "--output-path", str(out)], check=True)
        made = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    finally:
        shutil.rmtree(work)
    one_run = {f"pagefind/{path}": content for path, content in stable_bundle(made).items()}
    bundle = {p: c for p, c in shipped_build.files.items() if p.startswith("pagefind/")}
    # A site this small is indexed in one part per language, so nothing is left to merge in.
    assert json.loads(bundle.pop("pagefind/parts.json")) == {}
    assert {path: content for path, content in one_run.items() if path in bundle} == bundle
    assert set(one_run) - set(bundle) == {f"pagefind/{name}" for name in UNPUBLISHED}


def test_search_index_is_the_same_wherever_and_in_whatever_order_the_pages_were_written(
    shipped_build, tmp_path, monkeypatch
):
    # Pagefind numbers pages in the order their folder lists them, which on some file systems (a folder in
    # memory, btrfs) is the order the files were made in, and the build's workers write pages in no fixed
    # order: the index is made of copies made in a fixed order, the same for pages on disk and in memory.
    memory = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else tmp_path))
    try:
        pages = sorted(shipped_build.files)
        folders = {memory / "reversed": pages[::-1], tmp_path / "sorted": pages}
        written = []
        for folder, order in folders.items():
            for path in order:
                (folder / path).parent.mkdir(parents=True, exist_ok=True)
                (folder / path).write_bytes(shipped_build.files[path])
            written.append(OutputFiles.taking(dict.fromkeys(shipped_build.files, InFolder(folder))))
        # A page in the folder that the site has not (one that serve left behind) is not indexed.
        stale = memory / "reversed" / "nb" / "decisions" / "gammel-sak" / "index.html"
        stale.parent.mkdir(parents=True)
        stale.write_bytes(shipped_build.files[f"nb/decisions/{TROMSO_DECISION}/index.html"].replace(b"<h1", b"<h1 x"))
        in_memory = search_index(shipped_build.files, Diagnostics())
        assert [search_index(files, Diagnostics()) for files in written] == [in_memory, in_memory]
        monkeypatch.setattr(search, "PAGES_PER_PART", 20)  # a large site's parts too
        in_parts = search_index(shipped_build.files, Diagnostics())
        assert [search_index(files, Diagnostics()) for files in written] == [in_parts, in_parts]
    finally:
        shutil.rmtree(memory)


def test_search_index_finds_pages_whose_paths_look_like_glob_syntax(tmp_path):
    page = b'<!DOCTYPE html><html lang="nb"><head><title>Sak</title></head><body><main data-pagefind-body>'
    files = {path: page + f"<h1>Sak {n}</h1><p>Kommunestyret vedtok planen.</p></main></body></html>".encode()
             for n, path in enumerate(["nb/a,b/index.html", "nb/{c}[d]*?/index.html", "nb/e/index.html"])}  # fmt: skip
    spool_files(tmp_path, files)
    on_disk = search_index(OutputFiles.taking(dict.fromkeys(files, InFolder(tmp_path))), Diagnostics())
    assert json.loads(on_disk["pagefind/pagefind-entry.json"])["languages"]["nb"]["page_count"] == 3
    assert on_disk == search_index(files, Diagnostics())


def test_a_large_sites_search_index_comes_in_parts_of_one_language(shipped_build, monkeypatch):
    # Pagefind's memory grows faster than the pages of a run, so a large site is indexed in parts; the search
    # page merges a language's parts into its first part's index.
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)
    indexed = [p for p, c in shipped_build.files.items() if p.endswith(".html") and b"data-pagefind-body" in c]
    index = search_index(shipped_build.files, Diagnostics())
    assert search_index(shipped_build.files, Diagnostics()) == index
    assert search_index(shipped_build.files, Diagnostics(), jobs=2) == index  # parts indexed side by side
    parts = json.loads(index["pagefind/parts.json"])
    assert sorted(parts) == sorted(LANGUAGES)
    first = json.loads(index["pagefind/pagefind-entry.json"])["languages"]
    for lang in LANGUAGES:
        pages = sum(1 for p in indexed if p.startswith(f"{lang}/"))
        assert len(parts[lang]) + 1 == -(-pages // 20)
        counts = [first[lang]["page_count"]]
        for part in parts[lang]:
            entry = json.loads(index[f"pagefind/{part}pagefind-entry.json"])
            assert list(entry["languages"]) == [lang]
            counts.append(entry["languages"][lang]["page_count"])
            # A merged part is searched with the first part's script and WebAssembly.
            assert not any(p.startswith(f"pagefind/{part}") and p.endswith((".js", ".pagefind")) for p in index)
        assert sum(counts) == pages
        # Dealt by a hash of each path: about 20 each, the same for every build of these pages.
        assert max(counts) <= 30 and min(counts) >= 10


def test_parts_are_indexed_side_by_side_only_as_far_as_memory_allows(shipped_build, monkeypatch):
    # Pagefind's memory grows with the pages of a run: runs go side by side up to `jobs` of them and
    # PAGES_INDEXED_AT_ONCE pages together, while the next run's pages are copied; the index is the same.
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)
    alone = search_index(shipped_build.files, Diagnostics(), jobs=1)
    running: list[int] = []
    seen: list[list[int]] = []
    real_pagefind = search._pagefind
    lock = threading.Lock()

    def watched(executable, site, out_dir, diagnostics):  # type: ignore[no-untyped-def]
        pages = sum(1 for _ in site.rglob("*.html"))
        with lock:
            running.append(pages)
            seen.append(list(running))
        try:
            time.sleep(0.05)  # long enough for another run to start beside this one, if it may
            return real_pagefind(executable, site, out_dir, diagnostics)
        finally:
            with lock:
                running.remove(pages)

    monkeypatch.setattr(search, "_pagefind", watched)
    monkeypatch.setattr(search, "PAGES_INDEXED_AT_ONCE", 40)
    assert search_index(shipped_build.files, Diagnostics(), jobs=2) == alone
    assert max(len(together) for together in seen) == 2
    assert all(sum(together) <= 40 for together in seen)
    seen.clear()
    monkeypatch.setattr(search, "PAGES_INDEXED_AT_ONCE", 20)  # a large site's parts: one at a time
    assert search_index(shipped_build.files, Diagnostics(), jobs=2) == alone
    assert len(seen) > len(LANGUAGES) and all(len(together) == 1 for together in seen)


def test_when_pagefind_fails_on_one_part_the_build_says_so_and_indexes_no_more(shipped_build, monkeypatch):
    # Parts are indexed by several threads: whichever part fails, its error reaches the editor, and the
    # parts not yet started are not indexed (a broken Pagefind would fail on each, minutes apiece).
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)
    started: list[int] = []

    def failing(executable, site, out_dir, diagnostics):  # type: ignore[no-untyped-def]
        started.append(1)
        if len(started) == 2:
            diagnostics.error(str(executable), 1, 1, "Pagefind failed to make the search index (exit 1): boom")
            return None
        return real_pagefind(executable, site, out_dir, diagnostics)

    real_pagefind = search._pagefind
    monkeypatch.setattr(search, "_pagefind", failing)
    diagnostics = Diagnostics()
    assert search_index(shipped_build.files, diagnostics, jobs=1) == {}
    assert [d.message for d in diagnostics.items] == ["Pagefind failed to make the search index (exit 1): boom"]
    assert len(started) == 2 < len(search._runs(shipped_build.files, "", {}, {}))


def test_a_small_memory_folder_is_never_overfilled_and_the_index_is_the_same(shipped_build, monkeypatch):
    # Parts are copied to memory ahead of Pagefind, and a container's /dev/shm may be small (64 MB). Where
    # each part goes is decided by the room there as the index begins, never by what the other threads hold
    # at the time: a part copied to disk numbers its pages in another order, so timing would change the bytes.
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)
    memory = search._memory_folder()
    assert memory is not None, "this test needs a writable /dev/shm"
    roomy = search_index(shipped_build.files, Diagnostics(), jobs=2)
    room = max(2 * run.size for run in search._runs(shipped_build.files, "", {}, {}))  # the largest part fits
    needs: dict[Path, int] = {}  # each run's folder: twice its pages' bytes (copies and bundle)
    held: list[int] = []
    real_copy, real_pagefind = search._copy, search._pagefind

    def copy(files, paths, folder):  # type: ignore[no-untyped-def]
        needs[folder.parent] = 2 * sum(len(files[path]) for path in paths)
        real_copy(files, paths, folder)

    def pagefind(executable, site, out_dir, diagnostics):  # type: ignore[no-untyped-def]
        time.sleep(0.02)  # for the other threads to copy ahead, if they may
        # A copy of the items, taken at once: the other thread's `copy` may add a folder meanwhile.
        present = list(needs.items())
        held.append(sum(need for folder, need in present if folder.exists() and str(folder).startswith(memory)))
        return real_pagefind(executable, site, out_dir, diagnostics)

    monkeypatch.setattr(search, "_copy", copy)
    monkeypatch.setattr(search, "_pagefind", pagefind)
    monkeypatch.setattr(search, "_free_bytes", lambda folder: room)
    assert search_index(shipped_build.files, Diagnostics(), jobs=2) == roomy
    assert all(str(folder).startswith(memory) for folder in needs)
    assert 0 < max(held) <= room
    needs.clear()
    monkeypatch.setattr(search, "_free_bytes", lambda folder: 1)  # no part fits: every part on disk
    on_disk = search_index(shipped_build.files, Diagnostics(), jobs=2)
    assert needs and not any(str(folder).startswith(memory) for folder in needs)
    assert search_index(shipped_build.files, Diagnostics(), jobs=2) == on_disk


def test_a_search_index_that_cannot_be_made_stable_is_published_with_a_warning_and_not_stored(
    shipped_build, tmp_path, monkeypatch
):
    # Another Pagefind version may lay its files out otherwise: the index is still made, the editor is told
    # once (not once per part), and no bundle is stored that the next build would take without the warning.
    def unknown(bundle):  # type: ignore[no-untyped-def]
        raise search.UnknownFormat("no pagefind_dcd signature")

    monkeypatch.setattr(search, "stable_bundle", unknown)
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)
    folder = tmp_path / ".site-builder-cache" / "search"
    diagnostics = Diagnostics()
    index = search_index(shipped_build.files, diagnostics, jobs=2, stored=StoredBundles(folder))
    assert "pagefind/pagefind-entry.json" in index and json.loads(index["pagefind/parts.json"])
    assert [d.message for d in diagnostics.items] == [
        "the search index may differ between builds: no pagefind_dcd signature"
    ]
    assert not diagnostics.has_errors()
    assert not folder.exists() or not any(folder.iterdir())


def test_pages_carry_search_filters(shipped_build):
    decision = html(shipped_build, f"en/decisions/{TROMSO_DECISION}/index.html")
    assert (
        '<meta name="pagefind-filter-municipality" data-pagefind-filter="municipality[content]" content="Tromsø">'
        in decision
    )
    assert '<meta name="pagefind-filter-type" data-pagefind-filter="type[content]" content="Decision">' in decision
    assert '<meta name="pagefind-filter-year" data-pagefind-filter="year[content]" content="2022">' in decision
    assert '<main id="main" class="wrap" data-pagefind-body>' in decision
    agreement = html(shipped_build, "sv/agreements/linkoping-norrkoping-samverkan-mot-brottslighet/index.html")
    for party in ("Linköping", "Norrköping"):
        assert (
            f'<meta name="pagefind-filter-municipality" data-pagefind-filter="municipality[content]" content="{party}">'
            in agreement
        )
    # Lists only repeat the summaries of the pages they link to, so they stay out of the index.
    assert "data-pagefind-body" not in html(shipped_build, "en/decisions/index.html")
    assert "data-pagefind-body" not in html(shipped_build, "en/search/index.html")


def test_search_page_works_as_a_form_without_javascript(shipped_build):
    page = html(shipped_build, "en/search/index.html")
    assert re.search(r'<form class="search-form" id="search-form" role="search" method="get" action="./"', page)
    assert '<input id="search-q" type="search" name="q"' in page
    assert '<p class="notice" id="search-no-script">Search runs in your browser and needs JavaScript' in page
    for name, value in (("municipality", "Tromsø"), ("type", "Decision"), ("year", "2022")):
        assert re.search(rf'<select id="search-filter-{name}" name="{name}" data-filter="{name}">', page)
        assert f'<option value="{value}">{value}</option>' in page
    # Everything to browse, and every document by title for find-in-page.
    text = page_text(shipped_build, "en/search/index.html")
    assert "Browse the site" in text
    assert "Trygg by Norge- satsningen gjennom medlemskap i Nordic Safe Cities" in text
    assert '<script type="module" src="../../assets/search.js" integrity="sha384-' in page
    assert "<script>" not in page


def test_only_the_search_page_allows_webassembly(shipped_build):
    for path in [*language_pages(shipped_build), "404.html"]:
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html(shipped_build, path))
        assert csp, path
        allows_wasm = "'wasm-unsafe-eval'" in csp.group(1)
        assert allows_wasm == path.endswith("/search/index.html"), path
        assert "script-src 'self'" in csp.group(1)


def test_every_page_has_a_search_box_leading_to_its_languages_search_page(shipped_build):
    for path in language_pages(shipped_build):
        page = html(shipped_build, path)
        if path.endswith("/search/index.html") or "/embed/" in path:
            continue
        action = re.search(r'<form class="site-search" role="search" method="get" action="([^"]+)"', page)
        assert action, path
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), action.group(1)))
        assert target == f"{path.split('/')[0]}/search", path


def test_english_reader_reaches_the_nsc_decision_and_its_cost_in_few_clicks(shipped_build):
    """DESIGN §8's bar: Tromsø's decision to join Nordic Safe Cities and its cost in three clicks at most."""

    def follow(path: str, label: str) -> str:
        page = html(shipped_build, path)
        match = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(label)}</a>', page)
        assert match, f"no link '{label}' on {path}"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), match.group(1)))
        return f"{target}/index.html" if match.group(1).endswith("/") else target

    title = "Trygg by Norge- satsningen gjennom medlemskap i Nordic Safe Cities - en nordisk allianse for trygge byer"
    # One click: the home page lists the latest decisions.
    assert follow("en/index.html", title) == f"en/decisions/{TROMSO_DECISION}/index.html"
    # Three clicks by place: Municipalities → Tromsø → the decision.
    step = follow(follow("en/index.html", "Municipalities"), "Tromsø")
    assert follow(step, title) == f"en/decisions/{TROMSO_DECISION}/index.html"
    assert "75,000 DKK per year" in page_text(shipped_build, f"en/decisions/{TROMSO_DECISION}/index.html")


def test_search_index_indexes_again_only_the_parts_whose_pages_changed(shipped_build, tmp_path, monkeypatch):
    # A large site's index takes Pagefind minutes; a build after one edit takes each part whose pages are
    # unchanged from the last build's bundles, and gives the bytes of an index made afresh.
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)
    runs: list[int] = []
    real_pagefind = search._pagefind

    def counting(executable, site, out_dir, diagnostics):  # type: ignore[no-untyped-def]
        runs.append(1)
        return real_pagefind(executable, site, out_dir, diagnostics)

    monkeypatch.setattr(search, "_pagefind", counting)
    folder = tmp_path / ".site-builder-cache" / "search"
    files = {p: c for p, c in shipped_build.files.items() if p.endswith(".html")}
    first = search_index(files, Diagnostics(), stored=StoredBundles(folder))
    parts = len(runs)
    assert parts > len(LANGUAGES) and len(list(folder.iterdir())) == parts
    runs.clear()
    assert search_index(files, Diagnostics(), stored=StoredBundles(folder)) == first
    assert runs == []

    decision = f"sv/decisions/{TROMSO_DECISION}/index.html"
    files[decision] = files[decision].replace(
        b"</main>", b"<p>Fullm\xc3\xa4ktige ber om en uppf\xc3\xb6ljning.</p></main>"
    )
    added = f"nb/decisions/{TROMSO_DECISION}-ny/index.html"
    files[added] = files[f"nb/decisions/{TROMSO_DECISION}/index.html"].replace(b"<h1", b"<h1 title=ny")
    changed = search_index(files, Diagnostics(), stored=StoredBundles(folder))
    assert len(runs) == 2  # the edited page's part and the added page's, not every part after it
    assert len(list(folder.iterdir())) == parts  # the bundles of the parts before the change are gone
    runs.clear()
    assert changed == search_index(files, Diagnostics())  # as made afresh
    assert len(runs) == parts
    assert changed != first

    damaged = sorted(folder.iterdir())[0]
    damaged.write_bytes(b"not a bundle")
    runs.clear()
    assert search_index(files, Diagnostics(), stored=StoredBundles(folder)) == changed
    assert len(runs) == 1
