"""Popolo-shaped JSON: organizations, persons in public roles, memberships, motions and vote events.

Extensions beyond Popolo are prefixed fields kept next to the standard ones:
a membership's fees and binding time, a motion's kind in our vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..graph import Site
from ..models import Decision, Membership, Person

_MOTION_RESULT = {"passed": "pass", "rejected": "fail"}


def person_id(person: Person) -> str:
    """A stable identifier from a public role holder's name (or role)."""
    text = unicodedata.normalize("NFKD", person.name or person.role or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def popolo(site: Site) -> dict[str, Any]:
    """The whole site's organisations, memberships, motions and votes in Popolo's shape."""
    organizations: list[dict[str, Any]] = []
    for key, municipality_entry in sorted(site.registries.municipalities.items()):
        m = municipality_entry.value
        organizations.append({
            "id": key,
            "name": m.name,
            "classification": "municipality",
            "other_names": [{"name": name, "note": lang} for lang, name in sorted(m.names.items())],
            "identifiers": [
                {"scheme": f"municipality-number-{m.country.lower()}", "identifier": n.code,
                 "start_date": str(n.valid_from) if n.valid_from else None,
                 "end_date": str(n.valid_to) if n.valid_to else None}
                for n in m.numbers
            ],
            "area": {"country": m.country, **({"lat": m.coordinates.lat, "lon": m.coordinates.lon} if m.coordinates else {})},
        })  # fmt: skip
    for key, organisation_entry in sorted(site.registries.organisations.items()):
        o = organisation_entry.value
        organizations.append({
            "id": key,
            "name": o.name,
            "classification": o.kind,
            "parent_id": o.parent or o.municipality,
            "founding_date": str(o.founded) if o.founded else None,
            "links": [{"url": o.url}] if o.url else [],
        })  # fmt: skip

    memberships: list[dict[str, Any]] = []
    for key, organisation_entry in sorted(site.registries.organisations.items()):
        for number, member in enumerate(organisation_entry.value.members, start=1):
            if member.municipality:
                memberships.append({
                    "id": f"{key}/member-{number}",
                    "member": {"@type": "Organization", "id": member.municipality},
                    "organization_id": key,
                    "role": "member",
                    "start_date": str(member.since) if member.since else None,
                })  # fmt: skip
    persons: dict[str, dict[str, Any]] = {}
    motions: list[dict[str, Any]] = []
    vote_events: list[dict[str, Any]] = []
    for doc in site.documents.values():
        model = doc.model
        if isinstance(model, Membership):
            memberships.append({
                "id": doc.id,
                "member": {"@type": "Organization", "id": model.municipality},
                "organization_id": model.organisation,
                "role": "member",
                "label": model.programme,
                "start_date": str(model.start_year),
                "end_date": str(model.end_year) if model.end_year else None,
                "sb:status": model.status,
                "sb:binding_years": model.binding_years,
                "sb:fees": [fee.model_dump(mode="json") for fee in model.fees],
                "sources": [{"url": f"{site.config.settings.base_url}data/memberships/{doc.id}.json"}],
            })  # fmt: skip
        if not isinstance(model, Decision):
            continue
        for consultation in model.consultations:
            meeting_date = consultation.date.isoformat() if consultation.date else None
            for motion in consultation.motions:
                creator = None
                if motion.mover is not None:
                    creator = person_id(motion.mover)
                    persons.setdefault(creator, {"id": creator, "name": motion.mover.name or motion.mover.role})
                motions.append({
                    "id": f"{doc.id}/{motion.id}",
                    "organization_id": consultation.body,
                    "legislative_session_id": f"{doc.id}/{consultation.id}",
                    "creator_id": creator,
                    "text": motion.text,
                    "identifier": motion.identifier,
                    "classification": motion.kind,
                    "date": meeting_date,
                    "result": _MOTION_RESULT.get(motion.result or ""),
                    "object_id": f"{doc.id}/{motion.amends}" if motion.amends else None,
                    "sb:party": motion.mover.party if motion.mover else None,
                    "sb:on_behalf_of": motion.on_behalf_of,
                })  # fmt: skip
            for number, vote in enumerate(consultation.votes, start=1):
                vote_events.append({
                    "id": f"{doc.id}/{consultation.id}/vote-{number}",
                    "identifier": vote.id,
                    "motion_id": f"{doc.id}/{vote.motion}" if vote.motion else None,
                    "organization_id": consultation.body,
                    "legislative_session_id": f"{doc.id}/{consultation.id}",
                    "start_date": meeting_date,
                    "result": vote.result,
                    "counts": [
                        {"option": c.option, "value": c.value, "group_id": c.party} for c in vote.counts
                    ],
                    "sb:description": vote.description,
                    "sb:against_motion_id": f"{doc.id}/{vote.against}" if vote.against else None,
                    "sb:unanimous": vote.unanimous,
                })  # fmt: skip
    for key, party_entry in sorted(site.registries.parties.items()):
        organizations.append({
            "id": key,
            "name": party_entry.value.name,
            "classification": "party",
            "other_names": [{"name": party_entry.value.abbreviation, "note": "abbreviation"}],
        })  # fmt: skip
    return {
        "organizations": organizations,
        "persons": [persons[k] for k in sorted(persons)],
        "memberships": memberships,
        "motions": motions,
        "vote_events": vote_events,
    }
