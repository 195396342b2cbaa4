"""The editors' handbook (docs/, mkdocs.yml): generated reference in step with the models, complete,
buildable with `mkdocs build --strict`, and fetching nothing from another host."""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from site_builder.config import SiteSettings
from site_builder.handbook import CROSS_FIELD_RULES, EXAMPLES, model_validator_names, reference_pages
from site_builder.models import DOCUMENT_TYPES, REGISTRIES
from site_builder.yamlio import parse_yaml

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
REGENERATE = "run `python -m site_builder.handbook` to regenerate docs/reference/ and docs/settings.md"


# --- (a) the committed pages are what the generator produces --------------------------------------


def test_generated_pages_are_up_to_date() -> None:
    pages = reference_pages()
    outdated = sorted(
        path for path, text in pages.items() if not (DOCS / path).is_file() or (DOCS / path).read_text("utf-8") != text
    )
    stale = sorted(
        f"reference/{path.name}" for path in (DOCS / "reference").glob("*.md") if f"reference/{path.name}" not in pages
    )
    assert not outdated, f"docs/ differs from the models in {outdated}: {REGENERATE}"
    assert not stale, f"docs/ has reference pages no model produces, {stale}: {REGENERATE}"


# --- (b) every field of every model is in the handbook ----------------------------------------------


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _reachable(root: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        model = pending.pop()
        if model not in found:
            found.append(model)
            for info in model.model_fields.values():
                pending.extend(_models_in(info.annotation))
    return found


def _section(text: str, heading: str) -> str:
    """The text under a heading line, up to the next heading."""
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^#|\Z)", text, flags=re.M | re.S)
    return match.group(1) if match else ""


HANDBOOK_PAGES: list[tuple[str, type[BaseModel]]] = [
    *((f"reference/{name}.md", model) for name, model in DOCUMENT_TYPES.items()),
    *((f"reference/data-{name}.md", model) for name, model in REGISTRIES.items()),
    ("settings.md", SiteSettings),
]


@pytest.mark.parametrize(("page", "root"), HANDBOOK_PAGES, ids=[page for page, _ in HANDBOOK_PAGES])
def test_every_field_is_documented(page: str, root: type[BaseModel]) -> None:
    text = (DOCS / page).read_text("utf-8")
    missing = []
    for model in _reachable(root):
        region = text.split("\n## Nested objects\n")[0] if model is root else _section(text, f"### {model.__name__}")
        if not region:
            missing.append(f"section for {model.__name__}")
            continue
        missing.extend(f"{model.__name__}.{field}" for field in model.model_fields if f"\n| `{field}` |" not in region)
    assert not missing, f"docs/{page} does not document {missing}: {REGENERATE}"


def test_every_rule_across_fields_is_described() -> None:
    """A model validator checks something JSON Schema cannot say; the handbook must say it in words."""
    validators = {
        (model.__name__, name)
        for _, root in HANDBOOK_PAGES
        for model in _reachable(root)
        for name in model_validator_names(model)
    }
    undescribed = sorted(validators - set(CROSS_FIELD_RULES))
    stale = sorted(set(CROSS_FIELD_RULES) - validators)
    assert not undescribed, f"describe these rules in CROSS_FIELD_RULES in site_builder/handbook.py: {undescribed}"
    assert not stale, f"CROSS_FIELD_RULES describes validators that no longer exist: {stale}"


def test_every_content_type_and_registry_has_a_reference_page() -> None:
    expected = {f"reference/{name}.md" for name in DOCUMENT_TYPES} | {
        f"reference/data-{name}.md" for name in REGISTRIES
    }
    assert expected <= set(reference_pages())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_handbook_examples_are_valid(name: str) -> None:
    data = parse_yaml(EXAMPLES[name]).data
    if name == "settings":
        SiteSettings.model_validate(data)
    elif name.startswith("data-"):
        TypeAdapter(list[REGISTRIES[name.removeprefix("data-")]]).validate_python(data)
    else:
        DOCUMENT_TYPES[name].model_validate(data)


# --- worked examples quote the shipped files as they are ---------------------------------------------

EXCERPT = re.compile(r"`((?:content|data)/[^`\s]+\.(?:md|yaml))`[^\n]*:\n\n```yaml\n(.*?)```", re.S)
ELISION = re.compile(r"^(?:#\s*)?…$")


def _excerpts() -> list[tuple[str, str, str]]:
    found = []
    for page in sorted((DOCS / "examples").glob("*.md")):
        for match in EXCERPT.finditer(page.read_text("utf-8")):
            found.append((page.name, match.group(1), match.group(2)))
    return found


def test_worked_examples_quote_the_shipped_files() -> None:
    excerpts = _excerpts()
    assert len(excerpts) >= 10, "the worked examples should show the YAML from the shipped content"
    problems = []
    for page, source, block in excerpts:
        path = REPO / source
        if not path.is_file():
            problems.append(f"{page}: {source} does not exist")
            continue
        lines = iter(line.strip() for line in path.read_text("utf-8").splitlines())
        for line in block.splitlines():
            wanted = line.strip()
            if not wanted or ELISION.match(wanted):
                continue
            if not any(candidate == wanted for candidate in lines):
                problems.append(f"{page}: {source} has no line {wanted!r} (in this order)")
                break
    assert not problems, "excerpts no longer match the content; update docs/examples/: " + "; ".join(problems)


# --- (c) MkDocs builds the handbook strictly, (d) and nothing is fetched from elsewhere ---------------


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handbook") / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(REPO / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed (is mkdocs>=1.6,<2 installed?):\n{result.stderr}"
    return out


def test_mkdocs_builds_every_page(handbook: Path) -> None:
    sources = {path.relative_to(DOCS).with_suffix(".html").as_posix() for path in DOCS.rglob("*.md")}
    built = {path.relative_to(handbook).as_posix() for path in handbook.rglob("*.html")}
    assert sources <= built


class _Fetches(HTMLParser):
    """The URLs a page makes the browser fetch: scripts, stylesheets and icons, images, frames, media."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link":
            relations = set((values.get("rel") or "").lower().split())
            if not relations <= NAVIGATION_ONLY:
                self.urls.append(values.get("href") or "")
        elif tag in ("script", "img", "iframe", "audio", "video", "source", "embed"):
            self.urls.append(values.get("src") or "")
        elif tag == "object":
            self.urls.append(values.get("data") or "")


NAVIGATION_ONLY = {"canonical", "alternate", "author", "license", "next", "prev", "help", "search"}
"""<link> relations that name a page without the browser fetching it."""


def _elsewhere(url: str) -> bool:
    """True for a URL on another host: with a scheme (other than data:) or protocol-relative."""
    has_scheme = bool(re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I))
    return url.startswith("//") or (has_scheme and not url.startswith("data:"))


def test_no_page_fetches_from_another_host(handbook: Path) -> None:
    offenders = []
    for page in sorted(handbook.rglob("*.html")):
        parser = _Fetches()
        parser.feed(page.read_text("utf-8"))
        offenders.extend(f"{page.relative_to(handbook)}: {url}" for url in parser.urls if _elsewhere(url))
    for stylesheet in sorted(handbook.rglob("*.css")):
        for url in re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]+)", stylesheet.read_text("utf-8")):
            if _elsewhere(url):
                offenders.append(f"{stylesheet.relative_to(handbook)}: {url}")
    assert not offenders, f"handbook pages load from other hosts: {offenders}"
