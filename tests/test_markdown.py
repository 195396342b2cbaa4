"""Markdown to HTML: the dialect, the heading and footnote ids that links rely on, and the checks that refuse
text too deep or too crowded to convert."""

from __future__ import annotations

import pytest
from conftest import REPO
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_fuzz import SHALLOW, markdown

from site_builder.adjusted_markdown import new_converter
from site_builder.diagnostics import Diagnostics
from site_builder.load import SourceFile, markdown_body, split_front_matter
from site_builder.markdown import (
    MAX_MARKUP_PER_PARAGRAPH,
    MAX_NESTING,
    PARSER_NESTING,
    MarkdownRenderer,
    cmark_html,
    markdown_problem,
    nesting_problem,
    sanitise_html,
    slugify,
)


def html(text: str) -> str:
    return str(MarkdownRenderer().render(text))


def lines(text: str) -> list[str]:
    return [line for line in html(text).splitlines() if line.strip()]


# --- headings: one level down, with the ids Python-Markdown's toc extension gave ------------------------------


def test_headings_start_at_h2_and_get_unique_ids() -> None:
    text = "# Tittel\n\n## Åpenhet & trygghet!\n\n# Tittel\n\n### `kode` i *overskrift*\n\n###### seks\n\nSetext\n---"
    assert lines(text) == [
        '<h2 id="tittel">Tittel</h2>',
        '<h3 id="apenhet-trygghet">Åpenhet &amp; trygghet!</h3>',
        '<h2 id="tittel_1">Tittel</h2>',
        '<h4 id="kode-i-overskrift"><code>kode</code> i <em>overskrift</em></h4>',
        '<h6 id="seks">seks</h6>',
        '<h3 id="setext">Setext</h3>',
    ]


def test_a_heading_id_leaves_out_footnote_numbers_and_tags() -> None:
    text = "## Mål[^1] <abbr title='x'>NSC</abbr>\n\n## \n\n[^1]: Merknad."
    assert lines(text)[:2] == ['<h3 id="mal-nsc">Mål<sup id="fnref:1"><a href="#fn:1" rel="noopener noreferrer">1</a></sup> <abbr title="x">NSC</abbr></h3>', '<h3 id="_1"></h3>']  # fmt: skip


@pytest.mark.parametrize(
    "title", ["Åpenhet & trygghet!", "Mål 1: «Trygghet»", "ÆØÅ æøå äö", "2030", "a_b-c  d", " ", "Ĳssel – ½"]
)
def test_heading_ids_are_those_of_python_markdown(title: str) -> None:
    """MkDocs (the handbook) and pages published before use Python-Markdown's ids."""
    toc = pytest.importorskip("markdown.extensions.toc")
    assert slugify(title) == toc.slugify(title, "-")


# --- footnotes, definition lists, tables --------------------------------------------------------------------


def test_footnotes_have_the_ids_the_link_checker_and_earlier_pages_know() -> None:
    text = "Tekst[^1] og[^merk] og igjen[^1].\n\n[^1]: Første.\n[^merk]: Andre *merknad*.\n"
    assert lines(text) == [
        '<p>Tekst<sup id="fnref:1"><a href="#fn:1" rel="noopener noreferrer">1</a></sup>'
        ' og<sup id="fnref:merk"><a href="#fn:merk" rel="noopener noreferrer">2</a></sup>'
        ' og igjen<sup id="fnref2:1"><a href="#fn:1" rel="noopener noreferrer">1</a></sup>.</p>',
        "<hr>",
        "<ol>",
        '<li id="fn:1">',
        '<p>Første.&nbsp;<a href="#fnref:1" title="Jump back to footnote 1 in the text" rel="noopener noreferrer">↩</a>'
        '<a href="#fnref2:1" title="Jump back to footnote 1 in the text" rel="noopener noreferrer">↩</a></p>',
        "</li>",
        '<li id="fn:merk">',
        '<p>Andre <em>merknad</em>.&nbsp;<a href="#fnref:merk" title="Jump back to footnote 2 in the text" rel="noopener noreferrer">↩</a></p>',
        "</li>",
        "</ol>",
    ]


def test_definition_lists_are_tight_unless_a_blank_line_follows_the_term() -> None:
    text = "Brott\n: En handling.\n: Annan betydelse.\n\nTrygghet\n\n: Upplevelsen av säkerhet.\n"
    assert lines(text) == [
        "<dl>",
        "<dt>Brott</dt>",
        "<dd>En handling.</dd>",
        "<dd>Annan betydelse.</dd>",
        "<dt>Trygghet</dt>",
        "<dd>",
        "<p>Upplevelsen av säkerhet.</p>",
        "</dd>",
        "</dl>",
    ]


def test_only_a_colon_starts_a_definition() -> None:
    assert lines("Omkring\n~ 50 prosent") == ["<p>Omkring", "~ 50 prosent</p>"]


def test_tables_strikethrough_and_lists() -> None:
    assert "<td>2</td>" in html("| a | b |\n|---|--:|\n| 1 | 2 |")
    assert html("~~strøket~~") == "<p><del>strøket</del></p>\n"
    assert lines("3. tre\n4. fire\n- punkt") == ['<ol start="3">', "<li>tre</li>", "<li>fire</li>", "</ol>", "<ul>", "<li>punkt</li>", "</ul>"]  # fmt: skip


@pytest.mark.parametrize(
    "link",
    [
        "[klikk](javascript:alert(1))",
        "[klikk](JaVaScRiPt:alert(1))",
        "[klikk](data:text/html,x)",
        "<javascript:alert(1)>",
    ],
)
def test_a_script_link_keeps_its_words_but_not_its_address(link: str) -> None:
    converted = html(link)
    assert "href" not in converted and "alert(1)" not in converted.replace(">javascript:alert(1)<", "")
    assert converted.startswith("<p><a rel=")


# --- limits -----------------------------------------------------------------------------------------------------


def test_nesting_problem_names_the_first_line_too_deep() -> None:
    deep = "> " * (MAX_NESTING + 1) + "sitat"
    text = "Innledning\n\n" + "> " * MAX_NESTING + "grunt nok\n" + "1" * 40 + " tall\n\n" + deep + "\n\n" + deep
    assert nesting_problem(text) == (5, f"Markdown nested more than {MAX_NESTING} levels deep")
    assert nesting_problem("\t" * (MAX_NESTING + 1) + "- x") is not None
    assert nesting_problem("\t" * MAX_NESTING + "x") is None
    assert nesting_problem("-" * 80) is None


def test_a_crowded_paragraph_is_found_by_its_line() -> None:
    limit = MAX_MARKUP_PER_PARAGRAPH["*"]
    text = "Først\n\n" + "*" * (limit // 2) + "\n\nTredje\nlinje\n\n" + "*" * (limit + 1) + " tekst"
    assert markdown_problem(text) == (
        7,
        f"a paragraph with {limit + 1} '*' characters, more than the limit of {limit}",
        "split the paragraph, or write the characters as \\*",
    )
    assert markdown_problem("\\*" * (limit + 1)) is None


def test_a_footnote_never_referred_to_is_refused() -> None:
    assert markdown_problem("Tekst.\n\n[^1]: Merknad.") == (
        2,
        "the footnote [^1] is defined but never referred to",
        "refer to it in the text as [^1], or remove it",
    )


container = st.sampled_from(["> ", "- ", "* ", "1. ", "12) ", "  ", "    ", "\t", ": ", "-", ""])


@st.composite
def nested_text(draw: st.DrawFn) -> str:
    """Lines that open containers in every way: markers, indentation, lazy lines, terms before definitions."""
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        prefix = "".join(draw(st.lists(container, max_size=3 * MAX_NESTING)))
        rows.append(prefix + draw(st.sampled_from(["term", "tekst", "", "> x", "- y"])))
    return "\n".join(rows)


@settings(max_examples=300, deadline=None)
@given(nested_text())
def test_text_within_the_nesting_limit_is_never_cut_short_by_the_parser(text: str) -> None:
    """markdown-it drops what lies deeper than its own limit without a word; the check must refuse such
    text first, so that nothing an editor wrote silently disappears."""
    if nesting_problem(text) is not None:
        return
    deepest = max((token.level for token in new_converter().parse(text)), default=0)
    assert deepest < PARSER_NESTING - 1


# --- cmark-gfm for everyday text ------------------------------------------------------------------------------


def adjusted_html(text: str) -> str:
    return sanitise_html(new_converter().render(text))


@settings(max_examples=1500, deadline=None)
@given(st.one_of(markdown(SHALLOW), nested_text()))
@example('[](https://example.org/ "\\")')  # cmark ended the title at the escaped quote; markdown-it made no link
@example("[a]: u 'x\\'\n\n[a]")
@example("`` `0` `0`")  # after an unmatched run of backticks, cmark found one code span, not two
@example("<https://example.org/%>")  # markdown-it encodes a lone % in an address (%25), cmark leaves it
@example("[a](https://example.org/%2)\n\n[b]: x%41\n\n[b] <https://example.org/%41>")
def test_cmark_gives_the_same_html_as_the_adjusted_markdown_it(text: str) -> None:
    """Most texts go through cmark-gfm; a reader must not be able to tell which parser made a page."""
    text = text if text.endswith("\n") else text + "\n"
    from_cmark = cmark_html(text)
    if from_cmark is not None:
        assert sanitise_html(from_cmark) == adjusted_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "# Tittel\n\n## Åpenhet & `kode` *i* [lenke](https://example.org) ~~ut~~\n\n# Tittel\n\nSetext\n---\n",
        "| a | b |\n|:--|--:|\n| 1 | ~~2~~ |\n\n3. tre\n4. fire\n   - under\n\n```py\nkode\n```\n",
        "Tekst <abbr title='x'>NSC</abbr> og <b>fet</b>\n\n<div>blokk</div>\n\n![bilde](https://example.org/x.png)\n",
        "[klikk](javascript:void) og ~enkel tilde~ og kl. 12:30\n",
    ],
)
def test_everyday_text_goes_through_cmark(text: str) -> None:
    from_cmark = cmark_html(text)
    assert from_cmark is not None and sanitise_html(from_cmark) == adjusted_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tekst[^1].\n\n[^1]: Merknad.\n",
        "Term\n: Definisjon.\n",
        "> sitat\n",
        "## Mål <!-- merknad -->\n",
        "<h2>Rå overskrift</h2>\n",
        "kr\u00a0500\n",
        "- a\n\tb\n",
    ],
)
def test_text_the_adjustments_concern_goes_through_markdown_it(text: str) -> None:
    assert cmark_html(text) is None
    assert html(text) == adjusted_html(text)


def test_the_body_converted_ahead_is_the_body_the_pages_show():
    """Markdown is converted ahead from each file's text before its front matter is parsed (build.py), and
    found again by its text: the body cut from the text must be the body the loader gives the pages."""
    files = sorted((REPO / "content").rglob("*.md"))
    assert len(files) >= 5
    texts = [path.read_text(encoding="utf-8") for path in files]
    texts += ["---\ntitle: x\n---\n", "---\ntitle: x\n...\nBody\n---\nmore\n", "---\r\nno\n---\n", "no front matter\n"]
    for text in texts:
        raw = split_front_matter(SourceFile(REPO / "x.md", "x.md", text), Diagnostics())
        assert markdown_body(text) == (raw.body if raw is not None else None), text[:80]
