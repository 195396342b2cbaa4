"""The build cache: an unchanged rebuild does nothing, a change rewrites only what differs, the bytes stay
those of a clean build, and a cache that came with the sources is never trusted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from conftest import MINIMAL_DECISION

from bench import corpus
from site_builder import cache as cache_module
from site_builder import parallel
from site_builder.cache import CACHE_DIR, BuildCache, fingerprint
from site_builder.cli import BUILD_OPTIONS, main
from site_builder.markdown import text_key

DECISION = "content/decisions/tromso/tromso-nsc.md"
PAGE = "content/pages/om.md"
PAGE_TEXT = "---\ntype: page\ntitle: Om nettstedet\nlang: nb\n---\nEn side om **nettstedet**.\n"


def _build(config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--config", str(config), "build", "--jobs", "1"]) == 0
    return capsys.readouterr().out


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _times(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_an_unchanged_rebuild_writes_nothing(make_project, capsys) -> None:
    config = make_project({PAGE: PAGE_TEXT})
    assert "Built " in _build(config, capsys)
    site = config.parent / "_site"
    before = _times(site)
    again = _build(config, capsys)
    assert again.startswith("Nothing changed since the last build")
    assert _times(site) == before


def test_a_change_rewrites_only_what_differs_and_equals_a_clean_build(make_project, capsys, tmp_path) -> None:
    config = make_project({PAGE: PAGE_TEXT})
    _build(config, capsys)
    site = config.parent / "_site"
    before = _times(site)
    (config.parent / PAGE).write_text(PAGE_TEXT.replace("En side", "Ei side"), encoding="utf-8")
    assert "Built " in _build(config, capsys)
    after = _times(site)
    rewritten = {path for path in after if after[path] != before.get(path)}
    assert "nb/pages/om/index.html" in rewritten
    assert "assets/style.css" not in rewritten and "nb/decisions/tromso-nsc/index.html" not in rewritten
    assert len(rewritten) < len(after) / 2
    cached = _tree(site)
    shutil.rmtree(config.parent / CACHE_DIR)
    shutil.rmtree(site)
    _build(config, capsys)
    assert _tree(site) == cached
    assert "Ei side om <strong>nettstedet</strong>" in cached["nb/pages/om/index.html"].decode()


def test_removed_and_tampered_output_is_made_whole_again(make_project, capsys) -> None:
    config = make_project({PAGE: PAGE_TEXT})
    _build(config, capsys)
    site = config.parent / "_site"
    expected = _tree(site)
    (site / "nb" / "pages" / "om" / "index.html").unlink()
    assert "Built " in _build(config, capsys)
    assert _tree(site) == expected
    (config.parent / PAGE).unlink()
    _build(config, capsys)
    assert not (site / "nb" / "pages" / "om").exists()
    assert "nb/decisions/tromso-nsc/index.html" in _tree(site)


def test_an_unreadable_cache_is_ignored(make_project, capsys) -> None:
    config = make_project({PAGE: PAGE_TEXT})
    _build(config, capsys)
    expected = _tree(config.parent / "_site")
    for name in ("build.json", "markdown.json"):
        (config.parent / CACHE_DIR / name).write_text("{not json", encoding="utf-8")
    assert "Built " in _build(config, capsys)
    assert _tree(config.parent / "_site") == expected


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_a_cache_that_git_tracks_is_not_trusted(make_project, capsys) -> None:
    """A pull request could commit a cache whose "converted Markdown" is a script; it must not be used."""
    config = make_project({PAGE: PAGE_TEXT})
    root = config.parent
    _build(config, capsys)
    markdown = json.loads((root / CACHE_DIR / "markdown.json").read_text(encoding="utf-8"))
    body = PAGE_TEXT.split("---\n")[2]
    assert text_key(body).hex() in markdown["texts"]
    markdown["texts"][text_key(body).hex()] = "<script>alert(1)</script>"
    (root / CACHE_DIR / "markdown.json").write_text(json.dumps(markdown), encoding="utf-8")
    shutil.rmtree(root / "_site")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "add", "-f", CACHE_DIR)
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "with a cache")
    assert BuildCache.open(config, BUILD_OPTIONS).markdown == {}
    _build(config, capsys)
    page = (root / "_site" / "nb" / "pages" / "om" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "En side om <strong>nettstedet</strong>" in page


def test_the_cache_follows_the_theme_and_the_settings(make_project, capsys) -> None:
    override = "themes/mine/strings/nb.yaml"
    config = make_project({DECISION: MINIMAL_DECISION, override: 'footer.licence: "Lisens:"\n'})
    config.write_text(config.read_text(encoding="utf-8") + "theme: themes/mine\n", encoding="utf-8")
    home = config.parent / "_site" / "nb" / "index.html"
    _build(config, capsys)
    config.write_text(config.read_text(encoding="utf-8").replace("Testside", "Prøveside"), encoding="utf-8")
    assert "Built " in _build(config, capsys)
    assert "Prøveside" in home.read_text(encoding="utf-8")
    (config.parent / override).write_text('footer.licence: "Lisensen er"\n', encoding="utf-8")
    assert "Built " in _build(config, capsys)
    assert "Lisensen er" in home.read_text(encoding="utf-8")


def test_charts_drawn_ahead_by_several_processes_are_those_drawn_one_by_one(tmp_path, monkeypatch) -> None:
    from site_builder import chart_images
    from site_builder.chart_images import ChartImages

    monkeypatch.setattr(chart_images, "MIN_CHARTS_PER_WORKER", 1)
    specs = [
        {"data": {"values": [{"a": a, "b": b} for a, b in enumerate(range(n, n + 4))]}, "mark": "bar",
         "encoding": {"x": {"field": "a", "type": "ordinal"}, "y": {"field": "b", "type": "quantitative"}}}
        for n in range(3)
    ]  # fmt: skip
    ahead = ChartImages(tmp_path / "ahead" / "charts", [])
    ahead.draw_ahead(specs, 2)
    assert ahead.drawn == 3 and len(list((tmp_path / "ahead" / "charts").rglob("*.png"))) == 3
    one_by_one = ChartImages(tmp_path / "one" / "charts", [])
    for spec in specs:
        assert ahead.svg(spec) == one_by_one.svg(spec) and ahead.png(spec) == one_by_one.png(spec)
    assert ahead.drawn == 3


def test_a_chart_cache_that_git_tracks_is_not_used(tmp_path) -> None:
    from site_builder.chart_images import ChartImages

    charts = tmp_path / CACHE_DIR / "charts"
    (charts / "ab").mkdir(parents=True)
    (charts / "ab" / "ab12.svg").write_text("<svg><script>alert(1)</script></svg>", encoding="utf-8")
    assert ChartImages(charts, []).cache_dir == charts
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-f", CACHE_DIR)
    assert ChartImages(charts, []).cache_dir is None


def test_the_fingerprint_reuses_the_hash_of_a_file_left_alone(make_project, monkeypatch) -> None:
    monkeypatch.setattr(cache_module, "_SETTLED_NS", -1)  # every file counts as long left alone
    config = make_project({PAGE: PAGE_TEXT})
    first = BuildCache.open(config, BUILD_OPTIONS).fingerprint
    assert BuildCache.open(config, BUILD_OPTIONS).fingerprint == first
    record = config.parent / CACHE_DIR / "hashes.json"
    stored = json.loads(record.read_text(encoding="utf-8"))
    page = next(path for path in stored["files"] if path.endswith("pages/om.md"))
    # Only a remembered hash can make the fingerprint follow a change made to the record, not to the file.
    stored["files"][page][4] = "0" * 32
    record.write_text(json.dumps(stored), encoding="utf-8")
    assert BuildCache.open(config, BUILD_OPTIONS).fingerprint != first


def test_an_edit_that_keeps_the_size_and_modification_time_changes_the_fingerprint(make_project, monkeypatch) -> None:
    monkeypatch.setattr(cache_module, "_SETTLED_NS", -1)
    config = make_project({PAGE: PAGE_TEXT})
    first = BuildCache.open(config, BUILD_OPTIONS).fingerprint
    page = config.parent / PAGE
    before = page.stat()
    page.write_text(PAGE_TEXT.replace("En side", "Ei side"), encoding="utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert page.stat().st_size == before.st_size and page.stat().st_mtime_ns == before.st_mtime_ns
    changed = BuildCache.open(config, BUILD_OPTIONS).fingerprint
    assert changed != first
    assert changed == fingerprint(config, BUILD_OPTIONS)  # as if nothing were remembered


def test_a_themes_npm_folders_are_not_inputs_but_its_assets_are(make_project) -> None:
    npm = "themes/mine/vendor/node_modules/vega/build/vega.js"
    asset = "themes/mine/assets/vendor/vega.min.js"
    config = make_project({PAGE: PAGE_TEXT, npm: "// source\n", asset: "// built\n"})
    config.write_text(config.read_text(encoding="utf-8") + "theme: themes/mine\n", encoding="utf-8")
    first = fingerprint(config, BUILD_OPTIONS)
    (config.parent / npm).write_text("// another version of the source\n", encoding="utf-8")
    assert fingerprint(config, BUILD_OPTIONS) == first
    (config.parent / asset).write_text("// another build\n", encoding="utf-8")
    assert fingerprint(config, BUILD_OPTIONS) != first


# --- compiled templates, kept between builds in the user's cache folder -------------------------------------------


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the template was compiled again")


def _environment_with(folder: Path, theme: Path) -> jinja2.Environment:
    from site_builder import theme as theme_module

    environment = theme_module.make_environment([theme])
    environment.bytecode_cache = theme_module._CompiledTemplates(folder)
    return environment


def test_a_template_compiled_by_one_build_is_read_by_the_next_and_checked_against_its_source(tmp_path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    template = theme / "templates" / "t.html"
    template.write_text("Hei {{ name }}!", encoding="utf-8")
    compiled = tmp_path / "compiled"
    assert _environment_with(compiled, theme).get_template("t.html").render(name="Tromsø") == "Hei Tromsø!"
    (stored,) = compiled.iterdir()
    # The next build compiles nothing.
    reading = _environment_with(compiled, theme)
    reading.compile = _refuse  # type: ignore[method-assign]
    assert reading.get_template("t.html").render(name="Bodø") == "Hei Bodø!"
    stored.write_bytes(stored.read_bytes()[:40])  # cut short: compiled again, not a crash
    assert _environment_with(compiled, theme).get_template("t.html").render(name="Bodø") == "Hei Bodø!"
    template.write_text("Hallo {{ name }}.", encoding="utf-8")  # a new source is never given the old code
    assert _environment_with(compiled, theme).get_template("t.html").render(name="Bodø") == "Hallo Bodø."


def test_templates_render_when_the_cache_folder_cannot_be_written(tmp_path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "t.html").write_text("Hei {{ name }}!", encoding="utf-8")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert _environment_with(blocked / "compiled", theme).get_template("t.html").render(name="Oslo") == "Hei Oslo!"


def test_a_build_without_the_search_index_is_not_taken_for_one_with_it(make_project, capsys, tmp_path) -> None:
    config = make_project({PAGE: PAGE_TEXT})
    site = config.parent / "_site"
    assert main(["--config", str(config), "build", "--jobs", "1", "--no-search"]) == 0
    assert "Built " in capsys.readouterr().out
    assert (site / "nb" / "search" / "index.html").is_file()
    assert not (site / "pagefind").exists()
    # The next build asks for the index: it makes it, and the whole output is a clean build's.
    assert "Built " in _build(config, capsys)
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    clean = tmp_path / "clean"
    assert main(["--config", str(config), "build", "--jobs", "1", "--out", str(clean)]) == 0
    assert _tree(site) == _tree(clean)


def test_a_script_that_builds_without_the_main_guard_still_gets_its_charts(make_project, tmp_path) -> None:
    """Chart drawing processes start afresh and run the calling script again; without the
    `if __name__ == "__main__":` guard, its build refuses to run in them, and the build that started them
    draws the charts itself, where a multiprocessing.Pool restarted the processes forever."""
    config = make_project()
    script = tmp_path / "build_site.py"
    script.write_text(
        "from pathlib import Path\n"
        "from site_builder import chart_images\n"
        "from site_builder.build import build\n"
        "chart_images.MIN_CHARTS_PER_WORKER = 1\n"
        f"result = build(Path({str(config)!r}), Path({str(tmp_path / 'out')!r}), jobs=2, search=False)\n"
        "print('built', sum(path.endswith('.png') for path in result.files))\n",
        encoding="utf-8",
    )
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    built = ran.stdout.split()
    assert built[0] == "built" and int(built[1]) >= 2, ran.stdout
    assert 'must call build() under `if __name__ == "__main__":`' in ran.stderr


def test_workers_show_the_stored_markdown_and_the_cache_keeps_it(tmp_path, monkeypatch, capsys) -> None:
    """A build into a new folder with the last build's Markdown: the workers show the stored HTML (and hand
    back only which texts they showed), the pages are a clean build's, and the cache still holds every text."""
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_JOB", 1)
    made = corpus.generate(8, tmp_path / "project")
    options = ["--config", str(made.config), "build", "--jobs", "2", "--no-search", "--out"]
    assert main([*options, str(tmp_path / "first")]) == 0
    stored = made.config.parent / CACHE_DIR / "markdown.json"
    texts = json.loads(stored.read_text(encoding="utf-8"))["texts"]
    assert len(texts) > 20
    before = stored.stat().st_mtime_ns
    assert main([*options, str(tmp_path / "second")]) == 0
    assert "Built " in capsys.readouterr().out
    assert _tree(tmp_path / "second") == _tree(tmp_path / "first")
    assert stored.stat().st_mtime_ns == before, "the cache lost texts the workers showed, and was stored again"
    assert json.loads(stored.read_text(encoding="utf-8"))["texts"] == texts
