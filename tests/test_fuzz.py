"""Property-based fuzzing of the checker and the build with content from anyone.

1. Whatever bytes a content (or registry) file holds, `check()` returns diagnostics: it never raises,
   never hangs and stays within a deadline.
2. The same for near-valid documents: valid front matter with random keys, values and nesting, and random
   Markdown full of HTML fragments.
3. When such a document builds, no page carries a script other than JSON-LD, an `on…=` attribute, a
   `javascript:` (or vbscript:/data:) URL or an active element (see hostile/safety.py).

The CI budget is about a minute. For a longer hunt: `HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest
tests/test_fuzz.py` (twenty times the examples; failures are kept in .hypothesis/ for the next run).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from conftest import MUNICIPALITIES_YAML, ORGANISATIONS_YAML, PARTIES_YAML, SITE_YAML
from hostile.safety import time_limit, unsafe_pages
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from site_builder.build import build, check
from site_builder.diagnostics import BuildFailed

# --- budget ---------------------------------------------------------------------------------------------------

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=dt.timedelta(seconds=30),
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=dt.timedelta(seconds=20),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(share: float) -> int:
    """A test's number of examples as a share of the profile's `max_examples`."""
    return max(1, round(settings.default.max_examples * share))


HANG_SECONDS = 60
"""A single check or build that runs this long is a hang: it fails instead of stalling the suite."""


# --- a fresh project per example --------------------------------------------------------------------------------

FUZZED = "content/decisions/tromso/fuzzed.md"
BASE_FILES = {
    "site.yaml": SITE_YAML,
    "data/municipalities.yaml": MUNICIPALITIES_YAML,
    "data/organisations.yaml": ORGANISATIONS_YAML,
    "data/parties.yaml": PARTIES_YAML,
}


@contextlib.contextmanager
def project(files: dict[str, bytes]) -> Iterator[Path]:
    """A small valid project in a new temporary folder, plus `files`; yields site.yaml's path.

    Hypothesis runs many examples per test function, so function-scoped fixtures would be shared
    between them: each example gets its own folder here instead.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder)
        merged = {name: text.encode("utf-8") for name, text in BASE_FILES.items()} | files
        for relative, data in merged.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield root / "site.yaml"


def checked(config: Path) -> list[str]:
    """`check()` under the hang limit; the diagnostics as strings (errors and warnings)."""
    with time_limit(HANG_SECONDS):
        diagnostics = check(config)
    for item in diagnostics.items:
        assert isinstance(item.path, str) and item.line >= 1 and item.column >= 1, item
        assert item.message, item
    return [str(d) for d in diagnostics.sorted()]


# --- hostile fragments ----------------------------------------------------------------------------------------

SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "livescript:alert(1)",
]
HARMLESS_URLS = ["https://example.org/", "http://example.org/a?b=c&d=e", "https://example.org/#x", "//example.org/x"]
HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="width: expression(alert(1))">x</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><button formaction=javascript:alert(1)>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<a href="https://example.org/"><script>alert(1)</script>">x</a>',
    '"><script>alert(1)</script>',
    "'><svg onload=alert(1)>",
    '<p onclick="alert(1)">x</p>',
    '<a href="https://example.org/" onmouseover="alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<scr<script>ipt>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ config }}",
    "&lt;script&gt;",
    "&#60;script&#62;",
    "\u202e\u200b\ufeff",
]
REPEATED = ["[", "![", "- ", "1. ", "> ", "*a ", "_", "`", "<a ", "<http://", "&#", "|", "\\", "    "]
"""Constructs that nest or make the Markdown parser backtrack when repeated on one line."""
TAGS = ["a", "p", "abbr", "strong", "em", "td", "table", "ol", "li", "h2", "blockquote", "sup", "code", "pre"]
TAGS += ["script", "img", "svg", "iframe", "object", "embed", "style", "form", "input", "math", "base", "meta", "link"]
ATTRIBUTES = ["href", "src", "title", "id", "style", "onclick", "onerror", "onload", "ONMOUSEOVER", "onfocus"]
ATTRIBUTES += ["formaction", "xlink:href", "action", "srcdoc", "data", "background", "cite", "autofocus", "rel"]

words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=12
)
urls = st.one_of(st.sampled_from(SCRIPT_URLS + HARMLESS_URLS), words.map(lambda w: "https://example.org/" + w))


@st.composite
def html_tags(draw: st.DrawFn) -> str:
    """A made-up tag with hostile attributes, quoted in one of the ways browsers accept."""
    tag = draw(st.sampled_from(TAGS))
    if draw(st.booleans()):
        tag = tag.upper()
    parts = []
    for name in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3)):
        value = draw(st.one_of(urls, st.sampled_from(["alert(1)", "x", ""]), words))
        quote = draw(st.sampled_from(['"', "'", ""]))
        parts.append(f"{name}={quote}{value}{quote}")
    inner = draw(st.one_of(words, st.sampled_from(HTML_PAYLOADS)))
    separator = draw(st.sampled_from([" ", "/", "\t", "\n"]))
    return f"<{tag}{separator if parts else ''}{' '.join(parts)}>{inner}</{tag}>"


inline = st.one_of(
    words,
    st.sampled_from(HTML_PAYLOADS),
    html_tags(),
    st.builds(lambda text, url: f"[{text}]({url})", words, urls),
    st.builds(lambda text, url, title: f'[{text}]({url} "{title}")', words, urls, words),
    st.builds(lambda text, url: f"![{text}]({url})", words, urls),
    st.builds(lambda url: f"<{url}>", urls),
    words.map(lambda w: f"*{w}*"),
    words.map(lambda w: f"`{w}`"),
    st.sampled_from(["&amp;", "&#0;", "&#x110000;", "&nbsp;", "&colon;", "\\", "[^1]", "[ref][x]"]),
)
lines = st.lists(inline, min_size=1, max_size=5).map(" ".join)


@st.composite
def markdown_blocks(draw: st.DrawFn, depth: int) -> str:
    """One Markdown block; lists and quotes nest up to `depth` levels, and deep blocks may repeat a construct."""
    kinds = ["paragraph", "heading", "list", "quote", "code", "table", "html", "reference"]
    kind = draw(st.sampled_from([*kinds, "repeat"] if depth > SHALLOW else kinds))
    text = draw(lines)
    if kind == "heading":
        return "#" * draw(st.integers(1, 7)) + " " + text
    if kind == "list":
        items = draw(st.lists(st.tuples(st.integers(0, depth), lines), min_size=1, max_size=6))
        marker = draw(st.sampled_from(["-", "*", "1."]))
        indent = draw(st.sampled_from(["  ", "    ", "\t"]))
        return "\n".join(f"{indent * level}{marker} {item}" for level, item in items)
    if kind == "quote":
        return "> " * draw(st.integers(1, depth)) + text
    if kind == "code":
        return f"```\n{text}\n```"
    if kind == "table":
        return f"| a | b |\n|---|---|\n| {text} | {draw(lines)} |"
    if kind == "html":
        return draw(st.one_of(st.sampled_from(HTML_PAYLOADS), html_tags()))
    if kind == "reference":
        return f"[x]: {draw(urls)}\n\nNote[^1].\n\n[^1]: {text}"
    if kind == "repeat":
        return draw(st.sampled_from(REPEATED)) * draw(st.integers(50, 1500)) + text
    return text


DEEP = 24
"""Deeper than the package's Markdown nesting limit, for the checker; builds stay shallower."""
SHALLOW = 8


def markdown(depth: int = DEEP) -> st.SearchStrategy[str]:
    return st.lists(markdown_blocks(depth), max_size=8).map("\n\n".join)


def hostile_text(depth: int = DEEP) -> st.SearchStrategy[str]:
    return st.one_of(words, lines, markdown(depth))


# --- near-valid documents ---------------------------------------------------------------------------------------

BASES: list[dict[str, Any]] = [
    {
        "type": "decision",
        "title": "Medlemskap",
        "lang": "nb",
        "municipality": "tromso",
        "status": "adopted",
        "date": dt.date(2022, 8, 23),
        "summary": "Sammendrag",
        "case_number": "124/22",
        "source": {"title": "Saksframlegg", "publisher": "Tromsø kommune", "url": "https://example.org/"},
        "editor_notes": ["Notat"],
        "recommendation": ["Punkt"],
        "attachments": [{"title": "Vedlegg"}],
        "consultations": [
            {
                "id": "ks",
                "body": "tromso-kommunestyret",
                "result": "adopted",
                "result_text": "Vedtatt",
                "decision": "Vedtak",
                "motions": [
                    {"id": "m1", "identifier": "Y1", "kind": "proposal", "text": "Forslag", "reasons": "Fordi"}
                ],
                "protocol_notes": [{"person": {"name": "Kari", "role": "ordfører"}, "text": "Merknad"}],
                "editor_notes": ["Notat"],
            }
        ],
    },
    {
        "type": "membership",
        "title": "Medlemskap i NSC",
        "lang": "nb",
        "municipality": "tromso",
        "organisation": "nordic-safe-cities",
        "start_year": 2022,
        "status": "active",
        "programme": "Trygg by",
        "fees": [{"amount": 75000, "currency": "DKK", "funding": "Fond"}],
        "conditions": ["Vilkår"],
        "benefits": ["Nytte"],
    },
    {"type": "page", "title": "Om", "lang": "nb", "summary": "Om siden"},
]
FIELD_NAMES = sorted(
    {"type", "title", "lang", "summary", "date", "source", "editor_notes", "related", "topics", "sdgs", "file"}
    | {"municipality", "status", "consultations", "motions", "votes", "counts", "attachments", "fees", "amount"}
    | {"text", "id", "body", "kind", "result", "url", "year", "present", "<<", "on_click", "__class__"}
)

scalars = st.one_of(
    hostile_text(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.sampled_from(["2022-02-30", "23.08.2022", "11,7", "NO", "on", "yes", "~", "null", ".nan", "0x1F"]),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), words)
values = st.recursive(
    scalars, lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3))
)


NOT_FREE_TEXT = {"type", "lang", "municipality", "organisation", "status", "id", "body", "kind", "result"}
NOT_FREE_TEXT |= {"currency", "url"}
"""Fields that are identifiers, codes or addresses: hostile text there is a plain validation error."""


def text_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every text value in a document (excluding identifiers the references need)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_FREE_TEXT:
                yield from text_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from text_paths(item, (*path, index))
    elif isinstance(value, str) and path:
        yield path


def container_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every mapping and list in a document, the document itself first."""
    if isinstance(value, (dict, list)):
        yield path
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from container_paths(item, (*path, key))


def at(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def hostile_front_matter(draw: st.DrawFn, depth: int = DEEP) -> dict[str, Any]:
    """A valid document whose text fields hold hostile text: it usually builds."""
    document = copy.deepcopy(draw(st.sampled_from(BASES)))
    for path in list(text_paths(document)):
        if draw(st.booleans()):
            at(document, path[:-1])[path[-1]] = draw(hostile_text(depth))
    return document


@st.composite
def mutated_front_matter(draw: st.DrawFn) -> dict[str, Any]:
    """A hostile document with keys added, removed or replaced anywhere: it usually does not validate."""
    document = draw(hostile_front_matter())
    for _ in range(draw(st.integers(0, 4))):
        container = at(document, draw(st.sampled_from(list(container_paths(document)))))
        operation = draw(st.sampled_from(["add", "remove", "replace"]))
        if isinstance(container, dict):
            if operation == "add" or not container:
                container[draw(keys)] = draw(values)
            elif operation == "remove":
                del container[draw(st.sampled_from(sorted(container)))]
            else:
                container[draw(st.sampled_from(sorted(container)))] = draw(values)
        elif operation == "add" or not container:
            container.append(draw(values))
        elif operation == "remove":
            container.pop(draw(st.integers(0, len(container) - 1)))
        else:
            container[draw(st.integers(0, len(container) - 1))] = draw(values)
    return document


@st.composite
def documents(draw: st.DrawFn, front_matter: st.SearchStrategy[dict[str, Any]], depth: int = DEEP) -> bytes:
    """A Markdown file: YAML front matter in one of several layouts, then a hostile body."""
    fields = draw(front_matter)
    flow = draw(st.sampled_from([False, True, None]))
    yaml_text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=flow, width=60)
    text = "---\n" + yaml_text + "---\n" + draw(markdown(depth)) + "\n"
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return (bom + text.replace("\n", newline)).encode("utf-8")


raw_yaml_lines = st.sampled_from(
    [
        "a: &x [1, 2]",
        "b: *x",
        "<<: {title: x}",
        "c: !!python/object/apply:os.system ['true']",
        "d: !!binary aGVsbG8=",
        "e: !!timestamp 2022-02-30",
        "f: !!set {a, b}",
        "g: !!omap [a: 1]",
        "? [complex, key]\n: value",
        "h: 1e400",
        "i: 0o777",
        "j: [" * 50 + "]" * 50,
        "k: {" * 50 + "}" * 50,
        "%YAML 1.1",
        "--- !tag",
        "title: |\n  " + "x" * 100,
        "date: 2022-08-23T25:61:00",
        "date: 99999-01-01",
        "sdgs: [99, 16.1.3, abc]",
    ]
)


@st.composite
def yaml_mangled_documents(draw: st.DrawFn) -> bytes:
    """A near-valid document with raw YAML oddities spliced into its front matter."""
    fields = draw(hostile_front_matter())
    yaml_lines = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=60).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        yaml_lines.insert(draw(st.integers(0, len(yaml_lines))), draw(raw_yaml_lines))
    return ("---\n" + "\n".join(yaml_lines) + "\n---\n" + draw(markdown()) + "\n").encode("utf-8")


any_bytes = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=2000).map(lambda b: b"---\n" + b + b"\n---\n"),
    st.binary(max_size=500).map(lambda b: b"---\ntype: decision\ntitle: " + b + b"\n---\n" + b),
)
near_valid = st.one_of(documents(hostile_front_matter()), documents(mutated_front_matter()), yaml_mangled_documents())


# --- properties ---------------------------------------------------------------------------------------------------


@settings(max_examples=examples(3.0))
@given(data=any_bytes, target=st.sampled_from([FUZZED, "data/organisations.yaml", "data/parties.yaml"]))
def test_check_never_raises_on_any_bytes(data, target):
    with project({target: data}) as config:
        problems = checked(config)
    event("refused" if any(": error: " in p for p in problems) else "accepted")


@settings(max_examples=examples(1.0))
@given(data=near_valid)
def test_check_never_raises_on_near_valid_documents(data):
    with project({FUZZED: data}) as config:
        problems = checked(config)
    event("refused" if any(": error: " in p for p in problems) else "accepted")


_SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


# A whole build draws its charts cold (each example is a new project), so it gets a longer deadline.
@settings(max_examples=examples(0.5), deadline=dt.timedelta(seconds=30))
@given(data=documents(hostile_front_matter(SHALLOW), SHALLOW))
def test_built_pages_carry_no_script(data):
    with project({FUZZED: data}) as config:
        try:
            with time_limit(HANG_SECONDS):
                result = build(config)
        except BuildFailed as failure:
            assert failure.diagnostics, "BuildFailed without a diagnostic"
            event("refused")
            return
        # Inside the project: drawn charts are read from its chart cache when asked for.
        event("built")
        assert any(path.endswith("/fuzzed/index.html") for path in result.files), "the document has no page"
        for path, content in result.files.items():
            if path.endswith(".html"):
                html = content.decode("utf-8")
                # JSON-LD data blocks, and the theme's own script files pinned by integrity values; nothing inline.
                for tag in _SCRIPT_TAG.findall(html):
                    own = re.search(r'src="[^":]*assets/[^"]+\.js"', tag) and 'integrity="sha384-' in tag
                    assert tag == '<script type="application/ld+json">' or own, (path, tag)
        assert unsafe_pages(result.files) == {}
