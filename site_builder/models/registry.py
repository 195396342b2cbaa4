"""Shared registries in data/: municipalities, organisations, parties, SDGs, topics, conventions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from .common import CountryCode, HttpUrl, Identifier, LocalizedText, Source, StrictModel, Year, localized

Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
"""A colour as #rrggbb."""


class MunicipalityNumber(StrictModel):
    """An official municipality number and the years it was valid (numbers change with reforms)."""

    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,4}$")]
    """The number as the national statistics office writes it, e.g. "5001" or "0188"."""
    valid_from: Year | None = None
    """First year the number was valid; empty if older than the registry cares about."""
    valid_to: Year | None = None
    """Last year the number was valid; empty while it still is."""


class Coordinates(StrictModel):
    """A point in WGS 84 decimal degrees (the town centre)."""

    lat: Annotated[float, Field(ge=-90, le=90)]
    """Latitude, north positive."""
    lon: Annotated[float, Field(ge=-180, le=180)]
    """Longitude, east positive."""


class Population(StrictModel):
    """A population figure with its year and source."""

    year: Year
    """The year the count is for."""
    value: Annotated[int, Field(ge=0)]
    """Number of inhabitants."""
    source: Source | None = None
    """Where the count comes from."""


class Municipality(StrictModel):
    """A municipality (kommune, kommun, kunta) or a foreign city the site refers to."""

    id: Identifier
    """Identifier used in references and URLs, e.g. `tromso`."""
    name: str
    """The official name in the country's own language."""
    names: LocalizedText = {}
    """The name in other languages where it differs, e.g. `{sv: Tromsø, en: Tromsø}`."""
    country: CountryCode
    """The country the municipality lies in."""
    region: str | None = None
    """County or region (fylke, län, region) at the time of the source documents."""
    numbers: list[MunicipalityNumber] = []
    """Official municipality numbers with their validity periods."""
    coordinates: Coordinates | None = None
    """Where to place the municipality on a map."""
    population: list[Population] = []
    """Population figures from the source documents or official statistics."""
    url: HttpUrl | None = None
    """The municipality's web site."""

    def name_in(self, lang: str) -> str:
        return localized(self.names, lang, self.name)


OrganisationKind = Literal[
    "network",
    "ngo",
    "national-institution",
    "government-agency",
    "intergovernmental",
    "council",
    "executive-committee",
    "committee",
    "advisory-council",
    "administration",
    "association",
    "programme",
    "company",
    "other",
]


class NetworkMember(StrictModel):
    """A member of a network: a municipality in the registry or a named city."""

    municipality: Identifier | None = None
    """The member's identifier in data/municipalities.yaml."""
    name: str | None = None
    """The member's name when it is not in the registry."""
    country: CountryCode | None = None
    """The member's country when it is not in the registry."""
    since: Year | None = None
    """The year the member joined, where known."""

    @model_validator(mode="after")
    def _named(self) -> NetworkMember:
        if not self.municipality and not self.name:
            raise ValueError("a member needs either `municipality` or `name`")
        return self


class Organisation(StrictModel):
    """A network, institution, party-independent organisation, or a body of a municipality."""

    id: Identifier
    """Identifier used in references and URLs, e.g. `nordic-safe-cities`."""
    name: str
    """The organisation's own name."""
    names: LocalizedText = {}
    """The name in other languages where it differs."""
    abbreviation: str | None = None
    """A short form such as NSC or NIM."""
    kind: OrganisationKind
    """What sort of organisation it is; bodies of a municipality are council, executive-committee, committee,
    advisory-council or administration."""
    country: CountryCode | None = None
    """Where it is based or registered."""
    municipality: Identifier | None = None
    """For a municipal body: the municipality it belongs to."""
    parent: Identifier | None = None
    """An organisation this one is part of."""
    url: HttpUrl | None = None
    """The organisation's web site."""
    description: LocalizedText = {}
    """A short description in the editor's own words, per language."""
    founded: Year | None = None
    """The year it was founded."""
    members: list[NetworkMember] = []
    """Members of a network as listed in a source document."""
    members_source: Source | None = None
    """The document that lists the members, and when."""

    def name_in(self, lang: str) -> str:
        return localized(self.names, lang, self.name)


class Party(StrictModel):
    """A political party (or a local list) in one country."""

    id: Identifier
    """Identifier, conventionally `<country>-<abbreviation>`, e.g. `no-ap`."""
    country: CountryCode
    """The country the party stands in."""
    name: str
    """Full name in the country's language."""
    abbreviation: str
    """The abbreviation used in protocols, e.g. Ap, MDG, S, SD."""
    colour: Colour
    """The party's colour, used in vote charts."""


class Sdg(StrictModel):
    """One of the 17 UN Sustainable Development Goals."""

    goal: Annotated[int, Field(ge=1, le=17)]
    """The goal's number, 1 to 17."""
    names: LocalizedText
    """The goal's short official name in each UI language."""
    colour: Colour
    """The UN's official colour for the goal."""

    def name_in(self, lang: str) -> str:
        return localized(self.names, lang, str(self.goal))


class Topic(StrictModel):
    """A subject used to group documents, such as safety or international cooperation."""

    id: Identifier
    """Identifier used in documents' `topics` and in URLs."""
    names: LocalizedText
    """The topic's name in each UI language."""

    def name_in(self, lang: str) -> str:
        return localized(self.names, lang, self.id)


class Convention(StrictModel):
    """A human-rights convention or declaration, used as a tag on commitments."""

    id: Identifier
    """Identifier used in commitments' `conventions`."""
    abbreviation: str
    """The usual short form: CRPD, CRC, ECHR."""
    names: LocalizedText
    """The convention's name in each UI language."""
    adopted: Year | None = None
    """The year the convention was adopted."""
    url: HttpUrl | None = None
    """Where the convention's text is published."""

    def name_in(self, lang: str) -> str:
        return localized(self.names, lang, self.abbreviation)


REGISTRIES: dict[str, type[StrictModel]] = {
    "municipalities": Municipality,
    "organisations": Organisation,
    "parties": Party,
    "sdgs": Sdg,
    "topics": Topic,
    "conventions": Convention,
}
"""Each registry is a YAML list in data/<name>.yaml of the given model."""
