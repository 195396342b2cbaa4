"""Charts: every spec compiles, pictures and words carry the content's numbers, bad input is caught."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import vl_convert
from conftest import REPO, diagnostics_of, page_text

from site_builder import charts
from site_builder.build import BuildResult, build, load_site
from site_builder.chart_images import inline_svg, stable_ids
from site_builder.diagnostics import Diagnostics
from site_builder.models.documents import DataPoint, Indicator
from site_builder.progress import indicator_progress, overall_status
from site_builder.render import ATLAS
from site_builder.theme import load_theme

TROMSO_DECISION = "nb/decisions/tromso-sak-124-22-nordic-safe-cities/index.html"
TRONDHEIM_DECISION = "decisions/trondheim-ps-87-19-internasjonal-strategi/index.html"
NORRTALJE_INDICATOR = "indicators/norrtalje-tss-anmalda-valdsbrott/index.html"
MEMBERSHIP = "memberships/tromso-nordic-safe-cities-2022-2024/index.html"


def _specs(result: BuildResult) -> dict[str, dict[str, object]]:
    return {
        path: json.loads(data)
        for path, data in result.files.items()
        if path.startswith("charts/") and path.endswith(".vl.json")
    }


def _fold(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_every_chart_spec_compiles_to_vega(shipped_build: BuildResult) -> None:
    specs = _specs(shipped_build)
    kinds = {re.sub(r"^charts/[a-z]+/([a-z]+)-.*$", r"\1", path) for path in specs}
    assert {"home", "decision", "strategy", "membership", "municipality", "organisation", "indicator"} <= kinds
    for path, spec in specs.items():
        vega = vl_convert.vegalite_to_vega(spec)
        assert vega["marks"], path


def test_each_chart_has_svg_png_csv_and_an_embed_page(shipped_build: BuildResult) -> None:
    files = shipped_build.files
    for path in _specs(shipped_build):
        stem = path[: -len(".vl.json")]
        lang, chart_id = stem.split("/")[1:3]
        assert files[stem + ".svg"].startswith(b"<svg")
        assert files[stem + ".png"].startswith(b"\x89PNG")
        assert files[stem + ".csv"].count(b"\r\n") >= 2
        assert f'id="chart-{chart_id}"'.encode() in files[f"{lang}/embed/{chart_id}/index.html"]


def test_indicator_chart_states_baseline_and_target_in_words_and_picture(shipped_build: BuildResult) -> None:
    page = shipped_build.files["sv/" + NORRTALJE_INDICATOR].decode()
    figure = page[page.index('<figure class="chart"') : page.index("</figure>")]
    assert '<svg role="img"' in figure
    description = _fold(re.search(r'class="chart-description"[^>]*>([^<]*)<', figure).group(1))  # type: ignore[union-attr]
    assert "11,7 år 2020" in description and "6 år 2030" in description
    svg = figure[figure.index("<svg") : figure.index("</svg>")]
    assert "11,7" in svg and "Mål 2030" in svg
    english = shipped_build.files["en/" + NORRTALJE_INDICATOR].decode()
    assert "11.7 in 2020" in _fold(english) and "Target 2030" in english


def test_numbers_follow_the_page_language(shipped_build: BuildResult) -> None:
    for lang, amount in (("nb", "75 000 DKK"), ("sv", "75 000 DKK"), ("en", "75,000 DKK")):
        text = page_text(shipped_build, f"{lang}/{MEMBERSHIP}")
        assert amount in text
        svg = shipped_build.files[f"charts/{lang}/membership-tromso-nordic-safe-cities-2022-2024-fees.svg"].decode()
        assert amount in _fold(svg)


def test_vote_chart_shows_the_recorded_votes_per_party(shipped_build: BuildResult) -> None:
    page = shipped_build.files["en/" + TRONDHEIM_DECISION].decode()
    text = _fold(page)
    assert "against: 12 (Ap 1, MDG 5, SV 4, R 2)" in text
    assert "The minutes do not say how many voted for." in text
    svg = shipped_build.files["charts/en/decision-trondheim-ps-87-19-internasjonal-strategi-vote-1.svg"].decode()
    for party in ("Ap", "MDG", "SV", "R"):
        assert f">{party}</text>" in svg
    rows = list(
        csv.reader(
            io.StringIO(
                shipped_build.files["charts/en/decision-trondheim-ps-87-19-internasjonal-strategi-vote-1.csv"].decode()
            )
        )
    )
    assert rows[0] == ["option", "party", "votes"]
    assert ["against", "MDG", "5"] in rows


def test_case_journey_lists_every_meeting_on_a_time_axis(shipped_build: BuildResult) -> None:
    spec = _specs(shipped_build)["charts/nb/decision-trondheim-ps-87-19-internasjonal-strategi-journey.vl.json"]
    assert "8 møter" in str(spec["description"])
    text = page_text(shipped_build, "nb/" + TRONDHEIM_DECISION)
    assert "Bystyret, 13. juni 2019: Utsatt; Bystyret, 29. august 2019: Vedtatt med endringer" in text


def test_network_map_and_members_by_country(shipped_build: BuildResult) -> None:
    text = page_text(shipped_build, "en/organisations/nordic-safe-cities/index.html")
    assert (
        "Nordic Safe Cities has 20 member municipalities in the registry: Norway 10; Denmark 4; Sweden 3; Finland 2; Iceland 1."
        in text
    )
    svg = shipped_build.files["charts/en/organisation-nordic-safe-cities-map.svg"].decode()
    assert ">Reykjavík</text>" in svg and ">Stavanger</text>" in svg
    assert svg.count("<path") > 20, "the basemap's countries are drawn"


def test_home_and_municipality_charts(shipped_build: BuildResult) -> None:
    assert "Tromsø 2022: 2" in page_text(shipped_build, "en/index.html")
    text = page_text(shipped_build, "en/municipalities/trondheim/index.html")
    assert "Trondheim's twin cities and networks" in text


def test_strategy_overview_states_the_progress_method_and_status(shipped_build: BuildResult) -> None:
    text = page_text(shipped_build, "en/strategies/norrtalje-trygghets-och-sakerhetsstrategi-2030/index.html")
    assert "The indicators: from baseline to target" in text
    assert "not enough data" in text
    assert "compound annual growth rate" in text


def test_only_pages_with_charts_load_the_chart_script(shipped_build: BuildResult) -> None:
    with_charts = shipped_build.files["nb/" + TRONDHEIM_DECISION].decode()
    without = shipped_build.files["nb/decisions/linkoping-samverkan-norrkoping/index.html"].decode()
    assert with_charts.count("charts.js") == 1
    assert "charts.js" not in without and "vega" not in without


def test_chart_svgs_have_unique_ids_on_a_page(shipped_build: BuildResult) -> None:
    for path in ("nb/" + TRONDHEIM_DECISION, "en/organisations/nordic-safe-cities/index.html"):
        ids = re.findall(r'\sid="([^"]+)"', shipped_build.files[path].decode())
        assert len(ids) == len(set(ids)), path


def test_chart_ids_are_numbered_per_chart_and_prefixed_per_figure() -> None:
    drawn = (
        '<svg class="marks"><clipPath id="clip7"/><clipPath id="clip9"/><g clip-path="url(#clip9)" grid="x3"/></svg>'
    )
    stable = stable_ids(drawn)
    assert re.findall(r'\sid="([^"]+)"', stable) == ["clip1", "clip2"]
    assert "url(#clip2)" in stable and 'grid="x3"' in stable  # an attribute whose name ends in "id" is no id
    inline = inline_svg(stable, "chart-a", "chart-a-title")
    assert re.findall(r'\sid="([^"]+)"', inline) == ["chart-a-clip1", "chart-a-clip2"]
    assert "url(#chart-a-clip2)" in inline and 'grid="x3"' in inline
    assert inline.startswith('<svg role="img" aria-labelledby="chart-a-title"')


def test_building_charts_leaves_altair_as_it_was() -> None:
    """Charts are built with Altair's validation off and a quicker serialiser; other users of Altair in the
    same process (a notebook, a test) get both back."""
    from altair.utils import schemapi

    diagnostics = Diagnostics()
    site = load_site(REPO / "site.yaml", diagnostics)
    theme = load_theme(site, diagnostics) if site is not None else None
    assert site is not None and theme is not None
    before = (schemapi.DEBUG_MODE, schemapi._todict)
    built = charts.site_charts(site, theme.strings["nb"], None)
    assert sum(len(shown) for shown in built.values()) > 10
    assert (schemapi.DEBUG_MODE, schemapi._todict) == before


def test_a_site_without_charts_never_imports_altair(make_project: Callable[..., Path], tmp_path: Path) -> None:
    """Importing Altair is about a tenth of a second: a site with nothing to chart does not pay for it."""
    page = "---\ntype: page\ntitle: Om nettstedet\nlang: nb\n---\nTekst.\n"
    files = {
        "content/decisions/tromso/tromso-nsc.md": None,
        "data/organisations.yaml": None,
        "content/pages/om.md": page,
    }
    config = make_project(files)
    script = (
        "import sys\nfrom pathlib import Path\nfrom site_builder.build import build\n"
        f"result = build(Path({str(config)!r}), Path({str(tmp_path / 'out')!r}), search=False)\n"
        "print(len(result.files) > 20, 'altair' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["True", "False"], ran.stdout + ran.stderr


def test_only_builds_the_charts_of_the_pages_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    diagnostics = Diagnostics()
    site = load_site(REPO / "site.yaml", diagnostics)
    assert site is not None
    theme = load_theme(site, diagnostics)
    assert theme is not None
    t = theme.strings["sv"]
    basemap: dict[str, Any] = json.loads(theme.assets[ATLAS])

    def atlas() -> dict[str, Any]:
        return basemap

    everything = charts.site_charts(site, t, atlas)
    # A relations document shows its municipality's chart, built for it alone when its page is asked for.
    relations_document = next(
        path for path, shown in everything.items() if "/relations/" in path and shown[0].id.endswith("-relations")
    )
    only = {"sv/" + TRONDHEIM_DECISION, "sv/" + NORRTALJE_INDICATOR, relations_document, "sv/no/such/page.html"}
    built: list[str] = []
    spec = charts._spec

    def counting(chart: object, *args: object, **kwargs: object) -> dict[str, object]:
        built.append(str(args[3]))  # the chart's title
        return spec(chart, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charts, "_spec", counting)
    some = charts.site_charts(site, t, atlas, only=only)
    assert some == {path: shown for path, shown in everything.items() if path in only}
    assert len(some) == 3 and len(built) == sum(len(shown) for shown in some.values())
    assert len(built) < sum(len(shown) for shown in everything.values())

    # An edit in serve names its documents: their pages' charts are the same, found without the rest.
    chosen = [d for d in site.documents.values() if any(d.id in path for path in only)]
    assert {d.type for d in chosen} >= {"decision", "relations"}
    by_documents = charts.site_charts(site, t, atlas, documents=chosen)
    assert by_documents == {
        path: shown for path, shown in everything.items() if any(f"/{d.id}/" in path for d in chosen)
    }
    assert relations_document in by_documents and "sv/index.html" not in by_documents


# --- progress status ---------------------------------------------------------------


def _indicator(direction: str, baseline: float, target: float) -> Indicator:
    return Indicator(
        id="x", name="x", unit="%", direction=direction, direction_note="test",
        baseline=[DataPoint(year=2020, value=baseline)], target=[DataPoint(year=2030, value=target)],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "measured", "status"),
    [
        ("decrease", 11.7, 6, [(2025, 8.5)], "on-track"),  # needs ~6.5 %/year down, did ~6.2 %: 96 % of pace
        ("decrease", 11.7, 6, [(2025, 11.0)], "off-track"),
        ("decrease", 11.7, 6, [(2024, 13.0)], "off-track"),  # moving away
        ("decrease", 11.7, 6, [(2026, 5.5)], "on-track"),  # already there
        ("increase", 54, 80, [(2022, 60)], "on-track"),
        ("increase", 0, 10, [(2022, 1)], "off-track"),  # CAGR undefined from 0: linear pace, 0.5 of 1 per year
        ("increase", 54, 80, [], "no-data"),
    ],
)
def test_progress_status_by_compound_growth(
    direction: str, baseline: float, target: float, measured: list[tuple[int, float]], status: str
) -> None:
    indicator = _indicator(direction, baseline, target)
    points = [DataPoint(year=year, value=value) for year, value in measured]
    assert overall_status(indicator_progress(indicator, points)) == status


# --- data/series and bad input -----------------------------------------------------

STRATEGY = """\
---
type: strategy
title: Trygghetsstrategi
lang: sv
municipality: norrtalje
period_start: 2021
period_end: 2030
status: adopted
goal_areas:
  - id: brott
    title: Förebygga brott
    indicators:
      - id: valdsbrott
        name: Anmälda våldsbrott per 1000 invånare
        unit: per 1 000 invånare
        direction: decrease
        direction_note: Färre är bättre.
        baseline: [{year: 2020, value: 11.7}]
        target: [{year: 2030, value: 6}]
      - id: trygghet
        name: Trygga i skolan
        unit: "%"
        target: [{year: 2030, value: 80}]
---
"""


def test_measured_series_from_data_reach_chart_and_status(make_project: Callable[..., Path], tmp_path: Path) -> None:
    config = make_project({
        "content/strategies/norrtalje/strategi.md": STRATEGY,
        "data/series/valdsbrott.csv": "year,value,note\n2022,10.9,\n2024,8.1,Ny metod\n",
    })  # fmt: skip
    result = build(config)
    text = page_text(result, "en/indicators/valdsbrott/index.html")
    assert "measured 10.9 in 2022, 8.1 in 2024" in text
    assert "Ny metod" in text
    overview = page_text(result, "en/strategies/strategi/index.html")
    assert "on track: 1" in overview and "not enough data: 1" in overview
    # An indicator with a target and no baseline still gets its chart, which says what is missing.
    assert "no baseline in the source" in page_text(result, "en/indicators/trygghet/index.html")


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ("year,value\n2022,10.9\n,8.1\n", "data/series/valdsbrott.csv:3:1: error: missing year"),
        (
            'year,value\n2022,"10,9"\n',
            "data/series/valdsbrott.csv:2:2: error: '10,9' is not a number (write decimals with a point",
        ),
        ("year,value\n2022,10.9\n2022,10.1\n", "data/series/valdsbrott.csv:3:1: error: a second value for 2022"),
        ("year,amount\n", "data/series/valdsbrott.csv:1:1: error: unknown column 'amount'"),
        (
            "year,value,breakdown\n2022,10.9,flickor\n",
            "data/series/valdsbrott.csv:2:1: error: unknown breakdown 'flickor'",
        ),
    ],
)
def test_bad_series_are_diagnostics(make_project: Callable[..., Path], series: str, expected: str) -> None:
    config = make_project({"content/strategies/norrtalje/strategi.md": STRATEGY, "data/series/valdsbrott.csv": series})
    found = diagnostics_of(config)
    assert any(d.startswith(expected) for d in found), found


def test_series_for_an_unknown_indicator(make_project: Callable[..., Path]) -> None:
    config = make_project(
        {"content/strategies/norrtalje/strategi.md": STRATEGY, "data/series/valdbrott.csv": "year,value\n2022,1\n"}
    )
    found = diagnostics_of(config)
    assert any(
        "data/series/valdbrott.csv:1:1: error: no indicator 'valdbrott'" in d and "valdsbrott" in d for d in found
    ), found


def test_currency_must_be_iso_4217(make_project: Callable[..., Path]) -> None:
    membership = """\
---
type: membership
title: Medlemskap
lang: nb
municipality: tromso
organisation: nordic-safe-cities
start_year: 2022
status: active
fees:
  - {amount: 75000, currency: DKR}
---
"""
    found = diagnostics_of(make_project({"content/memberships/tromso/m.md": membership}))
    assert any("m.md:10:" in d and "'DKR' is not an ISO 4217 currency code" in d for d in found), found


def test_vote_counts_must_add_up_to_members_present(make_project: Callable[..., Path]) -> None:
    decision = """\
---
type: decision
title: Vedtak
lang: nb
municipality: tromso
status: adopted
consultations:
  - id: ks
    body: tromso-kommunestyret
    result: adopted
    votes:
      - description: Innstillingen ble vedtatt 30 mot 12.
        result: pass
        present: 43
        counts:
          - {option: "yes", value: 30}
          - {option: "no", value: 12}
---
"""
    found = diagnostics_of(make_project({"content/decisions/tromso/v.md": decision}))
    assert any("v.md:12:" in d and "the counts add up to 42, but 43 members were present" in d for d in found), found


def test_unchanged_charts_are_never_drawn_twice(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_project({"content/strategies/norrtalje/strategi.md": STRATEGY})
    first = build(config)
    calls: list[object] = []
    original = vl_convert.vegalite_to_svg

    def counting(spec: object, *args: object, **kwargs: object) -> str:
        calls.append(spec)
        return original(spec, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting)
    second = build(config)
    assert calls == []
    drawn = {path: data for path, data in first.files.items() if path.startswith("charts/")}
    assert drawn and all(second.files[path] == data for path, data in drawn.items())
    assert (config.parent / ".site-builder-cache" / "charts").is_dir()


def test_chart_benchmark_runs(make_project: Callable[..., Path]) -> None:
    from bench.charts import measure

    rows = measure(make_project({"content/strategies/norrtalje/strategi.md": STRATEGY}))
    kinds = {row[0]: row for row in rows}
    assert kinds["all"][1] == sum(row[1] for row in rows if row[0] != "all") > 0
    assert kinds["all"][4] < kinds["all"][3], "drawing from the cache is faster than drawing"
