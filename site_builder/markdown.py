"""Markdown to safe HTML: Python-Markdown, then nh3 with an allow-list.

Editors' text is untrusted: whatever HTML it holds, only the tags and
attributes below reach a reader's browser, and only http(s) links.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

import markdown as md
import nh3
from markupsafe import Markup

from .parallel import map_items

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"}, "sup": {"id"},
}  # fmt: skip
ALLOWED_URL_SCHEMES = {"http", "https"}

MAX_NESTING = 16
"""Deeper Markdown is refused: Python-Markdown recurses per level and would run out of stack."""
_TAB_WIDTH = 4


_CONTAINER_PREFIX = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")


MAX_MARKUP_PER_PARAGRAPH = {"[": 500, "<": 500, "`": 500, "*": 200, "_": 200}
"""Python-Markdown's inline parsing slows down quadratically (brackets, tags) or recurses (emphasis) on
floods of these characters in one paragraph; real text stays far below the limits."""


MAX_MARKUP_PER_TEXT = {"<": 1000, "[": 5000, "`": 5000, "*": 5000, "_": 5000}
"""The same characters over a whole text: Python-Markdown's tag handling is quadratic across paragraphs."""

_FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)


def markdown_problem(text: str) -> tuple[int, str, str] | None:
    """The first problem that would make Markdown too slow or too deep to render, or break its links:
    (0-based line, message, hint)."""
    nesting = nesting_problem(text)
    if nesting is not None:
        return nesting[0], nesting[1], "flatten the lists and quotes"
    for char, limit in MAX_MARKUP_PER_TEXT.items():
        count = text.count(char) - text.count("\\" + char)
        if count > limit:
            return (
                0,
                f"the text has {count} '{char}' characters, more than the limit of {limit}",
                "split it into several documents",
            )
    for definition in _FOOTNOTE_DEFINITION.finditer(text):
        label = definition.group(1)
        if f"[^{label}]" not in text[: definition.start()] + text[definition.end() :]:
            line = text.count("\n", 0, definition.start())
            return (
                line,
                f"the footnote [^{label}] is defined but never referred to",
                f"refer to it in the text as [^{label}], or remove it",
            )
    line = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        if paragraph.strip():
            for char, limit in MAX_MARKUP_PER_PARAGRAPH.items():
                count = paragraph.count(char) - paragraph.count("\\" + char)
                if count > limit:
                    return (
                        line,
                        f"a paragraph with {count} '{char}' characters, more than the limit of {limit}",
                        f"split the paragraph, or write the characters as \\{char}",
                    )
        line += paragraph.count("\n")
    return None


def nesting_problem(text: str) -> tuple[int, str] | None:
    """The first line (0-based) whose quotes, list markers or indentation nest deeper than MAX_NESTING.

    Each `>` and each list marker at the start of a line opens a container, as does every four columns of
    indentation; Python-Markdown recurses once per container, so their sum is the depth it must handle.
    """
    for number, line in enumerate(text.split("\n")):
        containers = 0
        position = 0
        while match := _CONTAINER_PREFIX.match(line, position):
            containers += 1
            position = match.end()
        leading = line[: len(line) - len(line.lstrip(" \t"))]
        columns = len(leading.expandtabs(_TAB_WIDTH))
        if containers + columns // _TAB_WIDTH > MAX_NESTING:
            return number, f"Markdown nested more than {MAX_NESTING} levels deep"
    return None


class MarkdownRenderer:
    """One reusable converter; headings start at h2 because the page title is the only h1.

    `stored` holds HTML converted by an earlier build, by `text_key` of the text (the build cache).
    """

    def __init__(self, stored: Mapping[bytes, str] | None = None) -> None:
        self._converter = md.Markdown(
            extensions=["tables", "sane_lists", "def_list", "footnotes", "toc"],
            extension_configs={"toc": {"baselevel": 2, "permalink": False}},
            output_format="html",
        )
        self._stored = stored or {}
        self._cache: dict[str, Markup] = {}
        self._new: list[str] = []

    def render(self, text: str) -> Markup:
        # Pages in every UI language show the same texts; each is converted once per build.
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._stored_or_converted(text)
            self._new.append(text)
        return cached

    def take_new(self) -> dict[str, Markup]:
        """The texts converted since the last call, to hand from a page worker to the next pages' workers."""
        new = {text: self._cache[text] for text in self._new}
        self._new.clear()
        return new

    def adopt(self, converted: dict[str, Markup]) -> None:
        """Texts another process converted."""
        self._cache.update(converted)

    def converted(self) -> dict[bytes, str]:
        """The HTML of every text this renderer has shown, by `text_key`, for the build cache."""
        return {text_key(text): str(html) for text, html in self._cache.items()}

    def _stored_or_converted(self, text: str) -> Markup:
        stored = self._stored.get(text_key(text)) if self._stored else None
        return Markup(stored) if stored is not None else self._convert(text)

    def _convert(self, text: str) -> Markup:
        return Markup(sanitise_html(self._converter.reset().convert(text)))

    def render_ahead(self, texts: Iterable[str], jobs: int) -> None:
        """Convert `texts` now, over up to `jobs` processes, so pages rendered later find them converted.

        Page workers each see every page's context, so texts that contexts convert (document bodies)
        are converted here once rather than once per worker.
        """
        todo = []
        for text in sorted({text for text in texts if text and text not in self._cache}):
            stored = self._stored.get(text_key(text)) if self._stored else None
            if stored is None:
                todo.append(text)
            else:
                self._cache[text] = Markup(stored)
        for text, html in zip(todo, map_items(self._convert, todo, jobs), strict=True):
            self._cache[text] = html


def text_key(text: str) -> bytes:
    """A Markdown text's key in the build cache."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def sanitise_html(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
