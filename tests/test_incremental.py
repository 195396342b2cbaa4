"""A rebuild renders only what an edit touches, and writes the same bytes as a clean build.

Each test edits a generated project the way an editor would (the body, the front matter, a new document,
a deleted one), rebuilds with the build cache, and compares the output with a clean build's, file by file.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import shutil
from pathlib import Path

import pytest

from bench import corpus
from site_builder import render, search, write
from site_builder.build import BuildResult, build
from site_builder.cache import BuildCache
from site_builder.cli import BUILD_OPTIONS
from site_builder.incremental import DocumentState, OutputFolder, PageRecord, Plan, SiteState, plan
from site_builder.last_output import last_output
from site_builder.opendata import exports
from site_builder.output import OutputFiles
from site_builder.search_cache import SEARCH_CACHE
from site_builder.serve import SEARCH_FOLDER, DevServer
from site_builder.write import MARKER


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated project of 20 documents, built once with the cache (charts drawn once for all tests)."""
    root = tmp_path_factory.mktemp("incremental")
    corpus.generate(20, root)
    out = root / "_site"
    build(root / "site.yaml", out, jobs=1, cache=BuildCache.open(root / "site.yaml", BUILD_OPTIONS))
    return root, out


def _rebuild_and_compare(root: Path, out: Path, tmp_path: Path) -> BuildResult:
    config = root / "site.yaml"
    result = build(config, out, jobs=1, cache=BuildCache.open(config, BUILD_OPTIONS))
    clean = tmp_path / "clean"
    build(config, clean, jobs=1)
    incremental, fresh = _tree(out), _tree(clean)
    differing = sorted(path for path in set(incremental) | set(fresh) if incremental.get(path) != fresh.get(path))
    assert differing == []
    return result


def _copy(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built project, built once more where it now lies (the cache knows its output by path)."""
    root, out = built
    shutil.copytree(root, tmp_path / "project", symlinks=True)
    root, out = tmp_path / "project", tmp_path / "project" / out.name
    build(root / "site.yaml", out, jobs=1, cache=BuildCache.open(root / "site.yaml", BUILD_OPTIONS))
    return root, out


def _decision(root: Path, index: int = 0) -> Path:
    return sorted((root / "content" / "decisions").rglob("*.md"))[index]


def test_a_body_edit_renders_only_that_documents_pages(built: tuple[Path, Path], tmp_path: Path) -> None:
    root, out = _copy(built, tmp_path)
    path = _decision(root)
    path.write_text(path.read_text(encoding="utf-8") + "\nEn ny setning om saka.\n", encoding="utf-8")
    result = _rebuild_and_compare(root, out, tmp_path)
    assert result.made is not None
    made_pages = {
        p
        for p in result.made
        if p.split("/")[0] in ("nb", "sv", "en")
        and p.endswith("index.html")
        and "/embed/" not in p
        and "/data/" not in p
    }
    assert made_pages == {p for p in made_pages if f"/{path.stem}/" in p}
    assert len(made_pages) == 3  # nb, sv, en
    # The decisions' data page shows the changed file's size; the strategies' data page is kept as it is.
    assert "nb/data/decisions/index.html" in result.made and "nb/data/strategies/index.html" not in result.made
    assert "En ny setning om saka." in (out / next(iter(made_pages))).read_text(encoding="utf-8")


def test_a_rebuild_writes_again_only_the_open_data_whose_bytes_changed(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After an edit, a large site's thousands of documents' JSON and indicators' CSV are all but a few as
    # they were: the output already holds them, and writing each again cost seconds at 10,000 documents.
    root, out = _copy(built, tmp_path)
    before = _tree(out)
    path = _decision(root)
    path.write_text(path.read_text(encoding="utf-8") + "\nEn ny setning om saka.\n", encoding="utf-8")
    spooled: list[tuple[Path, str]] = []
    for module in (write, render, exports):
        spool_file = module.spool_file
        monkeypatch.setattr(
            module, "spool_file", lambda folder, relative, content, spool_file=spool_file: spooled.append(
                (folder, relative)
            ) or spool_file(folder, relative, content),
        )  # fmt: skip
    _rebuild_and_compare(root, out, tmp_path)  # and a clean build, which writes every file
    after = _tree(out)
    data = {p for p in after if p.startswith("data/")}
    changed = {p for p in data if before.get(p) != after[p]}
    assert f"data/decisions/{path.stem}.json" in changed
    rebuilt = {relative for folder, relative in spooled if folder == write.staging_folder(out)}
    assert rebuilt & data == changed
    assert len(data) > 3 * len(changed)


def test_a_rebuild_reads_back_only_the_kept_pages_that_the_search_index_indexes_again(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sitemap and the search index know a kept page from the build state and the output's records: on a
    # large site, reading every kept page back took longer than rendering the edited document's pages.
    root, out = _copy(built, tmp_path)
    config = root / "site.yaml"
    monkeypatch.setattr(search, "PAGES_PER_PART", 10)
    build(config, out, jobs=1, cache=BuildCache.open(config, BUILD_OPTIONS))  # the index stored in parts of 10
    path = _decision(root)
    path.write_text(path.read_text(encoding="utf-8") + "\nEn ny setning om saka.\n", encoding="utf-8")
    read: list[str] = []
    read_page = OutputFolder.__getitem__
    monkeypatch.setattr(OutputFolder, "__getitem__", lambda folder, page: read.append(page) or read_page(folder, page))
    indexed_again: set[str] = set()
    bundles_of = search._bundles
    monkeypatch.setattr(
        search, "_bundles", lambda executable, files, runs, *rest: indexed_again.update(
            path for run in runs for path in run.paths
        ) or bundles_of(executable, files, runs, *rest),
    )  # fmt: skip
    build(config, out, jobs=1, cache=BuildCache.open(config, BUILD_OPTIONS))
    searchable = {p for p in _tree(out) if p.endswith(".html") and b"data-pagefind-body" in (out / p).read_bytes()}
    edited = {p for p in searchable if f"/{path.stem}/" in p}
    assert len(edited) == 3 and edited <= indexed_again  # its page in nb, sv and en
    assert 0 < len(indexed_again) < len(searchable) / 2
    assert set(read) <= indexed_again  # no page read for the sitemap, none to tell whether a part changed


def test_a_title_edit_renders_the_listings_and_related_pages(built: tuple[Path, Path], tmp_path: Path) -> None:
    root, out = _copy(built, tmp_path)
    path = _decision(root)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: (.*)$", r"title: \1 (endret)", text, count=1, flags=re.M), encoding="utf-8")
    result = _rebuild_and_compare(root, out, tmp_path)
    assert result.made is not None and "nb/decisions/index.html" in result.made


def test_adding_and_removing_documents(built: tuple[Path, Path], tmp_path: Path) -> None:
    root, out = _copy(built, tmp_path)
    removed = _decision(root, 1)
    added = removed.with_name(removed.stem + "-kopi.md")
    shutil.copy(removed, added)
    removed.unlink()
    _rebuild_and_compare(root, out, tmp_path)
    assert not any(removed.stem + "/" in p for p in _tree(out))
    added.unlink()
    _rebuild_and_compare(root, out, tmp_path)


def test_a_settings_edit_renders_everything(built: tuple[Path, Path], tmp_path: Path) -> None:
    root, out = _copy(built, tmp_path)
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("Testkorpus", "Prøvekorpus", 1), encoding="utf-8")
    result = _rebuild_and_compare(root, out, tmp_path)
    assert result.made is None
    assert "Prøvekorpus" in (out / "nb" / "index.html").read_text(encoding="utf-8")


def _state(front: str, body: str, related: frozenset[str] = frozenset()) -> DocumentState:
    return DocumentState(front, body, related)


def test_plan_follows_the_rules() -> None:
    pages = ["nb/index.html"]
    old = SiteState("k", {"a": _state("f", "b", frozenset({"c"})), "c": _state("f", "b", frozenset({"a"}))})
    old.pages = {path: PageRecord(None) for path in pages}
    assert plan(old, SiteState("k", dict(old.documents))) == Plan(frozenset(), False, frozenset())
    assert plan(old, SiteState("other", dict(old.documents))) is None
    body = SiteState("k", {**old.documents, "a": _state("f", "changed", frozenset({"c"}))})
    assert plan(old, body) == Plan(frozenset({"a"}), False, frozenset())
    front = SiteState("k", {**old.documents, "a": _state("changed", "b", frozenset())})
    assert plan(old, front) == Plan(frozenset({"a", "c"}), True, frozenset())
    gone = SiteState("k", {"c": old.documents["c"]})
    assert plan(old, gone) == Plan(frozenset({"c"}), True, frozenset({"a"}))


def test_serve_checks_only_edited_files_and_reports_known_problems_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder import document_checks
    from site_builder.build import load_site
    from site_builder.diagnostics import Diagnostics
    from site_builder.document_checks import DocumentChecks

    corpus.generate(6, tmp_path)
    config = tmp_path / "site.yaml"
    broken = _decision(tmp_path)
    broken.write_text(broken.read_text(encoding="utf-8").replace("type: decision", "type: decisjon"), encoding="utf-8")
    split_calls: list[str] = []
    real_split = document_checks.split_front_matter

    def counting_split(source, diagnostics):  # type: ignore[no-untyped-def]
        split_calls.append(source.shown)
        return real_split(source, diagnostics)

    monkeypatch.setattr(document_checks, "split_front_matter", counting_split)
    checks = DocumentChecks()
    reports = []
    for _ in range(2):
        found = Diagnostics()
        assert load_site(config, found, checks) is None
        reports.append([str(d) for d in found.sorted()])
    assert reports[0] == reports[1] and any("decisjon" in line for line in reports[0])
    assert len(split_calls) == len(list((tmp_path / "content").rglob("*.md")))  # the second load split nothing
    broken.write_text(broken.read_text(encoding="utf-8").replace("type: decisjon", "type: decision"), encoding="utf-8")
    found = Diagnostics()
    assert load_site(config, found, checks) is not None and found.sorted() == []
    assert split_calls[-1].endswith(broken.name)


@pytest.fixture
def whole_rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Grows by one with each rebuild in `serve` that compiles the whole site (not a body edit alone)."""
    from site_builder import serve as serve_module

    counted: list[int] = []
    real_compile = serve_module.compile_site

    def counting_compile(*args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real_compile(*args, **kwargs)

    monkeypatch.setattr(serve_module, "compile_site", counting_compile)
    return counted


def _served(server: DevServer) -> dict[str, str]:
    """What a serve session serves (without the reload script it adds as it sends a page and without its
    search index), as a tree of hashes."""
    return {
        path: hashlib.sha256(server.files[path]).hexdigest()
        for path in server.files
        if not path.startswith("pagefind/")
    }


def _clean_tree(config: Path, folder: Path) -> dict[str, str]:
    build(config, folder, jobs=1)
    return {
        path: digest
        for path, digest in _tree(folder).items()
        if not path.startswith("pagefind/") and path != MARKER  # the output folder's own marker
    }


def test_serve_applies_a_body_edit_alone_and_serves_what_a_clean_build_makes(
    built: tuple[Path, Path], tmp_path: Path, whole_rebuilds: list[int]
) -> None:
    root, _ = _copy(built, tmp_path)
    config = root / "site.yaml"
    server = DevServer(config, lambda text: None)
    assert server.rebuild()
    path = _decision(root)
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\nEn ny setning fra serve.\n", encoding="utf-8")
    assert server.rebuild({path})
    assert len(whole_rebuilds) == 1  # the body edit was applied to the site in memory
    page = next(p for p in server.files if p.startswith("nb/") and f"/{path.stem}/index.html" in p)
    assert b"En ny setning fra serve." in server.files[page]
    assert _served(server) == _clean_tree(config, tmp_path / "clean-body")

    text = re.sub(r"^title: (.*)$", r"title: \1 (endret)", original, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    assert server.rebuild({path})
    assert len(whole_rebuilds) == 2  # front matter: the graph is built again
    assert _served(server) == _clean_tree(config, tmp_path / "clean-title")

    path.write_text(text + "\nEn ny setning fra serve.\n", encoding="utf-8")
    assert server.rebuild({path})
    assert len(whole_rebuilds) == 2
    # Back to the text before, together with a file that is no document: a whole rebuild, which must not
    # take the document it checked for that text before the body edit changed it.
    path.write_text(text, encoding="utf-8")
    assert server.rebuild({path, config})
    assert len(whole_rebuilds) == 3
    assert b"En ny setning fra serve." not in server.files[page]
    assert _served(server) == _clean_tree(config, tmp_path / "clean-original")
    served_from = server.previous.files.stored(page)  # pages are served from files, not held in memory
    assert isinstance(served_from, Path) and served_from.is_relative_to(server.spool)
    server.stop()
    assert not server.spool.exists()


def test_serve_starts_from_the_last_build_and_keeps_serving_it_when_a_build_replaces_it(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = _copy(built, tmp_path)
    config = root / "site.yaml"
    cache = root / ".site-builder-cache"
    abandoned = cache / "serve-999999999-gone"  # the links of a serve that was killed: no such process
    (abandoned / "nb").mkdir(parents=True)
    edited = _decision(root)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEndra etter bygget.\n", encoding="utf-8")
    logged: list[str] = []
    server = DevServer(config, logged.append)
    try:
        assert server.start()
        assert f"Starting from the last build, in {out}." in logged
        assert not abandoned.exists()
        made = server.last.made if server.last is not None else None
        assert made is not None  # not every page: only what the edit touched
        made_pages = {p for p in made if p.endswith("/index.html") and "/data/" not in p and "/embed/" not in p}
        assert made_pages and all(f"/{edited.stem}/" in p for p in made_pages)
        assert _served(server) == _clean_tree(config, tmp_path / "clean")
        kept = next(p for p in server.files if p.startswith("nb/") and p.endswith("/index.html") and p not in made)
        links = server.links
        assert links is not None and server.previous is not None
        assert Path(server.previous.files.stored(kept)).is_relative_to(links)
        before = server.files[kept]

        # A build of other settings replaces each page of the output in place, and one without the cache
        # the whole folder: serve's own links keep the bytes it started from.
        settings = config.read_text(encoding="utf-8")
        config.write_text(settings.replace("nb: Testkorpus", "nb: Nytt korpus", 1), encoding="utf-8")
        build(config, out, jobs=1, cache=BuildCache.open(config, BUILD_OPTIONS))
        assert b"Nytt korpus" in (out / kept).read_bytes()
        assert server.files[kept] == before
        build(config, out, jobs=1)
        assert server.files[kept] == before
    finally:
        server.stop()
    assert not links.exists()


def test_serve_removes_the_links_a_killed_serve_left_even_when_it_cannot_start_from_the_output(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = _copy(built, tmp_path)
    abandoned = root / ".site-builder-cache" / "serve-999999999-gone"
    (abandoned / "nb").mkdir(parents=True)
    shutil.rmtree(out)
    assert last_output(root / "site.yaml") is None
    assert not abandoned.exists()


def test_serve_shows_the_last_builds_pages_with_the_errors_the_content_has_since(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = _copy(built, tmp_path)
    page = next(p.relative_to(out).as_posix() for p in sorted((out / "nb").rglob("index.html")))
    broken = _decision(root)
    broken.write_text(broken.read_text(encoding="utf-8").replace("type: decision", "type: decisjon", 1))
    server = DevServer(root / "site.yaml", lambda text: None)
    try:
        assert not server.start()
        assert [problem.path for problem in server.errors] == [broken.relative_to(root).as_posix()]
        assert server.files[page] == (out / page).read_bytes()
    finally:
        server.stop()


def test_serve_checks_the_links_a_body_edit_adds_against_the_pages_it_keeps(
    built: tuple[Path, Path], tmp_path: Path, whole_rebuilds: list[int]
) -> None:
    # A body edit renders one document's pages; their links must still be checked against every page of
    # the site, those kept from the last build too.
    root, _ = _copy(built, tmp_path)
    server = DevServer(root / "site.yaml", lambda text: None)
    try:
        assert server.rebuild()
        edited, other = _decision(root, 0), _decision(root, 1)
        pages = [p for p in server.files if p.startswith("nb/") and p.endswith("/index.html")]
        edited_page = next(p for p in pages if f"/{edited.stem}/" in p)
        other_page = next(p for p in pages if f"/{other.stem}/" in p)
        to_other = posixpath.relpath(posixpath.dirname(other_page), posixpath.dirname(edited_page)) + "/"
        linked = edited.read_text(encoding="utf-8") + f"\nSe [den andre saka]({to_other}).\n"
        edited.write_text(linked + "\nEin setning til.\n", encoding="utf-8")
        assert server.rebuild({edited}) and len(whole_rebuilds) == 1  # the other decision's page is found
        assert f'href="{to_other}"'.encode() in server.files[edited_page]

        broken = linked + "\nOg [ei sak som ikkje finst](../finst-ikkje/).\n"
        edited.write_text(broken, encoding="utf-8")
        assert not server.rebuild({edited})  # found by the body edit, then reported by a whole rebuild
        assert len(whole_rebuilds) == 2
        assert len(server.errors) == 3  # the document's page in each language
        for problem in server.errors:
            assert "links to '../finst-ikkje/', which is not on the site" in problem.message
            assert (problem.path, problem.line) == (edited.relative_to(root).as_posix(), broken.count("\n"))
    finally:
        server.stop()


def test_serve_keeps_the_search_index_on_disk_and_writes_again_only_the_parts_an_edit_changed(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_PART", 20)  # a few parts in each language
    root, _ = _copy(built, tmp_path)
    server = DevServer(root / "site.yaml", lambda text: None)
    bundles = server.spool / SEARCH_FOLDER

    def served_from() -> set[Path]:
        """The folders the served index's files are read from (all but the few it makes of every part's)."""
        index = server.files.maps[0]
        assert isinstance(index, OutputFiles)
        stored = {path: index.stored(path) for path in index}
        in_memory = sorted(path for path, value in stored.items() if not isinstance(value, Path))
        assert in_memory == ["pagefind/pagefind-entry.json", "pagefind/parts.json"]
        return {value.relative_to(bundles).parents[-2] for value in stored.values() if isinstance(value, Path)}

    try:
        assert server.rebuild() and server.wait_for_search_index(120)
        assert b'"languages"' in server.files["pagefind/pagefind-entry.json"]
        first = served_from()
        assert server.last is not None
        languages = len(server.last.site.config.settings.languages)
        assert len(first) > languages  # a folder for each part
        assert {folder.relative_to(bundles) for folder in bundles.iterdir()} == first

        assert server.rebuild() and server.wait_for_search_index(120)
        assert served_from() == first  # the same pages: nothing is written again

        path = _decision(root)
        path.write_text(path.read_text(encoding="utf-8") + "\nEin setning til.\n", encoding="utf-8")
        assert server.rebuild([path]) and server.wait_for_search_index(120)
        now = served_from()
        # The decision's page in each language is in one part of that language's index: only those three
        # parts are new, and the folders of the three they replace are gone.
        assert len(now - first) == len(first - now) == languages
        assert {folder.relative_to(bundles) for folder in bundles.iterdir()} == now
        # The build cache still holds every part served, for the next build.
        assert len(list((root / SEARCH_CACHE).iterdir())) == len(now)
    finally:
        server.stop()
    assert not server.spool.exists()


def test_serves_after_an_edit_the_search_index_a_clean_build_makes(built: tuple[Path, Path], tmp_path: Path) -> None:
    # After an edit, serve indexes again only the parts whose pages changed, knowing the others by the build
    # state and the records of the files it wrote: its index must be the one a clean build makes.
    root, _ = _copy(built, tmp_path)
    server = DevServer(root / "site.yaml", lambda text: None)
    try:
        assert server.rebuild() and server.wait_for_search_index(120)
        path = _decision(root)
        path.write_text(path.read_text(encoding="utf-8") + "\nSkjærgårdsplanen vart vedteken.\n", encoding="utf-8")
        assert server.rebuild([path]) and server.wait_for_search_index(120)
        served = {p: server.files[p] for p in server.files if p.startswith("pagefind/")}
    finally:
        server.stop()
    clean = build(root / "site.yaml", tmp_path / "clean", jobs=1)
    assert served == {p: c for p, c in clean.files.items() if p.startswith("pagefind/")}
