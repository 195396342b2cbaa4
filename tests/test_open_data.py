"""Open data: every table validates with frictionless, the catalogue with the DCAT-AP shapes, and reads back exactly."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_DECISION, REPO, page_text

from site_builder.build import build, load_site
from site_builder.diagnostics import Diagnostics
from site_builder.i18n import file_size
from site_builder.opendata.csvfile import read_csv, write_csv
from site_builder.opendata.exports import INDICATOR_COLUMNS
from site_builder.opendata.tables import TABLES, Column, build_tables

SHAPES = REPO.parent / "shared" / "standards" / "dcat-ap-3.0.1"
DECISION = "content/decisions/tromso/tromso-nsc.md"


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "_site"
    build(REPO / "site.yaml", out)
    return out


def test_frictionless_accepts_the_data_package(built_site):
    from frictionless import validate

    report = validate(built_site / "data" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((built_site / "data" / "datapackage.json").read_text())
    names = {r["name"] for r in package["resources"]}
    for table in ("decisions", "meetings", "motions", "vote-counts", "memberships", "indicators", "indicator-values",
                  "relations", "network-members", "commitments"):  # fmt: skip
        assert table in names
    motions = next(r for r in package["resources"] if r["name"] == "motions")
    assert motions["schema"]["primaryKey"] == ["decision", "id"]
    assert {"fields": ["decision"], "reference": {"resource": "decisions", "fields": ["id"]}} in motions["schema"][
        "foreignKeys"
    ]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_frictionless_catches_a_broken_foreign_key(built_site, tmp_path):
    """The validation above is not vacuous: a motion pointing at no decision is reported."""
    from frictionless import validate

    copy = tmp_path / "data"
    shutil.copytree(built_site / "data", copy)
    motions = (copy / "motions.csv").read_text(encoding="utf-8")
    (copy / "motions.csv").write_text(motions.replace("trondheim-ps-87-19", "nowhere-ps-87-19", 1), encoding="utf-8")
    report = validate(copy / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


@pytest.mark.parametrize("path", ["data/catalog.ttl", "data/catalog.jsonld"])
def test_dcat_catalogue_conforms_to_the_shapes(built_site, path):
    from pyshacl import validate
    from rdflib import Graph

    data = Graph().parse(built_site / path, format="turtle" if path.endswith(".ttl") else "json-ld")
    shapes = Graph().parse(SHAPES / "shapes.ttl").parse(SHAPES / "range.ttl")
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text
    datasets = set(data.subjects(predicate=None, object=None))
    assert any(str(s).endswith("data/decisions") for s in datasets)


def test_every_csv_reads_back_to_the_models(built_site):
    diagnostics = Diagnostics()
    site = load_site(REPO / "site.yaml", diagnostics)
    assert site is not None
    for table in build_tables(site, diagnostics):
        data = (built_site / "data" / f"{table.spec.name}.csv").read_bytes()
        read_back = read_csv(data, table.spec.columns)
        expected = [
            tuple(
                float(v) if c.type == "number" and v is not None else v
                for v, c in zip(row.values, table.spec.columns, strict=True)
            )
            for row in table.rows
        ]
        assert read_back == expected, table.spec.name
    assert not diagnostics.has_errors()


def test_tables_hold_the_facts(built_site):
    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO((built_site / "data" / f"{name}.csv").read_text(encoding="utf-8"))))

    fees = rows("membership-fees")
    assert {(f["amount"], f["currency"], f["per"]) for f in fees} == {("75000", "DKK", "year")}
    counts = rows("vote-counts")
    assert {
        "decision": "trondheim-ps-87-19-internasjonal-strategi",
        "party": "no-mdg",
        "option": "no",
        "value": "5",
    }.items() <= next(c for c in counts if c["party"] == "no-mdg").items()
    twins = [r for r in rows("relations") if r["kind"] == "twin-city"]
    assert len(twins) == 13
    assert {"partner": "Darmstadt", "country": "DE", "since": "1968"}.items() <= next(
        r for r in twins if r["partner"] == "Darmstadt"
    ).items()
    members = rows("network-members")
    assert len([m for m in members if m["organisation"] == "nordic-safe-cities"]) == 20
    values = rows("indicator-values")
    assert {("2020", "flickor", "54"), ("2030", "flickor", "80")} <= {
        (v["year"], v["breakdown"], v["value"])
        for v in values
        if v["indicator"] == "norrtalje-tss-elever-trygga-i-skolan"
    }


def test_each_indicator_has_a_tidy_file(built_site):
    text = (built_site / "data" / "indicators" / "norrtalje-tss-anmalda-valdsbrott.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(c.name for c in INDICATOR_COLUMNS)
    assert lines[1].startswith("2020,baseline,,11.7,")
    assert any(line.startswith("2030,target,,6,") for line in lines)


def test_popolo_vote_events_and_memberships(built_site):
    popolo = json.loads((built_site / "data" / "popolo.json").read_text(encoding="utf-8"))
    assert {"organizations", "persons", "memberships", "motions", "vote_events"} <= popolo.keys()
    alternative = next(
        v for v in popolo["vote_events"] if {"option": "no", "value": 5, "group_id": "no-mdg"} in v["counts"]
    )
    assert alternative["result"] == "pass"
    assert alternative["organization_id"] == "trondheim-bystyret"
    nsc = next(m for m in popolo["memberships"] if m["id"] == "tromso-nordic-safe-cities-2022-2024")
    assert nsc["member"] == {"@type": "Organization", "id": "tromso"}
    assert nsc["organization_id"] == "nordic-safe-cities"
    assert nsc["sb:fees"][0]["amount"] == 75000 and nsc["sb:fees"][0]["currency"] == "DKK"
    amendments = [m for m in popolo["motions"] if m["object_id"]]
    assert amendments, "amendments are motions about motions"
    assert all(m["object_id"].split("/")[0] == m["id"].split("/")[0] for m in amendments)


def _json_ld(result, path: str) -> dict:
    html = result.files[path].decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert match, path
    return json.loads(match.group(1))


def test_pages_carry_schema_org_json_ld(shipped_build):
    decision = _json_ld(shipped_build, "en/decisions/tromso-sak-124-22-nordic-safe-cities/index.html")
    assert decision["@type"] == "Legislation"
    assert decision["legislationIdentifier"] == "124/22"
    assert decision["legislationPassedBy"]["name"] == "Kommunestyret"
    strategy = _json_ld(shipped_build, "en/strategies/norrtalje-trygghets-och-sakerhetsstrategi-2030/index.html")
    assert strategy["@type"] == "CreativeWork" and strategy["temporalCoverage"] == "2021/2030"
    tromso = _json_ld(shipped_build, "en/municipalities/tromso/index.html")
    assert tromso["@type"] == "GovernmentOrganization"
    assert {"@type": "OrganizationRole", "roleName": "member", "startDate": "2022", "endDate": "2024",
            "memberOf": {"@type": "Organization", "name": "Nordic Safe Cities"}} in tromso["memberOf"]  # fmt: skip
    dataset = _json_ld(shipped_build, "en/data/decisions/index.html")
    assert dataset["@type"] == "Dataset"
    assert {d["encodingFormat"] for d in dataset["distribution"]} == {"text/csv", "application/json"}
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize("lang", ["nb", "sv", "en"])
def test_catalogue_page_lists_every_dataset(shipped_build, lang):
    text = page_text(shipped_build, f"{lang}/data/index.html")
    html = shipped_build.files[f"{lang}/data/index.html"].decode()
    for dataset in (
        "decisions",
        "strategies",
        "indicators",
        "memberships",
        "agreements",
        "commitments",
        "relations",
        "registries",
        "popolo",
    ):
        assert f'href="{dataset}/"' in html
    assert "Creative Commons Attribution 4.0 International" in text
    assert "CSV, JSON" in text or "JSON, CSV" in text
    assert "kB" in text
    assert "../../schemas/decision.schema.json" in html
    assert "../../data/datapackage.json" in html


def test_file_sizes_read_as_people_read_them_and_the_catalogue_keeps_the_bytes(shipped_build):
    # Three significant digits of the largest unit a file fills, in the page's language; the exact count of
    # bytes is in the catalogue (DCAT byteSize) and datapackage.json, for programs. (A page that gave it
    # would change with every edit anywhere on the site, and its part of the search index with it.)
    assert [file_size(n, "nb_NO") for n in (0, 999, 1_000, 1_234, 9_996, 99_949, 999_500, 57_389_265)] == [
        "0 B", "999 B", "1 kB", "1,23 kB", "10 kB", "99,9 kB", "1 MB", "57,4 MB",
    ]  # fmt: skip
    assert file_size(57_389_265, "en") == "57.4 MB" == file_size(57_389_265 + 4_000, "en")
    assert file_size(1_500_000_000, "sv_SE") == "1,5 GB"
    package = json.loads(shipped_build.files["data/datapackage.json"])
    decisions_csv = next(r for r in package["resources"] if r["path"] == "decisions.csv")
    exact = decisions_csv["bytes"]
    assert exact == len(shipped_build.files["data/decisions.csv"])
    for lang, locale in (("nb", "nb_NO"), ("sv", "sv_SE"), ("en", "en_GB")):
        row = re.search(
            r'decisions\.csv</a></th>\s*<td>CSV</td>\s*<td class="num">([^<]+)</td>',
            shipped_build.files[f"{lang}/data/decisions/index.html"].decode(),
        )
        assert row is not None and row.group(1) == file_size(exact, locale)
    dataset = _json_ld(shipped_build, "en/data/decisions/index.html")
    shown = {d["contentUrl"].rsplit("/", 1)[-1]: d["contentSize"] for d in dataset["distribution"]}
    assert shown["decisions.csv"] == file_size(exact, "en")


def test_document_pages_link_their_data(shipped_build):
    html = shipped_build.files["nb/memberships/tromso-nordic-safe-cities-2022-2024/index.html"].decode()
    assert 'href="../../../data/memberships/tromso-nordic-safe-cities-2022-2024.json"' in html
    assert 'href="../../../data/membership-fees.csv"' in html
    record = json.loads(shipped_build.files["data/memberships/tromso-nordic-safe-cities-2022-2024.json"])
    assert record["fees"][0]["amount"] == 75000.0
    assert record["organisation"] == "nordic-safe-cities"


HOSTILE = [
    '=HYPERLINK("http://evil.example")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "'quoted",
    'line one\nline two; "q", x',
]


def test_hostile_cells_are_neutralised_and_round_trip(make_project):
    motions = "".join(
        f"      - id: m{i}\n        kind: proposal\n        text: {json.dumps(text)}\n"
        for i, text in enumerate(HOSTILE)
    )
    text = MINIMAL_DECISION.replace(
        "date: 2022-08-23\n",
        "date: 2022-08-23\nconsultations:\n  - id: ks\n    body: tromso-kommunestyret\n    result: adopted\n    motions:\n"
        + motions,
    )
    result = build(make_project({DECISION: text}))
    data = result.files["data/motions.csv"]
    cells = [row[-1] for row in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))][1:]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    spec = next(t for t in TABLES if t.name == "motions")
    model = result.site.documents["tromso-nsc"].model
    assert [row[-1] for row in read_csv(data, spec.columns)] == [m.text for m in model.consultations[0].motions]
    assert model.consultations[0].motions[0].text == HOSTILE[0]


def test_csv_rule_covers_tab_and_carriage_return():
    """Front matter strips leading white space, so these reach CSV only through other paths; the rule still holds."""
    columns = (Column("text", "string", ""), Column("value", "number", ""))
    rows = [("\tTab", -5.0), ("\rReturn", 1.5), ("''", None), ("plain", 0.0)]
    data = write_csv(columns, rows)
    cells = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))][1:]
    assert cells == ["'\tTab", "'\rReturn", "'''", "plain"]
    assert read_csv(data, columns) == rows


def test_a_value_that_does_not_fit_its_column_is_a_diagnostic(make_project):
    diagnostics = Diagnostics()
    site = load_site(make_project(), diagnostics)
    assert site is not None
    decision = site.documents["tromso-nsc"]
    decision.model.date = "23.08.2022"  # type: ignore[assignment]  # bypasses validation, as a bug upstream would
    build_tables(site, diagnostics)
    assert [str(d) for d in diagnostics.errors] == [
        f"{DECISION}:2:1: error: decisions.csv: the value '23.08.2022' does not fit column 'date' (date) "
        "(correct the value's type in the source)"
    ]


AWKWARD = ["", "plain", 'a & b < c > d "e"', "line\nbreak\r\ttab", "ø’\u2028"]


@pytest.mark.parametrize("text", AWKWARD)
def test_feed_elements_are_escaped_as_elementtree_escapes_them(text):
    """feeds.py writes Atom as text; each element is what ElementTree writes for it."""
    import xml.etree.ElementTree as ET

    from site_builder import feeds

    def tree_text(element: ET.Element) -> str:
        return ET.tostring(element, encoding="unicode")

    element = ET.Element("title")
    element.text = text
    element.set("{http://www.w3.org/XML/1998/namespace}lang", text or "nb")
    assert feeds._text("", "title", text, text or "nb") == tree_text(element)
    plain = ET.Element("id")
    plain.text = text
    assert feeds._text("", "id", text) == tree_text(plain)
    link = ET.Element("link", {"href": text, "rel": "alternate"})
    link.set("type", "text/html")
    if text:
        link.set("hreflang", text)
    assert feeds._link("", text, "alternate", "text/html", text) == tree_text(link)


def test_open_data_that_cannot_be_written_is_a_diagnostic(make_project, tmp_path):
    """The files are written by a thread while the next is made; a failed write still reaches the editor."""
    import threading

    from site_builder.opendata.exports import derive_open_data
    from site_builder.theme import load_theme

    diagnostics = Diagnostics()
    site = load_site(make_project({DECISION: MINIMAL_DECISION}), diagnostics)
    assert site is not None
    theme = load_theme(site, diagnostics)
    assert theme is not None
    not_a_folder = tmp_path / "spool"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    data = derive_open_data(site, theme.strings, diagnostics, spool=not_a_folder)
    assert data.files == {}
    assert diagnostics.errors[0].message.startswith("cannot write the open data")
    assert not any(thread.name.startswith("open-data") for thread in threading.enumerate())
    (tmp_path / "fresh").mkdir()
    written = derive_open_data(site, theme.strings, Diagnostics(), spool=tmp_path / "fresh")
    spooled = {name: stored for name, stored in written.files.items() if isinstance(stored, Path)}
    # Each document's own JSON waits for the worker that renders the document's page to write it.
    assert set(written.by_page) == set(written.document_files.values())
    on_disk = {name: stored for name, stored in spooled.items() if name not in written.by_page}
    assert on_disk and all(written.size(name) == stored.stat().st_size for name, stored in on_disk.items())
    assert all(written.size(name) == len(content) for name, content in written.by_page.items())
