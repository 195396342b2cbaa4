"""Markdown to safe HTML: Python-Markdown, then nh3 with an allow-list.

Editors' text is untrusted: whatever HTML it holds, only the tags and
attributes below reach a reader's browser, and only http(s) links.
"""

from __future__ import annotations

import markdown as md
import nh3
from markupsafe import Markup

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


def nesting_problem(text: str) -> tuple[int, str] | None:
    """The first line (0-based) whose blockquotes or list indentation nest deeper than MAX_NESTING, with a message."""
    for number, line in enumerate(text.split("\n")):
        quotes = 0
        column = 0
        for char in line:
            if char == ">":
                quotes += 1
            elif char == " ":
                column += 1
            elif char == "\t":
                column += _TAB_WIDTH - column % _TAB_WIDTH
            else:
                break
        if quotes > MAX_NESTING or column > MAX_NESTING * _TAB_WIDTH:
            return number, f"Markdown nested more than {MAX_NESTING} levels deep"
    return None


class MarkdownRenderer:
    """One reusable converter; headings start at h2 because the page title is the only h1."""

    def __init__(self) -> None:
        self._converter = md.Markdown(
            extensions=["tables", "sane_lists", "def_list", "footnotes", "toc"],
            extension_configs={"toc": {"baselevel": 2, "permalink": False}},
            output_format="html",
        )

    def render(self, text: str) -> Markup:
        html = self._converter.reset().convert(text)
        return Markup(sanitise_html(html))


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
