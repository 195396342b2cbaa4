"""Where every page lives in the output: one place for the site's URL scheme.

Paths are relative to the output folder and end in index.html for pages, so
the site works from any static host and from a sub-folder. Links between
pages are made relative with `relative_url`.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

SECTIONS: dict[str, str] = {
    "decision": "decisions",
    "strategy": "strategies",
    "membership": "memberships",
    "agreement": "agreements",
    "commitment": "commitments",
    "relations": "relations",
    "page": "pages",
}
"""The folder each content type's pages live in."""


def home_path(lang: str) -> str:
    return f"{lang}/index.html"


def section_path(lang: str, doc_type: str) -> str:
    return f"{lang}/{SECTIONS[doc_type]}/index.html"


def document_path(lang: str, doc_type: str, doc_id: str) -> str:
    return f"{lang}/{SECTIONS[doc_type]}/{doc_id}/index.html"


def municipalities_path(lang: str) -> str:
    return f"{lang}/municipalities/index.html"


def municipality_path(lang: str, municipality_id: str) -> str:
    return f"{lang}/municipalities/{municipality_id}/index.html"


def organisations_path(lang: str) -> str:
    return f"{lang}/organisations/index.html"


def organisation_path(lang: str, organisation_id: str) -> str:
    return f"{lang}/organisations/{organisation_id}/index.html"


def indicator_path(lang: str, indicator_id: str) -> str:
    return f"{lang}/indicators/{indicator_id}/index.html"


def indicators_path(lang: str) -> str:
    return f"{lang}/indicators/index.html"


def topic_path(lang: str, topic_id: str) -> str:
    return f"{lang}/topics/{topic_id}/index.html"


def topics_path(lang: str) -> str:
    return f"{lang}/topics/index.html"


def sdg_path(lang: str, goal: int) -> str:
    return f"{lang}/sdgs/{goal}/index.html"


def sdgs_path(lang: str) -> str:
    return f"{lang}/sdgs/index.html"


def year_path(lang: str, year: int) -> str:
    return f"{lang}/years/{year}/index.html"


def years_path(lang: str) -> str:
    return f"{lang}/years/index.html"


def search_path(lang: str) -> str:
    return f"{lang}/search/index.html"


def decisions_feed_path(lang: str) -> str:
    """The Atom feed of every decision on the site."""
    return f"{lang}/decisions/feed.xml"


def municipality_feed_path(lang: str, municipality_id: str) -> str:
    """The Atom feed of the decisions that concern one municipality."""
    return f"{lang}/municipalities/{municipality_id}/feed.xml"


SITEMAP_PATH = "sitemap.xml"
ROBOTS_PATH = "robots.txt"
NOT_FOUND_PATH = "404.html"
"""Static hosts such as GitHub Pages serve this file for any path that does not exist."""
PAGEFIND_DIR = "pagefind"
"""The search index and Pagefind's own script, made by the build."""


def data_catalogue_path(lang: str) -> str:
    return f"{lang}/data/index.html"


def dataset_path(lang: str, dataset_id: str) -> str:
    return f"{lang}/data/{dataset_id}/index.html"


DATA_DIR = "data"
DATAPACKAGE_PATH = "data/datapackage.json"
POPOLO_PATH = "data/popolo.json"


def table_path(name: str) -> str:
    """A flat CSV table of the open data."""
    return f"{DATA_DIR}/{name}.csv"


def indicator_csv_path(indicator_id: str) -> str:
    """One indicator's tidy CSV file."""
    return f"{DATA_DIR}/indicators/{indicator_id}.csv"


def document_json_path(doc_type: str, doc_id: str) -> str:
    """One document as JSON."""
    return f"{DATA_DIR}/{SECTIONS[doc_type]}/{doc_id}.json"


def type_json_path(doc_type: str) -> str:
    """Every document of one content type as JSON."""
    return f"{DATA_DIR}/{SECTIONS[doc_type]}.json"


def schema_path(doc_type: str) -> str:
    return f"schemas/{doc_type}.schema.json"


def file_path(relative: str) -> str:
    """Where a file from files/ that a document refers to is published."""
    return f"files/{relative}"


def asset_path(name: str) -> str:
    return f"assets/{name}"


def chart_file_path(lang: str, chart_id: str, suffix: str) -> str:
    """A chart's downloads: .svg, .png, .csv and .vl.json (the Vega-Lite spec), per UI language."""
    return f"charts/{lang}/{chart_id}{suffix}"


def embed_path(lang: str, chart_id: str) -> str:
    """A page with just one chart, for other sites' iframes."""
    return f"{lang}/embed/{chart_id}/index.html"


def relative_url(from_path: str, to_path: str) -> str:
    """A link from the page at `from_path` to `to_path`, both output paths; index.html is dropped."""
    folder = from_path.rpartition("/")[0]
    parent, _, own = folder.rpartition("/")
    if own and to_path != folder and not to_path.startswith(f"{folder}/"):
        # Nearly every page has a folder of its own, and most of its links lead out of it, to the same
        # places as its neighbours' links: one step up, then the way from the parent folder, found once.
        return _from_parent(parent, to_path)
    return _relative_url(folder, to_path)


@lru_cache(maxsize=65536)
def _from_parent(parent: str, to_path: str) -> str:
    relative = _relative_url(parent, to_path)
    return "../" if relative == "./" else "../" + relative


def _relative_url(folder: str, to_path: str) -> str:
    is_page = to_path.endswith("index.html")
    target = to_path[: -len("index.html")] if is_page else to_path
    relative = _relative_parts(_parts(folder), _parts(target))
    if is_page:
        relative = "./" if relative == "." else relative + "/"
    return relative


@lru_cache(maxsize=8192)
def _parts(path: str) -> tuple[str, ...]:
    # A page's links all start from its folder, and most lead to the same few pages (navigation, footer).
    return tuple(part for part in path.split("/") if part and part != ".")


def _relative_parts(start: tuple[str, ...], target: tuple[str, ...]) -> str:
    """posixpath.relpath(target, start) for two paths below the same root, without touching the file system.

    Every page calls this dozens of times (navigation, breadcrumbs, lists); relpath's abspath calls made
    it the most expensive line of a build.
    """
    common = 0
    for a, b in zip(start, target, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + list(target[common:])) or "."


def root_relative_url(base_url: str, path: str) -> str:
    """A link to an output path that works from any URL of the site, e.g. on the 404 page: /base/path/."""
    return urlsplit(public_url(base_url, path)).path


def public_url(base_url: str, path: str) -> str:
    """The absolute address of an output path, for canonical links and feeds."""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return base_url + path
