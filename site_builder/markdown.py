"""Markdown to safe HTML: cmark-gfm or markdown-it (CommonMark), then nh3 with an allow-list.

Editors' text is untrusted: whatever HTML it holds, only the tags and
attributes below reach a reader's browser, and only http(s) links.

The dialect is CommonMark with tables, ~~strikethrough~~, footnotes and definition lists. Headings start
at h2 (the page title is the only h1); heading ids and footnote markup are those Python-Markdown's `toc`
and `footnotes` extensions made before, so links into pages published earlier keep working.

Two CommonMark parsers do the work. markdown-it-py, whose rules adjusted_markdown.py adjusts, converts every
text with footnotes or definitions, and every text with a construct on which the two parsers part ways
(quotes, tabs, spaces other than ' ', and the few others `needs_adjusted_parser` lists). Every other
text, which is most of them, goes through cmark-gfm (GitHub's C implementation, about ten times faster),
and only its headings are changed afterwards. Both give the same HTML for such texts: the tests compare
them on generated Markdown.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from html import unescape
from typing import TYPE_CHECKING

import cmarkgfm  # type: ignore[import-untyped]
import nh3
from cmarkgfm import cmark
from markupsafe import Markup

from . import parallel

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

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
"""Deeper Markdown is refused: no real text needs it, and the parser recurses once per level."""

PARSER_NESTING = 100
"""markdown-it's own limit, past which it silently drops the rest of a text. Text that `nesting_problem`
lets through stays below it: a container opens at most two levels (list and item, or dl and dd), and one
not marked on a line needs two columns of its indentation, so a line reaches at most about 70 levels."""

_TAB_WIDTH = 4

_CONTAINER_PREFIX = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")

_DEEP_PREFIX = re.compile(rf"[ \t>*+\-0-9.)]{{{MAX_NESTING + 1}}}")
"""The start of a line that may nest too deep: every container `nesting_problem` counts takes at least one
of these characters at the start of the line, so only lines starting with more of them need counting."""
_DEEP_LINE = re.compile("\n" + _DEEP_PREFIX.pattern)
"""The same after a line break: a literal first character lets the regular expression skip ahead fast."""

MAX_MARKUP_PER_PARAGRAPH = {"[": 500, "<": 500, "`": 500, "*": 200, "_": 200}
"""Floods of these characters in one paragraph; real text stays far below the limits. (Python-Markdown,
used before, slowed down quadratically on them; the limits stay so that such text keeps being refused.)"""

MAX_MARKUP_PER_TEXT = {"<": 1000, "[": 5000, "`": 5000, "*": 5000, "_": 5000}
"""The same characters over a whole text."""

_FEWEST_IN_A_FLOOD = min(*MAX_MARKUP_PER_PARAGRAPH.values(), *MAX_MARKUP_PER_TEXT.values())

_FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")


def markdown_problem(text: str) -> tuple[int, str, str] | None:
    """The first problem that would make Markdown too deep to render, a flood of markup, or a footnote
    that would vanish: (0-based line, message, hint)."""
    nesting = nesting_problem(text)
    if nesting is not None:
        return nesting[0], nesting[1], "flatten the lists and quotes"
    counts = dict.fromkeys(MAX_MARKUP_PER_TEXT, 0)
    if len(text) > _FEWEST_IN_A_FLOOD:  # most texts (titles, names) are too short to hold a flood
        escaped = "\\" in text
        counts = {char: text.count(char) - (text.count("\\" + char) if escaped else 0) for char in counts}
    for char, limit in MAX_MARKUP_PER_TEXT.items():
        if counts[char] > limit:
            return (
                0,
                f"the text has {counts[char]} '{char}' characters, more than the limit of {limit}",
                "split it into several documents",
            )
    if "[^" in text:
        for definition in _FOOTNOTE_DEFINITION.finditer(text):
            label = definition.group(1)
            if f"[^{label}]" not in text[: definition.start()] + text[definition.end() :]:
                line = text.count("\n", 0, definition.start())
                return (
                    line,
                    f"the footnote [^{label}] is defined but never referred to",
                    f"refer to it in the text as [^{label}], or remove it",
                )
    # A paragraph holds no more of a character than the whole text: only characters over a paragraph's
    # limit in the whole text need looking for paragraph by paragraph.
    crowded = {char: limit for char, limit in MAX_MARKUP_PER_PARAGRAPH.items() if counts[char] > limit}
    return _crowded_paragraph(text, crowded) if crowded else None


_FEWEST_OF = {char: min(MAX_MARKUP_PER_TEXT[char], MAX_MARKUP_PER_PARAGRAPH[char]) for char in MAX_MARKUP_PER_TEXT}


def may_have_markdown_problem(texts: list[str]) -> bool:
    """False if `markdown_problem` finds nothing in any of `texts`; True if it may find something.

    One look at all the texts joined costs far less than one `markdown_problem` per text (a front matter
    holds a hundred short ones). Joined with line breaks, every text starts a line and no line runs into
    the next; a text holds no more of a character than all of them together, and a footnote needs '[^'.
    """
    joined = "\n".join(texts)
    return (
        "[^" in joined
        or _DEEP_PREFIX.match(joined) is not None
        or _DEEP_LINE.search(joined) is not None
        or any(joined.count(char) > fewest for char, fewest in _FEWEST_OF.items())
    )


def _crowded_paragraph(text: str, limits: dict[str, int]) -> tuple[int, str, str] | None:
    line = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        for char, limit in limits.items():
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
    indentation; their sum is the depth the parser must handle.
    """
    for start in _deep_line_starts(text):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        containers = 0
        position = 0
        while match := _CONTAINER_PREFIX.match(line, position):
            containers += 1
            position = match.end()
        leading = line[: len(line) - len(line.lstrip(" \t"))]
        columns = len(leading.expandtabs(_TAB_WIDTH))
        if containers + columns // _TAB_WIDTH > MAX_NESTING:
            return text.count("\n", 0, start), f"Markdown nested more than {MAX_NESTING} levels deep"
    return None


def _deep_line_starts(text: str) -> Iterator[int]:
    if _DEEP_PREFIX.match(text):
        yield 0
    for candidate in _DEEP_LINE.finditer(text):
        yield candidate.start() + 1


# --- heading ids, as Python-Markdown made them ------------------------------------------------------------

_SLUG_DROPPED = re.compile(r"[^\w\s-]")
_SLUG_SEPARATORS = re.compile(r"[-\s]+")
_NUMBERED_ID = re.compile(r"^(.*)_([0-9]+)$")


def slugify(text: str) -> str:
    """A heading's id as Python-Markdown's `toc` extension makes it (and MkDocs, for the handbook)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_SEPARATORS.sub("-", _SLUG_DROPPED.sub("", ascii_text).strip().lower())


def unique_slug(slug: str, used: set[str]) -> str:
    """`slug`, or with `_1`, `_2`… appended if an earlier heading has it (as `toc` does)."""
    if slug in used or not slug:
        numbered = _NUMBERED_ID.match(slug)
        base, count = (numbered.group(1), int(numbered.group(2))) if numbered else (slug, 0)
        count += 1
        while f"{base}_{count}" in used:
            count += 1
        slug = f"{base}_{count}"
    used.add(slug)
    return slug


# --- cmark-gfm, for texts that need none of the adjustments above ----------------------------------------------

_CMARK_OPTIONS = (
    cmark.Options.CMARK_OPT_UNSAFE  # raw HTML and every link scheme reach nh3, as with markdown-it above
    | cmark.Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE  # ~~text~~ only, as markdown-it reads it
    | cmark.Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES  # alignment as a style (which nh3 drops), as above
)
_CMARK_EXTENSIONS = ["table", "strikethrough"]

_UNUSUAL_CHARACTERS = re.compile(
    r"[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
"""Tabs, which the two parsers expand differently in containers; control characters, which make
markdown-it refuse a link that cmark takes; and the spaces besides ' ' that markdown-it trims and cmark
keeps."""
_UNUSUAL_LINE = re.compile(r"\n[ ]*(?:(?:[-*+]|\d{1,9}[.)])[ ]+)*(?:[:>]|-+:[ ]*\n)")
"""After any list markers: a definition's marker (which only the plugin reads), a quote (whose lazy
lines the two parsers end differently), or a table's alignment row without a | (a table only for cmark).
It starts with a line break so that the search skips ahead fast; the text is searched with one before."""
_RAW_HEADING = re.compile(r"<h[1-6]", re.IGNORECASE)
"""A raw heading tag, which would be taken for one of cmark's headings below."""
_PARENTHESES_IN_ADDRESS = re.compile(r"\]\([^)\s]*\(")
"""Parentheses in a link's address: cmark takes some that markdown-it refuses."""


_INLINE_BACKTICKS = re.compile(r"^(?! {0,3}```)[^\n]*``", re.MULTILINE)
"""A run of two or more backticks on a line that does not open or close a fenced code block."""
_PERCENT_IN_ADDRESS = re.compile(r"\]\([^)\s]*%|\]:[ \t]*<?[^\s>]*%|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*%")
"""A % in a link's address (inline, defined or <autolink>): markdown-it encodes a lone one, cmark does not."""


def needs_adjusted_parser(text: str) -> bool:
    """Whether `text` has footnotes, or anything else on which the two parsers part ways. (Three more: in a
    text with links, a backslash before a quote, which cmark may take for the end of a link's title, as in
    `[a](u "\\")`, where markdown-it reads an escaped quote and no link; a run of backticks longer than one
    outside a code fence, after which cmark may miss a code span: in "`` `0` `0`" it finds one where
    CommonMark has two; and a % in a link's address, which markdown-it encodes (%25) or decodes in an
    autolink's text, and cmark leaves.)"""
    return (
        "[^" in text
        or ("``" in text and _INLINE_BACKTICKS.search(text) is not None)
        or ("%" in text and _PERCENT_IN_ADDRESS.search(text) is not None)
        or _UNUSUAL_CHARACTERS.search(text) is not None
        or _UNUSUAL_LINE.search("\n" + text) is not None
        or (("<h" in text or "<H" in text) and _RAW_HEADING.search(text) is not None)
        or ("](" in text and _PARENTHESES_IN_ADDRESS.search(text) is not None)
        or (('\\"' in text or "\\'" in text) and ("](" in text or "]:" in text))
    )


_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_INLINE_TAG = re.compile(r"</?(?:a|code|em|strong|del|img|br)\b[^<>]*>")


def _ended(text: str) -> str:
    """`text` ending in a line break: cmark ends a last raw HTML block with one either way."""
    return text if text.endswith("\n") else text + "\n"


def cmark_html(text: str) -> str | None:
    """The HTML of `text` from cmark-gfm, as the adjusted markdown-it makes it (before nh3); None if the
    text needs the adjusted markdown-it."""
    if needs_adjusted_parser(text):
        return None
    html: str = cmarkgfm.markdown_to_html_with_extensions(text, _CMARK_OPTIONS, _CMARK_EXTENSIONS)
    if "<h" not in html:
        return html
    used: set[str] = set()
    parts: list[str] = []
    position = 0
    for heading in _HEADING.finditer(html):
        inner = heading.group(2)
        shown = _INLINE_TAG.sub("", inner)
        if "<" in shown or ">" in shown:  # raw HTML in the heading, whose text the adjusted parser leaves out
            return None
        level = min(int(heading.group(1)) + 1, 6)
        slug = unique_slug(slugify(unescape(shown)), used)
        parts += [html[position : heading.start()], f'<h{level} id="{slug}">{inner}</h{level}>']
        position = heading.end()
    parts.append(html[position:])
    return "".join(parts)


class MarkdownRenderer:
    """One reusable converter; headings start at h2 because the page title is the only h1.

    `stored` holds HTML converted by an earlier build, by `text_key` of the text (the build cache).
    """

    def __init__(self, stored: Mapping[bytes, str] | None = None) -> None:
        self._adjusted: MarkdownIt | None = None
        self._stored = stored or {}
        # By `text_key`, not by text: the texts are the model's already, and a large site's would be
        # held twice over (those converted by page workers come back as copies).
        self._cache: dict[bytes, Markup] = {}
        self._new: list[bytes] = []
        self._reused: list[bytes] = []

    def render(self, text: str) -> Markup:
        # Pages in every UI language show the same texts; each is converted once per build.
        key = text_key(text)
        cached = self._cache.get(key)
        if cached is None:
            stored = self._stored.get(key) if self._stored else None
            if stored is None:
                cached = self._cache[key] = self._convert(text)
                self._new.append(key)
            else:
                cached = self._cache[key] = Markup(stored)
                self._reused.append(key)
        return cached

    def take_new(self) -> dict[bytes, str | None]:
        """The HTML of the texts shown since the last call (by `text_key`), to hand from a page worker to
        the next pages' workers: None for those the renderer it was forked from has stored (an earlier
        build's), which it takes from there rather than through a pipe. As plain strings: pickle copies a
        str in C, but a Markup (a subclass) through its reduce protocol, twenty times slower, which a large
        site's pages did by the thousand."""
        new: dict[bytes, str | None] = {key: str(self._cache[key]) for key in self._new}
        new.update(dict.fromkeys(self._reused))
        self._new.clear()
        self._reused.clear()
        return new

    def adopt(self, converted: Mapping[bytes, str | None]) -> None:
        """The HTML of texts another process converted or took from the stored HTML (see take_new)."""
        self._cache.update(
            (key, Markup(self._stored[key] if html is None else html)) for key, html in converted.items()
        )

    def converted(self) -> dict[bytes, str]:
        """The HTML of every text this renderer has shown, by `text_key`, for the build cache."""
        return {key: str(html) for key, html in self._cache.items()}

    def _convert(self, text: str) -> Markup:
        return Markup(self._html(text))

    def _html(self, text: str) -> str:
        text = _ended(text)
        html = cmark_html(text)
        if html is None:
            if self._adjusted is None:  # imported only now: markdown-it takes longer to import than to use
                from .adjusted_markdown import new_converter

                self._adjusted = new_converter()
            html = self._adjusted.render(text)
        return sanitise_html(html)

    def ahead(self, texts: Iterable[str], jobs: int) -> _ConvertedAhead:
        """A `with` block during which another process converts those of `texts` not yet converted (see
        parallel.Ahead), if `jobs` allows a second process and they are worth one; at its end this renderer
        has the ones finished, and converts the others itself when they are shown."""
        todo: dict[bytes, str] = {}
        for text in texts if jobs > 1 else ():
            key = text_key(text)
            if text and key not in self._cache and key not in self._stored:
                todo[key] = text
        if len(todo) < parallel.MIN_ITEMS_PER_JOB:
            todo.clear()
        return _ConvertedAhead(self, list(todo), parallel.Ahead(self._html, list(todo.values())))


class _ConvertedAhead:
    def __init__(self, renderer: MarkdownRenderer, keys: list[bytes], ahead: parallel.Ahead[str, str]) -> None:
        self._renderer = renderer
        self._keys = keys
        self._ahead = ahead

    def __enter__(self) -> None:
        self._ahead.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ahead.__exit__(None, None, None)
        self._renderer.adopt({self._keys[index]: html for index, html in self._ahead.done.items()})


def text_key(text: str) -> bytes:
    """A Markdown text's key in the build cache."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)
"""Made once: `nh3.clean` builds its allow-lists anew on every call, a third of its time on a page's body."""


def sanitise_html(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return _CLEANER.clean(html)
