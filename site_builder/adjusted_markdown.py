"""The adjusted markdown-it parser: the texts cmark-gfm cannot convert as site_builder's dialect wants
(see markdown.py, which imports this module only when a text needs it: most sites' texts never do).

CommonMark with raw HTML, tables, strikethrough, footnotes and definition lists, whose rules are adjusted
to give the markup Python-Markdown gave before: heading ids, footnote ids and back-links, definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .markdown import PARSER_NESTING, slugify, unique_slug


class _Converter(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # nh3 decides which links stay (http and https only). markdown-it would instead print a refused
        # link's Markdown as text, putting "javascript:…" into the page as words.
        return True


def new_converter() -> MarkdownIt:
    """CommonMark with raw HTML (nh3 cleans it afterwards), tables, strikethrough, footnotes, definition
    lists, and headings shifted down one level with ids."""
    converter = _Converter("commonmark", {"maxNesting": PARSER_NESTING})
    converter.enable(["table", "strikethrough"])
    footnote_plugin(converter, inline=False)
    deflist_plugin(converter)
    _definitions_only_after_colons(converter)
    converter.core.ruler.push("heading_ids", _heading_ids)
    converter.core.ruler.push("definitions_as_before", _definitions_as_before)
    # ~~text~~ as GitHub writes it, <del>, which the allow-list keeps (markdown-it writes <s>).
    converter.add_render_rule("s_open", lambda *_: "<del>")
    converter.add_render_rule("s_close", lambda *_: "</del>")
    converter.add_render_rule("footnote_ref", _footnote_ref)
    converter.add_render_rule("footnote_block_open", _footnote_block_open)
    converter.add_render_rule("footnote_block_close", _footnote_block_close)
    converter.add_render_rule("footnote_open", _footnote_open)
    converter.add_render_rule("footnote_anchor", _footnote_anchor)
    return converter


def _definitions_only_after_colons(converter: MarkdownIt) -> None:
    """Definitions start with `:` only, as before: the plugin also takes `~`, which starts ordinary lines
    ("~ 50 %") in running text."""
    ruler = converter.block.ruler
    deflist = ruler.__rules__[ruler.__find__("deflist")].fn

    def colon_deflist(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        # Asked whether `start` continues a definition list (silent), the marker is on `start` itself;
        # asked to start one, `start` is the term and the marker on the next line but one blank.
        line = start
        if not silent:
            line += 2 if start + 2 < end and state.isEmpty(start + 1) else 1
        marker = state.bMarks[line] + state.tShift[line] if line < end else -1
        if state.src[marker : marker + 1] != ":":
            return False
        return deflist(state, start, end, silent)

    ruler.at("deflist", colon_deflist, {"alt": ["paragraph", "reference", "blockquote"]})


def _definitions_as_before(state: StateCore) -> None:
    """A definition of one paragraph written right below its term (or the previous definition) has no <p>,
    as Python-Markdown made it; the plugin instead decides for the whole list at once."""
    tokens = state.tokens
    lines: list[str] = []
    open_definitions: list[tuple[int, list[int]]] = []
    """The level of each definition being read, and the indexes of its blocks' first tokens."""
    for index, token in enumerate(tokens):
        if token.type == "dd_open":
            open_definitions.append((token.level, []))
        elif open_definitions and token.level == open_definitions[-1][0] + 1 and token.nesting >= 0:
            open_definitions[-1][1].append(index)
        elif open_definitions and token.type == "dd_close" and token.level == open_definitions[-1][0]:
            blocks = open_definitions.pop()[1]
            first = tokens[blocks[0]] if blocks else None
            if first is None or first.map is None or first.type != "paragraph_open":
                continue
            lines = lines or state.src.split("\n")
            line = first.map[0]
            tight = len(blocks) == 1 and line > 0 and lines[line - 1].strip(" \t>") != ""
            # A paragraph is always three tokens: open, inline, close.
            first.hidden = tokens[blocks[0] + 2].hidden = tight


def _heading_text(inline: Token) -> str:
    """The heading's text as a reader sees it: no tags, no image descriptions, no footnote numbers."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _heading_ids(state: StateCore) -> None:
    used: set[str] = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            # One level down: the page title is the only h1.
            token.tag = f"h{min(int(token.tag[1:]) + 1, 6)}"
            if token.type == "heading_open":
                token.attrSet("id", unique_slug(slugify(_heading_text(tokens[index + 1])), used))


# Footnotes in the markup of Python-Markdown's `footnotes` extension: `fnref:label` and `fn:label` ids that
# the allow-list keeps, numbers as the link text, and back-links at the end of the note's last paragraph.


def _label(token: Token) -> str:
    return escape(str(token.meta.get("label") or token.meta["id"] + 1))


def _footnote_ref(
    renderer: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    label = _label(token)
    repeat = token.meta.get("subId", 0)
    ref_id = f"fnref{repeat + 1 if repeat else ''}:{label}"
    return f'<sup id="{ref_id}"><a href="#fn:{label}">{token.meta["id"] + 1}</a></sup>'


def _footnote_block_open(
    renderer: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return "<hr>\n<ol>\n"


def _footnote_block_close(
    renderer: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return "</ol>\n"


def _footnote_open(
    renderer: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<li id="fn:{_label(tokens[index])}">\n'


def _footnote_anchor(
    renderer: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    repeat = token.meta["subId"]
    number = token.meta["id"] + 1
    link = (
        f'<a href="#fnref{repeat + 1 if repeat else ""}:{_label(token)}" '
        f'title="Jump back to footnote {number} in the text">\u21a9</a>'
    )
    return link if repeat else "\u00a0" + link
