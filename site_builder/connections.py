"""A municipality's ties to other places and networks, gathered from every document that names them.

Twin cities come from `relations` documents, both the municipality's own and
other municipalities' lists that name it as a partner. Networks come from
membership documents, from organisations' member lists and from the network
entries of relations documents, merged per organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .graph import Site
from .model import ContentDocument
from .models import Membership, Relations

NETWORK_KIND = "network"


@dataclass(frozen=True)
class Partner:
    """A twin city or partner city, as one relations document lists it."""

    name: str
    """As the source writes it, in the document's language."""
    lang: str
    municipality: str | None
    """The partner's municipality page, when the site has one."""
    organisation: str | None
    country: str | None
    kind: str
    since: int | None
    source: ContentDocument
    """The relations document that lists the tie."""


@dataclass
class Network:
    """A network or organisation a municipality belongs to or has applied to, with the evidence for it."""

    name: str
    lang: str | None
    """The language of `name` when it is the source's wording rather than a registry name."""
    organisation: str | None = None
    memberships: list[ContentDocument] = field(default_factory=list)
    """Membership documents, with their status, period and fees."""
    in_member_list: bool = False
    """The organisation's own member list (data/organisations.yaml) names the municipality."""
    listed_in: list[ContentDocument] = field(default_factory=list)
    """Relations documents that name the network."""

    @property
    def listed_only(self) -> bool:
        """Known only from a list of networks, without a membership document or member list behind it."""
        return not self.memberships and not self.in_member_list


def twin_cities(site: Site, municipality_id: str) -> list[Partner]:
    """Every non-network tie, from the municipality's own lists and from lists that name it as partner."""
    partners: list[Partner] = []
    for document in site.by_type.get("relations", []):
        model = document.model
        assert isinstance(model, Relations)
        for relation in model.relations:
            if relation.kind == NETWORK_KIND:
                continue
            if model.municipality == municipality_id:
                partners.append(
                    Partner(
                        relation.partner, model.lang, relation.partner_municipality, relation.partner_organisation,
                        relation.country, relation.kind, relation.since, document,
                    )
                )  # fmt: skip
            elif relation.partner_municipality == municipality_id:
                other = site.registries.municipalities[model.municipality].value
                partners.append(
                    Partner(other.name, model.lang, model.municipality, None, other.country, relation.kind,
                            relation.since, document)
                )  # fmt: skip
    return sorted(partners, key=lambda p: (p.kind != "twin-city", p.name.casefold(), p.source.id))


def networks(site: Site, municipality_id: str) -> list[Network]:
    """Networks and organisations the municipality belongs to, has applied to or lists, one entry each."""
    found: dict[str, Network] = {}

    def by_organisation(organisation_id: str) -> Network:
        if organisation_id not in found:
            name = site.registries.organisations[organisation_id].value.name
            found[organisation_id] = Network(name, None, organisation_id)
        return found[organisation_id]

    for document in site.by_municipality.get(municipality_id, []):  # every membership of it is there
        model = document.model
        if isinstance(model, Membership) and model.municipality == municipality_id:
            by_organisation(model.organisation).memberships.append(document)
    for organisation_id, entry in sorted(site.registries.organisations.items()):
        if any(member.municipality == municipality_id for member in entry.value.members):
            by_organisation(organisation_id).in_member_list = True
    for document in site.by_type.get("relations", []):
        model = document.model
        assert isinstance(model, Relations)
        if model.municipality != municipality_id:
            continue
        for relation in model.relations:
            if relation.kind != NETWORK_KIND:
                continue
            if relation.partner_organisation:
                network = by_organisation(relation.partner_organisation)
            else:
                network = found.setdefault(f"name:{relation.partner}", Network(relation.partner, model.lang))
            if document not in network.listed_in:
                network.listed_in.append(document)
    return sorted(found.values(), key=lambda n: (not n.memberships, not n.in_member_list, n.name.casefold()))


def memberships_of(site: Site, organisation_id: str) -> list[ContentDocument]:
    """Membership documents for an organisation: who joined or applied, and at what cost."""
    return [d for d in site.by_type.get("membership", []) if getattr(d.model, "organisation", None) == organisation_id]
