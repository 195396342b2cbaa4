"""The DCAT-AP catalogue: valid against the EU shapes, complete for DCAT-AP-NO/SE, byte-stable."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, SH

from site_builder.config import SiteSettings
from site_builder.opendata.catalogue_text import catalogue_texts
from site_builder.opendata.datasets import Dataset, Distribution
from site_builder.opendata.dcat import (
    PREFIXES,
    Catalogue,
    build_catalogue,
    catalogue_graph,
    catalogue_jsonld,
    catalogue_turtle,
    to_graph,
)

REPO = Path(__file__).resolve().parents[1]
SHAPES = Path(__file__).resolve().parents[2] / "shared" / "standards" / "dcat-ap-3.0.1"
BASE = "https://example.org/kommunedata/"
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
EU = "http://publications.europa.eu/resource/authority/"
# A plain Namespace: pytest probing rdflib's closed DCAT namespace during collection prints warnings.
DCAT = Namespace(PREFIXES["dcat"])
VCARD = Namespace(PREFIXES["vcard"])


def make_settings(**changes: object) -> SiteSettings:
    data: dict[str, object] = {
        "name": {"nb": "Kommunedata", "sv": "Kommundata", "en": "Municipal data"},
        "description": {
            "nb": "Vedtak og strategier.",
            "sv": "Beslut och strategier.",
            "en": "Decisions and strategies.",
        },
        "base_url": BASE,
        "languages": ["nb", "sv", "en"],
        "default_language": "nb",
        "licence": {"id": "CC-BY-4.0", "name": "CC BY 4.0", "url": str(LICENCE)},
        "repository": {"url": "https://github.com/example/kommunedata"},
        "publisher": {"name": "Tromsø kommune", "url": "https://www.tromso.kommune.no/"},
    }
    data.update(changes)
    return SiteSettings.model_validate(data)


def make_datasets() -> list[Dataset]:
    decisions = Dataset(
        id="decisions",
        title={"nb": "Vedtak", "sv": "Beslut", "en": "Decisions"},
        description={"nb": "Politiske vedtak.", "sv": "Politiska beslut.", "en": "Political decisions."},
        themes=("GOVE", "JUST"),
        keywords={"nb": ("vedtak", "trygghet"), "sv": ("beslut",), "en": ("decisions", "safety")},
        distributions=(
            Distribution("data/decisions.csv", "text/csv", "CSV", "decisions.csv", 2048, "data/decisions.schema.json"),
            Distribution("data/decisions.json", "application/json", "JSON", "decisions.json", 4096),
        ),
        modified=dt.date(2024, 5, 31),
        spatial=("NO", "SE"),
        languages=("nb", "sv"),
        issued=dt.date(2023, 1, 15),
    )
    indicators = Dataset(
        id="indicators",
        title={"nb": "Indikatorer", "sv": "Indikatorer", "en": "Indicators"},
        description={"nb": "Måltall.", "sv": "Mätetal.", "en": "Measures."},
        themes=("SOCI",),
        keywords={"en": ("indicators",)},
        distributions=(Distribution("data/indicators.csv", "text/csv", "CSV", "indicators.csv", 512),),
        modified=None,
        spatial=("NO",),
    )
    return [decisions, indicators]


def make_catalogue() -> Catalogue:
    return build_catalogue(make_settings(), make_datasets(), dt.date(2024, 6, 1))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return make_catalogue()


@pytest.fixture(scope="module")
def graph(catalogue) -> Graph:
    return to_graph(catalogue)


def shapes(*names: str) -> Graph:
    assert SHAPES.is_dir(), f"the DCAT-AP shapes are missing: clone the shared folder beside the repo ({SHAPES})"
    shapes_graph = Graph()
    for name in names:
        shapes_graph.parse(SHAPES / name, format="turtle")
    return shapes_graph


@pytest.fixture(scope="module")
def mandatory_shapes() -> Graph:
    return shapes("shapes.ttl", "range.ttl")


def results(data: Graph, shapes_graph: Graph) -> list[tuple[str, str, str, str]]:
    """Every validation result as (severity, focus node, path, message)."""
    _conforms, report, _text = validate(data, shacl_graph=shapes_graph, inference="none")
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        found.append(
            (
                str(report.value(result, SH.resultSeverity)),
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultPath)),
                str(report.value(result, SH.resultMessage)),
            )
        )
    return sorted(found)


@pytest.mark.parametrize("output", ["turtle", "json-ld"])
def test_mandatory_shapes_hold_for_each_serialisation(catalogue, graph, mandatory_shapes, output):
    text = catalogue_turtle(catalogue) if output == "turtle" else catalogue_jsonld(catalogue)
    parsed = Graph().parse(data=text, format=output)
    assert isomorphic(parsed, graph)
    assert results(parsed, mandatory_shapes) == []


def test_recommended_shapes_give_warnings_at_most(graph):
    found = results(graph, shapes("shapes_recommended.ttl"))
    for severity, focus, path, message in found:
        print(f"{severity.rsplit('#', 1)[-1]}: {focus} {path}: {message}")
    assert [r for r in found if r[0] != str(SH.Warning)] == []


def test_no_blank_nodes(catalogue, graph):
    assert all(isinstance(term, URIRef | Literal) for triple in graph for term in triple)
    assert "_:" not in catalogue_turtle(catalogue)
    assert '"_:' not in catalogue_jsonld(catalogue)


def test_catalogue_has_what_dcat_ap_no_and_se_require(graph):
    catalogue = URIRef(BASE + "data/catalog")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    for prop in (DCTERMS.title, DCTERMS.description):
        assert {v.language for v in graph.objects(catalogue, prop) if isinstance(v, Literal)} == {"nb", "sv", "en"}
    assert graph.value(catalogue, DCTERMS.license) == LICENCE
    assert (LICENCE, RDF.type, DCTERMS.LicenseDocument) in graph
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert publisher == URIRef(BASE + "data/publisher")
    assert graph.value(publisher, FOAF.name) == Literal("Tromsø kommune")
    assert graph.value(publisher, DCTERMS.type) == URIRef("http://purl.org/adms/publishertype/LocalAuthority")
    assert set(graph.objects(catalogue, DCTERMS.language)) == {
        URIRef(EU + "language/" + c) for c in ("NOB", "SWE", "ENG")
    }
    assert graph.value(catalogue, DCTERMS.modified) == Literal(dt.date(2024, 6, 1))
    assert graph.value(catalogue, FOAF.homepage) == URIRef(BASE)
    assert graph.value(catalogue, DCAT.themeTaxonomy) == URIRef(EU + "data-theme")
    assert set(graph.objects(catalogue, DCAT.dataset)) == {
        URIRef(BASE + "data/decisions"),
        URIRef(BASE + "data/indicators"),
    }


def test_datasets_have_what_dcat_ap_no_and_se_require(graph):
    missing = graph.query(
        """
        SELECT ?dataset WHERE {
          ?dataset a dcat:Dataset .
          FILTER NOT EXISTS {
            ?dataset dct:title ?t ; dct:description ?d ; dct:publisher ?p ; dcat:theme ?theme ;
                     dcat:contactPoint ?c ; dcat:distribution ?dist ; dct:identifier ?id ;
                     dcat:landingPage ?page ; dct:accessRights ?rights ; dct:spatial ?where .
            ?c vcard:fn ?fn ; vcard:hasURL ?url .
          }
        }
        """,
        initNs={"dcat": DCAT, "dct": DCTERMS, "vcard": VCARD},
    )
    assert list(missing) == []

    decisions = URIRef(BASE + "data/decisions")
    assert set(graph.objects(decisions, DCAT.theme)) == {URIRef(EU + "data-theme/GOVE"), URIRef(EU + "data-theme/JUST")}
    assert set(graph.objects(decisions, DCTERMS.spatial)) == {URIRef(EU + "country/NOR"), URIRef(EU + "country/SWE")}
    assert set(graph.objects(decisions, DCTERMS.language)) == {URIRef(EU + "language/NOB"), URIRef(EU + "language/SWE")}
    assert graph.value(decisions, DCAT.landingPage) == URIRef(BASE + "nb/data/decisions/")
    assert graph.value(decisions, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    assert graph.value(decisions, DCTERMS.modified) == Literal(dt.date(2024, 5, 31))
    assert Literal("trygghet", lang="nb") in set(graph.objects(decisions, DCAT.keyword))
    contact = graph.value(decisions, DCAT.contactPoint)
    assert contact == URIRef(BASE + "data/catalog#contact")
    assert graph.value(contact, VCARD.hasURL) == URIRef("https://github.com/example/kommunedata")
    assert graph.value(URIRef(BASE + "data/indicators"), DCTERMS.modified) is None


def test_distributions_have_format_licence_and_urls(graph):
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == 3
    for distribution in distributions:
        assert graph.value(distribution, DCTERMS.license) == LICENCE
        assert graph.value(distribution, DCTERMS.format) is not None
        assert graph.value(distribution, DCAT.accessURL) == distribution
        assert graph.value(distribution, DCAT.downloadURL) == distribution
        assert graph.value(distribution, DCTERMS.title) is not None
    csv = URIRef(BASE + "data/decisions.csv")
    assert graph.value(csv, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert graph.value(csv, DCTERMS.format) == URIRef(EU + "file-type/CSV")
    assert graph.value(csv, DCAT.byteSize).datatype == URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
    assert graph.value(csv, DCTERMS.conformsTo) == URIRef(BASE + "data/decisions.schema.json")
    assert graph.value(URIRef(BASE + "data/decisions.json"), DCTERMS.conformsTo) is None


def test_a_licence_url_is_required():
    with pytest.raises(ValidationError):
        make_settings(licence={"id": "CC-BY-4.0", "name": "CC BY 4.0"})


def test_publisher_falls_back_to_the_site_name_and_contact_to_the_site(mandatory_shapes):
    graph = catalogue_graph(make_settings(publisher=None, repository=None, description={}), make_datasets(), None)
    publisher = URIRef(BASE + "data/publisher")
    assert set(graph.objects(publisher, FOAF.name)) == {
        Literal("Kommunedata", lang="nb"),
        Literal("Kommundata", lang="sv"),
        Literal("Municipal data", lang="en"),
    }
    assert graph.value(URIRef(BASE + "data/catalog#contact"), VCARD.hasURL) == URIRef(BASE)
    assert graph.value(URIRef(BASE + "data/catalog"), DCTERMS.modified) is None
    assert results(graph, mandatory_shapes) == []


def test_unknown_codes_are_refused():
    (dataset, _) = make_datasets()
    with pytest.raises(ValueError, match="EU data theme"):
        catalogue_graph(make_settings(), [Dataset(**{**dataset.__dict__, "themes": ("SAFETY",)})], None)
    with pytest.raises(ValueError, match="country 'DE'"):
        catalogue_graph(make_settings(), [Dataset(**{**dataset.__dict__, "spatial": ("DE",)})], None)


SUBPROCESS = """
import sys
sys.path.insert(0, sys.argv[1])
from test_dcat import make_catalogue
from site_builder.opendata.dcat import catalogue_jsonld, catalogue_turtle
catalogue = make_catalogue()
sys.stdout.buffer.write((catalogue_turtle(catalogue) + "\\0" + catalogue_jsonld(catalogue)).encode("utf-8"))
"""


def test_output_is_byte_identical_across_processes(catalogue):
    runs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", SUBPROCESS, str(Path(__file__).parent)],
            capture_output=True,
            env=env,
            check=True,
            cwd=REPO,
        )
        runs.append(done.stdout)
    assert runs[0] == runs[1]
    assert runs[0] == (catalogue_turtle(catalogue) + "\0" + catalogue_jsonld(catalogue)).encode("utf-8")
    assert "Tromsø kommune" in runs[0].decode("utf-8")


def rdflib_turtle(catalogue: Catalogue) -> str:
    """What rdflib's own Turtle serializer writes for the catalogue's triples."""
    return to_graph(catalogue).serialize(format="turtle")


def awkward_datasets() -> list[Dataset]:
    """Texts with quotes, backslashes, line breaks and repeats, which Turtle escapes or merges."""
    (decisions, indicators) = make_datasets()
    texts = {
        "nb": 'Vedtak "i dag" med \\ og\ttab',
        "sv": 'Beslut\nmed """tre""" citat och radbrytning\r\n"',
        "en": 'Ends with a quote\n"',
    }
    awkward = Dataset(
        **{
            **decisions.__dict__,
            "id": "awkward",
            "title": texts,
            "description": {**texts, "en": 'Only "quotes"'},
            "keywords": {"nb": ("b", "a", "b", ""), "sv": ("ö", "z", "a"), "en": ("Zebra", "apple", "10", "9")},
            "distributions": (
                *decisions.distributions,
                Distribution("data/z.csv", "text/csv", "CSV", 'z "quoted".csv', 10),
                Distribution("data/a.json", "application/json", "JSON", "a\\b.json", 0, "data/a.schema.json"),
            ),
        }
    )
    return [awkward, decisions, indicators]


@pytest.mark.parametrize(
    "settings",
    [
        make_settings(),
        make_settings(publisher=None, repository=None, description={}),
        make_settings(publisher={"name": 'Kommune "Nord"\n2'}),
        # A base address inside a bound namespace: rdflib abbreviates it, so it writes the catalogue itself.
        make_settings(
            base_url="http://xmlns.com/foaf/0.1/site/",
            licence={"id": "X", "name": "X", "url": "http://www.w3.org/ns/dcat#licence"},
        ),
    ],
    ids=["default", "fallbacks", "quoted-publisher", "bound-namespace"],
)
@pytest.mark.parametrize("datasets", [make_datasets, awkward_datasets], ids=["plain", "awkward"])
def test_turtle_is_what_rdflib_writes(settings, datasets):
    catalogue = build_catalogue(settings, datasets(), dt.date(2024, 6, 1))
    text = catalogue_turtle(catalogue)
    assert text == rdflib_turtle(catalogue)
    assert isomorphic(Graph().parse(data=text, format="turtle"), to_graph(catalogue))
    assert isomorphic(Graph().parse(data=catalogue_jsonld(catalogue), format="json-ld"), to_graph(catalogue))


def test_catalogue_graph_holds_the_catalogues_triples(catalogue, graph):
    assert len(graph) == len(catalogue)
    assert isomorphic(catalogue_graph(make_settings(), make_datasets(), dt.date(2024, 6, 1)), graph)


def _resized(datasets: list[Dataset], sizes: dict[str, int]) -> list[Dataset]:
    return [
        replace(d, distributions=tuple(replace(x, byte_size=sizes.get(x.path, x.byte_size)) for x in d.distributions))
        for d in datasets
    ]


def test_sized_catalogue_refilled_after_an_edit_is_the_catalogue_written_anew():
    """serve fills the last catalogue's texts in with the new sizes: the bytes are a fresh catalogue's."""
    settings, modified = make_settings(), dt.date(2024, 6, 1)
    turtle, jsonld, sized = catalogue_texts(settings, make_datasets(), modified, None)
    assert sized is not None
    fresh = make_catalogue()
    assert (turtle, jsonld) == (catalogue_turtle(fresh), catalogue_jsonld(fresh))
    edited = _resized(make_datasets(), {"data/decisions.json": 7000000000000000000123})
    again = catalogue_texts(settings, edited, modified, sized)
    assert again[2] is sized  # filled in, not written again
    assert '"7000000000000000000123"^^xsd:nonNegativeInteger' in again[0]
    written = build_catalogue(settings, edited, modified)
    assert again[:2] == (catalogue_turtle(written), catalogue_jsonld(written))
    retitled = [replace(make_datasets()[0], title={"nb": "Nye vedtak", "sv": "Beslut", "en": "Decisions"})]
    turtle, _, other = catalogue_texts(settings, retitled, modified, sized)
    assert other is not sized and '"Nye vedtak"@nb' in turtle


def test_a_catalogue_whose_text_looks_like_a_size_slot_is_written_directly():
    settings = make_settings(description={"nb": "Saksnummer 7000000000000000000001.", "sv": "S.", "en": "E."})
    turtle, jsonld, sized = catalogue_texts(settings, make_datasets(), None, None)
    assert sized is None
    written = build_catalogue(settings, make_datasets(), None)
    assert (turtle, jsonld) == (catalogue_turtle(written), catalogue_jsonld(written))
    assert "Saksnummer 7000000000000000000001." in turtle
