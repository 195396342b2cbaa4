"""Render every page of the site, in every UI language, into memory (output path → bytes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import urls
from .diagnostics import Diagnostics
from .graph import Site
from .load import shown_path
from .markdown import MarkdownRenderer
from .opendata.exports import OpenData
from .pages import DocumentContext, site_pages
from .schemas import document_schemas, schema_text
from .theme import Theme, template_location


@dataclass
class RenderedSite:
    files: dict[str, bytes]
    """Every output file by path."""
    page_sources: dict[str, tuple[str, str]]
    """For pages made from a content file: (its path as editors know it, its text)."""


def render_site(site: Site, theme: Theme, open_data: OpenData, diagnostics: Diagnostics) -> RenderedSite:
    """Every page, schema, asset and open-data file, by output path. Refuses two files with one path."""
    root = site.config.root
    files: dict[str, bytes] = {}
    page_sources: dict[str, tuple[str, str]] = {}
    renderer = MarkdownRenderer()

    def add(path: str, content: bytes) -> None:
        if path in files:
            diagnostics.error(path, 1, 1, f"two files would be written to {path}", "rename one of the documents")
            return
        files[path] = content

    for lang in site.config.settings.languages:
        for context in site_pages(site, lang, theme.strings[lang], renderer, open_data, theme.integrity):
            html = _render(theme, context.template, context.path, root, diagnostics, page=context)
            if html is None:
                return RenderedSite({}, {})
            add(context.path, _tidy(html).encode("utf-8"))
            if isinstance(context, DocumentContext) and context.document is not None:
                page_sources[context.path] = (context.document.source_path, context.document.source_text)
    default_language = site.config.settings.default_language
    root_redirect = _render(
        theme, "redirect.html", "index.html", root, diagnostics,
        target=urls.relative_url("index.html", urls.home_path(default_language)),
        site=site,
        strings=theme.strings[default_language],
    )  # fmt: skip
    if root_redirect is None:
        return RenderedSite({}, {})
    add("index.html", _tidy(root_redirect).encode("utf-8"))
    for doc_type, schema in document_schemas().items():
        add(urls.schema_path(doc_type), schema_text(schema).encode("utf-8"))
    for path, content in open_data.files.items():
        add(path, content)
    for relative in sorted(site.files):
        add(urls.file_path(relative), (site.config.files_dir / relative).read_bytes())
    for name, content in theme.assets.items():
        add(urls.asset_path(name), content)
    return RenderedSite(dict(sorted(files.items())), page_sources)


def _render(
    theme: Theme, template: str, output: str, root: Path, diagnostics: Diagnostics, **context: Any
) -> str | None:
    """One template rendered, or None with a diagnostic naming the template file and line."""
    try:
        return theme.environment.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = shown_path(Path(exc.filename), root) if exc.filename else exc.name or "template"
        diagnostics.error(where, exc.lineno, 1, f"template syntax error: {exc.message}")
    except (jinja2.TemplateError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        path, line = template_location(exc, root)
        diagnostics.error(path, line, 1, f"cannot render {output}: {type(exc).__name__}: {exc}")
    return None


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _tidy(html: str) -> str:
    """Collapse the runs of blank lines that template logic leaves behind."""
    return _BLANK_LINES.sub("\n\n", html)
