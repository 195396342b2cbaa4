"""The site's data catalogue in DCAT-AP 3.0.1, also meeting DCAT-AP-NO and DCAT-AP-SE.

Every node has an IRI (no blank nodes), so the catalogue serialises to the same bytes on every run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from rdflib.term import Node

from ..config import SiteSettings
from .datasets import Dataset, Distribution

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

CATALOGUE_TURTLE_PATH = "data/catalog.ttl"
CATALOGUE_JSONLD_PATH = "data/catalog.jsonld"

PREFIXES: dict[str, Namespace] = {
    "dcat": Namespace(str(DCAT)),
    "dct": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "skos": Namespace(str(SKOS)),
    "vcard": Namespace(str(VCARD)),
    "xsd": Namespace(str(XSD)),
}
"""The prefixes both serialisations use."""

_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME_SCHEME = URIRef(_AUTHORITY + "data-theme")
PUBLIC_ACCESS = URIRef(_AUTHORITY + "access-right/PUBLIC")
# The site generator exists for municipalities, so its publisher is a local authority.
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
PUBLISHER_TYPE_LABEL = "Local Authority"

DATA_THEMES: dict[str, str] = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "OP_DATPRO": "Provisional data",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}
"""The EU data-theme authority table: code to English label."""

LANGUAGES: dict[str, str] = {
    "nb": "NOB",
    "nn": "NNO",
    "sv": "SWE",
    "da": "DAN",
    "fi": "FIN",
    "is": "ISL",
    "en": "ENG",
    "se": "SME",
}
"""ISO 639-1 code to EU language authority code."""

COUNTRIES: dict[str, str] = {"NO": "NOR", "SE": "SWE", "DK": "DNK", "FI": "FIN", "IS": "ISL"}
"""ISO 3166-1 alpha-2 code to EU country authority code (alpha-3)."""

_FILE_TYPE = re.compile(r"^[A-Z0-9_]+$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")


def catalogue_graph(settings: SiteSettings, datasets: Sequence[Dataset], modified: dt.date | None) -> Graph:
    """The DCAT-AP catalogue of `datasets`; every node is an IRI, none a blank node.

    Referenced authority concepts are typed with the classes DCAT-AP's range shapes expect
    (and concepts and schemes labelled), so the graph validates without inference.
    `modified` is the catalogue's last change, if known.
    Raises ValueError for a theme, country or language with no authority IRI, or a dataset
    without a title or description.
    """
    base = settings.base_url
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)

    catalogue = URIRef(base + "data/catalog")
    publisher = URIRef(base + "data/publisher")
    contact = URIRef(base + "data/catalog#contact")
    licence = URIRef(settings.licence.url)
    homepage = URIRef(base)

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    for lang in settings.languages:
        name = settings.name_in(lang)
        # site.yaml may leave the description out, but DCAT-AP requires one: the name stands in.
        description = settings.description_in(lang) or name
        graph.add((catalogue, DCTERMS.title, Literal(name, lang=lang)))
        graph.add((catalogue, DCTERMS.description, Literal(description, lang=lang)))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.license, licence))
    for language in _languages(settings.languages):
        graph.add((catalogue, DCTERMS.language, language))
        graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    for country in _countries(sorted({code for dataset in datasets for code in dataset.spatial})):
        graph.add((catalogue, DCTERMS.spatial, country))
        graph.add((country, RDF.type, DCTERMS.Location))
    if modified is not None:
        graph.add((catalogue, DCTERMS.modified, _date(modified)))
    graph.add((catalogue, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    graph.add((catalogue, DCAT.themeTaxonomy, DATA_THEME_SCHEME))
    graph.add((DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((DATA_THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))

    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.identifier, Literal(settings.licence.id)))
    graph.add((licence, DCTERMS.title, Literal(settings.licence.name)))

    _add_publisher(graph, settings, publisher, contact)

    for dataset in datasets:
        graph.add((catalogue, DCAT.dataset, _add_dataset(graph, settings, dataset, publisher, contact, licence)))
    return graph


def _add_publisher(graph: Graph, settings: SiteSettings, publisher: URIRef, contact: URIRef) -> None:
    names: list[Literal]
    if settings.publisher is not None:
        names = [Literal(settings.publisher.name)]
        if settings.publisher.url is not None:
            graph.add((publisher, FOAF.homepage, URIRef(settings.publisher.url)))
    else:
        names = [Literal(settings.name_in(lang), lang=lang) for lang in settings.languages]
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, DCTERMS.type, PUBLISHER_TYPE))
    graph.add((PUBLISHER_TYPE, RDF.type, SKOS.Concept))
    graph.add((PUBLISHER_TYPE, SKOS.prefLabel, Literal(PUBLISHER_TYPE_LABEL, lang="en")))

    # Range shapes check sh:class vcard:Kind without inference, so the superclass is stated too.
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, RDF.type, VCARD.Kind))
    homepage = settings.repository.url if settings.repository is not None else settings.base_url
    graph.add((contact, VCARD.hasURL, URIRef(homepage)))
    for name in names:
        graph.add((publisher, FOAF.name, name))
        graph.add((contact, VCARD.fn, name))


def _add_dataset(
    graph: Graph, settings: SiteSettings, dataset: Dataset, publisher: URIRef, contact: URIRef, licence: URIRef
) -> URIRef:
    base = settings.base_url
    node = URIRef(base + "data/" + dataset.id)
    if not any(dataset.title.values()) or not any(dataset.description.values()):
        raise ValueError(f"dataset '{dataset.id}' needs a title and a description")
    graph.add((node, RDF.type, DCAT.Dataset))
    for lang, title in sorted(dataset.title.items()):
        if title:
            graph.add((node, DCTERMS.title, Literal(title, lang=lang)))
    for lang, description in sorted(dataset.description.items()):
        if description:
            graph.add((node, DCTERMS.description, Literal(description, lang=lang)))
    for lang, keywords in sorted(dataset.keywords.items()):
        for keyword in keywords:
            graph.add((node, DCAT.keyword, Literal(keyword, lang=lang)))
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((node, DCAT.contactPoint, contact))
    for code in dataset.themes:
        if code not in DATA_THEMES:
            raise ValueError(f"dataset '{dataset.id}': '{code}' is not an EU data theme ({', '.join(DATA_THEMES)})")
        theme = URIRef(f"{DATA_THEME_SCHEME}/{code}")
        graph.add((node, DCAT.theme, theme))
        graph.add((theme, RDF.type, SKOS.Concept))
        graph.add((theme, SKOS.prefLabel, Literal(DATA_THEMES[code], lang="en")))
        graph.add((theme, SKOS.inScheme, DATA_THEME_SCHEME))
    for language in _languages(dataset.languages):
        graph.add((node, DCTERMS.language, language))
        graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    for country in _countries(dataset.spatial):
        graph.add((node, DCTERMS.spatial, country))
        graph.add((country, RDF.type, DCTERMS.Location))
    if dataset.issued is not None:
        graph.add((node, DCTERMS.issued, _date(dataset.issued)))
    if dataset.modified is not None:
        graph.add((node, DCTERMS.modified, _date(dataset.modified)))
    # The IRI, not the bare slug, so the identifier stays unique when national portals harvest it.
    graph.add((node, DCTERMS.identifier, Literal(str(node))))
    landing = URIRef(f"{base}{settings.default_language}/data/{dataset.id}/")
    graph.add((node, DCAT.landingPage, landing))
    graph.add((landing, RDF.type, FOAF.Document))
    graph.add((node, DCTERMS.accessRights, PUBLIC_ACCESS))
    graph.add((PUBLIC_ACCESS, RDF.type, DCTERMS.RightsStatement))
    for distribution in dataset.distributions:
        graph.add((node, DCAT.distribution, _add_distribution(graph, base, dataset.id, distribution, licence)))
    return node


def _add_distribution(graph: Graph, base: str, dataset_id: str, distribution: Distribution, licence: URIRef) -> URIRef:
    where = f"dataset '{dataset_id}', file '{distribution.path}'"
    if not _FILE_TYPE.match(distribution.format):
        raise ValueError(f"{where}: '{distribution.format}' is not an EU file-type code such as CSV or JSON")
    if not _MEDIA_TYPE.match(distribution.media_type):
        raise ValueError(f"{where}: '{distribution.media_type}' is not an IANA media type such as text/csv")
    if distribution.byte_size < 0:
        raise ValueError(f"{where}: byte size {distribution.byte_size} is negative")
    node = URIRef(base + distribution.path)
    media_type = URIRef("https://www.iana.org/assignments/media-types/" + distribution.media_type)
    file_type = URIRef(_AUTHORITY + "file-type/" + distribution.format)
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(distribution.title)))
    graph.add((node, DCAT.accessURL, node))
    graph.add((node, DCAT.downloadURL, node))
    graph.add((node, DCAT.mediaType, media_type))
    graph.add((media_type, RDF.type, DCTERMS.MediaType))
    graph.add((node, DCTERMS.format, file_type))
    graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    graph.add((node, DCAT.byteSize, Literal(str(distribution.byte_size), datatype=XSD.nonNegativeInteger)))
    graph.add((node, DCTERMS.license, licence))
    if distribution.conforms_to is not None:
        standard = URIRef(base + distribution.conforms_to)
        graph.add((node, DCTERMS.conformsTo, standard))
        graph.add((standard, RDF.type, DCTERMS.Standard))
    return node


def _languages(codes: Iterable[str]) -> list[URIRef]:
    iris = []
    for code in codes:
        if code not in LANGUAGES:
            raise ValueError(f"language '{code}' has no EU language authority code")
        iris.append(URIRef(_AUTHORITY + "language/" + LANGUAGES[code]))
    return iris


def _countries(codes: Iterable[str]) -> list[URIRef]:
    iris = []
    for code in codes:
        if code not in COUNTRIES:
            raise ValueError(f"country '{code}' has no EU country authority code ({', '.join(COUNTRIES)} have)")
        iris.append(URIRef(_AUTHORITY + "country/" + COUNTRIES[code]))
    return iris


def _date(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def catalogue_turtle(graph: Graph) -> str:
    """The graph as Turtle with the dcat, dct, foaf, skos, vcard and xsd prefixes.

    rdflib's Turtle writer sorts subjects, predicates and objects, so the text depends only on
    the triples. Raises ValueError if the graph holds a blank node.
    """
    _refuse_blank_nodes(graph)
    output = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        output.bind(prefix, namespace)
    # Re-adding the triples in sorted order makes the text independent of how the graph was built.
    for triple in sorted(graph, key=_triple_order):
        output.add(triple)
    return output.serialize(format="turtle")


def catalogue_jsonld(graph: Graph) -> str:
    """The graph as JSON-LD: a context of the Turtle prefixes and a @graph of node objects.

    Nodes are sorted by IRI, properties by name and values by kind and text, so the text
    depends only on the triples. Raises ValueError if the graph holds a blank node.
    """
    _refuse_blank_nodes(graph)
    nodes: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, value in sorted(graph, key=_triple_order):
        node = nodes.setdefault(str(subject), {})
        if predicate == RDF.type:
            node.setdefault("@type", []).append(_compact(str(value)))
        else:
            node.setdefault(_compact(str(predicate)), []).append(_jsonld_value(value))
    graph_objects = []
    for iri in sorted(nodes):
        properties = nodes[iri]
        node_object: dict[str, Any] = {"@id": iri}
        for key in sorted(properties):
            node_object[key] = sorted(properties[key], key=_value_order)
        graph_objects.append(node_object)
    document = {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}, "@graph": graph_objects}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _triple_order(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    subject, predicate, value = triple
    return subject.n3(), predicate.n3(), value.n3()


def _refuse_blank_nodes(graph: Graph) -> None:
    for triple in graph:
        if not all(isinstance(term, URIRef | Literal) for term in triple):
            raise ValueError(f"the catalogue must not hold blank nodes, but has {triple}")


def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(str(namespace))
        if local != iri and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", local):
            return f"{prefix}:{local}"
    return iri


def _jsonld_value(value: Node) -> dict[str, str]:
    if isinstance(value, Literal):
        out = {"@value": str(value)}
        if value.language is not None:
            out["@language"] = value.language
        elif value.datatype is not None:
            out["@type"] = _compact(str(value.datatype))
        return out
    return {"@id": str(value)}


def _value_order(value: Mapping[str, str]) -> tuple[bool, str]:
    return ("@id" not in value, json.dumps(value, ensure_ascii=False, sort_keys=True))
