"""schema.org JSON-LD for pages: what search engines and harvesters read about each page."""

from __future__ import annotations

from typing import Any

from . import urls
from .graph import IndicatorRef, Site
from .i18n import file_size
from .model import ContentDocument
from .models import Decision, Membership, Strategy
from .opendata.datasets import Dataset

CONTEXT = "https://schema.org"


def _absolute(site: Site, path: str) -> str:
    return urls.public_url(site.config.settings.base_url, path)


def _municipality_ref(site: Site, municipality_id: str, lang: str) -> dict[str, Any]:
    return {
        "@type": "GovernmentOrganization",
        "@id": _absolute(site, urls.municipality_path(lang, municipality_id)),
        "name": site.registries.municipalities[municipality_id].value.name,
    }


def _licence(site: Site) -> str:
    return site.config.settings.licence.url


def document_ld(site: Site, document: ContentDocument, lang: str) -> dict[str, Any]:
    """Legislation for decisions, CreativeWork for strategies and other documents."""
    model = document.model
    url = _absolute(site, urls.document_path(lang, document.type, document.id))
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": model.title,
        "inLanguage": model.lang,
        "license": _licence(site),
    }
    if model.summary:
        data["abstract"] = model.summary
    if model.date:
        data["dateCreated"] = model.date.isoformat()
    changed = site.last_changed.get(document.source_path)
    if changed:
        data["dateModified"] = changed.isoformat()
    municipality = document.municipality
    if municipality:
        data["publisher"] = _municipality_ref(site, municipality, lang)
        data["spatialCoverage"] = {
            "@type": "AdministrativeArea",
            "name": site.registries.municipalities[municipality].value.name,
        }
    if model.topics:
        data["keywords"] = [site.registries.topics[t].value.name_in(lang) for t in model.topics]
    if isinstance(model, Decision):
        data["@type"] = "Legislation"
        data["legislationIdentifier"] = model.case_number or model.archive_number or document.id
        if model.date:
            data["legislationDate"] = model.date.isoformat()
        if model.deciding_body:
            body = site.registries.organisations[model.deciding_body].value
            data["legislationPassedBy"] = {
                "@type": "GovernmentOrganization",
                "@id": _absolute(site, urls.organisation_path(lang, model.deciding_body)),
                "name": body.name,
            }
        data["legislationLegalForce"] = "InForce" if model.status == "adopted" else "NotInForce"
    if isinstance(model, Strategy):
        data["temporalCoverage"] = f"{model.period_start}/{model.period_end}"
        data["hasPart"] = [
            {"@type": "StatisticalVariable", "@id": _absolute(site, urls.indicator_path(lang, i.id)), "name": i.name}
            for area in model.goal_areas
            for i in area.indicators
        ]
    if isinstance(model, Membership):
        data["about"] = {
            "@type": "OrganizationRole",
            "roleName": "member",
            "startDate": str(model.start_year),
            **({"endDate": str(model.end_year)} if model.end_year else {}),
            "memberOf": {"@type": "Organization", "name": site.registries.organisations[model.organisation].value.name},
        }
    return data


def municipality_ld(site: Site, municipality_id: str, lang: str) -> dict[str, Any]:
    """GovernmentOrganization, with its network memberships as OrganizationRoles."""
    municipality = site.registries.municipalities[municipality_id].value
    data: dict[str, Any] = {
        "@context": CONTEXT,
        **_municipality_ref(site, municipality_id, lang),
        "address": {"@type": "PostalAddress", "addressCountry": municipality.country},
    }
    if municipality.url:
        data["sameAs"] = municipality.url
    if municipality.coordinates:
        data["location"] = {
            "@type": "Place",
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": municipality.coordinates.lat,
                "longitude": municipality.coordinates.lon,
            },
        }
    if municipality.numbers:
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": "municipality-number", "value": n.code}
            for n in municipality.numbers
        ]
    roles = []
    for document in site.by_municipality.get(municipality_id, []):
        model = document.model
        if isinstance(model, Membership) and model.municipality == municipality_id:
            role: dict[str, Any] = {
                "@type": "OrganizationRole",
                "roleName": "member",
                "startDate": str(model.start_year),
                "memberOf": {
                    "@type": "Organization",
                    "name": site.registries.organisations[model.organisation].value.name,
                },
            }
            if model.end_year:
                role["endDate"] = str(model.end_year)
            roles.append(role)
    for _, entry in sorted(site.registries.organisations.items()):
        if any(m.municipality == municipality_id for m in entry.value.members) and not any(
            r["memberOf"]["name"] == entry.value.name for r in roles
        ):
            roles.append(
                {
                    "@type": "OrganizationRole",
                    "roleName": "member",
                    "memberOf": {"@type": "Organization", "name": entry.value.name},
                }
            )
    if roles:
        data["memberOf"] = roles
    return data


def organisation_ld(site: Site, organisation_id: str, lang: str) -> dict[str, Any]:
    organisation = site.registries.organisations[organisation_id].value
    government = organisation.municipality is not None or organisation.kind in (
        "national-institution",
        "government-agency",
    )
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "GovernmentOrganization" if government else "Organization",
        "@id": _absolute(site, urls.organisation_path(lang, organisation_id)),
        "name": organisation.name,
    }
    if organisation.url:
        data["sameAs"] = organisation.url
    if organisation.municipality:
        data["parentOrganization"] = _municipality_ref(site, organisation.municipality, lang)
    members = [m for m in organisation.members if m.municipality]
    if members:
        data["member"] = [_municipality_ref(site, m.municipality, lang) for m in members if m.municipality]
    return data


def dataset_ld(site: Site, dataset: Dataset, lang: str) -> dict[str, Any]:
    """Dataset with a DataDownload per file."""
    settings = site.config.settings
    url = _absolute(site, urls.dataset_path(lang, dataset.id))
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": dataset.title[lang],
        "description": dataset.description[lang],
        "keywords": list(dataset.keywords[lang]),
        "license": settings.licence.url,
        "isAccessibleForFree": True,
        "inLanguage": list(dataset.languages),
        "creator": {
            "@type": "Organization",
            "name": settings.publisher.name if settings.publisher else settings.name_in(lang),
        },
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "encodingFormat": d.media_type,
                "contentUrl": settings.base_url + d.path,
                "contentSize": file_size(d.byte_size, "en"),
            }
            for d in dataset.distributions
        ],
    }
    if dataset.modified:
        data["dateModified"] = dataset.modified.isoformat()
    return data


def indicator_ld(site: Site, ref: IndicatorRef, lang: str) -> dict[str, Any]:
    """StatisticalVariable with its values as Observations."""
    indicator = ref.indicator
    url = _absolute(site, urls.indicator_path(lang, indicator.id))
    observations = []
    for series, points in (("baseline", indicator.baseline), ("measured", indicator.values)):
        for point in points:
            if point.value is None:
                continue
            observation: dict[str, Any] = {
                "@type": "Observation",
                "observationDate": str(point.year),
                "value": point.value,
                "measurementMethod": series,
            }
            if point.breakdown:
                observation["measurementQualifier"] = point.breakdown
            observations.append(observation)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "StatisticalVariable",
        "@id": url,
        "url": url,
        "name": indicator.name,
        "measuredProperty": indicator.unit,
        "isPartOf": {
            "@type": "CreativeWork",
            "@id": _absolute(site, urls.document_path(lang, "strategy", ref.strategy.id)),
        },
    }
    if observations:
        data["subjectOf"] = observations
    return data
