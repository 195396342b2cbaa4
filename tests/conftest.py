"""Shared fixtures: tiny projects written from a dict of files, and the shipped site."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.build import BuildResult, build, check
from site_builder.diagnostics import Diagnostics

REPO = Path(__file__).resolve().parent.parent

SITE_YAML = """\
name: {nb: Testside, sv: Testsida, en: Test site}
base_url: https://example.org/
languages: [nb, sv, en]
default_language: nb
licence: {id: CC-BY-4.0, name: CC BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}
repository: {url: https://github.com/example/site}
"""

MUNICIPALITIES_YAML = """\
- id: tromso
  name: Tromsø
  country: "NO"
  numbers: [{code: "5401", valid_from: 2020, valid_to: 2023}]
  coordinates: {lat: 69.65, lon: 18.96}
- id: norrtalje
  name: Norrtälje
  country: SE
"""

ORGANISATIONS_YAML = """\
- id: tromso-kommunestyret
  name: Kommunestyret
  kind: council
  municipality: tromso
- id: nordic-safe-cities
  name: Nordic Safe Cities
  kind: network
  members: [{municipality: tromso}]
"""

PARTIES_YAML = """\
- {id: no-ap, country: "NO", abbreviation: Ap, name: Arbeiderpartiet, colour: "#E4202C"}
"""

MINIMAL_DECISION = """\
---
type: decision
title: Medlemskap i Nordic Safe Cities
lang: nb
municipality: tromso
status: adopted
date: 2022-08-23
---
Kommunen blir medlem.
"""


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if not text.startswith("---") else text, encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write a small valid project plus `files` (which may replace any of it); return site.yaml's path."""

    def make(files: dict[str, str] | None = None) -> Path:
        base = {
            "site.yaml": SITE_YAML,
            "data/municipalities.yaml": MUNICIPALITIES_YAML,
            "data/organisations.yaml": ORGANISATIONS_YAML,
            "data/parties.yaml": PARTIES_YAML,
            "content/decisions/tromso/tromso-nsc.md": MINIMAL_DECISION,
        }
        base.update(files or {})
        write_tree(tmp_path, {k: v for k, v in base.items() if v is not None})
        return tmp_path / "site.yaml"

    return make


def diagnostics_of(config: Path) -> list[str]:
    result: Diagnostics = check(config)
    return [str(d) for d in result.sorted()]


@pytest.fixture(scope="session")
def shipped_build() -> BuildResult:
    """The repository's own site, built once in memory."""
    return build(REPO / "site.yaml")


def page_text(result: BuildResult, path: str) -> str:
    """A built page's text with tags removed and white space (incl. no-break spaces) folded."""
    import re
    from html import unescape

    html = result.files[path].decode("utf-8")
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)
