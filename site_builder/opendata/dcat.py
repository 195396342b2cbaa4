"""The site's data catalogue in DCAT-AP 3.0.1, also meeting DCAT-AP-NO and DCAT-AP-SE.

Every node has an IRI (no blank nodes), so the catalogue serialises to the same bytes on every run.

The catalogue is a set of plain triples written out here as Turtle and JSON-LD: at 10,000 documents it
has tens of thousands of triples (a distribution per indicator file), and building and serialising them
through rdflib took seconds. The Turtle is byte for byte what rdflib's serializer writes for the same
triples; an IRI whose shape rdflib would treat specially is handed to rdflib itself (`catalogue_graph`
gives the same triples as an rdflib graph, which the tests validate against the DCAT-AP shapes).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..config import SiteSettings
from .datasets import Dataset, Distribution
from .jsontext import json_text

if TYPE_CHECKING:
    from rdflib import Graph


class Namespace:
    """A vocabulary's IRI; `NS.term` is the term's IRI."""

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, local: str) -> str:
        return self.iri + local

    def __str__(self) -> str:
        return self.iri


DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

CATALOGUE_TURTLE_PATH = "data/catalog.ttl"
CATALOGUE_JSONLD_PATH = "data/catalog.jsonld"

PREFIXES: dict[str, str] = {
    "dcat": DCAT.iri,
    "dct": DCTERMS.iri,
    "foaf": FOAF.iri,
    "skos": SKOS.iri,
    "vcard": VCARD.iri,
    "xsd": XSD.iri,
}
"""The prefixes both serialisations use, to their namespace IRIs."""


class Lit(NamedTuple):
    """An RDF literal: its text with a language tag, a datatype IRI or neither."""

    text: str
    lang: str | None = None
    datatype: str | None = None


Term = str | Lit
"""An IRI (a plain string) or a literal."""
Triple = tuple[str, str, Term]


class Catalogue:
    """A set of triples: adding one twice keeps one, as in an RDF graph."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, triple: Triple) -> None:
        self._triples[triple] = None

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME_SCHEME = _AUTHORITY + "data-theme"
PUBLIC_ACCESS = _AUTHORITY + "access-right/PUBLIC"
# The site generator exists for municipalities, so its publisher is a local authority.
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/LocalAuthority"
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


def build_catalogue(settings: SiteSettings, datasets: Sequence[Dataset], modified: dt.date | None) -> Catalogue:
    """The DCAT-AP catalogue of `datasets`; every node is an IRI, none a blank node.

    Referenced authority concepts are typed with the classes DCAT-AP's range shapes expect
    (and concepts and schemes labelled), so the catalogue validates without inference.
    `modified` is the catalogue's last change, if known.
    Raises ValueError for a theme, country or language with no authority IRI, or a dataset
    without a title or description.
    """
    base = settings.base_url
    catalogue = Catalogue()
    node = base + "data/catalog"
    publisher = base + "data/publisher"
    contact = base + "data/catalog#contact"
    licence = settings.licence.url
    homepage = base

    catalogue.add((node, RDF_TYPE, DCAT.Catalog))
    for lang in settings.languages:
        name = settings.name_in(lang)
        # site.yaml may leave the description out, but DCAT-AP requires one: the name stands in.
        description = settings.description_in(lang) or name
        catalogue.add((node, DCTERMS.title, Lit(name, lang=lang)))
        catalogue.add((node, DCTERMS.description, Lit(description, lang=lang)))
    catalogue.add((node, DCTERMS.publisher, publisher))
    catalogue.add((node, DCTERMS.license, licence))
    for language in _languages(settings.languages):
        catalogue.add((node, DCTERMS.language, language))
        catalogue.add((language, RDF_TYPE, DCTERMS.LinguisticSystem))
    for country in _countries(sorted({code for dataset in datasets for code in dataset.spatial})):
        catalogue.add((node, DCTERMS.spatial, country))
        catalogue.add((country, RDF_TYPE, DCTERMS.Location))
    if modified is not None:
        catalogue.add((node, DCTERMS.modified, _date(modified)))
    catalogue.add((node, FOAF.homepage, homepage))
    catalogue.add((homepage, RDF_TYPE, FOAF.Document))
    catalogue.add((node, DCAT.themeTaxonomy, DATA_THEME_SCHEME))
    catalogue.add((DATA_THEME_SCHEME, RDF_TYPE, SKOS.ConceptScheme))
    catalogue.add((DATA_THEME_SCHEME, DCTERMS.title, Lit("Data theme", lang="en")))

    catalogue.add((licence, RDF_TYPE, DCTERMS.LicenseDocument))
    catalogue.add((licence, DCTERMS.identifier, Lit(settings.licence.id)))
    catalogue.add((licence, DCTERMS.title, Lit(settings.licence.name)))

    _add_publisher(catalogue, settings, publisher, contact)

    for dataset in datasets:
        catalogue.add((node, DCAT.dataset, _add_dataset(catalogue, settings, dataset, publisher, contact, licence)))
    return catalogue


def _add_publisher(catalogue: Catalogue, settings: SiteSettings, publisher: str, contact: str) -> None:
    names: list[Lit]
    if settings.publisher is not None:
        names = [Lit(settings.publisher.name)]
        if settings.publisher.url is not None:
            catalogue.add((publisher, FOAF.homepage, settings.publisher.url))
    else:
        names = [Lit(settings.name_in(lang), lang=lang) for lang in settings.languages]
    catalogue.add((publisher, RDF_TYPE, FOAF.Agent))
    catalogue.add((publisher, DCTERMS.type, PUBLISHER_TYPE))
    catalogue.add((PUBLISHER_TYPE, RDF_TYPE, SKOS.Concept))
    catalogue.add((PUBLISHER_TYPE, SKOS.prefLabel, Lit(PUBLISHER_TYPE_LABEL, lang="en")))

    # Range shapes check sh:class vcard:Kind without inference, so the superclass is stated too.
    catalogue.add((contact, RDF_TYPE, VCARD.Organization))
    catalogue.add((contact, RDF_TYPE, VCARD.Kind))
    homepage = settings.repository.url if settings.repository is not None else settings.base_url
    catalogue.add((contact, VCARD.hasURL, homepage))
    for name in names:
        catalogue.add((publisher, FOAF.name, name))
        catalogue.add((contact, VCARD.fn, name))


def _add_dataset(
    catalogue: Catalogue, settings: SiteSettings, dataset: Dataset, publisher: str, contact: str, licence: str
) -> str:
    base = settings.base_url
    node = base + "data/" + dataset.id
    if not any(dataset.title.values()) or not any(dataset.description.values()):
        raise ValueError(f"dataset '{dataset.id}' needs a title and a description")
    catalogue.add((node, RDF_TYPE, DCAT.Dataset))
    for lang, title in sorted(dataset.title.items()):
        if title:
            catalogue.add((node, DCTERMS.title, Lit(title, lang=lang)))
    for lang, description in sorted(dataset.description.items()):
        if description:
            catalogue.add((node, DCTERMS.description, Lit(description, lang=lang)))
    for lang, keywords in sorted(dataset.keywords.items()):
        for keyword in keywords:
            catalogue.add((node, DCAT.keyword, Lit(keyword, lang=lang)))
    catalogue.add((node, DCTERMS.publisher, publisher))
    catalogue.add((node, DCAT.contactPoint, contact))
    for code in dataset.themes:
        if code not in DATA_THEMES:
            raise ValueError(f"dataset '{dataset.id}': '{code}' is not an EU data theme ({', '.join(DATA_THEMES)})")
        theme = f"{DATA_THEME_SCHEME}/{code}"
        catalogue.add((node, DCAT.theme, theme))
        catalogue.add((theme, RDF_TYPE, SKOS.Concept))
        catalogue.add((theme, SKOS.prefLabel, Lit(DATA_THEMES[code], lang="en")))
        catalogue.add((theme, SKOS.inScheme, DATA_THEME_SCHEME))
    for language in _languages(dataset.languages):
        catalogue.add((node, DCTERMS.language, language))
        catalogue.add((language, RDF_TYPE, DCTERMS.LinguisticSystem))
    for country in _countries(dataset.spatial):
        catalogue.add((node, DCTERMS.spatial, country))
        catalogue.add((country, RDF_TYPE, DCTERMS.Location))
    if dataset.issued is not None:
        catalogue.add((node, DCTERMS.issued, _date(dataset.issued)))
    if dataset.modified is not None:
        catalogue.add((node, DCTERMS.modified, _date(dataset.modified)))
    # The IRI, not the bare slug, so the identifier stays unique when national portals harvest it.
    catalogue.add((node, DCTERMS.identifier, Lit(str(node))))
    landing = f"{base}{settings.default_language}/data/{dataset.id}/"
    catalogue.add((node, DCAT.landingPage, landing))
    catalogue.add((landing, RDF_TYPE, FOAF.Document))
    catalogue.add((node, DCTERMS.accessRights, PUBLIC_ACCESS))
    catalogue.add((PUBLIC_ACCESS, RDF_TYPE, DCTERMS.RightsStatement))
    for distribution in dataset.distributions:
        catalogue.add((node, DCAT.distribution, _add_distribution(catalogue, base, dataset.id, distribution, licence)))
    return node


def _add_distribution(
    catalogue: Catalogue, base: str, dataset_id: str, distribution: Distribution, licence: str
) -> str:
    where = f"dataset '{dataset_id}', file '{distribution.path}'"
    if not _FILE_TYPE.match(distribution.format):
        raise ValueError(f"{where}: '{distribution.format}' is not an EU file-type code such as CSV or JSON")
    if not _MEDIA_TYPE.match(distribution.media_type):
        raise ValueError(f"{where}: '{distribution.media_type}' is not an IANA media type such as text/csv")
    if distribution.byte_size < 0:
        raise ValueError(f"{where}: byte size {distribution.byte_size} is negative")
    node = base + distribution.path
    media_type = "https://www.iana.org/assignments/media-types/" + distribution.media_type
    file_type = _AUTHORITY + "file-type/" + distribution.format
    catalogue.add((node, RDF_TYPE, DCAT.Distribution))
    catalogue.add((node, DCTERMS.title, Lit(distribution.title)))
    catalogue.add((node, DCAT.accessURL, node))
    catalogue.add((node, DCAT.downloadURL, node))
    catalogue.add((node, DCAT.mediaType, media_type))
    catalogue.add((media_type, RDF_TYPE, DCTERMS.MediaType))
    catalogue.add((node, DCTERMS.format, file_type))
    catalogue.add((file_type, RDF_TYPE, DCTERMS.MediaTypeOrExtent))
    catalogue.add((node, DCAT.byteSize, Lit(str(distribution.byte_size), datatype=XSD.nonNegativeInteger)))
    catalogue.add((node, DCTERMS.license, licence))
    if distribution.conforms_to is not None:
        standard = base + distribution.conforms_to
        catalogue.add((node, DCTERMS.conformsTo, standard))
        catalogue.add((standard, RDF_TYPE, DCTERMS.Standard))
    return node


def _languages(codes: Iterable[str]) -> list[str]:
    iris = []
    for code in codes:
        if code not in LANGUAGES:
            raise ValueError(f"language '{code}' has no EU language authority code")
        iris.append(_AUTHORITY + "language/" + LANGUAGES[code])
    return iris


def _countries(codes: Iterable[str]) -> list[str]:
    iris = []
    for code in codes:
        if code not in COUNTRIES:
            raise ValueError(f"country '{code}' has no EU country authority code ({', '.join(COUNTRIES)} have)")
        iris.append(_AUTHORITY + "country/" + COUNTRIES[code])
    return iris


def _date(day: dt.date) -> Lit:
    return Lit(day.isoformat(), datatype=XSD.date)


def catalogue_graph(settings: SiteSettings, datasets: Sequence[Dataset], modified: dt.date | None) -> Graph:
    """`build_catalogue` as an rdflib graph, for validation and queries."""
    return to_graph(build_catalogue(settings, datasets, modified))


def to_graph(catalogue: Iterable[Triple]) -> Graph:
    """The triples as an rdflib graph with the catalogue's prefixes bound."""
    from rdflib import Graph, Literal, URIRef

    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for subject, predicate, value in catalogue:
        if isinstance(value, Lit):
            datatype = URIRef(value.datatype) if value.datatype is not None else None
            term: URIRef | Literal = Literal(value.text, lang=value.lang, datatype=datatype)
        else:
            term = URIRef(value)
        graph.add((URIRef(subject), URIRef(predicate), term))
    return graph


def catalogue_turtle(catalogue: Catalogue) -> str:
    """The catalogue as Turtle with the dcat, dct, foaf, skos, vcard and xsd prefixes.

    Subjects, predicates and objects are sorted as rdflib's Turtle writer sorts them, so the text
    depends only on the triples.
    """
    try:
        return _TurtleWriter(catalogue).text()
    except _NeedsRdflib:
        return to_graph(catalogue).serialize(format="turtle")


class _NeedsRdflib(Exception):
    """An IRI or literal this writer does not promise to write as rdflib would."""


_INVALID_IRI = re.compile(r'[<>" {}|\\^`]')
_PLAIN_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NAMESPACES = sorted(((iri, prefix) for prefix, iri in PREFIXES.items()), reverse=True)
_XSD_STRING = XSD.string
_INTEGER_TYPES = frozenset({XSD.nonNegativeInteger, XSD.integer, XSD.positiveInteger, XSD.int, XSD.long})


class _TurtleWriter:
    """rdflib 7's TurtleSerializer, for a graph of IRIs and literals only (no blank nodes, no lists)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.properties: dict[str, dict[str, list[Term]]] = {}
        self.references: dict[Term, int] = {}
        self.used: set[str] = set()
        self.names: dict[str, str] = {}
        for subject, predicate, value in triples:
            self.properties.setdefault(subject, {}).setdefault(predicate, []).append(value)
            self.references[value] = self.references.get(value, 0) + 1

    def name(self, iri: str) -> str:
        """The prefixed name rdflib gives `iri`, or the IRI in angle brackets."""
        known = self.names.get(iri)
        if known is not None:
            return known
        if _INVALID_IRI.search(iri):
            raise _NeedsRdflib(iri)
        written = f"<{iri}>"
        for namespace, prefix in _NAMESPACES:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                # rdflib splits other IRIs in a bound namespace in ways not worth copying here.
                if not _PLAIN_LOCAL.fullmatch(local):
                    raise _NeedsRdflib(iri)
                written = f"{prefix}:{local}"
                self.used.add(prefix)
                break
        self.names[iri] = written
        return written

    def literal(self, value: Lit) -> str:
        if value.lang is not None and value.datatype is not None:
            raise _NeedsRdflib(value)
        text = value.text
        if "\n" in text:
            encoded = text.replace("\\", "\\\\")
            if '"""' in text:
                encoded = encoded.replace('"""', '\\"\\"\\"')
            if encoded[-1] == '"' and encoded[-2] != "\\":
                encoded = encoded[:-1] + "\\" + '"'
            quoted = '"""' + encoded.replace("\r", "\\r") + '"""'
        else:
            quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'
        if value.lang is not None:
            return f"{quoted}@{value.lang}"
        if value.datatype is not None:
            if value.datatype not in _WRITTEN_TYPES:
                raise _NeedsRdflib(value)
            return f"{quoted}^^{self.name(value.datatype)}"
        return quoted

    def term(self, value: Term) -> str:
        return self.literal(value) if isinstance(value, Lit) else self.name(value)

    def text(self) -> str:
        # rdflib orders subjects by how often they are objects, then by IRI.
        subjects = sorted(self.properties, key=lambda s: (self.references.get(s, 0), s))
        parts: list[str] = []
        for subject in subjects:
            parts.append("\n" + self.name(subject))
            properties = self.properties[subject]
            order = sorted(properties, key=lambda p: (p != RDF_TYPE, p))
            for number, predicate in enumerate(order):
                if number:
                    parts.append(" ;\n    ")
                parts.append(" " if not number else "")
                parts.append("a" if predicate == RDF_TYPE else self.name(predicate))
                objects = sorted(properties[predicate], key=_object_order)
                parts.append(" " + self.term(objects[0]))
                for value in objects[1:]:
                    parts.append(",\n        " + self.term(value))
            parts.append(" .\n")
        prefixes = "".join(f"@prefix {prefix}: <{PREFIXES[prefix]}> .\n" for prefix in sorted(self.used))
        text = prefixes + "".join(parts) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:  # rdflib would write "?" for a lone surrogate
            raise _NeedsRdflib(text) from error
        return text


_WRITTEN_TYPES = frozenset({XSD.date, *_INTEGER_TYPES})
"""Datatypes whose literals rdflib writes quoted with their type, and compares as this writer does."""


def _object_order(value: Term) -> tuple[Any, ...]:
    """rdflib's order of a predicate's objects: IRIs by text, then literals by datatype, language and value."""
    if not isinstance(value, Lit):
        return (0, value)
    datatype = value.datatype or _XSD_STRING
    if datatype in _INTEGER_TYPES:
        return (1, "", False, "", int(value.text), value.text)
    return (1, datatype, value.lang is not None, value.lang or "", value.text, value.text)


def catalogue_jsonld(catalogue: Catalogue) -> str:
    """The catalogue as JSON-LD: a context of the Turtle prefixes and a @graph of node objects.

    Nodes are sorted by IRI, properties by name and values by kind and text, so the text
    depends only on the triples.
    """
    nodes: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, value in catalogue:
        node = nodes.setdefault(subject, {})
        if predicate == RDF_TYPE:
            assert not isinstance(value, Lit), "a type is an IRI"
            node.setdefault("@type", []).append(_compact(value))
        else:
            node.setdefault(_compact(predicate), []).append(_jsonld_value(value))
    graph_objects = []
    for iri in sorted(nodes):
        properties = nodes[iri]
        node_object: dict[str, Any] = {"@id": iri}
        for key in sorted(properties):
            values = properties[key]
            node_object[key] = sorted(values, key=_value_order) if len(values) > 1 else values
        graph_objects.append(node_object)
    document = {"@context": dict(PREFIXES), "@graph": graph_objects}
    return json_text(document) + "\n"


_compacted: dict[str, str] = {}


def _compact(iri: str) -> str:
    known = _compacted.get(iri)
    if known is None:
        known = iri
        for prefix, namespace in PREFIXES.items():
            local = iri.removeprefix(namespace)
            if local != iri and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", local):
                known = f"{prefix}:{local}"
                break
        _compacted[iri] = known
    return known


def _jsonld_value(value: Term) -> dict[str, str]:
    if isinstance(value, Lit):
        out = {"@value": value.text}
        if value.lang is not None:
            out["@language"] = value.lang
        elif value.datatype is not None:
            out["@type"] = _compact(value.datatype)
        return out
    return {"@id": value}


_ORDER_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _value_order(value: Mapping[str, str]) -> tuple[bool, str]:
    return ("@id" not in value, _ORDER_ENCODER.encode(value))
