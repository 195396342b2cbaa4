"""The build as a whole: every page in every language, determinism, atomic and guarded output."""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import MINIMAL_DECISION, REPO, SITE_YAML, page_text
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import links, urls
from site_builder import write as write_module
from site_builder.build import build
from site_builder.diagnostics import BuildFailed
from site_builder.output import OutputFiles
from site_builder.schemas import document_schemas, schema_text
from site_builder.write import MARKER, OutputRefused, Written, write_site

DECISION = "content/decisions/tromso/tromso-nsc.md"


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--config", str(config), *args], capture_output=True, text=True
    )


CACHE = ".site-builder-cache"
"""Drawn charts and the build cache: not output, git-ignored, and allowed to fill on any run."""


def tree(folder: Path) -> dict[str, bytes]:
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files if CACHE not in p.parts}


def test_every_page_exists_in_every_language(shipped_build):
    pages = [p for p in shipped_build.files if p.endswith(".html") and "/" in p]  # not index.html, 404.html
    by_language: dict[str, set[str]] = {}
    for path in pages:
        lang, rest = path.split("/", 1)
        by_language.setdefault(lang, set()).add(rest)
    assert set(by_language) == {"nb", "sv", "en"}
    assert by_language["nb"] == by_language["sv"] == by_language["en"]
    assert "decisions/tromso-sak-124-22-nordic-safe-cities/index.html" in by_language["en"]


def test_language_switcher_links_to_the_same_document(shipped_build):
    html = shipped_build.files["en/decisions/tromso-sak-124-22-nordic-safe-cities/index.html"].decode()
    assert 'href="../../../sv/decisions/tromso-sak-124-22-nordic-safe-cities/" hreflang="sv"' in html
    assert 'href="../../../nb/decisions/tromso-sak-124-22-nordic-safe-cities/" hreflang="nb"' in html
    assert (
        '<link rel="alternate" hreflang="sv" '
        'href="https://example.org/kommunedata/sv/decisions/tromso-sak-124-22-nordic-safe-cities/">'
    ) in html


def test_ui_language_and_document_language_are_marked(shipped_build):
    html = shipped_build.files["en/strategies/norrtalje-trygghets-och-sakerhetsstrategi-2030/index.html"].decode()
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<article class="document" lang="sv">' in html
    assert "This document is written in Swedish." in page_text(
        shipped_build, "en/strategies/norrtalje-trygghets-och-sakerhetsstrategi-2030/index.html"
    )
    assert "Baseline" in page_text(shipped_build, "en/indicators/norrtalje-tss-anmalda-valdsbrott/index.html")
    assert "Nuläge" in page_text(shipped_build, "sv/indicators/norrtalje-tss-anmalda-valdsbrott/index.html")


def test_numbers_and_dates_follow_the_ui_language(shipped_build):
    nb = page_text(shipped_build, "nb/memberships/tromso-nordic-safe-cities-2022-2024/index.html")
    en = page_text(shipped_build, "en/memberships/tromso-nordic-safe-cities-2022-2024/index.html")
    assert "75 000 DKK" in nb
    assert "75,000 DKK" in en
    assert "23 August 2022" in page_text(shipped_build, "en/decisions/tromso-sak-124-22-nordic-safe-cities/index.html")
    assert "23. august 2022" in page_text(shipped_build, "nb/decisions/tromso-sak-124-22-nordic-safe-cities/index.html")


def test_root_redirects_to_default_language(shipped_build):
    html = shipped_build.files["index.html"].decode()
    assert '<meta http-equiv="refresh" content="0; url=nb/">' in html
    assert 'href="sv/"' in html and 'href="en/"' in html


def test_municipality_and_organisation_pages_link_documents(shipped_build):
    tromso = page_text(shipped_build, "en/municipalities/tromso/index.html")
    assert "Trygg by Norge- satsningen" in tromso
    assert "Nordic Safe Cities" in tromso
    assert "5401 (2020–2023)" in tromso
    nsc = shipped_build.files["en/organisations/nordic-safe-cities/index.html"].decode()
    assert "../../memberships/tromso-nordic-safe-cities-2022-2024/" in nsc


def test_edit_link_points_at_the_source_file(shipped_build):
    html = shipped_build.files["nb/decisions/tromso-sak-124-22-nordic-safe-cities/index.html"].decode()
    assert (
        "https://github.com/example/kommunedata/edit/main/content/decisions/tromso/"
        "tromso-sak-124-22-nordic-safe-cities.md"
    ) in html


def test_all_internal_links_resolve(shipped_build):
    import posixpath
    import re

    files = set(shipped_build.files)
    broken = []
    for path, data in shipped_build.files.items():
        if not path.endswith(".html"):
            continue
        for href in re.findall(r'(?:href|src)="([^"#]+)(?:#[^"]*)?"', data.decode()):
            if href.startswith(("http://", "https://")):
                continue
            # A root-relative link (as on 404.html) starts at the base URL's path, /kommunedata/.
            relative = href.removeprefix("/kommunedata/")
            start = "" if relative != href else posixpath.dirname(path)
            target = posixpath.normpath(posixpath.join(start, relative))
            if href.endswith("/") or target in ("", "."):
                target = posixpath.join(target, "index.html") if target not in ("", ".") else "index.html"
            if target not in files:
                broken.append((path, href))
    assert broken == []


def test_schemas_are_published_and_match_the_repository(shipped_build):
    for name, schema in document_schemas().items():
        published = shipped_build.files[f"schemas/{name}.schema.json"].decode()
        assert published == schema_text(schema)
        committed = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == published, f"schemas/{name}.schema.json is stale: run `site-builder schemas`"
    decision = json.loads(shipped_build.files["schemas/decision.schema.json"])
    assert "municipality" in decision["properties"]
    assert decision["additionalProperties"] is False


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build(REPO / "site.yaml", first)
    build(REPO / "site.yaml", second)
    assert tree(first) == tree(second)
    assert len(tree(first)) > 100


def test_failed_build_leaves_previous_output_untouched(make_project, tmp_path):
    config = make_project()
    out = tmp_path / "_site"
    assert run_cli(config, "build", "--out", str(out)).returncode == 0
    before = tree(out)
    (config.parent / DECISION).write_text(MINIMAL_DECISION.replace("status: adopted", "status: adoptd"))
    result = run_cli(config, "build", "--out", str(out))
    assert result.returncode == 1
    assert "nothing was written" in result.stderr
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != CACHE) == []


def test_a_build_that_fails_after_rendering_leaves_no_pages_behind(make_project, tmp_path):
    """Pages are written beside the output as they are rendered; a link check that fails removes them."""
    config = make_project()
    out = tmp_path / "_site"
    assert run_cli(config, "build", "--out", str(out)).returncode == 0
    before = tree(out)
    (config.parent / DECISION).write_text(MINIMAL_DECISION + "\nSe [vedlegget](../finnes-ikke/).\n")
    result = run_cli(config, "build", "--out", str(out))
    assert result.returncode == 1
    assert "finnes-ikke" in result.stderr and "Traceback" not in result.stderr
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != CACHE) == []


def test_rebuild_replaces_output_completely(make_project, tmp_path):
    config = make_project()
    out = tmp_path / "_site"
    build(config, out)
    (out / "stale.html").write_text("old")
    build(config, out)
    assert not (out / "stale.html").exists()
    assert (out / MARKER).is_file()


@pytest.mark.parametrize("folder", [".", "content", "data", "files"])
def test_output_guard_refuses_project_folders(make_project, folder):
    config = make_project()
    target = config.parent / folder
    before = tree(config.parent)
    result = run_cli(config, "build", "--out", str(target))
    assert result.returncode == 1
    assert "refusing to write the site" in result.stderr
    assert tree(config.parent) == before


def test_output_guard_refuses_a_foreign_folder(tmp_path):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(OutputRefused):
        write_site({"index.html": b"x"}, foreign, protected=[])
    assert (foreign / "thesis.txt").read_text() == "precious"


@pytest.mark.parametrize("path", ["", ".", "./", "/etc/passwd", "../up.html", "a/../../up.html", "a//../b", MARKER])
def test_output_refuses_files_outside_the_folder(tmp_path, path):
    out = tmp_path / "site"
    with pytest.raises(OutputRefused, match="outside the output folder"):
        write_site({"index.html": b"x", path: b"y"}, out, protected=[])
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_output_takes_paths_with_redundant_slashes_and_dots(tmp_path):
    out = tmp_path / "site"
    write_site({"a//b.html": b"1", "./c/./d.html": b"2", "index.html": b"3"}, out, protected=[])
    assert (out / "a" / "b.html").read_bytes() == b"1" and (out / "c" / "d.html").read_bytes() == b"2"


def test_markdown_body_is_sanitised(make_project):
    hostile = MINIMAL_DECISION.replace(
        "Kommunen blir medlem.\n",
        'Tekst <script>alert(1)</script> <img src=x onerror="alert(2)"> [lenke](javascript:alert(3))\n'
        "<iframe src='https://evil.example'></iframe>\n",
    ).replace("title: Medlemskap i Nordic Safe Cities", 'title: "<b onmouseover=alert(4)>Tittel</b>"')
    result = build(make_project({DECISION: hostile}))
    html = result.files["nb/decisions/tromso-nsc/index.html"].decode()
    for needle in ("<script>alert", "onerror", "javascript:", "<iframe", "<b onmouseover"):
        assert needle not in html
    assert "&lt;b onmouseover=alert(4)&gt;Tittel&lt;/b&gt;" in html


def test_build_refuses_content_errors(make_project):
    config = make_project({DECISION: MINIMAL_DECISION.replace("lang: nb", "lang: xx")})
    with pytest.raises(BuildFailed) as failure:
        build(config)
    assert failure.value.diagnostics[0].path == DECISION


def test_missing_ui_string_in_a_site_theme_is_a_diagnostic(make_project):
    config = make_project(
        {
            "site.yaml": SITE_YAML + "theme: mytheme\n",
            "mytheme/strings/sv.yaml": "extra.key: Bara på svenska\n",
        }
    )
    with pytest.raises(BuildFailed) as failure:
        build(config)
    messages = [str(d) for d in failure.value.diagnostics]
    assert any("missing UI strings: extra.key" in m for m in messages)


def test_site_theme_overrides_a_template_and_can_extend_the_default(make_project):
    config = make_project(
        {
            "site.yaml": SITE_YAML + "theme: mytheme\n",
            "mytheme/templates/home.html": (
                '{% extends "default:home.html" %}{% block content %}<p>Velkommen hit</p>{{ super() }}{% endblock %}'
            ),
        }
    )
    html = build(config).files["nb/index.html"].decode()
    assert "<p>Velkommen hit</p>" in html
    assert "Siste vedtak" in html


def test_each_page_has_the_menu_and_footer_of_its_own_place(shipped_build):
    # The menu and footer are rendered once for each set of values and reused (theme.SharedParts):
    # pages at other depths and in other sections must still get their own.
    def shown(path: str) -> tuple[list[str], list[str]]:
        html = shipped_build.files[path].decode()
        current = re.findall(r'<li><a href="[^"]+" aria-current="page">([^<]+)</a></li>', html)
        footer = html[html.index('<footer class="site-footer">') :]
        return current, re.findall(r'<a href="([^"]+)"', footer)

    home_current, home_links = shown("en/index.html")
    decision_current, decision_links = shown("en/decisions/tromso-sak-124-22-nordic-safe-cities/index.html")
    municipality_current, _ = shown("nb/municipalities/bergen/index.html")
    assert home_current == ["Home"]
    assert decision_current == ["Decisions"]
    assert municipality_current == ["Kommuner"]
    assert home_links[1:3] == ["indicators/", "topics/"]
    assert decision_links[1:3] == ["../../indicators/", "../../topics/"]
    assert "decisions/feed.xml" in home_links and "../feed.xml" in decision_links


def test_a_site_theme_can_replace_the_footer_which_sees_only_its_values(make_project):
    footer = '<footer class="site-footer">{{ footer.licence.label }} · {{ footer.links[0].url }}</footer>\n'
    config = make_project({"site.yaml": SITE_YAML + "theme: mytheme\n", "mytheme/templates/_footer.html": footer})
    html = build(config).files["nb/decisions/index.html"].decode()
    assert '<footer class="site-footer">CC BY 4.0 · ../indicators/</footer>' in html

    config = make_project(
        {"site.yaml": SITE_YAML + "theme: mytheme\n", "mytheme/templates/_footer.html": "{{ page.title }}\n"}
    )
    with pytest.raises(BuildFailed) as failure:
        build(config)
    problem = failure.value.diagnostics[0]
    assert problem.path == "mytheme/templates/_footer.html" and "'page' is undefined" in problem.message


def test_pages_carry_a_content_security_policy_and_subresource_integrity(shipped_build):
    import base64
    import hashlib

    css = shipped_build.files["assets/style.css"]
    digest = "sha384-" + base64.b64encode(hashlib.sha384(css).digest()).decode()
    for path, data in shipped_build.files.items():
        if not path.endswith(".html"):
            continue
        html = data.decode()
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src' in html, path
        if path != "index.html":
            assert f'integrity="{digest}"' in html, path
        # Only data blocks and the site's own script files, each with its integrity value: nothing inline runs.
        scripts = re.findall(r"<script[^>]*>", html)
        for tag in scripts:
            if tag == '<script type="application/ld+json">':
                continue
            source = re.search(r'src="([^"]+)"', tag)
            assert source and "://" not in source.group(1) and 'integrity="sha384-' in tag, (path, tag)


def test_referenced_files_are_published_and_checked(make_project):
    text = MINIMAL_DECISION.replace(
        "date: 2022-08-23\n",
        "date: 2022-08-23\nsource: {title: Saksframlegg, file: tromso/sak-124-22.pdf}\n"
        "attachments:\n  - {title: Vedlegg 1, file: tromso/vedlegg-1.pdf}\n",
    )
    config = make_project(
        {DECISION: text, "files/tromso/sak-124-22.pdf": "%PDF-1.4 sak", "files/tromso/vedlegg-1.pdf": "%PDF-1.4 v"}
    )
    result = build(config)
    assert result.files["files/tromso/sak-124-22.pdf"] == b"%PDF-1.4 sak"
    html = result.files["nb/decisions/tromso-nsc/index.html"].decode()
    assert 'href="../../../files/tromso/sak-124-22.pdf" download' in html
    assert 'href="../../../files/tromso/vedlegg-1.pdf" download' in html


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("../../etc/passwd", "the file reference '../../etc/passwd' leaves the project"),
        ("/etc/passwd", "the file reference '/etc/passwd' is an absolute path"),
        ("tromso/missing.pdf", "no file 'tromso/missing.pdf' in files/"),
        ("outside/passwd", "'outside/passwd' is a symbolic link that leads outside the project"),
    ],
)
def test_file_references_stay_inside_the_project(make_project, tmp_path_factory, reference, message):
    text = MINIMAL_DECISION.replace(
        "date: 2022-08-23\n", f"date: 2022-08-23\nsource: {{title: Sak, file: '{reference}'}}\n"
    )
    config = make_project({DECISION: text, "files/keep.txt": "x"})
    secret = tmp_path_factory.mktemp("elsewhere")
    (secret / "passwd").write_text("root:x:0:0")
    (config.parent / "files" / "outside").symlink_to(secret, target_is_directory=True)
    problems = [str(d) for d in build_check(config)]
    assert len(problems) == 1
    assert problems[0].startswith(f"{DECISION}:8:22: error: {message} (")


def build_check(config: Path):
    from site_builder.build import check

    return check(config).sorted()


def test_symlinked_content_leading_outside_is_refused(make_project, tmp_path_factory):
    config = make_project()
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "secret.md"
    elsewhere.write_text(MINIMAL_DECISION)
    (config.parent / "content" / "decisions" / "tromso" / "linked.md").symlink_to(elsewhere)
    problems = [str(d) for d in build_check(config)]
    assert problems == [
        "content/decisions/tromso/linked.md:1:1: error: 'content/decisions/tromso/linked.md' is a symbolic link "
        "that leads outside the project (copy the file into the project instead)"
    ]


def test_deep_nesting_is_refused(make_project):
    deep_yaml = (
        "---\ntype: decision\ntitle: x\nlang: nb\nmunicipality: tromso\nstatus: adopted\nsummary:\n"
        + "".join("  " * (i + 1) + "- \n" for i in range(80))
        + "---\n"
    )
    problems = [str(d) for d in build_check(make_project({DECISION: deep_yaml}))]
    assert any("the YAML is nested more than 64 levels deep" in p for p in problems), problems
    deep_markdown = MINIMAL_DECISION + "\n" + ">" * 40 + " sitat\n"
    problems = [str(d) for d in build_check(make_project({DECISION: deep_markdown}))]
    assert problems == [
        f"{DECISION}:11:1: error: Markdown nested more than 16 levels deep (flatten the lists and quotes)"
    ]


def test_a_fourth_language_is_one_strings_file_and_one_line_of_config(make_project):
    english = (REPO / "themes" / "default" / "strings" / "en.yaml").read_text(encoding="utf-8")
    config = make_project({
        "site.yaml": SITE_YAML.replace("languages: [nb, sv, en]", "languages: [nb, sv, en, da]") + "theme: mytheme\n",
        "mytheme/strings/da.yaml": english.replace("nav.home: Home", "nav.home: Forside"),
    })  # fmt: skip
    result = build(config)
    html = result.files["da/decisions/tromso-nsc/index.html"].decode()
    assert html.startswith('<!DOCTYPE html>\n<html lang="da">')
    assert 'hreflang="da" lang="da" aria-current="true">Dansk</a>' in html
    assert 'hreflang="sv" lang="sv">Svenska</a>' in result.files["nb/index.html"].decode()


def test_unreferenced_footnote_is_a_diagnostic_not_a_broken_link(make_project):
    text = MINIMAL_DECISION.replace("Kommunen blir medlem.\n", "Kommunen blir medlem.\n\n[^1]: En fotnote.\n")
    problems = [str(d) for d in build_check(make_project({DECISION: text}))]
    assert problems == [
        f"{DECISION}:11:1: error: the footnote [^1] is defined but never referred to "
        "(refer to it in the text as [^1], or remove it)"
    ]


def test_a_broken_redirect_template_is_a_diagnostic(make_project):
    config = make_project(
        {"site.yaml": SITE_YAML + "theme: mytheme\n", "mytheme/templates/redirect.html": "{{ nope.x }}"}
    )
    problems = [str(d) for d in build_check(config)]
    assert len(problems) == 1
    assert problems[0].startswith(
        "mytheme/templates/redirect.html:1:1: error: cannot render index.html: UndefinedError"
    )


def test_a_build_reads_back_none_of_the_pages_and_data_it_wrote(make_project, tmp_path, monkeypatch):
    """Pages and open data are written beside the output as they are made; the sitemap, the link check and
    the write phase use what was noted then instead of reading thousands of files back. (Without the
    search index, which Pagefind makes from the pages themselves.)"""
    read: list[str] = []
    read_file, record = OutputFiles.__getitem__, write_module._record

    def reading(files: OutputFiles, path: str) -> bytes:
        read.append(path)
        return read_file(files, path)

    def recording(path: str) -> Written:
        read.append(path)
        return record(path)

    monkeypatch.setattr(OutputFiles, "__getitem__", reading)
    monkeypatch.setattr(write_module, "_record", recording)
    out = tmp_path / "_site"
    page = "---\ntype: page\ntitle: Om\nlang: nb\n---\n## Bakgrunn\n\nSe [bakgrunnen](#bakgrunn).\n"
    build(make_project({"content/pages/om.md": page}), out, search=False)
    assert [path for path in read if path.endswith(".html") or path.startswith("data/")] == []
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/nb/pages/om/</loc>" in sitemap and "404" not in sitemap
    indexed = [p for p in (out / "nb").rglob("index.html") if 'name="robots" content="noindex' not in p.read_text()]
    assert len(indexed) == sitemap.count("<loc>https://example.org/nb/")


_SEGMENT = st.sampled_from(["nb", "sv", "en", "pages", "decisions", "tromso", "a", "b", "data"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_SEGMENT, max_size=4), st.lists(_SEGMENT, max_size=4), st.booleans(), st.lists(st.integers(0, 40)))
def test_a_link_between_two_pages_leads_from_one_to_the_other(start, end, to_page, order):
    """Every link the pages carry is made by urls.relative_url (a cache of the way from a page's parent folder
    speeds it up): from any page, the link resolves to its target, written as posixpath.relpath writes it."""
    from_path = "/".join([*start, "index.html"])
    to_path = "/".join([*end, "index.html" if to_page else "tromso.json"])
    # Earlier calls fill the cache: links from neighbours, out of and into the page's own folder.
    for n in order:
        urls.relative_url("/".join([*start[: n % (len(start) + 1)], "index.html"]), to_path)
    link = urls.relative_url(from_path, to_path)
    folder = "/".join(start)
    target = to_path.removesuffix("index.html").rstrip("/") or "."
    expected = posixpath.relpath(target, folder or ".")
    if to_path.endswith("index.html"):
        expected = "./" if expected == "." else expected + "/"
    assert link == expected
    resolved = urljoin(f"https://example.org/{from_path}", link)
    assert resolved == f"https://example.org/{to_path.removesuffix('index.html')}"


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEGMENT, max_size=4), st.lists(st.sampled_from(["..", ".", "pages", "a"]), max_size=5), st.booleans())
def test_the_link_check_follows_each_link_where_a_browser_would(start, steps, to_folder):
    """The link check works out where each link leads (a cache of the way from a page's parent folder
    speeds it up); it must be where a browser goes."""
    page = "/".join([*start, "index.html"])
    href = "/".join([*steps, "" if to_folder else "x.json"]) or "./"
    html = f'<a href="{href}">x</a>'.encode()
    resolved = urljoin(f"https://example.org/{page}", href).removeprefix("https://example.org/")
    expected = resolved + "index.html" if resolved.endswith("/") or resolved == "" else resolved
    if ".." in posixpath.normpath(posixpath.join(posixpath.dirname(page), href)).split("/"):
        return  # above the site: reported as not on it, wherever the browser would go
    assert links.page_links(html, page, "/") == (((expected, b""),) if expected != page else ())
